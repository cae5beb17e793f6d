//! The legacy 8259 PIC pair and the 8254 PIT.
//!
//! The PICs are remapped to vectors 32..48 so that IRQs do not collide with exceptions, and
//! masked: the tick comes from each CPU's local APIC timer. The PIT keeps counting (channel 0,
//! rate generator at `TICK_HZ`) as a reference clock, polled by [`pit_delay_us`] for the APIC
//! timer's calibration and the delays of CPU bring-up (boot CPU only: a read latches the
//! counter, so two readers at once would garble each other).

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
        (PIC1 + 1, 0xff), // mask everything
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

/// The PIT's channel 0 count (counting down from the divisor, then reloading).
fn pit_count() -> u16 {
    // SAFETY: latching channel 0 and reading the two bytes of the latched count only reads the
    // PIT, which frame owns; only the boot CPU polls it.
    unsafe {
        outb(PIT_CMD, 0x00);
        let low = inb(PIT_CH0);
        let high = inb(PIT_CH0);
        u16::from_le_bytes([low, high])
    }
}

/// Spins for at least `us` microseconds by polling the PIT (boot CPU only).
pub(super) fn pit_delay_us(us: u64) {
    let divisor = u64::from(PIT_HZ / crate::timer::TICK_HZ as u32);
    let target = us * u64::from(PIT_HZ) / 1_000_000;
    let mut elapsed = 0;
    let mut last = u64::from(pit_count());
    while elapsed < target {
        let now = u64::from(pit_count());
        elapsed += if now <= last {
            last - now
        } else {
            last + divisor - now
        };
        last = now;
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
