# x86-64 boot stub: PVH entry (32-bit protected mode, paging off, ebx = hvm_start_info).
# Builds nothing at run time: the boot page tables below are static. It enables long mode,
# zeroes .bss, switches to the boot stack in the higher half and calls the Rust entry.

.section .note.Xen, "a", @note
.balign 4
    .long 4                     # name size
    .long 4                     # descriptor size
    .long 18                    # XEN_ELFNOTE_PHYS32_ENTRY
    .asciz "Xen"
    .balign 4
    .long _start32
    .balign 4

.section .boot.text, "ax"
.code32
.global _start32
_start32:
    cli
    cld
    mov edi, ebx                # hvm_start_info (physical), first Rust argument
    mov eax, cr4
    or eax, 1 << 5              # PAE
    mov cr4, eax
    mov eax, offset boot_pml4
    mov cr3, eax
    mov ecx, 0xc0000080         # EFER
    rdmsr
    or eax, (1 << 8) | (1 << 11)    # LME | NXE
    wrmsr
    mov eax, cr0
    or eax, 0x80010001          # PG | WP | PE
    mov cr0, eax
    lgdt [boot_gdt_ptr]
    push 0x08
    mov eax, offset boot_long_mode
    push eax
    retf

.code64
boot_long_mode:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    xor eax, eax
    mov fs, ax
    mov gs, ax
    mov r12d, edi               # zero-extends start_info
    movabs rdi, offset __bss_start
    movabs rcx, offset __bss_end
    sub rcx, rdi
    shr rcx, 3
    rep stosq
    movabs rsp, offset __frame_boot_stack_top
    xor ebp, ebp
    mov rdi, r12
    movabs rax, offset __frame_x86_64_entry
    call rax
    ud2

.section .boot.data, "aw"
.balign 4096
# PML4: [0] identity 0..4 GiB, [256] linear map of 0..4 GiB at 0xffff800000000000, [511] the
# kernel image window (top 2 GiB = physical 0..2 GiB). The boot CPU and the APs (smp.S) use it
# only until their first Rust code loads the kernel's own root (frame::mm::vm::init), which has
# no identity map.
.global __frame_boot_pml4
__frame_boot_pml4:
boot_pml4:
    .quad boot_pdpt_low + 0x3
    .fill 255, 8, 0
    .quad boot_pdpt_low + 0x3
    .fill 254, 8, 0
    .quad boot_pdpt_high + 0x3
boot_pdpt_low:
    .quad boot_pd + 0x3
    .quad boot_pd + 0x1000 + 0x3
    .quad boot_pd + 0x2000 + 0x3
    .quad boot_pd + 0x3000 + 0x3
    .fill 508, 8, 0
boot_pdpt_high:
    .fill 510, 8, 0
    .quad boot_pd + 0x3
    .quad boot_pd + 0x1000 + 0x3
# 2048 2-MiB pages: physical 0..4 GiB. The last GiB (MMIO: LAPIC, IOAPIC, PCI holes) is
# mapped uncached (PCD | PWT).
boot_pd:
    .set i, 0
    .rept 1536
    .quad (i << 21) | 0x83
    .set i, i + 1
    .endr
    .rept 512
    .quad (i << 21) | 0x9b
    .set i, i + 1
    .endr

boot_gdt:
    .quad 0
    .quad 0x00af9a000000ffff    # 0x08: 64-bit code
    .quad 0x00cf92000000ffff    # 0x10: data
boot_gdt_ptr:
    .word boot_gdt_ptr - boot_gdt - 1
    .long boot_gdt

.section .bss.boot_stacks, "aw", @nobits
.balign 4096
    .space 64 * 1024
.global __frame_boot_stack_top
__frame_boot_stack_top:
    .space 16 * 1024
.global __frame_fault_stack_top
__frame_fault_stack_top:
    .space 16 * 1024
.global __frame_user_trap_stack_top
__frame_user_trap_stack_top:
