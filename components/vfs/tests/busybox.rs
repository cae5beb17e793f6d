//! What BusyBox tools do, call by call: mkdir -p, redirections, cp, mv across mounts, ln -s,
//! find, rm -rf, a pipeline.

mod common;

use common::{list, read_string, world};
use vfs::{Error, FsContext, OpenFlags, RenameFlags, Vfs, Whence};

fn mkdir_p(vfs: &Vfs, ctx: &FsContext, path: &str) {
    let mut prefix = String::new();
    for c in path.split('/').filter(|c| !c.is_empty()) {
        prefix.push('/');
        prefix.push_str(c);
        match vfs.mkdir(ctx, &prefix, 0o777) {
            Ok(()) | Err(Error::EEXIST) => {}
            Err(e) => panic!("mkdir {prefix}: {e}"),
        }
    }
}

/// `sh`: `cmd > path` and `cmd >> path`.
fn redirect(vfs: &Vfs, ctx: &FsContext, path: &str, append: bool, data: &[u8]) {
    let mut flags = OpenFlags::WRONLY | OpenFlags::CREAT;
    flags |= if append {
        OpenFlags::APPEND
    } else {
        OpenFlags::TRUNC
    };
    let f = vfs.open(ctx, path, flags, 0o666).unwrap();
    f.write(data).unwrap();
}

fn cp(vfs: &Vfs, ctx: &FsContext, from: &str, to: &str) {
    let src = vfs.open(ctx, from, OpenFlags::empty(), 0).unwrap();
    let mode = src.metadata().perm();
    let dst = vfs
        .open(
            ctx,
            to,
            OpenFlags::WRONLY | OpenFlags::CREAT | OpenFlags::TRUNC,
            mode,
        )
        .unwrap();
    let mut buf = [0u8; 4096];
    loop {
        let n = src.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        dst.write(&buf[..n]).unwrap();
    }
}

fn mv(vfs: &Vfs, ctx: &FsContext, from: &str, to: &str) {
    match vfs.rename(ctx, from, to, RenameFlags::empty()) {
        Ok(()) => {}
        Err(Error::EXDEV) => {
            cp(vfs, ctx, from, to);
            vfs.unlink(ctx, from).unwrap();
        }
        Err(e) => panic!("mv: {e}"),
    }
}

/// `find path`: every path under `path`, not following symlinks.
fn find(vfs: &Vfs, ctx: &FsContext, path: &str, out: &mut Vec<String>) {
    out.push(path.into());
    if !vfs.stat(ctx, path, false).unwrap().is_dir() {
        return;
    }
    let dir = vfs.open(ctx, path, OpenFlags::DIRECTORY, 0).unwrap();
    while let Some(e) = dir.next_entry().unwrap() {
        if e.name != "." && e.name != ".." {
            find(vfs, ctx, &format!("{path}/{}", e.name), out);
        }
    }
}

/// `rm -rf path`.
fn rm_rf(vfs: &Vfs, ctx: &FsContext, path: &str) {
    if !vfs.stat(ctx, path, false).unwrap().is_dir() {
        vfs.unlink(ctx, path).unwrap();
        return;
    }
    let dir = vfs.open(ctx, path, OpenFlags::DIRECTORY, 0).unwrap();
    while let Some(e) = dir.next_entry().unwrap() {
        if e.name != "." && e.name != ".." {
            rm_rf(vfs, ctx, &format!("{path}/{}", e.name));
        }
    }
    vfs.rmdir(ctx, path).unwrap();
}

#[test]
fn shell_session() {
    let w = world();
    let (vfs, ctx) = (&w.vfs, &w.ctx);
    mkdir_p(vfs, ctx, "/work/src/deep");
    mkdir_p(vfs, ctx, "/work/src/deep");
    redirect(vfs, ctx, "/work/src/a.txt", false, b"hello\n");
    redirect(vfs, ctx, "/work/src/a.txt", true, b"world\n");
    redirect(vfs, ctx, "/dev/null", false, b"discarded");
    assert_eq!(read_string(vfs, ctx, "/work/src/a.txt"), "hello\nworld\n");
    cp(vfs, ctx, "/work/src/a.txt", "/work/src/deep/b.txt");
    vfs.symlink(ctx, "../a.txt", "/work/src/deep/link").unwrap();
    assert_eq!(
        read_string(vfs, ctx, "/work/src/deep/link"),
        "hello\nworld\n"
    );
    vfs.chmod(ctx, "/work/src/deep/b.txt", 0o600).unwrap();
    // mv to another file system falls back to copy and unlink.
    mv(vfs, ctx, "/work/src/deep/b.txt", "/tmp/b.txt");
    assert_eq!(read_string(vfs, ctx, "/tmp/b.txt"), "hello\nworld\n");
    assert_eq!(vfs.stat(ctx, "/tmp/b.txt", true).unwrap().perm(), 0o600);
    mv(vfs, ctx, "/work/src/a.txt", "/work/a.txt");
    // The symlink now dangles; find does not follow it.
    let mut found = Vec::new();
    find(vfs, ctx, "/work", &mut found);
    found.sort();
    assert_eq!(
        found,
        [
            "/work",
            "/work/a.txt",
            "/work/src",
            "/work/src/deep",
            "/work/src/deep/link"
        ]
    );
    rm_rf(vfs, ctx, "/work");
    assert!(!list(vfs, ctx, "/").contains(&"work".to_string()));
    // cd and pwd.
    mkdir_p(vfs, ctx, "/home/user");
    let home = ctx.at(vfs.chdir(ctx, "/home/user").unwrap());
    assert_eq!(home.getcwd().unwrap(), "/home/user");
    let up = home.at(vfs.chdir(&home, "../..").unwrap());
    assert_eq!(up.getcwd().unwrap(), "/");
    // touch.
    vfs.utimens(&home, "x", vfs::SetTime::Now, vfs::SetTime::Now, true)
        .unwrap_err();
    redirect(vfs, &home, "x", false, b"");
    assert_eq!(vfs.stat(ctx, "/home/user/x", true).unwrap().size, 0);
}

#[test]
fn pipeline() {
    // `printf 'b\na\n' | sort > out` with the kernel's retry loop.
    let w = world();
    let (vfs, ctx) = (&w.vfs, &w.ctx);
    let (r, wr) = vfs::pipe(vfs.hooks().clone(), OpenFlags::empty());
    wr.write(b"b\na\n").unwrap();
    drop(wr);
    let mut input = Vec::new();
    let mut buf = [0u8; 3];
    loop {
        match r.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => input.extend_from_slice(&buf[..n]),
            Err(e) => panic!("{e}"),
        }
    }
    let mut lines: Vec<&[u8]> = input
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    lines.sort();
    let out = vfs
        .open(
            ctx,
            "/tmp/out",
            OpenFlags::WRONLY | OpenFlags::CREAT | OpenFlags::TRUNC,
            0o644,
        )
        .unwrap();
    for l in lines {
        out.write(l).unwrap();
        out.write(b"\n").unwrap();
    }
    assert_eq!(read_string(vfs, ctx, "/tmp/out"), "a\nb\n");
    assert_eq!(out.seek(0, Whence::End).unwrap(), 4);
}
