//! newc cpio unpacking, with archives built here, and malformed archives.

mod common;

use common::{bare, list, read_string};
use proptest::prelude::*;
use vfs::cpio::{CpioReader, unpack_newc};
use vfs::{Error, FileType, mode};

/// A tiny newc writer.
#[derive(Default)]
struct Newc {
    out: Vec<u8>,
    ino: u32,
}

struct Meta {
    mode: u32,
    uid: u32,
    gid: u32,
    nlink: u32,
    mtime: u32,
    rdev: (u32, u32),
    ino: Option<u32>,
}

impl Default for Meta {
    fn default() -> Self {
        Meta {
            mode: 0,
            uid: 0,
            gid: 0,
            nlink: 1,
            mtime: 1_700_000_000,
            rdev: (0, 0),
            ino: None,
        }
    }
}

fn pad4(v: &mut Vec<u8>) {
    while !v.len().is_multiple_of(4) {
        v.push(0);
    }
}

impl Newc {
    fn entry(&mut self, name: &str, m: Meta, data: &[u8]) -> &mut Self {
        self.ino += 1;
        let ino = m.ino.unwrap_or(self.ino);
        let fields = [
            ino,
            m.mode,
            m.uid,
            m.gid,
            m.nlink,
            m.mtime,
            data.len() as u32,
            0,
            0,
            m.rdev.0,
            m.rdev.1,
            name.len() as u32 + 1,
            0,
        ];
        self.out.extend_from_slice(b"070701");
        for f in fields {
            self.out.extend_from_slice(format!("{f:08X}").as_bytes());
        }
        self.out.extend_from_slice(name.as_bytes());
        self.out.push(0);
        pad4(&mut self.out);
        self.out.extend_from_slice(data);
        pad4(&mut self.out);
        self
    }

    fn dir(&mut self, name: &str, perm: u32) -> &mut Self {
        let m = Meta {
            mode: mode::S_IFDIR | perm,
            nlink: 2,
            ..Meta::default()
        };
        self.entry(name, m, b"")
    }

    fn file(&mut self, name: &str, perm: u32, data: &[u8]) -> &mut Self {
        let m = Meta {
            mode: mode::S_IFREG | perm,
            ..Meta::default()
        };
        self.entry(name, m, data)
    }

    fn symlink(&mut self, name: &str, target: &str) -> &mut Self {
        let m = Meta {
            mode: mode::S_IFLNK | 0o777,
            ..Meta::default()
        };
        self.entry(name, m, target.as_bytes())
    }

    fn finish(&mut self) -> Vec<u8> {
        self.entry("TRAILER!!!", Meta::default(), b"");
        // Archives are padded to 512 bytes.
        while !self.out.len().is_multiple_of(512) {
            self.out.push(0);
        }
        std::mem::take(&mut self.out)
    }
}

fn sample() -> Vec<u8> {
    let mut a = Newc::default();
    a.dir(".", 0o755)
        .dir("bin", 0o755)
        .file("bin/busybox", 0o755, &[0x7f, b'E', b'L', b'F', 1, 2, 3])
        .symlink("bin/sh", "busybox")
        .dir("etc", 0o755)
        .file("etc/passwd", 0o644, b"root:x:0:0:root:/root:/bin/sh\n")
        .file("init", 0o755, b"#!/bin/sh\nexec /bin/sh\n")
        .entry(
            "dev/console",
            Meta {
                mode: mode::S_IFCHR | 0o600,
                rdev: (5, 1),
                ..Meta::default()
            },
            b"",
        )
        .entry(
            "home/user",
            Meta {
                mode: mode::S_IFDIR | 0o700,
                uid: 1000,
                gid: 1000,
                mtime: 1234,
                ..Meta::default()
            },
            b"",
        )
        .entry(
            "run/fifo",
            Meta {
                mode: mode::S_IFIFO | 0o644,
                ..Meta::default()
            },
            b"",
        );
    a.finish()
}

#[test]
fn unpack_sample() {
    let (vfs, ctx) = bare();
    let stats = unpack_newc(&vfs, &ctx, &sample()).unwrap();
    assert_eq!(
        (stats.dirs, stats.files, stats.symlinks, stats.nodes),
        (3, 3, 1, 2)
    );
    assert_eq!(
        list(&vfs, &ctx, "/"),
        ["bin", "dev", "etc", "home", "init", "run"]
    );
    assert_eq!(
        read_string(&vfs, &ctx, "/etc/passwd"),
        "root:x:0:0:root:/root:/bin/sh\n"
    );
    let init = vfs.stat(&ctx, "/init", true).unwrap();
    assert_eq!(init.mode, mode::S_IFREG | 0o755);
    assert_eq!(init.mtime.sec, 1_700_000_000);
    assert_eq!(vfs.readlink(&ctx, "/bin/sh").unwrap(), "busybox");
    assert_eq!(vfs.stat(&ctx, "/bin/sh", true).unwrap().size, 7);
    let console = vfs.stat(&ctx, "/dev/console", true).unwrap();
    assert_eq!(console.file_type(), FileType::CharDevice);
    assert_eq!(console.rdev, vfs::makedev(5, 1));
    // Missing parents are made; owners, modes and directory times are kept.
    let home = vfs.stat(&ctx, "/home/user", true).unwrap();
    assert_eq!((home.uid, home.gid, home.perm()), (1000, 1000, 0o700));
    assert_eq!(home.mtime.sec, 1234);
    assert_eq!(
        vfs.stat(&ctx, "/bin", true).unwrap().mtime.sec,
        1_700_000_000
    );
    assert_eq!(
        vfs.stat(&ctx, "/run/fifo", true).unwrap().file_type(),
        FileType::Fifo
    );
}

