//! A minimal procfs: `/proc/self`, `/proc/<pid>/{stat,status,cmdline,maps,fd/,exe,cwd}`,
//! `/proc/meminfo`, `/proc/cpuinfo`, `/proc/mounts`, `/proc/uptime`, `/proc/stat` and
//! `/proc/loadavg` (proc(5)).
//!
//! Nothing is stored: every directory listing and every read asks the kernel's [`ProcSource`]
//! (and the [`Vfs`] for mounts) and formats the answer the way Linux does. Files report size 0,
//! as on Linux, so readers read until end of file. A read at an offset regenerates the text and
//! returns the part from that offset.

mod format;
mod node;
mod source;

use alloc::sync::{Arc, Weak};

use crate::inode::{Inode, alloc_anon_dev};
use crate::types::Timespec;
use crate::vfs::Vfs;

pub use source::{CpuTimes, MapEntry, MemInfo, ProcSource, ProcessInfo, SystemStat};

use node::{Node, ProcInode};

/// State shared by the inodes of one procfs.
pub(crate) struct Shared {
    source: Arc<dyn ProcSource>,
    vfs: Weak<Vfs>,
    dev: u64,
    /// Timestamp every procfs inode reports.
    born: Timespec,
}

/// A procfs instance.
pub struct ProcFs {
    shared: Arc<Shared>,
}

impl ProcFs {
    /// A procfs over `source`; /proc/mounts lists the mounts of `vfs`.
    pub fn new(source: Arc<dyn ProcSource>, vfs: &Arc<Vfs>) -> ProcFs {
        ProcFs {
            shared: Arc::new(Shared {
                source,
                vfs: Arc::downgrade(vfs),
                dev: alloc_anon_dev(),
                born: vfs.hooks().now(),
            }),
        }
    }

    /// The /proc directory, to mount.
    pub fn root(&self) -> Arc<dyn Inode> {
        Arc::new(ProcInode::new(self.shared.clone(), Node::Root))
    }
}
