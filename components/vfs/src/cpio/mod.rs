//! The newc cpio format of initramfs archives (Linux's
//! Documentation/driver-api/early-userspace/buffer-format.rst), and unpacking it.
//!
//! An archive is a sequence of entries, each a 110-byte ASCII header (`070701`, or `070702` when
//! the header carries a checksum of the data, then thirteen 8-digit hex fields), the NUL-terminated
//! name, padding to 4 bytes, the data, padding to 4 bytes. The entry named `TRAILER!!!` ends an
//! archive; NUL padding may follow, and then another archive (archives concatenate). The reader
//! checks every field and bound and reports a malformed archive as `EINVAL` with the offset;
//! it never panics on bad input. Compressed archives are not supported.

mod unpack;

use core::fmt;

use crate::error::Error;

pub use unpack::{UnpackStats, unpack_newc};

/// Length of a newc header.
pub const HEADER_LEN: usize = 110;
/// The name of the entry that ends an archive.
pub const TRAILER: &str = "TRAILER!!!";

/// An error while reading or unpacking an archive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CpioError {
    /// Byte offset of the entry's header in the archive.
    pub offset: usize,
    /// What went wrong: `EINVAL` for a malformed archive, else the errno of the file operation
    /// that failed.
    pub error: Error,
}

impl fmt::Display for CpioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cpio entry at byte {}: {}", self.offset, self.error)
    }
}

/// One entry of an archive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CpioEntry<'a> {
    /// Byte offset of the header.
    pub offset: usize,
    /// Inode number (hard links share it).
    pub ino: u32,
    /// File type and permission bits.
    pub mode: u32,
    /// Owner.
    pub uid: u32,
    /// Group.
    pub gid: u32,
    /// Link count.
    pub nlink: u32,
    /// Modification time, seconds since the epoch.
    pub mtime: u32,
    /// Major number of the device holding the file.
    pub dev_major: u32,
    /// Minor number of the device holding the file.
    pub dev_minor: u32,
    /// Major number of a device node.
    pub rdev_major: u32,
    /// Minor number of a device node.
    pub rdev_minor: u32,
    /// Path name, without the NUL.
    pub name: &'a str,
    /// File contents (a symlink's target).
    pub data: &'a [u8],
}

/// Reads the entries of a newc archive; yields `Err` once and then stops on a malformed one.
pub struct CpioReader<'a> {
    archive: &'a [u8],
    pos: usize,
    done: bool,
}

impl<'a> CpioReader<'a> {
    /// A reader of `archive`.
    pub fn new(archive: &'a [u8]) -> Self {
        Self {
            archive,
            pos: 0,
            done: false,
        }
    }

    fn fail(&mut self, offset: usize) -> Option<Result<CpioEntry<'a>, CpioError>> {
        self.done = true;
        Some(Err(CpioError {
            offset,
            error: Error::EINVAL,
        }))
    }

    /// Parses the entry at `self.pos`; returns it and the offset of the next one.
    fn parse(&self) -> Option<(CpioEntry<'a>, usize)> {
        let start = self.pos;
        let header = self.archive.get(start..start.checked_add(HEADER_LEN)?)?;
        let with_crc = match &header[..6] {
            b"070701" => false,
            b"070702" => true,
            _ => return None,
        };
        let mut fields = [0u32; 13];
        for (i, field) in fields.iter_mut().enumerate() {
            let hex = core::str::from_utf8(&header[6 + 8 * i..14 + 8 * i]).ok()?;
            if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            *field = u32::from_str_radix(hex, 16).ok()?;
        }
        let [
            ino,
            mode,
            uid,
            gid,
            nlink,
            mtime,
            size,
            dmaj,
            dmin,
            rmaj,
            rmin,
            namesize,
            check,
        ] = fields;
        let name_start = start + HEADER_LEN;
        let name_end = name_start.checked_add(namesize as usize)?;
        let name = self.archive.get(name_start..name_end)?;
        let (&nul, name) = name.split_last()?;
        if nul != 0 || name.contains(&0) {
            return None;
        }
        let name = core::str::from_utf8(name).ok()?;
        let data_start = align4(name_end)?;
        let data_end = data_start.checked_add(size as usize)?;
        let data = self.archive.get(data_start..data_end)?;
        if with_crc {
            let sum = data.iter().fold(0u32, |s, &b| s.wrapping_add(b as u32));
            if sum != check {
                return None;
            }
        }
        let entry = CpioEntry {
            offset: start,
            ino,
            mode,
            uid,
            gid,
            nlink,
            mtime,
            dev_major: dmaj,
            dev_minor: dmin,
            rdev_major: rmaj,
            rdev_minor: rmin,
            name,
            data,
        };
        Some((entry, align4(data_end)?))
    }
}

fn align4(n: usize) -> Option<usize> {
    n.checked_add(3).map(|n| n & !3)
}

impl<'a> Iterator for CpioReader<'a> {
    type Item = Result<CpioEntry<'a>, CpioError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.done {
                return None;
            }
            // Between archives and at the end: NUL padding.
            while self.archive.get(self.pos) == Some(&0) {
                self.pos += 1;
            }
            if self.pos >= self.archive.len() {
                self.done = true;
                return None;
            }
            let Some((entry, next)) = self.parse() else {
                return self.fail(self.pos);
            };
            self.pos = next;
            if entry.name == TRAILER {
                continue;
            }
            return Some(Ok(entry));
        }
    }
}
