//! The text formats of procfs files, as proc_pid_stat(5), proc_pid_status(5),
//! proc_pid_maps(5), proc_meminfo(5) and proc_uptime(5) describe them.

use alloc::format;
use alloc::string::String;
use core::fmt::Write;

use super::source::{CpuTimes, MapEntry, MemInfo, ProcessInfo, SystemStat};
use crate::types::{Timespec, major, minor};

/// The command name as Linux keeps it: at most 15 bytes.
fn comm(info: &ProcessInfo) -> &str {
    let mut end = info.comm.len().min(15);
    while !info.comm.is_char_boundary(end) {
        end -= 1;
    }
    &info.comm[..end]
}

/// `/proc/<pid>/stat`: one line of 52 fields.
pub(crate) fn stat(info: &ProcessInfo) -> String {
    let mut s = format!(
        "{} ({}) {} {} {} {} {} {} 4194304 0 0 0 0 {} {} 0 0 {} {} {} 0 {} {} {} 18446744073709551615",
        info.pid,
        comm(info),
        info.state,
        info.ppid,
        info.pgrp,
        info.session,
        info.tty_nr,
        info.tpgid,
        info.utime,
        info.stime,
        info.priority,
        info.nice,
        info.threads,
        info.start_time,
        info.vsize,
        info.rss_pages,
    );
    // startcode .. cnswap (26-37), exit_signal, processor, rt_priority .. exit_code (40-52).
    s.push_str(&" 0".repeat(12));
    let _ = write!(s, " 17 {}", info.processor);
    s.push_str(&" 0".repeat(13));
    s.push('\n');
    s
}

fn state_name(state: char) -> &'static str {
    match state {
        'R' => "R (running)",
        'S' => "S (sleeping)",
        'D' => "D (disk sleep)",
        'T' => "T (stopped)",
        't' => "t (tracing stop)",
        'Z' => "Z (zombie)",
        'X' => "X (dead)",
        'I' => "I (idle)",
        _ => "S (sleeping)",
    }
}

/// `/proc/<pid>/status`.
pub(crate) fn status(info: &ProcessInfo, fd_count: usize) -> String {
    let fd_size = fd_count.next_power_of_two().max(64);
    let (uid, gid) = (info.uid, info.gid);
    format!(
        "Name:\t{}\nUmask:\t{:04o}\nState:\t{}\nTgid:\t{}\nNgid:\t0\nPid:\t{}\nPPid:\t{}\n\
         TracerPid:\t0\nUid:\t{uid}\t{uid}\t{uid}\t{uid}\nGid:\t{gid}\t{gid}\t{gid}\t{gid}\n\
         FDSize:\t{}\nGroups:\t\nVmSize:\t{:8} kB\nVmRSS:\t{:8} kB\nThreads:\t{}\n",
        comm(info),
        info.umask,
        state_name(info.state),
        info.pid,
        info.pid,
        info.ppid,
        fd_size,
        info.vsize / 1024,
        info.rss_pages * 4,
        info.threads,
    )
}

/// One line of `/proc/<pid>/maps`.
pub(crate) fn map_line(out: &mut String, m: &MapEntry) {
    let start = out.len();
    let flag = |on: bool, c: char| if on { c } else { '-' };
    let _ = write!(
        out,
        "{:08x}-{:08x} {}{}{}{} {:08x} {:02x}:{:02x} {}",
        m.start,
        m.end,
        flag(m.read, 'r'),
        flag(m.write, 'w'),
        flag(m.exec, 'x'),
        if m.shared { 's' } else { 'p' },
        m.offset,
        major(m.dev),
        minor(m.dev),
        m.ino,
    );
    if !m.path.is_empty() {
        // Linux pads the path to column 73 on 64-bit.
        let width = out.len() - start;
        out.push_str(&" ".repeat(73usize.saturating_sub(width).max(1)));
        out.push_str(&m.path);
    }
    out.push('\n');
}

/// /proc/meminfo.
pub(crate) fn meminfo(m: &MemInfo) -> String {
    let mut s = String::new();
    for (name, kb) in [
        ("MemTotal:", m.total_kb),
        ("MemFree:", m.free_kb),
        ("MemAvailable:", m.available_kb),
        ("Buffers:", m.buffers_kb),
        ("Cached:", m.cached_kb),
        ("SwapCached:", 0),
        ("SwapTotal:", 0),
        ("SwapFree:", 0),
        ("Shmem:", m.shmem_kb),
    ] {
        let _ = writeln!(s, "{name:<16}{kb:>8} kB");
    }
    s
}

