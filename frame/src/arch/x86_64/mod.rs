//! x86-64 back end: PVH boot, per-CPU GDT/TSS and the IDT, the local APIC (per-CPU timer
//! tick, IPIs, AP start-up), the 8254 PIT as reference clock (8259 PICs masked), COM1 console,
//! ACPI MADT for the CPUs, the CMOS real-time clock, and `isa-debug-exit` for power-off.

mod acpi;
mod boot;
mod cpu;
mod io;
mod lapic;
pub(crate) mod mm;
mod pic;
mod rtc;
mod serial;
mod smp;
mod task;
mod trap;
mod tsc;
pub(crate) mod user;

use core::arch::asm;
use core::time::Duration;

pub(crate) use cpu::cpu_id;
pub(crate) use rtc::read_unix_seconds as read_rtc;
pub(crate) use serial::{read_byte as console_read_byte, write_byte as console_write_byte};
pub(crate) use smp::{send_ipi, start_secondary_cpus};
pub(crate) use task::TaskContext;

/// Architecture name, as in the target triple.
pub(crate) const NAME: &str = "x86_64";
/// Base of the linear map of physical memory (PML4 slot 256).
pub(crate) const PHYS_OFFSET: usize = 0xffff_8000_0000_0000;
/// The kernel image is linked at physical address + `KERNEL_VMA` (see the linker script).
pub(crate) const KERNEL_VMA: usize = 0xffff_ffff_8000_0000;
/// Size of the linear map set up by the boot stub.
pub(crate) const LINEAR_MAP_SIZE: usize = 4 << 30;

/// Returns whether local interrupts are enabled.
pub(crate) fn irq_enabled() -> bool {
    let flags: u64;
    // SAFETY: reads RFLAGS through the stack; no memory other than the pushed word is touched.
    unsafe { asm!("pushfq", "pop {}", out(reg) flags, options(nomem, preserves_flags)) };
    flags & (1 << 9) != 0
}

/// Enables local interrupts.
pub(crate) fn irq_enable() {
    // SAFETY: the IDT and the interrupt controllers are set up before frame calls this.
    unsafe { asm!("sti", options(nomem, nostack)) };
}

/// Disables local interrupts.
pub(crate) fn irq_disable() {
    // SAFETY: clearing IF has no memory effects.
    unsafe { asm!("cli", options(nomem, nostack)) };
}

/// Enables interrupts and halts until the next one.
pub(crate) fn wait_for_interrupt() {
    // SAFETY: `sti; hlt` is atomic with respect to interrupts (STI's shadow), so a pending
    // interrupt wakes the `hlt`; the handlers are installed.
    unsafe { asm!("sti", "hlt", options(nomem, nostack)) };
}

/// Time since boot (from the TSC).
pub(crate) fn uptime() -> Duration {
    tsc::uptime()
}

/// Programs the running CPU's timer to interrupt at `at` (uptime), or at once if it passed.
pub(crate) fn set_timer_at(at: Duration) {
    lapic::arm_timer(at.saturating_sub(uptime()));
}

/// Powers off through `isa-debug-exit` (iobase 0xf4): QEMU exits with `(code << 1) | 1`.
pub(crate) fn exit_qemu(code: u32) -> ! {
    // SAFETY: port 0xf4 is QEMU's debug-exit device; writing it ends the VM.
    unsafe { io::outl(0xf4, code) };
    loop {
        irq_disable();
        // SAFETY: halting with interrupts off only stops this CPU.
        unsafe { asm!("hlt", options(nomem, nostack)) };
    }
}

/// Loads a word from virtual address 0, which is never mapped: a deliberate kernel page fault.
pub(crate) fn load_from_null() -> u64 {
    let value: u64;
    // SAFETY: address 0 is not mapped (the boot identity map is dropped before this can run),
    // so the load faults and the trap handler reports it and powers off; the asm is opaque
    // to the compiler, so no Rust-level null dereference exists.
    unsafe { asm!("mov {}, qword ptr [0]", out(reg) value, options(nostack, readonly)) };
    value
}

/// Stores the word at `va` back to itself: a deliberate write to the kernel's read-only data,
/// which must fault (for the fault-report self-test).
pub(crate) fn rewrite_word(va: &u64) {
    // SAFETY: storing the value already there changes nothing even if the page were writable;
    // the asm is opaque to the compiler, so no Rust-level write to immutable data exists.
    unsafe {
        asm!("mov {t}, qword ptr [{a}]", "mov qword ptr [{a}], {t}", a = in(reg) va, t = out(reg) _,
             options(nostack))
    };
}
