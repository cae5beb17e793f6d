//! The simulated physical memory both address-space designs run on: [`Pool`], a
//! [`Platform`] whose frame allocation scales with threads.
//!
//! vm-corten's own `SimPlatform` keeps one `Mutex<Vec>` free list for the whole memory, so a
//! benchmark on it would measure that mutex. Here every frame has a *home slot* (the frames
//! are split into contiguous ranges, one per benchmark thread) and each slot has its own free
//! lists behind its own cache-line-padded mutex. A thread allocates from the slot of its
//! [`cpu_hint`](Platform::cpu_hint) (a thread-local id set with [`set_cpu`]), so allocation
//! touches no shared cache line; a frame goes back to its home slot when freed (usually the
//! allocating thread's), and a thread whose slot runs dry takes frames from the others.
//!
//! - Page-table pages are real memory: 512 atomic words each, zeroed on allocation, as the
//!   kernel zeroes a new page-table page.
//! - Data frames are only reference counts: neither design reads or writes user data here, so
//!   there is nothing to zero or copy (both designs would pay the same `memset` per fault).
//!   `copy_frame` is therefore a no-op; the benchmark never forks.
//! - `flush_tlb` only counts, in a per-slot counter.
//! - Each page-table page has its [`PtMeta`] beside it; vm-corten resets it on allocation.
//!
//! The baseline uses the same pool for its page-table pages and data frames, plus one spin
//! lock per page-table page ([`Pool::ptl`]), the equivalent of Linux's split page-table lock.

use std::cell::Cell;
use std::hint::black_box;
use std::ops::Range;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};

use vm_corten::{PAGE_SIZE, PAddr, Platform, PtMeta, Vaddr, X86_64};

/// Physical address of the first page-table page.
const TABLE_BASE: PAddr = 0x1_0000_0000;
/// Physical address of the first data frame.
const FRAME_BASE: PAddr = 0x100_0000_0000;

std::thread_local!(static CPU: Cell<usize> = const { Cell::new(0) });

/// Sets the id this thread reports as its CPU (its slot in the pool and its arena in vm-corten).
pub fn set_cpu(cpu: usize) {
    CPU.with(|c| c.set(cpu));
}

/// This thread's id: one thread-local load once inlined (as a kernel reads its CPU number from
/// per-CPU data), not a call.
#[inline(always)]
fn cpu() -> usize {
    CPU.with(|c| c.get())
}

/// Keeps `T` on its own cache lines.
#[repr(align(128))]
#[derive(Default)]
struct Padded<T>(T);

#[derive(Default)]
struct Lists {
    tables: Vec<u32>,
    frames: Vec<u32>,
}

#[derive(Default)]
struct Slot {
    lists: Mutex<Lists>,
    flushes: AtomicUsize,
}

/// Simulated memory with per-thread free lists. See the [module docs](self).
pub struct Pool {
    words: Box<[AtomicU64]>,
    metas: Box<[PtMeta]>,
    /// The baseline's split page-table locks, one per table.
    ptl: Box<[AtomicBool]>,
    /// Reference counts of data frames.
    refs: Box<[AtomicU32]>,
    slots: Box<[Padded<Slot>]>,
}

/// Which contiguous share of `0..total` item `i` belongs to, out of `slots` shares.
fn home(i: usize, total: usize, slots: usize) -> usize {
    i * slots / total
}

impl Pool {
    /// A pool of `tables` page-table pages and `frames` data frames, split among `slots`
    /// threads.
    pub fn new(slots: usize, tables: usize, frames: usize) -> Self {
        let slots_v: Box<[Padded<Slot>]> = (0..slots).map(|_| Padded::default()).collect();
        for (s, slot) in slots_v.iter().enumerate() {
            let mut l = slot.0.lists.lock().unwrap();
            l.tables = (0..tables as u32)
                .rev()
                .filter(|&i| home(i as usize, tables, slots) == s)
                .collect();
            l.frames = (0..frames as u32)
                .rev()
                .filter(|&i| home(i as usize, frames, slots) == s)
                .collect();
        }
        // `black_box` keeps the compiler from turning these into `calloc`, whose untouched
        // pages would then be faulted in by the host kernel during the timed runs.
        Self {
            words: (0..tables * 512)
                .map(|_| black_box(AtomicU64::new(0)))
                .collect(),
            metas: (0..tables).map(|_| black_box(PtMeta::new())).collect(),
            ptl: (0..tables)
                .map(|_| black_box(AtomicBool::new(false)))
                .collect(),
            refs: (0..frames).map(|_| black_box(AtomicU32::new(0))).collect(),
            slots: slots_v,
        }
    }

