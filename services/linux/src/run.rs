//! The user threads' kernel tasks, and the world lock they share.
//!
//! The kernel's state (the [`Kernel`] and the [`Scheduler`]) sits behind one sleeping lock,
//! the *world lock* (a `frame::sync::Mutex`, taken only in task context). A thread takes it to
//! handle what brought it back from user mode (a system call, a fault, an interrupt) and to
//! deliver signals; it drops it while it runs in user mode and while it sleeps. So system
//! calls are serialised (a big kernel lock), while user code, page faults' hardware side and
//! TLB shootdowns run on all CPUs at once.
//!
//! **One kernel task per thread.** [`thread_main`] runs one user thread, on a frame task of
//! its own, for the thread's whole life; frame's scheduler puts those tasks on the CPUs,
//! preempts them at ticks and moves them between CPUs. Secondary CPUs simply idle in frame
//! until a task is queued for them.
//!
//! **Blocking.** A system call that must wait leaves its task blocked with the call rewound
//! (see `task`). Its kernel task then drops the world lock and sleeps on the task's
//! [`Wakeup`](crate::task::Wakeup) until a waker (a futex wake, a child's exit, a signal, a
//! kill, the end of a vfork, or for I/O any completed system call or tick) makes it runnable,
//! or until the call's deadline; it then runs its own call again, which completes or blocks
//! anew.
//!
//! **Kicks.** A thread running in user mode is marked with its CPU (`Task::on_cpu`) and its
//! registers are moved out of the table for the time; nobody else touches them. A thread
//! killed or signalled while it runs elsewhere gets that CPU kicked with an IPI, and notices
//! when it takes the lock again. (It may have moved to another CPU after it was marked; then
//! it notices at its next tick.)
//!
//! **Policy.** The `sched` crate decides which task runs where, as frame's injected scheduler
//! (see `sched_policy`); `sched_yield` is a frame yield.
//!
//! **Ticks.** A kernel task, the ticker, runs once per tick: it handles `^C` on the console,
//! samples the load averages and lets the threads blocked for I/O (console input has no
//! wake-up of its own) re-check their calls.

use core::sync::atomic::{AtomicUsize, Ordering};
use core::time::Duration;

use alloc::vec::Vec;
use frame::mm::vm::{Access, NoFilePages, PageState};
use frame::sync::{Mutex, MutexGuard};
use frame::task::{TaskOptions, WaitQueue};
use frame::user::{UserContext, UserExit};
use spin::Once;
use syscall_linux::abi::siginfo::{SEGV_ACCERR, SEGV_MAPERR};

use crate::Errno;
use crate::process::{Kernel, Pid};
use crate::signal::Fault;
use crate::task::{Outcome, SYSCALL_INSN_LEN, Scheduler, State, Tid};

/// What the world lock protects.
struct World {
    kernel: Kernel,
    sched: Scheduler,
}

static WORLD: Once<Mutex<World>> = Once::new();

/// Threads whose kernel tasks were started and have not ended yet.
static LIVE_THREADS: AtomicUsize = AtomicUsize::new(0);

/// Woken when the last thread's kernel task ends.
static ALL_ENDED: WaitQueue = WaitQueue::new();

/// Kernel stack size of a thread's task, on which its system calls, faults and signal
/// deliveries run: as large as the secondary CPUs' boot stacks, which ran all of them before
/// threads had tasks (the deepest seen in the test suites is about 28 KiB, debug build).
pub(crate) const THREAD_STACK_SIZE: usize = 64 * 1024;

fn world() -> MutexGuard<'static, World> {
    WORLD
        .get()
        .expect("threads start after the world exists")
        .lock()
}

