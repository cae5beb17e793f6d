//! `cargo xtask bench`: benchmark suites.
//!
//! - `vm`: the host benchmark of vm-corten against a classic VMA tree + page table under one
//!   readers-writer lock (`examples/vm-bench`), built in release and run here; it prints its
//!   table and writes `target/bench/vm.json`. Options: `--threads N` (thread counts 1, 2, 4,
//!   ..., N; default 2), `--reps N`, `--scale F`, `--only WORKLOAD`.
//!
//! The suites that run user-space benchmarks on this kernel and on Linux under QEMU come later.

use std::path::Path;
use std::process::ExitCode;

/// The suites `cargo xtask bench SUITE` knows.
const SUITES: &str = "vm (host: vm-corten against a VMA tree under one RwLock)";

/// Runs `cargo xtask bench [SUITE [OPTIONS...]]`.
pub fn run(root: &Path, args: &[String]) -> Result<ExitCode, String> {
    match args.split_first() {
        Some((suite, rest)) if suite == "vm" => vm(root, rest),
        Some((suite, _)) if !suite.starts_with('-') => Err(format!(
            "unknown benchmark suite `{suite}`; suites: {SUITES}"
        )),
        _ => {
            println!(
                "xtask: only one benchmark suite exists so far: {SUITES}.\n\
                 run it with `cargo xtask bench vm [--threads N]`; the suites comparing \
                 against Linux under QEMU come later"
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn vm(root: &Path, args: &[String]) -> Result<ExitCode, String> {
    if args.iter().any(|a| a == "--out") {
        return Err("bench vm writes target/bench/vm.json; --out is not an option here".into());
    }
    let out = root.join("target/bench/vm.json");
    let status = crate::cargo()
        .current_dir(root)
        .args(["run", "--release", "--quiet", "-p", "vm-bench", "--"])
        .args(args)
        .arg("--out")
        .arg(&out)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err(format!("vm-bench failed with {status}"));
    }
    Ok(ExitCode::SUCCESS)
}
