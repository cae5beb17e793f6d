//! ABI structs: sizes and field offsets against the kernel layouts, per-arch conversions,
//! directory-entry packing, constants.

use core::mem::{offset_of, size_of};
use syscall_linux::Arch;
use syscall_linux::abi::dirent::*;
use syscall_linux::abi::fcntl::{AccessMode, Flock, OpenFlags};
use syscall_linux::abi::ioctl::{self, TCGETS2, TCSETS2, TIOCGPTN, TIOCSPTLCK};
use syscall_linux::abi::poll::{
    EpollEvent, EpollEventGeneric, EpollEventX86_64, EpollEvents, FdSet, PollFd,
};
use syscall_linux::abi::resource::{Rlimit, Rusage};
use syscall_linux::abi::sched::CloneArgs;
use syscall_linux::abi::siginfo::{CLD_EXITED, SEGV_MAPERR, Siginfo};
use syscall_linux::abi::signal::*;
use syscall_linux::abi::stat::*;
use syscall_linux::abi::statfs::Statfs;
use syscall_linux::abi::sysinfo::Sysinfo;
use syscall_linux::abi::termios::*;
use syscall_linux::abi::time::{Itimerval, Timespec, Timeval, Tms};
use syscall_linux::abi::uio::Iovec;
use syscall_linux::abi::utsname::{Utsname, uts_field};
use syscall_linux::abi::wait::*;
use zerocopy::{FromBytes, IntoBytes};

#[test]
fn struct_sizes() {
    assert_eq!(size_of::<StatX86_64>(), 144);
    assert_eq!(size_of::<StatGeneric>(), 128);
    assert_eq!(size_of::<Statx>(), 256);
    assert_eq!(size_of::<Timespec>(), 16);
    assert_eq!(size_of::<Timeval>(), 16);
    assert_eq!(size_of::<Itimerval>(), 32);
    assert_eq!(size_of::<Tms>(), 32);
    assert_eq!(size_of::<Iovec>(), 16);
    assert_eq!(size_of::<LinuxDirent64>(), 19);
    assert_eq!(size_of::<Utsname>(), 390);
    assert_eq!(size_of::<SigactionX86_64>(), 32);
    assert_eq!(size_of::<SigactionGeneric>(), 24);
    assert_eq!(Sigaction::size(Arch::X86_64), 32);
    assert_eq!(Sigaction::size(Arch::Riscv64), 24);
    assert_eq!(size_of::<Siginfo>(), 128);
    assert_eq!(size_of::<Termios>(), 36);
    assert_eq!(size_of::<Termios2>(), 44);
    assert_eq!(size_of::<Winsize>(), 8);
    assert_eq!(size_of::<Rlimit>(), 16);
    assert_eq!(size_of::<Rusage>(), 144);
    assert_eq!(size_of::<Sysinfo>(), 112);
    assert_eq!(size_of::<PollFd>(), 8);
    assert_eq!(size_of::<FdSet>(), 128);
    assert_eq!(EpollEvent::size(Arch::X86_64), 12);
    assert_eq!(EpollEvent::size(Arch::Riscv64), 16);
    assert_eq!(size_of::<SigSet>(), 8);
    assert_eq!(size_of::<StackT>(), 24);
    assert_eq!(size_of::<Statfs>(), 120);
    assert_eq!(size_of::<Flock>(), 32);
    assert_eq!(size_of::<CloneArgs>(), 88);
    assert_eq!(Stat::size(Arch::X86_64), 144);
    assert_eq!(Stat::size(Arch::Riscv64), 128);
}

