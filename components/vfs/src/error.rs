//! Errors of the VFS, one variant per Linux errno.
//!
//! Every fallible operation of this crate returns [`Result`]; the kernel turns an [`Error`] into
//! the negative return value of a system call with [`Error::errno`]. The numbers are those of
//! `asm-generic/errno-base.h` and `asm-generic/errno.h`, shared by x86-64 and riscv64 (errno(3)).

use core::fmt;

/// The result type of the VFS.
pub type Result<T> = core::result::Result<T, Error>;

/// A VFS error; each variant is the Linux errno of the same name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(i32)]
pub enum Error {
    /// Operation not permitted (1).
    EPERM = 1,
    /// No such file or directory (2).
    ENOENT = 2,
    /// Input/output error (5).
    EIO = 5,
    /// No such device or address (6).
    ENXIO = 6,
    /// Bad file descriptor (9).
    EBADF = 9,
    /// Resource temporarily unavailable; for a blocking file: "wait, then retry" (11).
    EAGAIN = 11,
    /// Cannot allocate memory (12).
    ENOMEM = 12,
    /// Permission denied (13).
    EACCES = 13,
    /// Device or resource busy (16).
    EBUSY = 16,
    /// File exists (17).
    EEXIST = 17,
    /// Cross-device link (18).
    EXDEV = 18,
    /// No such device (19).
    ENODEV = 19,
    /// Not a directory (20).
    ENOTDIR = 20,
    /// Is a directory (21).
    EISDIR = 21,
    /// Invalid argument (22).
    EINVAL = 22,
    /// Inappropriate ioctl for device (25).
    ENOTTY = 25,
    /// File too large (27).
    EFBIG = 27,
    /// No space left on device (28).
    ENOSPC = 28,
    /// Illegal seek (29).
    ESPIPE = 29,
    /// Read-only file system (30).
    EROFS = 30,
    /// Too many links (31).
    EMLINK = 31,
    /// Broken pipe (32); the kernel also sends SIGPIPE.
    EPIPE = 32,
    /// File name too long (36).
    ENAMETOOLONG = 36,
    /// Directory not empty (39).
    ENOTEMPTY = 39,
    /// Too many levels of symbolic links (40).
    ELOOP = 40,
    /// Operation not supported (95).
    EOPNOTSUPP = 95,
}

impl Error {
    /// The positive Linux errno value.
    pub const fn errno(self) -> i32 {
        self as i32
    }

    /// The errno's symbolic name, e.g. `"ENOENT"`.
    pub const fn name(self) -> &'static str {
        match self {
            Error::EPERM => "EPERM",
            Error::ENOENT => "ENOENT",
            Error::EIO => "EIO",
            Error::ENXIO => "ENXIO",
            Error::EBADF => "EBADF",
            Error::EAGAIN => "EAGAIN",
            Error::ENOMEM => "ENOMEM",
            Error::EACCES => "EACCES",
            Error::EBUSY => "EBUSY",
            Error::EEXIST => "EEXIST",
            Error::EXDEV => "EXDEV",
            Error::ENODEV => "ENODEV",
            Error::ENOTDIR => "ENOTDIR",
            Error::EISDIR => "EISDIR",
            Error::EINVAL => "EINVAL",
            Error::ENOTTY => "ENOTTY",
            Error::EFBIG => "EFBIG",
            Error::ENOSPC => "ENOSPC",
            Error::ESPIPE => "ESPIPE",
            Error::EROFS => "EROFS",
            Error::EMLINK => "EMLINK",
            Error::EPIPE => "EPIPE",
            Error::ENAMETOOLONG => "ENAMETOOLONG",
            Error::ENOTEMPTY => "ENOTEMPTY",
            Error::ELOOP => "ELOOP",
            Error::EOPNOTSUPP => "EOPNOTSUPP",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name(), self.errno())
    }
}

impl core::error::Error for Error {}
