//! Transactions over a locked virtual range.
//!
//! # Locking protocol
//!
//! [`VmSpace::lock`](crate::VmSpace::lock) returns a [`Cursor`] with exclusive access to a
//! page-aligned range of virtual addresses:
//!
//! 1. Inside an RCU read section, descend from the root *without locks* to the lowest
//!    page-table page whose span contains the whole range (stop where the range spans several
//!    entries, or where the entry on the way is not a next-level table).
//!    A transaction inside the last-level table that its CPU's previous transaction had as
//!    top may start at that table instead, if the read section proves it not freed (see
//!    the `percpu` module): it is the page the descent would stop at anyway.
//! 2. Lock that page (the *top*). If it is *stray* (unlinked meanwhile), unlock and start over.
//!    The lock of a last-level table is taken with `lock_leaf`, which then also waits for a
//!    leaf transaction on the table to end (see the `leaf` module).
//! 3. Leave the read section: from here on the cursor follows only links it reads from pages
//!    it holds locked, and a page is unlinked only under its parent's lock, so nothing it can
//!    reach is retired under it.
//! 4. Lock every page-table page below the top that overlaps the range, in depth-first address
//!    order, reading each page's entries only once it is locked. Entries of a locked page
//!    change only under its lock, so the children found are live and stay linked.
//!
//! Every cursor takes locks top-down along tree paths, and two cursors with the same top
//! serialise on it, so there is no cycle and no deadlock. Cursors whose ranges are disjoint lock
//! disjoint sets of pages, except when they share a top, and proceed in parallel.
//!
//! A cursor remembers only its top and whether it locked anything below it: the pages it holds
//! are exactly the page-table pages under the top that overlap its range (those it found, and
//! those it linked itself), so on release it walks them again, children before parents. A
//! transaction on a range inside one last-level table locks that one page and nothing else.
//!
//! Changes are made in place. An entry that is not present is written with a plain store (no
//! MMU caches it or writes to it); a present one is swapped, and its range is recorded for the
//! TLB flush. A page-table page that a change empties or replaces is unlinked (its parent entry
//! cleared), marked stray and unlocked, and *retired*. Data frames that unmap removes are
//! gathered in a small batch and released only after a TLB flush of what changed so far (at
//! the end of the operation, or earlier when the batch is full, like Linux's `mmu_gather`);
//! when the cursor is dropped it (a) flushes the TLB for the rest of what changed, (b) unlocks,
//! and (c) hands retired pages to RCU, which frees them after a grace period. So no frame or
//! page-table page is reused while a CPU may still translate through it or a walker may still
//! read it.

use alloc::vec::Vec;
use core::mem::ManuallyDrop;
use core::ops::Range;

use crate::arch::{PagingArch, entry_size, index_of};
use crate::leaf::{Stray, lock_leaf, lock_remembered, remember};
use crate::pte::{Entry, Fill, PageProp, PageState, Status, holds_memory, is_present, table_of};
use crate::rcu::ReadGuard;
use crate::space::VmSpace;
use crate::sync::{AtomicU64, Ordering};
use crate::{PAGE_SIZE, PAddr, Platform, Vaddr, VmError};

/// Exclusive access to a range of an address space. See the [module docs](self).
pub struct Cursor<'a, P: Platform> {
    space: &'a VmSpace<P>,
    range: Range<Vaddr>,
    /// The top page-table page, its level and the virtual address its span starts at.
    top: (PAddr, u8, Vaddr),
    /// Whether this cursor holds locks below the top (then they are released by a walk).
    deep: bool,
    /// Whether `flush` or `retired` may be non-empty, so that dropping a cursor that changed
    /// no present entry tests one flag.
    dirty: bool,
    /// Virtual range whose translations changed and must be flushed (empty: none).
    flush: Range<Vaddr>,
    /// Page-table pages unlinked by this cursor, for RCU. Dropped by
    /// [`release_all`](Self::release_all), which runs whenever `dirty` is set, as it is once
    /// anything was pushed; so a cursor without changes has no drop glue to run.
    retired: ManuallyDrop<Vec<PAddr>>,
}

fn levels<P: Platform>() -> u8 {
    P::Arch::LEVELS
}

/// Span of a page-table page at `level`.
fn table_span(level: u8) -> usize {
    entry_size(level).saturating_mul(512)
}

/// Frames removed by one operation, released in batches after a TLB flush.
struct Gather {
    frames: [PAddr; 16],
    len: usize,
}

impl Gather {
    fn new() -> Self {
        Self {
            frames: [0; 16],
            len: 0,
        }
    }
}

impl<'a, P: Platform> Cursor<'a, P> {
    /// Locks `range` (see the module docs). The range must be page-aligned, non-empty and
    /// inside the space's user range.
    #[inline(always)]
    pub(crate) fn new(space: &'a VmSpace<P>, range: Range<Vaddr>) -> Self {
        Self::new_on(space, range, space.platform().cpu_hint())
    }

