//! One CPU's run queue: its runnable tasks in three classes, the current task, and the
//! enqueue / dequeue / pick / tick / yield operations.
//!
//! A [`RunQueue`] knows no clock and no lock: every operation that accounts runtime takes the
//! time `now` in nanoseconds of one monotonic clock shared by all CPUs (sleep lengths are
//! measured across CPUs), and the kernel wraps each queue in its own
//! lock (or keeps them all under one lock, see [`crate::Scheduler`]).
//!
//! Invariants:
//! * the queue owns the [`SchedEntity`] of each of its tasks: those runnable on this CPU,
//!   the current one included; a blocked task's entity is the kernel's (see [`crate::entity`]);
//! * every task of the queue has this CPU in its affinity, except the current task right after
//!   an affinity change, which leaves at the next [`RunQueue::pick_next`];
//! * each task other than the current one is in exactly one class queue (real-time, fair or
//!   idle, by its policy); the current one is in none;
//! * classes are picked strictly in order: real-time, fair, idle; nothing runnable means the
//!   kernel's idle loop.
//!
//! The protocol for the kernel, per CPU: call [`RunQueue::tick`] from the timer interrupt and
//! [`RunQueue::enqueue`] on wake-up; whenever either returns `true` (or
//! [`RunQueue::need_resched`] is set), call [`RunQueue::pick_next`] at the next preemption point
//! and switch to what it returns. When the current task blocks or exits, take it out with
//! [`RunQueue::dequeue`] and pick the next. After a switch, hand the entities of
//! [`RunQueue::take_outgoing`] (tasks whose affinity no longer allows this CPU) to other queues.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use crate::cpumask::CpuMask;
use crate::entity::{Class, SchedEntity};
use crate::error::SchedError;
use crate::fair::{self, FairQueue};
use crate::idle::IdleQueue;
use crate::policy::{Policy, SchedParams};
use crate::rt::RtQueue;
use crate::tunables::Tunables;

/// The outcome of [`RunQueue::set_affinity`].
#[derive(Debug, PartialEq, Eq)]
pub enum AffinityChange<T> {
    /// The task is not on this queue; change its entity where it is.
    NotHere,
    /// The new mask still allows this CPU; nothing moves.
    Stays,
    /// The task is this CPU's current task: it must stop running here, so a reschedule is
    /// pending and the task will be in [`RunQueue::take_outgoing`] after the next pick.
    AfterSwitch,
    /// The task was waiting here and has been taken out: enqueue it on a CPU of its new mask.
    Migrate(SchedEntity<T>),
}

/// The run queue of one CPU (see the module docs).
#[derive(Debug)]
pub struct RunQueue<T> {
    cpu: usize,
    tunables: Tunables,
    tasks: BTreeMap<T, SchedEntity<T>>,
    rt: RtQueue<T>,
    fair: FairQueue<T>,
    idle: IdleQueue<T>,
    current: Option<T>,
    skip: Option<T>,
    need_resched: bool,
    outgoing: Vec<SchedEntity<T>>,
    switches: u64,
}

impl<T: Copy + Ord> RunQueue<T> {
    /// An empty run queue for CPU `cpu`.
    pub fn new(cpu: usize, tunables: Tunables) -> RunQueue<T> {
        RunQueue {
            cpu,
            tunables,
            tasks: BTreeMap::new(),
            rt: RtQueue::new(),
            fair: FairQueue::new(),
            idle: IdleQueue::new(),
            current: None,
            skip: None,
            need_resched: false,
            outgoing: Vec::new(),
            switches: 0,
        }
    }

    /// The CPU of this queue.
    pub fn cpu(&self) -> usize {
        self.cpu
    }

    /// The tunables this queue schedules with.
    pub fn tunables(&self) -> &Tunables {
        &self.tunables
    }

    /// The number of runnable tasks, the current one included (the load balancer's measure).
    pub fn nr_running(&self) -> usize {
        self.tasks.len()
    }

    /// The total fair weight of the runnable fair tasks.
    pub fn fair_load(&self) -> u64 {
        self.fair.load()
    }

    /// The fair class's `min_vruntime`.
    pub fn min_vruntime(&self) -> u64 {
        self.fair.min_vruntime()
    }

    /// The task running on this CPU, as far as the queue knows (`None`: the idle loop).
    pub fn current(&self) -> Option<T> {
        self.current
    }

    /// Whether the current task should be switched out at the next preemption point.
    pub fn need_resched(&self) -> bool {
        self.need_resched
    }

    /// The number of times [`RunQueue::pick_next`] switched to a different task.
    pub fn nr_switches(&self) -> u64 {
        self.switches
    }

