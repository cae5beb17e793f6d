//! Dispatch through a toy handler on both architectures, and the implemented-call listing.

use syscall_linux::abi::fcntl::{AT_FDCWD, OpenFlags};
use syscall_linux::{
    Arch, Errno, SysResult, Syscall, SyscallHandler, Sysno, UserAddr, dispatch, dispatch_result,
    implemented_calls,
};

/// A toy kernel: a few calls, and a log of what it was asked.
#[derive(Default)]
struct Toy {
    log: Vec<String>,
}

impl SyscallHandler for Toy {
    fn implemented(&self) -> &'static [Sysno] {
        &[
            Sysno::getpid,
            Sysno::write,
            Sysno::openat,
            Sysno::clone,
            Sysno::sched_getaffinity,
        ]
    }

    fn getpid(&mut self) -> SysResult {
        Ok(42)
    }

    fn write(&mut self, fd: i32, _buf: UserAddr, count: usize) -> SysResult {
        if fd != 1 {
            return Err(Errno::EBADF);
        }
        Ok(count)
    }

    fn openat(&mut self, dirfd: i32, path: UserAddr, flags: OpenFlags, mode: u32) -> SysResult {
        self.log.push(format!(
            "openat({dirfd}, {path:?}, {:#o}, {mode:#o})",
            flags.bits()
        ));
        Ok(3)
    }

    fn clone(
        &mut self,
        flags: syscall_linux::abi::sched::CloneFlags,
        exit_signal: u32,
        _stack: UserAddr,
        _parent_tid: UserAddr,
        child_tid: UserAddr,
        tls: usize,
    ) -> SysResult {
        self.log.push(format!(
            "clone({:#x}, {exit_signal}, {child_tid:?}, {tls:#x})",
            flags.bits()
        ));
        Ok(100)
    }

    // A call without a typed variant, served from the raw registers.
    fn unknown(&mut self, sysno: Option<Sysno>, number: usize, args: [usize; 6]) -> SysResult {
        match sysno {
            Some(Sysno::membarrier) => Ok(args[0]),
            _ => {
                self.log.push(format!("unknown {number}"));
                Err(Errno::ENOSYS)
            }
        }
    }
}

const ENOSYS: isize = -38;

#[test]
fn known_calls_on_both_arches() {
    let mut k = Toy::default();
    assert_eq!(dispatch(&mut k, Arch::X86_64, 39, [0; 6]), 42); // getpid
    assert_eq!(dispatch(&mut k, Arch::Riscv64, 172, [0; 6]), 42); // getpid
    assert_eq!(
        dispatch(&mut k, Arch::X86_64, 1, [1, 0x1000, 7, 0, 0, 0]),
        7
    ); // write
    assert_eq!(
        dispatch(&mut k, Arch::Riscv64, 64, [1, 0x1000, 7, 0, 0, 0]),
        7
    ); // write
    assert_eq!(
        dispatch(&mut k, Arch::Riscv64, 64, [2, 0x1000, 7, 0, 0, 0]),
        -9
    ); // EBADF
    assert_eq!(
        dispatch_result(&mut k, Arch::X86_64, 1, [5, 0, 0, 0, 0, 0]),
        Err(Errno::EBADF)
    );
}

#[test]
fn legacy_call_reaches_the_new_method() {
    let mut k = Toy::default();
    // x86-64 open("..", O_RDONLY|O_CLOEXEC, 0) -> openat(AT_FDCWD, ..).
    assert_eq!(
        dispatch(&mut k, Arch::X86_64, 2, [0x4000, 0o2000000, 0, 0, 0, 0]),
        3
    );
    assert_eq!(
        k.log,
        [format!("openat({AT_FDCWD}, 0x4000, 0o2000000, 0o0)")]
    );
    // x86-64 fork() -> clone(SIGCHLD).
    assert_eq!(dispatch(&mut k, Arch::X86_64, 57, [0; 6]), 100);
    assert_eq!(k.log[1], "clone(0x0, 17, 0x0, 0x0)");
    // riscv64 clone: tls is the 4th argument, child_tid the 5th.
    assert_eq!(
        dispatch(&mut k, Arch::Riscv64, 220, [0x100, 0, 0, 0xaaa, 0xbbb, 0]),
        100
    );
    assert_eq!(k.log[2], "clone(0x100, 0, 0xbbb, 0xaaa)");
}

