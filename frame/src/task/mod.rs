//! Kernel tasks: threads of kernel execution, each with its own stack, switched on any CPU.
//!
//! A [`Task`] is made with [`TaskOptions`] and runs its closure once; [`Task::join`] waits for
//! it to end. The code a CPU was already running when it first met the scheduler (the boot
//! path on CPU 0, a secondary CPU's idle loop) becomes that CPU's
//! *bootstrap task*: it has no stack of its own (it keeps the one it runs on) and is pinned to
//! its CPU, so code that was written for one CPU stays on it.
//!
//! **Switching.** A task leaves the CPU in [`yield_now`], when it sleeps ([`WaitQueue`],
//! [`sleep`]), when it ends, or when a timer tick preempts it ([`preempt`]). The CPU asks the
//! [`Scheduler`] for the next task and switches stacks (`__frame_switch_context`, in `arch/<name>/task.rs`) with
//! interrupts disabled and exactly one [`PreemptGuard`] (the switch's own) held; holding
//! another across a switch is a bug ("scheduling while atomic") and panics. If nothing else is
//! runnable, a task that sleeps or ends idles the CPU on its own stack until something is; a
//! runnable task that the scheduler will not let stay ([`Scheduler::keeps_cpu`]: its affinity
//! changed) hands the CPU to the CPU's *idle task*, made on first need. A task's stack ends
//! in a canary word, checked whenever the task is switched out, so an overflow panics there
//! rather than corrupting the heap below it unnoticed.
//!
//! **Who owns a task's registers.** Each task has a state (running, runnable, sleeping, ended)
//! and an `on_cpu` flag, both changed under the task's own lock. `on_cpu` is set when a CPU
//! switches to the task and cleared by the *next* task on that CPU, right after the switch
//! ([`finish_switch`]), once the registers are stored. Only then is the previous task put back
//! on a run queue (if it yielded or was preempted). A wake-up that finds its task still
//! `on_cpu` (it is about to sleep, or idling) only marks it running, and the task notices
//! before it switches, or its successor re-queues it in `finish_switch`. So a task is queued
//! only when its registers are saved, and no two CPUs ever run it at once.
//!
//! Ticks call the scheduler's [`Scheduler::should_preempt`]; if it says so, the CPU's
//! `need_resched` flag is set and the task is switched out on the way back from the next
//! interrupt that finds preemption enabled, or at the next preemption point (before
//! entering user mode).

mod preempt;
mod scheduler;
mod sleep;
mod wait;

use alloc::boxed::Box;
use alloc::string::String;
use alloc::sync::Arc;
use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

pub use preempt::{PreemptGuard, disable_preempt, preemptible, preemption_point};
pub use scheduler::{FifoScheduler, Placement, Scheduler, inject_scheduler};
pub use sleep::sleep;
pub use wait::WaitQueue;

use crate::arch::TaskContext;
use crate::cpu::{CpuLocal, MAX_CPUS};
use crate::sync::{SpinLock, disable_local_irqs};

pub(crate) use preempt::preempt_from_irq;

/// Stack size of a task unless [`TaskOptions::stack_size`] says otherwise.
pub const DEFAULT_STACK_SIZE: usize = 64 * 1024;

/// Where a task is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskState {
    /// On a CPU.
    Running,
    /// Waiting in a run queue for a CPU.
    Runnable,
    /// Waiting for a wake-up ([`Task::wake`]).
    Sleeping,
    /// Its closure returned.
    Exited,
}