/// Runs the threads of `sched` until none is left; returns process 1's wait status. The
/// caller (the boot CPU's bootstrap task) sleeps meanwhile.
pub fn run(kernel: Kernel, sched: Scheduler) -> Option<i32> {
    if !crate::sched_policy::install() {
        log::warn!("run: frame already has a scheduler; nice, policies and balancing are its");
    }
    WORLD.call_once(|| Mutex::new(World { kernel, sched }));
    {
        let mut w = world();
        if start_threads(&mut w.sched).is_err() {
            return None;
        }
    }
    TaskOptions::new(ticker).name("ticker").spawn();
    ALL_ENDED.wait_until(|| (LIVE_THREADS.load(Ordering::Acquire) == 0).then_some(()));
    let w = world();
    w.kernel.procs.get(&1).and_then(|p| *p.exit_status.lock())
}

/// Starts the kernel tasks of the threads added since the last call (clone and fork call it
/// at once; the first thread waits for `run`). A thread whose task cannot be started (no
/// memory for its stack) is dropped, and the call fails with `EAGAIN`.
pub(crate) fn start_threads(sched: &mut Scheduler) -> Result<(), Errno> {
    let mut result = Ok(());
    for tid in sched.take_unstarted() {
        let Some(task) = sched.task_mut(tid) else {
            continue;
        };
        let started = TaskOptions::new(move || thread_main(tid))
            .name("user")
            .stack_size(THREAD_STACK_SIZE)
            .affinity(task.sched.affinity)
            .try_spawn();
        let Some(kthread) = started else {
            sched.forget(tid);
            result = Err(Errno::EAGAIN);
            continue;
        };
        LIVE_THREADS.fetch_add(1, Ordering::AcqRel);
        task.kthread = Some(kthread);
        sched.update_attr(tid);
    }
    result
}

/// Once per tick while threads live: `^C`, the load averages, and a re-check for the threads
/// blocked for I/O.
fn ticker() {
    let tick = Duration::from_nanos(1_000_000_000 / frame::timer::TICK_HZ);
    while LIVE_THREADS.load(Ordering::Acquire) > 0 {
        frame::task::sleep(tick);
        let mut w = world();
        let World { kernel, sched } = &mut *w;
        poll_console(kernel, sched);
        crate::stats::sample(sched.runnable_count());
        sched.note_progress();
    }
}