#[test]
fn field_offsets() {
    // arch/x86/include/uapi/asm/stat.h
    assert_eq!(offset_of!(StatX86_64, st_nlink), 16);
    assert_eq!(offset_of!(StatX86_64, st_mode), 24);
    assert_eq!(offset_of!(StatX86_64, st_rdev), 40);
    assert_eq!(offset_of!(StatX86_64, st_size), 48);
    assert_eq!(offset_of!(StatX86_64, st_blksize), 56);
    assert_eq!(offset_of!(StatX86_64, st_atime), 72);
    assert_eq!(offset_of!(StatX86_64, st_mtime), 88);
    assert_eq!(offset_of!(StatX86_64, st_ctime), 104);
    // include/uapi/asm-generic/stat.h
    assert_eq!(offset_of!(StatGeneric, st_mode), 16);
    assert_eq!(offset_of!(StatGeneric, st_nlink), 20);
    assert_eq!(offset_of!(StatGeneric, st_rdev), 32);
    assert_eq!(offset_of!(StatGeneric, st_size), 48);
    assert_eq!(offset_of!(StatGeneric, st_blksize), 56);
    assert_eq!(offset_of!(StatGeneric, st_blocks), 64);
    assert_eq!(offset_of!(StatGeneric, st_atime), 72);
    assert_eq!(offset_of!(StatGeneric, st_ctime_nsec), 112);
    // include/uapi/linux/stat.h
    assert_eq!(offset_of!(Statx, stx_mode), 28);
    assert_eq!(offset_of!(Statx, stx_ino), 32);
    assert_eq!(offset_of!(Statx, stx_atime), 64);
    assert_eq!(offset_of!(Statx, stx_btime), 80);
    assert_eq!(offset_of!(Statx, stx_ctime), 96);
    assert_eq!(offset_of!(Statx, stx_mtime), 112);
    assert_eq!(offset_of!(Statx, stx_rdev_major), 128);
    assert_eq!(offset_of!(Statx, stx_mnt_id), 144);
    assert_eq!(offset_of!(Statx, stx_subvol), 160);
    // Others.
    assert_eq!(offset_of!(Termios, c_line), 16);
    assert_eq!(offset_of!(Termios, c_cc), 17);
    assert_eq!(offset_of!(Sysinfo, procs), 80);
    assert_eq!(offset_of!(Sysinfo, totalhigh), 88);
    assert_eq!(offset_of!(Sysinfo, mem_unit), 104);
    assert_eq!(offset_of!(Siginfo, fields), 16);
    assert_eq!(offset_of!(StackT, ss_size), 16);
    assert_eq!(offset_of!(SigactionX86_64, sa_restorer), 16);
    assert_eq!(offset_of!(SigactionX86_64, sa_mask), 24);
    assert_eq!(offset_of!(SigactionGeneric, sa_mask), 16);
    assert_eq!(offset_of!(EpollEventX86_64, data), 4);
    assert_eq!(offset_of!(EpollEventGeneric, data), 8);
    assert_eq!(offset_of!(Rusage, ru_maxrss), 32);
    assert_eq!(offset_of!(Flock, l_start), 8);
    assert_eq!(offset_of!(Flock, l_pid), 24);
    assert_eq!(offset_of!(CloneArgs, exit_signal), 32);
    assert_eq!(offset_of!(CloneArgs, tls), 56);
    assert_eq!(offset_of!(Statfs, f_fsid), 56);
    assert_eq!(offset_of!(Statfs, f_namelen), 64);
}

fn sample_stat() -> Stat {
    Stat {
        dev: makedev(8, 1),
        ino: 1234,
        mode: S_IFREG | 0o644,
        nlink: 2,
        uid: 1000,
        gid: 100,
        rdev: 0,
        size: 4097,
        blksize: 4096,
        blocks: 16,
        atime: Timespec {
            tv_sec: 10,
            tv_nsec: 11,
        },
        mtime: Timespec {
            tv_sec: 20,
            tv_nsec: 21,
        },
        ctime: Timespec {
            tv_sec: 30,
            tv_nsec: 31,
        },
    }
}

fn u32_at(b: &[u8], off: usize) -> u32 {
    u32::from_ne_bytes(b[off..off + 4].try_into().unwrap())
}

fn u64_at(b: &[u8], off: usize) -> u64 {
    u64::from_ne_bytes(b[off..off + 8].try_into().unwrap())
}

