//! Booting a kernel image under QEMU (TCG) and mapping its exit back to the kernel's status.
//!
//! x86-64 powers off through `isa-debug-exit` (iobase 0xf4): QEMU exits with `(v << 1) | 1`,
//! so an odd status `s` means the kernel wrote `(s - 1) / 2`, and an even one means QEMU
//! stopped some other way (a triple fault with `-no-reboot` exits 0). riscv64 powers off
//! through the virt test device: 0x5555 makes QEMU exit 0, `(v << 16) | 0x3333` exit `v`.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::arch::Arch;

/// The banner's first word, which marks "booted" for the boot-time figure.
const BANNER: &str = "framekernel ";
/// Guest memory.
const MEMORY: &str = "512M";

/// One QEMU boot.
pub struct QemuRun<'a> {
    /// Architecture of the image.
    pub arch: Arch,
    /// The kernel ELF.
    pub image: &'a Path,
    /// Number of CPUs.
    pub smp: usize,
    /// The initramfs (`-initrd`): x86-64 PVH hands it over as a module, riscv64 virt through
    /// the device tree's `/chosen`.
    pub initrd: Option<&'a Path>,
    /// Kernel command line.
    pub cmdline: &'a str,
    /// Seconds before the VM is killed.
    pub timeout: u64,
    /// Copy the serial output to our stdout as it arrives.
    pub echo: bool,
}

/// How the kernel ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KernelExit {
    /// The kernel powered off with this status (0 success, 1 test failed, 2 panic, 3 fault).
    Status(u32),
    /// QEMU ended without the kernel reporting a status (its exit code, or `None` if killed).
    NoStatus(Option<i32>),
    /// Killed after the timeout.
    TimedOut,
}

/// What a boot produced.
pub struct Outcome {
    /// How it ended.
    pub exit: KernelExit,
    /// Everything the serial console printed.
    pub log: String,
    /// Wall time from starting QEMU to the banner, if one was printed.
    pub banner_at: Option<Duration>,
    /// Wall time from starting QEMU to its exit.
    pub elapsed: Duration,
}

impl QemuRun<'_> {
    /// The QEMU command line.
    pub fn command(&self) -> Command {
        let mut cmd = Command::new(self.arch.qemu());
        let smp = self.smp.to_string();
        match self.arch {
            Arch::X86_64 => cmd
                .args(["-machine", "q35", "-cpu", "qemu64"])
                .args(["-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]),
            Arch::Riscv64 => cmd.args(["-machine", "virt", "-bios", "default"]),
        };
        cmd.args([
            "-accel",
            "tcg",
            "-m",
            MEMORY,
            "-smp",
            &smp,
            "-nographic",
            "-no-reboot",
        ]);
        cmd.arg("-kernel").arg(self.image);
        if let Some(initrd) = self.initrd {
            cmd.arg("-initrd").arg(initrd);
        }
        if !self.cmdline.is_empty() {
            cmd.args(["-append", self.cmdline]);
        }
        cmd
    }

    /// Boots, waits for the VM to end (or the timeout), and reports.
    pub fn run(&self) -> Result<Outcome, String> {
        self.run_with(&[], None)
    }

    /// Like [`QemuRun::run`], with `extra_args` appended to QEMU's command line (`-icount
    /// ...`), and the VM killed (as timed out) once the console has been silent for
    /// `idle_timeout`.
    pub fn run_with(
        &self,
        extra_args: &[String],
        idle_timeout: Option<Duration>,
    ) -> Result<Outcome, String> {
        let mut cmd = self.command();
        cmd.args(extra_args);
        cmd.stdout(Stdio::piped()).stdin(if self.echo {
            Stdio::inherit()
        } else {
            Stdio::null()
        });
        let start = Instant::now();
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", self.arch.qemu()))?;
        let mut stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel::<Vec<u8>>();
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n @ 1..) = stdout.read(&mut buf) {
                if tx.send(buf[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        let deadline = start + Duration::from_secs(self.timeout);
        let mut log = Vec::new();
        let mut banner_at = None;
        let mut take = |chunk: Vec<u8>, log: &mut Vec<u8>| {
            if self.echo {
                let mut out = std::io::stdout().lock();
                let _ = out.write_all(&chunk);
                let _ = out.flush();
            }
            log.extend_from_slice(&chunk);
            if banner_at.is_none() && String::from_utf8_lossy(log).contains(BANNER) {
                banner_at = Some(start.elapsed());
            }
        };
        let mut last_output = Instant::now();
        let status = loop {
            while let Ok(chunk) = rx.recv_timeout(Duration::from_millis(20)) {
                take(chunk, &mut log);
                last_output = Instant::now();
            }
            if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
                break Some(status);
            }
            let idle = idle_timeout.is_some_and(|limit| last_output.elapsed() >= limit);
            if Instant::now() >= deadline || idle {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
        };
        let elapsed = start.elapsed();
        let _ = reader.join();
        while let Ok(chunk) = rx.try_recv() {
            take(chunk, &mut log);
        }
        let exit = match status {
            None => KernelExit::TimedOut,
            Some(status) => map_exit(self.arch, status.code()),
        };
        Ok(Outcome {
            exit,
            log: String::from_utf8_lossy(&log).into_owned(),
            banner_at,
            elapsed,
        })
    }
}

/// Maps QEMU's exit code back to the status the kernel powered off with.
pub fn map_exit(arch: Arch, code: Option<i32>) -> KernelExit {
    match (arch, code) {
        (Arch::X86_64, Some(c)) if c % 2 == 1 => KernelExit::Status((c as u32 - 1) / 2),
        (Arch::Riscv64, Some(c)) if c >= 0 => KernelExit::Status(c as u32),
        (_, code) => KernelExit::NoStatus(code),
    }
}

/// A name for a kernel exit status.
pub fn status_name(status: u32) -> &'static str {
    match status {
        0 => "success",
        1 => "in-kernel test failed",
        2 => "kernel panic",
        3 => "kernel fault",
        _ => "unknown status",
    }
}

impl Outcome {
    /// The process exit code `cargo xtask qemu` returns: the kernel's status, 124 on timeout,
    /// 125 when QEMU ended without a status.
    pub fn exit_code(&self) -> u8 {
        match self.exit {
            KernelExit::Status(s) => s.min(123) as u8,
            KernelExit::TimedOut => 124,
            KernelExit::NoStatus(_) => 125,
        }
    }

    /// One line about how the boot went.
    pub fn describe(&self, arch: Arch) -> String {
        let how = match self.exit {
            KernelExit::Status(s) => format!("exited with status {s} ({})", status_name(s)),
            KernelExit::TimedOut => "timed out".to_string(),
            KernelExit::NoStatus(c) => {
                format!("QEMU ended without a kernel status (exit code {c:?})")
            }
        };
        let banner = self.banner_at.map_or("no banner".to_string(), |t| {
            format!("banner at {:.2} s", t.as_secs_f64())
        });
        format!(
            "{arch} kernel {how} after {:.2} s ({banner})",
            self.elapsed.as_secs_f64()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_map_back() {
        assert_eq!(map_exit(Arch::X86_64, Some(1)), KernelExit::Status(0));
        assert_eq!(map_exit(Arch::X86_64, Some(7)), KernelExit::Status(3));
        assert_eq!(
            map_exit(Arch::X86_64, Some(0)),
            KernelExit::NoStatus(Some(0))
        );
        assert_eq!(map_exit(Arch::Riscv64, Some(0)), KernelExit::Status(0));
        assert_eq!(map_exit(Arch::Riscv64, Some(2)), KernelExit::Status(2));
        assert_eq!(map_exit(Arch::Riscv64, None), KernelExit::NoStatus(None));
    }
}
