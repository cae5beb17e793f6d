//! Scheduling attributes: policy and real-time priority (sched_setscheduler(2)), nice values
//! (setpriority(2)) and CPU affinity (sched_setaffinity(2)).
//!
//! The attributes live in each thread's [`SchedAttr`]; the `sched` crate validates them (its
//! `policy` module implements Linux's checks). A `pid` argument of 0 names the caller; any
//! other names a thread id.

use core::sync::atomic::Ordering;

use syscall_linux::abi::time::Timespec;
use syscall_linux::{Errno, SysResult, UserAddr};
use zerocopy::IntoBytes;

use sched::policy::{self, Limits, Policy};

use super::Handler;
use crate::task::{SchedAttr, Tid};

/// `PRIO_PROCESS`, `PRIO_PGRP`, `PRIO_USER`.
const PRIO_PROCESS: i32 = 0;
const PRIO_PGRP: i32 = 1;
const PRIO_USER: i32 = 2;
/// The round-robin time slice (Linux's default `sched_rr_timeslice_ms`).
const RR_SLICE_MS: i64 = 100;
/// Every process runs as root here, with `CAP_SYS_NICE`.
const LIMITS: Limits = Limits::PRIVILEGED;

fn errno(e: sched::SchedError) -> Errno {
    match e {
        sched::SchedError::InvalidArgument => Errno::EINVAL,
        sched::SchedError::PermissionDenied => Errno::EPERM,
    }
}

/// The CPUs that are online.
fn online_mask() -> u64 {
    frame::smp::online_mask()
}