/// /proc/stat: the summed and per-CPU time lines (user nice system idle iowait irq softirq
/// steal guest guest_nice), then the counters.
pub(crate) fn system_stat(st: &SystemStat) -> String {
    let mut s = String::new();
    let cpu_line = |s: &mut String, name: &str, t: &CpuTimes| {
        let _ = writeln!(
            s,
            "{name} {} {} {} {} 0 0 0 0 0 0",
            t.user, t.nice, t.system, t.idle
        );
    };
    let total = st.cpus.iter().fold(CpuTimes::default(), |a, t| CpuTimes {
        user: a.user + t.user,
        nice: a.nice + t.nice,
        system: a.system + t.system,
        idle: a.idle + t.idle,
    });
    cpu_line(&mut s, "cpu ", &total);
    for (i, t) in st.cpus.iter().enumerate() {
        cpu_line(&mut s, &format!("cpu{i}"), t);
    }
    let _ = writeln!(s, "intr {}", st.interrupts);
    let _ = writeln!(s, "ctxt {}", st.context_switches);
    let _ = writeln!(s, "btime {}", st.boot_time);
    let _ = writeln!(s, "processes {}", st.forks);
    let _ = writeln!(s, "procs_running {}", st.running);
    let _ = writeln!(s, "procs_blocked {}", st.blocked);
    s
}

/// /proc/loadavg: three load averages, running/existing threads, the last pid.
pub(crate) fn loadavg(st: &SystemStat) -> String {
    let [a, b, c] = st.load_centi;
    format!(
        "{}.{:02} {}.{:02} {}.{:02} {}/{} {}\n",
        a / 100,
        a % 100,
        b / 100,
        b % 100,
        c / 100,
        c % 100,
        st.running,
        st.threads,
        st.last_pid
    )
}

/// /proc/uptime: seconds with two decimals.
pub(crate) fn uptime(up: Timespec, idle: Timespec) -> String {
    let centi = |t: Timespec| (t.sec.max(0), t.nsec / 10_000_000);
    let (us, uc) = centi(up);
    let (is, ic) = centi(idle);
    format!("{us}.{uc:02} {is}.{ic:02}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_has_52_fields() {
        let info = ProcessInfo {
            pid: 7,
            comm: "a very long command name".into(),
            state: 'S',
            ..ProcessInfo::default()
        };
        let line = stat(&info);
        assert!(line.starts_with("7 (a very long com) S "));
        let after = line.rsplit_once(") ").unwrap().1;
        assert_eq!(after.split_whitespace().count() + 2, 52);
    }

    #[test]
    fn system_stat_sums_cpus() {
        let t = |user, system, idle| CpuTimes {
            user,
            nice: 0,
            system,
            idle,
        };
        let st = SystemStat {
            cpus: alloc::vec![t(1, 2, 3), t(10, 20, 30)],
            context_switches: 5,
            boot_time: 1_700_000_000,
            forks: 9,
            running: 1,
            threads: 4,
            last_pid: 12,
            load_centi: [5, 150, 0],
            ..SystemStat::default()
        };
        let text = system_stat(&st);
        let lines: alloc::vec::Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "cpu  11 0 22 33 0 0 0 0 0 0");
        assert_eq!(lines[2], "cpu1 10 0 20 30 0 0 0 0 0 0");
        assert!(text.contains("\nctxt 5\nbtime 1700000000\nprocesses 9\n"));
        assert_eq!(loadavg(&st), "0.05 1.50 0.00 1/4 12\n");
    }

    #[test]
    fn maps_and_uptime() {
        let mut s = String::new();
        map_line(
            &mut s,
            &MapEntry {
                start: 0x400000,
                end: 0x401000,
                read: true,
                exec: true,
                path: "/bin/busybox".into(),
                ..MapEntry::default()
            },
        );
        assert!(s.starts_with("00400000-00401000 r-xp 00000000 00:00 0 "));
        assert_eq!(s.find('/'), Some(73));
        assert_eq!(
            uptime(Timespec::new(12, 340_000_000), Timespec::new(3, 0)),
            "12.34 3.00\n"
        );
    }
}
