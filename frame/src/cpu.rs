//! CPU identity and CPU-local storage.
//!
//! [`CpuLocal<T>`] is a per-CPU array: [`CpuLocal::get`] returns the slot of the CPU that runs
//! the caller, found through a per-CPU register (GS base on x86-64, `tp` on riscv64). The slots
//! are `T: Sync`, so a caller that migrates between CPUs after `get` still holds a valid,
//! shareable reference; it just may no longer be "its" slot. Code that needs the slot to stay
//! its own disables interrupts (and, once there is preemption, preemption) around the use.

/// The most CPUs frame supports.
pub const MAX_CPUS: usize = 64;

/// The index of the CPU running the caller (0 for the boot CPU).
pub fn current_id() -> usize {
    crate::arch::cpu_id()
}

/// The index of the CPU running the caller (0 for the boot CPU); the same as [`current_id`].
pub fn current() -> usize {
    current_id()
}

/// Number of online CPUs (those running; see [`crate::smp`]). CPU indices run from 0 to
/// `count() - 1` when every CPU the firmware reported came up.
pub fn count() -> usize {
    crate::smp::online_count()
}

/// One `T` per CPU.
pub struct CpuLocal<T> {
    slots: [T; MAX_CPUS],
}

impl<T> CpuLocal<T> {
    /// Creates per-CPU storage from one initial value per CPU, for example
    /// `CpuLocal::new([const { AtomicU64::new(0) }; MAX_CPUS])`.
    pub const fn new(slots: [T; MAX_CPUS]) -> Self {
        Self { slots }
    }

    /// The running CPU's slot.
    pub fn get(&self) -> &T {
        &self.slots[current_id()]
    }

    /// CPU `cpu`'s slot.
    ///
    /// # Panics
    ///
    /// If `cpu >= MAX_CPUS`.
    pub fn get_on(&self, cpu: usize) -> &T {
        &self.slots[cpu]
    }
}

crate::ktest! {
    fn boot_cpu_has_index_zero_and_its_own_slot() {
        use core::sync::atomic::{AtomicUsize, Ordering};
        static SLOTS: CpuLocal<AtomicUsize> = CpuLocal::new([const { AtomicUsize::new(0) }; MAX_CPUS]);
        assert_eq!(current_id(), 0);
        SLOTS.get().store(7, Ordering::Relaxed);
        assert_eq!(SLOTS.get_on(0).load(Ordering::Relaxed), 7);
        assert_eq!(SLOTS.get_on(1).load(Ordering::Relaxed), 0);
    }
}

/// Enables interrupts and sleeps until the next one arrives (the idle loop's step).
pub fn wait_for_interrupt() {
    crate::timer::set_cpu_mode(crate::timer::CpuMode::Idle);
    crate::arch::wait_for_interrupt();
    crate::timer::set_cpu_mode(crate::timer::CpuMode::Kernel);
}
