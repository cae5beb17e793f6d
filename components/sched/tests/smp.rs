//! Several CPUs: affinity, wake-up placement, load balancing, migration on affinity change.

mod common;

use common::{MS, Sim};
use sched::{AffinityChange, CpuMask, SchedEntity, SchedError, SchedParams, balance};

fn mask(cpus: &[usize]) -> CpuMask {
    let mut m = CpuMask::empty();
    for &c in cpus {
        m.insert(c);
    }
    m
}

#[test]
fn wake_places_on_the_least_loaded_allowed_cpu() {
    let mut sim = Sim::new(4);
    let cpus: Vec<usize> = (0..4).map(|id| sim.spawn_nice(id, 0)).collect();
    assert_eq!(cpus, [0, 1, 2, 3]);
    assert_eq!(sim.spawn(9, SchedParams::normal(0), mask(&[2, 3])), 2);
    let e = SchedEntity::new(10, SchedParams::normal(0), mask(&[7]));
    assert!(
        sim.s.wake(e, 0).is_err(),
        "a mask without an online CPU is refused"
    );
}

#[test]
fn affinity_is_respected_under_balancing() {
    let mut sim = Sim::new(4);
    sim.balance_every = 4;
    let masks = [
        &[0][..],
        &[0],
        &[0, 1],
        &[1],
        &[2, 3],
        &[3],
        &[0, 1, 2, 3],
        &[1, 3],
    ];
    for (id, m) in masks.iter().enumerate() {
        sim.spawn(id as u32, SchedParams::normal(0), mask(m));
    }
    // The simulator asserts at every step that each task runs only on a CPU of its mask.
    sim.run_for(1000 * MS);
    for (id, m) in masks.iter().enumerate() {
        for cpu in sim.cpus_seen(id as u32) {
            assert!(m.contains(&cpu), "task {id} ran on {cpu}");
        }
        assert!(sim.runtime(id as u32) > 0, "task {id} never ran");
    }
}

#[test]
fn balancing_evens_out_eight_tasks_over_four_cpus() {
    let mut sim = Sim::new(4);
    for id in 0..8 {
        sim.spawn(id, SchedParams::normal(0), CpuMask::single(0));
    }
    assert_eq!(sim.s.loads(), [8, 0, 0, 0]);
    for id in 0..8 {
        // Widening the mask moves nothing by itself: CPU 0 is still allowed.
        assert_eq!(sim.s.set_affinity(id, CpuMask::all(), sim.now), Ok(true));
    }
    assert_eq!(sim.s.loads(), [8, 0, 0, 0]);
    let moved = sim.s.balance_all(sim.now);
    assert_eq!(moved, 6);
    assert_eq!(sim.s.loads(), [2, 2, 2, 2]);
}

#[test]
fn cpu_bound_tasks_share_all_cpus_fairly() {
    let mut sim = Sim::new(4);
    sim.balance_every = 10;
    for id in 0..8 {
        sim.spawn(id, SchedParams::normal(0), CpuMask::single(0));
        sim.s.set_affinity(id, CpuMask::all(), 0).unwrap();
    }
    sim.run_for(1000 * MS);
    for id in 0..8 {
        let r = sim.runtime(id);
        assert!((440 * MS..=520 * MS).contains(&r), "task {id} ran {r}");
    }
}

#[test]
fn idle_cpu_pulls_work_when_it_picks() {
    let mut sim = Sim::new(2);
    for id in 0..3 {
        sim.spawn(id, SchedParams::normal(0), CpuMask::single(0));
        sim.s.set_affinity(id, CpuMask::all(), 0).unwrap();
    }
    assert_eq!(sim.s.loads(), [3, 0]);
    assert!(
        sim.s.pick_next(1, 0).is_some(),
        "a CPU with nothing to run pulls"
    );
    assert_eq!(sim.s.loads(), [2, 1]);
}

#[test]
fn balancing_never_moves_a_running_task_or_breaks_affinity() {
    let mut sim = Sim::new(2);
    sim.spawn(1, SchedParams::normal(0), CpuMask::single(0));
    sim.spawn(2, SchedParams::normal(0), CpuMask::single(0));
    sim.spawn(3, SchedParams::normal(0), CpuMask::single(0));
    sim.resched_all();
    let running = sim.current(0).unwrap();
    assert_eq!(sim.s.balance(1, 0), 0, "nothing may move to CPU 1");
    for id in 1..=3 {
        sim.s.set_affinity(id, CpuMask::all(), 0).unwrap();
    }
    assert_eq!(sim.s.balance(1, 0), 1);
    assert_eq!(sim.s.cpu_of(running), Some(0), "the running task stays");
    assert_eq!(balance::find_busiest(1, &sim.s.loads()), None);
}

