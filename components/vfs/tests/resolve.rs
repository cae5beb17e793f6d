//! Path resolution: `.`, `..`, symlinks, mounts, trailing slashes, limits (path_resolution(7)).

mod common;

use common::{bare, list, read_string, world, write_file};
use vfs::{Error, FsContext, MountFlags, OpenFlags, RamFs, Vfs};

fn setup() -> (std::sync::Arc<Vfs>, FsContext) {
    let (vfs, ctx) = bare();
    vfs.mkdir(&ctx, "/a", 0o755).unwrap();
    vfs.mkdir(&ctx, "/a/b", 0o755).unwrap();
    write_file(&vfs, &ctx, "/a/b/f", b"hello");
    (vfs, ctx)
}

#[test]
fn absolute_relative_dot_dotdot() {
    let (vfs, ctx) = setup();
    let f = vfs.resolve(&ctx, "/a/b/f", true).unwrap();
    assert_eq!(f.path(), "/a/b/f");
    assert_eq!(
        vfs.resolve(&ctx, "a/./b//f", true).unwrap().path(),
        "/a/b/f"
    );
    assert_eq!(
        vfs.resolve(&ctx, "/a/b/../b/f", true).unwrap().path(),
        "/a/b/f"
    );
    // `..` at the root stays at the root.
    assert_eq!(vfs.resolve(&ctx, "/../../a", true).unwrap().path(), "/a");
    assert_eq!(vfs.resolve(&ctx, "/", true).unwrap().path(), "/");
    let b = vfs.chdir(&ctx, "/a/b").unwrap();
    let in_b = ctx.at(b);
    assert_eq!(in_b.getcwd().unwrap(), "/a/b");
    assert_eq!(vfs.resolve(&in_b, "f", true).unwrap().path(), "/a/b/f");
    assert_eq!(vfs.resolve(&in_b, "..", true).unwrap().path(), "/a");
    assert_eq!(vfs.resolve(&in_b, "../..", true).unwrap().path(), "/");
    assert_eq!(vfs.resolve(&in_b, "../../..", true).unwrap().path(), "/");
}

#[test]
fn errors() {
    let (vfs, ctx) = setup();
    assert_eq!(vfs.resolve(&ctx, "", true).unwrap_err(), Error::ENOENT);
    assert_eq!(vfs.resolve(&ctx, "/nope", true).unwrap_err(), Error::ENOENT);
    assert_eq!(
        vfs.resolve(&ctx, "/a/b/f/x", true).unwrap_err(),
        Error::ENOTDIR
    );
    assert_eq!(
        vfs.resolve(&ctx, "/a/b/f/", true).unwrap_err(),
        Error::ENOTDIR
    );
    assert_eq!(
        vfs.resolve(&ctx, "/a/b/f/.", true).unwrap_err(),
        Error::ENOTDIR
    );
    assert_eq!(
        vfs.resolve(&ctx, "/a/b/f/..", true).unwrap_err(),
        Error::ENOTDIR
    );
    assert!(vfs.resolve(&ctx, "/a/b/", true).is_ok());
    let long = "x".repeat(256);
    assert_eq!(
        vfs.resolve(&ctx, &format!("/a/{long}"), true).unwrap_err(),
        Error::ENAMETOOLONG
    );
    assert_eq!(
        vfs.resolve(&ctx, &"/a".repeat(2048), true).unwrap_err(),
        Error::ENAMETOOLONG
    );
    // 255 bytes is fine (and simply absent).
    assert_eq!(
        vfs.resolve(&ctx, &format!("/a/{}", "y".repeat(255)), true)
            .unwrap_err(),
        Error::ENOENT
    );
}

