//! The process table, shared with procfs: `/proc/<pid>/...`, `/proc/self`, `meminfo`,
//! `cpuinfo`, `uptime`, `stat`, `loadavg` and `mounts` come from here through
//! `vfs::procfs::ProcSource`.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicU32, Ordering};

use frame::mm::vm::PageProp;
use spin::Mutex;
use vfs::Timespec;
use vfs::procfs::{CpuTimes, MapEntry, MemInfo, ProcSource, ProcessInfo, SystemStat};

use crate::process::{Pid, Process};

/// Every process, zombies included, and the one making the current system call.
#[derive(Default)]
pub struct ProcTable {
    procs: Mutex<BTreeMap<Pid, Arc<Process>>>,
    current: AtomicU32,
    last_pid: AtomicU32,
}

impl ProcTable {
    /// The process `pid`.
    pub fn get(&self, pid: &Pid) -> Option<Arc<Process>> {
        self.procs.lock().get(pid).cloned()
    }

    /// Adds a process.
    pub fn insert(&self, pid: Pid, process: Arc<Process>) {
        self.procs.lock().insert(pid, process);
    }

    /// Removes a (reaped) process.
    pub fn remove(&self, pid: &Pid) -> Option<Arc<Process>> {
        self.procs.lock().remove(pid)
    }

    /// A snapshot of every process.
    pub fn values(&self) -> Vec<Arc<Process>> {
        self.procs.lock().values().cloned().collect()
    }

    /// Every pid.
    pub fn keys(&self) -> Vec<Pid> {
        self.procs.lock().keys().copied().collect()
    }

    /// Records the most recently assigned pid (pids count up from 1, so it is also the
    /// number of processes and threads created).
    pub fn note_new_pid(&self, pid: Pid) {
        self.last_pid.store(pid, Ordering::Relaxed);
    }

    /// Records the process making the current system call (for `/proc/self`).
    pub fn set_current(&self, pid: Pid) {
        self.current.store(pid, Ordering::Relaxed);
    }
}

impl ProcSource for ProcTable {
    fn current_pid(&self) -> u32 {
        self.current.load(Ordering::Relaxed)
    }

    fn pids(&self) -> Vec<u32> {
        self.keys()
    }

    fn process(&self, pid: u32) -> Option<ProcessInfo> {
        let p = self.get(&pid)?;
        let comm = p.comm.lock().clone();
        let (vsize, rss_pages) = if p.exit_status.lock().is_some() {
            (0, 0)
        } else {
            p.space().regions().iter().fold((0, 0), |(v, r), region| {
                (
                    v + (region.end - region.start) as u64,
                    r + region.resident as u64,
                )
            })
        };
        Some(ProcessInfo {
            pid,
            ppid: p.ppid.load(Ordering::Relaxed),
            pgrp: p.pgid.load(Ordering::Relaxed),
            session: p.sid.load(Ordering::Relaxed),
            comm,
            state: if p.exit_status.lock().is_some() {
                'Z'
            } else {
                'S'
            },
            threads: p.threads.load(Ordering::Relaxed),
            vsize,
            rss_pages,
            ..ProcessInfo::default()
        })
    }

    fn cmdline(&self, pid: u32) -> Option<Vec<u8>> {
        let p = self.get(&pid)?;
        let mut out = Vec::new();
        for word in p.cmdline.lock().split(' ').filter(|w| !w.is_empty()) {
            out.extend_from_slice(word.as_bytes());
            out.push(0);
        }
        Some(out)
    }

    fn maps(&self, pid: u32) -> Option<Vec<MapEntry>> {
        let p = self.get(&pid)?;
        if p.exit_status.lock().is_some() {
            return Some(Vec::new());
        }
        let space = p.space();
        let (brk_start, brk_end) = *p.brk.lock();
        let stack_top = crate::stack::stack_top(&space);
        // The program break's pages merge with the image's data in the page table; split them
        // off so that the heap shows as Linux shows it.
        let mut pieces = Vec::new();
        for r in space.regions() {
            if r.start < brk_start && r.end > brk_start {
                pieces.push((r.start, brk_start, r.prop));
                pieces.push((brk_start, r.end, r.prop));
            } else {
                pieces.push((r.start, r.end, r.prop));
            }
        }
        let entries = pieces
            .into_iter()
            .map(|(start, end, prop)| {
                let path =
                    if brk_start != 0 && start >= brk_start && start < brk_end.max(brk_start + 1) {
                        "[heap]"
                    } else if start < stack_top && end >= stack_top {
                        "[stack]"
                    } else {
                        ""
                    };
                MapEntry {
                    start: start as u64,
                    end: end as u64,
                    read: prop.contains(PageProp::READ),
                    write: prop.contains(PageProp::WRITE),
                    exec: prop.contains(PageProp::EXEC),
                    shared: prop.contains(PageProp::SHARED),
                    path: path.into(),
                    ..MapEntry::default()
                }
            })
            .collect();
        Some(entries)
    }

    fn fds(&self, pid: u32) -> Option<Vec<(u32, String)>> {
        let p = self.get(&pid)?;
        let fds = p.fds.lock();
        Some(
            fds.iter()
                .map(|(fd, file)| (fd as u32, file.proc_path()))
                .collect(),
        )
    }

    fn meminfo(&self) -> MemInfo {
        let stats = frame::mm::frame_stats();
        let kb = |frames: usize| (frames * frame::mm::PAGE_SIZE / 1024) as u64;
        MemInfo {
            total_kb: kb(stats.total),
            free_kb: kb(stats.free),
            available_kb: kb(stats.free),
            ..MemInfo::default()
        }
    }

    fn cpuinfo(&self) -> String {
        let arch = frame::arch::ARCH_NAME;
        frame::smp::online_cpus()
            .map(|cpu| format!("processor\t: {cpu}\narchitecture\t: {arch}\n\n"))
            .collect()
    }

    fn uptime(&self) -> (Timespec, Timespec) {
        let t = frame::timer::uptime();
        let idle_ticks: u64 = frame::smp::online_cpus()
            .map(|cpu| frame::timer::cpu_times(cpu).idle)
            .sum();
        let hz = frame::timer::TICK_HZ;
        (
            Timespec {
                sec: t.as_secs() as i64,
                nsec: t.subsec_nanos(),
            },
            Timespec {
                sec: (idle_ticks / hz) as i64,
                nsec: ((idle_ticks % hz) * (1_000_000_000 / hz)) as u32,
            },
        )
    }

    fn system_stat(&self) -> SystemStat {
        let cpus: Vec<CpuTimes> = frame::smp::online_cpus()
            .map(|cpu| {
                let t = frame::timer::cpu_times(cpu);
                CpuTimes {
                    user: t.user,
                    nice: 0,
                    system: t.system,
                    idle: t.idle,
                }
            })
            .collect();
        let interrupts = frame::smp::online_cpus().map(frame::timer::cpu_ticks).sum();
        let boot = frame::timer::wall_clock().saturating_sub(frame::timer::uptime());
        let threads = self
            .values()
            .iter()
            .filter(|p| p.exit_status.lock().is_none())
            .map(|p| p.threads.load(Ordering::Relaxed))
            .sum();
        let last_pid = self.last_pid.load(Ordering::Relaxed);
        SystemStat {
            cpus,
            interrupts,
            context_switches: crate::stats::context_switches(),
            boot_time: boot.as_secs(),
            forks: u64::from(last_pid),
            // The reader itself runs.
            running: crate::stats::runnable().max(1),
            blocked: 0,
            threads,
            last_pid,
            load_centi: crate::stats::load_centi(),
        }
    }
}
