//! ramfs/tmpfs: a file system that lives in memory.
//!
//! Directories are name → inode maps, regular files sparse page lists (see `data.rs`), symlinks
//! strings; FIFOs carry the pipe their opens share. Link counts follow Unix rules (a directory
//! has 2 plus one per subdirectory), an unlinked file lives on while open, and rename follows
//! rename(2). An optional capacity makes writes fail with `ENOSPC` like a sized tmpfs.
//!
//! Lock order: the file system's rename lock, then directory locks from ancestor to descendant
//! (unrelated directories by inode number), then the leaf locks (metadata, file data, parent
//! pointer), never two of which are held together.

mod data;
mod dir;
mod node;

use alloc::sync::Arc;
use core::sync::atomic::{AtomicU64, Ordering};

use spin::Mutex;

use crate::error::{Error, Result};
use crate::hooks::VfsHooks;
use crate::inode::{Inode, alloc_anon_dev};
use crate::types::Timespec;

pub use node::RamNode;

/// State shared by every inode of one ramfs instance.
pub(crate) struct FsShared {
    dev: u64,
    next_ino: AtomicU64,
    hooks: Arc<dyn VfsHooks>,
    /// Serializes renames, so that the "not into its own subtree" check stays true while the
    /// rename runs (Linux's `s_vfs_rename_mutex`).
    rename_lock: Mutex<()>,
    used_pages: AtomicU64,
    max_pages: u64,
}

impl FsShared {
    fn alloc_ino(&self) -> u64 {
        self.next_ino.fetch_add(1, Ordering::Relaxed)
    }

    pub(crate) fn now(&self) -> Timespec {
        self.hooks.now()
    }

    pub(crate) fn hooks(&self) -> &Arc<dyn VfsHooks> {
        &self.hooks
    }

    /// Accounts `n` more pages; `ENOSPC` beyond the capacity.
    fn reserve_pages(&self, n: u64) -> Result<()> {
        self.used_pages
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |used| {
                used.checked_add(n).filter(|&u| u <= self.max_pages)
            })
            .map(|_| ())
            .map_err(|_| Error::ENOSPC)
    }

    fn release_pages(&self, n: u64) {
        self.used_pages.fetch_sub(n, Ordering::Relaxed);
    }
}

/// One ramfs (tmpfs) instance.
pub struct RamFs {
    shared: Arc<FsShared>,
    root: Arc<RamNode>,
}

impl RamFs {
    /// An empty file system with no capacity limit; its root directory has mode `0o755` (set
    /// `0o1777` through [`Inode::set_mode`] for a /tmp).
    pub fn new(hooks: Arc<dyn VfsHooks>) -> Self {
        Self::with_capacity(hooks, u64::MAX)
    }

    /// An empty file system holding at most `max_bytes` of file data (rounded down to pages).
    pub fn with_capacity(hooks: Arc<dyn VfsHooks>, max_bytes: u64) -> Self {
        let shared = Arc::new(FsShared {
            dev: alloc_anon_dev(),
            next_ino: AtomicU64::new(1),
            hooks,
            rename_lock: Mutex::new(()),
            used_pages: AtomicU64::new(0),
            max_pages: max_bytes / data::PAGE as u64,
        });
        let root = RamNode::new_root(shared.clone());
        Self { shared, root }
    }

    /// The root directory.
    pub fn root(&self) -> Arc<dyn Inode> {
        self.root.clone()
    }

    /// The device number every inode of this file system reports as `st_dev`.
    pub fn dev(&self) -> u64 {
        self.shared.dev
    }

    /// Bytes of file data in use (whole pages).
    pub fn used_bytes(&self) -> u64 {
        self.shared.used_pages.load(Ordering::Relaxed) * data::PAGE as u64
    }
}
