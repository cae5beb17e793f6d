//! File status: `struct stat` (two layouts), `struct statx`, file-type and permission bits,
//! device numbers.
//!
//! x86-64 has its own `struct stat` (`arch/x86/include/uapi/asm/stat.h`, 144 bytes); riscv64
//! uses `include/uapi/asm-generic/stat.h` (128 bytes, 32-bit `st_mode`/`st_nlink` and
//! `st_blksize`). Build an arch-independent [`Stat`] and convert it with [`Stat::to_arch`].
//! `struct statx` is the same everywhere (`include/uapi/linux/stat.h`). See stat(2), statx(2),
//! inode(7).

use crate::Arch;
use crate::abi::time::Timespec;
use static_assertions::const_assert_eq;
use zerocopy::{FromBytes, FromZeros, Immutable, IntoBytes, KnownLayout};

/// Mask of the file-type bits of a mode.
pub const S_IFMT: u32 = 0o170000;
/// Socket.
pub const S_IFSOCK: u32 = 0o140000;
/// Symbolic link.
pub const S_IFLNK: u32 = 0o120000;
/// Regular file.
pub const S_IFREG: u32 = 0o100000;
/// Block device.
pub const S_IFBLK: u32 = 0o060000;
/// Directory.
pub const S_IFDIR: u32 = 0o040000;
/// Character device.
pub const S_IFCHR: u32 = 0o020000;
/// FIFO.
pub const S_IFIFO: u32 = 0o010000;
/// Set-user-ID.
pub const S_ISUID: u32 = 0o4000;
/// Set-group-ID.
pub const S_ISGID: u32 = 0o2000;
/// Sticky bit.
pub const S_ISVTX: u32 = 0o1000;
/// Owner: read, write, execute.
pub const S_IRWXU: u32 = 0o700;
/// Owner: read.
pub const S_IRUSR: u32 = 0o400;
/// Owner: write.
pub const S_IWUSR: u32 = 0o200;
/// Owner: execute.
pub const S_IXUSR: u32 = 0o100;
/// Group: read, write, execute.
pub const S_IRWXG: u32 = 0o070;
/// Group: read.
pub const S_IRGRP: u32 = 0o040;
/// Group: write.
pub const S_IWGRP: u32 = 0o020;
/// Group: execute.
pub const S_IXGRP: u32 = 0o010;
/// Others: read, write, execute.
pub const S_IRWXO: u32 = 0o007;
/// Others: read.
pub const S_IROTH: u32 = 0o004;
/// Others: write.
pub const S_IWOTH: u32 = 0o002;
/// Others: execute.
pub const S_IXOTH: u32 = 0o001;
/// All permission bits, including set-ID and sticky (`S_IALLUGO` in Linux).
pub const S_IALLUGO: u32 = 0o7777;

/// Whether `mode` is a directory.
pub const fn s_isdir(mode: u32) -> bool {
    mode & S_IFMT == S_IFDIR
}

/// Whether `mode` is a regular file.
pub const fn s_isreg(mode: u32) -> bool {
    mode & S_IFMT == S_IFREG
}

/// Whether `mode` is a symbolic link.
pub const fn s_islnk(mode: u32) -> bool {
    mode & S_IFMT == S_IFLNK
}

/// A user-space `dev_t` from major and minor numbers, as glibc's `makedev` encodes it (Linux's
/// `new_encode_dev` for numbers that fit in 32 bits).
pub const fn makedev(major: u32, minor: u32) -> u64 {
    let (major, minor) = (major as u64, minor as u64);
    ((major & 0xffff_f000) << 32)
        | ((major & 0x0000_0fff) << 8)
        | ((minor & 0xffff_ff00) << 12)
        | (minor & 0x0000_00ff)
}

/// The major number of a user-space `dev_t`.
pub const fn dev_major(dev: u64) -> u32 {
    (((dev >> 32) & 0xffff_f000) | ((dev >> 8) & 0x0000_0fff)) as u32
}

/// The minor number of a user-space `dev_t`.
pub const fn dev_minor(dev: u64) -> u32 {
    (((dev >> 12) & 0xffff_ff00) | (dev & 0x0000_00ff)) as u32
}