#[test]
fn stat_layouts_per_arch() {
    let st = sample_stat();
    let x = st.to_arch(Arch::X86_64);
    let b = x.as_bytes();
    assert_eq!(b.len(), 144);
    assert_eq!(u64_at(b, 8), 1234); // st_ino
    assert_eq!(u64_at(b, 16), 2); // st_nlink (u64)
    assert_eq!(u32_at(b, 24), S_IFREG | 0o644); // st_mode
    assert_eq!(u32_at(b, 28), 1000); // st_uid
    assert_eq!(u64_at(b, 48), 4097); // st_size
    assert_eq!(u64_at(b, 56), 4096); // st_blksize (long)
    assert_eq!(u64_at(b, 88), 20); // st_mtime
    assert_eq!(u64_at(b, 96), 21); // st_mtime_nsec

    let g = st.to_arch(Arch::Riscv64);
    let b = g.as_bytes();
    assert_eq!(b.len(), 128);
    assert_eq!(u64_at(b, 8), 1234); // st_ino
    assert_eq!(u32_at(b, 16), S_IFREG | 0o644); // st_mode
    assert_eq!(u32_at(b, 20), 2); // st_nlink (u32)
    assert_eq!(u32_at(b, 24), 1000); // st_uid
    assert_eq!(u64_at(b, 48), 4097); // st_size
    assert_eq!(u32_at(b, 56), 4096); // st_blksize (int)
    assert_eq!(u64_at(b, 64), 16); // st_blocks
    assert_eq!(u64_at(b, 88), 20); // st_mtime
    assert_eq!(u64_at(b, 112), 31); // st_ctime_nsec

    let sx = st.to_statx();
    assert_eq!(sx.stx_mask, STATX_BASIC_STATS);
    assert_eq!(sx.stx_mode, (S_IFREG | 0o644) as u16);
    assert_eq!((sx.stx_dev_major, sx.stx_dev_minor), (8, 1));
    assert_eq!(sx.stx_mtime.tv_sec, 20);
    assert_eq!(sx.stx_mtime.tv_nsec, 21);
}

#[test]
fn device_numbers() {
    assert_eq!(makedev(8, 1), 0x801);
    assert_eq!(makedev(1, 3), 0x103);
    for (maj, min) in [
        (0, 0),
        (4095, 255),
        (4096, 256),
        (0xffff_ffff, 0xffff_ffff),
        (136, 1000),
    ] {
        let d = makedev(maj, min);
        assert_eq!((dev_major(d), dev_minor(d)), (maj, min));
    }
    assert!(s_isdir(S_IFDIR | 0o755) && !s_isdir(S_IFREG));
    assert!(s_isreg(S_IFREG) && s_islnk(S_IFLNK | 0o777));
    assert_eq!(dtype_from_mode(S_IFDIR), DT_DIR);
    assert_eq!(dtype_from_mode(S_IFREG | 0o644), DT_REG);
    assert_eq!(dtype_from_mode(S_IFLNK), DT_LNK);
    assert_eq!(dtype_from_mode(S_IFCHR), DT_CHR);
    assert_eq!(dtype_from_mode(S_IFSOCK), DT_SOCK);
}

