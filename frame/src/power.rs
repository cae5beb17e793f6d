//! Powering off, with a status that QEMU hands back to the host.
//!
//! Under QEMU the status becomes QEMU's exit code (`cargo xtask` maps it back to the value of
//! [`ExitStatus`]): x86-64 writes it to the `isa-debug-exit` port, riscv64 to the virt test
//! device.

/// Why the kernel powered off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum ExitStatus {
    /// Everything that ran succeeded.
    Success = 0,
    /// One or more in-kernel tests failed.
    TestFailed = 1,
    /// The kernel panicked.
    Panic = 2,
    /// The CPU faulted in kernel mode (the report was printed).
    KernelFault = 3,
}

/// Powers the machine off with `status`.
pub fn exit(status: ExitStatus) -> ! {
    crate::arch::exit_qemu(status as u32)
}
