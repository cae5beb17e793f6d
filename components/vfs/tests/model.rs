//! Property tests against simple reference models: file contents against a `Vec<u8>`, and the
//! name space (mkdir, create, unlink, rmdir, link, rename) against a map of paths, errnos
//! included.

mod common;

use std::collections::BTreeMap;

use common::bare;
use proptest::prelude::*;
use vfs::{Error, FileType, FsContext, OpenFlags, RenameFlags, Vfs, Whence};

#[derive(Clone, Debug)]
enum FileOp {
    Write(u64, Vec<u8>),
    Append(Vec<u8>),
    Truncate(u64),
    Read(u64, usize),
}

fn file_op() -> impl Strategy<Value = FileOp> {
    let data = prop::collection::vec(any::<u8>(), 0..6000);
    prop_oneof![
        (0..20_000u64, data.clone()).prop_map(|(o, d)| FileOp::Write(o, d)),
        data.prop_map(FileOp::Append),
        (0..20_000u64).prop_map(FileOp::Truncate),
        (0..24_000u64, 0..9000usize).prop_map(|(o, n)| FileOp::Read(o, n)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn file_contents_match_a_vec(ops in prop::collection::vec(file_op(), 1..30)) {
        let (vfs, ctx) = bare();
        let f = vfs.open(&ctx, "/f", OpenFlags::RDWR | OpenFlags::CREAT, 0o644).unwrap();
        let mut model: Vec<u8> = Vec::new();
        for op in ops {
            match op {
                FileOp::Write(off, data) => {
                    assert_eq!(f.write_at(off as i64, &data).unwrap(), data.len());
                    let end = off as usize + data.len();
                    if !data.is_empty() {
                        if model.len() < end {
                            model.resize(end, 0);
                        }
                        model[off as usize..end].copy_from_slice(&data);
                    }
                }
                FileOp::Append(data) => {
                    f.seek(0, Whence::End).unwrap();
                    f.write(&data).unwrap();
                    model.extend_from_slice(&data);
                }
                FileOp::Truncate(len) => {
                    f.truncate(len).unwrap();
                    model.resize(len as usize, 0);
                }
                FileOp::Read(off, n) => {
                    let mut buf = vec![0xAAu8; n];
                    let got = f.read_at(off as i64, &mut buf).unwrap();
                    let start = (off as usize).min(model.len());
                    let want = &model[start..(start + n).min(model.len())];
                    prop_assert_eq!(&buf[..got], want);
                }
            }
            prop_assert_eq!(f.metadata().size, model.len() as u64);
        }
    }
}

/// The reference name space: path → directory or file number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Dir,
    File(u32),
}

#[derive(Default)]
struct Model {
    nodes: BTreeMap<String, Kind>,
    next_file: u32,
}

fn parent_of(p: &str) -> &str {
    match p.rfind('/') {
        Some(0) => "/",
        Some(i) => &p[..i],
        None => "/",
    }
}

impl Model {
    fn get(&self, p: &str) -> Option<Kind> {
        if p == "/" {
            Some(Kind::Dir)
        } else {
            self.nodes.get(p).copied()
        }
    }

    /// The errno of walking to the parent directory of `p`.
    fn check_parent(&self, p: &str) -> Result<(), Error> {
        let parent = parent_of(p);
        let mut prefix = String::new();
        for c in parent.split('/').filter(|c| !c.is_empty()) {
            prefix.push('/');
            prefix.push_str(c);
            match self.get(&prefix) {
                None => return Err(Error::ENOENT),
                Some(Kind::File(_)) => return Err(Error::ENOTDIR),
                Some(Kind::Dir) => {}
            }
        }
        Ok(())
    }

    fn has_children(&self, p: &str) -> bool {
        let prefix = format!("{p}/");
        self.nodes.keys().any(|k| k.starts_with(&prefix))
    }

    fn apply(&mut self, op: &NsOp) -> Result<(), Error> {
        match op {
            NsOp::Mkdir(p) => {
                self.check_parent(p)?;
                if self.get(p).is_some() {
                    return Err(Error::EEXIST);
                }
                self.nodes.insert(p.clone(), Kind::Dir);
            }
            NsOp::Create(p) => {
                self.check_parent(p)?;
                match self.get(p) {
                    Some(Kind::Dir) => return Err(Error::EISDIR),
                    Some(Kind::File(_)) => {}
                    None => {
                        self.next_file += 1;
                        self.nodes.insert(p.clone(), Kind::File(self.next_file));
                    }
                }
            }
            NsOp::Unlink(p) => {
                self.check_parent(p)?;
                match self.get(p) {
                    None => return Err(Error::ENOENT),
                    Some(Kind::Dir) => return Err(Error::EISDIR),
                    Some(Kind::File(_)) => {
                        self.nodes.remove(p);
                    }
                }
            }
            NsOp::Rmdir(p) => {
                self.check_parent(p)?;
                match self.get(p) {
                    None => return Err(Error::ENOENT),
                    Some(Kind::File(_)) => return Err(Error::ENOTDIR),
                    Some(Kind::Dir) if self.has_children(p) => return Err(Error::ENOTEMPTY),
                    Some(Kind::Dir) => {
                        self.nodes.remove(p);
                    }
                }
            }
            NsOp::Link(o, n) => {
                self.check_parent(o)?;
                let kind = self.get(o).ok_or(Error::ENOENT)?;
                if kind == Kind::Dir {
                    return Err(Error::EPERM);
                }
                self.check_parent(n)?;
                if self.get(n).is_some() {
                    return Err(Error::EEXIST);
                }
                self.nodes.insert(n.clone(), kind);
            }
            NsOp::Rename(o, n) => {
                self.check_parent(o)?;
                self.check_parent(n)?;
                let old = self.get(o).ok_or(Error::ENOENT)?;
                let target = self.get(n);
                if target == Some(old) && (o == n || old != Kind::Dir) {
                    return Ok(());
                }
                if old == Kind::Dir && n.starts_with(&format!("{o}/")) {
                    return Err(Error::EINVAL);
                }
                match (old, target) {
                    (Kind::Dir, Some(Kind::File(_))) => return Err(Error::ENOTDIR),
                    (Kind::File(_), Some(Kind::Dir)) => return Err(Error::EISDIR),
                    (Kind::Dir, Some(Kind::Dir)) if self.has_children(n) => {
                        return Err(Error::ENOTEMPTY);
                    }
                    _ => {}
                }
                self.nodes.remove(n);
                let prefix = format!("{o}/");
                let moved: Vec<(String, Kind)> = self
                    .nodes
                    .iter()
                    .filter(|(k, _)| *k == o || k.starts_with(&prefix))
                    .map(|(k, v)| (k.clone(), *v))
                    .collect();
                for (k, v) in moved {
                    self.nodes.remove(&k);
                    self.nodes.insert(format!("{n}{}", &k[o.len()..]), v);
                }
            }
        }
        Ok(())
    }
}

#[derive(Clone, Debug)]
enum NsOp {
    Mkdir(String),
    Create(String),
    Unlink(String),
    Rmdir(String),
    Link(String, String),
    Rename(String, String),
}

fn path() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(vec!["a", "b", "c"]), 1..=3)
        .prop_map(|cs| format!("/{}", cs.join("/")))
}

