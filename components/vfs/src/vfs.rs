//! The [`Vfs`]: the root file system, the mount table and the device registry, plus the
//! per-process [`FsContext`] (root, working directory, credentials, umask) that every path
//! operation takes.
//!
//! Path resolution is in `resolve.rs`, the path operations (mkdir, unlink, rename, ...) in
//! `ops.rs` and open(2) in `open.rs`; they are all methods of [`Vfs`].

use alloc::string::String;
use alloc::sync::Arc;
use core::sync::atomic::{AtomicU64, Ordering};

use spin::Mutex;

use crate::dentry::Dentry;
use crate::error::{Error, Result};
use crate::hooks::VfsHooks;
use crate::inode::Inode;
use crate::mount::{Mount, MountFlags, MountTable};
use crate::perm::Cred;
use crate::types::FileType;

/// Where opening a device special file finds the driver: maps a device number to the inode that
/// implements the device. [`crate::devfs::DevFs`] is one.
pub trait DeviceRegistry: Send + Sync {
    /// The device inode for a character or block device number, if one is registered.
    fn device(&self, kind: FileType, rdev: u64) -> Option<Arc<dyn Inode>>;
}

/// The file-system state of a process (Linux's `fs_struct` and fs credentials).
#[derive(Clone, Debug)]
pub struct FsContext {
    /// The root directory (chroot(2)); `..` never climbs above it.
    pub root: Dentry,
    /// The working directory, where relative paths start.
    pub cwd: Dentry,
    /// The credentials permission checks use.
    pub cred: Cred,
    /// The file mode creation mask (umask(2)).
    pub umask: u32,
}

impl FsContext {
    /// Root's context at the root of `vfs`, with umask `0o022`.
    pub fn new(vfs: &Vfs) -> Self {
        Self {
            root: vfs.root(),
            cwd: vfs.root(),
            cred: Cred::root(),
            umask: 0o022,
        }
    }

    /// The same context with relative paths starting at `dir` (the `*at(2)` calls).
    pub fn at(&self, dir: Dentry) -> Self {
        Self {
            root: self.root.clone(),
            cwd: dir,
            cred: self.cred.clone(),
            umask: self.umask,
        }
    }

    /// The same context with other credentials.
    pub fn with_cred(mut self, cred: Cred) -> Self {
        self.cred = cred;
        self
    }

    /// The working directory as getcwd(2) reports it, relative to the process root; `ENOENT`
    /// if it has been removed.
    pub fn getcwd(&self) -> Result<String> {
        if self.cwd.metadata().nlink == 0 {
            return Err(Error::ENOENT);
        }
        Ok(self.cwd.path_from(Some(&self.root)))
    }
}

/// The virtual file system: one tree of mounts.
pub struct Vfs {
    hooks: Arc<dyn VfsHooks>,
    root: Dentry,
    mounts: Mutex<MountTable>,
    next_mount_id: AtomicU64,
    devices: Mutex<Option<Arc<dyn DeviceRegistry>>>,
}

impl Vfs {
    /// A VFS whose root is the directory `root` of a file system of type `fstype`.
    pub fn new(root: Arc<dyn Inode>, fstype: &str, hooks: Arc<dyn VfsHooks>) -> Arc<Vfs> {
        let mount = Arc::new(Mount::new(
            0,
            root,
            fstype,
            "none",
            MountFlags::empty(),
            None,
        ));
        Arc::new(Vfs {
            hooks,
            root: Dentry::new_root(mount),
            mounts: Mutex::new(MountTable::default()),
            next_mount_id: AtomicU64::new(1),
            devices: Mutex::new(None),
        })
    }

    /// The root directory.
    pub fn root(&self) -> Dentry {
        self.root.clone()
    }

    /// The kernel hooks this VFS was built with.
    pub fn hooks(&self) -> &Arc<dyn VfsHooks> {
        &self.hooks
    }

    /// Sets where device special files find their drivers (usually the devfs).
    pub fn set_device_registry(&self, registry: Arc<dyn DeviceRegistry>) {
        *self.devices.lock() = Some(registry);
    }

    /// The driver inode of a device number, if the registry has one.
    pub fn device(&self, kind: FileType, rdev: u64) -> Option<Arc<dyn Inode>> {
        let registry = self.devices.lock().clone();
        registry.and_then(|r| r.device(kind, rdev))
    }

    /// Mounts the file system whose root directory is `fs_root` on the directory `path`
    /// (mount(2)); the new mount hides what was there. Only root may mount (`EPERM`).
    pub fn mount(
        &self,
        ctx: &FsContext,
        path: &str,
        fs_root: Arc<dyn Inode>,
        fstype: &str,
        source: &str,
        flags: MountFlags,
    ) -> Result<()> {
        if !ctx.cred.is_root() {
            return Err(Error::EPERM);
        }
        let point = self.resolve(ctx, path, true)?;
        if !point.metadata().is_dir() || !fs_root.metadata().is_dir() {
            return Err(Error::ENOTDIR);
        }
        let (parent_id, ino) = (point.mount().id(), point.metadata().ino);
        let id = self.next_mount_id.fetch_add(1, Ordering::Relaxed);
        let mount = Arc::new(Mount::new(id, fs_root, fstype, source, flags, Some(point)));
        self.mounts.lock().insert(parent_id, ino, mount);
        Ok(())
    }

    /// Unmounts the file system mounted on `path` (umount2(2)). `EINVAL` if `path` is not a mount
    /// point, `EBUSY` if something else is mounted on it or, unless `lazy` (`MNT_DETACH`), if a
    /// dentry (a working directory, an open file) still uses it.
    pub fn umount(&self, ctx: &FsContext, path: &str, lazy: bool) -> Result<()> {
        if !ctx.cred.is_root() {
            return Err(Error::EPERM);
        }
        let d = self.resolve(ctx, path, true)?;
        if !d.is_mount_root() {
            return Err(Error::EINVAL);
        }
        let id = d.mount().id();
        if id == self.root.mount().id() {
            return Err(Error::EBUSY);
        }
        let mut table = self.mounts.lock();
        if table.has_children(id) {
            return Err(Error::EBUSY);
        }
        // References: the table's two, and `d`'s.
        if !lazy && Arc::strong_count(d.mount()) > 3 {
            return Err(Error::EBUSY);
        }
        table.remove(id);
        Ok(())
    }

    /// The mount covering `d`, if `d` is a mount point.
    pub(crate) fn covering(&self, d: &Dentry) -> Option<Arc<Mount>> {
        if self.mounts.lock().is_empty() {
            return None;
        }
        // Not under the lock: `metadata` may call back into the VFS (procfs).
        let ino = d.metadata().ino;
        self.mounts.lock().covering(d.mount().id(), ino)
    }

    /// The text of /proc/mounts: one line per mount, the root first (proc_mounts(5)).
    pub fn mounts_text(&self) -> String {
        let mut text = self.root.mount().mounts_line("/");
        for m in self.mounts.lock().iter() {
            let path = m.mountpoint().map(Dentry::path).unwrap_or_default();
            text.push_str(&m.mounts_line(&path));
        }
        text
    }
}
