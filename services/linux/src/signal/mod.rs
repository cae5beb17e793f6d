//! Signals: numbers, actions, and delivery on a Linux signal frame (signal(7),
//! sigaction(2), sigreturn(2), sigaltstack(2)).
//!
//! Delivery saves the interrupted registers, FPU state, signal mask and alternate-stack
//! settings in a frame laid out exactly as Linux lays it out on the architecture (see
//! `arch/`), so that handlers that read their `ucontext_t` and programs that walk signal
//! frames work; rt_sigreturn restores from it. Faults (`SIGSEGV`, `SIGBUS`, `SIGILL`,
//! `SIGFPE`) go to a handler when one is installed and the signal is not blocked, with the
//! fault address in `si_addr`; otherwise they kill, as Linux's `force_sig_fault` does.

use frame::user::ExceptionKind;

/// Hangup.
pub const SIGHUP: u32 = 1;
/// Interrupt from the keyboard.
pub const SIGINT: u32 = 2;
/// Illegal instruction.
pub const SIGILL: u32 = 4;
/// Trace or breakpoint trap.
pub const SIGTRAP: u32 = 5;
/// Abort.
pub const SIGABRT: u32 = 6;
/// Bus error.
pub const SIGBUS: u32 = 7;
/// Floating-point exception.
pub const SIGFPE: u32 = 8;
/// Kill, which cannot be caught.
pub const SIGKILL: u32 = 9;
/// Invalid memory reference.
pub const SIGSEGV: u32 = 11;
/// Write to a pipe with no readers.
pub const SIGPIPE: u32 = 13;
/// Termination.
pub const SIGTERM: u32 = 15;
/// Child stopped or terminated.
pub const SIGCHLD: u32 = 17;

/// The signal and `si_code` Linux sends for a CPU exception in user mode.
pub fn for_exception(kind: ExceptionKind) -> (u32, i32) {
    use syscall_linux::abi::siginfo::{
        BUS_ADRALN, BUS_ADRERR, FPE_INTDIV, ILL_ILLOPC, SI_KERNEL, TRAP_BRKPT,
    };
    match kind {
        ExceptionKind::IllegalInstruction => (SIGILL, ILL_ILLOPC),
        ExceptionKind::DivideError => (SIGFPE, FPE_INTDIV),
        // x87/SSE exceptions: the precise FPE_* code would need the status word.
        ExceptionKind::FloatingPoint => (SIGFPE, 0),
        ExceptionKind::Breakpoint | ExceptionKind::Debug => (SIGTRAP, TRAP_BRKPT),
        ExceptionKind::Alignment => (SIGBUS, BUS_ADRALN),
        ExceptionKind::AccessFault => (SIGBUS, BUS_ADRERR),
        // A general-protection fault: Linux sends SIGSEGV with SI_KERNEL.
        ExceptionKind::Protection => (SIGSEGV, SI_KERNEL),
    }
}

/// Whether the default action of `sig` terminates the process (signal(7)); stop, continue and
/// ignore actions are not terminations.
pub fn default_terminates(sig: u32) -> bool {
    !matches!(sig, SIGCHLD | 18..=23 | 28)
}

/// `SA_ONSTACK`: run the handler on the alternate signal stack.
const SA_ONSTACK: u64 = 0x0800_0000;
/// `SA_RESTORER`: `restorer` returns from the handler (x86-64).
const SA_RESTORER: u64 = 0x0400_0000;
/// `SA_RESTART`: restart an interrupted system call after the handler.
const SA_RESTART: u64 = 0x1000_0000;
/// `SA_NODEFER`: do not block the signal inside its own handler.
const SA_NODEFER: u64 = 0x4000_0000;
/// `SA_RESETHAND`: back to the default action after one delivery.
const SA_RESETHAND: u64 = 0x8000_0000;

