# riscv64 trap entry (stvec, direct mode). Kernel-only for now: the trap runs on the
# interrupted stack. Saves x1..x31 and the trap CSRs as a `TrapFrame`, calls the Rust
# dispatcher, restores and returns with sret.

.section .text.trap, "ax"
.balign 4
.global __frame_trap_entry
__frame_trap_entry:
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
    .irp n, 3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    ld x\n, \n * 8(sp)
    .endr
    addi sp, sp, 36 * 8
    sret
