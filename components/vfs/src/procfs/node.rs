//! The procfs inode: one type for every node, told apart by [`Node`].

use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;

use super::{Shared, format};
use crate::error::{Error, Result};
use crate::inode::{CreateAttrs, Inode};
use crate::types::{DirEntry, FileType, Metadata};

/// A generated file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FileKind {
    Meminfo,
    Cpuinfo,
    Mounts,
    Uptime,
    SystemStat,
    Loadavg,
    Stat(u32),
    Status(u32),
    Cmdline(u32),
    Maps(u32),
}

/// A generated symlink.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LinkKind {
    SelfPid,
    Exe(u32),
    Cwd(u32),
    Fd(u32, u32),
}

/// Which procfs node an inode is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Node {
    Root,
    PidDir(u32),
    FdDir(u32),
    File(FileKind),
    Link(LinkKind),
}

/// The fixed entries of /proc, after `.` and `..`.
const ROOT_ENTRIES: [(&str, Node); 7] = [
    ("self", Node::Link(LinkKind::SelfPid)),
    ("meminfo", Node::File(FileKind::Meminfo)),
    ("cpuinfo", Node::File(FileKind::Cpuinfo)),
    ("mounts", Node::File(FileKind::Mounts)),
    ("uptime", Node::File(FileKind::Uptime)),
    ("stat", Node::File(FileKind::SystemStat)),
    ("loadavg", Node::File(FileKind::Loadavg)),
];

/// Readdir offsets of /proc at or above this are `PID_COOKIE + pid`.
const PID_COOKIE: u64 = 1 << 32;

/// The entries of `/proc/<pid>`.
fn pid_entries(pid: u32) -> [(&'static str, Node); 7] {
    [
        ("stat", Node::File(FileKind::Stat(pid))),
        ("status", Node::File(FileKind::Status(pid))),
        ("cmdline", Node::File(FileKind::Cmdline(pid))),
        ("maps", Node::File(FileKind::Maps(pid))),
        ("fd", Node::FdDir(pid)),
        ("exe", Node::Link(LinkKind::Exe(pid))),
        ("cwd", Node::Link(LinkKind::Cwd(pid))),
    ]
}

/// A pid written the canonical way (no sign, no leading zeros).
fn parse_number(name: &str) -> Option<u32> {
    let n: u32 = name.parse().ok()?;
    (n.to_string() == name).then_some(n)
}

impl Node {
    /// The pid a node belongs to.
    fn pid(self) -> Option<u32> {
        match self {
            Node::PidDir(p) | Node::FdDir(p) => Some(p),
            Node::File(
                FileKind::Stat(p) | FileKind::Status(p) | FileKind::Cmdline(p) | FileKind::Maps(p),
            ) => Some(p),
            Node::Link(LinkKind::Exe(p) | LinkKind::Cwd(p) | LinkKind::Fd(p, _)) => Some(p),
            _ => None,
        }
    }

    fn kind(self) -> FileType {
        match self {
            Node::Root | Node::PidDir(_) | Node::FdDir(_) => FileType::Directory,
            Node::File(_) => FileType::Regular,
            Node::Link(_) => FileType::Symlink,
        }
    }

    /// A stable inode number: small for the fixed nodes, `(pid + 1) << 32 | n` per process.
    fn ino(self) -> u64 {
        let per_pid = |pid: u32, n: u64| ((pid as u64 + 1) << 32) | n;
        match self {
            Node::Root => 1,
            Node::Link(LinkKind::SelfPid) => 2,
            Node::File(FileKind::Meminfo) => 3,
            Node::File(FileKind::Cpuinfo) => 4,
            Node::File(FileKind::Mounts) => 5,
            Node::File(FileKind::Uptime) => 6,
            Node::File(FileKind::SystemStat) => 7,
            Node::File(FileKind::Loadavg) => 8,
            Node::PidDir(p) => per_pid(p, 0),
            Node::File(FileKind::Stat(p)) => per_pid(p, 1),
            Node::File(FileKind::Status(p)) => per_pid(p, 2),
            Node::File(FileKind::Cmdline(p)) => per_pid(p, 3),
            Node::File(FileKind::Maps(p)) => per_pid(p, 4),
            Node::FdDir(p) => per_pid(p, 5),
            Node::Link(LinkKind::Exe(p)) => per_pid(p, 6),
            Node::Link(LinkKind::Cwd(p)) => per_pid(p, 7),
            Node::Link(LinkKind::Fd(p, fd)) => per_pid(p, 0x1_0000 + fd as u64),
        }
    }

    fn perm(self) -> u32 {
        match self {
            Node::Root | Node::PidDir(_) => 0o555,
            Node::FdDir(_) => 0o500,
            Node::File(_) => 0o444,
            Node::Link(LinkKind::Fd(..)) => 0o700,
            Node::Link(_) => 0o777,
        }
    }

    fn entry(self, name: &str) -> DirEntry {
        DirEntry {
            ino: self.ino(),
            kind: self.kind(),
            name: name.into(),
        }
    }
}

/// A procfs inode.
pub(crate) struct ProcInode {
    shared: Arc<Shared>,
    node: Node,
}

impl ProcInode {
    pub(crate) fn new(shared: Arc<Shared>, node: Node) -> Self {
        Self { shared, node }
    }

    fn child(&self, node: Node) -> Arc<dyn Inode> {
        Arc::new(ProcInode::new(self.shared.clone(), node))
    }

    fn alive(&self, pid: u32) -> Result<()> {
        match self.shared.source.process(pid) {
            Some(_) => Ok(()),
            None => Err(Error::ENOENT),
        }
    }

    /// The contents of a generated file.
    fn generate(&self, kind: FileKind) -> Result<Vec<u8>> {
        let src = &self.shared.source;
        let text = match kind {
            FileKind::Meminfo => format::meminfo(&src.meminfo()),
            FileKind::Cpuinfo => src.cpuinfo(),
            FileKind::SystemStat => format::system_stat(&src.system_stat()),
            FileKind::Loadavg => format::loadavg(&src.system_stat()),
            FileKind::Uptime => {
                let (up, idle) = src.uptime();
                format::uptime(up, idle)
            }
            FileKind::Mounts => self
                .shared
                .vfs
                .upgrade()
                .map(|v| v.mounts_text())
                .unwrap_or_default(),
            FileKind::Stat(pid) => format::stat(&src.process(pid).ok_or(Error::ENOENT)?),
            FileKind::Status(pid) => {
                let info = src.process(pid).ok_or(Error::ENOENT)?;
                let fds = src.fds(pid).map_or(0, |f| f.len());
                format::status(&info, fds)
            }
            FileKind::Cmdline(pid) => return src.cmdline(pid).ok_or(Error::ENOENT),
            FileKind::Maps(pid) => {
                let mut out = String::new();
                for m in src.maps(pid).ok_or(Error::ENOENT)? {
                    format::map_line(&mut out, &m);
                }
                out
            }
        };
        Ok(text.into_bytes())
    }

    fn root_readdir(&self, offset: u64) -> Option<(DirEntry, u64)> {
        let fixed = offset - 2;
        if fixed < ROOT_ENTRIES.len() as u64 {
            let (name, node) = ROOT_ENTRIES[fixed as usize];
            return Some((node.entry(name), offset + 1));
        }
        let from = offset.saturating_sub(PID_COOKIE);
        let mut pids = self.shared.source.pids();
        pids.sort_unstable();
        let pid = pids.into_iter().find(|&p| p as u64 >= from)?;
        let entry = Node::PidDir(pid).entry(&pid.to_string());
        Some((entry, PID_COOKIE + pid as u64 + 1))
    }

    fn fd_readdir(&self, pid: u32, offset: u64) -> Result<Option<(DirEntry, u64)>> {
        let fds = self.shared.source.fds(pid).ok_or(Error::ENOENT)?;
        let from = offset - 2;
        Ok(fds
            .into_iter()
            .find(|&(fd, _)| fd as u64 >= from)
            .map(|(fd, _)| {
                let entry = Node::Link(LinkKind::Fd(pid, fd)).entry(&fd.to_string());
                (entry, fd as u64 + 3)
            }))
    }

    /// The parent directory's inode number, for `..`.
    fn parent_ino(&self) -> u64 {
        match self.node {
            Node::FdDir(pid) => Node::PidDir(pid).ino(),
            _ => Node::Root.ino(),
        }
    }
}

impl Inode for ProcInode {
    fn metadata(&self) -> Metadata {
        let (uid, gid) = self
            .node
            .pid()
            .and_then(|p| self.shared.source.process(p))
            .map_or((0, 0), |i| (i.uid, i.gid));
        let nlink = if self.node.kind() == FileType::Directory {
            2
        } else {
            1
        };
        let t = self.shared.born;
        Metadata {
            dev: self.shared.dev,
            ino: self.node.ino(),
            mode: self.node.kind().mode_bits() | self.node.perm(),
            nlink,
            uid,
            gid,
            blksize: 1024,
            atime: t,
            mtime: t,
            ctime: t,
            ..Metadata::default()
        }
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize> {
        let Node::File(kind) = self.node else {
            return Err(if self.node.kind() == FileType::Directory {
                Error::EISDIR
            } else {
                Error::EINVAL
            });
        };
        let data = self.generate(kind)?;
        let Ok(start) = usize::try_from(offset) else {
            return Ok(0);
        };
        let Some(rest) = data.get(start..) else {
            return Ok(0);
        };
        let n = rest.len().min(buf.len());
        buf[..n].copy_from_slice(&rest[..n]);
        Ok(n)
    }

    fn lookup(&self, name: &str) -> Result<Arc<dyn Inode>> {
        match self.node {
            Node::Root => {
                if let Some((_, node)) = ROOT_ENTRIES.iter().find(|(n, _)| *n == name) {
                    return Ok(self.child(*node));
                }
                let pid = parse_number(name).ok_or(Error::ENOENT)?;
                self.alive(pid)?;
                Ok(self.child(Node::PidDir(pid)))
            }
            Node::PidDir(pid) => {
                self.alive(pid)?;
                let (_, node) = pid_entries(pid)
                    .into_iter()
                    .find(|(n, _)| *n == name)
                    .ok_or(Error::ENOENT)?;
                Ok(self.child(node))
            }
            Node::FdDir(pid) => {
                let fd = parse_number(name).ok_or(Error::ENOENT)?;
                let fds = self.shared.source.fds(pid).ok_or(Error::ENOENT)?;
                if !fds.iter().any(|&(f, _)| f == fd) {
                    return Err(Error::ENOENT);
                }
                Ok(self.child(Node::Link(LinkKind::Fd(pid, fd))))
            }
            _ => Err(Error::ENOTDIR),
        }
    }

    fn create(&self, _name: &str, _attrs: &CreateAttrs) -> Result<Arc<dyn Inode>> {
        match self.node.kind() {
            FileType::Directory => Err(Error::ENOENT),
            _ => Err(Error::ENOTDIR),
        }
    }

    fn symlink(&self, name: &str, _target: &str, attrs: &CreateAttrs) -> Result<Arc<dyn Inode>> {
        self.create(name, attrs)
    }

    fn link(&self, _name: &str, _target: &Arc<dyn Inode>) -> Result<()> {
        Err(Error::EPERM)
    }

    fn unlink(&self, _name: &str) -> Result<()> {
        Err(Error::EPERM)
    }

    fn rmdir(&self, _name: &str) -> Result<()> {
        Err(Error::EPERM)
    }

    fn rename(&self, _old: &str, _new_dir: &Arc<dyn Inode>, _new: &str) -> Result<()> {
        Err(Error::EPERM)
    }

    fn read_link(&self) -> Result<String> {
        let src = &self.shared.source;
        match self.node {
            Node::Link(LinkKind::SelfPid) => Ok(src.current_pid().to_string()),
            Node::Link(LinkKind::Exe(pid)) => src.exe(pid).ok_or(Error::ENOENT),
            Node::Link(LinkKind::Cwd(pid)) => src.cwd(pid).ok_or(Error::ENOENT),
            Node::Link(LinkKind::Fd(pid, fd)) => src
                .fds(pid)
                .and_then(|fds| fds.into_iter().find(|&(f, _)| f == fd))
                .map(|(_, path)| path)
                .ok_or(Error::ENOENT),
            _ => Err(Error::EINVAL),
        }
    }

    fn readdir(&self, offset: u64) -> Result<Option<(DirEntry, u64)>> {
        if self.node.kind() != FileType::Directory {
            return Err(Error::ENOTDIR);
        }
        match offset {
            0 => return Ok(Some((self.node.entry("."), 1))),
            1 => {
                let mut dotdot = self.node.entry("..");
                dotdot.ino = self.parent_ino();
                return Ok(Some((dotdot, 2)));
            }
            _ => {}
        }
        match self.node {
            Node::Root => Ok(self.root_readdir(offset)),
            Node::PidDir(pid) => {
                self.alive(pid)?;
                let i = (offset - 2) as usize;
                Ok(pid_entries(pid)
                    .get(i)
                    .map(|(name, node)| (node.entry(name), offset + 1)))
            }
            Node::FdDir(pid) => self.fd_readdir(pid, offset),
            _ => Err(Error::ENOTDIR),
        }
    }
}
