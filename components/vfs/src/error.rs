//! Errors: the Linux errno values themselves (`syscall_linux::Errno`), so that what a VFS
//! operation fails with is exactly what the system call returns, written down once.

/// Why a VFS operation failed: a Linux errno.
pub use syscall_linux::Errno as Error;

/// The result of a VFS operation.
pub type Result<T> = core::result::Result<T, Error>;