/// A kernel task. Shared as `Arc<Task>`: by the CPU running it, run queues and wait queues.
pub struct Task {
    id: u64,
    name: String,
    /// Registers while switched out; see the module doc for who may touch them and when.
    ctx: UnsafeCell<TaskContext>,
    /// Owns the stack the task runs on (`None` for a bootstrap task).
    stack: Option<KernelStack>,
    entry: SpinLock<Option<Box<dyn FnOnce() + Send>>>,
    state: SpinLock<TaskState>,
    /// On a CPU, or still saving its registers there (see the module doc).
    on_cpu: AtomicBool,
    /// The CPU it last ran on.
    cpu: AtomicUsize,
    /// CPUs it may run on (bit `i`: CPU `i`).
    affinity: AtomicU64,
    exited: AtomicBool,
    exit_waiters: WaitQueue,
    /// A CPU's idle task ([`idle_task`]): never queued, never sleeps.
    idle: bool,
}

// SAFETY: every field is `Sync` except `ctx`, which only the CPU switching the task out
// writes and only the CPU switching it in reads; the `on_cpu` protocol (module doc) orders the
// two with a release store and an acquire load, so they never overlap.
unsafe impl Sync for Task {}

impl Task {
    /// The task's unique number (bootstrap tasks included).
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The name given at spawn (`"cpuN"` for CPU N's bootstrap task).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its state now (it may change as soon as this returns).
    pub fn state(&self) -> TaskState {
        *self.state.lock()
    }

    /// Whether it is a CPU's bootstrap task (the code the CPU ran before it met the
    /// scheduler: the boot path, a secondary CPU's idle loop).
    pub fn is_bootstrap(&self) -> bool {
        self.stack.is_none()
    }

    /// The CPU it last ran on.
    pub fn last_cpu(&self) -> usize {
        self.cpu.load(Ordering::Relaxed)
    }

    /// The CPUs it may run on (bit `i`: CPU `i`).
    pub fn affinity(&self) -> u64 {
        self.affinity.load(Ordering::Relaxed)
    }

    /// Lets it run only on the CPUs of `mask` (bit `i`: CPU `i`); a mask with no online CPU
    /// means any CPU. A queued task keeps its place; the new mask counts from its next
    /// enqueue. A running task leaves a CPU no longer in its mask when it next yields or
    /// sleeps and another task takes the CPU (with nothing else to run, it stays).
    pub fn set_affinity(&self, mask: u64) {
        let mut mask = mask & crate::smp::online_mask();
        if mask == 0 {
            mask = crate::smp::online_mask();
        }
        self.affinity.store(mask, Ordering::Relaxed);
    }

    /// Whether it may run on CPU `cpu`.
    pub fn may_run_on(&self, cpu: usize) -> bool {
        cpu < MAX_CPUS && self.affinity() & (1 << cpu) != 0
    }

    /// Wakes the task if it sleeps; returns whether it did. A task woken before it got to
    /// switch away does not switch (see the module doc).
    pub fn wake(self: &Arc<Self>) -> bool {
        let queue = {
            let mut state = self.state.lock();
            if *state != TaskState::Sleeping {
                return false;
            }
            if self.on_cpu.load(Ordering::Relaxed) {
                *state = TaskState::Running;
                false
            } else {
                *state = TaskState::Runnable;
                true
            }
        };
        if queue {
            enqueue(self.clone());
        } else {
            // It may be idling in `wait_for_interrupt` on its own stack.
            kick(self.last_cpu());
        }
        true
    }

    /// Waits until the task has ended. Returns at once if it has.
    pub fn join(&self) {
        self.exit_waiters
            .wait_until(|| self.exited.load(Ordering::Acquire).then_some(()));
    }

    /// Whether the task has ended.
    pub fn has_exited(&self) -> bool {
        self.exited.load(Ordering::Acquire)
    }

    fn bootstrap(cpu: usize) -> Self {
        let mut name = String::from("cpu");
        push_decimal(&mut name, cpu);
        Self::new(name, TaskContext::default(), None, None, 1 << cpu, cpu)
    }

    fn new(
        name: String,
        ctx: TaskContext,
        stack: Option<KernelStack>,
        entry: Option<Box<dyn FnOnce() + Send>>,
        affinity: u64,
        cpu: usize,
    ) -> Self {
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        let bootstrap = stack.is_none();
        Self {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            name,
            ctx: UnsafeCell::new(ctx),
            stack,
            entry: SpinLock::new(entry),
            state: SpinLock::new(if bootstrap {
                TaskState::Running
            } else {
                TaskState::Runnable
            }),
            on_cpu: AtomicBool::new(bootstrap),
            cpu: AtomicUsize::new(cpu),
            affinity: AtomicU64::new(affinity),
            exited: AtomicBool::new(false),
            exit_waiters: WaitQueue::new(),
            idle: false,
        }
    }
}

fn push_decimal(s: &mut String, n: usize) {
    if n >= 10 {
        push_decimal(s, n / 10);
    }
    s.push(char::from(b'0' + (n % 10) as u8));
}

impl core::fmt::Debug for Task {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Task")
            .field("id", &self.id)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// The lowest word of every task stack (see the module doc).
const STACK_CANARY: u128 = 0x5354_4143_4b5f_454e_445f_5354_4143_4b21;

/// A task's stack: heap memory, 16-byte aligned, freed with the task.
struct KernelStack {
    mem: Box<[u128]>,
}

impl KernelStack {
    fn new(size: usize) -> Self {
        Self::try_new(size).expect("no memory for a task's stack")
    }

