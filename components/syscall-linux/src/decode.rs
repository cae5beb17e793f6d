//! Decoding raw system-call registers into a typed [`Syscall`].
//!
//! [`Syscall::decode`] looks the number up in the architecture's table and converts each
//! argument register as the kernel's `SYSCALL_DEFINE` would: `int` arguments are the low 32
//! bits, `umode_t` the low 16, pointers and sizes the whole register. It never fails: numbers
//! without a typed variant become [`Syscall::Unknown`].
//!
//! Legacy calls are mapped to the call Linux implements them with (see `fs/open.c`,
//! `fs/stat.c`, `fs/namei.c`, `kernel/fork.c`), so the handler sees one operation:
//!
//! | x86-64 legacy call | decoded as |
//! | --- | --- |
//! | `open(p, f, m)` | `openat(AT_FDCWD, p, f, m)` |
//! | `creat(p, m)` | `openat(AT_FDCWD, p, O_CREAT\|O_WRONLY\|O_TRUNC, m)` |
//! | `stat(p, b)` / `lstat(p, b)` | `newfstatat(AT_FDCWD, p, b, 0 / AT_SYMLINK_NOFOLLOW)` |
//! | `access(p, m)`, `faccessat(d, p, m)` (no flags) | `faccessat(.., flags = 0)`, like `faccessat2` |
//! | `chmod(p, m)`, `fchmodat(d, p, m)` | `fchmodat(.., flags = 0)` (covers `fchmodat2`) |
//! | `chown` / `lchown` | `fchownat(AT_FDCWD, .., 0 / AT_SYMLINK_NOFOLLOW)` |
//! | `mkdir`, `mknod`, `unlink`, `rmdir` | `mkdirat`, `mknodat`, `unlinkat(.., 0 / AT_REMOVEDIR)` |
//! | `rename`, `renameat` | `renameat2(.., flags = 0)` |
//! | `link`, `symlink`, `readlink` | `linkat(.., 0)`, `symlinkat`, `readlinkat` |
//! | `pipe(fds)` | `pipe2(fds, 0)` |
//! | `fork()` / `vfork()` | `clone(SIGCHLD)` / `clone(CLONE_VM\|CLONE_VFORK, SIGCHLD)` |
//! | `getpgrp()` | `getpgid(0)` |
//! | `getrlimit(r, o)` / `setrlimit(r, n)` (both) | `prlimit64(0, r, NULL, o)` / `(0, r, n, NULL)` |
//! | `epoll_wait(..)` | `epoll_pwait(.., NULL, 8)` |
//! | `eventfd(n)` | `eventfd2(n, 0)` |
//! | `accept(..)` (both archs) | `accept4(.., 0)` |
//!
//! `dup2`, `poll` and `select` keep their own variants: their semantics differ from `dup3`,
//! `ppoll` and `pselect6` in ways that need user memory or fd-table state to express.

use crate::abi::fcntl::{AT_FDCWD, AtFlags, CloseRangeFlags, OpenFlags, RenameFlags};
use crate::abi::mman::{MmapFlags, MmapProt, MremapFlags};
use crate::abi::mount::{MountFlags, UmountFlags};
use crate::abi::random::GetrandomFlags;
use crate::abi::sched::{CSIGNAL, CloneFlags};
use crate::abi::signal::{SIGCHLD, SIGSET_SIZE};
use crate::abi::wait::WaitOptions;
use crate::{Arch, Syscall, Sysno, UserAddr};

/// The six argument registers, with the conversions the kernel applies.
#[derive(Clone, Copy)]
struct Args([usize; 6]);

impl Args {
    /// An `int` (or `pid_t`): the low 32 bits, signed.
    fn int(&self, i: usize) -> i32 {
        self.0[i] as i32
    }

    /// An `unsigned int` (`uid_t`, `gid_t`, flags): the low 32 bits.
    fn uint(&self, i: usize) -> u32 {
        self.0[i] as u32
    }

    /// A `umode_t`: the low 16 bits.
    fn mode(&self, i: usize) -> u32 {
        u32::from(self.0[i] as u16)
    }

