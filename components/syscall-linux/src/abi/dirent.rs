//! Directory entries: `struct linux_dirent64` as getdents64(2) returns them, with a writer
//! that packs entries into a buffer and a reader that walks them.
//!
//! Layout from `include/linux/dirent.h`: a 19-byte header (`d_ino`, `d_off`, `d_reclen`,
//! `d_type`), the NUL-terminated name, then padding so each record is a multiple of 8 bytes
//! (`fs/readdir.c`: `ALIGN(offsetof(struct linux_dirent64, d_name) + namlen + 1, sizeof(u64))`).

use static_assertions::const_assert_eq;
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

/// Unknown type.
pub const DT_UNKNOWN: u8 = 0;
/// FIFO.
pub const DT_FIFO: u8 = 1;
/// Character device.
pub const DT_CHR: u8 = 2;
/// Directory.
pub const DT_DIR: u8 = 4;
/// Block device.
pub const DT_BLK: u8 = 6;
/// Regular file.
pub const DT_REG: u8 = 8;
/// Symbolic link.
pub const DT_LNK: u8 = 10;
/// Socket.
pub const DT_SOCK: u8 = 12;
/// Whiteout.
pub const DT_WHT: u8 = 14;

/// The `d_type` for a mode's file-type bits (`S_IFMT >> 12`, as Linux's `fs_umode_to_dtype`).
pub const fn dtype_from_mode(mode: u32) -> u8 {
    ((mode & crate::abi::stat::S_IFMT) >> 12) as u8
}

/// The fixed part of `struct linux_dirent64`; the name follows it.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout,
)]
#[repr(C, packed)]
pub struct LinuxDirent64 {
    /// Inode number.
    pub d_ino: u64,
    /// Offset to pass to `lseek` to continue after this entry (file-system defined cookie).
    pub d_off: i64,
    /// Length of this record, header, name, NUL and padding included.
    pub d_reclen: u16,
    /// File type (`DT_*`).
    pub d_type: u8,
}
const_assert_eq!(size_of::<LinuxDirent64>(), 19);

/// The header size, `offsetof(struct linux_dirent64, d_name)`.
pub const DIRENT64_HEADER: usize = size_of::<LinuxDirent64>();

/// The record length of an entry whose name is `name_len` bytes long.
pub const fn dirent64_reclen(name_len: usize) -> usize {
    (DIRENT64_HEADER + name_len + 1).next_multiple_of(8)
}

/// Packs `linux_dirent64` records into a buffer, as getdents64(2) fills the user's.
///
/// ```
/// use syscall_linux::abi::dirent::{Dirent64Writer, DT_DIR, Dirent64Iter};
/// let mut buf = [0u8; 64];
/// let mut w = Dirent64Writer::new(&mut buf);
/// assert!(w.push(1, 1, DT_DIR, b"."));
/// assert!(w.push(1, 2, DT_DIR, b".."));
/// let n = w.len();
/// assert_eq!(n, 48);
/// assert_eq!(Dirent64Iter::new(&buf[..n]).count(), 2);
/// ```
#[derive(Debug)]
pub struct Dirent64Writer<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl<'a> Dirent64Writer<'a> {
    /// A writer that fills `buf` from the start.
    pub fn new(buf: &'a mut [u8]) -> Self {
        Dirent64Writer { buf, len: 0 }
    }

    /// Appends an entry; returns `false`, writing nothing, if it does not fit. The padding is
    /// zeroed. `name` must not contain NUL or `/` and must be at most 255 bytes (a debug
    /// assertion checks the first two): the caller's file system guarantees that.
    ///
    /// getdents64 returns `EINVAL` when not even the first entry fits, and otherwise the bytes
    /// written so far, keeping the rest for the next call (at `d_off` of the last entry).
    pub fn push(&mut self, ino: u64, off: i64, d_type: u8, name: &[u8]) -> bool {
        debug_assert!(!name.contains(&0) && !name.contains(&b'/'));
        let reclen = dirent64_reclen(name.len());
        let Ok(d_reclen) = u16::try_from(reclen) else {
            return false;
        };
        let Some(rec) = self.buf.get_mut(self.len..self.len + reclen) else {
            return false;
        };
        let header = LinuxDirent64 {
            d_ino: ino,
            d_off: off,
            d_reclen,
            d_type,
        };
        let (head, rest) = rec.split_at_mut(DIRENT64_HEADER);
        head.copy_from_slice(header.as_bytes());
        let (name_part, padding) = rest.split_at_mut(name.len());
        name_part.copy_from_slice(name);
        padding.fill(0);
        self.len += reclen;
        true
    }

    /// Bytes written so far: what getdents64 returns.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing has been written.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The bytes written so far.
    pub fn written(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

/// One entry read back from a getdents64 buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dirent64Entry<'a> {
    /// Inode number.
    pub ino: u64,
    /// Offset cookie.
    pub off: i64,
    /// File type (`DT_*`).
    pub d_type: u8,
    /// Name, without the NUL.
    pub name: &'a [u8],
}

/// Walks the records of a getdents64 buffer; stops at the first malformed record.
#[derive(Clone, Debug)]
pub struct Dirent64Iter<'a> {
    rest: &'a [u8],
}

impl<'a> Dirent64Iter<'a> {
    /// An iterator over the records in `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Dirent64Iter { rest: buf }
    }
}

impl<'a> Iterator for Dirent64Iter<'a> {
    type Item = Dirent64Entry<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        let (header, _) = LinuxDirent64::read_from_prefix(self.rest).ok()?;
        let reclen = usize::from(header.d_reclen);
        if reclen <= DIRENT64_HEADER || reclen > self.rest.len() {
            self.rest = &[];
            return None;
        }
        let name_area = &self.rest[DIRENT64_HEADER..reclen];
        let name_len = name_area.iter().position(|&b| b == 0)?;
        let entry = Dirent64Entry {
            ino: header.d_ino,
            off: header.d_off,
            d_type: header.d_type,
            name: &name_area[..name_len],
        };
        self.rest = &self.rest[reclen..];
        Some(entry)
    }
}
