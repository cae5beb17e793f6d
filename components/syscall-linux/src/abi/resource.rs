//! Resource limits and usage: `struct rlimit`, `struct rusage`, `RLIMIT_*`, `RUSAGE_*`.
//! See getrlimit(2), getrusage(2), `include/uapi/asm-generic/resource.h`,
//! `include/uapi/linux/resource.h`.

use crate::abi::time::Timeval;
use static_assertions::const_assert_eq;
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

/// No limit.
pub const RLIM_INFINITY: u64 = u64::MAX;

/// CPU time in seconds.
pub const RLIMIT_CPU: u32 = 0;
/// Largest file size.
pub const RLIMIT_FSIZE: u32 = 1;
/// Data segment size.
pub const RLIMIT_DATA: u32 = 2;
/// Stack size.
pub const RLIMIT_STACK: u32 = 3;
/// Core file size.
pub const RLIMIT_CORE: u32 = 4;
/// Resident set size.
pub const RLIMIT_RSS: u32 = 5;
/// Number of processes.
pub const RLIMIT_NPROC: u32 = 6;
/// Number of open files.
pub const RLIMIT_NOFILE: u32 = 7;
/// Locked memory.
pub const RLIMIT_MEMLOCK: u32 = 8;
/// Address-space size.
pub const RLIMIT_AS: u32 = 9;
/// File locks.
pub const RLIMIT_LOCKS: u32 = 10;
/// Pending signals.
pub const RLIMIT_SIGPENDING: u32 = 11;
/// Bytes in POSIX message queues.
pub const RLIMIT_MSGQUEUE: u32 = 12;
/// Nice ceiling.
pub const RLIMIT_NICE: u32 = 13;
/// Real-time priority ceiling.
pub const RLIMIT_RTPRIO: u32 = 14;
/// Real-time CPU time in microseconds.
pub const RLIMIT_RTTIME: u32 = 15;
/// Number of resources; larger values are `EINVAL`.
pub const RLIM_NLIMITS: u32 = 16;

/// `struct rlimit` (the same as `struct rlimit64` on 64-bit).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout,
)]
#[repr(C)]
pub struct Rlimit {
    /// Soft limit.
    pub rlim_cur: u64,
    /// Hard limit (ceiling of the soft one).
    pub rlim_max: u64,
}
const_assert_eq!(size_of::<Rlimit>(), 16);

impl Rlimit {
    /// No limit at all.
    pub const INFINITY: Rlimit = Rlimit {
        rlim_cur: RLIM_INFINITY,
        rlim_max: RLIM_INFINITY,
    };
}

/// getrusage(2): the calling process.
pub const RUSAGE_SELF: i32 = 0;
/// getrusage(2): its waited-for children.
pub const RUSAGE_CHILDREN: i32 = -1;
/// getrusage(2): the calling thread.
pub const RUSAGE_THREAD: i32 = 1;

/// `struct rusage`.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout,
)]
#[repr(C)]
pub struct Rusage {
    /// User CPU time.
    pub ru_utime: Timeval,
    /// System CPU time.
    pub ru_stime: Timeval,
    /// Maximum resident set size, KiB.
    pub ru_maxrss: i64,
    /// Unused.
    pub ru_ixrss: i64,
    /// Unused.
    pub ru_idrss: i64,
    /// Unused.
    pub ru_isrss: i64,
    /// Page faults without I/O.
    pub ru_minflt: i64,
    /// Page faults with I/O.
    pub ru_majflt: i64,
    /// Unused.
    pub ru_nswap: i64,
    /// Block input operations.
    pub ru_inblock: i64,
    /// Block output operations.
    pub ru_oublock: i64,
    /// Unused.
    pub ru_msgsnd: i64,
    /// Unused.
    pub ru_msgrcv: i64,
    /// Unused.
    pub ru_nsignals: i64,
    /// Voluntary context switches.
    pub ru_nvcsw: i64,
    /// Involuntary context switches.
    pub ru_nivcsw: i64,
}
const_assert_eq!(size_of::<Rusage>(), 144);

/// getpriority(2) / setpriority(2) `which`: a process.
pub const PRIO_PROCESS: i32 = 0;
/// A process group.
pub const PRIO_PGRP: i32 = 1;
/// A user.
pub const PRIO_USER: i32 = 2;