#[test]
fn symlinks() {
    let (vfs, ctx) = setup();
    vfs.symlink(&ctx, "b/f", "/a/rel").unwrap();
    vfs.symlink(&ctx, "/a/b", "/abs").unwrap();
    vfs.symlink(&ctx, "../b/f", "/a/b/up").unwrap();
    vfs.symlink(&ctx, "nowhere", "/dangling").unwrap();
    assert_eq!(read_string(&vfs, &ctx, "/a/rel"), "hello");
    assert_eq!(read_string(&vfs, &ctx, "/abs/f"), "hello");
    assert_eq!(read_string(&vfs, &ctx, "/abs/up"), "hello");
    // `..` after a symlink is physical: /abs/.. is /a, not /.
    assert_eq!(vfs.resolve(&ctx, "/abs/..", true).unwrap().path(), "/a");
    // The last component is followed only when asked.
    assert!(
        vfs.resolve(&ctx, "/a/rel", false)
            .unwrap()
            .metadata()
            .is_symlink()
    );
    assert!(
        !vfs.resolve(&ctx, "/a/rel", true)
            .unwrap()
            .metadata()
            .is_symlink()
    );
    // A trailing slash forces following and requires a directory.
    assert!(
        vfs.resolve(&ctx, "/abs/", false)
            .unwrap()
            .metadata()
            .is_dir()
    );
    assert_eq!(
        vfs.resolve(&ctx, "/a/rel/", false).unwrap_err(),
        Error::ENOTDIR
    );
    assert_eq!(
        vfs.resolve(&ctx, "/dangling", true).unwrap_err(),
        Error::ENOENT
    );
    assert!(vfs.resolve(&ctx, "/dangling", false).is_ok());
    assert_eq!(vfs.readlink(&ctx, "/a/rel").unwrap(), "b/f");
    assert_eq!(vfs.readlink(&ctx, "/a/b/f").unwrap_err(), Error::EINVAL);
}

#[test]
fn symlink_loops() {
    let (vfs, ctx) = setup();
    vfs.symlink(&ctx, "/loop2", "/loop1").unwrap();
    vfs.symlink(&ctx, "/loop1", "/loop2").unwrap();
    vfs.symlink(&ctx, "self", "/self").unwrap();
    assert_eq!(vfs.resolve(&ctx, "/loop1", true).unwrap_err(), Error::ELOOP);
    assert_eq!(
        vfs.resolve(&ctx, "/self/x", false).unwrap_err(),
        Error::ELOOP
    );
    assert!(vfs.resolve(&ctx, "/loop1", false).is_ok());
    // A chain of 40 links resolves; 41 do not.
    vfs.mkdir(&ctx, "/c", 0o755).unwrap();
    write_file(&vfs, &ctx, "/c/l0", b"end");
    for i in 1..=41 {
        vfs.symlink(&ctx, &format!("l{}", i - 1), &format!("/c/l{i}"))
            .unwrap();
    }
    assert_eq!(read_string(&vfs, &ctx, "/c/l40"), "end");
    assert_eq!(vfs.resolve(&ctx, "/c/l41", true).unwrap_err(), Error::ELOOP);
}

#[test]
fn mounts_and_dotdot_across_them() {
    let w = world();
    let (vfs, ctx) = (&w.vfs, &w.ctx);
    write_file(vfs, ctx, "/tmp/x", b"1");
    let x = vfs.resolve(ctx, "/tmp/x", true).unwrap();
    assert_eq!(x.path(), "/tmp/x");
    // Another file system: another st_dev.
    let root_dev = vfs.stat(ctx, "/", true).unwrap().dev;
    assert_ne!(x.metadata().dev, root_dev);
    assert_eq!(vfs.resolve(ctx, "/tmp/..", true).unwrap().path(), "/");
    assert_eq!(
        vfs.resolve(ctx, "/tmp/../dev/null", true).unwrap().path(),
        "/dev/null"
    );
    let tmp = ctx.at(vfs.chdir(ctx, "/tmp").unwrap());
    assert_eq!(
        vfs.resolve(&tmp, "../tmp/x", true).unwrap().path(),
        "/tmp/x"
    );
    // Mounting hides what was there; unmounting shows it again.
    vfs.mkdir(ctx, "/mnt", 0o755).unwrap();
    write_file(vfs, ctx, "/mnt/under", b"");
    let (_, h) = common::hooks();
    let fs = RamFs::new(h);
    vfs.mount(ctx, "/mnt", fs.root(), "tmpfs", "none", MountFlags::empty())
        .unwrap();
    assert!(list(vfs, ctx, "/mnt").is_empty());
    write_file(vfs, ctx, "/mnt/over", b"");
    {
        // A working directory inside the mount makes it busy.
        let busy = vfs.chdir(ctx, "/mnt").unwrap();
        assert_eq!(vfs.umount(ctx, "/mnt", false).unwrap_err(), Error::EBUSY);
        drop(busy);
    }
    assert_eq!(vfs.umount(ctx, "/", false).unwrap_err(), Error::EBUSY);
    assert_eq!(
        vfs.umount(ctx, "/dev/null", false).unwrap_err(),
        Error::EINVAL
    );
    vfs.umount(ctx, "/mnt", false).unwrap();
    assert_eq!(list(vfs, ctx, "/mnt"), ["under"]);
    let text = vfs.mounts_text();
    assert!(text.starts_with("none / rootfs rw 0 0\n"), "{text}");
    assert!(text.contains("devtmpfs /dev devtmpfs rw 0 0\n"));
    assert!(text.contains("tmpfs /tmp tmpfs rw 0 0\n"));
    assert!(!text.contains("/mnt"));
}

