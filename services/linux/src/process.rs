//! Processes and the process table.
//!
//! A [`Process`] owns an address space, a file-descriptor table, a working directory and a
//! program break; its threads are [`Task`]s. When a process exits it stays in the table as a
//! zombie with its wait status until its parent reaps it with wait4(2); its children are
//! re-parented to process 1. When process 1 exits, [`Kernel::run_init`] returns its status.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicU32, Ordering};

use frame::mm::vm::UserSpace;
use frame::user::UserContext;
use spin::Mutex;
use vfs::{File, FsContext, OpenFlags, Vfs};

use crate::Errno;
use crate::fs::{self, KernelHooks};
use crate::task::{Scheduler, Task};

/// A process id.
pub type Pid = u32;

/// One open descriptor.
#[derive(Clone)]
pub struct FdEntry {
    /// The open file description (shared by dup and fork).
    pub file: Arc<File>,
    /// `FD_CLOEXEC`.
    pub cloexec: bool,
}

/// A file-descriptor table.
#[derive(Clone, Default)]
pub struct FdTable {
    entries: BTreeMap<i32, FdEntry>,
}

/// Most descriptors a process may hold (`RLIMIT_NOFILE`).
pub const MAX_FDS: i32 = 1024;

impl FdTable {
    /// The file at `fd`.
    pub fn get(&self, fd: i32) -> Result<Arc<File>, Errno> {
        self.entries
            .get(&fd)
            .map(|e| e.file.clone())
            .ok_or(Errno::EBADF)
    }

    /// The entry at `fd`.
    pub fn entry_mut(&mut self, fd: i32) -> Result<&mut FdEntry, Errno> {
        self.entries.get_mut(&fd).ok_or(Errno::EBADF)
    }

    /// Installs `file` at the lowest free descriptor at or above `min`.
    pub fn insert(&mut self, min: i32, file: Arc<File>, cloexec: bool) -> Result<i32, Errno> {
        let mut fd = min.max(0);
        while self.entries.contains_key(&fd) {
            fd += 1;
        }
        if fd >= MAX_FDS {
            return Err(Errno::EMFILE);
        }
        self.entries.insert(fd, FdEntry { file, cloexec });
        Ok(fd)
    }

    /// Installs `file` at `fd`, replacing what was there.
    pub fn insert_at(&mut self, fd: i32, file: Arc<File>, cloexec: bool) -> Result<(), Errno> {
        if !(0..MAX_FDS).contains(&fd) {
            return Err(Errno::EBADF);
        }
        self.entries.insert(fd, FdEntry { file, cloexec });
        Ok(())
    }

    /// Closes `fd`.
    pub fn remove(&mut self, fd: i32) -> Result<Arc<File>, Errno> {
        self.entries.remove(&fd).map(|e| e.file).ok_or(Errno::EBADF)
    }

    /// Closes the close-on-exec descriptors (execve).
    pub fn close_on_exec(&mut self) {
        self.entries.retain(|_, e| !e.cloexec);
    }

    /// The open descriptors, in order.
    pub fn iter(&self) -> impl Iterator<Item = (i32, &Arc<File>)> {
        self.entries.iter().map(|(fd, e)| (*fd, &e.file))
    }

    /// Closes everything.
    pub fn clear(&mut self) {
        self.entries.clear();
    }
}

/// A process.
pub struct Process {
    /// Process id.
    pub pid: Pid,
    /// Parent's pid (0 for process 1).
    pub ppid: AtomicU32,
    /// Process group.
    pub pgid: AtomicU32,
    /// Session.
    pub sid: AtomicU32,
    space: Mutex<UserSpace>,
    /// Descriptors.
    pub fds: Mutex<FdTable>,
    /// Root, working directory, credentials, umask.
    pub fs: Mutex<FsContext>,
    /// Program break: (start, current).
    pub brk: Mutex<(usize, usize)>,
    /// The wait status, once the process has exited.
    pub exit_status: Mutex<Option<i32>>,
    /// The signal actions installed with rt_sigaction, raw per signal (no delivery yet).
    pub sigactions: Mutex<BTreeMap<u32, Vec<u8>>>,
    /// Pending signals (bit `n - 1` for signal `n`).
    pub pending: core::sync::atomic::AtomicU64,
    /// The command line, for /proc and ps.
    pub cmdline: Mutex<String>,
    /// The command name (15 bytes at most): the executable's file name, or what
    /// prctl(PR_SET_NAME) set. Linux keeps one per thread; here the threads share it.
    pub comm: Mutex<String>,
    /// Live threads.
    pub threads: AtomicU32,
    /// The signal the parent gets when the process ends (clone's `exit_signal`; 0: none).
    pub exit_signal: AtomicU32,
}

