//! Path resolution, following path_resolution(7).
//!
//! A path is walked component by component from the process root (absolute paths) or from a
//! starting directory (relative paths). Every directory passed through needs search permission.
//! `.` stays, `..` goes back along the dentry chain (never above the process root, and across a
//! mount point to the directory it covers). After each lookup the mount table is consulted, so a
//! mounted file system's root replaces the directory it covers. Symbolic links met in the middle
//! of a path are always followed, the last component's only when asked or when the path ends in
//! `/`; a relative link target resolves from the directory holding the link. At most
//! [`SYMLOOP_MAX`] links are followed per resolution (`ELOOP`). A path ending in `/` must name a
//! directory (`ENOTDIR`).

use alloc::string::String;

use crate::dentry::Dentry;
use crate::error::{Error, Result};
use crate::path::{LastKind, SYMLOOP_MAX, check_component, check_path, components, split_last};
use crate::perm::{Access, check_access};
use crate::vfs::{FsContext, Vfs};

/// A path split into the directory that holds its last component and that component, for the
/// operations that create or remove a name (see [`Vfs::resolve_parent`]).
#[derive(Clone, Debug)]
pub struct Parent {
    /// The directory (resolved, following symlinks).
    pub dir: Dentry,
    /// The last component; empty when `kind` is [`LastKind::Root`].
    pub name: String,
    /// Whether the last component is a plain name, `.`, `..`, or absent (`/`).
    pub kind: LastKind,
    /// Whether the path ended with `/`.
    pub trailing_slash: bool,
}

impl Vfs {
    /// Resolves `path` relative to `ctx`; follows a symlink in the last component if
    /// `follow_last` (stat(2) versus lstat(2)).
    pub fn resolve(&self, ctx: &FsContext, path: &str, follow_last: bool) -> Result<Dentry> {
        check_path(path)?;
        let mut hops = 0;
        self.walk(ctx, ctx.cwd.clone(), path, follow_last, &mut hops)
    }

    /// Resolves all of `path` but its last component, which it returns unresolved. The directory
    /// must exist and be a directory.
    pub fn resolve_parent(&self, ctx: &FsContext, path: &str) -> Result<Parent> {
        check_path(path)?;
        let mut hops = 0;
        self.resolve_parent_from(ctx, ctx.cwd.clone(), path, &mut hops)
    }

    /// [`Vfs::resolve_parent`] starting at `base` with a running symlink count.
    pub(crate) fn resolve_parent_from(
        &self,
        ctx: &FsContext,
        base: Dentry,
        path: &str,
        hops: &mut u32,
    ) -> Result<Parent> {
        let (dir_part, last, kind, trailing_slash) = split_last(path);
        let dir = if dir_part.is_empty() {
            base
        } else {
            self.walk(ctx, base, dir_part, true, hops)?
        };
        if !dir.metadata().is_dir() {
            return Err(Error::ENOTDIR);
        }
        if kind == LastKind::Normal {
            check_component(last)?;
        }
        Ok(Parent {
            dir,
            name: last.into(),
            kind,
            trailing_slash,
        })
    }

    /// Looks up the entry `name` of the directory `dir`: checks search permission on `dir`, then
    /// crosses any mount on the result. `name` is a plain component.
    pub fn lookup_child(&self, ctx: &FsContext, dir: &Dentry, name: &str) -> Result<Dentry> {
        let meta = dir.metadata();
        if !meta.is_dir() {
            return Err(Error::ENOTDIR);
        }
        check_access(&meta, &ctx.cred, Access::EXEC)?;
        check_component(name)?;
        let inode = dir.inode().lookup(name)?;
        let mut child = dir.child(name, inode, dir.mount().clone());
        while let Some(mount) = self.covering(&child) {
            child = dir.child(name, mount.root().clone(), mount);
        }
        Ok(child)
    }

    /// The directory `..` leads to from `d`.
    fn dotdot(&self, ctx: &FsContext, d: &Dentry) -> Dentry {
        if d.same_as(&ctx.root) {
            return d.clone();
        }
        d.parent().cloned().unwrap_or_else(|| d.clone())
    }

    /// Follows the symbolic link `link`, found in the directory `dir`.
    pub(crate) fn follow_link(
        &self,
        ctx: &FsContext,
        dir: &Dentry,
        link: &Dentry,
        hops: &mut u32,
    ) -> Result<Dentry> {
        *hops += 1;
        if *hops > SYMLOOP_MAX {
            return Err(Error::ELOOP);
        }
        let target = link.inode().read_link()?;
        check_path(&target)?;
        self.walk(ctx, dir.clone(), &target, true, hops)
    }

    /// Walks `path` from `base` (or from the process root if absolute).
    pub(crate) fn walk(
        &self,
        ctx: &FsContext,
        base: Dentry,
        path: &str,
        follow_last: bool,
        hops: &mut u32,
    ) -> Result<Dentry> {
        let mut cur = if path.starts_with('/') {
            ctx.root.clone()
        } else {
            base
        };
        let trailing_slash = path.ends_with('/');
        let mut names = components(path).peekable();
        while let Some(name) = names.next() {
            let last = names.peek().is_none();
            match name {
                "." | ".." => {
                    let meta = cur.metadata();
                    if !meta.is_dir() {
                        return Err(Error::ENOTDIR);
                    }
                    check_access(&meta, &ctx.cred, Access::EXEC)?;
                    if name == ".." {
                        cur = self.dotdot(ctx, &cur);
                    }
                }
                _ => {
                    let child = self.lookup_child(ctx, &cur, name)?;
                    let follow = !last || follow_last || trailing_slash;
                    cur = if follow && child.metadata().is_symlink() {
                        self.follow_link(ctx, &cur, &child, hops)?
                    } else {
                        child
                    };
                }
            }
        }
        if trailing_slash && !cur.metadata().is_dir() {
            return Err(Error::ENOTDIR);
        }
        Ok(cur)
    }
}
