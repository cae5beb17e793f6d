//! Services the kernel lends to the VFS: the wall clock, randomness and wake-ups.
//!
//! The crate depends on no part of the kernel; the kernel implements [`VfsHooks`] once and passes
//! it (as `Arc<dyn VfsHooks>`) to the file systems it creates. [`SimpleHooks`] is a ready-made
//! implementation for host tests and early boot.

use core::sync::atomic::{AtomicI64, AtomicU64, Ordering};

use crate::types::Timespec;

/// What the VFS needs from the kernel. The methods may be called with spin locks held: they must
/// not sleep.
pub trait VfsHooks: Send + Sync {
    /// The current wall-clock time (`CLOCK_REALTIME`), used for atime, mtime and ctime.
    fn now(&self) -> Timespec;

    /// Fills `buf` with random bytes (for `/dev/random` and `/dev/urandom`).
    fn fill_random(&self, buf: &mut [u8]);

    /// The readiness of the objects waiting on `key` (see [`crate::Inode::wait_key`]) may have
    /// changed: wake the tasks sleeping on it so that they retry. The default does nothing, which
    /// suits a kernel that polls.
    fn wake(&self, key: u64) {
        let _ = key;
    }
}

/// A [`VfsHooks`] with a settable clock and a xorshift generator (not cryptographic).
#[derive(Debug)]
pub struct SimpleHooks {
    sec: AtomicI64,
    seed: AtomicU64,
    wakes: AtomicU64,
}

impl SimpleHooks {
    /// Hooks whose clock reads `sec` seconds and whose generator starts from `seed`.
    pub const fn new(sec: i64, seed: u64) -> Self {
        Self {
            sec: AtomicI64::new(sec),
            seed: AtomicU64::new(seed | 1),
            wakes: AtomicU64::new(0),
        }
    }

    /// Sets the clock.
    pub fn set_time(&self, sec: i64) {
        self.sec.store(sec, Ordering::Relaxed);
    }

    /// How many times [`VfsHooks::wake`] was called.
    pub fn wake_count(&self) -> u64 {
        self.wakes.load(Ordering::Relaxed)
    }
}

impl Default for SimpleHooks {
    fn default() -> Self {
        Self::new(0, 0x2545_f491_4f6c_dd1d)
    }
}

impl VfsHooks for SimpleHooks {
    fn now(&self) -> Timespec {
        Timespec::new(self.sec.load(Ordering::Relaxed), 0)
    }

    fn fill_random(&self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let mut x = self.seed.load(Ordering::Relaxed);
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            self.seed.store(x, Ordering::Relaxed);
            chunk.copy_from_slice(&x.to_le_bytes()[..chunk.len()]);
        }
    }

    fn wake(&self, _key: u64) {
        self.wakes.fetch_add(1, Ordering::Relaxed);
    }
}
