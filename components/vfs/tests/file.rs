//! open(2) flags, read/write/seek/append/truncate, getdents, permissions.

mod common;

use common::{bare, list, read_file, read_string, write_file};
use vfs::{Access, Cred, Error, OpenFlags, SetTime, Timespec, Whence, mode};

const RO: OpenFlags = OpenFlags::empty();
const WO: OpenFlags = OpenFlags::WRONLY;
const RW: OpenFlags = OpenFlags::RDWR;
const CREAT: OpenFlags = OpenFlags::CREAT;

#[test]
fn open_create_flags() {
    let (vfs, ctx) = bare();
    assert_eq!(vfs.open(&ctx, "/f", RO, 0).unwrap_err(), Error::ENOENT);
    let f = vfs.open(&ctx, "/f", WO | CREAT, 0o666).unwrap();
    assert_eq!(f.metadata().mode, mode::S_IFREG | 0o644);
    assert_eq!(f.write(b"abc").unwrap(), 3);
    assert_eq!(
        vfs.open(&ctx, "/f", WO | CREAT | OpenFlags::EXCL, 0o644)
            .unwrap_err(),
        Error::EEXIST
    );
    // O_CREAT without O_EXCL opens the existing file, keeping its contents.
    vfs.open(&ctx, "/f", RW | CREAT, 0o600).unwrap();
    assert_eq!(read_string(&vfs, &ctx, "/f"), "abc");
    vfs.open(&ctx, "/f", WO | OpenFlags::TRUNC, 0).unwrap();
    assert_eq!(read_string(&vfs, &ctx, "/f"), "");
    // Directories.
    vfs.mkdir(&ctx, "/d", 0o755).unwrap();
    assert_eq!(vfs.open(&ctx, "/d", WO, 0).unwrap_err(), Error::EISDIR);
    assert_eq!(
        vfs.open(&ctx, "/d", RW | CREAT, 0).unwrap_err(),
        Error::EISDIR
    );
    assert_eq!(
        vfs.open(&ctx, "/new/", WO | CREAT, 0).unwrap_err(),
        Error::EISDIR
    );
    assert_eq!(
        vfs.open(&ctx, ".", WO | CREAT, 0).unwrap_err(),
        Error::EISDIR
    );
    assert_eq!(
        vfs.open(&ctx, "/f", OpenFlags::DIRECTORY, 0).unwrap_err(),
        Error::ENOTDIR
    );
    let d = vfs.open(&ctx, "/d", RO, 0).unwrap();
    let mut buf = [0u8; 4];
    assert_eq!(d.read(&mut buf).unwrap_err(), Error::EISDIR);
    assert_eq!(
        vfs.open(&ctx, "/nodir/f", WO | CREAT, 0).unwrap_err(),
        Error::ENOENT
    );
    assert_eq!(
        vfs.open(&ctx, "/f/x", WO | CREAT, 0).unwrap_err(),
        Error::ENOTDIR
    );
}

#[test]
fn open_symlink_flags() {
    let (vfs, ctx) = bare();
    write_file(&vfs, &ctx, "/t", b"target");
    vfs.symlink(&ctx, "/t", "/l").unwrap();
    vfs.symlink(&ctx, "/created", "/dangling").unwrap();
    assert_eq!(read_string(&vfs, &ctx, "/l"), "target");
    assert_eq!(
        vfs.open(&ctx, "/l", OpenFlags::NOFOLLOW, 0).unwrap_err(),
        Error::ELOOP
    );
    assert_eq!(
        vfs.open(&ctx, "/l", WO | CREAT | OpenFlags::NOFOLLOW, 0)
            .unwrap_err(),
        Error::ELOOP
    );
    // O_CREAT|O_EXCL fails on any existing name, a symlink included.
    assert_eq!(
        vfs.open(&ctx, "/dangling", WO | CREAT | OpenFlags::EXCL, 0o644)
            .unwrap_err(),
        Error::EEXIST
    );
    // O_CREAT through a dangling symlink creates its target.
    vfs.open(&ctx, "/dangling", WO | CREAT, 0o644).unwrap();
    assert!(vfs.stat(&ctx, "/created", false).unwrap().file_type() == vfs::FileType::Regular);
    // O_PATH|O_NOFOLLOW names the link itself.
    let p = vfs
        .open(&ctx, "/l", OpenFlags::PATH | OpenFlags::NOFOLLOW, 0)
        .unwrap();
    assert!(p.metadata().is_symlink());
    let mut buf = [0u8; 1];
    assert_eq!(p.read(&mut buf).unwrap_err(), Error::EBADF);
}

