//! Decoding raw registers into typed calls on both architectures.

use syscall_linux::abi::fcntl::{AT_FDCWD, AtFlags, OpenFlags, RenameFlags};
use syscall_linux::abi::mman::{MmapFlags, MmapProt};
use syscall_linux::abi::sched::CloneFlags;
use syscall_linux::abi::signal::SIGCHLD;
use syscall_linux::abi::wait::WaitOptions;
use syscall_linux::{Arch, Syscall, Sysno, UserAddr, served_by};

fn nr(s: Sysno, arch: Arch) -> usize {
    s.number(arch).unwrap()
}

fn decode(arch: Arch, s: Sysno, args: [usize; 6]) -> Syscall {
    Syscall::decode(arch, nr(s, arch), args)
}

#[test]
fn clone_argument_order_per_arch() {
    let flags = (CloneFlags::VM
        | CloneFlags::FS
        | CloneFlags::FILES
        | CloneFlags::SIGHAND
        | CloneFlags::THREAD
        | CloneFlags::SETTLS
        | CloneFlags::PARENT_SETTID
        | CloneFlags::CHILD_CLEARTID)
        .bits() as usize;
    let expected = Syscall::Clone {
        flags: CloneFlags::from_bits_retain(flags as u64),
        exit_signal: 0,
        stack: UserAddr(0x7000),
        parent_tid: UserAddr(0x1111),
        child_tid: UserAddr(0x2222),
        tls: 0x3333,
    };
    // x86-64: flags, stack, parent_tid, child_tid, tls.
    let x = Syscall::decode(Arch::X86_64, 56, [flags, 0x7000, 0x1111, 0x2222, 0x3333, 0]);
    assert_eq!(x, expected);
    // riscv64 (CONFIG_CLONE_BACKWARDS): flags, stack, parent_tid, tls, child_tid.
    let r = Syscall::decode(
        Arch::Riscv64,
        220,
        [flags, 0x7000, 0x1111, 0x3333, 0x2222, 0],
    );
    assert_eq!(r, expected);

    // The exit signal is split off the low byte.
    let fork_like = Syscall::decode(Arch::Riscv64, 220, [SIGCHLD as usize, 0, 0, 0, 0, 0]);
    let Syscall::Clone {
        flags,
        exit_signal,
        stack,
        ..
    } = fork_like
    else {
        panic!()
    };
    assert_eq!(
        (flags, exit_signal, stack),
        (CloneFlags::empty(), 17, UserAddr::NULL)
    );
}

#[test]
fn fork_and_vfork_are_clone() {
    let fork = Syscall::decode(Arch::X86_64, 57, [9; 6]);
    assert_eq!(
        fork,
        Syscall::Clone {
            flags: CloneFlags::empty(),
            exit_signal: 17,
            stack: UserAddr::NULL,
            parent_tid: UserAddr::NULL,
            child_tid: UserAddr::NULL,
            tls: 0,
        }
    );
    let Syscall::Clone {
        flags, exit_signal, ..
    } = Syscall::decode(Arch::X86_64, 58, [0; 6])
    else {
        panic!()
    };
    assert_eq!(flags, CloneFlags::VM | CloneFlags::VFORK);
    assert_eq!(exit_signal, 17);
    assert_eq!(fork.sysno(), Some(Sysno::clone));
}

