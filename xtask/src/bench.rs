//! `cargo xtask bench`: benchmark suites.
//!
//! - The default suite runs the project's user-space benchmarks (`tests/bench/`, built into
//!   every initramfs as `/bench/bench`; LMbench-style system benchmarks and CortenMM's
//!   mmap/fault/munmap microbenchmarks) on this kernel and on Debian's Linux kernel (see
//!   `debian::linux_kernel`), under the same QEMU settings (machine, `-m`, `-smp 1`, TCG) with
//!   the same initramfs. Per architecture it prints the table of medians and ratios, and
//!   writes `target/bench/<arch>.json` and `target/bench/<arch>.svg`. Options: `--arch A`
//!   (repeatable; default both), `--only WORD[,WORD...]` (benchmarks whose name contains a
//!   word), `--reps N` (default 7), `--target-ms MS` (length of one repetition, default 200),
//!   `--icount` (QEMU `-icount shift=0,align=off,sleep=off`: guest time counts instructions,
//!   so repeated runs give the same figures), `--smp N` (CPUs of both VMs, default 1; with
//!   one CPU the CortenMM rows of 2 and 4 threads measure time slicing rather than
//!   contention), `--debug` (this kernel's debug build instead of release).
//! - `vm`: the host benchmark of vm-corten against a classic VMA tree + page table under one
//!   readers-writer lock (`examples/vm-bench`), built in release and run here; it prints its
//!   table and writes `target/bench/vm.json`. Options: `--threads N` (thread counts 1, 2, 4,
//!   ..., N; default 2), `--reps N`, `--scale F`, `--only WORKLOAD`.
//!
//! A run that takes a kernel down (a panic, a hang: no console output for two minutes) loses
//! only the benchmark it was in: the harness boots again and resumes after it (`bench -a`),
//! and the table shows that benchmark as missing with the reason.

mod report;
mod svg;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use crate::arch::Arch;
use crate::image::{Image, Profile};
use crate::initramfs::{self, NamedResult};
use crate::qemu::{KernelExit, QemuRun};
use report::Results;

/// Linux's command line: the serial console, no speculation mitigations (this kernel has
/// none), and no boot chatter on the console the results are read from.
const LINUX_CMDLINE: &str = "console=ttyS0 mitigations=off quiet";
/// The VM is taken for hung after this long without console output.
const IDLE_TIMEOUT: Duration = Duration::from_secs(120);
/// Upper bound of one boot.
const BOOT_TIMEOUT_SECS: u64 = 3600;
/// Boots after the first that resume a run past a benchmark that took the kernel down.
const MAX_RESUMES: usize = 12;
/// QEMU's deterministic mode: one nanosecond of guest time per instruction.
const ICOUNT: &str = "shift=0,align=off,sleep=off";
/// The benchmarks of the smoke run in `cargo xtask test`: cheap, and each kind of line.
const SMOKE_ONLY: &str = "null_syscall,pipe_latency,mmap_anon_16k,cmm_priv_1";

/// The suites `cargo xtask bench SUITE` knows besides the default.
const SUITES: &str = "vm (host: vm-corten against a VMA tree under one RwLock)";

/// How to run the QEMU suite.
#[derive(Clone, Debug, PartialEq)]
struct Settings {
    arches: Vec<Arch>,
    only: Option<String>,
    reps: u32,
    target_ms: u32,
    icount: bool,
    smp: usize,
    profile: Profile,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            arches: Vec::new(),
            only: None,
            reps: 7,
            target_ms: 200,
            icount: false,
            smp: 1,
            profile: Profile::Release,
        }
    }
}

impl Settings {
    fn parse(args: &[String]) -> Result<Settings, String> {
        let mut s = Settings::default();
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            let mut value = |name: &str| it.next().cloned().ok_or(format!("{name} needs a value"));
            match arg.as_str() {
                "--arch" => s.arches.push(Arch::parse(&value("--arch")?)?),
                "--only" => {
                    let only = value("--only")?;
                    let ok = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == ',';
                    if only.is_empty() || !only.chars().all(ok) {
                        return Err(format!(
                            "--only `{only}`: give words of letters, digits and `_`, \
                             separated by commas"
                        ));
                    }
                    s.only = Some(only);
                }
                "--reps" => {
                    s.reps = value("--reps")?
                        .parse()
                        .ok()
                        .filter(|&n| n > 0)
                        .ok_or("--reps needs a positive number")?
                }
                "--target-ms" => {
                    s.target_ms = value("--target-ms")?
                        .parse()
                        .ok()
                        .filter(|&n| n > 0)
                        .ok_or("--target-ms needs a positive number")?
                }
                "--icount" => s.icount = true,
                "--smp" => {
                    s.smp = value("--smp")?
                        .parse()
                        .ok()
                        .filter(|&n| n > 0)
                        .ok_or("--smp needs a positive number")?
                }
                "--debug" => s.profile = Profile::Debug,
                other => {
                    return Err(format!(
                        "unknown option `{other}` for bench; options: --arch A, --only WORDS, \
                         --reps N, --target-ms MS, --icount, --smp N, --debug; suites: {SUITES}"
                    ));
                }
            }
        }
        if s.arches.is_empty() {
            s.arches = Arch::ALL.to_vec();
        }
        Ok(s)
    }

    /// The command `/init` runs in the guest; `after` resumes past that benchmark.
    fn guest_command(&self, after: Option<&str>) -> String {
        let mut cmd = format!(
            "{} -r {} -t {}",
            initramfs::BENCH_GUEST_PATH,
            self.reps,
            self.target_ms
        );
        if let Some(only) = &self.only {
            cmd.push_str(&format!(" -o {only}"));
        }
        if let Some(after) = after {
            cmd.push_str(&format!(" -a {after}"));
        }
        cmd
    }

    fn qemu_args(&self) -> Vec<String> {
        if self.icount {
            vec!["-icount".into(), ICOUNT.into()]
        } else {
            Vec::new()
        }
    }
}

/// Runs `cargo xtask bench [SUITE] [OPTIONS...]`.
pub fn run(root: &Path, args: &[String]) -> Result<ExitCode, String> {
    match args.split_first() {
        Some((suite, rest)) if suite == "vm" => vm(root, rest),
        Some((suite, _)) if !suite.starts_with('-') => Err(format!(
            "unknown benchmark suite `{suite}`; suites: the default (no name), {SUITES}"
        )),
        _ => {
            let settings = Settings::parse(args)?;
            crate::setup::run(false)?;
            for &arch in &settings.arches {
                compare(root, arch, &settings)?;
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// A kernel under test.
struct Kernel {
    /// `this kernel` or `Linux`.
    label: &'static str,
    /// Short name for log files.
    tag: &'static str,
    image: PathBuf,
    cmdline: &'static str,
}

/// The two kernels for `arch`: this one (built with `profile`) and Debian's Linux.
fn kernels(root: &Path, arch: Arch, profile: Profile) -> Result<[Kernel; 2], String> {
    let ours = Image::build(root, arch, profile, None)?;
    let linux = crate::debian::linux_kernel(root, arch)?;
    eprintln!("bench: Linux baseline: {}", linux.package);
    Ok([
        Kernel {
            label: "this kernel",
            tag: "this",
            image: ours.path,
            cmdline: "",
        },
        Kernel {
            label: "Linux",
            tag: "linux",
            image: linux.image,
            cmdline: LINUX_CMDLINE,
        },
    ])
}

/// Runs the suite on both kernels for `arch`, prints the table, writes JSON and SVG.
fn compare(root: &Path, arch: Arch, settings: &Settings) -> Result<(), String> {
    let start = Instant::now();
    let kernels = kernels(root, arch, settings.profile)?;
    let out_dir = root.join("target/bench");
    std::fs::create_dir_all(&out_dir)
        .map_err(|e| format!("cannot create {}: {e}", out_dir.display()))?;
    let mut results = Vec::new();
    let mut times = Vec::new();
    for kernel in &kernels {
        let t = Instant::now();
        results.push(run_suite(root, arch, kernel, settings, &out_dir)?);
        times.push((kernel.label, t.elapsed()));
    }
    let rows = report::rows(&results[0], &results[1]);
    let mode = if settings.icount {
        "icount: guest time = instructions"
    } else {
        "TCG wall clock"
    };
    let title = format!(
        "{arch}: this kernel ({}) against Linux, medians of {} repetitions, {} CPU ({mode})",
        match settings.profile {
            Profile::Release => "release",
            Profile::Debug => "debug build",
        },
        settings.reps,
        settings.smp
    );
    println!("\n{}", report::table(&title, &rows));
    let settings_json = serde_json::json!({
        "arch": arch.to_string(),
        "reps": settings.reps,
        "target_ms": settings.target_ms,
        "icount": settings.icount,
        "smp": settings.smp,
        "only": settings.only,
        "linux_cmdline": LINUX_CMDLINE,
        "seconds": times.iter().map(|(k, t)| (k.to_string(), serde_json::Value::from(t.as_secs_f64()))).collect::<serde_json::Map<_, _>>(),
    });
    let json = report::json(settings_json, &rows);
    let json_path = out_dir.join(format!("{arch}.json"));
    let svg_path = out_dir.join(format!("{arch}.svg"));
    write(
        &json_path,
        &serde_json::to_string_pretty(&json).map_err(|e| e.to_string())?,
    )?;
    write(&svg_path, &svg::chart(&title, &rows))?;
    let times: Vec<String> = times
        .iter()
        .map(|(k, t)| format!("{k} {:.0} s", t.as_secs_f64()))
        .collect();
    println!(
        "bench: {arch} took {:.0} s ({}); wrote {} and {}",
        start.elapsed().as_secs_f64(),
        times.join(", "),
        json_path.strip_prefix(root).unwrap_or(&json_path).display(),
        svg_path.strip_prefix(root).unwrap_or(&svg_path).display()
    );
    Ok(())
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Removes the `<prefix>N.log` files a previous run left in `dir`.
fn remove_logs(dir: &Path, prefix: &str) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if let Some(n) = name
            .strip_prefix(prefix)
            .and_then(|rest| rest.strip_suffix(".log"))
            && n.bytes().all(|b| b.is_ascii_digit())
        {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// The last non-empty line of a log, shortened.
fn last_line(log: &str) -> String {
    let line = log
        .lines()
        .map(|l| l.trim_end_matches('\r').trim())
        .rfind(|l| !l.is_empty())
        .unwrap_or("");
    line.chars().take(120).collect()
}

/// Boots `kernel` with the benchmark command until the guest reports `bench: done`,
/// resuming after a benchmark that took the kernel down. Logs go to
/// `log_dir/<arch>-<tag>-<boot>.log`.
fn run_suite(
    root: &Path,
    arch: Arch,
    kernel: &Kernel,
    settings: &Settings,
    log_dir: &Path,
) -> Result<Results, String> {
    remove_logs(log_dir, &format!("{arch}-{}-", kernel.tag));
    let mut results = Results::default();
    let mut after: Option<String> = None;
    for boot in 0..=MAX_RESUMES {
        let command = settings.guest_command(after.as_deref());
        let spec = initramfs::Spec {
            includes: &[],
            command: Some(&command),
        };
        let initrd = initramfs::build(root, arch, spec)?;
        eprintln!("bench: {arch} {}: {command}", kernel.label);
        let run = QemuRun {
            arch,
            image: &kernel.image,
            initrd: Some(&initrd.path),
            smp: settings.smp,
            cmdline: kernel.cmdline,
            timeout: BOOT_TIMEOUT_SECS,
            echo: false,
        };
        let outcome = run.run_with(&settings.qemu_args(), Some(IDLE_TIMEOUT))?;
        let log_path = log_dir.join(format!("{arch}-{}-{boot}.log", kernel.tag));
        write(&log_path, &outcome.log)?;
        let progress = results.add_log(&outcome.log);
        if progress.done {
            return Ok(results);
        }
        let how = match outcome.exit {
            KernelExit::TimedOut => "hung (no console output for 2 minutes)".to_string(),
            _ => format!("stopped ({})", last_line(&outcome.log)),
        };
        let Some((unit, names)) = progress.last_started else {
            eprintln!(
                "bench: {arch} {}: no benchmark started; {} (log {})",
                kernel.label,
                outcome.describe(arch),
                log_path.display()
            );
            return Ok(results);
        };
        eprintln!(
            "bench: {arch} {}: the kernel {how} in {unit}; resuming after it (log {})",
            kernel.label,
            log_path.display()
        );
        results.mark_unfinished(&names, &format!("the kernel {how}"));
        after = Some(unit);
    }
    eprintln!(
        "bench: {arch} {}: gave up after {} boots",
        kernel.label,
        MAX_RESUMES + 1
    );
    Ok(results)
}

/// The smoke run of `cargo xtask test`: one short repetition of a few benchmarks on this
/// kernel (`image`, the debug build the tests use) and on Linux. Checks only that the harness
/// gets a result for each from both kernels (a value, or on this kernel a reported failure);
/// it asserts nothing about the figures. One named result per benchmark and kernel.
pub fn smoke(root: &Path, arch: Arch, image: &Path) -> Vec<NamedResult> {
    let settings = Settings {
        arches: vec![arch],
        only: Some(SMOKE_ONLY.into()),
        reps: 1,
        target_ms: 20,
        ..Settings::default()
    };
    let linux = match crate::debian::linux_kernel(root, arch) {
        Ok(linux) => linux,
        Err(e) => return vec![(format!("{arch}: bench smoke: Linux kernel"), Err(e))],
    };
    let kernels = [
        Kernel {
            label: "this kernel",
            tag: "smoke-this",
            image: image.to_path_buf(),
            cmdline: "",
        },
        Kernel {
            label: "Linux",
            tag: "smoke-linux",
            image: linux.image,
            cmdline: LINUX_CMDLINE,
        },
    ];
    let log_dir = root.join("target/xtask");
    let _ = std::fs::create_dir_all(&log_dir);
    let mut checks = Vec::new();
    for kernel in &kernels {
        let name = |what: &str| format!("{arch}: bench smoke on {}: {what}", kernel.label);
        let results = match run_suite(root, arch, kernel, &settings, &log_dir) {
            Ok(results) => results,
            Err(e) => {
                checks.push((name("runs"), Err(e)));
                continue;
            }
        };
        if results.order.is_empty() {
            checks.push((
                name("runs"),
                Err(format!(
                    "no benchmark reported (logs: target/xtask/{arch}-{}-*.log)",
                    kernel.tag
                )),
            ));
        }
        for result in &results.order {
            let verdict = match results.median(result) {
                Ok(v) => Ok(format!("{v:.0} {}", results.units[result])),
                // Linux must run every benchmark; this kernel may lack a feature.
                Err(why) if kernel.tag == "smoke-this" && why != "not run" => {
                    Ok(format!("reported missing: {why}"))
                }
                Err(why) => Err(why),
            };
            checks.push((name(result), verdict));
        }
    }
    checks
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

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn options() {
        let s = Settings::parse(&[]).unwrap();
        assert_eq!(s.arches, Arch::ALL);
        assert_eq!((s.reps, s.target_ms, s.icount), (7, 200, false));
        assert_eq!(s.profile, Profile::Release);
        let s = Settings::parse(&args(
            "--arch riscv64 --only fork,cmm_priv --reps 3 --target-ms 50 --icount --smp 2 --debug",
        ))
        .unwrap();
        assert_eq!(s.arches, [Arch::Riscv64]);
        assert_eq!(s.only.as_deref(), Some("fork,cmm_priv"));
        assert_eq!((s.reps, s.target_ms, s.icount, s.smp), (3, 50, true, 2));
        assert_eq!(s.profile, Profile::Debug);
        assert!(Settings::parse(&args("--reps 0")).is_err());
        assert!(Settings::parse(&args("--only a;reboot")).is_err());
        assert!(Settings::parse(&args("--frobnicate")).is_err());
    }

    #[test]
    fn guest_command_and_qemu_args() {
        let mut s = Settings::default();
        assert_eq!(s.guest_command(None), "/bench/bench -r 7 -t 200");
        assert!(s.qemu_args().is_empty());
        s.only = Some("pipe".into());
        s.icount = true;
        assert_eq!(
            s.guest_command(Some("fork_exit")),
            "/bench/bench -r 7 -t 200 -o pipe -a fork_exit"
        );
        assert_eq!(s.qemu_args(), ["-icount", ICOUNT]);
    }

    #[test]
    fn old_logs_are_removed() {
        let dir = std::env::temp_dir().join(format!("xtask-bench-logs-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for name in [
            "x86_64-this-0.log",
            "x86_64-this-12.log",
            "x86_64-this-x.log",
            "keep.log",
        ] {
            std::fs::write(dir.join(name), "").unwrap();
        }
        remove_logs(&dir, "x86_64-this-");
        let mut left: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, ["keep.log", "x86_64-this-x.log"]);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn last_line_of_a_log() {
        assert_eq!(last_line("a\r\npanicked at x\r\n\r\n"), "panicked at x");
        assert_eq!(last_line(""), "");
    }
}
