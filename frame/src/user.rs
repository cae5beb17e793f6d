//! Running user code: [`UserContext`] holds a user thread's registers (and FPU state) and
//! [`UserContext::run`] executes it in user mode on an address space until the next trap,
//! returning why it came back as a [`UserExit`]: a system call, an interrupt (already handled:
//! the caller may reschedule), a page fault for the address space to resolve, or another
//! exception. The kernel side then decides, in safe code, what happens next.

use crate::arch::user::ArchUserContext;
pub use crate::arch::user::UserRegs;
use crate::mm::vm::{Access, UserSpace};

/// Why user mode returned to the kernel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserExit {
    /// A system call: see [`UserContext::syscall`]. The instruction pointer is already past
    /// the system-call instruction.
    Syscall,
    /// An interrupt arrived (and was handled).
    Interrupt,
    /// A page fault at `address`.
    PageFault {
        /// The faulting virtual address.
        address: usize,
        /// What the access was.
        access: Access,
    },
    /// Another exception.
    Exception {
        /// What it was.
        kind: ExceptionKind,
        /// The instruction that raised it.
        address: usize,
        /// The architecture's code for it (vector or `scause`).
        code: usize,
    },
}

/// Exceptions other than page faults, by the signal Linux sends for them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExceptionKind {
    /// Illegal or undefined instruction (`SIGILL`).
    IllegalInstruction,
    /// Integer divide error (`SIGFPE`).
    DivideError,
    /// Floating-point exception (`SIGFPE`).
    FloatingPoint,
    /// Breakpoint instruction (`SIGTRAP`).
    Breakpoint,
    /// Single-step or hardware breakpoint (`SIGTRAP`).
    Debug,
    /// Misaligned access (`SIGBUS`).
    Alignment,
    /// Protection violation, such as a privileged instruction (`SIGSEGV`).
    Protection,
    /// An access fault that is not a page fault (`SIGBUS`).
    AccessFault,
}

/// A user thread's CPU state.
#[derive(Clone)]
pub struct UserContext {
    arch: ArchUserContext,
}

impl Default for UserContext {
    fn default() -> Self {
        Self::new()
    }
}

impl UserContext {
    /// All registers zero, default FPU state, interrupts enabled in user mode.
    pub fn new() -> Self {
        Self {
            arch: ArchUserContext::new(),
        }
    }

    /// Runs the context in user mode on `space` until it traps back. Interrupts taken in user
    /// mode are handled before this returns [`UserExit::Interrupt`].
    ///
    /// A task switch the scheduler asked for happens first ([`crate::task::preemption_point`]).
    pub fn run(&mut self, space: &UserSpace) -> UserExit {
        crate::task::preemption_point();
        // Interrupts off from here, so the task cannot move to another CPU after loading the
        // space on this one.
        let _irq = crate::sync::disable_local_irqs();
        space.activate();
        crate::timer::set_cpu_mode(crate::timer::CpuMode::User);
        let exit = self.arch.run();
        crate::timer::set_cpu_mode(crate::timer::CpuMode::Kernel);
        exit
    }

    /// The instruction pointer.
    pub fn instruction_pointer(&self) -> usize {
        self.arch.instruction_pointer()
    }

    /// Sets the instruction pointer.
    pub fn set_instruction_pointer(&mut self, ip: usize) {
        self.arch.set_instruction_pointer(ip);
    }

    /// The stack pointer.
    pub fn stack_pointer(&self) -> usize {
        self.arch.stack_pointer()
    }

    /// Sets the stack pointer.
    pub fn set_stack_pointer(&mut self, sp: usize) {
        self.arch.set_stack_pointer(sp);
    }

    /// The thread pointer (x86-64 `fs` base, riscv64 `tp`).
    pub fn tls(&self) -> usize {
        self.arch.tls()
    }

    /// Sets the thread pointer.
    pub fn set_tls(&mut self, tls: usize) {
        self.arch.set_tls(tls);
    }

    /// The system call number and its six arguments, in the Linux ABI of the architecture.
    pub fn syscall(&self) -> (usize, [usize; 6]) {
        self.arch.syscall()
    }

    /// Sets the value a system call returns (a negative errno for failure).
    pub fn set_syscall_return(&mut self, value: usize) {
        self.arch.set_syscall_return(value);
    }

    /// The general registers (for signal frames and ptrace-like uses).
    pub fn regs(&self) -> &UserRegs {
        &self.arch.regs
    }

    /// The general registers, mutably.
    pub fn regs_mut(&mut self) -> &mut UserRegs {
        &mut self.arch.regs
    }

