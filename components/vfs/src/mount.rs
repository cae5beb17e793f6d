//! Mounts: a file system's root inode attached on a directory of another mount.
//!
//! The table maps a mount point, named by the mount it lives on and its inode number, to the
//! mount covering it. Path resolution consults it after every lookup, so a new mount hides the
//! directory beneath it and a later mount on the same path stacks on top (mount(2)).

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::sync::Arc;

use bitflags::bitflags;

use crate::dentry::Dentry;
use crate::inode::Inode;

bitflags! {
    /// Per-mount flags, with the values of mount(2)'s `MS_*` constants.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
    pub struct MountFlags: u32 {
        /// Read-only: every modification fails with `EROFS` (`MS_RDONLY`).
        const READONLY = 1;
        /// Ignore set-user-ID and set-group-ID bits (`MS_NOSUID`).
        const NOSUID = 2;
        /// Disallow access to device files (`MS_NODEV`).
        const NODEV = 4;
        /// Disallow program execution (`MS_NOEXEC`).
        const NOEXEC = 8;
    }
}

/// One mounted file system.
pub struct Mount {
    id: u64,
    root: Arc<dyn Inode>,
    fstype: String,
    source: String,
    flags: MountFlags,
    /// Where it is mounted; `None` for the root mount.
    mountpoint: Option<Dentry>,
}

impl Mount {
    pub(crate) fn new(
        id: u64,
        root: Arc<dyn Inode>,
        fstype: &str,
        source: &str,
        flags: MountFlags,
        mountpoint: Option<Dentry>,
    ) -> Self {
        Self {
            id,
            root,
            fstype: fstype.into(),
            source: source.into(),
            flags,
            mountpoint,
        }
    }

    /// A number unique among the mounts of this VFS.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The root inode of the mounted file system.
    pub fn root(&self) -> &Arc<dyn Inode> {
        &self.root
    }

    /// The file-system type, e.g. `"tmpfs"`.
    pub fn fstype(&self) -> &str {
        &self.fstype
    }

    /// The source, e.g. `"none"` or a device path.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The mount flags.
    pub fn flags(&self) -> MountFlags {
        self.flags
    }

    /// Whether modifications through this mount fail with `EROFS`.
    pub fn is_readonly(&self) -> bool {
        self.flags.contains(MountFlags::READONLY)
    }

    /// The directory this mount covers; `None` for the root mount.
    pub fn mountpoint(&self) -> Option<&Dentry> {
        self.mountpoint.as_ref()
    }

    /// The line of /proc/mounts for this mount (proc_mounts(5)), given its path.
    pub fn mounts_line(&self, path: &str) -> String {
        let mut line = String::new();
        let opts = if self.is_readonly() { "ro" } else { "rw" };
        let mut extra = String::new();
        for (flag, name) in [
            (MountFlags::NOSUID, ",nosuid"),
            (MountFlags::NODEV, ",nodev"),
            (MountFlags::NOEXEC, ",noexec"),
        ] {
            if self.flags.contains(flag) {
                extra.push_str(name);
            }
        }
        for part in [
            escape_mount_field(&self.source).as_str(),
            " ",
            escape_mount_field(path).as_str(),
            " ",
            self.fstype.as_str(),
            " ",
            opts,
            extra.as_str(),
            " 0 0\n",
        ] {
            line.push_str(part);
        }
        line
    }
}

/// Escapes space, tab, newline and backslash as octal, the way /proc/mounts does.
fn escape_mount_field(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            ' ' => out.push_str("\\040"),
            '\t' => out.push_str("\\011"),
            '\n' => out.push_str("\\012"),
            '\\' => out.push_str("\\134"),
            c => out.push(c),
        }
    }
    out
}

/// All mounts but the root one.
#[derive(Default)]
pub(crate) struct MountTable {
    /// (mount holding the mount point, inode number of the mount point) → covering mount.
    by_point: BTreeMap<(u64, u64), Arc<Mount>>,
    /// Mount id → mount, in mount order.
    by_id: BTreeMap<u64, Arc<Mount>>,
}

impl MountTable {
    pub(crate) fn covering(&self, parent: u64, ino: u64) -> Option<Arc<Mount>> {
        self.by_point.get(&(parent, ino)).cloned()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.by_point.is_empty()
    }

    pub(crate) fn insert(&mut self, parent: u64, ino: u64, mount: Arc<Mount>) {
        self.by_id.insert(mount.id, mount.clone());
        self.by_point.insert((parent, ino), mount);
    }

    pub(crate) fn remove(&mut self, id: u64) -> Option<Arc<Mount>> {
        let mount = self.by_id.remove(&id)?;
        self.by_point.retain(|_, m| m.id != id);
        Some(mount)
    }

    /// Whether a mount sits on a directory of mount `id`.
    pub(crate) fn has_children(&self, id: u64) -> bool {
        self.by_point.keys().any(|&(parent, _)| parent == id)
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &Arc<Mount>> {
        self.by_id.values()
    }
}

impl core::fmt::Debug for Mount {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Mount")
            .field("id", &self.id)
            .field("fstype", &self.fstype)
            .field("source", &self.source)
            .field("flags", &self.flags)
            .finish()
    }
}
