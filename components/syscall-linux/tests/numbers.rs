//! System-call numbers: pinned well-known values on both architectures, table consistency.

use syscall_linux::{Arch, Sysno};

fn check(arch: Arch, pins: &[(Sysno, usize)]) {
    for &(sysno, nr) in pins {
        assert_eq!(sysno.number(arch), Some(nr), "{arch} {sysno}");
        assert_eq!(Sysno::from_number(arch, nr), Some(sysno), "{arch} {nr}");
    }
}

#[test]
fn x86_64_numbers() {
    use Sysno as S;
    check(
        Arch::X86_64,
        &[
            (S::read, 0),
            (S::write, 1),
            (S::open, 2),
            (S::close, 3),
            (S::stat, 4),
            (S::fstat, 5),
            (S::lstat, 6),
            (S::poll, 7),
            (S::lseek, 8),
            (S::mmap, 9),
            (S::mprotect, 10),
            (S::munmap, 11),
            (S::brk, 12),
            (S::rt_sigaction, 13),
            (S::rt_sigprocmask, 14),
            (S::rt_sigreturn, 15),
            (S::ioctl, 16),
            (S::pread64, 17),
            (S::writev, 20),
            (S::access, 21),
            (S::pipe, 22),
            (S::select, 23),
            (S::sched_yield, 24),
            (S::madvise, 28),
            (S::dup, 32),
            (S::dup2, 33),
            (S::nanosleep, 35),
            (S::getpid, 39),
            (S::sendfile, 40),
            (S::socket, 41),
            (S::clone, 56),
            (S::fork, 57),
            (S::vfork, 58),
            (S::execve, 59),
            (S::exit, 60),
            (S::wait4, 61),
            (S::kill, 62),
            (S::uname, 63),
            (S::fcntl, 72),
            (S::getcwd, 79),
            (S::chdir, 80),
            (S::mkdir, 83),
            (S::rmdir, 84),
            (S::unlink, 87),
            (S::readlink, 89),
            (S::umask, 95),
            (S::gettimeofday, 96),
            (S::getrlimit, 97),
            (S::getuid, 102),
            (S::getppid, 110),
            (S::setsid, 112),
            (S::sigaltstack, 131),
            (S::_sysctl, 156),
            (S::arch_prctl, 158),
            (S::setrlimit, 160),
            (S::sync, 162),
            (S::mount, 165),
            (S::umount2, 166),
            (S::reboot, 169),
            (S::gettid, 186),
            (S::futex, 202),
            (S::getdents64, 217),
            (S::set_tid_address, 218),
            (S::clock_gettime, 228),
            (S::clock_nanosleep, 230),
            (S::exit_group, 231),
            (S::tgkill, 234),
            (S::waitid, 247),
            (S::openat, 257),
            (S::mkdirat, 258),
            (S::newfstatat, 262),
            (S::unlinkat, 263),
            (S::readlinkat, 267),
            (S::faccessat, 269),
            (S::pselect6, 270),
            (S::ppoll, 271),
            (S::set_robust_list, 273),
            (S::utimensat, 280),
            (S::epoll_pwait, 281),
            (S::accept4, 288),
            (S::eventfd2, 290),
            (S::epoll_create1, 291),
            (S::dup3, 292),
            (S::pipe2, 293),
            (S::prlimit64, 302),
            (S::renameat2, 316),
            (S::getrandom, 318),
            (S::execveat, 322),
            (S::statx, 332),
            (S::rseq, 334),
            (S::uretprobe, 335),
            (S::pidfd_send_signal, 424),
            (S::pidfd_open, 434),
            (S::clone3, 435),
            (S::close_range, 436),
            (S::openat2, 437),
            (S::faccessat2, 439),
            (S::epoll_pwait2, 441),
            (S::memfd_secret, 447),
            (S::futex_waitv, 449),
            (S::fchmodat2, 452),
            (S::mseal, 462),
            (S::open_tree_attr, 467),
            (S::file_setattr, 469),
        ],
    );
}