    /// [`new`](Self::new) for a caller that knows its [`cpu_hint`](Platform::cpu_hint).
    #[inline(always)]
    pub(crate) fn new_on(space: &'a VmSpace<P>, range: Range<Vaddr>, cpu: usize) -> Self {
        Self::new_above(space, range, cpu, 1)
    }

    /// [`new_on`](Self::new_on) with a top at level `stop` or higher, for a transaction on
    /// the parent of the page-table page that spans `range`.
    #[inline(always)]
    pub(crate) fn new_above(
        space: &'a VmSpace<P>,
        range: Range<Vaddr>,
        cpu: usize,
        stop: u8,
    ) -> Self {
        let (top, deep) = Self::lock_range(space, &range, cpu, stop);
        Self::locked(space, range, top, deep)
    }

    /// [`new_on`](Self::new_on) whose first attempt runs in the read section `read`, which the
    /// caller entered already (to pick the range).
    #[inline(always)]
    pub(crate) fn new_in(
        space: &'a VmSpace<P>,
        range: Range<Vaddr>,
        cpu: usize,
        read: ReadGuard<'a>,
    ) -> Self {
        let (top, deep) = match Self::try_lock(space, &range, read, 1) {
            Some(locked) => locked,
            None => Self::lock_range(space, &range, cpu, 1),
        };
        Self::locked(space, range, top, deep)
    }

    /// Steps 1 to 4 of the protocol, in read sections of CPU `cpu`, until they succeed: the
    /// top and whether pages below it were locked. (Only these small values are passed
    /// around; the cursor is built once, in place, by [`locked`](Self::locked): returning a
    /// built `Option<Cursor>` from the attempt loop copied it through memory, measurably
    /// slower.)
    #[inline(always)]
    fn lock_range(
        space: &'a VmSpace<P>,
        range: &Range<Vaddr>,
        cpu: usize,
        stop: u8,
    ) -> ((PAddr, u8, Vaddr), bool) {
        loop {
            if let Some(locked) = Self::try_lock(space, range, space.rcu().read(cpu), stop) {
                return locked;
            }
        }
    }

    /// Steps 1 to 4 of the protocol in the read section `read`, which this ends; `None` if the
    /// top turned out stray (the caller starts over in a new read section).
    ///
    /// A transaction inside the span of the last-level table its CPU last worked in starts
    /// there instead of descending from the root, if the read section may use that table (see
    /// [`PerCpu`](crate::percpu)); it is locked and checked for being stray like a table
    /// found by the descent.
    #[inline(always)]
    fn try_lock(
        space: &'a VmSpace<P>,
        range: &Range<Vaddr>,
        mut read: ReadGuard<'a>,
        stop: u8,
    ) -> Option<((PAddr, u8, Vaddr), bool)> {
        // A cursor waits for locks: never while biased (see the `leaf` module).
        read.unbias();
        let Some(percpu) = space.percpu(&read) else {
            return Self::try_lock_from_root(space, range, read, stop);
        };
        if stop > 1 {
            return Self::try_lock_from_root(space, range, read, stop);
        }
        match lock_remembered(space, percpu, range, read.epoch()) {
            Some(Ok((table, base))) => {
                // Below a locked page nothing is unlinked by others: the read section can end.
                drop(read);
                Some(((table, 1, base), false))
            }
            // Not remembered, or unlinked since (and forgotten): descend.
            Some(Err(Stray)) | None => Self::try_lock_from_root(space, range, read, stop),
        }
    }

    /// [`try_lock`](Self::try_lock) by a descent from the root (`read` is not biased); a
    /// last-level top is remembered in the per-CPU state that `read` owns, if any.
    #[inline(never)]
    fn try_lock_from_root(
        space: &'a VmSpace<P>,
        range: &Range<Vaddr>,
        read: ReadGuard<'a>,
        stop: u8,
    ) -> Option<((PAddr, u8, Vaddr), bool)> {
        let p = space.platform();
        let (table, level, base) = Self::descend(p, space.root(), range, stop);
        let meta = p.meta(table);
        if level == 1 {
            lock_leaf(space, table);
        } else {
            meta.lock.lock();
        }
        if meta.stray.load(Ordering::Acquire) {
            meta.lock.unlock();
            return None;
        }
        if level == 1 {
            remember(space, &read, table, base);
        }
        drop(read);
        let deep = level > 1 && Self::lock_below(space, table, level, base, range.clone());
        Some(((table, level, base), deep))
    }

    /// A cursor on `range` holding `top` locked, and the pages below it if `deep`.
    #[inline(always)]
    fn locked(
        space: &'a VmSpace<P>,
        range: Range<Vaddr>,
        top: (PAddr, u8, Vaddr),
        deep: bool,
    ) -> Self {
        Cursor {
            space,
            range,
            top,
            deep,
            dirty: false,
            flush: 0..0,
            retired: ManuallyDrop::new(Vec::new()),
        }
    }

