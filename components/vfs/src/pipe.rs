//! Pipes and FIFOs (pipe(7), fifo(7)).
//!
//! A [`Pipe`] is a bounded byte queue ([`PIPE_CAPACITY`]) with counts of open read and write
//! ends. Each open end is a [`PipeEnd`] inode; dropping it (when the last file descriptor sharing
//! its open file goes) closes it. Nothing here sleeps: where Linux would block, the operation
//! returns `EAGAIN`, and the kernel, for a file without `O_NONBLOCK`, waits for
//! [`crate::VfsHooks::wake`] with the end's [`Inode::wait_key`] (or polls) and retries:
//!
//! * read, queue empty, writers open: `EAGAIN`; queue empty, no writers: 0 (end of file);
//! * write, no readers: `EPIPE` (the kernel also raises SIGPIPE); not enough room: `EAGAIN`,
//!   except that a write larger than [`PIPE_BUF`] may be partial (the kernel loops for the rest);
//!   writes of at most `PIPE_BUF` bytes are atomic.
//!
//! Opening a FIFO never blocks either. A blocking open for reading (writing) with no writer
//! (reader) succeeds at once, and then reads (writes) return `EAGAIN` until a partner has opened
//! the FIFO, which delays the process exactly where Linux's open(2) would have.

use alloc::collections::VecDeque;
use alloc::sync::Arc;
use core::sync::atomic::{AtomicU64, Ordering};

use spin::{Mutex, Once};

use crate::error::{Error, Result};
use crate::hooks::VfsHooks;
use crate::inode::{Inode, alloc_anon_dev};
use crate::poll::PollEvents;
use crate::types::{FileType, Metadata, Timespec};

/// Writes up to this many bytes are atomic (`PIPE_BUF`).
pub const PIPE_BUF: usize = 4096;
/// Bytes a pipe holds (Linux's default 16 pages).
pub const PIPE_CAPACITY: usize = 65536;

struct PipeState {
    buf: VecDeque<u8>,
    readers: u32,
    writers: u32,
    /// How many times a read (write) end was ever opened: lets an end wait for a partner.
    reader_opens: u64,
    writer_opens: u64,
}

/// A pipe: the queue and the ends' counts, shared by every end.
pub struct Pipe {
    key: u64,
    ino: u64,
    created: Timespec,
    hooks: Arc<dyn VfsHooks>,
    state: Mutex<PipeState>,
}

/// The device number of anonymous pipes (Linux's pipefs).
fn pipefs_dev() -> u64 {
    static DEV: Once<u64> = Once::new();
    *DEV.call_once(alloc_anon_dev)
}

impl Pipe {
    /// An empty pipe with no ends open.
    pub fn new(hooks: Arc<dyn VfsHooks>) -> Arc<Pipe> {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let id = NEXT.fetch_add(1, Ordering::Relaxed);
        Arc::new(Pipe {
            // Wait keys of pipes have the top bit set, to stay apart from other objects' keys.
            key: id | 1 << 63,
            ino: id,
            created: hooks.now(),
            hooks,
            state: Mutex::new(PipeState {
                buf: VecDeque::new(),
                readers: 0,
                writers: 0,
                reader_opens: 0,
                writer_opens: 0,
            }),
        })
    }

    /// Opens an end. `read`/`write` say which (both for a FIFO opened `O_RDWR`). `node` is the
    /// FIFO inode whose metadata the end reports (`None` for an anonymous pipe). `blocking` is
    /// false for `O_NONBLOCK` opens; a blocking open without a partner makes the first I/O wait
    /// for one (see the module docs).
    pub fn open(
        self: &Arc<Self>,
        read: bool,
        write: bool,
        node: Option<Arc<dyn Inode>>,
        blocking: bool,
    ) -> Arc<PipeEnd> {
        let wait_from = {
            let mut st = self.state.lock();
            if read {
                st.readers += 1;
                st.reader_opens += 1;
            }
            if write {
                st.writers += 1;
                st.writer_opens += 1;
            }
            match (read, write) {
                (true, false) if st.writers == 0 => Some(st.writer_opens),
                (false, true) if st.readers == 0 => Some(st.reader_opens),
                _ => None,
            }
        };
        self.hooks.wake(self.key);
        Arc::new(PipeEnd {
            pipe: self.clone(),
            read,
            write,
            node,
            wait_from,
            blocking,
        })
    }

    /// Open read ends.
    pub fn readers(&self) -> u32 {
        self.state.lock().readers
    }

    /// Open write ends.
    pub fn writers(&self) -> u32 {
        self.state.lock().writers
    }

    /// Bytes queued.
    pub fn len(&self) -> usize {
        self.state.lock().buf.len()
    }

