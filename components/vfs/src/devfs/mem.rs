//! The memory devices of mem(4), null(4), full(4) and random(4): `/dev/null`, `/dev/zero`,
//! `/dev/full`, `/dev/random`, `/dev/urandom`.

use alloc::sync::Arc;

use super::attr::DevAttr;
use crate::error::{Error, Result};
use crate::hooks::VfsHooks;
use crate::inode::Inode;
use crate::types::{FileType, Metadata, Timespec, makedev};

/// Which memory device.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemKind {
    /// `/dev/null` (1, 3): reads end at once, writes vanish.
    Null,
    /// `/dev/zero` (1, 5): reads give zeros, writes vanish.
    Zero,
    /// `/dev/full` (1, 7): reads give zeros, writes fail with `ENOSPC`.
    Full,
    /// `/dev/random` (1, 8): reads give random bytes from the kernel's hooks.
    Random,
    /// `/dev/urandom` (1, 9): the same.
    Urandom,
}

impl MemKind {
    /// The name under /dev.
    pub const fn name(self) -> &'static str {
        match self {
            MemKind::Null => "null",
            MemKind::Zero => "zero",
            MemKind::Full => "full",
            MemKind::Random => "random",
            MemKind::Urandom => "urandom",
        }
    }

    /// The device number (major 1).
    pub const fn rdev(self) -> u64 {
        let minor = match self {
            MemKind::Null => 3,
            MemKind::Zero => 5,
            MemKind::Full => 7,
            MemKind::Random => 8,
            MemKind::Urandom => 9,
        };
        makedev(1, minor)
    }
}

/// A memory device inode.
pub struct MemDevice {
    kind: MemKind,
    attr: DevAttr,
}

impl MemDevice {
    /// The device `kind`, mode `0o666`, on the devfs device `dev`.
    pub fn new(kind: MemKind, dev: u64, hooks: Arc<dyn VfsHooks>) -> Arc<MemDevice> {
        let attr = DevAttr::new(FileType::CharDevice, kind.rdev(), 0o666, dev, hooks);
        Arc::new(MemDevice { kind, attr })
    }
}

impl Inode for MemDevice {
    fn metadata(&self) -> Metadata {
        self.attr.metadata()
    }

    fn read_at(&self, _offset: u64, buf: &mut [u8]) -> Result<usize> {
        match self.kind {
            MemKind::Null => return Ok(0),
            MemKind::Zero | MemKind::Full => buf.fill(0),
            MemKind::Random | MemKind::Urandom => self.attr.hooks().fill_random(buf),
        }
        Ok(buf.len())
    }

    fn write_at(&self, _offset: u64, buf: &[u8]) -> Result<usize> {
        match self.kind {
            MemKind::Full => Err(Error::ENOSPC),
            _ => Ok(buf.len()),
        }
    }

    fn set_mode(&self, mode: u32) -> Result<()> {
        self.attr.set_mode(mode)
    }

    fn set_owner(&self, uid: Option<u32>, gid: Option<u32>) -> Result<()> {
        self.attr.set_owner(uid, gid)
    }

    fn set_times(&self, atime: Option<Timespec>, mtime: Option<Timespec>) -> Result<()> {
        self.attr.set_times(atime, mtime)
    }
}
