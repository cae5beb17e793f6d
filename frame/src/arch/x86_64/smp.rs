//! Application processors on x86-64: found in the MADT (the boot CPU is CPU 0, the others
//! follow in table order), started one at a time with INIT-SIPI-SIPI through the local APIC
//! into the real-mode trampoline of `smp.S`, copied below 1 MiB; IPIs are local-APIC fixed
//! interrupts on [`lapic::IPI_VECTOR`].

use core::arch::global_asm;
use core::sync::atomic::{AtomicU32, AtomicUsize, Ordering};

use alloc::vec::Vec;

use super::{cpu, lapic, pic, trap};
use crate::cpu::MAX_CPUS;

global_asm!(include_str!("smp.S"));

/// Physical address the trampoline is copied to (`AP_TRAMPOLINE` in smp.S): a page below
/// 1 MiB, inside the range `boot.rs` keeps out of the allocators.
const TRAMPOLINE_PA: usize = 0x8000;
/// Kernel stack size of an application processor.
const STACK_SIZE: usize = 64 * 1024;
/// How long to wait for a started CPU to report in.
const START_TIMEOUT_US: u64 = 5_000_000;
const POLL_US: u64 = 100;

/// APIC id of each CPU index (`u32::MAX`: none).
static APIC_IDS: [AtomicU32; MAX_CPUS] = [const { AtomicU32::new(u32::MAX) }; MAX_CPUS];

/// The stack top of the CPU being started (read by the trampoline).
#[unsafe(no_mangle)]
static __frame_x86_64_ap_stack: AtomicUsize = AtomicUsize::new(0);
/// The index of the CPU being started.
static STARTING_CPU: AtomicUsize = AtomicUsize::new(0);

unsafe extern "C" {
    safe static __frame_ap_trampoline_start: u8;
    safe static __frame_ap_trampoline_end: u8;
}

/// Records the processors of the MADT: the running (boot) CPU is CPU 0, whatever its place in
/// the table. Returns the number of CPUs.
pub(super) fn record_cpus(apic_ids: &[u32]) -> usize {
    let boot = lapic::id();
    APIC_IDS[0].store(boot, Ordering::Relaxed);
    let mut count = 1;
    for &id in apic_ids.iter().filter(|&&id| id != boot) {
        if id > 0xff {
            log::warn!("smp: APIC id {id} needs x2APIC, which frame does not drive; skipped");
            continue;
        }
        if count < MAX_CPUS {
            APIC_IDS[count].store(id, Ordering::Relaxed);
            count += 1;
        }
    }
    count
}

/// Starts CPUs 1..count one at a time, waiting for each to come online. Runs on the boot CPU
/// (it polls the PIT).
pub(crate) fn start_secondary_cpus(count: usize) {
    let start = &raw const __frame_ap_trampoline_start;
    let len = &raw const __frame_ap_trampoline_end as usize - start as usize;
    assert!(len <= crate::mm::PAGE_SIZE, "AP trampoline of {len} bytes");
    let target = crate::mm::phys_to_virt(TRAMPOLINE_PA) as *mut u8;
    // The page at TRAMPOLINE_PA lies below the kernel image, in the range `boot.rs` reserves,
    // so no allocator hands it out and no Rust reference points into it; the boot information
    // that firmware left down there has been read by now. The source is the trampoline's
    // bytes in the kernel image.
    // SAFETY: so the copy writes only memory that nothing else uses.
    unsafe { core::ptr::copy_nonoverlapping(start, target, len) };
    for (cpu, id) in APIC_IDS.iter().enumerate().take(count).skip(1) {
        let apic_id = id.load(Ordering::Relaxed);
        let stack: &'static mut [u8] = Vec::leak(alloc::vec![0u8; STACK_SIZE]);
        let top = (stack.as_ptr() as usize + STACK_SIZE) & !15;
        __frame_x86_64_ap_stack.store(top, Ordering::SeqCst);
        STARTING_CPU.store(cpu, Ordering::SeqCst);
        // The universal start-up algorithm: INIT, 10 ms, STARTUP, 200 us, STARTUP.
        lapic::send_init(apic_id);
        pic::pit_delay_us(10_000);
        let page = (TRAMPOLINE_PA >> 12) as u8;
        lapic::send_startup(apic_id, page);
        pic::pit_delay_us(200);
        if !crate::smp::is_online(cpu) {
            lapic::send_startup(apic_id, page);
        }
        let mut waited = 0;
        while !crate::smp::is_online(cpu) {
            if waited > START_TIMEOUT_US {
                log::warn!("smp: CPU {cpu} (APIC id {apic_id}) did not come online; stopping");
                return;
            }
            pic::pit_delay_us(POLL_US);
            waited += POLL_US;
        }
    }
}

/// The first Rust code on an application processor, called by the trampoline on the stack
/// published for it, with the boot table loaded and interrupts off.
#[unsafe(no_mangle)]
extern "C" fn __frame_x86_64_ap_entry() -> ! {
    let id = STARTING_CPU.load(Ordering::SeqCst);
    crate::mm::vm::activate_kernel_here();
    cpu::init(id);
    trap::init(id);
    super::user::init();
    lapic::enable();
    lapic::init_timer();
    crate::timer::start_cpu_timer();
    crate::smp::secondary_main(id)
}

/// Raises the IPI on CPU `cpu`.
pub(crate) fn send_ipi(cpu: usize) {
    let apic_id = APIC_IDS[cpu].load(Ordering::Relaxed);
    if apic_id != u32::MAX {
        lapic::send_fixed(apic_id, lapic::IPI_VECTOR);
    }
}
