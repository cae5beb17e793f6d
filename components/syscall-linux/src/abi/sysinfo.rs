//! `struct sysinfo`, what sysinfo(2) writes (`include/uapi/linux/sysinfo.h`, 64-bit layout).

use static_assertions::const_assert_eq;
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

/// The fixed-point shift of `loads` (`SI_LOAD_SHIFT`): 1.0 is `1 << 16`.
pub const SI_LOAD_SHIFT: u32 = 16;

/// `struct sysinfo`.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout,
)]
#[repr(C)]
pub struct Sysinfo {
    /// Seconds since boot.
    pub uptime: i64,
    /// 1, 5 and 15 minute load averages, scaled by `1 << SI_LOAD_SHIFT`.
    pub loads: [u64; 3],
    /// Total usable RAM, in `mem_unit` units.
    pub totalram: u64,
    /// Free RAM.
    pub freeram: u64,
    /// Shared memory.
    pub sharedram: u64,
    /// Buffer memory.
    pub bufferram: u64,
    /// Total swap.
    pub totalswap: u64,
    /// Free swap.
    pub freeswap: u64,
    /// Number of current processes.
    pub procs: u16,
    /// Explicit padding.
    pub pad: u16,
    /// Alignment padding before `totalhigh`.
    pub __pad1: u32,
    /// Total high memory.
    pub totalhigh: u64,
    /// Free high memory.
    pub freehigh: u64,
    /// Size of the memory unit in bytes.
    pub mem_unit: u32,
    /// Padding (`_f`, empty on 64-bit, plus alignment).
    pub __pad2: u32,
}
const_assert_eq!(size_of::<Sysinfo>(), 112);
