//! ramfs directories: entries, link counts and rename(2).
//!
//! Entries are kept by name and by a cookie that grows with every insertion; readdir offsets are
//! cookies, so deleting entries while reading (as `rm -r` does) neither skips nor repeats any.

use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::sync::{Arc, Weak};
use alloc::vec::Vec;

use spin::Mutex;

use super::node::{NodeMeta, RamNode};
use crate::error::{Error, Result};
use crate::inode::{CreateAttrs, Inode, downcast_inode, same_inode};
use crate::path::check_entry_name;
use crate::types::{DirEntry, FileType};

/// Size a directory entry adds to the directory's `st_size` (tmpfs's `BOGO_DIRENT_SIZE`).
const DIRENT_SIZE: u64 = 20;
/// First cookie of a real entry; 0 and 1 are `.` and `..`.
const FIRST_COOKIE: u64 = 2;

/// One directory entry.
#[derive(Clone)]
struct Slot {
    inode: Arc<dyn Inode>,
    cookie: u64,
    ino: u64,
    kind: FileType,
}

/// The entries of a directory.
pub(crate) struct Entries {
    by_name: BTreeMap<String, Slot>,
    by_cookie: BTreeMap<u64, String>,
    next_cookie: u64,
    /// Set when the directory is removed: lookups and creations fail with `ENOENT`.
    dead: bool,
}

impl Entries {
    fn insert(&mut self, name: &str, inode: Arc<dyn Inode>, ino: u64, kind: FileType) {
        let cookie = self.next_cookie;
        self.next_cookie += 1;
        self.by_cookie.insert(cookie, name.to_string());
        let slot = Slot {
            inode,
            cookie,
            ino,
            kind,
        };
        self.by_name.insert(name.to_string(), slot);
    }

    fn remove(&mut self, name: &str) -> Option<Slot> {
        let slot = self.by_name.remove(name)?;
        self.by_cookie.remove(&slot.cookie);
        Some(slot)
    }

    fn live(&mut self) -> Result<&mut Self> {
        if self.dead {
            Err(Error::ENOENT)
        } else {
            Ok(self)
        }
    }
}

/// The directory part of a ramfs inode.
pub(crate) struct Dir {
    entries: Mutex<Entries>,
    /// The parent directory; empty for the root. Changed only under the rename lock.
    parent: Mutex<Weak<RamNode>>,
}

impl Dir {
    pub(crate) fn new(parent: Weak<RamNode>) -> Self {
        Self {
            entries: Mutex::new(Entries {
                by_name: BTreeMap::new(),
                by_cookie: BTreeMap::new(),
                next_cookie: FIRST_COOKIE,
                dead: false,
            }),
            parent: Mutex::new(parent),
        }
    }

    pub(crate) fn lookup(&self, name: &str) -> Result<Arc<dyn Inode>> {
        let mut entries = self.entries.lock();
        let entries = entries.live()?;
        entries
            .by_name
            .get(name)
            .map(|s| s.inode.clone())
            .ok_or(Error::ENOENT)
    }

    /// Empties the directory (when it is dropped), handing back its entries.
    pub(crate) fn take_children(&mut self) -> Vec<Arc<dyn Inode>> {
        let entries = self.entries.get_mut();
        entries.by_cookie.clear();
        core::mem::take(&mut entries.by_name)
            .into_values()
            .map(|slot| slot.inode)
            .collect()
    }

    fn parent(&self) -> Option<Arc<RamNode>> {
        self.parent.lock().upgrade()
    }
}

/// Whether `a` is `b` or one of its ancestors (walks parent pointers; call under the rename lock).
fn is_ancestor(a: &RamNode, b: &Arc<RamNode>) -> bool {
    let mut cur = Some(b.clone());
    while let Some(node) = cur {
        if core::ptr::eq(a, &*node) {
            return true;
        }
        cur = node.dir().ok().and_then(Dir::parent);
    }
    false
}

