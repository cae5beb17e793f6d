//! CPU identity through the GS base: `gs:[0]` holds the running CPU's index.

use core::arch::asm;

use crate::cpu::MAX_CPUS;

const IA32_GS_BASE: u32 = 0xc000_0101;

/// `CPU_INDEX[i] == i`; CPU `i` points its GS base at `CPU_INDEX[i]`.
static CPU_INDEX: [usize; MAX_CPUS] = {
    let mut ids = [0; MAX_CPUS];
    let mut i = 0;
    while i < MAX_CPUS {
        ids[i] = i;
        i += 1;
    }
    ids
};

/// Points this CPU's GS base at its index slot.
pub(super) fn init(cpu: usize) {
    let addr = &CPU_INDEX[cpu] as *const usize as u64;
    // SAFETY: writes IA32_GS_BASE, which only `cpu_id` reads; the target is a static that
    // lives forever.
    unsafe {
        asm!("wrmsr", in("ecx") IA32_GS_BASE, in("eax") addr as u32, in("edx") (addr >> 32) as u32,
             options(nomem, nostack))
    };
}

/// The running CPU's index.
pub(crate) fn cpu_id() -> usize {
    let id: usize;
    // SAFETY: GS base points at this CPU's `CPU_INDEX` slot since `init`, which runs before
    // any code that can call this.
    unsafe {
        asm!("mov {}, qword ptr gs:[0]", out(reg) id, options(nostack, readonly, preserves_flags))
    };
    id
}