    /// Whether `id` is runnable on this queue.
    pub fn contains(&self, id: T) -> bool {
        self.tasks.contains_key(&id)
    }

    /// The state of a task of this queue.
    pub fn entity(&self, id: T) -> Option<&SchedEntity<T>> {
        self.tasks.get(&id)
    }

    /// The ids of the runnable tasks, in id order.
    pub fn tasks(&self) -> impl Iterator<Item = T> + '_ {
        self.tasks.keys().copied()
    }

    /// Makes a task runnable here (new, woken or migrated). Returns whether it should preempt
    /// the current task (then [`RunQueue::need_resched`] is set too; on another CPU, send it an
    /// IPI). The entity comes back as the error, untouched, when its affinity excludes this CPU
    /// or a task of the same id is already here.
    #[allow(clippy::result_large_err)]
    pub fn enqueue(&mut self, mut e: SchedEntity<T>, now: u64) -> Result<bool, SchedEntity<T>> {
        if !e.affinity().contains(self.cpu) || self.tasks.contains_key(&e.id()) {
            return Err(e);
        }
        self.update_curr(now);
        let id = e.id();
        e.set_last_cpu(self.cpu);
        e.requeue_tail = false;
        if let Some(t0) = e.blocked_at.take() {
            let credit = now.saturating_sub(t0).min(self.tunables.latency_ns / 2);
            e.lag = e.lag.saturating_sub(credit.min(i64::MAX as u64) as i64);
        }
        // Linked and judged before it goes into `tasks`, so that `tasks` is searched once.
        self.link(&mut e, true);
        let preempt = self.preempts_current(&e);
        self.tasks.insert(id, e);
        self.need_resched |= preempt;
        Ok(preempt)
    }

    /// Takes a task out of the queue (it blocked, exited, or moves to another CPU) and returns
    /// its state, with its fair lag and the time it left recorded (enqueued again later, it
    /// earns credit for the time away, at most half the latency; at the same `now`, none). If it was the current task, a reschedule is
    /// pending: the kernel must pick the next task before running on.
    pub fn dequeue(&mut self, id: T, now: u64) -> Option<SchedEntity<T>> {
        self.update_curr(now);
        let mut e = self.tasks.remove(&id)?;
        self.unlink(&mut e);
        if self.current == Some(id) {
            self.current = None;
            self.need_resched = true;
        }
        if self.skip == Some(id) {
            self.skip = None;
        }
        self.refresh_min();
        e.blocked_at = Some(now);
        Some(e)
    }

    /// Accounts the current task's runtime up to `now` and applies its policy's preemption rule
    /// (fair slice, RR quantum, a higher class waiting). Returns [`RunQueue::need_resched`].
    pub fn tick(&mut self, now: u64) -> bool {
        self.update_curr(now);
        let Some(c) = self.current else {
            self.need_resched |= !self.tasks.is_empty();
            return self.need_resched;
        };
        let t = self.tunables;
        let (rt_waiting, fair_nr, idle_waiting) = (self.rt.len(), self.fair.nr(), self.idle.len());
        let rt_highest = self.rt.highest();
        let fair_load = self.fair.load();
        let leftmost = self.fair.leftmost();
        let Some(e) = self.tasks.get_mut(&c) else {
            return self.need_resched;
        };
        let resched = match e.class() {
            Class::Rt => {
                if rt_highest.is_some_and(|p| p > e.params().rt_priority()) {
                    true
                } else if e.policy() == Policy::RoundRobin && e.rr_left == 0 {
                    e.rr_left = t.rr_quantum_ns;
                    let others = self.rt.len_at(e.params().rt_priority()) > 0;
                    e.requeue_tail |= others;
                    others
                } else {
                    false
                }
            }
            Class::Fair => {
                rt_waiting > 0
                    || fair::should_preempt(
                        e.sum_exec - e.slice_exec,
                        e.weight(),
                        fair_load,
                        fair_nr,
                        e.vruntime,
                        leftmost,
                        &t,
                    )
            }
            Class::Idle => {
                if rt_waiting > 0 || fair_nr > 0 {
                    true
                } else if e.rr_left == 0 {
                    e.rr_left = t.idle_quantum_ns;
                    e.requeue_tail |= idle_waiting > 0;
                    idle_waiting > 0
                } else {
                    false
                }
            }
        };
        self.need_resched |= resched;
        self.need_resched
    }

    /// Puts the current task back (or out, if its affinity no longer allows this CPU) and makes
    /// the best runnable task current: the highest real-time priority, else the fair task with
    /// the smallest virtual runtime (not a task that just yielded, if another waits), else the
    /// next `SCHED_IDLE` task. `None` means the CPU should run the kernel's idle loop. Clears
    /// [`RunQueue::need_resched`].
    pub fn pick_next(&mut self, now: u64) -> Option<T> {
        self.update_curr(now);
        let prev = self.current.take();
        if let Some(p) = prev {
            self.put_prev(p);
        }
        let next = self
            .rt
            .pop_highest()
            .or_else(|| self.fair.pop_next(self.skip))
            .or_else(|| self.idle.pop_next());
        self.skip = None;
        self.need_resched = false;
        self.current = next;
        // What refresh_min would look up: the new current task's virtual runtime, if fair.
        let mut curr_vruntime = None;
        if let Some(n) = next {
            let t = self.tunables;
            if let Some(e) = self.tasks.get_mut(&n) {
                e.exec_start = now;
                e.slice_exec = e.sum_exec;
                e.requeue_tail = false;
                if e.rr_left == 0 {
                    e.rr_left = match e.class() {
                        Class::Idle => t.idle_quantum_ns,
                        _ => t.rr_quantum_ns,
                    };
                }
                curr_vruntime = (e.class() == Class::Fair).then_some(e.vruntime);
            }
            if prev != next {
                self.switches += 1;
            }
        }
        self.fair.update_min(curr_vruntime);
        next
    }

    /// `sched_yield(2)` for the current task: a real-time or idle-policy task goes to the tail
    /// of its list; a fair task is passed over at the next pick if another fair task waits.
    /// A reschedule is pending afterwards.
    pub fn yield_current(&mut self, now: u64) {
        self.update_curr(now);
        let Some(c) = self.current else {
            return;
        };
        if let Some(e) = self.tasks.get_mut(&c) {
            match e.class() {
                Class::Fair => self.skip = Some(c),
                Class::Rt | Class::Idle => e.requeue_tail = true,
            }
        }
        self.need_resched = true;
    }

    /// Changes policy, priority and nice of a task of this queue; `false` if it is not here.
    /// The task moves to its new class (a real-time task to the tail of its new priority); a
    /// reschedule is pending afterwards, so the right task runs.
    pub fn set_params(&mut self, id: T, params: SchedParams, now: u64) -> bool {
        self.update_curr(now);
        let Some(mut e) = self.tasks.remove(&id) else {
            return false;
        };
        self.unlink(&mut e);
        e.set_params(params);
        e.rr_left = 0;
        self.link(&mut e, true);
        self.tasks.insert(id, e);
        self.refresh_min();
        self.need_resched = true;
        true
    }

    /// Changes the nice value of a task of this queue (its weight, for a fair task); `false` if
    /// it is not here.
    pub fn set_nice(&mut self, id: T, nice: i8, now: u64) -> bool {
        match self.tasks.get(&id) {
            Some(e) => {
                let params = e.params().with_nice(nice);
                self.set_params(id, params, now)
            }
            None => false,
        }
    }

    /// Changes the affinity of a task of this queue (`EINVAL` for an empty mask); see
    /// [`AffinityChange`] for what the kernel must do next.
    pub fn set_affinity(
        &mut self,
        id: T,
        mask: CpuMask,
        now: u64,
    ) -> Result<AffinityChange<T>, SchedError> {
        if mask.is_empty() {
            return Err(SchedError::InvalidArgument);
        }
        let Some(e) = self.tasks.get_mut(&id) else {
            return Ok(AffinityChange::NotHere);
        };
        e.set_affinity_unchecked(mask);
        if mask.contains(self.cpu) {
            return Ok(AffinityChange::Stays);
        }
        if self.current == Some(id) {
            self.need_resched = true;
            return Ok(AffinityChange::AfterSwitch);
        }
        Ok(self
            .dequeue(id, now)
            .map_or(AffinityChange::NotHere, AffinityChange::Migrate))
    }

    /// Takes the entities of tasks that were current when their affinity stopped allowing this
    /// CPU; the kernel enqueues each on a CPU of its mask once the switch away is complete.
    pub fn take_outgoing(&mut self) -> Vec<SchedEntity<T>> {
        core::mem::take(&mut self.outgoing)
    }

    /// Whether [`RunQueue::take_outgoing`] has anything to hand over.
    pub fn has_outgoing(&self) -> bool {
        !self.outgoing.is_empty()
    }

    /// The waiting (not current) tasks that may run on `cpu`, best to migrate first: idle
    /// policy, then fair by largest virtual runtime, then real-time by lowest priority.
    pub(crate) fn migration_candidates(&self, cpu: usize) -> Vec<T> {
        let allowed = |id: &T| {
            self.tasks
                .get(id)
                .is_some_and(|e| e.affinity().contains(cpu))
        };
        self.idle
            .iter_rev()
            .chain(self.fair.iter_rev())
            .chain(self.rt.iter_rev())
            .filter(allowed)
            .collect()
    }

    /// Accounts the current task's runtime up to `now`: total runtime, virtual runtime (fair)
    /// or quantum left (RR, idle).
    fn update_curr(&mut self, now: u64) {
        let Some(c) = self.current else {
            return;
        };
        let Some(e) = self.tasks.get_mut(&c) else {
            return;
        };
        let delta = now.saturating_sub(e.exec_start);
        e.exec_start = e.exec_start.max(now);
        e.sum_exec = e.sum_exec.saturating_add(delta);
        match e.class() {
            Class::Fair => {
                e.vruntime = e
                    .vruntime
                    .saturating_add(fair::calc_delta_fair(delta, e.weight()));
                self.fair.update_min(Some(e.vruntime));
            }
            Class::Rt | Class::Idle => e.rr_left = e.rr_left.saturating_sub(delta),
        }
    }

    /// Advances the fair `min_vruntime` after the set of fair tasks changed.
    fn refresh_min(&mut self) {
        let curr = self
            .current
            .and_then(|c| self.tasks.get(&c))
            .filter(|e| e.class() == Class::Fair)
            .map(|e| e.vruntime);
        self.fair.update_min(curr);
    }

    /// Adds task `e` to its class: accounting, and the class queue unless it is current. A fair
    /// task is placed by its lag. The entity is out of `tasks` meanwhile (on its way in or
    /// out), so that callers that hold it need not look it up again.
    fn link(&mut self, e: &mut SchedEntity<T>, tail: bool) {
        let id = e.id();
        let is_curr = self.current == Some(id);
        let t = self.tunables;
        match e.class() {
            Class::Fair => {
                e.vruntime = self.fair.place(e.lag, &t);
                self.fair.account_add(e.weight());
                if !is_curr {
                    self.fair.push(e.vruntime, id);
                }
            }
            Class::Rt if !is_curr => self.rt.push(e.params().rt_priority(), id, tail),
            Class::Idle if !is_curr => self.idle.push(id, tail),
            Class::Rt | Class::Idle => {}
        }
    }

    /// Removes task `e` from its class; records a fair task's lag. Like [`RunQueue::link`], it
    /// takes the entity out of `tasks`.
    fn unlink(&mut self, e: &mut SchedEntity<T>) {
        let id = e.id();
        let is_curr = self.current == Some(id);
        match e.class() {
            Class::Fair => {
                if !is_curr {
                    self.fair.remove(e.vruntime, id);
                }
                self.fair.account_sub(e.weight());
                e.lag = self.fair.lag_of(e.vruntime);
            }
            Class::Rt if !is_curr => {
                self.rt.remove(e.params().rt_priority(), id);
            }
            Class::Idle if !is_curr => {
                self.idle.remove(id);
            }
            Class::Rt | Class::Idle => {}
        }
    }

    /// Returns the previous current task to its class queue, or out of the queue when its
    /// affinity no longer allows this CPU.
    fn put_prev(&mut self, id: T) {
        let Some(e) = self.tasks.get(&id) else {
            return;
        };
        if !e.affinity().contains(self.cpu) {
            // Not current any more, so unlink does not touch a class queue it is not in:
            // account it out by hand.
            let (class, weight, v) = (e.class(), e.weight(), e.vruntime);
            if class == Class::Fair {
                self.fair.account_sub(weight);
            }
            if let Some(mut e) = self.tasks.remove(&id) {
                e.lag = self.fair.lag_of(v);
                e.requeue_tail = false;
                self.outgoing.push(e);
            }
            return;
        }
        let tail = e.requeue_tail;
        match e.class() {
            Class::Fair => self.fair.push(e.vruntime, id),
            Class::Rt => self.rt.push(e.params().rt_priority(), id, tail),
            Class::Idle => self.idle.push(id, tail),
        }
    }

    /// Whether the newly queued task `new` (not yet in `tasks`) should preempt the current one.
    fn preempts_current(&self, new: &SchedEntity<T>) -> bool {
        let Some(c) = self.current else {
            return true;
        };
        let Some(cur) = self.tasks.get(&c) else {
            return false;
        };
        match new.class().cmp(&cur.class()) {
            core::cmp::Ordering::Greater => true,
            core::cmp::Ordering::Less => false,
            core::cmp::Ordering::Equal => match new.class() {
                Class::Rt => new.params().rt_priority() > cur.params().rt_priority(),
                Class::Fair => {
                    new.policy() != Policy::Batch
                        && fair::wakeup_preempts(
                            cur.vruntime,
                            new.vruntime,
                            new.weight(),
                            &self.tunables,
                        )
                }
                Class::Idle => false,
            },
        }
    }
}
