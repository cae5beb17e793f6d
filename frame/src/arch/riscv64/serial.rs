//! The NS16550A UART of the virt machine, polled: the boot console.
//!
//! Until the device tree names the UART, output goes through the SBI console.

use core::sync::atomic::{AtomicUsize, Ordering};

static BASE: AtomicUsize = AtomicUsize::new(0);

/// Uses the UART at physical address `pa` (from the device tree) from now on.
pub(super) fn init(pa: usize) {
    BASE.store(crate::mm::phys_to_virt(pa), Ordering::Release);
}

/// Writes one byte, waiting for the transmit holding register to empty.
pub(crate) fn write_byte(byte: u8) {
    let base = BASE.load(Ordering::Acquire);
    if base == 0 {
        return super::sbi::console_putchar(byte);
    }
    let (thr, lsr) = (base as *mut u8, (base + 5) as *const u8);
    // SAFETY: `base` maps the UART named by the device tree; its LSR read has no side effects
    // and a THR write sends one byte. The UART is owned by frame and does no DMA.
    unsafe {
        while lsr.read_volatile() & 0x20 == 0 {
            core::hint::spin_loop();
        }
        thr.write_volatile(byte);
    }
}

/// Reads a received byte, if one is waiting.
pub(crate) fn read_byte() -> Option<u8> {
    let base = BASE.load(Ordering::Acquire);
    if base == 0 {
        return None;
    }
    // SAFETY: `base` maps the UART named by the device tree; reading LSR has no side effects
    // and, with data ready, reading RBR takes that byte.
    unsafe {
        let ready = ((base + 5) as *const u8).read_volatile() & 1 != 0;
        ready.then(|| (base as *const u8).read_volatile())
    }
}
