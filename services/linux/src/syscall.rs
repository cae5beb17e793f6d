//! The system calls: `syscall-linux` decodes them and calls [`Handler`], which implements
//! them on the VFS, the process table and frame's address spaces.
//!
//! User memory is only touched through `UserSpace::read`/`write`, which walk the page table in
//! software: a bad or kernel pointer gets `EFAULT`, never a kernel fault. A call that must wait
//! records why in `outcome` and returns; the thread's kernel task restarts it when woken (see
//! `run`).

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;
use core::sync::atomic::Ordering;
use core::time::Duration;

use frame::mm::PAGE_SIZE;
use frame::mm::vm::{NoFilePages, PageProp, Status, UserSpace, VmError};
use frame::user::UserContext;
use syscall_linux::abi::fcntl::{AT_FDCWD, AtFlags, OpenFlags};
use syscall_linux::abi::mman::{MmapFlags, MmapProt};
use syscall_linux::abi::resource::{RLIM_INFINITY, RLIMIT_NOFILE, RLIMIT_STACK, Rlimit};
use syscall_linux::abi::sched::CloneFlags;
use syscall_linux::abi::stat::Stat;
use syscall_linux::abi::termios::{Termios, Winsize};
use syscall_linux::abi::time::Timespec;
use syscall_linux::abi::utsname::Utsname;
use syscall_linux::abi::wait::WaitOptions;
use syscall_linux::{Arch, Errno, SysResult, SyscallHandler, Sysno, UserAddr};
use vfs::{File, FsContext, Metadata, Whence};
use zerocopy::{FromBytes, IntoBytes};

use crate::console::Console;
use crate::process::{Kernel, Process};
use crate::task::{Outcome, Scheduler, Task, Tid, WaitFor};
use crate::{elf, stack};

mod sched;
mod thread;

#[cfg(target_arch = "x86_64")]
const ARCH: Arch = Arch::X86_64;
#[cfg(target_arch = "riscv64")]
const ARCH: Arch = Arch::Riscv64;

/// Largest chunk copied between user and kernel memory at once.
const CHUNK: usize = 64 * 1024;

/// Whether the command line asks for a log of every system call (`strace`), looked up once.
fn strace_enabled() -> bool {
    static STRACE: spin::Once<bool> = spin::Once::new();
    *STRACE.call_once(|| frame::boot::cmdline_param("strace").is_some())
}

/// Runs the system call the task `tid` is stopped at.
pub fn handle(kernel: &mut Kernel, sched: &mut Scheduler, tid: Tid) -> Outcome {
    let Some(task) = sched.task(tid) else {
        return Outcome::Exit;
    };
    let (number, args) = task.ctx.syscall();
    let process = task.process.clone();
    kernel.procs.set_current(process.pid);
    let mut h = Handler {
        kernel,
        sched,
        tid,
        process,
        outcome: None,
    };
    let result = syscall_linux::dispatch_result(&mut h, ARCH, number, args);
    if strace_enabled() {
        let name = Sysno::from_number(ARCH, number).map_or("?", Sysno::name);
        log::info!(
            "[{tid}] {name}({:#x}, {:#x}, {:#x}) = {result:?}",
            args[0],
            args[1],
            args[2]
        );
    }
    if let Some(outcome) = h.outcome.take() {
        return outcome;
    }
    Outcome::Return(syscall_linux::encode_result(result))
}

/// Whether system call `number` can change no file's readiness, other than through the wait
/// keys the VFS reports (`KernelHooks::take_woken`): such a call completing gives tasks blocked
/// on files (pipes, the console, poll) nothing new to look at, so they are not all woken for
/// it. Calls not listed here may (a close, an exit); a kill that ends a process wakes everyone
/// through the exit. The list only saves work: a call missing
/// from it costs a wake-up, and a waiter is also woken on every tick.
pub fn leaves_files_alone(number: usize) -> bool {
    use Sysno as S;
    Sysno::from_number(ARCH, number).is_some_and(|s| {
        matches!(
            s,
            // Reads and writes change readiness only through wait keys (pipes report theirs).
            S::read
                | S::write
                | S::readv
                | S::writev
                | S::pread64
                | S::pwrite64
                | S::getpid
                | S::getppid
                | S::gettid
                | S::getuid
                | S::geteuid
                | S::getgid
                | S::getegid
                | S::getpgid
                | S::getpgrp
                | S::getsid
                | S::getcpu
                | S::kill
                | S::tkill
                | S::tgkill
                | S::rt_sigaction
                | S::rt_sigprocmask
                | S::rt_sigreturn
                | S::rt_sigpending
                | S::sigaltstack
                | S::clock_gettime
                | S::clock_getres
                | S::gettimeofday
                | S::time
                | S::nanosleep
                | S::clock_nanosleep
                | S::sched_yield
                | S::sched_getaffinity
                | S::sched_setaffinity
                | S::sched_getparam
                | S::sched_setparam
                | S::sched_getscheduler
                | S::sched_setscheduler
                | S::getpriority
                | S::setpriority
                | S::futex
                | S::mmap
                | S::munmap
                | S::mprotect
                | S::madvise
                | S::brk
                | S::uname
                | S::set_tid_address
                | S::set_robust_list
                | S::get_robust_list
                | S::prctl
                | S::arch_prctl
                | S::getrlimit
                | S::prlimit64
                | S::sysinfo
                | S::times
                | S::getrusage
                | S::fstat
                | S::stat
                | S::lstat
                | S::newfstatat
                | S::statx
                | S::lseek
                | S::getcwd
                | S::access
                | S::faccessat
                | S::faccessat2
                | S::readlink
                | S::readlinkat
                | S::getdents64
                | S::umask
                | S::getrandom
        )
    })
}

/// The state a system call runs with.
pub struct Handler<'a> {
    kernel: &'a mut Kernel,
    sched: &'a mut Scheduler,
    tid: Tid,
    process: Arc<Process>,
    /// Set when the call does something other than return a value.
    outcome: Option<Outcome>,
}

fn vm_errno(e: VmError) -> Errno {
    match e {
        VmError::InvalidArgument => Errno::EINVAL,
        VmError::NoMemory => Errno::ENOMEM,
        VmError::Fault => Errno::EFAULT,
    }
}

impl Handler<'_> {
    fn space(&self) -> UserSpace {
        self.process.space()
    }

    /// Blocks the task: the call is rewound and runs again when the task is woken, or at its
    /// deadline (a sleep, a poll or futex timeout: `Task::deadline`), for which the sleeping
    /// kernel task arms its CPU's timer.
    fn block(&mut self, why: WaitFor) -> SysResult {
        self.outcome = Some(Outcome::Block(why));
        Err(Errno::ERESTARTSYS)
    }

    fn task(&mut self) -> &mut Task {
        self.sched.task_mut(self.tid).expect("running task exists")
    }

    fn read_user(&self, addr: UserAddr, len: usize) -> Result<Vec<u8>, Errno> {
        // A length the heap cannot hold is ENOMEM, never a kernel panic.
        let mut buf = Vec::new();
        buf.try_reserve_exact(len).map_err(|_| Errno::ENOMEM)?;
        buf.resize(len, 0);
        self.space()
            .read(addr.0, &mut buf, &NoFilePages)
            .map_err(|_| Errno::EFAULT)?;
        Ok(buf)
    }

    fn write_user(&self, addr: UserAddr, data: &[u8]) -> Result<(), Errno> {
        self.space()
            .write(addr.0, data, &NoFilePages)
            .map_err(|_| Errno::EFAULT)
    }

    fn read_struct<T: FromBytes>(&self, addr: UserAddr) -> Result<T, Errno> {
        let bytes = self.read_user(addr, size_of::<T>())?;
        T::read_from_bytes(&bytes).map_err(|_| Errno::EFAULT)
    }

    fn read_usize(&self, addr: UserAddr) -> Result<usize, Errno> {
        let bytes = self.read_user(addr, 8)?;
        Ok(u64::from_le_bytes(bytes.try_into().map_err(|_| Errno::EFAULT)?) as usize)
    }

    /// A NUL-terminated string of at most `max` bytes (`ENAMETOOLONG` beyond).
    /// A NUL-terminated string at `addr`, without the NUL; `ENAMETOOLONG` past `max` bytes.
    /// It is read in chunks that start small and double (never crossing a page, so a string
    /// that ends just before an unmapped page reads fine): short paths cost one short copy.
    fn read_cstring(&self, addr: UserAddr, max: usize) -> Result<Vec<u8>, Errno> {
        let space = self.space();
        let mut out = Vec::new();
        let mut at = addr.0;
        let mut want = 64;
        let mut chunk = [0u8; PAGE_SIZE];
        loop {
            let n = (PAGE_SIZE - at % PAGE_SIZE).min(want);
            let chunk = &mut chunk[..n];
            space
                .read(at, chunk, &NoFilePages)
                .map_err(|_| Errno::EFAULT)?;
            if let Some(end) = chunk.iter().position(|&b| b == 0) {
                out.extend_from_slice(&chunk[..end]);
                return Ok(out);
            }
            out.extend_from_slice(chunk);
            if out.len() > max {
                return Err(Errno::ENAMETOOLONG);
            }
            at += n;
            want = (want * 2).min(PAGE_SIZE);
        }
    }

    fn read_path(&self, addr: UserAddr) -> Result<String, Errno> {
        let bytes = self.read_cstring(addr, 4096)?;
        String::from_utf8(bytes).map_err(|_| Errno::EINVAL)
    }

    /// A NULL-terminated array of string pointers (argv, envp).
    /// A NULL-terminated array of strings (argv, envp): `E2BIG` past `MAX_ARG_STRINGS`
    /// strings or 2 MiB in all (a quarter of the default 8 MiB stack limit, as on Linux).
    fn read_strings(&self, addr: UserAddr) -> Result<Vec<Vec<u8>>, Errno> {
        const MAX_ARG_STRINGS: usize = 0x7fff_ffff;
        const MAX_TOTAL: usize = 2 << 20;
        let mut out = Vec::new();
        let mut total = 0;
        if addr.0 == 0 {
            return Ok(out);
        }
        loop {
            let ptr = self.read_usize(UserAddr(addr.0 + out.len() * 8))?;
            if ptr == 0 {
                return Ok(out);
            }
            if out.len() >= MAX_ARG_STRINGS || total >= MAX_TOTAL {
                return Err(Errno::E2BIG);
            }
            let s = self.read_cstring(UserAddr(ptr), 128 * 1024).map_err(|e| {
                if e == Errno::ENAMETOOLONG {
                    Errno::E2BIG
                } else {
                    e
                }
            })?;
            total += s.len() + 1 + 8;
            out.push(s);
        }
    }

    fn file(&self, fd: i32) -> Result<Arc<File>, Errno> {
        self.process.fds.lock().get(fd)
    }

    /// The context for resolving `path` relative to `dirfd`.
    fn ctx_at(&self, dirfd: i32, path: &str) -> Result<FsContext, Errno> {
        let ctx = self.process.fs.lock().clone();
        if path.starts_with('/') || dirfd == AT_FDCWD {
            return Ok(ctx);
        }
        let file = self.file(dirfd)?;
        let dentry = file.dentry().cloned().ok_or(Errno::ENOTDIR)?;
        if !dentry.inode().metadata().is_dir() {
            return Err(Errno::ENOTDIR);
        }
        Ok(ctx.at(dentry))
    }

    /// `path` made absolute when it is relative to a directory descriptor (so that two paths
    /// relative to different directories can be handed to one VFS call).
    fn absolute(&self, dirfd: i32, path: &str) -> Result<String, Errno> {
        if path.starts_with('/') || dirfd == AT_FDCWD {
            return Ok(String::from(path));
        }
        let file = self.file(dirfd)?;
        let dentry = file.dentry().cloned().ok_or(Errno::ENOTDIR)?;
        Ok(alloc::format!("{}/{}", dentry.path(), path))
    }

    /// Every file system is in memory: report the tmpfs magic and the free memory.
    fn write_statfs(&self, buf: UserAddr) -> SysResult {
        use syscall_linux::abi::statfs::{Statfs, TMPFS_MAGIC};
        let stats = frame::mm::frame_stats();
        let s = Statfs {
            f_type: TMPFS_MAGIC,
            f_bsize: PAGE_SIZE as i64,
            f_blocks: stats.total as u64,
            f_bfree: stats.free as u64,
            f_bavail: stats.free as u64,
            f_files: 1 << 20,
            f_ffree: 1 << 20,
            f_fsid: [0; 2],
            f_namelen: 255,
            f_frsize: PAGE_SIZE as i64,
            f_flags: 0,
            f_spare: [0; 4],
        };
        self.write_user(buf, s.as_bytes())?;
        Ok(0)
    }

    fn write_stat(&self, meta: &Metadata, buf: UserAddr) -> SysResult {
        self.write_user(buf, stat_of(meta).to_arch(ARCH).as_bytes())?;
        Ok(0)
    }
}

