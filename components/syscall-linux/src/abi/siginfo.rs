//! `siginfo_t` (128 bytes on every Linux architecture) and the `si_code` values.
//!
//! Layout from `include/uapi/asm-generic/siginfo.h` for 64-bit architectures (x86-64 and
//! riscv64 both use it): `si_signo`, `si_errno`, `si_code`, 4 bytes of padding, then the union
//! `_sifields` at offset 16. See sigaction(2) for which fields each kind of signal fills.

use static_assertions::const_assert_eq;
use zerocopy::{FromBytes, FromZeros, Immutable, IntoBytes, KnownLayout};

/// `si_code`: sent by kill(2) or raise(3).
pub const SI_USER: i32 = 0;
/// `si_code`: sent by the kernel.
pub const SI_KERNEL: i32 = 0x80;
/// `si_code`: sent by sigqueue(3).
pub const SI_QUEUE: i32 = -1;
/// `si_code`: POSIX timer expired.
pub const SI_TIMER: i32 = -2;
/// `si_code`: POSIX message queue state changed.
pub const SI_MESGQ: i32 = -3;
/// `si_code`: AIO completed.
pub const SI_ASYNCIO: i32 = -4;
/// `si_code`: queued `SIGIO`.
pub const SI_SIGIO: i32 = -5;
/// `si_code`: sent by tkill(2) or tgkill(2).
pub const SI_TKILL: i32 = -6;

/// `SIGCHLD` code: child exited.
pub const CLD_EXITED: i32 = 1;
/// `SIGCHLD` code: child was killed.
pub const CLD_KILLED: i32 = 2;
/// `SIGCHLD` code: child was killed and dumped core.
pub const CLD_DUMPED: i32 = 3;
/// `SIGCHLD` code: traced child trapped.
pub const CLD_TRAPPED: i32 = 4;
/// `SIGCHLD` code: child stopped.
pub const CLD_STOPPED: i32 = 5;
/// `SIGCHLD` code: stopped child continued.
pub const CLD_CONTINUED: i32 = 6;

/// `SIGSEGV` code: address not mapped.
pub const SEGV_MAPERR: i32 = 1;
/// `SIGSEGV` code: invalid permissions for mapped object.
pub const SEGV_ACCERR: i32 = 2;
/// `SIGBUS` code: invalid address alignment.
pub const BUS_ADRALN: i32 = 1;
/// `SIGBUS` code: nonexistent physical address.
pub const BUS_ADRERR: i32 = 2;
/// `SIGBUS` code: object-specific hardware error (e.g. past the end of a mapped file).
pub const BUS_OBJERR: i32 = 3;
/// `SIGILL` code: illegal opcode.
pub const ILL_ILLOPC: i32 = 1;
/// `SIGILL` code: privileged opcode.
pub const ILL_PRVOPC: i32 = 5;
/// `SIGFPE` code: integer divide by zero.
pub const FPE_INTDIV: i32 = 1;
/// `SIGTRAP` code: process breakpoint.
pub const TRAP_BRKPT: i32 = 1;
/// `SIGSYS` code: seccomp-triggered.
pub const SYS_SECCOMP: i32 = 1;

/// `siginfo_t`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
pub struct Siginfo {
    /// Signal number.
    pub si_signo: i32,
    /// An errno value (generally 0).
    pub si_errno: i32,
    /// Why the signal was sent (`SI_*`, `CLD_*`, `SEGV_*`, ...).
    pub si_code: i32,
    /// Padding before the 8-byte aligned union.
    pub __pad: i32,
    /// The union `_sifields`; use the constructors and accessors.
    pub fields: [u64; 14],
}
const_assert_eq!(size_of::<Siginfo>(), 128);

impl Default for Siginfo {
    fn default() -> Self {
        Siginfo::new_zeroed()
    }
}

