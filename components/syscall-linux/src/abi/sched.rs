//! Process and thread creation: clone(2) flags, clone3(2)'s `struct clone_args`, scheduling
//! policies. See clone(2), `include/uapi/linux/sched.h`.

use bitflags::bitflags;
use static_assertions::const_assert_eq;
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

/// The low byte of clone(2)'s `flags`: the signal sent to the parent when the child exits
/// (`SIGCHLD` for fork-like children, 0 for threads).
pub const CSIGNAL: u64 = 0xff;

bitflags! {
    /// clone(2) flags, without the exit signal in the low byte (see [`CSIGNAL`]).
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
    pub struct CloneFlags: u64 {
        /// `CLONE_NEWTIME` (clone3 and unshare only; overlaps `CSIGNAL` in clone).
        const NEWTIME = 0x0000_0080;
        /// `CLONE_VM`: share the address space.
        const VM = 0x0000_0100;
        /// `CLONE_FS`: share root, cwd and umask.
        const FS = 0x0000_0200;
        /// `CLONE_FILES`: share the fd table.
        const FILES = 0x0000_0400;
        /// `CLONE_SIGHAND`: share signal handlers (requires `VM`).
        const SIGHAND = 0x0000_0800;
        /// `CLONE_PIDFD`: return a pidfd in `parent_tid`.
        const PIDFD = 0x0000_1000;
        /// `CLONE_PTRACE`.
        const PTRACE = 0x0000_2000;
        /// `CLONE_VFORK`: the parent sleeps until the child execs or exits.
        const VFORK = 0x0000_4000;
        /// `CLONE_PARENT`: the child's parent is the caller's parent.
        const PARENT = 0x0000_8000;
        /// `CLONE_THREAD`: same thread group (requires `SIGHAND`).
        const THREAD = 0x0001_0000;
        /// `CLONE_NEWNS`.
        const NEWNS = 0x0002_0000;
        /// `CLONE_SYSVSEM`.
        const SYSVSEM = 0x0004_0000;
        /// `CLONE_SETTLS`: set the thread pointer to `tls`.
        const SETTLS = 0x0008_0000;
        /// `CLONE_PARENT_SETTID`: store the child's tid at `parent_tid`.
        const PARENT_SETTID = 0x0010_0000;
        /// `CLONE_CHILD_CLEARTID`: clear `child_tid` and futex-wake it when the child exits.
        const CHILD_CLEARTID = 0x0020_0000;
        /// `CLONE_DETACHED` (ignored).
        const DETACHED = 0x0040_0000;
        /// `CLONE_UNTRACED`.
        const UNTRACED = 0x0080_0000;
        /// `CLONE_CHILD_SETTID`: store the child's tid at `child_tid` in the child.
        const CHILD_SETTID = 0x0100_0000;
        /// `CLONE_NEWCGROUP`.
        const NEWCGROUP = 0x0200_0000;
        /// `CLONE_NEWUTS`.
        const NEWUTS = 0x0400_0000;
        /// `CLONE_NEWIPC`.
        const NEWIPC = 0x0800_0000;
        /// `CLONE_NEWUSER`.
        const NEWUSER = 0x1000_0000;
        /// `CLONE_NEWPID`.
        const NEWPID = 0x2000_0000;
        /// `CLONE_NEWNET`.
        const NEWNET = 0x4000_0000;
        /// `CLONE_IO`.
        const IO = 0x8000_0000;
        /// `CLONE_CLEAR_SIGHAND` (clone3 only).
        const CLEAR_SIGHAND = 0x1_0000_0000;
        /// `CLONE_INTO_CGROUP` (clone3 only).
        const INTO_CGROUP = 0x2_0000_0000;
    }
}

/// clone3(2)'s `struct clone_args` (version 2, `CLONE_ARGS_SIZE_VER2`). Smaller sizes
/// (`CLONE_ARGS_SIZE_VER0` = 64, `VER1` = 80) are valid and mean the missing fields are 0.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout,
)]
#[repr(C)]
pub struct CloneArgs {
    /// Flags ([`CloneFlags`]; no signal in the low byte here).
    pub flags: u64,
    /// Where to store a pidfd (`CLONE_PIDFD`).
    pub pidfd: u64,
    /// Where to store the child's tid in the child (`CLONE_CHILD_SETTID`).
    pub child_tid: u64,
    /// Where to store the child's tid in the parent (`CLONE_PARENT_SETTID`).
    pub parent_tid: u64,
    /// Signal to the parent when the child exits.
    pub exit_signal: u64,
    /// Lowest address of the child's stack (not its top, unlike clone).
    pub stack: u64,
    /// Size of the stack.
    pub stack_size: u64,
    /// Thread pointer (`CLONE_SETTLS`).
    pub tls: u64,
    /// Array of tids to use in each pid namespace.
    pub set_tid: u64,
    /// Length of `set_tid`.
    pub set_tid_size: u64,
    /// cgroup fd (`CLONE_INTO_CGROUP`).
    pub cgroup: u64,
}
const_assert_eq!(size_of::<CloneArgs>(), 88);

/// `CLONE_ARGS_SIZE_VER0`: the smallest `size` clone3 accepts.
pub const CLONE_ARGS_SIZE_VER0: usize = 64;

/// Scheduling policy: normal time sharing.
pub const SCHED_OTHER: i32 = 0;
/// Real-time FIFO.
pub const SCHED_FIFO: i32 = 1;
/// Real-time round robin.
pub const SCHED_RR: i32 = 2;
/// Batch.
pub const SCHED_BATCH: i32 = 3;
/// Very low priority.
pub const SCHED_IDLE: i32 = 5;
/// Deadline.
pub const SCHED_DEADLINE: i32 = 6;
