//! Scheduling policies and their parameters, as the Linux system calls see them.
//!
//! [`Policy`] names the five policies Linux's `sched_setscheduler(2)` accepts here (the raw
//! `SCHED_*` numbers are [`SCHED_OTHER`] and friends); [`SchedParams`] is a validated triple of
//! policy, real-time priority and nice value. Its invariant: the real-time priority is in
//! `1..=99` exactly when the policy is real-time (FIFO or RR) and 0 otherwise, and the nice value
//! is in `-20..=19` (it is kept for real-time tasks too, as Linux does, and used again when the
//! task goes back to a fair policy).
//!
//! The checks of `sched_setscheduler(2)` and `setpriority(2)` live here too
//! ([`check_setscheduler`], [`check_set_nice`]), with Linux's rules for unprivileged callers
//! (`RLIMIT_RTPRIO`, `RLIMIT_NICE`, `CAP_SYS_NICE`) given as [`Limits`]. Whether the caller may
//! touch the target task at all (same user) is the caller's check.

use crate::error::SchedError;
use crate::weight::{NICE_MAX, NICE_MIN, clamp_nice};

/// `SCHED_OTHER` (also `SCHED_NORMAL`): the fair, virtual-runtime based policy.
pub const SCHED_OTHER: i32 = 0;
/// `SCHED_FIFO`: real-time, runs until it blocks, yields or a higher priority arrives.
pub const SCHED_FIFO: i32 = 1;
/// `SCHED_RR`: real-time round robin, rotates among equal priorities every quantum.
pub const SCHED_RR: i32 = 2;
/// `SCHED_BATCH`: fair, but never preempts a running task on wake-up.
pub const SCHED_BATCH: i32 = 3;
/// `SCHED_IDLE`: runs only when no other task of the CPU is runnable.
pub const SCHED_IDLE: i32 = 5;
/// `SCHED_RESET_ON_FORK`: a flag ORed into the policy of `sched_setscheduler(2)`.
pub const SCHED_RESET_ON_FORK: i32 = 0x4000_0000;

/// The lowest real-time priority (`sched_get_priority_min(SCHED_FIFO)`).
pub const RT_PRIO_MIN: u8 = 1;
/// The highest real-time priority (`sched_get_priority_max(SCHED_FIFO)`).
pub const RT_PRIO_MAX: u8 = 99;

/// A scheduling policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Policy {
    /// `SCHED_OTHER`: fair share by weight.
    #[default]
    Normal,
    /// `SCHED_FIFO`: real-time first in, first out.
    Fifo,
    /// `SCHED_RR`: real-time round robin.
    RoundRobin,
    /// `SCHED_BATCH`: fair share, no wake-up preemption.
    Batch,
    /// `SCHED_IDLE`: only when nothing else is runnable.
    Idle,
}

impl Policy {
    /// The policy of a raw `SCHED_*` number (without [`SCHED_RESET_ON_FORK`]); `EINVAL` for
    /// anything else, including `SCHED_DEADLINE`, which is not supported.
    pub const fn from_raw(raw: i32) -> Result<Policy, SchedError> {
        match raw {
            SCHED_OTHER => Ok(Policy::Normal),
            SCHED_FIFO => Ok(Policy::Fifo),
            SCHED_RR => Ok(Policy::RoundRobin),
            SCHED_BATCH => Ok(Policy::Batch),
            SCHED_IDLE => Ok(Policy::Idle),
            _ => Err(SchedError::InvalidArgument),
        }
    }

    /// The raw `SCHED_*` number of this policy.
    pub const fn as_raw(self) -> i32 {
        match self {
            Policy::Normal => SCHED_OTHER,
            Policy::Fifo => SCHED_FIFO,
            Policy::RoundRobin => SCHED_RR,
            Policy::Batch => SCHED_BATCH,
            Policy::Idle => SCHED_IDLE,
        }
    }

    /// Whether this is a real-time policy (FIFO or RR).
    pub const fn is_realtime(self) -> bool {
        matches!(self, Policy::Fifo | Policy::RoundRobin)
    }

    /// The valid `sched_priority` range `(min, max)` of this policy: `(1, 99)` for real-time
    /// policies, `(0, 0)` for the others.
    pub const fn priority_range(self) -> (u8, u8) {
        if self.is_realtime() {
            (RT_PRIO_MIN, RT_PRIO_MAX)
        } else {
            (0, 0)
        }
    }
}

/// `sched_get_priority_max(2)`: the highest priority of a raw policy, or `EINVAL`.
pub const fn sched_get_priority_max(policy: i32) -> Result<i32, SchedError> {
    match Policy::from_raw(policy) {
        Ok(p) => Ok(p.priority_range().1 as i32),
        Err(e) => Err(e),
    }
}

