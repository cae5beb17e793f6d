//! Flags of open(2) and the whence values of lseek(2), with their Linux values (x86-64 and
//! riscv64 share them).

use bitflags::bitflags;

use crate::error::{Error, Result};

bitflags! {
    /// open(2) flags. `O_RDONLY` is the absence of `WRONLY` and `RDWR`; see
    /// [`OpenFlags::readable`].
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
    pub struct OpenFlags: u32 {
        /// Open for writing only.
        const WRONLY = 0o1;
        /// Open for reading and writing.
        const RDWR = 0o2;
        /// Create the file if it does not exist.
        const CREAT = 0o100;
        /// With `CREAT`: fail with `EEXIST` if the file exists.
        const EXCL = 0o200;
        /// Do not make a terminal the controlling terminal.
        const NOCTTY = 0o400;
        /// Truncate a regular file to length 0.
        const TRUNC = 0o1000;
        /// Every write goes to the end of file.
        const APPEND = 0o2000;
        /// Operations that would block fail with `EAGAIN`.
        const NONBLOCK = 0o4000;
        /// Synchronized data writes.
        const DSYNC = 0o10000;
        /// Signal-driven I/O.
        const ASYNC = 0o20000;
        /// Bypass caches.
        const DIRECT = 0o40000;
        /// Large-file offsets (always on for 64-bit).
        const LARGEFILE = 0o100000;
        /// Fail with `ENOTDIR` unless the path names a directory.
        const DIRECTORY = 0o200000;
        /// Fail with `ELOOP` if the last component is a symlink.
        const NOFOLLOW = 0o400000;
        /// Do not update the access time.
        const NOATIME = 0o1000000;
        /// Close on exec (a file-descriptor flag; kept here for the kernel's fd table).
        const CLOEXEC = 0o2000000;
        /// Synchronized writes (includes `DSYNC`).
        const SYNC = 0o4010000;
        /// Obtain a handle that only names the file.
        const PATH = 0o10000000;
        /// An unnamed temporary file (includes `DIRECTORY`).
        const TMPFILE = 0o20200000;
    }
}

impl OpenFlags {
    /// The flags fcntl(2)'s `F_SETFL` may change.
    pub const SETFL_MASK: OpenFlags = OpenFlags::APPEND
        .union(OpenFlags::NONBLOCK)
        .union(OpenFlags::ASYNC)
        .union(OpenFlags::DIRECT)
        .union(OpenFlags::NOATIME);

    /// Whether the access mode allows reading (`O_RDONLY` or `O_RDWR`).
    pub fn readable(self) -> bool {
        matches!(self.bits() & 3, 0 | 2)
    }

    /// Whether the access mode allows writing (`O_WRONLY` or `O_RDWR`).
    pub fn writable(self) -> bool {
        matches!(self.bits() & 3, 1 | 2)
    }
}

/// The `whence` of lseek(2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Whence {
    /// From the start (`SEEK_SET`).
    Set,
    /// From the current offset (`SEEK_CUR`).
    Cur,
    /// From the end of file (`SEEK_END`).
    End,
    /// To the next data at or after the offset (`SEEK_DATA`).
    Data,
    /// To the next hole at or after the offset (`SEEK_HOLE`).
    Hole,
}

impl Whence {
    /// Decodes the system-call value (0 to 4); `EINVAL` otherwise.
    pub fn from_raw(whence: u32) -> Result<Whence> {
        Ok(match whence {
            0 => Whence::Set,
            1 => Whence::Cur,
            2 => Whence::End,
            3 => Whence::Data,
            4 => Whence::Hole,
            _ => return Err(Error::EINVAL),
        })
    }
}