#[test]
fn read_write_seek() {
    let (vfs, ctx) = bare();
    let f = vfs.open(&ctx, "/f", RW | CREAT, 0o644).unwrap();
    assert_eq!(f.write(b"hello world").unwrap(), 11);
    assert_eq!(f.seek(0, Whence::Cur).unwrap(), 11);
    assert_eq!(f.seek(6, Whence::Set).unwrap(), 6);
    let mut buf = [0u8; 16];
    assert_eq!(f.read(&mut buf).unwrap(), 5);
    assert_eq!(&buf[..5], b"world");
    assert_eq!(f.read(&mut buf).unwrap(), 0);
    assert_eq!(f.seek(-5, Whence::End).unwrap(), 6);
    assert_eq!(f.seek(-7, Whence::Cur).unwrap_err(), Error::EINVAL);
    assert_eq!(f.seek(-1, Whence::Set).unwrap_err(), Error::EINVAL);
    // A write past the end leaves a hole of zeros.
    assert_eq!(f.seek(20, Whence::Set).unwrap(), 20);
    f.write(b"!").unwrap();
    let data = read_file(&vfs, &ctx, "/f").unwrap();
    assert_eq!(data.len(), 21);
    assert_eq!(&data[11..20], &[0u8; 9]);
    assert_eq!(f.seek(0, Whence::Data).unwrap(), 0);
    assert_eq!(f.seek(3, Whence::Hole).unwrap(), 21);
    assert_eq!(f.seek(21, Whence::Data).unwrap_err(), Error::ENXIO);
    // pread/pwrite leave the offset alone.
    let pos = f.offset();
    assert_eq!(f.write_at(0, b"J").unwrap(), 1);
    assert_eq!(f.read_at(0, &mut buf[..5]).unwrap(), 5);
    assert_eq!(&buf[..5], b"Jello");
    assert_eq!(f.offset(), pos);
    assert_eq!(f.read_at(-1, &mut buf).unwrap_err(), Error::EINVAL);
    // Access modes.
    let r = vfs.open(&ctx, "/f", RO, 0).unwrap();
    assert_eq!(r.write(b"x").unwrap_err(), Error::EBADF);
    let w = vfs.open(&ctx, "/f", WO, 0).unwrap();
    assert_eq!(w.read(&mut buf).unwrap_err(), Error::EBADF);
    assert_eq!(r.truncate(0).unwrap_err(), Error::EINVAL);
}

#[test]
fn append_and_truncate() {
    let (vfs, ctx) = bare();
    write_file(&vfs, &ctx, "/f", b"abc");
    let a = vfs.open(&ctx, "/f", WO | OpenFlags::APPEND, 0).unwrap();
    let b = vfs.open(&ctx, "/f", WO | OpenFlags::APPEND, 0).unwrap();
    a.write(b"1").unwrap();
    b.write(b"2").unwrap();
    a.write(b"3").unwrap();
    assert_eq!(read_string(&vfs, &ctx, "/f"), "abc123");
    assert_eq!(a.offset(), 6);
    // pwrite on an O_APPEND file appends, as on Linux.
    a.write_at(0, b"4").unwrap();
    assert_eq!(read_string(&vfs, &ctx, "/f"), "abc1234");
    // F_SETFL can drop O_APPEND.
    a.set_status_flags(OpenFlags::empty());
    a.seek(0, Whence::Set).unwrap();
    a.write(b"X").unwrap();
    assert_eq!(read_string(&vfs, &ctx, "/f"), "Xbc1234");
    a.truncate(2).unwrap();
    assert_eq!(read_string(&vfs, &ctx, "/f"), "Xb");
    vfs.truncate(&ctx, "/f", 5000).unwrap();
    let data = read_file(&vfs, &ctx, "/f").unwrap();
    assert_eq!(data.len(), 5000);
    assert!(data[2..].iter().all(|&b| b == 0));
    // Shrink within a page, grow again: the old bytes are gone.
    write_file(&vfs, &ctx, "/g", b"0123456789");
    vfs.truncate(&ctx, "/g", 3).unwrap();
    vfs.truncate(&ctx, "/g", 6).unwrap();
    assert_eq!(read_file(&vfs, &ctx, "/g").unwrap(), b"012\0\0\0");
    vfs.mkdir(&ctx, "/d", 0o755).unwrap();
    assert_eq!(vfs.truncate(&ctx, "/d", 0).unwrap_err(), Error::EISDIR);
    assert_eq!(
        vfs.truncate(&ctx, "/g", u64::MAX).unwrap_err(),
        Error::EFBIG
    );
}

