//! The riscv64 signal frame, as Linux builds it (`arch/riscv/kernel/signal.c`):
//!
//! ```text
//! sp ->   struct siginfo      128 bytes
//!         struct ucontext     uc_flags, uc_link, uc_stack, uc_sigmask (+120 unused bytes),
//!                             uc_mcontext at offset 176: the registers (pc, then x1..x31),
//!                             then f0..f31 and fcsr (`__riscv_d_ext_state` in a 528-byte union)
//! ```
//!
//! The handler returns through `ra`, set to the signal-return trampoline; rt_sigreturn runs
//! with `sp` back at the frame.

use alloc::vec;

use frame::mm::vm::{NoFilePages, UserSpace};
use frame::user::{UserContext, UserRegs};
use syscall_linux::Errno;

use super::{Frame, SavedContext};

/// riscv64 has no red zone.
pub(in crate::signal) const RED_ZONE: usize = 0;

const SIGINFO_SIZE: usize = 128;
const UC_STACK: usize = 16;
const UC_SIGMASK: usize = 40;
const UC_MCONTEXT: usize = 176;
/// `user_regs_struct` (32 words) and the FP union (528 bytes).
const UCONTEXT_SIZE: usize = UC_MCONTEXT + 256 + 528;
const FRAME_SIZE: usize = SIGINFO_SIZE + UCONTEXT_SIZE;

/// The registers in `struct user_regs_struct` order: pc, then x1 (ra) to x31 (t6).
fn user_regs_words(r: &UserRegs) -> [usize; 32] {
    [
        r.pc, r.ra, r.sp, r.gp, r.tp, r.t0, r.t1, r.t2, r.s0, r.s1, r.a0, r.a1, r.a2, r.a3, r.a4,
        r.a5, r.a6, r.a7, r.s2, r.s3, r.s4, r.s5, r.s6, r.s7, r.s8, r.s9, r.s10, r.s11, r.t3, r.t4,
        r.t5, r.t6,
    ]
}

/// Lays out a frame for a handler whose stack ends at `top`.
pub(in crate::signal) fn build(ctx: &UserContext, top: usize, saved: &SavedContext) -> Frame {
    let base = (top - FRAME_SIZE) & !15;
    let mut bytes = vec![0u8; FRAME_SIZE];
    let mut put = |at: usize, data: &[u8]| bytes[at..at + data.len()].copy_from_slice(data);
    put(0, &saved.info);
    let uc = SIGINFO_SIZE;
    put(uc + UC_STACK, &saved.stack);
    put(uc + UC_SIGMASK, &saved.mask.to_le_bytes());
    let mc = uc + UC_MCONTEXT;
    for (i, word) in user_regs_words(ctx.regs()).iter().enumerate() {
        put(mc + i * 8, &(*word as u64).to_le_bytes());
    }
    // f0..f31 (8 bytes each), then fcsr as a 32-bit word.
    let fpu = ctx.fpu_state();
    put(mc + 256, &fpu[..256]);
    put(mc + 512, &fpu[256..260]);
    Frame {
        base,
        bytes,
        siginfo_at: base,
        ucontext_at: base + uc,
    }
}

/// Points the registers at `handler(sig, siginfo, ucontext)` on `frame`, returning to the
/// trampoline at `restorer`.
pub(in crate::signal) fn enter_handler(
    ctx: &mut UserContext,
    handler: usize,
    sig: u32,
    frame: &Frame,
    restorer: usize,
) {
    let r = ctx.regs_mut();
    r.pc = handler;
    r.sp = frame.base;
    r.a0 = sig as usize;
    r.a1 = frame.siginfo_at;
    r.a2 = frame.ucontext_at;
    r.ra = restorer;
}

/// Where the frame starts when rt_sigreturn runs with stack pointer `sp`.
pub(in crate::signal) fn frame_at_sigreturn(sp: usize) -> usize {
    sp
}

/// Restores the registers saved in the frame at `base`; returns the saved signal mask and
/// `uc_stack`.
pub(in crate::signal) fn restore(
    ctx: &mut UserContext,
    space: &UserSpace,
    base: usize,
) -> Result<(u64, [u8; 24]), Errno> {
    let mut raw = vec![0u8; FRAME_SIZE];
    space
        .read(base, &mut raw, &NoFilePages)
        .map_err(|_| Errno::EFAULT)?;
    let uc = SIGINFO_SIZE;
    let mc = uc + UC_MCONTEXT;
    let word = |at: usize| u64::from_le_bytes(raw[at..at + 8].try_into().unwrap_or([0; 8]));
    let w: [usize; 32] = core::array::from_fn(|i| word(mc + i * 8) as usize);
    let mut fpu = [0u8; 33 * 8];
    fpu[..256].copy_from_slice(&raw[mc + 256..mc + 512]);
    fpu[256..260].copy_from_slice(&raw[mc + 512..mc + 516]);
    ctx.set_fpu_state(&fpu);
    *ctx.regs_mut() = UserRegs {
        pc: w[0],
        ra: w[1],
        sp: w[2],
        gp: w[3],
        tp: w[4],
        t0: w[5],
        t1: w[6],
        t2: w[7],
        s0: w[8],
        s1: w[9],
        a0: w[10],
        a1: w[11],
        a2: w[12],
        a3: w[13],
        a4: w[14],
        a5: w[15],
        a6: w[16],
        a7: w[17],
        s2: w[18],
        s3: w[19],
        s4: w[20],
        s5: w[21],
        s6: w[22],
        s7: w[23],
        s8: w[24],
        s9: w[25],
        s10: w[26],
        s11: w[27],
        t3: w[28],
        t4: w[29],
        t5: w[30],
        t6: w[31],
    };
    let mask = word(uc + UC_SIGMASK);
    let mut stack = [0u8; 24];
    stack.copy_from_slice(&raw[uc + UC_STACK..uc + UC_STACK + 24]);
    Ok((mask, stack))
}
