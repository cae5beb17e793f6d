//! The fair class on one CPU: shares by weight, slices, placement of new and woken tasks,
//! wake-up preemption, yield.

mod common;

use common::{MS, Sim, share};
use sched::weight::nice_to_weight;
use sched::{CpuMask, Policy, RunQueue, SchedEntity, SchedParams, Tunables};

#[test]
fn equal_nice_gets_equal_share() {
    let mut sim = Sim::new(1);
    sim.spawn_nice(1, 0);
    sim.spawn_nice(2, 0);
    sim.run_for(1000 * MS);
    let s = share(sim.runtime(1), sim.runtime(2));
    assert!((s - 0.5).abs() < 0.01, "share {s}");
    assert_eq!(sim.runtime(1) + sim.runtime(2), 1000 * MS);
}

#[test]
fn nice_0_vs_nice_5_is_weight_proportional() {
    let mut sim = Sim::new(1);
    sim.spawn_nice(1, 0);
    sim.spawn_nice(2, 5);
    sim.run_for(2000 * MS);
    let expect = 1024.0 / (1024.0 + 335.0);
    let s = share(sim.runtime(1), sim.runtime(2));
    assert!((s - expect).abs() < 0.02, "share {s}, expected {expect}");
}

#[test]
fn three_nice_levels_share_by_weight() {
    let mut sim = Sim::new(1);
    for (id, nice) in [(1, -5), (2, 0), (3, 5)] {
        sim.spawn_nice(id, nice);
    }
    sim.run_for(3000 * MS);
    let total: u64 = (1..=3).map(|id| sim.runtime(id)).sum();
    let wsum: u32 = [-5, 0, 5].iter().map(|&n| nice_to_weight(n)).sum();
    for (id, nice) in [(1, -5), (2, 0), (3, 5)] {
        let got = sim.runtime(id) as f64 / total as f64;
        let want = nice_to_weight(nice) as f64 / wsum as f64;
        assert!((got - want).abs() < 0.02, "task {id}: {got} vs {want}");
    }
}

#[test]
fn slices_respect_latency_and_granularity() {
    let mut sim = Sim::new(1);
    sim.spawn_nice(1, 0);
    sim.run_for(100 * MS);
    assert_eq!(
        sim.s.queue(0).nr_switches(),
        1,
        "a lone task is never preempted"
    );
    sim.spawn_nice(2, 0);
    let before = sim.s.queue(0).nr_switches();
    sim.run_for(600 * MS);
    let switches = sim.s.queue(0).nr_switches() - before;
    // Two tasks: 3 ms slices, checked on a 1 ms tick, so a switch every 3 to 4 ms.
    assert!(
        (140..=210).contains(&switches),
        "{switches} switches in 600 ms"
    );
}

#[test]
fn many_tasks_stretch_the_period_to_min_granularity() {
    let mut sim = Sim::new(1);
    sim.tick_ns = MS / 4;
    for id in 0..16 {
        sim.spawn_nice(id, 0);
    }
    sim.run_for(1600 * MS);
    for id in 0..16 {
        let r = sim.runtime(id);
        assert!((90 * MS..110 * MS).contains(&r), "task {id} ran {r}");
    }
}

#[test]
fn new_task_is_placed_at_min_vruntime() {
    let mut sim = Sim::new(1);
    sim.spawn_nice(1, 0);
    sim.run_for(1000 * MS);
    // A newcomer does not get the 1 s the old task ran as credit: it shares from now on.
    sim.spawn_nice(2, 0);
    let (a0, b0) = (sim.runtime(1), sim.runtime(2));
    sim.run_for(100 * MS);
    let s = share(sim.runtime(1) - a0, sim.runtime(2) - b0);
    assert!((s - 0.5).abs() < 0.06, "share {s}");
}

#[test]
fn sleeper_credit_is_capped() {
    let mut sim = Sim::new(1);
    sim.spawn_nice(1, 0);
    sim.spawn_nice(2, 0);
    sim.run_for(100 * MS);
    sim.block(2);
    sim.run_for(1000 * MS);
    sim.wake(2);
    let (a0, b0) = (sim.runtime(1), sim.runtime(2));
    // The sleeper gets ahead by at most half the latency (3 ms) plus a tick.
    sim.run_for(40 * MS);
    let (da, db) = (sim.runtime(1) - a0, sim.runtime(2) - b0);
    assert!(db <= 20 * MS + 3 * MS + 2 * MS, "sleeper ran {db} of 40 ms");
    assert!(da >= 15 * MS, "the other ran only {da}");
    // And it does not starve the other task right after waking.
    assert!(db >= 15 * MS, "sleeper ran only {db}");
}

