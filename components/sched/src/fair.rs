//! The fair class (`SCHED_OTHER`, `SCHED_BATCH`): virtual runtime, weighted by nice (CFS).
//!
//! Each fair task accumulates virtual runtime: real runtime scaled by `1024 / weight`, so a
//! heavier (lower nice) task's virtual clock runs slower and it gets a proportionally larger
//! share. The queue always runs the task with the smallest virtual runtime.
//!
//! The fair queue's invariants: `tree` holds every runnable fair task of the CPU except the current
//! one, keyed by `(vruntime, id)`; `load` and `nr` count those plus the current task when it is
//! fair; `min_vruntime` never decreases and trails the smallest virtual runtime of the queue
//! (current included). Tasks arriving (new, woken, migrated) are placed relative to
//! `min_vruntime` by their lag, with credit capped at half the latency: a sleeper gets ahead of
//! the others by at most that, so it neither starves them nor hoards credit.
//!
//! Virtual runtimes are `u64` nanoseconds from 0 and saturate; at nice 19 alone on a CPU the
//! clock runs 68 times wall speed, which still lasts eight years of that CPU.
//!
//! The slice and preemption rules are free functions ([`sched_slice`], [`should_preempt`],
//! [`wakeup_preempts`]) so that they can be tested and reused alone.

use alloc::collections::BTreeSet;

use crate::tunables::Tunables;
use crate::weight::NICE_0_WEIGHT;

/// Converts `delta` nanoseconds of runtime at `weight` into virtual nanoseconds.
pub fn calc_delta_fair(delta: u64, weight: u32) -> u64 {
    let v = delta as u128 * NICE_0_WEIGHT as u128 / weight.max(1) as u128;
    v.min(u64::MAX as u128) as u64
}

/// The fair period for `nr` runnable tasks: the latency, stretched to `nr` minimum granularities
/// when there are too many tasks to give each one that much within the latency.
pub fn sched_period(nr: usize, t: &Tunables) -> u64 {
    let stretched = (nr as u64).saturating_mul(t.min_granularity_ns);
    stretched.max(t.latency_ns)
}

/// The ideal slice of a task of `weight` among `nr` runnable fair tasks of total weight `load`:
/// its weighted share of the period, at least the minimum granularity.
pub fn sched_slice(nr: usize, weight: u32, load: u64, t: &Tunables) -> u64 {
    let period = sched_period(nr, t) as u128;
    let share = period * weight as u128 / load.max(weight as u64).max(1) as u128;
    (share as u64).max(t.min_granularity_ns)
}

/// The tick's decision for the current fair task: preempt it?
///
/// `ran` is how long it has run since it was last picked, `weight` its weight, `nr` and `load`
/// the number and total weight of runnable fair tasks (itself included), `curr_vruntime` its
/// virtual runtime and `leftmost` the smallest virtual runtime among the others. It is preempted
/// when it has used its slice ([`sched_slice`]), or, after the minimum granularity, when it is
/// more than a slice of virtual time ahead of the leftmost task. A lone task is never preempted.
pub fn should_preempt(
    ran: u64,
    weight: u32,
    load: u64,
    nr: usize,
    curr_vruntime: u64,
    leftmost: Option<u64>,
    t: &Tunables,
) -> bool {
    if nr <= 1 {
        return false;
    }
    let ideal = sched_slice(nr, weight, load, t);
    if ran > ideal {
        return true;
    }
    if ran < t.min_granularity_ns {
        return false;
    }
    leftmost.is_some_and(|left| curr_vruntime > left.saturating_add(ideal))
}

/// Whether a woken fair task at `new_vruntime` (of `new_weight`) preempts the current fair task
/// at `curr_vruntime`: it must be behind by more than the wake-up granularity in its own virtual
/// time, so that wake-ups don't cause a switch storm.
pub fn wakeup_preempts(
    curr_vruntime: u64,
    new_vruntime: u64,
    new_weight: u32,
    t: &Tunables,
) -> bool {
    let gran = calc_delta_fair(t.wakeup_granularity_ns, new_weight);
    curr_vruntime > new_vruntime.saturating_add(gran)
}

/// The fair tasks of one CPU, ordered by virtual runtime (see the module docs).
#[derive(Debug)]
pub(crate) struct FairQueue<T> {
    tree: BTreeSet<(u64, T)>,
    min_vruntime: u64,
    load: u64,
    nr: usize,
}

impl<T: Copy + Ord> FairQueue<T> {
    /// An empty queue.
    pub(crate) fn new() -> FairQueue<T> {
        FairQueue {
            tree: BTreeSet::new(),
            min_vruntime: 0,
            load: 0,
            nr: 0,
        }
    }

    /// The queue's `min_vruntime`.
    pub(crate) fn min_vruntime(&self) -> u64 {
        self.min_vruntime
    }

    /// The total weight of its runnable tasks (the current one included).
    pub(crate) fn load(&self) -> u64 {
        self.load
    }

    /// The number of its runnable tasks (the current one included).
    pub(crate) fn nr(&self) -> usize {
        self.nr
    }

    /// Counts a task of `weight` in.
    pub(crate) fn account_add(&mut self, weight: u32) {
        self.load += weight as u64;
        self.nr += 1;
    }

