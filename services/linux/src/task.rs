//! Tasks and the queue of runnable ones.
//!
//! Every user thread is a [`Task`]: its process, its registers, and what it waits for. The
//! CPUs run tasks from the [`Scheduler`]'s queue (see `run`). System calls run to completion:
//! one that would block (wait4 with no exited child, a read of an empty pipe, a sleep) leaves
//! the task [`State::Blocked`] with the instruction pointer moved back onto the system-call
//! instruction, so the call runs again from the start when the task is woken, like Linux's
//! restartable system calls. Timer interrupts rotate the runnable tasks.

use alloc::collections::{BTreeMap, VecDeque};
use alloc::sync::Arc;

use frame::user::UserContext;

use crate::process::Process;

/// Length of the system-call instruction (`syscall` and `ecall`).
#[cfg(target_arch = "x86_64")]
pub(crate) const SYSCALL_INSN_LEN: usize = 2;
/// Length of the system-call instruction (`syscall` and `ecall`).
#[cfg(target_arch = "riscv64")]
pub(crate) const SYSCALL_INSN_LEN: usize = 4;

/// A thread id (equal to the process id for a process's first thread).
pub type Tid = u32;

/// Why a blocked task waits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitFor {
    /// A child process to change state.
    Child,
    /// A tick of the timer (sleeps re-check their deadline).
    Timer,
    /// Readiness of some file (pipes, console input): re-checked on every scheduling round.
    Io,
    /// A futex wake (or the deadline kept in the task's [`FutexWait`]).
    Futex,
    /// The end of a vfork: the child execs or exits. Only that wakes the task, since the
    /// child runs on its stack.
    Vfork,
}

/// Scheduling state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// Ready to run.
    Runnable,
    /// Waiting; the system call restarts when woken.
    Blocked(WaitFor),
    /// Exited.
    Dead,
}

/// A user thread.
pub struct Task {
    /// Thread id.
    pub tid: Tid,
    /// The process the thread belongs to.
    pub process: Arc<Process>,
    /// The thread's registers.
    pub ctx: UserContext,
    /// Scheduling state.
    pub state: State,
    /// Deadline of an interrupted sleep (kept across the restarts of nanosleep).
    pub sleep_until: Option<core::time::Duration>,
    /// The task is stopped at a system call that blocked and will restart (its instruction
    /// pointer is back on the system-call instruction).
    pub restarting: bool,
    /// The signal mask to restore once a signal is delivered (rt_sigsuspend).
    pub saved_mask: Option<u64>,
    /// `CLONE_CHILD_CLEARTID` / set_tid_address(2): on exit, 0 is written here and a futex
    /// waiter on it woken (0: none).
    pub clear_child_tid: usize,
    /// set_robust_list(2): the head of the thread's list of held robust futexes (0: none).
    pub robust_list: usize,
    /// The futex wait the task is blocked in (kept across the restarts of futex(2)).
    pub futex: Option<crate::futex::FutexWait>,
    /// The vfork child this task waits for ([`WaitFor::Vfork`]).
    pub vfork_child: Option<Tid>,
    /// The alternate signal stack (sigaltstack(2)).
    pub alt_stack: crate::signal::AltStack,
    /// The fault whose signal is being delivered (for its siginfo).
    pub fault: Option<crate::signal::Fault>,
    /// Scheduling policy, priority, nice value and CPU affinity.
    pub sched: SchedAttr,
    /// The CPU running the task in user mode (its registers are out with that CPU).
    pub on_cpu: Option<usize>,
    /// The signals this thread blocks (bit `n - 1` for signal `n`).
    pub sigmask: u64,
    /// Signals sent to this thread alone (tgkill, faults), pending.
    pub pending: u64,
}

/// A thread's scheduling attributes (sched(7)); inherited by clone and fork.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SchedAttr {
    /// Policy, real-time priority and nice value, validated by the `sched` crate.
    pub params: sched::SchedParams,
    /// The CPUs the thread may run on (bit `n` for CPU `n`).
    pub affinity: u64,
    /// `SCHED_RESET_ON_FORK`: children start as `SCHED_OTHER` with nice 0 or above.
    pub reset_on_fork: bool,
}

impl Default for SchedAttr {
    fn default() -> Self {
        SchedAttr {
            params: sched::SchedParams::normal(0),
            affinity: u64::MAX,
            reset_on_fork: false,
        }
    }
}

impl SchedAttr {
    /// What a child made by clone or fork starts with.
    pub fn for_child(&self) -> SchedAttr {
        if !self.reset_on_fork {
            return *self;
        }
        SchedAttr {
            params: self.params.reset_on_fork(),
            affinity: self.affinity,
            reset_on_fork: false,
        }
    }
}

