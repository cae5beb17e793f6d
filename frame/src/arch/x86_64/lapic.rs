//! The local APIC (xAPIC, memory-mapped): the per-CPU timer and inter-processor interrupts.
//!
//! The boot CPU calibrates the APIC timer against the 8254 PIT once ([`calibrate`]); every CPU
//! then runs it in periodic mode at `TICK_HZ` ([`start_timer`]). IPIs go through the interrupt
//! command register, addressed by APIC id ([`send_fixed`], and INIT / STARTUP for bring-up).

use core::sync::atomic::{AtomicU32, AtomicUsize, Ordering};

use super::pic;

/// Vector of the APIC timer.
pub(super) const TIMER_VECTOR: u8 = 0xf0;
/// Vector of frame's IPI.
pub(super) const IPI_VECTOR: u8 = 0xf1;
/// Vector the APIC reports spurious interrupts on (no EOI for these).
pub(super) const SPURIOUS_VECTOR: u8 = 0xff;

const ID: usize = 0x20;
const TPR: usize = 0x80;
const EOI: usize = 0xb0;
const SVR: usize = 0xf0;
const ICR_LOW: usize = 0x300;
const ICR_HIGH: usize = 0x310;
const LVT_TIMER: usize = 0x320;
const LVT_ERROR: usize = 0x370;
const TIMER_INITIAL: usize = 0x380;
const TIMER_CURRENT: usize = 0x390;
const TIMER_DIVIDE: usize = 0x3e0;

const SVR_ENABLE: u32 = 1 << 8;
const LVT_MASKED: u32 = 1 << 16;
const DIVIDE_BY_16: u32 = 0x3;
const ICR_PENDING: u32 = 1 << 12;
const ICR_ASSERT: u32 = 1 << 14;
const ICR_INIT: u32 = 0b101 << 8;
const ICR_STARTUP: u32 = 0b110 << 8;

/// How long the calibration measures.
const CALIBRATION_US: u64 = 20_000;

/// Virtual address of the registers (0: not set up).
static BASE: AtomicUsize = AtomicUsize::new(0);
/// Timer counts (divided by 16) per tick, from the calibration.
static COUNTS_PER_TICK: AtomicU32 = AtomicU32::new(0);

/// Uses the local APIC at physical address `pa` (from the MADT).
pub(super) fn set_base(pa: usize) {
    BASE.store(crate::mm::phys_to_virt(pa), Ordering::Relaxed);
}

fn register(offset: usize) -> *mut u32 {
    let base = BASE.load(Ordering::Relaxed);
    assert!(base != 0, "local APIC used before set_base");
    (base + offset) as *mut u32
}

fn read(offset: usize) -> u32 {
    // SAFETY: `register` points into the local APIC's register page, mapped uncached by the
    // linear map; reading these registers has no effect on memory.
    unsafe { register(offset).read_volatile() }
}

fn write(offset: usize, value: u32) {
    // SAFETY: as in `read`; the local APIC belongs to frame and its writes reach no memory
    // (IPIs, the timer and interrupt acknowledgement only).
    unsafe { register(offset).write_volatile(value) };
}

/// The running CPU's APIC id.
pub(super) fn id() -> u32 {
    read(ID) >> 24
}

/// Software-enables the running CPU's local APIC and accepts every priority.
pub(super) fn enable() {
    write(TPR, 0);
    write(LVT_ERROR, LVT_MASKED);
    write(SVR, SVR_ENABLE | u32::from(SPURIOUS_VECTOR));
}

/// Measures the APIC timer against the PIT (boot CPU, interrupts off).
pub(super) fn calibrate() {
    write(TIMER_DIVIDE, DIVIDE_BY_16);
    write(LVT_TIMER, LVT_MASKED | u32::from(TIMER_VECTOR));
    write(TIMER_INITIAL, u32::MAX);
    pic::pit_delay_us(CALIBRATION_US);
    let elapsed = u64::from(u32::MAX - read(TIMER_CURRENT));
    write(TIMER_INITIAL, 0);
    let per_tick = elapsed * 1_000_000 / (CALIBRATION_US * crate::timer::TICK_HZ);
    COUNTS_PER_TICK.store(
        per_tick.clamp(1, u64::from(u32::MAX)) as u32,
        Ordering::Relaxed,
    );
    log::debug!("lapic: {per_tick} timer counts per tick");
}

/// Puts the running CPU's timer in one-shot mode (stopped until [`arm_timer`]).
pub(super) fn init_timer() {
    write(TIMER_DIVIDE, DIVIDE_BY_16);
    write(LVT_TIMER, u32::from(TIMER_VECTOR));
    write(TIMER_INITIAL, 0);
}

/// Fires the running CPU's timer once, `delay` from now (at least one count).
pub(super) fn arm_timer(delay: core::time::Duration) {
    let per_tick = u128::from(COUNTS_PER_TICK.load(Ordering::Relaxed));
    let tick_ns = 1_000_000_000 / u128::from(crate::timer::TICK_HZ);
    let counts = (delay.as_nanos() * per_tick / tick_ns).clamp(1, u128::from(u32::MAX));
    write(TIMER_INITIAL, counts as u32);
}

/// Acknowledges the interrupt in service.
pub(super) fn end_of_interrupt() {
    write(EOI, 0);
}

/// Writes the interrupt command register (destination APIC id, then the command).
fn command(apic_id: u32, low: u32) {
    let _irq = crate::sync::disable_local_irqs();
    while read(ICR_LOW) & ICR_PENDING != 0 {
        core::hint::spin_loop();
    }
    write(ICR_HIGH, apic_id << 24);
    write(ICR_LOW, low);
}

/// Sends a fixed interrupt with `vector` to the CPU with `apic_id`.
pub(super) fn send_fixed(apic_id: u32, vector: u8) {
    command(apic_id, ICR_ASSERT | u32::from(vector));
}

/// Sends INIT to the CPU with `apic_id`.
pub(super) fn send_init(apic_id: u32) {
    command(apic_id, ICR_ASSERT | ICR_INIT);
}

/// Sends STARTUP to the CPU with `apic_id`: it starts in real mode at `page << 12`.
pub(super) fn send_startup(apic_id: u32, page: u8) {
    command(apic_id, ICR_ASSERT | ICR_STARTUP | u32::from(page));
}
