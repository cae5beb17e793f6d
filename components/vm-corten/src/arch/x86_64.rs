//! x86-64 4-level paging (PML4, PDPT, PD, PT).

use super::{PagingArch, Present};
use crate::{PAddr, PageProp};

/// x86-64 4-level paging: 48-bit virtual addresses, huge leaves at 2 MiB and 1 GiB.
pub struct X86_64;

const P: u64 = 1 << 0;
const RW: u64 = 1 << 1;
const US: u64 = 1 << 2;
const A: u64 = 1 << 5;
const D: u64 = 1 << 6;
const PS: u64 = 1 << 7;
const G: u64 = 1 << 8;
/// Software bit 9: copy-on-write.
const COW: u64 = 1 << 9;
/// Software bit 10: shared.
const SHARED: u64 = 1 << 10;
const NX: u64 = 1 << 63;
const ADDR: u64 = 0x000f_ffff_ffff_f000;

impl PagingArch for X86_64 {
    const LEVELS: u8 = 4;
    const MAX_LEAF_LEVEL: u8 = 3;
    const NAME: &'static str = "x86-64";

    #[inline]
    fn table_entry(pa: PAddr) -> u64 {
        // Tables allow everything; leaves restrict.
        (pa as u64 & ADDR) | P | RW | US
    }

    #[inline]
    fn leaf_entry(pa: PAddr, prop: PageProp, level: u8) -> u64 {
        let mut e = (pa as u64 & ADDR) | P | A | D;
        if prop.contains(PageProp::WRITE) {
            e |= RW;
        }
        if prop.contains(PageProp::USER) {
            e |= US;
        }
        if !prop.contains(PageProp::EXEC) {
            e |= NX;
        }
        if prop.contains(PageProp::GLOBAL) {
            e |= G;
        }
        if prop.contains(PageProp::COW) {
            e |= COW;
        }
        if prop.contains(PageProp::SHARED) {
            e |= SHARED;
        }
        if level > 1 {
            e |= PS;
        }
        e
    }

    #[inline]
    fn decode_present(raw: u64, level: u8) -> Present {
        let pa = (raw & ADDR) as PAddr;
        if level > 1 && raw & PS == 0 {
            return Present::Table(pa);
        }
        let mut prop = PageProp::READ;
        prop.set(PageProp::WRITE, raw & RW != 0);
        prop.set(PageProp::USER, raw & US != 0);
        prop.set(PageProp::EXEC, raw & NX == 0);
        prop.set(PageProp::GLOBAL, raw & G != 0);
        prop.set(PageProp::COW, raw & COW != 0);
        prop.set(PageProp::SHARED, raw & SHARED != 0);
        Present::Leaf(pa, prop)
    }
}
