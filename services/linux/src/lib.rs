//! The Linux personality: what makes the kernel run unmodified Linux programs.
//!
//! Processes and threads ([`task`], [`process`]), ELF loading ([`elf`], [`stack`]), the file
//! system wiring ([`fs`], [`console`]) and the system calls ([`syscall`], through the
//! `syscall-linux` dispatcher). Everything here is safe Rust on top of `frame`.
//!
//! The entry point is [`run_init`]: it unpacks the initramfs, starts the first program and runs
//! every process until the first one exits.

#![cfg(target_os = "none")]
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod console;
pub mod elf;
pub mod fs;
pub mod futex;
pub mod process;
pub mod procfs;
pub mod run;
pub mod sched_policy;
pub mod signal;
pub mod stack;
pub mod stats;
pub mod syscall;
pub mod task;
pub mod time;

pub use syscall_linux::Errno;

/// Unpacks `initramfs`, runs `path` with `argv` as process 1, and runs every process until
/// process 1 exits. Returns process 1's wait status (as waitpid(2) reports it).
pub fn run_init(initramfs: &[u8], path: &str, argv: &[&str]) -> Result<i32, Errno> {
    let kernel = process::Kernel::boot(initramfs)?;
    kernel.run_init(path, argv)
}

/// Runs the first program as the kernel command line asks (`init=PATH`, default `/init`; the
/// words after ` -- ` are its arguments, as on Linux) and reports how it ended on the console
/// (`kernel: init exited with status N` or `kernel: init killed by signal N`). Fails only when
/// the program cannot be started.
pub fn run_init_from_cmdline(initramfs: &[u8]) -> Result<(), Errno> {
    let init = frame::boot::cmdline_param("init").unwrap_or("/init");
    let mut argv = alloc::vec![init];
    if let Some((_, rest)) = frame::boot::cmdline().split_once(" -- ") {
        argv.extend(rest.split_ascii_whitespace());
    }
    match run_init(initramfs, init, &argv) {
        Ok(status) if status & 0x7f == 0 => {
            frame::println!("kernel: init exited with status {}", (status >> 8) & 0xff);
        }
        Ok(status) => frame::println!("kernel: init killed by signal {}", status & 0x7f),
        Err(e) => {
            frame::println!("kernel: cannot run {init}: {}", e.name());
            return Err(e);
        }
    }
    Ok(())
}
