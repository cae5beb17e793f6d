# riscv64 user-mode entry and exit.
#
# __frame_riscv64_enter_user(ctx: *mut ArchUserContext, cpu: *const PerCpu) saves the kernel's
# callee-saved registers (and gp, tp) on the kernel stack, records that stack and ctx in the
# per-CPU block, points sscratch at the block and enters user mode with sret. It returns (in a0,
# the exit code) when a trap from user mode comes back through trap.S.
#
# ArchUserContext starts with x1..x31 at (n - 1) * 8, then pc at 248.

.section .text.user, "ax"
.global __frame_riscv64_enter_user
__frame_riscv64_enter_user:
    addi sp, sp, -16 * 8
    sd ra, 0(sp)
    sd gp, 8(sp)
    sd tp, 16(sp)
    sd s0, 24(sp)
    sd s1, 32(sp)
    sd s2, 40(sp)
    sd s3, 48(sp)
    sd s4, 56(sp)
    sd s5, 64(sp)
    sd s6, 72(sp)
    sd s7, 80(sp)
    sd s8, 88(sp)
    sd s9, 96(sp)
    sd s10, 104(sp)
    sd s11, 112(sp)
    sd sp, 8(a1)
    sd a0, 24(a1)
    csrw sscratch, a1
    ld t0, 31 * 8(a0)
    csrw sepc, t0
    li t0, 1 << 8               # SPP: return to user mode
    csrc sstatus, t0
    li t0, 1 << 5               # SPIE: interrupts on in user mode
    csrs sstatus, t0
    ld x1, 0(a0)
    .irp n, 2,3,4,5,6,7,8,9,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    ld x\n, (\n - 1) * 8(a0)
    .endr
    ld a0, 9 * 8(a0)
    sret

.global __frame_riscv64_return_to_kernel
__frame_riscv64_return_to_kernel:
    ld ra, 0(sp)
    ld gp, 8(sp)
    ld tp, 16(sp)
    ld s0, 24(sp)
    ld s1, 32(sp)
    ld s2, 40(sp)
    ld s3, 48(sp)
    ld s4, 56(sp)
    ld s5, 64(sp)
    ld s6, 72(sp)
    ld s7, 80(sp)
    ld s8, 88(sp)
    ld s9, 96(sp)
    ld s10, 104(sp)
    ld s11, 112(sp)
    addi sp, sp, 16 * 8
    ret