    fn my_slot(&self) -> usize {
        cpu() % self.slots.len()
    }

    fn table_index(&self, table: PAddr) -> usize {
        debug_assert!(table >= TABLE_BASE && table.is_multiple_of(PAGE_SIZE));
        (table - TABLE_BASE) / PAGE_SIZE
    }

    fn frame_index(&self, frame: PAddr) -> usize {
        debug_assert!(frame >= FRAME_BASE && frame.is_multiple_of(PAGE_SIZE));
        (frame - FRAME_BASE) / PAGE_SIZE
    }

    /// Pops from this thread's slot, or failing that from any other.
    fn pop(&self, pick: impl Fn(&mut Lists) -> Option<u32>) -> Option<usize> {
        let me = self.my_slot();
        let n = self.slots.len();
        (0..n)
            .find_map(|k| pick(&mut self.slots[(me + k) % n].0.lists.lock().unwrap()))
            .map(|i| i as usize)
    }

    /// The split page-table lock of `table` (for the baseline).
    pub fn ptl(&self, table: PAddr) -> &AtomicBool {
        &self.ptl[self.table_index(table)]
    }

    /// Page-table pages and data frames in use.
    pub fn in_use(&self) -> (usize, usize) {
        let (mut t, mut f) = (0, 0);
        for s in &*self.slots {
            let l = s.0.lists.lock().unwrap();
            t += l.tables.len();
            f += l.frames.len();
        }
        (self.metas.len() - t, self.refs.len() - f)
    }
}

impl Platform for Pool {
    type Arch = X86_64;

    fn alloc_table(&self) -> Option<PAddr> {
        let i = self.pop(|l| l.tables.pop())?;
        for w in &self.words[i * 512..(i + 1) * 512] {
            w.store(0, Ordering::Relaxed);
        }
        Some(TABLE_BASE + i * PAGE_SIZE)
    }

    fn free_table(&self, table: PAddr) {
        let i = self.table_index(table);
        let s = home(i, self.metas.len(), self.slots.len());
        self.slots[s].0.lists.lock().unwrap().tables.push(i as u32);
    }

    fn entry(&self, table: PAddr, index: usize) -> &AtomicU64 {
        &self.words[self.table_index(table) * 512 + index]
    }

    fn meta(&self, table: PAddr) -> &PtMeta {
        &self.metas[self.table_index(table)]
    }

    fn alloc_frame(&self) -> Option<PAddr> {
        let i = self.pop(|l| l.frames.pop())?;
        self.refs[i].store(1, Ordering::Relaxed);
        Some(FRAME_BASE + i * PAGE_SIZE)
    }

    fn copy_frame(&self, _from: PAddr, _to: PAddr) {}

    fn get_frame(&self, frame: PAddr) {
        self.refs[self.frame_index(frame)].fetch_add(1, Ordering::Relaxed);
    }

    fn put_frame(&self, frame: PAddr) {
        let i = self.frame_index(frame);
        let old = self.refs[i].fetch_sub(1, Ordering::AcqRel);
        assert!(old > 0, "vm-bench: dropping a free frame {frame:#x}");
        if old == 1 {
            let s = home(i, self.refs.len(), self.slots.len());
            self.slots[s].0.lists.lock().unwrap().frames.push(i as u32);
        }
    }

    fn frame_refs(&self, frame: PAddr) -> usize {
        self.refs[self.frame_index(frame)].load(Ordering::Acquire) as usize
    }

    fn flush_tlb(&self, _root: PAddr, _range: Range<Vaddr>) {
        self.slots[self.my_slot()]
            .0
            .flushes
            .fetch_add(1, Ordering::Relaxed);
    }

    #[inline(always)]
    fn cpu_hint(&self) -> usize {
        cpu()
    }
}
