//! `cargo xtask`: the host-side driver of the framekernel.
//!
//! Commands (contracts in `shared/DESIGN.md` §4):
//! - `setup`: install what the machine lacks (rustup targets, QEMU) and say what it did;
//! - `build --arch A [--release]`: build the kernel image and print its path;
//! - `qemu [--arch A] [--smp N] [--release] [-- COMMAND...]`: boot the image under QEMU (TCG);
//! - `lint`: the tier rules and the TCB report;
//! - `test [--arch A]`: host tests, fmt, clippy, lint, and the in-QEMU suites; ends with
//!   `N passed, N failed`;
//! - `bench [--arch A] [--only WORDS] [--reps N] [--icount]`: the user-space benchmarks on this
//!   kernel and on Debian's Linux under QEMU; a ratio table, JSON and an SVG chart;
//! - `bench vm [--threads N]`: the host benchmark of vm-corten against a classic design.

mod arch;
mod bench;
mod cli;
mod cpio;
mod debian;
mod elf;
mod image;
mod initramfs;
mod lint;
mod qemu;
mod setup;
mod test;

use std::path::PathBuf;
use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match cli::dispatch(&args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("xtask: error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root (the parent of `xtask/`).
fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

/// `cargo`, the same one that runs xtask.
fn cargo() -> Command {
    image::cargo_command()
}

/// Runs `cmd`, failing with its name and status if it does not succeed.
fn run_checked(cmd: &mut Command) -> Result<(), String> {
    let status = cmd
        .status()
        .map_err(|e| format!("cannot run {cmd:?}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{cmd:?} failed with {status}"))
    }
}

/// Runs `cmd` and returns its standard output.
fn output_of(cmd: &mut Command) -> Result<String, String> {
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run {cmd:?}: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!(
            "{cmd:?} failed with {}: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}
