//! The `sched` crate as frame's scheduling policy: which kernel task runs where and when.
//!
//! [`SchedPolicy`] implements `frame::task::Scheduler` over one [`sched::Scheduler`] keyed by
//! frame task id (fair shares weighted by nice, `SCHED_FIFO`/`SCHED_RR` priorities,
//! `SCHED_IDLE`, affinity, balancing), plus a map from id to the task for the ones in its run
//! queues. It sits behind a frame `SpinLock`, since frame calls it with interrupts disabled,
//! from ticks and from every CPU. User threads get their attributes from services
//! ([`set_params`], [`set_affinity`]); other kernel tasks are fair tasks at nice 0, and the
//! CPUs' bootstrap tasks (the secondary CPUs' idle loops, the boot path) are `SCHED_IDLE`, so
//! they only run when nothing else wants the CPU.
//!
//! **Matching the two models.** In the `sched` crate a CPU's running task stays on its queue
//! (as the queue's current task) until the next pick puts it back or a block takes it out;
//! frame instead re-queues a task that yielded or was preempted after the switch, and tells
//! the policy nothing when a task sleeps or ends. So:
//! * `dequeue(cpu, leaving)` first looks at the task leaving the CPU (the queue's current
//!   task): if frame marked it sleeping or ended, it is blocked out of the queues (its entity
//!   kept for its wake-up, or dropped); otherwise it yields or is preempted, and `pick_next`
//!   puts it back and chooses.
//! * `enqueue` of a task that is still on a queue (put back by that pick) changes nothing;
//!   any other task is woken onto the least loaded CPU of its affinity.
//! * A task woken while it was still on its CPU after it went to sleep goes on running
//!   without frame queueing it; the next `dequeue` it leaves through wakes its entity again.
//! * Balancing: an idle CPU pulls waiting tasks at its picks (the `sched` crate's idle
//!   balancing), and every CPU pulls from the busiest every few ticks; only waiting tasks
//!   move, never a CPU's current one.
//! * A running task whose affinity no longer includes its CPU leaves it at its next pick: the
//!   pick moves it to a queue of its mask (another CPU may take it from there once this one
//!   has switched it out); if nothing else is runnable here, `keeps_cpu` says no and frame
//!   switches to the CPU's idle task.

use alloc::collections::BTreeMap;
use alloc::sync::Arc;

use frame::sync::SpinLock;
use frame::task::{Placement, Task, TaskState};
use sched::{CpuMask, Policy, SchedEntity, SchedParams};

/// Ticks of a CPU between two periodic balancing passes of it (40 ms at 100 Hz).
const BALANCE_TICKS: u64 = 4;

/// The scheduler's clock: nanoseconds since boot.
fn now() -> u64 {
    frame::timer::uptime().as_nanos() as u64
}

/// The `sched` crate's CPU mask for an affinity word (bit `n`: CPU `n`).
fn cpu_mask(affinity: u64) -> CpuMask {
    CpuMask::from_le_bytes(&affinity.to_le_bytes())
}

/// What the lock protects.
struct Queues {
    /// The run queues, keyed by frame task id.
    queues: sched::Scheduler<u64>,
    /// The tasks on the run queues (waiting or current).
    runnable: BTreeMap<u64, Arc<Task>>,
    /// The entities of sleeping tasks, kept for their wake-up (vruntime, lag, attributes).
    sleeping: BTreeMap<u64, SchedEntity<u64>>,
    /// Attributes set for tasks the queues have not seen yet.
    early_params: BTreeMap<u64, SchedParams>,
}

/// The `sched` crate behind frame's `Scheduler` hook (see the module doc).
pub struct SchedPolicy {
    inner: SpinLock<Option<Queues>>,
}

/// The policy installed by [`install`].
static POLICY: SchedPolicy = SchedPolicy {
    inner: SpinLock::new(None),
};

/// Makes [`SchedPolicy`] frame's scheduler. Must run before the first task is spawned; returns
/// false if frame already uses another scheduler.
pub fn install() -> bool {
    frame::task::inject_scheduler(&POLICY)
}

/// Sets the policy, priority and nice value of kernel task `task` (a user thread's).
pub fn set_params(task: &Task, params: SchedParams) {
    POLICY.with(|q| {
        let id = task.id();
        if q.queues.set_params(id, params, now()) {
            return;
        }
        match q.sleeping.get_mut(&id) {
            Some(e) => e.set_params(params),
            None => {
                q.early_params.insert(id, params);
            }
        }
    });
}

/// Lets kernel task `task` (a user thread's) run only on the CPUs of `affinity` (bit `n`:
/// CPU `n`; no online CPU: any). frame's copy of the mask changes too.
pub fn set_affinity(task: &Task, affinity: u64) {
    task.set_affinity(affinity);
    let mask = cpu_mask(task.affinity());
    POLICY.with(|q| {
        let id = task.id();
        if let Some(e) = q.sleeping.get_mut(&id) {
            let _ = e.set_affinity(mask);
            return;
        }
        // Waiting, it moves at once to a CPU of the mask; running, at a later pick (see the
        // module doc). A task not seen yet takes frame's mask at its first wake-up.
        let _ = q.queues.set_affinity(id, mask, now());
    });
}

