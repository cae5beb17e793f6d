//! [`Sysno`]: Linux system calls by name, independent of the architecture, and the mapping
//! to and from each architecture's numbers.
//!
//! The numbers live in [`numbers_x86_64`](crate::numbers_x86_64) and
//! [`numbers_generic`](crate::numbers_generic); both are turned at compile time into direct
//! lookup tables in both directions (a duplicate number or name fails the build).

use crate::Arch;
use crate::{numbers_generic, numbers_x86_64};

macro_rules! define_sysno {
    ($($name:ident),* $(,)?) => {
        /// A Linux system call, by the name the kernel's tables give it.
        ///
        /// The set is the union of the x86-64 table and riscv64's generic table; a call that
        /// one architecture lacks (`open` on riscv64, `riscv_flush_icache` on x86-64) has no
        /// number there: [`Sysno::number`] returns `None`. Names are Linux's (`newfstatat`,
        /// `umount2`, `prlimit64`), which is why the variants are lower case.
        #[allow(non_camel_case_types)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u16)]
        #[non_exhaustive]
        pub enum Sysno {
            $(
                #[doc = concat!("`", stringify!($name), "`")]
                $name,
            )*
        }

        impl Sysno {
            /// Every system call this crate knows, on any architecture.
            pub const ALL: &'static [Sysno] = &[$(Sysno::$name),*];

            /// The call's name as in Linux's tables and `strace` (`"openat"`).
            pub const fn name(self) -> &'static str {
                match self {
                    $(Sysno::$name => stringify!($name),)*
                }
            }
        }
    };
}

define_sysno! {
    read, write, open, close, stat, fstat, lstat, poll, lseek, mmap, mprotect, munmap, brk,
    rt_sigaction, rt_sigprocmask, rt_sigreturn, ioctl, pread64, pwrite64, readv, writev, access,
    pipe, select, sched_yield, mremap, msync, mincore, madvise, shmget, shmat, shmctl, dup,
    dup2, pause, nanosleep, getitimer, alarm, setitimer, getpid, sendfile, socket, connect,
    accept, sendto, recvfrom, sendmsg, recvmsg, shutdown, bind, listen, getsockname,
    getpeername, socketpair, setsockopt, getsockopt, clone, fork, vfork, execve, exit, wait4,
    kill, uname, semget, semop, semctl, shmdt, msgget, msgsnd, msgrcv, msgctl, fcntl, flock,
    fsync, fdatasync, truncate, ftruncate, getdents, getcwd, chdir, fchdir, rename, mkdir,
    rmdir, creat, link, unlink, symlink, readlink, chmod, fchmod, chown, fchown, lchown, umask,
    gettimeofday, getrlimit, getrusage, sysinfo, times, ptrace, getuid, syslog, getgid, setuid,
    setgid, geteuid, getegid, setpgid, getppid, getpgrp, setsid, setreuid, setregid, getgroups,
    setgroups, setresuid, getresuid, setresgid, getresgid, getpgid, setfsuid, setfsgid, getsid,
    capget, capset, rt_sigpending, rt_sigtimedwait, rt_sigqueueinfo, rt_sigsuspend, sigaltstack,
    utime, mknod, uselib, personality, ustat, statfs, fstatfs, sysfs, getpriority, setpriority,
    sched_setparam, sched_getparam, sched_setscheduler, sched_getscheduler,
    sched_get_priority_max, sched_get_priority_min, sched_rr_get_interval, mlock, munlock,
    mlockall, munlockall, vhangup, modify_ldt, pivot_root, _sysctl, prctl, arch_prctl, adjtimex,
    setrlimit, chroot, sync, acct, settimeofday, mount, umount2, swapon, swapoff, reboot,
    sethostname, setdomainname, iopl, ioperm, create_module, init_module, delete_module,
    get_kernel_syms, query_module, quotactl, nfsservctl, getpmsg, putpmsg, afs_syscall, tuxcall,
    security, gettid, readahead, setxattr, lsetxattr, fsetxattr, getxattr, lgetxattr, fgetxattr,
    listxattr, llistxattr, flistxattr, removexattr, lremovexattr, fremovexattr, tkill, time,
    futex, sched_setaffinity, sched_getaffinity, set_thread_area, io_setup, io_destroy,
    io_getevents, io_submit, io_cancel, get_thread_area, lookup_dcookie, epoll_create,
    epoll_ctl_old, epoll_wait_old, remap_file_pages, getdents64, set_tid_address,
    restart_syscall, semtimedop, fadvise64, timer_create, timer_settime, timer_gettime,
    timer_getoverrun, timer_delete, clock_settime, clock_gettime, clock_getres, clock_nanosleep,
    exit_group, epoll_wait, epoll_ctl, tgkill, utimes, vserver, mbind, set_mempolicy,
    get_mempolicy, mq_open, mq_unlink, mq_timedsend, mq_timedreceive, mq_notify, mq_getsetattr,
    kexec_load, waitid, add_key, request_key, keyctl, ioprio_set, ioprio_get, inotify_init,
    inotify_add_watch, inotify_rm_watch, migrate_pages, openat, mkdirat, mknodat, fchownat,
    futimesat, newfstatat, unlinkat, renameat, linkat, symlinkat, readlinkat, fchmodat,
    faccessat, pselect6, ppoll, unshare, set_robust_list, get_robust_list, splice, tee,
    sync_file_range, vmsplice, move_pages, utimensat, epoll_pwait, signalfd, timerfd_create,
    eventfd, fallocate, timerfd_settime, timerfd_gettime, accept4, signalfd4, eventfd2,
    epoll_create1, dup3, pipe2, inotify_init1, preadv, pwritev, rt_tgsigqueueinfo,
    perf_event_open, recvmmsg, fanotify_init, fanotify_mark, prlimit64, name_to_handle_at,
    open_by_handle_at, clock_adjtime, syncfs, sendmmsg, setns, getcpu, process_vm_readv,
    process_vm_writev, kcmp, finit_module, sched_setattr, sched_getattr, renameat2, seccomp,
    getrandom, memfd_create, kexec_file_load, bpf, execveat, userfaultfd, membarrier, mlock2,
    copy_file_range, preadv2, pwritev2, pkey_mprotect, pkey_alloc, pkey_free, statx,
    io_pgetevents, rseq, uretprobe, pidfd_send_signal, io_uring_setup, io_uring_enter,
    io_uring_register, open_tree, move_mount, fsopen, fsconfig, fsmount, fspick, pidfd_open,
    clone3, close_range, openat2, pidfd_getfd, faccessat2, process_madvise, epoll_pwait2,
    mount_setattr, quotactl_fd, landlock_create_ruleset, landlock_add_rule,
    landlock_restrict_self, memfd_secret, process_mrelease, futex_waitv,
    set_mempolicy_home_node, cachestat, fchmodat2, map_shadow_stack, futex_wake, futex_wait,
    futex_requeue, statmount, listmount, lsm_get_self_attr, lsm_set_self_attr, lsm_list_modules,
    mseal, setxattrat, getxattrat, listxattrat, removexattrat, open_tree_attr, file_getattr,
    file_setattr, riscv_hwprobe, riscv_flush_icache,
}

