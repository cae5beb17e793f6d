//! The bootable kernel image.
//!
//! This crate holds almost nothing: it registers the kernel's main function with frame, prints
//! the banner, and (until there is a user space to start) runs the in-kernel tests and powers
//! off with their status. Build it with `cargo xtask build --arch x86_64|riscv64`.

#![cfg_attr(target_os = "none", no_std, no_main)]
#![forbid(unsafe_code)]

#[cfg(target_os = "none")]
extern crate alloc;

#[cfg(target_os = "none")]
mod kernel;

#[cfg(not(target_os = "none"))]
fn main() {
    eprintln!("kernel-image is a kernel, not a host program: build it with `cargo xtask build`");
    std::process::exit(2);
}