    /// Step 1 of the protocol: the lowest page-table page, at level `stop` or higher, whose
    /// span holds `range`, found without locks (inside a read section): the page, its level
    /// and the start of its span.
    #[inline(always)]
    fn descend(p: &P, root: PAddr, range: &Range<Vaddr>, stop: u8) -> (PAddr, u8, Vaddr) {
        // The root's base: 0 in the lower half, the sign extension in the upper half.
        let root_span = entry_size(levels::<P>()) << 9;
        let root_base = range.start & !(root_span - 1);
        let (mut table, mut level, mut base) = (root, levels::<P>(), root_base);
        while level > stop {
            let (first, last) = (index_of(range.start, level), index_of(range.end - 1, level));
            if first != last {
                break;
            }
            let raw = p.entry(table, first).load(Ordering::Acquire);
            match table_of::<P::Arch>(raw, level) {
                Some(child) => {
                    base += first * entry_size(level);
                    table = child;
                    level -= 1;
                }
                None => break,
            }
        }
        (table, level, base)
    }

    /// Locks the page-table pages under `table` (at `level` > 1) that overlap `range`, depth
    /// first; returns whether there were any.
    #[inline(never)]
    fn lock_below(
        space: &VmSpace<P>,
        table: PAddr,
        level: u8,
        base: Vaddr,
        range: Range<Vaddr>,
    ) -> bool {
        let p = space.platform();
        let mut any = false;
        for (i, span) in entries(level, base, &range) {
            let raw = p.entry(table, i).load(Ordering::Acquire);
            if let Some(child) = table_of::<P::Arch>(raw, level) {
                if level == 2 {
                    lock_leaf(space, child);
                } else {
                    p.meta(child).lock.lock();
                }
                any = true;
                if level > 2 {
                    Self::lock_below(space, child, level - 1, span.start, clamp(&range, &span));
                }
            }
        }
        any
    }

    /// Unlocks the page-table pages under `table` (at `level` > 1) that overlap `range`:
    /// children before their parent, while the parent still holds their links.
    #[inline(never)]
    fn unlock_below(&self, table: PAddr, level: u8, base: Vaddr, range: Range<Vaddr>) {
        let p = self.space.platform();
        for (i, span) in entries(level, base, &range) {
            let raw = p.entry(table, i).load(Ordering::Relaxed);
            if let Some(child) = table_of::<P::Arch>(raw, level) {
                if level > 2 {
                    self.unlock_below(child, level - 1, span.start, clamp(&range, &span));
                }
                p.meta(child).lock.unlock();
            }
        }
    }

    /// The locked range.
    pub fn range(&self) -> Range<Vaddr> {
        self.range.clone()
    }

    fn check(&self, range: &Range<Vaddr>) -> Result<(), VmError> {
        let ok = range.start < range.end
            && range.start.is_multiple_of(PAGE_SIZE)
            && range.end.is_multiple_of(PAGE_SIZE)
            && self.range.start <= range.start
            && range.end <= self.range.end;
        if ok {
            Ok(())
        } else {
            Err(VmError::InvalidArgument)
        }
    }

    #[inline]
    fn load(&self, table: PAddr, i: usize) -> u64 {
        self.space
            .platform()
            .entry(table, i)
            .load(Ordering::Acquire)
    }

    fn read(&self, table: PAddr, i: usize, level: u8) -> Entry {
        Entry::decode::<P::Arch>(self.load(table, i), level)
    }

    /// Replaces entry `i` of `table`, which this cursor read as `old`, by `new`; returns the
    /// entry as it was replaced. A non-present entry is not cached or written by any MMU, so
    /// it is simply stored; a present one is swapped (the MMU may have set accessed or dirty
    /// bits meanwhile) and its range recorded for the TLB flush.
    #[inline]
    fn replace(&mut self, table: PAddr, i: usize, level: u8, va: Vaddr, old: u64, new: u64) -> u64 {
        let space: &'a VmSpace<P> = self.space;
        self.replace_entry(space.platform().entry(table, i), level, va, old, new)
    }

    /// [`replace`](Self::replace) on an entry already looked up.
    #[inline]
    fn replace_entry(
        &mut self,
        entry: &AtomicU64,
        level: u8,
        va: Vaddr,
        old: u64,
        new: u64,
    ) -> u64 {
        if !is_present(old) {
            entry.store(new, Ordering::Release);
            return old;
        }
        let old = entry.swap(new, Ordering::AcqRel);
        let end = va.saturating_add(entry_size(level));
        self.dirty = true;
        self.flush = if self.flush.is_empty() {
            va..end
        } else {
            self.flush.start.min(va)..self.flush.end.max(end)
        };
        old
    }

