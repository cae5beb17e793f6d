//! procfs over a fake process table.

mod common;

use common::{list, read_file, read_string, world};
use vfs::{Error, OpenFlags};

#[test]
fn root_listing_and_self() {
    let w = world();
    let (vfs, ctx) = (&w.vfs, &w.ctx);
    w.procs.add(1, "init");
    w.procs.add(42, "sh");
    *w.procs.current.lock().unwrap() = 42;
    let names = list(vfs, ctx, "/proc");
    for n in [
        "1", "42", "self", "meminfo", "cpuinfo", "mounts", "uptime", "stat", "loadavg",
    ] {
        assert!(names.iter().any(|x| x == n), "{n} in {names:?}");
    }
    assert_eq!(vfs.readlink(ctx, "/proc/self").unwrap(), "42");
    assert_eq!(
        vfs.resolve(ctx, "/proc/self", true).unwrap().path(),
        "/proc/42"
    );
    assert_eq!(
        list(vfs, ctx, "/proc/self"),
        ["cmdline", "cwd", "exe", "fd", "maps", "stat", "status"]
    );
    assert_eq!(vfs.stat(ctx, "/proc/42", true).unwrap().uid, 1000);
    assert_eq!(vfs.stat(ctx, "/proc/7", true).unwrap_err(), Error::ENOENT);
    assert_eq!(vfs.stat(ctx, "/proc/042", true).unwrap_err(), Error::ENOENT);
}

#[test]
fn per_process_files() {
    let w = world();
    let (vfs, ctx) = (&w.vfs, &w.ctx);
    w.procs.add(42, "busybox");
    *w.procs.current.lock().unwrap() = 42;
    let stat = read_string(vfs, ctx, "/proc/self/stat");
    assert!(stat.starts_with("42 (busybox) S 1 42 1 0 -1 "), "{stat}");
    assert_eq!(stat.split_whitespace().count(), 52);
    let status = read_string(vfs, ctx, "/proc/42/status");
    assert!(status.contains("Name:\tbusybox\n"));
    assert!(status.contains("Pid:\t42\n"));
    assert!(status.contains("Uid:\t1000\t1000\t1000\t1000\n"));
    assert_eq!(
        read_file(vfs, ctx, "/proc/42/cmdline").unwrap(),
        b"busybox\0-c\0true\0"
    );
    let maps = read_string(vfs, ctx, "/proc/42/maps");
    let lines: Vec<&str> = maps.lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[0].starts_with("00400000-00500000 r-xp 00000000 00:00 12 "));
    assert!(lines[0].ends_with(" /bin/busybox"));
    assert!(lines[1].contains("rw-p") && lines[1].ends_with("[stack]"));
    assert_eq!(list(vfs, ctx, "/proc/42/fd"), ["0", "1", "5"]);
    assert_eq!(vfs.readlink(ctx, "/proc/42/fd/1").unwrap(), "pipe:[7]");
    assert_eq!(vfs.readlink(ctx, "/proc/42/exe").unwrap(), "/bin/busybox");
    assert_eq!(
        vfs.readlink(ctx, "/proc/42/cwd").unwrap_err(),
        Error::ENOENT
    );
    assert_eq!(
        vfs.stat(ctx, "/proc/42/fd/3", false).unwrap_err(),
        Error::ENOENT
    );
    // Following an fd link resolves the path it shows.
    assert!(vfs.resolve(ctx, "/proc/42/fd/0", true).unwrap().path() == "/dev/null");
    // Partial reads at an offset.
    let f = vfs
        .open(ctx, "/proc/42/stat", OpenFlags::empty(), 0)
        .unwrap();
    let mut buf = [0u8; 4];
    assert_eq!(f.read(&mut buf).unwrap(), 4);
    assert_eq!(&buf, b"42 (");
    // A process that exits: its files vanish.
    let held = vfs.resolve(ctx, "/proc/42", true).unwrap();
    w.procs.remove(42);
    assert_eq!(
        read_file(vfs, ctx, "/proc/42/stat").unwrap_err(),
        Error::ENOENT
    );
    assert_eq!(
        vfs.lookup_child(ctx, &held, "stat").unwrap_err(),
        Error::ENOENT
    );
    assert_eq!(f.read(&mut buf).unwrap_err(), Error::ENOENT);
}

#[test]
fn system_files() {
    let w = world();
    let (vfs, ctx) = (&w.vfs, &w.ctx);
    let meminfo = read_string(vfs, ctx, "/proc/meminfo");
    assert!(meminfo.starts_with("MemTotal:         131072 kB\nMemFree:          100000 kB\n"));
    assert!(meminfo.contains("SwapTotal:             0 kB\n"));
    assert_eq!(read_string(vfs, ctx, "/proc/uptime"), "5.25 4.00\n");
    let stat = read_string(vfs, ctx, "/proc/stat");
    assert!(stat.starts_with("cpu  300 0 100 125 0 0 0 0 0 0\ncpu0 300 0 100 125 "));
    assert!(stat.contains("\nbtime 1700000000\n"));
    assert_eq!(
        read_string(vfs, ctx, "/proc/loadavg"),
        "0.00 0.00 0.00 1/0 0\n"
    );
    assert_eq!(read_string(vfs, ctx, "/proc/cpuinfo"), "processor\t: 0\n");
    let mounts = read_string(vfs, ctx, "/proc/mounts");
    assert!(mounts.contains("proc /proc proc rw 0 0\n"));
    assert!(mounts.contains("tmpfs /tmp tmpfs rw 0 0\n"));
}

#[test]
fn read_only_tree() {
    let w = world();
    let (vfs, ctx) = (&w.vfs, &w.ctx);
    assert_eq!(vfs.mkdir(ctx, "/proc/x", 0o755).unwrap_err(), Error::ENOENT);
    assert_eq!(vfs.unlink(ctx, "/proc/meminfo").unwrap_err(), Error::EPERM);
    let user = ctx.clone().with_cred(vfs::Cred::new(1000, 1000));
    assert_eq!(
        vfs.open(&user, "/proc/meminfo", OpenFlags::WRONLY, 0)
            .unwrap_err(),
        Error::EACCES
    );
    let f = vfs
        .open(ctx, "/proc/meminfo", OpenFlags::WRONLY, 0)
        .unwrap();
    assert_eq!(f.write(b"x").unwrap_err(), Error::EINVAL);
}
