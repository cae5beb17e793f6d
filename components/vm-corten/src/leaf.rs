//! Leaf transactions: the fast path of a transaction that lies inside the last-level
//! page-table page its CPU remembers (see [`PerCpu`](crate::percpu)) and only overwrites
//! entries that are not present: the first touch of reserved memory, the status of a fresh
//! mmap range.
//!
//! # Biased ownership of the remembered table
//!
//! A leaf transaction does not take the table's lock. Its read section is *biased*
//! ([`Rcu::read_biased`](crate::rcu::Rcu::read_biased)): the one compare-and-swap that
//! registers the reader in its CPU's slot also announces that the CPU may be writing the table
//! it remembers. The transaction then checks, after that announcement, that the table's lock is
//! free (and the table not stray) and writes its entries; dropping the read section ends both.
//! A thread that takes the lock of a last-level table ([`lock_leaf`]) checks, after taking it,
//! the CPUs that remembered the table, and waits while one of them is biased and still
//! remembers it. Announcement-then-check on both sides, in the single order of sequentially
//! consistent operations, means they cannot both miss each other: either the leaf transaction
//! sees the lock taken (and falls back to a [`Cursor`](crate::Cursor), unbiased first so that it
//! never waits while biased), or the lock holder sees the transaction and waits for its end. A
//! biased transaction waits for nothing, so waiting for it ends. The table is not stray: it
//! would be unlinked only under its lock, after waiting out biased transactions, and then
//! marked stray before unlocked. It is not freed: the read section is of the epoch in which the
//! table was remembered.
//!
//! Since no entry a leaf transaction changes is present, nothing is cached by an MMU, so
//! nothing is flushed, and nothing is removed, so nothing is released or retired; the end is
//! the end of the read section (and, if pages wait for a grace period, the attempt to end one
//! that every transaction makes). So the common fault and mmap pay one locked instruction, and
//! no [`Cursor`](crate::Cursor) is built in memory.

use core::ops::Range;

use crate::arch::index_of;
use crate::percpu::PerCpu;
use crate::pte::{Fill, holds_memory, is_present};
use crate::rcu::ReadGuard;
use crate::sync::{AtomicU64, Ordering, spin_wait};
use crate::{PAGE_SIZE, PAddr, Platform, Vaddr, VmSpace};

/// Exclusive access to a range inside one last-level table, for changes of entries that are
/// not present. See the [module docs](self).
pub(crate) struct LeafCursor<'a, P: Platform> {
    space: &'a VmSpace<P>,
    table: PAddr,
    /// The biased read section, ended when the transaction ends (always `Some` until then).
    read: Option<ReadGuard<'a>>,
}

impl<'a, P: Platform> LeafCursor<'a, P> {
    /// Starts a leaf transaction on `range` in the biased read section `read`, if the range
    /// lies in the last-level table that the CPU remembers, the read section may use that
    /// table, and its lock is free. Otherwise the read section is handed back, unbiased, for a
    /// [`Cursor`](crate::Cursor) to start in.
    #[inline(always)]
    pub(crate) fn try_new(
        space: &'a VmSpace<P>,
        range: &Range<Vaddr>,
        mut read: ReadGuard<'a>,
    ) -> Result<Self, ReadGuard<'a>> {
        let percpu = match space.percpu(&read) {
            Some(percpu) if read.is_biased() => percpu,
            _ => {
                read.unbias();
                return Err(read);
            }
        };
        let Some((table, _)) = percpu.leaf_for(range, read.epoch()) else {
            read.unbias();
            return Err(read);
        };
        let meta = space.platform().meta(table);
        // After the announcement (the biased registration): see `lock_leaf`.
        if meta.lock.is_taken() {
            read.unbias();
            return Err(read);
        }
        if meta.stray.load(Ordering::Acquire) {
            // Unlinked since: the cursor that starts in this read section descends instead.
            percpu.forget_leaf();
            read.unbias();
            return Err(read);
        }
        // Another CPU that remembers the table may be biased on it too: the same check from
        // both sides, so that two leaf transactions never run on one table at once (if both
        // see each other, both take the lock instead).
        let me = 1 << read.owned_slot().unwrap_or(0) as u16;
        if biased_on(space, table, meta.remembered.load(Ordering::Relaxed) & !me) {
            read.unbias();
            return Err(read);
        }
        Ok(Self {
            space,
            table,
            read: Some(read),
        })
    }

    /// The entry of the page at `va`, which must lie in the transaction's range.
    #[inline(always)]
    pub(crate) fn entry(&self, va: Vaddr) -> &'a AtomicU64 {
        self.space.platform().entry(self.table, index_of(va, 1))
    }

    /// Replaces `entry` (of this transaction's range), which holds the non-present `old`, by
    /// `new`: a plain store, as no MMU caches or writes a non-present entry.
    #[inline(always)]
    pub(crate) fn replace_vacant(&self, entry: &AtomicU64, old: u64, new: u64) {
        debug_assert!(!is_present(old) && !holds_memory(old));
        entry.store(new, Ordering::Release);
    }

    /// Sets the entries of `range` (inside the transaction's) as `fill` says if every page of
    /// it is invalid; returns whether it did. `fill` must not be of
    /// [`Status::Inaccessible`](crate::Status::Inaccessible), which names a frame.
    #[inline(always)]
    pub(crate) fn mark_vacant(&self, range: Range<Vaddr>, fill: Fill) -> bool {
        mark_vacant_slots(self.space.platform(), self.table, range, fill)
    }
}

