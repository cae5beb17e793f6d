//! Scheduling policies and per-CPU run queues, generic over the task type.
//!
//! A reusable `no_std` scheduler core: it decides which task runs on which CPU and when to
//! preempt, and knows nothing of the kernel's clock, locks, tasks or context switch.
//!
//! * Policies ([`policy`]): `SCHED_OTHER` and `SCHED_BATCH` ([`fair`]: virtual runtime weighted
//!   by nice, with Linux's weight table in [`weight`]), `SCHED_FIFO` and `SCHED_RR` ([`rt`]:
//!   priorities 1..=99, always ahead of fair tasks), `SCHED_IDLE` ([`idle`]: only when nothing
//!   else is runnable); the checks of the Linux system calls, with errors that map to `EINVAL`
//!   and `EPERM` ([`SchedError::errno`]).
//! * [`RunQueue`]: one CPU's runnable tasks, with enqueue, dequeue, pick_next, tick, yield,
//!   set_params/set_nice and affinity changes.
//! * [`balance`]: choosing a CPU for a waking task and pulling tasks from the busiest queue,
//!   respecting affinity ([`CpuMask`]).
//! * [`Scheduler`]: all queues of a machine together, for a kernel that schedules under one lock
//!   and for simulations.
//!
//! Design choices for the kernel that embeds it:
//! * Tasks are named by `T: Copy + Ord` (a tid, or a small handle); the crate never sees the
//!   kernel's task structure.
//! * The per-task state is a [`SchedEntity<T>`] value, owned by the run queue while the task is
//!   runnable and by the kernel while it sleeps: `dequeue` hands it back, `enqueue` takes it.
//!   The kernel can therefore keep it in its task structure as an `Option`, under the task's
//!   lock, and nothing here is shared between CPUs.
//! * Time is `now: u64` nanoseconds of a monotonic clock, passed to every operation that
//!   accounts runtime; the tick frequency is the kernel's choice.
//! * No locks: a kernel wraps each [`RunQueue`] in its own lock (taking two in CPU order to
//!   balance), or uses one [`Scheduler`] under one lock.
//!
//! ```
//! use sched::{CpuMask, SchedEntity, SchedParams, Scheduler, Tunables};
//! let mut s: Scheduler<u32> = Scheduler::new(2, Tunables::default());
//! for tid in 1..=3 {
//!     let e = SchedEntity::new(tid, SchedParams::normal(0), CpuMask::all());
//!     s.wake(e, 0).unwrap();
//! }
//! let running = s.pick_next(0, 0);
//! assert!(running.is_some());
//! if s.tick(0, 10_000_000) {
//!     s.pick_next(0, 10_000_000);
//! }
//! ```

#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;

#[cfg(test)]
extern crate std;

pub mod balance;
mod cpumask;
pub mod entity;
mod error;
pub mod fair;
pub mod idle;
pub mod policy;
pub mod rt;
mod runqueue;
mod smp;
mod tunables;
pub mod weight;

pub use cpumask::CpuMask;
pub use entity::SchedEntity;
pub use error::SchedError;
pub use policy::{Limits, Policy, SchedParams};
pub use runqueue::{AffinityChange, RunQueue};
pub use smp::Scheduler;
pub use tunables::Tunables;
