//! Signal numbers and the signals that CPU exceptions raise (see signal(7)).

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

/// The signal Linux sends for a CPU exception in user mode.
pub fn for_exception(kind: ExceptionKind) -> u32 {
    match kind {
        ExceptionKind::IllegalInstruction => SIGILL,
        ExceptionKind::DivideError | ExceptionKind::FloatingPoint => SIGFPE,
        ExceptionKind::Breakpoint | ExceptionKind::Debug => SIGTRAP,
        ExceptionKind::Alignment | ExceptionKind::AccessFault => SIGBUS,
        ExceptionKind::Protection => SIGSEGV,
    }
}

/// Whether the default action of `sig` terminates the process (signal(7)); stop, continue and
/// ignore actions are not terminations.
pub fn default_terminates(sig: u32) -> bool {
    !matches!(sig, SIGCHLD | 18..=23 | 28)
}

/// `SA_SIGINFO`: the handler takes (sig, siginfo, ucontext).
const SA_SIGINFO: u64 = 4;
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
use frame::user::UserRegs;

use crate::process::Kernel;
use crate::task::{SYSCALL_INSN_LEN, Scheduler, Tid};

/// Where the riscv64 signal-return trampoline lives (the page above the stack; mapped at
/// exec). x86-64 programs bring their own (`SA_RESTORER`).
pub fn trampoline_address(user_end: usize) -> usize {
    user_end - frame::mm::PAGE_SIZE
}

/// `li a7, 139 (rt_sigreturn); ecall`.
pub const RISCV_TRAMPOLINE: [u8; 8] = [0x93, 0x08, 0xb0, 0x08, 0x73, 0x00, 0x00, 0x00];

const REGS_SIZE: usize = core::mem::size_of::<UserRegs>();
/// Bytes of the frame below the saved registers: siginfo (128).
const SIGINFO_SIZE: usize = 128;

/// Delivers the lowest pending unblocked signal of task `tid`'s process: runs its handler on
/// a signal frame (the saved registers and mask, then a siginfo), or applies the default
/// action. A system call the task was blocked in returns `EINTR`, or restarts after the handler
/// with `SA_RESTART`.
pub fn deliver(kernel: &mut Kernel, sched: &mut Scheduler, tid: Tid) {
    let Some(task) = sched.task_mut(tid) else {
        return;
    };
    let process = task.process.clone();
    let mask = *process.sigmask.lock();
    let deliverable = process.pending.load(Ordering::Relaxed) & !mask;
    if deliverable == 0 {
        return;
    }
    let sig = deliverable.trailing_zeros() + 1;
    process
        .pending
        .fetch_and(!(1 << (sig - 1)), Ordering::Relaxed);
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
        if action.flags & SA_RESTART == 0 || suspended {
            let ip = task.ctx.instruction_pointer();
            task.ctx.set_instruction_pointer(ip + SYSCALL_INSN_LEN);
            task.ctx
                .set_syscall_return(-(syscall_linux::Errno::EINTR as isize) as usize);
        }
    }
    let old_mask = task.saved_mask.take().unwrap_or(mask);
    let space = process.space();
    // The frame: [return address][saved registers][old mask][siginfo], 16-byte aligned so that
    // the handler starts as if called.
    let regs = *task.ctx.regs();
    let sp = task.ctx.stack_pointer();
    let size = 8 + REGS_SIZE + 8 + SIGINFO_SIZE;
    // x86-64 handlers start as if called (rsp % 16 == 8, return address on top); riscv64
    // handlers start with a 16-byte aligned sp.
    let aligned = sp.saturating_sub(128 + size) & !15;
    let base = if cfg!(target_arch = "x86_64") {
        aligned - 8
    } else {
        aligned
    };
    let restorer = if cfg!(target_arch = "x86_64") {
        action.restorer
    } else {
        trampoline_address(space.user_end())
    };
    let mut frame_bytes = Vec::with_capacity(size);
    frame_bytes.extend_from_slice(&(restorer as u64).to_le_bytes());
    frame_bytes.extend_from_slice(regs_bytes(&regs).as_slice());
    frame_bytes.extend_from_slice(&old_mask.to_le_bytes());
    let mut siginfo = [0u8; SIGINFO_SIZE];
    siginfo[..4].copy_from_slice(&(sig as i32).to_le_bytes());
    frame_bytes.extend_from_slice(&siginfo);
    if (cfg!(target_arch = "x86_64") && action.flags & SA_RESTORER == 0)
        || space.write(base, &frame_bytes, &NoFilePages).is_err()
    {
        // No way back from the handler, or no stack to run it on: Linux kills with SIGSEGV.
        let pid = process.pid;
        kernel.exit_process(sched, pid, SIGSEGV as i32);
        return;
    }
    let siginfo_at = base + 8 + REGS_SIZE + 8;
    let ucontext_at = base + 8;
    let mut new_mask = old_mask | action.mask;
    if action.flags & SA_NODEFER == 0 {
        new_mask |= 1 << (sig - 1);
    }
    *process.sigmask.lock() = new_mask & !((1 << (SIGKILL - 1)) | (1 << 18));
    if action.flags & SA_RESETHAND != 0 {
        process.sigactions.lock().remove(&sig);
    }
    let Some(task) = sched.task_mut(tid) else {
        return;
    };
    let info = action.flags & SA_SIGINFO != 0;
    set_handler_regs(
        task.ctx.regs_mut(),
        action.handler,
        base,
        sig,
        info.then_some((siginfo_at, ucontext_at)),
        restorer,
    );
}