/// x86-64 `struct stat` (`arch/x86/include/uapi/asm/stat.h`), what `fstat`, `newfstatat`,
/// `stat` and `lstat` write.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout,
)]
#[repr(C)]
pub struct StatX86_64 {
    /// Device.
    pub st_dev: u64,
    /// Inode number.
    pub st_ino: u64,
    /// Link count (64-bit here).
    pub st_nlink: u64,
    /// Type and permissions.
    pub st_mode: u32,
    /// Owner.
    pub st_uid: u32,
    /// Group.
    pub st_gid: u32,
    /// Padding.
    pub __pad0: u32,
    /// Device, for device files.
    pub st_rdev: u64,
    /// Size in bytes.
    pub st_size: i64,
    /// Preferred I/O size.
    pub st_blksize: i64,
    /// Allocated 512-byte blocks.
    pub st_blocks: i64,
    /// Access time, seconds.
    pub st_atime: u64,
    /// Access time, nanoseconds.
    pub st_atime_nsec: u64,
    /// Modification time, seconds.
    pub st_mtime: u64,
    /// Modification time, nanoseconds.
    pub st_mtime_nsec: u64,
    /// Status-change time, seconds.
    pub st_ctime: u64,
    /// Status-change time, nanoseconds.
    pub st_ctime_nsec: u64,
    /// Reserved.
    pub __unused: [i64; 3],
}
const_assert_eq!(size_of::<StatX86_64>(), 144);

/// The generic `struct stat` (`include/uapi/asm-generic/stat.h`) that riscv64 uses.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout,
)]
#[repr(C)]
pub struct StatGeneric {
    /// Device.
    pub st_dev: u64,
    /// Inode number.
    pub st_ino: u64,
    /// Type and permissions.
    pub st_mode: u32,
    /// Link count (32-bit here).
    pub st_nlink: u32,
    /// Owner.
    pub st_uid: u32,
    /// Group.
    pub st_gid: u32,
    /// Device, for device files.
    pub st_rdev: u64,
    /// Padding.
    pub __pad1: u64,
    /// Size in bytes.
    pub st_size: i64,
    /// Preferred I/O size (32-bit here).
    pub st_blksize: i32,
    /// Padding.
    pub __pad2: i32,
    /// Allocated 512-byte blocks.
    pub st_blocks: i64,
    /// Access time, seconds.
    pub st_atime: i64,
    /// Access time, nanoseconds.
    pub st_atime_nsec: u64,
    /// Modification time, seconds.
    pub st_mtime: i64,
    /// Modification time, nanoseconds.
    pub st_mtime_nsec: u64,
    /// Status-change time, seconds.
    pub st_ctime: i64,
    /// Status-change time, nanoseconds.
    pub st_ctime_nsec: u64,
    /// Reserved.
    pub __unused4: u32,
    /// Reserved.
    pub __unused5: u32,
}
const_assert_eq!(size_of::<StatGeneric>(), 128);

/// File status independent of the architecture; [`Stat::to_arch`] lays it out for one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stat {
    /// Device holding the file (user-space `dev_t`, see [`makedev`]).
    pub dev: u64,
    /// Inode number.
    pub ino: u64,
    /// Type and permissions (`S_IF*` and permission bits).
    pub mode: u32,
    /// Link count.
    pub nlink: u64,
    /// Owner.
    pub uid: u32,
    /// Group.
    pub gid: u32,
    /// Device, for character and block devices.
    pub rdev: u64,
    /// Size in bytes.
    pub size: i64,
    /// Preferred I/O block size.
    pub blksize: u32,
    /// Allocated 512-byte blocks.
    pub blocks: i64,
    /// Last access.
    pub atime: Timespec,
    /// Last modification.
    pub mtime: Timespec,
    /// Last status change.
    pub ctime: Timespec,
}

/// A `struct stat` laid out for one architecture; copy [`ArchStat::as_bytes`] to user space.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArchStat {
    /// x86-64 layout.
    X86_64(StatX86_64),
    /// Generic (riscv64) layout.
    Generic(StatGeneric),
}

impl ArchStat {
    /// The bytes to copy to user space.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            ArchStat::X86_64(s) => s.as_bytes(),
            ArchStat::Generic(s) => s.as_bytes(),
        }
    }
}