#[test]
fn unimplemented_and_unknown_calls_return_enosys() {
    let mut k = Toy::default();
    for arch in Arch::ALL {
        // Typed but not implemented by the toy.
        assert_eq!(
            dispatch(
                &mut k,
                arch,
                Sysno::close.number(arch).unwrap(),
                [3, 0, 0, 0, 0, 0]
            ),
            ENOSYS
        );
        assert_eq!(
            dispatch(&mut k, arch, Sysno::uname.number(arch).unwrap(), [0; 6]),
            ENOSYS
        );
        // Not a number on this arch at all.
        assert_eq!(dispatch(&mut k, arch, 999, [0; 6]), ENOSYS);
        assert_eq!(dispatch(&mut k, arch, usize::MAX, [0; 6]), ENOSYS);
        // Known, untyped, and not handled by the toy's `unknown`.
        let n = Sysno::io_uring_enter.number(arch).unwrap();
        assert_eq!(dispatch(&mut k, arch, n, [0; 6]), ENOSYS);
        // Known, untyped, handled from the raw registers.
        let n = Sysno::membarrier.number(arch).unwrap();
        assert_eq!(dispatch(&mut k, arch, n, [5, 0, 0, 0, 0, 0]), 5);
    }
    assert_eq!(k.log.iter().filter(|l| l.starts_with("unknown")).count(), 6);
    // riscv64 has no `open`: number 2 is io_submit there, untyped.
    assert_eq!(
        dispatch(&mut k, Arch::Riscv64, 2, [0x4000, 0, 0, 0, 0, 0]),
        ENOSYS
    );
}

#[test]
fn a_handler_that_implements_nothing() {
    struct Nothing;
    impl SyscallHandler for Nothing {}
    for arch in Arch::ALL {
        for (n, _) in Sysno::table(arch) {
            assert_eq!(dispatch(&mut Nothing, arch, n, [0; 6]), ENOSYS);
        }
        assert_eq!(implemented_calls(&Nothing, arch).count(), 0);
    }
}

#[test]
fn implemented_calls_per_arch() {
    let k = Toy::default();
    let x86: Vec<_> = implemented_calls(&k, Arch::X86_64).collect();
    assert_eq!(
        x86,
        [
            Sysno::write,
            Sysno::open,
            Sysno::getpid,
            Sysno::clone,
            Sysno::fork,
            Sysno::vfork,
            Sysno::creat,
            Sysno::sched_getaffinity,
            Sysno::openat,
        ]
    );
    let rv: Vec<_> = implemented_calls(&k, Arch::Riscv64).collect();
    assert_eq!(
        rv,
        [
            Sysno::openat,
            Sysno::write,
            Sysno::sched_getaffinity,
            Sysno::getpid,
            Sysno::clone
        ]
    );
    // The listing follows the table order.
    let numbers: Vec<_> = rv
        .iter()
        .map(|s| s.number(Arch::Riscv64).unwrap())
        .collect();
    assert!(numbers.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn decoded_calls_can_be_logged_then_run() {
    let mut k = Toy::default();
    let call = Syscall::decode(Arch::Riscv64, 64, [1, 0x10, 3, 0, 0, 0]);
    assert_eq!(format!("{call:?}"), "Write { fd: 1, buf: 0x10, count: 3 }");
    assert_eq!(call.sysno(), Some(Sysno::write));
    assert_eq!(call.call(&mut k), Ok(3));
}
