//! Creating, removing, linking and renaming names, with the errnos of the man pages.

mod common;

use common::{bare, list, read_string, write_file};
use vfs::{Error, FileType, RenameFlags, mode};

const NONE: RenameFlags = RenameFlags::empty();

#[test]
fn mkdir_and_rmdir() {
    let (vfs, ctx) = bare();
    vfs.mkdir(&ctx, "/d", 0o777).unwrap();
    let m = vfs.stat(&ctx, "/d", true).unwrap();
    assert_eq!(m.mode, mode::S_IFDIR | 0o755, "umask 022 applies");
    assert_eq!(m.nlink, 2);
    assert_eq!(vfs.mkdir(&ctx, "/d", 0o755).unwrap_err(), Error::EEXIST);
    assert_eq!(vfs.mkdir(&ctx, "/", 0o755).unwrap_err(), Error::EEXIST);
    assert_eq!(vfs.mkdir(&ctx, "/d/.", 0o755).unwrap_err(), Error::EEXIST);
    assert_eq!(vfs.mkdir(&ctx, "/x/y", 0o755).unwrap_err(), Error::ENOENT);
    vfs.mkdir(&ctx, "/d/e/", 0o755).unwrap();
    assert_eq!(vfs.stat(&ctx, "/d", true).unwrap().nlink, 3);
    assert_eq!(vfs.stat(&ctx, "/", true).unwrap().nlink, 3);
    assert_eq!(vfs.rmdir(&ctx, "/d").unwrap_err(), Error::ENOTEMPTY);
    assert_eq!(vfs.rmdir(&ctx, "/d/e/.").unwrap_err(), Error::EINVAL);
    assert_eq!(vfs.rmdir(&ctx, "/d/e/..").unwrap_err(), Error::ENOTEMPTY);
    assert_eq!(vfs.rmdir(&ctx, "/").unwrap_err(), Error::EBUSY);
    write_file(&vfs, &ctx, "/d/f", b"");
    assert_eq!(vfs.rmdir(&ctx, "/d/f").unwrap_err(), Error::ENOTDIR);
    vfs.rmdir(&ctx, "/d/e/").unwrap();
    assert_eq!(vfs.stat(&ctx, "/d", true).unwrap().nlink, 2);
    assert_eq!(vfs.rmdir(&ctx, "/d/e").unwrap_err(), Error::ENOENT);
}

#[test]
fn removed_directory_is_dead() {
    let (vfs, ctx) = bare();
    vfs.mkdir(&ctx, "/d", 0o755).unwrap();
    let d = ctx.at(vfs.chdir(&ctx, "/d").unwrap());
    vfs.rmdir(&ctx, "/d").unwrap();
    assert_eq!(d.cwd.metadata().nlink, 0);
    assert_eq!(d.getcwd().unwrap_err(), Error::ENOENT);
    assert_eq!(vfs.mkdir(&d, "x", 0o755).unwrap_err(), Error::ENOENT);
    assert_eq!(vfs.resolve(&d, "x", true).unwrap_err(), Error::ENOENT);
    assert_eq!(vfs.resolve(&d, ".", true).unwrap().path(), "/d");
}

#[test]
fn unlink_rules() {
    let (vfs, ctx) = bare();
    write_file(&vfs, &ctx, "/f", b"data");
    vfs.mkdir(&ctx, "/d", 0o755).unwrap();
    assert_eq!(vfs.unlink(&ctx, "/d").unwrap_err(), Error::EISDIR);
    assert_eq!(vfs.unlink(&ctx, "/d/.").unwrap_err(), Error::EISDIR);
    assert_eq!(vfs.unlink(&ctx, "/").unwrap_err(), Error::EISDIR);
    assert_eq!(vfs.unlink(&ctx, "/f/").unwrap_err(), Error::ENOTDIR);
    assert_eq!(vfs.unlink(&ctx, "/nope").unwrap_err(), Error::ENOENT);
    // An open file outlives its last name.
    let file = vfs.open(&ctx, "/f", vfs::OpenFlags::RDWR, 0).unwrap();
    vfs.unlink(&ctx, "/f").unwrap();
    assert_eq!(vfs.stat(&ctx, "/f", true).unwrap_err(), Error::ENOENT);
    assert_eq!(file.metadata().nlink, 0);
    let mut buf = [0u8; 4];
    assert_eq!(file.read(&mut buf).unwrap(), 4);
    assert_eq!(&buf, b"data");
    // Symlinks are removed, not followed.
    vfs.symlink(&ctx, "/d", "/l").unwrap();
    vfs.unlink(&ctx, "/l").unwrap();
    assert!(vfs.stat(&ctx, "/d", true).is_ok());
}

