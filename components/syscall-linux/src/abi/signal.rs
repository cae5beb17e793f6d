//! Signals: numbers, `sigset_t`, `struct sigaction` (two layouts), `stack_t`, and the flags
//! that go with them.
//!
//! Numbers and flags from `include/uapi/asm-generic/signal.h` and `signal-defs.h` (x86-64's
//! `arch/x86/include/uapi/asm/signal.h` has the same values). The kernel `struct sigaction`
//! that rt_sigaction(2) reads is `{handler, flags, restorer, mask}` on x86-64, which defines
//! `SA_RESTORER` (and needs it: the kernel returns from a handler through `sa_restorer`), and
//! `{handler, flags, mask}` on riscv64, which has no `SA_RESTORER` and returns through the vDSO.
//! See signal(7), sigaction(2), sigaltstack(2).

use crate::Arch;
use bitflags::bitflags;
use static_assertions::const_assert_eq;
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

/// Hangup.
pub const SIGHUP: i32 = 1;
/// Interrupt from keyboard.
pub const SIGINT: i32 = 2;
/// Quit from keyboard.
pub const SIGQUIT: i32 = 3;
/// Illegal instruction.
pub const SIGILL: i32 = 4;
/// Trace/breakpoint trap.
pub const SIGTRAP: i32 = 5;
/// Abort.
pub const SIGABRT: i32 = 6;
/// Bus error.
pub const SIGBUS: i32 = 7;
/// Floating-point exception.
pub const SIGFPE: i32 = 8;
/// Kill (cannot be caught or ignored).
pub const SIGKILL: i32 = 9;
/// User-defined signal 1.
pub const SIGUSR1: i32 = 10;
/// Invalid memory reference.
pub const SIGSEGV: i32 = 11;
/// User-defined signal 2.
pub const SIGUSR2: i32 = 12;
/// Broken pipe.
pub const SIGPIPE: i32 = 13;
/// Timer signal from alarm(2).
pub const SIGALRM: i32 = 14;
/// Termination.
pub const SIGTERM: i32 = 15;
/// Stack fault on coprocessor (unused).
pub const SIGSTKFLT: i32 = 16;
/// Child stopped or terminated.
pub const SIGCHLD: i32 = 17;
/// Continue if stopped.
pub const SIGCONT: i32 = 18;
/// Stop (cannot be caught or ignored).
pub const SIGSTOP: i32 = 19;
/// Stop typed at terminal.
pub const SIGTSTP: i32 = 20;
/// Terminal input for background process.
pub const SIGTTIN: i32 = 21;
/// Terminal output for background process.
pub const SIGTTOU: i32 = 22;
/// Urgent condition on socket.
pub const SIGURG: i32 = 23;
/// CPU time limit exceeded.
pub const SIGXCPU: i32 = 24;
/// File size limit exceeded.
pub const SIGXFSZ: i32 = 25;
/// Virtual alarm clock.
pub const SIGVTALRM: i32 = 26;
/// Profiling timer expired.
pub const SIGPROF: i32 = 27;
/// Window resize.
pub const SIGWINCH: i32 = 28;
/// I/O now possible (also `SIGPOLL`).
pub const SIGIO: i32 = 29;
/// Power failure.
pub const SIGPWR: i32 = 30;
/// Bad system call.
pub const SIGSYS: i32 = 31;
/// First real-time signal (the C library reserves the first two or three).
pub const SIGRTMIN: i32 = 32;
/// Last real-time signal.
pub const SIGRTMAX: i32 = 64;
/// Number of signals (`_NSIG`); valid numbers are `1..=NSIG`.
pub const NSIG: i32 = 64;

/// Whether `sig` is a valid signal number (`1..=64`). Zero is valid for kill(2) as "check
/// only", which callers handle before this.
pub const fn is_valid_signal(sig: i32) -> bool {
    sig >= 1 && sig <= NSIG
}

