//! The real-time classes and the idle policy on one CPU: FIFO order and priority, RR rotation,
//! real-time ahead of fair, SCHED_IDLE last, the idle fallback.

mod common;

use common::{MS, Sim};
use sched::{CpuMask, Policy, RunQueue, SchedEntity, SchedParams, Tunables};

fn fifo(prio: u8) -> SchedParams {
    SchedParams::new(Policy::Fifo, prio, 0).unwrap()
}

fn rr(prio: u8) -> SchedParams {
    SchedParams::new(Policy::RoundRobin, prio, 0).unwrap()
}

fn idle() -> SchedParams {
    SchedParams::new(Policy::Idle, 0, 0).unwrap()
}

fn queue_with(tasks: &[(u32, SchedParams)]) -> RunQueue<u32> {
    let mut q = RunQueue::new(0, Tunables::default());
    for &(id, p) in tasks {
        q.enqueue(SchedEntity::new(id, p, CpuMask::all()), 0)
            .unwrap();
    }
    q
}

/// Runs the queue's tasks one after the other, each until it blocks; the order they ran in.
fn drain_order(q: &mut RunQueue<u32>) -> Vec<u32> {
    let mut order = Vec::new();
    let mut now = 0;
    while let Some(id) = q.pick_next(now) {
        order.push(id);
        now += MS;
        q.dequeue(id, now).unwrap();
    }
    order
}

#[test]
fn fifo_runs_by_priority_then_arrival() {
    let mut q = queue_with(&[
        (1, fifo(10)),
        (2, fifo(50)),
        (3, fifo(50)),
        (4, fifo(99)),
        (5, fifo(1)),
    ]);
    assert_eq!(drain_order(&mut q), [4, 2, 3, 1, 5]);
}

#[test]
fn fifo_runs_until_it_blocks() {
    let mut sim = Sim::new(1);
    sim.spawn(1, fifo(10), CpuMask::all());
    sim.spawn(2, fifo(10), CpuMask::all());
    sim.run_for(1000 * MS);
    assert_eq!(sim.runtime(1), 1000 * MS);
    assert_eq!(sim.runtime(2), 0);
    sim.block(1);
    sim.run_for(10 * MS);
    assert_eq!(sim.runtime(2), 10 * MS);
}

#[test]
fn rr_rotates_at_its_quantum() {
    let mut sim = Sim::new(1);
    sim.spawn(1, rr(10), CpuMask::all());
    sim.spawn(2, rr(10), CpuMask::all());
    let first = sim.s.pick_next(0, 0).unwrap();
    sim.run_for(99 * MS);
    assert_eq!(
        sim.current(0),
        Some(first),
        "still within the 100 ms quantum"
    );
    sim.run_for(2 * MS);
    assert_ne!(sim.current(0), Some(first), "rotated after the quantum");
    sim.run_for(899 * MS);
    assert_eq!(sim.runtime(1), 500 * MS);
    assert_eq!(sim.runtime(2), 500 * MS);
    // The first pick and ten rotations (the last at 1000 ms).
    assert_eq!(sim.s.queue(0).nr_switches(), 11);
}

#[test]
fn lone_rr_task_keeps_the_cpu() {
    let mut sim = Sim::new(1);
    sim.spawn(1, rr(5), CpuMask::all());
    sim.spawn(2, rr(4), CpuMask::all());
    sim.run_for(500 * MS);
    assert_eq!(sim.runtime(1), 500 * MS);
    assert_eq!(sim.s.queue(0).nr_switches(), 1);
}

#[test]
fn higher_priority_preempts_and_the_preempted_keeps_its_turn() {
    let mut q = queue_with(&[(1, fifo(10)), (2, fifo(10))]);
    assert_eq!(q.pick_next(0), Some(1));
    let preempt = q
        .enqueue(SchedEntity::new(3, fifo(20), CpuMask::all()), MS)
        .unwrap();
    assert!(preempt);
    assert_eq!(q.pick_next(MS), Some(3));
    q.dequeue(3, 2 * MS);
    assert_eq!(
        q.pick_next(2 * MS),
        Some(1),
        "the preempted task is back at the head"
    );
    // A lower priority does not preempt.
    assert!(
        !q.enqueue(SchedEntity::new(4, fifo(5), CpuMask::all()), 3 * MS)
            .unwrap()
    );
    assert!(!q.tick(1000 * MS));
}

