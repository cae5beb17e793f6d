//! The run loop every CPU executes.
//!
//! The kernel's state (the [`Kernel`] and the [`Scheduler`]) sits behind one lock, the
//! *world lock*. A CPU takes it to pick a task, to handle what brought the task back from user
//! mode (a system call, a fault, the end of its time slice) and to deliver signals; it drops it
//! while the task runs in user mode. So system calls are serialised (a big kernel lock), while
//! user code, page faults' hardware side and TLB shootdowns run on all CPUs at once.
//!
//! A task running in user mode is marked with its CPU (`Task::on_cpu`) and its registers are
//! moved out of the table for the time (the CPU's spare box is swapped with the task's, a
//! pointer swap rather than a copy of the context); nobody else touches them. A task killed or
//! signalled while it runs elsewhere gets that CPU kicked with an IPI, and the CPU notices when
//! it takes the lock again. A CPU with nothing to run sleeps until an interrupt: its own tick,
//! or a wake-up IPI sent when a task becomes runnable.
//!
//! System calls that must wait leave their task blocked with the call rewound (see `task`),
//! and run again, in the kernel, when the task is woken.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::sync::atomic::Ordering;

use frame::mm::vm::{Access, NoFilePages, PageState};
use frame::user::{UserContext, UserExit};
use spin::{Mutex, MutexGuard, Once};
use syscall_linux::abi::siginfo::{SEGV_ACCERR, SEGV_MAPERR};

use crate::process::{Kernel, Pid};
use crate::signal::Fault;
use crate::task::{Outcome, SYSCALL_INSN_LEN, Scheduler, State, Tid};

/// What the world lock protects.
struct World {
    kernel: Kernel,
    sched: Scheduler,
}

static WORLD: Once<Mutex<World>> = Once::new();

fn world() -> MutexGuard<'static, World> {
    WORLD
        .get()
        .expect("the run loop starts after the world exists")
        .lock()
}

/// Runs the tasks of `sched` on every CPU until none is left; returns process 1's wait status.
pub fn run(kernel: Kernel, sched: Scheduler) -> Option<i32> {
    WORLD.call_once(|| Mutex::new(World { kernel, sched }));
    frame::smp::start_secondary_cpus(secondary_main);
    cpu_loop(frame::cpu::current_id());
    let w = world();
    w.kernel.procs.get(&1).and_then(|p| *p.exit_status.lock())
}

/// The entry of the other CPUs: run tasks, then idle once everything has ended (the boot CPU
/// powers the machine off).
fn secondary_main(cpu: usize) -> ! {
    cpu_loop(cpu);
    loop {
        frame::cpu::wait_for_interrupt();
    }
}

/// Runs tasks on CPU `cpu` until no task is left.
fn cpu_loop(cpu: usize) {
    // The box the running task's registers travel in (see `run_slice`).
    let mut lent_ctx = Box::new(UserContext::new());
    loop {
        let mut w = world();
        let World { kernel, sched } = &mut *w;
        sched.reap();
        if sched.is_empty() {
            return;
        }
        if let Some(tid) = sched.pick(cpu) {
            drop(w);
            run_slice(cpu, tid, &mut lent_ctx);
            continue;
        }
        if sched.take_progress() {
            // Another task's last call (a pipe write, an exit) may have unblocked someone:
            // let the blocked tasks re-check now, not at the next tick.
            recheck_blocked(kernel, sched, Recheck::AfterProgress);
            continue;
        }
        // Nothing to run here: sleep until an interrupt, then let blocked tasks retry.
        sched.set_idle(cpu, true);
        if cpu == 0 {
            crate::stats::sample(sched.runnable_count());
        }
        drop(w);
        frame::cpu::wait_for_interrupt();
        let mut w = world();
        let World { kernel, sched } = &mut *w;
        sched.set_idle(cpu, false);
        if cpu == 0 {
            poll_console(kernel, sched);
        }
        recheck_blocked(kernel, sched, Recheck::All);
    }
}

