//! prctl(2) options (`include/uapi/linux/prctl.h`) and x86-64's arch_prctl(2) codes
//! (`arch/x86/include/uapi/asm/prctl.h`).

/// Set the parent-death signal.
pub const PR_SET_PDEATHSIG: i32 = 1;
/// Get the parent-death signal.
pub const PR_GET_PDEATHSIG: i32 = 2;
/// Get the dumpable flag.
pub const PR_GET_DUMPABLE: i32 = 3;
/// Set the dumpable flag.
pub const PR_SET_DUMPABLE: i32 = 4;
/// Set the thread name (16 bytes, NUL included).
pub const PR_SET_NAME: i32 = 15;
/// Get the thread name.
pub const PR_GET_NAME: i32 = 16;
/// Become a subreaper of orphaned descendants.
pub const PR_SET_CHILD_SUBREAPER: i32 = 36;
/// Whether the caller is a subreaper.
pub const PR_GET_CHILD_SUBREAPER: i32 = 37;
/// Set no_new_privs.
pub const PR_SET_NO_NEW_PRIVS: i32 = 38;
/// Get no_new_privs.
pub const PR_GET_NO_NEW_PRIVS: i32 = 39;
/// Name an anonymous mapping (`PR_SET_VMA`).
pub const PR_SET_VMA: i32 = 0x53564d41;

/// arch_prctl: set the `GS` base.
pub const ARCH_SET_GS: i32 = 0x1001;
/// arch_prctl: set the `FS` base (the thread pointer of x86-64 TLS).
pub const ARCH_SET_FS: i32 = 0x1002;
/// arch_prctl: get the `FS` base.
pub const ARCH_GET_FS: i32 = 0x1003;
/// arch_prctl: get the `GS` base.
pub const ARCH_GET_GS: i32 = 0x1004;
/// arch_prctl: whether `cpuid` is enabled.
pub const ARCH_GET_CPUID: i32 = 0x1011;
/// arch_prctl: enable or disable `cpuid`.
pub const ARCH_SET_CPUID: i32 = 0x1012;
