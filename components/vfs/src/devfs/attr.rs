//! [`DevAttr`]: the metadata of a device inode, for the devices of this crate and the kernel's.

use alloc::sync::Arc;
use core::sync::atomic::{AtomicU64, Ordering};

use spin::Mutex;

use crate::error::Result;
use crate::hooks::VfsHooks;
use crate::types::{FileType, Metadata, Timespec, mode};

/// The changeable metadata of a character or block device inode. A driver's [`crate::Inode`]
/// implementation can delegate `metadata`, `set_mode`, `set_owner` and `set_times` to it.
pub struct DevAttr {
    meta: Mutex<Metadata>,
    hooks: Arc<dyn VfsHooks>,
}

impl DevAttr {
    /// Metadata of a device of `kind` (character or block) numbered `rdev`, with permission bits
    /// `perm`, owned by root, on the devfs device `dev`, with a fresh inode number.
    pub fn new(kind: FileType, rdev: u64, perm: u32, dev: u64, hooks: Arc<dyn VfsHooks>) -> Self {
        static NEXT_INO: AtomicU64 = AtomicU64::new(1 << 32);
        let now = hooks.now();
        let meta = Metadata {
            dev,
            ino: NEXT_INO.fetch_add(1, Ordering::Relaxed),
            mode: kind.mode_bits() | (perm & mode::PERM_MASK),
            nlink: 1,
            rdev,
            blksize: 4096,
            atime: now,
            mtime: now,
            ctime: now,
            ..Metadata::default()
        };
        Self {
            meta: Mutex::new(meta),
            hooks,
        }
    }

    /// For [`crate::Inode::metadata`].
    pub fn metadata(&self) -> Metadata {
        *self.meta.lock()
    }

    /// For [`crate::Inode::set_mode`].
    pub fn set_mode(&self, perm: u32) -> Result<()> {
        let now = self.hooks.now();
        let mut m = self.meta.lock();
        m.mode = (m.mode & mode::S_IFMT) | (perm & mode::PERM_MASK);
        m.ctime = now;
        Ok(())
    }

    /// For [`crate::Inode::set_owner`].
    pub fn set_owner(&self, uid: Option<u32>, gid: Option<u32>) -> Result<()> {
        let now = self.hooks.now();
        let mut m = self.meta.lock();
        m.uid = uid.unwrap_or(m.uid);
        m.gid = gid.unwrap_or(m.gid);
        m.ctime = now;
        Ok(())
    }

    /// For [`crate::Inode::set_times`].
    pub fn set_times(&self, atime: Option<Timespec>, mtime: Option<Timespec>) -> Result<()> {
        let now = self.hooks.now();
        let mut m = self.meta.lock();
        m.atime = atime.unwrap_or(m.atime);
        m.mtime = mtime.unwrap_or(m.mtime);
        m.ctime = now;
        Ok(())
    }

    /// The hooks given at creation.
    pub fn hooks(&self) -> &Arc<dyn VfsHooks> {
        &self.hooks
    }
}