/// The name of a standard signal (`"SIGINT"`); `None` for real-time and invalid numbers.
pub const fn signal_name(sig: i32) -> Option<&'static str> {
    const NAMES: [&str; 31] = [
        "SIGHUP",
        "SIGINT",
        "SIGQUIT",
        "SIGILL",
        "SIGTRAP",
        "SIGABRT",
        "SIGBUS",
        "SIGFPE",
        "SIGKILL",
        "SIGUSR1",
        "SIGSEGV",
        "SIGUSR2",
        "SIGPIPE",
        "SIGALRM",
        "SIGTERM",
        "SIGSTKFLT",
        "SIGCHLD",
        "SIGCONT",
        "SIGSTOP",
        "SIGTSTP",
        "SIGTTIN",
        "SIGTTOU",
        "SIGURG",
        "SIGXCPU",
        "SIGXFSZ",
        "SIGVTALRM",
        "SIGPROF",
        "SIGWINCH",
        "SIGIO",
        "SIGPWR",
        "SIGSYS",
    ];
    if sig >= 1 && sig <= 31 {
        Some(NAMES[(sig - 1) as usize])
    } else {
        None
    }
}

/// What a signal does when its disposition is `SIG_DFL` (signal(7)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DefaultAction {
    /// Terminate the process.
    Term,
    /// Terminate and dump core.
    Core,
    /// Ignore.
    Ign,
    /// Stop the process.
    Stop,
    /// Continue a stopped process.
    Cont,
}

/// The default action of `sig` (real-time signals terminate); `None` if `sig` is invalid.
pub const fn default_action(sig: i32) -> Option<DefaultAction> {
    Some(match sig {
        SIGQUIT | SIGILL | SIGTRAP | SIGABRT | SIGBUS | SIGFPE | SIGSEGV | SIGXCPU | SIGXFSZ
        | SIGSYS => DefaultAction::Core,
        SIGCHLD | SIGURG | SIGWINCH => DefaultAction::Ign,
        SIGSTOP | SIGTSTP | SIGTTIN | SIGTTOU => DefaultAction::Stop,
        SIGCONT => DefaultAction::Cont,
        1..=64 => DefaultAction::Term,
        _ => return None,
    })
}

/// `sa_handler` value: default action.
pub const SIG_DFL: u64 = 0;
/// `sa_handler` value: ignore.
pub const SIG_IGN: u64 = 1;
/// Returned as the old handler on error (not stored).
pub const SIG_ERR: u64 = u64::MAX;

/// rt_sigprocmask(2) `how`: add `set` to the mask.
pub const SIG_BLOCK: i32 = 0;
/// rt_sigprocmask(2) `how`: remove `set` from the mask.
pub const SIG_UNBLOCK: i32 = 1;
/// rt_sigprocmask(2) `how`: replace the mask.
pub const SIG_SETMASK: i32 = 2;

/// The `sigsetsize` argument the kernel accepts (`sizeof(sigset_t)`); others are `EINVAL`.
pub const SIGSET_SIZE: usize = 8;

/// The kernel `sigset_t`: bit `n - 1` is signal `n`.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, FromBytes, IntoBytes, Immutable, KnownLayout,
)]
#[repr(transparent)]
pub struct SigSet(pub u64);
const_assert_eq!(size_of::<SigSet>(), 8);

impl SigSet {
    /// No signals.
    pub const EMPTY: SigSet = SigSet(0);
    /// All signals.
    pub const FULL: SigSet = SigSet(u64::MAX);
    /// The signals that can be neither blocked, caught nor ignored.
    pub const UNBLOCKABLE: SigSet = SigSet((1 << (SIGKILL - 1)) | (1 << (SIGSTOP - 1)));

    const fn bit(sig: i32) -> u64 {
        if is_valid_signal(sig) {
            1 << (sig - 1)
        } else {
            0
        }
    }

    /// The set holding `sig` alone (empty if `sig` is invalid).
    pub const fn of(sig: i32) -> SigSet {
        SigSet(Self::bit(sig))
    }

    /// Whether `sig` is in the set.
    pub const fn contains(self, sig: i32) -> bool {
        self.0 & Self::bit(sig) != 0
    }