#[test]
fn open_family_on_x86_64() {
    let flags = (OpenFlags::CREAT | OpenFlags::WRONLY | OpenFlags::CLOEXEC).bits() as usize;
    let open = Syscall::decode(Arch::X86_64, 2, [0x1000, flags, 0o644, 0, 0, 0]);
    assert_eq!(
        open,
        Syscall::Openat {
            dirfd: AT_FDCWD,
            path: UserAddr(0x1000),
            flags: OpenFlags::from_bits_retain(flags as u32),
            mode: 0o644,
        }
    );
    let creat = decode(Arch::X86_64, Sysno::creat, [0x1000, 0o600, 0, 0, 0, 0]);
    let Syscall::Openat { flags, mode, .. } = creat else {
        panic!()
    };
    assert_eq!(
        flags,
        OpenFlags::CREAT | OpenFlags::WRONLY | OpenFlags::TRUNC
    );
    assert_eq!(mode, 0o600);
    // openat on both: dirfd is an int (the low 32 bits), mode a umode_t (the low 16).
    for arch in Arch::ALL {
        let c = decode(
            arch,
            Sysno::openat,
            [0xffff_ff9c, 0x2000, 0, 0x1_0000_01a4, 0, 0],
        );
        assert_eq!(
            c,
            Syscall::Openat {
                dirfd: -100,
                path: UserAddr(0x2000),
                flags: OpenFlags::empty(),
                mode: 0o644,
            }
        );
    }
}

#[test]
fn stat_family() {
    let stat = decode(Arch::X86_64, Sysno::stat, [0x10, 0x20, 0, 0, 0, 0]);
    let lstat = decode(Arch::X86_64, Sysno::lstat, [0x10, 0x20, 0, 0, 0, 0]);
    let expected = |flags| Syscall::Newfstatat {
        dirfd: AT_FDCWD,
        path: UserAddr(0x10),
        statbuf: UserAddr(0x20),
        flags,
    };
    assert_eq!(stat, expected(AtFlags::empty()));
    assert_eq!(lstat, expected(AtFlags::SYMLINK_NOFOLLOW));
    let at = Syscall::decode(Arch::Riscv64, 79, [3, 0x10, 0x20, 0x1000, 0, 0]);
    assert_eq!(
        at,
        Syscall::Newfstatat {
            dirfd: 3,
            path: UserAddr(0x10),
            statbuf: UserAddr(0x20),
            flags: AtFlags::EMPTY_PATH,
        }
    );
    assert_eq!(
        Syscall::decode(Arch::Riscv64, 80, [5, 0x30, 0, 0, 0, 0]),
        Syscall::Fstat {
            fd: 5,
            statbuf: UserAddr(0x30)
        }
    );
}

#[test]
fn path_legacy_calls() {
    let x = Arch::X86_64;
    assert_eq!(
        decode(x, Sysno::rmdir, [0x10, 0, 0, 0, 0, 0]),
        Syscall::Unlinkat {
            dirfd: AT_FDCWD,
            path: UserAddr(0x10),
            flags: AtFlags::REMOVEDIR
        }
    );
    assert_eq!(
        decode(x, Sysno::unlink, [0x10, 0, 0, 0, 0, 0]),
        Syscall::Unlinkat {
            dirfd: AT_FDCWD,
            path: UserAddr(0x10),
            flags: AtFlags::empty()
        }
    );
    assert_eq!(
        decode(x, Sysno::rename, [0x10, 0x20, 0, 0, 0, 0]),
        Syscall::Renameat2 {
            olddirfd: AT_FDCWD,
            oldpath: UserAddr(0x10),
            newdirfd: AT_FDCWD,
            newpath: UserAddr(0x20),
            flags: RenameFlags::empty(),
        }
    );
    assert_eq!(
        decode(x, Sysno::mkdir, [0x10, 0o755, 0, 0, 0, 0]),
        Syscall::Mkdirat {
            dirfd: AT_FDCWD,
            path: UserAddr(0x10),
            mode: 0o755
        }
    );
    assert_eq!(
        decode(x, Sysno::pipe, [0x10, 0, 0, 0, 0, 0]),
        Syscall::Pipe2 {
            fds: UserAddr(0x10),
            flags: OpenFlags::empty()
        }
    );
    assert_eq!(
        decode(x, Sysno::readlink, [0x10, 0x20, 64, 0, 0, 0]),
        Syscall::Readlinkat {
            dirfd: AT_FDCWD,
            path: UserAddr(0x10),
            buf: UserAddr(0x20),
            bufsiz: 64
        }
    );
    assert_eq!(
        decode(x, Sysno::access, [0x10, 4, 0, 0, 0, 0]),
        Syscall::Faccessat {
            dirfd: AT_FDCWD,
            path: UserAddr(0x10),
            mode: 4,
            flags: AtFlags::empty()
        }
    );
    assert_eq!(
        decode(x, Sysno::getpgrp, [0; 6]),
        Syscall::Getpgid { pid: 0 }
    );
    assert_eq!(
        decode(x, Sysno::dup2, [3, 1, 0, 0, 0, 0]),
        Syscall::Dup2 { oldfd: 3, newfd: 1 }
    );
    // faccessat has no flags argument: garbage in the 4th register is not flags.
    assert_eq!(
        decode(Arch::Riscv64, Sysno::faccessat, [3, 0x10, 2, 0x200, 0, 0]),
        Syscall::Faccessat {
            dirfd: 3,
            path: UserAddr(0x10),
            mode: 2,
            flags: AtFlags::empty()
        }
    );
    assert_eq!(
        decode(Arch::Riscv64, Sysno::faccessat2, [3, 0x10, 2, 0x200, 0, 0]),
        Syscall::Faccessat {
            dirfd: 3,
            path: UserAddr(0x10),
            mode: 2,
            flags: AtFlags::EACCESS
        }
    );
}

