//! The [`Inode`] trait every file system implements, used as `Arc<dyn Inode>`.
//!
//! An inode is one file-system object: a regular file, a directory, a symlink, a device, a FIFO.
//! Directory methods take one path component (never `.`, `..`, an empty name or a name containing
//! `/`); path walking, mounts, permissions and the open(2) rules live in [`crate::Vfs`], so a file
//! system only implements the object operations. Every method has a default that fails with the
//! errno Linux gives for an object that does not support it.

use alloc::string::String;
use alloc::sync::Arc;
use core::any::Any;

use crate::error::{Error, Result};
use crate::pipe::Pipe;
use crate::poll::PollEvents;
use crate::types::{DirEntry, FileType, Metadata, Timespec};

/// What a new directory entry is made of (see [`Inode::create`] and [`Inode::symlink`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CreateAttrs {
    /// Type of the new inode.
    pub kind: FileType,
    /// Permission bits (`0o7777` mask), the umask already applied.
    pub mode: u32,
    /// Owner.
    pub uid: u32,
    /// Group.
    pub gid: u32,
    /// Device number for character and block devices, else 0.
    pub rdev: u64,
}

impl CreateAttrs {
    /// Attributes of a new root-owned inode of `kind` with permission bits `mode`.
    pub const fn new(kind: FileType, mode: u32) -> Self {
        Self {
            kind,
            mode,
            uid: 0,
            gid: 0,
            rdev: 0,
        }
    }

    /// The same attributes owned by `uid`/`gid`.
    pub const fn owned_by(mut self, uid: u32, gid: u32) -> Self {
        self.uid = uid;
        self.gid = gid;
        self
    }
}

/// The error of a file operation on an inode that is not a regular file: `EISDIR` for a
/// directory, `EINVAL` otherwise.
fn not_a_file(inode: &(impl Inode + ?Sized)) -> Error {
    if inode.metadata().is_dir() {
        Error::EISDIR
    } else {
        Error::EINVAL
    }
}

/// A file-system object.
pub trait Inode: Any + Send + Sync {
    /// What stat(2) reports.
    fn metadata(&self) -> Metadata;

    /// Reads at `offset` into `buf`; returns the bytes read, 0 at end of file.
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize> {
        let _ = (offset, buf);
        Err(not_a_file(self))
    }

    /// Writes `buf` at `offset`, extending the file (with a hole) if needed; returns the bytes
    /// written.
    fn write_at(&self, offset: u64, buf: &[u8]) -> Result<usize> {
        let _ = (offset, buf);
        Err(not_a_file(self))
    }

    /// Writes `buf` at the current end of file, atomically with respect to other appends (the
    /// `O_APPEND` rule of write(2)); returns the bytes written and the new end of file.
    fn append(&self, buf: &[u8]) -> Result<(usize, u64)> {
        let end = self.metadata().size;
        let n = self.write_at(end, buf)?;
        Ok((n, end + n as u64))
    }

    /// Sets the size to `len`, dropping data beyond it or extending with zeros (truncate(2)).
    fn truncate(&self, len: u64) -> Result<()> {
        let _ = len;
        Err(not_a_file(self))
    }

    /// Flushes cached data to the backing store (fsync(2)); in-memory file systems have none.
    fn sync(&self) -> Result<()> {
        Ok(())
    }

    /// Whether a file position means anything (lseek(2) fails with `ESPIPE` otherwise): false for
    /// pipes, FIFOs, sockets and terminals.
    fn is_seekable(&self) -> bool {
        !matches!(
            self.metadata().file_type(),
            FileType::Fifo | FileType::Socket
        )
    }

    /// Finds the entry `name` of this directory.
    fn lookup(&self, name: &str) -> Result<Arc<dyn Inode>> {
        let _ = name;
        Err(Error::ENOTDIR)
    }

    /// Creates the entry `name` of this directory: a regular file, a directory, a device, a FIFO
    /// or a socket as `attrs.kind` says (symlinks are made by [`Inode::symlink`]). `EEXIST` if the
    /// name exists.
    fn create(&self, name: &str, attrs: &CreateAttrs) -> Result<Arc<dyn Inode>> {
        let _ = (name, attrs);
        Err(Error::ENOTDIR)
    }

    /// Creates the symbolic link `name` → `target` in this directory; `attrs.kind` and
    /// `attrs.mode` are ignored (symlinks are `0o777`).
    fn symlink(&self, name: &str, target: &str, attrs: &CreateAttrs) -> Result<Arc<dyn Inode>> {
        let _ = (name, target, attrs);
        Err(Error::ENOTDIR)
    }

