//! Path limits and lexical helpers (path_resolution(7)).
//!
//! Paths are UTF-8 strings here; the kernel rejects or converts other byte strings at the system
//! call boundary.

use crate::error::{Error, Result};

/// Longest path component (`NAME_MAX`).
pub const NAME_MAX: usize = 255;
/// Longest path including its terminating NUL (`PATH_MAX`): a path of 4096 bytes or more fails
/// with `ENAMETOOLONG`.
pub const PATH_MAX: usize = 4096;
/// Most symbolic links followed in one resolution (`MAXSYMLINKS`); one more gives `ELOOP`.
pub const SYMLOOP_MAX: u32 = 40;

/// Checks a whole path given to a system call: `ENOENT` if empty, `ENAMETOOLONG` if too long.
pub fn check_path(path: &str) -> Result<()> {
    if path.is_empty() {
        return Err(Error::ENOENT);
    }
    if path.len() >= PATH_MAX {
        return Err(Error::ENAMETOOLONG);
    }
    Ok(())
}

/// Checks one component about to be looked up or created: `ENAMETOOLONG` above [`NAME_MAX`].
pub fn check_component(name: &str) -> Result<()> {
    if name.len() > NAME_MAX {
        Err(Error::ENAMETOOLONG)
    } else {
        Ok(())
    }
}

/// Checks a name handed to a directory method of [`crate::Inode`]: one non-empty component,
/// neither `.` nor `..`, without `/` or NUL (`EINVAL`), at most [`NAME_MAX`] bytes.
pub fn check_entry_name(name: &str) -> Result<()> {
    if name.is_empty() || name == "." || name == ".." || name.contains(['/', '\0']) {
        return Err(Error::EINVAL);
    }
    check_component(name)
}

/// The components of a path, skipping empty ones (so `a//b/` is `a`, `b`).
pub fn components(path: &str) -> impl DoubleEndedIterator<Item = &str> {
    path.split('/').filter(|c| !c.is_empty())
}

/// What the last component of a path is (Linux's `LAST_NORM`, `LAST_DOT`, ...).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LastKind {
    /// An ordinary name.
    Normal,
    /// `.`
    Dot,
    /// `..`
    DotDot,
    /// The path is `/` (only slashes): there is no last component.
    Root,
}

/// Splits `path` into the part before its last component, the last component and whether the
/// path ends with a slash. `"a/b/"` gives `("a", "b", true)`, `"b"` gives `("", "b", false)`,
/// `"/"` gives `("/", "", false)` with kind [`LastKind::Root`].
pub fn split_last(path: &str) -> (&str, &str, LastKind, bool) {
    let trimmed = path.trim_end_matches('/');
    let trailing = trimmed.len() != path.len();
    if trimmed.is_empty() {
        // Only slashes (or empty, which callers reject first).
        return ("/", "", LastKind::Root, false);
    }
    let (dir, last) = match trimmed.rfind('/') {
        Some(i) => (&trimmed[..=i], &trimmed[i + 1..]),
        None => ("", trimmed),
    };
    let kind = match last {
        "." => LastKind::Dot,
        ".." => LastKind::DotDot,
        _ => LastKind::Normal,
    };
    (dir, last, kind, trailing)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_last_cases() {
        assert_eq!(split_last("a/b/"), ("a/", "b", LastKind::Normal, true));
        assert_eq!(split_last("b"), ("", "b", LastKind::Normal, false));
        assert_eq!(split_last("/b"), ("/", "b", LastKind::Normal, false));
        assert_eq!(split_last("///"), ("/", "", LastKind::Root, false));
        assert_eq!(split_last("a/.."), ("a/", "..", LastKind::DotDot, false));
        assert_eq!(split_last("."), ("", ".", LastKind::Dot, false));
    }

    #[test]
    fn limits() {
        assert_eq!(check_path(""), Err(Error::ENOENT));
        assert_eq!(check_path(&"a".repeat(PATH_MAX)), Err(Error::ENAMETOOLONG));
        assert!(check_path(&"a".repeat(PATH_MAX - 1)).is_ok());
        assert_eq!(check_component(&"x".repeat(256)), Err(Error::ENAMETOOLONG));
        assert_eq!(check_entry_name("a/b"), Err(Error::EINVAL));
        assert_eq!(check_entry_name(".."), Err(Error::EINVAL));
    }
}
