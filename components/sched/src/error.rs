//! The errors of the scheduler's checks, and the Linux errno each one becomes.
//!
//! Validation ([`crate::policy`]) and affinity changes fail with a [`SchedError`]; the Linux
//! personality turns it into an errno with [`SchedError::errno`] and returns `-errno`.

use core::fmt;

/// Why a scheduling request was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SchedError {
    /// A policy, priority, nice value or CPU mask is out of range or empty (`EINVAL`).
    InvalidArgument,
    /// The caller may not make this change without privilege (`EPERM`).
    PermissionDenied,
}

impl SchedError {
    /// The Linux errno for this error (positive: `EINVAL` = 22, `EPERM` = 1).
    pub const fn errno(self) -> i32 {
        match self {
            SchedError::InvalidArgument => 22,
            SchedError::PermissionDenied => 1,
        }
    }
}

impl fmt::Display for SchedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SchedError::InvalidArgument => "invalid scheduling argument",
            SchedError::PermissionDenied => "scheduling change not permitted",
        })
    }
}

impl core::error::Error for SchedError {}
