//! The baseline: Linux's classic address-space design, for comparison with vm-corten.
//!
//! - **VMA tree**: a `BTreeMap<start, Vma { end, writable }>` (Linux: the maple tree of
//!   `vm_area_struct`s). `mmap` inserts a VMA and merges it with adjacent VMAs of the same
//!   protection, as `vma_merge` does; `munmap` trims, splits and removes VMAs. Non-fixed `mmap`
//!   picks addresses with a bump hint checked against the tree (Linux: `get_unmapped_area`);
//!   `MAP_FIXED` first unmaps what was there.
//! - **One readers-writer lock** (`std::sync::RwLock`) around the tree, the `mmap_lock`:
//!   `mmap` and `munmap` take it for writing; a page fault takes it for reading, as Linux's
//!   classic fault path does (without the per-VMA locks of Linux 6.4+).
//! - **Page table**: a 4-level radix tree (x86-64 layout) in the same simulated memory and the
//!   same [`Pool`] as vm-corten's. A fault descends without locks (safe: tables are freed only
//!   under the write lock, which excludes faults); a missing upper-level table is allocated
//!   first and installed under one per-address-space spin lock (Linux: `mm->page_table_lock`
//!   in `__pud_alloc`/`__pmd_alloc`/`__pte_alloc`), and the last-level entry is set under a
//!   per-last-level-table spin lock (Linux: the split PTE lock in the table's `struct page`),
//!   after allocating the frame outside it, as `do_anonymous_page` does.
//! - **munmap** (under the write lock): update the tree, then zap the range one last-level
//!   table at a time under its PTE lock, collecting the frames (Linux: `zap_pte_range` and the
//!   `mmu_gather`), flush the TLB once, drop the frames, and free the last-level tables whose
//!   2 MiB span no VMA touches any more (Linux: `free_pgtables` with the neighbouring VMAs as
//!   floor and ceiling; upper-level tables are kept until the space is dropped).

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

use vm_corten::arch::{entry_size, index_of};
use vm_corten::{PAGE_SIZE, PAddr, Platform, Vaddr};

use crate::pool::Pool;

const PRESENT: u64 = 1;
const WRITABLE: u64 = 2;
const LEVELS: u8 = 4;
/// Where non-fixed mappings start, as in vm-corten (half of the user half).
const MMAP_BASE: Vaddr = 1 << 46;
const USER_END: Vaddr = 1 << 47;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Vma {
    end: Vaddr,
    writable: bool,
}

struct Mm {
    vmas: BTreeMap<Vaddr, Vma>,
    mmap_next: Vaddr,
}

/// An address space in the classic design. See the [module docs](self).
pub struct Baseline {
    pool: Arc<Pool>,
    root: PAddr,
    mm: RwLock<Mm>,
    page_table_lock: SpinLock,
}

/// A test-and-test-and-set spin lock (Linux's page-table locks are spin locks).
struct SpinLock(AtomicBool);

struct SpinGuard<'a>(&'a AtomicBool);

impl SpinLock {
    fn lock(&self) -> SpinGuard<'_> {
        lock_bit(&self.0)
    }
}

fn lock_bit(bit: &AtomicBool) -> SpinGuard<'_> {
    while bit
        .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
        .is_err()
    {
        while bit.load(Ordering::Relaxed) {
            std::hint::spin_loop();
        }
    }
    SpinGuard(bit)
}

impl Drop for SpinGuard<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

fn table_of(raw: u64) -> PAddr {
    (raw & !0xfff) as PAddr
}

impl Baseline {
    /// An empty address space on `pool`.
    pub fn new(pool: Arc<Pool>) -> Self {
        let root = pool
            .alloc_table()
            .expect("vm-bench: out of page-table pages");
        Self {
            pool,
            root,
            mm: RwLock::new(Mm {
                vmas: BTreeMap::new(),
                mmap_next: MMAP_BASE,
            }),
            page_table_lock: SpinLock(AtomicBool::new(false)),
        }
    }

    /// `mmap` of anonymous memory, `len` bytes (page multiple), at `fixed` or anywhere.
    pub fn mmap(&self, fixed: Option<Vaddr>, len: usize, writable: bool) -> Vaddr {
        let mut mm = self.mm.write().unwrap();
        let va = match fixed {
            Some(va) => {
                self.unmap_locked(&mut mm, va..va + len);
                va
            }
            None => mm.unmapped_area(len),
        };
        mm.insert(va..va + len, writable);
        va
    }

    /// `munmap` of `[va, va + len)`.
    pub fn munmap(&self, va: Vaddr, len: usize) {
        let mut mm = self.mm.write().unwrap();
        self.unmap_locked(&mut mm, va..va + len);
    }

    /// A page fault at `va`; `Err` means `SIGSEGV`.
    pub fn fault(&self, va: Vaddr, write: bool) -> Result<(), ()> {
        let mm = self.mm.read().unwrap();
        match mm.vmas.range(..=va).next_back() {
            Some((_, vma)) if vma.end > va && (vma.writable || !write) => {}
            _ => return Err(()),
        }
        let l1 = self.walk_alloc(va).ok_or(())?;
        let pte = self.pool.entry(l1, index_of(va, 1));
        if pte.load(Ordering::Acquire) != 0 {
            return Ok(()); // raced with another fault: done
        }
        let frame = self.pool.alloc_frame().ok_or(())?;
        let ptl = lock_bit(self.pool.ptl(l1));
        if pte.load(Ordering::Relaxed) == 0 {
            pte.store(frame as u64 | PRESENT | WRITABLE, Ordering::Release);
            drop(ptl);
        } else {
            drop(ptl);
            self.pool.put_frame(frame);
        }
        drop(mm);
        Ok(())
    }