#[test]
fn woken_task_preempts_only_beyond_wakeup_granularity() {
    let t = Tunables::default();
    let mut q: RunQueue<u32> = RunQueue::new(0, t);
    let all = CpuMask::all();
    q.enqueue(SchedEntity::new(1, SchedParams::normal(0), all), 0)
        .unwrap();
    assert_eq!(q.pick_next(0), Some(1));
    // Task 1 runs 10 ms alone; 2 arrives with lag 0 (at min_vruntime = task 1's vruntime).
    q.tick(10 * MS);
    let preempt = q
        .enqueue(SchedEntity::new(2, SchedParams::normal(0), all), 10 * MS)
        .unwrap();
    assert!(!preempt, "equal virtual time: no preemption on wake-up");
    // A sleeper with credit (negative lag) preempts.
    let mut q: RunQueue<u32> = RunQueue::new(0, t);
    q.enqueue(SchedEntity::new(1, SchedParams::normal(0), all), 0)
        .unwrap();
    q.enqueue(SchedEntity::new(2, SchedParams::normal(0), all), 0)
        .unwrap();
    q.pick_next(0);
    let first = q.current().unwrap();
    let other = if first == 1 { 2 } else { 1 };
    let e = q.dequeue(other, 0).unwrap();
    q.tick(4 * MS);
    assert!(
        q.enqueue(e.clone(), 4 * MS).unwrap(),
        "a woken fair task behind by 4 ms preempts"
    );
    // SCHED_BATCH never preempts on wake-up.
    let mut q: RunQueue<u32> = RunQueue::new(0, t);
    q.enqueue(SchedEntity::new(1, SchedParams::normal(0), all), 0)
        .unwrap();
    q.enqueue(
        SchedEntity::new(2, SchedParams::new(Policy::Batch, 0, 0).unwrap(), all),
        0,
    )
    .unwrap();
    q.pick_next(0);
    let first = q.current().unwrap();
    let other = if first == 1 { 2 } else { 1 };
    let mut e = q.dequeue(other, 0).unwrap();
    e.set_params(SchedParams::new(Policy::Batch, 0, 0).unwrap());
    q.tick(4 * MS);
    assert!(
        !q.enqueue(e, 4 * MS).unwrap(),
        "a batch task waits for the tick"
    );
}

#[test]
fn yield_passes_to_another_fair_task() {
    let mut q: RunQueue<u32> = RunQueue::new(0, Tunables::default());
    let all = CpuMask::all();
    q.enqueue(SchedEntity::new(1, SchedParams::normal(0), all), 0)
        .unwrap();
    assert_eq!(q.pick_next(0), Some(1));
    q.yield_current(MS);
    assert!(q.need_resched());
    assert_eq!(q.pick_next(MS), Some(1), "a lone task yields to itself");
    q.enqueue(SchedEntity::new(2, SchedParams::normal(0), all), MS)
        .unwrap();
    // Task 2 arrived at min_vruntime, behind task 1: 1 keeps running until it yields.
    q.yield_current(2 * MS);
    assert_eq!(q.pick_next(2 * MS), Some(2));
    q.yield_current(2 * MS);
    assert_eq!(
        q.pick_next(2 * MS),
        Some(1),
        "yield alternates between two fair tasks"
    );
}

#[test]
fn set_nice_changes_the_share() {
    let mut sim = Sim::new(1);
    sim.spawn_nice(1, 0);
    sim.spawn_nice(2, 0);
    sim.run_for(100 * MS);
    assert!(sim.s.set_nice(2, 5, sim.now));
    assert_eq!(sim.s.entity(2).unwrap().nice(), 5);
    let (a0, b0) = (sim.runtime(1), sim.runtime(2));
    sim.run_for(2000 * MS);
    let s = share(sim.runtime(1) - a0, sim.runtime(2) - b0);
    assert!((s - 1024.0 / 1359.0).abs() < 0.02, "share {s}");
}