    /// Adds `sig` (ignores invalid numbers).
    pub fn add(&mut self, sig: i32) {
        self.0 |= Self::bit(sig);
    }

    /// Removes `sig`.
    pub fn remove(&mut self, sig: i32) {
        self.0 &= !Self::bit(sig);
    }

    /// Whether no signal is in the set.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Signals in either set.
    pub const fn union(self, other: SigSet) -> SigSet {
        SigSet(self.0 | other.0)
    }

    /// Signals in both sets.
    pub const fn intersection(self, other: SigSet) -> SigSet {
        SigSet(self.0 & other.0)
    }

    /// Signals in `self` but not in `other`.
    pub const fn difference(self, other: SigSet) -> SigSet {
        SigSet(self.0 & !other.0)
    }

    /// The set without `SIGKILL` and `SIGSTOP`, as the kernel stores any signal mask.
    pub const fn blockable(self) -> SigSet {
        self.difference(Self::UNBLOCKABLE)
    }

    /// The lowest-numbered signal in the set (the next one to deliver), if any.
    pub const fn lowest(self) -> Option<i32> {
        if self.0 == 0 {
            None
        } else {
            Some(self.0.trailing_zeros() as i32 + 1)
        }
    }
}

bitflags! {
    /// `sa_flags` of `struct sigaction`.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
    pub struct SaFlags: u64 {
        /// `SA_NOCLDSTOP`: no `SIGCHLD` when children stop.
        const NOCLDSTOP = 0x0000_0001;
        /// `SA_NOCLDWAIT`: children do not become zombies.
        const NOCLDWAIT = 0x0000_0002;
        /// `SA_SIGINFO`: the handler takes `(sig, siginfo_t *, ucontext_t *)`.
        const SIGINFO = 0x0000_0004;
        /// `SA_UNSUPPORTED`: probe bit; the kernel clears it to show flag support.
        const UNSUPPORTED = 0x0000_0400;
        /// `SA_EXPOSE_TAGBITS`: keep address tag bits in `si_addr`.
        const EXPOSE_TAGBITS = 0x0000_0800;
        /// `SA_RESTORER`: `sa_restorer` is valid (x86-64 only; not defined on riscv64).
        const RESTORER = 0x0400_0000;
        /// `SA_ONSTACK`: run the handler on the alternate stack.
        const ONSTACK = 0x0800_0000;
        /// `SA_RESTART`: restart interrupted system calls.
        const RESTART = 0x1000_0000;
        /// `SA_NODEFER`: do not block the signal during its handler.
        const NODEFER = 0x4000_0000;
        /// `SA_RESETHAND`: reset to `SIG_DFL` on entry to the handler.
        const RESETHAND = 0x8000_0000;
    }
}

/// x86-64 kernel `struct sigaction` (`arch/x86/include/asm/signal.h`, as glibc's
/// `kernel_sigaction`), what rt_sigaction(2) reads and writes.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout,
)]
#[repr(C)]
pub struct SigactionX86_64 {
    /// Handler address, or `SIG_DFL` / `SIG_IGN`.
    pub sa_handler: u64,
    /// `SA_*` flags.
    pub sa_flags: u64,
    /// Return trampoline (used when `SA_RESTORER` is set, which C libraries always do).
    pub sa_restorer: u64,
    /// Signals blocked during the handler.
    pub sa_mask: SigSet,
}
const_assert_eq!(size_of::<SigactionX86_64>(), 32);

/// Generic kernel `struct sigaction` (`include/uapi/asm-generic/signal.h` without
/// `SA_RESTORER`), as riscv64 uses it.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout,
)]
#[repr(C)]
pub struct SigactionGeneric {
    /// Handler address, or `SIG_DFL` / `SIG_IGN`.
    pub sa_handler: u64,
    /// `SA_*` flags.
    pub sa_flags: u64,
    /// Signals blocked during the handler.
    pub sa_mask: SigSet,
}
const_assert_eq!(size_of::<SigactionGeneric>(), 24);

