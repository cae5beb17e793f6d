//! Threads and processes made by clone(2), their exit, and futex(2).
//!
//! A thread (`CLONE_THREAD`) is a [`Task`] that shares its [`Process`]: address space,
//! descriptors, directories and signal actions. A new process (no `CLONE_THREAD`) gets copies
//! of them, except the address space with `CLONE_VM` (vfork and posix_spawn). When a thread
//! ends, the kernel writes 0 at its `clear_child_tid` and wakes a futex waiter there (how
//! `pthread_join` learns of it) and marks the robust futexes it still holds as `OWNER_DIED`.
//! See clone(2), futex(2), set_robust_list(2).

use alloc::sync::Arc;
use core::sync::atomic::Ordering;
use core::time::Duration;

use frame::mm::vm::NoFilePages;
use syscall_linux::abi::futex::{
    FUTEX_BITSET_MATCH_ANY, FUTEX_CLOCK_REALTIME, FUTEX_CMD_MASK, FUTEX_CMP_REQUEUE,
    FUTEX_OWNER_DIED, FUTEX_REQUEUE, FUTEX_TID_MASK, FUTEX_WAIT, FUTEX_WAIT_BITSET, FUTEX_WAITERS,
    FUTEX_WAKE, FUTEX_WAKE_BITSET, FUTEX_WAKE_OP,
};
use syscall_linux::abi::sched::CloneFlags;
use syscall_linux::abi::time::Timespec;
use syscall_linux::{Errno, SysResult, UserAddr};

use super::{Handler, vm_errno};
use crate::futex::{self, FutexKey, FutexWait, WakeOp};
use crate::process::Process;
use crate::task::{Outcome, State, Task, WaitFor};

/// Size of `struct robust_list_head` (next, futex_offset, list_op_pending).
const ROBUST_LIST_HEAD_SIZE: usize = 24;
/// Most robust-list entries walked at exit (Linux's `ROBUST_LIST_LIMIT`).
const ROBUST_LIST_LIMIT: usize = 2048;