/// Checks that an entry of type `old_kind` may replace `target` (rename(2)), and if the target
/// is an empty directory marks it removed. `old_dir` is the directory the moved entry comes from.
fn take_over(old_kind: FileType, target: &Slot, old_dir: &RamNode) -> Result<()> {
    match (
        old_kind == FileType::Directory,
        target.kind == FileType::Directory,
    ) {
        (true, false) => return Err(Error::ENOTDIR),
        (false, true) => return Err(Error::EISDIR),
        (false, false) => return Ok(()),
        (true, true) => {}
    }
    match downcast_inode::<RamNode>(&target.inode) {
        Some(t) => {
            // A target above the source directory contains it, so is not empty; checking this
            // first also avoids locking an ancestor after its descendant.
            if is_ancestor(&t, &old_dir.this.upgrade().ok_or(Error::ENOENT)?) {
                return Err(Error::ENOTEMPTY);
            }
            let mut entries = t.dir()?.entries.lock();
            if !entries.by_name.is_empty() {
                return Err(Error::ENOTEMPTY);
            }
            entries.dead = true;
        }
        None => {
            if target.inode.readdir(FIRST_COOKIE)?.is_some() {
                return Err(Error::ENOTEMPTY);
            }
        }
    }
    Ok(())
}

/// Drops one link to a removed or replaced entry.
fn drop_link(slot: &Slot) {
    if let Some(node) = downcast_inode::<RamNode>(&slot.inode) {
        if slot.kind == FileType::Directory {
            let now = node.fs.now();
            let mut m = node.meta.lock();
            m.nlink = 0;
            m.ctime = now;
        } else {
            node.adjust_nlink(-1);
        }
    }
}

impl RamNode {
    /// Applies `f` to this directory's metadata and stamps mtime and ctime.
    fn dir_changed(&self, f: impl FnOnce(&mut NodeMeta)) {
        let now = self.fs.now();
        let mut m = self.meta.lock();
        f(&mut m);
        m.mtime = now;
        m.ctime = now;
    }

    pub(crate) fn create_node(
        &self,
        name: &str,
        attrs: &CreateAttrs,
        target: Option<&str>,
    ) -> Result<Arc<dyn Inode>> {
        check_entry_name(name)?;
        let mut entries = self.dir()?.entries.lock();
        let entries = entries.live()?;
        if entries.by_name.contains_key(name) {
            return Err(Error::EEXIST);
        }
        let node = RamNode::new(self.fs.clone(), attrs, self.this.clone(), target);
        node.adjust_nlink(1);
        entries.insert(name, node.clone(), node.ino, attrs.kind);
        let is_dir = attrs.kind == FileType::Directory;
        self.dir_changed(|m| {
            m.dir_size += DIRENT_SIZE;
            if is_dir {
                m.nlink += 1;
            }
        });
        Ok(node)
    }

    /// Adds an inode of another file system (a device of the devfs) as the entry `name`.
    pub(crate) fn insert_foreign(&self, name: &str, inode: Arc<dyn Inode>) -> Result<()> {
        check_entry_name(name)?;
        let meta = inode.metadata();
        let mut entries = self.dir()?.entries.lock();
        let entries = entries.live()?;
        if entries.by_name.contains_key(name) {
            return Err(Error::EEXIST);
        }
        let is_dir = meta.is_dir();
        entries.insert(name, inode, meta.ino, meta.file_type());
        self.dir_changed(|m| {
            m.dir_size += DIRENT_SIZE;
            if is_dir {
                m.nlink += 1;
            }
        });
        Ok(())
    }