    /// Writes an entry; records what must be flushed.
    fn write(&mut self, table: PAddr, i: usize, level: u8, va: Vaddr, new: Entry) -> Entry {
        let old = self.load(table, i);
        let old = self.replace(table, i, level, va, old, new.encode::<P::Arch>(level));
        Entry::decode::<P::Arch>(old, level)
    }

    /// What the page at `va` is.
    #[inline]
    pub fn query(&self, va: Vaddr) -> PageState {
        let va = va & !(PAGE_SIZE - 1);
        assert!(self.range.contains(&va), "query outside the locked range");
        let (mut table, mut level, mut base) = self.top;
        loop {
            let i = index_of(va, level);
            let entry_va = base + i * entry_size(level);
            match self.read(table, i, level) {
                Entry::Table(child) => {
                    table = child;
                    base = entry_va;
                    level -= 1;
                }
                Entry::Invalid => return PageState::Invalid,
                Entry::Leaf(pa, prop) => {
                    return PageState::Mapped {
                        pa: pa + (va - entry_va),
                        prop,
                        level,
                    };
                }
                Entry::Status(s) => return PageState::Status(page_status(s, va - entry_va)),
            }
        }
    }

    /// The first page at or after `from` (inside the locked range) that is not invalid.
    pub fn find_next(&self, from: Vaddr) -> Option<(Vaddr, PageState)> {
        let from = from.max(self.range.start) & !(PAGE_SIZE - 1);
        if from >= self.range.end {
            return None;
        }
        let (table, level, base) = self.top;
        let va = self.find_in(table, level, base, from..self.range.end)?;
        Some((va, self.query(va)))
    }

    /// Whether every page of the locked range is invalid (no mapping, no status).
    pub(crate) fn is_vacant(&self) -> bool {
        let (table, level, base) = self.top;
        self.find_in(table, level, base, self.range.clone())
            .is_none()
    }

    /// Gives the whole locked range `status` if every page of it is invalid (a fresh range
    /// for a non-fixed mmap); returns whether it did. Nothing is removed, so nothing is
    /// flushed or released.
    #[inline]
    pub(crate) fn mark_vacant(&mut self, status: Status) -> Result<bool, VmError> {
        let (table, level, _) = self.top;
        if level > 1 {
            if !self.is_vacant() {
                return Ok(false);
            }
            return self.mark(self.range.clone(), status).map(|_| true);
        }
        if matches!(status, Status::Inaccessible { .. }) {
            return Err(VmError::InvalidArgument); // as `mark`
        }
        // Inside one last-level table: one pass to check, one to store.
        Ok(crate::leaf::mark_vacant_slots(
            self.space.platform(),
            table,
            self.range.clone(),
            Fill::status(status),
        ))
    }

    fn find_in(&self, table: PAddr, level: u8, base: Vaddr, range: Range<Vaddr>) -> Option<Vaddr> {
        if level == 1 {
            let first = index_of(range.start, 1);
            let pages = (range.end - range.start) / PAGE_SIZE;
            return (0..pages)
                .find(|&k| self.load(table, first + k) != 0)
                .map(|k| range.start + k * PAGE_SIZE);
        }
        for (i, span) in entries(level, base, &range) {
            let raw = self.load(table, i);
            if raw == 0 {
                continue;
            }
            match table_of::<P::Arch>(raw, level) {
                Some(child) => {
                    if let Some(va) =
                        self.find_in(child, level - 1, span.start, clamp(&range, &span))
                    {
                        return Some(va);
                    }
                }
                None => return Some(span.start.max(range.start)),
            }
        }
        None
    }

    /// Descends to the last-level table holding `va`, splitting huge leaves and high-level
    /// statuses and creating missing tables on the way.
    fn leaf_table(&mut self, va: Vaddr) -> Result<PAddr, VmError> {
        self.table_at(va, 1)
    }

    /// The table at `level` holding `va`, splitting and creating on the way.
    #[inline]
    fn table_at(&mut self, va: Vaddr, level: u8) -> Result<PAddr, VmError> {
        let (mut table, mut l, mut base) = self.top;
        while l > level {
            let i = index_of(va, l);
            let entry_va = base + i * entry_size(l);
            table = self.split_entry(table, i, l, entry_va)?;
            base = entry_va;
            l -= 1;
        }
        Ok(table)
    }