#[test]
fn large_and_sparse_files() {
    let (vfs, ctx) = bare();
    let f = vfs.open(&ctx, "/big", RW | CREAT, 0o644).unwrap();
    let data: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    let mut done = 0;
    while done < data.len() {
        done += f.write(&data[done..]).unwrap();
    }
    assert_eq!(read_file(&vfs, &ctx, "/big").unwrap(), data);
    let m = f.metadata();
    assert_eq!(m.size, 100_000);
    assert_eq!(m.blocks, 25 * 8);
    // A far write allocates one page, not gigabytes.
    f.write_at(1 << 40, b"end").unwrap();
    assert_eq!(f.metadata().size, (1 << 40) + 3);
    assert_eq!(f.metadata().blocks, 26 * 8);
    let mut buf = [1u8; 8];
    assert_eq!(f.read_at(1 << 30, &mut buf).unwrap(), 8);
    assert_eq!(buf, [0; 8]);
    assert_eq!(f.write_at(i64::MAX, b"x").unwrap_err(), Error::EFBIG);
}

#[test]
fn tmpfs_capacity() {
    let (_, h) = common::hooks();
    let fs = vfs::RamFs::with_capacity(h.clone(), 8192);
    let vfs = vfs::Vfs::new(fs.root(), "tmpfs", h);
    let ctx = vfs::FsContext::new(&vfs);
    let f = vfs.open(&ctx, "/f", WO | CREAT, 0o644).unwrap();
    // Two pages fit; the third does not: a short write, then ENOSPC.
    assert_eq!(f.write(&[7u8; 10_000]).unwrap(), 8192);
    assert_eq!(f.write(b"x").unwrap_err(), Error::ENOSPC);
    assert_eq!(fs.used_bytes(), 8192);
    f.truncate(0).unwrap();
    assert_eq!(fs.used_bytes(), 0);
    f.write(&[1u8; 100]).unwrap();
    drop(f);
    vfs.unlink(&ctx, "/f").unwrap();
    assert_eq!(
        fs.used_bytes(),
        0,
        "pages are freed with the last reference"
    );
}

#[test]
fn getdents_iteration() {
    let (vfs, ctx) = bare();
    vfs.mkdir(&ctx, "/d", 0o755).unwrap();
    for i in 0..10 {
        write_file(&vfs, &ctx, &format!("/d/f{i}"), b"");
    }
    vfs.mkdir(&ctx, "/d/sub", 0o755).unwrap();
    vfs.symlink(&ctx, "x", "/d/lnk").unwrap();
    let d = vfs.open(&ctx, "/d", OpenFlags::DIRECTORY, 0).unwrap();
    // A buffer that holds three entries at a time.
    let mut seen = Vec::new();
    loop {
        let mut batch = Vec::new();
        let n = d
            .getdents(|e, _| {
                if batch.len() == 3 {
                    return false;
                }
                batch.push((e.name.clone(), e.kind));
                true
            })
            .unwrap();
        if n == 0 {
            break;
        }
        seen.extend(batch);
    }
    assert_eq!(seen.len(), 14);
    assert_eq!(seen[0].0, ".");
    assert_eq!(seen[1].0, "..");
    assert!(seen.contains(&("sub".into(), vfs::FileType::Directory)));
    assert!(seen.contains(&("lnk".into(), vfs::FileType::Symlink)));
    // Rewind.
    d.seek(0, Whence::Set).unwrap();
    assert_eq!(d.next_entry().unwrap().unwrap().name, ".");
    assert_eq!(d.seek(0, Whence::End).unwrap_err(), Error::EINVAL);
}

#[test]
fn deleting_while_reading_a_directory() {
    // What `rm -r` does: read some entries, delete them, read on.
    let (vfs, ctx) = bare();
    vfs.mkdir(&ctx, "/d", 0o755).unwrap();
    for i in 0..50 {
        write_file(&vfs, &ctx, &format!("/d/{i:02}"), b"");
    }
    let d = vfs.open(&ctx, "/d", OpenFlags::DIRECTORY, 0).unwrap();
    let mut removed = 0;
    while let Some(e) = d.next_entry().unwrap() {
        if e.name != "." && e.name != ".." {
            vfs.unlink(&ctx, &format!("/d/{}", e.name)).unwrap();
            removed += 1;
        }
    }
    assert_eq!(removed, 50);
    assert!(list(&vfs, &ctx, "/d").is_empty());
    vfs.rmdir(&ctx, "/d").unwrap();
    // Reading a removed directory: ENOENT, as on Linux.
    d.seek(0, Whence::Set).unwrap();
    assert_eq!(d.next_entry().unwrap_err(), Error::ENOENT);
}