/// A `struct sigaction` as the kernel sees it (x86-64: handler, flags, restorer, mask;
/// riscv64 and the generic ABI: handler, flags, mask).
#[derive(Clone, Copy, Debug, Default)]
pub struct Action {
    /// Handler address (0 default, 1 ignore).
    pub handler: usize,
    /// `SA_*` flags.
    pub flags: u64,
    /// Return trampoline (x86-64 `SA_RESTORER`).
    pub restorer: usize,
    /// Signals blocked while the handler runs.
    pub mask: u64,
}

impl Action {
    /// Parses the raw bytes stored by rt_sigaction.
    pub fn parse(raw: &[u8]) -> Action {
        let word = |i: usize| {
            raw.get(i * 8..i * 8 + 8)
                .map_or(0, |b| u64::from_le_bytes(b.try_into().unwrap_or([0; 8])))
        };
        if cfg!(target_arch = "x86_64") {
            Action {
                handler: word(0) as usize,
                flags: word(1),
                restorer: word(2) as usize,
                mask: word(3),
            }
        } else {
            Action {
                handler: word(0) as usize,
                flags: word(1),
                restorer: 0,
                mask: word(2),
            }
        }
    }
}

use alloc::vec::Vec;
use core::sync::atomic::Ordering;

use frame::mm::vm::NoFilePages;
use syscall_linux::Errno;
use syscall_linux::abi::siginfo::SI_USER;

use crate::process::Kernel;
use crate::task::{SYSCALL_INSN_LEN, Scheduler, Task, Tid};

#[cfg_attr(target_arch = "x86_64", path = "arch/x86_64.rs")]
#[cfg_attr(target_arch = "riscv64", path = "arch/riscv64.rs")]
mod arch;

/// Where the riscv64 signal-return trampoline lives (the page above the stack; mapped at
/// exec). x86-64 programs bring their own (`SA_RESTORER`).
pub fn trampoline_address(user_end: usize) -> usize {
    user_end - frame::mm::PAGE_SIZE
}

/// `li a7, 139 (rt_sigreturn); ecall`.
pub const RISCV_TRAMPOLINE: [u8; 8] = [0x93, 0x08, 0xb0, 0x08, 0x73, 0x00, 0x00, 0x00];

/// `SS_ONSTACK`: the thread runs on its alternate signal stack.
pub const SS_ONSTACK: i32 = 1;
/// `SS_DISABLE`: no alternate signal stack.
pub const SS_DISABLE: i32 = 2;
/// `SS_AUTODISARM`: disable the alternate stack while a handler runs on it.
pub const SS_AUTODISARM: i32 = 1 << 31;
/// `MINSIGSTKSZ`: the smallest alternate stack sigaltstack(2) accepts.
pub const MINSIGSTKSZ: usize = 2048;

/// A thread's alternate signal stack (sigaltstack(2)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AltStack {
    /// Lowest address.
    pub sp: usize,
    /// Size in bytes.
    pub size: usize,
    /// `SS_DISABLE`, or 0 and possibly `SS_AUTODISARM`.
    pub flags: i32,
}

impl Default for AltStack {
    fn default() -> Self {
        AltStack {
            sp: 0,
            size: 0,
            flags: SS_DISABLE,
        }
    }
}

impl AltStack {
    /// Whether `sp` lies on the stack (so a nested signal must stay there).
    pub fn contains(&self, sp: usize) -> bool {
        self.flags & SS_DISABLE == 0 && sp > self.sp && sp - self.sp <= self.size
    }

    /// The `stack_t` that sigaltstack(2) and `uc_stack` show while the thread's stack pointer
    /// is `sp`.
    pub fn to_stack_t(&self, sp: usize) -> [u8; 24] {
        let mut flags = self.flags;
        if self.contains(sp) {
            flags |= SS_ONSTACK;
        }
        let mut out = [0u8; 24];
        out[0..8].copy_from_slice(&(self.sp as u64).to_le_bytes());
        out[8..12].copy_from_slice(&flags.to_le_bytes());
        out[16..24].copy_from_slice(&(self.size as u64).to_le_bytes());
        out
    }
}

