//! The guest's initramfs: a newc cpio archive per architecture, `target/initramfs-<arch>.cpio`.
//!
//! Contents:
//! - `/bin/busybox` from Debian's `busybox-static` (see `debian.rs`) and a symlink to it for
//!   every applet, at BusyBox's own install paths (`bin/sh`, `usr/bin/awk`, ...);
//! - the directories `/dev /proc /sys /tmp /etc /root`, the nodes `/dev/console`,
//!   `/dev/null` and `/dev/zero`, a one-user `/etc/passwd` and `/etc/group`;
//! - `/init` from `tests/init` (its header documents the convention);
//! - the project's C test programs `tests/c/*.c`, compiled statically (`musl-gcc` for x86-64,
//!   `riscv64-linux-gnu-gcc` for riscv64) into `target/initramfs/<arch>/` and put in `/tests/`;
//! - the benchmark suite `tests/bench/*.c`, compiled the same way (with `-pthread`) into one
//!   program, `/bench/bench` (`cargo xtask bench` runs it);
//! - files given with `--include HOST_PATH[:GUEST_PATH]`;
//! - with a command (`cargo xtask qemu -- COMMAND`), `/etc/init.cmd`.
//!
//! The applet list comes without running a foreign binary: the host-runnable amd64 BusyBox
//! answers `--list-full`; for other architectures the applet name table is read out of the
//! binary and each applet gets the path the amd64 list gives it (`bin/` when it has none).
//!
//! The archive is rebuilt on every call (well under a second); the C programs only when their
//! sources are newer than the binaries.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::arch::Arch;
use crate::cpio::{self, Archive};
use crate::debian;

/// Where the command of `cargo xtask qemu -- COMMAND` goes in the guest.
pub const COMMAND_FILE: &str = "/etc/init.cmd";

/// The line `/init` prints when its command (or shell) ends, followed by the status.
pub const STATUS_MARKER: &str = "init: exit status ";

/// The C test programs' sources, relative to the workspace root.
const C_TESTS_DIR: &str = "tests/c";
/// The `/init` script, relative to the workspace root.
const INIT_SCRIPT: &str = "tests/init";
/// The benchmark suite's sources, relative to the workspace root.
const BENCH_DIR: &str = "tests/bench";
/// Where the benchmark program goes in the guest.
pub const BENCH_GUEST_PATH: &str = "/bench/bench";

/// A host file or directory to put in the initramfs (`--include HOST_PATH[:GUEST_PATH]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Include {
    /// The file or directory on the host.
    pub host: PathBuf,
    /// Its absolute path in the guest.
    pub guest: String,
}

impl Include {
    /// Parses `HOST_PATH[:GUEST_PATH]`. The guest path is absolute; without one, the file
    /// goes to `/NAME` (its file name). A host path may itself contain `:` when a guest path
    /// follows (the split is at the last `:` followed by `/`).
    pub fn parse(spec: &str) -> Result<Include, String> {
        let (host, guest) = match spec.rsplit_once(':') {
            Some((host, guest)) if guest.starts_with('/') && !host.is_empty() => {
                (host, guest.to_string())
            }
            _ => {
                let name = Path::new(spec)
                    .file_name()
                    .and_then(|n| n.to_str())
                    .filter(|n| *n != "..")
                    .ok_or(format!(
                        "--include {spec}: no file name to use in the guest"
                    ))?;
                (spec, format!("/{name}"))
            }
        };
        if guest.split('/').any(|c| c == "..") || guest.trim_matches('/').is_empty() {
            return Err(format!("--include {spec}: bad guest path `{guest}`"));
        }
        Ok(Include {
            host: PathBuf::from(host),
            guest,
        })
    }
}

/// What goes into an initramfs besides the fixed contents.
#[derive(Clone, Copy, Debug, Default)]
pub struct Spec<'a> {
    /// Extra host files.
    pub includes: &'a [Include],
    /// The command for `/init` (`cargo xtask qemu -- COMMAND`), written to `/etc/init.cmd`.
    pub command: Option<&'a str>,
}

/// A built initramfs.
#[derive(Debug)]
pub struct Built {
    /// The archive.
    pub path: PathBuf,
    /// Number of entries.
    pub entries: usize,
    /// Size in bytes.
    pub size: u64,
    /// Number of applet links.
    pub applets: usize,
    /// Guest paths of the C test programs (`/tests/NAME`).
    pub tests: Vec<String>,
}

impl Built {
    /// One line for the console.
    pub fn describe(&self, root: &Path) -> String {
        format!(
            "initramfs {} ({} entries, {} applets, {} C tests, {} KiB)",
            self.path.strip_prefix(root).unwrap_or(&self.path).display(),
            self.entries,
            self.applets,
            self.tests.len(),
            self.size.div_ceil(1024)
        )
    }
}

/// `target/initramfs-<arch>.cpio` (or `...-cmd.cpio` for an archive that carries a command).
pub fn path(root: &Path, arch: Arch, with_command: bool) -> PathBuf {
    let suffix = if with_command { "-cmd" } else { "" };
    root.join("target")
        .join(format!("initramfs-{arch}{suffix}.cpio"))
}

/// Builds the initramfs for `arch`.
pub fn build(root: &Path, arch: Arch, spec: Spec) -> Result<Built, String> {
    let busybox_path = debian::busybox(root, arch)?;
    let busybox = read(&busybox_path)?;
    let applets = applet_paths(root, arch, &busybox_path, &busybox)?;
    let tests = compile_c_tests(root, arch)?;
    let bench = compile_bench(root, arch)?;

    let mut a = Archive::new();
    for dir in [
        "/bin",
        "/sbin",
        "/usr/bin",
        "/usr/sbin",
        "/dev",
        "/proc",
        "/sys",
        "/etc",
        "/tests",
        "/bench",
    ] {
        a.dir(dir, 0o755)?;
    }
    a.dir("/tmp", 0o1777)?;
    a.dir("/root", 0o700)?;
    // For Linux, which opens /dev/console for init before anything is mounted, and for a
    // kernel without a device filesystem.
    a.char_dev("/dev/console", 0o600, 5, 1)?;
    a.char_dev("/dev/null", 0o666, 1, 3)?;
    a.char_dev("/dev/zero", 0o666, 1, 5)?;
    a.file(
        "/etc/passwd",
        0o644,
        b"root:x:0:0:root:/root:/bin/sh\n".to_vec(),
    )?;
    a.file("/etc/group", 0o644, b"root:x:0:\n".to_vec())?;
    a.file("/bin/busybox", 0o755, busybox)?;
    for applet in &applets {
        if applet != "bin/busybox" {
            a.symlink(applet, "/bin/busybox")?;
        }
    }
    a.file("/init", 0o755, read(&root.join(INIT_SCRIPT))?)?;
    let mut guest_tests = Vec::new();
    for test in &tests {
        let name = test.file_name().unwrap_or_default().to_string_lossy();
        let guest = format!("/tests/{name}");
        a.file(&guest, 0o755, read(test)?)?;
        guest_tests.push(guest);
    }
    a.file(BENCH_GUEST_PATH, 0o755, read(&bench)?)?;
    for include in spec.includes {
        add_host_path(&mut a, &include.host, &include.guest)
            .map_err(|e| format!("--include {}: {e}", include.host.display()))?;
    }
    if let Some(command) = spec.command {
        a.file(COMMAND_FILE, 0o644, format!("{command}\n").into_bytes())?;
    }

    let out = path(root, arch, spec.command.is_some());
    let bytes = a.to_bytes();
    std::fs::write(&out, &bytes).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    Ok(Built {
        path: out,
        entries: a.len(),
        size: bytes.len() as u64,
        applets: applets.len(),
        tests: guest_tests,
    })
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// Adds a host file, symlink or directory (recursively) at `guest`, keeping permissions.
fn add_host_path(a: &mut Archive, host: &Path, guest: &str) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::symlink_metadata(host)
        .map_err(|e| format!("cannot read {}: {e}", host.display()))?;
    let perm = meta.permissions().mode() & 0o7777;
    if meta.file_type().is_symlink() {
        let target = std::fs::read_link(host).map_err(|e| e.to_string())?;
        a.symlink(guest, &target.to_string_lossy())
    } else if meta.is_dir() {
        a.dir(guest, perm)?;
        let mut children: Vec<_> = std::fs::read_dir(host)
            .map_err(|e| format!("cannot list {}: {e}", host.display()))?
            .flatten()
            .map(|e| e.file_name())
            .collect();
        children.sort();
        for child in children {
            let guest_child = format!(
                "{}/{}",
                guest.trim_end_matches('/'),
                child.to_string_lossy()
            );
            add_host_path(a, &host.join(&child), &guest_child)?;
        }
        Ok(())
    } else if meta.is_file() {
        a.file(guest, perm, read(host)?)
    } else {
        Err(format!(
            "{} is not a file, directory or symlink",
            host.display()
        ))
    }
}

/// The C compiler and flags for `arch`'s static test programs.
fn c_compiler(arch: Arch) -> &'static str {
    match arch {
        Arch::X86_64 => "musl-gcc",
        Arch::Riscv64 => "riscv64-linux-gnu-gcc",
    }
}

/// Runs `arch`'s C compiler: `-static -O2 -Wall -Wextra -Werror`, then `extra` flags, the
/// sources, `-o out`. On failure the half-written output is removed.
fn compile(arch: Arch, sources: &[PathBuf], extra: &[&str], out: &Path) -> Result<(), String> {
    let cc = c_compiler(arch);
    let status = Command::new(cc)
        .args(["-static", "-O2", "-Wall", "-Wextra", "-Werror"])
        .args(extra)
        .args(sources)
        .arg("-o")
        .arg(out)
        .status()
        .map_err(|e| format!("cannot run {cc} (`cargo xtask setup` installs it): {e}"))?;
    if !status.success() {
        let _ = std::fs::remove_file(out);
        let names: Vec<String> = sources.iter().map(|s| s.display().to_string()).collect();
        return Err(format!("{cc} failed on {} ({status})", names.join(" ")));
    }
    Ok(())
}

/// Compiles `tests/bench/*.c` for `arch` into one program, `target/initramfs/<arch>-bench`
/// (when it is missing or older than a source or header), and returns its path.
pub fn compile_bench(root: &Path, arch: Arch) -> Result<PathBuf, String> {
    let src_dir = root.join(BENCH_DIR);
    let out = root.join("target/initramfs").join(format!("{arch}-bench"));
    let mut sources = Vec::new();
    let mut newest = std::time::SystemTime::UNIX_EPOCH;
    for entry in std::fs::read_dir(&src_dir)
        .map_err(|e| format!("cannot list {}: {e}", src_dir.display()))?
        .flatten()
    {
        let p = entry.path();
        let ext = p.extension().and_then(|e| e.to_str());
        if matches!(ext, Some("c" | "h")) {
            newest = newest.max(mtime(&p));
        }
        if ext == Some("c") {
            sources.push(p);
        }
    }
    sources.sort();
    if sources.is_empty() {
        return Err(format!("no C sources in {}", src_dir.display()));
    }
    if !out.is_file() || mtime(&out) < newest {
        std::fs::create_dir_all(root.join("target/initramfs"))
            .map_err(|e| format!("cannot create target/initramfs: {e}"))?;
        compile(arch, &sources, &["-pthread"], &out)?;
    }
    debian::check_static_elf(&out, arch)?;
    Ok(out)
}

/// Compiles every `tests/c/*.c` for `arch` into `target/initramfs/<arch>/NAME` (when the
/// binary is missing or older than a source or header) and returns the binaries' paths.
pub fn compile_c_tests(root: &Path, arch: Arch) -> Result<Vec<PathBuf>, String> {
    let src_dir = root.join(C_TESTS_DIR);
    let out_dir = root.join("target/initramfs").join(arch.to_string());
    std::fs::create_dir_all(&out_dir)
        .map_err(|e| format!("cannot create {}: {e}", out_dir.display()))?;
    let mut sources = Vec::new();
    let mut headers_changed = std::time::SystemTime::UNIX_EPOCH;
    for entry in std::fs::read_dir(&src_dir)
        .map_err(|e| format!("cannot list {}: {e}", src_dir.display()))?
        .flatten()
    {
        let p = entry.path();
        match p.extension().and_then(|e| e.to_str()) {
            Some("c") => sources.push(p),
            Some("h") => headers_changed = headers_changed.max(mtime(&p)),
            _ => {}
        }
    }
    sources.sort();
    let mut built = Vec::new();
    for src in sources {
        let stem = src.file_stem().unwrap_or_default();
        let out = out_dir.join(stem);
        let newest_input = mtime(&src).max(headers_changed);
        if !out.is_file() || mtime(&out) < newest_input {
            compile(arch, std::slice::from_ref(&src), &[], &out)?;
        }
        debian::check_static_elf(&out, arch)?;
        built.push(out);
    }
    if built.is_empty() {
        return Err(format!("no C test programs in {}", src_dir.display()));
    }
    Ok(built)
}

fn mtime(path: &Path) -> std::time::SystemTime {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .unwrap_or(std::time::SystemTime::UNIX_EPOCH)
}

/// BusyBox's applets with their install paths (`bin/sh`, `usr/bin/awk`, ...).
fn applet_paths(
    root: &Path,
    arch: Arch,
    busybox_path: &Path,
    busybox: &[u8],
) -> Result<Vec<String>, String> {
    let host_runnable = cfg!(target_arch = "x86_64") && arch == Arch::X86_64;
    if host_runnable && let Ok(list) = list_full(busybox_path) {
        return Ok(list);
    }
    let names = applet_names(busybox).ok_or(format!(
        "cannot find the applet name table in {}",
        busybox_path.display()
    ))?;
    // Install paths from the amd64 BusyBox, which this host can run.
    let mut dir_of = BTreeMap::new();
    if cfg!(target_arch = "x86_64")
        && let Ok(amd64) = debian::busybox(root, Arch::X86_64)
        && let Ok(list) = list_full(&amd64)
    {
        for path in list {
            if let Some((dir, name)) = path.rsplit_once('/') {
                dir_of.insert(name.to_string(), dir.to_string());
            }
        }
    }
    Ok(names
        .into_iter()
        .map(|name| {
            let dir = dir_of.get(&name).map_or("bin", String::as_str);
            format!("{dir}/{name}")
        })
        .collect())
}

/// `busybox --list-full`, run on the host.
fn list_full(busybox: &Path) -> Result<Vec<String>, String> {
    let out = crate::output_of(Command::new(busybox).arg("--list-full"))?;
    let list: Vec<String> = out
        .lines()
        .map(|l| l.trim().trim_start_matches('/').to_string())
        .filter(|l| !l.is_empty())
        .collect();
    if list.is_empty() {
        return Err(format!("{} --list-full printed nothing", busybox.display()));
    }
    Ok(list)
}

/// Reads BusyBox's applet name table out of its binary: the NUL-separated, strcmp-sorted
/// names that start with `[` and `[[` (`applet_names[]` in `libbb/appletlib.c`), ended by
/// an empty name. Returns the longest such run of at least 20 names.
pub fn applet_names(binary: &[u8]) -> Option<Vec<String>> {
    let is_name_byte =
        |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_.[]".contains(&b);
    let mut best: Option<Vec<String>> = None;
    // The table need not follow a NUL: the array before it in .rodata may end right there.
    let start_pattern = b"[\0[[\0";
    let mut from = 0;
    while let Some(pos) = find(&binary[from..], start_pattern) {
        let start = from + pos;
        from = start + 1;
        let mut names: Vec<String> = Vec::new();
        let mut at = start;
        loop {
            let len = binary[at..].iter().position(|&b| b == 0)?;
            if len == 0 {
                break;
            }
            let name = &binary[at..at + len];
            if !name.iter().all(|&b| is_name_byte(b)) {
                names.clear();
                break;
            }
            let name = String::from_utf8_lossy(name).into_owned();
            if names
                .last()
                .is_some_and(|prev| prev.as_str() >= name.as_str())
            {
                names.clear();
                break;
            }
            names.push(name);
            at += len + 1;
        }
        if names.len() >= 20 && best.as_ref().is_none_or(|b| b.len() < names.len()) {
            best = Some(names);
        }
    }
    best
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The status `/init` reported (`init: exit status N`), the last one in `log`.
pub fn reported_status(log: &str) -> Option<u8> {
    log.lines()
        .rev()
        .find_map(|l| l.trim_end_matches('\r').strip_prefix(STATUS_MARKER))
        .and_then(|s| s.trim().parse().ok())
}

/// A check's name and its outcome (detail on success, reason on failure).
pub type NamedResult = (String, Result<String, String>);

/// The host-side checks of `cargo xtask test`: the initramfs for `arch` builds, and (read back
/// from the file) holds a static BusyBox and static C tests for the right machine. Returns
/// the archive's path (if it was built) and one named result per check.
pub fn check(root: &Path, arch: Arch) -> (Option<PathBuf>, Vec<NamedResult>) {
    let mut results = Vec::new();
    let built = match build(root, arch, Spec::default()) {
        Ok(built) => built,
        Err(e) => {
            results.push((format!("{arch}: initramfs builds"), Err(e)));
            return (None, results);
        }
    };
    results.push((
        format!("{arch}: initramfs builds"),
        Ok(built
            .describe(root)
            .trim_start_matches("initramfs ")
            .to_string()),
    ));
    let entries = match std::fs::read(&built.path)
        .map_err(|e| e.to_string())
        .and_then(|b| cpio::parse(&b))
    {
        Ok(entries) => entries,
        Err(e) => {
            results.push((format!("{arch}: initramfs reads back"), Err(e)));
            return (Some(built.path), results);
        }
    };
    let get = |name: &str| entries.iter().find(|e| e.name == name);
    let machine = crate::elf::machine_name(debian::elf_machine(arch));
    let elf_check = |name: &str| -> Result<String, String> {
        let e = get(name).ok_or(format!("/{name} missing"))?;
        if e.mode & cpio::S_IFMT != cpio::S_IFREG || e.mode & 0o111 == 0 {
            return Err(format!(
                "/{name} is not an executable file (mode {:o})",
                e.mode
            ));
        }
        debian::check_static_elf_bytes(&e.data, arch)?;
        Ok(format!(
            "static ELF for {machine}, {} KiB",
            e.data.len().div_ceil(1024)
        ))
    };
    results.push((
        format!("{arch}: initramfs /bin/busybox is a static {machine} ELF"),
        elf_check("bin/busybox"),
    ));
    let sh_link = get("bin/sh")
        .filter(|e| e.mode & cpio::S_IFMT == cpio::S_IFLNK && e.data == b"/bin/busybox");
    let init = get("init").filter(|e| e.data.starts_with(b"#!/bin/sh") && e.mode & 0o111 != 0);
    let links = entries
        .iter()
        .filter(|e| e.mode & cpio::S_IFMT == cpio::S_IFLNK)
        .count();
    let dirs_missing: Vec<&str> = ["dev", "proc", "sys", "tmp", "etc", "root", "tests", "bench"]
        .into_iter()
        .filter(|d| !get(d).is_some_and(cpio::Entry::is_dir))
        .collect();
    results.push((
        format!("{arch}: initramfs has /init, /bin/sh -> busybox and the base directories"),
        if sh_link.is_some() && init.is_some() && dirs_missing.is_empty() && links > 100 {
            Ok(format!("{links} applet links"))
        } else {
            Err(format!(
                "/init {}, /bin/sh link {}, {links} links, missing directories {dirs_missing:?}",
                if init.is_some() {
                    "ok"
                } else {
                    "missing or not a script"
                },
                if sh_link.is_some() { "ok" } else { "missing" },
            ))
        },
    ));
    results.push((
        format!("{arch}: initramfs {BENCH_GUEST_PATH} is a static {machine} ELF"),
        elf_check(BENCH_GUEST_PATH.trim_start_matches('/')),
    ));
    for test in &built.tests {
        results.push((
            format!("{arch}: initramfs {test} is a static {machine} ELF"),
            elf_check(test.trim_start_matches('/')),
        ));
    }
    if arch == Arch::X86_64 && cfg!(target_arch = "x86_64") {
        // The table parser (used for riscv64) against the binary's own list.
        let parsed = get("bin/busybox").and_then(|e| applet_names(&e.data));
        let listed = debian::busybox(root, arch).and_then(|p| list_full(&p));
        let result = match (parsed, listed) {
            (Some(parsed), Ok(listed)) => {
                let mut names: Vec<String> = listed
                    .iter()
                    .map(|p| p.rsplit('/').next().unwrap_or(p).to_string())
                    .collect();
                names.sort();
                if names == parsed {
                    Ok(format!("{} applets", parsed.len()))
                } else {
                    Err(format!(
                        "parsed {} names, --list-full has {}",
                        parsed.len(),
                        names.len()
                    ))
                }
            }
            (None, _) => Err("no applet name table found".into()),
            (_, Err(e)) => Err(e),
        };
        results.push((
            format!("{arch}: BusyBox applet table read from the binary matches --list-full"),
            result,
        ));
    }
    (Some(built.path), results)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn include_specs() {
        let inc = |s: &str| Include::parse(s);
        assert_eq!(
            inc("out/prog:/usr/bin/prog").unwrap(),
            Include {
                host: "out/prog".into(),
                guest: "/usr/bin/prog".into()
            }
        );
        assert_eq!(inc("out/prog").unwrap().guest, "/prog");
        assert_eq!(inc("/abs/dir/").unwrap().guest, "/dir");
        assert_eq!(inc("a:b:/x").unwrap().host, Path::new("a:b"));
        assert_eq!(inc("a:b").unwrap().guest, "/a:b");
        assert!(inc("prog:/").is_err());
        assert!(inc("prog:/../etc").is_err());
        assert!(inc("..").is_err());
    }

    #[test]
    fn applet_table_is_found() {
        let mut blob = b"junk[\0[[\0not sorted\0\0more".to_vec();
        let names: Vec<String> = (0..30).map(|i| format!("app{i:02}")).collect();
        blob.extend_from_slice(b"\x88[\0[[\0");
        for n in &names {
            blob.extend_from_slice(n.as_bytes());
            blob.push(0);
        }
        blob.extend_from_slice(b"\0tail");
        let found = applet_names(&blob).unwrap();
        assert_eq!(found.len(), 32);
        assert_eq!(found[..2], ["[", "[["]);
        assert_eq!(found[2..], names[..]);
        // Out of order: not a table.
        let bad = b"\0[\0[[\0b\0a\0\0".repeat(3);
        assert_eq!(applet_names(&bad), None);
    }

    #[test]
    fn status_marker() {
        let log = "boot\ninit: exit status 1\nmore\r\ninit: exit status 42\r\nreboot: Power down\n";
        assert_eq!(reported_status(log), Some(42));
        assert_eq!(reported_status("init: exit status x\n"), None);
        assert_eq!(reported_status("no marker"), None);
    }

    #[test]
    fn init_script_follows_the_convention() {
        let init = std::fs::read_to_string(crate::workspace_root().join(INIT_SCRIPT)).unwrap();
        assert!(init.starts_with("#!/bin/sh\n"));
        assert!(init.contains(COMMAND_FILE));
        assert!(init.contains(&format!("echo \"{STATUS_MARKER}$status\"")));
        assert!(init.contains("poweroff -f"));
    }

    #[test]
    fn paths() {
        let root = Path::new("/w");
        assert_eq!(
            path(root, Arch::Riscv64, false),
            Path::new("/w/target/initramfs-riscv64.cpio")
        );
        assert_eq!(
            path(root, Arch::X86_64, true),
            Path::new("/w/target/initramfs-x86_64-cmd.cpio")
        );
    }
}