    /// Counts a task of `weight` out.
    pub(crate) fn account_sub(&mut self, weight: u32) {
        self.load = self.load.saturating_sub(weight as u64);
        self.nr = self.nr.saturating_sub(1);
    }

    /// The virtual runtime of an arriving task with `lag`: `min_vruntime + lag`, with credit
    /// (negative lag) capped at half the latency.
    pub(crate) fn place(&self, lag: i64, t: &Tunables) -> u64 {
        let cap = (t.latency_ns / 2).min(i64::MAX as u64) as i64;
        self.min_vruntime.saturating_add_signed(lag.max(-cap))
    }

    /// The lag of a leaving task at `vruntime`.
    pub(crate) fn lag_of(&self, vruntime: u64) -> i64 {
        let d = vruntime as i128 - self.min_vruntime as i128;
        d.clamp(i64::MIN as i128, i64::MAX as i128) as i64
    }

    /// Adds a waiting (not current) task.
    pub(crate) fn push(&mut self, vruntime: u64, id: T) {
        self.tree.insert((vruntime, id));
    }

    /// Removes a waiting task.
    pub(crate) fn remove(&mut self, vruntime: u64, id: T) {
        self.tree.remove(&(vruntime, id));
    }

    /// The smallest virtual runtime among the waiting tasks.
    pub(crate) fn leftmost(&self) -> Option<u64> {
        self.tree.first().map(|&(v, _)| v)
    }

    /// Takes the next task to run: the leftmost, unless that is `skip` (a task that yielded) and
    /// another one waits.
    pub(crate) fn pop_next(&mut self, skip: Option<T>) -> Option<T> {
        let mut it = self.tree.iter();
        let first = *it.next()?;
        let chosen = match it.next() {
            Some(&second) if Some(first.1) == skip => second,
            _ => first,
        };
        self.tree.remove(&chosen);
        Some(chosen.1)
    }

    /// The waiting tasks, largest virtual runtime first (the best to migrate).
    pub(crate) fn iter_rev(&self) -> impl Iterator<Item = T> + '_ {
        self.tree.iter().rev().map(|&(_, id)| id)
    }

    /// Advances `min_vruntime` to the smallest virtual runtime of the queue, given the current
    /// task's when it is fair; it never goes back.
    pub(crate) fn update_min(&mut self, curr: Option<u64>) {
        let smallest = match (curr, self.leftmost()) {
            (Some(c), Some(l)) => Some(c.min(l)),
            (c, l) => c.or(l),
        };
        if let Some(v) = smallest {
            self.min_vruntime = self.min_vruntime.max(v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::weight::nice_to_weight;

    #[test]
    fn virtual_time_scales_with_weight() {
        assert_eq!(calc_delta_fair(1000, 1024), 1000);
        assert_eq!(calc_delta_fair(1000, 2048), 500);
        assert!(calc_delta_fair(1_000_000, nice_to_weight(19)) > 60_000_000);
        assert_eq!(calc_delta_fair(u64::MAX, 15), u64::MAX);
    }

    #[test]
    fn slices_follow_weight_and_granularity() {
        let t = Tunables::default();
        assert_eq!(sched_period(2, &t), 6_000_000);
        assert_eq!(sched_period(16, &t), 12_000_000);
        assert_eq!(sched_slice(2, 1024, 2048, &t), 3_000_000);
        assert_eq!(sched_slice(1, 1024, 1024, &t), 6_000_000);
        // A light task among heavy ones still gets the minimum granularity.
        assert_eq!(sched_slice(3, 15, 15 + 2 * 88761, &t), 750_000);
    }

    #[test]
    fn preemption_rules() {
        let t = Tunables::default();
        assert!(!should_preempt(100_000_000, 1024, 1024, 1, 0, None, &t));
        assert!(!should_preempt(2_000_000, 1024, 2048, 2, 0, Some(0), &t));
        assert!(should_preempt(3_000_001, 1024, 2048, 2, 0, Some(0), &t));
        // Below the minimum granularity nothing preempts, however far ahead.
        assert!(!should_preempt(
            500_000,
            1024,
            2048,
            2,
            1 << 40,
            Some(0),
            &t
        ));
        assert!(should_preempt(
            1_000_000,
            1024,
            2048,
            2,
            10_000_000,
            Some(0),
            &t
        ));
        assert!(wakeup_preempts(5_000_000, 0, 1024, &t));
        assert!(!wakeup_preempts(900_000, 0, 1024, &t));
    }

    #[test]
    fn placement_caps_credit_and_keeps_debt() {
        let t = Tunables::default();
        let mut q: FairQueue<u32> = FairQueue::new();
        q.update_min(Some(100_000_000));
        assert_eq!(q.place(0, &t), 100_000_000);
        assert_eq!(q.place(-50_000_000, &t), 97_000_000);
        assert_eq!(q.place(5_000_000, &t), 105_000_000);
        q.update_min(Some(1));
        assert_eq!(
            q.min_vruntime(),
            100_000_000,
            "min_vruntime never goes back"
        );
    }

    #[test]
    fn pop_skips_the_yielder_only_when_another_waits() {
        let mut q: FairQueue<u32> = FairQueue::new();
        q.push(10, 1);
        q.push(20, 2);
        assert_eq!(q.pop_next(Some(1)), Some(2));
        assert_eq!(q.pop_next(Some(1)), Some(1));
        assert_eq!(q.pop_next(None), None);
    }
}
