//! Debian packages for the guest's user space, downloaded and cached under `target/debian/`.
//!
//! Each (architecture, suite) pair gets a private apt configuration rooted in
//! `target/debian/<debarch>-<suite>/apt/`: its own one-line `sources.list`
//! (`deb [arch=A signed-by=KEYRING] URI SUITE main`), state, cache, an empty dpkg status, and
//! `APT::Architecture` set to the package architecture. `apt-get -c <that apt.conf> update`
//! and `apt-get -c <that apt.conf> download PKG` then fetch a `.deb` without touching the
//! system's sources, lists or caches (the system's `apt.conf.d` still applies, for proxies and
//! the like; `-c` is read after it, so the private settings win). `dpkg-deb -x` unpacks it.
//!
//! The archive's address and keyring come from the machine's own apt configuration
//! (`debian.sources`); no address is written in the repository. amd64 packages come from
//! Debian 12 (bookworm), riscv64 ones from Debian 13 (trixie).
//!
//! Two things are fetched: `busybox-static` (the guest's user space) and, for
//! `cargo xtask bench`, the Linux kernel that is the baseline: the versioned package that
//! Debian's kernel metapackage (`linux-image-cloud-amd64`, `linux-image-riscv64`) depends on,
//! of which only `/boot/vmlinu[xz]-*` is kept.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::arch::Arch;
use crate::elf;

/// The keyring apt uses when `debian.sources` names none.
const DEFAULT_KEYRING: &str = "/usr/share/keyrings/debian-archive-keyring.gpg";

/// Where a package architecture's packages come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Suite {
    /// Debian's name of the architecture (`amd64`, `riscv64`).
    pub debian_arch: &'static str,
    /// The release codename (`bookworm`, `trixie`).
    pub codename: &'static str,
}

/// The Debian suite whose packages run on `arch` guests.
pub fn suite(arch: Arch) -> Suite {
    match arch {
        Arch::X86_64 => Suite {
            debian_arch: "amd64",
            codename: "bookworm",
        },
        Arch::Riscv64 => Suite {
            debian_arch: "riscv64",
            codename: "trixie",
        },
    }
}

/// `e_machine` of `arch`'s user programs.
pub fn elf_machine(arch: Arch) -> u16 {
    match arch {
        Arch::X86_64 => elf::EM_X86_64,
        Arch::Riscv64 => elf::EM_RISCV,
    }
}

/// A private apt configuration for one suite and architecture.
#[derive(Clone, Debug)]
pub struct AptRoot {
    /// The directory holding `apt.conf`, `sources.list`, state and cache.
    pub dir: PathBuf,
    /// Architecture and release.
    pub suite: Suite,
    /// The archive's address (from the machine's apt configuration).
    pub uri: String,
    /// The keyring that signs the archive, if one is known.
    pub keyring: Option<String>,
}

impl AptRoot {
    /// The configuration under `target/debian/` for `suite`, with the machine's archive.
    pub fn for_suite(root: &Path, suite: Suite) -> Result<AptRoot, String> {
        Ok(AptRoot {
            dir: cache_dir(root, suite).join("apt"),
            suite,
            uri: crate::setup::debian_archive_uri()?,
            keyring: system_keyring(),
        })
    }

    fn path(&self, rel: &str) -> String {
        self.dir.join(rel).display().to_string()
    }

    /// The text of `sources.list`.
    pub fn sources_list(&self) -> String {
        let mut options = format!("arch={}", self.suite.debian_arch);
        if let Some(keyring) = &self.keyring {
            options.push_str(&format!(" signed-by={keyring}"));
        }
        format!(
            "deb [{options}] {} {} main\n",
            self.uri, self.suite.codename
        )
    }

    /// The text of `apt.conf`.
    pub fn apt_conf(&self) -> String {
        let arch = self.suite.debian_arch;
        let lines = [
            "// Written by cargo xtask: a private apt configuration. Only this directory's".into(),
            "// sources, state and cache are used; the system's are left alone.".into(),
            format!("Dir::State \"{}\";", self.path("state")),
            format!("Dir::State::status \"{}\";", self.path("state/status")),
            format!("Dir::Cache \"{}\";", self.path("cache")),
            format!("Dir::Etc::SourceList \"{}\";", self.path("sources.list")),
            format!("Dir::Etc::SourceParts \"{}\";", self.path("sources.list.d")),
            format!("Dir::Etc::Preferences \"{}\";", self.path("preferences")),
            format!(
                "Dir::Etc::PreferencesParts \"{}\";",
                self.path("preferences.d")
            ),
            format!("APT::Architecture \"{arch}\";"),
            format!("APT::Architectures {{ \"{arch}\"; }};"),
            // Files under target/ need not be readable by the `_apt` sandbox user.
            "APT::Sandbox::User \"root\";".into(),
            "Acquire::Languages \"none\";".into(),
            "Acquire::IndexTargets::deb::DEP-11::DefaultEnabled \"false\";".into(),
            "Acquire::IndexTargets::deb::DEP-11-icons-small::DefaultEnabled \"false\";".into(),
            "Acquire::IndexTargets::deb::DEP-11-icons::DefaultEnabled \"false\";".into(),
            "Acquire::IndexTargets::deb::DEP-11-icons-hidpi::DefaultEnabled \"false\";".into(),
        ];
        lines.join("\n") + "\n"
    }

    /// Creates the directory tree and writes the configuration files.
    pub fn prepare(&self) -> Result<(), String> {
        for dir in [
            "state/lists/partial",
            "cache/archives/partial",
            "sources.list.d",
            "preferences.d",
        ] {
            mkdir(&self.dir.join(dir))?;
        }
        write(
            &self.dir.join("sources.list"),
            self.sources_list().as_bytes(),
        )?;
        write(&self.dir.join("apt.conf"), self.apt_conf().as_bytes())?;
        if !self.dir.join("state/status").exists() {
            write(&self.dir.join("state/status"), b"")?;
        }
        Ok(())
    }

    /// `apt-get` with this configuration.
    pub fn apt_get(&self) -> Command {
        let mut cmd = Command::new("apt-get");
        cmd.arg("-c").arg(self.dir.join("apt.conf"));
        cmd
    }

    /// `apt-cache` with this configuration.
    pub fn apt_cache(&self) -> Command {
        let mut cmd = Command::new("apt-cache");
        cmd.arg("-c").arg(self.dir.join("apt.conf"));
        cmd
    }

    /// The record of the candidate version of `package` (`apt-cache show`).
    pub fn show(&self, package: &str) -> Result<String, String> {
        crate::output_of(
            self.apt_cache()
                .args(["show", "--no-all-versions", package]),
        )
    }

    /// Refreshes the package lists.
    pub fn update(&self) -> Result<(), String> {
        crate::output_of(self.apt_get().args(["-qq", "--error-on=any", "update"])).map(drop)
    }

    /// Downloads `package` into `into` and returns the `.deb`'s path.
    pub fn download(&self, package: &str, into: &Path) -> Result<PathBuf, String> {
        mkdir(into)?;
        let prefix = format!("{package}_");
        let suffix = format!("_{}.deb", self.suite.debian_arch);
        let debs = |dir: &Path| -> Vec<PathBuf> {
            let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with(&prefix) && n.ends_with(&suffix))
                })
                .collect();
            found.sort();
            found
        };
        for old in debs(into) {
            let _ = std::fs::remove_file(old);
        }
        crate::output_of(
            self.apt_get()
                .current_dir(into)
                .args(["-qq", "download", package]),
        )?;
        debs(into).pop().ok_or(format!(
            "apt-get download {package} left no .deb in {}",
            into.display()
        ))
    }
}

/// The keyring named by `Signed-By:` in the machine's `debian.sources`, else the default
/// Debian keyring if it exists.
fn system_keyring() -> Option<String> {
    let named = std::fs::read_to_string("/etc/apt/sources.list.d/debian.sources")
        .ok()
        .and_then(|text| {
            text.lines()
                .find_map(|l| l.strip_prefix("Signed-By:"))
                .map(|v| v.trim().to_string())
        })
        .filter(|v| v.starts_with('/') && Path::new(v).is_file());
    named.or_else(|| {
        Path::new(DEFAULT_KEYRING)
            .is_file()
            .then(|| DEFAULT_KEYRING.to_string())
    })
}

/// `target/debian/<debarch>-<codename>`.
pub fn cache_dir(root: &Path, suite: Suite) -> PathBuf {
    root.join("target/debian")
        .join(format!("{}-{}", suite.debian_arch, suite.codename))
}

fn mkdir(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Checks that `path` is a static ELF executable for `arch`.
pub fn check_static_elf(path: &Path, arch: Arch) -> Result<elf::ElfInfo, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    check_static_elf_bytes(&bytes, arch).map_err(|e| format!("{}: {e}", path.display()))
}

/// Checks that `bytes` are a static ELF executable for `arch`.
pub fn check_static_elf_bytes(bytes: &[u8], arch: Arch) -> Result<elf::ElfInfo, String> {
    let info = elf::inspect(bytes)?;
    let want = elf_machine(arch);
    if info.machine != want {
        return Err(format!(
            "ELF for {} (e_machine {}), not {} ({want})",
            elf::machine_name(info.machine),
            info.machine,
            elf::machine_name(want)
        ));
    }
    if !info.is_static {
        return Err("dynamically linked (has PT_INTERP or PT_DYNAMIC)".into());
    }
    Ok(info)
}

/// The statically linked BusyBox of Debian's `busybox-static` for `arch`:
/// `target/debian/<debarch>-<codename>/busybox`, downloaded and unpacked when missing.
pub fn busybox(root: &Path, arch: Arch) -> Result<PathBuf, String> {
    let suite = suite(arch);
    let dir = cache_dir(root, suite);
    let binary = dir.join("busybox");
    if binary.is_file() && check_static_elf(&binary, arch).is_ok() {
        return Ok(binary);
    }
    let apt = AptRoot::for_suite(root, suite)?;
    apt.prepare()?;
    eprintln!(
        "debian: fetching busybox-static for {} from {} ...",
        suite.debian_arch, suite.codename
    );
    apt.update()?;
    let deb = apt.download("busybox-static", &dir.join("debs"))?;
    let version = crate::output_of(Command::new("dpkg-deb").arg("-f").arg(&deb).arg("Version"))?;
    let extract = dir.join("busybox-static");
    let _ = std::fs::remove_dir_all(&extract);
    crate::run_checked(Command::new("dpkg-deb").arg("-x").arg(&deb).arg(&extract))?;
    // bookworm ships /bin/busybox; trixie, with its merged /usr, /usr/bin/busybox.
    let unpacked = ["bin/busybox", "usr/bin/busybox"]
        .into_iter()
        .map(|p| extract.join(p))
        .find(|p| p.is_file())
        .ok_or(format!(
            "no bin/busybox or usr/bin/busybox in {}",
            deb.display()
        ))?;
    let info = check_static_elf(&unpacked, arch)?;
    std::fs::copy(&unpacked, &binary).map_err(|e| {
        format!(
            "cannot copy {} to {}: {e}",
            unpacked.display(),
            binary.display()
        )
    })?;
    let size = std::fs::metadata(&binary).map(|m| m.len()).unwrap_or(0);
    eprintln!(
        "debian: downloaded {} (busybox-static {} {}, {}), unpacked {} ({} KiB, static ELF for {})",
        deb.file_name().unwrap_or_default().to_string_lossy(),
        version.trim(),
        suite.debian_arch,
        suite.codename,
        binary.strip_prefix(root).unwrap_or(&binary).display(),
        size / 1024,
        elf::machine_name(info.machine),
    );
    Ok(binary)
}

/// Debian's Linux kernel for `arch`, the baseline of `cargo xtask bench`.
#[derive(Clone, Debug)]
pub struct LinuxKernel {
    /// The kernel image QEMU boots (`-kernel`): a bzImage on amd64, an `Image` on riscv64.
    pub image: PathBuf,
    /// The package it came from, with its version (`linux-image-6.1.0-50-cloud-amd64 6.1.176-1`).
    pub package: String,
}

/// The metapackage that names the current kernel for `arch`'s suite.
pub fn linux_metapackage(arch: Arch) -> &'static str {
    match arch {
        Arch::X86_64 => "linux-image-cloud-amd64",
        Arch::Riscv64 => "linux-image-riscv64",
    }
}

/// The versioned kernel package a metapackage's `apt-cache show` record depends on: the first
/// `linux-image-*` name in its `Depends:` line.
pub fn kernel_dependency(record: &str) -> Option<String> {
    let depends = record.lines().find_map(|l| l.strip_prefix("Depends:"))?;
    depends
        .split([',', '|'])
        .map(|d| d.split_whitespace().next().unwrap_or(""))
        .find(|name| name.starts_with("linux-image-"))
        .map(str::to_string)
}

/// The `Version:` of an `apt-cache show` record.
fn record_version(record: &str) -> Option<&str> {
    record
        .lines()
        .find_map(|l| l.strip_prefix("Version:"))
        .map(str::trim)
}

/// Debian's Linux kernel for `arch` (the cloud amd64 kernel of bookworm, the riscv64 kernel
/// of trixie), downloaded and unpacked into `target/debian/<debarch>-<codename>/linux/` when
/// that directory holds none yet. The `.deb` is deleted after its `/boot` is unpacked.
pub fn linux_kernel(root: &Path, arch: Arch) -> Result<LinuxKernel, String> {
    let suite = suite(arch);
    let dir = cache_dir(root, suite).join("linux");
    let stamp = dir.join("package");
    let find_image = |dir: &Path| -> Option<PathBuf> {
        let boot = dir.join("boot");
        let mut found: Vec<PathBuf> = std::fs::read_dir(&boot)
            .ok()?
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("vmlinuz-") || n.starts_with("vmlinux-"))
            })
            .collect();
        found.sort();
        found.pop()
    };
    if let (Ok(package), Some(image)) = (std::fs::read_to_string(&stamp), find_image(&dir)) {
        return Ok(LinuxKernel {
            image,
            package: package.trim().to_string(),
        });
    }
    let apt = AptRoot::for_suite(root, suite)?;
    apt.prepare()?;
    let meta = linux_metapackage(arch);
    eprintln!(
        "debian: fetching the Linux kernel ({meta}) for {} from {} ...",
        suite.debian_arch, suite.codename
    );
    apt.update()?;
    let record = apt.show(meta)?;
    let package = kernel_dependency(&record).ok_or(format!(
        "{meta} depends on no linux-image-* package:\n{record}"
    ))?;
    let version = record_version(&apt.show(&package)?)
        .unwrap_or("?")
        .to_string();
    let deb = apt.download(&package, &cache_dir(root, suite).join("debs"))?;
    let _ = std::fs::remove_dir_all(&dir);
    mkdir(&dir)?;
    extract_boot(&deb, &dir)?;
    let _ = std::fs::remove_file(&deb);
    let image = find_image(&dir).ok_or(format!(
        "{} holds no /boot/vmlinuz-* or /boot/vmlinux-*",
        deb.display()
    ))?;
    let package = format!("{package} {version}");
    write(&stamp, format!("{package}\n").as_bytes())?;
    eprintln!(
        "debian: unpacked {} ({package}, {} KiB)",
        image.strip_prefix(root).unwrap_or(&image).display(),
        std::fs::metadata(&image).map_or(0, |m| m.len()) / 1024
    );
    Ok(LinuxKernel { image, package })
}

/// Unpacks only `./boot` of `deb` into `into` (`dpkg-deb --fsys-tarfile | tar -x ./boot`):
/// the kernel packages' modules are most of their size.
fn extract_boot(deb: &Path, into: &Path) -> Result<(), String> {
    use std::process::Stdio;
    let mut dpkg = Command::new("dpkg-deb")
        .arg("--fsys-tarfile")
        .arg(deb)
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run dpkg-deb: {e}"))?;
    let tar_status = Command::new("tar")
        .arg("-x")
        .arg("-C")
        .arg(into)
        .arg("./boot")
        .stdin(dpkg.stdout.take().expect("piped stdout"))
        .status()
        .map_err(|e| format!("cannot run tar: {e}"))?;
    let dpkg_status = dpkg.wait().map_err(|e| e.to_string())?;
    if !dpkg_status.success() || !tar_status.success() {
        return Err(format!(
            "unpacking /boot of {} failed (dpkg-deb {dpkg_status}, tar {tar_status})",
            deb.display()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apt_root() -> AptRoot {
        AptRoot {
            dir: PathBuf::from("/w/target/debian/riscv64-trixie/apt"),
            suite: suite(Arch::Riscv64),
            uri: "http://mirror.invalid/debian".into(),
            keyring: Some("/usr/share/keyrings/k.gpg".into()),
        }
    }

    #[test]
    fn kernel_dependency_of_a_metapackage() {
        let record = "Package: linux-image-cloud-amd64\nVersion: 6.1.176-1\n\
                      Depends: linux-image-6.1.0-50-cloud-amd64 (= 6.1.176-1)\n\
                      Description: Linux for x86-64 cloud\n";
        assert_eq!(
            kernel_dependency(record).as_deref(),
            Some("linux-image-6.1.0-50-cloud-amd64")
        );
        assert_eq!(record_version(record), Some("6.1.176-1"));
        let record = "Depends: initramfs-tools | linux-initramfs-tool, \
                      linux-image-6.12.117+deb13-riscv64 (= 6.12.117-1)\n";
        assert_eq!(
            kernel_dependency(record).as_deref(),
            Some("linux-image-6.12.117+deb13-riscv64")
        );
        assert_eq!(kernel_dependency("Package: x\nDepends: libc6\n"), None);
        assert_eq!(kernel_dependency("Package: x\n"), None);
        assert_eq!(linux_metapackage(Arch::Riscv64), "linux-image-riscv64");
    }

    #[test]
    fn suites_per_arch() {
        assert_eq!(suite(Arch::X86_64).debian_arch, "amd64");
        assert_eq!(suite(Arch::X86_64).codename, "bookworm");
        assert_eq!(suite(Arch::Riscv64).debian_arch, "riscv64");
        assert_eq!(suite(Arch::Riscv64).codename, "trixie");
        assert_eq!(
            cache_dir(Path::new("/w"), suite(Arch::X86_64)),
            Path::new("/w/target/debian/amd64-bookworm")
        );
    }

    #[test]
    fn sources_list_names_arch_suite_and_keyring() {
        let mut apt = apt_root();
        assert_eq!(
            apt.sources_list(),
            "deb [arch=riscv64 signed-by=/usr/share/keyrings/k.gpg] \
             http://mirror.invalid/debian trixie main\n"
        );
        apt.keyring = None;
        assert_eq!(
            apt.sources_list(),
            "deb [arch=riscv64] http://mirror.invalid/debian trixie main\n"
        );
    }

    #[test]
    fn apt_conf_is_private() {
        let conf = apt_root().apt_conf();
        let has = |line: &str| conf.lines().any(|l| l == line);
        let d = "/w/target/debian/riscv64-trixie/apt";
        assert!(has(&format!("Dir::State \"{d}/state\";")));
        assert!(has(&format!("Dir::State::status \"{d}/state/status\";")));
        assert!(has(&format!("Dir::Cache \"{d}/cache\";")));
        assert!(has(&format!("Dir::Etc::SourceList \"{d}/sources.list\";")));
        assert!(has(&format!(
            "Dir::Etc::SourceParts \"{d}/sources.list.d\";"
        )));
        assert!(has("APT::Architecture \"riscv64\";"));
        assert!(has("APT::Architectures { \"riscv64\"; };"));
        // Nothing points at the system's apt directories.
        assert!(!conf.contains("/etc/apt") && !conf.contains("/var/lib"));
        // Every setting is one `Key "value";` or `Key { ... };` statement.
        for line in conf.lines().filter(|l| !l.starts_with("//")) {
            assert!(
                line.ends_with(';') && line.matches('"').count() % 2 == 0,
                "{line}"
            );
        }
    }

    #[test]
    fn prepare_writes_the_tree() {
        let dir = std::env::temp_dir().join(format!("xtask-apt-test-{}", std::process::id()));
        let mut apt = apt_root();
        apt.dir = dir.clone();
        apt.prepare().unwrap();
        for path in [
            "apt.conf",
            "sources.list",
            "state/status",
            "state/lists/partial",
            "cache/archives/partial",
            "sources.list.d",
        ] {
            assert!(dir.join(path).exists(), "{path}");
        }
        assert_eq!(std::fs::read(dir.join("state/status")).unwrap(), b"");
        assert_eq!(
            std::fs::read_to_string(dir.join("sources.list")).unwrap(),
            apt.sources_list()
        );
        std::fs::remove_dir_all(dir).unwrap();
    }
}
