//! Boot on riscv64: `boot.S` enters Sv39 and calls [`__frame_riscv64_entry`] with the hart id
//! and the device tree, from which we read memory, reserved areas, the command line, the CPU
//! count, the timebase, the UART and the test (power-off) device.

use core::arch::global_asm;
use core::sync::atomic::Ordering;

use fdt::Fdt;

use super::{
    BOOT_TIME, KERNEL_VMA, LINEAR_MAP_SIZE, RTC_DEVICE, TEST_DEVICE, TIMEBASE_HZ, serial, trap,
};
use crate::boot::{BootInfo, CMDLINE_MAX};
use crate::mm::MemoryMap;

global_asm!(include_str!("boot.S"));

unsafe extern "C" {
    safe static __kernel_end: u8;
}

/// The first Rust code on the boot hart, called by `boot.S` on the boot stack.
#[unsafe(no_mangle)]
extern "C" fn __frame_riscv64_entry(hart_id: usize, dtb_pa: usize) -> ! {
    BOOT_TIME.store(super::time(), Ordering::Relaxed);
    trap::init();
    super::cpu::init(0);
    super::user::init();
    let info = parse_device_tree(hart_id, dtb_pa);
    log::debug!("riscv64: boot hart {hart_id}");
    trap::start_timer();
    crate::boot::start(info)
}

fn parse_device_tree(boot_hart: usize, dtb_pa: usize) -> BootInfo {
    let dtb = crate::mm::phys_to_virt(dtb_pa) as *const u8;
    // SAFETY: OpenSBI passes a valid flattened device tree in RAM, mapped by the linear map;
    // its memory is reserved below (never handed to the allocators), so it stays intact and
    // unaliased by writers for as long as `fdt` borrows it.
    let fdt = unsafe { Fdt::from_ptr(dtb) }.unwrap_or_else(|e| panic!("bad device tree: {e:?}"));

    let first_reg = |compatible: &[&str]| {
        let node = fdt.find_compatible(compatible)?;
        node.reg()?.next().map(|reg| reg.starting_address as usize)
    };
    if let Some(uart) = first_reg(&["ns16550a", "ns16550"]) {
        serial::init(uart);
    }
    if let Some(test) = first_reg(&["sifive,test1", "sifive,test0"]) {
        TEST_DEVICE.store(test, Ordering::Relaxed);
    }
    if let Some(rtc) = first_reg(&["google,goldfish-rtc"]) {
        RTC_DEVICE.store(rtc, Ordering::Relaxed);
    }
    if let Some(hz) = fdt.cpus().next().map(|cpu| cpu.timebase_frequency()) {
        TIMEBASE_HZ.store(hz as u64, Ordering::Relaxed);
    }

    let mut memory = MemoryMap::new();
    for region in fdt.memory().regions() {
        let start = region.starting_address as usize;
        memory.add(start, start + region.size.unwrap_or(0));
    }
    // Everything below the end of the kernel: OpenSBI (at the start of RAM) and the image.
    memory.reserve(0, &raw const __kernel_end as usize - KERNEL_VMA);
    memory.reserve(dtb_pa, dtb_pa + fdt.total_size());
    for reservation in fdt.memory_reservations() {
        let start = reservation.address() as usize;
        memory.reserve(start, start + reservation.size());
    }
    if let Some(reserved) = fdt.find_node("/reserved-memory") {
        for child in reserved.children() {
            for reg in child.reg().into_iter().flatten() {
                let start = reg.starting_address as usize;
                memory.reserve(start, start + reg.size.unwrap_or(0));
            }
        }
    }
    // The initramfs (QEMU `-initrd`), named by /chosen: keep it out of the allocators.
    let chosen = fdt.find_node("/chosen");
    let cell = |name: &str| chosen.as_ref()?.property(name)?.as_usize();
    let initramfs = match (cell("linux,initrd-start"), cell("linux,initrd-end")) {
        (Some(start), Some(end)) if end > start => Some((start, end - start)),
        _ => None,
    };
    if let Some((start, size)) = initramfs {
        memory.reserve(start, start + size);
    }
    memory.clip(LINEAR_MAP_SIZE);

    let mut cmdline = [0u8; CMDLINE_MAX];
    let args = fdt.chosen().bootargs().unwrap_or("").as_bytes();
    let len = args.len().min(CMDLINE_MAX);
    cmdline[..len].copy_from_slice(&args[..len]);
    BootInfo {
        memory,
        cmdline,
        cmdline_len: len,
        cpu_count: super::smp::record_harts(
            boot_hart,
            fdt.cpus()
                .filter(|cpu| cpu.property("status").and_then(|s| s.as_str()) != Some("disabled"))
                .map(|cpu| cpu.ids().first()),
        ),
        initramfs,
    }
}
