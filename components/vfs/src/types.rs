//! Plain data types shared by every file system: file types and mode bits, timestamps, inode
//! metadata (what stat(2) reports) and directory entries (what getdents64(2) reports).

use alloc::string::String;

/// Mode bits of `st_mode`, as in inode(7): the Linux ABI's constants, plus the permission mask.
pub mod mode {
    pub use syscall_linux::abi::stat::{
        S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFMT, S_IFREG, S_IFSOCK, S_ISGID, S_ISUID,
        S_ISVTX,
    };
    /// Mask of the permission bits including set-id and sticky bits.
    pub const PERM_MASK: u32 = 0o7777;
}

/// The type of a file, from the `S_IFMT` bits of its mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FileType {
    /// Regular file.
    Regular,
    /// Directory.
    Directory,
    /// Symbolic link.
    Symlink,
    /// Character device.
    CharDevice,
    /// Block device.
    BlockDevice,
    /// FIFO (named pipe) or anonymous pipe.
    Fifo,
    /// Unix domain socket.
    Socket,
}

impl FileType {
    /// The `S_IFMT` bits of this type.
    pub const fn mode_bits(self) -> u32 {
        match self {
            FileType::Regular => mode::S_IFREG,
            FileType::Directory => mode::S_IFDIR,
            FileType::Symlink => mode::S_IFLNK,
            FileType::CharDevice => mode::S_IFCHR,
            FileType::BlockDevice => mode::S_IFBLK,
            FileType::Fifo => mode::S_IFIFO,
            FileType::Socket => mode::S_IFSOCK,
        }
    }

    /// The type encoded in a mode's `S_IFMT` bits, `None` when they name no type.
    pub const fn from_mode(mode: u32) -> Option<FileType> {
        match mode & mode::S_IFMT {
            mode::S_IFREG => Some(FileType::Regular),
            mode::S_IFDIR => Some(FileType::Directory),
            mode::S_IFLNK => Some(FileType::Symlink),
            mode::S_IFCHR => Some(FileType::CharDevice),
            mode::S_IFBLK => Some(FileType::BlockDevice),
            mode::S_IFIFO => Some(FileType::Fifo),
            mode::S_IFSOCK => Some(FileType::Socket),
            _ => None,
        }
    }

    /// The `d_type` value of getdents64(2) (`DT_REG`, `DT_DIR`, ...).
    pub const fn dirent_type(self) -> u8 {
        match self {
            FileType::Fifo => 1,
            FileType::CharDevice => 2,
            FileType::Directory => 4,
            FileType::BlockDevice => 6,
            FileType::Regular => 8,
            FileType::Symlink => 10,
            FileType::Socket => 12,
        }
    }

    /// Whether this is a character or block device.
    pub const fn is_device(self) -> bool {
        matches!(self, FileType::CharDevice | FileType::BlockDevice)
    }
}

/// Encodes a device number the way glibc's `makedev(3)` does (the `st_rdev` layout).
pub const fn makedev(major: u32, minor: u32) -> u64 {
    let (major, minor) = (major as u64, minor as u64);
    ((major & 0xffff_f000) << 32)
        | ((major & 0xfff) << 8)
        | ((minor & 0xffff_ff00) << 12)
        | (minor & 0xff)
}

/// The major number of a device number made by [`makedev`].
pub const fn major(dev: u64) -> u32 {
    (((dev >> 32) & 0xffff_f000) | ((dev >> 8) & 0xfff)) as u32
}

/// The minor number of a device number made by [`makedev`].
pub const fn minor(dev: u64) -> u32 {
    (((dev >> 12) & 0xffff_ff00) | (dev & 0xff)) as u32
}

/// A point in time: seconds and nanoseconds since the Unix epoch (`struct timespec`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timespec {
    /// Seconds.
    pub sec: i64,
    /// Nanoseconds, below 1_000_000_000.
    pub nsec: u32,
}

impl Timespec {
    /// A time from seconds and nanoseconds.
    pub const fn new(sec: i64, nsec: u32) -> Self {
        Self { sec, nsec }
    }
}

/// What stat(2) reports about an inode.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Metadata {
    /// Device number of the file system holding the inode (`st_dev`).
    pub dev: u64,
    /// Inode number, unique within `dev`.
    pub ino: u64,
    /// File type bits and permission bits (`st_mode`).
    pub mode: u32,
    /// Number of hard links.
    pub nlink: u32,
    /// Owner.
    pub uid: u32,
    /// Group.
    pub gid: u32,
    /// Device number for character and block devices (`st_rdev`).
    pub rdev: u64,
    /// Size in bytes (for a symlink: the length of its target).
    pub size: u64,
    /// Preferred I/O block size.
    pub blksize: u32,
    /// Number of 512-byte blocks allocated.
    pub blocks: u64,
    /// Last access.
    pub atime: Timespec,
    /// Last modification of the contents.
    pub mtime: Timespec,
    /// Last status change.
    pub ctime: Timespec,
}

impl Metadata {
    /// The file type encoded in `mode`; a mode with no valid type reads as a regular file.
    pub fn file_type(&self) -> FileType {
        FileType::from_mode(self.mode).unwrap_or(FileType::Regular)
    }

    /// The permission bits (including set-id and sticky bits).
    pub fn perm(&self) -> u32 {
        self.mode & mode::PERM_MASK
    }

    /// Whether this is a directory.
    pub fn is_dir(&self) -> bool {
        self.file_type() == FileType::Directory
    }

    /// Whether this is a symbolic link.
    pub fn is_symlink(&self) -> bool {
        self.file_type() == FileType::Symlink
    }
}

/// One entry of a directory, as returned by [`crate::Inode::readdir`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirEntry {
    /// Inode number of the entry (`d_ino`).
    pub ino: u64,
    /// Type of the entry (`d_type`).
    pub kind: FileType,
    /// Name of the entry (one path component).
    pub name: String,
}
