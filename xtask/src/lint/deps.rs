//! Dependency rule: an untrusted crate reaches, through normal dependencies, only workspace
//! crates and third-party crates listed with a reason in `vetted-crates.toml`.

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};

use super::metadata::Metadata;
use super::{Tier, Violation};

/// The vetted third-party crates and the problems found in their list.
#[derive(Debug, Default)]
pub struct Vetted {
    /// Crate names with a reason.
    pub names: HashSet<String>,
    /// Malformed lines and entries without a reason.
    pub violations: Vec<Violation>,
}

impl Vetted {
    /// Reads the `[crates]` table of `path` (`name = "reason"` lines); a missing file is empty.
    pub fn load(path: &Path) -> Vetted {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        Self::parse(path, &text)
    }

    /// Parses the text of a vetted list; `path` names it in violations.
    pub fn parse(path: &Path, text: &str) -> Vetted {
        let mut vetted = Vetted::default();
        let mut in_crates = false;
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if line.starts_with('[') {
                in_crates = line == "[crates]";
                continue;
            }
            if !in_crates {
                continue;
            }
            let mut bad = |msg: String| {
                vetted
                    .violations
                    .push(Violation::new(path, Some(n + 1), msg))
            };
            let Some((name, reason)) = line.split_once('=') else {
                bad(format!("expected `name = \"reason\"`, found `{line}`"));
                continue;
            };
            let name = name.trim().trim_matches('"');
            // The reason is the basic string after `=`; anything after it is a comment.
            let reason = reason
                .trim()
                .strip_prefix('"')
                .and_then(|r| r.split_once('"'));
            match reason.map(|(r, _)| r) {
                Some(r) if !r.trim().is_empty() => {
                    vetted.names.insert(name.to_string());
                }
                Some(_) => bad(format!("vetted crate `{name}` has no reason")),
                None => bad(format!(
                    "vetted crate `{name}`: the reason must be a string"
                )),
            }
        }
        vetted
    }
}

/// Walks the normal dependencies of every untrusted member (`tiers` gives each member's tier)
/// and reports unvetted third-party crates and host crates it reaches.
pub fn check(meta: &Metadata, tiers: &[(String, Tier)], vetted: &Vetted) -> Vec<Violation> {
    let tier_of: HashMap<&str, Tier> = tiers.iter().map(|(id, t)| (id.as_str(), *t)).collect();
    let members: HashSet<&str> = meta.members.iter().map(String::as_str).collect();
    let name = |id: &str| {
        meta.packages
            .get(id)
            .map_or(id.to_string(), |p| p.name.clone())
    };
    let mut out = Vec::new();
    for (root, _) in tiers.iter().filter(|(_, t)| *t == Tier::Untrusted) {
        let manifest = meta
            .packages
            .get(root)
            .map_or_else(PathBuf::new, |p| p.manifest.clone());
        let mut parent: HashMap<&str, &str> = HashMap::new();
        let mut queue = VecDeque::from([root.as_str()]);
        while let Some(id) = queue.pop_front() {
            for dep in meta.normal_deps.get(id).into_iter().flatten() {
                if dep == root || parent.contains_key(dep.as_str()) {
                    continue;
                }
                parent.insert(dep, id);
                let problem = match tier_of.get(dep.as_str()) {
                    Some(Tier::Untrusted) => None,
                    Some(Tier::Trusted) => continue,
                    Some(Tier::Host) => Some("host crate"),
                    None if members.contains(dep.as_str()) => continue,
                    None if vetted.names.contains(&name(dep)) => None,
                    None => Some("unvetted crate"),
                };
                if let Some(problem) = problem {
                    let msg = format!(
                        "untrusted crate `{}` depends on {problem} `{}` (via {})",
                        name(root),
                        name(dep),
                        chain(&parent, dep, name)
                    );
                    out.push(Violation::new(&manifest, None, msg));
                }
                // A proc-macro crate must be vetted itself, but what it uses runs in the
                // compiler, not in the kernel.
                let proc_macro = meta
                    .packages
                    .get(dep.as_str())
                    .is_some_and(|p| p.proc_macro);
                if tier_of.get(dep.as_str()) != Some(&Tier::Host) && !proc_macro {
                    queue.push_back(dep);
                }
            }
        }
    }
    out
}

/// The dependency chain from the walk's root to `id`, as package names joined by ` -> `.
fn chain<'a>(
    parent: &HashMap<&'a str, &'a str>,
    mut id: &'a str,
    name: impl Fn(&str) -> String,
) -> String {
    let mut names = vec![name(id)];
    while let Some(&p) = parent.get(id) {
        names.push(name(p));
        id = p;
    }
    names.reverse();
    names.join(" -> ")
}
