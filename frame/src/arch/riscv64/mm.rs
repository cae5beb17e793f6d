//! Address-space switching and TLB maintenance on riscv64 (Sv39).

use core::arch::asm;

/// The page-table format of user address spaces (and of the kernel's tables).
pub(crate) type PagingFormat = vm_corten::Sv39;

const SATP_SV39: usize = 8 << 60;
const SATP_PPN: usize = (1 << 44) - 1;
const SSTATUS_SUM: usize = 1 << 18;

/// The largest leaf level of Sv39: 3 (1 GiB pages, in the root table).
pub(crate) fn max_leaf_level() -> u8 {
    3
}

/// Nothing to turn on: supervisor mode always honours the permission bits of its own pages.
pub(crate) fn enable_protections() {}

/// Physical address of the active root table.
pub(crate) fn current_root() -> usize {
    let satp: usize;
    // SAFETY: reading satp has no side effects.
    unsafe { asm!("csrr {}, satp", out(reg) satp, options(nomem, nostack)) };
    (satp & SATP_PPN) << 12
}

/// Switches to the root table at `root` (a no-op if it is active).
pub(crate) fn activate_root(root: usize) {
    if current_root() != root {
        // Callers pass the kernel's root or a root built by vm-corten on top of `init_root`,
        // which shares the kernel root's upper half; the kernel root maps the image, every
        // stack and the linear map (`mm::vm::init`). No ASIDs are used.
        // SAFETY: so code and data stay mapped, and the fence drops every stale translation.
        unsafe {
            asm!("csrw satp, {}", "sfence.vma", in(reg) SATP_SV39 | (root >> 12), options(nostack))
        };
    }
}

/// Drops the translation of the page at `va` on this hart.
pub(crate) fn flush_page(va: usize) {
    // SAFETY: a TLB fence has no effect on memory.
    unsafe { asm!("sfence.vma {}, zero", in(reg) va, options(nostack)) };
}

/// Drops every translation on this hart.
pub(crate) fn flush_all() {
    // SAFETY: a TLB fence has no effect on memory.
    unsafe { asm!("sfence.vma", options(nostack)) };
}

/// Loads a word from a user address through the active page table, with `sstatus.SUM` set for
/// the access.
///
/// # Safety
///
/// `va` must be mapped readable in the active address space, 8-byte aligned, and not aliased
/// by a Rust reference that is being written.
pub(crate) unsafe fn read_user_u64(va: usize) -> u64 {
    let value: u64;
    // SAFETY: the caller guarantees the address is mapped and readable; SUM is set only for
    // this one load.
    unsafe {
        asm!(
            "csrs sstatus, {sum}",
            "ld {value}, 0({va})",
            "csrc sstatus, {sum}",
            sum = in(reg) SSTATUS_SUM,
            va = in(reg) va,
            value = out(reg) value,
            options(nostack, readonly),
        )
    };
    value
}