    /// Makes entry `i` of `table` (at `level` > 1) a next-level table that says the same as the
    /// entry did, and returns it (locked by this cursor).
    fn split_entry(
        &mut self,
        table: PAddr,
        i: usize,
        level: u8,
        entry_va: Vaddr,
    ) -> Result<PAddr, VmError> {
        let raw = self.load(table, i);
        if let Some(child) = table_of::<P::Arch>(raw, level) {
            return Ok(child);
        }
        let p = self.space.platform();
        let child = crate::platform::new_table(p).ok_or(VmError::NoMemory)?;
        p.meta(child).lock.lock();
        self.deep = true;
        let sub = entry_size(level - 1);
        match Entry::decode::<P::Arch>(raw, level) {
            Entry::Invalid | Entry::Table(_) => {}
            Entry::Leaf(pa, prop) => {
                for j in 0..512 {
                    let e = Entry::Leaf(pa + j * sub, prop).encode::<P::Arch>(level - 1);
                    p.entry(child, j).store(e, Ordering::Relaxed);
                }
            }
            Entry::Status(s) => {
                let fill = Fill::status(s);
                for j in 0..512 {
                    p.entry(child, j)
                        .store(fill.at(j * sub / PAGE_SIZE), Ordering::Relaxed);
                }
            }
        }
        // The link is stored with release ordering, after the child's entries.
        let link = P::Arch::table_entry(child);
        self.replace(table, i, level, entry_va, raw, link);
        Ok(child)
    }

    /// Maps the 4 KiB page at `va` to the data frame `pa` with `prop`, replacing whatever was
    /// there. The cursor takes over one reference to `pa` (in a space that tracks frames).
    #[inline]
    pub fn map(&mut self, va: Vaddr, pa: PAddr, prop: PageProp) -> Result<(), VmError> {
        self.check(&(va..va + PAGE_SIZE))?;
        let table = self.leaf_table(va)?;
        let entry = if prop.access().is_empty() {
            Entry::Status(Status::Inaccessible {
                pa,
                cow: prop.contains(PageProp::COW),
                user: prop.contains(PageProp::USER),
            })
        } else {
            Entry::Leaf(pa, prop)
        };
        let i = index_of(va, 1);
        let old = self.load(table, i);
        let old = self.replace(table, i, 1, va, old, entry.encode::<P::Arch>(1));
        if holds_memory(old) && self.space.tracks_frames() {
            // A frame replaced (a copy-on-write break): release it once no TLB maps it.
            if let Entry::Leaf(old_pa, _) | Entry::Status(Status::Inaccessible { pa: old_pa, .. }) =
                Entry::decode::<P::Arch>(old, 1)
            {
                self.flush();
                self.space.platform().put_frame(old_pa);
            }
        }
        Ok(())
    }

    /// Changes the properties of the mapped page at `va` without changing its frame.
    pub(crate) fn set_prop(&mut self, va: Vaddr, prop: PageProp) -> Result<(), VmError> {
        self.check(&(va..va + PAGE_SIZE))?;
        let table = self.leaf_table(va)?;
        let i = index_of(va, 1);
        if let Entry::Leaf(pa, _) = self.read(table, i, 1) {
            self.write(table, i, 1, va, Entry::Leaf(pa, prop));
        }
        Ok(())
    }

    /// Maps `[va, va + size)` to physical `[pa, pa + size)` with the largest leaves the
    /// alignment and the format allow. Frames mapped this way are not reference-counted: use it
    /// for physical memory and device windows in a space that does not track frames. `prop` must
    /// allow some access (a leaf without any is not expressible: on RISC-V it would be a
    /// pointer to a next-level table, on x86-64 readable).
    pub fn map_physical(
        &mut self,
        va: Vaddr,
        pa: PAddr,
        size: usize,
        prop: PageProp,
    ) -> Result<(), VmError> {
        self.map_physical_up_to(va, pa, size, prop, P::Arch::MAX_LEAF_LEVEL)
    }

    /// [`map_physical`](Self::map_physical) with leaves no larger than level `max_leaf` (for a
    /// CPU without the format's largest pages, such as an x86-64 CPU without 1 GiB pages).
    pub fn map_physical_up_to(
        &mut self,
        va: Vaddr,
        pa: PAddr,
        size: usize,
        prop: PageProp,
        max_leaf: u8,
    ) -> Result<(), VmError> {
        self.check(&(va..va + size))?;
        if self.space.tracks_frames() || !pa.is_multiple_of(PAGE_SIZE) || prop.access().is_empty() {
            return Err(VmError::InvalidArgument);
        }
        let mut gather = Gather::new();
        let mut off = 0;
        while off < size {
            let (v, a) = (va + off, pa + off);
            let level = (2..=P::Arch::MAX_LEAF_LEVEL.min(max_leaf).min(self.top.1))
                .rev()
                .find(|&l| {
                    let s = entry_size(l);
                    v % s == 0 && a % s == 0 && size - off >= s && l <= self.top.1
                })
                .unwrap_or(1);
            let table = match self.table_at(v, level) {
                Ok(table) => table,
                Err(e) => {
                    self.release(&mut gather);
                    return Err(e);
                }
            };
            let i = index_of(v, level);
            let old = self.load(table, i);
            let new = Entry::Leaf(a, prop).encode::<P::Arch>(level);
            let old = self.replace(table, i, level, v, old, new);
            self.remove(old, level, &mut gather);
            off += entry_size(level);
        }
        self.release(&mut gather);
        Ok(())
    }

