//! Sleeping for a while: per-CPU timer lists checked on every timer interrupt.
//!
//! A sleeper is listed on the CPU it sleeps on and asks that CPU's one-shot timer for an
//! interrupt at its deadline ([`crate::timer::wake_at`]), so it is woken on time, there, and
//! the scheduler usually puts it back on that CPU.

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::time::Duration;

use super::{Leave, Task, TaskState};
use crate::cpu::{CpuLocal, MAX_CPUS};
use crate::sync::SpinLock;

/// A CPU's sleepers, with their deadlines (uptime).
type TimerList = SpinLock<Vec<(Duration, Arc<Task>)>>;

static TIMERS: CpuLocal<TimerList> = CpuLocal::new([const { SpinLock::new(Vec::new()) }; MAX_CPUS]);

/// Sleeps for at least `duration` (rounded up to the next tick), letting other tasks run.
///
/// # Panics
///
/// If interrupts or preemption are disabled.
pub fn sleep(duration: Duration) {
    assert!(
        crate::arch::irq_enabled(),
        "sleeping with interrupts disabled"
    );
    super::mark_used();
    let deadline = crate::timer::uptime() + duration;
    while crate::timer::uptime() < deadline {
        let me = super::current();
        {
            let mut timers = TIMERS.get().lock();
            *me.state.lock() = TaskState::Sleeping;
            timers.push((deadline, me.clone()));
            // Interrupts are off while the list is locked: the timer is this list's CPU's.
            crate::timer::wake_at(deadline);
        }
        drop(me);
        super::switch_away(Leave::Sleep);
    }
}

/// Lists the running task (already marked sleeping) on this CPU's timer list with `deadline`
/// and asks this CPU's timer for an interrupt then; returns the CPU, for [`disarm`]. Called
/// with interrupts disabled, so the list and the timer are the same CPU's.
pub(super) fn arm(deadline: Duration, task: &Arc<Task>) -> usize {
    super::mark_used();
    let cpu = crate::cpu::current_id();
    TIMERS.get().lock().push((deadline, task.clone()));
    crate::timer::wake_at(deadline);
    cpu
}

/// Takes `task` off CPU `cpu`'s timer list if it is still there (it was woken otherwise), so
/// that a stale entry cannot wake it later while it sleeps for another reason.
pub(super) fn disarm(cpu: usize, task: &Arc<Task>) {
    TIMERS
        .get_on(cpu)
        .lock()
        .retain(|(_, t)| !Arc::ptr_eq(t, task));
}

/// Wakes this CPU's sleepers whose time has come (from the timer interrupt, interrupts
/// disabled).
pub(super) fn wake_due() {
    let now = crate::timer::uptime();
    let due: Vec<Arc<Task>> = {
        let mut timers = TIMERS.get().lock();
        if timers.is_empty() {
            return;
        }
        let (due, waiting) = core::mem::take(&mut *timers)
            .into_iter()
            .partition(|(deadline, _)| *deadline <= now);
        *timers = waiting;
        due.into_iter().map(|(_, task)| task).collect()
    };
    for task in due {
        task.wake();
    }
}