/// The `struct stat` facts of VFS metadata.
fn stat_of(meta: &Metadata) -> Stat {
    Stat {
        dev: meta.dev,
        ino: meta.ino,
        mode: meta.mode,
        nlink: u64::from(meta.nlink),
        uid: meta.uid,
        gid: meta.gid,
        rdev: meta.rdev,
        size: meta.size as i64,
        blksize: meta.blksize,
        blocks: meta.blocks as i64,
        atime: timespec(meta.atime),
        mtime: timespec(meta.mtime),
        ctime: timespec(meta.ctime),
    }
}

impl Handler<'_> {
    fn console(&self, file: &File) -> Option<Arc<Console>> {
        vfs::downcast_inode::<Console>(file.inode())
    }

    /// Reads from `file` into user memory; blocks (restartably) when nothing is ready.
    fn read_into(
        &mut self,
        file: &File,
        buf: UserAddr,
        count: usize,
        at: Option<i64>,
    ) -> SysResult {
        if !file.is_readable() {
            return Err(Errno::EBADF);
        }
        self.transfer(file, count, |h, done, len| {
            let mut chunk = vec![0u8; len];
            let n = match at {
                Some(offset) => file.read_at(offset + done as i64, &mut chunk)?,
                None => file.read(&mut chunk)?,
            };
            h.write_user(UserAddr(buf.0 + done), &chunk[..n])?;
            Ok(n)
        })
    }

    /// Writes user memory to `file`; blocks (restartably) when it cannot take anything.
    fn write_from(
        &mut self,
        file: &File,
        buf: UserAddr,
        count: usize,
        at: Option<i64>,
    ) -> SysResult {
        if !file.is_writable() {
            return Err(Errno::EBADF);
        }
        self.transfer(file, count, |h, done, len| {
            let chunk = h.read_user(UserAddr(buf.0 + done), len)?;
            match at {
                Some(offset) => file.write_at(offset + done as i64, &chunk),
                None => file.write(&chunk),
            }
        })
    }

    /// Moves up to `count` bytes in chunks: `step(handler, done, len)` moves at most `len` bytes
    /// at offset `done` of the user buffer. A short step ends the transfer; an error after some
    /// progress returns the progress; `EAGAIN` before any blocks the task unless the file is
    /// non-blocking.
    fn transfer(
        &mut self,
        file: &File,
        count: usize,
        mut step: impl FnMut(&mut Self, usize, usize) -> Result<usize, Errno>,
    ) -> SysResult {
        let mut done = 0;
        while done < count {
            let len = (count - done).min(CHUNK);
            match step(self, done, len) {
                Ok(n) => {
                    done += n;
                    if n < len {
                        break;
                    }
                }
                Err(Errno::EAGAIN) if done == 0 && !file.is_nonblocking() => {
                    self.task().io_key = file.inode().wait_key();
                    return self.block(WaitFor::Io);
                }
                Err(_) if done > 0 => break,
                Err(e) => return Err(e),
            }
        }
        Ok(done)
    }

    /// readv(2) and writev(2): the buffers in order, stopping at the first short transfer.
    fn vectored(&mut self, fd: i32, iov: UserAddr, iovcnt: usize, write: bool) -> SysResult {
        let file = self.file(fd)?;
        let mut total = 0;
        for (base, len) in self.iovecs(iov, iovcnt)? {
            let n = if write {
                self.write_from(&file, UserAddr(base), len, None)?
            } else {
                self.read_into(&file, UserAddr(base), len, None)?
            };
            total += n;
            if n < len {
                break;
            }
        }
        Ok(total)
    }

    fn iovecs(&self, iov: UserAddr, iovcnt: usize) -> Result<Vec<(usize, usize)>, Errno> {
        if iovcnt > 1024 {
            return Err(Errno::EINVAL);
        }
        (0..iovcnt)
            .map(|i| {
                let base = self.read_usize(UserAddr(iov.0 + i * 16))?;
                let len = self.read_usize(UserAddr(iov.0 + i * 16 + 8))?;
                Ok((base, len))
            })
            .collect()
    }

    /// poll(2) on `nfds` `struct pollfd`s at `fds`, waiting up to `timeout` (`None`: forever).
    fn do_poll(&mut self, fds: UserAddr, nfds: usize, timeout: Option<Duration>) -> SysResult {
        if nfds > crate::process::MAX_FDS as usize {
            return Err(Errno::EINVAL);
        }
        let mut bytes = self.read_user(fds, nfds * 8)?;
        let mut ready = 0;
        for entry in bytes.chunks_mut(8) {
            let fd = i32::from_le_bytes([entry[0], entry[1], entry[2], entry[3]]);
            let events = u16::from_le_bytes([entry[4], entry[5]]);
            let revents = if fd < 0 {
                0
            } else {
                match self.file(fd) {
                    Ok(file) => {
                        let always = vfs::PollEvents::ERR | vfs::PollEvents::HUP;
                        file.poll(vfs::PollEvents::from_bits_truncate(events) | always)
                            .bits()
                    }
                    Err(_) => vfs::PollEvents::NVAL.bits(),
                }
            };
            entry[6..8].copy_from_slice(&revents.to_le_bytes());
            ready += usize::from(revents != 0);
        }
        if ready > 0 || timeout == Some(Duration::ZERO) {
            self.task().sleep_until = None;
            self.write_user(fds, &bytes)?;
            return Ok(ready);
        }
        let now = frame::timer::uptime();
        if let Some(timeout) = timeout {
            let deadline = *self.task().sleep_until.get_or_insert(now + timeout);
            if now >= deadline {
                self.task().sleep_until = None;
                self.write_user(fds, &bytes)?;
                return Ok(0);
            }
        }
        self.block(WaitFor::Io)
    }

    /// select(2) on the `fd_set`s at `sets` (read, write, except; 0 for none), waiting up to
    /// `timeout` (`None`: forever).
    fn do_select(
        &mut self,
        nfds: i32,
        sets: [UserAddr; 3],
        timeout: Option<Duration>,
    ) -> SysResult {
        if !(0..=crate::process::MAX_FDS).contains(&nfds) {
            return Err(Errno::EINVAL);
        }
        let words = (nfds as usize).div_ceil(64);
        let mut input = [const { Vec::new() }; 3];
        for (set, addr) in input.iter_mut().zip(sets) {
            if addr.0 != 0 {
                let bytes = self.read_user(addr, words * 8)?;
                *set = bytes
                    .chunks(8)
                    .map(|c| u64::from_le_bytes(c.try_into().unwrap_or([0; 8])))
                    .collect();
            }
        }
        let wanted = [
            vfs::PollEvents::IN | vfs::PollEvents::HUP,
            vfs::PollEvents::OUT | vfs::PollEvents::ERR,
            vfs::PollEvents::PRI,
        ];
        let mut output = [vec![0u64; words], vec![0u64; words], vec![0u64; words]];
        let mut ready = 0;
        for fd in 0..nfds as usize {
            let (word, bit) = (fd / 64, 1u64 << (fd % 64));
            if !input
                .iter()
                .any(|set| set.get(word).is_some_and(|w| w & bit != 0))
            {
                continue;
            }
            let file = self.file(fd as i32)?;
            let events = file.poll(wanted[0] | wanted[1] | wanted[2]);
            for k in 0..3 {
                if input[k].get(word).is_some_and(|w| w & bit != 0) && events.intersects(wanted[k])
                {
                    output[k][word] |= bit;
                    ready += 1;
                }
            }
        }
        let finish = |h: &mut Self, count: usize| -> SysResult {
            h.task().sleep_until = None;
            for (set, addr) in output.iter().zip(sets) {
                if addr.0 != 0 {
                    let bytes: Vec<u8> = set.iter().flat_map(|w| w.to_le_bytes()).collect();
                    h.write_user(addr, &bytes)?;
                }
            }
            Ok(count)
        };
        if ready > 0 || timeout == Some(Duration::ZERO) {
            return finish(self, ready);
        }
        let now = frame::timer::uptime();
        if let Some(timeout) = timeout {
            let deadline = *self.task().sleep_until.get_or_insert(now + timeout);
            if now >= deadline {
                return finish(self, 0);
            }
        }
        self.block(WaitFor::Io)
    }

    fn sleep(&mut self, duration: Duration) -> SysResult {
        let now = frame::timer::uptime();
        let task = self.task();
        let deadline = *task.sleep_until.get_or_insert(now + duration);
        if now >= deadline {
            task.sleep_until = None;
            return Ok(0);
        }
        self.block(WaitFor::Timer)
    }
}

fn timespec(t: vfs::Timespec) -> Timespec {
    Timespec {
        tv_sec: t.sec,
        tv_nsec: i64::from(t.nsec),
    }
}

/// A command name: at most 15 bytes (`TASK_COMM_LEN` less the NUL), up to a NUL.
fn comm_of(name: &[u8]) -> String {
    let name = name.split(|&b| b == 0).next().unwrap_or(&[]);
    String::from_utf8_lossy(&name[..name.len().min(15)]).into_owned()
}