#[test]
fn cross_mount_operations() {
    let w = world();
    let (vfs, ctx) = (&w.vfs, &w.ctx);
    write_file(vfs, ctx, "/f", b"");
    assert_eq!(
        vfs.rename(ctx, "/f", "/tmp/f", Default::default())
            .unwrap_err(),
        Error::EXDEV
    );
    assert_eq!(
        vfs.link(ctx, "/f", "/tmp/f", false).unwrap_err(),
        Error::EXDEV
    );
    // Mount points cannot be removed or renamed.
    assert_eq!(vfs.rmdir(ctx, "/tmp").unwrap_err(), Error::EBUSY);
    assert_eq!(
        vfs.rename(ctx, "/tmp", "/tmp2", Default::default())
            .unwrap_err(),
        Error::EBUSY
    );
}

#[test]
fn readonly_mount() {
    let w = world();
    let (vfs, ctx) = (&w.vfs, &w.ctx);
    let (_, h) = common::hooks();
    let fs = RamFs::new(h);
    fs.root()
        .create("f", &vfs::CreateAttrs::new(vfs::FileType::Regular, 0o644))
        .unwrap();
    vfs.mkdir(ctx, "/ro", 0o755).unwrap();
    vfs.mount(ctx, "/ro", fs.root(), "tmpfs", "none", MountFlags::READONLY)
        .unwrap();
    assert_eq!(vfs.mkdir(ctx, "/ro/d", 0o755).unwrap_err(), Error::EROFS);
    assert_eq!(
        vfs.open(ctx, "/ro/f", OpenFlags::WRONLY, 0).unwrap_err(),
        Error::EROFS
    );
    assert_eq!(vfs.unlink(ctx, "/ro/f").unwrap_err(), Error::EROFS);
    assert_eq!(vfs.chmod(ctx, "/ro/f", 0o600).unwrap_err(), Error::EROFS);
    assert!(vfs.open(ctx, "/ro/f", OpenFlags::empty(), 0).is_ok());
    assert!(vfs.mounts_text().contains("none /ro tmpfs ro 0 0\n"));
}

#[test]
fn chroot_context() {
    let (vfs, ctx) = setup();
    let jail = vfs.resolve(&ctx, "/a", true).unwrap();
    let jailed = FsContext {
        root: jail.clone(),
        cwd: jail,
        ..ctx.clone()
    };
    assert_eq!(vfs.resolve(&jailed, "/b/f", true).unwrap().path(), "/a/b/f");
    assert_eq!(
        vfs.resolve(&jailed, "../../b", true).unwrap().path(),
        "/a/b"
    );
    vfs.symlink(&ctx, "/b", "/a/lnk").unwrap();
    assert_eq!(
        vfs.resolve(&jailed, "/lnk/f", true).unwrap().path(),
        "/a/b/f"
    );
    let b = jailed.at(vfs.chdir(&jailed, "/b").unwrap());
    assert_eq!(b.getcwd().unwrap(), "/b");
}

#[test]
fn deep_chain_drops_without_overflow() {
    let (vfs, ctx) = bare();
    let mut cwd = vfs.root();
    let attrs = vfs::CreateAttrs::new(vfs::FileType::Directory, 0o755);
    for _ in 0..50_000 {
        cwd.inode().create("d", &attrs).unwrap();
        cwd = vfs.lookup_child(&ctx, &cwd, "d").unwrap();
    }
    assert_eq!(cwd.path().len(), 100_000);
    // Dropping the chain (and the directories) must not recurse 50 000 deep.
    drop(cwd);
}