#[test]
fn hard_links() {
    let (vfs, ctx) = bare();
    write_file(&vfs, &ctx, "/a", b"one");
    vfs.link(&ctx, "/a", "/b", false).unwrap();
    let (ma, mb) = (
        vfs.stat(&ctx, "/a", true).unwrap(),
        vfs.stat(&ctx, "/b", true).unwrap(),
    );
    assert_eq!(ma.ino, mb.ino);
    assert_eq!(ma.nlink, 2);
    write_file(&vfs, &ctx, "/b", b"two");
    assert_eq!(read_string(&vfs, &ctx, "/a"), "two");
    vfs.unlink(&ctx, "/a").unwrap();
    assert_eq!(vfs.stat(&ctx, "/b", true).unwrap().nlink, 1);
    assert_eq!(
        vfs.link(&ctx, "/b", "/b", false).unwrap_err(),
        Error::EEXIST
    );
    vfs.mkdir(&ctx, "/d", 0o755).unwrap();
    assert_eq!(
        vfs.link(&ctx, "/d", "/d2", false).unwrap_err(),
        Error::EPERM
    );
    assert_eq!(
        vfs.link(&ctx, "/nope", "/x", false).unwrap_err(),
        Error::ENOENT
    );
    assert_eq!(
        vfs.link(&ctx, "/b", "/x/", false).unwrap_err(),
        Error::ENOENT
    );
    // link(2) does not follow a symlink; linkat(AT_SYMLINK_FOLLOW) does.
    vfs.symlink(&ctx, "/b", "/s").unwrap();
    vfs.link(&ctx, "/s", "/s2", false).unwrap();
    assert!(vfs.stat(&ctx, "/s2", false).unwrap().is_symlink());
    vfs.link(&ctx, "/s", "/b2", true).unwrap();
    assert_eq!(vfs.stat(&ctx, "/b2", false).unwrap().ino, mb.ino);
}

#[test]
fn mknod_types() {
    let (vfs, ctx) = bare();
    vfs.mknod(&ctx, "/fifo", mode::S_IFIFO | 0o644, 0).unwrap();
    vfs.mknod(&ctx, "/reg", 0o644, 0).unwrap();
    vfs.mknod(&ctx, "/chr", mode::S_IFCHR | 0o600, vfs::makedev(4, 1))
        .unwrap();
    let m = vfs.stat(&ctx, "/chr", true).unwrap();
    assert_eq!(m.file_type(), FileType::CharDevice);
    assert_eq!((vfs::major(m.rdev), vfs::minor(m.rdev)), (4, 1));
    assert_eq!(
        vfs.stat(&ctx, "/fifo", true).unwrap().file_type(),
        FileType::Fifo
    );
    assert_eq!(
        vfs.stat(&ctx, "/reg", true).unwrap().file_type(),
        FileType::Regular
    );
    assert_eq!(
        vfs.mknod(&ctx, "/dir", mode::S_IFDIR | 0o755, 0)
            .unwrap_err(),
        Error::EPERM
    );
    assert_eq!(
        vfs.mknod(&ctx, "/bad", 0o170000, 0).unwrap_err(),
        Error::EINVAL
    );
    let user = ctx.clone().with_cred(vfs::Cred::new(1000, 1000));
    vfs.chmod(&ctx, "/", 0o777).unwrap();
    assert_eq!(
        vfs.mknod(&user, "/c2", mode::S_IFCHR | 0o600, 0)
            .unwrap_err(),
        Error::EPERM
    );
    // No driver behind a bare device node.
    assert_eq!(
        vfs.open(&ctx, "/chr", vfs::OpenFlags::empty(), 0)
            .unwrap_err(),
        Error::ENXIO
    );
}

