//! Credentials and the classic Unix permission checks (path_resolution(7), "Permissions").
//!
//! Only the file-system credentials matter here (Linux's fsuid/fsgid, equal to the effective ids
//! unless setfsuid(2) is used). Capabilities are reduced to "uid 0 is privileged".

use alloc::vec::Vec;

use bitflags::bitflags;

use crate::error::{Error, Result};
use crate::types::{FileType, Metadata, mode};

bitflags! {
    /// Access wanted on a file, with the values of access(2)'s `R_OK`, `W_OK`, `X_OK`.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct Access: u32 {
        /// Read (`R_OK`).
        const READ = 4;
        /// Write (`W_OK`).
        const WRITE = 2;
        /// Execute a file or search a directory (`X_OK`).
        const EXEC = 1;
    }
}

/// The credentials a file-system operation runs with.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cred {
    /// File-system user id (0: root, which bypasses most checks).
    pub uid: u32,
    /// File-system group id.
    pub gid: u32,
    /// Supplementary groups.
    pub groups: Vec<u32>,
}

impl Cred {
    /// Root's credentials.
    pub const fn root() -> Self {
        Self {
            uid: 0,
            gid: 0,
            groups: Vec::new(),
        }
    }

    /// Credentials of `uid`/`gid` with no supplementary groups.
    pub const fn new(uid: u32, gid: u32) -> Self {
        Self {
            uid,
            gid,
            groups: Vec::new(),
        }
    }

    /// Whether these credentials are privileged (uid 0).
    pub fn is_root(&self) -> bool {
        self.uid == 0
    }

    /// Whether `gid` is the primary or a supplementary group.
    pub fn in_group(&self, gid: u32) -> bool {
        self.gid == gid || self.groups.contains(&gid)
    }

    /// Whether these credentials own a file with `meta`, or may act as its owner (root).
    pub fn owns(&self, meta: &Metadata) -> bool {
        self.is_root() || self.uid == meta.uid
    }
}

/// Checks that `cred` may access a file with `meta` as `want` says; `EACCES` otherwise.
///
/// The owner class applies when the uid matches, else the group class when a group matches, else
/// the other class. Root may read and write anything and search any directory, but may execute a
/// non-directory only when at least one execute bit is set.
pub fn check_access(meta: &Metadata, cred: &Cred, want: Access) -> Result<()> {
    if cred.is_root() {
        let exec_ok = !want.contains(Access::EXEC)
            || meta.file_type() == FileType::Directory
            || meta.mode & 0o111 != 0;
        return if exec_ok { Ok(()) } else { Err(Error::EACCES) };
    }
    let bits = if cred.uid == meta.uid {
        (meta.mode >> 6) & 7
    } else if cred.in_group(meta.gid) {
        (meta.mode >> 3) & 7
    } else {
        meta.mode & 7
    };
    if bits & want.bits() == want.bits() {
        Ok(())
    } else {
        Err(Error::EACCES)
    }
}

/// Checks that `cred` may remove or rename away `victim` from the directory `dir`: write and
/// search permission on `dir`, and, if `dir` is sticky (`S_ISVTX`, like /tmp), ownership of the
/// victim or of the directory (unlink(2), "EPERM").
pub fn check_delete(dir: &Metadata, victim: &Metadata, cred: &Cred) -> Result<()> {
    check_access(dir, cred, Access::WRITE | Access::EXEC)?;
    if dir.mode & mode::S_ISVTX != 0
        && !cred.is_root()
        && cred.uid != victim.uid
        && cred.uid != dir.uid
    {
        return Err(Error::EPERM);
    }
    Ok(())
}
