//! The ramfs inode: metadata plus a body that depends on the file type.

use alloc::string::String;
use alloc::sync::{Arc, Weak};

use spin::Mutex;

use super::FsShared;
use super::data::{FileData, PAGE};
use super::dir::Dir;
use crate::error::{Error, Result};
use crate::inode::{CreateAttrs, Inode, downcast_inode};
use crate::pipe::Pipe;
use crate::types::{DirEntry, FileType, Metadata, Timespec, mode};

/// Metadata kept per inode (the size lives with the data for files).
#[derive(Clone, Copy)]
pub(crate) struct NodeMeta {
    pub(crate) mode: u32,
    pub(crate) nlink: u32,
    pub(crate) uid: u32,
    pub(crate) gid: u32,
    pub(crate) rdev: u64,
    /// Directory size in the tmpfs convention: 20 bytes per entry.
    pub(crate) dir_size: u64,
    pub(crate) atime: Timespec,
    pub(crate) mtime: Timespec,
    pub(crate) ctime: Timespec,
}

/// What an inode holds besides metadata.
pub(crate) enum Body {
    Dir(Dir),
    File(Mutex<FileData>),
    Symlink(String),
    Fifo(Arc<Pipe>),
    /// Device special files and sockets: a name and a number, no contents.
    Special,
}

/// An inode of a [`super::RamFs`].
pub struct RamNode {
    pub(crate) fs: Arc<FsShared>,
    pub(crate) ino: u64,
    /// This inode's own handle, to give children a parent pointer.
    pub(crate) this: Weak<RamNode>,
    pub(crate) meta: Mutex<NodeMeta>,
    pub(crate) body: Body,
}

impl RamNode {
    pub(crate) fn new_root(fs: Arc<FsShared>) -> Arc<RamNode> {
        let attrs = CreateAttrs::new(FileType::Directory, 0o755);
        let root = RamNode::new(fs, &attrs, Weak::new(), None);
        // `.` and `..` both name the root.
        root.meta.lock().nlink = 2;
        root
    }

    /// A new inode with link count 0 (or 2 for a directory: its entry and its `.`), to be
    /// linked into a directory by the caller.
    pub(crate) fn new(
        fs: Arc<FsShared>,
        attrs: &CreateAttrs,
        parent: Weak<RamNode>,
        target: Option<&str>,
    ) -> Arc<RamNode> {
        let now = fs.now();
        let body = match attrs.kind {
            FileType::Directory => Body::Dir(Dir::new(parent)),
            FileType::Regular => Body::File(Mutex::new(FileData::default())),
            FileType::Symlink => Body::Symlink(target.unwrap_or_default().into()),
            FileType::Fifo => Body::Fifo(Pipe::new(fs.hooks().clone())),
            FileType::CharDevice | FileType::BlockDevice | FileType::Socket => Body::Special,
        };
        let perm = match attrs.kind {
            FileType::Symlink => 0o777,
            _ => attrs.mode & mode::PERM_MASK,
        };
        let meta = NodeMeta {
            mode: attrs.kind.mode_bits() | perm,
            nlink: if attrs.kind == FileType::Directory {
                1
            } else {
                0
            },
            uid: attrs.uid,
            gid: attrs.gid,
            rdev: if attrs.kind.is_device() {
                attrs.rdev
            } else {
                0
            },
            dir_size: 40,
            atime: now,
            mtime: now,
            ctime: now,
        };
        let ino = fs.alloc_ino();
        Arc::new_cyclic(|this| RamNode {
            fs,
            ino,
            this: this.clone(),
            meta: Mutex::new(meta),
            body,
        })
    }

    pub(crate) fn kind(&self) -> FileType {
        match &self.body {
            Body::Dir(_) => FileType::Directory,
            Body::File(_) => FileType::Regular,
            Body::Symlink(_) => FileType::Symlink,
            Body::Fifo(_) => FileType::Fifo,
            Body::Special => FileType::from_mode(self.meta.lock().mode).unwrap_or(FileType::Socket),
        }
    }

    pub(crate) fn dir(&self) -> Result<&Dir> {
        match &self.body {
            Body::Dir(d) => Ok(d),
            _ => Err(Error::ENOTDIR),
        }
    }

    fn file(&self) -> Result<&Mutex<FileData>> {
        match &self.body {
            Body::File(f) => Ok(f),
            Body::Dir(_) => Err(Error::EISDIR),
            Body::Special => Err(Error::ENXIO),
            _ => Err(Error::EINVAL),
        }
    }

    /// Updates ctime (and mtime if `modified`) to now.
    pub(crate) fn touch(&self, modified: bool) {
        let now = self.fs.now();
        let mut m = self.meta.lock();
        m.ctime = now;
        if modified {
            m.mtime = now;
        }
    }

    /// Changes the link count by `delta` and updates ctime.
    pub(crate) fn adjust_nlink(&self, delta: i32) {
        let now = self.fs.now();
        let mut m = self.meta.lock();
        m.nlink = m.nlink.saturating_add_signed(delta);
        m.ctime = now;
    }

    /// Updates atime after a read, the relatime way: only if it is older than mtime or ctime or
    /// than a day.
    fn touch_atime(&self) {
        let now = self.fs.now();
        let mut m = self.meta.lock();
        if m.atime <= m.mtime || m.atime <= m.ctime || now.sec - m.atime.sec >= 86_400 {
            m.atime = now;
        }
    }
}