/// Runs task `tid` on CPU `cpu` until it blocks, exits or its time slice (one tick) ends.
///
/// While the task runs in user mode, its registers are in `lent_ctx`, swapped with the task's
/// box (which holds whatever the previous task left until they are swapped back).
fn run_slice(cpu: usize, tid: Tid, lent_ctx: &mut Box<UserContext>) {
    crate::stats::note_switch();
    loop {
        let mut w = world();
        let World { kernel, sched } = &mut *w;
        let Some(task) = sched.task_mut(tid) else {
            return;
        };
        if task.state == State::Dead {
            return;
        }
        // Looked up again only when a signal was delivered (the common case keeps `task`).
        let task = if task.has_pending_signal() {
            crate::signal::deliver(kernel, sched, tid);
            match sched.task_mut(tid) {
                Some(task) if task.state != State::Dead => task,
                _ => return,
            }
        } else {
            task
        };
        let space = task.process.space();
        let exit = if task.restarting {
            // A restarted system call runs again without a round trip through user mode
            // (which would only execute the system-call instruction again).
            let ip = task.ctx.instruction_pointer();
            task.ctx.set_instruction_pointer(ip + SYSCALL_INSN_LEN);
            UserExit::Syscall
        } else {
            core::mem::swap(&mut task.ctx, lent_ctx);
            task.on_cpu = Some(cpu);
            drop(w);
            let exit = lent_ctx.run(&space);
            w = world();
            let Some(task) = w.sched.task_mut(tid) else {
                return;
            };
            core::mem::swap(&mut task.ctx, lent_ctx);
            task.on_cpu = None;
            if task.state == State::Dead {
                return;
            }
            exit
        };
        let World { kernel, sched } = &mut *w;
        let go_on = match exit {
            UserExit::Interrupt => {
                // A tick: waiting tasks re-check their conditions, and the run queue says
                // whether this task's slice is over.
                sched.note_progress();
                if cpu == 0 {
                    crate::stats::sample(sched.runnable_count());
                    poll_console(kernel, sched);
                }
                recheck_blocked(kernel, sched, Recheck::All);
                !sched.tick(cpu)
            }
            UserExit::Syscall => {
                let outcome = crate::syscall::handle(kernel, sched, tid);
                sched.finish_syscall(tid, outcome)
            }
            UserExit::PageFault { address, access } => {
                if space.handle_fault(address, access, &NoFilePages).is_ok() {
                    true
                } else {
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
                    false
                }
            }
            UserExit::Exception { kind, address, .. } => {
                log::debug!("tid {tid}: {kind:?} at {address:#x}");
                let (sig, code) = crate::signal::for_exception(kind);
                crate::signal::force_fault(kernel, sched, tid, Fault { sig, code, address });
                false
            }
        };
        sched.kick_idle_cpus();
        if !go_on {
            return;
        }
    }
}

/// Which blocked tasks [`recheck_blocked`] runs again.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Recheck {
    /// After a tick or an idle wake-up: every one. Time passed, and this also bounds the wait
    /// of any task a narrower re-check passed over.
    All,
    /// After another task's system call: those that blocked before the last progress and whose
    /// wait may be over by their own record (`Task::wait_may_be_over`), so that neither the
    /// task that just blocked nor a sleeping or waiting parent runs again on every pipe round
    /// trip.
    AfterProgress,
}

/// Runs the system call of blocked tasks again (see [`Recheck`]), here, to see whether it can
/// complete now (a pipe got data, a child exited, a deadline passed); those that can, and
/// those with a signal to take, go on a run queue with their result. Those that still wait
/// stay off the queues, so a re-check costs one system call, not a trip through the scheduler.
fn recheck_blocked(kernel: &mut Kernel, sched: &mut Scheduler, which: Recheck) {
    let children_changed = sched.take_children_changed();
    // Calls that complete during this pass count for the next one: the caller's next round
    // sees them as progress.
    let progress_at_start = sched.progress_count();
    let now = frame::timer::uptime();
    let mut after = None;
    while let Some(tid) = sched.next_restartable(after) {
        after = Some(tid);
        let Some(task) = sched.task_mut(tid) else {
            continue;
        };
        if task.has_pending_signal() || !task.restarting {
            sched.make_runnable(tid);
            continue;
        }
        if which == Recheck::AfterProgress
            && (task.blocked_since == progress_at_start
                || !task.wait_may_be_over(now, children_changed))
        {
            continue;
        }
        let ip = task.ctx.instruction_pointer();
        task.ctx.set_instruction_pointer(ip + SYSCALL_INSN_LEN);
        let outcome = crate::syscall::handle(kernel, sched, tid);
        let completes = !matches!(outcome, Outcome::Block(_) | Outcome::ReturnAndBlock(..));
        sched.finish_syscall(tid, outcome);
        if completes
            && sched
                .task(tid)
                .is_some_and(|t| matches!(t.state, State::Blocked(_)))
        {
            sched.make_runnable(tid);
        }
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
