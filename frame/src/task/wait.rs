//! Wait queues: tasks sleep until a condition holds.
//!
//! [`WaitQueue::wait_until`] checks the condition, and if it does not hold, queues the task,
//! marks it sleeping and checks again *under the queue's lock* before switching away. A waker
//! makes the condition true first and then calls [`WaitQueue::wake_one`] or
//! [`WaitQueue::wake_all`], which take the same lock: either the sleeper's second check sees
//! the condition, or the waker finds the sleeper queued. No wake-up is lost, and a wake-up
//! that comes before the sleeper has switched away just cancels the switch (see [`super`]).
//! [`WaitQueue::wait_until_deadline`] also lists the sleeper on its CPU's timer list, so the
//! timer interrupt wakes it at the deadline if nobody did before.

use alloc::collections::VecDeque;
use alloc::sync::Arc;
use core::time::Duration;

use super::{Leave, Task, TaskState};
use crate::sync::SpinLock;

/// Tasks waiting for something.
pub struct WaitQueue {
    waiters: SpinLock<VecDeque<Arc<Task>>>,
}

impl WaitQueue {
    /// An empty queue.
    pub const fn new() -> Self {
        Self {
            waiters: SpinLock::new(VecDeque::new()),
        }
    }

    /// Sleeps until `cond` returns `Some`, and returns that value. `cond` runs in the caller's
    /// task, sometimes with interrupts disabled and this queue locked: it must be quick, must
    /// not sleep and must not use this queue.
    ///
    /// # Panics
    ///
    /// If it has to sleep with interrupts disabled or preemption disabled.
    pub fn wait_until<R>(&self, mut cond: impl FnMut() -> Option<R>) -> R {
        loop {
            if let Some(value) = cond() {
                return value;
            }
            assert!(
                crate::arch::irq_enabled(),
                "sleeping with interrupts disabled"
            );
            let me = super::current();
            {
                let mut waiters = self.waiters.lock();
                *me.state.lock() = TaskState::Sleeping;
                waiters.push_back(me.clone());
                if let Some(value) = cond() {
                    waiters.retain(|t| !Arc::ptr_eq(t, &me));
                    *me.state.lock() = TaskState::Running;
                    return value;
                }
            }
            drop(me);
            super::switch_away(Leave::Sleep);
            // Normally the waker took us off the queue; if a wake-up came from elsewhere, do.
            let me = super::current();
            self.waiters.lock().retain(|t| !Arc::ptr_eq(t, &me));
        }
    }

    /// Like [`WaitQueue::wait_until`], but gives up at `deadline` (uptime): returns `None` if
    /// `cond` still fails then. The task is listed both here and on its CPU's timer list
    /// (whose interrupt is armed for the deadline, as [`super::sleep`] does); whichever wakes
    /// it first, it takes itself off the other.
    ///
    /// # Panics
    ///
    /// If it has to sleep with interrupts disabled or preemption disabled.
    pub fn wait_until_deadline<R>(
        &self,
        mut cond: impl FnMut() -> Option<R>,
        deadline: Duration,
    ) -> Option<R> {
        loop {
            if let Some(value) = cond() {
                return Some(value);
            }
            if crate::timer::uptime() >= deadline {
                return None;
            }
            assert!(
                crate::arch::irq_enabled(),
                "sleeping with interrupts disabled"
            );
            let me = super::current();
            let timer_cpu = {
                let mut waiters = self.waiters.lock();
                *me.state.lock() = TaskState::Sleeping;
                waiters.push_back(me.clone());
                if let Some(value) = cond() {
                    waiters.retain(|t| !Arc::ptr_eq(t, &me));
                    *me.state.lock() = TaskState::Running;
                    return Some(value);
                }
                // Interrupts are off while the queue is locked: the timer armed is this CPU's.
                super::sleep::arm(deadline, &me)
            };
            super::switch_away(Leave::Sleep);
            self.waiters.lock().retain(|t| !Arc::ptr_eq(t, &me));
            super::sleep::disarm(timer_cpu, &me);
        }
    }

    /// Wakes the longest-waiting sleeper; returns whether there was one.
    pub fn wake_one(&self) -> bool {
        loop {
            let Some(task) = self.waiters.lock().pop_front() else {
                return false;
            };
            if task.wake() {
                return true;
            }
        }
    }

    /// Wakes every sleeper; returns how many.
    pub fn wake_all(&self) -> usize {
        let waiters = core::mem::take(&mut *self.waiters.lock());
        waiters.iter().filter(|t| t.wake()).count()
    }

    /// Number of queued tasks.
    pub fn len(&self) -> usize {
        self.waiters.lock().len()
    }

    /// Whether no task is queued.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Default for WaitQueue {
    fn default() -> Self {
        Self::new()
    }
}