#[test]
fn permissions() {
    let (vfs, ctx) = bare();
    let alice = ctx.clone().with_cred(Cred::new(1000, 1000));
    let bob = ctx.clone().with_cred(Cred::new(1001, 1001));
    vfs.mkdir(&ctx, "/home", 0o755).unwrap();
    vfs.mkdir(&ctx, "/home/alice", 0o700).unwrap();
    vfs.chown(&ctx, "/home/alice", Some(1000), Some(1000), true)
        .unwrap();
    write_file(&vfs, &alice, "/home/alice/secret", b"s");
    let m = vfs.stat(&ctx, "/home/alice/secret", true).unwrap();
    assert_eq!((m.uid, m.gid), (1000, 1000));
    // Bob cannot search Alice's directory, nor create in /home.
    assert_eq!(
        vfs.stat(&bob, "/home/alice/secret", true).unwrap_err(),
        Error::EACCES
    );
    assert_eq!(
        vfs.mkdir(&bob, "/home/bob", 0o755).unwrap_err(),
        Error::EACCES
    );
    // Read/write bits by class.
    vfs.chmod(&alice, "/home/alice", 0o755).unwrap();
    vfs.chmod(&alice, "/home/alice/secret", 0o640).unwrap();
    assert_eq!(
        vfs.open(&bob, "/home/alice/secret", RO, 0).unwrap_err(),
        Error::EACCES
    );
    let in_group = ctx.clone().with_cred(Cred {
        uid: 1001,
        gid: 1001,
        groups: vec![1000],
    });
    assert!(vfs.open(&in_group, "/home/alice/secret", RO, 0).is_ok());
    assert_eq!(
        vfs.open(&in_group, "/home/alice/secret", WO, 0)
            .unwrap_err(),
        Error::EACCES
    );
    assert_eq!(
        vfs.access(&bob, "/home/alice/secret", Access::READ)
            .unwrap_err(),
        Error::EACCES
    );
    assert!(
        vfs.access(&bob, "/home/alice/secret", Access::empty())
            .is_ok()
    );
    // Only the owner (or root) may chmod; only root may chown to another user.
    assert_eq!(
        vfs.chmod(&bob, "/home/alice/secret", 0o777).unwrap_err(),
        Error::EPERM
    );
    assert_eq!(
        vfs.chown(&alice, "/home/alice/secret", Some(1001), None, true)
            .unwrap_err(),
        Error::EPERM
    );
    // Root reads anything but executes only with some x bit.
    assert!(vfs.open(&ctx, "/home/alice/secret", RW, 0).is_ok());
    assert_eq!(
        vfs.access(&ctx, "/home/alice/secret", Access::EXEC)
            .unwrap_err(),
        Error::EACCES
    );
    vfs.chmod(&ctx, "/home/alice/secret", 0o4750).unwrap();
    assert!(vfs.access(&ctx, "/home/alice/secret", Access::EXEC).is_ok());
    // chown drops set-user-ID.
    vfs.chown(&ctx, "/home/alice/secret", Some(1001), None, true)
        .unwrap();
    assert_eq!(
        vfs.stat(&ctx, "/home/alice/secret", true).unwrap().perm(),
        0o750
    );
}

#[test]
fn sticky_directory() {
    let (vfs, ctx) = bare();
    vfs.mkdir(&ctx, "/tmp", 0o777).unwrap();
    vfs.chmod(&ctx, "/tmp", 0o1777).unwrap();
    let alice = ctx.clone().with_cred(Cred::new(1000, 1000));
    let bob = ctx.clone().with_cred(Cred::new(1001, 1001));
    write_file(&vfs, &alice, "/tmp/a", b"");
    assert_eq!(vfs.unlink(&bob, "/tmp/a").unwrap_err(), Error::EPERM);
    assert_eq!(
        vfs.rename(&bob, "/tmp/a", "/tmp/b", Default::default())
            .unwrap_err(),
        Error::EPERM
    );
    vfs.unlink(&alice, "/tmp/a").unwrap();
}

#[test]
fn setgid_directory_and_times() {
    let (vfs, ctx) = bare();
    vfs.mkdir(&ctx, "/g", 0o2775).unwrap();
    vfs.chown(&ctx, "/g", None, Some(50), true).unwrap();
    let alice = ctx.clone().with_cred(Cred::new(1000, 1000));
    vfs.chmod(&ctx, "/g", 0o2777).unwrap();
    vfs.mkdir(&alice, "/g/sub", 0o755).unwrap();
    let m = vfs.stat(&ctx, "/g/sub", true).unwrap();
    assert_eq!(m.gid, 50);
    assert_ne!(m.mode & mode::S_ISGID, 0);
    write_file(&vfs, &ctx, "/t", b"");
    let t = Timespec::new(123, 456);
    vfs.utimens(&ctx, "/t", SetTime::At(t), SetTime::Omit, true)
        .unwrap();
    let m = vfs.stat(&ctx, "/t", true).unwrap();
    assert_eq!(m.atime, t);
    assert_eq!(m.mtime, Timespec::new(1000, 0));
    assert_eq!(
        vfs.utimens(&alice, "/t", SetTime::At(t), SetTime::At(t), true)
            .unwrap_err(),
        Error::EPERM
    );
    assert_eq!(
        vfs.utimens(&alice, "/t", SetTime::Now, SetTime::Now, true)
            .unwrap_err(),
        Error::EACCES
    );
}
