//! Tasks and the run queues of the runnable ones.
//!
//! Every user thread is a [`Task`]: its process, its registers, and what it waits for. The
//! CPUs run tasks from the [`Scheduler`]'s per-CPU run queues, which the `sched` crate orders
//! (fair shares weighted by nice, FIFO/RR real-time priorities, SCHED_IDLE last, affinity,
//! balancing; see `run`). System calls run to completion:
//! one that would block (wait4 with no exited child, a read of an empty pipe, a sleep) leaves
//! the task [`State::Blocked`] with the instruction pointer moved back onto the system-call
//! instruction, so the call runs again from the start when the task is woken, like Linux's
//! restartable system calls. Timer interrupts rotate the runnable tasks.

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::sync::Arc;

use frame::user::UserContext;
use sched::{CpuMask, SchedEntity};

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
    /// The thread's registers, boxed so that the run loop can lend them to a CPU by swapping a
    /// pointer rather than copying the whole context (the FPU state included) both ways.
    pub ctx: Box<UserContext>,
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
    /// The task's scheduling entity while it is not on a run queue (blocked).
    pub entity: Option<SchedEntity<Tid>>,
    /// Signals sent to this thread alone (tgkill, faults), pending.
    pub pending: u64,
    /// [`Scheduler::progress_count`] when the task last blocked: while the count is the same,
    /// no system call completed since, so re-running the task's own would only block again.
    pub blocked_since: u64,
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
            ctx: Box::new(ctx),
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
            entity: None,
            blocked_since: 0,
        }
    }

    /// Whether the system call blocked task `self` waits in could complete if run again now,
    /// as far as the task's own record tells (`now`: [`frame::timer::uptime`]). A sleep before
    /// its deadline, or a futex wait that no wake chose and whose deadline has not come, would
    /// only block again; a wait for a child only completes after `children_changed` (see
    /// [`Scheduler::note_children_changed`]; exits wake every blocked task anyway). Other
    /// waits, and pending signals, are for the caller to consider.
    pub fn wait_may_be_over(&self, now: core::time::Duration, children_changed: bool) -> bool {
        match self.state {
            State::Blocked(WaitFor::Timer) => self.sleep_until.is_none_or(|d| now >= d),
            State::Blocked(WaitFor::Futex) => self
                .futex
                .is_none_or(|w| w.woken || w.deadline.is_some_and(|d| now >= d)),
            State::Blocked(WaitFor::Child) => children_changed,
            _ => true,
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

/// All tasks, and the run queues of the `sched` crate that order the runnable ones.
///
/// Invariant: a task is `Runnable` exactly when its [`SchedEntity`] is on a run queue (queued
/// or current on a CPU); a blocked task holds its entity itself (`Task::entity`). Every state
/// change goes through the methods here, which move the entity; so a task that holds its entity
/// is on no queue, and only [`Scheduler::make_dead`] makes a task dead.
pub struct Scheduler {
    tasks: BTreeMap<Tid, Task>,
    queues: sched::Scheduler<Tid>,
    /// How many things happened that may let a blocked task go on (a system call completed,
    /// user code ran); a count rather than a flag, so that each task can tell whether anything
    /// happened since it blocked (`Task::blocked_since`).
    progress: u64,
    /// `progress` when [`Scheduler::take_progress`] last looked.
    progress_seen: u64,
    /// CPUs sleeping for want of work (bit `n`: CPU `n`).
    idle_cpus: u64,
    /// Some task died since the last [`Scheduler::reap`].
    has_dead: bool,
    /// Which children a process has, or which of them count for its waits, changed since
    /// blocked tasks last re-checked (see [`Scheduler::note_children_changed`]).
    children_changed: bool,
}

impl Default for Scheduler {
    fn default() -> Self {
        Scheduler {
            tasks: BTreeMap::new(),
            queues: sched::Scheduler::new(frame::cpu::count(), sched::Tunables::default()),
            progress: 0,
            progress_seen: 0,
            idle_cpus: 0,
            has_dead: false,
            children_changed: false,
        }
    }
}

/// The scheduler's clock: nanoseconds since boot.
fn now() -> u64 {
    frame::timer::uptime().as_nanos() as u64
}

/// The `sched` crate's CPU mask for an affinity word.
fn cpu_mask(affinity: u64) -> CpuMask {
    CpuMask::from_le_bytes(&affinity.to_le_bytes())
}

impl Scheduler {
    /// Adds a runnable task.
    pub fn spawn(&mut self, mut task: Task) {
        let tid = task.tid;
        task.state = State::Blocked(WaitFor::Io);
        task.entity = Some(SchedEntity::new(
            tid,
            task.sched.params,
            cpu_mask(task.sched.affinity),
        ));
        self.tasks.insert(tid, task);
        self.make_runnable(tid);
    }

    /// Puts blocked task `tid` on a run queue.
    pub fn make_runnable(&mut self, tid: Tid) {
        let Some(task) = self.tasks.get_mut(&tid) else {
            return;
        };
        if !matches!(task.state, State::Blocked(_)) {
            return;
        }
        task.state = State::Runnable;
        let Some(entity) = task.entity.take() else {
            return;
        };
        if let Err(mut entity) = self.queues.wake(entity, now()) {
            // No online CPU in its mask: let it run anywhere rather than never.
            let _ = entity.set_affinity(CpuMask::all());
            if let Some(task) = self.tasks.get_mut(&tid) {
                task.sched.affinity = u64::MAX;
            }
            if let Err(entity) = self.queues.wake(entity, now())
                && let Some(task) = self.tasks.get_mut(&tid)
            {
                task.entity = Some(entity);
            }
        }
    }

    /// Takes runnable task `tid` off its run queue: it waits for `why`.
    fn make_blocked(&mut self, tid: Tid, why: WaitFor) {
        let Some(task) = self.tasks.get_mut(&tid) else {
            self.queues.block(tid, now());
            return;
        };
        // A task that holds its entity is on no queue: a re-run system call that blocks again
        // costs no search of the queues.
        if task.entity.is_none() {
            task.entity = self.queues.block(tid, now());
        }
        task.state = State::Blocked(why);
        task.blocked_since = self.progress;
    }

    /// Marks task `tid` dead and takes it off the run queues.
    pub fn make_dead(&mut self, tid: Tid) {
        self.has_dead = true;
        self.queues.block(tid, now());
        if let Some(task) = self.tasks.get_mut(&tid) {
            task.state = State::Dead;
            task.entity = None;
        }
    }

    /// Pushes task `tid`'s scheduling attributes (policy, nice, affinity) to its entity.
    pub fn update_attr(&mut self, tid: Tid) {
        let Some(task) = self.tasks.get_mut(&tid) else {
            return;
        };
        let (params, mask) = (task.sched.params, cpu_mask(task.sched.affinity));
        if let Some(entity) = task.entity.as_mut() {
            entity.set_params(params);
            let _ = entity.set_affinity(mask);
            return;
        }
        let now = now();
        self.queues.set_params(tid, params, now);
        let _ = self.queues.set_affinity(tid, mask, now);
    }

    /// The end of a tick on CPU `cpu`: whether its current task should give the CPU up.
    pub fn tick(&mut self, cpu: usize) -> bool {
        self.queues.tick(cpu, now())
    }

    /// The task running on CPU `cpu` gives the CPU up (sched_yield).
    pub fn yield_cpu(&mut self, cpu: usize) {
        self.queues.yield_current(cpu, now());
    }

    /// The task CPU `cpu` should run next (its run queue's choice; idle CPUs pull work from
    /// busy ones), or `None` to idle.
    pub fn pick(&mut self, cpu: usize) -> Option<Tid> {
        for _ in 0..8 {
            let tid = self.queues.pick_next(cpu, now())?;
            match self.tasks.get(&tid) {
                Some(task) if task.state == State::Runnable && task.on_cpu.is_none() => {
                    return Some(tid);
                }
                // Still on its way out of another CPU: try again at the next round.
                Some(task) if task.state == State::Runnable => return None,
                // A stale entry (the task died or blocked without its entity moving).
                _ => {
                    self.queues.block(tid, now());
                }
            }
        }
        None
    }

    /// Drops the dead tasks.
    pub fn reap(&mut self) {
        // The run loop calls this on every round; most rounds nobody died.
        if !core::mem::take(&mut self.has_dead) {
            return;
        }
        let dead: alloc::vec::Vec<Tid> = self
            .tasks
            .values()
            .filter(|t| t.state == State::Dead)
            .map(|t| t.tid)
            .collect();
        for tid in dead {
            self.queues.block(tid, now());
            self.tasks.remove(&tid);
        }
    }

    /// Whether no task is left.
    pub fn is_empty(&self) -> bool {
        self.tasks.is_empty()
    }

    /// Runnable tasks (running ones included).
    pub fn runnable_count(&self) -> u32 {
        self.queues.nr_running() as u32
    }

    /// Records that something happened that may let blocked tasks go on.
    pub fn note_progress(&mut self) {
        self.progress = self.progress.wrapping_add(1);
    }

    /// Whether something happened since the last call.
    pub fn take_progress(&mut self) -> bool {
        let new = self.progress != self.progress_seen;
        self.progress_seen = self.progress;
        new
    }

    /// The count of things that happened which may let blocked tasks go on (compare with
    /// `Task::blocked_since`).
    pub fn progress_count(&self) -> u64 {
        self.progress
    }

    /// Records that a wait for a child may have a different answer (a child was reaped, a
    /// process changed group) although no process exited: blocked waits for children run
    /// again at the next re-check.
    pub fn note_children_changed(&mut self) {
        self.children_changed = true;
    }

    /// Whether children changed since the last call (see [`Scheduler::note_children_changed`]).
    pub fn take_children_changed(&mut self) -> bool {
        core::mem::take(&mut self.children_changed)
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
            self.note_progress();
        }
        let Some(task) = self.tasks.get_mut(&tid) else {
            return false;
        };
        // Whether the call killed the task (blocking leaves it blocked, never dead).
        let dead = task.state == State::Dead;
        let (go_on, dead) = match outcome {
            Outcome::Return(value) => {
                task.ctx.set_syscall_return(value as usize);
                task.restarting = false;
                (true, dead)
            }
            Outcome::Replaced => (true, dead),
            Outcome::Yield(value) => {
                task.ctx.set_syscall_return(value as usize);
                task.restarting = false;
                (false, dead)
            }
            Outcome::ReturnAndBlock(value, why) => {
                task.ctx.set_syscall_return(value as usize);
                task.restarting = false;
                self.make_blocked(tid, why);
                (false, false)
            }
            Outcome::Block(why) => {
                let ip = task.ctx.instruction_pointer();
                task.ctx.set_instruction_pointer(ip - SYSCALL_INSN_LEN);
                task.restarting = true;
                self.make_blocked(tid, why);
                (false, false)
            }
            Outcome::Exit => (false, dead),
        };
        if dead {
            self.make_dead(tid);
        }
        go_on
    }

    /// Makes every blocked task runnable again (its system call re-checks its condition),
    /// except vfork parents, which only [`Scheduler::end_vfork`] wakes.
    pub fn wake_all(&mut self) {
        let blocked: alloc::vec::Vec<Tid> = self
            .tasks
            .values()
            .filter(|t| matches!(t.state, State::Blocked(why) if why != WaitFor::Vfork))
            .map(|t| t.tid)
            .collect();
        for tid in blocked {
            self.make_runnable(tid);
        }
    }

    /// The first blocked task after `after` (from the start for `None`), in tid order, whose
    /// system call may be re-run to see whether it can complete (all but vfork parents). A
    /// caller walks them one by one, without a list, while re-runs change the table.
    pub fn next_restartable(&self, after: Option<Tid>) -> Option<Tid> {
        use core::ops::Bound;
        let from = after.map_or(Bound::Unbounded, Bound::Excluded);
        self.tasks
            .range((from, Bound::Unbounded))
            .map(|(_, t)| t)
            .find(|t| matches!(t.state, State::Blocked(why) if why != WaitFor::Vfork))
            .map(|t| t.tid)
    }

    /// The vfork child `child` execs or exits: its parent may run again.
    pub fn end_vfork(&mut self, child: Tid) {
        let parents: alloc::vec::Vec<Tid> = self
            .tasks
            .values_mut()
            .filter(|t| t.vfork_child == Some(child))
            .map(|t| {
                t.vfork_child = None;
                t.tid
            })
            .collect();
        for tid in parents {
            self.make_runnable(tid);
        }
    }

    /// Marks every task of process `pid` but `keep` dead (execve in a threaded process).
    pub fn kill_other_threads(&mut self, pid: Tid, keep: Tid) {
        let others: alloc::vec::Vec<Tid> = self
            .tasks
            .values()
            .filter(|t| t.process.pid == pid && t.tid != keep)
            .map(|t| t.tid)
            .collect();
        for tid in others {
            self.make_dead(tid);
        }
        self.kick_process(pid);
    }

    /// Gives task `old` the id `new` (a non-leader thread that execs becomes the leader).
    pub fn renumber(&mut self, old: Tid, new: Tid) {
        self.queues.block(old, now());
        if let Some(mut task) = self.tasks.remove(&old) {
            task.tid = new;
            task.state = State::Blocked(WaitFor::Io);
            task.entity = Some(SchedEntity::new(
                new,
                task.sched.params,
                cpu_mask(task.sched.affinity),
            ));
            self.tasks.insert(new, task);
            self.make_runnable(new);
        }
    }

    /// The live tasks of process `pid`.
    pub fn threads_of(&self, pid: Tid) -> impl Iterator<Item = &Task> {
        self.tasks
            .values()
            .filter(move |t| t.process.pid == pid && t.state != State::Dead)
    }

    /// Marks every task of process `pid` dead.
    pub fn kill_process(&mut self, pid: Tid) {
        let threads: alloc::vec::Vec<Tid> = self
            .tasks
            .values()
            .filter(|t| t.process.pid == pid)
            .map(|t| t.tid)
            .collect();
        for tid in threads {
            self.make_dead(tid);
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
