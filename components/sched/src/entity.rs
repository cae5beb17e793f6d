//! The per-task scheduling state, [`SchedEntity`], and the class a policy belongs to.
//!
//! Ownership decides where a task's state lives: while the task is runnable its entity is owned
//! by exactly one [`crate::RunQueue`] (which lends it out only by shared reference, so its
//! ordering keys can't change behind the queue's back); while the task sleeps, the kernel owns
//! the entity (typically in its task structure) and may change it freely with the setters here.
//!
//! Invariants: `vruntime` is meaningful only while queued in a fair or idle class; `lag`
//! (virtual runtime relative to the queue's `min_vruntime`) only while not queued, and is how
//! fair credit and debt travel across sleep and migration. A task that slept also earns credit
//! for the time it slept, up to half the latency (Linux's gentle fair sleepers), so an
//! interactive task that wakes runs soon; a migration (dequeued and enqueued at the same `now`)
//! earns none.

use crate::cpumask::CpuMask;
use crate::error::SchedError;
use crate::policy::{Policy, SchedParams};
use crate::weight::nice_to_weight;

/// The scheduling class of a policy, in pick order: real-time first, idle last.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Class {
    /// `SCHED_IDLE`.
    Idle,
    /// `SCHED_OTHER` and `SCHED_BATCH`.
    Fair,
    /// `SCHED_FIFO` and `SCHED_RR`.
    Rt,
}

impl Class {
    /// The class of a policy.
    pub(crate) const fn of(policy: Policy) -> Class {
        match policy {
            Policy::Fifo | Policy::RoundRobin => Class::Rt,
            Policy::Normal | Policy::Batch => Class::Fair,
            Policy::Idle => Class::Idle,
        }
    }
}

/// The scheduling state of one task, identified by `T` (a task id or handle).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchedEntity<T> {
    id: T,
    params: SchedParams,
    affinity: CpuMask,
    last_cpu: Option<usize>,
    /// Virtual runtime, while queued in the fair or idle class.
    pub(crate) vruntime: u64,
    /// Virtual runtime minus the queue's `min_vruntime`, while not queued.
    pub(crate) lag: i64,
    /// Nanoseconds run in total.
    pub(crate) sum_exec: u64,
    /// The time up to which runtime has been accounted, while current.
    pub(crate) exec_start: u64,
    /// `sum_exec` when the task last became current (the start of its slice).
    pub(crate) slice_exec: u64,
    /// Round-robin quantum left (RR and idle policies), in nanoseconds.
    pub(crate) rr_left: u64,
    /// When the task blocked (left a queue by [`crate::RunQueue::dequeue`]); its sleep earns
    /// fair credit, up to half the latency, when it is enqueued again.
    pub(crate) blocked_at: Option<u64>,
    /// Put the task at the tail of its list (not the head) when it stops being current.
    pub(crate) requeue_tail: bool,
}

impl<T: Copy> SchedEntity<T> {
    /// A new task's state; it starts with no fair credit or debt (placed at the queue's
    /// `min_vruntime` when first enqueued). The affinity may be empty here, but such a task can
    /// never be enqueued.
    pub fn new(id: T, params: SchedParams, affinity: CpuMask) -> SchedEntity<T> {
        SchedEntity {
            id,
            params,
            affinity,
            last_cpu: None,
            vruntime: 0,
            lag: 0,
            sum_exec: 0,
            exec_start: 0,
            slice_exec: 0,
            rr_left: 0,
            blocked_at: None,
            requeue_tail: false,
        }
    }

    /// The state of a child forked from this task: same parameters (reset as
    /// [`SchedParams::reset_on_fork`] says when `reset_on_fork`), same affinity, same last CPU,
    /// no runtime yet; like any new task it is placed at its queue's `min_vruntime`, so forking
    /// earns no credit.
    pub fn fork(&self, child: T, reset_on_fork: bool) -> SchedEntity<T> {
        let params = if reset_on_fork {
            self.params.reset_on_fork()
        } else {
            self.params
        };
        let mut e = SchedEntity::new(child, params, self.affinity);
        e.last_cpu = self.last_cpu;
        e
    }

    /// The task's id.
    pub fn id(&self) -> T {
        self.id
    }

    /// The task's policy, priority and nice value.
    pub fn params(&self) -> SchedParams {
        self.params
    }

    /// The task's policy.
    pub fn policy(&self) -> Policy {
        self.params.policy()
    }

    /// The task's nice value.
    pub fn nice(&self) -> i8 {
        self.params.nice()
    }

    /// The fair load weight of the task's nice value.
    pub fn weight(&self) -> u32 {
        nice_to_weight(self.params.nice())
    }

    /// The CPUs the task may run on.
    pub fn affinity(&self) -> CpuMask {
        self.affinity
    }

    /// The CPU whose queue held the task last (`None` before it was first enqueued).
    pub fn last_cpu(&self) -> Option<usize> {
        self.last_cpu
    }

    /// Nanoseconds the task has run in total.
    pub fn sum_exec_runtime(&self) -> u64 {
        self.sum_exec
    }

    /// The task's fair lag while it is not queued: its virtual runtime ahead of (positive) or
    /// behind (negative) the `min_vruntime` of the queue it left.
    pub fn lag(&self) -> i64 {
        self.lag
    }

    /// Sets policy, priority and nice of a task that is not queued.
    pub fn set_params(&mut self, params: SchedParams) {
        self.params = params;
    }

    /// Sets the nice value of a task that is not queued (clamped into `-20..=19`).
    pub fn set_nice(&mut self, nice: i8) {
        self.params = self.params.with_nice(nice);
    }

    /// Sets the affinity of a task that is not queued; `EINVAL` for an empty mask.
    pub fn set_affinity(&mut self, mask: CpuMask) -> Result<(), SchedError> {
        if mask.is_empty() {
            return Err(SchedError::InvalidArgument);
        }
        self.affinity = mask;
        Ok(())
    }

    /// The class of the task's policy.
    pub(crate) fn class(&self) -> Class {
        Class::of(self.params.policy())
    }

    /// Records the CPU whose queue now holds the task.
    pub(crate) fn set_last_cpu(&mut self, cpu: usize) {
        self.last_cpu = Some(cpu);
    }

    /// Sets the affinity without the emptiness check (the caller checked).
    pub(crate) fn set_affinity_unchecked(&mut self, mask: CpuMask) {
        self.affinity = mask;
    }
}
