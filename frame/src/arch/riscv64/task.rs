//! Kernel-task context switch on riscv64.
//!
//! A switched-out task keeps what the LP64D calling convention says a callee preserves: `ra`,
//! `sp`, `s0`-`s11` and `fs0`-`fs11` (the kernel is compiled for the D extension, and
//! `sstatus.FS` is on in the kernel). Everything else was saved by the compiler around the call
//! to `__frame_switch_context`. `tp` holds the CPU's block, not the task's, so it is not switched.

use core::arch::global_asm;

/// The saved registers of a task that is not running. Layout used by the assembly below.
#[repr(C)]
#[derive(Debug, Default)]
pub(crate) struct TaskContext {
    ra: usize,
    sp: usize,
    s: [usize; 12],
    fs: [u64; 12],
}

impl TaskContext {
    /// The context of a task that has not run yet: it starts in `entry` on the stack whose
    /// (16-byte aligned) top is `stack_top`.
    pub(crate) fn new(stack_top: usize, entry: extern "C" fn() -> !) -> Self {
        Self {
            ra: entry as usize,
            sp: stack_top,
            ..Self::default()
        }
    }
}

global_asm!(
    ".section .text.switch, \"ax\"",
    ".global __frame_switch_context",
    "__frame_switch_context:",
    // The module-level assembler does not see the target's D extension; say it here.
    ".option push",
    ".option arch, +d",
    "sd ra, 0(a0)",
    "sd sp, 8(a0)",
    ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11",
    "sd s\\n, (16 + \\n * 8)(a0)",
    "fsd fs\\n, (112 + \\n * 8)(a0)",
    ".endr",
    "ld ra, 0(a1)",
    "ld sp, 8(a1)",
    ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11",
    "ld s\\n, (16 + \\n * 8)(a1)",
    "fld fs\\n, (112 + \\n * 8)(a1)",
    ".endr",
    ".option pop",
    "ret",
);
