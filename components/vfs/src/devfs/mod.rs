//! devfs: the /dev directory.
//!
//! A ramfs whose entries can also be device inodes supplied by the kernel. It starts with the
//! memory devices (`null`, `zero`, `full`, `random`, `urandom`), the directories `pts` and `shm`,
//! and the symlinks `fd` → `/proc/self/fd` and `stdin`/`stdout`/`stderr` → `/proc/self/fd/0..2`.
//! The kernel adds its terminals and disks with [`DevFs::add`] (for example `tty` (5, 0) and
//! `console` (5, 1)). Everything added is also registered by device number, so that a device node
//! elsewhere (one unpacked from an initramfs, one made with mknod(2)) opens the same driver: hand
//! the devfs to [`crate::Vfs::set_device_registry`].

mod attr;
mod mem;

use alloc::collections::BTreeMap;
use alloc::sync::Arc;

use spin::Mutex;

use crate::error::{Error, Result};
use crate::hooks::VfsHooks;
use crate::inode::{CreateAttrs, Inode, downcast_inode};
use crate::ramfs::{RamFs, RamNode};
use crate::types::FileType;
use crate::vfs::DeviceRegistry;

pub use attr::DevAttr;
pub use mem::{MemDevice, MemKind};

/// The device file system.
pub struct DevFs {
    fs: RamFs,
    hooks: Arc<dyn VfsHooks>,
    registry: Mutex<BTreeMap<(FileType, u64), Arc<dyn Inode>>>,
}

impl DevFs {
    /// A devfs with the memory devices, `pts`, `shm` and the standard symlinks.
    pub fn new(hooks: Arc<dyn VfsHooks>) -> Arc<DevFs> {
        let devfs = Arc::new(DevFs {
            fs: RamFs::new(hooks.clone()),
            hooks: hooks.clone(),
            registry: Mutex::new(BTreeMap::new()),
        });
        let dev = devfs.fs.dev();
        let root = devfs.fs.root();
        for kind in [
            MemKind::Null,
            MemKind::Zero,
            MemKind::Full,
            MemKind::Random,
            MemKind::Urandom,
        ] {
            // Cannot fail: the names are new.
            let _ = devfs.add(kind.name(), MemDevice::new(kind, dev, hooks.clone()));
        }
        let _ = root.create("pts", &CreateAttrs::new(FileType::Directory, 0o755));
        let _ = root.create("shm", &CreateAttrs::new(FileType::Directory, 0o1777));
        for (name, target) in [
            ("fd", "/proc/self/fd"),
            ("stdin", "/proc/self/fd/0"),
            ("stdout", "/proc/self/fd/1"),
            ("stderr", "/proc/self/fd/2"),
        ] {
            let _ = root.symlink(name, target, &CreateAttrs::new(FileType::Symlink, 0o777));
        }
        devfs
    }

    /// The /dev directory, to mount.
    pub fn root(&self) -> Arc<dyn Inode> {
        self.fs.root()
    }

    /// The device number devfs inodes report as `st_dev` (for [`DevAttr::new`]).
    pub fn dev(&self) -> u64 {
        self.fs.dev()
    }

    /// The hooks devfs was made with.
    pub fn hooks(&self) -> &Arc<dyn VfsHooks> {
        &self.hooks
    }

    /// Adds the device inode `inode` as /dev/`name` and registers it under its device number.
    /// `EEXIST` if the name is taken.
    pub fn add(&self, name: &str, inode: Arc<dyn Inode>) -> Result<()> {
        let root = self.fs.root();
        let dir = downcast_inode::<RamNode>(&root).ok_or(Error::EIO)?;
        dir.insert_foreign(name, inode.clone())?;
        self.register(inode);
        Ok(())
    }

    /// Registers a device inode under its device number without giving it a name.
    pub fn register(&self, inode: Arc<dyn Inode>) {
        let meta = inode.metadata();
        let kind = meta.file_type();
        if kind.is_device() {
            self.registry.lock().insert((kind, meta.rdev), inode);
        }
    }
}

impl DeviceRegistry for DevFs {
    fn device(&self, kind: FileType, rdev: u64) -> Option<Arc<dyn Inode>> {
        self.registry.lock().get(&(kind, rdev)).cloned()
    }
}
