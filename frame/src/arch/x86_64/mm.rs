//! Address-space switching and TLB maintenance on x86-64.

use core::arch::asm;

/// The page-table format of user address spaces (and of the kernel's tables).
pub(crate) type PagingFormat = vm_corten::X86_64;

const CR3_ADDR: usize = 0x000f_ffff_ffff_f000;

/// Physical address of the active root table.
pub(crate) fn current_root() -> usize {
    let cr3: usize;
    // SAFETY: reading CR3 has no side effects.
    unsafe { asm!("mov {}, cr3", out(reg) cr3, options(nomem, nostack, preserves_flags)) };
    cr3 & CR3_ADDR
}

/// Switches to the root table at `root` (a no-op if it is active).
pub(crate) fn activate_root(root: usize) {
    if current_root() != root {
        // SAFETY: callers pass a root built by vm-corten on top of `init_root`, so it maps the
        // whole kernel half exactly as the current root does; the code and stack stay mapped.
        unsafe { asm!("mov cr3, {}", in(reg) root, options(nostack, preserves_flags)) };
    }
}

/// Drops the translation of the page at `va` on this CPU.
pub(crate) fn flush_page(va: usize) {
    // SAFETY: invalidating a TLB entry has no effect on memory.
    unsafe { asm!("invlpg [{}]", in(reg) va, options(nostack, preserves_flags)) };
}

/// Drops every non-global translation on this CPU.
pub(crate) fn flush_all() {
    let root = current_root();
    // SAFETY: reloading the same CR3 only flushes the TLB.
    unsafe { asm!("mov cr3, {}", in(reg) root, options(nostack, preserves_flags)) };
}

/// Loads a word from a user address through the active page table (kernel-mode access to a
/// user page is allowed: SMAP is not enabled).
///
/// # Safety
///
/// `va` must be mapped readable in the active address space, 8-byte aligned, and not aliased
/// by a Rust reference that is being written.
pub(crate) unsafe fn read_user_u64(va: usize) -> u64 {
    // SAFETY: the caller guarantees the address is mapped and readable.
    unsafe { (va as *const u64).read_volatile() }
}