/// A signal disposition, independent of the architecture's `struct sigaction` layout.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sigaction {
    /// Handler address, or [`SIG_DFL`] / [`SIG_IGN`].
    pub handler: u64,
    /// Flags.
    pub flags: SaFlags,
    /// Return trampoline; always 0 on riscv64 (the kernel uses the vDSO's).
    pub restorer: u64,
    /// Signals blocked while the handler runs (besides the signal itself, unless `NODEFER`).
    pub mask: SigSet,
}

/// A `struct sigaction` laid out for one architecture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArchSigaction {
    /// x86-64 layout.
    X86_64(SigactionX86_64),
    /// Generic (riscv64) layout.
    Generic(SigactionGeneric),
}

impl ArchSigaction {
    /// The bytes to copy to user space.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            ArchSigaction::X86_64(s) => s.as_bytes(),
            ArchSigaction::Generic(s) => s.as_bytes(),
        }
    }
}

impl Sigaction {
    /// The size of the kernel `struct sigaction` on `arch`.
    pub const fn size(arch: Arch) -> usize {
        match arch {
            Arch::X86_64 => size_of::<SigactionX86_64>(),
            Arch::Riscv64 => size_of::<SigactionGeneric>(),
        }
    }

    /// Reads the layout of `arch` from the start of `bytes`; `None` if too short. Unknown flag
    /// bits are kept.
    pub fn from_bytes(arch: Arch, bytes: &[u8]) -> Option<Sigaction> {
        match arch {
            Arch::X86_64 => {
                let (s, _) = SigactionX86_64::read_from_prefix(bytes).ok()?;
                Some(Sigaction {
                    handler: s.sa_handler,
                    flags: SaFlags::from_bits_retain(s.sa_flags),
                    restorer: s.sa_restorer,
                    mask: s.sa_mask,
                })
            }
            Arch::Riscv64 => {
                let (s, _) = SigactionGeneric::read_from_prefix(bytes).ok()?;
                Some(Sigaction {
                    handler: s.sa_handler,
                    flags: SaFlags::from_bits_retain(s.sa_flags),
                    restorer: 0,
                    mask: s.sa_mask,
                })
            }
        }
    }

    /// The layout for `arch` (riscv64 drops `restorer`).
    pub fn to_arch(&self, arch: Arch) -> ArchSigaction {
        match arch {
            Arch::X86_64 => ArchSigaction::X86_64(SigactionX86_64 {
                sa_handler: self.handler,
                sa_flags: self.flags.bits(),
                sa_restorer: self.restorer,
                sa_mask: self.mask,
            }),
            Arch::Riscv64 => ArchSigaction::Generic(SigactionGeneric {
                sa_handler: self.handler,
                sa_flags: self.flags.bits(),
                sa_mask: self.mask,
            }),
        }
    }

    /// Whether the disposition is `SIG_DFL`.
    pub const fn is_default(&self) -> bool {
        self.handler == SIG_DFL
    }

    /// Whether the disposition is `SIG_IGN`.
    pub const fn is_ignore(&self) -> bool {
        self.handler == SIG_IGN
    }
}

/// `ss_flags`: the thread is running on the alternate stack.
pub const SS_ONSTACK: i32 = 1;
/// `ss_flags`: the alternate stack is disabled.
pub const SS_DISABLE: i32 = 2;
/// `ss_flags`: clear the alternate stack on handler entry (since Linux 4.7).
pub const SS_AUTODISARM: i32 = 1 << 31;
/// Minimum alternate-stack size (`MINSIGSTKSZ`, 2048 on both architectures); smaller is
/// `ENOMEM`.
pub const MINSIGSTKSZ: usize = 2048;
/// Suggested alternate-stack size.
pub const SIGSTKSZ: usize = 8192;

/// `stack_t`, for sigaltstack(2).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout,
)]
#[repr(C)]
pub struct StackT {
    /// Base of the stack.
    pub ss_sp: u64,
    /// `SS_*` flags.
    pub ss_flags: i32,
    /// Padding.
    pub __pad: i32,
    /// Size in bytes.
    pub ss_size: u64,
}
const_assert_eq!(size_of::<StackT>(), 24);
