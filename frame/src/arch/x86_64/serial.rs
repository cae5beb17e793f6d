//! The COM1 16550 UART, polled: the boot console.

use super::io::{inb, outb};

const COM1: u16 = 0x3f8;

/// Programs COM1 for 115200 8N1 with FIFOs and no interrupts.
pub(super) fn init() {
    const SETUP: [(u16, u8); 7] = [
        (1, 0x00), // no interrupts
        (3, 0x80), // DLAB on
        (0, 0x01), // divisor 1: 115200 baud
        (1, 0x00),
        (3, 0x03), // 8N1, DLAB off
        (2, 0xc7), // FIFOs on, cleared, 14-byte threshold
        (4, 0x03), // DTR | RTS
    ];
    for (reg, value) in SETUP {
        // SAFETY: COM1 is the console UART, owned by frame; it does no DMA.
        unsafe { outb(COM1 + reg, value) };
    }
}

/// Writes one byte, waiting for the transmit holding register to empty.
pub(crate) fn write_byte(byte: u8) {
    // SAFETY: reading the line status register of COM1 has no side effects.
    while unsafe { inb(COM1 + 5) } & 0x20 == 0 {
        core::hint::spin_loop();
    }
    // SAFETY: COM1 is the console UART, owned by frame.
    unsafe { outb(COM1, byte) };
}

/// Reads a received byte, if one is waiting.
pub(crate) fn read_byte() -> Option<u8> {
    // SAFETY: reading COM1's line status register has no side effects.
    let ready = unsafe { inb(COM1 + 5) } & 1 != 0;
    // SAFETY: with data ready, reading the receive buffer takes that byte; COM1 is owned by
    // frame.
    ready.then(|| unsafe { inb(COM1) })
}