impl<P: Platform> Drop for LeafCursor<'_, P> {
    #[inline(always)]
    fn drop(&mut self) {
        drop(self.read.take());
        if self.space.rcu().has_waiting() {
            end_grace_period(self.space);
        }
    }
}

/// Takes the lock of the last-level table `table` for a [`Cursor`](crate::Cursor): takes the
/// lock, then waits while a CPU that remembered the table is biased and still remembers it (in
/// a leaf transaction on it). See the [module docs](self). The caller must not be biased.
#[inline]
pub(crate) fn lock_leaf<P: Platform>(space: &VmSpace<P>, table: PAddr) {
    let meta = space.platform().meta(table);
    meta.lock.lock();
    // Set under the lock: every slot that may remember the table is in the set.
    let slots = meta.remembered.load(Ordering::Relaxed);
    if slots != 0 {
        while biased_on(space, table, slots) {
            spin_wait();
        }
    }
}

/// Whether a slot in the set `slots` is biased and remembers `table`.
#[inline]
fn biased_on<P: Platform>(space: &VmSpace<P>, table: PAddr, mut slots: u16) -> bool {
    while slots != 0 {
        let slot = slots.trailing_zeros() as usize;
        slots &= slots - 1;
        if space.rcu().biased(slot) && space.percpu_of(slot).leaf() == table {
            return true;
        }
    }
    false
}

/// The remembered last-level table was found unlinked.
pub(crate) struct Stray;

/// Locks (with [`lock_leaf`]) the last-level table that `percpu` remembers if its span holds
/// `range` and a read section registered in epoch `epoch` may use it (see [`PerCpu`]):
/// `Some(Ok)` with the table and the start of its span, locked and not stray;
/// `Some(Err(Stray))` if it was unlinked since (it is forgotten, and not locked); `None` if no
/// such table is remembered.
#[inline(always)]
pub(crate) fn lock_remembered<P: Platform>(
    space: &VmSpace<P>,
    percpu: &PerCpu,
    range: &Range<Vaddr>,
    epoch: usize,
) -> Option<Result<(PAddr, Vaddr), Stray>> {
    let (table, base) = percpu.leaf_for(range, epoch)?;
    lock_leaf(space, table);
    let meta = space.platform().meta(table);
    if meta.stray.load(Ordering::Acquire) {
        meta.lock.unlock();
        percpu.forget_leaf();
        return Some(Err(Stray));
    }
    Some(Ok((table, base)))
}

/// Remembers `table`, the last-level table spanning from `base`, locked by the caller and not
/// stray, in the per-CPU state that the read section `read` owns, and records the slot in the
/// table's set (under its lock, where [`lock_leaf`] reads it).
#[inline]
pub(crate) fn remember<P: Platform>(
    space: &VmSpace<P>,
    read: &ReadGuard<'_>,
    table: PAddr,
    base: Vaddr,
) {
    let (Some(percpu), Some(slot)) = (space.percpu(read), read.owned_slot()) else {
        return;
    };
    let meta = space.platform().meta(table);
    let slots = meta.remembered.load(Ordering::Relaxed);
    meta.remembered
        .store(slots | 1 << slot as u16, Ordering::Relaxed);
    percpu.remember_leaf(table, base, read.epoch());
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