    /// An `off_t` / `loff_t`.
    fn off(&self, i: usize) -> i64 {
        self.0[i] as i64
    }

    /// A `size_t` or `unsigned long`.
    fn size(&self, i: usize) -> usize {
        self.0[i]
    }

    /// A user pointer.
    fn ptr(&self, i: usize) -> UserAddr {
        UserAddr(self.0[i])
    }

    fn open_flags(&self, i: usize) -> OpenFlags {
        OpenFlags::from_bits_retain(self.uint(i))
    }

    fn at_flags(&self, i: usize) -> AtFlags {
        AtFlags::from_bits_retain(self.uint(i))
    }
}

impl Syscall {
    /// Decodes system call `number` with argument registers `args` as `arch` defines them.
    pub fn decode(arch: Arch, number: usize, args: [usize; 6]) -> Syscall {
        let Some(sysno) = Sysno::from_number(arch, number) else {
            return Syscall::Unknown {
                sysno: None,
                number,
                args,
            };
        };
        decode_known(arch, sysno, Args(args)).unwrap_or(Syscall::Unknown {
            sysno: Some(sysno),
            number,
            args,
        })
    }
}

fn clone_flags(raw: usize) -> (CloneFlags, u32) {
    let raw = raw as u64;
    (
        CloneFlags::from_bits_retain(raw & !CSIGNAL),
        (raw & CSIGNAL) as u32,
    )
}

