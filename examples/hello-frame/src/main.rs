//! The smallest kernel on frame: prints one line and powers off.
//!
//! `cargo xtask qemu --example hello-frame --arch riscv64` boots it.

#![cfg_attr(target_os = "none", no_std, no_main)]
#![forbid(unsafe_code)]

#[cfg(target_os = "none")]
fn main() -> ! {
    frame::println!("hello from frame on {}", frame::arch::ARCH_NAME);
    frame::power::exit(frame::power::ExitStatus::Success)
}

#[cfg(target_os = "none")]
frame::entry!(main);

#[cfg(not(target_os = "none"))]
fn main() {
    eprintln!("hello-frame is a kernel: boot it with `cargo xtask qemu --example hello-frame`");
    std::process::exit(2);
}
