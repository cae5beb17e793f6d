//! Preemption: the per-CPU guard count and the `need_resched` flag.
//!
//! A task may be switched out by a timer tick only where nothing forbids it: [`PreemptGuard`]s
//! count up a per-CPU counter, and a disabled interrupt flag (which every
//! [`SpinLock`](crate::sync::SpinLock) guard implies) keeps the interrupt that would preempt
//! from arriving at all. The scheduler's tick, or a wake-up that queues a task on a CPU, sets
//! that CPU's `need_resched`; the flag is acted on when an interrupt returns to kernel code
//! with the count at zero ([`preempt_from_irq`]) and at [`preemption_point`]s.

use core::marker::PhantomData;
use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use crate::cpu::{CpuLocal, MAX_CPUS};

static COUNT: CpuLocal<AtomicUsize> = CpuLocal::new([const { AtomicUsize::new(0) }; MAX_CPUS]);
static NEED_RESCHED: CpuLocal<AtomicBool> =
    CpuLocal::new([const { AtomicBool::new(false) }; MAX_CPUS]);

/// While this guard lives, the running task is not switched out by a tick (it may still be
/// interrupted). `!Send`: it must be dropped on the CPU that made it, which it cannot leave.
#[must_use = "preemption is enabled again when the guard is dropped"]
pub struct PreemptGuard {
    _not_send: PhantomData<*const ()>,
}

/// Disables preemption of the running task until the returned guard is dropped. Guards nest.
pub fn disable_preempt() -> PreemptGuard {
    // Interrupts off: no tick can switch the task between reading the CPU index and
    // incrementing that CPU's counter.
    let _irq = crate::sync::disable_local_irqs();
    COUNT.get().fetch_add(1, Ordering::Relaxed);
    PreemptGuard {
        _not_send: PhantomData,
    }
}

impl Drop for PreemptGuard {
    fn drop(&mut self) {
        COUNT.get().fetch_sub(1, Ordering::Relaxed);
    }
}

/// The running CPU's guard count.
pub(super) fn count() -> usize {
    COUNT.get().load(Ordering::Relaxed)
}

/// Whether the running task may be preempted now (no guard held, interrupts enabled).
pub fn preemptible() -> bool {
    count() == 0 && crate::arch::irq_enabled()
}

/// Releases the guard of the switch that started a new task (see `task_entry`).
pub(super) fn leave_switch() {
    COUNT.get().fetch_sub(1, Ordering::Relaxed);
}

/// Asks CPU `cpu` to switch tasks at its next chance.
pub(super) fn set_need_resched(cpu: usize) {
    NEED_RESCHED.get_on(cpu).store(true, Ordering::Relaxed);
}

pub(super) fn clear_need_resched() {
    NEED_RESCHED.get().store(false, Ordering::Relaxed);
}

/// Called when an interrupt is about to return to kernel code (interrupts disabled): switches
/// tasks if the scheduler asked for it and no guard forbids it.
pub(crate) fn preempt_from_irq() {
    if count() == 0 && NEED_RESCHED.get().load(Ordering::Relaxed) {
        super::switch_away(super::Leave::Yield);
    }
}

/// Switches tasks here if the scheduler asked for it; for long kernel loops and the way into
/// user mode. Does nothing with interrupts disabled or a guard held.
pub fn preemption_point() {
    if NEED_RESCHED.get().load(Ordering::Relaxed) && preemptible() {
        super::switch_away(super::Leave::Yield);
    }
}
