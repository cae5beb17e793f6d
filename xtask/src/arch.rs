//! The two kernel architectures and what differs between them on the host side.

use std::fmt;

/// A kernel architecture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arch {
    /// x86-64, booted through the PVH note on `-machine q35`.
    X86_64,
    /// riscv64, booted by OpenSBI on `-machine virt`.
    Riscv64,
}

impl Arch {
    /// Both architectures, in test order.
    pub const ALL: [Arch; 2] = [Arch::X86_64, Arch::Riscv64];

    /// Parses `x86_64` / `riscv64` (and the common aliases).
    pub fn parse(name: &str) -> Result<Self, String> {
        match name {
            "x86_64" | "x86-64" | "amd64" => Ok(Arch::X86_64),
            "riscv64" | "riscv" | "rv64" => Ok(Arch::Riscv64),
            _ => Err(format!(
                "unknown architecture `{name}` (expected x86_64 or riscv64)"
            )),
        }
    }

    /// The bare-metal Rust target.
    pub fn target(self) -> &'static str {
        match self {
            Arch::X86_64 => "x86_64-unknown-none",
            Arch::Riscv64 => "riscv64gc-unknown-none-elf",
        }
    }

    /// The QEMU system emulator binary.
    pub fn qemu(self) -> &'static str {
        match self {
            Arch::X86_64 => "qemu-system-x86_64",
            Arch::Riscv64 => "qemu-system-riscv64",
        }
    }
}

impl fmt::Display for Arch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Arch::X86_64 => "x86_64",
            Arch::Riscv64 => "riscv64",
        })
    }
}