impl SchedPolicy {
    /// Runs `f` on the queues (made on first use, for the CPUs there are), interrupts
    /// disabled.
    fn with<R>(&self, f: impl FnOnce(&mut Queues) -> R) -> R {
        let mut inner = self.inner.lock();
        let q = inner.get_or_insert_with(|| Queues {
            queues: sched::Scheduler::new(frame::cpu::count(), sched::Tunables::default()),
            runnable: BTreeMap::new(),
            sleeping: BTreeMap::new(),
            early_params: BTreeMap::new(),
        });
        f(q)
    }
}

impl Queues {
    /// Puts `task`, whose state is `entity`, on the least loaded CPU of its affinity.
    fn wake(&mut self, entity: SchedEntity<u64>, task: Arc<Task>) -> Placement {
        let now = now();
        let (cpu, preempt) = match self.queues.wake(entity, now) {
            Ok(placed) => placed,
            Err(mut entity) => {
                // No CPU of its mask is online: let it run anywhere rather than never.
                let _ = entity.set_affinity(CpuMask::all());
                match self.queues.wake(entity, now) {
                    Ok(placed) => placed,
                    Err(_) => unreachable!("a task that may run anywhere has a CPU"),
                }
            }
        };
        self.runnable.insert(task.id(), task);
        Placement { cpu, preempt }
    }

    /// A new entity for `task`, which the queues have not seen.
    fn new_entity(&mut self, task: &Task) -> SchedEntity<u64> {
        let params = match self.early_params.remove(&task.id()) {
            Some(params) => params,
            None if task.is_bootstrap() => {
                SchedParams::new(Policy::Idle, 0, 0).unwrap_or(SchedParams::normal(19))
            }
            None => SchedParams::normal(0),
        };
        SchedEntity::new(task.id(), params, cpu_mask(task.affinity()))
    }
}

impl frame::task::Scheduler for SchedPolicy {
    fn enqueue(&self, task: Arc<Task>) -> Placement {
        self.with(|q| {
            let id = task.id();
            if let Some(cpu) = q.queues.cpu_of(id) {
                // Put back by the pick that switched it out.
                return Placement {
                    cpu,
                    preempt: false,
                };
            }
            let entity = match q.sleeping.remove(&id) {
                Some(e) => e,
                None => q.new_entity(&task),
            };
            q.wake(entity, task)
        })
    }

    fn dequeue(&self, cpu: usize, leaving: &Arc<Task>) -> Option<Arc<Task>> {
        self.with(|q| {
            if cpu >= q.queues.ncpus() {
                return None;
            }
            let now = now();
            let id = leaving.id();
            // Not so when it was woken while still on the CPU after it went to sleep (it went
            // on running outside the queues), or for a bootstrap task never switched out.
            let current_here = q.queues.queue(cpu).current() == Some(id);
            match leaving.state() {
                TaskState::Sleeping => {
                    if current_here {
                        q.runnable.remove(&id);
                        if let Some(e) = q.queues.block(id, now) {
                            q.sleeping.insert(id, e);
                        }
                    }
                }
                TaskState::Exited => {
                    if current_here {
                        q.queues.block(id, now);
                    }
                    q.runnable.remove(&id);
                    q.sleeping.remove(&id);
                    q.early_params.remove(&id);
                }
                // It yields or was preempted: the pick puts it back (or, if its affinity no
                // longer allows this CPU, on another CPU's queue, and frame hands this CPU to
                // its idle task should nothing else be runnable here).
                TaskState::Runnable | TaskState::Running => {
                    // Running outside the queues since a wake-up came while it was still on
                    // the CPU: it competes again from here (perhaps queued on another CPU,
                    // which `keeps_cpu` then reports).
                    if !current_here && let Some(entity) = q.sleeping.remove(&id) {
                        q.wake(entity, leaving.clone());
                    }
                }
            }
            let next = q.queues.pick_next(cpu, now)?;
            q.runnable.get(&next).cloned()
        })
    }

    fn keeps_cpu(&self, cpu: usize, task: &Task) -> bool {
        // Queued elsewhere (its affinity changed, or a wake-up placed it there): it must let
        // go of this CPU first. Never queued (a bootstrap task): it may go on.
        self.with(|q| q.queues.cpu_of(task.id()).is_none_or(|c| c == cpu))
    }

    fn should_preempt(&self, cpu: usize) -> bool {
        self.with(|q| {
            if cpu >= q.queues.ncpus() {
                return false;
            }
            let now = now();
            // Periodic balancing: an idle CPU pulls work at every pick, a busy one only here.
            if frame::timer::cpu_ticks(cpu).is_multiple_of(BALANCE_TICKS) {
                q.queues.balance(cpu, now);
            }
            q.queues.tick(cpu, now)
        })
    }

    fn yield_current(&self, cpu: usize) {
        self.with(|q| {
            if cpu < q.queues.ncpus() {
                q.queues.yield_current(cpu, now());
            }
        });
    }
}
