//! Trap dispatch on riscv64: `stvec` points at `trap.S`, which saves a [`TrapFrame`] and calls
//! [`__frame_riscv64_trap`]. Supervisor timer interrupts drive the tick; every exception taken
//! in the kernel is a kernel fault.

use core::arch::{asm, global_asm};
use core::fmt;

global_asm!(include_str!("trap.S"));

const INTERRUPT: usize = 1 << 63;
const SUPERVISOR_SOFTWARE: usize = 1;
const SUPERVISOR_TIMER: usize = 5;
const SIE_SSIE: usize = 1 << 1;
const SIE_STIE: usize = 1 << 5;
const SIP_SSIP: usize = 1 << 1;

unsafe extern "C" {
    safe fn __frame_trap_entry();
}

/// The registers saved on a trap, in the layout `trap.S` writes.
#[repr(C)]
pub(super) struct TrapFrame {
    regs: [usize; 32],
    sepc: usize,
    sstatus: usize,
    scause: usize,
    stval: usize,
}

/// Points `stvec` at the trap entry (direct mode).
pub(super) fn init() {
    let entry = __frame_trap_entry as *const () as usize;
    // SAFETY: `__frame_trap_entry` is 4-byte aligned trap code that saves and restores every
    // register it touches.
    unsafe { asm!("csrw stvec, {}", in(reg) entry, options(nomem, nostack)) };
}

/// Enables the supervisor timer and software (IPI) interrupts and programs the first tick.
pub(super) fn start_timer() {
    // SAFETY: enabling STIE and SSIE only lets timer interrupts and IPIs through once SIE is
    // set; the handler is installed.
    unsafe { asm!("csrs sie, {}", in(reg) SIE_STIE | SIE_SSIE, options(nomem, nostack)) };
    crate::timer::start_cpu_timer();
}

/// The Rust side of every trap.
#[unsafe(no_mangle)]
extern "C" fn __frame_riscv64_trap(frame: &mut TrapFrame) {
    let cause = frame.scause;
    if cause & INTERRUPT != 0 {
        handle_interrupt(cause & !INTERRUPT);
        crate::task::preempt_from_irq();
        return;
    }
    let name = EXCEPTIONS
        .get(cause)
        .copied()
        .flatten()
        .unwrap_or("reserved exception");
    crate::trap::kernel_fault(
        format_args!("{name} (scause {cause}) at address {:#x}", frame.stval),
        frame.sepc,
        frame,
    )
}

/// Handles interrupt `code` (scause without the interrupt bit), from kernel or user mode.
pub(super) fn handle_interrupt(code: usize) {
    match code {
        SUPERVISOR_TIMER => crate::timer::on_timer_interrupt(),
        SUPERVISOR_SOFTWARE => {
            // Clear the pending bit before reading the request mask, so that an IPI sent
            // after the read raises it again.
            // SAFETY: clearing sip.SSIP only acknowledges the software interrupt.
            unsafe { asm!("csrc sip, {}", in(reg) SIP_SSIP, options(nomem, nostack)) };
            crate::smp::on_ipi();
        }
        code => log::warn!("unexpected interrupt {code}"),
    }
}

impl fmt::Display for TrapFrame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const NAMES: [&str; 32] = [
            "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3",
            "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11",
            "t3", "t4", "t5", "t6",
        ];
        for (i, (name, value)) in NAMES.iter().zip(self.regs).enumerate().skip(1) {
            write!(f, "{name:>6} {value:#018x}")?;
            f.write_str(if i % 4 == 3 { "\n" } else { "  " })?;
        }
        writeln!(
            f,
            "\n  sepc {:#018x}  sstatus {:#018x}",
            self.sepc, self.sstatus
        )
    }
}

const EXCEPTIONS: [Option<&str>; 16] = [
    Some("instruction address misaligned"),
    Some("instruction access fault"),
    Some("illegal instruction"),
    Some("breakpoint"),
    Some("load address misaligned"),
    Some("load access fault"),
    Some("store address misaligned"),
    Some("store access fault"),
    Some("environment call from U-mode"),
    Some("environment call from S-mode"),
    None,
    None,
    Some("instruction page fault"),
    Some("load page fault"),
    None,
    Some("store page fault"),
];
