//! The scheduling policy hook, and frame's default policy.
//!
//! frame decides *how* to switch; a [`Scheduler`] decides *what* runs where. The kernel may
//! install its own with [`inject_scheduler`] before the first task is spawned (as ArceOS and
//! Asterinas inject theirs), for example one built on the `sched` component; otherwise
//! [`FifoScheduler`] is used.

use alloc::collections::VecDeque;
use alloc::sync::Arc;

use spin::Once;

use super::Task;
use crate::cpu::{CpuLocal, MAX_CPUS};
use crate::sync::SpinLock;

/// A scheduling policy over per-CPU run queues. Called with interrupts disabled, from any CPU.
pub trait Scheduler: Sync {
    /// Queues `task`, which is runnable and may run on the CPUs of [`Task::affinity`]; says
    /// which CPU's queue took it and whether that CPU should switch tasks at its next chance.
    fn enqueue(&self, task: Arc<Task>) -> Placement;

    /// Takes the task CPU `cpu` should run next, if any (its own queue first; it may take work
    /// queued elsewhere that may run on `cpu`). `leaving` is the task running on `cpu`, which
    /// yields, was preempted, sleeps or ended ([`Task::state`]: runnable or running, sleeping,
    /// exited); it may be returned only if it is runnable, and is otherwise queued again after
    /// the switch if it is runnable. `None` keeps a runnable `leaving` on the CPU.
    fn dequeue(&self, cpu: usize, leaving: &Arc<Task>) -> Option<Arc<Task>>;

    /// Called on every tick of CPU `cpu`: whether its running task should make way.
    fn should_preempt(&self, cpu: usize) -> bool;

    /// Whether `task`, runnable on CPU `cpu` when [`Scheduler::dequeue`] found nothing else to
    /// run there, may go on running there. If not, the CPU switches to its idle task, and
    /// `task` is then queued ([`Scheduler::enqueue`]) like any task switched out. A policy that
    /// moved `task` to another CPU's queue in `dequeue` must say no, or that CPU would wait
    /// for it forever. By default: whether its affinity allows `cpu`.
    fn keeps_cpu(&self, cpu: usize, task: &Task) -> bool {
        task.may_run_on(cpu)
    }

    /// The task running on CPU `cpu` is about to give the CPU up of its own will
    /// ([`super::yield_now`], as `sched_yield(2)` does), before the `dequeue` that picks its
    /// successor: a policy may pass it over once. Does nothing unless overridden.
    fn yield_current(&self, cpu: usize) {
        let _ = cpu;
    }
}

/// Where [`Scheduler::enqueue`] put a task.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Placement {
    /// The CPU whose queue took the task (it is sent a wake-up IPI if it is another).
    pub cpu: usize,
    /// Whether that CPU's running task should make way (the CPU's `need_resched` is set).
    pub preempt: bool,
}

static SCHEDULER: Once<&'static dyn Scheduler> = Once::new();
static FIFO: FifoScheduler = FifoScheduler::new();

/// Installs the kernel's scheduler. Returns false, changing nothing, if a scheduler is already
/// in use (the default one is taken when the first task is spawned).
pub fn inject_scheduler(scheduler: &'static dyn Scheduler) -> bool {
    let mut installed = false;
    SCHEDULER.call_once(|| {
        installed = true;
        scheduler
    });
    installed
}

pub(super) fn get() -> &'static dyn Scheduler {
    *SCHEDULER.call_once(|| &FIFO)
}

/// Round robin: one FIFO queue per CPU and a one-tick time slice. A task goes to the allowed
/// CPU with the shortest queue (its last CPU on a tie); a CPU with an empty queue takes the
/// oldest task it may run from another CPU's queue.
pub struct FifoScheduler {
    queues: CpuLocal<SpinLock<VecDeque<Arc<Task>>>>,
}

impl FifoScheduler {
    /// Empty queues.
    pub const fn new() -> Self {
        Self {
            queues: CpuLocal::new([const { SpinLock::new(VecDeque::new()) }; MAX_CPUS]),
        }
    }
}

impl Default for FifoScheduler {
    fn default() -> Self {
        Self::new()
    }
}

impl Scheduler for FifoScheduler {
    fn enqueue(&self, task: Arc<Task>) -> Placement {
        let last = task.last_cpu();
        let cpu = crate::smp::online_cpus()
            .filter(|&c| task.may_run_on(c))
            .min_by_key(|&c| (self.queues.get_on(c).lock().len(), c != last))
            .unwrap_or(last);
        self.queues.get_on(cpu).lock().push_back(task);
        // Round robin: the newcomer gets a turn at the next chance.
        Placement { cpu, preempt: true }
    }

    fn dequeue(&self, cpu: usize, _leaving: &Arc<Task>) -> Option<Arc<Task>> {
        if let Some(task) = self.queues.get_on(cpu).lock().pop_front() {
            return Some(task);
        }
        crate::smp::online_cpus()
            .filter(|&c| c != cpu)
            .find_map(|other| {
                let mut queue = self.queues.get_on(other).lock();
                let at = queue.iter().position(|t| t.may_run_on(cpu))?;
                queue.remove(at)
            })
    }

    fn should_preempt(&self, cpu: usize) -> bool {
        !self.queues.get_on(cpu).lock().is_empty()
    }
}
