//! Load balancing between CPUs and the choice of a CPU for a waking task.
//!
//! The measure of load is the number of runnable tasks of a queue ([`RunQueue::nr_running`]).
//! Balancing pulls: an idle or lightly loaded CPU finds the busiest queue ([`find_busiest`]) and
//! moves tasks from it ([`pull`]) until the two differ by at most one. Only waiting tasks move
//! (never a queue's current task), only to a CPU in their affinity, cheapest to move first
//! (idle policy, then fair tasks that ran most, then real-time by lowest priority). A fair task
//! keeps its lag across the move, so it is neither favoured nor penalised by the other queue's
//! virtual clock.
//!
//! Locking is the kernel's: [`pull`] needs both queues, so a kernel with one lock per queue
//! takes the two locks in CPU order; the loads passed to [`find_busiest`] and [`select_cpu`] may
//! be racy snapshots.

use crate::cpumask::CpuMask;
use crate::runqueue::RunQueue;

/// The CPU with the most runnable tasks, if it has at least two more than `loads[this_cpu]`
/// (lowest CPU number on ties). `loads[i]` is CPU `i`'s [`RunQueue::nr_running`].
pub fn find_busiest(this_cpu: usize, loads: &[usize]) -> Option<usize> {
    let mine = loads.get(this_cpu).copied().unwrap_or(0);
    let mut best: Option<usize> = None;
    for (cpu, &load) in loads.iter().enumerate() {
        if cpu != this_cpu && load > mine + 1 && best.is_none_or(|b| load > loads[b]) {
            best = Some(cpu);
        }
    }
    best
}

/// The CPU for a task that becomes runnable: the least loaded CPU of `mask` among
/// `0..loads.len()`, preferring `prev` (its last CPU, cache-warm) on ties. `None` if the mask
/// names no such CPU.
pub fn select_cpu(mask: &CpuMask, loads: &[usize], prev: Option<usize>) -> Option<usize> {
    select_cpu_by(mask, loads.len(), |cpu| loads[cpu], prev)
}

/// [`select_cpu`] with the loads of CPUs `0..ncpus` given by `load_of`, so that a caller that
/// holds the queues can read their loads in place instead of building a slice on every wake-up.
pub fn select_cpu_by(
    mask: &CpuMask,
    ncpus: usize,
    load_of: impl Fn(usize) -> usize,
    prev: Option<usize>,
) -> Option<usize> {
    if ncpus == 1 {
        // The only candidate; the loop below would find the same answer.
        return mask.contains(0).then_some(0);
    }
    let mut best = prev.filter(|&p| p < ncpus && mask.contains(p));
    let mut best_load = best.map(&load_of);
    for cpu in mask.iter().take_while(|&c| c < ncpus) {
        let load = load_of(cpu);
        if best_load.is_none_or(|b| load < b) {
            best = Some(cpu);
            best_load = Some(load);
        }
    }
    best
}

/// How many tasks CPU `dst` should pull from CPU `src`: half their difference, but no more than
/// brings `dst` to the machine's average (rounded up), so that tasks move once, not through a
/// chain of CPUs.
pub fn pull_limit(src: usize, dst: usize, loads: &[usize]) -> usize {
    let (Some(&s), Some(&d)) = (loads.get(src), loads.get(dst)) else {
        return 0;
    };
    let total: usize = loads.iter().sum();
    let avg_ceil = total.div_ceil(loads.len());
    (s.saturating_sub(d) / 2).min(avg_ceil.saturating_sub(d))
}

/// Moves at most `max` waiting tasks from `src` to `dst`, stopping when their numbers of
/// runnable tasks differ by at most one or no more task of `src` may run on `dst`'s CPU (see
/// [`pull_limit`] for a `max` that brings `dst` up to the average). Returns how many moved; `dst`'s
/// [`RunQueue::need_resched`] tells whether one of them should preempt there.
pub fn pull<T: Copy + Ord>(
    src: &mut RunQueue<T>,
    dst: &mut RunQueue<T>,
    max: usize,
    now: u64,
) -> usize {
    if src.cpu() == dst.cpu() {
        return 0;
    }
    let mut moved = 0;
    for id in src.migration_candidates(dst.cpu()) {
        if moved == max || src.nr_running() <= dst.nr_running() + 1 {
            break;
        }
        let Some(e) = src.dequeue(id, now) else {
            continue;
        };
        match dst.enqueue(e, now) {
            Ok(_) => moved += 1,
            Err(e) => {
                // Cannot happen (affinity was checked, ids are unique), but never lose a task.
                let _ = src.enqueue(e, now);
            }
        }
    }
    moved
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busiest_needs_an_imbalance_of_two() {
        assert_eq!(find_busiest(0, &[0, 1, 1]), None);
        assert_eq!(find_busiest(0, &[0, 2, 3, 3]), Some(2));
        assert_eq!(find_busiest(1, &[5, 3]), Some(0));
        assert_eq!(find_busiest(1, &[4, 3]), None);
        assert_eq!(find_busiest(5, &[]), None);
    }

    #[test]
    fn pull_limit_stops_at_the_average() {
        assert_eq!(pull_limit(0, 1, &[8, 0, 0, 0]), 2);
        assert_eq!(pull_limit(0, 1, &[3, 0]), 1);
        assert_eq!(pull_limit(0, 1, &[4, 2, 0, 0]), 0);
        assert_eq!(pull_limit(0, 9, &[4, 2]), 0);
    }

    #[test]
    fn select_prefers_idle_then_prev() {
        let all = CpuMask::first_n(4);
        assert_eq!(select_cpu(&all, &[2, 0, 1, 0], None), Some(1));
        assert_eq!(select_cpu(&all, &[2, 0, 1, 0], Some(3)), Some(3));
        assert_eq!(
            select_cpu(&CpuMask::single(2), &[2, 0, 1, 0], Some(3)),
            Some(2)
        );
        assert_eq!(select_cpu(&CpuMask::single(9), &[0, 0], None), None);
    }

    /// The rule of [`select_cpu`] spelled out over a slice, as it was before loads could be read
    /// in place.
    fn select_reference(mask: &CpuMask, loads: &[usize], prev: Option<usize>) -> Option<usize> {
        let mut best = prev.filter(|&p| p < loads.len() && mask.contains(p));
        for cpu in mask.iter().take_while(|&c| c < loads.len()) {
            if best.is_none_or(|b| loads[cpu] < loads[b]) {
                best = Some(cpu);
            }
        }
        best
    }

    #[test]
    fn select_by_matches_the_rule_for_every_mask_and_machine_size() {
        let loads = [3, 1, 1, 0, 2];
        for n in 0..=loads.len() {
            for bits in 0u8..32 {
                let mut mask = CpuMask::empty();
                (0..5)
                    .filter(|c| bits & (1 << c) != 0)
                    .for_each(|c| mask.insert(c));
                for prev in [None, Some(0), Some(2), Some(4), Some(7)] {
                    assert_eq!(
                        select_cpu_by(&mask, n, |c| loads[c], prev),
                        select_reference(&mask, &loads[..n], prev),
                        "{n} CPUs, mask {bits:#b}, prev {prev:?}"
                    );
                }
            }
        }
    }
}
