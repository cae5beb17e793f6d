//! A spin lock that disables local interrupts while held.

use core::ops::{Deref, DerefMut};

use super::irq::{IrqGuard, disable_local_irqs};

/// A mutual-exclusion lock that spins, with local interrupts disabled while held.
pub struct SpinLock<T: ?Sized> {
    inner: spin::mutex::SpinMutex<T>,
}

/// Access to the data of a [`SpinLock`]; unlocks, then restores interrupts, when dropped.
pub struct SpinLockGuard<'a, T: ?Sized> {
    // Field order matters: the lock is released before interrupts come back.
    guard: spin::mutex::SpinMutexGuard<'a, T>,
    _irq: IrqGuard,
}

impl<T> SpinLock<T> {
    /// Creates an unlocked lock holding `value`.
    pub const fn new(value: T) -> Self {
        Self {
            inner: spin::mutex::SpinMutex::new(value),
        }
    }
}

impl<T: ?Sized> SpinLock<T> {
    /// Disables local interrupts and spins until the lock is taken. While it spins, the CPU
    /// keeps serving TLB shootdown requests: the holder may be waiting for this CPU's
    /// acknowledgement, which the masked IPI could not otherwise deliver.
    pub fn lock(&self) -> SpinLockGuard<'_, T> {
        let irq = disable_local_irqs();
        loop {
            if let Some(guard) = self.inner.try_lock() {
                return SpinLockGuard { guard, _irq: irq };
            }
            crate::smp::serve_shootdown();
            core::hint::spin_loop();
        }
    }

    /// Takes the lock if it is free.
    pub fn try_lock(&self) -> Option<SpinLockGuard<'_, T>> {
        let irq = disable_local_irqs();
        self.inner
            .try_lock()
            .map(|guard| SpinLockGuard { guard, _irq: irq })
    }
}

impl<T: ?Sized> Deref for SpinLockGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.guard
    }
}

impl<T: ?Sized> DerefMut for SpinLockGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.guard
    }
}

crate::ktest! {
    fn lock_disables_irqs_and_restores_them() {
        let lock = SpinLock::new(5);
        assert!(crate::arch::irq_enabled());
        {
            let mut guard = lock.lock();
            assert!(!crate::arch::irq_enabled());
            *guard += 1;
            assert!(lock.try_lock().is_none(), "a held lock was taken twice");
        }
        assert!(crate::arch::irq_enabled());
        assert_eq!(*lock.lock(), 6);
    }
}
