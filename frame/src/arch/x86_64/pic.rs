//! The legacy 8259 PIC pair and the 8254 PIT, which drives the tick on IRQ 0.
//!
//! The PICs are remapped to vectors 32..48 so that IRQs do not collide with exceptions; only
//! IRQ 0 (the PIT) is unmasked.

use super::io::{inb, outb};

/// Vector of IRQ 0.
pub(super) const IRQ_BASE: u8 = 32;
const PIC1: u16 = 0x20;
const PIC2: u16 = 0xa0;
const PIT_CH0: u16 = 0x40;
const PIT_CMD: u16 = 0x43;
const PIT_HZ: u32 = 1_193_182;

/// Remaps and masks the PICs, then starts the PIT at `hz` interrupts per second.
pub(super) fn init(hz: u32) {
    let divisor = (PIT_HZ / hz) as u16;
    let writes: [(u16, u8); 14] = [
        (PIC1, 0x11), // ICW1: init, ICW4 follows
        (PIC2, 0x11),
        (PIC1 + 1, IRQ_BASE), // ICW2: vector base
        (PIC2 + 1, IRQ_BASE + 8),
        (PIC1 + 1, 4), // ICW3: slave on IRQ 2
        (PIC2 + 1, 2),
        (PIC1 + 1, 1), // ICW4: 8086 mode
        (PIC2 + 1, 1),
        (PIC1 + 1, 0xfa), // mask all but IRQ 0 and the cascade
        (PIC2 + 1, 0xff),
        (PIT_CMD, 0x34), // channel 0, lo/hi byte, mode 2 (rate generator)
        (PIT_CH0, divisor as u8),
        (PIT_CH0, (divisor >> 8) as u8),
        (PIC1, 0x20), // clear anything pending
    ];
    for (port, value) in writes {
        // SAFETY: the PICs and the PIT are owned by frame and do no DMA.
        unsafe { outb(port, value) };
    }
}

/// Acknowledges `irq`.
pub(super) fn end_of_interrupt(irq: u8) {
    if irq >= 8 {
        // SAFETY: EOI to the slave PIC.
        unsafe { outb(PIC2, 0x20) };
    }
    // SAFETY: EOI to the master PIC.
    unsafe { outb(PIC1, 0x20) };
}

/// Whether `irq` (7 or 15) is really in service, as opposed to spurious.
pub(super) fn in_service(irq: u8) -> bool {
    let (port, bit) = if irq >= 8 {
        (PIC2, irq - 8)
    } else {
        (PIC1, irq)
    };
    // SAFETY: OCW3 "read ISR" then a read of the same port; no other effect.
    let isr = unsafe {
        outb(port, 0x0b);
        inb(port)
    };
    isr & (1 << bit) != 0
}
