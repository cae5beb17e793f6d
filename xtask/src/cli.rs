//! Command-line parsing and dispatch.

use std::process::ExitCode;

use crate::arch::Arch;
use crate::image::{Image, Profile};
use crate::initramfs::{self, Include};
use crate::qemu::QemuRun;

const USAGE: &str = "\
usage: cargo xtask <command> [options]

commands:
  setup                         install what this machine lacks (rustup targets, QEMU,
                                C compilers for the user-space tests)
  build [--arch A] [--release] [--example NAME]
                                build the kernel (or an example kernel), print the image path
  qemu [--arch A] [--smp N] [--release] [--example NAME] [--append ARGS] [--timeout SECS]
       [--include HOST_PATH[:GUEST_PATH]]... [-- COMMAND...]
                                boot under QEMU (TCG) with target/initramfs-A.cpio (BusyBox,
                                /init, the C tests, the included files); exit with the
                                kernel's status
  lint                          check the tier rules, print the TCB report
  test [--arch A]               host tests, fmt, clippy, lint, in-QEMU suites
  bench [--arch A] [--only WORD[,WORD...]] [--reps N] [--target-ms MS] [--icount] [--smp N]
        [--debug]
                                the user-space benchmarks (tests/bench) on this kernel and on
                                Debian's Linux under the same QEMU settings (default: both
                                archs, 7 reps); prints medians and ratios (below 1 = this
                                kernel faster), writes target/bench/A.json and A.svg
  bench vm [--threads N]        host benchmark: vm-corten against a VMA tree under one RwLock
                                (prints ops/s and ratios, writes target/bench/vm.json)

A is x86_64 (default) or riscv64.";

/// Options shared by the commands.
struct Options {
    arches: Vec<Arch>,
    profile: Profile,
    smp: usize,
    example: Option<String>,
    append: String,
    timeout: u64,
    includes: Vec<Include>,
    command: Vec<String>,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut o = Options {
        arches: Vec::new(),
        profile: Profile::Debug,
        smp: 1,
        example: None,
        append: String::new(),
        timeout: 120,
        includes: Vec::new(),
        command: Vec::new(),
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().cloned().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--arch" => o.arches.push(Arch::parse(&value("--arch")?)?),
            "--release" => o.profile = Profile::Release,
            "--smp" => {
                o.smp = value("--smp")?
                    .parse()
                    .map_err(|_| "--smp needs a number")?
            }
            "--example" => o.example = Some(value("--example")?),
            "--append" => o.append = value("--append")?,
            "--timeout" => {
                o.timeout = value("--timeout")?
                    .parse()
                    .map_err(|_| "--timeout needs seconds")?
            }
            "--include" => o.includes.push(Include::parse(&value("--include")?)?),
            "--" => {
                o.command = it.by_ref().cloned().collect();
            }
            other => return Err(format!("unknown option `{other}`\n\n{USAGE}")),
        }
    }
    Ok(o)
}

/// Runs the command named by `args[0]`.
pub fn dispatch(args: &[String]) -> Result<ExitCode, String> {
    let Some((command, rest)) = args.split_first() else {
        println!("{USAGE}");
        return Ok(ExitCode::SUCCESS);
    };
    let root = crate::workspace_root();
    match command.as_str() {
        "setup" => {
            crate::setup::run(true)?;
            Ok(ExitCode::SUCCESS)
        }
        "build" => {
            let o = parse(rest)?;
            crate::setup::run(false)?;
            for arch in arches_or_default(&o.arches) {
                let image = Image::build(&root, arch, o.profile, o.example.as_deref())?;
                println!("{}", image.path.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        "qemu" => {
            let o = parse(rest)?;
            crate::setup::run(false)?;
            let arch = *arches_or_default(&o.arches).first().unwrap();
            let image = Image::build(&root, arch, o.profile, o.example.as_deref())?;
            // `/init` runs the command from /etc/init.cmd (the convention is in tests/init).
            let command = (!o.command.is_empty()).then(|| o.command.join(" "));
            let spec = initramfs::Spec {
                includes: &o.includes,
                command: command.as_deref(),
            };
            let initrd = initramfs::build(&root, arch, spec)?;
            eprintln!("xtask: {}", initrd.describe(&root));
            let run = QemuRun {
                arch,
                image: &image.path,
                initrd: Some(&initrd.path),
                smp: o.smp,
                cmdline: &o.append,
                timeout: o.timeout,
                echo: true,
            };
            let outcome = run.run()?;
            eprintln!("xtask: {}", outcome.describe(arch));
            if command.is_some() {
                return Ok(match initramfs::reported_status(&outcome.log) {
                    Some(status) => {
                        eprintln!("xtask: the command exited with status {status}");
                        ExitCode::from(status)
                    }
                    None => {
                        eprintln!(
                            "xtask: /init reported no exit status (no `{}N` line)",
                            initramfs::STATUS_MARKER
                        );
                        ExitCode::from(125)
                    }
                });
            }
            Ok(ExitCode::from(outcome.exit_code()))
        }
        "lint" => {
            let report = crate::lint::run(&root)?;
            report.print();
            Ok(if report.passed() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        "test" => {
            let o = parse(rest)?;
            crate::setup::run(false)?;
            let arches = if o.arches.is_empty() {
                Arch::ALL.to_vec()
            } else {
                o.arches
            };
            crate::test::run(&root, &arches)
        }
        "bench" => crate::bench::run(&root, rest),
        "help" | "--help" | "-h" => {
            println!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        other => Err(format!("unknown command `{other}`\n\n{USAGE}")),
    }
}

fn arches_or_default(arches: &[Arch]) -> Vec<Arch> {
    if arches.is_empty() {
        vec![Arch::X86_64]
    } else {
        arches.to_vec()
    }
}
