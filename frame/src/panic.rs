//! The panic handler: report, then power off with [`ExitStatus::Panic`].
//!
//! A panic inside an in-kernel test marks that test failed (see [`crate::ktest`]); the kernel
//! cannot unwind, so the run ends there and the remaining tests are reported as not run.

use core::panic::PanicInfo;

use crate::power::{self, ExitStatus};

#[panic_handler]
fn panic(info: &PanicInfo<'_>) -> ! {
    crate::arch::irq_disable();
    if crate::ktest::report_panic(info) {
        power::exit(ExitStatus::TestFailed)
    }
    crate::console::emergency_print(format_args!(
        "\nKERNEL PANIC on CPU {}: {info}\n",
        crate::arch::cpu_id()
    ));
    power::exit(ExitStatus::Panic)
}