#[test]
fn dirent_packing() {
    assert_eq!(dirent64_reclen(1), 24); // "."
    assert_eq!(dirent64_reclen(4), 24); // 19 + 4 + 1 = 24
    assert_eq!(dirent64_reclen(5), 32); // 25 -> 32
    assert_eq!(dirent64_reclen(255), 280);

    let mut buf = [0xAAu8; 80];
    let mut w = Dirent64Writer::new(&mut buf);
    assert!(w.is_empty());
    assert!(w.push(2, 1, DT_DIR, b"."));
    assert!(w.push(7, 2, DT_REG, b"hello"));
    assert_eq!(w.len(), 56);
    // 24 bytes left: an entry with a 5-byte name (32 bytes) does not fit, a 4-byte one does.
    assert!(!w.push(8, 3, DT_REG, b"world"));
    assert_eq!(w.len(), 56);
    assert!(w.push(8, 3, DT_LNK, b"four"));
    assert_eq!(w.len(), 80);
    assert!(!w.push(9, 4, DT_REG, b"x"));
    let n = w.len();

    // Exact bytes of the second record: header at 24, name, NUL and zeroed padding.
    let rec = &buf[24..56];
    assert_eq!(u64::from_ne_bytes(rec[0..8].try_into().unwrap()), 7);
    assert_eq!(i64::from_ne_bytes(rec[8..16].try_into().unwrap()), 2);
    assert_eq!(u16::from_ne_bytes(rec[16..18].try_into().unwrap()), 32);
    assert_eq!(rec[18], DT_REG);
    assert_eq!(&rec[19..24], b"hello");
    assert!(rec[24..].iter().all(|&b| b == 0));

    let entries: Vec<_> = Dirent64Iter::new(&buf[..n]).collect();
    assert_eq!(entries.len(), 3);
    assert_eq!(entries[0].name, b".");
    assert_eq!(
        entries[1],
        Dirent64Entry {
            ino: 7,
            off: 2,
            d_type: DT_REG,
            name: b"hello"
        }
    );
    assert_eq!(entries[2].name, b"four");
    assert_eq!(entries[2].d_type, DT_LNK);
    // Every record starts 8-byte aligned.
    let mut off = 0;
    for e in &entries {
        assert_eq!(off % 8, 0);
        off += dirent64_reclen(e.name.len());
    }
    assert_eq!(off, n);
    // A truncated buffer yields only whole records.
    assert_eq!(Dirent64Iter::new(&buf[..50]).count(), 1);
}

#[test]
fn sigaction_round_trip_per_arch() {
    let act = Sigaction {
        handler: 0x40_1000,
        flags: SaFlags::SIGINFO | SaFlags::RESTART | SaFlags::RESTORER,
        restorer: 0x40_2000,
        mask: SigSet::of(SIGINT).union(SigSet::of(SIGTERM)),
    };
    let x = act.to_arch(Arch::X86_64);
    assert_eq!(x.as_bytes().len(), 32);
    assert_eq!(u64_at(x.as_bytes(), 16), 0x40_2000);
    assert_eq!(u64_at(x.as_bytes(), 24), (1 << 1) | (1 << 14));
    assert_eq!(Sigaction::from_bytes(Arch::X86_64, x.as_bytes()), Some(act));

    let g = act.to_arch(Arch::Riscv64);
    assert_eq!(g.as_bytes().len(), 24);
    assert_eq!(u64_at(g.as_bytes(), 16), (1 << 1) | (1 << 14));
    let back = Sigaction::from_bytes(Arch::Riscv64, g.as_bytes()).unwrap();
    assert_eq!(back, Sigaction { restorer: 0, ..act });

    assert_eq!(Sigaction::from_bytes(Arch::X86_64, &[0; 24]), None);
    assert!(Sigaction::default().is_default());
}

#[test]
fn signals() {
    assert_eq!(
        (SIGHUP, SIGKILL, SIGSEGV, SIGCHLD, SIGCONT, SIGSTOP),
        (1, 9, 11, 17, 18, 19)
    );
    assert_eq!(
        (SIGTSTP, SIGWINCH, SIGSYS, SIGRTMIN, SIGRTMAX),
        (20, 28, 31, 32, 64)
    );
    assert_eq!(signal_name(SIGINT), Some("SIGINT"));
    assert_eq!(signal_name(SIGSYS), Some("SIGSYS"));
    assert_eq!(signal_name(40), None);
    assert_eq!(default_action(SIGCHLD), Some(DefaultAction::Ign));
    assert_eq!(default_action(SIGSEGV), Some(DefaultAction::Core));
    assert_eq!(default_action(SIGTSTP), Some(DefaultAction::Stop));
    assert_eq!(default_action(SIGCONT), Some(DefaultAction::Cont));
    assert_eq!(default_action(SIGTERM), Some(DefaultAction::Term));
    assert_eq!(default_action(SIGRTMIN + 3), Some(DefaultAction::Term));
    assert_eq!(default_action(0), None);
    assert_eq!(default_action(65), None);

    let mut s = SigSet::EMPTY;
    s.add(SIGKILL);
    s.add(SIGUSR1);
    s.add(64);
    s.add(0); // ignored
    s.add(65); // ignored
    assert!(s.contains(SIGKILL) && s.contains(SIGUSR1) && s.contains(64));
    assert_eq!(s.0, (1 << 8) | (1 << 9) | (1 << 63));
    assert_eq!(s.blockable(), SigSet((1 << 9) | (1 << 63)));
    assert_eq!(s.lowest(), Some(SIGKILL));
    s.remove(SIGKILL);
    assert_eq!(s.lowest(), Some(SIGUSR1));
    assert!(SigSet::EMPTY.is_empty() && SigSet::EMPTY.lowest().is_none());
    assert_eq!(SigSet::FULL.blockable().0.count_ones(), 62);
}

