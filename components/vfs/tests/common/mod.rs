//! Shared set-up of the integration tests: a VFS with /dev, /proc and /tmp mounted, a fake
//! process table, and file helpers.

#![allow(dead_code)]

use std::string::String;
use std::sync::{Arc, Mutex};
use std::vec::Vec;

use vfs::devfs::DevFs;
use vfs::procfs::{CpuTimes, MapEntry, MemInfo, ProcFs, ProcSource, ProcessInfo, SystemStat};
use vfs::{Error, FsContext, MountFlags, OpenFlags, RamFs, SimpleHooks, Timespec, Vfs, VfsHooks};

/// A VFS and the things around it.
pub struct World {
    pub hooks: Arc<SimpleHooks>,
    pub vfs: Arc<Vfs>,
    pub ctx: FsContext,
    pub devfs: Arc<DevFs>,
    pub procs: Arc<FakeProcs>,
}

pub fn hooks() -> (Arc<SimpleHooks>, Arc<dyn VfsHooks>) {
    let h = Arc::new(SimpleHooks::new(1_000, 42));
    let dynh: Arc<dyn VfsHooks> = h.clone();
    (h, dynh)
}

/// Just a ramfs root.
pub fn bare() -> (Arc<Vfs>, FsContext) {
    let (_, h) = hooks();
    let root = RamFs::new(h.clone());
    let vfs = Vfs::new(root.root(), "rootfs", h);
    let ctx = FsContext::new(&vfs);
    (vfs, ctx)
}

/// A ramfs root with devfs on /dev, procfs on /proc and a tmpfs (mode 1777) on /tmp.
pub fn world() -> World {
    let (hooks, h) = hooks();
    let root = RamFs::new(h.clone());
    let vfs = Vfs::new(root.root(), "rootfs", h.clone());
    let ctx = FsContext::new(&vfs);
    for d in ["/dev", "/proc", "/tmp"] {
        vfs.mkdir(&ctx, d, 0o755).unwrap();
    }
    let devfs = DevFs::new(h.clone());
    vfs.mount(
        &ctx,
        "/dev",
        devfs.root(),
        "devtmpfs",
        "devtmpfs",
        MountFlags::empty(),
    )
    .unwrap();
    vfs.set_device_registry(devfs.clone());
    let procs = Arc::new(FakeProcs::default());
    let procfs = ProcFs::new(procs.clone(), &vfs);
    vfs.mount(
        &ctx,
        "/proc",
        procfs.root(),
        "proc",
        "proc",
        MountFlags::empty(),
    )
    .unwrap();
    let tmp = RamFs::new(h.clone());
    tmp.root().set_mode(0o1777).unwrap();
    vfs.mount(
        &ctx,
        "/tmp",
        tmp.root(),
        "tmpfs",
        "tmpfs",
        MountFlags::empty(),
    )
    .unwrap();
    World {
        hooks,
        vfs,
        ctx,
        devfs,
        procs,
    }
}

pub fn write_file(vfs: &Vfs, ctx: &FsContext, path: &str, data: &[u8]) {
    let flags = OpenFlags::WRONLY | OpenFlags::CREAT | OpenFlags::TRUNC;
    let f = vfs.open(ctx, path, flags, 0o644).unwrap();
    assert_eq!(f.write(data).unwrap(), data.len());
}

pub fn read_file(vfs: &Vfs, ctx: &FsContext, path: &str) -> Result<Vec<u8>, Error> {
    let f = vfs.open(ctx, path, OpenFlags::empty(), 0)?;
    let mut out = Vec::new();
    let mut buf = [0u8; 1000];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            return Ok(out);
        }
        out.extend_from_slice(&buf[..n]);
    }
}

pub fn read_string(vfs: &Vfs, ctx: &FsContext, path: &str) -> String {
    String::from_utf8(read_file(vfs, ctx, path).unwrap()).unwrap()
}

