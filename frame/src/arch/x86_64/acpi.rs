//! Just enough ACPI to find the CPUs: RSDP -> RSDT/XSDT -> MADT, whose enabled local APIC and
//! local x2APIC entries name the processors, and whose header gives the local APIC address.

use crate::cpu::MAX_CPUS;
use crate::mm::read_phys;

const MADT_LOCAL_APIC: u8 = 0;
const MADT_LAPIC_ADDRESS_OVERRIDE: u8 = 5;
const MADT_LOCAL_X2APIC: u8 = 9;

/// What the MADT says about the processors.
pub(super) struct Madt {
    /// Physical address of the local APIC registers.
    pub(super) lapic_base: usize,
    /// APIC ids of the enabled processors, in table order (`apic_ids[..count]`).
    pub(super) apic_ids: [u32; MAX_CPUS],
    /// Number of enabled processors found (at most `MAX_CPUS`).
    pub(super) count: usize,
}

/// Reads the MADT, or `None` when the tables are unusable or list no enabled processor.
pub(super) fn madt(rsdp: usize) -> Option<Madt> {
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
    let mut found = Madt {
        lapic_base: read_phys::<u32>(madt + 36) as usize,
        apic_ids: [0; MAX_CPUS],
        count: 0,
    };
    let mut at = madt + 44;
    while at + 2 <= madt + madt_len {
        let (kind, len) = (read_phys::<u8>(at), read_phys::<u8>(at + 1) as usize);
        if len < 2 {
            break;
        }
        let cpu = match kind {
            MADT_LOCAL_APIC if read_phys::<u32>(at + 4) & 1 != 0 => {
                Some(u32::from(read_phys::<u8>(at + 3)))
            }
            MADT_LOCAL_X2APIC if read_phys::<u32>(at + 8) & 1 != 0 => {
                Some(read_phys::<u32>(at + 4))
            }
            MADT_LAPIC_ADDRESS_OVERRIDE => {
                found.lapic_base = read_phys::<u64>(at + 4) as usize;
                None
            }
            _ => None,
        };
        if let Some(id) = cpu {
            if found.count < MAX_CPUS {
                found.apic_ids[found.count] = id;
                found.count += 1;
            } else {
                log::warn!("acpi: more than {MAX_CPUS} processors, ignoring APIC id {id}");
            }
        }
        at += len;
    }
    (found.count > 0).then_some(found)
}