#[test]
fn hard_links_and_overwrites() {
    let (vfs, ctx) = bare();
    let mut a = Newc::default();
    let link = |mtime| Meta {
        mode: mode::S_IFREG | 0o644,
        nlink: 2,
        ino: Some(77),
        mtime,
        ..Meta::default()
    };
    // GNU cpio puts the data on the last link.
    a.entry("a", link(1), b"")
        .entry("b", link(1), b"shared")
        .file("c", 0o644, b"old")
        .dir("d", 0o755);
    unpack_newc(&vfs, &ctx, &a.finish()).unwrap();
    assert_eq!(read_string(&vfs, &ctx, "/a"), "shared");
    let (ma, mb) = (
        vfs.stat(&ctx, "/a", true).unwrap(),
        vfs.stat(&ctx, "/b", true).unwrap(),
    );
    assert_eq!((ma.ino, ma.nlink), (mb.ino, 2));
    // A second archive replaces entries, whatever their type was.
    let mut b = Newc::default();
    b.file("c", 0o600, b"new").symlink("d", "c").dir("a", 0o755);
    unpack_newc(&vfs, &ctx, &b.finish()).unwrap();
    assert_eq!(read_string(&vfs, &ctx, "/c"), "new");
    assert_eq!(vfs.stat(&ctx, "/c", true).unwrap().perm(), 0o600);
    assert_eq!(read_string(&vfs, &ctx, "/d"), "new");
    assert!(vfs.stat(&ctx, "/a", true).unwrap().is_dir());
}

#[test]
fn concatenated_archives() {
    let (vfs, ctx) = bare();
    let mut one = Newc::default().file("x", 0o644, b"1").finish();
    one.extend(Newc::default().file("y", 0o644, b"2").finish());
    unpack_newc(&vfs, &ctx, &one).unwrap();
    assert_eq!(list(&vfs, &ctx, "/"), ["x", "y"]);
}

#[test]
fn crc_format() {
    let data = b"abc";
    let mut v = Newc::default().file("f", 0o644, data).finish();
    v[5] = b'2';
    let sum: u32 = data.iter().map(|&b| b as u32).sum();
    // The checksum field is the last of the header.
    v[102..110].copy_from_slice(format!("{sum:08X}").as_bytes());
    let (vfs, ctx) = bare();
    unpack_newc(&vfs, &ctx, &v).unwrap();
    v[102..110].copy_from_slice(b"00000000");
    let (vfs, ctx) = bare();
    assert_eq!(
        unpack_newc(&vfs, &ctx, &v).unwrap_err().error,
        Error::EINVAL
    );
}

#[test]
fn malformed_archives() {
    let good = Newc::default().file("file", 0o644, b"contents").finish();
    let check = |bytes: &[u8], offset: usize| {
        let (vfs, ctx) = bare();
        let err = unpack_newc(&vfs, &ctx, bytes).unwrap_err();
        assert_eq!((err.error, err.offset), (Error::EINVAL, offset));
    };
    // Bad magic.
    let mut bad = good.clone();
    bad[0] = b'1';
    check(&bad, 0);
    // Non-hex digit in a field.
    let mut bad = good.clone();
    bad[20] = b'G';
    check(&bad, 0);
    // Truncated header, name, data.
    check(&good[..50], 0);
    check(&good[..112], 0);
    check(&good[..120], 0);
    // Name not NUL-terminated (name size one too small).
    let mut bad = good.clone();
    bad[94..102].copy_from_slice(b"00000004");
    check(&bad, 0);
    // File size beyond the archive.
    let mut bad = good.clone();
    bad[54..62].copy_from_slice(b"FFFFFFFF");
    check(&bad, 0);
    // Garbage after a good entry.
    let mut bad = good[..124].to_vec();
    bad.extend_from_slice(b"junk");
    check(&bad, 124);
    // Unknown file type.
    let mut bad = Newc::default();
    bad.entry(
        "x",
        Meta {
            mode: 0o644,
            ..Meta::default()
        },
        b"",
    );
    check(&bad.finish(), 0);
    // Empty and all-zero input are empty archives.
    let (vfs, ctx) = bare();
    assert!(unpack_newc(&vfs, &ctx, &[]).is_ok());
    assert!(unpack_newc(&vfs, &ctx, &[0; 1024]).is_ok());
}

#[test]
fn names_are_relative_and_clamped() {
    let (vfs, ctx) = bare();
    let mut a = Newc::default();
    a.file("/abs", 0o644, b"a")
        .file("./dot", 0o644, b"b")
        .file("../../escape", 0o644, b"c");
    unpack_newc(&vfs, &ctx, &a.finish()).unwrap();
    assert_eq!(list(&vfs, &ctx, "/"), ["abs", "dot", "escape"]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Flipping, cutting or splicing bytes of a valid archive never panics: the unpack either
    /// succeeds or reports an error.
    #[test]
    fn corrupted_archives_do_not_panic(
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut bytes = sample();
        for (at, byte) in edits {
            let i = at.index(bytes.len());
            bytes[i] = byte;
        }
        let len = cut.index(bytes.len() + 1);
        bytes.truncate(len);
        let (vfs, ctx) = bare();
        let _ = unpack_newc(&vfs, &ctx, &bytes);
        for entry in CpioReader::new(&bytes) {
            let _ = entry;
        }
    }

    /// Random bytes behind a valid magic never panic either.
    #[test]
    fn random_headers_do_not_panic(tail in prop::collection::vec(any::<u8>(), 0..400)) {
        let mut bytes = b"070701".to_vec();
        bytes.extend(tail);
        let (vfs, ctx) = bare();
        let _ = unpack_newc(&vfs, &ctx, &bytes);
    }
}
