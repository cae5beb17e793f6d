//! A small epoch-based RCU for page-table pages.
//!
//! Walkers that descend without locks run inside a read section ([`Rcu::read`]). A page-table
//! page unlinked from the tree is *retired* (after the TLB flush), and freed only once every
//! read section that could have seen it has ended.
//!
//! Two epochs alternate. A reader joins `readers[epoch % 2]` of its CPU's slot (re-checking
//! the epoch after joining); slots are per CPU and cache-line padded, so readers on different
//! CPUs do not share a written line, and the epoch is only read on the fast path. Pages retired during epoch `e` go to `pending[e % 2]`. The epoch advances from `e`
//! to `e + 1` only when `readers[(e + 1) % 2]`, the readers of epoch `e - 1`, is zero; at that
//! moment the pages retired during `e - 1` are freed: every reader that could have reached them
//! started in epoch `e - 2` or `e - 1`, the former all gone by the advance to `e`, the latter
//! gone now. A reader starting later cannot reach a page that was already unlinked.

use alloc::vec::Vec;

use crate::PAddr;
use crate::sync::{AtomicUsize, Ordering, SpinMutex};

const SLOTS: usize = 16;

/// A value on its own cache line(s).
#[repr(align(128))]
struct Padded<T>(T);

pub(crate) struct Rcu {
    epoch: Padded<AtomicUsize>,
    /// Per-CPU-slot reader counts, by epoch parity.
    readers: [Padded<[AtomicUsize; 2]>; SLOTS],
    /// Pages waiting, so that cursors that retired nothing skip the lock when none wait.
    waiting: Padded<AtomicUsize>,
    pending: SpinMutex<[Vec<PAddr>; 2]>,
}

/// An RCU read section; ends when dropped.
pub(crate) struct ReadGuard<'a> {
    counter: &'a AtomicUsize,
}

impl Rcu {
    pub(crate) fn new() -> Self {
        Self {
            epoch: Padded(AtomicUsize::new(0)),
            readers: core::array::from_fn(|_| Padded([AtomicUsize::new(0), AtomicUsize::new(0)])),
            waiting: Padded(AtomicUsize::new(0)),
            pending: SpinMutex::new([Vec::new(), Vec::new()]),
        }
    }

    /// Enters a read section on behalf of CPU (or thread) `cpu`.
    #[inline]
    pub(crate) fn read(&self, cpu: usize) -> ReadGuard<'_> {
        let slot = &self.readers[cpu % SLOTS].0;
        loop {
            let e = self.epoch.0.load(Ordering::SeqCst);
            slot[e % 2].fetch_add(1, Ordering::SeqCst);
            if self.epoch.0.load(Ordering::SeqCst) == e {
                return ReadGuard {
                    counter: &slot[e % 2],
                };
            }
            slot[e % 2].fetch_sub(1, Ordering::SeqCst);
        }
    }

    /// Whether a cursor that retired nothing must still call [`Rcu::retire`]: pages are
    /// waiting for a grace period (one lock-free load).
    #[inline]
    pub(crate) fn has_waiting(&self) -> bool {
        self.waiting.0.load(Ordering::Relaxed) != 0
    }

    /// Retires unlinked pages (emptying `pages`) and passes every page that is now safe to
    /// free to `free`.
    pub(crate) fn retire(&self, pages: &mut Vec<PAddr>, mut free: impl FnMut(PAddr)) {
        let freed = {
            let mut pending = self.pending.lock();
            let e = self.epoch.0.load(Ordering::SeqCst);
            self.waiting.0.fetch_add(pages.len(), Ordering::Relaxed);
            pending[e % 2].append(pages);
            let freed = self.try_advance(&mut pending);
            self.waiting.0.fetch_sub(freed.len(), Ordering::Relaxed);
            freed
        };
        freed.into_iter().for_each(&mut free);
    }

    fn try_advance(&self, pending: &mut [Vec<PAddr>; 2]) -> Vec<PAddr> {
        let e = self.epoch.0.load(Ordering::SeqCst);
        if pending[0].is_empty() && pending[1].is_empty() {
            return Vec::new();
        }
        if self
            .readers
            .iter()
            .any(|slot| slot.0[(e + 1) % 2].load(Ordering::SeqCst) != 0)
        {
            return Vec::new();
        }
        // Readers of epoch e - 1 are gone: free what was retired during e - 1, advance.
        let freed = core::mem::take(&mut pending[(e + 1) % 2]);
        self.epoch.0.store(e + 1, Ordering::SeqCst);
        freed
    }

    /// Everything still pending (for dropping the address space, when no reader exists).
    pub(crate) fn drain(&self) -> Vec<PAddr> {
        let mut pending = self.pending.lock();
        let mut all = core::mem::take(&mut pending[0]);
        all.append(&mut pending[1]);
        self.waiting.0.store(0, Ordering::Relaxed);
        all
    }
}

impl Drop for ReadGuard<'_> {
    #[inline]
    fn drop(&mut self) {
        self.counter.fetch_sub(1, Ordering::SeqCst);
    }
}
