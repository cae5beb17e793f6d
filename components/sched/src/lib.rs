//! Scheduling policies and per-CPU run queues, generic over the task type.
//!
//! This first part holds the pieces the Linux system calls need: the policies and their raw
//! numbers ([`policy`]), Linux's nice-to-weight table ([`weight`]), CPU masks ([`CpuMask`]) and
//! the errors that map to `EINVAL` and `EPERM` ([`SchedError::errno`]).

#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;

#[cfg(test)]
extern crate std;

mod cpumask;
mod error;
pub mod policy;
pub mod weight;

pub use cpumask::CpuMask;
pub use error::SchedError;
pub use policy::{Limits, Policy, SchedParams};