/// The typed call for `sysno`, or `None` if there is no variant for it.
fn decode_known(arch: Arch, sysno: Sysno, a: Args) -> Option<Syscall> {
    use Syscall as C;
    use Sysno as S;
    let cwd = AT_FDCWD;
    Some(match sysno {
        // File I/O.
        S::read => C::Read {
            fd: a.int(0),
            buf: a.ptr(1),
            count: a.size(2),
        },
        S::write => C::Write {
            fd: a.int(0),
            buf: a.ptr(1),
            count: a.size(2),
        },
        S::readv => C::Readv {
            fd: a.int(0),
            iov: a.ptr(1),
            iovcnt: a.size(2),
        },
        S::writev => C::Writev {
            fd: a.int(0),
            iov: a.ptr(1),
            iovcnt: a.size(2),
        },
        S::pread64 => C::Pread64 {
            fd: a.int(0),
            buf: a.ptr(1),
            count: a.size(2),
            offset: a.off(3),
        },
        S::pwrite64 => C::Pwrite64 {
            fd: a.int(0),
            buf: a.ptr(1),
            count: a.size(2),
            offset: a.off(3),
        },
        S::sendfile => C::Sendfile {
            out_fd: a.int(0),
            in_fd: a.int(1),
            offset: a.ptr(2),
            count: a.size(3),
        },
        S::open => C::Openat {
            dirfd: cwd,
            path: a.ptr(0),
            flags: a.open_flags(1),
            mode: a.mode(2),
        },
        S::creat => C::Openat {
            dirfd: cwd,
            path: a.ptr(0),
            flags: OpenFlags::CREAT | OpenFlags::WRONLY | OpenFlags::TRUNC,
            mode: a.mode(1),
        },
        S::openat => C::Openat {
            dirfd: a.int(0),
            path: a.ptr(1),
            flags: a.open_flags(2),
            mode: a.mode(3),
        },
        S::close => C::Close { fd: a.int(0) },
        S::close_range => C::CloseRange {
            first: a.uint(0),
            last: a.uint(1),
            flags: CloseRangeFlags::from_bits_retain(a.uint(2)),
        },
        S::lseek => C::Lseek {
            fd: a.int(0),
            offset: a.off(1),
            whence: a.uint(2),
        },
        S::fstat => C::Fstat {
            fd: a.int(0),
            statbuf: a.ptr(1),
        },
        S::stat => C::Newfstatat {
            dirfd: cwd,
            path: a.ptr(0),
            statbuf: a.ptr(1),
            flags: AtFlags::empty(),
        },
        S::lstat => C::Newfstatat {
            dirfd: cwd,
            path: a.ptr(0),
            statbuf: a.ptr(1),
            flags: AtFlags::SYMLINK_NOFOLLOW,
        },
        S::newfstatat => C::Newfstatat {
            dirfd: a.int(0),
            path: a.ptr(1),
            statbuf: a.ptr(2),
            flags: a.at_flags(3),
        },
        S::statx => C::Statx {
            dirfd: a.int(0),
            path: a.ptr(1),
            flags: a.at_flags(2),
            mask: a.uint(3),
            statxbuf: a.ptr(4),
        },
        S::statfs => C::Statfs {
            path: a.ptr(0),
            buf: a.ptr(1),
        },
        S::fstatfs => C::Fstatfs {
            fd: a.int(0),
            buf: a.ptr(1),
        },
        S::getdents64 => C::Getdents64 {
            fd: a.int(0),
            dirp: a.ptr(1),
            count: a.uint(2) as usize,
        },
        S::dup => C::Dup { oldfd: a.int(0) },
        S::dup2 => C::Dup2 {
            oldfd: a.int(0),
            newfd: a.int(1),
        },
        S::dup3 => C::Dup3 {
            oldfd: a.int(0),
            newfd: a.int(1),
            flags: a.open_flags(2),
        },
        S::fcntl => C::Fcntl {
            fd: a.int(0),
            cmd: a.uint(1),
            arg: a.size(2),
        },
        S::ioctl => C::Ioctl {
            fd: a.int(0),
            request: a.uint(1),
            arg: a.size(2),
        },
        S::pipe => C::Pipe2 {
            fds: a.ptr(0),
            flags: OpenFlags::empty(),
        },
        S::pipe2 => C::Pipe2 {
            fds: a.ptr(0),
            flags: a.open_flags(1),
        },
        S::mkdir => C::Mkdirat {
            dirfd: cwd,
            path: a.ptr(0),
            mode: a.mode(1),
        },
        S::mkdirat => C::Mkdirat {
            dirfd: a.int(0),
            path: a.ptr(1),
            mode: a.mode(2),
        },
        S::mknod => C::Mknodat {
            dirfd: cwd,
            path: a.ptr(0),
            mode: a.mode(1),
            dev: a.uint(2),
        },
        S::mknodat => C::Mknodat {
            dirfd: a.int(0),
            path: a.ptr(1),
            mode: a.mode(2),
            dev: a.uint(3),
        },
        S::unlink => C::Unlinkat {
            dirfd: cwd,
            path: a.ptr(0),
            flags: AtFlags::empty(),
        },
        S::rmdir => C::Unlinkat {
            dirfd: cwd,
            path: a.ptr(0),
            flags: AtFlags::REMOVEDIR,
        },
        S::unlinkat => C::Unlinkat {
            dirfd: a.int(0),
            path: a.ptr(1),
            flags: a.at_flags(2),
        },
        S::rename => C::Renameat2 {
            olddirfd: cwd,
            oldpath: a.ptr(0),
            newdirfd: cwd,
            newpath: a.ptr(1),
            flags: RenameFlags::empty(),
        },
        S::renameat => C::Renameat2 {
            olddirfd: a.int(0),
            oldpath: a.ptr(1),
            newdirfd: a.int(2),
            newpath: a.ptr(3),
            flags: RenameFlags::empty(),
        },
        S::renameat2 => C::Renameat2 {
            olddirfd: a.int(0),
            oldpath: a.ptr(1),
            newdirfd: a.int(2),
            newpath: a.ptr(3),
            flags: RenameFlags::from_bits_retain(a.uint(4)),
        },
        S::link => C::Linkat {
            olddirfd: cwd,
            oldpath: a.ptr(0),
            newdirfd: cwd,
            newpath: a.ptr(1),
            flags: AtFlags::empty(),
        },
        S::linkat => C::Linkat {
            olddirfd: a.int(0),
            oldpath: a.ptr(1),
            newdirfd: a.int(2),
            newpath: a.ptr(3),
            flags: a.at_flags(4),
        },
        S::symlink => C::Symlinkat {
            target: a.ptr(0),
            newdirfd: cwd,
            linkpath: a.ptr(1),
        },
        S::symlinkat => C::Symlinkat {
            target: a.ptr(0),
            newdirfd: a.int(1),
            linkpath: a.ptr(2),
        },
        S::readlink => C::Readlinkat {
            dirfd: cwd,
            path: a.ptr(0),
            buf: a.ptr(1),
            bufsiz: a.int(2),
        },
        S::readlinkat => C::Readlinkat {
            dirfd: a.int(0),
            path: a.ptr(1),
            buf: a.ptr(2),
            bufsiz: a.int(3),
        },
        S::fchmod => C::Fchmod {
            fd: a.int(0),
            mode: a.mode(1),
        },
        S::chmod => C::Fchmodat {
            dirfd: cwd,
            path: a.ptr(0),
            mode: a.mode(1),
            flags: AtFlags::empty(),
        },
        S::fchmodat => C::Fchmodat {
            dirfd: a.int(0),
            path: a.ptr(1),
            mode: a.mode(2),
            flags: AtFlags::empty(),
        },
        S::fchmodat2 => C::Fchmodat {
            dirfd: a.int(0),
            path: a.ptr(1),
            mode: a.mode(2),
            flags: a.at_flags(3),
        },
        S::fchown => C::Fchown {
            fd: a.int(0),
            uid: a.uint(1),
            gid: a.uint(2),
        },
        S::chown => C::Fchownat {
            dirfd: cwd,
            path: a.ptr(0),
            uid: a.uint(1),
            gid: a.uint(2),
            flags: AtFlags::empty(),
        },
        S::lchown => C::Fchownat {
            dirfd: cwd,
            path: a.ptr(0),
            uid: a.uint(1),
            gid: a.uint(2),
            flags: AtFlags::SYMLINK_NOFOLLOW,
        },
        S::fchownat => C::Fchownat {
            dirfd: a.int(0),
            path: a.ptr(1),
            uid: a.uint(2),
            gid: a.uint(3),
            flags: a.at_flags(4),
        },
        S::utimensat => C::Utimensat {
            dirfd: a.int(0),
            path: a.ptr(1),
            times: a.ptr(2),
            flags: a.at_flags(3),
        },
        S::access => C::Faccessat {
            dirfd: cwd,
            path: a.ptr(0),
            mode: a.uint(1),
            flags: AtFlags::empty(),
        },
        S::faccessat => C::Faccessat {
            dirfd: a.int(0),
            path: a.ptr(1),
            mode: a.uint(2),
            flags: AtFlags::empty(),
        },
        S::faccessat2 => C::Faccessat {
            dirfd: a.int(0),
            path: a.ptr(1),
            mode: a.uint(2),
            flags: a.at_flags(3),
        },
        S::truncate => C::Truncate {
            path: a.ptr(0),
            length: a.off(1),
        },
        S::ftruncate => C::Ftruncate {
            fd: a.int(0),
            length: a.off(1),
        },
        S::fsync => C::Fsync { fd: a.int(0) },
        S::fdatasync => C::Fdatasync { fd: a.int(0) },
        S::flock => C::Flock {
            fd: a.int(0),
            operation: a.uint(1),
        },
        S::chdir => C::Chdir { path: a.ptr(0) },
        S::fchdir => C::Fchdir { fd: a.int(0) },
        S::chroot => C::Chroot { path: a.ptr(0) },
        S::getcwd => C::Getcwd {
            buf: a.ptr(0),
            size: a.size(1),
        },
        S::umask => C::Umask { mask: a.uint(0) },
        S::sync => C::Sync {},
        S::mount => C::Mount {
            source: a.ptr(0),
            target: a.ptr(1),
            fstype: a.ptr(2),
            flags: MountFlags::from_bits_retain(a.size(3) as u64),
            data: a.ptr(4),
        },
        S::umount2 => C::Umount2 {
            target: a.ptr(0),
            flags: UmountFlags::from_bits_retain(a.uint(1)),
        },

        // Memory.
        S::brk => C::Brk { addr: a.ptr(0) },
        S::mmap => C::Mmap {
            addr: a.ptr(0),
            len: a.size(1),
            prot: MmapProt::from_bits_retain(a.size(2) as u32),
            flags: MmapFlags::from_bits_retain(a.size(3) as u32),
            fd: a.int(4),
            offset: a.off(5),
        },
        S::munmap => C::Munmap {
            addr: a.ptr(0),
            len: a.size(1),
        },
        S::mprotect => C::Mprotect {
            addr: a.ptr(0),
            len: a.size(1),
            prot: MmapProt::from_bits_retain(a.size(2) as u32),
        },
        S::madvise => C::Madvise {
            addr: a.ptr(0),
            len: a.size(1),
            advice: a.int(2),
        },
        S::mremap => C::Mremap {
            old_addr: a.ptr(0),
            old_len: a.size(1),
            new_len: a.size(2),
            flags: MremapFlags::from_bits_retain(a.size(3) as u32),
            new_addr: a.ptr(4),
        },
        S::msync => C::Msync {
            addr: a.ptr(0),
            len: a.size(1),
            flags: a.int(2) as u32,
        },

        // Processes and threads.
        S::clone => {
            let (flags, exit_signal) = clone_flags(a.size(0));
            // kernel/fork.c: x86-64 has the default order; riscv64 selects
            // CONFIG_CLONE_BACKWARDS (tls before child_tid).
            let (child_tid, tls) = match arch {
                Arch::X86_64 => (a.ptr(3), a.size(4)),
                Arch::Riscv64 => (a.ptr(4), a.size(3)),
            };
            C::Clone {
                flags,
                exit_signal,
                stack: a.ptr(1),
                parent_tid: a.ptr(2),
                child_tid,
                tls,
            }
        }
        S::fork => C::Clone {
            flags: CloneFlags::empty(),
            exit_signal: SIGCHLD as u32,
            stack: UserAddr::NULL,
            parent_tid: UserAddr::NULL,
            child_tid: UserAddr::NULL,
            tls: 0,
        },
        S::vfork => C::Clone {
            flags: CloneFlags::VM | CloneFlags::VFORK,
            exit_signal: SIGCHLD as u32,
            stack: UserAddr::NULL,
            parent_tid: UserAddr::NULL,
            child_tid: UserAddr::NULL,
            tls: 0,
        },
        S::clone3 => C::Clone3 {
            args: a.ptr(0),
            size: a.size(1),
        },
        S::execve => C::Execve {
            path: a.ptr(0),
            argv: a.ptr(1),
            envp: a.ptr(2),
        },
        S::execveat => C::Execveat {
            dirfd: a.int(0),
            path: a.ptr(1),
            argv: a.ptr(2),
            envp: a.ptr(3),
            flags: a.at_flags(4),
        },
        S::exit => C::Exit { status: a.int(0) },
        S::exit_group => C::ExitGroup { status: a.int(0) },
        S::wait4 => C::Wait4 {
            pid: a.int(0),
            wstatus: a.ptr(1),
            options: WaitOptions::from_bits_retain(a.uint(2)),
            rusage: a.ptr(3),
        },
        S::waitid => C::Waitid {
            idtype: a.int(0),
            id: a.int(1),
            infop: a.ptr(2),
            options: WaitOptions::from_bits_retain(a.uint(3)),
            rusage: a.ptr(4),
        },
        S::kill => C::Kill {
            pid: a.int(0),
            sig: a.int(1),
        },
        S::tkill => C::Tkill {
            tid: a.int(0),
            sig: a.int(1),
        },
        S::tgkill => C::Tgkill {
            tgid: a.int(0),
            tid: a.int(1),
            sig: a.int(2),
        },
        S::rt_sigaction => C::RtSigaction {
            sig: a.int(0),
            act: a.ptr(1),
            oldact: a.ptr(2),
            sigsetsize: a.size(3),
        },
        S::rt_sigprocmask => C::RtSigprocmask {
            how: a.int(0),
            set: a.ptr(1),
            oldset: a.ptr(2),
            sigsetsize: a.size(3),
        },
        S::rt_sigreturn => C::RtSigreturn {},
        S::rt_sigsuspend => C::RtSigsuspend {
            mask: a.ptr(0),
            sigsetsize: a.size(1),
        },
        S::rt_sigpending => C::RtSigpending {
            set: a.ptr(0),
            sigsetsize: a.size(1),
        },
        S::rt_sigtimedwait => C::RtSigtimedwait {
            set: a.ptr(0),
            info: a.ptr(1),
            timeout: a.ptr(2),
            sigsetsize: a.size(3),
        },
        S::sigaltstack => C::Sigaltstack {
            ss: a.ptr(0),
            old_ss: a.ptr(1),
        },
        S::getpid => C::Getpid {},
        S::getppid => C::Getppid {},
        S::gettid => C::Gettid {},
        S::getuid => C::Getuid {},
        S::geteuid => C::Geteuid {},
        S::getgid => C::Getgid {},
        S::getegid => C::Getegid {},
        S::setuid => C::Setuid { uid: a.uint(0) },
        S::setgid => C::Setgid { gid: a.uint(0) },
        S::setreuid => C::Setreuid {
            ruid: a.uint(0),
            euid: a.uint(1),
        },
        S::setregid => C::Setregid {
            rgid: a.uint(0),
            egid: a.uint(1),
        },
        S::setresuid => C::Setresuid {
            ruid: a.uint(0),
            euid: a.uint(1),
            suid: a.uint(2),
        },
        S::setresgid => C::Setresgid {
            rgid: a.uint(0),
            egid: a.uint(1),
            sgid: a.uint(2),
        },
        S::getresuid => C::Getresuid {
            ruid: a.ptr(0),
            euid: a.ptr(1),
            suid: a.ptr(2),
        },
        S::getresgid => C::Getresgid {
            rgid: a.ptr(0),
            egid: a.ptr(1),
            sgid: a.ptr(2),
        },
        S::getgroups => C::Getgroups {
            size: a.int(0),
            list: a.ptr(1),
        },
        S::setgroups => C::Setgroups {
            size: a.int(0) as usize,
            list: a.ptr(1),
        },
        S::setpgid => C::Setpgid {
            pid: a.int(0),
            pgid: a.int(1),
        },
        S::getpgid => C::Getpgid { pid: a.int(0) },
        S::getpgrp => C::Getpgid { pid: 0 },
        S::setsid => C::Setsid {},
        S::getsid => C::Getsid { pid: a.int(0) },
        S::set_tid_address => C::SetTidAddress { tidptr: a.ptr(0) },
        S::set_robust_list => C::SetRobustList {
            head: a.ptr(0),
            len: a.size(1),
        },
        S::get_robust_list => C::GetRobustList {
            pid: a.int(0),
            head_ptr: a.ptr(1),
            len_ptr: a.ptr(2),
        },
        S::prctl => C::Prctl {
            option: a.int(0),
            arg2: a.size(1),
            arg3: a.size(2),
            arg4: a.size(3),
            arg5: a.size(4),
        },
        S::arch_prctl => C::ArchPrctl {
            code: a.int(0),
            addr: a.size(1),
        },
        S::riscv_flush_icache => C::RiscvFlushIcache {
            start: a.ptr(0),
            end: a.ptr(1),
            flags: a.size(2),
        },
        S::futex => C::Futex {
            uaddr: a.ptr(0),
            op: a.int(1),
            val: a.uint(2),
            timeout: a.ptr(3),
            uaddr2: a.ptr(4),
            val3: a.uint(5),
        },
        S::getcpu => C::Getcpu {
            cpu: a.ptr(0),
            node: a.ptr(1),
        },
        S::sched_yield => C::SchedYield {},
        S::sched_getaffinity => C::SchedGetaffinity {
            pid: a.int(0),
            len: a.uint(1) as usize,
            mask: a.ptr(2),
        },
        S::sched_setaffinity => C::SchedSetaffinity {
            pid: a.int(0),
            len: a.uint(1) as usize,
            mask: a.ptr(2),
        },
        S::sched_getscheduler => C::SchedGetscheduler { pid: a.int(0) },
        S::sched_setscheduler => C::SchedSetscheduler {
            pid: a.int(0),
            policy: a.int(1),
            param: a.ptr(2),
        },
        S::sched_getparam => C::SchedGetparam {
            pid: a.int(0),
            param: a.ptr(1),
        },
        S::sched_setparam => C::SchedSetparam {
            pid: a.int(0),
            param: a.ptr(1),
        },
        S::sched_get_priority_max => C::SchedGetPriorityMax { policy: a.int(0) },
        S::sched_get_priority_min => C::SchedGetPriorityMin { policy: a.int(0) },
        S::sched_rr_get_interval => C::SchedRrGetInterval {
            pid: a.int(0),
            interval: a.ptr(1),
        },
        S::getpriority => C::Getpriority {
            which: a.int(0),
            who: a.int(1),
        },
        S::setpriority => C::Setpriority {
            which: a.int(0),
            who: a.int(1),
            prio: a.int(2),
        },

        // Time.
        S::nanosleep => C::Nanosleep {
            req: a.ptr(0),
            rem: a.ptr(1),
        },
        S::clock_gettime => C::ClockGettime {
            clockid: a.int(0),
            tp: a.ptr(1),
        },
        S::clock_getres => C::ClockGetres {
            clockid: a.int(0),
            res: a.ptr(1),
        },
        S::clock_nanosleep => C::ClockNanosleep {
            clockid: a.int(0),
            flags: a.int(1),
            req: a.ptr(2),
            rem: a.ptr(3),
        },
        S::gettimeofday => C::Gettimeofday {
            tv: a.ptr(0),
            tz: a.ptr(1),
        },
        S::getitimer => C::Getitimer {
            which: a.int(0),
            curr: a.ptr(1),
        },
        S::setitimer => C::Setitimer {
            which: a.int(0),
            new: a.ptr(1),
            old: a.ptr(2),
        },
        S::times => C::Times { buf: a.ptr(0) },
        S::time => C::Time { tloc: a.ptr(0) },

        // System.
        S::uname => C::Uname { buf: a.ptr(0) },
        S::sethostname => C::Sethostname {
            name: a.ptr(0),
            len: a.int(1) as usize,
        },
        S::getrandom => C::Getrandom {
            buf: a.ptr(0),
            len: a.size(1),
            flags: GetrandomFlags::from_bits_retain(a.uint(2)),
        },
        S::sysinfo => C::Sysinfo { info: a.ptr(0) },
        S::prlimit64 => C::Prlimit64 {
            pid: a.int(0),
            resource: a.uint(1),
            new_limit: a.ptr(2),
            old_limit: a.ptr(3),
        },
        S::getrlimit => C::Prlimit64 {
            pid: 0,
            resource: a.uint(0),
            new_limit: UserAddr::NULL,
            old_limit: a.ptr(1),
        },
        S::setrlimit => C::Prlimit64 {
            pid: 0,
            resource: a.uint(0),
            new_limit: a.ptr(1),
            old_limit: UserAddr::NULL,
        },
        S::getrusage => C::Getrusage {
            who: a.int(0),
            usage: a.ptr(1),
        },
        S::reboot => C::Reboot {
            magic1: a.uint(0),
            magic2: a.uint(1),
            cmd: a.uint(2),
            arg: a.ptr(3),
        },

        // Waiting on file descriptors.
        S::poll => C::Poll {
            fds: a.ptr(0),
            nfds: a.uint(1) as usize,
            timeout_ms: a.int(2),
        },
        S::ppoll => C::Ppoll {
            fds: a.ptr(0),
            nfds: a.uint(1) as usize,
            timeout: a.ptr(2),
            sigmask: a.ptr(3),
            sigsetsize: a.size(4),
        },
        S::select => C::Select {
            nfds: a.int(0),
            readfds: a.ptr(1),
            writefds: a.ptr(2),
            exceptfds: a.ptr(3),
            timeout: a.ptr(4),
        },
        S::pselect6 => C::Pselect6 {
            nfds: a.int(0),
            readfds: a.ptr(1),
            writefds: a.ptr(2),
            exceptfds: a.ptr(3),
            timeout: a.ptr(4),
            sigmask: a.ptr(5),
        },
        S::epoll_create1 => C::EpollCreate1 { flags: a.uint(0) },
        S::epoll_ctl => C::EpollCtl {
            epfd: a.int(0),
            op: a.int(1),
            fd: a.int(2),
            event: a.ptr(3),
        },
        S::epoll_wait => C::EpollPwait {
            epfd: a.int(0),
            events: a.ptr(1),
            maxevents: a.int(2),
            timeout_ms: a.int(3),
            sigmask: UserAddr::NULL,
            sigsetsize: SIGSET_SIZE,
        },
        S::epoll_pwait => C::EpollPwait {
            epfd: a.int(0),
            events: a.ptr(1),
            maxevents: a.int(2),
            timeout_ms: a.int(3),
            sigmask: a.ptr(4),
            sigsetsize: a.size(5),
        },
        S::eventfd => C::Eventfd2 {
            initval: a.uint(0),
            flags: 0,
        },
        S::eventfd2 => C::Eventfd2 {
            initval: a.uint(0),
            flags: a.uint(1),
        },

        // Sockets.
        S::socket => C::Socket {
            domain: a.int(0),
            ty: a.int(1),
            protocol: a.int(2),
        },
        S::socketpair => C::Socketpair {
            domain: a.int(0),
            ty: a.int(1),
            protocol: a.int(2),
            sv: a.ptr(3),
        },
        S::bind => C::Bind {
            fd: a.int(0),
            addr: a.ptr(1),
            addrlen: a.uint(2),
        },
        S::connect => C::Connect {
            fd: a.int(0),
            addr: a.ptr(1),
            addrlen: a.uint(2),
        },
        S::listen => C::Listen {
            fd: a.int(0),
            backlog: a.int(1),
        },
        S::accept => C::Accept4 {
            fd: a.int(0),
            addr: a.ptr(1),
            addrlen: a.ptr(2),
            flags: 0,
        },
        S::accept4 => C::Accept4 {
            fd: a.int(0),
            addr: a.ptr(1),
            addrlen: a.ptr(2),
            flags: a.int(3),
        },
        S::getsockname => C::Getsockname {
            fd: a.int(0),
            addr: a.ptr(1),
            addrlen: a.ptr(2),
        },
        S::getpeername => C::Getpeername {
            fd: a.int(0),
            addr: a.ptr(1),
            addrlen: a.ptr(2),
        },
        S::sendto => C::Sendto {
            fd: a.int(0),
            buf: a.ptr(1),
            len: a.size(2),
            flags: a.int(3),
            dest_addr: a.ptr(4),
            addrlen: a.uint(5),
        },
        S::recvfrom => C::Recvfrom {
            fd: a.int(0),
            buf: a.ptr(1),
            len: a.size(2),
            flags: a.int(3),
            src_addr: a.ptr(4),
            addrlen: a.ptr(5),
        },
        S::setsockopt => C::Setsockopt {
            fd: a.int(0),
            level: a.int(1),
            optname: a.int(2),
            optval: a.ptr(3),
            optlen: a.uint(4),
        },
        S::getsockopt => C::Getsockopt {
            fd: a.int(0),
            level: a.int(1),
            optname: a.int(2),
            optval: a.ptr(3),
            optlen: a.ptr(4),
        },
        S::shutdown => C::Shutdown {
            fd: a.int(0),
            how: a.int(1),
        },
        S::sendmsg => C::Sendmsg {
            fd: a.int(0),
            msg: a.ptr(1),
            flags: a.uint(2) as i32,
        },
        S::recvmsg => C::Recvmsg {
            fd: a.int(0),
            msg: a.ptr(1),
            flags: a.uint(2) as i32,
        },

        _ => return None,
    })
}