impl Process {
    /// A process with the given state.
    #[allow(clippy::too_many_arguments)]
    pub fn with(
        pid: Pid,
        ppid: Pid,
        pgid: Pid,
        sid: Pid,
        space: UserSpace,
        fds: FdTable,
        fs: FsContext,
        brk: (usize, usize),
        sigactions: BTreeMap<u32, Vec<u8>>,
        cmdline: String,
    ) -> Process {
        Process {
            pid,
            ppid: AtomicU32::new(ppid),
            pgid: AtomicU32::new(pgid),
            sid: AtomicU32::new(sid),
            space: Mutex::new(space),
            fds: Mutex::new(fds),
            fs: Mutex::new(fs),
            brk: Mutex::new(brk),
            exit_status: Mutex::new(None),
            sigactions: Mutex::new(sigactions),
            pending: core::sync::atomic::AtomicU64::new(0),
            cmdline: Mutex::new(cmdline),
            comm: Mutex::new(String::new()),
            threads: AtomicU32::new(1),
            exit_signal: AtomicU32::new(crate::signal::SIGCHLD),
        }
    }

    /// The handler address installed for `sig` (0 default, 1 ignore).
    pub fn handler(&self, sig: u32) -> usize {
        self.sigactions
            .lock()
            .get(&sig)
            .map_or(0, |act| crate::signal::Action::parse(act).handler)
    }

    /// A child of `parent` (fork): a copy of its descriptors, directories, break, signal
    /// actions and mask, in the address space `space`; the parent gets `exit_signal` when
    /// it ends.
    pub fn new_child(parent: &Process, pid: u32, space: UserSpace, exit_signal: u32) -> Process {
        let child = Process::with(
            pid,
            parent.pid,
            parent.pgid.load(Ordering::Relaxed),
            parent.sid.load(Ordering::Relaxed),
            space,
            parent.fds.lock().clone(),
            parent.fs.lock().clone(),
            *parent.brk.lock(),
            parent.sigactions.lock().clone(),
            parent.cmdline.lock().clone(),
        );
        child.exit_signal.store(exit_signal, Ordering::Relaxed);
        *child.comm.lock() = parent.comm.lock().clone();
        child
    }

    /// The address space.
    pub fn space(&self) -> UserSpace {
        self.space.lock().clone()
    }

    /// Replaces the address space (execve).
    pub fn set_space(&self, space: UserSpace) {
        *self.space.lock() = space;
    }
}

/// The kernel: the VFS, the process table and the scheduler.
pub struct Kernel {
    /// The file-system tree.
    pub vfs: Arc<Vfs>,
    /// The VFS hooks (clock, randomness).
    pub hooks: Arc<KernelHooks>,
    /// The console, whose `^C` interrupts the foreground processes.
    pub console: Arc<crate::console::Console>,
    /// The console's foreground process group (TIOCSPGRP; 0: process 1's group).
    pub foreground: AtomicU32,
    /// Every process, zombies included (shared with procfs).
    pub procs: Arc<crate::procfs::ProcTable>,
    /// The next process id.
    pub next_pid: Pid,
    /// Process 1's file-system context, the template of the first process.
    root_ctx: FsContext,
}

impl Kernel {
    /// Builds the file-system tree from the initramfs.
    pub fn boot(initramfs: &[u8]) -> Result<Kernel, Errno> {
        let (vfs, root_ctx, hooks, console) = fs::boot(initramfs)?;
        Ok(Kernel {
            vfs,
            hooks,
            console,
            foreground: AtomicU32::new(0),
            procs: Arc::new(crate::procfs::ProcTable::default()),
            next_pid: 1,
            root_ctx,
        })
    }

    /// Runs `path` as process 1 and everything it starts, until process 1 exits.
    pub fn run_init(mut self, path: &str, argv: &[&str]) -> Result<i32, Errno> {
        let pid = self.alloc_pid();
        let console = self
            .vfs
            .open(&self.root_ctx, "/dev/console", OpenFlags::RDWR, 0)?;
        let mut fds = FdTable::default();
        for fd in 0..3 {
            fds.insert_at(fd, console.clone(), false)?;
        }
        let space = UserSpace::new().map_err(|_| Errno::ENOMEM)?;
        let process = Arc::new(Process::with(
            pid,
            0,
            pid,
            pid,
            space,
            fds,
            self.root_ctx.clone(),
            (0, 0),
            BTreeMap::new(),
            String::new(),
        ));
        self.procs.insert(pid, process.clone());
        let argv: Vec<Vec<u8>> = argv.iter().map(|a| a.as_bytes().to_vec()).collect();
        let envp: Vec<Vec<u8>> = [
            "HOME=/root",
            "PATH=/bin:/sbin:/usr/bin:/usr/sbin",
            "TERM=vt100",
        ]
        .iter()
        .map(|e| e.as_bytes().to_vec())
        .collect();
        let mut ctx = UserContext::new();
        crate::syscall::exec_into(&self, &process, &mut ctx, path, &argv, &envp)?;
        let mut sched = Scheduler::default();
        sched.spawn(Task::new(pid, process, ctx))?;
        crate::run::run(self, sched).ok_or(Errno::ESRCH)
    }

    /// A fresh process id.
    pub fn alloc_pid(&mut self) -> Pid {
        let pid = self.next_pid;
        self.next_pid += 1;
        self.procs.note_new_pid(pid);
        pid
    }

    /// Sends `sig` to process `pid` (or, with `thread`, to that one of its threads), as
    /// kill(2) and tgkill(2) do: `SIGKILL` and an unblocked signal whose default action
    /// terminates end the process at once; an ignored one is dropped; otherwise the signal
    /// becomes pending, to be delivered (or to take its default action) when a thread that
    /// does not block it next enters user mode.
    pub fn send_signal_to(
        &mut self,
        sched: &mut Scheduler,
        pid: Pid,
        thread: Option<crate::task::Tid>,
        sig: u32,
    ) {
        let Some(process) = self.procs.get(&pid) else {
            return;
        };
        if process.exit_status.lock().is_some() || sig == 0 || sig > 64 {
            return;
        }
        let bit = 1u64 << (sig - 1);
        let handler = process.handler(sig);
        let terminates = handler == 0 && crate::signal::default_terminates(sig);
        if sig == crate::signal::SIGKILL {
            return self.exit_process(sched, pid, sig as i32);
        }
        if handler == 1 || (handler == 0 && !terminates) {
            return;
        }
        let unblocked_somewhere = match thread {
            Some(tid) => sched.task(tid).is_some_and(|t| t.sigmask & bit == 0),
            None => sched.threads_of(pid).any(|t| t.sigmask & bit == 0),
        };
        if terminates && unblocked_somewhere {
            return self.exit_process(sched, pid, sig as i32);
        }
        match thread.and_then(|tid| sched.task_mut(tid)) {
            Some(task) => task.pending |= bit,
            None => {
                process.pending.fetch_or(bit, Ordering::Relaxed);
            }
        }
        // Only the process's own threads can take the signal; other waiters are unaffected
        // (if the signal ends the process, `exit_process` wakes everyone).
        sched.wake_process(pid);
        sched.kick_process(pid);
    }

    /// Sends `sig` to process `pid` (kill(2)); see [`Kernel::send_signal_to`].
    pub fn send_signal(&mut self, sched: &mut Scheduler, pid: Pid, sig: u32) {
        self.send_signal_to(sched, pid, None, sig);
    }

    /// Ends process `pid` with wait status `status`: kills its tasks, closes its files,
    /// re-parents its children to process 1 and wakes its parent.
    pub fn exit_process(&mut self, sched: &mut Scheduler, pid: Pid, status: i32) {
        let Some(process) = self.procs.get(&pid) else {
            return;
        };
        if process.exit_status.lock().is_some() {
            return;
        }
        *process.exit_status.lock() = Some(status);
        process.fds.lock().clear();
        sched.kill_process(pid);
        if pid == 1 {
            // Linux panics when init dies; here the machine is done: end every process.
            let others: Vec<Pid> = self.procs.keys().into_iter().filter(|&p| p != 1).collect();
            for other in others {
                sched.kill_process(other);
            }
        }
        for child in self.procs.values().iter() {
            if child.ppid.load(Ordering::Relaxed) == pid {
                child.ppid.store(1, Ordering::Relaxed);
            }
        }
        sched.end_vfork(pid);
        let parent = process.ppid.load(Ordering::Relaxed);
        let signal = process.exit_signal.load(Ordering::Relaxed);
        if signal != 0 {
            self.send_signal(sched, parent, signal);
        }
        sched.wake_all();
    }
}
