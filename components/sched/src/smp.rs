//! [`Scheduler`]: all the run queues of a machine in one value, for a kernel that schedules
//! under one lock and for host simulations.
//!
//! It adds no state of its own: a task is on the queue that holds its entity; blocked tasks'
//! entities are the caller's (see [`crate::entity`]). What it adds is the glue between queues:
//! choosing a CPU on wake-up, moving a task whose affinity changed, re-homing the tasks a queue
//! put out after a switch, and balancing (idle balancing inside [`Scheduler::pick_next`],
//! periodic balancing in [`Scheduler::balance`]). Invariant: every task is on at most one
//! queue, and only on a CPU of its affinity (a current task just re-masked excepted, until its
//! CPU's next pick). CPUs are `0..ncpus`; mask bits beyond are ignored.
//!
//! The wake / block / pick paths run on every blocking system call, so they do not allocate
//! unless tasks actually move: a waking task's CPU is chosen from loads read in place, and
//! balancing first checks for an imbalance before it copies the loads into a buffer it keeps.
//! With one CPU, a wake-up leaves the check that the task is not already runnable to the queue.
//!
//! Running a task picked on one CPU while it may still be finishing its switch away from
//! another is the kernel's concern (Linux waits on `on_cpu`), as is sending the IPI when a
//! queue of another CPU reports `need_resched`.

use alloc::vec::Vec;

use crate::balance;
use crate::cpumask::CpuMask;
use crate::entity::SchedEntity;
use crate::error::SchedError;
use crate::policy::SchedParams;
use crate::runqueue::{AffinityChange, RunQueue};
use crate::tunables::Tunables;

/// The run queues of CPUs `0..ncpus`.
#[derive(Debug)]
pub struct Scheduler<T> {
    queues: Vec<RunQueue<T>>,
    /// Scratch space for [`Scheduler::balance`]'s snapshot of the loads, kept between calls so
    /// that balancing does not allocate.
    loads_scratch: Vec<usize>,
}

impl<T: Copy + Ord> Scheduler<T> {
    /// Empty queues for `ncpus` CPUs (at least one, at most [`CpuMask::MAX_CPUS`]).
    pub fn new(ncpus: usize, tunables: Tunables) -> Scheduler<T> {
        let n = ncpus.clamp(1, CpuMask::MAX_CPUS);
        Scheduler {
            queues: (0..n).map(|cpu| RunQueue::new(cpu, tunables)).collect(),
            loads_scratch: Vec::with_capacity(n),
        }
    }

    /// The number of CPUs.
    pub fn ncpus(&self) -> usize {
        self.queues.len()
    }

    /// The mask of all CPUs.
    pub fn online(&self) -> CpuMask {
        CpuMask::first_n(self.queues.len())
    }

    /// CPU `cpu`'s queue. Panics if `cpu >= ncpus`.
    pub fn queue(&self, cpu: usize) -> &RunQueue<T> {
        &self.queues[cpu]
    }

    /// The number of runnable tasks of every CPU (a new vector: for reports and tests; the
    /// scheduling paths read the queues in place).
    pub fn loads(&self) -> Vec<usize> {
        self.queues.iter().map(RunQueue::nr_running).collect()
    }

    /// The number of runnable tasks of all CPUs together.
    pub fn nr_running(&self) -> usize {
        self.queues.iter().map(RunQueue::nr_running).sum()
    }

    /// The CPU whose queue holds `id`, if it is runnable.
    pub fn cpu_of(&self, id: T) -> Option<usize> {
        self.queues.iter().position(|q| q.contains(id))
    }

    /// The state of a runnable task.
    pub fn entity(&self, id: T) -> Option<&SchedEntity<T>> {
        self.queues.iter().find_map(|q| q.entity(id))
    }

    /// Makes a task runnable on the least loaded CPU of its affinity (its last CPU on ties).
    /// Returns the CPU and whether the task should preempt that CPU's current task. The entity
    /// comes back when its affinity names no CPU of this machine or it is already runnable.
    #[allow(clippy::result_large_err)]
    pub fn wake(&mut self, e: SchedEntity<T>, now: u64) -> Result<(usize, bool), SchedEntity<T>> {
        // With one CPU, the enqueue below refuses a task that is already runnable.
        if self.queues.len() > 1 && self.cpu_of(e.id()).is_some() {
            return Err(e);
        }
        let queues = &self.queues;
        let load_of = |cpu: usize| queues[cpu].nr_running();
        let Some(cpu) = balance::select_cpu_by(&e.affinity(), queues.len(), load_of, e.last_cpu())
        else {
            return Err(e);
        };
        self.queues[cpu].enqueue(e, now).map(|p| (cpu, p))
    }

    /// Takes a task out of its queue (it blocks or exits) and returns its state.
    pub fn block(&mut self, id: T, now: u64) -> Option<SchedEntity<T>> {
        let cpu = self.cpu_of(id)?;
        self.queues[cpu].dequeue(id, now)
    }

