//! Page-table formats.
//!
//! A [`PagingArch`] says how many levels a table has and how its entries encode a next-level
//! table or a leaf mapping. Levels count from 1 (the last level, 4 KiB pages) up to
//! [`PagingArch::LEVELS`] (the root). All formats here have 512 eight-byte entries per table and
//! use bit 0 as the present/valid bit, so a non-present entry's other 63 bits are free for the
//! software [`Status`](crate::Status) encoding shared by every format.

mod riscv;
mod x86_64;

pub use riscv::{Sv39, Sv48};
pub use x86_64::X86_64;

use crate::{PAddr, PageProp};

/// A page-table format.
pub trait PagingArch: Send + Sync + 'static {
    /// Number of levels (3 for Sv39, 4 for x86-64 and Sv48).
    const LEVELS: u8;
    /// Highest level at which a leaf (huge page) is allowed (2 = 2 MiB, 3 = 1 GiB).
    const MAX_LEAF_LEVEL: u8;
    /// A short name, for test output.
    const NAME: &'static str;

    /// An entry pointing at the next-level table at `pa`.
    fn table_entry(pa: PAddr) -> u64;
    /// A leaf entry mapping the frame (or huge frame) at `pa` with `prop`, at `level`.
    fn leaf_entry(pa: PAddr, prop: PageProp, level: u8) -> u64;
    /// Decodes a present entry at `level` (`raw & 1 == 1`).
    fn decode_present(raw: u64, level: u8) -> Present;
}

/// What a present entry holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Present {
    /// A pointer to the next-level table.
    Table(PAddr),
    /// A mapping of the frame at the address, with its properties.
    Leaf(PAddr, PageProp),
}

/// Bytes covered by one entry at `level`.
#[inline]
pub const fn entry_size(level: u8) -> usize {
    4096 << (9 * (level as usize - 1))
}

/// Index of `va` in a table at `level`.
#[inline]
pub const fn index_of(va: usize, level: u8) -> usize {
    (va >> (12 + 9 * (level as usize - 1))) & 511
}
