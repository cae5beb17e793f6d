//! `cargo xtask setup`: make this machine able to build and boot the kernel.
//!
//! Checks, and installs what is missing:
//! - the Rust targets and components named in `rust-toolchain.toml` (with rustup);
//! - QEMU 10 for x86-64 and riscv64, from `<codename>-backports`: Debian 12's own QEMU 7.2
//!   conflicts with the preinstalled qemu-utils 10. The backports suite goes in a separate
//!   sources file (`/etc/apt/sources.list.d/framekernel-backports.sources`), whose archive
//!   address is read from the machine's own apt configuration; `debian.sources` is never edited;
//! - the C compilers of the user-space test programs: `musl-gcc` (musl-tools) for x86-64 and
//!   `riscv64-linux-gnu-gcc` with its C library (gcc-riscv64-linux-gnu,
//!   libc6-dev-riscv64-cross) for riscv64, from the machine's own suite. (`apt-get` and
//!   `dpkg-deb`, which fetch and unpack BusyBox, come with every Debian system.)
//!
//! Installing packages needs root; otherwise setup prints the exact commands to run.

use std::process::Command;

const TARGETS: [&str; 2] = ["x86_64-unknown-none", "riscv64gc-unknown-none-elf"];
const COMPONENTS: [&str; 4] = ["rust-src", "llvm-tools", "clippy", "rustfmt"];
const QEMU_PACKAGES: [&str; 2] = ["qemu-system-x86", "qemu-system-riscv"];
const QEMU_MIN_MAJOR: u32 = 10;
const BACKPORTS_FILE: &str = "/etc/apt/sources.list.d/framekernel-backports.sources";
/// Debian packages for building the user-space test programs (`tests/c/`).
const USER_SPACE_PACKAGES: [&str; 3] = [
    "musl-tools",
    "gcc-riscv64-linux-gnu",
    "libc6-dev-riscv64-cross",
];

/// Installs what is missing. With `verbose`, also says when nothing was needed.
pub fn run(verbose: bool) -> Result<(), String> {
    let mut did = Vec::new();
    rust(&mut did)?;
    qemu(&mut did)?;
    user_space_tools(&mut did)?;
    for line in &did {
        eprintln!("setup: {line}");
    }
    if verbose && did.is_empty() {
        eprintln!(
            "setup: nothing to do: Rust targets, components, QEMU {QEMU_MIN_MAJOR} and the C \
             compilers are present"
        );
    }
    Ok(())
}

fn rust(did: &mut Vec<String>) -> Result<(), String> {
    let root = crate::workspace_root();
    let installed = |what: &str| -> Result<String, String> {
        crate::output_of(Command::new("rustup").current_dir(&root).args([
            what,
            "list",
            "--installed",
        ]))
    };
    let targets = installed("target")?;
    let missing: Vec<&str> = TARGETS
        .into_iter()
        .filter(|t| !targets.lines().any(|l| l.trim() == *t))
        .collect();
    if !missing.is_empty() {
        crate::run_checked(
            Command::new("rustup")
                .current_dir(&root)
                .args(["target", "add"])
                .args(&missing),
        )?;
        did.push(format!("added Rust targets {}", missing.join(", ")));
    }
    let components = installed("component")?;
    let missing: Vec<&str> = COMPONENTS
        .into_iter()
        .filter(|c| {
            !components
                .lines()
                .any(|l| l.trim().starts_with(&format!("{c}-")) || l.trim() == *c)
        })
        .collect();
    if !missing.is_empty() {
        crate::run_checked(
            Command::new("rustup")
                .current_dir(&root)
                .args(["component", "add"])
                .args(&missing),
        )?;
        did.push(format!("added Rust components {}", missing.join(", ")));
    }
    Ok(())
}

/// The major version of `binary`, if it runs.
fn qemu_major(binary: &str) -> Option<u32> {
    let out = Command::new(binary).arg("--version").output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let version = text.split("version ").nth(1)?;
    version.split('.').next()?.trim().parse().ok()
}

fn qemu(did: &mut Vec<String>) -> Result<(), String> {
    let stale: Vec<&str> = ["qemu-system-x86_64", "qemu-system-riscv64"]
        .into_iter()
        .filter(|b| qemu_major(b).is_none_or(|v| v < QEMU_MIN_MAJOR))
        .collect();
    if stale.is_empty() {
        return Ok(());
    }
    let codename = os_release("VERSION_CODENAME")
        .ok_or("cannot read VERSION_CODENAME from /etc/os-release")?;
    let uri = debian_archive_uri()?;
    let suite = format!("{codename}-backports");
    let sources = format!(
        "Types: deb\nURIs: {uri}\nSuites: {suite}\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n"
    );
    let install = format!(
        "apt-get install -y --no-install-recommends -t {suite} {}",
        QEMU_PACKAGES.join(" ")
    );
    if !is_root() {
        return Err(format!(
            "{} missing or older than {QEMU_MIN_MAJOR}; as root, run:\n  printf '{}' > {BACKPORTS_FILE}\n  apt-get update\n  {install}",
            stale.join(" and "),
            sources.replace('\n', "\\n"),
        ));
    }
    if std::fs::read_to_string(BACKPORTS_FILE).ok().as_deref() != Some(sources.as_str()) {
        std::fs::write(BACKPORTS_FILE, &sources)
            .map_err(|e| format!("cannot write {BACKPORTS_FILE}: {e}"))?;
        did.push(format!("added {suite} in {BACKPORTS_FILE}"));
    }
    eprintln!("setup: installing QEMU {QEMU_MIN_MAJOR} from {suite} (a few minutes)...");
    crate::run_checked(Command::new("apt-get").args(["update", "-q"]))?;
    crate::run_checked(
        Command::new("sh")
            .args(["-c", &install])
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )?;
    for binary in stale {
        match qemu_major(binary) {
            Some(v) if v >= QEMU_MIN_MAJOR => did.push(format!("installed {binary} (QEMU {v})")),
            other => {
                return Err(format!(
                    "{binary} still unusable after install (version {other:?})"
                ));
            }
        }
    }
    Ok(())
}

/// Whether dpkg knows `package` as installed.
fn deb_installed(package: &str) -> bool {
    crate::output_of(Command::new("dpkg-query").args(["-W", "-f=${db:Status-Status}", package]))
        .is_ok_and(|s| s.trim() == "installed")
}

fn user_space_tools(did: &mut Vec<String>) -> Result<(), String> {
    let missing: Vec<&str> = USER_SPACE_PACKAGES
        .into_iter()
        .filter(|p| !deb_installed(p))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let install = format!(
        "apt-get install -y --no-install-recommends {}",
        missing.join(" ")
    );
    if !is_root() {
        return Err(format!(
            "the C compilers for the user-space tests are missing ({}); as root, run:\n  \
             apt-get update\n  {install}",
            missing.join(", ")
        ));
    }
    eprintln!("setup: installing {} ...", missing.join(" "));
    crate::run_checked(Command::new("apt-get").args(["update", "-q"]))?;
    crate::run_checked(
        Command::new("sh")
            .args(["-c", &install])
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )?;
    let still: Vec<&&str> = missing.iter().filter(|p| !deb_installed(p)).collect();
    if !still.is_empty() {
        return Err(format!("{still:?} still not installed after `{install}`"));
    }
    did.push(format!("installed {}", missing.join(", ")));
    Ok(())
}

fn is_root() -> bool {
    crate::output_of(Command::new("id").arg("-u")).is_ok_and(|uid| uid.trim() == "0")
}

fn os_release(key: &str) -> Option<String> {
    let text = std::fs::read_to_string("/etc/os-release").ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
        .map(|v| v.trim_matches('"').to_string())
}

/// The Debian archive's address, from the machine's apt configuration (the first `URIs:` of
/// `debian.sources`, or the first `deb` line of `sources.list`).
pub fn debian_archive_uri() -> Result<String, String> {
    if let Ok(text) = std::fs::read_to_string("/etc/apt/sources.list.d/debian.sources")
        && let Some(uri) = text.lines().find_map(|l| l.strip_prefix("URIs:"))
        && let Some(first) = uri.split_whitespace().next()
    {
        return Ok(first.to_string());
    }
    if let Ok(text) = std::fs::read_to_string("/etc/apt/sources.list") {
        for line in text.lines() {
            let mut words = line.split_whitespace().filter(|w| !w.starts_with('['));
            if words.next() == Some("deb")
                && let Some(uri) = words.next()
            {
                return Ok(uri.to_string());
            }
        }
    }
    Err("cannot find the Debian archive in /etc/apt (debian.sources or sources.list)".into())
}
