//! Kernel-task context switch on x86-64.
//!
//! A switched-out task keeps only what the System V ABI says a callee preserves: `rbx`, `rbp`,
//! `r12`-`r15`, the stack pointer, and the address to resume at. Everything else was already
//! saved by the compiler around the call to `__frame_switch_context`, and the interrupt flag is
//! handled by the portable scheduler, which switches with interrupts disabled. The kernel is
//! built without SSE, so there is no FPU state to keep.

use core::arch::global_asm;

/// The saved registers of a task that is not running. Layout used by the assembly below.
#[repr(C)]
#[derive(Debug, Default)]
pub(crate) struct TaskContext {
    rsp: usize,
    rbx: usize,
    rbp: usize,
    r12: usize,
    r13: usize,
    r14: usize,
    r15: usize,
    rip: usize,
}

impl TaskContext {
    /// The context of a task that has not run yet: it starts in `entry` on the stack whose
    /// (16-byte aligned) top is `stack_top`.
    pub(crate) fn new(stack_top: usize, entry: extern "C" fn() -> !) -> Self {
        Self {
            // As if `entry` had just been called: the return-address slot makes rsp 8 mod 16.
            rsp: stack_top - 8,
            rip: entry as usize,
            ..Self::default()
        }
    }
}

global_asm!(
    ".section .text.switch, \"ax\"",
    ".global __frame_switch_context",
    "__frame_switch_context:",
    "mov [rdi + 0], rsp",
    "mov [rdi + 8], rbx",
    "mov [rdi + 16], rbp",
    "mov [rdi + 24], r12",
    "mov [rdi + 32], r13",
    "mov [rdi + 40], r14",
    "mov [rdi + 48], r15",
    "lea rax, [rip + 2f]",
    "mov [rdi + 56], rax",
    "mov rsp, [rsi + 0]",
    "mov rbx, [rsi + 8]",
    "mov rbp, [rsi + 16]",
    "mov r12, [rsi + 24]",
    "mov r13, [rsi + 32]",
    "mov r14, [rsi + 40]",
    "mov r15, [rsi + 48]",
    "jmp qword ptr [rsi + 56]",
    "2:",
    "ret",
);