    /// The floating-point and SIMD registers in the form Linux's signal frames keep them:
    /// on x86-64 the 512-byte `fxsave` image, on riscv64 f0..f31 then fcsr, 8 bytes each.
    pub fn fpu_state(&self) -> alloc::vec::Vec<u8> {
        self.arch.fpu_state()
    }

    /// Loads the floating-point and SIMD registers from the form [`Self::fpu_state`] gives;
    /// values the CPU would refuse are sanitised, so any bytes are safe.
    pub fn set_fpu_state(&mut self, bytes: &[u8]) {
        self.arch.set_fpu_state(bytes);
    }
}

#[cfg(target_arch = "x86_64")]
const TEST_CODE: &[u8] = &[
    0xb8, 0x3c, 0x00, 0x00, 0x00, // mov eax, 60
    0xbf, 0x2a, 0x00, 0x00, 0x00, // mov edi, 42
    0x0f, 0x05, // syscall
    0x48, 0x8b, 0x04, 0x25, 0x00, 0x10, 0x00, 0x00, // mov rax, [0x1000]
    0xeb, 0xfe, // jmp .
];
/// Offset of the faulting load from the end of the syscall, and the load's length.
#[cfg(target_arch = "x86_64")]
const LOAD: (usize, usize) = (0, 8);

#[cfg(target_arch = "riscv64")]
const TEST_CODE: &[u8] = &[
    0x93, 0x08, 0xd0, 0x05, // li a7, 93
    0x13, 0x05, 0xa0, 0x02, // li a0, 42
    0x73, 0x00, 0x00, 0x00, // ecall
    0xb7, 0x12, 0x00, 0x00, // lui t0, 1
    0x83, 0xb5, 0x02, 0x00, // ld a1, 0(t0)
    0x6f, 0x00, 0x00, 0x00, // j .
];
/// Offset of the faulting load from the end of the syscall, and the load's length.
#[cfg(target_arch = "riscv64")]
const LOAD: (usize, usize) = (4, 4);

crate::ktest! {
    fn user_code_makes_syscalls_faults_and_is_interrupted() {
        use crate::mm::vm::{NoFilePages, PageProp, Status};
        let space = UserSpace::new().unwrap();
        let rw = PageProp::READ | PageProp::WRITE;
        let code = space.mmap(Some(0x40_0000), 4096, Status::Anonymous { prop: rw }).unwrap();
        space.write(code, TEST_CODE, &NoFilePages).unwrap();
        space.mprotect(code, 4096, PageProp::READ | PageProp::EXEC).unwrap();
        let stack = space.mmap(None, 16 * 4096, Status::Anonymous { prop: rw }).unwrap();

        let mut ctx = UserContext::new();
        ctx.set_instruction_pointer(code);
        ctx.set_stack_pointer(stack + 16 * 4096);
        // A timer tick may be pending on entry: interrupts end a run without changing the
        // user state, so run again until something else happens.
        let run = |ctx: &mut UserContext| loop {
            match ctx.run(&space) {
                UserExit::Interrupt => continue,
                other => break other,
            }
        };
        assert_eq!(run(&mut ctx), UserExit::Syscall);
        let (number, args) = ctx.syscall();
        #[cfg(target_arch = "x86_64")]
        assert_eq!(number, 60);
        #[cfg(target_arch = "riscv64")]
        assert_eq!(number, 93);
        assert_eq!(args[0], 42);
        let after_syscall = ctx.instruction_pointer();
        assert_eq!(after_syscall, code + 12, "the syscall instruction must be skipped");

        ctx.set_syscall_return(7);
        let exit = run(&mut ctx);
        assert_eq!(exit, UserExit::PageFault { address: 0x1000, access: Access::Read });
        let load = after_syscall + LOAD.0;
        assert_eq!(ctx.instruction_pointer(), load, "the faulting load is reported in place");
        #[cfg(target_arch = "x86_64")]
        assert_eq!(ctx.regs().rax, 7, "the return value reached user mode");
        #[cfg(target_arch = "riscv64")]
        assert_eq!(ctx.regs().a0, 7, "the return value reached user mode");

        ctx.set_instruction_pointer(load + LOAD.1);
        let start = crate::timer::ticks();
        while crate::timer::ticks() < start + 3 {
            let exit = ctx.run(&space);
            assert_eq!(exit, UserExit::Interrupt, "only the timer can end the user loop");
        }
        assert_eq!(ctx.instruction_pointer(), load + LOAD.1, "still in the loop");
        assert_eq!(ctx.stack_pointer(), stack + 16 * 4096);
        crate::mm::vm::activate_kernel();
    }
}
