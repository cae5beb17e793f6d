//! Open file descriptions: what open(2) and pipe(2) create and file descriptors share.
//!
//! A [`File`] holds the inode that does the I/O, the dentry it was opened through, the status
//! flags and the file offset. Several descriptors share one `Arc<File>` after dup(2) or fork(2),
//! and with it the offset (open(2), "open file description"). Dropping the last `Arc` closes the
//! file (for a pipe end, that is what lets the other side see EOF or `EPIPE`).

use alloc::format;
use alloc::string::String;
use alloc::sync::Arc;
use core::sync::atomic::{AtomicU32, Ordering};

use spin::Mutex;

use crate::dentry::Dentry;
use crate::error::{Error, Result};
use crate::flags::{OpenFlags, Whence};
use crate::hooks::VfsHooks;
use crate::inode::Inode;
use crate::pipe::Pipe;
use crate::poll::PollEvents;
use crate::types::{DirEntry, FileType, Metadata};

/// An open file description.
pub struct File {
    inode: Arc<dyn Inode>,
    dentry: Option<Dentry>,
    flags: AtomicU32,
    offset: Mutex<u64>,
}

impl File {
    /// A file doing I/O on `inode`, opened through `dentry` (`None` for pipes and other objects
    /// without a name), with the open(2) `flags`.
    pub fn new(inode: Arc<dyn Inode>, dentry: Option<Dentry>, flags: OpenFlags) -> Arc<File> {
        Arc::new(File {
            inode,
            dentry,
            flags: AtomicU32::new(flags.bits()),
            offset: Mutex::new(0),
        })
    }

    /// The inode I/O goes to (for a FIFO or device: the pipe end or the driver).
    pub fn inode(&self) -> &Arc<dyn Inode> {
        &self.inode
    }

    /// The dentry the file was opened through, if any.
    pub fn dentry(&self) -> Option<&Dentry> {
        self.dentry.as_ref()
    }

    /// The open flags, with the status flags as last set by [`File::set_status_flags`].
    pub fn flags(&self) -> OpenFlags {
        OpenFlags::from_bits_retain(self.flags.load(Ordering::Relaxed))
    }