    pub(crate) fn link_node(&self, name: &str, target: &Arc<dyn Inode>) -> Result<()> {
        check_entry_name(name)?;
        let dir = self.dir()?;
        let node = downcast_inode::<RamNode>(target)
            .filter(|t| Arc::ptr_eq(&t.fs, &self.fs))
            .ok_or(Error::EXDEV)?;
        if node.kind() == FileType::Directory {
            return Err(Error::EPERM);
        }
        let nlink = node.meta.lock().nlink;
        if nlink == 0 {
            return Err(Error::ENOENT);
        }
        if nlink == u32::MAX {
            return Err(Error::EMLINK);
        }
        let mut entries = dir.entries.lock();
        let entries = entries.live()?;
        if entries.by_name.contains_key(name) {
            return Err(Error::EEXIST);
        }
        entries.insert(name, target.clone(), node.ino, node.kind());
        node.adjust_nlink(1);
        self.dir_changed(|m| m.dir_size += DIRENT_SIZE);
        Ok(())
    }

    /// unlink(2) (`want_dir` false) or rmdir(2) (`want_dir` true) of the entry `name`.
    pub(crate) fn remove_entry(&self, name: &str, want_dir: bool) -> Result<()> {
        check_entry_name(name)?;
        let mut entries = self.dir()?.entries.lock();
        let entries = entries.live()?;
        let slot = entries.by_name.get(name).ok_or(Error::ENOENT)?.clone();
        let is_dir = slot.kind == FileType::Directory;
        match (want_dir, is_dir) {
            (false, true) => return Err(Error::EISDIR),
            (true, false) => return Err(Error::ENOTDIR),
            (true, true) => match downcast_inode::<RamNode>(&slot.inode) {
                Some(child) => {
                    let mut child_entries = child.dir()?.entries.lock();
                    if !child_entries.by_name.is_empty() {
                        return Err(Error::ENOTEMPTY);
                    }
                    child_entries.dead = true;
                }
                None => {
                    if slot.inode.readdir(FIRST_COOKIE)?.is_some() {
                        return Err(Error::ENOTEMPTY);
                    }
                }
            },
            (false, false) => {}
        }
        entries.remove(name);
        drop_link(&slot);
        self.dir_changed(|m| {
            m.dir_size -= DIRENT_SIZE;
            if is_dir {
                m.nlink -= 1;
            }
        });
        Ok(())
    }

    pub(crate) fn read_dir(&self, offset: u64) -> Result<Option<(DirEntry, u64)>> {
        let dir = self.dir()?;
        let dot = |name: &str, ino| DirEntry {
            ino,
            kind: FileType::Directory,
            name: name.into(),
        };
        if dir.entries.lock().dead {
            return Err(Error::ENOENT);
        }
        match offset {
            0 => Ok(Some((dot(".", self.ino), 1))),
            1 => {
                let parent = dir.parent().map_or(self.ino, |p| p.ino);
                Ok(Some((dot("..", parent), FIRST_COOKIE)))
            }
            _ => {
                let entries = dir.entries.lock();
                let Some((&cookie, name)) = entries.by_cookie.range(offset..).next() else {
                    return Ok(None);
                };
                let Some(slot) = entries.by_name.get(name) else {
                    return Err(Error::EIO);
                };
                let entry = DirEntry {
                    ino: slot.ino,
                    kind: slot.kind,
                    name: name.clone(),
                };
                Ok(Some((entry, cookie + 1)))
            }
        }
    }

    pub(crate) fn rename_entry(
        &self,
        old_name: &str,
        new_dir: &Arc<dyn Inode>,
        new_name: &str,
    ) -> Result<()> {
        check_entry_name(old_name)?;
        check_entry_name(new_name)?;
        self.dir()?;
        let new_dir = downcast_inode::<RamNode>(new_dir)
            .filter(|d| Arc::ptr_eq(&d.fs, &self.fs))
            .ok_or(Error::EXDEV)?;
        new_dir.dir()?;
        let _serial = self.fs.rename_lock.lock();
        if core::ptr::eq(self, &*new_dir) {
            self.rename_within(old_name, new_name)
        } else {
            self.rename_across(old_name, &new_dir, new_name)
        }
    }

