//! User mode on riscv64: entering with `sret`, coming back through `stvec` (see `user.S` and
//! `trap.S`), and the floating-point state, saved and restored around each run because kernel
//! code may use the FP registers too.

use core::arch::{asm, global_asm};
use core::sync::atomic::Ordering;

use super::cpu::{PerCpu, this_cpu};
use crate::mm::vm::Access;
use crate::user::{ExceptionKind, UserExit};

global_asm!(include_str!("user.S"));

const EXIT_SYSCALL: usize = 1;
const EXIT_INTERRUPT: usize = 2;
const EXIT_EXCEPTION: usize = 3;
const INTERRUPT: usize = 1 << 63;
const SSTATUS_FS_INITIAL: usize = 1 << 13;
const SSTATUS_FS_CLEAN: usize = 2 << 13;
const SSTATUS_FS_MASK: usize = 3 << 13;

unsafe extern "C" {
    fn __frame_riscv64_enter_user(ctx: *mut ArchUserContext, cpu: *const PerCpu) -> usize;
}

/// The general registers of a user context (layout shared with `user.S` and `trap.S`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
#[allow(missing_docs)]
pub struct UserRegs {
    pub ra: usize,
    pub sp: usize,
    pub gp: usize,
    pub tp: usize,
    pub t0: usize,
    pub t1: usize,
    pub t2: usize,
    pub s0: usize,
    pub s1: usize,
    pub a0: usize,
    pub a1: usize,
    pub a2: usize,
    pub a3: usize,
    pub a4: usize,
    pub a5: usize,
    pub a6: usize,
    pub a7: usize,
    pub s2: usize,
    pub s3: usize,
    pub s4: usize,
    pub s5: usize,
    pub s6: usize,
    pub s7: usize,
    pub s8: usize,
    pub s9: usize,
    pub s10: usize,
    pub s11: usize,
    pub t3: usize,
    pub t4: usize,
    pub t5: usize,
    pub t6: usize,
    pub pc: usize,
}

#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
struct TrapInfo {
    cause: usize,
    value: usize,
}

/// The architecture part of a user context; `regs` must come first (see `user.S`).
#[repr(C)]
#[derive(Clone)]
pub(crate) struct ArchUserContext {
    pub(crate) regs: UserRegs,
    trap: TrapInfo,
    /// f0..f31, then fcsr.
    fpu: [u64; 33],
}

/// Lets user mode (and the kernel) use the FPU.
pub(super) fn init() {
    // SAFETY: setting sstatus.FS to Initial only enables the FP registers.
    unsafe { asm!("csrs sstatus, {}", in(reg) SSTATUS_FS_INITIAL, options(nomem, nostack)) };
}

impl ArchUserContext {
    pub(crate) fn new() -> Self {
        Self {
            regs: UserRegs::default(),
            trap: TrapInfo::default(),
            fpu: [0; 33],
        }
    }

    pub(crate) fn tls(&self) -> usize {
        self.regs.tp
    }

    /// f0..f31 then fcsr, 8 bytes each.
    pub(crate) fn fpu_state(&self) -> alloc::vec::Vec<u8> {
        self.fpu.iter().flat_map(|w| w.to_le_bytes()).collect()
    }

    /// Loads f0..f31 then fcsr, 8 bytes each (a shorter slice leaves the rest as it was).
    pub(crate) fn set_fpu_state(&mut self, bytes: &[u8]) {
        for (word, chunk) in self.fpu.iter_mut().zip(bytes.chunks_exact(8)) {
            *word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        }
    }
    pub(crate) fn set_tls(&mut self, tls: usize) {
        self.regs.tp = tls;
    }
    pub(crate) fn instruction_pointer(&self) -> usize {
        self.regs.pc
    }
    pub(crate) fn set_instruction_pointer(&mut self, ip: usize) {
        self.regs.pc = ip;
    }
    pub(crate) fn stack_pointer(&self) -> usize {
        self.regs.sp
    }
    pub(crate) fn set_stack_pointer(&mut self, sp: usize) {
        self.regs.sp = sp;
    }
    /// System call number and arguments in the Linux riscv64 ABI.
    pub(crate) fn syscall(&self) -> (usize, [usize; 6]) {
        let r = &self.regs;
        (r.a7, [r.a0, r.a1, r.a2, r.a3, r.a4, r.a5])
    }
    pub(crate) fn set_syscall_return(&mut self, value: usize) {
        self.regs.a0 = value;
    }

