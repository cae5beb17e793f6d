//! The kernel's main function.

mod tests;

use frame::power::{self, ExitStatus};

frame::entry!(main);

fn main() -> ! {
    frame::println!(
        "framekernel {} on {}: {} MiB usable memory, {} CPU{} online",
        env!("CARGO_PKG_VERSION"),
        frame::arch::ARCH_NAME,
        frame::mm::usable_memory() >> 20,
        frame::cpu::count(),
        if frame::cpu::count() == 1 { "" } else { "s" },
    );
    let initramfs = frame::boot::initramfs();
    if frame::boot::cmdline_param("ktest").is_some() || initramfs.is_none() {
        frame::ktest::run_all();
        power::exit(ExitStatus::Success)
    }
    // The first program failing to start is the kernel failing to boot user space.
    match linux_personality::run_init_from_cmdline(initramfs.unwrap_or_default()) {
        Ok(()) => power::exit(ExitStatus::Success),
        Err(_) => power::exit(ExitStatus::Panic),
    }
}
