//! Files and descriptors: open flags, `*at` flags and `AT_FDCWD`, fcntl(2) commands,
//! `struct flock`, lseek whence, access(2) modes, flock(2) operations, renameat2 flags.
//!
//! Values from `include/uapi/asm-generic/fcntl.h` (used by x86-64 and riscv64 alike),
//! `include/uapi/linux/fcntl.h`, `include/uapi/linux/fs.h`. See open(2), fcntl(2).

use bitflags::bitflags;
use static_assertions::const_assert_eq;
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

/// `O_RDONLY`: the access mode that is zero, so it is not a flag bit.
pub const O_RDONLY: u32 = 0;
/// `O_ACCMODE`: the mask of the access mode.
pub const O_ACCMODE: u32 = 0o3;

bitflags! {
    /// Flags of open(2), openat(2), pipe2(2), dup3(2) and fcntl(`F_GETFL`/`F_SETFL`). The
    /// access mode is the two low bits ([`OpenFlags::access_mode`]). Decoding keeps unknown
    /// bits: open(2) ignores them, other calls reject them.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
    pub struct OpenFlags: u32 {
        /// `O_WRONLY`.
        const WRONLY = 0o1;
        /// `O_RDWR`.
        const RDWR = 0o2;
        /// `O_CREAT`.
        const CREAT = 0o100;
        /// `O_EXCL`.
        const EXCL = 0o200;
        /// `O_NOCTTY`.
        const NOCTTY = 0o400;
        /// `O_TRUNC`.
        const TRUNC = 0o1000;
        /// `O_APPEND`.
        const APPEND = 0o2000;
        /// `O_NONBLOCK`.
        const NONBLOCK = 0o4000;
        /// `O_DSYNC`.
        const DSYNC = 0o10000;
        /// `FASYNC` (`O_ASYNC`).
        const ASYNC = 0o20000;
        /// `O_DIRECT`.
        const DIRECT = 0o40000;
        /// `O_LARGEFILE` (the kernel forces it on 64-bit).
        const LARGEFILE = 0o100000;
        /// `O_DIRECTORY`.
        const DIRECTORY = 0o200000;
        /// `O_NOFOLLOW`.
        const NOFOLLOW = 0o400000;
        /// `O_NOATIME`.
        const NOATIME = 0o1000000;
        /// `O_CLOEXEC`.
        const CLOEXEC = 0o2000000;
        /// `O_SYNC` (`__O_SYNC | O_DSYNC`).
        const SYNC = 0o4010000;
        /// `O_PATH`.
        const PATH = 0o10000000;
        /// `O_TMPFILE` (`__O_TMPFILE | O_DIRECTORY`).
        const TMPFILE = 0o20200000;
    }
}

/// The access mode of open flags.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccessMode {
    /// `O_RDONLY`.
    ReadOnly,
    /// `O_WRONLY`.
    WriteOnly,
    /// `O_RDWR`.
    ReadWrite,
    /// The invalid mode 3 (Linux treats it as "ioctl only": neither read nor write).
    Invalid,
}

impl OpenFlags {
    /// The flags fcntl(2)'s `F_SETFL` may change.
    pub const SETFL_MASK: OpenFlags = OpenFlags::APPEND
        .union(OpenFlags::NONBLOCK)
        .union(OpenFlags::ASYNC)
        .union(OpenFlags::DIRECT)
        .union(OpenFlags::NOATIME);

    /// The access mode in the two low bits.
    pub const fn access_mode(self) -> AccessMode {
        match self.bits() & O_ACCMODE {
            0 => AccessMode::ReadOnly,
            1 => AccessMode::WriteOnly,
            2 => AccessMode::ReadWrite,
            _ => AccessMode::Invalid,
        }
    }

    /// Whether reading is allowed.
    pub const fn readable(self) -> bool {
        matches!(
            self.access_mode(),
            AccessMode::ReadOnly | AccessMode::ReadWrite
        )
    }

    /// Whether writing is allowed.
    pub const fn writable(self) -> bool {
        matches!(
            self.access_mode(),
            AccessMode::WriteOnly | AccessMode::ReadWrite
        )
    }
}

/// The `dirfd` meaning "relative to the current directory".
pub const AT_FDCWD: i32 = -100;

bitflags! {
    /// `flags` of the `*at` calls (`newfstatat`, `unlinkat`, `linkat`, `fchownat`,
    /// `utimensat`, `faccessat2`, `statx`, `execveat`, ...). Some bits share a value and mean
    /// different things to different calls (`AT_REMOVEDIR` and `AT_EACCESS`).
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
    pub struct AtFlags: u32 {
        /// `AT_SYMLINK_NOFOLLOW`: do not follow a final symlink.
        const SYMLINK_NOFOLLOW = 0x100;
        /// `AT_REMOVEDIR`: unlinkat removes a directory.
        const REMOVEDIR = 0x200;
        /// `AT_EACCESS`: faccessat checks with the effective ids.
        const EACCESS = 0x200;
        /// `AT_SYMLINK_FOLLOW`: linkat follows a final symlink.
        const SYMLINK_FOLLOW = 0x400;
        /// `AT_NO_AUTOMOUNT`.
        const NO_AUTOMOUNT = 0x800;
        /// `AT_EMPTY_PATH`: an empty path means `dirfd` itself.
        const EMPTY_PATH = 0x1000;
        /// `AT_STATX_FORCE_SYNC`.
        const STATX_FORCE_SYNC = 0x2000;
        /// `AT_STATX_DONT_SYNC`.
        const STATX_DONT_SYNC = 0x4000;
        /// `AT_RECURSIVE`.
        const RECURSIVE = 0x8000;
    }
}