    /// A stack of `size` bytes (at least 4 KiB), or `None` if the heap cannot hold it.
    fn try_new(size: usize) -> Option<Self> {
        let words = size.div_ceil(16).max(256);
        let mut mem = alloc::vec::Vec::new();
        mem.try_reserve_exact(words).ok()?;
        mem.resize(words, 0u128);
        mem[0] = STACK_CANARY;
        Some(Self {
            mem: mem.into_boxed_slice(),
        })
    }

    /// Whether the lowest word, which a stack overflow overwrites first, is untouched.
    fn canary_intact(&self) -> bool {
        self.mem[0] == STACK_CANARY
    }

    fn top(&self) -> usize {
        self.mem.as_ptr_range().end as usize
    }
}

/// Builds and starts a task.
///
/// ```ignore
/// let t = TaskOptions::new(|| log::info!("hello")).name("greeter").cpu(1).spawn();
/// t.join();
/// ```
pub struct TaskOptions {
    entry: Box<dyn FnOnce() + Send>,
    name: String,
    stack_size: usize,
    affinity: u64,
}

impl TaskOptions {
    /// A task that will run `entry` once.
    pub fn new(entry: impl FnOnce() + Send + 'static) -> Self {
        Self {
            entry: Box::new(entry),
            name: String::from("task"),
            stack_size: DEFAULT_STACK_SIZE,
            affinity: u64::MAX,
        }
    }

    /// Its name (for debugging).
    pub fn name(mut self, name: &str) -> Self {
        self.name = String::from(name);
        self
    }

    /// Its stack size in bytes (at least 4 KiB is used).
    pub fn stack_size(mut self, bytes: usize) -> Self {
        self.stack_size = bytes;
        self
    }

    /// Pins it to CPU `cpu`.
    pub fn cpu(self, cpu: usize) -> Self {
        self.affinity(1 << (cpu % MAX_CPUS))
    }

    /// Lets it run only on the CPUs of `mask` (bit `i`: CPU `i`). A mask with no online CPU
    /// is treated as "any CPU".
    pub fn affinity(mut self, mask: u64) -> Self {
        self.affinity = mask;
        self
    }

    /// Makes the task runnable and returns it.
    ///
    /// # Panics
    ///
    /// If the heap cannot hold its stack (see [`TaskOptions::try_spawn`]).
    pub fn spawn(self) -> Arc<Task> {
        self.try_spawn().expect("no memory for a task's stack")
    }

