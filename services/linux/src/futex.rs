//! Futex wait queues.
//!
//! A task blocked in futex(2) keeps a [`FutexWait`] that names the futex by a [`FutexKey`] (the
//! address space and the user address). There is no separate queue: waking scans the blocked
//! tasks for matching keys, oldest waiter first, and marks them woken and runnable, which
//! wakes their kernel tasks (see `run`); a signal or the deadline also does. A restarted futex
//! wait that finds its `FutexWait` returns 0 if it was woken, `ETIMEDOUT` past its deadline,
//! and blocks again otherwise, without reading the futex word a second time. That gives Linux's
//! semantics: the value is compared once, on entry, and a wake is never lost.
//!
//! Futexes are keyed by address space, so process-shared futexes in memory shared between
//! address spaces (MAP_SHARED) do not meet; private futexes, the common case, do.

use core::sync::atomic::{AtomicU64, Ordering};
use core::time::Duration;

use syscall_linux::Errno;

use crate::task::{Scheduler, State, WaitFor};

/// Names a futex: the address space (`UserSpace::id`) and the user address of the word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FutexKey {
    /// The address space.
    pub space: usize,
    /// The futex word's user address.
    pub addr: usize,
}

/// What a task blocked in a futex wait waits for.
#[derive(Clone, Copy, Debug)]
pub struct FutexWait {
    /// The futex (changed by a requeue).
    pub key: FutexKey,
    /// The wake-up bitset (`FUTEX_BITSET_MATCH_ANY` for plain waits).
    pub bitset: u32,
    /// When the wait times out (on the monotonic clock).
    pub deadline: Option<Duration>,
    /// A wake chose this waiter: the call returns 0.
    pub woken: bool,
    /// Arrival order: the oldest waiters are woken first.
    seq: u64,
}

static ARRIVALS: AtomicU64 = AtomicU64::new(0);

impl FutexWait {
    /// A new wait on `key`.
    pub fn new(key: FutexKey, bitset: u32, deadline: Option<Duration>) -> FutexWait {
        FutexWait {
            key,
            bitset,
            deadline,
            woken: false,
            seq: ARRIVALS.fetch_add(1, Ordering::Relaxed),
        }
    }
}

/// The blocked, not yet woken waiters on `key` whose bitset meets `bitset`, oldest first.
fn waiters(sched: &Scheduler, key: FutexKey, bitset: u32) -> alloc::vec::Vec<(u64, u32)> {
    let mut found: alloc::vec::Vec<(u64, u32)> = sched
        .tasks()
        .filter_map(|t| {
            let w = t.futex.as_ref()?;
            (w.key == key && !w.woken && w.bitset & bitset != 0 && t.state != State::Dead)
                .then_some((w.seq, t.tid))
        })
        .collect();
    found.sort_unstable();
    found
}

/// Wakes up to `n` waiters on `key` whose bitset meets `bitset`; returns how many.
pub fn wake(sched: &mut Scheduler, key: FutexKey, n: usize, bitset: u32) -> usize {
    let chosen = waiters(sched, key, bitset);
    let mut woken = 0;
    for &(_, tid) in chosen.iter().take(n) {
        if let Some(task) = sched.task_mut(tid) {
            if let Some(w) = task.futex.as_mut() {
                w.woken = true;
            }
            let blocked = task.state == State::Blocked(WaitFor::Futex);
            if blocked {
                sched.make_runnable(tid);
            }
            woken += 1;
        }
    }
    woken
}

/// Wakes up to `n_wake` waiters on `from` and moves up to `n_move` of the others to `to`;
/// returns how many were woken or moved (as Linux does for both requeue operations).
pub fn requeue(
    sched: &mut Scheduler,
    from: FutexKey,
    n_wake: usize,
    to: FutexKey,
    n_move: usize,
) -> usize {
    let woken = wake(sched, from, n_wake, u32::MAX);
    let rest = waiters(sched, from, u32::MAX);
    let mut moved = 0;
    for &(_, tid) in rest.iter().take(n_move) {
        if let Some(w) = sched.task_mut(tid).and_then(|t| t.futex.as_mut()) {
            w.key = to;
            moved += 1;
        }
    }
    woken + moved
}

/// A decoded `FUTEX_WAKE_OP` operation (`FUTEX_OP(op, oparg, cmp, cmparg)`): what to store
/// in the second word, and when to wake its waiters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WakeOp {
    op: u32,
    oparg: i32,
    cmp: u32,
    cmparg: i32,
}

impl WakeOp {
    /// Decodes `val3` of `FUTEX_WAKE_OP`; `ENOSYS` for an unknown operation or comparison.
    pub fn decode(encoded: u32) -> Result<WakeOp, Errno> {
        /// `FUTEX_OP_OPARG_SHIFT`: the operand is `1 << oparg`.
        const OPARG_SHIFT: u32 = 8;
        let sign_extend_12 = |v: u32| ((v << 20) as i32) >> 20;
        let mut op = encoded >> 28;
        let mut oparg = sign_extend_12((encoded >> 12) & 0xfff);
        if op & OPARG_SHIFT != 0 {
            op &= !OPARG_SHIFT;
            // Linux masks an out-of-range shift rather than failing.
            oparg = 1 << (oparg & 31);
        }
        let cmp = (encoded >> 24) & 0xf;
        if op > 4 || cmp > 5 {
            return Err(Errno::ENOSYS);
        }
        Ok(WakeOp {
            op,
            oparg,
            cmp,
            cmparg: sign_extend_12(encoded & 0xfff),
        })
    }

    /// The new value of a word that held `old`: SET, ADD, OR, ANDN, XOR.
    pub fn apply(&self, old: u32) -> u32 {
        let arg = self.oparg as u32;
        match self.op {
            0 => arg,
            1 => old.wrapping_add(arg),
            2 => old | arg,
            3 => old & !arg,
            _ => old ^ arg,
        }
    }

    /// Whether the old value `old` passes the comparison: EQ, NE, LT, LE, GT, GE (signed).
    pub fn passes(&self, old: u32) -> bool {
        let (old, arg) = (old as i32, self.cmparg);
        match self.cmp {
            0 => old == arg,
            1 => old != arg,
            2 => old < arg,
            3 => old <= arg,
            4 => old > arg,
            _ => old >= arg,
        }
    }
}
