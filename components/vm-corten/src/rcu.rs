//! A small epoch-based RCU for page-table pages.
//!
//! Walkers that descend without locks run inside a read section ([`Rcu::read`]). A page-table
//! page unlinked from the tree is *retired* (after the TLB flush), and freed only once every
//! read section that could have seen it has ended.
//!
//! Two epochs alternate. A reader joins `readers[epoch % 2]` (re-checking the epoch after
//! joining). Pages retired during epoch `e` go to `pending[e % 2]`. The epoch advances from `e`
//! to `e + 1` only when `readers[(e + 1) % 2]`, the readers of epoch `e - 1`, is zero; at that
//! moment the pages retired during `e - 1` are freed: every reader that could have reached them
//! started in epoch `e - 2` or `e - 1`, the former all gone by the advance to `e`, the latter
//! gone now. A reader starting later cannot reach a page that was already unlinked.

use alloc::vec::Vec;

use crate::PAddr;
use crate::sync::{AtomicUsize, Ordering, SpinMutex};

pub(crate) struct Rcu {
    epoch: AtomicUsize,
    readers: [AtomicUsize; 2],
    pending: SpinMutex<[Vec<PAddr>; 2]>,
}

/// An RCU read section; ends when dropped.
pub(crate) struct ReadGuard<'a> {
    rcu: &'a Rcu,
    slot: usize,
}

impl Rcu {
    pub(crate) fn new() -> Self {
        Self {
            epoch: AtomicUsize::new(0),
            readers: [AtomicUsize::new(0), AtomicUsize::new(0)],
            pending: SpinMutex::new([Vec::new(), Vec::new()]),
        }
    }

    /// Enters a read section.
    pub(crate) fn read(&self) -> ReadGuard<'_> {
        loop {
            let e = self.epoch.load(Ordering::SeqCst);
            self.readers[e % 2].fetch_add(1, Ordering::SeqCst);
            if self.epoch.load(Ordering::SeqCst) == e {
                return ReadGuard {
                    rcu: self,
                    slot: e % 2,
                };
            }
            self.readers[e % 2].fetch_sub(1, Ordering::SeqCst);
        }
    }

    /// Retires unlinked pages; returns the pages that are now safe to free.
    pub(crate) fn retire(&self, pages: &mut Vec<PAddr>) -> Vec<PAddr> {
        let mut pending = self.pending.lock();
        let e = self.epoch.load(Ordering::SeqCst);
        pending[e % 2].append(pages);
        self.try_advance(&mut pending)
    }

    fn try_advance(&self, pending: &mut [Vec<PAddr>; 2]) -> Vec<PAddr> {
        let e = self.epoch.load(Ordering::SeqCst);
        if pending[0].is_empty() && pending[1].is_empty() {
            return Vec::new();
        }
        if self.readers[(e + 1) % 2].load(Ordering::SeqCst) != 0 {
            return Vec::new();
        }
        // Readers of epoch e - 1 are gone: free what was retired during e - 1, advance.
        let freed = core::mem::take(&mut pending[(e + 1) % 2]);
        self.epoch.store(e + 1, Ordering::SeqCst);
        freed
    }

    /// Everything still pending (for dropping the address space, when no reader exists).
    pub(crate) fn drain(&self) -> Vec<PAddr> {
        let mut pending = self.pending.lock();
        let mut all = core::mem::take(&mut pending[0]);
        all.append(&mut pending[1]);
        all
    }
}

impl Drop for ReadGuard<'_> {
    fn drop(&mut self) {
        self.rcu.readers[self.slot].fetch_sub(1, Ordering::SeqCst);
    }
}