impl Stat {
    /// The size of `struct stat` on `arch`.
    pub const fn size(arch: Arch) -> usize {
        match arch {
            Arch::X86_64 => size_of::<StatX86_64>(),
            Arch::Riscv64 => size_of::<StatGeneric>(),
        }
    }

    /// The x86-64 layout.
    pub fn to_x86_64(&self) -> StatX86_64 {
        StatX86_64 {
            st_dev: self.dev,
            st_ino: self.ino,
            st_nlink: self.nlink,
            st_mode: self.mode,
            st_uid: self.uid,
            st_gid: self.gid,
            st_rdev: self.rdev,
            st_size: self.size,
            st_blksize: self.blksize as i64,
            st_blocks: self.blocks,
            st_atime: self.atime.tv_sec as u64,
            st_atime_nsec: self.atime.tv_nsec as u64,
            st_mtime: self.mtime.tv_sec as u64,
            st_mtime_nsec: self.mtime.tv_nsec as u64,
            st_ctime: self.ctime.tv_sec as u64,
            st_ctime_nsec: self.ctime.tv_nsec as u64,
            ..StatX86_64::new_zeroed()
        }
    }

    /// The generic (riscv64) layout. A link count above `u32::MAX` saturates (Linux's own
    /// link counts are 32-bit, so it does not arise there).
    pub fn to_generic(&self) -> StatGeneric {
        StatGeneric {
            st_dev: self.dev,
            st_ino: self.ino,
            st_mode: self.mode,
            st_nlink: u32::try_from(self.nlink).unwrap_or(u32::MAX),
            st_uid: self.uid,
            st_gid: self.gid,
            st_rdev: self.rdev,
            st_size: self.size,
            st_blksize: self.blksize as i32,
            st_blocks: self.blocks,
            st_atime: self.atime.tv_sec,
            st_atime_nsec: self.atime.tv_nsec as u64,
            st_mtime: self.mtime.tv_sec,
            st_mtime_nsec: self.mtime.tv_nsec as u64,
            st_ctime: self.ctime.tv_sec,
            st_ctime_nsec: self.ctime.tv_nsec as u64,
            ..StatGeneric::new_zeroed()
        }
    }

    /// The layout for `arch`.
    pub fn to_arch(&self, arch: Arch) -> ArchStat {
        match arch {
            Arch::X86_64 => ArchStat::X86_64(self.to_x86_64()),
            Arch::Riscv64 => ArchStat::Generic(self.to_generic()),
        }
    }

    /// The same status as a `struct statx` with [`STATX_BASIC_STATS`] valid (no birth time).
    pub fn to_statx(&self) -> Statx {
        let ts = |t: Timespec| StatxTimestamp {
            tv_sec: t.tv_sec,
            tv_nsec: t.tv_nsec as u32,
            __reserved: 0,
        };
        Statx {
            stx_mask: STATX_BASIC_STATS,
            stx_blksize: self.blksize,
            stx_nlink: u32::try_from(self.nlink).unwrap_or(u32::MAX),
            stx_uid: self.uid,
            stx_gid: self.gid,
            stx_mode: self.mode as u16,
            stx_ino: self.ino,
            stx_size: self.size as u64,
            stx_blocks: self.blocks as u64,
            stx_atime: ts(self.atime),
            stx_ctime: ts(self.ctime),
            stx_mtime: ts(self.mtime),
            stx_rdev_major: dev_major(self.rdev),
            stx_rdev_minor: dev_minor(self.rdev),
            stx_dev_major: dev_major(self.dev),
            stx_dev_minor: dev_minor(self.dev),
            ..Statx::new_zeroed()
        }
    }
}

/// `struct statx_timestamp`.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout,
)]
#[repr(C)]
pub struct StatxTimestamp {
    /// Seconds since the epoch.
    pub tv_sec: i64,
    /// Nanoseconds.
    pub tv_nsec: u32,
    /// Reserved.
    pub __reserved: i32,
}
const_assert_eq!(size_of::<StatxTimestamp>(), 16);

