//! The per-CPU block, found through the GS base: `gs:[0]` is the CPU's index, and the user
//! entry paths keep their stack pointers and the active user context in the next words.

use core::arch::asm;
use core::sync::atomic::{AtomicUsize, Ordering};

use crate::cpu::MAX_CPUS;

const IA32_GS_BASE: u32 = 0xc000_0101;

/// One CPU's block. The layout is shared with `user.S` (offsets 0, 8, 16, 24).
#[repr(C)]
pub(super) struct PerCpu {
    /// The CPU's index.
    pub(super) id: AtomicUsize,
    /// Kernel stack pointer saved by `enter_user`, where user traps return to.
    pub(super) kernel_rsp: AtomicUsize,
    /// Scratch: the user stack pointer at `syscall`.
    pub(super) user_rsp: AtomicUsize,
    /// The `UserRegs` being run, while in user mode.
    pub(super) user_regs: AtomicUsize,
}

static PER_CPU: [PerCpu; MAX_CPUS] = [const {
    PerCpu {
        id: AtomicUsize::new(0),
        kernel_rsp: AtomicUsize::new(0),
        user_rsp: AtomicUsize::new(0),
        user_regs: AtomicUsize::new(0),
    }
}; MAX_CPUS];

/// Points this CPU's GS base at its block.
pub(super) fn init(cpu: usize) {
    PER_CPU[cpu].id.store(cpu, Ordering::Relaxed);
    let addr = &PER_CPU[cpu] as *const PerCpu as u64;
    // SAFETY: writes IA32_GS_BASE, which only the per-CPU accessors read; the target is a
    // static that lives forever.
    unsafe {
        asm!("wrmsr", in("ecx") IA32_GS_BASE, in("eax") addr as u32, in("edx") (addr >> 32) as u32,
             options(nomem, nostack))
    };
}

/// The running CPU's block.
pub(super) fn this_cpu() -> &'static PerCpu {
    &PER_CPU[cpu_id()]
}

/// The running CPU's index.
pub(crate) fn cpu_id() -> usize {
    let id: usize;
    // SAFETY: GS base points at this CPU's block since `init`, which runs before any code that
    // can call this; in user mode GS is swapped, but kernel code never runs there.
    unsafe {
        asm!("mov {}, qword ptr gs:[0]", out(reg) id, options(nostack, readonly, preserves_flags))
    };
    id
}
