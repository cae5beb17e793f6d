//! Unpacking a newc archive into the VFS, the way Linux's init/initramfs.c does: directories,
//! regular files (hard links by inode number), symlinks, device nodes, FIFOs and sockets, with
//! their modes, owners and modification times. An existing entry of another type is removed
//! first; missing parent directories are created (mode `0o755`). Directory times are set at the
//! end, once nothing more is added to them.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

use super::{CpioEntry, CpioError, CpioReader};
use crate::error::{Error, Result};
use crate::flags::OpenFlags;
use crate::ops::SetTime;
use crate::types::{FileType, Timespec, makedev, mode};
use crate::vfs::{FsContext, Vfs};

/// What an unpack created.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UnpackStats {
    /// Directories.
    pub dirs: usize,
    /// Regular files (hard links included).
    pub files: usize,
    /// Symbolic links.
    pub symlinks: usize,
    /// Device nodes, FIFOs and sockets.
    pub nodes: usize,
    /// Bytes of file data written.
    pub bytes: u64,
}

/// Unpacks the newc archive `archive` under the working directory of `ctx` (the root, for an
/// initramfs). Paths are taken relative to it; leading `/` and `./` are dropped. Stops at the
/// first malformed entry (`EINVAL`) or failing file operation, reporting the entry's offset.
pub fn unpack_newc(
    vfs: &Vfs,
    ctx: &FsContext,
    archive: &[u8],
) -> core::result::Result<UnpackStats, CpioError> {
    let mut ctx = ctx.clone();
    ctx.umask = 0;
    let mut unpacker = Unpacker {
        vfs,
        ctx,
        stats: UnpackStats::default(),
        links: BTreeMap::new(),
        dir_times: Vec::new(),
    };
    for entry in CpioReader::new(archive) {
        let entry = entry?;
        unpacker.entry(&entry).map_err(|error| CpioError {
            offset: entry.offset,
            error,
        })?;
    }
    for (path, mtime) in unpacker.dir_times.iter().rev() {
        // Best effort, as on Linux: a directory replaced later may be gone.
        let t = SetTime::At(Timespec::new(*mtime as i64, 0));
        let _ = unpacker.vfs.utimens(&unpacker.ctx, path, t, t, false);
    }
    Ok(unpacker.stats)
}

struct Unpacker<'v> {
    vfs: &'v Vfs,
    ctx: FsContext,
    stats: UnpackStats,
    /// (device, inode) of a file with several links → the path it was first unpacked to.
    links: BTreeMap<(u32, u32, u32), String>,
    dir_times: Vec<(String, u32)>,
}

/// The entry's name relative to the unpack directory; `None` for the directory itself.
fn clean_name(name: &str) -> Option<&str> {
    let mut name = name;
    loop {
        let trimmed = name.trim_start_matches('/');
        let trimmed = trimmed.strip_prefix("./").unwrap_or(trimmed);
        if trimmed.len() == name.len() {
            break;
        }
        name = trimmed;
    }
    let name = name.trim_end_matches('/');
    (!name.is_empty() && name != ".").then_some(name)
}

