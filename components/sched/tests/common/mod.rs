//! A small simulator for the scheduler: CPU-bound tasks on a few CPUs, a timer tick every
//! `tick_ns`, periodic load balancing, and checks made at every step (a task runs only on a
//! CPU of its affinity and on one CPU at a time).

#![allow(dead_code)]

use std::collections::BTreeMap;

use sched::{CpuMask, SchedEntity, SchedParams, Scheduler, Tunables};

/// One millisecond in nanoseconds.
pub const MS: u64 = 1_000_000;

/// A simulated machine.
pub struct Sim {
    /// The scheduler under test.
    pub s: Scheduler<u32>,
    /// Simulated time, in nanoseconds.
    pub now: u64,
    /// The timer period.
    pub tick_ns: u64,
    /// Balance every this many ticks (0: never, beyond the idle balancing of pick_next).
    pub balance_every: u64,
    /// Entities of blocked tasks (the kernel's side).
    pub sleeping: BTreeMap<u32, SchedEntity<u32>>,
    /// Ticks each task was observed running, per CPU.
    pub seen: BTreeMap<(u32, usize), u64>,
    ticks: u64,
}

impl Sim {
    /// A machine of `ncpus` CPUs with a 1 ms tick and no periodic balancing.
    pub fn new(ncpus: usize) -> Sim {
        Sim {
            s: Scheduler::new(ncpus, Tunables::default()),
            now: 0,
            tick_ns: MS,
            balance_every: 0,
            sleeping: BTreeMap::new(),
            seen: BTreeMap::new(),
            ticks: 0,
        }
    }

    /// Starts a task; returns its CPU.
    pub fn spawn(&mut self, id: u32, params: SchedParams, mask: CpuMask) -> usize {
        let e = SchedEntity::new(id, params, mask);
        let cpu = self.s.wake(e, self.now).expect("spawn").0;
        self.resched_all();
        cpu
    }

    /// Starts a `SCHED_OTHER` task at `nice` that may run anywhere.
    pub fn spawn_nice(&mut self, id: u32, nice: i8) -> usize {
        self.spawn(id, SchedParams::normal(nice), CpuMask::all())
    }

    /// Blocks a runnable task.
    pub fn block(&mut self, id: u32) {
        let e = self.s.block(id, self.now).expect("block a runnable task");
        self.sleeping.insert(id, e);
        self.resched_all();
    }

    /// Wakes a blocked task; returns its CPU.
    pub fn wake(&mut self, id: u32) -> usize {
        let e = self.sleeping.remove(&id).expect("wake a sleeping task");
        let (cpu, _) = self.s.wake(e, self.now).expect("wake");
        self.resched_all();
        cpu
    }

    /// Picks on every CPU that asks for it (the kernel's preemption points).
    pub fn resched_all(&mut self) {
        for cpu in 0..self.s.ncpus() {
            let q = self.s.queue(cpu);
            if q.need_resched() || (q.current().is_none() && q.nr_running() > 0) {
                self.s.pick_next(cpu, self.now);
            }
        }
    }

    /// One tick: time advances, every CPU ticks and reschedules if asked.
    pub fn step(&mut self) {
        self.resched_all();
        let mut running = std::collections::BTreeSet::new();
        for cpu in 0..self.s.ncpus() {
            if let Some(id) = self.s.queue(cpu).current() {
                let e = self
                    .s
                    .queue(cpu)
                    .entity(id)
                    .expect("current is on its queue");
                assert!(
                    e.affinity().contains(cpu),
                    "task {id} ran on cpu {cpu} outside its mask"
                );
                assert!(running.insert(id), "task {id} runs on two CPUs");
                *self.seen.entry((id, cpu)).or_default() += 1;
            }
        }
        self.now += self.tick_ns;
        self.ticks += 1;
        for cpu in 0..self.s.ncpus() {
            self.s.tick(cpu, self.now);
        }
        if self.balance_every > 0 && self.ticks.is_multiple_of(self.balance_every) {
            self.s.balance_all(self.now);
        }
        self.resched_all();
    }

    /// Runs for `ns` nanoseconds of simulated time.
    pub fn run_for(&mut self, ns: u64) {
        let end = self.now + ns;
        while self.now < end {
            self.step();
        }
    }

    /// Total runtime of a task, runnable or sleeping.
    pub fn runtime(&self, id: u32) -> u64 {
        self.s
            .entity(id)
            .or_else(|| self.sleeping.get(&id))
            .map(|e| e.sum_exec_runtime())
            .expect("known task")
    }

    /// The current task of `cpu`.
    pub fn current(&self, cpu: usize) -> Option<u32> {
        self.s.queue(cpu).current()
    }

    /// The CPUs a task was seen running on.
    pub fn cpus_seen(&self, id: u32) -> Vec<usize> {
        self.seen
            .keys()
            .filter(|(t, _)| *t == id)
            .map(|&(_, c)| c)
            .collect()
    }
}

/// `a / (a + b)` as a float.
pub fn share(a: u64, b: u64) -> f64 {
    a as f64 / (a + b) as f64
}