fn prop_of(prot: MmapProt) -> PageProp {
    let mut prop = PageProp::empty();
    prop.set(PageProp::READ, prot.contains(MmapProt::READ));
    prop.set(
        PageProp::WRITE,
        prop.contains(PageProp::READ) && prot.contains(MmapProt::WRITE)
            || prot.contains(MmapProt::WRITE),
    );
    prop.set(PageProp::EXEC, prot.contains(MmapProt::EXEC));
    prop
}

/// Loads `path` into a new address space for `process` and points `ctx` at its entry
/// (execve(2) after the point of no return; `#!` scripts run their interpreter).
pub fn exec_into(
    kernel: &Kernel,
    process: &Process,
    ctx: &mut UserContext,
    path: &str,
    argv: &[Vec<u8>],
    envp: &[Vec<u8>],
) -> Result<(), Errno> {
    // The command name is the file asked for, even when a `#!` interpreter runs it.
    let comm = comm_of(path.rsplit('/').next().unwrap_or("").as_bytes());
    let mut path = String::from(path);
    let mut argv: Vec<Vec<u8>> = argv.to_vec();
    for _ in 0..4 {
        let fs = process.fs.lock().clone();
        let file = kernel.vfs.open(&fs, &path, vfs::OpenFlags::empty(), 0)?;
        let meta = file.metadata();
        if meta.file_type() != vfs::FileType::Regular {
            return Err(Errno::EACCES);
        }
        if meta.mode & 0o111 == 0 {
            return Err(Errno::EACCES);
        }
        // A file too big for the heap is ENOMEM, not a kernel panic.
        let mut bytes = Vec::new();
        bytes
            .try_reserve_exact(meta.size as usize)
            .map_err(|_| Errno::ENOMEM)?;
        bytes.resize(meta.size as usize, 0);
        let mut done = 0;
        while done < bytes.len() {
            match file.read(&mut bytes[done..])? {
                0 => break,
                n => done += n,
            }
        }
        bytes.truncate(done);
        if let Some(rest) = bytes.strip_prefix(b"#!") {
            let line = rest.split(|&b| b == b'\n').next().unwrap_or(&[]);
            let line = core::str::from_utf8(line)
                .map_err(|_| Errno::ENOEXEC)?
                .trim();
            let mut words = line.splitn(2, [' ', '\t']);
            let interp = words
                .next()
                .filter(|w| !w.is_empty())
                .ok_or(Errno::ENOEXEC)?;
            let mut new_argv = vec![interp.as_bytes().to_vec()];
            if let Some(arg) = words.next().map(str::trim).filter(|a| !a.is_empty()) {
                new_argv.push(arg.as_bytes().to_vec());
            }
            new_argv.push(path.as_bytes().to_vec());
            new_argv.extend(argv.iter().skip(1).cloned());
            argv = new_argv;
            path = String::from(interp);
            continue;
        }
        let space = UserSpace::new().map_err(vm_errno)?;
        let image = elf::load(&space, &bytes)?;
        let mut random = [0u8; 16];
        vfs::VfsHooks::fill_random(&*kernel.hooks, &mut random);
        let argv_refs: Vec<&[u8]> = argv.iter().map(Vec::as_slice).collect();
        let envp_refs: Vec<&[u8]> = envp.iter().map(Vec::as_slice).collect();
        let sp = stack::build(&space, &image, &argv_refs, &envp_refs, random)?;
        if cfg!(target_arch = "riscv64") {
            // The signal-return trampoline (x86-64 programs bring their own restorer).
            let at = crate::signal::trampoline_address(space.user_end());
            let rw = PageProp::READ | PageProp::WRITE;
            space
                .mmap(Some(at), PAGE_SIZE, Status::Anonymous { prop: rw })
                .map_err(vm_errno)?;
            space
                .write(at, &crate::signal::RISCV_TRAMPOLINE, &NoFilePages)
                .map_err(vm_errno)?;
            space
                .mprotect(at, PAGE_SIZE, PageProp::READ | PageProp::EXEC)
                .map_err(vm_errno)?;
        }
        // The point of no return.
        process.set_space(space);
        let brk = image.end.next_multiple_of(PAGE_SIZE);
        *process.brk.lock() = (brk, brk);
        process.fds.lock().close_on_exec();
        // Handlers do not survive the old image; ignored signals stay ignored (execve(2)).
        process
            .sigactions
            .lock()
            .retain(|_, act| crate::signal::Action::parse(act).handler == 1);
        *process.comm.lock() = comm;
        process.threads.store(1, Ordering::Relaxed);
        *process.cmdline.lock() = argv
            .iter()
            .map(|a| String::from_utf8_lossy(a))
            .collect::<Vec<_>>()
            .join(" ");
        *ctx = UserContext::new();
        ctx.set_instruction_pointer(image.entry);
        ctx.set_stack_pointer(sp);
        return Ok(());
    }
    Err(Errno::ELOOP)
}

/// Which children a wait accepts.
#[derive(Clone, Copy)]
enum WaitTarget {
    Any,
    Pid(u32),
    Group(u32),
}

impl Handler<'_> {
    /// A child of the caller that `target` accepts and that has exited. `ECHILD` if no child
    /// matches; `Ok(None)` with `WNOHANG` if none has exited yet; otherwise the call blocks
    /// until one does.
    fn find_zombie(
        &mut self,
        target: WaitTarget,
        options: WaitOptions,
    ) -> Result<Option<Arc<Process>>, Errno> {
        let me = self.process.pid;
        let matches = |p: &Process| {
            p.ppid.load(Ordering::Relaxed) == me
                && match target {
                    WaitTarget::Any => true,
                    WaitTarget::Pid(pid) => p.pid == pid,
                    WaitTarget::Group(pgid) => p.pgid.load(Ordering::Relaxed) == pgid,
                }
        };
        let children: Vec<Arc<Process>> = self
            .kernel
            .procs
            .values()
            .into_iter()
            .filter(|p| matches(p))
            .collect();
        if children.is_empty() {
            return Err(Errno::ECHILD);
        }
        if let Some(zombie) = children
            .into_iter()
            .find(|p| p.exit_status.lock().is_some())
        {
            return Ok(Some(zombie));
        }
        if options.contains(WaitOptions::NOHANG) {
            return Ok(None);
        }
        self.block(WaitFor::Child).map(|_| None)
    }
}