fn ns_op() -> impl Strategy<Value = NsOp> {
    prop_oneof![
        3 => path().prop_map(NsOp::Mkdir),
        3 => path().prop_map(NsOp::Create),
        1 => path().prop_map(NsOp::Unlink),
        1 => path().prop_map(NsOp::Rmdir),
        1 => (path(), path()).prop_map(|(a, b)| NsOp::Link(a, b)),
        3 => (path(), path()).prop_map(|(a, b)| NsOp::Rename(a, b)),
    ]
}

fn run(vfs: &Vfs, ctx: &FsContext, op: &NsOp) -> Result<(), Error> {
    match op {
        NsOp::Mkdir(p) => vfs.mkdir(ctx, p, 0o755),
        NsOp::Create(p) => vfs
            .open(ctx, p, OpenFlags::WRONLY | OpenFlags::CREAT, 0o644)
            .map(drop),
        NsOp::Unlink(p) => vfs.unlink(ctx, p),
        NsOp::Rmdir(p) => vfs.rmdir(ctx, p),
        NsOp::Link(o, n) => vfs.link(ctx, o, n, false),
        NsOp::Rename(o, n) => vfs.rename(ctx, o, n, RenameFlags::empty()),
    }
}

/// Every path of the real tree with its type, inode number and link count; checks `..`.
fn snapshot(
    vfs: &Vfs,
    ctx: &FsContext,
    dir: &str,
    parent_ino: u64,
    out: &mut BTreeMap<String, (FileType, u64, u32)>,
) {
    let f = vfs.open(ctx, dir, OpenFlags::DIRECTORY, 0).unwrap();
    let own = f.metadata();
    assert_eq!(f.next_entry().unwrap().unwrap().ino, own.ino);
    assert_eq!(f.next_entry().unwrap().unwrap().ino, parent_ino);
    while let Some(e) = f.next_entry().unwrap() {
        let p = format!("{}/{}", dir.trim_end_matches('/'), e.name);
        let m = vfs.stat(ctx, &p, false).unwrap();
        assert_eq!((m.ino, m.file_type()), (e.ino, e.kind));
        out.insert(p.clone(), (e.kind, m.ino, m.nlink));
        if e.kind == FileType::Directory {
            snapshot(vfs, ctx, &p, own.ino, out);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn namespace_matches_a_model(ops in prop::collection::vec(ns_op(), 1..40)) {
        let (vfs, ctx) = bare();
        let mut model = Model::default();
        for op in &ops {
            let want = model.apply(op);
            let got = run(&vfs, &ctx, op);
            prop_assert_eq!(got, want, "{:?}", op);
        }
        let root_ino = vfs.stat(&ctx, "/", true).unwrap().ino;
        let mut real = BTreeMap::new();
        snapshot(&vfs, &ctx, "/", root_ino, &mut real);
        let paths: Vec<&String> = real.keys().collect();
        let model_paths: Vec<&String> = model.nodes.keys().collect();
        prop_assert_eq!(paths, model_paths);
        // Link counts and shared inodes.
        let mut ino_of_file = BTreeMap::new();
        for (p, kind) in &model.nodes {
            let (ft, ino, nlink) = real[p];
            match kind {
                Kind::Dir => {
                    prop_assert_eq!(ft, FileType::Directory);
                    let subdirs = model.nodes.iter().filter(|(k, v)| {
                        **v == Kind::Dir && parent_of(k) == p.as_str()
                    }).count();
                    prop_assert_eq!(nlink as usize, 2 + subdirs);
                }
                Kind::File(id) => {
                    prop_assert_eq!(ft, FileType::Regular);
                    let links = model.nodes.values().filter(|v| *v == kind).count();
                    prop_assert_eq!(nlink as usize, links);
                    let first = *ino_of_file.entry(*id).or_insert(ino);
                    prop_assert_eq!(first, ino);
                }
            }
        }
    }
}
