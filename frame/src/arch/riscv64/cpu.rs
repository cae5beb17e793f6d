//! The per-CPU block. In the kernel `tp` holds the CPU's index; while a CPU runs user code,
//! `sscratch` points at its block (and is zero in the kernel), which is how the trap entry
//! tells user traps from kernel traps and finds the kernel stack.

use core::sync::atomic::AtomicUsize;

use crate::cpu::MAX_CPUS;

/// One CPU's block. The layout is shared with `trap.S` and `user.S` (offsets 0, 8, 16, 24).
#[repr(C)]
pub(super) struct PerCpu {
    /// The CPU's index (reloaded into `tp` on a trap from user mode).
    pub(super) id: AtomicUsize,
    /// Kernel stack pointer saved by `enter_user`.
    pub(super) kernel_sp: AtomicUsize,
    /// Scratch word for the trap entry.
    pub(super) scratch: AtomicUsize,
    /// The `ArchUserContext` being run, while in user mode.
    pub(super) user_ctx: AtomicUsize,
}

static PER_CPU: [PerCpu; MAX_CPUS] = [const {
    PerCpu {
        id: AtomicUsize::new(0),
        kernel_sp: AtomicUsize::new(0),
        scratch: AtomicUsize::new(0),
        user_ctx: AtomicUsize::new(0),
    }
}; MAX_CPUS];

/// Records CPU `cpu`'s index in its block.
pub(super) fn init(cpu: usize) {
    PER_CPU[cpu]
        .id
        .store(cpu, core::sync::atomic::Ordering::Relaxed);
}

/// The running CPU's block.
pub(super) fn this_cpu() -> &'static PerCpu {
    &PER_CPU[super::cpu_id()]
}