#[test]
fn rt_yield_goes_to_the_tail_of_its_priority() {
    let mut q = queue_with(&[(1, fifo(10)), (2, fifo(10)), (3, fifo(10))]);
    assert_eq!(q.pick_next(0), Some(1));
    q.yield_current(MS);
    assert_eq!(q.pick_next(MS), Some(2));
    q.yield_current(2 * MS);
    assert_eq!(q.pick_next(2 * MS), Some(3));
    q.yield_current(3 * MS);
    assert_eq!(q.pick_next(3 * MS), Some(1));
    // A yield with no other task of the same priority keeps running.
    let mut q = queue_with(&[(1, fifo(10)), (2, fifo(5))]);
    q.pick_next(0);
    q.yield_current(MS);
    assert_eq!(q.pick_next(MS), Some(1));
}

#[test]
fn rt_always_runs_before_fair() {
    let mut sim = Sim::new(1);
    sim.spawn_nice(1, -20);
    sim.run_for(10 * MS);
    let fair_before = sim.runtime(1);
    sim.spawn(2, rr(1), CpuMask::all());
    assert_eq!(
        sim.current(0),
        Some(2),
        "a waking RT task preempts a fair one at once"
    );
    sim.run_for(500 * MS);
    assert_eq!(sim.runtime(1), fair_before);
    sim.block(2);
    sim.run_for(10 * MS);
    assert_eq!(sim.runtime(1), fair_before + 10 * MS);
}

#[test]
fn sched_idle_runs_only_when_nothing_else_can() {
    let mut sim = Sim::new(1);
    sim.spawn(1, idle(), CpuMask::all());
    sim.spawn(2, idle(), CpuMask::all());
    sim.spawn_nice(3, 19);
    sim.run_for(300 * MS);
    assert_eq!(sim.runtime(1) + sim.runtime(2), 0);
    sim.block(3);
    sim.run_for(120 * MS);
    let (a, b) = (sim.runtime(1), sim.runtime(2));
    assert_eq!(a + b, 120 * MS);
    assert!(a.abs_diff(b) <= 6 * MS, "idle tasks take turns: {a} vs {b}");
    sim.wake(3);
    assert_eq!(
        sim.current(0),
        Some(3),
        "a fair task preempts SCHED_IDLE on wake-up"
    );
}

#[test]
fn empty_queue_means_the_idle_loop() {
    let mut q: RunQueue<u32> = RunQueue::new(0, Tunables::default());
    assert_eq!(q.pick_next(0), None);
    assert!(!q.tick(MS));
    let preempt = q
        .enqueue(SchedEntity::new(1, idle(), CpuMask::all()), MS)
        .unwrap();
    assert!(preempt, "any task wakes an idle CPU");
    assert_eq!(q.pick_next(MS), Some(1));
    q.dequeue(1, 2 * MS);
    assert_eq!(q.pick_next(2 * MS), None);
}

#[test]
fn set_params_moves_between_classes() {
    let mut q = queue_with(&[(1, SchedParams::normal(0)), (2, SchedParams::normal(0))]);
    let first = q.pick_next(0).unwrap();
    let other = 3 - first;
    assert!(q.set_params(other, rr(1), MS));
    assert!(q.need_resched());
    assert_eq!(q.pick_next(MS), Some(other));
    assert_eq!(q.entity(other).unwrap().policy(), Policy::RoundRobin);
    // Back to fair: it shares the CPU again.
    assert!(q.set_params(other, SchedParams::normal(0), 2 * MS));
    assert_eq!(q.fair_load(), 2048);
    assert!(!q.set_params(9, rr(1), 2 * MS));
}
