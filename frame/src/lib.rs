//! The trusted OS framework of the framekernel.
//!
//! `frame` is the only place where the kernel touches hardware and raw memory. Everything above
//! it (services, components, the kernel image) is `#![forbid(unsafe_code)]` and reaches the
//! machine only through the safe APIs exported here:
//!
//! - [`boot`]: what the boot loader told us (command line, memory, CPU count) and the kernel
//!   entry point, registered with [`entry!`];
//! - [`mm`]: physical frames with per-frame metadata, and the kernel heap behind `alloc`;
//! - [`sync`]: spin locks that disable local interrupts, interrupt guards, sleeping mutexes;
//! - [`task`]: kernel tasks with their own stacks, context switch, preemption, wait queues;
//! - [`cpu`]: CPU identity and CPU-local storage;
//! - [`smp`]: the other CPUs: bring-up, running code on them, IPIs, TLB shootdown;
//! - [`timer`]: the periodic tick and the monotonic clock;
//! - [`console`]: the serial console ([`println!`]) and the backend of the `log` crate;
//! - [`ktest`]: the in-kernel test registry ([`ktest!`]) and its runner;
//! - [`power`]: powering the machine off with an exit status that QEMU reports;
//! - [`user`]: running user code ([`user::UserContext::run`]) on a [`mm::vm::UserSpace`].
//!
//! Architecture code lives under `arch/<name>/` behind one crate-private interface
//! (see [`arch`]). A fault in kernel mode prints a report (cause, faulting address, instruction
//! pointer, registers) and powers off with [`power::ExitStatus::KernelFault`].
//!
//! The crate is empty when built for a hosted target, so that `cargo clippy --workspace` and
//! `cargo test --workspace` work on the host; build it for `x86_64-unknown-none` or
//! `riscv64gc-unknown-none-elf` (`cargo xtask build`).

#![cfg(target_os = "none")]
#![no_std]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(missing_docs)]

extern crate alloc;

pub mod arch;
pub mod boot;
pub mod console;
pub mod cpu;
pub mod ktest;
mod logger;
pub mod mm;
mod panic;
pub mod power;
pub mod smp;
pub mod sync;
pub mod task;
pub mod timer;
mod trap;
pub mod user;

/// Registers the kernel's main function, which frame calls once the machine is set up
/// (console, traps, memory, heap, timer, interrupts on).
///
/// ```ignore
/// fn main() -> ! { frame::power::exit(frame::power::ExitStatus::Success) }
/// frame::entry!(main);
/// ```
///
/// Use it exactly once per kernel binary: a second use fails at link time with a duplicate
/// symbol, a missing one with an undefined symbol.
#[macro_export]
macro_rules! entry {
    ($main:path) => {
        #[unsafe(export_name = "__frame_kernel_main")]
        fn __frame_kernel_main() -> ! {
            let main: fn() -> ! = $main;
            main()
        }
    };
}
