//! Secondary harts on riscv64: the hart ids come from the device tree (boot hart first), each
//! is started with SBI HSM `hart_start` at `__frame_riscv64_ap_start` (boot.S) with its CPU
//! index as the opaque argument; IPIs are SBI `send_ipi`, arriving as supervisor software
//! interrupts.

use core::sync::atomic::{AtomicUsize, Ordering};

use alloc::vec::Vec;

use crate::cpu::MAX_CPUS;

/// Kernel stack size of a secondary hart.
const STACK_SIZE: usize = 64 * 1024;
/// How long to wait for a started hart to report in.
const START_TIMEOUT_MS: u64 = 5_000;

/// Hart id of each CPU index.
static HART_IDS: [AtomicUsize; MAX_CPUS] = [const { AtomicUsize::new(usize::MAX) }; MAX_CPUS];

/// The stack top of the hart being started (read by `ap_high` in boot.S).
#[unsafe(no_mangle)]
static __frame_riscv64_ap_stack: AtomicUsize = AtomicUsize::new(0);

unsafe extern "C" {
    /// The physical address of `__frame_riscv64_ap_start` (boot.S).
    safe static __frame_riscv64_ap_start_pa: usize;
}

/// Records the hart ids (boot hart as CPU 0, the rest in device-tree order) and returns how
/// many CPUs there are.
pub(super) fn record_harts(boot_hart: usize, harts: impl Iterator<Item = usize>) -> usize {
    HART_IDS[0].store(boot_hart, Ordering::Relaxed);
    let mut count = 1;
    for hart in harts.filter(|&h| h != boot_hart) {
        if count == MAX_CPUS {
            log::warn!("riscv64: more than {MAX_CPUS} harts, ignoring hart {hart}");
            continue;
        }
        HART_IDS[count].store(hart, Ordering::Relaxed);
        count += 1;
    }
    count
}

/// Starts CPUs 1..count one at a time, waiting for each to come online.
pub(crate) fn start_secondary_cpus(count: usize) {
    let entry = __frame_riscv64_ap_start_pa;
    for (cpu, id) in HART_IDS.iter().enumerate().take(count).skip(1) {
        let hart = id.load(Ordering::Relaxed);
        let stack: &'static mut [u8] = Vec::leak(alloc::vec![0u8; STACK_SIZE]);
        let top = (stack.as_ptr() as usize + STACK_SIZE) & !15;
        __frame_riscv64_ap_stack.store(top, Ordering::SeqCst);
        let error = super::sbi::hart_start(hart, entry, cpu);
        if error != 0 {
            log::warn!("smp: hart {hart} did not start (SBI error {error})");
            continue;
        }
        let deadline = crate::timer::uptime().as_millis() as u64 + START_TIMEOUT_MS;
        while !crate::smp::is_online(cpu) {
            if crate::timer::uptime().as_millis() as u64 > deadline {
                log::warn!("smp: hart {hart} (CPU {cpu}) did not come online; stopping");
                return;
            }
            core::hint::spin_loop();
        }
    }
}

/// The first Rust code on a secondary hart, on its own stack, `tp` = `cpu`, MMU on with the
/// boot table.
#[unsafe(no_mangle)]
extern "C" fn __frame_riscv64_ap_entry(cpu: usize) -> ! {
    crate::mm::vm::activate_kernel_here();
    super::trap::init();
    super::cpu::init(cpu);
    super::user::init();
    super::trap::start_timer();
    crate::smp::secondary_main(cpu)
}

/// Raises the IPI on CPU `cpu`.
pub(crate) fn send_ipi(cpu: usize) {
    let hart = HART_IDS[cpu].load(Ordering::Relaxed);
    if hart != usize::MAX {
        super::sbi::send_ipi(hart);
    }
}
