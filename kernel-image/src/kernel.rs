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
    let initramfs = frame::boot::initramfs();
    if frame::boot::cmdline_param("ktest").is_some() || initramfs.is_none() {
        frame::ktest::run_all();
        power::exit(ExitStatus::Success)
    }
    run_init(initramfs.unwrap_or_default())
}

/// Runs the first program (`init=PATH`, default `/init`, with the words after ` -- ` on the
/// command line as its arguments) and powers off when it exits.
fn run_init(initramfs: &[u8]) -> ! {
    let cmdline = frame::boot::cmdline();
    let init = frame::boot::cmdline_param("init").unwrap_or("/init");
    let mut argv = alloc::vec![init];
    if let Some((_, rest)) = cmdline.split_once(" -- ") {
        argv.extend(rest.split_ascii_whitespace());
    }
    match linux_personality::run_init(initramfs, init, &argv) {
        Ok(status) if status & 0x7f == 0 => {
            frame::println!("kernel: init exited with status {}", (status >> 8) & 0xff);
        }
        Ok(status) => frame::println!("kernel: init killed by signal {}", status & 0x7f),
        Err(e) => {
            frame::println!("kernel: cannot run {init}: {}", e.name());
            power::exit(ExitStatus::Panic)
        }
    }
    power::exit(ExitStatus::Success)
}