/// `struct statx` (`include/uapi/linux/stat.h`, Linux 6.16 field set), what statx(2) writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
pub struct Statx {
    /// Which fields are filled (`STATX_*`).
    pub stx_mask: u32,
    /// Preferred I/O size.
    pub stx_blksize: u32,
    /// File attributes (`STATX_ATTR_*`).
    pub stx_attributes: u64,
    /// Link count.
    pub stx_nlink: u32,
    /// Owner.
    pub stx_uid: u32,
    /// Group.
    pub stx_gid: u32,
    /// Type and permissions.
    pub stx_mode: u16,
    /// Reserved.
    pub __spare0: u16,
    /// Inode number.
    pub stx_ino: u64,
    /// Size in bytes.
    pub stx_size: u64,
    /// Allocated 512-byte blocks.
    pub stx_blocks: u64,
    /// Which bits of `stx_attributes` the file system supports.
    pub stx_attributes_mask: u64,
    /// Last access.
    pub stx_atime: StatxTimestamp,
    /// Creation.
    pub stx_btime: StatxTimestamp,
    /// Last status change.
    pub stx_ctime: StatxTimestamp,
    /// Last modification.
    pub stx_mtime: StatxTimestamp,
    /// Device major, for device files.
    pub stx_rdev_major: u32,
    /// Device minor, for device files.
    pub stx_rdev_minor: u32,
    /// Major of the device holding the file.
    pub stx_dev_major: u32,
    /// Minor of the device holding the file.
    pub stx_dev_minor: u32,
    /// Mount id.
    pub stx_mnt_id: u64,
    /// Memory alignment for direct I/O.
    pub stx_dio_mem_align: u32,
    /// File-offset alignment for direct I/O.
    pub stx_dio_offset_align: u32,
    /// Subvolume id.
    pub stx_subvol: u64,
    /// Minimum size of an atomic write.
    pub stx_atomic_write_unit_min: u32,
    /// Maximum size of an atomic write.
    pub stx_atomic_write_unit_max: u32,
    /// Maximum iovecs in an atomic write.
    pub stx_atomic_write_segments_max: u32,
    /// File-offset alignment for direct-I/O reads.
    pub stx_dio_read_offset_align: u32,
    /// Reserved.
    pub __spare2: [u32; 2],
    /// Reserved.
    pub __spare3: [u64; 8],
}
const_assert_eq!(size_of::<Statx>(), 256);

impl Default for Statx {
    fn default() -> Self {
        Statx::new_zeroed()
    }
}

/// statx mask: `stx_mode & S_IFMT`.
pub const STATX_TYPE: u32 = 0x1;
/// statx mask: `stx_mode & !S_IFMT`.
pub const STATX_MODE: u32 = 0x2;
/// statx mask: `stx_nlink`.
pub const STATX_NLINK: u32 = 0x4;
/// statx mask: `stx_uid`.
pub const STATX_UID: u32 = 0x8;
/// statx mask: `stx_gid`.
pub const STATX_GID: u32 = 0x10;
/// statx mask: `stx_atime`.
pub const STATX_ATIME: u32 = 0x20;
/// statx mask: `stx_mtime`.
pub const STATX_MTIME: u32 = 0x40;
/// statx mask: `stx_ctime`.
pub const STATX_CTIME: u32 = 0x80;
/// statx mask: `stx_ino`.
pub const STATX_INO: u32 = 0x100;
/// statx mask: `stx_size`.
pub const STATX_SIZE: u32 = 0x200;
/// statx mask: `stx_blocks`.
pub const STATX_BLOCKS: u32 = 0x400;
/// statx mask: everything `struct stat` has.
pub const STATX_BASIC_STATS: u32 = 0x7ff;
/// statx mask: `stx_btime`.
pub const STATX_BTIME: u32 = 0x800;
/// statx mask: `stx_mnt_id`.
pub const STATX_MNT_ID: u32 = 0x1000;
/// statx mask: direct-I/O alignment.
pub const STATX_DIOALIGN: u32 = 0x2000;
/// statx mask: unique `stx_mnt_id`.
pub const STATX_MNT_ID_UNIQUE: u32 = 0x4000;
/// statx mask: `stx_subvol`.
pub const STATX_SUBVOL: u32 = 0x8000;
/// statx mask: atomic-write limits.
pub const STATX_WRITE_ATOMIC: u32 = 0x1_0000;
/// statx mask: `stx_dio_read_offset_align`.
pub const STATX_DIO_READ_ALIGN: u32 = 0x2_0000;
/// statx mask bit reserved for future extension; setting it is `EINVAL`.
pub const STATX__RESERVED: u32 = 0x8000_0000;