/// One past the highest number in either table.
const NR_LIMIT: usize = 470;
/// `by_sysno` marker for "no number on this architecture".
const NO_NUMBER: u16 = u16::MAX;

/// Both directions of one architecture's table.
struct Table {
    by_number: [Option<Sysno>; NR_LIMIT],
    by_sysno: [u16; Sysno::ALL.len()],
    len: usize,
}

impl Table {
    /// Builds the lookup arrays; panics (at compile time) on a duplicate number or name, or a
    /// number out of range.
    const fn build(entries: &[(u16, Sysno)]) -> Table {
        let mut t = Table {
            by_number: [None; NR_LIMIT],
            by_sysno: [NO_NUMBER; Sysno::ALL.len()],
            len: entries.len(),
        };
        let mut i = 0;
        while i < entries.len() {
            let (nr, sysno) = entries[i];
            assert!((nr as usize) < NR_LIMIT, "syscall number out of range");
            assert!(
                t.by_number[nr as usize].is_none(),
                "duplicate syscall number"
            );
            assert!(
                t.by_sysno[sysno as usize] == NO_NUMBER,
                "duplicate syscall name"
            );
            t.by_number[nr as usize] = Some(sysno);
            t.by_sysno[sysno as usize] = nr;
            i += 1;
        }
        t
    }
}

static X86_64: Table = Table::build(numbers_x86_64::TABLE);
static GENERIC: Table = Table::build(numbers_generic::TABLE);

const fn table(arch: Arch) -> &'static Table {
    match arch {
        Arch::X86_64 => &X86_64,
        Arch::Riscv64 => &GENERIC,
    }
}

impl Sysno {
    /// The call that `number` means on `arch`, or `None` if the number is not assigned there.
    pub fn from_number(arch: Arch, number: usize) -> Option<Sysno> {
        table(arch).by_number.get(number).copied().flatten()
    }

    /// This call's number on `arch`, or `None` if `arch` does not have it.
    pub fn number(self, arch: Arch) -> Option<usize> {
        match table(arch).by_sysno[self as usize] {
            NO_NUMBER => None,
            nr => Some(nr as usize),
        }
    }

    /// Whether `arch` has this call.
    pub fn exists_on(self, arch: Arch) -> bool {
        self.number(arch).is_some()
    }

    /// The call named `name` (`"openat"`), if this crate knows it.
    pub fn from_name(name: &str) -> Option<Sysno> {
        Sysno::ALL.iter().copied().find(|s| s.name() == name)
    }

    /// The calls of `arch` with their numbers, in number order.
    pub fn table(arch: Arch) -> impl Iterator<Item = (usize, Sysno)> {
        let entries = match arch {
            Arch::X86_64 => numbers_x86_64::TABLE,
            Arch::Riscv64 => numbers_generic::TABLE,
        };
        entries.iter().map(|&(nr, s)| (nr as usize, s))
    }

    /// How many calls `arch` has.
    pub fn count(arch: Arch) -> usize {
        table(arch).len
    }
}

impl core::fmt::Display for Sysno {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}
