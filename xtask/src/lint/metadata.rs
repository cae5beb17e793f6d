//! The parts of `cargo metadata` the lint needs: workspace members with their tier and root
//! source files, and the resolved dependency graph.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// A package of the resolved graph.
#[derive(Debug, Clone)]
pub struct Package {
    /// Cargo's package id.
    pub id: String,
    /// Package name.
    pub name: String,
    /// Path of its `Cargo.toml`.
    pub manifest: PathBuf,
    /// `package.metadata.framekernel.tier`, when declared as a string.
    pub tier: Option<String>,
    /// Root source files of its lib and bin targets (not build scripts, tests or examples).
    pub roots: Vec<PathBuf>,
    /// Whether it is a procedural-macro crate (it runs in the compiler on the host, so its own
    /// dependencies never reach the kernel).
    pub proc_macro: bool,
}

/// Workspace packages and the normal-dependency edges of the resolved graph.
#[derive(Debug, Default)]
pub struct Metadata {
    /// Every package of the graph, by id.
    pub packages: HashMap<String, Package>,
    /// Workspace member ids, in cargo's order.
    pub members: Vec<String>,
    /// For each package id, the ids it depends on with a normal (non-dev, non-build) dependency.
    pub normal_deps: HashMap<String, Vec<String>>,
}

const ROOT_KINDS: &[&str] = &[
    "lib",
    "rlib",
    "dylib",
    "cdylib",
    "staticlib",
    "proc-macro",
    "bin",
];

impl Metadata {
    /// Runs `cargo metadata` on the workspace at `root`.
    pub fn load(root: &Path) -> Result<Metadata, String> {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let manifest = root.join("Cargo.toml");
        let out = Command::new(cargo)
            .args(["metadata", "--format-version", "1", "--manifest-path"])
            .arg(&manifest)
            .output()
            .map_err(|e| format!("cannot run cargo metadata: {e}"))?;
        if !out.status.success() {
            let err = String::from_utf8_lossy(&out.stderr);
            return Err(format!(
                "cargo metadata failed for {}:\n{err}",
                manifest.display()
            ));
        }
        let json: Value = serde_json::from_slice(&out.stdout)
            .map_err(|e| format!("cannot parse cargo metadata output: {e}"))?;
        Ok(Self::from_json(&json))
    }

    /// Extracts the lint's view from `cargo metadata --format-version 1` output.
    pub fn from_json(json: &Value) -> Metadata {
        let str_of = |v: &Value, key: &str| v[key].as_str().unwrap_or_default().to_string();
        let mut meta = Metadata::default();
        for p in json["packages"].as_array().into_iter().flatten() {
            let roots = p["targets"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|t| {
                    let kinds = t["kind"].as_array().into_iter().flatten();
                    kinds
                        .filter_map(Value::as_str)
                        .any(|k| ROOT_KINDS.contains(&k))
                })
                .map(|t| PathBuf::from(str_of(t, "src_path")))
                .collect();
            let proc_macro = p["targets"].as_array().into_iter().flatten().any(|t| {
                t["kind"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|k| k.as_str() == Some("proc-macro"))
            });
            let pkg = Package {
                proc_macro,
                id: str_of(p, "id"),
                name: str_of(p, "name"),
                manifest: PathBuf::from(str_of(p, "manifest_path")),
                tier: p["metadata"]["framekernel"]["tier"]
                    .as_str()
                    .map(str::to_string),
                roots,
            };
            meta.packages.insert(pkg.id.clone(), pkg);
        }
        let members = json["workspace_members"].as_array().into_iter().flatten();
        meta.members = members
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect();
        for node in json["resolve"]["nodes"].as_array().into_iter().flatten() {
            let deps = node["deps"].as_array().into_iter().flatten();
            let normal = deps.filter(|d| {
                let mut kinds = d["dep_kinds"].as_array().into_iter().flatten();
                kinds.any(|k| k["kind"].is_null())
            });
            meta.normal_deps.insert(
                str_of(node, "id"),
                normal.map(|d| str_of(d, "pkg")).collect(),
            );
        }
        meta
    }

    /// Workspace member packages, in cargo's order.
    pub fn members(&self) -> impl Iterator<Item = &Package> {
        self.members.iter().filter_map(|id| self.packages.get(id))
    }
}