/// Duplicate to the lowest free fd at or above `arg`.
pub const F_DUPFD: u32 = 0;
/// Get fd flags (`FD_CLOEXEC`).
pub const F_GETFD: u32 = 1;
/// Set fd flags.
pub const F_SETFD: u32 = 2;
/// Get file status flags and access mode.
pub const F_GETFL: u32 = 3;
/// Set file status flags (`O_APPEND`, `O_NONBLOCK`, `O_ASYNC`, `O_DIRECT`, `O_NOATIME`).
pub const F_SETFL: u32 = 4;
/// Test for a record lock.
pub const F_GETLK: u32 = 5;
/// Acquire or release a record lock without waiting.
pub const F_SETLK: u32 = 6;
/// Acquire or release a record lock, waiting.
pub const F_SETLKW: u32 = 7;
/// Set the `SIGIO` owner.
pub const F_SETOWN: u32 = 8;
/// Get the `SIGIO` owner.
pub const F_GETOWN: u32 = 9;
/// Set the signal sent for I/O.
pub const F_SETSIG: u32 = 10;
/// Get the signal sent for I/O.
pub const F_GETSIG: u32 = 11;
/// Open-file-description lock test.
pub const F_OFD_GETLK: u32 = 36;
/// Open-file-description lock, no wait.
pub const F_OFD_SETLK: u32 = 37;
/// Open-file-description lock, wait.
pub const F_OFD_SETLKW: u32 = 38;
/// Set a lease.
pub const F_SETLEASE: u32 = 1024;
/// Get the lease.
pub const F_GETLEASE: u32 = 1025;
/// Directory change notification.
pub const F_NOTIFY: u32 = 1026;
/// Whether two fds refer to the same file description.
pub const F_DUPFD_QUERY: u32 = 1027;
/// `F_DUPFD` with `FD_CLOEXEC` set on the new fd.
pub const F_DUPFD_CLOEXEC: u32 = 1030;
/// Set a pipe's capacity.
pub const F_SETPIPE_SZ: u32 = 1031;
/// Get a pipe's capacity.
pub const F_GETPIPE_SZ: u32 = 1032;
/// Add file seals.
pub const F_ADD_SEALS: u32 = 1033;
/// Get file seals.
pub const F_GET_SEALS: u32 = 1034;

/// fd flag: close on exec.
pub const FD_CLOEXEC: u32 = 1;

/// `struct flock` lock type: read lock.
pub const F_RDLCK: i16 = 0;
/// Write lock.
pub const F_WRLCK: i16 = 1;
/// Unlock.
pub const F_UNLCK: i16 = 2;

/// `struct flock` (64-bit; the same as `struct flock64`).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout,
)]
#[repr(C)]
pub struct Flock {
    /// `F_RDLCK`, `F_WRLCK` or `F_UNLCK`.
    pub l_type: i16,
    /// `SEEK_*` base of `l_start`.
    pub l_whence: i16,
    /// Padding.
    pub __pad0: u32,
    /// Start offset.
    pub l_start: i64,
    /// Length (0: to end of file).
    pub l_len: i64,
    /// Holder (for `F_GETLK`).
    pub l_pid: i32,
    /// Padding.
    pub __pad1: u32,
}
const_assert_eq!(size_of::<Flock>(), 32);

/// lseek whence: from the start.
pub const SEEK_SET: u32 = 0;
/// From the current offset.
pub const SEEK_CUR: u32 = 1;
/// From the end.
pub const SEEK_END: u32 = 2;
/// Next data at or after the offset.
pub const SEEK_DATA: u32 = 3;
/// Next hole at or after the offset.
pub const SEEK_HOLE: u32 = 4;

/// access(2) mode: existence.
pub const F_OK: u32 = 0;
/// Execute permission.
pub const X_OK: u32 = 1;
/// Write permission.
pub const W_OK: u32 = 2;
/// Read permission.
pub const R_OK: u32 = 4;

/// flock(2): shared lock.
pub const LOCK_SH: u32 = 1;
/// Exclusive lock.
pub const LOCK_EX: u32 = 2;
/// Do not block (or'ed in).
pub const LOCK_NB: u32 = 4;
/// Unlock.
pub const LOCK_UN: u32 = 8;

bitflags! {
    /// renameat2(2) flags.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
    pub struct RenameFlags: u32 {
        /// `RENAME_NOREPLACE`: fail with `EEXIST` instead of replacing.
        const NOREPLACE = 1;
        /// `RENAME_EXCHANGE`: swap the two names.
        const EXCHANGE = 2;
        /// `RENAME_WHITEOUT`.
        const WHITEOUT = 4;
    }
}

bitflags! {
    /// close_range(2) flags.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
    pub struct CloseRangeFlags: u32 {
        /// `CLOSE_RANGE_UNSHARE`.
        const UNSHARE = 1 << 1;
        /// `CLOSE_RANGE_CLOEXEC`: set close-on-exec instead of closing.
        const CLOEXEC = 1 << 2;
    }
}
