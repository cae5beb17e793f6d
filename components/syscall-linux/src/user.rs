//! [`UserAddr`]: a user-space address as a system call received it.

use core::fmt;

/// An address in the calling process's address space, as passed in a system-call argument.
///
/// This crate never dereferences one: the kernel checks and copies through its own safe
/// user-memory API. `UserAddr(0)` is `NULL`, which many calls accept ("no old value wanted").
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(transparent)]
pub struct UserAddr(pub usize);

impl UserAddr {
    /// The null pointer.
    pub const NULL: UserAddr = UserAddr(0);

    /// Whether this is `NULL`.
    pub const fn is_null(self) -> bool {
        self.0 == 0
    }

    /// The raw address.
    pub const fn as_usize(self) -> usize {
        self.0
    }

    /// `self + offset`, or `None` on overflow (callers turn that into `EFAULT`).
    pub const fn checked_add(self, offset: usize) -> Option<UserAddr> {
        match self.0.checked_add(offset) {
            Some(a) => Some(UserAddr(a)),
            None => None,
        }
    }

    /// `None` for `NULL`, else `Some(self)`: for optional pointer arguments.
    pub const fn non_null(self) -> Option<UserAddr> {
        if self.is_null() { None } else { Some(self) }
    }
}

impl fmt::Debug for UserAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:#x}", self.0)
    }
}

impl fmt::LowerHex for UserAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::LowerHex::fmt(&self.0, f)
    }
}

impl From<usize> for UserAddr {
    fn from(a: usize) -> Self {
        UserAddr(a)
    }
}
