//! The typed system calls: [`Syscall`] (one variant per call a kernel is likely to implement)
//! and [`SyscallHandler`] (one method per variant), both generated from the single table in
//! this file so they cannot drift apart.
//!
//! Each entry is `Variant => method(args)`. The method is named after the [`Sysno`] that
//! serves the call; legacy x86-64 calls that Linux itself implements in terms of a newer one
//! (`open` as `openat(AT_FDCWD, ..)`, `stat` as `newfstatat(.., 0)`, `fork` as `clone`) decode
//! to the newer call's variant (see [`crate::decode`]), so a kernel implements each operation
//! once and serves both architectures.
//!
//! Argument types follow the kernel's `SYSCALL_DEFINE`s: `int` becomes `i32` (the low 32 bits
//! of the register, as Linux truncates), `unsigned int` and `umode_t` become `u32`, `off_t`
//! and `loff_t` become `i64`, user pointers become [`UserAddr`], sizes become `usize`, and
//! flag words become the bitflags types of [`crate::abi`] with unknown bits kept (use
//! `from_bits`-style checks where Linux rejects unknown flags with `EINVAL`).

use crate::abi::fcntl::{AtFlags, CloseRangeFlags, OpenFlags, RenameFlags};
use crate::abi::mman::{MmapFlags, MmapProt, MremapFlags};
use crate::abi::mount::{MountFlags, UmountFlags};
use crate::abi::random::GetrandomFlags;
use crate::abi::sched::CloneFlags;
use crate::abi::wait::WaitOptions;
use crate::{Errno, SysResult, Sysno, UserAddr};

