//! Property tests: random sequences of scheduler operations against a model of which tasks are
//! runnable, with the invariants checked after every step; fair shares for random nice pairs.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{MS, Sim, share};
use proptest::prelude::*;
use sched::weight::nice_to_weight;
use sched::{CpuMask, Policy, SchedEntity, SchedParams, Scheduler, Tunables};

const NCPUS: usize = 3;

#[derive(Clone, Debug)]
enum Op {
    Spawn {
        id: u8,
        policy: u8,
        prio: u8,
        nice: i8,
        mask: u8,
    },
    Block(u8),
    Wake(u8),
    Tick {
        cpu: usize,
        dt: u64,
    },
    Pick(usize),
    Yield(usize),
    SetAffinity {
        id: u8,
        mask: u8,
    },
    SetNice {
        id: u8,
        nice: i8,
    },
    SetRt {
        id: u8,
        prio: u8,
    },
    Balance,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0u8..12, 0u8..5, 1u8..=99, -20i8..=19, 1u8..8).prop_map(
            |(id, policy, prio, nice, mask)| Op::Spawn {
                id,
                policy,
                prio,
                nice,
                mask
            }
        ),
        (0u8..12).prop_map(Op::Block),
        (0u8..12).prop_map(Op::Wake),
        (0..NCPUS, 0u64..20_000_000).prop_map(|(cpu, dt)| Op::Tick { cpu, dt }),
        (0..NCPUS).prop_map(Op::Pick),
        (0..NCPUS).prop_map(Op::Yield),
        (0u8..12, 0u8..8).prop_map(|(id, mask)| Op::SetAffinity { id, mask }),
        (0u8..12, -20i8..=19).prop_map(|(id, nice)| Op::SetNice { id, nice }),
        (0u8..12, 1u8..=99).prop_map(|(id, prio)| Op::SetRt { id, prio }),
        Just(Op::Balance),
    ]
}

fn mask_of(bits: u8) -> CpuMask {
    let mut m = CpuMask::empty();
    for cpu in 0..NCPUS {
        if bits & (1 << cpu) != 0 {
            m.insert(cpu);
        }
    }
    m
}

fn params_of(policy: u8, prio: u8, nice: i8) -> SchedParams {
    match policy {
        0 => SchedParams::normal(nice),
        1 => SchedParams::new(Policy::Batch, 0, nice).unwrap(),
        2 => SchedParams::new(Policy::Idle, 0, nice).unwrap(),
        3 => SchedParams::new(Policy::Fifo, prio, nice).unwrap(),
        _ => SchedParams::new(Policy::RoundRobin, prio, nice).unwrap(),
    }
}

/// The rank of a task's class and priority: whoever ranks higher must run first.
fn rank(e: &SchedEntity<u8>) -> u32 {
    match e.policy() {
        Policy::Idle => 0,
        Policy::Normal | Policy::Batch => 1,
        Policy::Fifo | Policy::RoundRobin => 100 + e.params().rt_priority() as u32,
    }
}

fn check(s: &Scheduler<u8>, runnable: &BTreeSet<u8>, sleeping: &BTreeMap<u8, SchedEntity<u8>>) {
    let mut seen = BTreeSet::new();
    for cpu in 0..s.ncpus() {
        let q = s.queue(cpu);
        for id in q.tasks() {
            assert!(seen.insert(id), "task {id} on two queues");
            let e = q.entity(id).unwrap();
            assert_eq!(e.id(), id);
            if q.current() != Some(id) {
                assert!(
                    e.affinity().contains(cpu),
                    "waiting task {id} queued outside its mask"
                );
            }
        }
        if let Some(c) = q.current() {
            assert!(q.contains(c), "current {c} not on its queue");
        }
    }
    assert_eq!(&seen, runnable);
    assert!(sleeping.keys().all(|id| !seen.contains(id)));
    assert_eq!(s.loads().iter().sum::<usize>(), runnable.len());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn operations_keep_the_invariants(ops in proptest::collection::vec(op(), 1..120)) {
        let mut s: Scheduler<u8> = Scheduler::new(NCPUS, Tunables::default());
        let mut runnable = BTreeSet::new();
        let mut sleeping: BTreeMap<u8, SchedEntity<u8>> = BTreeMap::new();
        let mut now = 0u64;
        for op in ops {
            now += 100_000;
            match op {
                Op::Spawn { id, policy, prio, nice, mask } => {
                    if !runnable.contains(&id) && !sleeping.contains_key(&id) {
                        let e = SchedEntity::new(id, params_of(policy, prio, nice), mask_of(mask));
                        let (cpu, _) = s.wake(e, now).unwrap();
                        prop_assert!(mask_of(mask).contains(cpu));
                        runnable.insert(id);
                    }
                }
                Op::Block(id) => {
                    let e = s.block(id, now);
                    prop_assert_eq!(e.is_some(), runnable.remove(&id));
                    if let Some(e) = e {
                        sleeping.insert(id, e);
                    }
                }
                Op::Wake(id) => {
                    if let Some(e) = sleeping.remove(&id) {
                        s.wake(e, now).unwrap();
                        runnable.insert(id);
                    }
                }
                Op::Tick { cpu, dt } => {
                    now += dt;
                    s.tick(cpu, now);
                }
                Op::Pick(cpu) => {
                    let next = s.pick_next(cpu, now);
                    let q = s.queue(cpu);
                    match next {
                        None => prop_assert_eq!(q.nr_running(), 0),
                        Some(c) => {
                            let best = q.tasks().map(|id| rank(q.entity(id).unwrap())).max().unwrap();
                            prop_assert_eq!(rank(q.entity(c).unwrap()), best, "picked below the best class");
                        }
                    }
                }
                Op::Yield(cpu) => s.yield_current(cpu, now),
                Op::SetAffinity { id, mask } => {
                    let m = mask_of(mask);
                    let r = s.set_affinity(id, m, now);
                    if m.is_empty() {
                        prop_assert!(r.is_err());
                    } else {
                        prop_assert_eq!(r, Ok(runnable.contains(&id)));
                    }
                    if let Some(e) = sleeping.get_mut(&id) {
                        let _ = e.set_affinity(m);
                    }
                }
                Op::SetNice { id, nice } => {
                    prop_assert_eq!(s.set_nice(id, nice, now), runnable.contains(&id));
                }
                Op::SetRt { id, prio } => {
                    let p = SchedParams::new(Policy::RoundRobin, prio, 0).unwrap();
                    prop_assert_eq!(s.set_params(id, p, now), runnable.contains(&id));
                }
                Op::Balance => {
                    s.balance_all(now);
                }
            }
            check(&s, &runnable, &sleeping);
        }
    }

    #[test]
    fn two_fair_tasks_share_by_weight(a in -20i8..=19, b in -20i8..=19) {
        let mut sim = Sim::new(1);
        sim.spawn_nice(1, a);
        sim.spawn_nice(2, b);
        sim.run_for(3000 * MS);
        let (wa, wb) = (nice_to_weight(a) as f64, nice_to_weight(b) as f64);
        let got = share(sim.runtime(1), sim.runtime(2));
        let want = wa / (wa + wb);
        prop_assert!((got - want).abs() < 0.02, "nice {} vs {}: {} vs {}", a, b, got, want);
    }
}