#[test]
fn rlimits_map_to_prlimit64_on_both() {
    for arch in Arch::ALL {
        assert_eq!(
            decode(arch, Sysno::getrlimit, [7, 0x100, 0, 0, 0, 0]),
            Syscall::Prlimit64 {
                pid: 0,
                resource: 7,
                new_limit: UserAddr::NULL,
                old_limit: UserAddr(0x100)
            }
        );
        assert_eq!(
            decode(arch, Sysno::setrlimit, [7, 0x100, 0, 0, 0, 0]),
            Syscall::Prlimit64 {
                pid: 0,
                resource: 7,
                new_limit: UserAddr(0x100),
                old_limit: UserAddr::NULL
            }
        );
    }
}

#[test]
fn common_calls_on_both() {
    for arch in Arch::ALL {
        assert_eq!(
            decode(arch, Sysno::write, [1, 0x5000, 12, 9, 9, 9]),
            Syscall::Write {
                fd: 1,
                buf: UserAddr(0x5000),
                count: 12
            }
        );
        assert_eq!(
            decode(arch, Sysno::close, [usize::MAX, 0, 0, 0, 0, 0]),
            Syscall::Close { fd: -1 }
        );
        let prot = (MmapProt::READ | MmapProt::WRITE).bits() as usize;
        let flags = (MmapFlags::PRIVATE | MmapFlags::ANONYMOUS).bits() as usize;
        assert_eq!(
            decode(arch, Sysno::mmap, [0, 8192, prot, flags, usize::MAX, 0]),
            Syscall::Mmap {
                addr: UserAddr::NULL,
                len: 8192,
                prot: MmapProt::READ | MmapProt::WRITE,
                flags: MmapFlags::PRIVATE | MmapFlags::ANONYMOUS,
                fd: -1,
                offset: 0,
            }
        );
        assert_eq!(
            decode(arch, Sysno::wait4, [usize::MAX, 0x10, 1, 0, 0, 0]),
            Syscall::Wait4 {
                pid: -1,
                wstatus: UserAddr(0x10),
                options: WaitOptions::NOHANG,
                rusage: UserAddr::NULL,
            }
        );
        assert_eq!(
            decode(arch, Sysno::lseek, [3, (-5i64) as usize, 2, 0, 0, 0]),
            Syscall::Lseek {
                fd: 3,
                offset: -5,
                whence: 2
            }
        );
        assert_eq!(
            decode(arch, Sysno::exit_group, [0x1_0000_0002, 0, 0, 0, 0, 0]),
            Syscall::ExitGroup { status: 2 }
        );
        assert_eq!(
            decode(arch, Sysno::rt_sigaction, [2, 0x10, 0x20, 8, 0, 0]),
            Syscall::RtSigaction {
                sig: 2,
                act: UserAddr(0x10),
                oldact: UserAddr(0x20),
                sigsetsize: 8
            }
        );
        assert_eq!(
            decode(arch, Sysno::getpid, [1, 2, 3, 4, 5, 6]),
            Syscall::Getpid {}
        );
        assert_eq!(
            decode(arch, Sysno::futex, [0x10, 129, 1, 0, 0, 0]),
            Syscall::Futex {
                uaddr: UserAddr(0x10),
                op: 129,
                val: 1,
                timeout: UserAddr::NULL,
                uaddr2: UserAddr::NULL,
                val3: 0,
            }
        );
    }
}

