//! Waiting for children: wait4(2)/waitid(2) options, `idtype_t`, and the wait-status encoding
//! (`include/uapi/linux/wait.h`; status macros as in glibc's `bits/waitstatus.h`).

use bitflags::bitflags;

bitflags! {
    /// wait4(2) and waitid(2) `options`.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
    pub struct WaitOptions: u32 {
        /// `WNOHANG`: return 0 at once if no child has changed state.
        const NOHANG = 0x0000_0001;
        /// `WUNTRACED` / `WSTOPPED`: report stopped children.
        const UNTRACED = 0x0000_0002;
        /// `WEXITED`: report exited children (waitid).
        const EXITED = 0x0000_0004;
        /// `WCONTINUED`: report continued children.
        const CONTINUED = 0x0000_0008;
        /// `WNOWAIT`: leave the child waitable (waitid).
        const NOWAIT = 0x0100_0000;
        /// `__WNOTHREAD`: only the caller's own children, not its thread group's.
        const NOTHREAD = 0x2000_0000;
        /// `__WALL`: any child, whatever its exit signal.
        const ALL = 0x4000_0000;
        /// `__WCLONE`: only "clone" children (exit signal not `SIGCHLD`).
        const CLONE = 0x8000_0000;
    }
}

/// waitid(2) `idtype`: any child.
pub const P_ALL: i32 = 0;
/// The child with this pid.
pub const P_PID: i32 = 1;
/// Any child in this process group.
pub const P_PGID: i32 = 2;
/// The child this pidfd refers to.
pub const P_PIDFD: i32 = 3;

/// The wait status of a child that exited with `code` (`WIFEXITED`, `WEXITSTATUS`).
pub const fn wait_status_exited(code: i32) -> i32 {
    (code & 0xff) << 8
}

/// The wait status of a child killed by `sig` (`WIFSIGNALED`), with `WCOREDUMP` if `core`.
pub const fn wait_status_signaled(sig: i32, core: bool) -> i32 {
    (sig & 0x7f) | if core { 0x80 } else { 0 }
}

/// The wait status of a child stopped by `sig` (`WIFSTOPPED`, `WSTOPSIG`).
pub const fn wait_status_stopped(sig: i32) -> i32 {
    ((sig & 0xff) << 8) | 0x7f
}

/// The wait status of a continued child (`WIFCONTINUED`).
pub const WAIT_STATUS_CONTINUED: i32 = 0xffff;