    /// Removes every mapping and status in `range`. Returns the number of pages that were
    /// mapped. Their frames are released once the TLB no longer maps them, before this
    /// returns.
    pub fn unmap(&mut self, range: Range<Vaddr>) -> Result<usize, VmError> {
        self.check(&range)?;
        self.fill_range(range, Fill::INVALID)
    }

    /// Sets the status of every page in `range` to `status` (for `File`, the first page of the
    /// range gets `page`, the next `page + 1`, and so on), removing what was there. Aligned
    /// sub-ranges get one high-level entry each, split only when something inside changes.
    pub fn mark(&mut self, range: Range<Vaddr>, status: Status) -> Result<usize, VmError> {
        self.check(&range)?;
        if matches!(status, Status::Inaccessible { .. }) {
            return Err(VmError::InvalidArgument); // it names one frame: use `map`
        }
        self.fill_range(range, Fill::status(status))
    }

    /// [`fill`](Self::fill) from the top, then the release of the frames removed.
    fn fill_range(&mut self, range: Range<Vaddr>, fill: Fill) -> Result<usize, VmError> {
        let mut gather = Gather::new();
        let (table, level, base) = self.top;
        let start = range.start;
        let removed = if level == 1 {
            Ok(self.fill_leaves(table, range, start, fill, &mut gather))
        } else {
            self.fill(table, level, base, range, start, fill, &mut gather)
        };
        self.release(&mut gather);
        removed
    }

    /// Sets every entry covering `range` to what `fill` says for it (`start` is where the
    /// fill's first page is); returns the number of mapped pages removed.
    #[allow(clippy::too_many_arguments)]
    fn fill(
        &mut self,
        table: PAddr,
        level: u8,
        base: Vaddr,
        range: Range<Vaddr>,
        start: Vaddr,
        fill: Fill,
        gather: &mut Gather,
    ) -> Result<usize, VmError> {
        if level == 1 {
            return Ok(self.fill_leaves(table, range, start, fill, gather));
        }
        let mut removed = 0;
        for (i, span) in entries(level, base, &range) {
            let old = self.load(table, i);
            if fill.is_uniform(old) {
                continue; // already says what the fill would, at this level or below
            }
            if range.start <= span.start && span.end <= range.end {
                let new = fill.at((span.start - start) / PAGE_SIZE);
                let old = self.replace(table, i, level, span.start, old, new);
                if holds_memory(old) {
                    removed += self.remove(old, level, gather);
                }
                continue;
            }
            let child = self.split_entry(table, i, level, span.start)?;
            let sub = clamp(&range, &span);
            removed += self.fill(child, level - 1, span.start, sub, start, fill, gather)?;
            self.prune(table, i, level, span.start, child);
        }
        Ok(removed)
    }

    /// [`fill`](Self::fill) in a last-level table, which `range` lies in: every entry is
    /// covered, so one pass over the slots.
    fn fill_leaves(
        &mut self,
        table: PAddr,
        range: Range<Vaddr>,
        start: Vaddr,
        fill: Fill,
        gather: &mut Gather,
    ) -> usize {
        let space: &'a VmSpace<P> = self.space;
        let first = index_of(range.start, 1);
        let pages = (range.end - range.start) / PAGE_SIZE;
        let mut removed = 0;
        let mut va = range.start;
        for i in first..first + pages {
            let entry = space.platform().entry(table, i);
            let old = entry.load(Ordering::Acquire);
            if !fill.is_uniform(old) {
                let new = fill.at((va - start) / PAGE_SIZE);
                let old = self.replace_entry(entry, 1, va, old, new);
                if holds_memory(old) {
                    removed += self.remove(old, 1, gather);
                }
            }
            va += PAGE_SIZE;
        }
        removed
    }

    /// The slot of `va` when the top is the last-level table holding it (a transaction on a
    /// few pages that were touched before): its index and raw entry.
    #[inline]
    pub(crate) fn top_leaf(&self, va: Vaddr) -> Option<(usize, u64)> {
        let (table, level, _) = self.top;
        (level == 1).then(|| {
            let i = index_of(va, 1);
            (i, self.load(table, i))
        })
    }

    /// Replaces the non-present entry `raw` at slot `i` of the top (see
    /// [`top_leaf`](Self::top_leaf)) by `new`.
    #[inline]
    pub(crate) fn set_top_leaf(&mut self, i: usize, raw: u64, new: u64) {
        debug_assert!(!holds_memory(raw) && self.top.1 == 1);
        let p = self.space.platform();
        p.entry(self.top.0, i).store(new, Ordering::Release);
    }