impl Handler<'_> {
    /// clone(2).
    pub(super) fn do_clone(
        &mut self,
        flags: CloneFlags,
        exit_signal: u32,
        stack: UserAddr,
        parent_tid: UserAddr,
        child_tid: UserAddr,
        tls: usize,
    ) -> SysResult {
        // copy_process()'s consistency rules.
        if flags.contains(CloneFlags::THREAD) && !flags.contains(CloneFlags::SIGHAND) {
            return Err(Errno::EINVAL);
        }
        if flags.contains(CloneFlags::SIGHAND) && !flags.contains(CloneFlags::VM) {
            return Err(Errno::EINVAL);
        }
        let thread = flags.contains(CloneFlags::THREAD);
        if !thread && flags.intersects(CloneFlags::FILES | CloneFlags::FS | CloneFlags::SIGHAND) {
            // Sharing these between distinct processes is not supported: refuse rather than
            // hand out copies the caller believes shared.
            log::warn!("clone: CLONE_FILES/FS/SIGHAND without CLONE_THREAD is not supported");
            return Err(Errno::EINVAL);
        }
        if exit_signal > 64 {
            return Err(Errno::EINVAL);
        }
        let mut ctx = frame::user::UserContext::clone(&self.task().ctx);
        ctx.set_syscall_return(0);
        if stack.0 != 0 {
            ctx.set_stack_pointer(stack.0);
        }
        if flags.contains(CloneFlags::SETTLS) {
            // x86-64 checks the fs base as arch_prctl(ARCH_SET_FS) does.
            if cfg!(target_arch = "x86_64") && tls >= self.space().user_end() {
                return Err(Errno::EPERM);
            }
            ctx.set_tls(tls);
        }
        let parent = self.process.clone();
        let tid = self.kernel.alloc_pid();
        let process = if thread {
            parent.threads.fetch_add(1, Ordering::Relaxed);
            parent
        } else {
            let space = if flags.contains(CloneFlags::VM) {
                parent.space()
            } else {
                parent.space().fork().map_err(vm_errno)?
            };
            Arc::new(Process::new_child(&parent, tid, space, exit_signal))
        };
        let tid_bytes = tid.to_le_bytes();
        if flags.contains(CloneFlags::PARENT_SETTID) {
            self.write_user(parent_tid, &tid_bytes)?;
        }
        if flags.contains(CloneFlags::CHILD_SETTID) {
            process
                .space()
                .write(child_tid.0, &tid_bytes, &NoFilePages)
                .map_err(|_| Errno::EFAULT)?;
        }
        let mut task = Task::new(tid, process.clone(), ctx);
        task.sched = self.task().sched.for_child();
        task.sigmask = self.task().sigmask;
        if flags.contains(CloneFlags::CHILD_CLEARTID) {
            task.clear_child_tid = child_tid.0;
        }
        let started = self
            .sched
            .spawn(task)
            .and_then(|()| crate::run::start_threads(self.sched));
        if let Err(e) = started {
            if thread {
                process.threads.fetch_sub(1, Ordering::Relaxed);
            }
            return Err(e);
        }
        if !thread {
            self.kernel.procs.insert(tid, process);
        }
        if flags.contains(CloneFlags::VFORK) {
            // The parent sleeps until the child execs or exits (it may be running on the
            // parent's stack).
            self.task().vfork_child = Some(tid);
            self.outcome = Some(Outcome::ReturnAndBlock(tid as isize, WaitFor::Vfork));
        }
        Ok(tid as usize)
    }

    /// exit(2): ends the calling thread; the last one ends the process.
    pub(super) fn do_exit(&mut self, status: i32) -> SysResult {
        let pid = self.process.pid;
        let me = self.tid;
        if self.sched.threads_of(pid).all(|t| t.tid == me) {
            return self.do_exit_group(status);
        }
        self.release_thread();
        self.process.threads.fetch_sub(1, Ordering::Relaxed);
        self.sched.make_dead(self.tid);
        self.outcome = Some(Outcome::Exit);
        Ok(0)
    }

    /// exit_group(2): ends every thread of the process.
    pub(super) fn do_exit_group(&mut self, status: i32) -> SysResult {
        self.release_thread();
        let pid = self.process.pid;
        self.kernel
            .exit_process(self.sched, pid, (status & 0xff) << 8);
        self.outcome = Some(Outcome::Exit);
        Ok(0)
    }

    /// What a thread leaves behind for others: its cleared tid and its robust futexes.
    fn release_thread(&mut self) {
        let (clear, robust) = {
            let task = self.task();
            (
                core::mem::take(&mut task.clear_child_tid),
                core::mem::take(&mut task.robust_list),
            )
        };
        if robust != 0 {
            self.release_robust_list(robust);
        }
        if clear != 0
            && self
                .write_user(UserAddr(clear), &0u32.to_le_bytes())
                .is_ok()
        {
            let key = self.futex_key(UserAddr(clear));
            if let Ok(key) = key {
                futex::wake(self.sched, key, 1, FUTEX_BITSET_MATCH_ANY);
            }
        }
    }

    /// Walks the robust list at `head` (set_robust_list(2)) and hands each futex the thread
    /// still owns to a waiter: `FUTEX_OWNER_DIED` is set and one waiter woken. Bad pointers end
    /// the walk quietly, as on Linux.
    fn release_robust_list(&mut self, head: usize) {
        let Ok(raw) = self.read_user(UserAddr(head), ROBUST_LIST_HEAD_SIZE) else {
            return;
        };
        let word =
            |i: usize| usize::from_le_bytes(raw[i * 8..i * 8 + 8].try_into().unwrap_or([0; 8]));
        let (mut entry, offset, pending) = (word(0) & !1, word(1), word(2) & !1);
        let mut walked = 0;
        while entry != head && entry != 0 && walked < ROBUST_LIST_LIMIT {
            let Ok(next) = self.read_usize(UserAddr(entry)) else {
                return;
            };
            if entry != pending {
                self.release_robust_futex(entry.wrapping_add(offset));
            }
            entry = next & !1;
            walked += 1;
        }
        if pending != 0 {
            self.release_robust_futex(pending.wrapping_add(offset));
        }
    }

    fn release_robust_futex(&mut self, addr: usize) {
        let Ok(bytes) = self.read_user(UserAddr(addr), 4) else {
            return;
        };
        let value = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
        if value & FUTEX_TID_MASK != self.tid {
            return;
        }
        let new = (value & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
        if self.write_user(UserAddr(addr), &new.to_le_bytes()).is_ok()
            && value & FUTEX_WAITERS != 0
            && let Ok(key) = self.futex_key(UserAddr(addr))
        {
            futex::wake(self.sched, key, 1, FUTEX_BITSET_MATCH_ANY);
        }
    }

    /// set_tid_address(2).
    pub(super) fn do_set_tid_address(&mut self, tidptr: UserAddr) -> SysResult {
        self.task().clear_child_tid = tidptr.0;
        Ok(self.tid as usize)
    }

    /// set_robust_list(2).
    pub(super) fn do_set_robust_list(&mut self, head: UserAddr, len: usize) -> SysResult {
        if len != ROBUST_LIST_HEAD_SIZE {
            return Err(Errno::EINVAL);
        }
        self.task().robust_list = head.0;
        Ok(0)
    }

    /// get_robust_list(2).
    pub(super) fn do_get_robust_list(
        &mut self,
        pid: i32,
        head_ptr: UserAddr,
        len_ptr: UserAddr,
    ) -> SysResult {
        let head = match pid {
            0 => self.task().robust_list,
            tid if tid > 0 => self.sched.task(tid as u32).ok_or(Errno::ESRCH)?.robust_list,
            _ => return Err(Errno::ESRCH),
        };
        self.write_user(head_ptr, &head.to_le_bytes())?;
        self.write_user(len_ptr, &ROBUST_LIST_HEAD_SIZE.to_le_bytes())?;
        Ok(0)
    }

    /// tgkill(2) (`tgid` `None`: tkill(2)): the signal goes to the thread's process.
    pub(super) fn do_tgkill(&mut self, tgid: Option<i32>, tid: i32, sig: i32) -> SysResult {
        if tid <= 0 || tgid.is_some_and(|g| g <= 0) || !(0..=64).contains(&sig) {
            return Err(Errno::EINVAL);
        }
        let task = self.sched.task(tid as u32).ok_or(Errno::ESRCH)?;
        let pid = task.process.pid;
        if task.state == State::Dead || tgid.is_some_and(|g| g as u32 != pid) {
            return Err(Errno::ESRCH);
        }
        if sig != 0 {
            self.kernel
                .send_signal_to(self.sched, pid, Some(tid as u32), sig as u32);
            if pid == self.process.pid && self.process.exit_status.lock().is_some() {
                self.outcome = Some(Outcome::Exit);
            }
        }
        Ok(0)
    }

    /// The key of the futex word at `uaddr`: `EINVAL` unless 4-byte aligned.
    fn futex_key(&self, uaddr: UserAddr) -> Result<FutexKey, Errno> {
        if !uaddr.0.is_multiple_of(4) {
            return Err(Errno::EINVAL);
        }
        Ok(FutexKey {
            space: self.space().id(),
            addr: uaddr.0,
        })
    }

    fn read_u32(&self, uaddr: UserAddr) -> Result<u32, Errno> {
        let b = self.read_user(uaddr, 4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// futex(2).
    pub(super) fn do_futex(
        &mut self,
        uaddr: UserAddr,
        op: i32,
        val: u32,
        timeout: UserAddr,
        uaddr2: UserAddr,
        val3: u32,
    ) -> SysResult {
        let cmd = op & FUTEX_CMD_MASK;
        let realtime = op & FUTEX_CLOCK_REALTIME != 0;
        if realtime && cmd != FUTEX_WAIT && cmd != FUTEX_WAIT_BITSET {
            return Err(Errno::ENOSYS);
        }
        // For the requeue and wake-op commands the timeout slot carries a count.
        let val2 = timeout.0 as u32;
        match cmd {
            FUTEX_WAIT => self.futex_wait(uaddr, val, timeout, FUTEX_BITSET_MATCH_ANY, None),
            FUTEX_WAIT_BITSET => {
                if val3 == 0 {
                    return Err(Errno::EINVAL);
                }
                let clock = if realtime {
                    crate::time::Clock::Realtime
                } else {
                    crate::time::Clock::Monotonic
                };
                self.futex_wait(uaddr, val, timeout, val3, Some(clock))
            }
            FUTEX_WAKE | FUTEX_WAKE_BITSET => {
                let bitset = if cmd == FUTEX_WAKE {
                    FUTEX_BITSET_MATCH_ANY
                } else {
                    val3
                };
                if bitset == 0 {
                    return Err(Errno::EINVAL);
                }
                let key = self.futex_key(uaddr)?;
                Ok(futex::wake(self.sched, key, val as usize, bitset))
            }
            FUTEX_REQUEUE | FUTEX_CMP_REQUEUE => {
                if (val as i32) < 0 || (val2 as i32) < 0 {
                    return Err(Errno::EINVAL);
                }
                let from = self.futex_key(uaddr)?;
                let to = self.futex_key(uaddr2)?;
                if from == to {
                    return Err(Errno::EINVAL);
                }
                if cmd == FUTEX_CMP_REQUEUE && self.read_u32(uaddr)? != val3 {
                    return Err(Errno::EAGAIN);
                }
                Ok(futex::requeue(
                    self.sched,
                    from,
                    val as usize,
                    to,
                    val2 as usize,
                ))
            }
            FUTEX_WAKE_OP => {
                let first = self.futex_key(uaddr)?;
                let second = self.futex_key(uaddr2)?;
                let op = WakeOp::decode(val3)?;
                let old = self.read_u32(uaddr2)?;
                self.write_user(uaddr2, &op.apply(old).to_le_bytes())?;
                let mut woken =
                    futex::wake(self.sched, first, val as usize, FUTEX_BITSET_MATCH_ANY);
                if op.passes(old) {
                    woken += futex::wake(self.sched, second, val2 as usize, FUTEX_BITSET_MATCH_ANY);
                }
                Ok(woken)
            }
            _ => Err(Errno::ENOSYS),
        }
    }

    /// A futex wait: on entry, compares `*uaddr` with `val` and blocks; restarted, reports a
    /// wake or a timeout (see `crate::futex`). `absolute` gives the clock of an absolute
    /// timeout (`FUTEX_WAIT_BITSET`); otherwise it is relative.
    fn futex_wait(
        &mut self,
        uaddr: UserAddr,
        val: u32,
        timeout: UserAddr,
        bitset: u32,
        absolute: Option<crate::time::Clock>,
    ) -> SysResult {
        let now = frame::timer::uptime();
        if let Some(wait) = self.task().futex {
            if wait.woken {
                self.task().futex = None;
                return Ok(0);
            }
            if wait.deadline.is_some_and(|d| now >= d) {
                self.task().futex = None;
                return Err(Errno::ETIMEDOUT);
            }
            return self.block(WaitFor::Futex);
        }
        let key = self.futex_key(uaddr)?;
        let deadline = match timeout.0 {
            0 => None,
            _ => {
                let t: Timespec = self.read_struct(timeout)?;
                if t.tv_sec < 0 || !(0..1_000_000_000).contains(&t.tv_nsec) {
                    return Err(Errno::EINVAL);
                }
                let t = Duration::new(t.tv_sec as u64, t.tv_nsec as u32);
                Some(match absolute {
                    Some(clock) => clock.to_monotonic(t),
                    None => now + t,
                })
            }
        };
        if self.read_u32(uaddr)? != val {
            return Err(Errno::EAGAIN);
        }
        if deadline.is_some_and(|d| now >= d) {
            return Err(Errno::ETIMEDOUT);
        }
        self.task().futex = Some(FutexWait::new(key, bitset, deadline));
        self.block(WaitFor::Futex)
    }
}