impl Handler<'_> {
    /// The thread `pid` names (0: the caller); `ESRCH` if there is none, `EINVAL` if
    /// negative.
    fn sched_target(&self, pid: i32) -> Result<Tid, Errno> {
        match pid {
            0 => Ok(self.tid),
            p if p < 0 => Err(Errno::EINVAL),
            p => self.sched.task(p as Tid).map(|t| t.tid).ok_or(Errno::ESRCH),
        }
    }

    fn sched_attr(&self, pid: i32) -> Result<SchedAttr, Errno> {
        let tid = self.sched_target(pid)?;
        Ok(self.sched.task(tid).ok_or(Errno::ESRCH)?.sched)
    }

    fn set_sched_attr(&mut self, pid: i32, attr: SchedAttr) -> Result<(), Errno> {
        let tid = self.sched_target(pid)?;
        self.sched.task_mut(tid).ok_or(Errno::ESRCH)?.sched = attr;
        self.sched.update_attr(tid);
        Ok(())
    }

    /// sched_getaffinity(2): returns the bytes written.
    pub(super) fn do_sched_getaffinity(
        &mut self,
        pid: i32,
        len: usize,
        mask: UserAddr,
    ) -> SysResult {
        // The kernel's mask is one `unsigned long`; the buffer must hold it.
        if len < 8 || !len.is_multiple_of(8) {
            return Err(Errno::EINVAL);
        }
        let attr = self.sched_attr(pid)?;
        self.write_user(mask, &(attr.affinity & online_mask()).to_le_bytes())?;
        Ok(8)
    }

    /// sched_setaffinity(2).
    pub(super) fn do_sched_setaffinity(
        &mut self,
        pid: i32,
        len: usize,
        mask: UserAddr,
    ) -> SysResult {
        let n = len.min(8);
        let bytes = self.read_user(mask, n)?;
        let mut word = [0u8; 8];
        word[..n].copy_from_slice(&bytes);
        let wanted = u64::from_le_bytes(word);
        if wanted & online_mask() == 0 {
            return Err(Errno::EINVAL);
        }
        let mut attr = self.sched_attr(pid)?;
        attr.affinity = wanted;
        self.set_sched_attr(pid, attr)?;
        Ok(0)
    }

    /// sched_getscheduler(2).
    pub(super) fn do_sched_getscheduler(&mut self, pid: i32) -> SysResult {
        let attr = self.sched_attr(pid)?;
        let reset = if attr.reset_on_fork {
            policy::SCHED_RESET_ON_FORK
        } else {
            0
        };
        Ok((attr.params.policy().as_raw() | reset) as usize)
    }

    /// sched_setscheduler(2) (`policy` `None`: sched_setparam(2), keeping the policy).
    pub(super) fn do_sched_setscheduler(
        &mut self,
        pid: i32,
        policy: Option<i32>,
        param: UserAddr,
    ) -> SysResult {
        if param.0 == 0 || pid < 0 {
            return Err(Errno::EINVAL);
        }
        let mut attr = self.sched_attr(pid)?;
        let raw = self.read_user(param, 4)?;
        let priority = i32::from_le_bytes([raw[0], raw[1], raw[2], raw[3]]);
        let raw_policy = match policy {
            Some(p) => p,
            None => {
                let reset = if attr.reset_on_fork {
                    policy::SCHED_RESET_ON_FORK
                } else {
                    0
                };
                attr.params.policy().as_raw() | reset
            }
        };
        let (params, reset) =
            policy::check_setscheduler(&attr.params, raw_policy, priority, &LIMITS)
                .map_err(errno)?;
        attr.params = params;
        attr.reset_on_fork = reset;
        self.set_sched_attr(pid, attr)?;
        Ok(0)
    }

    /// sched_getparam(2).
    pub(super) fn do_sched_getparam(&mut self, pid: i32, param: UserAddr) -> SysResult {
        if param.0 == 0 || pid < 0 {
            return Err(Errno::EINVAL);
        }
        let attr = self.sched_attr(pid)?;
        let priority = i32::from(attr.params.rt_priority());
        self.write_user(param, &priority.to_le_bytes())?;
        Ok(0)
    }

    /// sched_get_priority_max(2) (`max`) and sched_get_priority_min(2).
    pub(super) fn do_sched_priority_bound(&mut self, raw_policy: i32, max: bool) -> SysResult {
        let bound = if max {
            policy::sched_get_priority_max(raw_policy)
        } else {
            policy::sched_get_priority_min(raw_policy)
        };
        Ok(bound.map_err(errno)? as usize)
    }

    /// sched_rr_get_interval(2): the round-robin quantum, 0 for `SCHED_FIFO`.
    pub(super) fn do_sched_rr_get_interval(&mut self, pid: i32, interval: UserAddr) -> SysResult {
        let attr = self.sched_attr(pid)?;
        let ms = if attr.params.policy() == Policy::Fifo {
            0
        } else {
            RR_SLICE_MS
        };
        let ts = Timespec {
            tv_sec: 0,
            tv_nsec: ms * 1_000_000,
        };
        self.write_user(interval, ts.as_bytes())?;
        Ok(0)
    }

    /// The threads `which`/`who` name for getpriority(2)/setpriority(2).
    fn priority_targets(&self, which: i32, who: i32) -> Result<alloc::vec::Vec<Tid>, Errno> {
        let me = &self.process;
        let targets: alloc::vec::Vec<Tid> = match which {
            PRIO_PROCESS => {
                let tid = if who == 0 { self.tid } else { who as Tid };
                self.sched.task(tid).map(|t| t.tid).into_iter().collect()
            }
            PRIO_PGRP => {
                let pgid = if who == 0 {
                    me.pgid.load(Ordering::Relaxed)
                } else {
                    who as u32
                };
                self.sched
                    .tasks()
                    .filter(|t| t.process.pgid.load(Ordering::Relaxed) == pgid)
                    .map(|t| t.tid)
                    .collect()
            }
            // Every process belongs to root here.
            PRIO_USER if who == 0 => self.sched.tasks().map(|t| t.tid).collect(),
            PRIO_USER => alloc::vec::Vec::new(),
            _ => return Err(Errno::EINVAL),
        };
        if targets.is_empty() {
            return Err(Errno::ESRCH);
        }
        Ok(targets)
    }

    /// getpriority(2): the system call returns `20 - nice` of the highest-priority target.
    pub(super) fn do_getpriority(&mut self, which: i32, who: i32) -> SysResult {
        let nice = self
            .priority_targets(which, who)?
            .into_iter()
            .filter_map(|tid| {
                self.sched
                    .task(tid)
                    .map(|t| i32::from(t.sched.params.nice()))
            })
            .min()
            .ok_or(Errno::ESRCH)?;
        Ok((20 - nice) as usize)
    }

    /// setpriority(2): the nice value is clamped to -20..=19.
    pub(super) fn do_setpriority(&mut self, which: i32, who: i32, prio: i32) -> SysResult {
        for tid in self.priority_targets(which, who)? {
            if let Some(task) = self.sched.task_mut(tid) {
                let nice = policy::check_set_nice(task.sched.params.nice(), prio, &LIMITS)
                    .map_err(errno)?;
                task.sched.params = task.sched.params.with_nice(nice);
                self.sched.update_attr(tid);
            }
        }
        Ok(0)
    }
}
