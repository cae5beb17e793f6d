//! The time-stamp counter as the monotonic clock.
//!
//! The boot CPU measures the TSC's rate against the 8254 PIT once ([`calibrate`]); from then
//! on time since boot is `(rdtsc - boot value) / rate`, with nanosecond resolution instead of
//! the tick's 10 ms. QEMU keeps the TSCs of all CPUs in step. Without a usable rate the clock
//! falls back to counting ticks.

use core::arch::asm;
use core::sync::atomic::{AtomicU64, Ordering};
use core::time::Duration;

use super::pic;

/// How long the calibration measures, in microseconds.
const CALIBRATION_US: u64 = 20_000;

/// TSC counts per second (0: not calibrated).
static HZ: AtomicU64 = AtomicU64::new(0);
/// The TSC at boot.
static BOOT: AtomicU64 = AtomicU64::new(0);

/// Reads the running CPU's time-stamp counter.
fn read() -> u64 {
    let (lo, hi): (u32, u32);
    // SAFETY: rdtsc only reads the counter (CR4.TSD is clear, so it is allowed at any
    // privilege); it touches no memory.
    unsafe { asm!("rdtsc", out("eax") lo, out("edx") hi, options(nomem, nostack)) };
    (u64::from(hi) << 32) | u64::from(lo)
}

/// Measures the TSC rate against the PIT (boot CPU, before the first use of [`uptime`]).
pub(super) fn calibrate() {
    let start = read();
    pic::pit_delay_us(CALIBRATION_US);
    let end = read();
    let hz = end.wrapping_sub(start) * (1_000_000 / CALIBRATION_US);
    BOOT.store(start, Ordering::Relaxed);
    HZ.store(hz, Ordering::Relaxed);
    log::debug!("tsc: {} MHz", hz / 1_000_000);
}

/// Time since boot.
pub(super) fn uptime() -> Duration {
    let hz = HZ.load(Ordering::Relaxed);
    if hz == 0 {
        let ticks = crate::timer::ticks();
        return Duration::from_micros(ticks * (1_000_000 / crate::timer::TICK_HZ));
    }
    let counts = read().saturating_sub(BOOT.load(Ordering::Relaxed));
    Duration::from_secs(counts / hz) + Duration::from_nanos((counts % hz) * 1_000_000_000 / hz)
}
