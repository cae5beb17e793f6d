//! Address-space switching and TLB maintenance on x86-64.

use core::arch::asm;

/// The page-table format of user address spaces (and of the kernel's tables).
pub(crate) type PagingFormat = vm_corten::X86_64;

const CR3_ADDR: usize = 0x000f_ffff_ffff_f000;

/// The largest leaf level this CPU's page tables may hold: 3 (1 GiB pages) if CPUID says
/// `pdpe1gb`, else 2 (2 MiB). QEMU's default `qemu64` model has no 1 GiB pages.
pub(crate) fn max_leaf_level() -> u8 {
    const PDPE1GB: u32 = 1 << 26;
    let edx: u32;
    // SAFETY: CPUID leaf 0x8000_0001 exists on every x86-64 CPU and only reads identification
    // registers; rbx, which LLVM reserves, is saved around it.
    unsafe {
        asm!(
            "mov {tmp}, rbx",
            "cpuid",
            "mov rbx, {tmp}",
            tmp = out(reg) _,
            inout("eax") 0x8000_0001u32 => _,
            out("ecx") _,
            out("edx") edx,
            options(nomem, nostack, preserves_flags)
        )
    };
    if edx & PDPE1GB != 0 { 3 } else { 2 }
}

/// Turns on the protections the kernel's page table relies on, on the running CPU: CR0.WP
/// (read-only pages are read-only for the kernel too) and CR4.PGE (global kernel entries
/// survive address-space switches).
pub(crate) fn enable_protections() {
    const CR0_WP: usize = 1 << 16;
    const CR4_PGE: usize = 1 << 7;
    // SAFETY: setting WP makes kernel writes to read-only pages fault, which is the intent;
    // setting PGE keeps global translations across CR3 loads: only the kernel half is mapped
    // global, and it never changes after boot.
    unsafe {
        asm!(
            "mov {t}, cr0", "or {t}, {wp}", "mov cr0, {t}",
            "mov {t}, cr4", "or {t}, {pge}", "mov cr4, {t}",
            t = out(reg) _, wp = const CR0_WP, pge = const CR4_PGE,
            options(nostack, preserves_flags)
        )
    };
}

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
        // SAFETY: callers pass the kernel's root or a root built by vm-corten on top of
        // `init_root`, which shares the kernel root's upper half; the kernel root maps the
        // image, every stack and the linear map (`mm::vm::init`), so code and data stay mapped.
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
