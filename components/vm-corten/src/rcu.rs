//! A small epoch-based RCU for page-table pages.
//!
//! Walkers that descend without locks run inside a read section ([`Rcu::read`]). A page-table
//! page unlinked from the tree is *retired* (after the TLB flush), and freed only once every
//! read section that could have seen it has ended.
//!
//! Two epochs alternate. A reader registers in its CPU's slot with the parity of the epoch it
//! read, re-checking the epoch after registering; slots are per CPU and cache-line padded, so
//! readers on different CPUs do not share a written line, and the epoch is only read on the
//! fast path. Pages retired during epoch `e` go to `pending[e % 2]`. The epoch advances from
//! `e` to `e + 1` only when no reader is registered with the parity of `e + 1`, that is no
//! reader of epoch `e - 1`; at that moment the pages retired during `e - 1` are freed: every
//! reader that could have reached them started in epoch `e - 2` or `e - 1`, the former all
//! gone by the advance to `e`, the latter gone now. A reader starting later cannot reach a page
//! that was already unlinked.
//!
//! A slot registers readers in two ways. The first reader of a CPU *owns* the slot: one
//! compare-and-swap writes its parity into the slot's owner word, and a plain release store of
//! zero ends the section (no second read-modify-write), since nobody else writes that word
//! meanwhile. A reader that finds the owner word taken (another thread with the same CPU hint)
//! does not wait: it counts itself in the slot's shared counters, with an atomic add and
//! subtract. Owning the slot also gives the reader the CPU's per-CPU state of the address
//! space (see [`ReadGuard::owned_slot`]).
//!
//! An owner may also register as *biased* ([`Rcu::read_biased`]): it may then write entries of
//! the last-level table its CPU remembers without taking that table's lock, for as long as the
//! flag stays set (see the `leaf` module); [`ReadGuard::unbias`] clears it before the reader
//! waits for any lock.

use alloc::vec::Vec;

use crate::PAddr;
use crate::sync::{AtomicUsize, CachePadded, Ordering, SpinMutex};

/// Number of reader slots (and of per-CPU states of an address space).
pub(crate) const SLOTS: usize = 16;

/// In an owner word: the owner is in a leaf transaction on its CPU's remembered table.
const BIASED: usize = 4;
/// In an owner word: the registration (`1 + parity`).
const REGISTERED: usize = 3;

/// The reader registrations of one CPU.
struct Slot {
    /// 0 when free; `1 + parity` while owned by one reader of an epoch of that parity, plus
    /// [`BIASED`] while that reader is biased.
    owner: AtomicUsize,
    /// Readers that found the slot owned, by epoch parity.
    shared: [AtomicUsize; 2],
}

pub(crate) struct Rcu {
    epoch: CachePadded<AtomicUsize>,
    /// Per-CPU reader registrations.
    slots: [CachePadded<Slot>; SLOTS],
    /// Pages waiting, so that cursors that retired nothing skip the lock when none wait.
    waiting: CachePadded<AtomicUsize>,
    pending: SpinMutex<[Vec<PAddr>; 2]>,
}

/// An RCU read section; ends when dropped.
pub(crate) struct ReadGuard<'a> {
    /// The word this reader registered in: its slot's owner word, or a shared counter.
    word: &'a AtomicUsize,
    /// Whether this reader owns its slot (then `word` is the owner word).
    owner: bool,
    /// Whether the owner word has [`BIASED`] set.
    biased: bool,
    /// The slot's index.
    slot: usize,
    /// The epoch the reader registered in.
    epoch: usize,
}

impl ReadGuard<'_> {
    /// The index of the reader's slot if it owns it: until the guard is dropped no other
    /// thread owns that slot, so per-CPU state kept by slot index is this thread's alone.
    #[inline]
    pub(crate) fn owned_slot(&self) -> Option<usize> {
        self.owner.then_some(self.slot)
    }

    /// The epoch the reader registered in. Nothing retired in this epoch or later is freed
    /// before the guard is dropped (the epoch cannot advance twice meanwhile).
    #[inline]
    pub(crate) fn epoch(&self) -> usize {
        self.epoch
    }

    /// Whether the reader is biased (see [`Rcu::read_biased`]).
    #[inline]
    pub(crate) fn is_biased(&self) -> bool {
        self.biased
    }

    /// Stops being biased, staying registered: before waiting for any lock, and once the
    /// reader has decided not to write the remembered table without it.
    #[inline]
    pub(crate) fn unbias(&mut self) {
        if self.biased {
            self.biased = false;
            self.word.store(1 + self.epoch % 2, Ordering::Release);
        }
    }
}

impl Rcu {
    pub(crate) fn new() -> Self {
        Self {
            epoch: CachePadded(AtomicUsize::new(0)),
            slots: core::array::from_fn(|_| {
                CachePadded(Slot {
                    owner: AtomicUsize::new(0),
                    shared: [AtomicUsize::new(0), AtomicUsize::new(0)],
                })
            }),
            waiting: CachePadded(AtomicUsize::new(0)),
            pending: SpinMutex::new([Vec::new(), Vec::new()]),
        }
    }

    /// Enters a read section on behalf of CPU (or thread) `cpu`.
    #[inline]
    pub(crate) fn read(&self, cpu: usize) -> ReadGuard<'_> {
        self.register(cpu, 0)
    }

    /// [`read`](Self::read), biased if it owns the slot: with one compare-and-swap the reader
    /// both registers and announces that it may write its CPU's remembered last-level table
    /// without the table's lock. A thread that takes that lock then waits for the flag to
    /// clear ([`biased`](Self::biased)).
    #[inline]
    pub(crate) fn read_biased(&self, cpu: usize) -> ReadGuard<'_> {
        self.register(cpu, BIASED)
    }

    /// Whether the owner of slot `slot` is biased, in the single total order of sequentially
    /// consistent operations.
    #[inline]
    pub(crate) fn biased(&self, slot: usize) -> bool {
        self.slots[slot].0.owner.load(Ordering::SeqCst) & BIASED != 0
    }

    #[inline(always)]
    fn register(&self, cpu: usize, bias: usize) -> ReadGuard<'_> {
        let index = cpu % SLOTS;
        let slot = &self.slots[index].0;
        let mut e = self.epoch.0.load(Ordering::SeqCst);
        if slot
            .owner
            .compare_exchange(0, (1 + e % 2) | bias, Ordering::SeqCst, Ordering::Relaxed)
            .is_ok()
        {
            loop {
                let now = self.epoch.0.load(Ordering::SeqCst);
                if now == e {
                    return ReadGuard {
                        word: &slot.owner,
                        owner: true,
                        biased: bias != 0,
                        slot: index,
                        epoch: e,
                    };
                }
                // The epoch moved on between the load and the registration: register again
                // (a read-modify-write, so that the re-check above is ordered after it).
                e = now;
                slot.owner.swap((1 + e % 2) | bias, Ordering::SeqCst);
            }
        }
        loop {
            slot.shared[e % 2].fetch_add(1, Ordering::SeqCst);
            if self.epoch.0.load(Ordering::SeqCst) == e {
                return ReadGuard {
                    word: &slot.shared[e % 2],
                    owner: false,
                    biased: false,
                    slot: index,
                    epoch: e,
                };
            }
            slot.shared[e % 2].fetch_sub(1, Ordering::SeqCst);
            e = self.epoch.0.load(Ordering::SeqCst);
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
        let old = (e + 1) % 2;
        if self.slots.iter().any(|slot| {
            slot.0.owner.load(Ordering::SeqCst) & REGISTERED == 1 + old
                || slot.0.shared[old].load(Ordering::SeqCst) != 0
        }) {
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
        if self.owner {
            // Only this reader writes an owned slot's word: a release store ends the section
            // (what the section read is ordered before it, as the advancing thread sees it).
            self.word.store(0, Ordering::Release);
        } else {
            self.word.fetch_sub(1, Ordering::SeqCst);
        }
    }
}