    /// The timer tick of CPU `cpu`; whether it should reschedule.
    pub fn tick(&mut self, cpu: usize, now: u64) -> bool {
        self.queues[cpu].tick(now)
    }

    /// Picks CPU `cpu`'s next task (see [`RunQueue::pick_next`]). A CPU that finds nothing to run
    /// pulls work from the busiest CPU and picks again; tasks the pick put out (affinity changed) are woken
    /// on a CPU of their mask.
    pub fn pick_next(&mut self, cpu: usize, now: u64) -> Option<T> {
        let next = self.queues[cpu].pick_next(now);
        // Usually there is nothing to re-home, and then no vector is taken and dropped.
        if self.queues[cpu].has_outgoing() {
            self.rehome_outgoing(cpu, now);
        }
        if next.is_none() && self.balance(cpu, now) > 0 {
            return self.queues[cpu].pick_next(now);
        }
        next
    }

    /// Wakes the tasks CPU `cpu`'s last pick put out (their affinity changed) on a CPU of their
    /// mask.
    fn rehome_outgoing(&mut self, cpu: usize, now: u64) {
        for e in self.queues[cpu].take_outgoing() {
            // An entity whose mask lost every CPU of the machine cannot exist: set_affinity
            // refuses such masks.
            let _ = self.wake(e, now);
        }
    }

    /// `sched_yield(2)` on CPU `cpu`.
    pub fn yield_current(&mut self, cpu: usize, now: u64) {
        self.queues[cpu].yield_current(now);
    }

    /// Changes the parameters of a runnable task; `false` if it is not runnable (change its
    /// entity instead).
    pub fn set_params(&mut self, id: T, params: SchedParams, now: u64) -> bool {
        self.cpu_of(id)
            .is_some_and(|cpu| self.queues[cpu].set_params(id, params, now))
    }

    /// Changes the nice value of a runnable task; `false` if it is not runnable.
    pub fn set_nice(&mut self, id: T, nice: i8, now: u64) -> bool {
        self.cpu_of(id)
            .is_some_and(|cpu| self.queues[cpu].set_nice(id, nice, now))
    }

    /// `sched_setaffinity(2)` for a runnable task: the mask is cut to this machine's CPUs
    /// (`EINVAL` if nothing is left); a waiting task outside it moves at once to a CPU of the
    /// mask, a running one after its CPU's next pick. `Ok(false)` if the task is not runnable
    /// (set its entity's affinity instead).
    pub fn set_affinity(&mut self, id: T, mask: CpuMask, now: u64) -> Result<bool, SchedError> {
        let mask = mask.and(&self.online());
        if mask.is_empty() {
            return Err(SchedError::InvalidArgument);
        }
        let Some(cpu) = self.cpu_of(id) else {
            return Ok(false);
        };
        if let AffinityChange::Migrate(e) = self.queues[cpu].set_affinity(id, mask, now)? {
            let _ = self.wake(e, now);
        }
        Ok(true)
    }

    /// Balances CPU `cpu`: pulls tasks (up to [`balance::pull_limit`]) from the busiest CPU that
    /// has at least two more runnable tasks, trying the next busiest when affinity keeps the busiest one's tasks.
    /// Returns how many tasks moved.
    pub fn balance(&mut self, cpu: usize, now: u64) -> usize {
        // Usually no CPU is busy enough to pull from (always so with one CPU): that is what
        // balance::find_busiest would conclude, found without copying the loads.
        let mine = self.queues.get(cpu).map_or(0, RunQueue::nr_running);
        let imbalanced = self
            .queues
            .iter()
            .enumerate()
            .any(|(c, q)| c != cpu && q.nr_running() > mine + 1);
        if !imbalanced {
            return 0;
        }
        let mut loads = core::mem::take(&mut self.loads_scratch);
        loads.clear();
        loads.extend(self.queues.iter().map(RunQueue::nr_running));
        let mut moved = 0;
        while let Some(busiest) = balance::find_busiest(cpu, &loads) {
            let max = balance::pull_limit(busiest, cpu, &loads);
            moved = self.pull(busiest, cpu, max, now);
            if moved > 0 {
                break;
            }
            loads[busiest] = loads[cpu];
        }
        self.loads_scratch = loads;
        moved
    }

    /// Periodic balancing: every CPU in turn, least loaded first, pulls from the busiest.
    /// Returns how many tasks moved.
    pub fn balance_all(&mut self, now: u64) -> usize {
        let loads = self.loads();
        let mut order: Vec<usize> = (0..loads.len()).collect();
        order.sort_by_key(|&c| loads[c]);
        order.into_iter().map(|cpu| self.balance(cpu, now)).sum()
    }

    fn pull(&mut self, src: usize, dst: usize, max: usize, now: u64) -> usize {
        let (a, b) = self.queues.split_at_mut(src.max(dst));
        let (low, high) = (&mut a[src.min(dst)], &mut b[0]);
        if src < dst {
            balance::pull(low, high, max, now)
        } else {
            balance::pull(high, low, max, now)
        }
    }
}
