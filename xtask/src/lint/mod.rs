//! `cargo xtask lint`: enforces the framekernel tier rules (DESIGN.md section 1) from the sources
//! and `cargo metadata`, and measures the trusted computing base (TCB).
//!
//! Rules: every workspace package declares a tier; untrusted crates forbid `unsafe_code` at every
//! root and contain no `unsafe`, inline assembly, `extern` blocks or linkage attributes; trusted
//! crates document every `unsafe` block, `unsafe fn` and `unsafe impl`; untrusted crates reach only
//! workspace crates and vetted third-party crates through normal dependencies.

mod deps;
mod lines;
mod metadata;
mod source;
#[cfg(test)]
mod tests;
mod tier;
mod trusted;
mod untrusted;

use std::fmt;
use std::path::{Path, PathBuf};

pub use tier::Tier;

/// One broken rule, located at a file (and a line when the rule concerns a construct).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The offending source file, `Cargo.toml` or `vetted-crates.toml`.
    pub file: PathBuf,
    /// 1-based line of the offending construct, when there is one.
    pub line: Option<usize>,
    /// What is wrong, naming the construct and the crate.
    pub message: String,
}

impl Violation {
    /// A violation at `file`, optionally at `line`.
    pub fn new(file: impl Into<PathBuf>, line: Option<usize>, message: impl Into<String>) -> Self {
        Self {
            file: file.into(),
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.file.display(), self.message),
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

/// Size of the trusted computing base against all kernel (trusted and untrusted) crates.
#[derive(Debug, Clone, Default)]
pub struct TcbReport {
    /// Code lines (neither blank nor comment-only) of trusted crates.
    pub trusted_lines: usize,
    /// Code lines of all kernel crates, trusted and untrusted; host crates are not counted.
    pub kernel_lines: usize,
    /// `unsafe` blocks in all kernel crates.
    pub unsafe_blocks: usize,
    /// Per kernel crate: name, tier, code lines, `unsafe` blocks.
    pub per_crate: Vec<(String, Tier, usize, usize)>,
}

impl TcbReport {
    /// Trusted share of the kernel code lines, in percent.
    pub fn percent(&self) -> f64 {
        if self.kernel_lines == 0 {
            0.0
        } else {
            self.trusted_lines as f64 * 100.0 / self.kernel_lines as f64
        }
    }

    fn add(&mut self, name: &str, tier: Tier, lines: usize, unsafe_blocks: usize) {
        if tier == Tier::Host {
            return;
        }
        if tier == Tier::Trusted {
            self.trusted_lines += lines;
        }
        self.kernel_lines += lines;
        self.unsafe_blocks += unsafe_blocks;
        self.per_crate
            .push((name.to_string(), tier, lines, unsafe_blocks));
    }
}

/// Outcome of a lint run: the violations found and the TCB measurement.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Every broken rule, in workspace order.
    pub violations: Vec<Violation>,
    /// The TCB measurement of the kernel crates.
    pub tcb: TcbReport,
}

impl Report {
    /// Prints each violation as `lint: error: FILE:LINE: MESSAGE`, then the TCB table and totals.
    pub fn print(&self) {
        for v in &self.violations {
            println!("lint: error: {v}");
        }
        println!(
            "{:<24} {:<10} {:>10} {:>14}",
            "crate", "tier", "code lines", "unsafe blocks"
        );
        for (name, tier, lines, blocks) in &self.tcb.per_crate {
            println!(
                "{name:<24} {:<10} {lines:>10} {blocks:>14}",
                tier.to_string()
            );
        }
        println!(
            "TCB: {} trusted code lines of {} kernel code lines ({:.1}%), {} unsafe blocks",
            self.tcb.trusted_lines,
            self.tcb.kernel_lines,
            self.tcb.percent(),
            self.tcb.unsafe_blocks
        );
    }

    /// Whether no rule is broken.
    pub fn passed(&self) -> bool {
        self.violations.is_empty()
    }
}

/// Runs every tier rule on the workspace at `root` and measures its TCB.
///
/// Fails only when `cargo metadata` cannot be run or read; broken rules are in the report.
pub fn run(root: &Path) -> Result<Report, String> {
    let meta = metadata::Metadata::load(root)?;
    let mut report = Report::default();
    let mut tiers = Vec::new();
    for pkg in meta.members() {
        let tier = match pkg.tier.as_deref().map(Tier::parse) {
            Some(Some(tier)) => tier,
            declared => {
                let what = match declared {
                    None => "declares no `[package.metadata.framekernel] tier`".to_string(),
                    Some(_) => format!("has unknown tier {:?}", pkg.tier.as_deref().unwrap_or("")),
                };
                let msg = format!(
                    "package `{}` {what}; expected \"trusted\", \"untrusted\" or \"host\"",
                    pkg.name
                );
                report
                    .violations
                    .push(Violation::new(&pkg.manifest, None, msg));
                continue;
            }
        };
        tiers.push((pkg.id.clone(), tier));
        let src_dir = pkg.manifest.parent().unwrap_or(root).join("src");
        let checked = source::check_crate(&pkg.name, tier, &src_dir, &pkg.roots);
        report.violations.extend(checked.violations);
        report
            .tcb
            .add(&pkg.name, tier, checked.code_lines, checked.unsafe_blocks);
    }
    let vetted = deps::Vetted::load(&root.join("vetted-crates.toml"));
    report.violations.extend(vetted.violations.iter().cloned());
    report
        .violations
        .extend(deps::check(&meta, &tiers, &vetted));
    for v in &mut report.violations {
        if let Ok(rel) = v.file.strip_prefix(root) {
            v.file = rel.to_path_buf();
        }
    }
    Ok(report)
}
