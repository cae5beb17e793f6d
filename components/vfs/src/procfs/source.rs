//! [`ProcSource`]: the facts about processes and the machine that the kernel lends to procfs.
//!
//! The kernel reports plain data; procfs formats it the way Linux does (see `format.rs`), so
//! tools that parse /proc (ps, top, free, uptime, mount) work unchanged.

use alloc::string::String;
use alloc::vec::Vec;

use crate::types::Timespec;

/// What `/proc/<pid>/stat` and `/proc/<pid>/status` show about a process.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProcessInfo {
    /// Process (thread-group) id.
    pub pid: u32,
    /// Parent's pid.
    pub ppid: u32,
    /// Process group.
    pub pgrp: u32,
    /// Session.
    pub session: u32,
    /// Controlling terminal's device number (0: none).
    pub tty_nr: u32,
    /// Foreground process group of the terminal (-1: none).
    pub tpgid: i32,
    /// Command name (at most 15 bytes are shown).
    pub comm: String,
    /// State letter: `R` running, `S` sleeping, `D` disk sleep, `T` stopped, `Z` zombie.
    pub state: char,
    /// Real, effective, saved and file-system user id (all the same here).
    pub uid: u32,
    /// Real, effective, saved and file-system group id.
    pub gid: u32,
    /// Threads in the process.
    pub threads: u32,
    /// Virtual memory size in bytes.
    pub vsize: u64,
    /// Resident pages.
    pub rss_pages: u64,
    /// User time in clock ticks (100 per second).
    pub utime: u64,
    /// System time in clock ticks.
    pub stime: u64,
    /// Start time after boot in clock ticks.
    pub start_time: u64,
    /// Scheduling priority as stat shows it (20 for nice 0 under CFS).
    pub priority: i32,
    /// Nice value.
    pub nice: i32,
    /// The file mode creation mask.
    pub umask: u32,
    /// CPU last run on.
    pub processor: u32,
}

/// One line of `/proc/<pid>/maps`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MapEntry {
    /// First address.
    pub start: u64,
    /// Address after the last.
    pub end: u64,
    /// Readable.
    pub read: bool,
    /// Writable.
    pub write: bool,
    /// Executable.
    pub exec: bool,
    /// Shared (else private, copy-on-write).
    pub shared: bool,
    /// Offset in the mapped file.
    pub offset: u64,
    /// Device number of the mapped file (0 for anonymous memory).
    pub dev: u64,
    /// Inode number of the mapped file (0 for anonymous memory).
    pub ino: u64,
    /// Path of the mapped file or a pseudo-name such as `[stack]`, `[heap]`; empty if none.
    pub path: String,
}

/// What /proc/meminfo shows, in KiB.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MemInfo {
    /// Usable RAM.
    pub total_kb: u64,
    /// Unused RAM.
    pub free_kb: u64,
    /// RAM available for new allocations without swapping.
    pub available_kb: u64,
    /// Block-device buffers.
    pub buffers_kb: u64,
    /// Page cache (including tmpfs).
    pub cached_kb: u64,
    /// Shared memory and tmpfs.
    pub shmem_kb: u64,
}

/// Where one CPU's time went, in clock ticks (100 per second), as the `cpuN` lines of
/// /proc/stat show it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CpuTimes {
    /// In user mode.
    pub user: u64,
    /// In user mode at a positive nice value.
    pub nice: u64,
    /// In the kernel.
    pub system: u64,
    /// Idle.
    pub idle: u64,
}

/// What /proc/stat and /proc/loadavg show about the whole machine.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SystemStat {
    /// Each CPU's times, by CPU number.
    pub cpus: Vec<CpuTimes>,
    /// Interrupts serviced since boot.
    pub interrupts: u64,
    /// Context switches since boot.
    pub context_switches: u64,
    /// Boot time, in seconds since the Unix epoch.
    pub boot_time: u64,
    /// Processes and threads created since boot.
    pub forks: u64,
    /// Runnable threads.
    pub running: u32,
    /// Threads blocked on I/O.
    pub blocked: u32,
    /// Threads that exist.
    pub threads: u32,
    /// The most recently assigned pid.
    pub last_pid: u32,
    /// Load averages over 1, 5 and 15 minutes, in hundredths.
    pub load_centi: [u64; 3],
}

/// The kernel's side of procfs.
pub trait ProcSource: Send + Sync {
    /// The pid of the process making the current system call (what /proc/self names).
    fn current_pid(&self) -> u32;

    /// Every live pid.
    fn pids(&self) -> Vec<u32>;

    /// Facts about `pid`; `None` if there is no such process.
    fn process(&self, pid: u32) -> Option<ProcessInfo>;

    /// The arguments of `pid`, each ending with NUL (`/proc/<pid>/cmdline`).
    fn cmdline(&self, pid: u32) -> Option<Vec<u8>>;

    /// The mappings of `pid`, in address order.
    fn maps(&self, pid: u32) -> Option<Vec<MapEntry>>;

    /// The open file descriptors of `pid` and what each names (`/path`, `pipe:[ino]`, ... as
    /// [`crate::File::proc_path`] gives), in fd order.
    fn fds(&self, pid: u32) -> Option<Vec<(u32, String)>>;

    /// The path of the executable of `pid` (`/proc/<pid>/exe`).
    fn exe(&self, pid: u32) -> Option<String> {
        let _ = pid;
        None
    }

    /// The working directory of `pid` (`/proc/<pid>/cwd`).
    fn cwd(&self, pid: u32) -> Option<String> {
        let _ = pid;
        None
    }

    /// Memory figures.
    fn meminfo(&self) -> MemInfo;

    /// The text of /proc/cpuinfo (architecture-specific).
    fn cpuinfo(&self) -> String;

    /// Time since boot and idle time summed over CPUs.
    fn uptime(&self) -> (Timespec, Timespec);

    /// Machine-wide counters (/proc/stat, /proc/loadavg).
    fn system_stat(&self) -> SystemStat;
}
