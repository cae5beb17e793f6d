//! Building kernel images with cargo.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::arch::Arch;

/// Cargo profile of a build.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profile {
    /// `dev` (opt-level 1, debug info).
    Debug,
    /// `release`.
    Release,
}

/// A built kernel image.
pub struct Image {
    /// The ELF file QEMU boots.
    pub path: PathBuf,
}

impl Image {
    /// Builds `kernel-image` (or the example kernel `example`) for `arch`.
    pub fn build(
        root: &Path,
        arch: Arch,
        profile: Profile,
        example: Option<&str>,
    ) -> Result<Image, String> {
        let (package, bin) = match example {
            None => ("kernel-image", "kernel"),
            Some(name) => (name, name),
        };
        let mut cmd = crate::cargo();
        cmd.current_dir(root).args([
            "build",
            "--quiet",
            "-p",
            package,
            "--bin",
            bin,
            "--target",
            arch.target(),
        ]);
        if profile == Profile::Release {
            cmd.arg("--release");
        }
        crate::run_checked(&mut cmd)?;
        let dir = if profile == Profile::Release {
            "release"
        } else {
            "debug"
        };
        let path = root.join("target").join(arch.target()).join(dir).join(bin);
        if !path.is_file() {
            return Err(format!("cargo succeeded but {} is missing", path.display()));
        }
        Ok(Image { path })
    }
}

/// `cargo` as invoked by `cargo xtask` (the same toolchain).
pub fn cargo_command() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}