/// `sched_get_priority_min(2)`: the lowest priority of a raw policy, or `EINVAL`.
pub const fn sched_get_priority_min(policy: i32) -> Result<i32, SchedError> {
    match Policy::from_raw(policy) {
        Ok(p) => Ok(p.priority_range().0 as i32),
        Err(e) => Err(e),
    }
}

/// A validated policy, real-time priority and nice value (see the module docs for the invariant).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct SchedParams {
    policy: Policy,
    rt_priority: u8,
    nice: i8,
}

impl SchedParams {
    /// `SCHED_OTHER` at the given nice value (clamped into `-20..=19`).
    pub const fn normal(nice: i8) -> SchedParams {
        SchedParams {
            policy: Policy::Normal,
            rt_priority: 0,
            nice: clamp_nice(nice as i32),
        }
    }

    /// Parameters from their parts; `EINVAL` when the priority is outside the policy's range or
    /// the nice value outside `-20..=19`.
    pub const fn new(policy: Policy, rt_priority: u8, nice: i8) -> Result<SchedParams, SchedError> {
        let (min, max) = policy.priority_range();
        if rt_priority < min || rt_priority > max || nice < NICE_MIN || nice > NICE_MAX {
            return Err(SchedError::InvalidArgument);
        }
        Ok(SchedParams {
            policy,
            rt_priority,
            nice,
        })
    }

    /// The policy.
    pub const fn policy(&self) -> Policy {
        self.policy
    }

    /// The real-time priority: `1..=99` for FIFO and RR, 0 otherwise.
    pub const fn rt_priority(&self) -> u8 {
        self.rt_priority
    }

    /// The nice value (kept, but unused, while the policy is real-time).
    pub const fn nice(&self) -> i8 {
        self.nice
    }

    /// The same parameters with another nice value (clamped into `-20..=19`).
    pub const fn with_nice(self, nice: i8) -> SchedParams {
        SchedParams {
            nice: clamp_nice(nice as i32),
            ..self
        }
    }

    /// What a child gets at fork when the parent set `SCHED_RESET_ON_FORK`: real-time policies
    /// become `SCHED_OTHER`, and a negative nice becomes 0.
    pub const fn reset_on_fork(self) -> SchedParams {
        let policy = if self.policy.is_realtime() {
            Policy::Normal
        } else {
            self.policy
        };
        let nice = if self.nice < 0 { 0 } else { self.nice };
        SchedParams {
            policy,
            rt_priority: 0,
            nice,
        }
    }
}

/// What an unprivileged caller may do to scheduling (Linux's `RLIMIT_RTPRIO`, `RLIMIT_NICE` and
/// `CAP_SYS_NICE`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The caller has `CAP_SYS_NICE` (root): every valid request is allowed.
    pub cap_sys_nice: bool,
    /// `RLIMIT_RTPRIO`: the highest real-time priority an unprivileged caller may set.
    pub rlimit_rtprio: u64,
    /// `RLIMIT_NICE`: an unprivileged caller may lower nice down to `20 - rlimit_nice`.
    pub rlimit_nice: u64,
}

impl Limits {
    /// A privileged caller (`CAP_SYS_NICE`).
    pub const PRIVILEGED: Limits = Limits {
        cap_sys_nice: true,
        rlimit_rtprio: 0,
        rlimit_nice: 0,
    };
    /// An unprivileged caller with Linux's default limits (both 0).
    pub const UNPRIVILEGED: Limits = Limits {
        cap_sys_nice: false,
        rlimit_rtprio: 0,
        rlimit_nice: 0,
    };

    /// Linux's `can_nice`: may the caller set `nice`?
    const fn can_nice(&self, nice: i8) -> bool {
        self.cap_sys_nice || (20 - nice as i64) as u64 <= self.rlimit_nice
    }
}

/// The checks of `sched_setscheduler(2)`: the new parameters for a task whose parameters are
/// `current`, from a raw policy (possibly ORed with [`SCHED_RESET_ON_FORK`]) and a
/// `sched_priority`.
///
/// Returns the new parameters (nice is kept) and whether reset-on-fork was requested. `EINVAL`
/// for an unknown policy or a priority outside its range; `EPERM` when an unprivileged caller
/// switches to a real-time policy with `RLIMIT_RTPRIO` 0, raises a real-time priority above
/// both the current one and `RLIMIT_RTPRIO`, or leaves `SCHED_IDLE` without being allowed to
/// use its nice value.
pub fn check_setscheduler(
    current: &SchedParams,
    raw_policy: i32,
    priority: i32,
    limits: &Limits,
) -> Result<(SchedParams, bool), SchedError> {
    let reset = raw_policy & SCHED_RESET_ON_FORK != 0;
    let policy = Policy::from_raw(raw_policy & !SCHED_RESET_ON_FORK)?;
    let (min, max) = policy.priority_range();
    if priority < min as i32 || priority > max as i32 {
        return Err(SchedError::InvalidArgument);
    }
    let new = SchedParams::new(policy, priority as u8, current.nice)?;
    if limits.cap_sys_nice {
        return Ok((new, reset));
    }
    if policy.is_realtime() {
        if policy != current.policy && limits.rlimit_rtprio == 0 {
            return Err(SchedError::PermissionDenied);
        }
        if new.rt_priority > current.rt_priority && new.rt_priority as u64 > limits.rlimit_rtprio {
            return Err(SchedError::PermissionDenied);
        }
    }
    if current.policy == Policy::Idle && policy != Policy::Idle && !limits.can_nice(current.nice) {
        return Err(SchedError::PermissionDenied);
    }
    Ok((new, reset))
}

