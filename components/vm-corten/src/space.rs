//! Address spaces and the operations services build on: mmap, munmap, mprotect, page faults,
//! fork. Each is one transaction ([`Cursor`]) over the range it touches.
//!
//! Non-fixed mmap takes addresses from per-CPU arenas (1 GiB chunks handed out by one atomic
//! counter), so threads on different CPUs neither share a lock nor, usually, a page-table page;
//! the page table stays the only record of what is mapped, and the chosen range is checked to
//! be empty under its lock (a `MAP_FIXED` mapping may have landed there). A CPU's arena is part
//! of its [`PerCpu`] state, which the thread owning the CPU's RCU slot uses without a lock; a
//! thread that finds the slot taken (another thread with the same CPU hint) uses a spare arena
//! under a spin lock instead.

use alloc::sync::Arc;
use core::ops::Range;

use crate::arch::{PagingArch, entry_size};
use crate::cursor::Cursor;
use crate::leaf::LeafCursor;
use crate::percpu::{PerCpu, bump};
use crate::pte::{Entry, Fill, PageProp, PageState, Status};
use crate::rcu::{Rcu, ReadGuard, SLOTS};
use crate::sync::{AtomicUsize, CachePadded, Ordering, SpinMutex};
use crate::{FileBacking, PAGE_SIZE, PAddr, Platform, Vaddr, VmError};

const ARENA_SIZE: usize = 1 << 30;

/// The kind of access that faulted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// A load.
    Read,
    /// A store.
    Write,
    /// An instruction fetch.
    Exec,
}

impl Access {
    fn allowed_by(self, prop: PageProp) -> bool {
        match self {
            Access::Read => prop.contains(PageProp::READ),
            Access::Write => prop.contains(PageProp::WRITE),
            Access::Exec => prop.contains(PageProp::EXEC),
        }
    }
}

/// An address space: a root page table and nothing else.
pub struct VmSpace<P: Platform> {
    platform: Arc<P>,
    root: PAddr,
    rcu: Rcu,
    user_end: Vaddr,
    /// Whether this is a kernel space (managing the upper half) rather than a user space.
    kernel: bool,
    tracked: bool,
    mmap_base: Vaddr,
    next_arena: AtomicUsize,
    /// Per-CPU state, by RCU slot (see [`PerCpu`]).
    percpu: [CachePadded<PerCpu>; SLOTS],
    /// The arena of threads that found their CPU's RCU slot taken.
    spare_arena: SpinMutex<Range<Vaddr>>,
}

impl<P: Platform> VmSpace<P> {
    /// A new, empty user address space, whose data frames are reference-counted (mapped
    /// frames are released to the platform when unmapped).
    pub fn new(platform: Arc<P>) -> Result<Self, VmError> {
        Self::with_tracking(platform, true)
    }

    /// A new, empty address space whose mappings are not reference-counted, for mapping
    /// physical memory and devices with [`Cursor::map_physical`].
    pub fn new_untracked(platform: Arc<P>) -> Result<Self, VmError> {
        Self::with_tracking(platform, false)
    }

    /// A new, empty kernel address space: it manages the upper half (addresses from
    /// `0 - user_end()`, sign-extended), does not track frames, and its root is not given the
    /// platform's shared kernel half ([`Platform::init_root`]): it *is* that half. Map physical
    /// memory into it with [`Cursor::map_physical`].
    pub fn new_kernel(platform: Arc<P>) -> Result<Self, VmError> {
        let root = crate::platform::new_table(&*platform).ok_or(VmError::NoMemory)?;
        Ok(Self::with_root(platform, root, false, true))
    }

    fn with_tracking(platform: Arc<P>, tracked: bool) -> Result<Self, VmError> {
        let root = crate::platform::new_table(&*platform).ok_or(VmError::NoMemory)?;
        platform.init_root(root);
        Ok(Self::with_root(platform, root, tracked, false))
    }

    fn with_root(platform: Arc<P>, root: PAddr, tracked: bool, kernel: bool) -> Self {
        let user_end = entry_size(P::Arch::LEVELS) * 256;
        Self {
            platform,
            root,
            rcu: Rcu::new(),
            user_end,
            kernel,
            tracked,
            mmap_base: user_end / 2,
            next_arena: AtomicUsize::new(0),
            percpu: core::array::from_fn(|_| CachePadded(PerCpu::new())),
            spare_arena: SpinMutex::new(0..0),
        }
    }

    /// Physical address of the root table (for CR3 / satp).
    pub fn root(&self) -> PAddr {
        self.root
    }