#[test]
fn siginfo_layout() {
    let si = Siginfo::child(CLD_EXITED, 42, 1000, 3, 5, 6);
    let b = si.as_bytes();
    assert_eq!(b.len(), 128);
    assert_eq!(u32_at(b, 0), SIGCHLD as u32);
    assert_eq!(u32_at(b, 8), CLD_EXITED as u32);
    assert_eq!(u32_at(b, 16), 42); // si_pid
    assert_eq!(u32_at(b, 20), 1000); // si_uid
    assert_eq!(u32_at(b, 24), 3); // si_status
    assert_eq!(u64_at(b, 32), 5); // si_utime
    assert_eq!(u64_at(b, 40), 6); // si_stime
    assert_eq!(
        (si.pid(), si.uid(), si.status(), si.utime(), si.stime()),
        (42, 1000, 3, 5, 6)
    );

    let f = Siginfo::fault(SIGSEGV, SEGV_MAPERR, 0xdead_beef);
    assert_eq!(u64_at(f.as_bytes(), 16), 0xdead_beef); // si_addr
    assert_eq!(f.addr(), 0xdead_beef);
    let q = Siginfo::with_value(SIGRTMIN, -1, 7, 0, 99);
    assert_eq!(u64_at(q.as_bytes(), 24), 99); // si_value
    assert_eq!(Siginfo::read_from_bytes(q.as_bytes()).unwrap().value(), 99);
}

#[test]
fn termios_defaults_and_ioctls() {
    let t = Termios::standard();
    assert_eq!(t.c_iflag, 0o2400); // ICRNL | IXON
    assert_eq!(t.c_oflag, 0o5); // OPOST | ONLCR
    assert_eq!(t.c_cflag, 0o2277); // B38400 | CS8 | CREAD | HUPCL
    assert_eq!(t.c_lflag, 0o105073); // ISIG ICANON ECHO ECHOE ECHOK ECHOCTL ECHOKE IEXTEN
    assert_eq!(t.c_cc[VINTR], 3);
    assert_eq!(t.c_cc[VERASE], 0x7f);
    assert_eq!(t.c_cc[VEOF], 4);
    assert_eq!(t.c_cc[VMIN], 1);
    assert_eq!(t.c_cc[VSUSP], 0x1a);
    assert!(t.lflag().contains(LocalFlags::ICANON | LocalFlags::ECHO));
    assert_eq!(t.cflag() & ControlFlags::CSIZE, ControlFlags::CS8);

    assert_eq!(ioctl::TCGETS, 0x5401);
    assert_eq!(ioctl::TIOCGWINSZ, 0x5413);
    assert_eq!(ioctl::FIONREAD, 0x541B);
    assert_eq!(ioctl::FIONBIO, 0x5421);
    assert_eq!(TCGETS2, ioctl::ior(b'T', 0x2A, size_of::<Termios2>()));
    assert_eq!(TCSETS2, ioctl::iow(b'T', 0x2B, size_of::<Termios2>()));
    assert_eq!(TIOCGPTN, ioctl::ior(b'T', 0x30, 4));
    assert_eq!(TIOCSPTLCK, ioctl::iow(b'T', 0x31, 4));
    assert_eq!(ioctl::TIOCGPTPEER, ioctl::io(b'T', 0x41));
    assert_eq!(ioctl::BLKGETSIZE64, ioctl::ior(0x12, 114, 8));
    assert_eq!(ioctl::ioc_size(TCGETS2), 44);
    assert_eq!(ioctl::ioc_dir(TCGETS2), ioctl::IOC_READ);
}