/// Byte offsets inside `_sifields` (i.e. from offset 16 of `siginfo_t`).
mod off {
    pub const PID: usize = 0;
    pub const UID: usize = 4;
    pub const STATUS: usize = 8;
    pub const UTIME: usize = 16;
    pub const STIME: usize = 24;
    pub const ADDR: usize = 0;
    pub const VALUE: usize = 8;
}

impl Siginfo {
    /// A siginfo with only signal and code set.
    pub fn new(signo: i32, code: i32) -> Siginfo {
        Siginfo {
            si_signo: signo,
            si_code: code,
            ..Siginfo::default()
        }
    }

    /// For a signal sent by a process (`kill`, `tgkill`: `SI_USER` / `SI_TKILL`): `_kill`.
    pub fn from_process(signo: i32, code: i32, pid: i32, uid: u32) -> Siginfo {
        let mut s = Siginfo::new(signo, code);
        s.set_i32(off::PID, pid);
        s.set_i32(off::UID, uid as i32);
        s
    }

    /// For a queued signal with a value (`rt_sigqueueinfo`, POSIX timers): `_rt`.
    pub fn with_value(signo: i32, code: i32, pid: i32, uid: u32, value: u64) -> Siginfo {
        let mut s = Siginfo::from_process(signo, code, pid, uid);
        s.set_u64(off::VALUE, value);
        s
    }

    /// `SIGCHLD` for a child state change (`CLD_*`): `_sigchld`. `status` is the exit code for
    /// `CLD_EXITED` and the signal otherwise; times are in clock ticks.
    pub fn child(code: i32, pid: i32, uid: u32, status: i32, utime: i64, stime: i64) -> Siginfo {
        let mut s = Siginfo::from_process(super::signal::SIGCHLD, code, pid, uid);
        s.set_i32(off::STATUS, status);
        s.set_u64(off::UTIME, utime as u64);
        s.set_u64(off::STIME, stime as u64);
        s
    }

    /// A fault (`SIGSEGV`, `SIGBUS`, `SIGILL`, `SIGFPE`, `SIGTRAP`) at `addr`: `_sigfault`.
    pub fn fault(signo: i32, code: i32, addr: u64) -> Siginfo {
        let mut s = Siginfo::new(signo, code);
        s.set_u64(off::ADDR, addr);
        s
    }

    /// `si_pid` (kill, rt, sigchld).
    pub fn pid(&self) -> i32 {
        self.get_i32(off::PID)
    }

    /// `si_uid` (kill, rt, sigchld).
    pub fn uid(&self) -> u32 {
        self.get_i32(off::UID) as u32
    }

    /// `si_status` (sigchld).
    pub fn status(&self) -> i32 {
        self.get_i32(off::STATUS)
    }

    /// `si_utime` (sigchld).
    pub fn utime(&self) -> i64 {
        self.get_u64(off::UTIME) as i64
    }

    /// `si_stime` (sigchld).
    pub fn stime(&self) -> i64 {
        self.get_u64(off::STIME) as i64
    }

    /// `si_addr` (faults).
    pub fn addr(&self) -> u64 {
        self.get_u64(off::ADDR)
    }

    /// `si_value` (rt, timers).
    pub fn value(&self) -> u64 {
        self.get_u64(off::VALUE)
    }

    fn set_i32(&mut self, at: usize, v: i32) {
        self.fields.as_mut_bytes()[at..at + 4].copy_from_slice(&v.to_ne_bytes());
    }

    fn set_u64(&mut self, at: usize, v: u64) {
        self.fields.as_mut_bytes()[at..at + 8].copy_from_slice(&v.to_ne_bytes());
    }

    fn get_i32(&self, at: usize) -> i32 {
        let mut b = [0; 4];
        b.copy_from_slice(&self.fields.as_bytes()[at..at + 4]);
        i32::from_ne_bytes(b)
    }

    fn get_u64(&self, at: usize) -> u64 {
        let mut b = [0; 8];
        b.copy_from_slice(&self.fields.as_bytes()[at..at + 8]);
        u64::from_ne_bytes(b)
    }
}