#[test]
fn arch_specific_calls() {
    assert_eq!(
        Syscall::decode(Arch::X86_64, 158, [0x1002, 0x7fff_0000, 0, 0, 0, 0]),
        Syscall::ArchPrctl {
            code: 0x1002,
            addr: 0x7fff_0000
        }
    );
    assert_eq!(
        Syscall::decode(Arch::Riscv64, 259, [0x1000, 0x2000, 1, 0, 0, 0]),
        Syscall::RiscvFlushIcache {
            start: UserAddr(0x1000),
            end: UserAddr(0x2000),
            flags: 1
        }
    );
    // The same numbers mean other calls on the other architecture.
    assert_eq!(
        Syscall::decode(Arch::Riscv64, 158, [0; 6]).sysno(),
        Some(Sysno::getgroups)
    );
    assert!(matches!(
        Syscall::decode(Arch::X86_64, 259, [0; 6]),
        Syscall::Mknodat { dirfd: 0, .. }
    ));
}

#[test]
fn unknown_numbers() {
    for arch in Arch::ALL {
        let args = [1, 2, 3, 4, 5, 6];
        assert_eq!(
            Syscall::decode(arch, 1000, args),
            Syscall::Unknown {
                sysno: None,
                number: 1000,
                args
            }
        );
        // Known, but without a typed variant.
        let n = nr(Sysno::io_uring_setup, arch);
        assert_eq!(
            Syscall::decode(arch, n, args),
            Syscall::Unknown {
                sysno: Some(Sysno::io_uring_setup),
                number: n,
                args
            }
        );
    }
    assert_eq!(
        Syscall::decode(Arch::Riscv64, 38, [0; 6]),
        Syscall::Unknown {
            sysno: None,
            number: 38,
            args: [0; 6]
        }
    );
}

#[test]
fn every_number_decodes_consistently() {
    let mut typed = 0;
    for arch in Arch::ALL {
        for (n, s) in Sysno::table(arch) {
            let c = Syscall::decode(arch, n, [0; 6]);
            let by = c.sysno().expect("known number");
            // Either the call's own method, or an existing method it is an alias of.
            assert!(
                by == s || Syscall::TYPED.contains(&by),
                "{arch} {s} -> {by}"
            );
            assert_eq!(
                Syscall::TYPED.contains(&s),
                by == s && !matches!(c, Syscall::Unknown { .. })
            );
            assert_eq!(served_by(s, arch), Some(by));
            typed += usize::from(!matches!(c, Syscall::Unknown { .. }));
        }
    }
    assert!(typed > 250, "{typed}");
    // Every typed method is reachable on at least one architecture.
    for s in Syscall::TYPED {
        assert!(Arch::ALL.iter().any(|&a| s.exists_on(a)), "{s}");
    }
    assert_eq!(served_by(Sysno::open, Arch::X86_64), Some(Sysno::openat));
    assert_eq!(served_by(Sysno::open, Arch::Riscv64), None);
    assert_eq!(served_by(Sysno::fork, Arch::X86_64), Some(Sysno::clone));
}