    /// After an unmap: whether the top is a page-table page below the root that is now entirely
    /// invalid, as its span and level. The entries beside `range` are looked at first, so that
    /// the full scan is rare.
    pub(crate) fn emptied_top(&self, range: &Range<Vaddr>) -> Option<(Vaddr, u8)> {
        let (table, level, base) = self.top;
        if level == levels::<P>() {
            return None;
        }
        let (first, last) = (index_of(range.start, level), index_of(range.end - 1, level));
        let beside = [first.checked_sub(1), (last < 511).then_some(last + 1)];
        if beside
            .into_iter()
            .flatten()
            .any(|i| self.load(table, i) != 0)
        {
            return None;
        }
        (0..512)
            .all(|i| self.load(table, i) == 0)
            .then_some((base, level))
    }

    /// Unlinks and retires the page-table page at `level` spanning from `base` if it is
    /// entirely invalid and this cursor's top is its parent (a cursor from
    /// [`new_above`](Self::new_above)); returns, like [`emptied_top`](Self::emptied_top),
    /// whether the parent became empty in turn.
    pub(crate) fn prune_child(&mut self, base: Vaddr, level: u8) -> Option<(Vaddr, u8)> {
        let (table, top_level, _) = self.top;
        if top_level != level + 1 {
            return None; // the tree changed meanwhile; nothing to do here
        }
        let i = index_of(base, top_level);
        let child = table_of::<P::Arch>(self.load(table, i), top_level)?;
        self.prune(table, i, top_level, base, child);
        let span = base..base + table_span(level);
        self.emptied_top(&span)
    }

    /// Unlinks `child` (entry `i` of `table`) if it became entirely invalid.
    fn prune(&mut self, table: PAddr, i: usize, level: u8, va: Vaddr, child: PAddr) {
        let p = self.space.platform();
        if (0..512).all(|j| p.entry(child, j).load(Ordering::Relaxed) == 0) {
            let link = self.load(table, i);
            self.replace(table, i, level, va, link, 0);
            self.retire(child);
        }
    }

    /// Retires a page-table page this cursor unlinked: marks it stray and unlocks it (a walker
    /// that still reaches it will start over), and queues it for RCU.
    fn retire(&mut self, table: PAddr) {
        let meta = self.space.platform().meta(table);
        meta.stray.store(true, Ordering::Release);
        meta.lock.unlock();
        self.dirty = true;
        self.retired.push(table);
    }

    /// Releases what an overwritten raw entry at `level` held (frames go to `gather`, tables
    /// are retired); returns the number of mapped pages it had.
    fn remove(&mut self, old: u64, level: u8, gather: &mut Gather) -> usize {
        match Entry::decode::<P::Arch>(old, level) {
            Entry::Table(child) => {
                let p = self.space.platform();
                let mut removed = 0;
                for j in 0..512 {
                    let raw = p.entry(child, j).load(Ordering::Relaxed);
                    if holds_memory(raw) {
                        removed += self.remove(raw, level - 1, gather);
                    }
                }
                self.retire(child);
                removed
            }
            Entry::Leaf(pa, _) | Entry::Status(Status::Inaccessible { pa, .. }) => {
                if self.space.tracks_frames() {
                    debug_assert_eq!(level, 1, "tracked spaces map 4 KiB frames only");
                    if gather.len == gather.frames.len() {
                        self.release(gather);
                    }
                    gather.frames[gather.len] = pa;
                    gather.len += 1;
                }
                entry_size(level) / PAGE_SIZE
            }
            _ => 0,
        }
    }

    /// Flushes the TLB for what changed so far and drops the frame references in `gather`.
    fn release(&mut self, gather: &mut Gather) {
        if gather.len == 0 {
            return;
        }
        self.flush();
        let p = self.space.platform();
        for &pa in &gather.frames[..gather.len] {
            p.put_frame(pa);
        }
        gather.len = 0;
    }

    /// Changes the properties of every mapping and status in `range` to `f(old)`. A mapping
    /// whose access becomes empty turns into [`Status::Inaccessible`] (and back).
    /// `f` gets the page's frame (for mappings) and its properties.
    pub fn protect(
        &mut self,
        range: Range<Vaddr>,
        f: &dyn Fn(Option<PAddr>, PageProp) -> PageProp,
    ) -> Result<(), VmError> {
        self.check(&range)?;
        let (table, level, base) = self.top;
        self.protect_in(table, level, base, range, f)
    }

