//! PVH boot: the assembly stub (`boot.S`) enters long mode and calls [`__frame_x86_64_entry`]
//! with the physical address of `hvm_start_info`, from which we read the memory map, the
//! command line and the ACPI RSDP (for the processors and the local APIC).

use core::arch::global_asm;

use super::{KERNEL_VMA, LINEAR_MAP_SIZE, acpi, cpu, lapic, pic, serial, smp, trap, tsc};
use crate::boot::BootInfo;
use crate::mm::{MemoryMap, read_phys};

global_asm!(include_str!("boot.S"));

const START_INFO_MAGIC: u32 = 0x336e_c578;
const E820_RAM: u32 = 1;

unsafe extern "C" {
    safe static __kernel_end: u8;
}

/// The first Rust code on the boot CPU, called by `boot.S` on the boot stack.
#[unsafe(no_mangle)]
extern "C" fn __frame_x86_64_entry(start_info: usize) -> ! {
    serial::init();
    cpu::init(0);
    trap::init(0);
    super::user::init();
    let info = parse_start_info(start_info);
    pic::init(crate::timer::TICK_HZ as u32);
    lapic::enable();
    lapic::calibrate();
    tsc::calibrate();
    lapic::init_timer();
    crate::timer::start_cpu_timer();
    crate::boot::start(info)
}

fn parse_start_info(pa: usize) -> BootInfo {
    let magic: u32 = read_phys(pa);
    if magic != START_INFO_MAGIC {
        panic!("bad PVH start info magic {magic:#x} at {pa:#x}");
    }
    let version: u32 = read_phys(pa + 4);
    let nr_modules: u32 = read_phys(pa + 12);
    let modlist_pa: u64 = read_phys(pa + 16);
    let cmdline_pa: u64 = read_phys(pa + 24);
    let rsdp_pa: u64 = read_phys(pa + 32);

    let mut memory = MemoryMap::new();
    if version >= 1 {
        let memmap_pa: u64 = read_phys(pa + 40);
        let entries: u32 = read_phys(pa + 48);
        for i in 0..entries as usize {
            let entry = memmap_pa as usize + i * 24;
            let (start, size, kind) = (
                read_phys::<u64>(entry),
                read_phys::<u64>(entry + 8),
                read_phys::<u32>(entry + 16),
            );
            if kind == E820_RAM {
                memory.add(start as usize, (start + size) as usize);
            }
        }
    }
    // Below 1 MiB live the firmware tables and the start info itself; above it, the kernel.
    let kernel_end = &raw const __kernel_end as usize - KERNEL_VMA;
    memory.reserve(0, kernel_end);
    // The first module is the initramfs (QEMU `-initrd`): keep it out of the allocators.
    let initramfs = (nr_modules > 0 && modlist_pa != 0).then(|| {
        let (start, size) = (
            read_phys::<u64>(modlist_pa as usize),
            read_phys::<u64>(modlist_pa as usize + 8),
        );
        (start as usize, size as usize)
    });
    if let Some((start, size)) = initramfs {
        memory.reserve(start, start + size);
    }
    memory.clip(LINEAR_MAP_SIZE);

    let mut cmdline = [0u8; crate::boot::CMDLINE_MAX];
    let mut len = 0;
    if cmdline_pa != 0 {
        while len < cmdline.len() {
            let byte: u8 = read_phys(cmdline_pa as usize + len);
            if byte == 0 {
                break;
            }
            cmdline[len] = byte;
            len += 1;
        }
    }
    let madt = (rsdp_pa != 0)
        .then(|| acpi::madt(rsdp_pa as usize))
        .flatten();
    // The local APIC is at its architectural default unless the MADT says otherwise.
    lapic::set_base(madt.as_ref().map_or(0xfee0_0000, |m| m.lapic_base));
    let cpu_count = madt.map(|m| smp::record_cpus(&m.apic_ids[..m.count]));
    BootInfo {
        memory,
        cmdline,
        cmdline_len: len,
        cpu_count: cpu_count.unwrap_or(1),
        initramfs,
    }
}
