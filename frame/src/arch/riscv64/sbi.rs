//! Calls into the SBI firmware (OpenSBI).

use core::arch::asm;

const EXT_LEGACY_PUTCHAR: usize = 0x01;
const EXT_TIME: usize = 0x5449_4d45;
const EXT_SRST: usize = 0x5352_5354;
const EXT_IPI: usize = 0x0073_5049;
const EXT_HSM: usize = 0x0048_534d;

fn call(ext: usize, fid: usize, arg0: usize, arg1: usize) -> isize {
    call3(ext, fid, arg0, arg1, 0)
}

fn call3(ext: usize, fid: usize, arg0: usize, arg1: usize, arg2: usize) -> isize {
    let error: isize;
    // SAFETY: an SBI call traps to M-mode firmware, which only touches the registers the SBI
    // calling convention names; it does not write S-mode memory for the calls used here.
    unsafe {
        asm!("ecall", inlateout("a0") arg0 as isize => error, inlateout("a1") arg1 => _,
             in("a2") arg2, in("a6") fid, in("a7") ext, options(nostack))
    };
    error
}

/// Starts hart `hart` in S-mode at physical address `start` with `a0 = hart`, `a1 = opaque`
/// and the MMU off (SBI HSM `hart_start`). Returns the SBI error code (0: success).
pub(super) fn hart_start(hart: usize, start: usize, opaque: usize) -> isize {
    call3(EXT_HSM, 0, hart, start, opaque)
}

/// Raises a supervisor software interrupt on hart `hart` (SBI IPI `send_ipi`).
pub(super) fn send_ipi(hart: usize) {
    call(EXT_IPI, 0, 1, hart);
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
