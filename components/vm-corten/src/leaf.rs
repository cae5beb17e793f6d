//! Leaf transactions: the fast path of a transaction that lies inside the last-level
//! page-table page its CPU last worked in (see [`PerCpu`](crate::percpu)) and only overwrites
//! entries that are not present: the first touch of reserved memory, the status of a fresh
//! mmap range.
//!
//! It follows the [`cursor`](crate::cursor) protocol with the top known in advance: in the read
//! section, lock the remembered table, check that it is not stray, leave the read section. Since
//! no entry it changes is present, nothing is cached by an MMU, so nothing is flushed, and
//! nothing is removed, so nothing is released or retired; the end of the transaction is an
//! unlock (and, if pages wait for a grace period, the attempt to end one that every transaction
//! makes). What it does not have is a [`Cursor`](crate::Cursor) in memory: with a locked
//! read-modify-write every few dozen instructions (the page lock, the frame allocator's lock),
//! every store before one is waited for, and a cursor is a dozen stores.

use core::ops::Range;

use crate::arch::index_of;
use crate::percpu::PerCpu;
use crate::pte::{Fill, holds_memory, is_present};
use crate::rcu::ReadGuard;
use crate::sync::{AtomicU64, Ordering};
use crate::{PAGE_SIZE, PAddr, Platform, PtMeta, Vaddr, VmSpace};

/// Exclusive access to a range inside one last-level table, for changes of entries that are
/// not present. See the [module docs](self).
pub(crate) struct LeafCursor<'a, P: Platform> {
    space: &'a VmSpace<P>,
    table: PAddr,
    /// The table's metadata, kept to unlock it without looking it up again.
    meta: &'a PtMeta,
}

impl<'a, P: Platform> LeafCursor<'a, P> {
    /// Locks `range` by the last-level table that the CPU owning `read`'s slot remembers, if
    /// the range lies in it and the read section may use it; the read section ends. Otherwise
    /// the read section is handed back, for a [`Cursor`](crate::Cursor) to start in.
    #[inline(always)]
    pub(crate) fn try_new(
        space: &'a VmSpace<P>,
        range: &Range<Vaddr>,
        read: ReadGuard<'a>,
    ) -> Result<Self, ReadGuard<'a>> {
        let Some(percpu) = space.percpu(&read) else {
            return Err(read);
        };
        match lock_remembered(space.platform(), percpu, range, read.epoch()) {
            Some(Ok((table, _))) => {
                // Below a locked page nothing is unlinked by others: the read section can end.
                drop(read);
                let meta = space.platform().meta(table);
                Ok(Self { space, table, meta })
            }
            // Not remembered, or unlinked since: a cursor starting in this read section
            // descends instead.
            _ => Err(read),
        }
    }

    /// The entry of the page at `va`, which must lie in the locked range.
    #[inline(always)]
    pub(crate) fn entry(&self, va: Vaddr) -> &'a AtomicU64 {
        self.space.platform().entry(self.table, index_of(va, 1))
    }

    /// Replaces `entry` (of this cursor's range), which holds the non-present `old`, by `new`:
    /// a plain store, as no MMU caches or writes a non-present entry.
    #[inline(always)]
    pub(crate) fn replace_vacant(&self, entry: &AtomicU64, old: u64, new: u64) {
        debug_assert!(!is_present(old) && !holds_memory(old));
        entry.store(new, Ordering::Release);
    }

    /// Sets the entries of `range` (inside the locked one) as `fill` says if every page of it
    /// is invalid; returns whether it did. `fill` must not be of [`Status::Inaccessible`],
    /// which names a frame.
    #[inline(always)]
    pub(crate) fn mark_vacant(&self, range: Range<Vaddr>, fill: Fill) -> bool {
        mark_vacant_slots(self.space.platform(), self.table, range, fill)
    }
}

impl<P: Platform> Drop for LeafCursor<'_, P> {
    #[inline(always)]
    fn drop(&mut self) {
        self.meta.lock.unlock();
        if self.space.rcu().has_waiting() {
            end_grace_period(self.space);
        }
    }
}

/// The remembered last-level table was found unlinked.
pub(crate) struct Stray;

/// Locks the last-level table that `percpu` remembers if its span holds `range` and a read
/// section registered in epoch `epoch` may use it (see [`PerCpu`]): `Some(Ok)` with the table
/// and the start of its span, locked and not stray; `Some(Err(Stray))` if it was unlinked since
/// (it is forgotten, and not locked); `None` if no such table is remembered.
#[inline(always)]
pub(crate) fn lock_remembered<P: Platform>(
    p: &P,
    percpu: &PerCpu,
    range: &Range<Vaddr>,
    epoch: usize,
) -> Option<Result<(PAddr, Vaddr), Stray>> {
    let (table, base) = percpu.leaf_for(range, epoch)?;
    let meta = p.meta(table);
    meta.lock.lock();
    if meta.stray.load(Ordering::Acquire) {
        meta.lock.unlock();
        percpu.forget_leaf();
        return Some(Err(Stray));
    }
    Some(Ok((table, base)))
}

/// Sets the entries of `range`, inside the last-level table `table` (locked by the caller), as
/// `fill` (a status) says if every page of it is invalid; returns whether it did.
///
/// One pass: each entry is checked and set in turn, and if one turns out taken, those set
/// before it are cleared again. Nobody sees the entries meanwhile: other transactions wait for
/// the table's lock, and the MMU ignores entries that are not present. (The platform hands out
/// entries one at a time, so a pass to check and another to store would look each up twice.)
#[inline(always)]
pub(crate) fn mark_vacant_slots<P: Platform>(
    p: &P,
    table: PAddr,
    range: Range<Vaddr>,
    fill: Fill,
) -> bool {
    let first = index_of(range.start, 1);
    let pages = (range.end - range.start) / PAGE_SIZE;
    for k in 0..pages {
        let entry = p.entry(table, first + k);
        if entry.load(Ordering::Acquire) != 0 {
            for set in first..first + k {
                p.entry(table, set).store(0, Ordering::Relaxed);
            }
            return false;
        }
        entry.store(fill.at(k), Ordering::Release);
    }
    true
}

/// What every transaction does at its end when pages wait for a grace period: try to end one,
/// freeing what it allows.
#[cold]
#[inline(never)]
fn end_grace_period<P: Platform>(space: &VmSpace<P>) {
    let p = space.platform();
    space
        .rcu()
        .retire(&mut alloc::vec::Vec::new(), |table| p.free_table(table));
}