/// rt_sigreturn: restores the registers and mask saved by [`deliver`]; `sp` is the stack
/// pointer at the call (just above the popped return address on x86-64, the frame on riscv64).
pub fn sigreturn(
    process: &crate::process::Process,
    regs: &mut UserRegs,
    sp: usize,
) -> Result<(), syscall_linux::Errno> {
    let base = if cfg!(target_arch = "x86_64") {
        sp - 8
    } else {
        sp
    };
    let mut saved = [0u8; REGS_SIZE + 8];
    process
        .space()
        .read(base + 8, &mut saved, &NoFilePages)
        .map_err(|_| syscall_linux::Errno::EFAULT)?;
    *regs = regs_from_bytes(&saved[..REGS_SIZE]);
    let mask = u64::from_le_bytes(saved[REGS_SIZE..].try_into().unwrap_or([0; 8]));
    *process.sigmask.lock() = mask & !((1 << (SIGKILL - 1)) | (1 << 18));
    Ok(())
}

fn regs_bytes(regs: &UserRegs) -> Vec<u8> {
    regs_words(regs)
        .iter()
        .flat_map(|w| w.to_le_bytes())
        .collect()
}

fn regs_from_bytes(bytes: &[u8]) -> UserRegs {
    let words: Vec<u64> = bytes
        .chunks(8)
        .map(|c| u64::from_le_bytes(c.try_into().unwrap_or([0; 8])))
        .collect();
    regs_from_words(&words)
}

#[cfg(target_arch = "x86_64")]
fn regs_words(r: &UserRegs) -> [u64; 18] {
    [
        r.rax, r.rbx, r.rcx, r.rdx, r.rsi, r.rdi, r.rbp, r.rsp, r.r8, r.r9, r.r10, r.r11, r.r12,
        r.r13, r.r14, r.r15, r.rip, r.rflags,
    ]
}

#[cfg(target_arch = "x86_64")]
fn regs_from_words(w: &[u64]) -> UserRegs {
    let g = |i: usize| w.get(i).copied().unwrap_or(0);
    UserRegs {
        rax: g(0),
        rbx: g(1),
        rcx: g(2),
        rdx: g(3),
        rsi: g(4),
        rdi: g(5),
        rbp: g(6),
        rsp: g(7),
        r8: g(8),
        r9: g(9),
        r10: g(10),
        r11: g(11),
        r12: g(12),
        r13: g(13),
        r14: g(14),
        r15: g(15),
        rip: g(16),
        rflags: g(17),
    }
}

#[cfg(target_arch = "x86_64")]
fn set_handler_regs(
    r: &mut UserRegs,
    handler: usize,
    sp: usize,
    sig: u32,
    info: Option<(usize, usize)>,
    _ret: usize,
) {
    r.rip = handler as u64;
    r.rsp = sp as u64;
    r.rdi = u64::from(sig);
    let (si, uc) = info.unwrap_or((0, 0));
    r.rsi = si as u64;
    r.rdx = uc as u64;
    r.rax = 0;
}

#[cfg(target_arch = "riscv64")]
fn regs_words(r: &UserRegs) -> [u64; 32] {
    [
        r.ra, r.sp, r.gp, r.tp, r.t0, r.t1, r.t2, r.s0, r.s1, r.a0, r.a1, r.a2, r.a3, r.a4, r.a5,
        r.a6, r.a7, r.s2, r.s3, r.s4, r.s5, r.s6, r.s7, r.s8, r.s9, r.s10, r.s11, r.t3, r.t4, r.t5,
        r.t6, r.pc,
    ]
    .map(|v| v as u64)
}

#[cfg(target_arch = "riscv64")]
fn regs_from_words(w: &[u64]) -> UserRegs {
    let g = |i: usize| w.get(i).copied().unwrap_or(0) as usize;
    UserRegs {
        ra: g(0),
        sp: g(1),
        gp: g(2),
        tp: g(3),
        t0: g(4),
        t1: g(5),
        t2: g(6),
        s0: g(7),
        s1: g(8),
        a0: g(9),
        a1: g(10),
        a2: g(11),
        a3: g(12),
        a4: g(13),
        a5: g(14),
        a6: g(15),
        a7: g(16),
        s2: g(17),
        s3: g(18),
        s4: g(19),
        s5: g(20),
        s6: g(21),
        s7: g(22),
        s8: g(23),
        s9: g(24),
        s10: g(25),
        s11: g(26),
        t3: g(27),
        t4: g(28),
        t5: g(29),
        t6: g(30),
        pc: g(31),
    }
}

#[cfg(target_arch = "riscv64")]
fn set_handler_regs(
    r: &mut UserRegs,
    handler: usize,
    sp: usize,
    sig: u32,
    info: Option<(usize, usize)>,
    ret: usize,
) {
    r.pc = handler;
    // riscv64 frames have no return-address slot to pop: sp points at the frame itself.
    r.sp = sp;
    r.a0 = sig as usize;
    let (si, uc) = info.unwrap_or((0, 0));
    r.a1 = si;
    r.a2 = uc;
    r.ra = ret;
}