#[test]
fn epoll_layouts() {
    let e = EpollEvent {
        events: EpollEvents::IN | EpollEvents::ET,
        data: 0x1122_3344_5566_7788,
    };
    let mut buf = [0u8; 16];
    assert_eq!(e.write_to(Arch::X86_64, &mut buf), Some(12));
    assert_eq!(u32_at(&buf, 0), 0x8000_0001);
    assert_eq!(u64_at(&buf, 4), 0x1122_3344_5566_7788);
    assert_eq!(EpollEvent::from_bytes(Arch::X86_64, &buf), Some(e));
    let mut buf = [0u8; 16];
    assert_eq!(e.write_to(Arch::Riscv64, &mut buf), Some(16));
    assert_eq!(u64_at(&buf, 8), 0x1122_3344_5566_7788);
    assert_eq!(EpollEvent::from_bytes(Arch::Riscv64, &buf), Some(e));
    assert_eq!(e.write_to(Arch::Riscv64, &mut [0u8; 12]), None);
    assert_eq!(EpollEvent::from_bytes(Arch::X86_64, &[0u8; 11]), None);
}

#[test]
fn misc_types() {
    let u = Utsname::new("Linux", "host", "6.1.0", "#1", "riscv64", "(none)");
    assert_eq!(uts_field(&u.sysname), b"Linux");
    assert_eq!(uts_field(&u.machine), b"riscv64");
    let long = "x".repeat(100);
    let u = Utsname::new(&long, "", "", "", "", "");
    assert_eq!(uts_field(&u.sysname).len(), 64);
    assert_eq!(u.sysname[64], 0);

    let mut fds = FdSet::default();
    fds.insert(0);
    fds.insert(65);
    fds.insert(5000); // ignored
    assert!(fds.contains(0) && fds.contains(65) && !fds.contains(1) && !fds.contains(5000));
    assert_eq!(fds.fds_bits[1], 2);
    fds.remove(65);
    assert!(!fds.contains(65));
    assert_eq!(FdSet::bytes_for(0), 0);
    assert_eq!(FdSet::bytes_for(1), 8);
    assert_eq!(FdSet::bytes_for(65), 16);

    assert_eq!(
        Timespec::from_nanos(1_500_000_000),
        Timespec {
            tv_sec: 1,
            tv_nsec: 500_000_000
        }
    );
    assert_eq!(
        Timespec {
            tv_sec: 2,
            tv_nsec: 5
        }
        .as_nanos(),
        Some(2_000_000_005)
    );
    assert_eq!(
        Timespec {
            tv_sec: 0,
            tv_nsec: 1_000_000_000
        }
        .as_nanos(),
        None
    );
    assert_eq!(
        Timespec {
            tv_sec: -1,
            tv_nsec: 0
        }
        .as_nanos(),
        None
    );
    assert_eq!(
        Timeval::from_nanos(2_000_003_000),
        Timeval {
            tv_sec: 2,
            tv_usec: 3
        }
    );

    assert_eq!(OpenFlags::empty().access_mode(), AccessMode::ReadOnly);
    assert!(OpenFlags::RDWR.readable() && OpenFlags::RDWR.writable());
    assert!(!OpenFlags::WRONLY.readable());
    assert_eq!(
        OpenFlags::from_bits_retain(3).access_mode(),
        AccessMode::Invalid
    );
    assert_eq!(OpenFlags::CLOEXEC.bits(), 0x80000);
    assert_eq!(OpenFlags::DIRECTORY.bits(), 0x10000);
    assert_eq!(OpenFlags::NONBLOCK.bits(), 0x800);

    assert_eq!(wait_status_exited(3), 0x300);
    assert_eq!(wait_status_signaled(SIGKILL, false), 9);
    assert_eq!(wait_status_signaled(SIGSEGV, true), 0x8b);
    assert_eq!(wait_status_stopped(SIGTSTP), 0x147f);

    let mut si = [0u8; 128];
    si[0] = 1;
    assert_eq!(Siginfo::read_from_bytes(&si[..]).unwrap().si_signo, 1);
}
