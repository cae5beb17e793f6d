# x86-64 user-mode entry and exit.
#
# __frame_x86_64_enter_user(regs: *mut UserRegs) saves the kernel's callee-saved registers and
# the regs pointer on the kernel stack, records that stack in the per-CPU block (gs:[8]), and
# enters user mode with iretq (so every user register is restored exactly). It "returns" when
# user mode traps back: a syscall (here, exit code 1) or an interrupt or exception (the code
# returned by the Rust user-trap handler), after the user registers were saved into *regs.
#
# UserRegs layout (u64 each): rax 0, rbx 8, rcx 16, rdx 24, rsi 32, rdi 40, rbp 48, rsp 56,
# r8 64 .. r15 120, rip 128, rflags 136.

.section .text.user, "ax"
.code64

.global __frame_x86_64_enter_user
__frame_x86_64_enter_user:
    push rbx
    push rbp
    push r12
    push r13
    push r14
    push r15
    push rdi
    mov gs:[8], rsp
    mov gs:[24], rdi
    push 0x1b                   # ss: user data
    push qword ptr [rdi + 56]   # rsp
    mov rax, [rdi + 136]
    and rax, 0x240dd5           # keep the user-changeable flags (CF PF AF ZF SF TF DF OF AC ID)
    or rax, 0x202               # IF and the reserved bit
    push rax                    # rflags
    push 0x23                   # cs: user code
    push qword ptr [rdi + 128]  # rip
    mov rax, [rdi + 0]
    mov rbx, [rdi + 8]
    mov rcx, [rdi + 16]
    mov rdx, [rdi + 24]
    mov rsi, [rdi + 32]
    mov rbp, [rdi + 48]
    mov r8, [rdi + 64]
    mov r9, [rdi + 72]
    mov r10, [rdi + 80]
    mov r11, [rdi + 88]
    mov r12, [rdi + 96]
    mov r13, [rdi + 104]
    mov r14, [rdi + 112]
    mov r15, [rdi + 120]
    mov rdi, [rdi + 40]
    swapgs
    iretq

# `syscall` from user mode (IF cleared by SFMASK, rcx = user rip, r11 = user rflags).
.global __frame_x86_64_syscall_entry
__frame_x86_64_syscall_entry:
    swapgs
    mov gs:[16], rsp
    mov rsp, gs:[8]             # -> [regs ptr][r15 r14 r13 r12 rbp rbx][return address]
    push rax
    mov rax, [rsp + 8]
    mov [rax + 8], rbx
    mov [rax + 16], rcx
    mov [rax + 24], rdx
    mov [rax + 32], rsi
    mov [rax + 40], rdi
    mov [rax + 48], rbp
    mov [rax + 64], r8
    mov [rax + 72], r9
    mov [rax + 80], r10
    mov [rax + 88], r11
    mov [rax + 96], r12
    mov [rax + 104], r13
    mov [rax + 112], r14
    mov [rax + 120], r15
    mov [rax + 128], rcx        # rip
    mov [rax + 136], r11        # rflags
    mov rcx, gs:[16]
    mov [rax + 56], rcx         # rsp
    pop rcx
    mov [rax + 0], rcx          # rax
    mov eax, 1                  # UserExit code: syscall
    jmp __frame_x86_64_return_to_kernel

# Interrupts and exceptions from user mode arrive here from trap_common (still on the TSS
# stack, user GS), with the TrapFrame built; the Rust handler saves the registers into the
# running UserRegs and returns the exit code.
.global __frame_x86_64_user_trap_entry
__frame_x86_64_user_trap_entry:
    swapgs
    mov rdi, rsp
    call __frame_x86_64_user_trap
    mov rsp, gs:[8]
    jmp __frame_x86_64_return_to_kernel

__frame_x86_64_return_to_kernel:
    mov qword ptr gs:[24], 0
    add rsp, 8                  # the regs pointer
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbp
    pop rbx
    ret