    fn protect_in(
        &mut self,
        table: PAddr,
        level: u8,
        base: Vaddr,
        range: Range<Vaddr>,
        f: &dyn Fn(Option<PAddr>, PageProp) -> PageProp,
    ) -> Result<(), VmError> {
        for (i, span) in entries(level, base, &range) {
            let covered = range.start <= span.start && span.end <= range.end;
            let old = self.read(table, i, level);
            let new = match old {
                Entry::Invalid | Entry::Status(Status::Guard) => continue,
                Entry::Table(child) => {
                    self.protect_in(child, level - 1, span.start, clamp(&range, &span), f)?;
                    continue;
                }
                _ if !covered || (level > 1 && matches!(old, Entry::Leaf(..))) => {
                    let child = self.split_entry(table, i, level, span.start)?;
                    self.protect_in(child, level - 1, span.start, clamp(&range, &span), f)?;
                    continue;
                }
                Entry::Leaf(pa, prop) => {
                    let new = f(Some(pa), prop);
                    if new.access().is_empty() {
                        Entry::Status(Status::Inaccessible {
                            pa,
                            cow: new.contains(PageProp::COW),
                            user: new.contains(PageProp::USER),
                        })
                    } else {
                        Entry::Leaf(pa, new)
                    }
                }
                Entry::Status(Status::Inaccessible { pa, cow, user }) => {
                    let mut before = PageProp::empty();
                    before.set(PageProp::COW, cow);
                    before.set(PageProp::USER, user);
                    let new = f(Some(pa), before);
                    if new.access().is_empty() {
                        continue;
                    }
                    Entry::Leaf(pa, new)
                }
                Entry::Status(Status::Anonymous { prop }) => Entry::Status(Status::Anonymous {
                    prop: f(None, prop),
                }),
                Entry::Status(Status::File { object, page, prop }) => Entry::Status(Status::File {
                    object,
                    page,
                    prop: f(None, prop),
                }),
            };
            self.write(table, i, level, span.start, new);
        }
        Ok(())
    }

    /// Flushes the TLB now for what changed so far (also done on drop).
    pub fn flush(&mut self) {
        if !self.flush.is_empty() {
            let range = core::mem::replace(&mut self.flush, 0..0);
            self.space.platform().flush_tlb(self.space.root(), range);
        }
    }

    /// Allocates an empty page-table page held locked by this cursor (for fork); the caller
    /// links it inside the cursor's range before the cursor is dropped.
    pub(crate) fn adopt_table(&mut self) -> Result<PAddr, VmError> {
        let p = self.space.platform();
        let table = crate::platform::new_table(p).ok_or(VmError::NoMemory)?;
        p.meta(table).lock.lock();
        self.deep = true;
        Ok(table)
    }

    /// The top page-table page, its level and the start of its span.
    pub(crate) fn top(&self) -> (PAddr, u8, Vaddr) {
        self.top
    }

    pub(crate) fn raw_read(&self, table: PAddr, i: usize, level: u8) -> Entry {
        self.read(table, i, level)
    }

    pub(crate) fn raw_write(&mut self, table: PAddr, i: usize, level: u8, va: Vaddr, e: Entry) {
        self.write(table, i, level, va, e);
    }
}

impl<P: Platform> Drop for Cursor<'_, P> {
    #[inline(always)]
    fn drop(&mut self) {
        let rcu = self.space.rcu();
        if self.deep || self.dirty || rcu.has_waiting() {
            self.release_all();
        } else {
            // The common case: one page locked, nothing to flush or retire.
            self.space.platform().meta(self.top.0).lock.unlock();
        }
    }
}

impl<P: Platform> Cursor<'_, P> {
    /// The end of a transaction (see the module docs): flush, unlock, hand retired pages to
    /// RCU.
    #[inline(never)]
    fn release_all(&mut self) {
        self.flush();
        let p = self.space.platform();
        let (top, level, base) = self.top;
        if self.deep {
            self.unlock_below(top, level, base, self.range.clone());
        }
        p.meta(top).lock.unlock();
        let rcu = self.space.rcu();
        let mut retired = core::mem::take(&mut *self.retired);
        if !retired.is_empty() || rcu.has_waiting() {
            rcu.retire(&mut retired, |table| p.free_table(table));
        }
    }
}

/// The status of the page `offset` bytes into a range whose status is `s`.
fn page_status(s: Status, offset: usize) -> Status {
    match s {
        Status::File { object, page, prop } => Status::File {
            object,
            page: page + (offset / PAGE_SIZE) as u64,
            prop,
        },
        other => other,
    }
}

/// `a ∩ b`.
fn clamp(a: &Range<Vaddr>, b: &Range<Vaddr>) -> Range<Vaddr> {
    a.start.max(b.start)..a.end.min(b.end)
}

/// The entries of a table at `level` whose span starts at `base` that overlap `range`, with
/// each entry's span.
#[inline]
fn entries(
    level: u8,
    base: Vaddr,
    range: &Range<Vaddr>,
) -> impl Iterator<Item = (usize, Range<Vaddr>)> {
    let size = entry_size(level);
    let span_end = base.saturating_add(table_span(level));
    let (start, end) = (range.start.max(base), range.end.min(span_end));
    let first = (start - base) / size;
    let last = if end > start {
        (end - 1 - base) / size + 1
    } else {
        first
    };
    // The top entry of the upper half ends at 2^64: its range ends one byte short instead.
    (first..last).map(move |i| {
        let start = base + i * size;
        (i, start..start.saturating_add(size))
    })
}
