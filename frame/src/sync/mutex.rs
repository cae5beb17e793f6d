//! A sleeping mutual-exclusion lock for task context.
//!
//! The lock word is 0 (free), 1 (held, nobody waits) or 2 (held, someone may wait), as in
//! Drepper's futex mutex: an uncontended lock and unlock are one atomic each, and only an
//! unlock that finds 2 goes to the wait queue. A waiter sets 2 in its condition, which the
//! [`WaitQueue`] re-checks under its lock before the task sleeps, so an unlock either sees the
//! 2 and wakes the queued waiter, or comes before the waiter's re-check, which then finds the
//! lock free. (A waiter that gets the lock keeps the 2, so its unlock may wake nobody; that
//! costs a queue lock, never a lost wake-up.)

use core::cell::UnsafeCell;
use core::ops::{Deref, DerefMut};
use core::sync::atomic::{AtomicU8, Ordering};

use crate::task::WaitQueue;

/// The lock word's values.
const FREE: u8 = 0;
const HELD: u8 = 1;
const CONTENDED: u8 = 2;

/// A lock whose waiters sleep (on a [`WaitQueue`]) instead of spinning, so the CPU runs other
/// tasks meanwhile. It may be held across sleeps and long work, but not taken in interrupt
/// handlers or with interrupts disabled (use [`SpinLock`](super::SpinLock) there).
pub struct Mutex<T: ?Sized> {
    /// 0: free; 1: held; 2: held and maybe waited for (see the module doc).
    state: AtomicU8,
    waiters: WaitQueue,
    value: UnsafeCell<T>,
}

// SAFETY: the value is reached only through a guard, and `state` (acquire on taking, release
// on dropping the guard) admits one guard at a time; so sharing the mutex shares `T` only
// between threads one after the other, which `T: Send` allows.
unsafe impl<T: ?Sized + Send> Sync for Mutex<T> {}
// SAFETY: moving the mutex moves the `T` it owns.
unsafe impl<T: ?Sized + Send> Send for Mutex<T> {}

/// Access to the data of a [`Mutex`]; unlocks and wakes one waiter when dropped.
pub struct MutexGuard<'a, T: ?Sized> {
    mutex: &'a Mutex<T>,
}

impl<T> Mutex<T> {
    /// An unlocked mutex holding `value`.
    pub const fn new(value: T) -> Self {
        Self {
            state: AtomicU8::new(FREE),
            waiters: WaitQueue::new(),
            value: UnsafeCell::new(value),
        }
    }

    /// Consumes the mutex and returns its value.
    pub fn into_inner(self) -> T {
        self.value.into_inner()
    }
}

impl<T: ?Sized> Mutex<T> {
    /// Takes the lock, sleeping while another task holds it.
    ///
    /// # Panics
    ///
    /// If it has to sleep with interrupts or preemption disabled.
    pub fn lock(&self) -> MutexGuard<'_, T> {
        if let Some(guard) = self.try_lock() {
            return guard;
        }
        self.waiters.wait_until(|| {
            // Lazily: a guard made and dropped on failure would unlock.
            (self.state.swap(CONTENDED, Ordering::Acquire) == FREE)
                .then(|| MutexGuard { mutex: self })
        })
    }

    /// Takes the lock if it is free.
    pub fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
        self.state
            .compare_exchange(FREE, HELD, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
            .then(|| MutexGuard { mutex: self })
    }

    /// The value, through an exclusive borrow (no locking needed).
    pub fn get_mut(&mut self) -> &mut T {
        self.value.get_mut()
    }
}

impl<T: ?Sized> Deref for MutexGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: this guard is the only one (see the `Sync` impl), so no `&mut T` exists.
        unsafe { &*self.mutex.value.get() }
    }
}

impl<T: ?Sized> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: this guard is the only one, and it is borrowed mutably.
        unsafe { &mut *self.mutex.value.get() }
    }
}

impl<T: ?Sized> Drop for MutexGuard<'_, T> {
    fn drop(&mut self) {
        if self.mutex.state.swap(FREE, Ordering::Release) == CONTENDED {
            self.mutex.waiters.wake_one();
        }
    }
}
