//! User threads and their scheduling state.
//!
//! Every user thread is a [`Task`]: its process, its registers, and what it waits for. Each
//! runs on its own frame kernel task (see `run`), so frame's scheduler decides which thread
//! runs where and when. System calls run to completion under the world lock: one that would
//! block (wait4 with no exited child, a read of an empty pipe, a sleep) leaves the task
//! [`State::Blocked`] with the instruction pointer moved back onto the system-call
//! instruction; its kernel task sleeps on the task's [`Wakeup`] and, once woken (the condition
//! may hold now, a signal came, the deadline passed), runs the call again from the start, like
//! Linux's restartable system calls.

use alloc::collections::BTreeMap;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicBool, Ordering};
use core::time::Duration;

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
    pub ctx: alloc::boxed::Box<UserContext>,
    /// Scheduling state.
    pub state: State,
    /// Deadline of an interrupted sleep (kept across the restarts of nanosleep).
    pub sleep_until: Option<core::time::Duration>,
    /// The wait key of the file an I/O wait is for (see [`Scheduler::note_io_keys`]).
    pub io_key: Option<u64>,
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
    /// Wakes the thread's kernel task when its blocked call may go on or it must end.
    pub wakeup: Arc<Wakeup>,
    /// The thread's kernel task, once started.
    pub kthread: Option<Arc<frame::task::Task>>,
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
            ctx: alloc::boxed::Box::new(ctx),
            state: State::Runnable,
            sleep_until: None,
            io_key: None,
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
            wakeup: Arc::new(Wakeup::default()),
            kthread: None,
        }
    }

    /// Whether `kthread` is this thread's kernel task.
    pub fn runs_on(&self, kthread: &frame::task::Task) -> bool {
        self.kthread
            .as_ref()
            .is_some_and(|k| k.id() == kthread.id())
    }

    /// The deadline of the blocked call, if it has one (a sleep, a poll or futex timeout).
    pub fn deadline(&self) -> Option<Duration> {
        let futex = self.futex.as_ref().and_then(|w| w.deadline);
        self.sleep_until.into_iter().chain(futex).min()
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

/// What a system call asks the thread's kernel task to do.
pub enum Outcome {
    /// Return this value (already encoded: a negative errno for failure) and continue.
    Return(isize),
    /// Block: the call restarts when the task is woken.
    Block(WaitFor),
    /// Return this value and yield the CPU (sched_yield).
    Yield(isize),
    /// Return this value, then wait (vfork: the call is complete, and the task sleeps until
    /// its child lets go of the address space).
    ReturnAndBlock(isize, WaitFor),
    /// The task is gone (exit, exit_group, execve failure after the point of no return).
    Exit,
    /// The registers were replaced (execve, rt_sigreturn): continue without setting a return.
    Replaced,
}

/// The most threads at once: their kernel stacks (`run`) may take about half the kernel heap,
/// which is an eighth of the RAM, so that asking for threads cannot exhaust it.
pub fn max_threads() -> usize {
    (frame::mm::usable_memory() / 16 / crate::run::THREAD_STACK_SIZE).max(64)
}

/// How a thread's kernel task sleeps while its system call is blocked, and how it is woken.
///
/// The thread clears `pending` when it blocks (under the world lock) and sleeps on `queue`
/// until `pending` is set (or its deadline passes); a waker sets it, under the world lock,
/// after changing the task's state, and then wakes the queue. So no wake-up is lost between
/// the thread dropping the world lock and falling asleep.
#[derive(Default)]
pub struct Wakeup {
    pending: AtomicBool,
    queue: frame::task::WaitQueue,
}

impl Wakeup {
    /// Wakes the thread (it re-examines its task: runnable again, dead, signalled).
    pub fn wake(&self) {
        self.pending.store(true, Ordering::Release);
        // Only the thread's own kernel task ever waits here.
        self.queue.wake_one();
    }

    /// Forgets earlier wake-ups (the thread is about to block again).
    fn clear(&self) {
        self.pending.store(false, Ordering::Relaxed);
    }

    /// Sleeps until [`Wakeup::wake`] is called or `deadline` (uptime) passes. Called without
    /// the world lock.
    pub fn wait(&self, deadline: Option<Duration>) {
        let woken = || self.pending.load(Ordering::Acquire).then_some(());
        match deadline {
            Some(deadline) => {
                self.queue.wait_until_deadline(woken, deadline);
            }
            None => self.queue.wait_until(woken),
        }
    }
}

/// All user threads, by thread id.
///
/// Each thread runs on its own frame kernel task (see `run`), which frame's scheduler puts on
/// the CPUs. The state here says what the thread does: `Runnable` (running or about to),
/// `Blocked` (its kernel task sleeps on the task's [`Wakeup`]) or `Dead` (its kernel task
/// removes the entry and ends). Every state change goes through the methods here, which wake
/// the thread's kernel task when it has something new to look at.
#[derive(Default)]
pub struct Scheduler {
    tasks: BTreeMap<Tid, Task>,
    /// Threads added since their kernel tasks were last started (see `run`).
    unstarted: Vec<Tid>,
    /// Threads blocked for [`WaitFor::Io`], with the wait key of the file they wait on (`None`:
    /// poll, select and files without a key). Keyed waiters are woken when their key is
    /// reported ([`Scheduler::note_io_keys`]); all are woken whenever something may have
    /// changed the readiness of files (most completed system calls, a tick).
    io_waiters: BTreeMap<Tid, Option<u64>>,
    /// Threads renumbered by execve (old id, new id), until their kernel task learns it.
    renamed: BTreeMap<Tid, Tid>,
}

impl Scheduler {
    /// Adds a runnable task; its kernel task is started by `run` (see
    /// [`Scheduler::take_unstarted`]). `EAGAIN` when the thread limit is reached
    /// ([`max_threads`]), as Linux's fork and clone fail at `threads-max`.
    pub fn spawn(&mut self, mut task: Task) -> Result<(), syscall_linux::Errno> {
        if self.tasks.len() >= max_threads() {
            return Err(syscall_linux::Errno::EAGAIN);
        }
        let tid = task.tid;
        task.state = State::Runnable;
        self.tasks.insert(tid, task);
        self.unstarted.push(tid);
        Ok(())
    }

    /// Drops task `tid`, whose kernel task could not be started.
    pub fn forget(&mut self, tid: Tid) {
        self.tasks.remove(&tid);
        self.io_waiters.remove(&tid);
    }

    /// The threads whose kernel tasks are still to be started.
    pub fn take_unstarted(&mut self) -> Vec<Tid> {
        core::mem::take(&mut self.unstarted)
    }

    /// Blocked task `tid` becomes runnable: its kernel task wakes and runs its system call
    /// again.
    pub fn make_runnable(&mut self, tid: Tid) {
        let Some(task) = self.tasks.get_mut(&tid) else {
            return;
        };
        if !matches!(task.state, State::Blocked(_)) {
            return;
        }
        task.state = State::Runnable;
        task.io_key = None;
        task.wakeup.wake();
        self.io_waiters.remove(&tid);
    }

    /// Runnable task `tid` waits for `why`.
    fn make_blocked(&mut self, tid: Tid, why: WaitFor) {
        if let Some(task) = self.tasks.get_mut(&tid) {
            task.state = State::Blocked(why);
            task.wakeup.clear();
            if why == WaitFor::Io {
                self.io_waiters.insert(tid, task.io_key);
            }
        }
    }

    /// Marks task `tid` dead; its kernel task wakes, if it sleeps, to end.
    pub fn make_dead(&mut self, tid: Tid) {
        if let Some(task) = self.tasks.get_mut(&tid) {
            task.state = State::Dead;
            task.wakeup.wake();
        }
        self.io_waiters.remove(&tid);
    }

    /// Pushes task `tid`'s scheduling attributes (policy, nice, affinity) to the policy that
    /// schedules its kernel task.
    pub fn update_attr(&mut self, tid: Tid) {
        let Some(task) = self.tasks.get(&tid) else {
            return;
        };
        if let Some(kthread) = &task.kthread {
            crate::sched_policy::set_params(kthread, task.sched.params);
            crate::sched_policy::set_affinity(kthread, task.sched.affinity);
        }
    }

    /// Drops task `tid` if it is dead and `kthread` runs it (its kernel task ends).
    pub fn remove_dead(&mut self, tid: Tid, kthread: &frame::task::Task) {
        if self
            .tasks
            .get(&tid)
            .is_some_and(|t| t.state == State::Dead && t.runs_on(kthread))
        {
            self.tasks.remove(&tid);
        }
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

    /// Something happened that may have made files ready (a system call completed, time
    /// passed): the threads blocked for I/O run their calls again.
    pub fn note_progress(&mut self) {
        if self.io_waiters.is_empty() {
            return;
        }
        for tid in core::mem::take(&mut self.io_waiters).into_keys() {
            self.make_runnable(tid);
        }
    }

    /// Whether some thread is blocked for I/O.
    pub fn has_io_waiters(&self) -> bool {
        !self.io_waiters.is_empty()
    }

    /// The files with wait keys `keys` may have become ready (a pipe was read, written,
    /// opened or closed): the threads blocked on those keys, and those blocked without a key
    /// (poll, select), run their calls again.
    pub fn note_io_keys(&mut self, keys: &[u64]) {
        if keys.is_empty() || self.io_waiters.is_empty() {
            return;
        }
        while let Some(tid) = self
            .io_waiters
            .iter()
            .find(|(_, key)| key.is_none_or(|k| keys.contains(&k)))
            .map(|(&tid, _)| tid)
        {
            self.io_waiters.remove(&tid);
            self.make_runnable(tid);
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
    /// running (false: it yields, blocks or ended).
    pub fn finish_syscall(&mut self, tid: Tid, outcome: Outcome, touched_files: bool) -> bool {
        let completed = !matches!(outcome, Outcome::Block(_));
        let Some(task) = self.tasks.get_mut(&tid) else {
            return false;
        };
        let go_on = match outcome {
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
                self.make_blocked(tid, why);
                false
            }
            Outcome::Block(why) => {
                let ip = task.ctx.instruction_pointer();
                task.ctx.set_instruction_pointer(ip - SYSCALL_INSN_LEN);
                task.restarting = true;
                self.make_blocked(tid, why);
                false
            }
            Outcome::Exit => false,
        };
        if completed && touched_files {
            self.note_progress();
        }
        go_on
    }

    /// Makes every blocked task runnable again (its system call re-checks its condition),
    /// except vfork parents, which only [`Scheduler::end_vfork`] wakes.
    pub fn wake_all(&mut self) {
        self.wake_blocked(None);
    }

    /// Makes the blocked threads of process `pid` runnable (their calls re-check, and a signal
    /// sent to the process interrupts them), except a vfork parent.
    pub fn wake_process(&mut self, pid: Tid) {
        self.wake_blocked(Some(pid));
    }

    /// The blocked tasks (of process `pid`, or all), vfork parents excepted, become runnable.
    fn wake_blocked(&mut self, pid: Option<Tid>) {
        let blocked: alloc::vec::Vec<Tid> = self
            .tasks
            .values()
            .filter(|t| pid.is_none_or(|pid| t.process.pid == pid))
            .filter(|t| matches!(t.state, State::Blocked(why) if why != WaitFor::Vfork))
            .map(|t| t.tid)
            .collect();
        for tid in blocked {
            self.make_runnable(tid);
        }
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

    /// Gives task `old` the id `new` (a non-leader thread that execs becomes the leader). Its
    /// kernel task goes on, and learns its new id from [`Scheduler::take_renamed`].
    pub fn renumber(&mut self, old: Tid, new: Tid) {
        if let Some(mut task) = self.tasks.remove(&old) {
            task.tid = new;
            self.tasks.insert(new, task);
            self.renamed.insert(old, new);
            if let Some(key) = self.io_waiters.remove(&old) {
                self.io_waiters.insert(new, key);
            }
        }
    }

    /// The id thread `old` was given by [`Scheduler::renumber`], if it was renumbered.
    pub fn take_renamed(&mut self, old: Tid) -> Option<Tid> {
        self.renamed.remove(&old)
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
