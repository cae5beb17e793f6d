//! A simulated physical memory implementing [`Platform`], for host tests and benchmarks.
//!
//! Frames are arrays of atomic words, so page tables and data live in the same kind of memory
//! the kernel uses, and tests can write a word into a frame and see whether copy-on-write kept
//! it private. The simulator checks the platform contract: freeing a frame twice, dropping a
//! reference that does not exist or touching a freed page table panics, and it counts live
//! tables and frames so that tests can check nothing leaks.

use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::marker::PhantomData;
use core::ops::Range;

#[cfg(feature = "shuttle")]
use shuttle::sync::Mutex;
#[cfg(not(feature = "shuttle"))]
use std::sync::Mutex;

use crate::arch::PagingArch;
use crate::sync::{AtomicU64, AtomicUsize, Ordering};
use crate::{PAGE_SIZE, PAddr, Platform, PtMeta, Vaddr};

/// Physical address of the first simulated frame (non-zero, to catch a null frame).
const BASE: PAddr = 0x1000_0000;
const FREE: usize = 0;
const TABLE: usize = usize::MAX;

/// Simulated physical memory with a fixed number of frames.
pub struct SimPlatform<A: PagingArch> {
    words: Box<[AtomicU64]>,
    meta: Box<[PtMeta]>,
    /// `FREE`, `TABLE`, or the reference count of a data frame.
    state: Box<[AtomicUsize]>,
    free: Mutex<Vec<usize>>,
    flushes: AtomicUsize,
    _arch: PhantomData<A>,
}

impl<A: PagingArch> SimPlatform<A> {
    /// Memory of `frames` frames.
    pub fn new(frames: usize) -> Arc<Self> {
        Arc::new(Self {
            words: (0..frames * 512).map(|_| AtomicU64::new(0)).collect(),
            meta: (0..frames).map(|_| PtMeta::new()).collect(),
            state: (0..frames).map(|_| AtomicUsize::new(FREE)).collect(),
            free: Mutex::new((0..frames).rev().collect()),
            flushes: AtomicUsize::new(0),
            _arch: PhantomData,
        })
    }

    fn index(&self, pa: PAddr) -> usize {
        assert!(
            pa >= BASE && (pa - BASE).is_multiple_of(PAGE_SIZE),
            "bad frame address {pa:#x}"
        );
        let i = (pa - BASE) / PAGE_SIZE;
        assert!(
            i < self.meta.len(),
            "frame {pa:#x} beyond the simulated memory"
        );
        i
    }

    fn take(&self, state: usize) -> Option<PAddr> {
        let i = self.free.lock().unwrap().pop()?;
        for w in &self.words[i * 512..(i + 1) * 512] {
            w.store(0, Ordering::Relaxed);
        }
        let old = self.state[i].swap(state, Ordering::AcqRel);
        assert_eq!(old, FREE, "free list held a used frame");
        Some(BASE + i * PAGE_SIZE)
    }

    fn give_back(&self, i: usize) {
        self.state[i].store(FREE, Ordering::Release);
        self.free.lock().unwrap().push(i);
    }

    /// Word `word` (0..512) of frame `pa`.
    pub fn read_word(&self, pa: PAddr, word: usize) -> u64 {
        self.words[self.index(pa) * 512 + word].load(Ordering::Relaxed)
    }

    /// Sets word `word` (0..512) of frame `pa`.
    pub fn write_word(&self, pa: PAddr, word: usize, value: u64) {
        self.words[self.index(pa) * 512 + word].store(value, Ordering::Relaxed);
    }

    /// Page-table pages currently allocated.
    pub fn live_tables(&self) -> usize {
        self.state
            .iter()
            .filter(|s| s.load(Ordering::Relaxed) == TABLE)
            .count()
    }

    /// Data frames currently allocated.
    pub fn live_frames(&self) -> usize {
        self.state
            .iter()
            .filter(|s| !matches!(s.load(Ordering::Relaxed), FREE | TABLE))
            .count()
    }

    /// TLB flushes requested so far.
    pub fn flushes(&self) -> usize {
        self.flushes.load(Ordering::Relaxed)
    }
}

impl<A: PagingArch> Platform for SimPlatform<A> {
    type Arch = A;

    fn alloc_table(&self) -> Option<PAddr> {
        self.take(TABLE)
    }

    fn free_table(&self, table: PAddr) {
        let i = self.index(table);
        assert_eq!(
            self.state[i].load(Ordering::Acquire),
            TABLE,
            "freeing {table:#x}, not a table"
        );
        assert!(
            !self.meta[i].lock.is_held(),
            "freeing the locked table {table:#x}"
        );
        self.give_back(i);
    }

    fn entry(&self, table: PAddr, index: usize) -> &AtomicU64 {
        let i = self.index(table);
        assert_eq!(
            self.state[i].load(Ordering::Relaxed),
            TABLE,
            "{table:#x} is not a live table"
        );
        &self.words[i * 512 + index]
    }

    fn meta(&self, table: PAddr) -> &PtMeta {
        let i = self.index(table);
        // A walker locks only tables that RCU keeps alive (found by a descent, or remembered
        // by its CPU within the same epoch): the lock of a freed one is a protocol bug.
        assert_eq!(
            self.state[i].load(Ordering::Relaxed),
            TABLE,
            "locking or reading the metadata of {table:#x}, which is not a live table"
        );
        &self.meta[i]
    }

    fn alloc_frame(&self) -> Option<PAddr> {
        self.take(1)
    }

    fn copy_frame(&self, from: PAddr, to: PAddr) {
        let (f, t) = (self.index(from), self.index(to));
        for w in 0..512 {
            let v = self.words[f * 512 + w].load(Ordering::Relaxed);
            self.words[t * 512 + w].store(v, Ordering::Relaxed);
        }
    }

    fn get_frame(&self, frame: PAddr) {
        let old = self.state[self.index(frame)].fetch_add(1, Ordering::AcqRel);
        assert!(
            !matches!(old, FREE | TABLE),
            "reference to {frame:#x}, which is not a data frame"
        );
    }

    fn put_frame(&self, frame: PAddr) {
        let i = self.index(frame);
        let old = self.state[i].fetch_sub(1, Ordering::AcqRel);
        assert!(
            !matches!(old, FREE | TABLE),
            "dropping a reference to {frame:#x}, which is not a data frame"
        );
        if old == 1 {
            self.free.lock().unwrap().push(i);
        }
    }

    fn frame_refs(&self, frame: PAddr) -> usize {
        match self.state[self.index(frame)].load(Ordering::Acquire) {
            FREE | TABLE => 0,
            refs => refs,
        }
    }

    fn flush_tlb(&self, _root: PAddr, _range: Range<Vaddr>) {
        self.flushes.fetch_add(1, Ordering::Relaxed);
    }

    fn cpu_hint(&self) -> usize {
        static NEXT: core::sync::atomic::AtomicUsize = core::sync::atomic::AtomicUsize::new(0);
        // Under the model checker, threads get hints 0 and 1 in turn, so that some runs have
        // two threads with the same hint (one owns the RCU slot, the other shares it) and some
        // have each thread on its own slot.
        #[cfg(feature = "shuttle")]
        {
            shuttle::thread_local!(static ID: usize = NEXT.fetch_add(1, core::sync::atomic::Ordering::Relaxed) % 2);
            ID.with(|id| *id)
        }
        #[cfg(not(feature = "shuttle"))]
        {
            std::thread_local!(static ID: usize = NEXT.fetch_add(1, core::sync::atomic::Ordering::Relaxed));
            ID.with(|id| *id)
        }
    }
}