    /// Changes the flags fcntl(2) `F_SETFL` may change ([`OpenFlags::SETFL_MASK`]); others in
    /// `flags` are ignored.
    pub fn set_status_flags(&self, flags: OpenFlags) {
        let mask = OpenFlags::SETFL_MASK.bits();
        let _ = self
            .flags
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |old| {
                Some((old & !mask) | (flags.bits() & mask))
            });
    }

    /// Whether `O_NONBLOCK` is set: `EAGAIN` goes to user space instead of making it wait.
    pub fn is_nonblocking(&self) -> bool {
        self.flags().contains(OpenFlags::NONBLOCK)
    }

    /// Whether the file was opened for reading (never for an `O_PATH` file).
    pub fn is_readable(&self) -> bool {
        let f = self.flags();
        f.readable() && !f.contains(OpenFlags::PATH)
    }

    /// Whether the file was opened for writing (never for an `O_PATH` file).
    pub fn is_writable(&self) -> bool {
        let f = self.flags();
        f.writable() && !f.contains(OpenFlags::PATH)
    }

    /// fstat(2): the metadata of the named inode (of the FIFO or device node rather than the
    /// pipe end or driver behind it).
    pub fn metadata(&self) -> Metadata {
        match &self.dentry {
            Some(d) => d.metadata(),
            None => self.inode.metadata(),
        }
    }

    /// The current file offset.
    pub fn offset(&self) -> u64 {
        *self.offset.lock()
    }

    /// read(2): reads at the file offset and advances it.
    pub fn read(&self, buf: &mut [u8]) -> Result<usize> {
        if !self.is_readable() {
            return Err(Error::EBADF);
        }
        if !self.inode.is_seekable() {
            return self.inode.read_at(0, buf);
        }
        let mut offset = self.offset.lock();
        let n = self.inode.read_at(*offset, buf)?;
        *offset += n as u64;
        Ok(n)
    }

    /// write(2): writes at the file offset (at the end of file with `O_APPEND`) and advances
    /// it. Pipes may write less than asked (see the [`pipe`](mod@crate::pipe) module).
    pub fn write(&self, buf: &[u8]) -> Result<usize> {
        if !self.is_writable() {
            return Err(Error::EBADF);
        }
        if !self.inode.is_seekable() {
            return self.inode.write_at(0, buf);
        }
        let mut offset = self.offset.lock();
        if self.flags().contains(OpenFlags::APPEND) {
            let (n, end) = self.inode.append(buf)?;
            *offset = end;
            return Ok(n);
        }
        let n = self.inode.write_at(*offset, buf)?;
        *offset += n as u64;
        Ok(n)
    }

    /// pread(2): reads at `offset` without moving the file offset; `ESPIPE` for pipes.
    pub fn read_at(&self, offset: i64, buf: &mut [u8]) -> Result<usize> {
        if !self.is_readable() {
            return Err(Error::EBADF);
        }
        let offset = self.positional(offset)?;
        self.inode.read_at(offset, buf)
    }

    /// pwrite(2): writes at `offset` without moving the file offset; `ESPIPE` for pipes. As on
    /// Linux, `O_APPEND` files append anyway.
    pub fn write_at(&self, offset: i64, buf: &[u8]) -> Result<usize> {
        if !self.is_writable() {
            return Err(Error::EBADF);
        }
        let offset = self.positional(offset)?;
        if self.flags().contains(OpenFlags::APPEND) {
            return Ok(self.inode.append(buf)?.0);
        }
        self.inode.write_at(offset, buf)
    }

    fn positional(&self, offset: i64) -> Result<u64> {
        if !self.inode.is_seekable() {
            return Err(Error::ESPIPE);
        }
        u64::try_from(offset).map_err(|_| Error::EINVAL)
    }

    /// lseek(2): sets the file offset and returns it. `ESPIPE` for pipes, FIFOs and terminals;
    /// `EINVAL` for a negative result; directories seek only with `Set` and `Cur`.
    pub fn seek(&self, offset: i64, whence: Whence) -> Result<u64> {
        if !self.inode.is_seekable() {
            return Err(Error::ESPIPE);
        }
        let meta = self.inode.metadata();
        let mut cur = self.offset.lock();
        let is_dir = meta.file_type() == FileType::Directory;
        let new = match whence {
            Whence::Set => u64::try_from(offset).ok(),
            Whence::Cur => cur.checked_add_signed(offset),
            Whence::End if !is_dir => meta.size.checked_add_signed(offset),
            Whence::Data | Whence::Hole if !is_dir => {
                let start = u64::try_from(offset).map_err(|_| Error::ENXIO)?;
                if start >= meta.size {
                    return Err(Error::ENXIO);
                }
                Some(if whence == Whence::Data {
                    start
                } else {
                    meta.size
                })
            }
            _ => return Err(Error::EINVAL),
        };
        let new = new.filter(|&n| n <= i64::MAX as u64).ok_or(Error::EINVAL)?;
        *cur = new;
        Ok(new)
    }

    /// ftruncate(2); `EINVAL` unless open for writing.
    pub fn truncate(&self, len: u64) -> Result<()> {
        if !self.is_writable() {
            return Err(Error::EINVAL);
        }
        if let Some(d) = &self.dentry
            && d.is_readonly()
        {
            return Err(Error::EROFS);
        }
        self.inode.truncate(len)
    }

    /// getdents64(2): hands each entry from the current position, with the offset after it, to
    /// `emit` until it returns false (the user buffer is full) or the directory ends; the file
    /// offset moves past every entry `emit` accepted. Returns how many it accepted; 0 at the end
    /// of the directory, or when the first entry did not fit (getdents64 then fails with
    /// `EINVAL`: the kernel decides, since only it knows the buffer).
    pub fn getdents(&self, mut emit: impl FnMut(&DirEntry, u64) -> bool) -> Result<usize> {
        if self.flags().contains(OpenFlags::PATH) {
            return Err(Error::EBADF);
        }
        let mut offset = self.offset.lock();
        let mut count = 0;
        while let Some((entry, next)) = self.inode.readdir(*offset)? {
            if !emit(&entry, next) {
                break;
            }
            *offset = next;
            count += 1;
        }
        Ok(count)
    }

    /// The next directory entry, advancing the offset; `None` at the end.
    pub fn next_entry(&self) -> Result<Option<DirEntry>> {
        let mut out = None;
        self.getdents(|e, _| {
            if out.is_some() {
                return false;
            }
            out = Some(e.clone());
            true
        })?;
        Ok(out)
    }

    /// poll(2) readiness; an `O_PATH` file reports `NVAL`.
    pub fn poll(&self, events: PollEvents) -> PollEvents {
        if self.flags().contains(OpenFlags::PATH) {
            return PollEvents::NVAL;
        }
        self.inode.poll(events)
    }

    /// The key [`VfsHooks::wake`] signals when this file's readiness changes, if it can block.
    pub fn wait_key(&self) -> Option<u64> {
        self.inode.wait_key()
    }

    /// ioctl(2), passed to the inode; `EBADF` for an `O_PATH` file.
    pub fn ioctl(&self, cmd: u32, arg: usize) -> Result<usize> {
        if self.flags().contains(OpenFlags::PATH) {
            return Err(Error::EBADF);
        }
        self.inode.ioctl(cmd, arg)
    }

    /// What readlink(2) on `/proc/<pid>/fd/<n>` shows: the path, or `pipe:[ino]` for a pipe.
    pub fn proc_path(&self) -> String {
        match &self.dentry {
            Some(d) => d.path(),
            None => {
                let meta = self.inode.metadata();
                match meta.file_type() {
                    FileType::Fifo => format!("pipe:[{}]", meta.ino),
                    FileType::Socket => format!("socket:[{}]", meta.ino),
                    _ => format!("anon_inode:[{}]", meta.ino),
                }
            }
        }
    }
}

/// pipe2(2): a new pipe's read end and write end. `flags` may hold `NONBLOCK` (and `CLOEXEC`,
/// which the kernel's fd table keeps); the access mode is set here.
pub fn pipe(hooks: Arc<dyn VfsHooks>, flags: OpenFlags) -> (Arc<File>, Arc<File>) {
    let pipe = Pipe::new(hooks);
    let flags = flags & (OpenFlags::NONBLOCK | OpenFlags::CLOEXEC | OpenFlags::DIRECT);
    let read = pipe.open(true, false, None, false);
    let write = pipe.open(false, true, None, false);
    (
        File::new(read, None, flags),
        File::new(write, None, flags | OpenFlags::WRONLY),
    )
}

impl core::fmt::Debug for File {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("File")
            .field("path", &self.proc_path())
            .field("flags", &self.flags())
            .field("offset", &self.offset())
            .finish()
    }
}