/// Runs user thread `tid` until it ends: the body of the thread's kernel task.
fn thread_main(mut tid: Tid) {
    crate::stats::note_switch();
    let me = frame::task::current();
    // The box this thread's registers travel in while it runs in user mode (swapped with the
    // task's box; between runs it holds a spare context that nothing reads).
    let mut lent = alloc::boxed::Box::new(UserContext::new());
    // The wait keys a system call made ready (kept to reuse its buffer).
    let mut woken: Vec<u64> = Vec::new();
    let mut w = world();
    loop {
        let World { kernel, sched } = &mut *w;
        // The entry may be another thread's: this one was killed, and an execing thread took
        // its id (the thread-group leader's).
        let Some(task) = sched.task_mut(tid).filter(|t| t.runs_on(&me)) else {
            break;
        };
        match task.state {
            State::Dead => break,
            State::Blocked(_) => {
                let (wakeup, deadline) = (task.wakeup.clone(), task.deadline());
                drop(w);
                wakeup.wait(deadline);
                crate::stats::note_switch();
                w = world();
                // Woken (already runnable, or dead), or the deadline passed: the call runs
                // again and decides. (If the entry is another thread's now, the loop ends.)
                if w.sched.task(tid).is_some_and(|t| t.runs_on(&me)) {
                    w.sched.make_runnable(tid);
                }
                continue;
            }
            State::Runnable => {}
        }
        if task.has_pending_signal() {
            crate::signal::deliver(kernel, sched, tid);
        }
        let Some(task) = sched.task_mut(tid).filter(|t| t.runs_on(&me)) else {
            break;
        };
        if task.state != State::Runnable {
            continue;
        }
        let space = task.process.space();
        let exit = if task.restarting {
            // A restarted system call runs again without a round trip through user mode
            // (which would only execute the system-call instruction again).
            let ip = task.ctx.instruction_pointer();
            task.ctx.set_instruction_pointer(ip + SYSCALL_INSN_LEN);
            UserExit::Syscall
        } else {
            // The registers travel in `lent`: a pointer swap, not a copy of the context.
            core::mem::swap(&mut task.ctx, &mut lent);
            task.on_cpu = Some(frame::cpu::current_id());
            drop(w);
            let exit = lent.run(&space);
            w = world();
            let Some(task) = w.sched.task_mut(tid).filter(|t| t.runs_on(&me)) else {
                break;
            };
            core::mem::swap(&mut task.ctx, &mut lent);
            task.on_cpu = None;
            if task.state == State::Dead {
                break;
            }
            exit
        };
        let World { kernel, sched } = &mut *w;
        let go_on = match exit {
            // A tick or a kick: frame's scheduler preempts the task if its time is up (on the
            // way back to user mode); signals and kills are looked at above.
            UserExit::Interrupt => true,
            UserExit::Syscall => {
                // (Only worth finding out when some thread waits for I/O.)
                let quiet = sched.has_io_waiters()
                    && sched
                        .task(tid)
                        .is_some_and(|t| crate::syscall::leaves_files_alone(t.ctx.syscall().0));
                let outcome = crate::syscall::handle(kernel, sched, tid);
                if let Some(new) = sched.take_renamed(tid) {
                    tid = new;
                }
                let yields = matches!(outcome, Outcome::Yield(_));
                sched.finish_syscall(tid, outcome, !quiet);
                woken.clear();
                kernel.hooks.take_woken(&mut woken);
                sched.note_io_keys(&woken);
                !yields
            }
            UserExit::PageFault { address, access } => {
                if space.handle_fault(address, access, &NoFilePages).is_err() {
                    let kind = match access {
                        Access::Write => "write",
                        Access::Read => "read",
                        Access::Exec => "execute",
                    };
                    log::debug!("tid {tid}: segmentation fault ({kind} at {address:#x})");
                    // Nothing there, or something there that forbids the access.
                    let code = match space.query(address) {
                        PageState::Invalid => SEGV_MAPERR,
                        _ => SEGV_ACCERR,
                    };
                    let sig = crate::signal::SIGSEGV;
                    let fault = Fault { sig, code, address };
                    crate::signal::force_fault(kernel, sched, tid, fault);
                }
                true
            }
            UserExit::Exception { kind, address, .. } => {
                log::debug!("tid {tid}: {kind:?} at {address:#x}");
                let (sig, code) = crate::signal::for_exception(kind);
                crate::signal::force_fault(kernel, sched, tid, Fault { sig, code, address });
                true
            }
        };
        // sched_yield, or an affinity that no longer includes this CPU: let another task
        // (or this one, elsewhere) run.
        if !go_on || !me.may_run_on(frame::cpu::current_id()) {
            drop(w);
            frame::task::yield_now();
            w = world();
        }
    }
    w.sched.remove_dead(tid, &me);
    drop(w);
    if LIVE_THREADS.fetch_sub(1, Ordering::AcqRel) == 1 {
        ALL_ENDED.wake_all();
    }
}

/// `^C` on the console: `SIGINT` to the console's foreground process group.
fn poll_console(kernel: &mut Kernel, sched: &mut Scheduler) {
    if !kernel.console.take_interrupt() {
        return;
    }
    let pgid = match kernel.foreground.load(Ordering::Relaxed) {
        0 => kernel
            .procs
            .get(&1)
            .map_or(1, |p| p.pgid.load(Ordering::Relaxed)),
        pgid => pgid,
    };
    let targets: Vec<Pid> = kernel
        .procs
        .values()
        .iter()
        .filter(|p| p.pgid.load(Ordering::Relaxed) == pgid)
        .map(|p| p.pid)
        .collect();
    for pid in targets {
        kernel.send_signal(sched, pid, crate::signal::SIGINT);
    }
}
