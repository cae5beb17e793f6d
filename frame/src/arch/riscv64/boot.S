# riscv64 boot stub. OpenSBI enters here in S-mode at the physical load address with
# a0 = hart id, a1 = device tree (physical). We switch to Sv39 with a static boot page table,
# jump to the kernel's linked (high) address, set up the boot stack, zero .bss and call Rust.

.section .boot.text, "ax"
.global _start
_start:
    lla t0, boot_page_table
    srli t0, t0, 12
    li t1, 8 << 60              # Sv39
    or t0, t0, t1
    sfence.vma
    csrw satp, t0
    sfence.vma
    ld t0, .Lhigh_entry
    jr t0
.balign 8
.Lhigh_entry:
    .quad boot_high

.section .text.boot_high, "ax"
boot_high:
.option push
.option norelax
    lla gp, __global_pointer$
.option pop
    lla sp, __frame_boot_stack_top
    lla t0, __bss_start
    lla t1, __bss_end
1:
    bgeu t0, t1, 2f
    sd zero, 0(t0)
    addi t0, t0, 8
    j 1b
2:
    li tp, 0                    # CPU index of the boot CPU
    li fp, 0
    call __frame_riscv64_entry
    unimp

# Secondary harts start here (SBI HSM hart_start), MMU off, a0 = hart id, a1 = CPU index.
# They switch to the boot table (its identity slot still maps this code), jump to the
# higher half, take the stack the starting CPU published and call the Rust entry; it loads the
# kernel's own root.
.section .boot.text, "ax"
.global __frame_riscv64_ap_start
.balign 4
__frame_riscv64_ap_start:
    lla t0, boot_page_table
    srli t0, t0, 12
    li t1, 8 << 60              # Sv39
    or t0, t0, t1
    sfence.vma
    csrw satp, t0
    sfence.vma
    ld t0, .Lap_high_entry
    jr t0
.balign 8
.Lap_high_entry:
    .quad ap_high

# Its physical address, for Rust code in the higher half (out of pc-relative reach).
.section .rodata.ap_start, "a"
.balign 8
.global __frame_riscv64_ap_start_pa
__frame_riscv64_ap_start_pa:
    .quad __frame_riscv64_ap_start

.section .text.ap_high, "ax"
ap_high:
.option push
.option norelax
    lla gp, __global_pointer$
.option pop
    csrw sscratch, zero         # zero in the kernel: traps come from the kernel
    mv tp, a1                   # CPU index
    lla t0, __frame_riscv64_ap_stack
    ld sp, 0(t0)
    li fp, 0
    mv a0, a1
    call __frame_riscv64_ap_entry
    unimp

.section .boot.data, "aw"
.balign 4096
# Sv39 root: [2] identity of the GiB at 0x80000000, [256..320] the linear map of physical
# 0..64 GiB at 0xffffffc000000000, [511] the kernel window (0xffffffffc0000000 -> 0x80000000).
# Leaf flags: V R W X A D. Every hart uses it only until its first Rust code loads the kernel's
# own root (built by frame::mm::vm::init, with no identity map).
boot_page_table:
    .quad 0
    .quad 0
    .quad (0x80000 << 10) | 0xcf
    .fill 253, 8, 0
    .set i, 0
    .rept 64
    .quad ((i * 0x40000) << 10) | 0xcf
    .set i, i + 1
    .endr
    .fill 191, 8, 0
    .quad (0x80000 << 10) | 0xcf

.section .bss.boot_stacks, "aw", @nobits
.balign 4096
    .space 64 * 1024
.global __frame_boot_stack_top
__frame_boot_stack_top:
