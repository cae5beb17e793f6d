//! `cargo xtask test`: everything CI checks, counted one test at a time.
//!
//! 1. `cargo fmt --check`;
//! 2. host unit tests of every workspace crate (`cargo test --workspace`), each test counted;
//! 3. clippy with `-D warnings`, on the host and for both kernel targets;
//! 4. the tier lint (`cargo xtask lint`);
//! 5. per architecture, on the host: the initramfs builds (BusyBox from Debian, the C tests)
//!    and holds static binaries for the right machine, each checked file counted;
//! 6. per architecture, in QEMU (with that initramfs as `-initrd`): the in-kernel tests (each
//!    `ktest:` line counted), then the self-checks that a failing test and a kernel fault are
//!    caught (`ktest.inject=...`), then the `hello-frame` example kernel;
//! 7. per architecture, the benchmark harness's smoke run (`bench::smoke`): one short
//!    repetition of a few benchmarks on this kernel and on Debian's Linux, each result parsed
//!    from both counted (no figure is asserted).
//!
//! Serial logs go to `target/xtask/`. The closing line is `N passed, N failed` (plus
//! `, N skipped` when a failing in-kernel test kept later ones from running).

use std::path::Path;
use std::process::{Command, ExitCode};

use crate::arch::Arch;
use crate::image::{Image, Profile};
use crate::qemu::{KernelExit, Outcome, QemuRun};

const BOOT_TIMEOUT_SECS: u64 = 180;

#[derive(Default)]
struct Tally {
    passed: usize,
    failed: usize,
    skipped: usize,
}

impl Tally {
    fn check(&mut self, name: &str, result: Result<String, String>) {
        match result {
            Ok(detail) => {
                self.passed += 1;
                println!(
                    "test: ok   {name}{}",
                    if detail.is_empty() {
                        String::new()
                    } else {
                        format!(" ({detail})")
                    }
                );
            }
            Err(why) => {
                self.failed += 1;
                println!("test: FAIL {name}: {why}");
            }
        }
    }
}

/// Runs the whole suite for `arches`.
pub fn run(root: &Path, arches: &[Arch]) -> Result<ExitCode, String> {
    let mut t = Tally::default();
    t.check(
        "cargo fmt --check",
        command_ok(
            crate::cargo()
                .current_dir(root)
                .args(["fmt", "--all", "--check"]),
        ),
    );
    host_tests(root, &mut t);
    model_check(root, &mut t);
    t.check(
        "clippy (host)",
        command_ok(crate::cargo().current_dir(root).args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--quiet",
            "--",
            "-D",
            "warnings",
        ])),
    );
    for &arch in arches {
        t.check(
            &format!("clippy ({arch})"),
            command_ok(crate::cargo().current_dir(root).args([
                "clippy",
                "--quiet",
                "-p",
                "frame",
                "-p",
                "kernel-image",
                "-p",
                "hello-frame",
                "--target",
                arch.target(),
                "--",
                "-D",
                "warnings",
            ])),
        );
    }
    match crate::lint::run(root) {
        Ok(report) => {
            report.print();
            t.check(
                "tier lint",
                if report.passed() {
                    Ok(String::new())
                } else {
                    Err("violations above".into())
                },
            );
        }
        Err(e) => t.check("tier lint", Err(e)),
    }
    for &arch in arches {
        qemu_suite(root, arch, &mut t);
    }
    if t.skipped > 0 {
        println!(
            "{} passed, {} failed, {} skipped",
            t.passed, t.failed, t.skipped
        );
    } else {
        println!("{} passed, {} failed", t.passed, t.failed);
    }
    Ok(if t.failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn command_ok(cmd: &mut Command) -> Result<String, String> {
    let status = cmd.status().map_err(|e| e.to_string())?;
    if status.success() {
        Ok(String::new())
    } else {
        Err(format!("exited with {status}"))
    }
}

/// Model-checks vm-corten's lock protocol with shuttle (a separate build: the feature swaps
/// the crate's atomics for shuttle's); each scenario counts as a test.
fn model_check(root: &Path, t: &mut Tally) {
    let out = crate::cargo()
        .current_dir(root)
        .args([
            "test",
            "--quiet",
            "-p",
            "vm-corten",
            "--features",
            "shuttle",
            "--test",
            "shuttle",
        ])
        .output();
    let out = match out {
        Ok(out) => out,
        Err(e) => return t.check("vm-corten shuttle model check", Err(e.to_string())),
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    for line in stderr.lines().filter(|l| l.starts_with("shuttle: ")) {
        println!("test: {line}");
    }
    let (mut passed, mut failed) = (0, 0);
    for line in stdout.lines().filter(|l| l.starts_with("test result:")) {
        passed += count_before(line, " passed");
        failed += count_before(line, " failed");
    }
    t.passed += passed;
    t.failed += failed;
    println!("test: vm-corten shuttle model check: {passed} passed, {failed} failed");
    if !out.status.success() && failed == 0 {
        eprint!("{stderr}");
        t.check(
            "vm-corten shuttle model check builds",
            Err(format!("cargo test exited with {}", out.status)),
        );
    }
}

/// Runs the host unit tests and counts each test from libtest's `test result:` lines.
fn host_tests(root: &Path, t: &mut Tally) {
    let out = crate::cargo()
        .current_dir(root)
        .args(["test", "--workspace", "--quiet"])
        .output();
    let out = match out {
        Ok(out) => out,
        Err(e) => return t.check("host tests", Err(e.to_string())),
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        print!("{stdout}");
    }
    let (mut passed, mut failed) = (0, 0);
    for line in stdout.lines().filter(|l| l.starts_with("test result:")) {
        passed += count_before(line, " passed");
        failed += count_before(line, " failed");
    }
    for failing in stdout
        .lines()
        .filter(|l| l.starts_with("test ") && l.ends_with("FAILED"))
    {
        println!(
            "test: FAIL host {}",
            failing
                .trim_start_matches("test ")
                .trim_end_matches(" ... FAILED")
        );
    }
    t.passed += passed;
    t.failed += failed;
    println!("test: host unit tests: {passed} passed, {failed} failed");
    if !out.status.success() && failed == 0 {
        eprint!("{}", String::from_utf8_lossy(&out.stderr));
        t.check(
            "host tests build",
            Err(format!("cargo test exited with {}", out.status)),
        );
    }
}

fn count_before(line: &str, word: &str) -> usize {
    line.split(';')
        .find_map(|part| {
            part.trim()
                .trim_start_matches("test result: ok.")
                .trim_start_matches("test result: FAILED.")
                .trim()
                .strip_suffix(word)?
                .trim()
                .parse()
                .ok()
        })
        .unwrap_or(0)
}

fn boot(
    root: &Path,
    arch: Arch,
    image: &Path,
    initrd: Option<&Path>,
    cmdline: &str,
    name: &str,
) -> Result<Outcome, String> {
    boot_smp(root, arch, image, initrd, cmdline, name, 1)
}

/// [`boot`] with `smp` CPUs.
fn boot_smp(
    root: &Path,
    arch: Arch,
    image: &Path,
    initrd: Option<&Path>,
    cmdline: &str,
    name: &str,
    smp: usize,
) -> Result<Outcome, String> {
    let run = QemuRun {
        arch,
        image,
        initrd,
        smp,
        cmdline,
        timeout: BOOT_TIMEOUT_SECS,
        echo: false,
    };
    let outcome = run.run()?;
    let dir = root.join("target/xtask");
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(dir.join(format!("{arch}-{name}.log")), &outcome.log);
    println!("test: {arch} {name}: {}", outcome.describe(arch));
    Ok(outcome)
}

fn tail(log: &str) -> String {
    let lines: Vec<&str> = log.lines().collect();
    lines[lines.len().saturating_sub(25)..].join("\n")
}

fn qemu_suite(root: &Path, arch: Arch, t: &mut Tally) {
    // The initramfs, checked on the host; the boots below carry it (the kernel may ignore it).
    let (initrd, checks) = crate::initramfs::check(root, arch);
    for (name, result) in checks {
        t.check(&name, result);
    }
    let initrd = initrd.as_deref();

    let kernel = match Image::build(root, arch, Profile::Debug, None) {
        Ok(image) => image,
        Err(e) => return t.check(&format!("{arch}: build kernel"), Err(e)),
    };

    // The in-kernel tests, on 4 CPUs (bring-up, IPIs and TLB shootdown need several).
    match boot_smp(root, arch, &kernel.path, initrd, "ktest", "ktest", SMP_CPUS) {
        Err(e) => t.check(&format!("{arch}: boot"), Err(e)),
        Ok(outcome) => {
            let mut result_line = None;
            for line in outcome.log.lines() {
                if let Some(name) = line.strip_prefix("ktest: ok   ") {
                    t.check(&format!("{arch}: ktest {}", name.trim()), Ok(String::new()));
                } else if let Some(rest) = line.strip_prefix("ktest: FAIL ") {
                    let (name, why) = rest.split_once(": ").unwrap_or((rest, ""));
                    t.check(&format!("{arch}: ktest {name}"), Err(why.to_string()));
                } else if let Some(result) = line.strip_prefix("ktest: result: ") {
                    result_line = Some(result.trim().to_string());
                }
            }
            let not_run = result_line
                .as_deref()
                .map_or(0, |r| count_before(&r.replace(',', ";"), " not run"));
            if not_run > 0 {
                println!(
                    "test: skip {arch}: {not_run} in-kernel tests did not run after the failure"
                );
                t.skipped += not_run;
            }
            let clean = outcome.exit == KernelExit::Status(0) && result_line.is_some();
            t.check(
                &format!("{arch}: kernel boots, runs its tests and powers off"),
                if clean {
                    Ok(outcome.banner_at.map_or(String::new(), |b| {
                        format!("banner after {:.2} s", b.as_secs_f64())
                    }))
                } else {
                    Err(format!(
                        "{}\n{}",
                        outcome.describe(arch),
                        tail(&outcome.log)
                    ))
                },
            );
        }
    }

    // Self-checks: failures and faults must be caught, not missed.
    let only_one = "ktest ktest.filter=frame::ktest::filter_matches";
    let selfcheck = |inject: &str, expect: u32, needles: &[&str]| -> Result<String, String> {
        let outcome = boot(
            root,
            arch,
            &kernel.path,
            initrd,
            &format!("{only_one} ktest.inject={inject}"),
            inject,
        )?;
        let missing: Vec<&&str> = needles
            .iter()
            .filter(|n| !outcome.log.contains(**n))
            .collect();
        if outcome.exit == KernelExit::Status(expect) && missing.is_empty() {
            Ok(String::new())
        } else {
            Err(format!(
                "expected status {expect} and {missing:?} in the log; {}\n{}",
                outcome.describe(arch),
                tail(&outcome.log)
            ))
        }
    };
    t.check(
        &format!("{arch}: a failing in-kernel test is reported and fails the run"),
        selfcheck(
            "panic",
            1,
            &["ktest: FAIL frame::ktest::injected_panic", "1 failed"],
        ),
    );
    t.check(
        &format!("{arch}: a kernel null dereference gives the fault report"),
        selfcheck(
            "null-deref",
            3,
            &[
                "KERNEL FAULT",
                "page fault",
                "at address 0x0",
                "instruction pointer",
                "ktest: FAIL frame::ktest::injected_null_deref",
            ],
        ),
    );

    let denied_write = match arch {
        Arch::X86_64 => "protection violation, write",
        Arch::Riscv64 => "store page fault",
    };
    t.check(
        &format!("{arch}: a kernel write to its read-only data faults"),
        selfcheck(
            "rodata-write",
            3,
            &[
                "KERNEL FAULT",
                denied_write,
                "ktest: FAIL frame::ktest::injected_rodata_write",
            ],
        ),
    );

    user_programs(root, arch, &kernel.path, initrd, t);
    shell_scripts(root, arch, &kernel.path, t);
    smp_suite(root, arch, &kernel.path, t);
    for (name, result) in crate::bench::smoke(root, arch, &kernel.path) {
        t.check(&name, result);
    }

    // The example kernel on frame alone.
    let hello = Image::build(root, arch, Profile::Debug, Some("hello-frame")).and_then(|image| {
        let outcome = boot(root, arch, &image.path, initrd, "", "hello-frame")?;
        let line = format!("hello from frame on {arch}");
        if outcome.exit == KernelExit::Status(0) && outcome.log.contains(&line) {
            Ok(String::new())
        } else {
            Err(format!(
                "{}\n{}",
                outcome.describe(arch),
                tail(&outcome.log)
            ))
        }
    });
    t.check(
        &format!("{arch}: examples/hello-frame boots and prints its line"),
        hello,
    );
}

/// Unmodified Linux programs as process 1 (`init=PATH -- ARGS`): the project's C tests (each
/// `PASS`/`FAIL` line counted) and Debian's BusyBox.
fn user_programs(root: &Path, arch: Arch, kernel: &Path, initrd: Option<&Path>, t: &mut Tally) {
    let Some(initrd) = initrd else {
        return t.check(
            &format!("{arch}: user programs"),
            Err("no initramfs".into()),
        );
    };
    let cases: [(&str, &str, &[&str]); 11] = [
        (
            "hello",
            "init=/tests/hello",
            &["hello from user space", "kernel: init exited with status 0"],
        ),
        (
            "exit_code",
            "init=/tests/exit_code",
            &["kernel: init exited with status 3"],
        ),
        (
            "syscalls_basic",
            "init=/tests/syscalls_basic",
            &["DONE", "kernel: init exited with status 0"],
        ),
        (
            "syscall_errors",
            "init=/tests/syscall_errors",
            &["DONE", "kernel: init exited with status 0"],
        ),
        (
            "threads",
            "init=/tests/threads",
            &["DONE", "kernel: init exited with status 0"],
        ),
        (
            "signals",
            "init=/tests/signals",
            &["DONE", "kernel: init exited with status 0"],
        ),
        (
            "memory",
            "init=/tests/memory",
            &["DONE", "kernel: init exited with status 0"],
        ),
        (
            "sched",
            "init=/tests/sched",
            &["DONE", "kernel: init exited with status 0"],
        ),
        (
            "files",
            "init=/tests/files",
            &["DONE", "kernel: init exited with status 0"],
        ),
        (
            "busybox-echo",
            "init=/bin/busybox -- echo hello from busybox",
            &["hello from busybox", "kernel: init exited with status 0"],
        ),
        (
            "busybox-ls",
            "init=/bin/busybox -- ls /tests",
            &["syscalls_basic", "kernel: init exited with status 0"],
        ),
    ];
    for (name, cmdline, needles) in cases {
        let result = boot(root, arch, kernel, Some(initrd), cmdline, name).inspect(|outcome| {
            for line in outcome.log.lines() {
                if let Some(test) = line.strip_prefix("PASS ") {
                    t.check(
                        &format!("{arch}: {name}: {}", test.trim()),
                        Ok(String::new()),
                    );
                } else if let Some(rest) = line.strip_prefix("FAIL ") {
                    let (test, why) = rest.split_once(": ").unwrap_or((rest, ""));
                    t.check(&format!("{arch}: {name}: {test}"), Err(why.to_string()));
                }
            }
        });
        let verdict = result.and_then(|outcome| {
            let missing: Vec<&&str> = needles
                .iter()
                .filter(|n| !outcome.log.contains(**n))
                .collect();
            if outcome.exit == KernelExit::Status(0) && missing.is_empty() {
                Ok(String::new())
            } else {
                Err(format!(
                    "missing {missing:?}; {}\n{}",
                    outcome.describe(arch),
                    tail(&outcome.log)
                ))
            }
        });
        t.check(&format!("{arch}: user program {name}"), verdict);
    }
}

/// CPUs of the SMP boots.
const SMP_CPUS: usize = 4;

/// The SMP suite, in one boot with [`SMP_CPUS`] CPUs: the thread, memory-stress, signal and
/// scheduling programs (each `PASS`/`FAIL` line counted), then four parallel pipelines.
const SMP_COMMAND: &str = "echo cpus=$(nproc); /tests/threads && /tests/vmstress && /tests/signals && /tests/sched; \
     echo programs=$?; for i in 1 2 3 4; do (seq 3000 | sort -rn | head -n 1 > /tmp/p$i) & done; \
     wait; echo pipelines=$(cat /tmp/p1 /tmp/p2 /tmp/p3 /tmp/p4 | tr '\\n' ' ')";

fn smp_suite(root: &Path, arch: Arch, kernel: &Path, t: &mut Tally) {
    let spec = crate::initramfs::Spec {
        includes: &[],
        command: Some(SMP_COMMAND),
    };
    let verdict = crate::initramfs::build(root, arch, spec).and_then(|initrd| {
        let outcome = boot_smp(root, arch, kernel, Some(&initrd.path), "", "smp", SMP_CPUS)?;
        for line in outcome.log.lines() {
            if let Some(test) = line.strip_prefix("PASS ") {
                t.check(&format!("{arch}: smp: {}", test.trim()), Ok(String::new()));
            } else if let Some(rest) = line.strip_prefix("FAIL ") {
                let (test, why) = rest.split_once(": ").unwrap_or((rest, ""));
                t.check(&format!("{arch}: smp: {test}"), Err(why.to_string()));
            }
        }
        let needles = [
            format!("cpus={SMP_CPUS}"),
            "programs=0".to_string(),
            "pipelines=3000 3000 3000 3000".to_string(),
        ];
        let missing: Vec<&String> = needles
            .iter()
            .filter(|n| !outcome.log.contains(n.as_str()))
            .collect();
        let got = crate::initramfs::reported_status(&outcome.log);
        if got == Some(0) && missing.is_empty() {
            Ok(String::new())
        } else {
            Err(format!(
                "status {got:?}, missing {missing:?}; {}\n{}",
                outcome.describe(arch),
                tail(&outcome.log)
            ))
        }
    });
    t.check(
        &format!("{arch}: smp: {SMP_CPUS} CPUs run the programs and parallel pipelines"),
        verdict,
    );
}

/// BusyBox shell scripts run by `/init` (`cargo xtask qemu -- COMMAND`), each with the lines
/// its output must contain and its exit status.
const SHELL_CASES: &[(&str, &str, &[&str], u8)] = &[
    ("pipe", "echo hello | tr a-z A-Z", &["HELLO"], 0),
    ("exit-status", "exit 3", &[], 3),
    ("false", "false; echo status=$?", &["status=1"], 0),
    (
        "redirection",
        "echo abc > /tmp/f; echo def >> /tmp/f; cat /tmp/f; wc -l < /tmp/f",
        &["abc", "def", "2"],
        0,
    ),
    (
        "subshell",
        "x=1; (x=2; echo in=$x); echo out=$x",
        &["in=2", "out=1"],
        0,
    ),
    (
        "sort-uniq",
        "printf 'b\\na\\nb\\n' | sort | uniq -c | sed 's/^ *//'",
        &["1 a", "2 b"],
        0,
    ),
    ("awk", "echo 3 4 | awk '{print $1*$2}'", &["12"], 0),
    (
        "files",
        "mkdir -p /tmp/d/e && ln -s /tmp/d /tmp/l && ls /tmp/l && chmod 700 /tmp/d && stat -c %a /tmp/d",
        &["e", "700"],
        0,
    ),
    (
        "find-grep",
        "find /tests -name 'h*' | grep -c hello",
        &["1"],
        0,
    ),
    ("background-job", "sleep 1 & echo started", &["started"], 0),
    (
        "mv-ln",
        "cd /tmp && echo hi > a && mv a b && ln b c && cat c && ls",
        &["hi", "b", "c"],
        0,
    ),
    (
        "ps-proc",
        "ps; cat /proc/meminfo; echo stack=$(grep -c '\\[stack\\]' /proc/self/maps); grep '^VmRSS' /proc/self/status",
        &["PID", "MemTotal", "stack=1", "VmRSS:"],
        0,
    ),
    (
        "date-rtc",
        "y=$(date +%Y); [ \"$y\" -ge 2024 ] && echo year-ok; touch /tmp/f; [ \"$(stat -c %Y /tmp/f)\" -gt 1700000000 ] && echo mtime-ok",
        &["year-ok", "mtime-ok"],
        0,
    ),
    ("df-free", "df /; free", &["Filesystem", "Mem:"], 0),
    (
        "top-mount",
        "top -n 1 -b | grep '^Load average'; mount | grep '^proc on /proc'; grep -c '^cpu0 ' /proc/stat",
        &["Load average: ", "proc on /proc type proc", "1"],
        0,
    ),
    (
        "timeout-kills",
        "timeout 1 sleep 5; echo rc=$?",
        &["rc=143"],
        0,
    ),
    (
        "truncate-stat",
        "cd /tmp && echo abcdef > f && truncate -s 3 f && cat f && echo && touch f && stat -c '%s %a' f",
        &["abc", "3 644"],
        0,
    ),
    ("xargs-seq", "seq 3 | xargs -n1 echo n", &["n 1", "n 3"], 0),
    (
        "fifo",
        "mkfifo /tmp/ff && (echo through-fifo > /tmp/ff &) ; cat /tmp/ff",
        &["through-fifo"],
        0,
    ),
    (
        "glob-cp",
        "mkdir /tmp/g && cd /tmp/g && touch a1 a2 b1 && echo glob: a* && cp -r /tmp/g /tmp/h && echo n=$(ls /tmp/h | wc -l)",
        &["glob: a1 a2", "n=3"],
        0,
    ),
    (
        "tar-gzip",
        "cd /tmp && mkdir -p t/u && echo z > t/u/f && tar cf t.tar t && rm -r t && tar xf t.tar && gzip t.tar && gunzip t.tar.gz && cat t/u/f",
        &["z"],
        0,
    ),
    (
        "sigsegv",
        "/tests/null_deref; echo status=$?",
        &["about to dereference NULL", "status=139"],
        0,
    ),
    (
        "wait-for-background",
        "sleep 1 & wait; echo waited",
        &["waited"],
        0,
    ),
    (
        "trap",
        "trap 'echo trapped' USR1; kill -USR1 $$; echo after",
        &["trapped", "after"],
        0,
    ),
    (
        "here-doc",
        "cat <<EOF\nfirst line\nsecond line\nEOF",
        &["first line", "second line"],
        0,
    ),
    (
        "command-substitution",
        "echo \"n=$(echo a b c | wc -w)\"",
        &["n=3"],
        0,
    ),
];

fn shell_scripts(root: &Path, arch: Arch, kernel: &Path, t: &mut Tally) {
    for (name, command, needles, status) in SHELL_CASES {
        let spec = crate::initramfs::Spec {
            includes: &[],
            command: Some(command),
        };
        let verdict = crate::initramfs::build(root, arch, spec).and_then(|initrd| {
            let outcome = boot(
                root,
                arch,
                kernel,
                Some(&initrd.path),
                "",
                &format!("sh-{name}"),
            )?;
            let got = crate::initramfs::reported_status(&outcome.log);
            let missing: Vec<&&str> = needles
                .iter()
                .filter(|n| !outcome.log.contains(**n))
                .collect();
            if got == Some(*status) && missing.is_empty() {
                Ok(String::new())
            } else {
                Err(format!(
                    "status {got:?} (want {status}), missing {missing:?}; {}\n{}",
                    outcome.describe(arch),
                    tail(&outcome.log)
                ))
            }
        });
        t.check(&format!("{arch}: sh: {name}"), verdict);
    }
}