#[test]
fn symlink_errors() {
    let (vfs, ctx) = bare();
    assert_eq!(vfs.symlink(&ctx, "", "/l").unwrap_err(), Error::ENOENT);
    assert_eq!(
        vfs.symlink(&ctx, &"x".repeat(4096), "/l").unwrap_err(),
        Error::ENAMETOOLONG
    );
    vfs.symlink(&ctx, "t", "/l").unwrap();
    assert_eq!(vfs.symlink(&ctx, "t", "/l").unwrap_err(), Error::EEXIST);
    let m = vfs.stat(&ctx, "/l", false).unwrap();
    assert_eq!(m.mode, mode::S_IFLNK | 0o777);
    assert_eq!(m.size, 1);
}

#[test]
fn rename_files() {
    let (vfs, ctx) = bare();
    write_file(&vfs, &ctx, "/a", b"A");
    write_file(&vfs, &ctx, "/b", b"B");
    let ino_a = vfs.stat(&ctx, "/a", true).unwrap().ino;
    // Replaces an existing file.
    vfs.rename(&ctx, "/a", "/b", NONE).unwrap();
    assert_eq!(read_string(&vfs, &ctx, "/b"), "A");
    assert_eq!(vfs.stat(&ctx, "/b", true).unwrap().ino, ino_a);
    assert_eq!(vfs.stat(&ctx, "/a", true).unwrap_err(), Error::ENOENT);
    // Same name: nothing happens.
    vfs.rename(&ctx, "/b", "/b", NONE).unwrap();
    // Two links to one inode: nothing happens, both names stay.
    vfs.link(&ctx, "/b", "/c", false).unwrap();
    vfs.rename(&ctx, "/b", "/c", NONE).unwrap();
    assert!(vfs.stat(&ctx, "/b", true).is_ok());
    assert_eq!(
        vfs.rename(&ctx, "/nope", "/x", NONE).unwrap_err(),
        Error::ENOENT
    );
    assert_eq!(
        vfs.rename(&ctx, "/b", "/nodir/x", NONE).unwrap_err(),
        Error::ENOENT
    );
    write_file(&vfs, &ctx, "/d", b"");
    assert_eq!(
        vfs.rename(&ctx, "/b", "/d", RenameFlags::NOREPLACE)
            .unwrap_err(),
        Error::EEXIST
    );
    assert_eq!(
        vfs.rename(&ctx, "/b", "/e/", NONE).unwrap_err(),
        Error::ENOTDIR
    );
    assert_eq!(
        vfs.rename(&ctx, "/b", "/d", RenameFlags::EXCHANGE)
            .unwrap_err(),
        Error::EINVAL
    );
    // The replaced file lost a link.
    let d = vfs.open(&ctx, "/d", vfs::OpenFlags::empty(), 0).unwrap();
    vfs.rename(&ctx, "/b", "/d", NONE).unwrap();
    assert_eq!(d.metadata().nlink, 0);
    assert_eq!(vfs.stat(&ctx, "/c", true).unwrap().nlink, 2);
}

