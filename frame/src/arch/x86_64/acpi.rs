//! Just enough ACPI to count CPUs: RSDP -> RSDT/XSDT -> MADT, counting enabled local APICs.

use crate::mm::read_phys;

const MADT_LOCAL_APIC: u8 = 0;
const MADT_LOCAL_X2APIC: u8 = 9;

/// Counts the enabled processors listed in the MADT, or `None` when the tables are unusable.
pub(super) fn cpu_count(rsdp: usize) -> Option<usize> {
    if read_phys::<[u8; 8]>(rsdp) != *b"RSD PTR " {
        return None;
    }
    let revision: u8 = read_phys(rsdp + 15);
    let (root, entry_size) = if revision >= 2 {
        (read_phys::<u64>(rsdp + 24) as usize, 8)
    } else {
        (read_phys::<u32>(rsdp + 16) as usize, 4)
    };
    let root_len = read_phys::<u32>(root + 4) as usize;
    let entries = root_len.checked_sub(36)? / entry_size;
    let madt = (0..entries)
        .map(|i| {
            let at = root + 36 + i * entry_size;
            if entry_size == 8 {
                read_phys::<u64>(at) as usize
            } else {
                read_phys::<u32>(at) as usize
            }
        })
        .find(|&table| read_phys::<[u8; 4]>(table) == *b"APIC")?;
    let madt_len = read_phys::<u32>(madt + 4) as usize;
    let mut count = 0;
    let mut at = madt + 44;
    while at + 2 <= madt + madt_len {
        let (kind, len) = (read_phys::<u8>(at), read_phys::<u8>(at + 1) as usize);
        if len < 2 {
            break;
        }
        let enabled = match kind {
            MADT_LOCAL_APIC => read_phys::<u32>(at + 4) & 1 != 0,
            MADT_LOCAL_X2APIC => read_phys::<u32>(at + 8) & 1 != 0,
            _ => false,
        };
        count += usize::from(enabled);
        at += len;
    }
    (count > 0).then_some(count)
}
