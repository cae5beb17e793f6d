//! Disabling local interrupts for a scope.

use core::marker::PhantomData;

/// Interrupts stay disabled on this CPU while this guard lives; dropping it restores the state
/// found when it was made.
#[must_use = "interrupts are re-enabled when the guard is dropped"]
pub struct IrqGuard {
    was_enabled: bool,
    /// `!Send`: the guard belongs to the CPU whose interrupts it disabled.
    _not_send: PhantomData<*const ()>,
}

/// Disables interrupts on the running CPU until the returned guard is dropped.
pub fn disable_local_irqs() -> IrqGuard {
    let was_enabled = crate::arch::irq_enabled();
    crate::arch::irq_disable();
    IrqGuard {
        was_enabled,
        _not_send: PhantomData,
    }
}

impl Drop for IrqGuard {
    fn drop(&mut self) {
        if self.was_enabled {
            crate::arch::irq_enable();
        }
    }
}