    /// Runs in user mode until the next trap. Interrupts must be disabled.
    pub(crate) fn run(&mut self) -> UserExit {
        // `enter_user` saves and restores every callee-saved register (and gp, tp), returns on
        // this stack, and writes only `*self` (through the per-CPU pointer) while `&mut self`
        // is held. The FP registers are loaded from `self.fpu` (33 u64s), and saved back only
        // if user mode wrote them: sstatus.FS is set to Clean after the load, and the hardware
        // makes it Dirty on the first FP write.
        // SAFETY: the asm and the entry follow the contract above.
        let code = unsafe {
            asm!(
                ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31",
                "fld f\\n, \\n * 8({fpu})",
                ".endr",
                "ld {tmp}, 256({fpu})",
                "fscsr {tmp}",
                "li {tmp}, {fs_mask}",
                "csrc sstatus, {tmp}",
                "li {tmp}, {fs_clean}",
                "csrs sstatus, {tmp}",
                fpu = in(reg) self.fpu.as_ptr(),
                tmp = out(reg) _,
                fs_mask = const SSTATUS_FS_MASK,
                fs_clean = const SSTATUS_FS_CLEAN,
                options(nostack, readonly),
            );
            let code = __frame_riscv64_enter_user(self, this_cpu());
            let sstatus: usize;
            asm!("csrr {}, sstatus", out(reg) sstatus, options(nomem, nostack));
            if sstatus & SSTATUS_FS_MASK != SSTATUS_FS_MASK {
                return self.exit_code(code);
            }
            asm!(
                ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31",
                "fsd f\\n, \\n * 8({fpu})",
                ".endr",
                "frcsr {tmp}",
                "sd {tmp}, 256({fpu})",
                fpu = in(reg) self.fpu.as_mut_ptr(),
                tmp = out(reg) _,
                options(nostack),
            );
            code
        };
        self.exit_code(code)
    }

    fn exit_code(&self, code: usize) -> UserExit {
        match code {
            EXIT_SYSCALL => UserExit::Syscall,
            EXIT_INTERRUPT => UserExit::Interrupt,
            _ => self.exception(),
        }
    }

    fn exception(&self) -> UserExit {
        let (cause, value) = (self.trap.cause, self.trap.value);
        let fault = |access| UserExit::PageFault {
            address: value,
            access,
        };
        let kind = match cause {
            12 => return fault(Access::Exec),
            13 => return fault(Access::Read),
            15 => return fault(Access::Write),
            2 => ExceptionKind::IllegalInstruction,
            3 => ExceptionKind::Breakpoint,
            0 | 4 | 6 => ExceptionKind::Alignment,
            1 | 5 | 7 => ExceptionKind::AccessFault,
            _ => ExceptionKind::Protection,
        };
        UserExit::Exception {
            kind,
            address: self.regs.pc,
            code: cause,
        }
    }
}

/// Traps from user mode, after `trap.S` saved the registers into the running context.
#[unsafe(no_mangle)]
extern "C" fn __frame_riscv64_user_trap() -> usize {
    let ctx = this_cpu().user_ctx.load(Ordering::Relaxed) as *mut ArchUserContext;
    // SAFETY: `enter_user` recorded the `&mut ArchUserContext` that `run` holds for as long as
    // user mode runs; nothing else touches it until this handler returns to `run`.
    let ctx = unsafe { &mut *ctx };
    let (cause, value): (usize, usize);
    // SAFETY: reading trap CSRs has no side effects.
    unsafe {
        asm!("csrr {}, scause", "csrr {}, stval", out(reg) cause, out(reg) value, options(nomem, nostack))
    };
    if cause & INTERRUPT != 0 {
        super::trap::handle_interrupt(cause & !INTERRUPT);
        return EXIT_INTERRUPT;
    }
    if cause == 8 {
        ctx.regs.pc += 4; // past the ecall
        return EXIT_SYSCALL;
    }
    ctx.trap = TrapInfo { cause, value };
    EXIT_EXCEPTION
}
