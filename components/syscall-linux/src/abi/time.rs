//! Time: `struct timespec`, `struct timeval`, `struct timezone`, `struct itimerval`,
//! `struct tms`, clock ids and sleep flags.
//!
//! See `include/uapi/linux/time.h`, `include/uapi/linux/time_types.h`, clock_gettime(2),
//! nanosleep(2), gettimeofday(2), times(2), setitimer(2).

use static_assertions::const_assert_eq;
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

/// Nanoseconds in a second.
pub const NSEC_PER_SEC: i64 = 1_000_000_000;

/// `struct timespec` (64-bit `time_t` and `long` nanoseconds).
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    FromBytes,
    IntoBytes,
    Immutable,
    KnownLayout,
)]
#[repr(C)]
pub struct Timespec {
    /// Seconds.
    pub tv_sec: i64,
    /// Nanoseconds, `0..1_000_000_000` when valid.
    pub tv_nsec: i64,
}
const_assert_eq!(size_of::<Timespec>(), 16);

impl Timespec {
    /// Zero.
    pub const ZERO: Timespec = Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };

    /// The time `nanos` nanoseconds after zero.
    pub const fn from_nanos(nanos: u64) -> Timespec {
        Timespec {
            tv_sec: (nanos / NSEC_PER_SEC as u64) as i64,
            tv_nsec: (nanos % NSEC_PER_SEC as u64) as i64,
        }
    }

    /// Whether `tv_nsec` is in range and `tv_sec` is not negative, as nanosleep(2) requires
    /// (else `EINVAL`).
    pub const fn is_valid(&self) -> bool {
        self.tv_sec >= 0 && self.tv_nsec >= 0 && self.tv_nsec < NSEC_PER_SEC
    }

    /// The total in nanoseconds, or `None` if invalid or beyond `u64`.
    pub const fn as_nanos(&self) -> Option<u64> {
        if !self.is_valid() {
            return None;
        }
        match (self.tv_sec as u64).checked_mul(NSEC_PER_SEC as u64) {
            Some(n) => n.checked_add(self.tv_nsec as u64),
            None => None,
        }
    }
}

/// `struct timeval` (64-bit seconds and microseconds).
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    FromBytes,
    IntoBytes,
    Immutable,
    KnownLayout,
)]
#[repr(C)]
pub struct Timeval {
    /// Seconds.
    pub tv_sec: i64,
    /// Microseconds, `0..1_000_000` when valid.
    pub tv_usec: i64,
}
const_assert_eq!(size_of::<Timeval>(), 16);

impl Timeval {
    /// The time `nanos` nanoseconds after zero, rounded down to microseconds.
    pub const fn from_nanos(nanos: u64) -> Timeval {
        Timeval {
            tv_sec: (nanos / 1_000_000_000) as i64,
            tv_usec: ((nanos % 1_000_000_000) / 1000) as i64,
        }
    }

    /// Whether `tv_usec` is in range and `tv_sec` is not negative.
    pub const fn is_valid(&self) -> bool {
        self.tv_sec >= 0 && self.tv_usec >= 0 && self.tv_usec < 1_000_000
    }
}

/// `struct timezone`, the obsolete second argument of gettimeofday(2).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout,
)]
#[repr(C)]
pub struct Timezone {
    /// Minutes west of Greenwich.
    pub tz_minuteswest: i32,
    /// Type of DST correction.
    pub tz_dsttime: i32,
}
const_assert_eq!(size_of::<Timezone>(), 8);

/// `struct itimerval`, for getitimer(2) and setitimer(2).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout,
)]
#[repr(C)]
pub struct Itimerval {
    /// Reload value (zero: one-shot).
    pub it_interval: Timeval,
    /// Time to the next expiry (zero: disarmed).
    pub it_value: Timeval,
}
const_assert_eq!(size_of::<Itimerval>(), 32);

/// `struct itimerspec`, for timer_settime(2) and timerfd_settime(2).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout,
)]
#[repr(C)]
pub struct Itimerspec {
    /// Reload value.
    pub it_interval: Timespec,
    /// Time to the next expiry.
    pub it_value: Timespec,
}
const_assert_eq!(size_of::<Itimerspec>(), 32);

/// `struct tms`, filled by times(2), in clock ticks (`AT_CLKTCK`, normally 100 per second).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout,
)]
#[repr(C)]
pub struct Tms {
    /// User CPU time of the process.
    pub tms_utime: i64,
    /// System CPU time of the process.
    pub tms_stime: i64,
    /// User CPU time of waited-for children.
    pub tms_cutime: i64,
    /// System CPU time of waited-for children.
    pub tms_cstime: i64,
}
const_assert_eq!(size_of::<Tms>(), 32);

/// `struct utimbuf`, for the legacy utime(2).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout,
)]
#[repr(C)]
pub struct Utimbuf {
    /// Access time in seconds.
    pub actime: i64,
    /// Modification time in seconds.
    pub modtime: i64,
}
const_assert_eq!(size_of::<Utimbuf>(), 16);

/// System-wide wall-clock time.
pub const CLOCK_REALTIME: i32 = 0;
/// Time since some unspecified start, not counting suspend; never jumps.
pub const CLOCK_MONOTONIC: i32 = 1;
/// CPU time of the calling process.
pub const CLOCK_PROCESS_CPUTIME_ID: i32 = 2;
/// CPU time of the calling thread.
pub const CLOCK_THREAD_CPUTIME_ID: i32 = 3;
/// `CLOCK_MONOTONIC` without NTP slewing.
pub const CLOCK_MONOTONIC_RAW: i32 = 4;
/// A faster, coarser `CLOCK_REALTIME`.
pub const CLOCK_REALTIME_COARSE: i32 = 5;
/// A faster, coarser `CLOCK_MONOTONIC`.
pub const CLOCK_MONOTONIC_COARSE: i32 = 6;
/// `CLOCK_MONOTONIC` including time suspended.
pub const CLOCK_BOOTTIME: i32 = 7;
/// `CLOCK_REALTIME` that wakes a suspended system.
pub const CLOCK_REALTIME_ALARM: i32 = 8;
/// `CLOCK_BOOTTIME` that wakes a suspended system.
pub const CLOCK_BOOTTIME_ALARM: i32 = 9;
/// International Atomic Time.
pub const CLOCK_TAI: i32 = 11;

/// clock_nanosleep(2) / timer_settime(2) flag: the time is absolute, not relative.
pub const TIMER_ABSTIME: i32 = 1;

/// utimensat(2): set this timestamp to the current time (in `tv_nsec`).
pub const UTIME_NOW: i64 = (1 << 30) - 1;
/// utimensat(2): leave this timestamp unchanged (in `tv_nsec`).
pub const UTIME_OMIT: i64 = (1 << 30) - 2;

/// setitimer(2): real time, delivers `SIGALRM`.
pub const ITIMER_REAL: i32 = 0;
/// setitimer(2): user CPU time, delivers `SIGVTALRM`.
pub const ITIMER_VIRTUAL: i32 = 1;
/// setitimer(2): user and system CPU time, delivers `SIGPROF`.
pub const ITIMER_PROF: i32 = 2;
