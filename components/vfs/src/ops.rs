//! Path operations: the system calls that create, remove, rename, link and change files by name.
//!
//! Each resolves its paths with the caller's [`FsContext`], checks permissions and mounts, then
//! calls the file system. The errno choices follow the man pages (mkdir(2), mknod(2), unlink(2),
//! rmdir(2), rename(2), link(2), symlink(2), readlink(2), chmod(2), chown(2), utimensat(2),
//! truncate(2), access(2)) and Linux where they are vague; for example unlink of a directory is
//! `EISDIR`, rmdir of `.` is `EINVAL` and of `..` is `ENOTEMPTY`, rename of `.` is `EBUSY`.

use alloc::string::String;
use alloc::sync::Arc;

use bitflags::bitflags;

use crate::dentry::Dentry;
use crate::error::{Error, Result};
use crate::inode::{CreateAttrs, Inode, same_inode};
use crate::path::{LastKind, PATH_MAX};
use crate::perm::{Access, check_access, check_delete};
use crate::resolve::Parent;
use crate::types::{FileType, Metadata, Timespec, mode};
use crate::vfs::{FsContext, Vfs};

bitflags! {
    /// Flags of renameat2(2).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
    pub struct RenameFlags: u32 {
        /// Fail with `EEXIST` instead of replacing the target.
        const NOREPLACE = 1;
        /// Swap the two names (not supported: `EINVAL`).
        const EXCHANGE = 2;
        /// Leave a whiteout (not supported: `EINVAL`).
        const WHITEOUT = 4;
    }
}

/// One timestamp argument of utimensat(2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetTime {
    /// Leave it unchanged (`UTIME_OMIT`).
    Omit,
    /// Set it to the current time (`UTIME_NOW`).
    Now,
    /// Set it to this time.
    At(Timespec),
}

/// Fails with `EROFS` if `d` is on a read-only mount.
fn writable_mount(d: &Dentry) -> Result<()> {
    if d.is_readonly() {
        Err(Error::EROFS)
    } else {
        Ok(())
    }
}

/// Whether `child`, found in `dir`, is the root of a mount on top of it.
fn is_mounted_on(dir: &Dentry, child: &Dentry) -> bool {
    !Arc::ptr_eq(dir.mount(), child.mount())
}

impl Vfs {
    /// The attributes of a new inode in `dir`: umask applied, owned by the caller, with the
    /// group of `dir` if it is set-group-ID (and a new directory inheriting the bit).
    pub(crate) fn new_attrs(
        &self,
        ctx: &FsContext,
        dir: &Dentry,
        kind: FileType,
        perm: u32,
        rdev: u64,
    ) -> CreateAttrs {
        let dir_meta = dir.metadata();
        let mut perm = perm & mode::PERM_MASK & !ctx.umask;
        let gid = if dir_meta.mode & mode::S_ISGID != 0 {
            if kind == FileType::Directory {
                perm |= mode::S_ISGID;
            }
            dir_meta.gid
        } else {
            ctx.cred.gid
        };
        CreateAttrs {
            kind,
            mode: perm,
            uid: ctx.cred.uid,
            gid,
            rdev,
        }
    }

