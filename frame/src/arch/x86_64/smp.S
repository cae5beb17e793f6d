# AP trampoline. The boot CPU copies the bytes between __frame_ap_trampoline_start and
# __frame_ap_trampoline_end to AP_TRAMPOLINE (physical) and sends STARTUP with vector
# AP_TRAMPOLINE >> 12: the AP starts here in real mode with cs = 0x0800, ip = 0. It loads the
# trampoline's GDT, enters protected mode, turns on PAE paging with the boot table
# (__frame_boot_pml4, whose identity slot maps this code) and long mode, and jumps to the
# higher half with the stack the boot CPU published in __frame_x86_64_ap_stack.
# Addresses inside the trampoline are computed for its copy at AP_TRAMPOLINE.

.set AP_TRAMPOLINE, 0x8000

.section .rodata.ap_trampoline, "a"
.global __frame_ap_trampoline_start
__frame_ap_trampoline_start:
.code16
    cli
    cld
    mov ax, cs
    mov ds, ax
    .byte 0x0f, 0x01, 0x16      # lgdt [disp16] (ds-relative)
    .word ap_gdt_ptr - __frame_ap_trampoline_start
    mov eax, cr0
    or eax, 1                   # PE
    mov cr0, eax
    .byte 0x66, 0xea            # ljmp 0x18:ap_protected (32-bit offset)
    .long AP_TRAMPOLINE + (ap_protected - __frame_ap_trampoline_start)
    .word 0x18

.code32
ap_protected:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov eax, cr4
    or eax, 1 << 5              # PAE
    mov cr4, eax
    mov eax, offset __frame_boot_pml4
    mov cr3, eax
    mov ecx, 0xc0000080         # EFER
    rdmsr
    or eax, (1 << 8) | (1 << 11)    # LME | NXE
    wrmsr
    mov eax, cr0
    or eax, 0x80010001          # PG | WP | PE
    mov cr0, eax
    .byte 0xea                  # ljmp 0x08:ap_long_mode
    .long AP_TRAMPOLINE + (ap_long_mode - __frame_ap_trampoline_start)
    .word 0x08

.code64
ap_long_mode:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    xor eax, eax
    mov fs, ax
    mov gs, ax
    movabs rax, offset __frame_x86_64_ap_stack
    mov rsp, [rax]
    xor ebp, ebp
    movabs rax, offset __frame_x86_64_ap_entry
    call rax
    ud2

.balign 8
ap_gdt:
    .quad 0
    .quad 0x00af9a000000ffff    # 0x08: 64-bit code
    .quad 0x00cf92000000ffff    # 0x10: data
    .quad 0x00cf9a000000ffff    # 0x18: 32-bit code
ap_gdt_ptr:
    .word ap_gdt_ptr - ap_gdt - 1
    .long AP_TRAMPOLINE + (ap_gdt - __frame_ap_trampoline_start)
.global __frame_ap_trampoline_end
__frame_ap_trampoline_end:
