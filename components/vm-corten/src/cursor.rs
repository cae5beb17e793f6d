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
//! 2. Lock that page (the *top*). If it is *stray* (unlinked meanwhile), unlock and start over.
//! 3. Lock every page-table page below the top that overlaps the range, in depth-first address
//!    order. Entries of a locked page change only under its lock, so the children found are
//!    live and stay linked.
//! 4. Leave the read section: nothing in the locked subtree can be unlinked by anyone else.
//!
//! Every cursor takes locks top-down along tree paths, and two cursors with the same top
//! serialise on it, so there is no cycle and no deadlock. Cursors whose ranges are disjoint lock
//! disjoint sets of pages, except when they share a top, and proceed in parallel.
//!
//! Changes are made in place. A page-table page that a change empties or replaces is unlinked
//! (its parent entry cleared), marked stray while still locked, and *retired*. When the cursor
//! is dropped it (a) flushes the TLB for every range whose present entries changed, (b) unlocks,
//! (c) hands retired pages to RCU, which frees them after a grace period, and (d) drops the
//! references to data frames it unmapped. So no frame or page-table page is reused while a CPU
//! may still translate through it or a walker may still read it.

use alloc::vec::Vec;
use core::ops::Range;

use crate::arch::{PagingArch, entry_size, index_of};
use crate::pte::{Entry, PageProp, PageState, Status};
use crate::space::VmSpace;
use crate::sync::Ordering;
use crate::{PAGE_SIZE, PAddr, Platform, Vaddr, VmError};

/// Exclusive access to a range of an address space. See the [module docs](self).
pub struct Cursor<'a, P: Platform> {
    space: &'a VmSpace<P>,
    range: Range<Vaddr>,
    /// The top page-table page, its level and the virtual address its span starts at.
    top: (PAddr, u8, Vaddr),
    /// Every page-table page this cursor holds locked.
    locked: PageList,
    /// Virtual range whose translations changed and must be flushed.
    flush: Option<Range<Vaddr>>,
    /// Page-table pages unlinked by this cursor.
    retired: Vec<PAddr>,
    /// Data-frame references to drop after the flush.
    released: Vec<PAddr>,
}

fn levels<P: Platform>() -> u8 {
    P::Arch::LEVELS
}

/// Span of a page-table page at `level`.
fn table_span(level: u8) -> usize {
    entry_size(level).saturating_mul(512)
}

impl<'a, P: Platform> Cursor<'a, P> {
    /// Locks `range` (see the module docs). The range must be page-aligned, non-empty and
    /// inside the space's user range.
    #[inline]
    pub(crate) fn new(space: &'a VmSpace<P>, range: Range<Vaddr>) -> Self {
        let p = space.platform();
        loop {
            let read = space.rcu().read(p.cpu_hint());
            let (mut table, mut level, mut base) = (space.root(), levels::<P>(), 0);
            while level > 1 {
                let (first, last) = (index_of(range.start, level), index_of(range.end - 1, level));
                if first != last {
                    break;
                }
                let raw = p.entry(table, first).load(Ordering::Acquire);
                match Entry::decode::<P::Arch>(raw, level) {
                    Entry::Table(child) => {
                        base += first * entry_size(level);
                        table = child;
                        level -= 1;
                    }
                    _ => break,
                }
            }
            let meta = p.meta(table);
            meta.lock.lock();
            if meta.stray.load(Ordering::Acquire) {
                meta.lock.unlock();
                drop(read);
                continue;
            }
            let mut cursor = Cursor {
                space,
                range: range.clone(),
                top: (table, level, base),
                locked: PageList::one(table),
                flush: None,
                retired: Vec::new(),
                released: Vec::new(),
            };
            cursor.lock_below(table, level, base, range.clone());
            drop(read);
            return cursor;
        }
    }

    /// Locks the page-table pages under `table` that overlap `range`, depth first.
    fn lock_below(&mut self, table: PAddr, level: u8, base: Vaddr, range: Range<Vaddr>) {
        if level == 1 {
            return;
        }
        let p = self.space.platform();
        for (i, span) in entries(level, base, &range) {
            let raw = p.entry(table, i).load(Ordering::Acquire);
            if let Entry::Table(child) = Entry::decode::<P::Arch>(raw, level) {
                p.meta(child).lock.lock();
                self.locked.push(child);
                self.lock_below(child, level - 1, span.start, clamp(&range, &span));
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

    fn read(&self, table: PAddr, i: usize, level: u8) -> Entry {
        Entry::decode::<P::Arch>(
            self.space
                .platform()
                .entry(table, i)
                .load(Ordering::Acquire),
            level,
        )
    }

    /// Writes an entry; records what must be flushed.
    fn write(&mut self, table: PAddr, i: usize, level: u8, va: Vaddr, new: Entry) -> Entry {
        let raw = new.encode::<P::Arch>(level);
        let old_raw = self
            .space
            .platform()
            .entry(table, i)
            .swap(raw, Ordering::AcqRel);
        let old = Entry::decode::<P::Arch>(old_raw, level);
        if matches!(old, Entry::Leaf(..) | Entry::Table(_)) {
            let end = va + entry_size(level);
            self.flush = Some(match self.flush.take() {
                None => va..end,
                Some(r) => r.start.min(va)..r.end.max(end),
            });
        }
        old
    }

    /// What the page at `va` is.
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

    fn find_in(&self, table: PAddr, level: u8, base: Vaddr, range: Range<Vaddr>) -> Option<Vaddr> {
        for (i, span) in entries(level, base, &range) {
            match self.read(table, i, level) {
                Entry::Invalid => {}
                Entry::Table(child) => {
                    if let Some(va) =
                        self.find_in(child, level - 1, span.start, clamp(&range, &span))
                    {
                        return Some(va);
                    }
                }
                _ => return Some(span.start.max(range.start)),
            }
        }
        None
    }

    /// Descends to the last-level table holding `va`, splitting huge leaves and high-level
    /// statuses and creating missing tables on the way.
    fn leaf_table(&mut self, va: Vaddr) -> Result<PAddr, VmError> {
        let (mut table, mut level, mut base) = self.top;
        while level > 1 {
            let i = index_of(va, level);
            let entry_va = base + i * entry_size(level);
            table = self.split_entry(table, i, level, entry_va)?;
            base = entry_va;
            level -= 1;
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
        let old = self.read(table, i, level);
        if let Entry::Table(child) = old {
            return Ok(child);
        }
        let p = self.space.platform();
        let child = crate::platform::new_table(p).ok_or(VmError::NoMemory)?;
        p.meta(child).lock.lock();
        self.locked.push(child);
        let sub = entry_size(level - 1);
        for j in 0..512 {
            let e = match old {
                Entry::Invalid | Entry::Table(_) => continue,
                Entry::Leaf(pa, prop) => Entry::Leaf(pa + j * sub, prop),
                Entry::Status(s) => Entry::Status(s.split(level, j)),
            };
            p.entry(child, j)
                .store(e.encode::<P::Arch>(level - 1), Ordering::Relaxed);
        }
        // The link is written with release ordering (in `write`), after the child's entries.
        self.write(table, i, level, entry_va, Entry::Table(child));
        Ok(child)
    }

    /// Maps the 4 KiB page at `va` to the data frame `pa` with `prop`, replacing whatever was
    /// there. The cursor takes over one reference to `pa` (in a space that tracks frames).
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
        let old = self.write(table, index_of(va, 1), 1, va, entry);
        self.release_entry(old, 1);
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
        self.check(&(va..va + size))?;
        if self.space.tracks_frames() || !pa.is_multiple_of(PAGE_SIZE) || prop.access().is_empty() {
            return Err(VmError::InvalidArgument);
        }
        let mut off = 0;
        while off < size {
            let (v, a) = (va + off, pa + off);
            let level = (2..=P::Arch::MAX_LEAF_LEVEL.min(self.top.1))
                .rev()
                .find(|&l| {
                    let s = entry_size(l);
                    v % s == 0 && a % s == 0 && size - off >= s && l <= self.top.1
                })
                .unwrap_or(1);
            let table = self.table_at(v, level)?;
            let i = index_of(v, level);
            let old = self.write(table, i, level, v, Entry::Leaf(a, prop));
            self.release_entry(old, level);
            off += entry_size(level);
        }
        Ok(())
    }

    /// The table at `level` holding `va`, splitting and creating on the way.
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

    /// Removes every mapping and status in `range`. Returns the number of pages that were
    /// mapped. Their frames are released after the TLB flush, when the cursor is dropped.
    pub fn unmap(&mut self, range: Range<Vaddr>) -> Result<usize, VmError> {
        self.check(&range)?;
        let (table, level, base) = self.top;
        self.fill(table, level, base, range, &|_| Entry::Invalid)
    }

    /// Sets the status of every page in `range` to `status` (for `File`, the first page of the
    /// range gets `page`, the next `page + 1`, and so on), removing what was there. Aligned
    /// sub-ranges get one high-level entry each, split only when something inside changes.
    pub fn mark(&mut self, range: Range<Vaddr>, status: Status) -> Result<usize, VmError> {
        self.check(&range)?;
        if matches!(status, Status::Inaccessible { .. }) {
            return Err(VmError::InvalidArgument); // it names one frame: use `map`
        }
        let start = range.start;
        let (table, level, base) = self.top;
        self.fill(table, level, base, range, &|va| {
            Entry::Status(page_status(status, va - start))
        })
    }

    /// Sets every entry covering `range` to `fill(first va of the entry)`; returns the number of
    /// mapped pages removed.
    fn fill(
        &mut self,
        table: PAddr,
        level: u8,
        base: Vaddr,
        range: Range<Vaddr>,
        fill: &dyn Fn(Vaddr) -> Entry,
    ) -> Result<usize, VmError> {
        let mut removed = 0;
        for (i, span) in entries(level, base, &range) {
            let covered = range.start <= span.start && span.end <= range.end;
            let old = self.read(table, i, level);
            if covered {
                let new = fill(span.start);
                if new == Entry::Invalid && old == Entry::Invalid {
                    continue;
                }
                let old = self.write(table, i, level, span.start, new);
                removed += self.remove(old, level);
                continue;
            }
            if old == Entry::Invalid && fill(span.start.max(range.start)) == Entry::Invalid {
                continue;
            }
            let child = self.split_entry(table, i, level, span.start)?;
            removed += self.fill(child, level - 1, span.start, clamp(&range, &span), fill)?;
            self.prune(table, i, level, span.start, child);
        }
        Ok(removed)
    }

    /// Unlinks `child` (entry `i` of `table`) if it became entirely invalid.
    fn prune(&mut self, table: PAddr, i: usize, level: u8, va: Vaddr, child: PAddr) {
        let p = self.space.platform();
        if (0..512).all(|j| p.entry(child, j).load(Ordering::Relaxed) == 0) {
            self.write(table, i, level, va, Entry::Invalid);
            self.retire(child);
        }
    }

    fn retire(&mut self, table: PAddr) {
        self.space
            .platform()
            .meta(table)
            .stray
            .store(true, Ordering::Release);
        self.retired.push(table);
    }

    /// Releases what an overwritten entry held; returns the number of mapped pages it had.
    fn remove(&mut self, old: Entry, level: u8) -> usize {
        match old {
            Entry::Table(child) => {
                let p = self.space.platform();
                let mut removed = 0;
                for j in 0..512 {
                    let raw = p.entry(child, j).swap(0, Ordering::AcqRel);
                    removed += self.remove(Entry::decode::<P::Arch>(raw, level - 1), level - 1);
                }
                self.retire(child);
                removed
            }
            other => self.release_entry(other, level),
        }
    }

    /// Queues the frame reference held by a leaf (or inaccessible) entry for release.
    fn release_entry(&mut self, old: Entry, level: u8) -> usize {
        match old {
            Entry::Leaf(pa, _) | Entry::Status(Status::Inaccessible { pa, .. }) => {
                if self.space.tracks_frames() {
                    debug_assert_eq!(level, 1, "tracked spaces map 4 KiB frames only");
                    self.released.push(pa);
                }
                entry_size(level) / PAGE_SIZE
            }
            Entry::Table(_) => self.remove(old, level),
            _ => 0,
        }
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
        if let Some(range) = self.flush.take() {
            self.space.platform().flush_tlb(self.space.root(), range);
        }
    }

    /// Allocates an empty page-table page held locked by this cursor (for fork).
    pub(crate) fn adopt_table(&mut self) -> Result<PAddr, VmError> {
        let p = self.space.platform();
        let table = crate::platform::new_table(p).ok_or(VmError::NoMemory)?;
        p.meta(table).lock.lock();
        self.locked.push(table);
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
    fn drop(&mut self) {
        self.flush();
        let p = self.space.platform();
        for table in self.locked.iter_rev() {
            p.meta(table).lock.unlock();
        }
        let freed = self.space.rcu().retire(&mut self.retired);
        for table in freed {
            p.free_table(table);
        }
        if self.space.tracks_frames() {
            for pa in self.released.drain(..) {
                p.put_frame(pa);
            }
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
    (first..last).map(move |i| (i, base + i * size..base + (i + 1) * size))
}

/// A list of page-table pages, inline for the common short case (a transaction on a few
/// pages locks one to a few tables), so that a cursor does not allocate.
struct PageList {
    inline: [PAddr; 6],
    len: usize,
    more: Vec<PAddr>,
}

impl PageList {
    fn one(table: PAddr) -> Self {
        Self {
            inline: [table, 0, 0, 0, 0, 0],
            len: 1,
            more: Vec::new(),
        }
    }

    fn push(&mut self, table: PAddr) {
        if self.len < self.inline.len() {
            self.inline[self.len] = table;
            self.len += 1;
        } else {
            self.more.push(table);
        }
    }

    /// The pages, last locked first.
    fn iter_rev(&self) -> impl Iterator<Item = PAddr> + '_ {
        self.more
            .iter()
            .rev()
            .chain(self.inline[..self.len].iter().rev())
            .copied()
    }
}
