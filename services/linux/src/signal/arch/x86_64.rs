//! The x86-64 signal frame, as Linux builds it (`arch/x86/kernel/signal_64.c`):
//!
//! ```text
//! rsp ->  pretcode            the SA_RESTORER address the handler returns to
//!         struct ucontext     uc_flags, uc_link, uc_stack, uc_mcontext (sigcontext), uc_sigmask
//!         struct siginfo      128 bytes
//!         ...                 padding
//!         fxsave image        512 bytes, 64-byte aligned; uc_mcontext.fpstate points here
//! ```
//!
//! The handler starts with `rsp % 16 == 8`, as if called; `ret` pops `pretcode`, which calls
//! rt_sigreturn with `rsp` just above it.

use alloc::vec;
use alloc::vec::Vec;

use frame::mm::vm::{NoFilePages, UserSpace};
use frame::user::{UserContext, UserRegs};
use syscall_linux::Errno;

use super::{Frame, SavedContext};

/// Bytes below the stack pointer that the ABI lets leaf functions use.
pub(in crate::signal) const RED_ZONE: usize = 128;

const FXSAVE_SIZE: usize = 512;
/// `struct ucontext`: flags, link, stack (24), sigcontext (256), sigmask (8).
const UCONTEXT_SIZE: usize = 8 + 8 + 24 + 256 + 8;
/// `pretcode`, `ucontext`, `siginfo`.
const FRAME_SIZE: usize = 8 + UCONTEXT_SIZE + 128;
const UC_STACK: usize = 16;
const UC_MCONTEXT: usize = 40;
const UC_SIGMASK: usize = UC_MCONTEXT + 256;
/// `UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS`, as Linux sets on 64-bit frames.
const UC_FLAGS: u64 = 0x6;
/// The flags sigreturn may change (Linux's `FIX_EFLAGS`: AC OF DF TF SF ZF AF PF CF RF).
const FIX_EFLAGS: u64 = 0x50dd5;
/// The user code and stack selectors (see frame's GDT).
const USER_CS: u16 = 0x23;
const USER_SS: u16 = 0x1b;

/// The general registers in `struct sigcontext` order: r8..r15, rdi, rsi, rbp, rbx, rdx, rax,
/// rcx, rsp, rip, eflags.
fn sigcontext_words(r: &UserRegs) -> [u64; 18] {
    [
        r.r8, r.r9, r.r10, r.r11, r.r12, r.r13, r.r14, r.r15, r.rdi, r.rsi, r.rbp, r.rbx, r.rdx,
        r.rax, r.rcx, r.rsp, r.rip, r.rflags,
    ]
}

/// Lays out a frame for a handler whose stack ends at `top`.
pub(in crate::signal) fn build(ctx: &UserContext, top: usize, saved: &SavedContext) -> Frame {
    let fp_at = (top - FXSAVE_SIZE) & !63;
    let base = ((fp_at - FRAME_SIZE) & !15) - 8;
    let mut bytes = vec![0u8; fp_at + FXSAVE_SIZE - base];
    let mut put = |at: usize, data: &[u8]| bytes[at..at + data.len()].copy_from_slice(data);
    put(0, &(saved.restorer as u64).to_le_bytes());
    let uc = 8;
    put(uc, &UC_FLAGS.to_le_bytes());
    put(uc + UC_STACK, &saved.stack);
    let mc = uc + UC_MCONTEXT;
    for (i, word) in sigcontext_words(ctx.regs()).iter().enumerate() {
        put(mc + i * 8, &word.to_le_bytes());
    }
    put(mc + 144, &USER_CS.to_le_bytes());
    put(mc + 150, &USER_SS.to_le_bytes());
    // err, trapno, oldmask, cr2 (the fault address for SIGSEGV and SIGBUS).
    put(mc + 168, &saved.mask.to_le_bytes());
    put(mc + 176, &(saved.fault_address as u64).to_le_bytes());
    put(mc + 184, &(fp_at as u64).to_le_bytes());
    put(uc + UC_SIGMASK, &saved.mask.to_le_bytes());
    put(8 + UCONTEXT_SIZE, &saved.info);
    let mut fpu = ctx.fpu_state();
    // The software-reserved bytes tell Linux's sigreturn about xsave; a plain fxsave image
    // leaves them zero.
    fpu[464..].fill(0);
    put(fp_at - base, &fpu);
    Frame {
        base,
        bytes,
        siginfo_at: base + 8 + UCONTEXT_SIZE,
        ucontext_at: base + 8,
    }
}

/// Points the registers at `handler(sig, siginfo, ucontext)` on `frame`.
pub(in crate::signal) fn enter_handler(
    ctx: &mut UserContext,
    handler: usize,
    sig: u32,
    frame: &Frame,
    _restorer: usize,
) {
    let r = ctx.regs_mut();
    r.rip = handler as u64;
    r.rsp = frame.base as u64;
    r.rdi = u64::from(sig);
    r.rsi = frame.siginfo_at as u64;
    r.rdx = frame.ucontext_at as u64;
    r.rax = 0;
    // The handler starts with the direction flag clear (the ABI), and not single-stepping.
    r.rflags &= !(0x400 | 0x100);
}

/// Where the frame starts when rt_sigreturn runs with stack pointer `sp` (`pretcode` popped).
pub(in crate::signal) fn frame_at_sigreturn(sp: usize) -> usize {
    sp.wrapping_sub(8)
}

/// Restores the registers saved in the frame at `base`; returns the saved signal mask and
/// `uc_stack`.
pub(in crate::signal) fn restore(
    ctx: &mut UserContext,
    space: &UserSpace,
    base: usize,
) -> Result<(u64, [u8; 24]), Errno> {
    let mut raw = [0u8; FRAME_SIZE];
    space
        .read(base, &mut raw, &NoFilePages)
        .map_err(|_| Errno::EFAULT)?;
    let word = |at: usize| u64::from_le_bytes(raw[at..at + 8].try_into().unwrap_or([0; 8]));
    let mc = 8 + UC_MCONTEXT;
    let w: Vec<u64> = (0..18).map(|i| word(mc + i * 8)).collect();
    let fpstate = word(mc + 184) as usize;
    if fpstate != 0 {
        let mut fpu = [0u8; FXSAVE_SIZE];
        space
            .read(fpstate, &mut fpu, &NoFilePages)
            .map_err(|_| Errno::EFAULT)?;
        ctx.set_fpu_state(&fpu);
    }
    let r = ctx.regs_mut();
    let flags = (r.rflags & !FIX_EFLAGS) | (w[17] & FIX_EFLAGS);
    *r = UserRegs {
        r8: w[0],
        r9: w[1],
        r10: w[2],
        r11: w[3],
        r12: w[4],
        r13: w[5],
        r14: w[6],
        r15: w[7],
        rdi: w[8],
        rsi: w[9],
        rbp: w[10],
        rbx: w[11],
        rdx: w[12],
        rax: w[13],
        rcx: w[14],
        rsp: w[15],
        rip: w[16],
        rflags: flags,
    };
    let mask = word(8 + UC_SIGMASK);
    let mut stack = [0u8; 24];
    stack.copy_from_slice(&raw[8 + UC_STACK..8 + UC_STACK + 24]);
    Ok((mask, stack))
}
