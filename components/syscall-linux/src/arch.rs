//! [`Arch`]: the architectures whose system-call ABI this crate knows.

/// A Linux architecture ABI. The kernel passes its own; host tests exercise both.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Arch {
    /// x86-64 (the 64-bit ABI, not x32): `syscall` with the number in `rax` and arguments in
    /// `rdi, rsi, rdx, r10, r8, r9`; table `arch/x86/entry/syscalls/syscall_64.tbl`.
    X86_64,
    /// riscv64: `ecall` with the number in `a7` and arguments in `a0..a5`; the generic table
    /// `include/uapi/asm-generic/unistd.h`.
    Riscv64,
}

impl Arch {
    /// Both architectures.
    pub const ALL: [Arch; 2] = [Arch::X86_64, Arch::Riscv64];

    /// The architecture this code is compiled for, if it is one of ours.
    pub const fn native() -> Option<Arch> {
        if cfg!(target_arch = "x86_64") {
            Some(Arch::X86_64)
        } else if cfg!(target_arch = "riscv64") {
            Some(Arch::Riscv64)
        } else {
            None
        }
    }

    /// The name Linux and Rust use for it (`"x86_64"`, `"riscv64"`).
    pub const fn name(self) -> &'static str {
        match self {
            Arch::X86_64 => "x86_64",
            Arch::Riscv64 => "riscv64",
        }
    }

    /// Whether the architecture uses the generic (`asm-generic`) layouts for `struct stat`,
    /// `struct sigaction` (no `sa_restorer`) and `struct epoll_event` (not packed).
    pub const fn is_generic(self) -> bool {
        matches!(self, Arch::Riscv64)
    }
}

impl core::fmt::Display for Arch {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}