/// The fault behind a synchronous signal, for its siginfo.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fault {
    /// The signal.
    pub sig: u32,
    /// `si_code` (`SEGV_MAPERR`, ...).
    pub code: i32,
    /// `si_addr`: the faulting address.
    pub address: usize,
}

/// What a frame saves besides the registers.
struct SavedContext {
    /// The signal mask to restore.
    mask: u64,
    /// `uc_stack`.
    stack: [u8; 24],
    /// The siginfo.
    info: [u8; 128],
    /// Where the handler returns to: the frame's `pretcode` (x86-64 only; riscv64 returns
    /// through `ra`).
    #[cfg_attr(target_arch = "riscv64", allow(dead_code))]
    restorer: usize,
    /// The fault address: `cr2` in the x86-64 sigcontext (riscv64 keeps it in siginfo only).
    #[cfg_attr(target_arch = "riscv64", allow(dead_code))]
    fault_address: usize,
}

/// A laid-out signal frame.
struct Frame {
    /// Its lowest address: the handler's stack pointer.
    base: usize,
    /// Its bytes, from `base`.
    bytes: Vec<u8>,
    /// Where the siginfo is.
    siginfo_at: usize,
    /// Where the ucontext is.
    ucontext_at: usize,
}

/// A siginfo for `sig` with `code`, and the fault address for faults.
fn siginfo(sig: u32, code: i32, address: usize) -> [u8; 128] {
    let mut info = [0u8; 128];
    info[0..4].copy_from_slice(&(sig as i32).to_le_bytes());
    info[8..12].copy_from_slice(&code.to_le_bytes());
    if address != 0 {
        info[16..24].copy_from_slice(&(address as u64).to_le_bytes());
    }
    info
}

/// A fault in task `tid`: its handler runs if one is installed and the signal is not blocked;
/// otherwise the process dies of it.
pub fn force_fault(kernel: &mut Kernel, sched: &mut Scheduler, tid: Tid, fault: Fault) {
    let Some(task) = sched.task_mut(tid) else {
        return;
    };
    let process = task.process.clone();
    let bit = 1u64 << (fault.sig - 1);
    let blocked = task.sigmask & bit != 0;
    if process.handler(fault.sig) <= 1 || blocked {
        let pid = process.pid;
        kernel.exit_process(sched, pid, fault.sig as i32);
        return;
    }
    task.fault = Some(fault);
    task.pending |= bit;
    deliver(kernel, sched, tid);
}