impl Task {
    /// A runnable thread `tid` of `process` that starts with the registers `ctx`.
    pub fn new(tid: Tid, process: Arc<Process>, ctx: UserContext) -> Task {
        Task {
            tid,
            process,
            ctx,
            state: State::Runnable,
            sleep_until: None,
            restarting: false,
            saved_mask: None,
            clear_child_tid: 0,
            robust_list: 0,
            futex: None,
            vfork_child: None,
            alt_stack: crate::signal::AltStack::default(),
            fault: None,
            sched: SchedAttr::default(),
            on_cpu: None,
            sigmask: 0,
            pending: 0,
        }
    }

    /// Whether a signal for this thread or its process is pending and not blocked here.
    pub fn has_pending_signal(&self) -> bool {
        let pending = self.pending
            | self
                .process
                .pending
                .load(core::sync::atomic::Ordering::Relaxed);
        pending & !self.sigmask != 0
    }
}

/// What a system call asks the run loop to do.
pub enum Outcome {
    /// Return this value (already encoded: a negative errno for failure) and continue.
    Return(isize),
    /// Block: the call restarts when the task is woken.
    Block(WaitFor),
    /// Return this value and end the time slice (sched_yield).
    Yield(isize),
    /// Return this value, then wait (vfork: the call is complete, and the task sleeps until
    /// its child lets go of the address space).
    ReturnAndBlock(isize, WaitFor),
    /// The task is gone (exit, exit_group, execve failure after the point of no return).
    Exit,
    /// The registers were replaced (execve, rt_sigreturn): continue without setting a return.
    Replaced,
}

/// All tasks and the order they run in.
#[derive(Default)]
pub struct Scheduler {
    tasks: BTreeMap<Tid, Task>,
    queue: VecDeque<Tid>,
    /// Something happened since blocked tasks last re-checked their conditions (a system
    /// call completed, user code ran): a blocked task may be able to go on.
    progress: bool,
    /// CPUs sleeping for want of work (bit `n`: CPU `n`).
    idle_cpus: u64,
}

impl Scheduler {
    /// Adds a runnable task.
    pub fn spawn(&mut self, task: Task) {
        self.queue.push_back(task.tid);
        self.tasks.insert(task.tid, task);
    }

    /// Takes the next runnable task that may run on CPU `cpu` (not running elsewhere, its
    /// affinity allowing) out of the queue; [`Scheduler::requeue`] puts it back.
    pub fn pick(&mut self, cpu: usize) -> Option<Tid> {
        for _ in 0..self.queue.len() {
            let tid = self.queue.pop_front()?;
            let Some(task) = self.tasks.get(&tid) else {
                continue;
            };
            match task.state {
                State::Dead => continue,
                State::Runnable
                    if task.on_cpu.is_none()
                        && (cpu >= 64 || task.sched.affinity & (1 << cpu) != 0) =>
                {
                    return Some(tid);
                }
                _ => self.queue.push_back(tid),
            }
        }
        None
    }

    /// Puts `tid` back at the end of the queue after its time on a CPU, unless it died.
    pub fn requeue(&mut self, tid: Tid) {
        if self.tasks.get(&tid).is_some_and(|t| t.state != State::Dead) {
            self.queue.push_back(tid);
        }
    }

    /// Drops the dead tasks.
    pub fn reap(&mut self) {
        self.tasks.retain(|_, t| t.state != State::Dead);
    }

    /// Whether no task is left.
    pub fn is_empty(&self) -> bool {
        self.tasks.is_empty()
    }

    /// Runnable tasks (running ones included).
    pub fn runnable_count(&self) -> u32 {
        self.tasks
            .values()
            .filter(|t| t.state == State::Runnable)
            .count() as u32
    }

    /// Records that something happened that may let blocked tasks go on.
    pub fn note_progress(&mut self) {
        self.progress = true;
    }

    /// Whether something happened since the last call.
    pub fn take_progress(&mut self) -> bool {
        core::mem::take(&mut self.progress)
    }

    /// Records whether CPU `cpu` sleeps for want of work.
    pub fn set_idle(&mut self, cpu: usize, idle: bool) {
        if cpu < 64 {
            if idle {
                self.idle_cpus |= 1 << cpu;
            } else {
                self.idle_cpus &= !(1 << cpu);
            }
        }
    }