impl Unpacker<'_> {
    fn entry(&mut self, e: &CpioEntry<'_>) -> Result<()> {
        let kind = FileType::from_mode(e.mode).ok_or(Error::EINVAL)?;
        let perm = e.mode & mode::PERM_MASK;
        let mtime = SetTime::At(Timespec::new(e.mtime as i64, 0));
        let Some(path) = clean_name(e.name) else {
            // The archive's root: adopt its owner and mode, as Linux does.
            if kind == FileType::Directory {
                self.attrs(".", e, perm)?;
            }
            return Ok(());
        };
        self.make_parents(path)?;
        match kind {
            FileType::Directory => {
                match self.vfs.mkdir(&self.ctx, path, perm) {
                    Err(Error::EEXIST) if self.is_dir(path) => {}
                    Err(Error::EEXIST) => {
                        self.remove(path)?;
                        self.vfs.mkdir(&self.ctx, path, perm)?;
                    }
                    other => other?,
                }
                self.attrs(path, e, perm)?;
                self.dir_times.push((path.into(), e.mtime));
                self.stats.dirs += 1;
            }
            FileType::Regular => {
                self.regular(path, e, perm)?;
                self.vfs.utimens(&self.ctx, path, mtime, mtime, false)?;
                self.stats.files += 1;
            }
            FileType::Symlink => {
                let target = core::str::from_utf8(e.data).map_err(|_| Error::EINVAL)?;
                self.remove_if_exists(path)?;
                self.vfs.symlink(&self.ctx, target, path)?;
                self.vfs
                    .chown(&self.ctx, path, Some(e.uid), Some(e.gid), false)?;
                self.vfs.utimens(&self.ctx, path, mtime, mtime, false)?;
                self.stats.symlinks += 1;
            }
            _ => {
                self.remove_if_exists(path)?;
                let rdev = makedev(e.rdev_major, e.rdev_minor);
                self.vfs
                    .mknod(&self.ctx, path, kind.mode_bits() | perm, rdev)?;
                self.attrs(path, e, perm)?;
                self.vfs.utimens(&self.ctx, path, mtime, mtime, false)?;
                self.stats.nodes += 1;
            }
        }
        Ok(())
    }

    fn regular(&mut self, path: &str, e: &CpioEntry<'_>, perm: u32) -> Result<()> {
        let key = (e.dev_major, e.dev_minor, e.ino);
        if e.nlink >= 2 {
            if let Some(first) = self.links.get(&key) {
                let first = first.clone();
                self.remove_if_exists(path)?;
                self.vfs.link(&self.ctx, &first, path, false)?;
                if e.data.is_empty() {
                    return Ok(());
                }
            } else {
                self.links.insert(key, path.into());
            }
        }
        if self
            .vfs
            .stat(&self.ctx, path, false)
            .is_ok_and(|m| m.file_type() != FileType::Regular)
        {
            self.remove(path)?;
        }
        let flags = OpenFlags::WRONLY | OpenFlags::CREAT | OpenFlags::TRUNC | OpenFlags::NOFOLLOW;
        let file = self.vfs.open(&self.ctx, path, flags, perm)?;
        let mut rest = e.data;
        while !rest.is_empty() {
            let n = file.write(rest)?;
            if n == 0 {
                return Err(Error::EIO);
            }
            rest = rest.get(n..).unwrap_or_default();
        }
        self.stats.bytes += e.data.len() as u64;
        self.attrs(path, e, perm)
    }

    /// Sets owner, then mode (chown clears set-id bits).
    fn attrs(&self, path: &str, e: &CpioEntry<'_>, perm: u32) -> Result<()> {
        self.vfs
            .chown(&self.ctx, path, Some(e.uid), Some(e.gid), false)?;
        self.vfs.chmod(&self.ctx, path, perm)
    }

    fn is_dir(&self, path: &str) -> bool {
        self.vfs
            .stat(&self.ctx, path, false)
            .is_ok_and(|m| m.is_dir())
    }

    /// Creates the missing directories above `path`.
    fn make_parents(&self, path: &str) -> Result<()> {
        let mut end = 0;
        while let Some(i) = path[end..].find('/') {
            end += i;
            let dir = &path[..end];
            end += 1;
            if dir.is_empty() || self.is_dir(dir) {
                continue;
            }
            match self.vfs.mkdir(&self.ctx, dir, 0o755) {
                Ok(()) | Err(Error::EEXIST) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    fn remove(&self, path: &str) -> Result<()> {
        if self.is_dir(path) {
            self.vfs.rmdir(&self.ctx, path)
        } else {
            self.vfs.unlink(&self.ctx, path)
        }
    }

    fn remove_if_exists(&self, path: &str) -> Result<()> {
        match self.vfs.stat(&self.ctx, path, false) {
            Ok(_) => self.remove(path),
            Err(Error::ENOENT) => Ok(()),
            Err(e) => Err(e),
        }
    }
}
