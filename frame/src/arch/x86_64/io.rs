//! Port I/O.

use core::arch::asm;

/// Writes a byte to an I/O port.
///
/// # Safety
///
/// The port must belong to a device whose side effects cannot break memory safety
/// (no DMA programming through it), and the caller must own that device.
pub(super) unsafe fn outb(port: u16, value: u8) {
    // SAFETY: the caller upholds the contract above.
    unsafe { asm!("out dx, al", in("dx") port, in("al") value, options(nomem, nostack)) };
}

/// Reads a byte from an I/O port.
///
/// # Safety
///
/// Same as [`outb`]: reading some ports has side effects.
pub(super) unsafe fn inb(port: u16) -> u8 {
    let value: u8;
    // SAFETY: the caller upholds the contract above.
    unsafe { asm!("in al, dx", in("dx") port, out("al") value, options(nomem, nostack)) };
    value
}

/// Writes a 32-bit word to an I/O port.
///
/// # Safety
///
/// Same as [`outb`].
pub(super) unsafe fn outl(port: u16, value: u32) {
    // SAFETY: the caller upholds the contract above.
    unsafe { asm!("out dx, eax", in("dx") port, in("eax") value, options(nomem, nostack)) };
}