    /// Looks up the last component of `parent`; `Ok(None)` if it does not exist.
    fn lookup_last(&self, ctx: &FsContext, parent: &Parent) -> Result<Option<Dentry>> {
        match self.lookup_child(ctx, &parent.dir, &parent.name) {
            Ok(d) => Ok(Some(d)),
            Err(Error::ENOENT) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The common part of mkdir, mknod and symlink.
    fn create_at(
        &self,
        ctx: &FsContext,
        path: &str,
        kind: FileType,
        perm: u32,
        rdev: u64,
        target: Option<&str>,
    ) -> Result<Arc<dyn Inode>> {
        let parent = self.resolve_parent(ctx, path)?;
        if parent.kind != LastKind::Normal {
            return Err(Error::EEXIST);
        }
        if self.lookup_last(ctx, &parent)?.is_some() {
            return Err(Error::EEXIST);
        }
        if parent.trailing_slash && kind != FileType::Directory {
            return Err(Error::ENOENT);
        }
        writable_mount(&parent.dir)?;
        check_access(
            &parent.dir.metadata(),
            &ctx.cred,
            Access::WRITE | Access::EXEC,
        )?;
        let attrs = self.new_attrs(ctx, &parent.dir, kind, perm, rdev);
        match target {
            Some(target) => parent.dir.inode().symlink(&parent.name, target, &attrs),
            None => parent.dir.inode().create(&parent.name, &attrs),
        }
    }

    /// mkdir(2).
    pub fn mkdir(&self, ctx: &FsContext, path: &str, perm: u32) -> Result<()> {
        self.create_at(ctx, path, FileType::Directory, perm, 0, None)
            .map(drop)
    }

    /// mknod(2): `mode` holds the file type (none means a regular file) and permission bits;
    /// `rdev` is the device number of a device node. Devices need root (`EPERM`); a directory
    /// type is `EPERM` too, an unknown type `EINVAL`.
    pub fn mknod(&self, ctx: &FsContext, path: &str, mode: u32, rdev: u64) -> Result<()> {
        let kind = if mode & mode::S_IFMT == 0 {
            FileType::Regular
        } else {
            FileType::from_mode(mode).ok_or(Error::EINVAL)?
        };
        match kind {
            FileType::Directory | FileType::Symlink => return Err(Error::EPERM),
            FileType::CharDevice | FileType::BlockDevice if !ctx.cred.is_root() => {
                return Err(Error::EPERM);
            }
            _ => {}
        }
        let rdev = if kind.is_device() { rdev } else { 0 };
        self.create_at(ctx, path, kind, mode, rdev, None).map(drop)
    }

    /// symlink(2): creates `path` pointing to `target` (which is not resolved).
    pub fn symlink(&self, ctx: &FsContext, target: &str, path: &str) -> Result<()> {
        if target.is_empty() {
            return Err(Error::ENOENT);
        }
        if target.len() >= PATH_MAX {
            return Err(Error::ENAMETOOLONG);
        }
        self.create_at(ctx, path, FileType::Symlink, 0o777, 0, Some(target))
            .map(drop)
    }

    /// link(2) / linkat(2): a new name `new` for the file `old` (a symlink in `old` is followed
    /// only if `follow`, as with `AT_SYMLINK_FOLLOW`).
    pub fn link(&self, ctx: &FsContext, old: &str, new: &str, follow: bool) -> Result<()> {
        let old = self.resolve(ctx, old, follow)?;
        if old.metadata().is_dir() {
            return Err(Error::EPERM);
        }
        let parent = self.resolve_parent(ctx, new)?;
        if parent.kind != LastKind::Normal || self.lookup_last(ctx, &parent)?.is_some() {
            return Err(Error::EEXIST);
        }
        if parent.trailing_slash {
            return Err(Error::ENOENT);
        }
        if !Arc::ptr_eq(old.mount(), parent.dir.mount()) {
            return Err(Error::EXDEV);
        }
        writable_mount(&parent.dir)?;
        check_access(
            &parent.dir.metadata(),
            &ctx.cred,
            Access::WRITE | Access::EXEC,
        )?;
        parent.dir.inode().link(&parent.name, old.inode())
    }

    /// unlink(2).
    pub fn unlink(&self, ctx: &FsContext, path: &str) -> Result<()> {
        let parent = self.resolve_parent(ctx, path)?;
        if parent.kind != LastKind::Normal {
            return Err(Error::EISDIR);
        }
        let child = self.lookup_child(ctx, &parent.dir, &parent.name)?;
        let meta = child.metadata();
        if is_mounted_on(&parent.dir, &child) {
            return Err(Error::EBUSY);
        }
        if meta.is_dir() {
            return Err(Error::EISDIR);
        }
        if parent.trailing_slash {
            return Err(Error::ENOTDIR);
        }
        writable_mount(&parent.dir)?;
        check_delete(&parent.dir.metadata(), &meta, &ctx.cred)?;
        parent.dir.inode().unlink(&parent.name)
    }

    /// rmdir(2).
    pub fn rmdir(&self, ctx: &FsContext, path: &str) -> Result<()> {
        let parent = self.resolve_parent(ctx, path)?;
        match parent.kind {
            LastKind::Normal => {}
            LastKind::Dot => return Err(Error::EINVAL),
            LastKind::DotDot => return Err(Error::ENOTEMPTY),
            LastKind::Root => return Err(Error::EBUSY),
        }
        let child = self.lookup_child(ctx, &parent.dir, &parent.name)?;
        let meta = child.metadata();
        if !meta.is_dir() {
            return Err(Error::ENOTDIR);
        }
        if is_mounted_on(&parent.dir, &child) || child.same_as(&ctx.root) {
            return Err(Error::EBUSY);
        }
        writable_mount(&parent.dir)?;
        check_delete(&parent.dir.metadata(), &meta, &ctx.cred)?;
        parent.dir.inode().rmdir(&parent.name)
    }

    /// rename(2) / renameat2(2).
    pub fn rename(&self, ctx: &FsContext, old: &str, new: &str, flags: RenameFlags) -> Result<()> {
        if flags.intersects(RenameFlags::EXCHANGE | RenameFlags::WHITEOUT) {
            return Err(Error::EINVAL);
        }
        let op = self.resolve_parent(ctx, old)?;
        let np = self.resolve_parent(ctx, new)?;
        if op.kind != LastKind::Normal || np.kind != LastKind::Normal {
            return Err(Error::EBUSY);
        }
        let old_d = self.lookup_child(ctx, &op.dir, &op.name)?;
        let om = old_d.metadata();
        if (op.trailing_slash || np.trailing_slash) && !om.is_dir() {
            return Err(Error::ENOTDIR);
        }
        if !Arc::ptr_eq(op.dir.mount(), np.dir.mount()) {
            return Err(Error::EXDEV);
        }
        if is_mounted_on(&op.dir, &old_d) {
            return Err(Error::EBUSY);
        }
        let target = self.lookup_last(ctx, &np)?;
        if let Some(t) = &target {
            if is_mounted_on(&np.dir, t) {
                return Err(Error::EBUSY);
            }
            if flags.contains(RenameFlags::NOREPLACE) {
                return Err(Error::EEXIST);
            }
            if same_inode(t.inode(), old_d.inode()) {
                return Ok(());
            }
        }
        writable_mount(&op.dir)?;
        check_delete(&op.dir.metadata(), &om, &ctx.cred)?;
        match &target {
            Some(t) => check_delete(&np.dir.metadata(), &t.metadata(), &ctx.cred)?,
            None => check_access(&np.dir.metadata(), &ctx.cred, Access::WRITE | Access::EXEC)?,
        }
        if om.is_dir() {
            if np.dir.is_within(&old_d) {
                return Err(Error::EINVAL);
            }
            if !op.dir.same_as(&np.dir) {
                // Its `..` entry changes.
                check_access(&om, &ctx.cred, Access::WRITE)?;
            }
        }
        op.dir.inode().rename(&op.name, np.dir.inode(), &np.name)
    }

    /// readlink(2): the target of the symlink `path`; `EINVAL` if it is not one.
    pub fn readlink(&self, ctx: &FsContext, path: &str) -> Result<String> {
        let d = self.resolve(ctx, path, false)?;
        d.inode().read_link()
    }

    /// stat(2) (`follow`) or lstat(2).
    pub fn stat(&self, ctx: &FsContext, path: &str, follow: bool) -> Result<Metadata> {
        Ok(self.resolve(ctx, path, follow)?.metadata())
    }

    /// access(2) / faccessat(2): checks `want` (empty for `F_OK`) with `ctx`'s credentials (the
    /// kernel passes the real ids for access(2)).
    pub fn access(&self, ctx: &FsContext, path: &str, want: Access) -> Result<()> {
        let d = self.resolve(ctx, path, true)?;
        let meta = d.metadata();
        if want.contains(Access::WRITE)
            && d.is_readonly()
            && matches!(meta.file_type(), FileType::Regular | FileType::Directory)
        {
            return Err(Error::EROFS);
        }
        check_access(&meta, &ctx.cred, want)
    }

    /// chdir(2): the directory to make the working directory.
    pub fn chdir(&self, ctx: &FsContext, path: &str) -> Result<Dentry> {
        let d = self.resolve(ctx, path, true)?;
        let meta = d.metadata();
        if !meta.is_dir() {
            return Err(Error::ENOTDIR);
        }
        check_access(&meta, &ctx.cred, Access::EXEC)?;
        Ok(d)
    }

    /// chmod(2).
    pub fn chmod(&self, ctx: &FsContext, path: &str, perm: u32) -> Result<()> {
        let d = self.resolve(ctx, path, true)?;
        self.set_mode(ctx, &d, perm)
    }

    /// fchmod(2) on a resolved dentry: owner or root only (`EPERM`). A caller outside the file's
    /// group loses the set-group-ID bit, as on Linux.
    pub fn set_mode(&self, ctx: &FsContext, d: &Dentry, perm: u32) -> Result<()> {
        writable_mount(d)?;
        let meta = d.metadata();
        if !ctx.cred.owns(&meta) {
            return Err(Error::EPERM);
        }
        let mut perm = perm & mode::PERM_MASK;
        if !ctx.cred.is_root() && !ctx.cred.in_group(meta.gid) && !meta.is_dir() {
            perm &= !mode::S_ISGID;
        }
        d.inode().set_mode(perm)
    }

    /// chown(2) (`follow`) or lchown(2); `None` leaves an id unchanged.
    pub fn chown(
        &self,
        ctx: &FsContext,
        path: &str,
        uid: Option<u32>,
        gid: Option<u32>,
        follow: bool,
    ) -> Result<()> {
        let d = self.resolve(ctx, path, follow)?;
        self.set_owner(ctx, &d, uid, gid)
    }

    /// fchown(2) on a resolved dentry. Only root changes the owner; the owner may change the
    /// group to one of its groups. A regular file loses its set-user-ID bit, and its set-group-ID
    /// bit if group-executable.
    pub fn set_owner(
        &self,
        ctx: &FsContext,
        d: &Dentry,
        uid: Option<u32>,
        gid: Option<u32>,
    ) -> Result<()> {
        writable_mount(d)?;
        let meta = d.metadata();
        let cred = &ctx.cred;
        if !cred.is_root() {
            let uid_ok = uid.is_none_or(|u| u == meta.uid);
            let gid_ok = gid.is_none_or(|g| g == meta.gid || cred.in_group(g));
            if cred.uid != meta.uid || !uid_ok || !gid_ok {
                return Err(Error::EPERM);
            }
        }
        d.inode().set_owner(uid, gid)?;
        if (uid.is_some() || gid.is_some()) && meta.file_type() == FileType::Regular {
            let mut perm = meta.perm() & !mode::S_ISUID;
            if perm & 0o010 != 0 {
                perm &= !mode::S_ISGID;
            }
            if perm != meta.perm() {
                d.inode().set_mode(perm)?;
            }
        }
        Ok(())
    }

    /// utimensat(2) by path (`follow` unless `AT_SYMLINK_NOFOLLOW`).
    pub fn utimens(
        &self,
        ctx: &FsContext,
        path: &str,
        atime: SetTime,
        mtime: SetTime,
        follow: bool,
    ) -> Result<()> {
        let d = self.resolve(ctx, path, follow)?;
        self.set_times(ctx, &d, atime, mtime)
    }

    /// futimens(2) on a resolved dentry. Setting explicit times needs ownership (`EPERM`);
    /// setting them to now needs ownership or write permission (`EACCES`).
    pub fn set_times(
        &self,
        ctx: &FsContext,
        d: &Dentry,
        atime: SetTime,
        mtime: SetTime,
    ) -> Result<()> {
        if atime == SetTime::Omit && mtime == SetTime::Omit {
            return Ok(());
        }
        writable_mount(d)?;
        let meta = d.metadata();
        let explicit = matches!(atime, SetTime::At(_)) || matches!(mtime, SetTime::At(_));
        if !ctx.cred.owns(&meta) {
            if explicit {
                return Err(Error::EPERM);
            }
            check_access(&meta, &ctx.cred, Access::WRITE)?;
        }
        let now = self.hooks().now();
        let pick = |t: SetTime| match t {
            SetTime::Omit => None,
            SetTime::Now => Some(now),
            SetTime::At(t) => Some(t),
        };
        d.inode().set_times(pick(atime), pick(mtime))
    }

    /// truncate(2).
    pub fn truncate(&self, ctx: &FsContext, path: &str, len: u64) -> Result<()> {
        let d = self.resolve(ctx, path, true)?;
        let meta = d.metadata();
        match meta.file_type() {
            FileType::Directory => return Err(Error::EISDIR),
            FileType::Regular => {}
            _ => return Err(Error::EINVAL),
        }
        check_access(&meta, &ctx.cred, Access::WRITE)?;
        writable_mount(&d)?;
        d.inode().truncate(len)
    }
}