    /// Makes the task runnable and returns it, or returns `None` (and starts nothing) if the
    /// heap cannot hold its stack: for tasks made on behalf of user programs, which must not
    /// bring the kernel down by asking for too many.
    pub fn try_spawn(self) -> Option<Arc<Task>> {
        let stack = KernelStack::try_new(self.stack_size)?;
        let ctx = TaskContext::new(stack.top(), task_entry);
        let mut affinity = self.affinity & crate::smp::online_mask();
        if affinity == 0 {
            affinity = crate::smp::online_mask();
        }
        let task = Arc::new(Task::new(
            self.name,
            ctx,
            Some(stack),
            Some(self.entry),
            affinity,
            crate::cpu::current_id(),
        ));
        mark_used();
        enqueue(task.clone());
        Some(task)
    }
}

/// Set once the first task is spawned or sleeps: until then ticks skip the scheduler.
static TASKS_USED: AtomicBool = AtomicBool::new(false);

fn mark_used() {
    TASKS_USED.store(true, Ordering::Release);
}

/// What each CPU runs, and the task it just switched away from.
struct CpuTasks {
    current: Option<Arc<Task>>,
    prev: Option<Arc<Task>>,
}

static CPU_TASKS: CpuLocal<SpinLock<CpuTasks>> = CpuLocal::new(
    [const {
        SpinLock::new(CpuTasks {
            current: None,
            prev: None,
        })
    }; MAX_CPUS],
);

/// The task running the caller (the CPU's bootstrap task if it never switched).
pub fn current() -> Arc<Task> {
    let _irq = disable_local_irqs();
    let cpu = crate::cpu::current_id();
    let mut tasks = CPU_TASKS.get().lock();
    tasks
        .current
        .get_or_insert_with(|| Arc::new(Task::bootstrap(cpu)))
        .clone()
}

/// Lets another runnable task run, if the scheduler has one for this CPU; otherwise returns at
/// once.
///
/// # Panics
///
/// If interrupts are disabled or preemption is disabled (a lock or guard is held).
pub fn yield_now() {
    assert!(
        crate::arch::irq_enabled(),
        "yield_now with interrupts disabled"
    );
    {
        let _irq = disable_local_irqs();
        scheduler::get().yield_current(crate::cpu::current_id());
    }
    switch_away(Leave::Yield);
}

/// Why a task leaves its CPU.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Leave {
    Yield,
    Sleep,
    Exit,
}

/// Switches the running task out for `why`, and returns when it runs again (for `Exit`,
/// never). Works with interrupts enabled or disabled; returns with them as they were.
fn switch_away(why: Leave) {
    let guard = disable_preempt();
    let _irq = disable_local_irqs();
    assert_eq!(
        preempt::count(),
        1,
        "scheduling while atomic (a PreemptGuard is held)"
    );
    let cur = current();
    {
        let mut state = cur.state.lock();
        match why {
            Leave::Yield => *state = TaskState::Runnable,
            // Woken between queueing itself and getting here: nothing to do.
            Leave::Sleep if *state != TaskState::Sleeping => return,
            Leave::Sleep => {}
            Leave::Exit => *state = TaskState::Exited,
        }
    }
    preempt::clear_need_resched();
    let mut cur = Some(cur);
    loop {
        let cpu = crate::cpu::current_id();
        let leaving = cur.as_ref().expect("the running task");
        if let Some(next) = scheduler::get().dequeue(cpu, leaving) {
            let cur = cur.take().expect("the running task");
            if !Arc::ptr_eq(&cur, &next) {
                switch_to(cur, next);
                break;
            }
            *cur.state.lock() = TaskState::Running;
            break;
        }
        let task = cur.as_ref().expect("the running task");
        let keep = task.idle || scheduler::get().keeps_cpu(cpu, task);
        let mut state = task.state.lock();
        match *state {
            // Nothing else to run: keep running.
            TaskState::Runnable | TaskState::Running if keep => {
                *state = TaskState::Running;
                break;
            }
            // It must leave this CPU (its affinity changed) and nothing else runs here: the
            // CPU's idle task takes over, and the switch queues this one for another CPU.
            TaskState::Runnable | TaskState::Running => {
                *state = TaskState::Runnable;
                drop(state);
                let cur = cur.take().expect("the running task");
                switch_to(cur, idle_task(cpu));
                break;
            }
            // Idle on this stack until some task (maybe this one) is runnable.
            TaskState::Sleeping | TaskState::Exited => {
                drop(state);
                crate::cpu::wait_for_interrupt();
                crate::arch::irq_disable();
            }
        }
    }
    drop(guard);
}

unsafe extern "C" {
    /// Saves the running task's registers into `*from` and resumes the task saved in `*to`;
    /// returns when some CPU switches back to `*from`. Each architecture defines it in
    /// assembly next to its [`TaskContext`] (`arch/<name>/task.rs`).
    ///
    /// # Safety
    ///
    /// `from` and `to` must be valid for the whole switch; nothing else may read or write
    /// `*from` until this switch has stored it, nor `*to` while it runs. `*to` must hold a
    /// context made by `TaskContext::new` with a live stack, or saved by an earlier switch whose
    /// task has not run since. Interrupts must be disabled.
    fn __frame_switch_context(from: *mut TaskContext, to: *const TaskContext);
}

/// Switches from `cur` (running here) to `next` (just dequeued).
fn switch_to(cur: Arc<Task>, next: Arc<Task>) {
    // `next` is normally queued only after its registers were stored, but a policy may move a
    // task that another CPU is still switching out (a pick that put it on another CPU's
    // queue, balancing that pulled it): wait for that CPU to finish.
    while next.on_cpu.load(Ordering::Acquire) {
        crate::smp::serve_shootdown();
        core::hint::spin_loop();
    }
    if let Some(stack) = &cur.stack {
        assert!(
            stack.canary_intact(),
            "task {} ({}) overflowed its kernel stack",
            cur.id,
            cur.name
        );
    }
    let cpu = crate::cpu::current_id();
    assert_eq!(
        *next.state.lock(),
        TaskState::Runnable,
        "switching to task {}",
        next.id
    );
    next.on_cpu.store(true, Ordering::Relaxed);
    next.cpu.store(cpu, Ordering::Relaxed);
    *next.state.lock() = TaskState::Running;
    let from = cur.ctx.get();
    let to = next.ctx.get().cast_const();
    {
        let mut tasks = CPU_TASKS.get().lock();
        tasks.current = Some(next);
        tasks.prev = Some(cur);
    }
    // `from` and `to` point into tasks kept alive by this CPU's `current` and `prev` slots
    // until `finish_switch` runs on the other side, after the registers are stored. `cur` runs
    // here and no other CPU touches its context until its `on_cpu` is cleared there; `next` is
    // on no CPU (waited for above), so its context is what its last switch-out (or
    // `TaskContext::new`) stored.
    // SAFETY: so both contexts are valid and unshared for the switch; interrupts are disabled
    // (by `switch_away`).
    unsafe { __frame_switch_context(from, to) };
    finish_switch();
}

/// The first thing a task does after a switch: lets the task it replaced go (clears its
/// `on_cpu`, and queues it if it is runnable).
fn finish_switch() {
    let Some(prev) = CPU_TASKS.get().lock().prev.take() else {
        return;
    };
    let queue = {
        let mut state = prev.state.lock();
        prev.on_cpu.store(false, Ordering::Release);
        match *state {
            TaskState::Runnable => true,
            // Woken after it decided to sleep but before it was switched out.
            TaskState::Running => {
                *state = TaskState::Runnable;
                true
            }
            TaskState::Sleeping | TaskState::Exited => false,
        }
    };
    if queue && !prev.idle {
        enqueue(prev);
    }
    // An exited task's last reference may go here, and its stack with it: this CPU is on
    // another stack now.
}

/// Stack size of the CPUs' idle tasks (interrupt handlers run on them).
const IDLE_STACK_SIZE: usize = 16 * 1024;

/// Each CPU's idle task, made the first time it is needed.
static IDLE_TASKS: CpuLocal<SpinLock<Option<Arc<Task>>>> =
    CpuLocal::new([const { SpinLock::new(None) }; MAX_CPUS]);

/// CPU `cpu`'s idle task (the running CPU's), for a task that must leave the CPU when nothing
/// else is runnable there: it runs whatever is queued for the CPU, else waits for interrupts.
/// It is never queued: a switch away from it leaves it runnable for the next time.
fn idle_task(cpu: usize) -> Arc<Task> {
    IDLE_TASKS
        .get()
        .lock()
        .get_or_insert_with(|| {
            let stack = KernelStack::new(IDLE_STACK_SIZE);
            let ctx = TaskContext::new(stack.top(), task_entry);
            let mut name = String::from("idle");
            push_decimal(&mut name, cpu);
            let entry: Box<dyn FnOnce() + Send> = Box::new(idle_main);
            let mut task = Task::new(name, ctx, Some(stack), Some(entry), 1 << cpu, cpu);
            task.idle = true;
            Arc::new(task)
        })
        .clone()
}

/// The idle task's body: like a secondary CPU's idle loop.
fn idle_main() {
    loop {
        // Interrupts stay off from the scheduler's check to the wait, which enables them
        // atomically with sleeping, so a wake-up sent after the check ends the wait.
        crate::arch::irq_disable();
        switch_away(Leave::Yield);
        crate::cpu::wait_for_interrupt();
    }
}

/// Where every new task starts, on its own stack, from `__frame_switch_context`.
extern "C" fn task_entry() -> ! {
    finish_switch();
    // The switch that started this task holds one preemption guard and disabled interrupts
    // (its `switch_away` would have released both had it returned here).
    preempt::leave_switch();
    crate::arch::irq_enable();
    let entry = current().entry.lock().take();
    if let Some(entry) = entry {
        entry();
    }
    exit_current()
}

/// Ends the running task: wakes its joiners and switches away for good.
fn exit_current() -> ! {
    {
        let cur = current();
        cur.exited.store(true, Ordering::Release);
        cur.exit_waiters.wake_all();
    }
    switch_away(Leave::Exit);
    unreachable!("an exited task was switched back in");
}

/// Queues `task` (runnable, registers saved) and makes its CPU look at its run queue.
fn enqueue(task: Arc<Task>) {
    assert!(
        !task.on_cpu.load(Ordering::Acquire),
        "queueing task {} still on a CPU",
        task.id
    );
    assert_eq!(
        *task.state.lock(),
        TaskState::Runnable,
        "queueing task {}",
        task.id
    );
    let placed = scheduler::get().enqueue(task);
    if placed.preempt {
        preempt::set_need_resched(placed.cpu);
    }
    kick(placed.cpu);
}

/// Gets CPU `cpu` out of `wait_for_interrupt` (an IPI), unless it is the running CPU.
fn kick(cpu: usize) {
    if cpu != crate::cpu::current_id() {
        crate::smp::send_ipi(cpu, crate::smp::IpiKind::Wakeup);
    }
}

/// One step of an idle CPU's loop (interrupts disabled): runs whatever is queued for it, then
/// waits for an interrupt. A task queued after the check sends an IPI, which ends the wait.
pub(crate) fn idle_step() {
    if TASKS_USED.load(Ordering::Acquire) {
        switch_away(Leave::Yield);
    }
    crate::cpu::wait_for_interrupt();
}

/// Called on every timer interrupt (interrupts disabled): wakes the sleepers that are due.
pub(crate) fn on_timer() {
    if TASKS_USED.load(Ordering::Acquire) {
        sleep::wake_due();
    }
}

/// Called on every timer tick (interrupts disabled).
pub(crate) fn on_tick() {
    if !TASKS_USED.load(Ordering::Acquire) {
        return;
    }
    let cpu = crate::cpu::current_id();
    if scheduler::get().should_preempt(cpu) {
        preempt::set_need_resched(cpu);
    }
}

mod tests;