    /// Wakes the sleeping CPUs if a task waits for a CPU.
    pub fn kick_idle_cpus(&mut self) {
        if self.idle_cpus == 0 {
            return;
        }
        let waiting = self
            .tasks
            .values()
            .any(|t| t.state == State::Runnable && t.on_cpu.is_none());
        if waiting {
            for cpu in (0..64).filter(|c| self.idle_cpus & (1 << c) != 0) {
                frame::smp::send_ipi(cpu, frame::smp::IpiKind::Wakeup);
            }
            self.idle_cpus = 0;
        }
    }

    /// Interrupts the CPUs running threads of process `pid` in user mode, so that they
    /// notice a kill or a signal now rather than at their next tick.
    pub fn kick_process(&self, pid: Tid) {
        let me = frame::cpu::current_id();
        for task in self.tasks.values() {
            if let Some(cpu) = task.on_cpu
                && task.process.pid == pid
                && cpu != me
            {
                frame::smp::send_ipi(cpu, frame::smp::IpiKind::Wakeup);
            }
        }
    }

    /// Applies what system call of task `tid` asked for; returns whether the task goes on
    /// running (false: its time on the CPU ends).
    pub fn finish_syscall(&mut self, tid: Tid, outcome: Outcome) -> bool {
        if !matches!(outcome, Outcome::Block(_)) {
            self.progress = true;
        }
        let Some(task) = self.tasks.get_mut(&tid) else {
            return false;
        };
        match outcome {
            Outcome::Return(value) => {
                task.ctx.set_syscall_return(value as usize);
                task.restarting = false;
                true
            }
            Outcome::Replaced => true,
            Outcome::Yield(value) => {
                task.ctx.set_syscall_return(value as usize);
                task.restarting = false;
                false
            }
            Outcome::ReturnAndBlock(value, why) => {
                task.ctx.set_syscall_return(value as usize);
                task.restarting = false;
                task.state = State::Blocked(why);
                false
            }
            Outcome::Block(why) => {
                let ip = task.ctx.instruction_pointer();
                task.ctx.set_instruction_pointer(ip - SYSCALL_INSN_LEN);
                task.state = State::Blocked(why);
                task.restarting = true;
                false
            }
            Outcome::Exit => false,
        }
    }

    /// Makes every blocked task runnable again (its system call re-checks its condition),
    /// except vfork parents, which only [`Scheduler::end_vfork`] wakes.
    pub fn wake_all(&mut self) {
        for task in self.tasks.values_mut() {
            if matches!(task.state, State::Blocked(why) if why != WaitFor::Vfork) {
                task.state = State::Runnable;
            }
        }
    }

    /// The vfork child `child` execs or exits: its parent may run again.
    pub fn end_vfork(&mut self, child: Tid) {
        for task in self.tasks.values_mut() {
            if task.vfork_child == Some(child) {
                task.vfork_child = None;
                task.state = State::Runnable;
            }
        }
    }

    /// Marks every task of process `pid` but `keep` dead (execve in a threaded process).
    pub fn kill_other_threads(&mut self, pid: Tid, keep: Tid) {
        for task in self.tasks.values_mut() {
            if task.process.pid == pid && task.tid != keep {
                task.state = State::Dead;
            }
        }
        self.kick_process(pid);
    }

    /// Gives task `old` the id `new` (a non-leader thread that execs becomes the leader).
    pub fn renumber(&mut self, old: Tid, new: Tid) {
        if let Some(mut task) = self.tasks.remove(&old) {
            task.tid = new;
            self.tasks.insert(new, task);
            self.queue.push_back(new);
        }
    }

    /// The live tasks of process `pid`.
    pub fn threads_of(&self, pid: Tid) -> impl Iterator<Item = &Task> {
        self.tasks
            .values()
            .filter(move |t| t.process.pid == pid && t.state != State::Dead)
    }

    /// The tasks, to change them.
    pub fn tasks_mut(&mut self) -> impl Iterator<Item = &mut Task> {
        self.tasks.values_mut()
    }

    /// Marks every task of process `pid` dead.
    pub fn kill_process(&mut self, pid: Tid) {
        for task in self.tasks.values_mut() {
            if task.process.pid == pid {
                task.state = State::Dead;
            }
        }
        self.kick_process(pid);
    }

    /// The task `tid`.
    pub fn task(&self, tid: Tid) -> Option<&Task> {
        self.tasks.get(&tid)
    }

    /// The task `tid`.
    pub fn task_mut(&mut self, tid: Tid) -> Option<&mut Task> {
        self.tasks.get_mut(&tid)
    }

    /// All tasks.
    pub fn tasks(&self) -> impl Iterator<Item = &Task> {
        self.tasks.values()
    }
}