impl SyscallHandler for Handler<'_> {
    fn implemented(&self) -> &'static [Sysno] {
        IMPLEMENTED
    }

    fn read(&mut self, fd: i32, buf: UserAddr, count: usize) -> SysResult {
        let file = self.file(fd)?;
        self.read_into(&file, buf, count, None)
    }

    fn write(&mut self, fd: i32, buf: UserAddr, count: usize) -> SysResult {
        let file = self.file(fd)?;
        self.write_from(&file, buf, count, None)
    }

    fn pread64(&mut self, fd: i32, buf: UserAddr, count: usize, offset: i64) -> SysResult {
        let file = self.file(fd)?;
        self.read_into(&file, buf, count, Some(offset))
    }

    fn pwrite64(&mut self, fd: i32, buf: UserAddr, count: usize, offset: i64) -> SysResult {
        let file = self.file(fd)?;
        self.write_from(&file, buf, count, Some(offset))
    }

    fn readv(&mut self, fd: i32, iov: UserAddr, iovcnt: usize) -> SysResult {
        self.vectored(fd, iov, iovcnt, false)
    }

    fn writev(&mut self, fd: i32, iov: UserAddr, iovcnt: usize) -> SysResult {
        self.vectored(fd, iov, iovcnt, true)
    }

    fn openat(&mut self, dirfd: i32, path: UserAddr, flags: OpenFlags, mode: u32) -> SysResult {
        let path = self.read_path(path)?;
        let ctx = self.ctx_at(dirfd, &path)?;
        let file = self.kernel.vfs.open(&ctx, &path, flags, mode)?;
        let fd = self
            .process
            .fds
            .lock()
            .insert(0, file, flags.contains(OpenFlags::CLOEXEC))?;
        Ok(fd as usize)
    }

    fn close(&mut self, fd: i32) -> SysResult {
        self.process.fds.lock().remove(fd)?;
        Ok(0)
    }

    fn lseek(&mut self, fd: i32, offset: i64, whence: u32) -> SysResult {
        let file = self.file(fd)?;
        let whence = Whence::from_raw(whence)?;
        file.seek(offset, whence).map(|o| o as usize)
    }

    fn fstat(&mut self, fd: i32, statbuf: UserAddr) -> SysResult {
        let meta = self.file(fd)?.metadata();
        self.write_stat(&meta, statbuf)
    }

    fn newfstatat(
        &mut self,
        dirfd: i32,
        path: UserAddr,
        statbuf: UserAddr,
        flags: AtFlags,
    ) -> SysResult {
        let path = self.read_path(path)?;
        if path.is_empty() {
            if !flags.contains(AtFlags::EMPTY_PATH) {
                return Err(Errno::ENOENT);
            }
            let meta = if dirfd == AT_FDCWD {
                self.process.fs.lock().cwd.inode().metadata()
            } else {
                self.file(dirfd)?.metadata()
            };
            return self.write_stat(&meta, statbuf);
        }
        let ctx = self.ctx_at(dirfd, &path)?;
        let follow = !flags.contains(AtFlags::SYMLINK_NOFOLLOW);
        let meta = self.kernel.vfs.stat(&ctx, &path, follow)?;
        self.write_stat(&meta, statbuf)
    }

    fn getdents64(&mut self, fd: i32, dirp: UserAddr, count: usize) -> SysResult {
        let file = self.file(fd)?;
        let mut buf = vec![0u8; count.min(CHUNK)];
        let mut writer = syscall_linux::abi::dirent::Dirent64Writer::new(&mut buf);
        let accepted = file.getdents(|entry, next| {
            writer.push(
                entry.ino,
                next as i64,
                entry.kind.dirent_type(),
                entry.name.as_bytes(),
            )
        })?;
        let len = writer.len();
        if accepted == 0 && len == 0 && file.next_entry()?.is_some() {
            return Err(Errno::EINVAL);
        }
        self.write_user(dirp, &buf[..len])?;
        Ok(len)
    }

    fn dup(&mut self, oldfd: i32) -> SysResult {
        let file = self.file(oldfd)?;
        Ok(self.process.fds.lock().insert(0, file, false)? as usize)
    }

    fn dup2(&mut self, oldfd: i32, newfd: i32) -> SysResult {
        let file = self.file(oldfd)?;
        if oldfd != newfd {
            self.process.fds.lock().insert_at(newfd, file, false)?;
        }
        Ok(newfd as usize)
    }

    fn dup3(&mut self, oldfd: i32, newfd: i32, flags: OpenFlags) -> SysResult {
        if oldfd == newfd || !(flags - OpenFlags::CLOEXEC).is_empty() {
            return Err(Errno::EINVAL);
        }
        let file = self.file(oldfd)?;
        self.process
            .fds
            .lock()
            .insert_at(newfd, file, flags.contains(OpenFlags::CLOEXEC))?;
        Ok(newfd as usize)
    }

    fn fcntl(&mut self, fd: i32, cmd: u32, arg: usize) -> SysResult {
        const F_DUPFD: u32 = 0;
        const F_GETFD: u32 = 1;
        const F_SETFD: u32 = 2;
        const F_GETFL: u32 = 3;
        const F_SETFL: u32 = 4;
        const F_DUPFD_CLOEXEC: u32 = 1030;
        let mut fds = self.process.fds.lock();
        match cmd {
            F_DUPFD | F_DUPFD_CLOEXEC => {
                let file = fds.get(fd)?;
                Ok(fds.insert(arg as i32, file, cmd == F_DUPFD_CLOEXEC)? as usize)
            }
            F_GETFD => Ok(usize::from(fds.entry_mut(fd)?.cloexec)),
            F_SETFD => {
                fds.entry_mut(fd)?.cloexec = arg & 1 != 0;
                Ok(0)
            }
            F_GETFL => Ok(fds.get(fd)?.flags().bits() as usize),
            F_SETFL => {
                fds.get(fd)?
                    .set_status_flags(OpenFlags::from_bits_retain(arg as u32));
                Ok(0)
            }
            _ => {
                fds.get(fd)?;
                Err(Errno::EINVAL)
            }
        }
    }

    fn ioctl(&mut self, fd: i32, request: u32, arg: usize) -> SysResult {
        use syscall_linux::abi::ioctl::{TCGETS, TCSETS, TIOCGPGRP, TIOCGWINSZ, TIOCSPGRP};
        const TCSETSW: u32 = TCSETS + 1;
        const TCSETSF: u32 = TCSETS + 2;
        let file = self.file(fd)?;
        let Some(console) = self.console(&file) else {
            return file.ioctl(request, arg);
        };
        match request {
            TCGETS => {
                let mut t = Termios::standard();
                let (canonical, echo) = console.modes();
                const ICANON: u32 = 0o2;
                const ECHO: u32 = 0o10;
                if !canonical {
                    t.c_lflag &= !ICANON;
                }
                if !echo {
                    t.c_lflag &= !ECHO;
                }
                self.write_user(UserAddr(arg), t.as_bytes())?;
                Ok(0)
            }
            TCSETS | TCSETSW | TCSETSF => {
                let t: Termios = self.read_struct(UserAddr(arg))?;
                console.set_modes(t.c_lflag & 0o2 != 0, t.c_lflag & 0o10 != 0);
                Ok(0)
            }
            TIOCGWINSZ => {
                let ws = Winsize {
                    ws_row: 24,
                    ws_col: 80,
                    ws_xpixel: 0,
                    ws_ypixel: 0,
                };
                self.write_user(UserAddr(arg), ws.as_bytes())?;
                Ok(0)
            }
            TIOCGPGRP => {
                let pgid = match self.kernel.foreground.load(Ordering::Relaxed) {
                    0 => self.process.pgid.load(Ordering::Relaxed),
                    pgid => pgid,
                };
                self.write_user(UserAddr(arg), &pgid.to_le_bytes())?;
                Ok(0)
            }
            TIOCSPGRP => {
                let pgid: u32 = self.read_struct(UserAddr(arg))?;
                if pgid == 0 || pgid > i32::MAX as u32 {
                    return Err(Errno::EINVAL);
                }
                self.kernel.foreground.store(pgid, Ordering::Relaxed);
                Ok(0)
            }
            _ => Err(Errno::ENOTTY),
        }
    }

    fn pipe2(&mut self, fds: UserAddr, flags: OpenFlags) -> SysResult {
        // pipe2(2): O_CLOEXEC, O_NONBLOCK and O_DIRECT (packet mode, accepted as a stream).
        if !(OpenFlags::CLOEXEC | OpenFlags::NONBLOCK | OpenFlags::DIRECT).contains(flags) {
            return Err(Errno::EINVAL);
        }
        let hooks: Arc<dyn vfs::VfsHooks> = self.kernel.hooks.clone();
        let (read_end, write_end) = vfs::pipe(hooks, flags);
        let cloexec = flags.contains(OpenFlags::CLOEXEC);
        let (r, w) = {
            let mut table = self.process.fds.lock();
            let r = table.insert(0, read_end, cloexec)?;
            let w = match table.insert(0, write_end, cloexec) {
                Ok(w) => w,
                Err(e) => {
                    let _ = table.remove(r);
                    return Err(e);
                }
            };
            (r, w)
        };
        let mut bytes = [0u8; 8];
        bytes[..4].copy_from_slice(&r.to_le_bytes());
        bytes[4..].copy_from_slice(&w.to_le_bytes());
        if let Err(e) = self.write_user(fds, &bytes) {
            let mut table = self.process.fds.lock();
            let _ = table.remove(r);
            let _ = table.remove(w);
            return Err(e);
        }
        Ok(0)
    }

    fn mkdirat(&mut self, dirfd: i32, path: UserAddr, mode: u32) -> SysResult {
        let path = self.read_path(path)?;
        let ctx = self.ctx_at(dirfd, &path)?;
        self.kernel.vfs.mkdir(&ctx, &path, mode)?;
        Ok(0)
    }

    fn mknodat(&mut self, dirfd: i32, path: UserAddr, mode: u32, dev: u32) -> SysResult {
        let path = self.read_path(path)?;
        let ctx = self.ctx_at(dirfd, &path)?;
        // The VFS applies the umask, as for every creation.
        self.kernel.vfs.mknod(&ctx, &path, mode, u64::from(dev))?;
        Ok(0)
    }

    fn unlinkat(&mut self, dirfd: i32, path: UserAddr, flags: AtFlags) -> SysResult {
        // unlinkat(2): AT_REMOVEDIR is the only flag.
        if !AtFlags::REMOVEDIR.contains(flags) {
            return Err(Errno::EINVAL);
        }
        let path = self.read_path(path)?;
        let ctx = self.ctx_at(dirfd, &path)?;
        if flags.contains(AtFlags::REMOVEDIR) {
            self.kernel.vfs.rmdir(&ctx, &path)?;
        } else {
            self.kernel.vfs.unlink(&ctx, &path)?;
        }
        Ok(0)
    }

    fn symlinkat(&mut self, target: UserAddr, newdirfd: i32, linkpath: UserAddr) -> SysResult {
        let target = self.read_path(target)?;
        let path = self.read_path(linkpath)?;
        let ctx = self.ctx_at(newdirfd, &path)?;
        self.kernel.vfs.symlink(&ctx, &target, &path)?;
        Ok(0)
    }

    fn readlinkat(&mut self, dirfd: i32, path: UserAddr, buf: UserAddr, bufsiz: i32) -> SysResult {
        if bufsiz <= 0 {
            return Err(Errno::EINVAL);
        }
        let path = self.read_path(path)?;
        let ctx = self.ctx_at(dirfd, &path)?;
        let target = self.kernel.vfs.readlink(&ctx, &path)?;
        let n = target.len().min(bufsiz as usize);
        self.write_user(buf, &target.as_bytes()[..n])?;
        Ok(n)
    }

    fn faccessat(&mut self, dirfd: i32, path: UserAddr, mode: u32, _flags: AtFlags) -> SysResult {
        let path = self.read_path(path)?;
        let ctx = self.ctx_at(dirfd, &path)?;
        let want = vfs::Access::from_bits(mode).ok_or(Errno::EINVAL)?;
        self.kernel.vfs.access(&ctx, &path, want)?;
        Ok(0)
    }

    fn fchmodat(&mut self, dirfd: i32, path: UserAddr, mode: u32, _flags: AtFlags) -> SysResult {
        let path = self.read_path(path)?;
        let ctx = self.ctx_at(dirfd, &path)?;
        self.kernel.vfs.chmod(&ctx, &path, mode)?;
        Ok(0)
    }

    fn renameat2(
        &mut self,
        olddirfd: i32,
        oldpath: UserAddr,
        newdirfd: i32,
        newpath: UserAddr,
        flags: syscall_linux::abi::fcntl::RenameFlags,
    ) -> SysResult {
        let old = self.read_path(oldpath)?;
        let new = self.read_path(newpath)?;
        let old = self.absolute(olddirfd, &old)?;
        let new = self.absolute(newdirfd, &new)?;
        let ctx = self.process.fs.lock().clone();
        let flags = vfs::RenameFlags::from_bits(flags.bits()).ok_or(Errno::EINVAL)?;
        self.kernel.vfs.rename(&ctx, &old, &new, flags)?;
        Ok(0)
    }

    fn linkat(
        &mut self,
        olddirfd: i32,
        oldpath: UserAddr,
        newdirfd: i32,
        newpath: UserAddr,
        flags: AtFlags,
    ) -> SysResult {
        let old = self.read_path(oldpath)?;
        let new = self.read_path(newpath)?;
        let old = self.absolute(olddirfd, &old)?;
        let new = self.absolute(newdirfd, &new)?;
        let ctx = self.process.fs.lock().clone();
        let follow = flags.contains(AtFlags::SYMLINK_FOLLOW);
        self.kernel.vfs.link(&ctx, &old, &new, follow)?;
        Ok(0)
    }

    fn mount(
        &mut self,
        _source: UserAddr,
        target: UserAddr,
        fstype: UserAddr,
        _flags: syscall_linux::abi::mount::MountFlags,
        _data: UserAddr,
    ) -> SysResult {
        let target = self.read_path(target)?;
        let fstype = self.read_path(fstype)?;
        let ctx = self.process.fs.lock().clone();
        let hooks: Arc<dyn vfs::VfsHooks> = self.kernel.hooks.clone();
        let root = match fstype.as_str() {
            "proc" => {
                let source: Arc<dyn vfs::procfs::ProcSource> = self.kernel.procs.clone();
                vfs::procfs::ProcFs::new(source, &self.kernel.vfs).root()
            }
            "tmpfs" | "ramfs" => vfs::RamFs::new(hooks).root(),
            _ => return Err(Errno::ENODEV),
        };
        self.kernel.vfs.mount(
            &ctx,
            &target,
            root,
            &fstype,
            &fstype,
            vfs::MountFlags::empty(),
        )?;
        Ok(0)
    }

    fn statfs(&mut self, path: UserAddr, buf: UserAddr) -> SysResult {
        let path = self.read_path(path)?;
        let ctx = self.process.fs.lock().clone();
        self.kernel.vfs.resolve(&ctx, &path, true)?;
        self.write_statfs(buf)
    }

    fn fstatfs(&mut self, fd: i32, buf: UserAddr) -> SysResult {
        self.file(fd)?;
        self.write_statfs(buf)
    }

    fn ftruncate(&mut self, fd: i32, length: i64) -> SysResult {
        if length < 0 {
            return Err(Errno::EINVAL);
        }
        let file = self.file(fd)?;
        if !file.is_writable() {
            return Err(Errno::EINVAL);
        }
        file.truncate(length as u64)?;
        Ok(0)
    }

    fn truncate(&mut self, path: UserAddr, length: i64) -> SysResult {
        if length < 0 {
            return Err(Errno::EINVAL);
        }
        let path = self.read_path(path)?;
        let ctx = self.process.fs.lock().clone();
        self.kernel.vfs.truncate(&ctx, &path, length as u64)?;
        Ok(0)
    }

    fn fsync(&mut self, fd: i32) -> SysResult {
        self.file(fd)?;
        Ok(0)
    }

    fn fdatasync(&mut self, fd: i32) -> SysResult {
        self.file(fd)?;
        Ok(0)
    }

    fn fchdir(&mut self, fd: i32) -> SysResult {
        let file = self.file(fd)?;
        let dentry = file.dentry().cloned().ok_or(Errno::ENOTDIR)?;
        if !dentry.inode().metadata().is_dir() {
            return Err(Errno::ENOTDIR);
        }
        self.process.fs.lock().cwd = dentry;
        Ok(0)
    }

    fn fchmod(&mut self, fd: i32, mode: u32) -> SysResult {
        let file = self.file(fd)?;
        let dentry = file.dentry().cloned().ok_or(Errno::EINVAL)?;
        let ctx = self.process.fs.lock().clone();
        self.kernel.vfs.set_mode(&ctx, &dentry, mode)?;
        Ok(0)
    }

    fn fchown(&mut self, fd: i32, uid: u32, gid: u32) -> SysResult {
        let file = self.file(fd)?;
        let dentry = file.dentry().cloned().ok_or(Errno::EINVAL)?;
        let ctx = self.process.fs.lock().clone();
        let id = |v: u32| (v != u32::MAX).then_some(v);
        self.kernel.vfs.set_owner(&ctx, &dentry, id(uid), id(gid))?;
        Ok(0)
    }

    fn fchownat(
        &mut self,
        dirfd: i32,
        path: UserAddr,
        uid: u32,
        gid: u32,
        flags: AtFlags,
    ) -> SysResult {
        let path = self.read_path(path)?;
        let ctx = self.ctx_at(dirfd, &path)?;
        let id = |v: u32| (v != u32::MAX).then_some(v);
        let follow = !flags.contains(AtFlags::SYMLINK_NOFOLLOW);
        self.kernel
            .vfs
            .chown(&ctx, &path, id(uid), id(gid), follow)?;
        Ok(0)
    }

    fn utimensat(
        &mut self,
        dirfd: i32,
        path: UserAddr,
        times: UserAddr,
        flags: AtFlags,
    ) -> SysResult {
        const UTIME_NOW: i64 = (1 << 30) - 1;
        const UTIME_OMIT: i64 = (1 << 30) - 2;
        let (atime, mtime) = if times.0 == 0 {
            (vfs::SetTime::Now, vfs::SetTime::Now)
        } else {
            let t: [Timespec; 2] = self.read_struct(times)?;
            let convert = |t: &Timespec| match t.tv_nsec {
                UTIME_NOW => Ok(vfs::SetTime::Now),
                UTIME_OMIT => Ok(vfs::SetTime::Omit),
                n if (0..1_000_000_000).contains(&n) => Ok(vfs::SetTime::At(vfs::Timespec {
                    sec: t.tv_sec,
                    nsec: n as u32,
                })),
                _ => Err(Errno::EINVAL),
            };
            (convert(&t[0])?, convert(&t[1])?)
        };
        let ctx = self.process.fs.lock().clone();
        if path.0 == 0 {
            let file = self.file(dirfd)?;
            let dentry = file.dentry().cloned().ok_or(Errno::EINVAL)?;
            self.kernel.vfs.set_times(&ctx, &dentry, atime, mtime)?;
            return Ok(0);
        }
        let path = self.read_path(path)?;
        let ctx = self.ctx_at(dirfd, &path)?;
        let follow = !flags.contains(AtFlags::SYMLINK_NOFOLLOW);
        self.kernel.vfs.utimens(&ctx, &path, atime, mtime, follow)?;
        Ok(0)
    }

    fn sysinfo(&mut self, info: UserAddr) -> SysResult {
        let stats = frame::mm::frame_stats();
        let s = syscall_linux::abi::sysinfo::Sysinfo {
            uptime: frame::timer::uptime().as_secs() as i64,
            totalram: (stats.total * PAGE_SIZE) as u64,
            freeram: (stats.free * PAGE_SIZE) as u64,
            procs: self.kernel.procs.keys().len() as u16,
            mem_unit: 1,
            ..Default::default()
        };
        self.write_user(info, s.as_bytes())?;
        Ok(0)
    }

    fn time(&mut self, tloc: UserAddr) -> SysResult {
        let now = frame::timer::wall_clock().as_secs();
        if tloc.0 != 0 {
            self.write_user(tloc, &now.to_le_bytes())?;
        }
        Ok(now as usize)
    }

    fn prctl(
        &mut self,
        option: i32,
        arg2: usize,
        _arg3: usize,
        _arg4: usize,
        _arg5: usize,
    ) -> SysResult {
        use syscall_linux::abi::prctl::{PR_GET_NAME, PR_SET_NAME};
        match option {
            PR_SET_NAME => {
                let name = self.read_cstring(UserAddr(arg2), 16).or_else(|e| {
                    // A name of 16 bytes or more is cut, not refused.
                    if e == Errno::ENAMETOOLONG {
                        self.read_user(UserAddr(arg2), 15)
                    } else {
                        Err(e)
                    }
                })?;
                *self.process.comm.lock() = comm_of(&name);
                Ok(0)
            }
            PR_GET_NAME => {
                let mut out = [0u8; 16];
                let comm = self.process.comm.lock().clone();
                out[..comm.len()].copy_from_slice(comm.as_bytes());
                self.write_user(UserAddr(arg2), &out)?;
                Ok(0)
            }
            _ => Err(Errno::EINVAL),
        }
    }

    fn times(&mut self, buf: UserAddr) -> SysResult {
        if buf.0 != 0 {
            self.write_user(buf, &[0u8; 32])?;
        }
        Ok(frame::timer::ticks() as usize)
    }

    fn setuid(&mut self, uid: u32) -> SysResult {
        if uid == 0 { Ok(0) } else { Err(Errno::EPERM) }
    }

    fn setgid(&mut self, gid: u32) -> SysResult {
        if gid == 0 { Ok(0) } else { Err(Errno::EPERM) }
    }

    fn getgroups(&mut self, _size: i32, _list: UserAddr) -> SysResult {
        Ok(0)
    }

    fn chdir(&mut self, path: UserAddr) -> SysResult {
        let path = self.read_path(path)?;
        let ctx = self.process.fs.lock().clone();
        let dir = self.kernel.vfs.chdir(&ctx, &path)?;
        self.process.fs.lock().cwd = dir;
        Ok(0)
    }

    fn getcwd(&mut self, buf: UserAddr, size: usize) -> SysResult {
        let mut cwd = self.process.fs.lock().getcwd()?.into_bytes();
        cwd.push(0);
        if cwd.len() > size {
            return Err(Errno::ERANGE);
        }
        self.write_user(buf, &cwd)?;
        Ok(cwd.len())
    }

    fn umask(&mut self, mask: u32) -> SysResult {
        let mut fs = self.process.fs.lock();
        let old = fs.umask;
        fs.umask = mask & 0o777;
        Ok(old as usize)
    }

    fn brk(&mut self, addr: UserAddr) -> SysResult {
        let (start, current) = *self.process.brk.lock();
        let want = addr.0;
        if want < start || want > start + (1 << 30) {
            return Ok(current);
        }
        let (old_end, new_end) = (
            current.next_multiple_of(PAGE_SIZE),
            want.next_multiple_of(PAGE_SIZE),
        );
        let space = self.space();
        let rw = PageProp::READ | PageProp::WRITE;
        if new_end > old_end {
            // Like Linux, never clobber an existing mapping.
            if (old_end..new_end)
                .step_by(PAGE_SIZE)
                .any(|p| space.query(p) != frame::mm::vm::PageState::Invalid)
            {
                return Ok(current);
            }
            if space
                .mmap(
                    Some(old_end),
                    new_end - old_end,
                    Status::Anonymous { prop: rw },
                )
                .is_err()
            {
                return Ok(current);
            }
        } else if new_end < old_end {
            let _ = space.munmap(new_end, old_end - new_end);
        }
        self.process.brk.lock().1 = want;
        Ok(want)
    }

    fn mmap(
        &mut self,
        addr: UserAddr,
        len: usize,
        prot: MmapProt,
        flags: MmapFlags,
        fd: i32,
        offset: i64,
    ) -> SysResult {
        if len == 0 || offset < 0 || !(offset as usize).is_multiple_of(PAGE_SIZE) {
            return Err(Errno::EINVAL);
        }
        let mut prop = prop_of(prot);
        let shared = flags.map_type() == 1 || flags.map_type() == 3;
        if !shared && flags.map_type() != 2 {
            return Err(Errno::EINVAL);
        }
        let space = self.space();
        let fixed =
            if flags.contains(MmapFlags::FIXED) || flags.contains(MmapFlags::FIXED_NOREPLACE) {
                if !addr.0.is_multiple_of(PAGE_SIZE) {
                    return Err(Errno::EINVAL);
                }
                if flags.contains(MmapFlags::FIXED_NOREPLACE)
                    && (addr.0..addr.0 + len)
                        .step_by(PAGE_SIZE)
                        .any(|p| space.query(p) != frame::mm::vm::PageState::Invalid)
                {
                    return Err(Errno::EEXIST);
                }
                Some(addr.0)
            } else {
                None
            };
        if flags.contains(MmapFlags::ANONYMOUS) {
            if shared {
                prop |= PageProp::SHARED;
            }
            return space
                .mmap(fixed, len, Status::Anonymous { prop })
                .map_err(vm_errno);
        }
        // File-backed: private mappings get a copy of the file's contents now (no page cache
        // yet); shared file mappings need one.
        if shared {
            return Err(Errno::ENODEV);
        }
        let file = self.file(fd)?;
        if !file.is_readable() {
            return Err(Errno::EACCES);
        }
        let rw = PageProp::READ | PageProp::WRITE;
        let va = space
            .mmap(fixed, len, Status::Anonymous { prop: rw })
            .map_err(vm_errno)?;
        let mut done = 0;
        while done < len {
            let mut chunk = vec![0u8; (len - done).min(CHUNK)];
            let n = file.read_at(offset + done as i64, &mut chunk)?;
            if n == 0 {
                break;
            }
            space
                .write(va + done, &chunk[..n], &NoFilePages)
                .map_err(vm_errno)?;
            done += n;
        }
        space.mprotect(va, len, prop).map_err(vm_errno)?;
        Ok(va)
    }

    fn munmap(&mut self, addr: UserAddr, len: usize) -> SysResult {
        self.space().munmap(addr.0, len).map_err(vm_errno)?;
        Ok(0)
    }

    fn mprotect(&mut self, addr: UserAddr, len: usize, prot: MmapProt) -> SysResult {
        if !addr.0.is_multiple_of(PAGE_SIZE) {
            return Err(Errno::EINVAL);
        }
        if len == 0 {
            return Ok(0);
        }
        let space = self.space();
        // Like Linux, a range beyond the user half is simply not mapped: ENOMEM.
        if addr
            .0
            .checked_add(len)
            .is_none_or(|end| end > space.user_end())
        {
            return Err(Errno::ENOMEM);
        }
        space
            .mprotect(addr.0, len, prop_of(prot))
            .map_err(vm_errno)?;
        Ok(0)
    }

    fn madvise(&mut self, addr: UserAddr, len: usize, advice: i32) -> SysResult {
        use syscall_linux::abi::mman::{MADV_DONTNEED, MADV_FREE};
        /// `MADV_DONTNEED_LOCKED`.
        const MADV_DONTNEED_LOCKED: i32 = 24;
        if !addr.0.is_multiple_of(PAGE_SIZE) || !matches!(advice, 0..=4 | 8..=25) {
            return Err(Errno::EINVAL);
        }
        let space = self.space();
        let end = addr
            .0
            .checked_add(len.next_multiple_of(PAGE_SIZE))
            .filter(|&end| end <= space.user_end())
            .ok_or(Errno::ENOMEM)?;
        let pages = (addr.0..end).step_by(PAGE_SIZE);
        // madvise(2): ENOMEM if part of the range is not mapped (the rest is still advised).
        let unmapped = pages
            .clone()
            .any(|p| space.query(p) == frame::mm::vm::PageState::Invalid);
        if matches!(advice, MADV_DONTNEED | MADV_FREE | MADV_DONTNEED_LOCKED) {
            // Private anonymous pages are dropped: the next touch sees zeros. Shared pages keep
            // their contents (other mappings still hold them), as on Linux. Runs of pages with
            // the same permissions are re-marked in one transaction.
            let mut run: Option<(usize, usize, PageProp)> = None;
            let flush = |run: Option<(usize, usize, PageProp)>| -> Result<(), Errno> {
                if let Some((start, end, prop)) = run {
                    space
                        .mmap(Some(start), end - start, Status::Anonymous { prop })
                        .map_err(vm_errno)?;
                }
                Ok(())
            };
            for page in pages {
                let prop = match space.query(page) {
                    frame::mm::vm::PageState::Mapped { prop, .. }
                        if !prop.contains(PageProp::SHARED) =>
                    {
                        let mut prop = prop;
                        if prop.contains(PageProp::COW) {
                            prop.remove(PageProp::COW);
                            prop.insert(PageProp::WRITE);
                        }
                        Some(prop)
                    }
                    _ => None,
                };
                match (run, prop) {
                    (Some((start, run_end, p)), Some(prop)) if run_end == page && p == prop => {
                        run = Some((start, page + PAGE_SIZE, p));
                    }
                    (_, prop) => {
                        flush(run)?;
                        run = prop.map(|prop| (page, page + PAGE_SIZE, prop));
                    }
                }
            }
            flush(run)?;
        }
        if unmapped {
            return Err(Errno::ENOMEM);
        }
        Ok(0)
    }

    fn clone(
        &mut self,
        flags: CloneFlags,
        exit_signal: u32,
        stack: UserAddr,
        parent_tid: UserAddr,
        child_tid: UserAddr,
        tls: usize,
    ) -> SysResult {
        self.do_clone(flags, exit_signal, stack, parent_tid, child_tid, tls)
    }

    fn execve(&mut self, path: UserAddr, argv: UserAddr, envp: UserAddr) -> SysResult {
        let path = self.read_path(path)?;
        let argv = self.read_strings(argv)?;
        let envp = self.read_strings(envp)?;
        let mut ctx = UserContext::new();
        exec_into(self.kernel, &self.process, &mut ctx, &path, &argv, &envp)?;
        // The other threads end; the caller becomes the thread-group leader; a vfork parent
        // gets its address space back.
        let pid = self.process.pid;
        self.sched.kill_other_threads(pid, self.tid);
        self.sched.end_vfork(pid);
        let task = self.task();
        *task.ctx = ctx;
        task.clear_child_tid = 0;
        task.robust_list = 0;
        if self.tid != pid {
            self.sched.renumber(self.tid, pid);
            self.tid = pid;
        }
        self.outcome = Some(Outcome::Replaced);
        Ok(0)
    }

    fn exit(&mut self, status: i32) -> SysResult {
        self.do_exit(status)
    }

    fn exit_group(&mut self, status: i32) -> SysResult {
        self.do_exit_group(status)
    }

    fn wait4(
        &mut self,
        pid: i32,
        wstatus: UserAddr,
        options: WaitOptions,
        rusage: UserAddr,
    ) -> SysResult {
        let known = WaitOptions::NOHANG
            | WaitOptions::UNTRACED
            | WaitOptions::CONTINUED
            | WaitOptions::NOTHREAD
            | WaitOptions::ALL
            | WaitOptions::CLONE;
        if !known.contains(options) {
            return Err(Errno::EINVAL);
        }
        let target = match pid {
            -1 => WaitTarget::Any,
            0 => WaitTarget::Group(self.process.pgid.load(Ordering::Relaxed)),
            p if p > 0 => WaitTarget::Pid(p as u32),
            group => WaitTarget::Group(group.unsigned_abs()),
        };
        let Some(zombie) = self.find_zombie(target, options)? else {
            return Ok(0);
        };
        let status = zombie.exit_status.lock().unwrap_or(0);
        if wstatus.0 != 0 {
            self.write_user(wstatus, &status.to_le_bytes())?;
        }
        if rusage.0 != 0 {
            self.write_user(rusage, &[0u8; 144])?;
        }
        self.kernel.procs.remove(&zombie.pid);
        Ok(zombie.pid as usize)
    }

    fn waitid(
        &mut self,
        idtype: i32,
        id: i32,
        infop: UserAddr,
        options: WaitOptions,
        rusage: UserAddr,
    ) -> SysResult {
        use syscall_linux::abi::siginfo::{CLD_DUMPED, CLD_EXITED, CLD_KILLED};
        use syscall_linux::abi::wait::{P_ALL, P_PGID, P_PID};
        let known = WaitOptions::NOHANG
            | WaitOptions::UNTRACED
            | WaitOptions::EXITED
            | WaitOptions::CONTINUED
            | WaitOptions::NOWAIT
            | WaitOptions::NOTHREAD
            | WaitOptions::ALL
            | WaitOptions::CLONE;
        // waitid(2): one of WEXITED, WSTOPPED (WUNTRACED), WCONTINUED is required.
        if !known.contains(options)
            || !options
                .intersects(WaitOptions::EXITED | WaitOptions::UNTRACED | WaitOptions::CONTINUED)
        {
            return Err(Errno::EINVAL);
        }
        let target = match idtype {
            P_ALL => WaitTarget::Any,
            P_PID if id > 0 => WaitTarget::Pid(id as u32),
            P_PGID if id > 0 => WaitTarget::Group(id as u32),
            P_PGID if id == 0 => WaitTarget::Group(self.process.pgid.load(Ordering::Relaxed)),
            _ => return Err(Errno::EINVAL),
        };
        let zombie = if options.contains(WaitOptions::EXITED) {
            self.find_zombie(target, options)?
        } else {
            // Only stop/continue events asked for, and no process ever stops here.
            self.find_zombie(target, options | WaitOptions::NOHANG)?;
            None
        };
        let mut info = [0u8; 128];
        if let Some(zombie) = &zombie {
            let status = zombie.exit_status.lock().unwrap_or(0);
            let (code, value) = match status & 0x7f {
                0 => (CLD_EXITED, (status >> 8) & 0xff),
                sig if status & 0x80 != 0 => (CLD_DUMPED, sig),
                sig => (CLD_KILLED, sig),
            };
            info[0..4].copy_from_slice(&(crate::signal::SIGCHLD as i32).to_le_bytes());
            info[8..12].copy_from_slice(&code.to_le_bytes());
            info[16..20].copy_from_slice(&zombie.pid.to_le_bytes());
            info[24..28].copy_from_slice(&value.to_le_bytes());
        }
        if infop.0 != 0 {
            self.write_user(infop, &info)?;
        }
        if rusage.0 != 0 {
            self.write_user(rusage, &[0u8; 144])?;
        }
        if let Some(zombie) = zombie
            && !options.contains(WaitOptions::NOWAIT)
        {
            self.kernel.procs.remove(&zombie.pid);
        }
        Ok(0)
    }

    fn kill(&mut self, pid: i32, sig: i32) -> SysResult {
        if !(0..=64).contains(&sig) {
            return Err(Errno::EINVAL);
        }
        let me = self.process.pid;
        let pgid = self.process.pgid.load(Ordering::Relaxed);
        let targets: Vec<u32> = self
            .kernel
            .procs
            .values()
            .into_iter()
            .filter(|p| p.exit_status.lock().is_none())
            .filter(|p| match pid {
                p_id if p_id > 0 => p.pid == p_id as u32,
                0 => p.pgid.load(Ordering::Relaxed) == pgid,
                -1 => p.pid != 1 && p.pid != me,
                group => p.pgid.load(Ordering::Relaxed) == group.unsigned_abs(),
            })
            .map(|p| p.pid)
            .collect();
        if targets.is_empty() {
            return Err(Errno::ESRCH);
        }
        if sig == 0 {
            return Ok(0);
        }
        for target in targets {
            self.kernel.send_signal(self.sched, target, sig as u32);
            if target == me && self.process.exit_status.lock().is_some() {
                self.outcome = Some(Outcome::Exit);
            }
        }
        Ok(0)
    }

    fn tkill(&mut self, tid: i32, sig: i32) -> SysResult {
        self.do_tgkill(None, tid, sig)
    }

    fn tgkill(&mut self, tgid: i32, tid: i32, sig: i32) -> SysResult {
        self.do_tgkill(Some(tgid), tid, sig)
    }

    fn rt_sigaction(
        &mut self,
        sig: i32,
        act: UserAddr,
        oldact: UserAddr,
        sigsetsize: usize,
    ) -> SysResult {
        if !(1..=64).contains(&sig) || sigsetsize != 8 {
            return Err(Errno::EINVAL);
        }
        let size = if ARCH == Arch::X86_64 { 32 } else { 24 };
        let sig = sig as u32;
        if act.0 != 0 && (sig == crate::signal::SIGKILL || sig == 19) {
            return Err(Errno::EINVAL);
        }
        if oldact.0 != 0 {
            let old = self
                .process
                .sigactions
                .lock()
                .get(&sig)
                .cloned()
                .unwrap_or_else(|| vec![0; size]);
            self.write_user(oldact, &old)?;
        }
        if act.0 != 0 {
            let new = self.read_user(act, size)?;
            let handler = u64::from_le_bytes(new[..8].try_into().unwrap_or([0; 8]));
            if handler == 0 {
                self.process.sigactions.lock().remove(&sig);
            } else {
                self.process.sigactions.lock().insert(sig, new);
            }
        }
        Ok(0)
    }

    fn rt_sigreturn(&mut self) -> SysResult {
        if crate::signal::sigreturn(self.task()).is_err() {
            // A frame that cannot be read: Linux kills with SIGSEGV.
            let pid = self.process.pid;
            self.kernel
                .exit_process(self.sched, pid, crate::signal::SIGSEGV as i32);
            self.outcome = Some(Outcome::Exit);
            return Ok(0);
        }
        self.outcome = Some(Outcome::Replaced);
        Ok(0)
    }

    fn rt_sigsuspend(&mut self, mask: UserAddr, sigsetsize: usize) -> SysResult {
        if sigsetsize != 8 {
            return Err(Errno::EINVAL);
        }
        let new = self.read_usize(mask)? as u64;
        let task = self.task();
        if task.saved_mask.is_none() {
            task.saved_mask = Some(task.sigmask);
        }
        task.sigmask = new & !((1 << 8) | (1 << 18));
        if task.has_pending_signal() {
            return Err(Errno::EINTR);
        }
        self.block(WaitFor::Io)
    }

    fn rt_sigpending(&mut self, set: UserAddr, sigsetsize: usize) -> SysResult {
        if sigsetsize > 8 {
            return Err(Errno::EINVAL);
        }
        // Pending for this thread or its process, and blocked here (sigpending(2)).
        let task = self.task();
        let pending = (task.pending | task.process.pending.load(Ordering::Relaxed)) & task.sigmask;
        self.write_user(set, &pending.to_le_bytes()[..sigsetsize])?;
        Ok(0)
    }

    fn rt_sigprocmask(
        &mut self,
        how: i32,
        set: UserAddr,
        oldset: UserAddr,
        sigsetsize: usize,
    ) -> SysResult {
        if sigsetsize != 8 {
            return Err(Errno::EINVAL);
        }
        let old = self.task().sigmask;
        if set.0 != 0 {
            let bits = self.read_usize(set)? as u64;
            let new = match how {
                0 => old | bits,
                1 => old & !bits,
                2 => bits,
                _ => return Err(Errno::EINVAL),
            };
            self.task().sigmask = new & !((1 << 8) | (1 << 18)); // never SIGKILL, SIGSTOP
        }
        if oldset.0 != 0 {
            self.write_user(oldset, &old.to_le_bytes())?;
        }
        Ok(0)
    }

    fn getpid(&mut self) -> SysResult {
        Ok(self.process.pid as usize)
    }

    fn getppid(&mut self) -> SysResult {
        Ok(self.process.ppid.load(Ordering::Relaxed) as usize)
    }

    fn gettid(&mut self) -> SysResult {
        Ok(self.tid as usize)
    }

    fn getuid(&mut self) -> SysResult {
        Ok(0)
    }

    fn geteuid(&mut self) -> SysResult {
        Ok(0)
    }

    fn getgid(&mut self) -> SysResult {
        Ok(0)
    }

    fn getegid(&mut self) -> SysResult {
        Ok(0)
    }

    fn setpgid(&mut self, pid: i32, pgid: i32) -> SysResult {
        if pgid < 0 {
            return Err(Errno::EINVAL);
        }
        let target = if pid == 0 {
            self.process.pid
        } else {
            pid as u32
        };
        let process = self.kernel.procs.get(&target).ok_or(Errno::ESRCH)?;
        let pgid = if pgid == 0 { target } else { pgid as u32 };
        process.pgid.store(pgid, Ordering::Relaxed);
        Ok(0)
    }

    fn getpgid(&mut self, pid: i32) -> SysResult {
        let target = if pid == 0 {
            self.process.pid
        } else {
            pid as u32
        };
        let process = self.kernel.procs.get(&target).ok_or(Errno::ESRCH)?;
        Ok(process.pgid.load(Ordering::Relaxed) as usize)
    }

    fn setsid(&mut self) -> SysResult {
        let pid = self.process.pid;
        if self.process.pgid.load(Ordering::Relaxed) == pid {
            return Err(Errno::EPERM);
        }
        self.process.sid.store(pid, Ordering::Relaxed);
        self.process.pgid.store(pid, Ordering::Relaxed);
        Ok(pid as usize)
    }

    fn getsid(&mut self, pid: i32) -> SysResult {
        let target = if pid == 0 {
            self.process.pid
        } else {
            pid as u32
        };
        let process = self.kernel.procs.get(&target).ok_or(Errno::ESRCH)?;
        Ok(process.sid.load(Ordering::Relaxed) as usize)
    }

    fn set_tid_address(&mut self, tidptr: UserAddr) -> SysResult {
        self.do_set_tid_address(tidptr)
    }

    fn set_robust_list(&mut self, head: UserAddr, len: usize) -> SysResult {
        self.do_set_robust_list(head, len)
    }

    fn get_robust_list(&mut self, pid: i32, head_ptr: UserAddr, len_ptr: UserAddr) -> SysResult {
        self.do_get_robust_list(pid, head_ptr, len_ptr)
    }

    fn futex(
        &mut self,
        uaddr: UserAddr,
        op: i32,
        val: u32,
        timeout: UserAddr,
        uaddr2: UserAddr,
        val3: u32,
    ) -> SysResult {
        self.do_futex(uaddr, op, val, timeout, uaddr2, val3)
    }

    fn arch_prctl(&mut self, code: i32, addr: usize) -> SysResult {
        const ARCH_SET_FS: i32 = 0x1002;
        const ARCH_GET_FS: i32 = 0x1003;
        match code {
            ARCH_SET_FS => {
                if addr >= self.space().user_end() {
                    return Err(Errno::EPERM);
                }
                self.task().ctx.set_tls(addr);
                Ok(0)
            }
            ARCH_GET_FS => {
                let tls = self.task().ctx.tls();
                self.write_user(UserAddr(addr), &(tls as u64).to_le_bytes())?;
                Ok(0)
            }
            _ => Err(Errno::EINVAL),
        }
    }

    fn sched_getaffinity(&mut self, pid: i32, len: usize, mask: UserAddr) -> SysResult {
        self.do_sched_getaffinity(pid, len, mask)
    }

    fn sched_setaffinity(&mut self, pid: i32, len: usize, mask: UserAddr) -> SysResult {
        self.do_sched_setaffinity(pid, len, mask)
    }

    fn sched_getscheduler(&mut self, pid: i32) -> SysResult {
        self.do_sched_getscheduler(pid)
    }

    fn sched_setscheduler(&mut self, pid: i32, policy: i32, param: UserAddr) -> SysResult {
        self.do_sched_setscheduler(pid, Some(policy), param)
    }

    fn sched_getparam(&mut self, pid: i32, param: UserAddr) -> SysResult {
        self.do_sched_getparam(pid, param)
    }

    fn sched_setparam(&mut self, pid: i32, param: UserAddr) -> SysResult {
        self.do_sched_setscheduler(pid, None, param)
    }

    fn sched_get_priority_max(&mut self, policy: i32) -> SysResult {
        self.do_sched_priority_bound(policy, true)
    }

    fn sched_get_priority_min(&mut self, policy: i32) -> SysResult {
        self.do_sched_priority_bound(policy, false)
    }

    fn sched_rr_get_interval(&mut self, pid: i32, interval: UserAddr) -> SysResult {
        self.do_sched_rr_get_interval(pid, interval)
    }

    fn getpriority(&mut self, which: i32, who: i32) -> SysResult {
        self.do_getpriority(which, who)
    }

    fn setpriority(&mut self, which: i32, who: i32, prio: i32) -> SysResult {
        self.do_setpriority(which, who, prio)
    }

    fn getcpu(&mut self, cpu: UserAddr, node: UserAddr) -> SysResult {
        // The CPU this thread's kernel task runs on now (it may have moved by the time the
        // caller looks, as on Linux); one NUMA node.
        let here = frame::cpu::current_id() as u32;
        if cpu.0 != 0 {
            self.write_user(cpu, &here.to_le_bytes())?;
        }
        if node.0 != 0 {
            self.write_user(node, &0u32.to_le_bytes())?;
        }
        Ok(0)
    }

    fn sched_yield(&mut self) -> SysResult {
        self.outcome = Some(Outcome::Yield(0));
        Ok(0)
    }

    fn nanosleep(&mut self, req: UserAddr, _rem: UserAddr) -> SysResult {
        let t: Timespec = self.read_struct(req)?;
        if t.tv_sec < 0 || !(0..1_000_000_000).contains(&t.tv_nsec) {
            return Err(Errno::EINVAL);
        }
        self.sleep(Duration::new(t.tv_sec as u64, t.tv_nsec as u32))
    }

    fn clock_nanosleep(
        &mut self,
        clockid: i32,
        flags: i32,
        req: UserAddr,
        rem: UserAddr,
    ) -> SysResult {
        /// `TIMER_ABSTIME`.
        const TIMER_ABSTIME: i32 = 1;
        // The CPU-time clocks cannot be slept on (clock_nanosleep(2)).
        if clockid == 2 || clockid == 3 {
            return Err(Errno::EINVAL);
        }
        let clock = crate::time::Clock::from_id(clockid)?;
        if flags & TIMER_ABSTIME != 0 {
            let t: Timespec = self.read_struct(req)?;
            if t.tv_sec < 0 || !(0..1_000_000_000).contains(&t.tv_nsec) {
                return Err(Errno::EINVAL);
            }
            let deadline = clock.to_monotonic(Duration::new(t.tv_sec as u64, t.tv_nsec as u32));
            let now = frame::timer::uptime();
            return self.sleep(deadline.saturating_sub(now));
        }
        self.nanosleep(req, rem)
    }

    fn clock_gettime(&mut self, clockid: i32, tp: UserAddr) -> SysResult {
        let t = crate::time::Clock::from_id(clockid)?.now();
        let ts = Timespec {
            tv_sec: t.as_secs() as i64,
            tv_nsec: i64::from(t.subsec_nanos()),
        };
        self.write_user(tp, ts.as_bytes())?;
        Ok(0)
    }

    fn gettimeofday(&mut self, tv: UserAddr, _tz: UserAddr) -> SysResult {
        if tv.0 != 0 {
            let t = frame::timer::wall_clock();
            let mut bytes = [0u8; 16];
            bytes[..8].copy_from_slice(&t.as_secs().to_le_bytes());
            bytes[8..].copy_from_slice(&u64::from(t.subsec_micros()).to_le_bytes());
            self.write_user(tv, &bytes)?;
        }
        Ok(0)
    }

    fn uname(&mut self, buf: UserAddr) -> SysResult {
        let machine = if ARCH == Arch::X86_64 {
            "x86_64"
        } else {
            "riscv64"
        };
        let uts = Utsname::new(
            "Linux",
            "framekernel",
            "6.1.0",
            "#1 framekernel",
            machine,
            "(none)",
        );
        self.write_user(buf, uts.as_bytes())?;
        Ok(0)
    }

    fn getrandom(
        &mut self,
        buf: UserAddr,
        len: usize,
        flags: syscall_linux::abi::random::GetrandomFlags,
    ) -> SysResult {
        use syscall_linux::abi::random::GetrandomFlags as F;
        // getrandom(2): unknown flags, or GRND_INSECURE with GRND_RANDOM, are EINVAL.
        if !F::all().contains(flags) || flags.contains(F::INSECURE | F::RANDOM) {
            return Err(Errno::EINVAL);
        }
        let mut bytes = vec![0u8; len.min(CHUNK)];
        vfs::VfsHooks::fill_random(&*self.kernel.hooks, &mut bytes);
        self.write_user(buf, &bytes)?;
        Ok(bytes.len())
    }

    fn prlimit64(
        &mut self,
        pid: i32,
        resource: u32,
        _new_limit: UserAddr,
        old_limit: UserAddr,
    ) -> SysResult {
        if pid != 0 && pid as u32 != self.process.pid {
            self.kernel.procs.get(&(pid as u32)).ok_or(Errno::ESRCH)?;
        }
        if resource > 15 {
            return Err(Errno::EINVAL);
        }
        if old_limit.0 != 0 {
            let limit = match resource {
                RLIMIT_NOFILE => Rlimit {
                    rlim_cur: crate::process::MAX_FDS as u64,
                    rlim_max: crate::process::MAX_FDS as u64,
                },
                RLIMIT_STACK => Rlimit {
                    rlim_cur: stack::STACK_SIZE as u64,
                    rlim_max: RLIM_INFINITY,
                },
                _ => Rlimit {
                    rlim_cur: RLIM_INFINITY,
                    rlim_max: RLIM_INFINITY,
                },
            };
            self.write_user(old_limit, limit.as_bytes())?;
        }
        Ok(0)
    }

    fn sync(&mut self) -> SysResult {
        Ok(0)
    }

    fn poll(&mut self, fds: UserAddr, nfds: usize, timeout_ms: i32) -> SysResult {
        let timeout = (timeout_ms >= 0).then(|| Duration::from_millis(timeout_ms as u64));
        self.do_poll(fds, nfds, timeout)
    }

    fn ppoll(
        &mut self,
        fds: UserAddr,
        nfds: usize,
        timeout: UserAddr,
        _sigmask: UserAddr,
        _sigsetsize: usize,
    ) -> SysResult {
        let timeout = if timeout.0 == 0 {
            None
        } else {
            let t: Timespec = self.read_struct(timeout)?;
            if t.tv_sec < 0 || !(0..1_000_000_000).contains(&t.tv_nsec) {
                return Err(Errno::EINVAL);
            }
            Some(Duration::new(t.tv_sec as u64, t.tv_nsec as u32))
        };
        self.do_poll(fds, nfds, timeout)
    }

    fn select(
        &mut self,
        nfds: i32,
        readfds: UserAddr,
        writefds: UserAddr,
        exceptfds: UserAddr,
        timeout: UserAddr,
    ) -> SysResult {
        let timeout = if timeout.0 == 0 {
            None
        } else {
            let tv: [i64; 2] = self.read_struct(timeout)?;
            if tv[0] < 0 || !(0..1_000_000).contains(&tv[1]) {
                return Err(Errno::EINVAL);
            }
            Some(Duration::new(tv[0] as u64, tv[1] as u32 * 1000))
        };
        self.do_select(nfds, [readfds, writefds, exceptfds], timeout)
    }

    fn pselect6(
        &mut self,
        nfds: i32,
        readfds: UserAddr,
        writefds: UserAddr,
        exceptfds: UserAddr,
        timeout: UserAddr,
        _sigmask: UserAddr,
    ) -> SysResult {
        let timeout = if timeout.0 == 0 {
            None
        } else {
            let t: Timespec = self.read_struct(timeout)?;
            if t.tv_sec < 0 || !(0..1_000_000_000).contains(&t.tv_nsec) {
                return Err(Errno::EINVAL);
            }
            Some(Duration::new(t.tv_sec as u64, t.tv_nsec as u32))
        };
        self.do_select(nfds, [readfds, writefds, exceptfds], timeout)
    }

    fn statx(
        &mut self,
        dirfd: i32,
        path: UserAddr,
        flags: AtFlags,
        _mask: u32,
        statxbuf: UserAddr,
    ) -> SysResult {
        let known = AtFlags::SYMLINK_NOFOLLOW
            | AtFlags::NO_AUTOMOUNT
            | AtFlags::EMPTY_PATH
            | AtFlags::STATX_FORCE_SYNC
            | AtFlags::STATX_DONT_SYNC;
        // statx(2): unknown flags, or both sync modes at once, are EINVAL.
        if !known.contains(flags)
            || flags.contains(AtFlags::STATX_FORCE_SYNC | AtFlags::STATX_DONT_SYNC)
        {
            return Err(Errno::EINVAL);
        }
        let path = self.read_path(path)?;
        let meta = if path.is_empty() {
            if !flags.contains(AtFlags::EMPTY_PATH) {
                return Err(Errno::ENOENT);
            }
            if dirfd == AT_FDCWD {
                self.process.fs.lock().cwd.inode().metadata()
            } else {
                self.file(dirfd)?.metadata()
            }
        } else {
            let ctx = self.ctx_at(dirfd, &path)?;
            let follow = !flags.contains(AtFlags::SYMLINK_NOFOLLOW);
            self.kernel.vfs.stat(&ctx, &path, follow)?
        };
        let statx = stat_of(&meta).to_statx();
        self.write_user(statxbuf, statx.as_bytes())?;
        Ok(0)
    }

    fn sigaltstack(&mut self, ss: UserAddr, old_ss: UserAddr) -> SysResult {
        use crate::signal::{AltStack, MINSIGSTKSZ, SS_AUTODISARM, SS_DISABLE, SS_ONSTACK};
        let task = self.task();
        let sp = task.ctx.stack_pointer();
        let current = task.alt_stack;
        let new = if ss.0 != 0 {
            let raw = self.read_user(ss, 24)?;
            let word = |at: usize| u64::from_le_bytes(raw[at..at + 8].try_into().unwrap_or([0; 8]));
            let flags = i32::from_le_bytes(raw[8..12].try_into().unwrap_or([0; 4]));
            // sigaltstack(2): EPERM while running on the stack; SS_ONSTACK is accepted as 0.
            if current.contains(sp) {
                return Err(Errno::EPERM);
            }
            let mode = flags & !SS_AUTODISARM;
            if mode != 0 && mode != SS_ONSTACK && mode != SS_DISABLE {
                return Err(Errno::EINVAL);
            }
            Some(if mode == SS_DISABLE {
                AltStack::default()
            } else {
                let size = word(16) as usize;
                if size < MINSIGSTKSZ {
                    return Err(Errno::ENOMEM);
                }
                AltStack {
                    sp: word(0) as usize,
                    size,
                    flags: flags & SS_AUTODISARM,
                }
            })
        } else {
            None
        };
        if old_ss.0 != 0 {
            self.write_user(old_ss, &current.to_stack_t(sp))?;
        }
        if let Some(new) = new {
            self.task().alt_stack = new;
        }
        Ok(0)
    }

    fn reboot(&mut self, magic1: u32, magic2: u32, cmd: u32, _arg: UserAddr) -> SysResult {
        use syscall_linux::abi::reboot::{
            LINUX_REBOOT_CMD_CAD_OFF, LINUX_REBOOT_CMD_CAD_ON, reboot_magic_ok,
        };
        if !reboot_magic_ok(magic1, magic2) {
            return Err(Errno::EINVAL);
        }
        match cmd {
            LINUX_REBOOT_CMD_CAD_ON | LINUX_REBOOT_CMD_CAD_OFF => Ok(0),
            // Halt, power off and restart all end the machine: every process is ended and
            // the kernel powers off once process 1 is gone.
            0xCDEF_0123 | 0x4321_FEDC | 0x0123_4567 => {
                frame::println!("reboot: power down");
                let status = self
                    .kernel
                    .procs
                    .get(&1)
                    .and_then(|p| *p.exit_status.lock())
                    .unwrap_or(0);
                self.kernel.exit_process(self.sched, 1, status);
                self.outcome = Some(Outcome::Exit);
                Ok(0)
            }
            _ => Err(Errno::EINVAL),
        }
    }
}

