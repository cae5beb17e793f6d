//! mount(2) and umount2(2) flags (`include/uapi/linux/mount.h`).

use bitflags::bitflags;

/// The magic that old programs put in the upper 16 bits of mount(2) `flags`
/// (`MS_MGC_VAL`); the kernel strips it.
pub const MS_MGC_VAL: u64 = 0xC0ED_0000;
/// The mask of that magic (`MS_MGC_MSK`).
pub const MS_MGC_MSK: u64 = 0xffff_0000;

bitflags! {
    /// mount(2) `mountflags`.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
    pub struct MountFlags: u64 {
        /// `MS_RDONLY`.
        const RDONLY = 1;
        /// `MS_NOSUID`.
        const NOSUID = 2;
        /// `MS_NODEV`.
        const NODEV = 4;
        /// `MS_NOEXEC`.
        const NOEXEC = 8;
        /// `MS_SYNCHRONOUS`.
        const SYNCHRONOUS = 16;
        /// `MS_REMOUNT`.
        const REMOUNT = 32;
        /// `MS_MANDLOCK`.
        const MANDLOCK = 64;
        /// `MS_DIRSYNC`.
        const DIRSYNC = 128;
        /// `MS_NOSYMFOLLOW`.
        const NOSYMFOLLOW = 256;
        /// `MS_NOATIME`.
        const NOATIME = 1024;
        /// `MS_NODIRATIME`.
        const NODIRATIME = 2048;
        /// `MS_BIND`.
        const BIND = 4096;
        /// `MS_MOVE`.
        const MOVE = 8192;
        /// `MS_REC`.
        const REC = 16384;
        /// `MS_SILENT`.
        const SILENT = 32768;
        /// `MS_POSIXACL`.
        const POSIXACL = 1 << 16;
        /// `MS_UNBINDABLE`.
        const UNBINDABLE = 1 << 17;
        /// `MS_PRIVATE`.
        const PRIVATE = 1 << 18;
        /// `MS_SLAVE`.
        const SLAVE = 1 << 19;
        /// `MS_SHARED`.
        const SHARED = 1 << 20;
        /// `MS_RELATIME`.
        const RELATIME = 1 << 21;
        /// `MS_KERNMOUNT`.
        const KERNMOUNT = 1 << 22;
        /// `MS_I_VERSION`.
        const I_VERSION = 1 << 23;
        /// `MS_STRICTATIME`.
        const STRICTATIME = 1 << 24;
        /// `MS_LAZYTIME`.
        const LAZYTIME = 1 << 25;
    }
}

bitflags! {
    /// umount2(2) flags.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
    pub struct UmountFlags: u32 {
        /// `MNT_FORCE`.
        const FORCE = 1;
        /// `MNT_DETACH`: lazy unmount.
        const DETACH = 2;
        /// `MNT_EXPIRE`.
        const EXPIRE = 4;
        /// `UMOUNT_NOFOLLOW`.
        const NOFOLLOW = 8;
    }
}