impl Drop for RamNode {
    /// Frees file pages; tears a directory tree down iteratively, so that dropping a deep tree
    /// cannot overflow the stack.
    fn drop(&mut self) {
        match &mut self.body {
            Body::File(data) => data.get_mut().clear(&self.fs),
            Body::Dir(dir) => {
                let mut orphans = dir.take_children();
                while let Some(inode) = orphans.pop() {
                    let Some(node) = downcast_inode::<RamNode>(&inode) else {
                        continue;
                    };
                    drop(inode);
                    if let Some(mut node) = Arc::into_inner(node)
                        && let Body::Dir(d) = &mut node.body
                    {
                        orphans.extend(d.take_children());
                    }
                }
            }
            _ => {}
        }
    }
}

impl Inode for RamNode {
    fn metadata(&self) -> Metadata {
        let m = *self.meta.lock();
        let (size, pages) = match &self.body {
            Body::File(data) => {
                let d = data.lock();
                (d.size, d.pages())
            }
            Body::Symlink(target) => (target.len() as u64, 0),
            Body::Dir(_) => (m.dir_size, 0),
            _ => (0, 0),
        };
        Metadata {
            dev: self.fs.dev,
            ino: self.ino,
            mode: m.mode,
            nlink: m.nlink,
            uid: m.uid,
            gid: m.gid,
            rdev: m.rdev,
            size,
            blksize: PAGE as u32,
            blocks: pages * (PAGE as u64 / 512),
            atime: m.atime,
            mtime: m.mtime,
            ctime: m.ctime,
        }
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize> {
        let n = self.file()?.lock().read(offset, buf);
        self.touch_atime();
        Ok(n)
    }

    fn write_at(&self, offset: u64, buf: &[u8]) -> Result<usize> {
        let n = self.file()?.lock().write(&self.fs, offset, buf)?;
        self.touch(true);
        Ok(n)
    }

    fn append(&self, buf: &[u8]) -> Result<(usize, u64)> {
        let (n, end) = {
            let mut data = self.file()?.lock();
            let offset = data.size;
            let n = data.write(&self.fs, offset, buf)?;
            (n, offset + n as u64)
        };
        self.touch(true);
        Ok((n, end))
    }

    fn truncate(&self, len: u64) -> Result<()> {
        self.file()?.lock().truncate(&self.fs, len)?;
        self.touch(true);
        Ok(())
    }

    fn is_seekable(&self) -> bool {
        // FIFO I/O goes through a pipe end, never through the node.
        true
    }

    fn lookup(&self, name: &str) -> Result<Arc<dyn Inode>> {
        self.dir()?.lookup(name)
    }

    fn create(&self, name: &str, attrs: &CreateAttrs) -> Result<Arc<dyn Inode>> {
        if attrs.kind == FileType::Symlink {
            return Err(Error::EINVAL);
        }
        self.create_node(name, attrs, None)
    }

    fn symlink(&self, name: &str, target: &str, attrs: &CreateAttrs) -> Result<Arc<dyn Inode>> {
        let attrs = CreateAttrs {
            kind: FileType::Symlink,
            ..*attrs
        };
        self.create_node(name, &attrs, Some(target))
    }

    fn link(&self, name: &str, target: &Arc<dyn Inode>) -> Result<()> {
        self.link_node(name, target)
    }

    fn unlink(&self, name: &str) -> Result<()> {
        self.remove_entry(name, false)
    }

    fn rmdir(&self, name: &str) -> Result<()> {
        self.remove_entry(name, true)
    }

    fn rename(&self, old_name: &str, new_dir: &Arc<dyn Inode>, new_name: &str) -> Result<()> {
        self.rename_entry(old_name, new_dir, new_name)
    }

    fn read_link(&self) -> Result<String> {
        match &self.body {
            Body::Symlink(target) => Ok(target.clone()),
            _ => Err(Error::EINVAL),
        }
    }

    fn readdir(&self, offset: u64) -> Result<Option<(DirEntry, u64)>> {
        self.read_dir(offset)
    }

    fn set_mode(&self, new_mode: u32) -> Result<()> {
        let now = self.fs.now();
        let mut m = self.meta.lock();
        m.mode = (m.mode & mode::S_IFMT) | (new_mode & mode::PERM_MASK);
        m.ctime = now;
        Ok(())
    }

    fn set_owner(&self, uid: Option<u32>, gid: Option<u32>) -> Result<()> {
        let now = self.fs.now();
        let mut m = self.meta.lock();
        if let Some(uid) = uid {
            m.uid = uid;
        }
        if let Some(gid) = gid {
            m.gid = gid;
        }
        m.ctime = now;
        Ok(())
    }

    fn set_times(&self, atime: Option<Timespec>, mtime: Option<Timespec>) -> Result<()> {
        let now = self.fs.now();
        let mut m = self.meta.lock();
        if let Some(t) = atime {
            m.atime = t;
        }
        if let Some(t) = mtime {
            m.mtime = t;
        }
        m.ctime = now;
        Ok(())
    }

    fn fifo(&self) -> Option<Arc<Pipe>> {
        match &self.body {
            Body::Fifo(pipe) => Some(pipe.clone()),
            _ => None,
        }
    }
}
