//! riscv64 back end: OpenSBI entry, Sv39 boot mapping, device-tree boot information, the
//! `stvec` trap path, the SBI timer, an NS16550A console, and the virt test device for power-off.

mod boot;
mod cpu;
pub(crate) mod mm;
mod sbi;
mod serial;
mod smp;
mod task;
mod trap;
pub(crate) mod user;

use core::arch::asm;
use core::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use core::time::Duration;

pub(crate) use serial::{read_byte as console_read_byte, write_byte as console_write_byte};
pub(crate) use smp::{send_ipi, start_secondary_cpus};
pub(crate) use task::TaskContext;

/// Architecture name, as in the target triple.
pub(crate) const NAME: &str = "riscv64";
/// Base of the linear map of physical memory (root page-table slot 256).
pub(crate) const PHYS_OFFSET: usize = 0xffff_ffc0_0000_0000;
/// The kernel image is linked at physical address + `KERNEL_VMA` (see the linker script).
pub(crate) const KERNEL_VMA: usize = 0xffff_ffff_4000_0000;
/// Size of the linear map set up by the boot stub.
pub(crate) const LINEAR_MAP_SIZE: usize = 64 << 30;

const SSTATUS_SIE: usize = 1 << 1;

/// Timebase (ticks of the `time` CSR per second), from the device tree.
static TIMEBASE_HZ: AtomicU64 = AtomicU64::new(10_000_000);
/// `time` at boot.
static BOOT_TIME: AtomicU64 = AtomicU64::new(0);
/// Physical address of the sifive,test0 power-off device.
static TEST_DEVICE: AtomicUsize = AtomicUsize::new(0x10_0000);
/// Physical address of the google,goldfish-rtc real-time clock (0: none).
static RTC_DEVICE: AtomicUsize = AtomicUsize::new(0);

/// Returns whether local interrupts are enabled.
pub(crate) fn irq_enabled() -> bool {
    let sstatus: usize;
    // SAFETY: reading sstatus has no side effects.
    unsafe { asm!("csrr {}, sstatus", out(reg) sstatus, options(nomem, nostack)) };
    sstatus & SSTATUS_SIE != 0
}

/// Enables local interrupts.
pub(crate) fn irq_enable() {
    // SAFETY: stvec is set before frame calls this.
    unsafe { asm!("csrs sstatus, {}", in(reg) SSTATUS_SIE, options(nomem, nostack)) };
}

/// Disables local interrupts.
pub(crate) fn irq_disable() {
    // SAFETY: clearing SIE has no memory effects.
    unsafe { asm!("csrc sstatus, {}", in(reg) SSTATUS_SIE, options(nomem, nostack)) };
}

/// Enables interrupts and waits for the next one.
pub(crate) fn wait_for_interrupt() {
    // SAFETY: `wfi` wakes on a pending enabled interrupt even with SIE clear, so enabling
    // after it still takes the interrupt; no memory effects.
    unsafe { asm!("wfi", options(nomem, nostack)) };
    irq_enable();
}

/// The running CPU's index, kept in `tp` (kernel code never uses `tp` otherwise).
pub(crate) fn cpu_id() -> usize {
    let id: usize;
    // SAFETY: reads a register.
    unsafe { asm!("mv {}, tp", out(reg) id, options(nomem, nostack, preserves_flags)) };
    id
}

fn time() -> u64 {
    let t: u64;
    // SAFETY: reading the time CSR has no side effects.
    unsafe { asm!("csrr {}, time", out(reg) t, options(nomem, nostack)) };
    t
}

/// Time since boot.
pub(crate) fn uptime() -> Duration {
    let ticks = time() - BOOT_TIME.load(Ordering::Relaxed);
    let hz = TIMEBASE_HZ.load(Ordering::Relaxed);
    Duration::from_secs(ticks / hz) + Duration::from_nanos((ticks % hz) * 1_000_000_000 / hz)
}

/// Programs the running hart's timer (through SBI) to interrupt at `at` (uptime), or at once
/// if it passed; this also clears a pending timer interrupt.
pub(crate) fn set_timer_at(at: Duration) {
    let hz = u128::from(TIMEBASE_HZ.load(Ordering::Relaxed));
    let ticks = at.as_nanos() * hz / 1_000_000_000;
    let ticks = u64::try_from(ticks).unwrap_or(u64::MAX);
    sbi::set_timer(BOOT_TIME.load(Ordering::Relaxed).saturating_add(ticks));
}

/// Seconds since the Unix epoch from the goldfish real-time clock, if the device tree has one.
pub(crate) fn read_rtc() -> Option<u64> {
    let pa = RTC_DEVICE.load(Ordering::Relaxed);
    if pa == 0 {
        return None;
    }
    let base = crate::mm::phys_to_virt(pa);
    // SAFETY: `base` maps the goldfish RTC named by the device tree, in the linear map.
    // Reading TIME_LOW (offset 0) latches the high half, which TIME_HIGH (offset 4) returns;
    // the reads have no other effect and the device does no DMA.
    let nanos = unsafe {
        let low = (base as *const u32).read_volatile();
        let high = ((base + 4) as *const u32).read_volatile();
        (u64::from(high) << 32) | u64::from(low)
    };
    Some(nanos / 1_000_000_000)
}

/// Powers off through the virt test device: 0x5555 passes (QEMU exits 0), otherwise
/// `(code << 16) | 0x3333` makes QEMU exit with `code`.
pub(crate) fn exit_qemu(code: u32) -> ! {
    let value = if code == 0 {
        0x5555
    } else {
        (code << 16) | 0x3333
    };
    let addr = crate::mm::phys_to_virt(TEST_DEVICE.load(Ordering::Relaxed));
    // SAFETY: `addr` is the sifive,test0 MMIO register in the linear map (from the device
    // tree); writing it ends the VM.
    unsafe { (addr as *mut u32).write_volatile(value) };
    sbi::shutdown();
}

/// Loads a word from virtual address 0, which is never mapped: a deliberate kernel page fault.
pub(crate) fn load_from_null() -> u64 {
    let value: u64;
    // SAFETY: address 0 is not mapped, so the load faults and the trap handler reports it and
    // powers off; the asm is opaque to the compiler, so no Rust-level null dereference exists.
    unsafe { asm!("ld {}, 0(zero)", out(reg) value, options(nostack, readonly)) };
    value
}

/// Stores the word at `va` back to itself: a deliberate write to the kernel's read-only data,
/// which must fault (for the fault-report self-test).
pub(crate) fn rewrite_word(va: &u64) {
    // SAFETY: storing the value already there changes nothing even if the page were writable;
    // the asm is opaque to the compiler, so no Rust-level write to immutable data exists.
    unsafe {
        asm!("ld {t}, 0({a})", "sd {t}, 0({a})", a = in(reg) va, t = out(reg) _, options(nostack))
    };
}
