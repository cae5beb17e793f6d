//! Per-crate source checks: finds a crate's `.rs` files, parses them, applies the rules of the
//! crate's tier and counts its code lines and `unsafe` blocks.

use std::fs;
use std::path::{Path, PathBuf};

use super::{Tier, Violation, lines, trusted, untrusted};

/// What the source checks found in one crate.
#[derive(Debug, Default)]
pub struct CrateCheck {
    /// Broken rules.
    pub violations: Vec<Violation>,
    /// Code lines of its `.rs` files, plus its assembly (`.S`, `.s`) and linker scripts (`.ld`).
    pub code_lines: usize,
    /// `unsafe` blocks in its sources.
    pub unsafe_blocks: usize,
}

/// Checks the crate `name` of tier `tier`: every `.rs` file under `src_dir` plus any root file
/// (`roots`: lib/bin target roots) outside it. Host crates are only counted, not checked.
pub fn check_crate(name: &str, tier: Tier, src_dir: &Path, roots: &[PathBuf]) -> CrateCheck {
    let mut files = Vec::new();
    rs_files(src_dir, &mut files);
    files.sort();
    files.extend(roots.iter().filter(|r| !r.starts_with(src_dir)).cloned());
    let mut out = CrateCheck::default();
    if let Some(crate_dir) = src_dir.parent() {
        let mut others = Vec::new();
        other_code_files(crate_dir, &mut others);
        for file in others {
            let text = fs::read_to_string(&file).unwrap_or_default();
            out.code_lines += match file.extension().and_then(|e| e.to_str()) {
                Some("ld") => lines::code_lines(&text),
                _ => lines::asm_lines(&text),
            };
        }
    }
    for file in &files {
        let text = match fs::read_to_string(file) {
            Ok(text) => text,
            Err(e) => {
                out.violations
                    .push(Violation::new(file, None, format!("cannot read: {e}")));
                continue;
            }
        };
        out.code_lines += lines::code_lines(&text);
        if tier == Tier::Host {
            continue;
        }
        let ast = match syn::parse_file(&text) {
            Ok(ast) => ast,
            Err(e) => {
                let line = e.span().start().line;
                let msg = format!("cannot parse in crate `{name}`: {e}");
                out.violations.push(Violation::new(file, Some(line), msg));
                continue;
            }
        };
        let found = match tier {
            Tier::Untrusted => {
                if roots.contains(file) && !forbids_unsafe(&ast) {
                    let msg = format!(
                        "crate root of untrusted crate `{name}` lacks `#![forbid(unsafe_code)]`"
                    );
                    out.violations.push(Violation::new(file, None, msg));
                }
                untrusted::check(&ast)
            }
            _ => {
                let (found, blocks) = trusted::check(&ast, &text);
                out.unsafe_blocks += blocks;
                found
            }
        };
        for (line, what) in found {
            let msg = format!("{what} in {tier} crate `{name}`");
            out.violations.push(Violation::new(file, Some(line), msg));
        }
    }
    out
}

/// Whether the file has the inner attribute `#![forbid(..., unsafe_code, ...)]`.
fn forbids_unsafe(ast: &syn::File) -> bool {
    ast.attrs.iter().any(|a| {
        matches!(a.style, syn::AttrStyle::Inner(_))
            && a.path().is_ident("forbid")
            && a.meta.require_list().is_ok_and(|l| {
                l.tokens
                    .clone()
                    .into_iter()
                    .any(|t| t.to_string() == "unsafe_code")
            })
    })
}

/// Appends every assembly (`.S`, `.s`) and linker script (`.ld`) file under `dir` to `out`,
/// skipping `target/` and `fixtures/`.
fn other_code_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for path in entries.flatten().map(|e| e.path()) {
        if path.is_dir() {
            if !path.ends_with("target") && !path.ends_with("fixtures") {
                other_code_files(&path, out);
            }
        } else if path
            .extension()
            .is_some_and(|e| e == "S" || e == "s" || e == "ld")
        {
            out.push(path);
        }
    }
}

/// Appends every `.rs` file under `dir`, recursively, to `out`.
fn rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for path in entries.flatten().map(|e| e.path()) {
        if path.is_dir() {
            rs_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}
