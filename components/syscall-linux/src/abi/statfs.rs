//! `struct statfs` and file-system magic numbers. See statfs(2),
//! `include/uapi/asm-generic/statfs.h` (x86-64 and riscv64 have the same 64-bit layout) and
//! `include/uapi/linux/magic.h`.

use static_assertions::const_assert_eq;
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

/// `struct statfs`, what statfs(2) and fstatfs(2) write.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout,
)]
#[repr(C)]
pub struct Statfs {
    /// File-system type (a magic number below).
    pub f_type: i64,
    /// Optimal transfer block size.
    pub f_bsize: i64,
    /// Total data blocks (in `f_frsize` units).
    pub f_blocks: u64,
    /// Free blocks.
    pub f_bfree: u64,
    /// Free blocks available to unprivileged users.
    pub f_bavail: u64,
    /// Total inodes.
    pub f_files: u64,
    /// Free inodes.
    pub f_ffree: u64,
    /// File-system id.
    pub f_fsid: [i32; 2],
    /// Maximum file-name length.
    pub f_namelen: i64,
    /// Fragment size.
    pub f_frsize: i64,
    /// Mount flags (`ST_*`).
    pub f_flags: i64,
    /// Reserved.
    pub f_spare: [i64; 4],
}
const_assert_eq!(size_of::<Statfs>(), 120);

/// tmpfs.
pub const TMPFS_MAGIC: i64 = 0x0102_1994;
/// ramfs.
pub const RAMFS_MAGIC: i64 = 0x8584_58f6;
/// ext2, ext3 and ext4.
pub const EXT2_SUPER_MAGIC: i64 = 0xef53;
/// procfs.
pub const PROC_SUPER_MAGIC: i64 = 0x9fa0;
/// sysfs.
pub const SYSFS_MAGIC: i64 = 0x6265_6572;
/// devpts.
pub const DEVPTS_SUPER_MAGIC: i64 = 0x1cd1;
/// The kernel's pipe file system.
pub const PIPEFS_MAGIC: i64 = 0x5049_5045;
/// The kernel's socket file system.
pub const SOCKFS_MAGIC: i64 = 0x534f_434b;

/// `f_flags`: read-only.
pub const ST_RDONLY: i64 = 0x0001;
/// `f_flags`: set-ID bits ignored.
pub const ST_NOSUID: i64 = 0x0002;
/// `f_flags`: device files not accessible.
pub const ST_NODEV: i64 = 0x0004;
/// `f_flags`: no execution.
pub const ST_NOEXEC: i64 = 0x0008;
/// `f_flags`: `f_flags` itself is valid.
pub const ST_VALID: i64 = 0x0020;