macro_rules! define_syscalls {
    ($(
        $(#[doc = $doc:literal])*
        $variant:ident => $method:ident($($arg:ident: $ty:ty),* $(,)?);
    )*) => {
        /// A decoded system call: its typed arguments, or [`Syscall::Unknown`].
        ///
        /// Build one with [`Syscall::decode`]; run it with [`Syscall::call`] or
        /// [`crate::dispatch`]. The fields carry the arguments as the kernel's `SYSCALL_DEFINE`
        /// declares them.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[non_exhaustive]
        #[allow(missing_docs)] // the fields are the man page's argument names
        pub enum Syscall {
            $(
                $(#[doc = $doc])*
                $variant { $($arg: $ty),* },
            )*
            /// A number without a typed decoding here: either unknown on this architecture
            /// (`sysno` is `None`) or known but not in the table above. The handler's
            /// [`SyscallHandler::unknown`] receives it.
            Unknown {
                /// The call, if the number is assigned on this architecture.
                sysno: Option<Sysno>,
                /// The raw number.
                number: usize,
                /// The raw arguments.
                args: [usize; 6],
            },
        }

        /// What a kernel implements: one method per typed call.
        ///
        /// Every method has a default body that returns `Err(ENOSYS)`, so a kernel overrides
        /// only what it implements, and lists those calls in [`SyscallHandler::implemented`].
        /// The handler is usually a short-lived view of the calling thread (its process, its
        /// saved user registers), built by the kernel's trap path before [`crate::dispatch`].
        ///
        /// Methods return the non-negative result or an [`Errno`]. Calls that do not return to
        /// the caller's context (`exit`, `exit_group`, a successful `execve`, `rt_sigreturn`)
        /// are still routed here; what the kernel does with the user context is its own
        /// business (for `rt_sigreturn`, Linux returns the restored return register).
        pub trait SyscallHandler {
            /// The calls this handler implements, by the [`Sysno`] of the method (or, for calls
            /// served through [`SyscallHandler::unknown`], their own). Legacy calls decoded to
            /// a listed method count as implemented: see [`crate::implemented_calls`].
            fn implemented(&self) -> &'static [Sysno] {
                &[]
            }

            /// A call without a typed decoding ([`Syscall::Unknown`]): `ENOSYS` unless the kernel
            /// handles it from the raw arguments.
            fn unknown(
                &mut self,
                sysno: Option<Sysno>,
                number: usize,
                args: [usize; 6],
            ) -> SysResult {
                let _ = (sysno, number, args);
                Err(Errno::ENOSYS)
            }

            $(
                $(#[doc = $doc])*
                fn $method(&mut self, $($arg: $ty),*) -> SysResult {
                    let _ = ($($arg,)*);
                    Err(Errno::ENOSYS)
                }
            )*
        }

        impl Syscall {
            /// The [`Sysno`] whose handler method serves this call (`openat` for a decoded
            /// `open`); for [`Syscall::Unknown`], its own number's, if any.
            pub const fn sysno(&self) -> Option<Sysno> {
                match self {
                    $(Syscall::$variant { .. } => Some(Sysno::$method),)*
                    Syscall::Unknown { sysno, .. } => *sysno,
                }
            }

            /// Calls the handler method for this call.
            pub fn call<H: SyscallHandler + ?Sized>(self, handler: &mut H) -> SysResult {
                match self {
                    $(Syscall::$variant { $($arg),* } => handler.$method($($arg),*),)*
                    Syscall::Unknown { sysno, number, args } => {
                        handler.unknown(sysno, number, args)
                    }
                }
            }

            /// Every [`Sysno`] that has a typed variant (a method of [`SyscallHandler`]).
            pub const TYPED: &'static [Sysno] = &[$(Sysno::$method),*];
        }
    };
}

define_syscalls! {
    // ---- File I/O ----------------------------------------------------------------------
    /// read(2): read up to `count` bytes from `fd` into `buf`.
    Read => read(fd: i32, buf: UserAddr, count: usize);
    /// write(2): write up to `count` bytes from `buf` to `fd`.
    Write => write(fd: i32, buf: UserAddr, count: usize);
    /// readv(2): scatter read into `iovcnt` [`Iovec`](crate::abi::uio::Iovec)s at `iov`.
    Readv => readv(fd: i32, iov: UserAddr, iovcnt: usize);
    /// writev(2): gather write from `iovcnt` iovecs at `iov`.
    Writev => writev(fd: i32, iov: UserAddr, iovcnt: usize);
    /// pread64(2): read at `offset` without moving the file offset.
    Pread64 => pread64(fd: i32, buf: UserAddr, count: usize, offset: i64);
    /// pwrite64(2): write at `offset` without moving the file offset.
    Pwrite64 => pwrite64(fd: i32, buf: UserAddr, count: usize, offset: i64);
    /// sendfile(2): copy `count` bytes from `in_fd` (at `*offset` if not NULL) to `out_fd`.
    Sendfile => sendfile(out_fd: i32, in_fd: i32, offset: UserAddr, count: usize);
    /// openat(2); also x86-64 `open(path, flags, mode)` (as `dirfd = AT_FDCWD`) and
    /// `creat(path, mode)` (as `O_CREAT | O_WRONLY | O_TRUNC`).
    Openat => openat(dirfd: i32, path: UserAddr, flags: OpenFlags, mode: u32);
    /// close(2).
    Close => close(fd: i32);
    /// close_range(2): close (or mark close-on-exec) fds `first..=last`.
    CloseRange => close_range(first: u32, last: u32, flags: CloseRangeFlags);
    /// lseek(2): `whence` is `SEEK_*`.
    Lseek => lseek(fd: i32, offset: i64, whence: u32);
    /// fstat(2): write a `struct stat` ([`Stat::to_arch`](crate::abi::stat::Stat::to_arch)).
    Fstat => fstat(fd: i32, statbuf: UserAddr);
    /// newfstatat(2) (`fstatat`); also x86-64 `stat(path, buf)` (flags 0) and `lstat(path,
    /// buf)` (`AT_SYMLINK_NOFOLLOW`), both relative to `AT_FDCWD`.
    Newfstatat => newfstatat(dirfd: i32, path: UserAddr, statbuf: UserAddr, flags: AtFlags);
    /// statx(2): write a [`Statx`](crate::abi::stat::Statx) with at least the fields in `mask`.
    Statx => statx(dirfd: i32, path: UserAddr, flags: AtFlags, mask: u32, statxbuf: UserAddr);
    /// statfs(2): write a [`Statfs`](crate::abi::statfs::Statfs) for the file system of `path`.
    Statfs => statfs(path: UserAddr, buf: UserAddr);
    /// fstatfs(2).
    Fstatfs => fstatfs(fd: i32, buf: UserAddr);
    /// getdents64(2): fill `dirp` with [`linux_dirent64`](crate::abi::dirent) records.
    Getdents64 => getdents64(fd: i32, dirp: UserAddr, count: usize);
    /// dup(2).
    Dup => dup(oldfd: i32);
    /// dup2(2) (x86-64 only): unlike dup3, `oldfd == newfd` returns `newfd` if it is valid.
    Dup2 => dup2(oldfd: i32, newfd: i32);
    /// dup3(2): `flags` may only be `O_CLOEXEC`; `oldfd == newfd` is `EINVAL`.
    Dup3 => dup3(oldfd: i32, newfd: i32, flags: OpenFlags);
    /// fcntl(2): `cmd` is `F_*`; `arg` is an integer or a pointer depending on it.
    Fcntl => fcntl(fd: i32, cmd: u32, arg: usize);
    /// ioctl(2): `request` is the low 32 bits (see [`crate::abi::ioctl`]).
    Ioctl => ioctl(fd: i32, request: u32, arg: usize);
    /// pipe2(2): store two fds at `fds`; also x86-64 `pipe(fds)` (flags 0).
    Pipe2 => pipe2(fds: UserAddr, flags: OpenFlags);
    /// mkdirat(2); also x86-64 `mkdir(path, mode)`.
    Mkdirat => mkdirat(dirfd: i32, path: UserAddr, mode: u32);
    /// mknodat(2); also x86-64 `mknod(path, mode, dev)`.
    Mknodat => mknodat(dirfd: i32, path: UserAddr, mode: u32, dev: u32);
    /// unlinkat(2); also x86-64 `unlink(path)` (flags 0) and `rmdir(path)` (`AT_REMOVEDIR`).
    Unlinkat => unlinkat(dirfd: i32, path: UserAddr, flags: AtFlags);
    /// renameat2(2); also x86-64 `rename(old, new)` and `renameat(..)` (flags 0).
    Renameat2 => renameat2(
        olddirfd: i32,
        oldpath: UserAddr,
        newdirfd: i32,
        newpath: UserAddr,
        flags: RenameFlags,
    );
    /// linkat(2); also x86-64 `link(old, new)` (flags 0).
    Linkat => linkat(
        olddirfd: i32,
        oldpath: UserAddr,
        newdirfd: i32,
        newpath: UserAddr,
        flags: AtFlags,
    );
    /// symlinkat(2): create `linkpath` containing `target`; also x86-64 `symlink`.
    Symlinkat => symlinkat(target: UserAddr, newdirfd: i32, linkpath: UserAddr);
    /// readlinkat(2): `bufsiz` <= 0 is `EINVAL`; also x86-64 `readlink(path, buf, bufsiz)`.
    Readlinkat => readlinkat(dirfd: i32, path: UserAddr, buf: UserAddr, bufsiz: i32);
    /// fchmod(2).
    Fchmod => fchmod(fd: i32, mode: u32);
    /// fchmodat(2) (flags 0) and fchmodat2 (with flags); also x86-64 `chmod(path, mode)`.
    Fchmodat => fchmodat(dirfd: i32, path: UserAddr, mode: u32, flags: AtFlags);
    /// fchown(2): `u32::MAX` (-1) leaves an id unchanged.
    Fchown => fchown(fd: i32, uid: u32, gid: u32);
    /// fchownat(2); also x86-64 `chown` (flags 0) and `lchown` (`AT_SYMLINK_NOFOLLOW`).
    Fchownat => fchownat(dirfd: i32, path: UserAddr, uid: u32, gid: u32, flags: AtFlags);
    /// utimensat(2): `times` points to two [`Timespec`](crate::abi::time::Timespec)s or is NULL
    /// (now).
    Utimensat => utimensat(dirfd: i32, path: UserAddr, times: UserAddr, flags: AtFlags);
    /// faccessat(2) (flags 0) and faccessat2 (with flags); also x86-64 `access(path, mode)`.
    Faccessat => faccessat(dirfd: i32, path: UserAddr, mode: u32, flags: AtFlags);
    /// truncate(2).
    Truncate => truncate(path: UserAddr, length: i64);
    /// ftruncate(2).
    Ftruncate => ftruncate(fd: i32, length: i64);
    /// fsync(2).
    Fsync => fsync(fd: i32);
    /// fdatasync(2).
    Fdatasync => fdatasync(fd: i32);
    /// flock(2): `operation` is `LOCK_*`.
    Flock => flock(fd: i32, operation: u32);
    /// chdir(2).
    Chdir => chdir(path: UserAddr);
    /// fchdir(2).
    Fchdir => fchdir(fd: i32);
    /// chroot(2).
    Chroot => chroot(path: UserAddr);
    /// getcwd(2): returns the length including the NUL.
    Getcwd => getcwd(buf: UserAddr, size: usize);
    /// umask(2): returns the previous mask.
    Umask => umask(mask: u32);
    /// sync(2).
    Sync => sync();
    /// mount(2): `source`, `fstype` and `data` may be NULL depending on `flags`.
    Mount => mount(
        source: UserAddr,
        target: UserAddr,
        fstype: UserAddr,
        flags: MountFlags,
        data: UserAddr,
    );
    /// umount2(2).
    Umount2 => umount2(target: UserAddr, flags: UmountFlags);

    // ---- Memory ------------------------------------------------------------------------
    /// brk(2): returns the new break, or the current one if `addr` is invalid (never an
    /// error, as Linux).
    Brk => brk(addr: UserAddr);
    /// mmap(2): `offset` is in bytes on both architectures and must be page aligned.
    Mmap => mmap(
        addr: UserAddr,
        len: usize,
        prot: MmapProt,
        flags: MmapFlags,
        fd: i32,
        offset: i64,
    );
    /// munmap(2).
    Munmap => munmap(addr: UserAddr, len: usize);
    /// mprotect(2).
    Mprotect => mprotect(addr: UserAddr, len: usize, prot: MmapProt);
    /// madvise(2): `advice` is `MADV_*`.
    Madvise => madvise(addr: UserAddr, len: usize, advice: i32);
    /// mremap(2): `new_addr` is used with `MREMAP_FIXED`.
    Mremap => mremap(
        old_addr: UserAddr,
        old_len: usize,
        new_len: usize,
        flags: MremapFlags,
        new_addr: UserAddr,
    );
    /// msync(2): `flags` is `MS_*`.
    Msync => msync(addr: UserAddr, len: usize, flags: u32);

    // ---- Processes and threads ---------------------------------------------------------
    /// clone(2), with the argument order of each architecture already sorted out (x86-64
    /// passes `flags, stack, parent_tid, child_tid, tls`; riscv64 `flags, stack, parent_tid,
    /// tls, child_tid`). The low byte of the raw flags is split off as `exit_signal`. Also
    /// x86-64 `fork()` (`exit_signal = SIGCHLD`, no flags) and `vfork()` (`CLONE_VM |
    /// CLONE_VFORK`, `SIGCHLD`), as Linux implements them. A null `stack` means the parent's.
    Clone => clone(
        flags: CloneFlags,
        exit_signal: u32,
        stack: UserAddr,
        parent_tid: UserAddr,
        child_tid: UserAddr,
        tls: usize,
    );
    /// clone3(2): `args` points to a [`CloneArgs`](crate::abi::sched::CloneArgs) of `size` bytes.
    Clone3 => clone3(args: UserAddr, size: usize);
    /// execve(2).
    Execve => execve(path: UserAddr, argv: UserAddr, envp: UserAddr);
    /// execveat(2).
    Execveat => execveat(
        dirfd: i32,
        path: UserAddr,
        argv: UserAddr,
        envp: UserAddr,
        flags: AtFlags,
    );
    /// exit(2): end the calling thread.
    Exit => exit(status: i32);
    /// exit_group(2): end every thread of the process.
    ExitGroup => exit_group(status: i32);
    /// wait4(2): `pid` > 0 a child, -1 any, 0 the caller's group, < -1 group `-pid`.
    Wait4 => wait4(pid: i32, wstatus: UserAddr, options: WaitOptions, rusage: UserAddr);
    /// waitid(2): `idtype` is `P_*`; fills a [`Siginfo`](crate::abi::siginfo::Siginfo).
    Waitid => waitid(idtype: i32, id: i32, infop: UserAddr, options: WaitOptions, rusage: UserAddr);
    /// kill(2).
    Kill => kill(pid: i32, sig: i32);
    /// tkill(2).
    Tkill => tkill(tid: i32, sig: i32);
    /// tgkill(2).
    Tgkill => tgkill(tgid: i32, tid: i32, sig: i32);
    /// rt_sigaction(2): `act` and `oldact` point to the kernel `struct sigaction` of the
    /// architecture ([`Sigaction`](crate::abi::signal::Sigaction)); `sigsetsize` must be 8.
    RtSigaction => rt_sigaction(sig: i32, act: UserAddr, oldact: UserAddr, sigsetsize: usize);
    /// rt_sigprocmask(2): `how` is `SIG_BLOCK`, `SIG_UNBLOCK` or `SIG_SETMASK`.
    RtSigprocmask => rt_sigprocmask(how: i32, set: UserAddr, oldset: UserAddr, sigsetsize: usize);
    /// rt_sigreturn(2): restore the context saved when the signal handler was entered.
    RtSigreturn => rt_sigreturn();
    /// rt_sigsuspend(2).
    RtSigsuspend => rt_sigsuspend(mask: UserAddr, sigsetsize: usize);
    /// rt_sigpending(2).
    RtSigpending => rt_sigpending(set: UserAddr, sigsetsize: usize);
    /// rt_sigtimedwait(2).
    RtSigtimedwait => rt_sigtimedwait(
        set: UserAddr,
        info: UserAddr,
        timeout: UserAddr,
        sigsetsize: usize,
    );
    /// sigaltstack(2): [`StackT`](crate::abi::signal::StackT)s.
    Sigaltstack => sigaltstack(ss: UserAddr, old_ss: UserAddr);
    /// getpid(2): the thread-group id.
    Getpid => getpid();
    /// getppid(2).
    Getppid => getppid();
    /// gettid(2).
    Gettid => gettid();
    /// getuid(2).
    Getuid => getuid();
    /// geteuid(2).
    Geteuid => geteuid();
    /// getgid(2).
    Getgid => getgid();
    /// getegid(2).
    Getegid => getegid();
    /// setuid(2).
    Setuid => setuid(uid: u32);
    /// setgid(2).
    Setgid => setgid(gid: u32);
    /// setreuid(2).
    Setreuid => setreuid(ruid: u32, euid: u32);
    /// setregid(2).
    Setregid => setregid(rgid: u32, egid: u32);
    /// setresuid(2).
    Setresuid => setresuid(ruid: u32, euid: u32, suid: u32);
    /// setresgid(2).
    Setresgid => setresgid(rgid: u32, egid: u32, sgid: u32);
    /// getresuid(2): three `uid_t *`.
    Getresuid => getresuid(ruid: UserAddr, euid: UserAddr, suid: UserAddr);
    /// getresgid(2): three `gid_t *`.
    Getresgid => getresgid(rgid: UserAddr, egid: UserAddr, sgid: UserAddr);
    /// getgroups(2): `size` 0 asks for the count.
    Getgroups => getgroups(size: i32, list: UserAddr);
    /// setgroups(2).
    Setgroups => setgroups(size: usize, list: UserAddr);
    /// setpgid(2): 0 for either means the caller.
    Setpgid => setpgid(pid: i32, pgid: i32);
    /// getpgid(2); also x86-64 `getpgrp()` (as `pid = 0`).
    Getpgid => getpgid(pid: i32);
    /// setsid(2).
    Setsid => setsid();
    /// getsid(2).
    Getsid => getsid(pid: i32);
    /// set_tid_address(2): returns the caller's tid.
    SetTidAddress => set_tid_address(tidptr: UserAddr);
    /// set_robust_list(2): `len` must be the size of `struct robust_list_head` (24).
    SetRobustList => set_robust_list(head: UserAddr, len: usize);
    /// get_robust_list(2): `pid` 0 is the caller; writes the head pointer and its size.
    GetRobustList => get_robust_list(pid: i32, head_ptr: UserAddr, len_ptr: UserAddr);
    /// prctl(2): `option` is `PR_*`.
    Prctl => prctl(option: i32, arg2: usize, arg3: usize, arg4: usize, arg5: usize);
    /// arch_prctl(2) (x86-64 only): `code` is `ARCH_*`; `addr` a value or a pointer.
    ArchPrctl => arch_prctl(code: i32, addr: usize);
    /// riscv_flush_icache (riscv64 only): make stores in `start..end` visible to instruction
    /// fetch (`flags` 1: this thread only).
    RiscvFlushIcache => riscv_flush_icache(start: UserAddr, end: UserAddr, flags: usize);
    /// futex(2): `op` is `FUTEX_*` with flags; `timeout` is a `Timespec *` or, for the
    /// requeue operations, the integer `val2`.
    Futex => futex(
        uaddr: UserAddr,
        op: i32,
        val: u32,
        timeout: UserAddr,
        uaddr2: UserAddr,
        val3: u32,
    );
    /// getcpu(2): the CPU (and NUMA node) the caller runs on; either pointer may be null.
    Getcpu => getcpu(cpu: UserAddr, node: UserAddr);
    /// sched_yield(2).
    SchedYield => sched_yield();
    /// sched_getaffinity(2): returns the bytes written to `mask`.
    SchedGetaffinity => sched_getaffinity(pid: i32, len: usize, mask: UserAddr);
    /// sched_setaffinity(2): `mask` holds `len` bytes of CPU bits.
    SchedSetaffinity => sched_setaffinity(pid: i32, len: usize, mask: UserAddr);
    /// sched_getscheduler(2): returns the policy (`SCHED_*`).
    SchedGetscheduler => sched_getscheduler(pid: i32);
    /// sched_setscheduler(2): `param` points to a `struct sched_param` (one `int`).
    SchedSetscheduler => sched_setscheduler(pid: i32, policy: i32, param: UserAddr);
    /// sched_getparam(2).
    SchedGetparam => sched_getparam(pid: i32, param: UserAddr);
    /// sched_setparam(2).
    SchedSetparam => sched_setparam(pid: i32, param: UserAddr);
    /// sched_get_priority_max(2).
    SchedGetPriorityMax => sched_get_priority_max(policy: i32);
    /// sched_get_priority_min(2).
    SchedGetPriorityMin => sched_get_priority_min(policy: i32);
    /// sched_rr_get_interval(2): writes a `Timespec`.
    SchedRrGetInterval => sched_rr_get_interval(pid: i32, interval: UserAddr);
    /// getpriority(2): `which` is `PRIO_*`; the system call returns `20 - nice`.
    Getpriority => getpriority(which: i32, who: i32);
    /// setpriority(2): `prio` is the nice value.
    Setpriority => setpriority(which: i32, who: i32, prio: i32);

    // ---- Time --------------------------------------------------------------------------
    /// nanosleep(2).
    Nanosleep => nanosleep(req: UserAddr, rem: UserAddr);
    /// clock_gettime(2): `clockid` is `CLOCK_*`.
    ClockGettime => clock_gettime(clockid: i32, tp: UserAddr);
    /// clock_getres(2).
    ClockGetres => clock_getres(clockid: i32, res: UserAddr);
    /// clock_nanosleep(2): `flags` may be `TIMER_ABSTIME`; returns the error as a positive
    /// value in C, but the system call itself returns `-errno` like the others.
    ClockNanosleep => clock_nanosleep(clockid: i32, flags: i32, req: UserAddr, rem: UserAddr);
    /// gettimeofday(2).
    Gettimeofday => gettimeofday(tv: UserAddr, tz: UserAddr);
    /// getitimer(2).
    Getitimer => getitimer(which: i32, curr: UserAddr);
    /// setitimer(2).
    Setitimer => setitimer(which: i32, new: UserAddr, old: UserAddr);
    /// times(2): returns clock ticks since an arbitrary point.
    Times => times(buf: UserAddr);
    /// time(2) (x86-64 only): seconds since the epoch, also stored at `tloc` unless null.
    Time => time(tloc: UserAddr);

    // ---- System ------------------------------------------------------------------------
    /// uname(2): write a [`Utsname`](crate::abi::utsname::Utsname).
    Uname => uname(buf: UserAddr);
    /// sethostname(2).
    Sethostname => sethostname(name: UserAddr, len: usize);
    /// getrandom(2).
    Getrandom => getrandom(buf: UserAddr, len: usize, flags: GetrandomFlags);
    /// sysinfo(2).
    Sysinfo => sysinfo(info: UserAddr);
    /// prlimit64(2); also `getrlimit(resource, old)` and `setrlimit(resource, new)` (as
    /// `pid = 0`), which both architectures have.
    Prlimit64 => prlimit64(pid: i32, resource: u32, new_limit: UserAddr, old_limit: UserAddr);
    /// getrusage(2): `who` is `RUSAGE_*`.
    Getrusage => getrusage(who: i32, usage: UserAddr);
    /// reboot(2): check the magic with
    /// [`reboot_magic_ok`](crate::abi::reboot::reboot_magic_ok).
    Reboot => reboot(magic1: u32, magic2: u32, cmd: u32, arg: UserAddr);

    // ---- Waiting on file descriptors ------------------------------------------------------
    /// poll(2) (x86-64 only): `timeout_ms` < 0 waits forever.
    Poll => poll(fds: UserAddr, nfds: usize, timeout_ms: i32);
    /// ppoll(2): `timeout` is a `Timespec *` or NULL.
    Ppoll => ppoll(
        fds: UserAddr,
        nfds: usize,
        timeout: UserAddr,
        sigmask: UserAddr,
        sigsetsize: usize,
    );
    /// select(2) (x86-64 only): `timeout` is a `Timeval *` (updated) or NULL.
    Select => select(
        nfds: i32,
        readfds: UserAddr,
        writefds: UserAddr,
        exceptfds: UserAddr,
        timeout: UserAddr,
    );
    /// pselect6(2): `timeout` is a `Timespec *`; `sigmask` points to `{sigset_t *, size_t}`.
    Pselect6 => pselect6(
        nfds: i32,
        readfds: UserAddr,
        writefds: UserAddr,
        exceptfds: UserAddr,
        timeout: UserAddr,
        sigmask: UserAddr,
    );
    /// epoll_create1(2): `flags` may be `EPOLL_CLOEXEC` (= `O_CLOEXEC`).
    EpollCreate1 => epoll_create1(flags: u32);
    /// epoll_ctl(2): `op` is `EPOLL_CTL_*`; `event` is the architecture's `struct
    /// epoll_event` ([`EpollEvent`](crate::abi::poll::EpollEvent)).
    EpollCtl => epoll_ctl(epfd: i32, op: i32, fd: i32, event: UserAddr);
    /// epoll_pwait(2); also x86-64 `epoll_wait` (`sigmask` NULL).
    EpollPwait => epoll_pwait(
        epfd: i32,
        events: UserAddr,
        maxevents: i32,
        timeout_ms: i32,
        sigmask: UserAddr,
        sigsetsize: usize,
    );
    /// eventfd2(2); also x86-64 `eventfd(initval)` (flags 0).
    Eventfd2 => eventfd2(initval: u32, flags: u32);

    // ---- Sockets -----------------------------------------------------------------------
    /// socket(2): `ty` may carry `SOCK_NONBLOCK` and `SOCK_CLOEXEC`.
    Socket => socket(domain: i32, ty: i32, protocol: i32);
    /// socketpair(2).
    Socketpair => socketpair(domain: i32, ty: i32, protocol: i32, sv: UserAddr);
    /// bind(2).
    Bind => bind(fd: i32, addr: UserAddr, addrlen: u32);
    /// connect(2).
    Connect => connect(fd: i32, addr: UserAddr, addrlen: u32);
    /// listen(2).
    Listen => listen(fd: i32, backlog: i32);
    /// accept4(2); also `accept(fd, addr, addrlen)` (flags 0), which both architectures have.
    Accept4 => accept4(fd: i32, addr: UserAddr, addrlen: UserAddr, flags: i32);
    /// getsockname(2): `addrlen` is an in/out `socklen_t *`.
    Getsockname => getsockname(fd: i32, addr: UserAddr, addrlen: UserAddr);
    /// getpeername(2).
    Getpeername => getpeername(fd: i32, addr: UserAddr, addrlen: UserAddr);
    /// sendto(2): `dest_addr` may be NULL.
    Sendto => sendto(
        fd: i32,
        buf: UserAddr,
        len: usize,
        flags: i32,
        dest_addr: UserAddr,
        addrlen: u32,
    );
    /// recvfrom(2): `src_addr` and `addrlen` may be NULL.
    Recvfrom => recvfrom(
        fd: i32,
        buf: UserAddr,
        len: usize,
        flags: i32,
        src_addr: UserAddr,
        addrlen: UserAddr,
    );
    /// setsockopt(2).
    Setsockopt => setsockopt(fd: i32, level: i32, optname: i32, optval: UserAddr, optlen: u32);
    /// getsockopt(2): `optlen` is an in/out `socklen_t *`.
    Getsockopt => getsockopt(fd: i32, level: i32, optname: i32, optval: UserAddr, optlen: UserAddr);
    /// shutdown(2): `how` is `SHUT_RD`, `SHUT_WR` or `SHUT_RDWR`.
    Shutdown => shutdown(fd: i32, how: i32);
    /// sendmsg(2).
    Sendmsg => sendmsg(fd: i32, msg: UserAddr, flags: i32);
    /// recvmsg(2).
    Recvmsg => recvmsg(fd: i32, msg: UserAddr, flags: i32);
}
