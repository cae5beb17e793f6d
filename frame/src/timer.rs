//! The periodic tick and the monotonic clock.
//!
//! The architecture's timer interrupt (8254 PIT on x86-64, the SBI timer on riscv64) fires
//! [`TICK_HZ`] times a second on every running CPU and calls [`on_tick`].

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

/// Called by the architecture's timer interrupt handler.
pub(crate) fn on_tick() {
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
