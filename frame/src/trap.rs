//! The portable end of trap handling: the kernel fault report.
//!
//! Architecture trap handlers decode the cause and call [`kernel_fault`], which prints a report
//! (cause, faulting address, instruction pointer, registers) on the console without taking the
//! console lock, and powers off with [`ExitStatus::KernelFault`]. It never returns and never
//! hangs silently.

use core::fmt;

use crate::power::{self, ExitStatus};

/// Reports a fault taken in kernel mode and powers off.
pub(crate) fn kernel_fault(cause: fmt::Arguments<'_>, ip: usize, regs: &dyn fmt::Display) -> ! {
    crate::arch::irq_disable();
    crate::console::emergency_print(format_args!(
        "\nKERNEL FAULT on CPU {}: {cause}\n  instruction pointer: {ip:#x}\n{regs}",
        crate::arch::cpu_id()
    ));
    crate::ktest::report_abort("kernel fault");
    power::exit(ExitStatus::KernelFault)
}
