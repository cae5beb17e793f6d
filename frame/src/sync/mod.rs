//! Locks for kernel code that may share data with interrupt handlers.
//!
//! - [`IrqGuard`] (from [`disable_local_irqs`]) disables interrupts on the running CPU and
//!   restores the previous state when dropped. It is `!Send`: it must be dropped on the CPU
//!   whose interrupts it disabled.
//! - [`SpinLock`] is a busy-waiting mutex whose guard also holds an `IrqGuard`, so an interrupt
//!   handler on the same CPU can never spin on a lock its interrupted code holds. Guards release
//!   the lock first, then restore interrupts.
//! - [`Mutex`] is a sleeping lock for task context: a task that finds it held sleeps on a
//!   wait queue ([`crate::task::WaitQueue`]) and the CPU runs other tasks.

mod irq;
mod mutex;
mod spin_lock;

pub use irq::{IrqGuard, disable_local_irqs};
pub use mutex::{Mutex, MutexGuard};
pub use spin_lock::{SpinLock, SpinLockGuard};