/// The names in a directory, without `.` and `..`, sorted.
pub fn list(vfs: &Vfs, ctx: &FsContext, path: &str) -> Vec<String> {
    let f = vfs.open(ctx, path, OpenFlags::DIRECTORY, 0).unwrap();
    let mut names = Vec::new();
    while let Some(e) = f.next_entry().unwrap() {
        if e.name != "." && e.name != ".." {
            names.push(e.name);
        }
    }
    names.sort();
    names
}

/// A process table for procfs tests.
#[derive(Default)]
pub struct FakeProcs {
    pub current: Mutex<u32>,
    pub table: Mutex<Vec<ProcessInfo>>,
}

impl FakeProcs {
    pub fn add(&self, pid: u32, comm: &str) {
        self.table.lock().unwrap().push(ProcessInfo {
            pid,
            ppid: 1,
            pgrp: pid,
            session: 1,
            tpgid: -1,
            comm: comm.into(),
            state: 'S',
            uid: 1000,
            gid: 100,
            threads: 1,
            vsize: 4 << 20,
            rss_pages: 100,
            priority: 20,
            umask: 0o022,
            ..ProcessInfo::default()
        });
    }

    pub fn remove(&self, pid: u32) {
        self.table.lock().unwrap().retain(|p| p.pid != pid);
    }
}

impl ProcSource for FakeProcs {
    fn current_pid(&self) -> u32 {
        *self.current.lock().unwrap()
    }

    fn pids(&self) -> Vec<u32> {
        self.table.lock().unwrap().iter().map(|p| p.pid).collect()
    }

    fn process(&self, pid: u32) -> Option<ProcessInfo> {
        self.table
            .lock()
            .unwrap()
            .iter()
            .find(|p| p.pid == pid)
            .cloned()
    }

    fn cmdline(&self, pid: u32) -> Option<Vec<u8>> {
        let p = self.process(pid)?;
        Some(format!("{}\0-c\0true\0", p.comm).into_bytes())
    }

    fn maps(&self, pid: u32) -> Option<Vec<MapEntry>> {
        self.process(pid)?;
        Some(vec![
            MapEntry {
                start: 0x400000,
                end: 0x500000,
                read: true,
                exec: true,
                ino: 12,
                path: "/bin/busybox".into(),
                ..MapEntry::default()
            },
            MapEntry {
                start: 0x7fff_0000_0000,
                end: 0x7fff_0002_1000,
                read: true,
                write: true,
                path: "[stack]".into(),
                ..MapEntry::default()
            },
        ])
    }

    fn fds(&self, pid: u32) -> Option<Vec<(u32, String)>> {
        self.process(pid)?;
        Some(vec![
            (0, "/dev/null".into()),
            (1, "pipe:[7]".into()),
            (5, "/tmp/f".into()),
        ])
    }

    fn exe(&self, pid: u32) -> Option<String> {
        self.process(pid).map(|_| "/bin/busybox".into())
    }

    fn meminfo(&self) -> MemInfo {
        MemInfo {
            total_kb: 131072,
            free_kb: 100000,
            available_kb: 110000,
            ..MemInfo::default()
        }
    }

    fn cpuinfo(&self) -> String {
        "processor\t: 0\n".into()
    }

    fn uptime(&self) -> (Timespec, Timespec) {
        (Timespec::new(5, 250_000_000), Timespec::new(4, 0))
    }

    fn system_stat(&self) -> SystemStat {
        let count = self.table.lock().unwrap().len();
        let last_pid = self.pids().into_iter().max().unwrap_or(0);
        SystemStat {
            cpus: vec![CpuTimes {
                user: 300,
                nice: 0,
                system: 100,
                idle: 125,
            }],
            boot_time: 1_700_000_000,
            forks: count as u64,
            running: 1,
            threads: count as u32,
            last_pid,
            ..SystemStat::default()
        }
    }
}
