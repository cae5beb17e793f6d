//! The file-system tree of the kernel: a ramfs root filled from the initramfs, devfs on
//! `/dev` (with the console), and the hooks the VFS needs from the kernel.

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicBool, Ordering};

use spin::Mutex;
use vfs::devfs::DevFs;
use vfs::{FsContext, MountFlags, RamFs, Timespec, Vfs, VfsHooks};

use crate::Errno;
use crate::console::Console;

/// The VFS's view of the kernel: the clock and a random source.
pub struct KernelHooks {
    state: Mutex<u64>,
    /// Wait keys whose readiness changed since the run loop last looked (see `take_woken`).
    woken: Mutex<Vec<u64>>,
    /// Whether `woken` may be non-empty (checked without the lock on every system call).
    any_woken: AtomicBool,
}

impl KernelHooks {
    fn new() -> Self {
        let seed = frame::timer::uptime().as_nanos() as u64;
        Self {
            state: Mutex::new(seed | 1),
            woken: Mutex::new(Vec::new()),
            any_woken: AtomicBool::new(false),
        }
    }

    /// Moves the wait keys reported by [`VfsHooks::wake`] since the last call (each once) into
    /// `keys`, which the caller keeps between calls, so that neither side allocates each time.
    pub fn take_woken(&self, keys: &mut Vec<u64>) {
        if !self.any_woken.swap(false, Ordering::Acquire) {
            return;
        }
        let mut woken = self.woken.lock();
        if !woken.is_empty() {
            keys.clear();
            keys.extend_from_slice(&woken);
            woken.clear();
        }
    }
}

impl VfsHooks for KernelHooks {
    /// Recorded, for the run loop to wake the threads blocked on `key` once the system call
    /// that caused it completes (this may run with VFS locks held, so it only records).
    fn wake(&self, key: u64) {
        let mut woken = self.woken.lock();
        if !woken.contains(&key) {
            woken.push(key);
        }
        self.any_woken.store(true, Ordering::Release);
    }

    fn now(&self) -> Timespec {
        let t = frame::timer::wall_clock();
        Timespec {
            sec: t.as_secs() as i64,
            nsec: t.subsec_nanos(),
        }
    }

    /// xorshift64*, seeded from the boot clock: not cryptographic (there is no hardware
    /// random source wired yet).
    fn fill_random(&self, buf: &mut [u8]) {
        let mut state = self.state.lock();
        for chunk in buf.chunks_mut(8) {
            let mut x = *state;
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            *state = x;
            let word = x.wrapping_mul(0x2545_f491_4f6c_dd1d).to_le_bytes();
            chunk.copy_from_slice(&word[..chunk.len()]);
        }
    }
}

/// Builds the tree: unpacks `initramfs` into a ramfs root and mounts devfs on `/dev`.
#[allow(clippy::type_complexity)]
pub fn boot(
    initramfs: &[u8],
) -> Result<(Arc<Vfs>, FsContext, Arc<KernelHooks>, Arc<Console>), Errno> {
    let hooks = Arc::new(KernelHooks::new());
    let dyn_hooks: Arc<dyn VfsHooks> = hooks.clone();
    let rootfs = RamFs::new(dyn_hooks.clone());
    let vfs = Vfs::new(rootfs.root(), "rootfs", dyn_hooks.clone());
    let ctx = FsContext::new(&vfs);
    let stats = vfs::cpio::unpack_newc(&vfs, &ctx, initramfs).map_err(|e| {
        log::error!("initramfs: {e:?}");
        Errno::EINVAL
    })?;
    log::info!("initramfs: unpacked {stats:?}");
    match vfs.mkdir(&ctx, "/dev", 0o755) {
        Ok(()) | Err(vfs::Error::EEXIST) => {}
        Err(e) => return Err(e),
    }
    let devfs = DevFs::new(dyn_hooks);
    let the_console = Arc::new(Console::new());
    let console: Arc<dyn vfs::Inode> = the_console.clone();
    devfs.add("console", console.clone())?;
    devfs.add("tty", console)?;
    vfs.mount(
        &ctx,
        "/dev",
        devfs.root(),
        "devtmpfs",
        "devtmpfs",
        MountFlags::empty(),
    )?;
    vfs.set_device_registry(devfs);
    Ok((vfs, ctx, hooks, the_console))
}
