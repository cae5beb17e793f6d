//! Readiness events of poll(2): what a file can do now without blocking.
//!
//! The VFS has no scheduler. An operation that would block returns [`crate::Error::EAGAIN`];
//! the kernel then waits until [`crate::Inode::poll`] reports the wanted event (it can sleep on the
//! inode's [`crate::Inode::wait_key`], which [`crate::VfsHooks::wake`] signals) and retries.

use bitflags::bitflags;

bitflags! {
    /// Poll event bits with their Linux values (`POLLIN`, `POLLOUT`, ...).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
    pub struct PollEvents: u16 {
        /// Data to read.
        const IN = 0x001;
        /// Urgent data to read.
        const PRI = 0x002;
        /// Writing will not block.
        const OUT = 0x004;
        /// Error condition (for a pipe's write end: no readers).
        const ERR = 0x008;
        /// Hang up (for a pipe's read end: no writers).
        const HUP = 0x010;
        /// Invalid request: the descriptor is not open.
        const NVAL = 0x020;
        /// Normal data to read.
        const RDNORM = 0x040;
        /// Priority band data to read.
        const RDBAND = 0x080;
        /// Normal data may be written.
        const WRNORM = 0x100;
        /// Priority data may be written.
        const WRBAND = 0x200;
    }
}

impl PollEvents {
    /// Readable and writable: what a regular file always reports.
    pub const READ_WRITE: PollEvents = PollEvents::IN
        .union(PollEvents::RDNORM)
        .union(PollEvents::OUT)
        .union(PollEvents::WRNORM);
}
