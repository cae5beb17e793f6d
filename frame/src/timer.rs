//! The periodic tick and the monotonic clock.
//!
//! The architecture's timer interrupt (8254 PIT on x86-64, the SBI timer on riscv64) fires
//! [`TICK_HZ`] times a second on every running CPU and calls [`on_tick`].

use core::sync::atomic::{AtomicU64, Ordering};
use core::time::Duration;

use crate::cpu::{CpuLocal, MAX_CPUS};

/// Timer interrupts per second.
pub const TICK_HZ: u64 = 100;

static TICKS: AtomicU64 = AtomicU64::new(0);
static CPU_TICKS: CpuLocal<AtomicU64> = CpuLocal::new([const { AtomicU64::new(0) }; MAX_CPUS]);

/// Called by the architecture's timer interrupt handler.
pub(crate) fn on_tick() {
    CPU_TICKS.get().fetch_add(1, Ordering::Relaxed);
    if crate::arch::cpu_id() == 0 {
        TICKS.fetch_add(1, Ordering::Relaxed);
    }
}

/// Ticks since boot, counted on the boot CPU.
pub fn ticks() -> u64 {
    TICKS.load(Ordering::Relaxed)
}

/// Ticks taken by CPU `cpu`.
pub fn cpu_ticks(cpu: usize) -> u64 {
    CPU_TICKS.get_on(cpu).load(Ordering::Relaxed)
}

/// Time since boot (monotonic).
pub fn uptime() -> Duration {
    crate::arch::uptime()
}

crate::ktest! {
    fn the_tick_advances() {
        let start = ticks();
        let mut waits = 0;
        while ticks() < start + 3 {
            crate::arch::wait_for_interrupt();
            waits += 1;
            assert!(waits < 100_000, "no timer tick after {waits} interrupts");
        }
        assert!(cpu_ticks(0) >= 3);
        assert!(uptime().as_millis() > 0);
    }
}