#[test]
fn rename_directories() {
    let (vfs, ctx) = bare();
    for d in ["/p", "/p/q", "/p/q/r", "/empty", "/full", "/full/x"] {
        vfs.mkdir(&ctx, d, 0o755).unwrap();
    }
    write_file(&vfs, &ctx, "/f", b"");
    // Into its own subtree.
    assert_eq!(
        vfs.rename(&ctx, "/p", "/p/q/r/p", NONE).unwrap_err(),
        Error::EINVAL
    );
    assert_eq!(
        vfs.rename(&ctx, "/p", "/p/q/p", NONE).unwrap_err(),
        Error::EINVAL
    );
    // Type mismatches and non-empty targets.
    assert_eq!(
        vfs.rename(&ctx, "/p", "/f", NONE).unwrap_err(),
        Error::ENOTDIR
    );
    assert_eq!(
        vfs.rename(&ctx, "/f", "/empty", NONE).unwrap_err(),
        Error::EISDIR
    );
    assert_eq!(
        vfs.rename(&ctx, "/p", "/full", NONE).unwrap_err(),
        Error::ENOTEMPTY
    );
    // A target that contains the source is not empty.
    assert_eq!(
        vfs.rename(&ctx, "/p/q/r", "/p", NONE).unwrap_err(),
        Error::ENOTEMPTY
    );
    assert_eq!(
        vfs.rename(&ctx, "/p/.", "/z", NONE).unwrap_err(),
        Error::EBUSY
    );
    assert_eq!(
        vfs.rename(&ctx, "/p", "/empty/..", NONE).unwrap_err(),
        Error::EBUSY
    );
    // Replacing an empty directory.
    let root_links = vfs.stat(&ctx, "/", true).unwrap().nlink;
    vfs.rename(&ctx, "/p", "/empty", NONE).unwrap();
    assert_eq!(vfs.stat(&ctx, "/", true).unwrap().nlink, root_links - 1);
    assert_eq!(list(&vfs, &ctx, "/empty"), ["q"]);
    // Moving a directory updates `..` and the link counts of both parents.
    vfs.rename(&ctx, "/empty/q", "/full/q", NONE).unwrap();
    assert_eq!(vfs.stat(&ctx, "/empty", true).unwrap().nlink, 2);
    assert_eq!(vfs.stat(&ctx, "/full", true).unwrap().nlink, 4);
    let q = vfs
        .open(&ctx, "/full/q", vfs::OpenFlags::DIRECTORY, 0)
        .unwrap();
    let full_ino = vfs.stat(&ctx, "/full", true).unwrap().ino;
    assert_eq!(q.next_entry().unwrap().unwrap().name, ".");
    let dotdot = q.next_entry().unwrap().unwrap();
    assert_eq!((dotdot.name.as_str(), dotdot.ino), ("..", full_ino));
    // Now /full/q/r into /empty is fine; then /empty into /full/q/r is not.
    vfs.rename(&ctx, "/full/q/r", "/empty/r", NONE).unwrap();
    assert_eq!(
        vfs.rename(&ctx, "/empty", "/empty/r/e", NONE).unwrap_err(),
        Error::EINVAL
    );
    vfs.rename(&ctx, "/empty", "/full/q/e", NONE).unwrap();
    assert_eq!(list(&vfs, &ctx, "/full/q/e"), ["r"]);
}

#[test]
fn concurrent_renames_do_not_deadlock() {
    let (vfs, ctx) = bare();
    for d in ["/a", "/a/b", "/c"] {
        vfs.mkdir(&ctx, d, 0o755).unwrap();
    }
    std::thread::scope(|s| {
        for t in 0..4 {
            let (vfs, ctx) = (&vfs, &ctx);
            s.spawn(move || {
                for i in 0..300 {
                    let name = format!("/a/b/f{t}");
                    let flags = vfs::OpenFlags::CREAT | vfs::OpenFlags::WRONLY;
                    let _ = vfs.open(ctx, &name, flags, 0o644);
                    let _ = vfs.rename(ctx, &name, &format!("/c/g{t}"), NONE);
                    let _ = vfs.rename(ctx, "/a/b", "/c/b", NONE);
                    let _ = vfs.rename(ctx, "/c/b", "/a/b", NONE);
                    let _ = vfs.mkdir(ctx, &format!("/a/b/d{t}{i}"), 0o755);
                    let _ = vfs.rmdir(ctx, &format!("/a/b/d{t}{i}"));
                    let _ = vfs.rmdir(ctx, "/a/b");
                    let _ = vfs.mkdir(ctx, "/a/b", 0o755);
                }
            });
        }
    });
    check_link_counts(&vfs, &ctx, "/");
}

/// Every directory has 2 + (number of subdirectories) links; every `..` names the parent.
fn check_link_counts(vfs: &vfs::Vfs, ctx: &vfs::FsContext, path: &str) {
    let dir = vfs.open(ctx, path, vfs::OpenFlags::DIRECTORY, 0).unwrap();
    let meta = dir.metadata();
    let mut subdirs = 0;
    while let Some(e) = dir.next_entry().unwrap() {
        if e.name == "." || e.name == ".." {
            continue;
        }
        if e.kind == FileType::Directory {
            subdirs += 1;
            let child = format!("{}/{}", path.trim_end_matches('/'), e.name);
            let sub = vfs.open(ctx, &child, vfs::OpenFlags::DIRECTORY, 0).unwrap();
            sub.next_entry().unwrap();
            assert_eq!(sub.next_entry().unwrap().unwrap().ino, meta.ino);
            check_link_counts(vfs, ctx, &child);
        }
    }
    assert_eq!(meta.nlink, 2 + subdirs, "{path}");
}
