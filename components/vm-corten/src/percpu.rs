//! Per-CPU state of an address space: the CPU's mmap arena and the last-level page-table page
//! it last worked in.
//!
//! The state of slot `i` belongs to the thread that owns RCU slot `i` (see
//! [`ReadGuard::owned_slot`](crate::rcu::ReadGuard::owned_slot)): taking the slot is the one
//! read-modify-write a transaction pays to enter its read section anyway, so the state needs no
//! lock of its own. Its fields are atomics only so that no `unsafe` is needed; the slot's
//! acquire and release order them between successive owners, so relaxed accesses suffice.
//!
//! - The **arena** is a range of free-looking addresses that non-fixed mmap hands out from the
//!   bottom. It is only a hint: the chosen range is checked to be empty under its lock.
//! - The **last leaf** is the last-level page-table page that a transaction of this CPU last
//!   had as its top, with the RCU epoch in which it was seen linked. A transaction inside its
//!   span starts there instead of descending from the root. That is safe only while the page
//!   cannot have been freed: it was linked (locked and not stray) during a read section of
//!   epoch `e`, so if it is unlinked later it is retired in epoch `e` or later, and freed only
//!   when the epoch reaches `e + 2`; a read section that registered in epoch `e` itself keeps
//!   the epoch below `e + 2` until it ends. So the page is used only by a read section of the
//!   same epoch, which then locks it (or, in a leaf transaction, finds its lock free; see the
//!   `leaf` module) and checks that it is not stray, as after a descent. The page's metadata
//!   records which slots remembered it, for the threads that take its lock.

use core::ops::Range;

use crate::arch::entry_size;
use crate::sync::{AtomicUsize, Ordering};
use crate::{PAddr, Vaddr};

/// One CPU's state. See the [module docs](self).
pub(crate) struct PerCpu {
    arena_start: AtomicUsize,
    arena_end: AtomicUsize,
    /// The last leaf table (0: none), the start of its span, and the epoch it was seen in.
    leaf: AtomicUsize,
    leaf_base: AtomicUsize,
    leaf_epoch: AtomicUsize,
}

impl PerCpu {
    pub(crate) fn new() -> Self {
        Self {
            arena_start: AtomicUsize::new(0),
            arena_end: AtomicUsize::new(0),
            leaf: AtomicUsize::new(0),
            leaf_base: AtomicUsize::new(0),
            leaf_epoch: AtomicUsize::new(0),
        }
    }

    /// Takes `len` bytes from the bottom of the arena, first replacing the arena by
    /// `refill(len)` if it is too small or `fresh` (its addresses turned out to be taken);
    /// `None` if `refill` has no more.
    #[inline]
    pub(crate) fn take_va(
        &self,
        len: usize,
        fresh: bool,
        refill: impl FnOnce(usize) -> Option<Range<Vaddr>>,
    ) -> Option<Vaddr> {
        let end = self.arena_end.load(Ordering::Relaxed);
        let mut arena = self.arena_start.load(Ordering::Relaxed)..end;
        let va = bump(&mut arena, len, fresh, refill)?;
        // Stores are waited for by the next locked instruction: only what changed.
        self.arena_start.store(arena.start, Ordering::Relaxed);
        if arena.end != end {
            self.arena_end.store(arena.end, Ordering::Relaxed);
        }
        Some(va)
    }

    /// The last leaf table if it was seen linked in epoch `epoch` and its span holds `range`:
    /// the table and the start of its span.
    #[inline]
    pub(crate) fn leaf_for(&self, range: &Range<Vaddr>, epoch: usize) -> Option<(PAddr, Vaddr)> {
        let leaf = self.leaf.load(Ordering::Relaxed);
        let base = self.leaf_base.load(Ordering::Relaxed);
        let span = entry_size(2);
        let inside = range.start >= base && range.end - base <= span;
        (leaf != 0 && inside && self.leaf_epoch.load(Ordering::Relaxed) == epoch)
            .then_some((leaf, base))
    }

    /// Remembers `table`, the leaf table spanning from `base`, locked and not stray in a read
    /// section of epoch `epoch`.
    #[inline]
    pub(crate) fn remember_leaf(&self, table: PAddr, base: Vaddr, epoch: usize) {
        self.leaf.store(table, Ordering::Relaxed);
        self.leaf_base.store(base, Ordering::Relaxed);
        self.leaf_epoch.store(epoch, Ordering::Relaxed);
    }

    /// The last leaf table (0: none), for a thread that takes that table's lock and must wait
    /// for a leaf transaction of this CPU on it.
    #[inline]
    pub(crate) fn leaf(&self) -> PAddr {
        self.leaf.load(Ordering::Relaxed)
    }

    /// Forgets the last leaf table (it was found stray).
    #[inline]
    pub(crate) fn forget_leaf(&self) {
        self.leaf.store(0, Ordering::Relaxed);
    }
}

/// Takes `len` bytes from the bottom of `arena`, first replacing it by `refill(len)` if it is
/// too small or `fresh`.
#[inline]
pub(crate) fn bump(
    arena: &mut Range<Vaddr>,
    len: usize,
    fresh: bool,
    refill: impl FnOnce(usize) -> Option<Range<Vaddr>>,
) -> Option<Vaddr> {
    if fresh || arena.end - arena.start < len {
        *arena = refill(len)?;
    }
    let va = arena.start;
    arena.start += len;
    Some(va)
}
