# riscv64 trap entry (stvec, direct mode). Kernel-only for now: the trap runs on the
# interrupted stack. Saves x1..x31 and the trap CSRs as a `TrapFrame`, calls the Rust
# dispatcher, restores and returns with sret.

.section .text.trap, "ax"
.balign 4
.global __frame_trap_entry
__frame_trap_entry:
    csrrw sp, sscratch, sp
    bnez sp, .Lfrom_user
    csrrw sp, sscratch, sp      # from the kernel: sp back, sscratch back to 0
    addi sp, sp, -36 * 8
    sd x1, 1 * 8(sp)
    .irp n, 3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    sd x\n, \n * 8(sp)
    .endr
    addi t0, sp, 36 * 8
    sd t0, 2 * 8(sp)            # the interrupted sp
    csrr t0, sepc
    sd t0, 32 * 8(sp)
    csrr t0, sstatus
    sd t0, 33 * 8(sp)
    csrr t0, scause
    sd t0, 34 * 8(sp)
    csrr t0, stval
    sd t0, 35 * 8(sp)
    mv a0, sp
    call __frame_riscv64_trap
    ld t0, 32 * 8(sp)
    csrw sepc, t0
    ld t0, 33 * 8(sp)
    csrw sstatus, t0
    ld x1, 1 * 8(sp)
    # Not tp (x4): it holds the CPU's block, and a task preempted in this handler may
    # return on another CPU than the one it trapped on.
    .irp n, 3,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    ld x\n, \n * 8(sp)
    .endr
    addi sp, sp, 36 * 8
    sret

# A trap from user mode: sp = this CPU's block, sscratch = the user sp. Save the user registers
# into the running ArchUserContext (x1..x31 at (n - 1) * 8, pc at 248), switch to the kernel's
# tp and stack, and let the Rust handler say why user mode ended; then return from
# __frame_riscv64_enter_user.
.Lfrom_user:
    sd t0, 16(sp)
    ld t0, 24(sp)
    sd x1, 0(t0)
    .irp n, 3,4,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    sd x\n, (\n - 1) * 8(t0)
    .endr
    ld t1, 16(sp)
    sd t1, 4 * 8(t0)            # t0 = x5
    csrr t1, sscratch
    sd t1, 1 * 8(t0)            # sp = x2
    csrr t1, sepc
    sd t1, 31 * 8(t0)
    csrw sscratch, zero
    ld tp, 0(sp)
    ld sp, 8(sp)
    call __frame_riscv64_user_trap
    j __frame_riscv64_return_to_kernel
