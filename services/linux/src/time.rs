//! The clocks of clock_gettime(2) and of absolute timeouts.
//!
//! `CLOCK_MONOTONIC` (and the boot-time and CPU-time clocks, which this kernel does not
//! distinguish yet) count from boot; `CLOCK_REALTIME` is the real-time clock read at boot plus
//! the time since. Deadlines inside the kernel are kept on the monotonic clock.

use core::time::Duration;

use syscall_linux::Errno;

/// `CLOCK_REALTIME`.
const CLOCK_REALTIME: i32 = 0;
/// `CLOCK_REALTIME_COARSE`.
const CLOCK_REALTIME_COARSE: i32 = 5;
/// `CLOCK_TAI`.
const CLOCK_TAI: i32 = 11;

/// A clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Clock {
    /// Wall-clock time since the Unix epoch.
    Realtime,
    /// Time since boot.
    Monotonic,
}

impl Clock {
    /// The clock a `clockid_t` names; `EINVAL` for an unknown one.
    pub fn from_id(id: i32) -> Result<Clock, Errno> {
        match id {
            CLOCK_REALTIME | CLOCK_REALTIME_COARSE | CLOCK_TAI => Ok(Clock::Realtime),
            // MONOTONIC, PROCESS_CPUTIME_ID, THREAD_CPUTIME_ID, MONOTONIC_RAW,
            // MONOTONIC_COARSE, BOOTTIME, and the alarm clocks.
            1..=4 | 6..=10 => Ok(Clock::Monotonic),
            _ => Err(Errno::EINVAL),
        }
    }

    /// The clock's current time.
    pub fn now(self) -> Duration {
        match self {
            Clock::Realtime => frame::timer::wall_clock(),
            Clock::Monotonic => frame::timer::uptime(),
        }
    }

    /// The monotonic time at which this clock shows `t`.
    pub fn to_monotonic(self, t: Duration) -> Duration {
        match self {
            Clock::Monotonic => t,
            Clock::Realtime => {
                let offset = frame::timer::wall_clock().saturating_sub(frame::timer::uptime());
                t.saturating_sub(offset)
            }
        }
    }
}
