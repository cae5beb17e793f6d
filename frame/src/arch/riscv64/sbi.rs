//! Calls into the SBI firmware (OpenSBI).

use core::arch::asm;

const EXT_LEGACY_PUTCHAR: usize = 0x01;
const EXT_TIME: usize = 0x5449_4d45;
const EXT_SRST: usize = 0x5352_5354;

fn call(ext: usize, fid: usize, arg0: usize, arg1: usize) -> isize {
    let error: isize;
    // SAFETY: an SBI call traps to M-mode firmware, which only touches the registers the SBI
    // calling convention names; it does not write S-mode memory for the calls used here.
    unsafe {
        asm!("ecall", inlateout("a0") arg0 as isize => error, inlateout("a1") arg1 => _,
             in("a6") fid, in("a7") ext, options(nostack))
    };
    error
}

/// Writes one byte to the firmware console (used before the UART is known).
pub(super) fn console_putchar(byte: u8) {
    call(EXT_LEGACY_PUTCHAR, 0, byte as usize, 0);
}

/// Programs the next timer interrupt at absolute `time` value `at`.
pub(super) fn set_timer(at: u64) {
    call(EXT_TIME, 0, at as usize, 0);
}

/// Asks the firmware to power off (QEMU then exits 0).
pub(super) fn shutdown() -> ! {
    call(EXT_SRST, 0, 0, 0);
    loop {
        core::hint::spin_loop();
    }
}
