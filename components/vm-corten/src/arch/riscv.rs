//! RISC-V Sv39 (3 levels) and Sv48 (4 levels).

use super::{PagingArch, Present};
use crate::{PAddr, PageProp};

/// RISC-V Sv39: 39-bit virtual addresses, huge leaves at 2 MiB and 1 GiB.
pub struct Sv39;
/// RISC-V Sv48: 48-bit virtual addresses, huge leaves at 2 MiB and 1 GiB.
pub struct Sv48;

const V: u64 = 1 << 0;
const R: u64 = 1 << 1;
const W: u64 = 1 << 2;
const X: u64 = 1 << 3;
const U: u64 = 1 << 4;
const G: u64 = 1 << 5;
const A: u64 = 1 << 6;
const D: u64 = 1 << 7;
/// RSW bit 8: copy-on-write.
const COW: u64 = 1 << 8;
/// RSW bit 9: shared.
const SHARED: u64 = 1 << 9;
const PPN_MASK: u64 = ((1 << 44) - 1) << 10;

#[inline]
fn table_entry(pa: PAddr) -> u64 {
    ((pa as u64 >> 12) << 10) | V
}

/// A leaf needs R or X (R=W=X=0 means "next table"); a mapping without either is not
/// expressible and is kept as the `Inaccessible` status instead (see `Status`).
#[inline]
fn leaf_entry(pa: PAddr, prop: PageProp) -> u64 {
    let mut e = ((pa as u64 >> 12) << 10) | V | A | D;
    for (flag, bit) in [
        (PageProp::READ, R),
        (PageProp::WRITE, W | R),
        (PageProp::EXEC, X),
        (PageProp::USER, U),
        (PageProp::GLOBAL, G),
        (PageProp::COW, COW),
        (PageProp::SHARED, SHARED),
    ] {
        if prop.contains(flag) {
            e |= bit;
        }
    }
    e
}

#[inline]
fn decode_present(raw: u64) -> Present {
    let pa = (((raw & PPN_MASK) >> 10) << 12) as PAddr;
    if raw & (R | W | X) == 0 {
        return Present::Table(pa);
    }
    let mut prop = PageProp::empty();
    for (flag, bit) in [
        (PageProp::READ, R),
        (PageProp::WRITE, W),
        (PageProp::EXEC, X),
        (PageProp::USER, U),
        (PageProp::GLOBAL, G),
        (PageProp::COW, COW),
        (PageProp::SHARED, SHARED),
    ] {
        prop.set(flag, raw & bit != 0);
    }
    Present::Leaf(pa, prop)
}

/// Implements [`PagingArch`] for a RISC-V format; Sv39 and Sv48 differ only in depth.
macro_rules! riscv_format {
    ($name:ident, $levels:expr, $text:expr) => {
        impl PagingArch for $name {
            const LEVELS: u8 = $levels;
            const MAX_LEAF_LEVEL: u8 = 3;
            const NAME: &'static str = $text;

            #[inline]
            fn table_entry(pa: PAddr) -> u64 {
                table_entry(pa)
            }
            #[inline]
            fn leaf_entry(pa: PAddr, prop: PageProp, _level: u8) -> u64 {
                leaf_entry(pa, prop)
            }
            #[inline]
            fn decode_present(raw: u64, _level: u8) -> Present {
                decode_present(raw)
            }
        }
    };
}

riscv_format!(Sv39, 3, "sv39");
riscv_format!(Sv48, 4, "sv48");