    /// The last-level table for `va`, allocating missing tables on the way.
    fn walk_alloc(&self, va: Vaddr) -> Option<PAddr> {
        let mut table = self.root;
        for level in (2..=LEVELS).rev() {
            let entry = self.pool.entry(table, index_of(va, level));
            let mut raw = entry.load(Ordering::Acquire);
            if raw == 0 {
                let new = self.pool.alloc_table()?;
                let _g = self.page_table_lock.lock();
                raw = entry.load(Ordering::Acquire);
                if raw == 0 {
                    raw = new as u64 | PRESENT;
                    entry.store(raw, Ordering::Release);
                } else {
                    self.pool.free_table(new);
                }
            }
            table = table_of(raw);
        }
        Some(table)
    }

    /// The last-level table for `va` if it exists, with the entry (in the level-2 table)
    /// that links it.
    fn walk(&self, va: Vaddr) -> Result<(PAddr, PAddr), u8> {
        let mut table = self.root;
        for level in (2..=LEVELS).rev() {
            let raw = self
                .pool
                .entry(table, index_of(va, level))
                .load(Ordering::Acquire);
            if raw == 0 {
                return Err(level);
            }
            if level == 2 {
                return Ok((table_of(raw), table));
            }
            table = table_of(raw);
        }
        unreachable!()
    }

    fn unmap_locked(&self, mm: &mut Mm, range: Range<Vaddr>) {
        mm.remove(range.clone());
        let floor = mm
            .vmas
            .range(..range.start)
            .next_back()
            .map_or(0, |(_, v)| v.end);
        let ceiling = mm
            .vmas
            .range(range.end..)
            .next()
            .map_or(USER_END, |(&s, _)| s);
        let p = &*self.pool;
        let mut frames = Vec::new();
        let mut tables = Vec::new();
        let mut flush = false;
        let mut at = range.start;
        while at < range.end {
            let (l1, l2) = match self.walk(at) {
                Ok(found) => found,
                Err(level) => {
                    // Nothing mapped under the missing entry at `level`: skip its span.
                    at = (at | (entry_size(level) - 1)) + 1;
                    continue;
                }
            };
            let block = at & !(entry_size(2) - 1)..(at | (entry_size(2) - 1)) + 1;
            let end = block.end.min(range.end);
            {
                let _ptl = lock_bit(p.ptl(l1));
                for va in (at..end).step_by(PAGE_SIZE) {
                    let raw = p.entry(l1, index_of(va, 1)).swap(0, Ordering::AcqRel);
                    if raw & PRESENT != 0 {
                        frames.push(table_of(raw));
                        flush = true;
                    }
                }
            }
            if floor <= block.start && block.end <= ceiling {
                p.entry(l2, index_of(block.start, 2))
                    .store(0, Ordering::Release);
                tables.push(l1);
                flush = true;
            }
            at = end;
        }
        if flush {
            p.flush_tlb(self.root, range);
        }
        for frame in frames {
            p.put_frame(frame);
        }
        for table in tables {
            p.free_table(table);
        }
    }

    fn free_all(&self, table: PAddr, level: u8) {
        for i in 0..512 {
            let raw = self.pool.entry(table, i).swap(0, Ordering::Relaxed);
            if raw & PRESENT == 0 {
                continue;
            }
            if level > 1 {
                self.free_all(table_of(raw), level - 1);
            } else {
                self.pool.put_frame(table_of(raw));
            }
        }
        self.pool.free_table(table);
    }
}

impl Drop for Baseline {
    fn drop(&mut self) {
        self.free_all(self.root, LEVELS);
    }
}

impl Mm {
    /// A free range of `len` bytes at or after the hint.
    fn unmapped_area(&mut self, len: usize) -> Vaddr {
        let mut start = self.mmap_next;
        // The last VMA starting below the candidate's end must end at or before its start.
        while let Some((_, v)) = self
            .vmas
            .range(..start + len)
            .next_back()
            .filter(|(_, v)| v.end > start)
        {
            start = v.end;
        }
        assert!(
            start + len <= USER_END,
            "vm-bench: baseline out of addresses"
        );
        self.mmap_next = start + len;
        start
    }

    /// Inserts a VMA over an empty range, merging it with equal neighbours.
    fn insert(&mut self, range: Range<Vaddr>, writable: bool) {
        let (mut start, mut end) = (range.start, range.end);
        if let Some((&s, v)) = self.vmas.range(..start).next_back()
            && v.end == start
            && v.writable == writable
        {
            start = s;
        }
        if let Some(next) = self.vmas.get(&end).copied()
            && next.writable == writable
        {
            self.vmas.remove(&end);
            end = next.end;
        }
        self.vmas.insert(start, Vma { end, writable });
    }

    /// Removes `range` from the VMAs, trimming and splitting those it overlaps.
    fn remove(&mut self, range: Range<Vaddr>) {
        if let Some((&s, &v)) = self.vmas.range(..range.start).next_back()
            && v.end > range.start
        {
            self.vmas.insert(
                s,
                Vma {
                    end: range.start,
                    ..v
                },
            );
            if v.end > range.end {
                self.vmas.insert(range.end, v);
            }
        }
        while let Some((&s, &v)) = self.vmas.range(range.start..range.end).next() {
            self.vmas.remove(&s);
            if v.end > range.end {
                self.vmas.insert(range.end, v);
            }
        }
    }
}
