//! open(2): resolving, creating, checking and opening a path.
//!
//! The rules, from open(2): `O_CREAT` creates a missing last component (following a dangling
//! symlink to create its target) and fails with `EISDIR` on a directory or a path ending in `/`;
//! `O_CREAT|O_EXCL` fails with `EEXIST` if anything, even a symlink, is there; `O_NOFOLLOW` fails
//! with `ELOOP` on a symlink; `O_DIRECTORY` with `ENOTDIR` on a non-directory; writing to a
//! directory is `EISDIR`; `O_TRUNC` empties a regular file; `O_PATH` only names the file. A FIFO
//! open gets an end of the FIFO's pipe (`ENXIO` for a non-blocking writer with no reader); a
//! device node gets the driver from the device registry (`ENXIO` if there is none).

use alloc::string::String;
use alloc::sync::Arc;

use crate::dentry::Dentry;
use crate::error::{Error, Result};
use crate::file::File;
use crate::flags::OpenFlags;
use crate::inode::downcast_inode;
use crate::mount::MountFlags;
use crate::path::{LastKind, SYMLOOP_MAX, check_path};
use crate::perm::{Access, check_access};
use crate::ramfs::RamNode;
use crate::types::FileType;
use crate::vfs::{FsContext, Vfs};

impl Vfs {
    /// open(2) / openat(2): opens `path` with `flags`; `mode` gives the permission bits of a file
    /// `O_CREAT` creates (the umask is applied).
    pub fn open(
        &self,
        ctx: &FsContext,
        path: &str,
        flags: OpenFlags,
        mode: u32,
    ) -> Result<Arc<File>> {
        check_path(path)?;
        if flags.contains(OpenFlags::TMPFILE) {
            return Err(Error::EOPNOTSUPP);
        }
        if flags.contains(OpenFlags::CREAT | OpenFlags::DIRECTORY) {
            // Linux 6.4 and later.
            return Err(Error::EINVAL);
        }
        let follow = !flags.contains(OpenFlags::NOFOLLOW);
        let (dentry, created) =
            if flags.contains(OpenFlags::CREAT) && !flags.contains(OpenFlags::PATH) {
                self.open_create(ctx, path, flags, mode)?
            } else {
                (self.resolve(ctx, path, follow)?, false)
            };
        self.open_dentry(ctx, dentry, flags, created)
    }

    /// Finds or creates the file `O_CREAT` names; returns it and whether it was created.
    fn open_create(
        &self,
        ctx: &FsContext,
        path: &str,
        flags: OpenFlags,
        mode: u32,
    ) -> Result<(Dentry, bool)> {
        let mut hops = 0;
        let mut base = ctx.cwd.clone();
        let mut path = String::from(path);
        loop {
            let parent = self.resolve_parent_from(ctx, base.clone(), &path, &mut hops)?;
            if parent.kind != LastKind::Normal || parent.trailing_slash {
                return Err(Error::EISDIR);
            }
            match self.lookup_child(ctx, &parent.dir, &parent.name) {
                Ok(child) => {
                    if flags.contains(OpenFlags::EXCL) {
                        return Err(Error::EEXIST);
                    }
                    let meta = child.metadata();
                    if meta.is_symlink() {
                        if flags.contains(OpenFlags::NOFOLLOW) {
                            return Err(Error::ELOOP);
                        }
                        hops += 1;
                        if hops > SYMLOOP_MAX {
                            return Err(Error::ELOOP);
                        }
                        path = child.inode().read_link()?;
                        check_path(&path)?;
                        base = parent.dir;
                        continue;
                    }
                    if meta.is_dir() {
                        return Err(Error::EISDIR);
                    }
                    return Ok((child, false));
                }
                Err(Error::ENOENT) => {
                    if parent.dir.is_readonly() {
                        return Err(Error::EROFS);
                    }
                    check_access(
                        &parent.dir.metadata(),
                        &ctx.cred,
                        Access::WRITE | Access::EXEC,
                    )?;
                    let attrs = self.new_attrs(ctx, &parent.dir, FileType::Regular, mode, 0);
                    match parent.dir.inode().create(&parent.name, &attrs) {
                        Ok(inode) => {
                            let mount = parent.dir.mount().clone();
                            return Ok((parent.dir.child(&parent.name, inode, mount), true));
                        }
                        // Someone created it meanwhile: look again.
                        Err(Error::EEXIST) if !flags.contains(OpenFlags::EXCL) => continue,
                        Err(e) => return Err(e),
                    }
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Opens an already resolved `dentry` with `flags` (the checks of open(2) after lookup).
    /// `created` skips the permission check and truncation for a file `O_CREAT` just made.
    pub fn open_dentry(
        &self,
        ctx: &FsContext,
        dentry: Dentry,
        flags: OpenFlags,
        created: bool,
    ) -> Result<Arc<File>> {
        let meta = dentry.metadata();
        let kind = meta.file_type();
        if flags.contains(OpenFlags::DIRECTORY) && kind != FileType::Directory {
            return Err(Error::ENOTDIR);
        }
        if flags.contains(OpenFlags::PATH) {
            let flags = flags & (OpenFlags::PATH | OpenFlags::CLOEXEC | OpenFlags::DIRECTORY);
            return Ok(File::new(dentry.inode().clone(), Some(dentry), flags));
        }
        if kind == FileType::Symlink {
            return Err(Error::ELOOP);
        }
        let truncate = flags.contains(OpenFlags::TRUNC) && kind == FileType::Regular && !created;
        let (read, write) = (flags.readable(), flags.writable() || truncate);
        if kind == FileType::Directory && (flags.writable() || flags.bits() & 3 == 3) {
            return Err(Error::EISDIR);
        }
        if !created {
            let mut want = Access::empty();
            if read || flags.bits() & 3 == 3 {
                want |= Access::READ;
            }
            if write || flags.bits() & 3 == 3 {
                want |= Access::WRITE;
            }
            check_access(&meta, &ctx.cred, want)?;
        }
        if write && dentry.is_readonly() && matches!(kind, FileType::Regular | FileType::Directory)
        {
            return Err(Error::EROFS);
        }
        let inode = match kind {
            FileType::Fifo => {
                let pipe = dentry.inode().fifo().ok_or(Error::ENXIO)?;
                let nonblock = flags.contains(OpenFlags::NONBLOCK);
                let (r, w) = (flags.bits() & 3 != 1, flags.writable());
                if w && !r && nonblock && pipe.readers() == 0 {
                    return Err(Error::ENXIO);
                }
                let end = pipe.open(r, w, Some(dentry.inode().clone()), !nonblock);
                return Ok(File::new(end, Some(dentry), flags));
            }
            FileType::CharDevice | FileType::BlockDevice => {
                if dentry.mount().flags().contains(MountFlags::NODEV) {
                    return Err(Error::EACCES);
                }
                match self.device(kind, meta.rdev) {
                    Some(driver) => driver,
                    // A node of a ramfs is only a name: without a driver there is no device.
                    None if downcast_inode::<RamNode>(dentry.inode()).is_some() => {
                        return Err(Error::ENXIO);
                    }
                    None => dentry.inode().clone(),
                }
            }
            _ => dentry.inode().clone(),
        };
        if truncate {
            inode.truncate(0)?;
        }
        Ok(File::new(inode, Some(dentry), flags))
    }
}
