//! Dentries: an inode together with the path that reached it.
//!
//! A [`Dentry`] is what path resolution returns, what a process's root and working directory are
//! and what an open file remembers. It is a link in a chain back to the root (name, parent, mount),
//! built as resolution walks; there is no global cache. `..` steps back along the chain, which
//! also crosses mount points upwards (path_resolution(7)), and the chain spells the canonical path
//! that getcwd(2) and `/proc/<pid>/fd` report. A chain is a snapshot: when a directory on it is
//! renamed later, [`Dentry::path`] still shows the old name.

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;

use crate::inode::{Inode, same_inode};
use crate::mount::Mount;
use crate::types::Metadata;

/// An inode reached through a path; cheap to clone.
#[derive(Clone)]
pub struct Dentry(Arc<DentryInner>);

struct DentryInner {
    inode: Arc<dyn Inode>,
    name: String,
    parent: Option<Dentry>,
    mount: Arc<Mount>,
}

impl Drop for DentryInner {
    /// Drops the parent chain iteratively, so that a very deep chain cannot overflow the stack.
    fn drop(&mut self) {
        let mut next = self.parent.take();
        while let Some(d) = next {
            next = Arc::into_inner(d.0).and_then(|mut inner| inner.parent.take());
        }
    }
}

impl Dentry {
    /// The root dentry of `mount`, with no parent.
    pub(crate) fn new_root(mount: Arc<Mount>) -> Self {
        Dentry(Arc::new(DentryInner {
            inode: mount.root().clone(),
            name: String::new(),
            parent: None,
            mount,
        }))
    }

    /// The child `name` of `self`, which is `inode` on `mount`.
    pub(crate) fn child(&self, name: &str, inode: Arc<dyn Inode>, mount: Arc<Mount>) -> Self {
        Dentry(Arc::new(DentryInner {
            inode,
            name: name.into(),
            parent: Some(self.clone()),
            mount,
        }))
    }

    /// The inode.
    pub fn inode(&self) -> &Arc<dyn Inode> {
        &self.0.inode
    }

    /// The inode's metadata.
    pub fn metadata(&self) -> Metadata {
        self.0.inode.metadata()
    }

    /// The last component of the path that reached this dentry (empty for a root).
    pub fn name(&self) -> &str {
        &self.0.name
    }

    /// The dentry this one was reached from; `None` for a root.
    pub fn parent(&self) -> Option<&Dentry> {
        self.0.parent.as_ref()
    }

    /// The mount the inode belongs to.
    pub fn mount(&self) -> &Arc<Mount> {
        &self.0.mount
    }

    /// Whether modifications through this dentry fail with `EROFS`.
    pub fn is_readonly(&self) -> bool {
        self.0.mount.is_readonly()
    }

    /// Whether this dentry is the root of its mount (a mount point seen from above, or the root).
    pub fn is_mount_root(&self) -> bool {
        same_inode(&self.0.inode, self.0.mount.root())
    }

    /// Whether both name the same inode on the same mount.
    pub fn same_as(&self, other: &Dentry) -> bool {
        same_inode(&self.0.inode, &other.0.inode) && Arc::ptr_eq(&self.0.mount, &other.0.mount)
    }

    /// Whether `ancestor` is this dentry or on its chain to the root.
    pub fn is_within(&self, ancestor: &Dentry) -> bool {
        let mut cur = Some(self);
        while let Some(d) = cur {
            if d.same_as(ancestor) {
                return true;
            }
            cur = d.parent();
        }
        false
    }

    /// The absolute path from the root of the chain, e.g. `/usr/bin`.
    pub fn path(&self) -> String {
        self.path_from(None)
    }

    /// The absolute path as seen by a process whose root is `root` (chroot(2)): the chain stops
    /// at `root`. A dentry outside `root` shows its full path.
    pub fn path_from(&self, root: Option<&Dentry>) -> String {
        let mut names: Vec<&str> = Vec::new();
        let mut cur = self;
        loop {
            if root.is_some_and(|r| cur.same_as(r)) {
                break;
            }
            match cur.parent() {
                Some(p) => {
                    names.push(cur.name());
                    cur = p;
                }
                None => break,
            }
        }
        if names.is_empty() {
            return String::from("/");
        }
        let mut path = String::new();
        for name in names.iter().rev() {
            path.push('/');
            path.push_str(name);
        }
        path
    }
}

impl fmt::Debug for Dentry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Dentry").field(&self.path()).finish()
    }
}
