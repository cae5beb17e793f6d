//! What vm-corten needs from the kernel (or the host simulator): the [`Platform`] trait.

use core::ops::Range;

use crate::arch::PagingArch;
use crate::sync::{AtomicBool, AtomicU16, AtomicU64};
use crate::{PAddr, Vaddr, VmError};

/// Metadata of one page-table page, kept by the platform beside the frame (in the kernel, in
/// the frame's metadata).
pub struct PtMeta {
    /// The page's lock (see [`Cursor`](crate::Cursor)).
    pub(crate) lock: crate::sync::LockBit,
    /// Set, under the lock, when the page is unlinked from its parent: a walker that reached it
    /// without locks and then locked it must start again.
    pub(crate) stray: AtomicBool,
    /// For a last-level table: the CPU slots that have remembered it (see the `percpu`
    /// module), set under the lock; a slot that moved on may still be in the set.
    pub(crate) remembered: AtomicU16,
}

impl PtMeta {
    /// Fresh metadata: unlocked, not stray.
    #[allow(clippy::new_without_default)]
    pub const fn new() -> Self {
        Self {
            lock: crate::sync::LockBit::new(),
            stray: AtomicBool::new(false),
            remembered: AtomicU16::new(0),
        }
    }
}

/// The kernel services the page-table engine is built on.
///
/// Page-table pages and data frames are physical frames named by their physical address; the
/// platform owns physical memory and hands frames out and takes them back.
pub trait Platform: Send + Sync + 'static {
    /// The page-table format.
    type Arch: PagingArch;

    /// Allocates a zeroed page-table page. (vm-corten resets its [`PtMeta`] itself.)
    fn alloc_table(&self) -> Option<PAddr>;
    /// Frees a page-table page. vm-corten calls this only after the page was unlinked, the TLB
    /// flushed, and an RCU grace period passed.
    fn free_table(&self, table: PAddr);
    /// Entry `index` (0..512) of the page-table page at `table`.
    fn entry(&self, table: PAddr, index: usize) -> &AtomicU64;
    /// The metadata of the page-table page at `table`.
    fn meta(&self, table: PAddr) -> &PtMeta;

    /// Allocates a zeroed data frame with one reference.
    fn alloc_frame(&self) -> Option<PAddr>;
    /// Copies the contents of data frame `from` into `to`.
    fn copy_frame(&self, from: PAddr, to: PAddr);
    /// Takes one more reference to a data frame.
    fn get_frame(&self, frame: PAddr);
    /// Drops one reference to a data frame, freeing it at zero.
    fn put_frame(&self, frame: PAddr);
    /// The number of references to a data frame.
    fn frame_refs(&self, frame: PAddr) -> usize;

    /// Invalidates the translations of `range` in the address space whose root is `root`, on
    /// every CPU that may cache them, before returning.
    fn flush_tlb(&self, root: PAddr, range: Range<Vaddr>);
    /// A small number identifying the running CPU (or thread), to spread work; any value is
    /// correct.
    fn cpu_hint(&self) -> usize {
        0
    }
    /// Called on a new root table, for example to share the kernel half.
    fn init_root(&self, _root: PAddr) {}
}

/// Supplies the pages of file objects for file-backed faults.
pub trait FileBacking {
    /// A frame holding page `page` of `object`, with one reference for the caller (the page
    /// cache keeps its own).
    fn page(&self, object: u32, page: u64) -> Result<PAddr, VmError>;
}

/// A [`FileBacking`] for address spaces without file mappings: every request fails.
pub struct NoFiles;

impl FileBacking for NoFiles {
    fn page(&self, _object: u32, _page: u64) -> Result<PAddr, VmError> {
        Err(VmError::Fault)
    }
}

/// Allocates a page-table page and resets its metadata (a reused frame may carry the stray flag
/// of its previous life as a table).
pub(crate) fn new_table<P: Platform + ?Sized>(platform: &P) -> Option<PAddr> {
    let table = platform.alloc_table()?;
    let meta = platform.meta(table);
    meta.stray.store(false, crate::sync::Ordering::Relaxed);
    meta.remembered.store(0, crate::sync::Ordering::Relaxed);
    Some(table)
}
