//! Signal numbers and the signals that CPU exceptions raise (see signal(7)).

use frame::user::ExceptionKind;

/// Hangup.
pub const SIGHUP: u32 = 1;
/// Interrupt from the keyboard.
pub const SIGINT: u32 = 2;
/// Illegal instruction.
pub const SIGILL: u32 = 4;
/// Trace or breakpoint trap.
pub const SIGTRAP: u32 = 5;
/// Abort.
pub const SIGABRT: u32 = 6;
/// Bus error.
pub const SIGBUS: u32 = 7;
/// Floating-point exception.
pub const SIGFPE: u32 = 8;
/// Kill, which cannot be caught.
pub const SIGKILL: u32 = 9;
/// Invalid memory reference.
pub const SIGSEGV: u32 = 11;
/// Write to a pipe with no readers.
pub const SIGPIPE: u32 = 13;
/// Termination.
pub const SIGTERM: u32 = 15;
/// Child stopped or terminated.
pub const SIGCHLD: u32 = 17;

/// The signal Linux sends for a CPU exception in user mode.
pub fn for_exception(kind: ExceptionKind) -> u32 {
    match kind {
        ExceptionKind::IllegalInstruction => SIGILL,
        ExceptionKind::DivideError | ExceptionKind::FloatingPoint => SIGFPE,
        ExceptionKind::Breakpoint | ExceptionKind::Debug => SIGTRAP,
        ExceptionKind::Alignment | ExceptionKind::AccessFault => SIGBUS,
        ExceptionKind::Protection => SIGSEGV,
    }
}

/// Whether the default action of `sig` terminates the process (signal(7)); stop, continue and
/// ignore actions are not terminations.
pub fn default_terminates(sig: u32) -> bool {
    !matches!(sig, SIGCHLD | 18..=23 | 28)
}
