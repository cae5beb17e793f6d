//! The kernel's main function.

mod tests;

use frame::power::{self, ExitStatus};

frame::entry!(main);

fn main() -> ! {
    frame::println!(
        "framekernel {} on {}: {} MiB usable memory, {} CPU{}",
        env!("CARGO_PKG_VERSION"),
        frame::arch::ARCH_NAME,
        frame::mm::usable_memory() >> 20,
        frame::boot::cpu_count(),
        if frame::boot::cpu_count() == 1 {
            ""
        } else {
            "s"
        },
    );
    frame::ktest::run_all();
    power::exit(ExitStatus::Success)
}
