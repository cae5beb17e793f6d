//! What the boot loader told us, and the hand-off from the architecture's entry to the kernel.
//!
//! Each architecture's entry code sets up the console and trap handling, parses its boot
//! information (the PVH start info on x86-64, the device tree on riscv64) into a [`BootInfo`]
//! and calls [`start`], which brings up the portable parts (logger, frame allocator, heap) and
//! calls the kernel's main function registered with [`crate::entry!`].

use core::sync::atomic::{AtomicUsize, Ordering};

use spin::Once;

use crate::mm::MemoryMap;

/// Longest kernel command line kept; the rest is dropped.
pub(crate) const CMDLINE_MAX: usize = 1024;

/// Boot information, as parsed by the architecture's entry code.
pub(crate) struct BootInfo {
    /// Usable RAM, with the kernel image and firmware areas already removed.
    pub(crate) memory: MemoryMap,
    /// The kernel command line bytes (`cmdline[..cmdline_len]`).
    pub(crate) cmdline: [u8; CMDLINE_MAX],
    /// Length of the command line.
    pub(crate) cmdline_len: usize,
    /// Number of CPUs the firmware reports.
    pub(crate) cpu_count: usize,
    /// Physical range of the initramfs the boot loader loaded, if any (already reserved in
    /// `memory`).
    pub(crate) initramfs: Option<(usize, usize)>,
}

struct Cmdline {
    bytes: [u8; CMDLINE_MAX],
    len: usize,
}

static CMDLINE: Once<Cmdline> = Once::new();
static INITRAMFS: Once<Option<(usize, usize)>> = Once::new();
static CPU_COUNT: AtomicUsize = AtomicUsize::new(1);

unsafe extern "Rust" {
    /// Defined by [`crate::entry!`] in the kernel binary.
    safe fn __frame_kernel_main() -> !;
}

/// Brings up the portable parts of frame and calls the kernel's main function.
pub(crate) fn start(info: BootInfo) -> ! {
    let cmdline = CMDLINE.call_once(|| Cmdline {
        bytes: info.cmdline,
        len: info.cmdline_len,
    });
    CPU_COUNT.store(info.cpu_count, Ordering::Relaxed);
    INITRAMFS.call_once(|| info.initramfs);
    crate::logger::init(param_in(cmdline_of(cmdline), "loglevel"));
    crate::mm::init(info.memory);
    if let Some((start, len)) = info.initramfs {
        log::info!("boot: initramfs of {len} bytes at {start:#x}");
    }
    crate::arch::irq_enable();
    crate::smp::init();
    log::debug!("frame: boot done, calling the kernel");
    __frame_kernel_main()
}

fn cmdline_of(c: &Cmdline) -> &str {
    core::str::from_utf8(&c.bytes[..c.len]).unwrap_or("")
}

/// The kernel command line (empty when the boot loader gave none or it was not UTF-8).
pub fn cmdline() -> &'static str {
    CMDLINE.get().map(cmdline_of).unwrap_or("")
}

/// The value of `key=value` on the kernel command line, or `Some("")` for a bare `key`.
pub fn cmdline_param(key: &str) -> Option<&'static str> {
    param_in(cmdline(), key)
}

fn param_in<'a>(cmdline: &'a str, key: &str) -> Option<&'a str> {
    cmdline
        .split_ascii_whitespace()
        .find_map(|word| match word.split_once('=') {
            Some((k, v)) if k == key => Some(v),
            None if word == key => Some(""),
            _ => None,
        })
}

/// The initramfs image the boot loader passed (QEMU `-initrd`), if any.
pub fn initramfs() -> Option<&'static [u8]> {
    let (start, len) = (*INITRAMFS.get()?)?;
    if len == 0 {
        return None;
    }
    let end = start.checked_add(len)?;
    let va = crate::mm::phys_to_virt(start);
    crate::mm::phys_to_virt(end - 1);
    // The range was reserved before the allocators were set up, lies in the linear map (both
    // ends checked above) and is never written after the boot loader.
    // SAFETY: so a shared `'static` slice of it stays valid for the life of the kernel.
    Some(unsafe { core::slice::from_raw_parts(va as *const u8, len) })
}

/// Number of CPUs the firmware reports (ACPI MADT on x86-64, `/cpus` in the device tree on
/// riscv64). [`crate::cpu::count`] says how many of them are online.
pub fn cpu_count() -> usize {
    CPU_COUNT.load(Ordering::Relaxed)
}

crate::ktest! {
    fn cmdline_params_parse() {
        let line = "quiet ktest.filter=mm loglevel=debug key=a=b";
        assert_eq!(param_in(line, "quiet"), Some(""));
        assert_eq!(param_in(line, "ktest.filter"), Some("mm"));
        assert_eq!(param_in(line, "key"), Some("a=b"));
        assert_eq!(param_in(line, "ktest"), None);
        assert_eq!(param_in(line, "loglevel"), Some("debug"));
    }
}

crate::ktest! {
    fn initramfs_when_given_is_a_newc_archive() {
        // `cargo xtask` boots with `-initrd` once the initramfs exists; without one there is
        // nothing to check here.
        if let Some(image) = initramfs() {
            assert!(image.len() >= 110, "initramfs of {} bytes", image.len());
            assert_eq!(&image[..6], b"070701", "initramfs is not a newc cpio archive");
        }
    }
}