#[test]
fn riscv64_numbers() {
    use Sysno as S;
    check(
        Arch::Riscv64,
        &[
            (S::io_setup, 0),
            (S::io_destroy, 1),
            (S::getcwd, 17),
            (S::eventfd2, 19),
            (S::epoll_create1, 20),
            (S::epoll_ctl, 21),
            (S::epoll_pwait, 22),
            (S::dup, 23),
            (S::dup3, 24),
            (S::fcntl, 25),
            (S::ioctl, 29),
            (S::mkdirat, 34),
            (S::unlinkat, 35),
            (S::symlinkat, 36),
            (S::linkat, 37),
            (S::umount2, 39),
            (S::mount, 40),
            (S::statfs, 43),
            (S::ftruncate, 46),
            (S::faccessat, 48),
            (S::chdir, 49),
            (S::fchdir, 50),
            (S::fchmod, 52),
            (S::fchmodat, 53),
            (S::fchownat, 54),
            (S::openat, 56),
            (S::close, 57),
            (S::pipe2, 59),
            (S::getdents64, 61),
            (S::lseek, 62),
            (S::read, 63),
            (S::write, 64),
            (S::readv, 65),
            (S::writev, 66),
            (S::pread64, 67),
            (S::sendfile, 71),
            (S::pselect6, 72),
            (S::ppoll, 73),
            (S::readlinkat, 78),
            (S::newfstatat, 79),
            (S::fstat, 80),
            (S::sync, 81),
            (S::fsync, 82),
            (S::utimensat, 88),
            (S::exit, 93),
            (S::exit_group, 94),
            (S::waitid, 95),
            (S::set_tid_address, 96),
            (S::futex, 98),
            (S::set_robust_list, 99),
            (S::nanosleep, 101),
            (S::clock_gettime, 113),
            (S::clock_nanosleep, 115),
            (S::sched_yield, 124),
            (S::kill, 129),
            (S::tkill, 130),
            (S::tgkill, 131),
            (S::sigaltstack, 132),
            (S::rt_sigsuspend, 133),
            (S::rt_sigaction, 134),
            (S::rt_sigprocmask, 135),
            (S::rt_sigreturn, 139),
            (S::reboot, 142),
            (S::setpgid, 154),
            (S::getpgid, 155),
            (S::getsid, 156),
            (S::setsid, 157),
            (S::uname, 160),
            (S::getrlimit, 163),
            (S::setrlimit, 164),
            (S::umask, 166),
            (S::prctl, 167),
            (S::gettimeofday, 169),
            (S::getpid, 172),
            (S::getppid, 173),
            (S::getuid, 174),
            (S::gettid, 178),
            (S::sysinfo, 179),
            (S::socket, 198),
            (S::bind, 200),
            (S::connect, 203),
            (S::brk, 214),
            (S::munmap, 215),
            (S::mremap, 216),
            (S::clone, 220),
            (S::execve, 221),
            (S::mmap, 222),
            (S::mprotect, 226),
            (S::madvise, 233),
            (S::accept4, 242),
            (S::riscv_hwprobe, 258),
            (S::riscv_flush_icache, 259),
            (S::wait4, 260),
            (S::prlimit64, 261),
            (S::renameat2, 276),
            (S::getrandom, 278),
            (S::memfd_create, 279),
            (S::execveat, 281),
            (S::statx, 291),
            (S::rseq, 293),
            (S::kexec_file_load, 294),
            (S::pidfd_open, 434),
            (S::clone3, 435),
            (S::close_range, 436),
            (S::openat2, 437),
            (S::faccessat2, 439),
            (S::memfd_secret, 447),
            (S::futex_waitv, 449),
            (S::mseal, 462),
            (S::open_tree_attr, 467),
            (S::file_setattr, 469),
        ],
    );
}

#[test]
fn riscv64_lacks_legacy_calls() {
    use Sysno as S;
    for s in [
        S::open,
        S::creat,
        S::stat,
        S::lstat,
        S::fork,
        S::vfork,
        S::pipe,
        S::dup2,
        S::poll,
        S::select,
        S::access,
        S::mkdir,
        S::unlink,
        S::rename,
        S::renameat,
        S::getdents,
        S::arch_prctl,
        S::epoll_wait,
        S::time,
        S::alarm,
        S::pause,
        S::getpgrp,
        S::uretprobe,
    ] {
        assert_eq!(s.number(Arch::Riscv64), None, "{s}");
        assert!(s.exists_on(Arch::X86_64), "{s}");
    }
    for s in [S::riscv_flush_icache, S::riscv_hwprobe] {
        assert_eq!(s.number(Arch::X86_64), None);
        assert!(s.exists_on(Arch::Riscv64));
    }
}

#[test]
fn unassigned_numbers() {
    for arch in Arch::ALL {
        for nr in [336, 400, 423, 470, 512, 1000, usize::MAX] {
            assert_eq!(Sysno::from_number(arch, nr), None, "{arch} {nr}");
        }
    }
    // The generic table's holes: renameat (38) and the arch-specific range except 258/259.
    for nr in [38, 244, 250, 257, 295, 335, 402] {
        assert_eq!(Sysno::from_number(Arch::Riscv64, nr), None, "{nr}");
    }
}

#[test]
fn counts() {
    assert_eq!(Sysno::count(Arch::X86_64), 382);
    assert_eq!(Sysno::count(Arch::Riscv64), 326);
    assert_eq!(Sysno::ALL.len(), 384);
    for arch in Arch::ALL {
        assert_eq!(Sysno::table(arch).count(), Sysno::count(arch));
        assert_eq!(
            Sysno::ALL.iter().filter(|s| s.exists_on(arch)).count(),
            Sysno::count(arch)
        );
    }
}

#[test]
fn tables_round_trip_and_are_sorted() {
    for arch in Arch::ALL {
        let mut last = None;
        for (nr, s) in Sysno::table(arch) {
            assert_eq!(s.number(arch), Some(nr));
            assert_eq!(Sysno::from_number(arch, nr), Some(s));
            assert!(last < Some(nr), "{arch}: {nr} out of order");
            last = Some(nr);
        }
    }
    // Every call exists somewhere.
    for &s in Sysno::ALL {
        assert!(Arch::ALL.iter().any(|&a| s.exists_on(a)), "{s}");
    }
}

#[test]
fn names() {
    assert_eq!(Sysno::newfstatat.name(), "newfstatat");
    assert_eq!(Sysno::_sysctl.name(), "_sysctl");
    assert_eq!(Sysno::openat.to_string(), "openat");
    let mut names: Vec<_> = Sysno::ALL.iter().map(|s| s.name()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), Sysno::ALL.len());
    for &s in Sysno::ALL {
        assert_eq!(Sysno::from_name(s.name()), Some(s));
    }
    assert_eq!(Sysno::from_name("no_such_call"), None);
}

#[test]
fn native_arch() {
    #[cfg(target_arch = "x86_64")]
    assert_eq!(Arch::native(), Some(Arch::X86_64));
    assert_eq!(Arch::Riscv64.name(), "riscv64");
    assert!(Arch::Riscv64.is_generic() && !Arch::X86_64.is_generic());
}
