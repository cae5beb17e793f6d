//! The periodic tick, one-shot wake-ups, and the monotonic clock.
//!
//! Every CPU's timer (the local APIC timer on x86-64, the SBI timer on riscv64) runs in
//! one-shot mode, programmed for the earlier of two deadlines kept per CPU: the next tick
//! ([`TICK_HZ`] a second, which drives accounting and time slices) and the earliest wake-up
//! asked for with [`wake_at`]. So a sleeper whose deadline falls between two ticks is woken
//! at its deadline, on the CPU that asked, not at the next tick.

use core::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use core::time::Duration;

use crate::cpu::{CpuLocal, MAX_CPUS};

/// Timer interrupts per second.
pub const TICK_HZ: u64 = 100;

static TICKS: AtomicU64 = AtomicU64::new(0);
static CPU_TICKS: CpuLocal<AtomicU64> = CpuLocal::new([const { AtomicU64::new(0) }; MAX_CPUS]);

/// What a CPU is doing, for the accounting of its ticks ([`cpu_times`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum CpuMode {
    /// Kernel code (the default).
    Kernel = 0,
    /// User code (inside `UserContext::run`).
    User = 1,
    /// Waiting for an interrupt with nothing to do.
    Idle = 2,
}

static CPU_MODE: CpuLocal<AtomicU8> = CpuLocal::new([const { AtomicU8::new(0) }; MAX_CPUS]);
static USER_TICKS: CpuLocal<AtomicU64> = CpuLocal::new([const { AtomicU64::new(0) }; MAX_CPUS]);
static IDLE_TICKS: CpuLocal<AtomicU64> = CpuLocal::new([const { AtomicU64::new(0) }; MAX_CPUS]);

/// Records what the running CPU does from now on.
pub(crate) fn set_cpu_mode(mode: CpuMode) {
    CPU_MODE.get().store(mode as u8, Ordering::Relaxed);
}

/// Where a CPU's ticks went.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CpuTimes {
    /// Ticks that interrupted user code.
    pub user: u64,
    /// Ticks that interrupted the kernel.
    pub system: u64,
    /// Ticks that interrupted an idle wait.
    pub idle: u64,
}

/// The ticks of CPU `cpu`, by what they interrupted.
pub fn cpu_times(cpu: usize) -> CpuTimes {
    let total = cpu_ticks(cpu);
    let user = USER_TICKS.get_on(cpu).load(Ordering::Relaxed);
    let idle = IDLE_TICKS.get_on(cpu).load(Ordering::Relaxed);
    CpuTimes {
        user,
        idle,
        system: total.saturating_sub(user + idle),
    }
}

const TICK_NS: u64 = 1_000_000_000 / TICK_HZ;
/// When each CPU's next tick is due (uptime in nanoseconds).
static NEXT_TICK: CpuLocal<AtomicU64> = CpuLocal::new([const { AtomicU64::new(0) }; MAX_CPUS]);
/// The earliest wake-up asked for on each CPU (uptime in nanoseconds; `u64::MAX`: none).
static NEXT_WAKE: CpuLocal<AtomicU64> =
    CpuLocal::new([const { AtomicU64::new(u64::MAX) }; MAX_CPUS]);

fn uptime_ns() -> u64 {
    u64::try_from(uptime().as_nanos()).unwrap_or(u64::MAX)
}

/// Starts the running CPU's timer (interrupts disabled): the first tick one period from now.
pub(crate) fn start_cpu_timer() {
    NEXT_TICK
        .get()
        .store(uptime_ns() + TICK_NS, Ordering::Relaxed);
    program();
}

/// Programs the running CPU's timer for its earliest deadline.
fn program() {
    let at = NEXT_TICK
        .get()
        .load(Ordering::Relaxed)
        .min(NEXT_WAKE.get().load(Ordering::Relaxed));
    crate::arch::set_timer_at(Duration::from_nanos(at));
}

/// Called by the architecture's timer interrupt handler (interrupts disabled): runs the tick
/// if it is due, forgets a wake-up that is due (the interrupt itself was the wake-up), and
/// programs the next deadline.
pub(crate) fn on_timer_interrupt() {
    let now = uptime_ns();
    let next_tick = NEXT_TICK.get();
    let due = next_tick.load(Ordering::Relaxed);
    if now >= due {
        // Missed ticks are not replayed: the next one is a period after the last, or after now.
        let next = if due + TICK_NS > now {
            due + TICK_NS
        } else {
            now + TICK_NS
        };
        next_tick.store(next, Ordering::Relaxed);
        on_tick();
    }
    let wake = NEXT_WAKE.get();
    if wake.load(Ordering::Relaxed) <= now {
        wake.store(u64::MAX, Ordering::Relaxed);
    }
    crate::task::on_timer();
    program();
}

/// Asks for a timer interrupt on the running CPU at `deadline` (uptime) or very soon after, so
/// that whatever sleeps until then can be woken on time (the interrupt returns a CPU in user
/// mode to the kernel, and ends an idle wait). The earliest of several requests is kept.
pub fn wake_at(deadline: Duration) {
    let ns = u64::try_from(deadline.as_nanos()).unwrap_or(u64::MAX);
    let _irq = crate::sync::disable_local_irqs();
    let wake = NEXT_WAKE.get();
    if ns < wake.load(Ordering::Relaxed) {
        wake.store(ns, Ordering::Relaxed);
        program();
    }
}

/// The tick's work (accounting, the scheduler's time slices), [`TICK_HZ`] times a second.
fn on_tick() {
    CPU_TICKS.get().fetch_add(1, Ordering::Relaxed);
    match CPU_MODE.get().load(Ordering::Relaxed) {
        1 => USER_TICKS.get().fetch_add(1, Ordering::Relaxed),
        2 => IDLE_TICKS.get().fetch_add(1, Ordering::Relaxed),
        _ => 0,
    };
    if crate::arch::cpu_id() == 0 {
        TICKS.fetch_add(1, Ordering::Relaxed);
    }
    crate::task::on_tick();
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

/// Unix time at boot in seconds, read from the real-time clock on first use
/// (`u64::MAX`: not read yet).
static BOOT_WALL_CLOCK: AtomicU64 = AtomicU64::new(u64::MAX);

/// Wall-clock time: since the Unix epoch, from the real-time clock at boot plus [`uptime`]
/// (the epoch itself if the machine has no readable clock).
pub fn wall_clock() -> Duration {
    let mut boot = BOOT_WALL_CLOCK.load(Ordering::Relaxed);
    if boot == u64::MAX {
        let now = crate::arch::read_rtc().unwrap_or(0);
        boot = now.saturating_sub(uptime().as_secs());
        BOOT_WALL_CLOCK.store(boot, Ordering::Relaxed);
    }
    Duration::from_secs(boot) + uptime()
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

    fn the_wall_clock_is_after_2024() {
        // QEMU starts its real-time clock at the host's time.
        assert!(wall_clock().as_secs() > 1_704_067_200, "wall clock {:?}", wall_clock());
    }
}