/// The checks of `setpriority(2)` and `nice(2)`: the nice value a task at `current` gets when
/// `requested` is asked (clamped into `-20..=19`); `EPERM` when an unprivileged caller lowers it
/// below what `RLIMIT_NICE` allows.
pub fn check_set_nice(current: i8, requested: i32, limits: &Limits) -> Result<i8, SchedError> {
    let nice = clamp_nice(requested);
    if nice < current && !limits.can_nice(nice) {
        return Err(SchedError::PermissionDenied);
    }
    Ok(nice)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_numbers_round_trip() {
        for raw in [SCHED_OTHER, SCHED_FIFO, SCHED_RR, SCHED_BATCH, SCHED_IDLE] {
            assert_eq!(Policy::from_raw(raw).unwrap().as_raw(), raw);
        }
        assert_eq!(Policy::from_raw(4), Err(SchedError::InvalidArgument));
        assert_eq!(Policy::from_raw(6), Err(SchedError::InvalidArgument));
        assert_eq!(Policy::from_raw(-1), Err(SchedError::InvalidArgument));
    }

    #[test]
    fn priority_ranges_match_linux() {
        assert_eq!(sched_get_priority_max(SCHED_FIFO), Ok(99));
        assert_eq!(sched_get_priority_min(SCHED_RR), Ok(1));
        assert_eq!(sched_get_priority_max(SCHED_OTHER), Ok(0));
        assert_eq!(sched_get_priority_min(SCHED_IDLE), Ok(0));
        assert_eq!(sched_get_priority_max(7).unwrap_err().errno(), 22);
    }

    #[test]
    fn setscheduler_validates_ranges() {
        let cur = SchedParams::normal(0);
        let p = Limits::PRIVILEGED;
        assert!(check_setscheduler(&cur, SCHED_FIFO, 0, &p).is_err());
        assert!(check_setscheduler(&cur, SCHED_FIFO, 100, &p).is_err());
        assert!(check_setscheduler(&cur, SCHED_OTHER, 1, &p).is_err());
        let (new, reset) =
            check_setscheduler(&cur, SCHED_RR | SCHED_RESET_ON_FORK, 50, &p).unwrap();
        assert_eq!(
            (new.policy(), new.rt_priority(), reset),
            (Policy::RoundRobin, 50, true)
        );
        assert_eq!(new.reset_on_fork(), SchedParams::normal(0));
    }

    #[test]
    fn setscheduler_permissions() {
        let cur = SchedParams::normal(0);
        let u = Limits::UNPRIVILEGED;
        let e = check_setscheduler(&cur, SCHED_FIFO, 1, &u).unwrap_err();
        assert_eq!(e.errno(), 1);
        let l = Limits {
            rlimit_rtprio: 10,
            ..u
        };
        assert!(check_setscheduler(&cur, SCHED_FIFO, 10, &l).is_ok());
        assert!(check_setscheduler(&cur, SCHED_FIFO, 11, &l).is_err());
        assert!(check_setscheduler(&cur, SCHED_BATCH, 0, &u).is_ok());
        let idle = SchedParams::new(Policy::Idle, 0, 0).unwrap();
        assert!(check_setscheduler(&idle, SCHED_OTHER, 0, &u).is_err());
        let l = Limits {
            rlimit_nice: 20,
            ..u
        };
        assert!(check_setscheduler(&idle, SCHED_OTHER, 0, &l).is_ok());
    }

    #[test]
    fn nice_permissions() {
        let u = Limits::UNPRIVILEGED;
        assert_eq!(check_set_nice(0, 5, &u), Ok(5));
        assert_eq!(check_set_nice(0, 100, &u), Ok(19));
        assert_eq!(check_set_nice(5, 0, &u), Err(SchedError::PermissionDenied));
        assert_eq!(check_set_nice(5, -30, &Limits::PRIVILEGED), Ok(-20));
        let l = Limits {
            rlimit_nice: 20,
            ..u
        };
        assert_eq!(check_set_nice(5, 0, &l), Ok(0));
        assert!(check_set_nice(5, -1, &l).is_err());
        assert!(SchedParams::new(Policy::Normal, 0, 20).is_err());
    }
}