/// The calls [`Handler`] implements.
static IMPLEMENTED: &[Sysno] = &[
    Sysno::read,
    Sysno::write,
    Sysno::pread64,
    Sysno::pwrite64,
    Sysno::readv,
    Sysno::writev,
    Sysno::openat,
    Sysno::close,
    Sysno::lseek,
    Sysno::fstat,
    Sysno::newfstatat,
    Sysno::getdents64,
    Sysno::dup,
    Sysno::dup2,
    Sysno::dup3,
    Sysno::fcntl,
    Sysno::ioctl,
    Sysno::pipe2,
    Sysno::mkdirat,
    Sysno::mknodat,
    Sysno::unlinkat,
    Sysno::symlinkat,
    Sysno::readlinkat,
    Sysno::faccessat,
    Sysno::fchmodat,
    Sysno::chdir,
    Sysno::getcwd,
    Sysno::umask,
    Sysno::brk,
    Sysno::mmap,
    Sysno::munmap,
    Sysno::mprotect,
    Sysno::madvise,
    Sysno::clone,
    Sysno::execve,
    Sysno::exit,
    Sysno::exit_group,
    Sysno::wait4,
    Sysno::waitid,
    Sysno::kill,
    Sysno::tkill,
    Sysno::tgkill,
    Sysno::rt_sigaction,
    Sysno::rt_sigprocmask,
    Sysno::getpid,
    Sysno::getppid,
    Sysno::gettid,
    Sysno::getuid,
    Sysno::geteuid,
    Sysno::getgid,
    Sysno::getegid,
    Sysno::setpgid,
    Sysno::getpgid,
    Sysno::setsid,
    Sysno::getsid,
    Sysno::set_tid_address,
    Sysno::set_robust_list,
    Sysno::get_robust_list,
    Sysno::futex,
    Sysno::arch_prctl,
    Sysno::sched_yield,
    Sysno::getcpu,
    Sysno::sched_getaffinity,
    Sysno::sched_setaffinity,
    Sysno::sched_getscheduler,
    Sysno::sched_setscheduler,
    Sysno::sched_getparam,
    Sysno::sched_setparam,
    Sysno::sched_get_priority_max,
    Sysno::sched_get_priority_min,
    Sysno::sched_rr_get_interval,
    Sysno::getpriority,
    Sysno::setpriority,
    Sysno::nanosleep,
    Sysno::clock_nanosleep,
    Sysno::clock_gettime,
    Sysno::gettimeofday,
    Sysno::uname,
    Sysno::getrandom,
    Sysno::prlimit64,
    Sysno::reboot,
    Sysno::poll,
    Sysno::ppoll,
    Sysno::rt_sigreturn,
    Sysno::rt_sigsuspend,
    Sysno::rt_sigpending,
    Sysno::renameat2,
    Sysno::linkat,
    Sysno::mount,
    Sysno::statfs,
    Sysno::fstatfs,
    Sysno::ftruncate,
    Sysno::truncate,
    Sysno::fsync,
    Sysno::fdatasync,
    Sysno::fchdir,
    Sysno::fchmod,
    Sysno::fchown,
    Sysno::fchownat,
    Sysno::utimensat,
    Sysno::sysinfo,
    Sysno::times,
    Sysno::time,
    Sysno::prctl,
    Sysno::setuid,
    Sysno::setgid,
    Sysno::getgroups,
    Sysno::select,
    Sysno::pselect6,
    Sysno::statx,
    Sysno::sigaltstack,
];
