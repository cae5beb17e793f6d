//! The dispatcher: raw registers in, raw return value out, through a [`SyscallHandler`].
//!
//! A kernel's trap path reads the number and six argument registers, builds its handler (a
//! view of the current thread), calls [`dispatch`] and writes the result to the return
//! register. Unknown numbers and calls the handler does not implement return `-ENOSYS`, as
//! Linux's `sys_ni_syscall` does.

use crate::{Arch, SysResult, Syscall, SyscallHandler, Sysno, encode_result};

/// Decodes and runs one system call; returns the value for the return register (`rax` on
/// x86-64, `a0` on riscv64): the result, or `-errno`.
pub fn dispatch<H: SyscallHandler + ?Sized>(
    handler: &mut H,
    arch: Arch,
    number: usize,
    args: [usize; 6],
) -> isize {
    encode_result(dispatch_result(handler, arch, number, args))
}

/// [`dispatch`] before encoding: the handler's `SysResult`, for kernels that log or post-process
/// (restart codes, `-ERESTARTSYS` handling) before writing the return register.
pub fn dispatch_result<H: SyscallHandler + ?Sized>(
    handler: &mut H,
    arch: Arch,
    number: usize,
    args: [usize; 6],
) -> SysResult {
    Syscall::decode(arch, number, args).call(handler)
}

/// The calls of `arch` that `handler` serves, in number order: those whose handler method (the
/// [`Syscall::sysno`] they decode to) is listed in [`SyscallHandler::implemented`]. A legacy
/// call counts when the call it decodes to does (`open` when `openat` is implemented), and a
/// call without a typed variant counts when it is listed itself (the handler serves it from
/// [`SyscallHandler::unknown`]).
pub fn implemented_calls<H: SyscallHandler + ?Sized>(
    handler: &H,
    arch: Arch,
) -> impl Iterator<Item = Sysno> + '_ {
    let listed = handler.implemented();
    Sysno::table(arch).filter_map(move |(number, sysno)| {
        let served_by = Syscall::decode(arch, number, [0; 6])
            .sysno()
            .unwrap_or(sysno);
        listed.contains(&served_by).then_some(sysno)
    })
}

/// The [`Sysno`] whose handler method serves `sysno` on `arch` (`openat` for `open`), or
/// `sysno` itself when it has its own method or none; `None` if `arch` lacks `sysno`.
pub fn served_by(sysno: Sysno, arch: Arch) -> Option<Sysno> {
    let number = sysno.number(arch)?;
    Syscall::decode(arch, number, [0; 6]).sysno()
}
