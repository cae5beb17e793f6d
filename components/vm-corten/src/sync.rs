//! Atomics and a spin mutex, from `core` in the kernel and from shuttle under model checking.
//!
//! With the `shuttle` feature every atomic operation of the lock protocol is a scheduling point
//! of the model checker, and spinning yields to it, so it explores the interleavings.

use core::cell::UnsafeCell;
use core::ops::{Deref, DerefMut};

#[cfg(not(feature = "shuttle"))]
pub use core::sync::atomic::{AtomicBool, AtomicU16, AtomicU64, AtomicUsize, Ordering};
#[cfg(feature = "shuttle")]
pub use shuttle::sync::atomic::{AtomicBool, AtomicU16, AtomicU64, AtomicUsize, Ordering};

/// A value on its own cache line(s), so that per-CPU data written by one CPU does not share a
/// line with another's.
#[repr(align(128))]
pub(crate) struct CachePadded<T>(pub(crate) T);

/// Waits a little while spinning on a lock.
pub(crate) fn spin_wait() {
    #[cfg(feature = "shuttle")]
    shuttle::thread::yield_now();
    #[cfg(not(feature = "shuttle"))]
    core::hint::spin_loop();
}

/// A test-and-set lock bit. Taking it is sequentially consistent (on x86-64 the same
/// instruction as acquire), so that a thread that takes the lock of a last-level table and then
/// looks at the CPUs that may be in a leaf transaction on it, and such a CPU, which announces
/// itself and then looks at the lock, cannot both miss each other (see the `leaf` module).
pub(crate) struct LockBit(AtomicBool);

impl LockBit {
    #[inline]
    pub(crate) const fn new() -> Self {
        Self(AtomicBool::new(false))
    }

    #[inline]
    pub(crate) fn lock(&self) {
        while self
            .0
            .compare_exchange_weak(false, true, Ordering::SeqCst, Ordering::Relaxed)
            .is_err()
        {
            while self.0.load(Ordering::Relaxed) {
                spin_wait();
            }
        }
    }

    /// Whether the lock is held (for assertions).
    #[cfg(any(test, feature = "sim"))]
    pub(crate) fn is_held(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    /// Whether the lock is held, in the single total order of sequentially consistent
    /// operations.
    #[inline]
    pub(crate) fn is_taken(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    #[inline]
    pub(crate) fn unlock(&self) {
        self.0.store(false, Ordering::Release);
    }
}

/// A minimal spin mutex for short critical sections (the RCU retire lists, the VA arenas).
pub(crate) struct SpinMutex<T> {
    bit: LockBit,
    value: UnsafeCell<T>,
}

// SAFETY: the lock bit gives one thread at a time access to `value` (acquire on lock, release
// on unlock), so sharing the mutex shares `T` only by moving access between threads: `T: Send`
// suffices, as for `std::sync::Mutex`.
unsafe impl<T: Send> Sync for SpinMutex<T> {}

impl<T> SpinMutex<T> {
    pub(crate) const fn new(value: T) -> Self {
        Self {
            bit: LockBit::new(),
            value: UnsafeCell::new(value),
        }
    }

    #[inline]
    pub(crate) fn lock(&self) -> SpinMutexGuard<'_, T> {
        self.bit.lock();
        SpinMutexGuard { mutex: self }
    }
}

pub(crate) struct SpinMutexGuard<'a, T> {
    mutex: &'a SpinMutex<T>,
}

impl<T> Deref for SpinMutexGuard<'_, T> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        // SAFETY: the guard exists only while this thread holds the lock bit, so no other
        // reference to the value exists.
        unsafe { &*self.mutex.value.get() }
    }
}

impl<T> DerefMut for SpinMutexGuard<'_, T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as in `deref`; `&mut self` makes this the only reference through the guard.
        unsafe { &mut *self.mutex.value.get() }
    }
}

impl<T> Drop for SpinMutexGuard<'_, T> {
    #[inline]
    fn drop(&mut self) {
        self.mutex.bit.unlock();
    }
}