#[test]
fn changing_the_mask_migrates_a_waiting_task_at_once() {
    let mut sim = Sim::new(2);
    sim.spawn(1, SchedParams::normal(0), CpuMask::single(0));
    sim.spawn(2, SchedParams::normal(0), CpuMask::single(0));
    sim.resched_all();
    let running = sim.current(0).unwrap();
    let waiting = 3 - running;
    assert_eq!(
        sim.s.set_affinity(waiting, CpuMask::single(1), sim.now),
        Ok(true)
    );
    assert_eq!(sim.s.cpu_of(waiting), Some(1));
    assert_eq!(sim.s.entity(waiting).unwrap().last_cpu(), Some(1));
    sim.run_for(10 * MS);
    assert_eq!(sim.cpus_seen(waiting), [1]);
}

#[test]
fn changing_the_mask_migrates_a_running_task_after_its_switch() {
    let mut sim = Sim::new(2);
    sim.spawn(1, SchedParams::normal(0), CpuMask::single(0));
    sim.resched_all();
    assert_eq!(sim.current(0), Some(1));
    // On the queue itself: the current task is flagged, not moved.
    let mut q = sched::RunQueue::new(0, sched::Tunables::default());
    q.enqueue(
        SchedEntity::new(7u32, SchedParams::normal(0), CpuMask::all()),
        0,
    )
    .unwrap();
    q.pick_next(0);
    assert_eq!(
        q.set_affinity(7, CpuMask::single(1), MS),
        Ok(AffinityChange::AfterSwitch)
    );
    assert!(q.need_resched());
    assert_eq!(q.pick_next(MS), None);
    let out = q.take_outgoing();
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].affinity(), CpuMask::single(1));
    // Through the scheduler: the next pick on CPU 0 hands it to CPU 1.
    sim.s.set_affinity(1, CpuMask::single(1), sim.now).unwrap();
    assert_eq!(sim.s.cpu_of(1), Some(0));
    sim.step();
    assert_eq!(sim.s.cpu_of(1), Some(1));
    sim.run_for(10 * MS);
    assert_eq!(sim.current(1), Some(1));
    assert_eq!(sim.current(0), None);
}

#[test]
fn bad_masks_are_einval() {
    let mut sim = Sim::new(2);
    sim.spawn_nice(1, 0);
    let e = sim.s.set_affinity(1, CpuMask::empty(), 0).unwrap_err();
    assert_eq!(e, SchedError::InvalidArgument);
    assert_eq!(e.errno(), 22);
    assert!(
        sim.s.set_affinity(1, CpuMask::single(5), 0).is_err(),
        "offline CPUs only"
    );
    assert_eq!(
        sim.s.set_affinity(42, CpuMask::all(), 0),
        Ok(false),
        "not runnable"
    );
    let mut e = SchedEntity::new(3u32, SchedParams::normal(0), CpuMask::all());
    assert!(e.set_affinity(CpuMask::empty()).is_err());
}

#[test]
fn blocked_tasks_come_back_on_their_cpu() {
    let mut sim = Sim::new(2);
    sim.spawn_nice(1, 0);
    sim.spawn_nice(2, 0);
    sim.run_for(10 * MS);
    let cpu = sim.s.cpu_of(2).unwrap();
    sim.block(2);
    assert_eq!(sim.s.cpu_of(2), None);
    sim.run_for(10 * MS);
    assert_eq!(sim.wake(2), cpu, "the last CPU wins ties");
}

#[test]
fn a_forked_child_inherits_params_and_mask_and_starts_fresh() {
    let mut sim = Sim::new(2);
    let rt = SchedParams::new(sched::Policy::Fifo, 10, -5).unwrap();
    sim.spawn(1, rt, CpuMask::single(1));
    sim.run_for(10 * MS);
    let parent = sim.s.entity(1).unwrap();
    let child = parent.fork(2, false);
    assert_eq!(
        (child.params(), child.affinity(), child.last_cpu()),
        (rt, CpuMask::single(1), Some(1))
    );
    assert_eq!(child.sum_exec_runtime(), 0);
    let reset = parent.fork(3, true);
    assert_eq!(reset.params(), SchedParams::normal(0));
    assert_eq!(sim.s.wake(child, sim.now).unwrap().0, 1);
}