    /// End of the user half: user addresses are `0..user_end()`.
    pub fn user_end(&self) -> Vaddr {
        self.user_end
    }

    pub(crate) fn platform(&self) -> &P {
        &self.platform
    }

    pub(crate) fn rcu(&self) -> &Rcu {
        &self.rcu
    }

    /// The per-CPU state of slot `slot`, for reading what it remembers.
    #[inline]
    pub(crate) fn percpu_of(&self, slot: usize) -> &PerCpu {
        &self.percpu[slot].0
    }

    /// The per-CPU state that the read section `read` owns, if it owns its slot.
    #[inline]
    pub(crate) fn percpu(&self, read: &ReadGuard<'_>) -> Option<&PerCpu> {
        read.owned_slot().map(|slot| &self.percpu[slot].0)
    }

    pub(crate) fn tracks_frames(&self) -> bool {
        self.tracked
    }

    /// Starts a transaction on `range` (page-aligned, non-empty, inside the space's half: the
    /// user half, or for a [kernel space](Self::new_kernel) the upper half).
    #[inline]
    pub fn lock(&self, range: Range<Vaddr>) -> Result<Cursor<'_, P>, VmError> {
        let in_half = if self.kernel {
            range.start >= self.user_end.wrapping_neg()
        } else {
            range.end <= self.user_end
        };
        let ok = range.start < range.end
            && range.start.is_multiple_of(PAGE_SIZE)
            && range.end.is_multiple_of(PAGE_SIZE)
            && in_half;
        if !ok {
            return Err(VmError::InvalidArgument);
        }
        Ok(Cursor::new(self, range))
    }

    /// What the page at `va` is.
    pub fn query(&self, va: Vaddr) -> PageState {
        let page = va & !(PAGE_SIZE - 1);
        match self.lock(page..page + PAGE_SIZE) {
            Ok(cursor) => cursor.query(page),
            Err(_) => PageState::Invalid,
        }
    }

    /// `mmap`: gives `len` bytes (rounded up to pages) the status `status`, at `fixed` (which
    /// replaces what was there, like `MAP_FIXED`) or at an address chosen here. Returns the
    /// address.
    pub fn mmap(&self, fixed: Option<Vaddr>, len: usize, status: Status) -> Result<Vaddr, VmError> {
        let len = len
            .checked_next_multiple_of(PAGE_SIZE)
            .filter(|&l| l > 0)
            .ok_or(VmError::InvalidArgument)?;
        if let Some(va) = fixed {
            if va % PAGE_SIZE != 0 {
                return Err(VmError::InvalidArgument);
            }
            return self.mmap_fixed(va, len, status);
        }
        if matches!(status, Status::Inaccessible { .. }) {
            return Err(VmError::InvalidArgument); // it names one frame
        }
        // Encoded before the transaction, so that it is not done while holding the lock.
        let fill = Fill::status(status);
        let cpu = self.platform.cpu_hint();
        // The addresses are picked inside the read section that the transaction needs anyway,
        // which also gives this thread its CPU's arena.
        let read = self.rcu.read_biased(cpu);
        let picked = self.alloc_va(&read, len, false);
        if let Some(va) = picked {
            // The common case: inside the last-level table of the previous mmap.
            match LeafCursor::try_new(self, &(va..va + len), read) {
                Ok(leaf) => {
                    if leaf.mark_vacant(va..va + len, fill) {
                        return Ok(va);
                    }
                    drop(leaf);
                    return self.mmap_anywhere(len, status, cpu, None);
                }
                Err(read) => return self.mmap_anywhere(len, status, cpu, Some((picked, read))),
            }
        }
        self.mmap_anywhere(len, status, cpu, Some((None, read)))
    }

    /// `mmap` with `MAP_FIXED` at the page-aligned `va`.
    #[inline(never)]
    fn mmap_fixed(&self, va: Vaddr, len: usize, status: Status) -> Result<Vaddr, VmError> {
        let end = va
            .checked_add(len)
            .filter(|&e| e <= self.user_end)
            .ok_or(VmError::NoMemory)?;
        Cursor::new(self, va..end).mark(va..end, status)?;
        Ok(va)
    }

    /// The general case of a non-fixed mmap of `len` bytes on CPU `cpu`: a full transaction,
    /// and new attempts while the range picked turns out taken. `first` is a first attempt's
    /// range (`None`: the arenas are used up) and its read section, if the caller has one;
    /// without one, the arena is taken to be taken.
    #[inline(never)]
    fn mmap_anywhere(
        &self,
        len: usize,
        status: Status,
        cpu: usize,
        mut first: Option<(Option<Vaddr>, ReadGuard<'_>)>,
    ) -> Result<Vaddr, VmError> {
        let mut fresh = first.is_none();
        for _ in 0..64 {
            let (picked, read) = match first.take() {
                Some(first) => first,
                None => {
                    let read = self.rcu.read_biased(cpu);
                    (self.alloc_va(&read, len, fresh), read)
                }
            };
            let mut cursor = match picked {
                Some(va) => match LeafCursor::try_new(self, &(va..va + len), read) {
                    Ok(leaf) => {
                        if leaf.mark_vacant(va..va + len, Fill::status(status)) {
                            return Ok(va);
                        }
                        fresh = true;
                        continue;
                    }
                    Err(read) => Cursor::new_in(self, va..va + len, cpu, read),
                },
                None => {
                    drop(read);
                    let va = self.find_gap(len)?;
                    Cursor::new_on(self, va..va + len, cpu)
                }
            };
            if cursor.mark_vacant(status)? {
                return Ok(cursor.range().start);
            }
            // Taken (by a `MAP_FIXED` mapping): the rest of the arena may be too, so stepping
            // through it could fail 64 times; take a fresh arena instead.
            fresh = true;
        }
        Err(VmError::NoMemory)
    }

    /// Picks a free-looking range of `len` bytes from the arena of the CPU whose slot `read`
    /// registered in (from a fresh arena if `fresh`); `None` once the arenas are used up.
    #[inline]
    fn alloc_va(&self, read: &ReadGuard<'_>, len: usize, fresh: bool) -> Option<Vaddr> {
        let refill = |len| self.new_arena(len);
        match self.percpu(read) {
            Some(percpu) => percpu.take_va(len, fresh, refill),
            None => bump(&mut self.spare_arena.lock(), len, fresh, refill),
        }
    }

    /// A new arena of at least `len` bytes, or `None` if the address space has none left.
    fn new_arena(&self, len: usize) -> Option<Range<Vaddr>> {
        let size = len.next_multiple_of(ARENA_SIZE);
        let start = self.mmap_base + self.next_arena.fetch_add(size, Ordering::Relaxed);
        let end = start
            .checked_add(size)
            .filter(|&end| end <= self.user_end)?;
        Some(start..end)
    }

    /// Slow path once the arenas are used up: the lowest gap of `len` bytes above the mmap base.
    fn find_gap(&self, len: usize) -> Result<Vaddr, VmError> {
        let cursor = self.lock(self.mmap_base..self.user_end)?;
        let mut at = self.mmap_base;
        while at + len <= self.user_end {
            match cursor.find_next(at) {
                Some((used, _)) if used < at + len => at = used + PAGE_SIZE,
                _ => return Ok(at),
            }
        }
        Err(VmError::NoMemory)
    }

    /// `munmap`: removes every mapping and status in `[va, va + len)`. A page-table page that
    /// this leaves empty is freed (in a second transaction, on its parent, which the first did
    /// not lock), and so on upwards, as Linux frees the page tables of an unmapped range.
    pub fn munmap(&self, va: Vaddr, len: usize) -> Result<(), VmError> {
        let range = self.user_range(va, len)?;
        let cpu = self.platform.cpu_hint();
        let mut cursor = Cursor::new_on(self, range.clone(), cpu);
        cursor.unmap(range.clone())?;
        let mut emptied = cursor.emptied_top(&range);
        drop(cursor);
        while let Some((base, level)) = emptied {
            let span = base..base + entry_size(level + 1);
            emptied = Cursor::new_above(self, span, cpu, level + 1).prune_child(base, level);
        }
        Ok(())
    }

    /// `mprotect`: sets the access permissions (`READ`/`WRITE`/`EXEC` of `access`) of every
    /// page in `[va, va + len)`. Fails with `NoMemory` (`ENOMEM`) if part of the range is
    /// unmapped, changing nothing.
    pub fn mprotect(&self, va: Vaddr, len: usize, access: PageProp) -> Result<(), VmError> {
        let range = self.user_range(va, len)?;
        let access = access.access();
        let mut cursor = self.lock(range.clone())?;
        let mut at = range.start;
        while at < range.end {
            match cursor.query(at) {
                PageState::Invalid => return Err(VmError::NoMemory),
                PageState::Mapped { level, .. } => at = (at | (entry_size(level) - 1)) + 1,
                PageState::Status(_) => at += PAGE_SIZE,
            }
        }
        let platform = &self.platform;
        let tracked = self.tracked;
        cursor.protect(range, &|frame, old| {
            let keep = old & (PageProp::USER | PageProp::GLOBAL | PageProp::SHARED);
            let shared_frame = frame.is_some_and(|pa| {
                old.contains(PageProp::COW) || (tracked && platform.frame_refs(pa) > 1)
            });
            if access.contains(PageProp::WRITE) && !old.contains(PageProp::SHARED) && shared_frame {
                keep | (access - PageProp::WRITE) | PageProp::READ | PageProp::COW
            } else {
                keep | access
            }
        })
    }

    fn user_range(&self, va: Vaddr, len: usize) -> Result<Range<Vaddr>, VmError> {
        let len = len
            .checked_next_multiple_of(PAGE_SIZE)
            .filter(|&l| l > 0)
            .ok_or(VmError::InvalidArgument)?;
        let end = va.checked_add(len).ok_or(VmError::InvalidArgument)?;
        if !va.is_multiple_of(PAGE_SIZE) || end > self.user_end {
            return Err(VmError::InvalidArgument);
        }
        Ok(va..end)
    }

    /// Resolves a page fault at `va` for `access`: populates reserved anonymous memory with a
    /// zeroed frame, file-backed memory from `files`, and breaks copy-on-write. `Fault` means
    /// the access is not allowed (the caller sends `SIGSEGV`).
    pub fn handle_fault(
        &self,
        va: Vaddr,
        access: Access,
        files: &dyn FileBacking,
    ) -> Result<(), VmError> {
        if va >= self.user_end {
            return Err(VmError::Fault);
        }
        let page = va & !(PAGE_SIZE - 1);
        let p = &*self.platform;
        let cpu = p.cpu_hint();
        let read = self.rcu.read_biased(cpu);
        match LeafCursor::try_new(self, &(page..page + PAGE_SIZE), read) {
            Ok(leaf) => {
                // The common case, first touch of reserved anonymous memory in the last-level
                // table this CPU last worked in: one slot, read and written in place.
                let entry = leaf.entry(page);
                let raw = entry.load(Ordering::Acquire);
                if let Entry::Status(Status::Anonymous { prop }) = Entry::decode::<P::Arch>(raw, 1)
                    && access.allowed_by(prop)
                {
                    let frame = p.alloc_frame().ok_or(VmError::NoMemory)?;
                    let leaf_entry = Entry::Leaf(frame, prop | PageProp::USER);
                    leaf.replace_vacant(entry, raw, leaf_entry.encode::<P::Arch>(1));
                    return Ok(());
                }
                drop(leaf);
                self.fault_in_cursor(page, access, files, cpu, None)
            }
            Err(read) => self.fault_in_cursor(page, access, files, cpu, Some(read)),
        }
    }

    /// The general case of [`handle_fault`](Self::handle_fault) on the page at `page`: a full
    /// transaction (in the read section `read` if the caller has one). Out of line, so that the
    /// common case keeps its values in registers.
    #[inline(never)]
    fn fault_in_cursor(
        &self,
        page: Vaddr,
        access: Access,
        files: &dyn FileBacking,
        cpu: usize,
        read: Option<ReadGuard<'_>>,
    ) -> Result<(), VmError> {
        let p = &*self.platform;
        let range = page..page + PAGE_SIZE;
        let mut cursor = match read {
            Some(read) => Cursor::new_in(self, range, cpu, read),
            None => Cursor::new_on(self, range, cpu),
        };
        // The same when the last-level table is the cursor's top (it was not remembered).
        if let Some((i, raw)) = cursor.top_leaf(page)
            && let Entry::Status(Status::Anonymous { prop }) = Entry::decode::<P::Arch>(raw, 1)
            && access.allowed_by(prop)
        {
            let frame = p.alloc_frame().ok_or(VmError::NoMemory)?;
            let leaf = Entry::Leaf(frame, prop | PageProp::USER);
            cursor.set_top_leaf(i, raw, leaf.encode::<P::Arch>(1));
            return Ok(());
        }
        match cursor.query(page) {
            PageState::Mapped { prop, .. } if access.allowed_by(prop) => Ok(()), // raced, done
            PageState::Mapped { pa, prop, level: 1 }
                if access == Access::Write && prop.contains(PageProp::COW) =>
            {
                let writable = (prop - PageProp::COW) | PageProp::WRITE;
                if p.frame_refs(pa) == 1 {
                    cursor.set_prop(page, writable)
                } else {
                    let copy = p.alloc_frame().ok_or(VmError::NoMemory)?;
                    p.copy_frame(pa, copy);
                    cursor.map(page, copy, writable)
                }
            }
            PageState::Status(Status::Anonymous { prop }) if access.allowed_by(prop) => {
                let frame = p.alloc_frame().ok_or(VmError::NoMemory)?;
                cursor.map(page, frame, prop | PageProp::USER)
            }
            PageState::Status(Status::File {
                object,
                page: file_page,
                prop,
            }) if access.allowed_by(prop) => {
                let frame = files.page(object, file_page)?;
                let prop = prop | PageProp::USER;
                if prop.contains(PageProp::SHARED) {
                    cursor.map(page, frame, prop)
                } else if access == Access::Write {
                    let copy = p.alloc_frame();
                    if let Some(copy) = copy {
                        p.copy_frame(frame, copy);
                    }
                    p.put_frame(frame);
                    cursor.map(page, copy.ok_or(VmError::NoMemory)?, prop)
                } else if prop.contains(PageProp::WRITE) {
                    cursor.map(page, frame, (prop - PageProp::WRITE) | PageProp::COW)
                } else {
                    cursor.map(page, frame, prop)
                }
            }
            _ => Err(VmError::Fault),
        }
    }

    /// `fork`: a copy of this space in which private writable pages are shared copy-on-write
    /// (in both spaces), shared pages stay shared, and statuses are copied.
    pub fn fork(&self) -> Result<Self, VmError> {
        let child = Self::with_tracking(self.platform.clone(), self.tracked)?;
        // The child has the parent's mappings: its arenas must not start over where the
        // parent's were.
        let arenas_used = self.next_arena.load(Ordering::Relaxed);
        child.next_arena.store(arenas_used, Ordering::Relaxed);
        {
            let all = 0..self.user_end;
            let mut parent_cursor = self.lock(all.clone())?;
            let mut child_cursor = child.lock(all.clone())?;
            let (ptop, level, base) = parent_cursor.top();
            let (ctop, clevel, _) = child_cursor.top();
            debug_assert_eq!((level, clevel), (P::Arch::LEVELS, P::Arch::LEVELS));
            self.copy_table(
                &mut parent_cursor,
                &mut child_cursor,
                ptop,
                ctop,
                level,
                base,
                all,
            )?;
        }
        Ok(child)
    }

    #[allow(clippy::too_many_arguments)]
    fn copy_table(
        &self,
        parent: &mut Cursor<'_, P>,
        child: &mut Cursor<'_, P>,
        ptable: PAddr,
        ctable: PAddr,
        level: u8,
        base: Vaddr,
        range: Range<Vaddr>,
    ) -> Result<(), VmError> {
        let size = entry_size(level);
        let first = (range.start - base) / size;
        let last = ((range.end - 1 - base) / size).min(511);
        for i in first..=last {
            let va = base + i * size;
            let new = match parent.raw_read(ptable, i, level) {
                Entry::Invalid => continue,
                Entry::Table(pchild) => {
                    // Linked before it is filled, so that on failure the child space's drop
                    // finds and frees it.
                    let cchild = child.adopt_table()?;
                    child.raw_write(ctable, i, level, va, Entry::Table(cchild));
                    let sub = va..va + size;
                    self.copy_table(parent, child, pchild, cchild, level - 1, va, sub)?;
                    continue;
                }
                Entry::Leaf(pa, prop) => {
                    if self.tracked {
                        self.platform.get_frame(pa);
                    }
                    if prop.contains(PageProp::WRITE) && !prop.contains(PageProp::SHARED) {
                        let cow = (prop - PageProp::WRITE) | PageProp::COW;
                        parent.raw_write(ptable, i, level, va, Entry::Leaf(pa, cow));
                        Entry::Leaf(pa, cow)
                    } else {
                        Entry::Leaf(pa, prop)
                    }
                }
                Entry::Status(Status::Inaccessible { pa, user, .. }) => {
                    if self.tracked {
                        self.platform.get_frame(pa);
                    }
                    let s = Entry::Status(Status::Inaccessible {
                        pa,
                        cow: true,
                        user,
                    });
                    parent.raw_write(ptable, i, level, va, s);
                    s
                }
                status @ Entry::Status(_) => status,
            };
            child.raw_write(ctable, i, level, va, new);
        }
        Ok(())
    }
}

impl<P: Platform> Drop for VmSpace<P> {
    fn drop(&mut self) {
        // A kernel space's last page cannot be mapped (a range ending at 2^64 is not
        // expressible), so its half ends one page short.
        let half = if self.kernel {
            self.user_end.wrapping_neg()..PAGE_SIZE.wrapping_neg()
        } else {
            0..self.user_end
        };
        if let Ok(mut cursor) = self.lock(half.clone()) {
            let _ = cursor.unmap(half);
        }
        for table in self.rcu.drain() {
            self.platform.free_table(table);
        }
        self.platform.free_table(self.root);
    }
}