    /// Adds the hard link `name` → `target` in this directory (link(2)); `EXDEV` when `target`
    /// belongs to another file system, `EPERM` when it is a directory.
    fn link(&self, name: &str, target: &Arc<dyn Inode>) -> Result<()> {
        let _ = (name, target);
        Err(Error::ENOTDIR)
    }

    /// Removes the non-directory entry `name` (unlink(2)); `EISDIR` for a directory.
    fn unlink(&self, name: &str) -> Result<()> {
        let _ = name;
        Err(Error::ENOTDIR)
    }

    /// Removes the empty directory `name` (rmdir(2)); `ENOTDIR`, `ENOTEMPTY`.
    fn rmdir(&self, name: &str) -> Result<()> {
        let _ = name;
        Err(Error::ENOTDIR)
    }

    /// Moves the entry `old_name` of this directory to `new_name` in `new_dir`, with the rules
    /// of rename(2): an existing target is replaced (a directory only by a directory, and only if
    /// empty), a directory cannot move into its own subtree (`EINVAL`), `EXDEV` across file
    /// systems.
    fn rename(&self, old_name: &str, new_dir: &Arc<dyn Inode>, new_name: &str) -> Result<()> {
        let _ = (old_name, new_dir, new_name);
        Err(Error::ENOTDIR)
    }

    /// The target of this symbolic link (readlink(2)); `EINVAL` for other inodes.
    fn read_link(&self) -> Result<String> {
        Err(Error::EINVAL)
    }

    /// The directory entry at position `offset` (0 is `.`, 1 is `..`) and the offset of the next
    /// one, or `None` at the end. Offsets are cookies: they stay valid while entries are added
    /// and removed, so that `rm -r` can delete while it reads.
    fn readdir(&self, offset: u64) -> Result<Option<(DirEntry, u64)>> {
        let _ = offset;
        Err(Error::ENOTDIR)
    }

    /// Sets the permission bits (`mode & 0o7777`) and updates ctime (chmod(2)).
    fn set_mode(&self, mode: u32) -> Result<()> {
        let _ = mode;
        Err(Error::EPERM)
    }

    /// Sets the owner and/or group and updates ctime (chown(2)).
    fn set_owner(&self, uid: Option<u32>, gid: Option<u32>) -> Result<()> {
        let _ = (uid, gid);
        Err(Error::EPERM)
    }

    /// Sets the access and/or modification time and updates ctime (utimensat(2)).
    fn set_times(&self, atime: Option<Timespec>, mtime: Option<Timespec>) -> Result<()> {
        let _ = (atime, mtime);
        Err(Error::EPERM)
    }

    /// Which of `events` are ready now (poll(2)). Regular files are always ready.
    fn poll(&self, events: PollEvents) -> PollEvents {
        events & PollEvents::READ_WRITE
    }

    /// The key [`crate::VfsHooks::wake`] is called with when this inode's readiness changes, for
    /// inodes whose operations can return `EAGAIN` (pipes, terminals).
    fn wait_key(&self) -> Option<u64> {
        None
    }

    /// A device-specific request (ioctl(2)); `ENOTTY` by default.
    fn ioctl(&self, cmd: u32, arg: usize) -> Result<usize> {
        let _ = (cmd, arg);
        Err(Error::ENOTTY)
    }

    /// For a FIFO: the pipe every open of it shares (see [`crate::Vfs::open`]).
    fn fifo(&self) -> Option<Arc<Pipe>> {
        None
    }
}

/// Whether two inode handles name the same inode object.
pub fn same_inode(a: &Arc<dyn Inode>, b: &Arc<dyn Inode>) -> bool {
    Arc::ptr_eq(a, b)
}

/// The concrete type behind an inode handle, if it is a `T`.
pub fn downcast_inode<T: Inode>(inode: &Arc<dyn Inode>) -> Option<Arc<T>> {
    let any: Arc<dyn Any + Send + Sync> = inode.clone();
    any.downcast::<T>().ok()
}

/// A fresh device number for a file system with no backing device (major 0, like Linux's
/// anonymous `st_dev` values); unique for the life of the kernel.
pub fn alloc_anon_dev() -> u64 {
    use core::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(16);
    crate::types::makedev(0, NEXT.fetch_add(1, Ordering::Relaxed))
}