    fn rename_within(&self, old_name: &str, new_name: &str) -> Result<()> {
        let mut entries = self.dir()?.entries.lock();
        let entries = entries.live()?;
        let old = entries.by_name.get(old_name).ok_or(Error::ENOENT)?.clone();
        if old_name == new_name {
            return Ok(());
        }
        let mut replaced = None;
        if let Some(target) = entries.by_name.get(new_name).cloned() {
            if same_inode(&target.inode, &old.inode) {
                // Two links to one file: rename(2) does nothing.
                return Ok(());
            }
            take_over(old.kind, &target, self)?;
            entries.remove(new_name);
            replaced = Some(target);
        }
        entries.remove(old_name);
        entries.insert(new_name, old.inode.clone(), old.ino, old.kind);
        if let Some(target) = &replaced {
            drop_link(target);
        }
        let dir_gone = replaced
            .as_ref()
            .is_some_and(|t| t.kind == FileType::Directory);
        self.dir_changed(|m| {
            if replaced.is_some() {
                m.dir_size -= DIRENT_SIZE;
            }
            if dir_gone {
                m.nlink -= 1;
            }
        });
        touch_moved(&old);
        Ok(())
    }

    fn rename_across(&self, old_name: &str, new_dir: &Arc<RamNode>, new_name: &str) -> Result<()> {
        // Lock order: ancestor first, else by inode number.
        let self_first = if is_ancestor(self, new_dir) {
            true
        } else if is_ancestor(new_dir, &self.this.upgrade().ok_or(Error::ENOENT)?) {
            false
        } else {
            self.ino < new_dir.ino
        };
        let (old_dir, nd) = (self.dir()?, new_dir.dir()?);
        let (mut first, mut second) = if self_first {
            (old_dir.entries.lock(), nd.entries.lock())
        } else {
            (nd.entries.lock(), old_dir.entries.lock())
        };
        let (old_entries, new_entries) = if self_first {
            (first.live()?, second.live()?)
        } else {
            (second.live()?, first.live()?)
        };
        let old = old_entries
            .by_name
            .get(old_name)
            .ok_or(Error::ENOENT)?
            .clone();
        let moved_dir = downcast_inode::<RamNode>(&old.inode).filter(|n| n.dir().is_ok());
        if let Some(moved) = &moved_dir
            && is_ancestor(moved, new_dir)
        {
            return Err(Error::EINVAL);
        }
        let mut replaced = None;
        if let Some(target) = new_entries.by_name.get(new_name).cloned() {
            if same_inode(&target.inode, &old.inode) {
                return Ok(());
            }
            take_over(old.kind, &target, self)?;
            new_entries.remove(new_name);
            replaced = Some(target);
        }
        old_entries.remove(old_name);
        new_entries.insert(new_name, old.inode.clone(), old.ino, old.kind);
        if let Some(target) = &replaced {
            drop_link(target);
        }
        let is_dir = old.kind == FileType::Directory;
        if let Some(moved) = &moved_dir
            && let Ok(d) = moved.dir()
        {
            *d.parent.lock() = Arc::downgrade(new_dir);
        }
        let dir_gone = replaced
            .as_ref()
            .is_some_and(|t| t.kind == FileType::Directory);
        self.dir_changed(|m| {
            m.dir_size -= DIRENT_SIZE;
            if is_dir {
                m.nlink -= 1;
            }
        });
        new_dir.dir_changed(|m| {
            if replaced.is_none() {
                m.dir_size += DIRENT_SIZE;
            }
            if is_dir && !dir_gone {
                m.nlink += 1;
            }
        });
        touch_moved(&old);
        Ok(())
    }
}

/// A moved inode's ctime changes, as on Linux.
fn touch_moved(slot: &Slot) {
    if let Some(node) = downcast_inode::<RamNode>(&slot.inode) {
        node.touch(false);
    }
}