/// Delivers the lowest pending unblocked signal of task `tid`'s process: runs its handler on
/// a signal frame, or applies the default action. A system call the task was blocked in
/// returns `EINTR`, or restarts after the handler with `SA_RESTART`.
pub fn deliver(kernel: &mut Kernel, sched: &mut Scheduler, tid: Tid) {
    let Some(task) = sched.task_mut(tid) else {
        return;
    };
    let process = task.process.clone();
    let mask = task.sigmask;
    let deliverable = (task.pending | process.pending.load(Ordering::Relaxed)) & !mask;
    if deliverable == 0 {
        return;
    }
    // A pending fault goes first (it was raised by the instruction that would run next).
    let sig = match task.fault {
        Some(f) if deliverable & (1 << (f.sig - 1)) != 0 => f.sig,
        _ => deliverable.trailing_zeros() + 1,
    };
    // A signal for this thread goes before one for the whole process.
    let bit = 1u64 << (sig - 1);
    if task.pending & bit != 0 {
        task.pending &= !bit;
    } else {
        process.pending.fetch_and(!bit, Ordering::Relaxed);
    }
    let fault = task.fault.take_if(|f| f.sig == sig);
    let raw = process
        .sigactions
        .lock()
        .get(&sig)
        .cloned()
        .unwrap_or_default();
    let action = Action::parse(&raw);
    if action.handler == 0 {
        if default_terminates(sig) {
            let pid = process.pid;
            kernel.exit_process(sched, pid, sig as i32);
        }
        return;
    }
    if action.handler == 1 {
        return;
    }
    // rt_sigsuspend never restarts (it returns EINTR); other calls do with SA_RESTART.
    let suspended = task.saved_mask.is_some();
    if task.restarting {
        task.restarting = false;
        task.sleep_until = None;
        task.futex = None;
        if action.flags & SA_RESTART == 0 || suspended {
            let ip = task.ctx.instruction_pointer();
            task.ctx.set_instruction_pointer(ip + SYSCALL_INSN_LEN);
            task.ctx
                .set_syscall_return(-(Errno::EINTR as isize) as usize);
        }
    }
    let old_mask = task.saved_mask.take().unwrap_or(mask);
    let space = process.space();
    let restorer = if cfg!(target_arch = "x86_64") {
        action.restorer
    } else {
        trampoline_address(space.user_end())
    };
    let sp = task.ctx.stack_pointer();
    let alt = task.alt_stack;
    let top = if action.flags & SA_ONSTACK != 0 && alt.flags & SS_DISABLE == 0 && !alt.contains(sp)
    {
        alt.sp + alt.size
    } else {
        sp.wrapping_sub(arch::RED_ZONE)
    };
    let (code, address) = fault.map_or((SI_USER, 0), |f| (f.code, f.address));
    let saved = SavedContext {
        mask: old_mask,
        stack: alt.to_stack_t(sp),
        info: siginfo(sig, code, address),
        restorer,
        fault_address: address,
    };
    let frame = arch::build(&task.ctx, top, &saved);
    if (cfg!(target_arch = "x86_64") && action.flags & SA_RESTORER == 0)
        || space.write(frame.base, &frame.bytes, &NoFilePages).is_err()
    {
        // No way back from the handler, or no stack to run it on: Linux kills with SIGSEGV.
        let pid = process.pid;
        kernel.exit_process(sched, pid, SIGSEGV as i32);
        return;
    }
    arch::enter_handler(&mut task.ctx, action.handler, sig, &frame, restorer);
    if alt.flags & SS_AUTODISARM != 0 && top == alt.sp + alt.size {
        task.alt_stack = AltStack::default();
    }
    let mut new_mask = old_mask | action.mask;
    if action.flags & SA_NODEFER == 0 {
        new_mask |= 1 << (sig - 1);
    }
    task.sigmask = new_mask & !((1 << (SIGKILL - 1)) | (1 << 18));
    if action.flags & SA_RESETHAND != 0 {
        process.sigactions.lock().remove(&sig);
    }
}

/// rt_sigreturn: restores the registers, FPU state, mask and alternate stack saved by
/// [`deliver`]. `EFAULT` for a frame that cannot be read (the caller kills with `SIGSEGV`).
pub fn sigreturn(task: &mut Task) -> Result<(), Errno> {
    let process = task.process.clone();
    let base = arch::frame_at_sigreturn(task.ctx.stack_pointer());
    let (mask, stack) = arch::restore(&mut task.ctx, &process.space(), base)?;
    task.sigmask = mask & !((1 << (SIGKILL - 1)) | (1 << 18));
    // uc_stack is restored as sigaltstack(2) would set it; a bad one is ignored.
    let word = |at: usize| u64::from_le_bytes(stack[at..at + 8].try_into().unwrap_or([0; 8]));
    let flags = i32::from_le_bytes(stack[8..12].try_into().unwrap_or([0; 4])) & !SS_ONSTACK;
    if flags & !(SS_DISABLE | SS_AUTODISARM) == 0 {
        task.alt_stack = AltStack {
            sp: word(0) as usize,
            size: word(16) as usize,
            flags,
        };
    }
    Ok(())
}
