# x86-64 trap entry. One 16-byte stub per vector (the IDT points at __frame_trap_stubs + 16 * v):
# each pushes a zero error code when the CPU does not, then the vector, and jumps to the common
# path, which saves the general registers as a `TrapFrame` and calls the Rust dispatcher.

.section .text.trap, "ax"
.code64
.balign 16
.global __frame_trap_stubs
__frame_trap_stubs:
.set i, 0
.rept 256
    .balign 16
    .if (i == 8) || ((i >= 10) && (i <= 14)) || (i == 17) || (i == 21) || (i == 29) || (i == 30)
    .else
    push 0
    .endif
    push i
    jmp trap_common
    .set i, i + 1
.endr

trap_common:
    push r15
    push r14
    push r13
    push r12
    push r11
    push r10
    push r9
    push r8
    push rbp
    push rdi
    push rsi
    push rdx
    push rcx
    push rbx
    push rax
    cld
    test qword ptr [rsp + 144], 3   # CS of the interrupted code: from user mode?
    jnz __frame_x86_64_user_trap_entry
    mov rdi, rsp
    call __frame_x86_64_trap
    pop rax
    pop rbx
    pop rcx
    pop rdx
    pop rsi
    pop rdi
    pop rbp
    pop r8
    pop r9
    pop r10
    pop r11
    pop r12
    pop r13
    pop r14
    pop r15
    add rsp, 16
    iretq

