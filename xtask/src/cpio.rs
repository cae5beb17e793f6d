//! The "new ASCII" (newc, magic `070701`) cpio format that Linux unpacks as an initramfs.
//!
//! Each entry is a 110-byte header (the magic and 13 fields of 8 hex digits), the name with
//! its NUL, padding to a multiple of 4, the data, padding to a multiple of 4. The archive ends
//! with an entry named `TRAILER!!!`. Names carry no leading `/`. The writer is deterministic:
//! owner root, mtime 0, inode numbers in order, entries sorted so parents come before children.

use std::collections::BTreeMap;

/// File type bits of `st_mode`.
pub const S_IFMT: u32 = 0o170000;
/// Directory.
pub const S_IFDIR: u32 = 0o040000;
/// Regular file.
pub const S_IFREG: u32 = 0o100000;
/// Symbolic link.
pub const S_IFLNK: u32 = 0o120000;
/// Character device.
pub const S_IFCHR: u32 = 0o020000;

const MAGIC: &[u8; 6] = b"070701";
const HEADER_LEN: usize = 110;
const TRAILER: &str = "TRAILER!!!";

/// One archive member.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Path without the leading `/` (`bin/busybox`).
    pub name: String,
    /// `st_mode`: type bits and permissions.
    pub mode: u32,
    /// File contents, or the link target of a symlink.
    pub data: Vec<u8>,
    /// Device number (major, minor) of a device node.
    pub rdev: (u32, u32),
}

impl Entry {
    /// Whether this is a directory.
    pub fn is_dir(&self) -> bool {
        self.mode & S_IFMT == S_IFDIR
    }
}

/// Builds an archive: paths map to entries, parent directories are created on demand.
#[derive(Default)]
pub struct Archive {
    entries: BTreeMap<Vec<String>, Entry>,
}

/// Splits `/a/b/c` into `["a", "b", "c"]`, rejecting `.`/`..` and empty paths.
fn components(path: &str) -> Result<Vec<String>, String> {
    let parts: Vec<String> = path
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .map(str::to_string)
        .collect();
    if parts.is_empty() || parts.iter().any(|p| p == "..") {
        return Err(format!("bad archive path `{path}`"));
    }
    Ok(parts)
}

impl Archive {
    /// An empty archive.
    pub fn new() -> Self {
        Self::default()
    }

    fn insert(
        &mut self,
        path: &str,
        mode: u32,
        data: Vec<u8>,
        rdev: (u32, u32),
    ) -> Result<(), String> {
        let parts = components(path)?;
        for depth in 1..parts.len() {
            let parent = parts[..depth].to_vec();
            match self.entries.get(&parent) {
                Some(e) if !e.is_dir() => {
                    return Err(format!("`{}` is not a directory", parent.join("/")));
                }
                Some(_) => {}
                None => {
                    let name = parent.join("/");
                    self.entries.insert(
                        parent,
                        Entry {
                            name,
                            mode: S_IFDIR | 0o755,
                            data: Vec::new(),
                            rdev: (0, 0),
                        },
                    );
                }
            }
        }
        if let Some(old) = self.entries.get(&parts)
            && old.is_dir()
            && mode & S_IFMT == S_IFDIR
        {
            // Re-adding a directory only updates its permissions.
            let name = old.name.clone();
            self.entries.insert(
                parts,
                Entry {
                    name,
                    mode,
                    data,
                    rdev,
                },
            );
            return Ok(());
        }
        if self
            .entries
            .range(parts.clone()..)
            .nth(1)
            .is_some_and(|(k, _)| k.starts_with(&parts))
        {
            return Err(format!("`{path}` already holds other entries"));
        }
        let name = parts.join("/");
        self.entries.insert(
            parts,
            Entry {
                name,
                mode,
                data,
                rdev,
            },
        );
        Ok(())
    }

    /// Adds a directory with permissions `perm`.
    pub fn dir(&mut self, path: &str, perm: u32) -> Result<(), String> {
        self.insert(path, S_IFDIR | (perm & 0o7777), Vec::new(), (0, 0))
    }

    /// Adds (or replaces) a regular file.
    pub fn file(&mut self, path: &str, perm: u32, data: Vec<u8>) -> Result<(), String> {
        self.insert(path, S_IFREG | (perm & 0o7777), data, (0, 0))
    }

    /// Adds (or replaces) a symbolic link to `target`.
    pub fn symlink(&mut self, path: &str, target: &str) -> Result<(), String> {
        self.insert(path, S_IFLNK | 0o777, target.as_bytes().to_vec(), (0, 0))
    }

    /// Adds a character device node.
    pub fn char_dev(
        &mut self,
        path: &str,
        perm: u32,
        major: u32,
        minor: u32,
    ) -> Result<(), String> {
        self.insert(path, S_IFCHR | (perm & 0o7777), Vec::new(), (major, minor))
    }

    /// Number of entries (without the trailer).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// The archive's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for (ino, entry) in self.entries.values().enumerate() {
            let nlink = if entry.is_dir() { 2 } else { 1 };
            push_entry(&mut out, ino as u32 + 1, entry, nlink);
        }
        let trailer = Entry {
            name: TRAILER.into(),
            mode: 0,
            data: Vec::new(),
            rdev: (0, 0),
        };
        push_entry(&mut out, 0, &trailer, 1);
        out
    }
}

fn pad4(out: &mut Vec<u8>) {
    while !out.len().is_multiple_of(4) {
        out.push(0);
    }
}

fn push_entry(out: &mut Vec<u8>, ino: u32, entry: &Entry, nlink: u32) {
    let fields = [
        ino,
        entry.mode,
        0, // uid
        0, // gid
        nlink,
        0, // mtime
        entry.data.len() as u32,
        0, // devmajor
        0, // devminor
        entry.rdev.0,
        entry.rdev.1,
        entry.name.len() as u32 + 1,
        0, // check
    ];
    out.extend_from_slice(MAGIC);
    for field in fields {
        out.extend_from_slice(format!("{field:08x}").as_bytes());
    }
    out.extend_from_slice(entry.name.as_bytes());
    out.push(0);
    pad4(out);
    out.extend_from_slice(&entry.data);
    pad4(out);
}

/// Reads a newc archive back into its entries (without the trailer).
pub fn parse(bytes: &[u8]) -> Result<Vec<Entry>, String> {
    let mut entries = Vec::new();
    let mut at = 0;
    loop {
        let header = bytes
            .get(at..at + HEADER_LEN)
            .ok_or(format!("archive truncated at byte {at} (no trailer)"))?;
        if &header[..6] != MAGIC {
            return Err(format!("bad cpio magic at byte {at}"));
        }
        let field = |i: usize| -> Result<u32, String> {
            let hex = std::str::from_utf8(&header[6 + 8 * i..14 + 8 * i])
                .map_err(|_| format!("bad header at byte {at}"))?;
            u32::from_str_radix(hex, 16)
                .map_err(|_| format!("bad header field `{hex}` at byte {at}"))
        };
        let (mode, size, rmajor, rminor, namesize) = (
            field(1)?,
            field(6)? as usize,
            field(9)?,
            field(10)?,
            field(11)? as usize,
        );
        let name_start = at + HEADER_LEN;
        let name = bytes
            .get(name_start..name_start + namesize)
            .filter(|n| n.last() == Some(&0))
            .ok_or(format!("bad name at byte {name_start}"))?;
        let name = String::from_utf8(name[..namesize - 1].to_vec())
            .map_err(|_| format!("name at byte {name_start} is not UTF-8"))?;
        let data_start = (name_start + namesize).next_multiple_of(4);
        let data = bytes
            .get(data_start..data_start + size)
            .ok_or(format!("data of `{name}` truncated"))?
            .to_vec();
        at = (data_start + size).next_multiple_of(4);
        if name == TRAILER {
            return Ok(entries);
        }
        entries.push(Entry {
            name,
            mode,
            data,
            rdev: (rmajor, rminor),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let mut a = Archive::new();
        a.file("/bin/busybox", 0o755, b"\x7fELF...".to_vec())
            .unwrap();
        a.symlink("/bin/sh", "/bin/busybox").unwrap();
        a.symlink("usr/sbin/chroot", "/bin/busybox").unwrap();
        a.dir("/tmp", 0o1777).unwrap();
        a.char_dev("/dev/console", 0o600, 5, 1).unwrap();
        a.file("/init", 0o755, b"#!/bin/sh\n".to_vec()).unwrap();
        a.file("/empty", 0o644, Vec::new()).unwrap();
        let bytes = a.to_bytes();
        assert_eq!(bytes.len() % 4, 0);
        assert_eq!(&bytes[..6], b"070701");
        let entries = parse(&bytes).unwrap();
        let names: Vec<&str> = entries.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "bin",
                "bin/busybox",
                "bin/sh",
                "dev",
                "dev/console",
                "empty",
                "init",
                "tmp",
                "usr",
                "usr/sbin",
                "usr/sbin/chroot"
            ]
        );
        let get = |n: &str| entries.iter().find(|e| e.name == n).unwrap();
        assert_eq!(get("bin/busybox").mode, S_IFREG | 0o755);
        assert_eq!(get("bin/busybox").data, b"\x7fELF...");
        assert_eq!(get("bin/sh").mode, S_IFLNK | 0o777);
        assert_eq!(get("bin/sh").data, b"/bin/busybox");
        assert_eq!(get("tmp").mode, S_IFDIR | 0o1777);
        assert_eq!(get("usr/sbin").mode, S_IFDIR | 0o755);
        assert_eq!(get("dev/console").rdev, (5, 1));
        assert_eq!(get("dev/console").mode & S_IFMT, S_IFCHR);
        assert!(get("empty").data.is_empty());
        assert_eq!(a.len(), entries.len());
    }

    #[test]
    fn header_layout_matches_newc() {
        let mut a = Archive::new();
        a.file("a", 0o644, b"xyz".to_vec()).unwrap();
        let bytes = a.to_bytes();
        // Header, "a\0" padded to 112, 3 data bytes padded to 116, then the trailer.
        let header = std::str::from_utf8(&bytes[..110]).unwrap();
        let fields = [
            "00000001", "000081a4", "00000000", "00000000", "00000001", "00000000", "00000003",
            "00000000", "00000000", "00000000", "00000000", "00000002", "00000000",
        ];
        assert_eq!(header, format!("070701{}", fields.concat()));
        assert_eq!(&bytes[110..112], b"a\0");
        assert_eq!(&bytes[112..115], b"xyz");
        assert_eq!(bytes[115], 0);
        assert_eq!(&bytes[116..122], b"070701");
        assert_eq!(&bytes[116 + 110..116 + 120], b"TRAILER!!!");
        assert_eq!(bytes.len(), 116 + 112 + 12);
    }

    #[test]
    fn replacing_and_conflicts() {
        let mut a = Archive::new();
        a.file("/etc/x", 0o644, b"1".to_vec()).unwrap();
        a.file("/etc/x", 0o600, b"2".to_vec()).unwrap();
        assert_eq!(parse(&a.to_bytes()).unwrap()[1].data, b"2");
        assert!(a.file("/etc/x/y", 0o644, Vec::new()).is_err());
        assert!(a.file("/etc", 0o644, Vec::new()).is_err());
        a.dir("/etc", 0o700).unwrap();
        assert_eq!(parse(&a.to_bytes()).unwrap()[0].mode, S_IFDIR | 0o700);
        assert!(a.file("/../x", 0o644, Vec::new()).is_err());
        assert!(a.file("/", 0o644, Vec::new()).is_err());
    }

    #[test]
    fn parse_rejects_garbage() {
        assert!(parse(b"").is_err());
        assert!(parse(&[b'0'; 200]).is_err());
        let mut a = Archive::new();
        a.file("f", 0o644, vec![1; 10]).unwrap();
        let bytes = a.to_bytes();
        assert!(parse(&bytes[..bytes.len() - 20]).is_err());
    }
}
