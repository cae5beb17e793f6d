//! Scheduler counters for /proc/stat and /proc/loadavg: context switches, the runnable count
//! and the load averages.
//!
//! The load averages follow Linux (`kernel/sched/loadavg.c`): every 5 seconds the number of
//! runnable tasks `n` is folded into three exponentially decaying averages,
//! `load = load * e + n * (1 - e)`, with `e = exp(-5 s / 1, 5, 15 min)` in 11-bit fixed point.

use core::sync::atomic::{AtomicU32, AtomicU64, Ordering};

/// Fixed-point one.
const FIXED_1: u64 = 1 << 11;
/// `exp(-5/60)`, `exp(-5/300)`, `exp(-5/900)` in fixed point.
const EXP: [u64; 3] = [1884, 2014, 2037];
/// Seconds between two samples.
const SAMPLE_SECS: u64 = 5;

static CONTEXT_SWITCHES: AtomicU64 = AtomicU64::new(0);
static RUNNABLE: AtomicU32 = AtomicU32::new(0);
static NEXT_SAMPLE: AtomicU64 = AtomicU64::new(SAMPLE_SECS);
static LOADS: [AtomicU64; 3] = [const { AtomicU64::new(0) }; 3];

/// A task was switched to.
pub fn note_switch() {
    CONTEXT_SWITCHES.fetch_add(1, Ordering::Relaxed);
}

/// Context switches since boot.
pub fn context_switches() -> u64 {
    CONTEXT_SWITCHES.load(Ordering::Relaxed)
}

/// Records that `runnable` tasks are runnable now; folds it into the load averages once
/// every 5 seconds.
pub fn sample(runnable: u32) {
    RUNNABLE.store(runnable, Ordering::Relaxed);
    let now = frame::timer::uptime().as_secs();
    let due = NEXT_SAMPLE.load(Ordering::Relaxed);
    if now < due
        || NEXT_SAMPLE
            .compare_exchange(due, now + SAMPLE_SECS, Ordering::Relaxed, Ordering::Relaxed)
            .is_err()
    {
        return;
    }
    let n = u64::from(runnable) * FIXED_1;
    for (load, e) in LOADS.iter().zip(EXP) {
        let old = load.load(Ordering::Relaxed);
        let mut new = old * e + n * (FIXED_1 - e);
        // Round up while the load rises, as Linux does, so that it can reach n.
        if n >= old {
            new += FIXED_1 - 1;
        }
        load.store(new / FIXED_1, Ordering::Relaxed);
    }
}

/// Tasks runnable at the last sample.
pub fn runnable() -> u32 {
    RUNNABLE.load(Ordering::Relaxed)
}

/// The 1, 5 and 15 minute load averages, in hundredths.
pub fn load_centi() -> [u64; 3] {
    LOADS.each_ref().map(|l| {
        let v = l.load(Ordering::Relaxed);
        // Whole part and two decimals, rounded like Linux's LOAD_INT/LOAD_FRAC.
        (v * 100 + FIXED_1 / 200) / FIXED_1
    })
}