    /// Whether nothing is queued.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One open end of a [`Pipe`]; closes when dropped.
pub struct PipeEnd {
    pipe: Arc<Pipe>,
    read: bool,
    write: bool,
    node: Option<Arc<dyn Inode>>,
    /// For a FIFO end opened while no partner was open: the partner-open count then. Until it
    /// changes no partner has come yet.
    wait_from: Option<u64>,
    blocking: bool,
}

impl PipeEnd {
    /// The pipe this end belongs to.
    pub fn pipe(&self) -> &Arc<Pipe> {
        &self.pipe
    }

    /// Whether no partner has opened since this end was opened.
    fn partner_never_came(&self, st: &PipeState) -> bool {
        let partner_opens = if self.read {
            st.writer_opens
        } else {
            st.reader_opens
        };
        self.wait_from == Some(partner_opens)
    }
}

impl Drop for PipeEnd {
    fn drop(&mut self) {
        {
            let mut st = self.pipe.state.lock();
            if self.read {
                st.readers -= 1;
            }
            if self.write {
                st.writers -= 1;
            }
            if st.readers == 0 && st.writers == 0 {
                // The last close of a FIFO discards what is left (fifo(7)).
                st.buf = VecDeque::new();
            }
        }
        self.pipe.hooks.wake(self.pipe.key);
    }
}

impl Inode for PipeEnd {
    fn metadata(&self) -> Metadata {
        if let Some(node) = &self.node {
            return node.metadata();
        }
        Metadata {
            dev: pipefs_dev(),
            ino: self.pipe.ino,
            mode: FileType::Fifo.mode_bits() | 0o600,
            nlink: 1,
            blksize: PIPE_BUF as u32,
            atime: self.pipe.created,
            mtime: self.pipe.created,
            ctime: self.pipe.created,
            ..Metadata::default()
        }
    }

    fn read_at(&self, _offset: u64, buf: &mut [u8]) -> Result<usize> {
        if !self.read {
            return Err(Error::EBADF);
        }
        if buf.is_empty() {
            return Ok(0);
        }
        let n = {
            let mut st = self.pipe.state.lock();
            if st.buf.is_empty() {
                let waiting = self.blocking && self.partner_never_came(&st);
                return if st.writers == 0 && !waiting {
                    Ok(0)
                } else {
                    Err(Error::EAGAIN)
                };
            }
            let n = buf.len().min(st.buf.len());
            for (dst, src) in buf.iter_mut().zip(st.buf.drain(..n)) {
                *dst = src;
            }
            n
        };
        self.pipe.hooks.wake(self.pipe.key);
        Ok(n)
    }

    fn write_at(&self, _offset: u64, buf: &[u8]) -> Result<usize> {
        if !self.write {
            return Err(Error::EBADF);
        }
        if buf.is_empty() {
            return Ok(0);
        }
        let n = {
            let mut st = self.pipe.state.lock();
            if st.readers == 0 {
                let waiting = self.blocking && self.partner_never_came(&st);
                return Err(if waiting { Error::EAGAIN } else { Error::EPIPE });
            }
            let room = PIPE_CAPACITY - st.buf.len();
            let n = if buf.len() <= PIPE_BUF && room < buf.len() {
                0
            } else {
                room.min(buf.len())
            };
            if n == 0 {
                return Err(Error::EAGAIN);
            }
            st.buf.try_reserve(n).map_err(|_| Error::ENOMEM)?;
            st.buf.extend(&buf[..n]);
            n
        };
        self.pipe.hooks.wake(self.pipe.key);
        Ok(n)
    }

    fn append(&self, buf: &[u8]) -> Result<(usize, u64)> {
        Ok((self.write_at(0, buf)?, 0))
    }

    fn is_seekable(&self) -> bool {
        false
    }

    fn poll(&self, events: PollEvents) -> PollEvents {
        let st = self.pipe.state.lock();
        let mut ready = PollEvents::empty();
        if self.read {
            if !st.buf.is_empty() {
                ready |= PollEvents::IN | PollEvents::RDNORM;
            }
            if st.writers == 0 && !self.partner_never_came(&st) {
                ready |= PollEvents::HUP;
            }
        }
        if self.write {
            if PIPE_CAPACITY - st.buf.len() >= PIPE_BUF {
                ready |= PollEvents::OUT | PollEvents::WRNORM;
            }
            if st.readers == 0 && !self.partner_never_came(&st) {
                ready |= PollEvents::ERR;
            }
        }
        ready & (events | PollEvents::ERR | PollEvents::HUP)
    }

    fn wait_key(&self) -> Option<u64> {
        Some(self.pipe.key)
    }
}
