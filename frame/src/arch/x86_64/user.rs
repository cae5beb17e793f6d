//! User mode on x86-64: entering with `iretq`, coming back through `syscall`, interrupts and
//! exceptions (see `user.S`), and the FPU/SSE state, saved and restored around each run (the
//! kernel itself is built without SSE, so the user's state is untouched while in the kernel).

use core::arch::{asm, global_asm};
use core::sync::atomic::{AtomicU64, Ordering};

use super::cpu::{cpu_id, this_cpu};
use super::trap::{TrapFrame, handle_interrupt};
use crate::cpu::{CpuLocal, MAX_CPUS};
use crate::mm::vm::Access;
use crate::user::{ExceptionKind, UserExit};

global_asm!(include_str!("user.S"));

const IA32_EFER: u32 = 0xc000_0080;
const IA32_STAR: u32 = 0xc000_0081;
const IA32_LSTAR: u32 = 0xc000_0082;
const IA32_FMASK: u32 = 0xc000_0084;
const IA32_FS_BASE: u32 = 0xc000_0100;

const EXIT_SYSCALL: u64 = 1;
const EXIT_INTERRUPT: u64 = 2;
const EXIT_EXCEPTION: u64 = 3;

unsafe extern "C" {
    fn __frame_x86_64_enter_user(regs: *mut UserRegs) -> u64;
    safe fn __frame_x86_64_syscall_entry();
}

/// The general registers of a user context (layout shared with `user.S`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
#[allow(missing_docs)]
pub struct UserRegs {
    pub rax: u64,
    pub rbx: u64,
    pub rcx: u64,
    pub rdx: u64,
    pub rsi: u64,
    pub rdi: u64,
    pub rbp: u64,
    pub rsp: u64,
    pub r8: u64,
    pub r9: u64,
    pub r10: u64,
    pub r11: u64,
    pub r12: u64,
    pub r13: u64,
    pub r14: u64,
    pub r15: u64,
    pub rip: u64,
    pub rflags: u64,
}

/// What the last trap from user mode was (filled by the user-trap handler).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct TrapInfo {
    vector: u64,
    error_code: u64,
    address: u64,
}

/// The architecture part of a user context. `regs` must come first: `user.S` and the trap
/// handler reach the whole struct through the pointer to it.
#[repr(C)]
#[derive(Clone)]
pub(crate) struct ArchUserContext {
    pub(crate) regs: UserRegs,
    trap: TrapInfo,
    /// `fs` base: the thread pointer of the x86-64 TLS ABI.
    tls: u64,
    fpu: FpuState,
    residency: FpuResidency,
}

/// Where a context's FPU state is live, so that `run` can skip `fxrstor` when the CPU's
/// registers already hold exactly the saved image: the context last ran on this CPU, nothing
/// else ran in user mode here since (the CPU's holder tag is still this context's), and the
/// kernel has not changed the image (which gives the context a new tag). The kernel itself never
/// touches the FPU (it is built soft-float), so user state survives in the registers.
struct FpuResidency {
    tag: u64,
    cpu: usize,
}

/// Per CPU: the tag of the context whose FPU state the registers hold (0: none known).
static FPU_HOLDER: CpuLocal<AtomicU64> = CpuLocal::new([const { AtomicU64::new(0) }; MAX_CPUS]);
/// Per CPU: the FS base last written (`u64::MAX`: unknown; never written, see `run`).
static FS_BASE: CpuLocal<AtomicU64> = CpuLocal::new([const { AtomicU64::new(u64::MAX) }; MAX_CPUS]);

impl FpuResidency {
    fn new() -> Self {
        static NEXT_TAG: AtomicU64 = AtomicU64::new(1);
        Self {
            tag: NEXT_TAG.fetch_add(1, Ordering::Relaxed),
            cpu: usize::MAX,
        }
    }

    /// Whether the running CPU's registers hold this context's saved image.
    fn is_loaded(&self) -> bool {
        self.cpu == cpu_id() && FPU_HOLDER.get().load(Ordering::Relaxed) == self.tag
    }

    /// Records that the running CPU's registers hold this context's saved image.
    fn set_loaded(&mut self) {
        self.cpu = cpu_id();
        FPU_HOLDER.get().store(self.tag, Ordering::Relaxed);
    }
}

impl Clone for FpuResidency {
    /// A copy is another context: it must not pass for the original on the CPU.
    fn clone(&self) -> Self {
        Self::new()
    }
}

/// The x87/SSE state in `fxsave` format.
#[repr(C, align(16))]
#[derive(Clone)]
struct FpuState([u8; 512]);

static FPU_DEFAULT: spin::Once<FpuState> = spin::Once::new();

/// Enables `syscall` and user SSE on this CPU.
pub(super) fn init() {
    let entry = __frame_x86_64_syscall_entry as *const () as u64;
    // Kernel CS 0x08 (SS 0x10) on entry; user CS 0x23 / SS 0x1b (base 0x10) for sysret.
    let star = (0x10u64 << 48) | (0x08u64 << 32);
    // SAFETY: these MSRs only configure the `syscall` instruction: the entry point is the
    // stub in user.S, the selectors exist in the GDT, and the mask clears IF, TF, DF, AC and NT
    // on entry. CR0/CR4 changes enable SSE for user mode; the kernel itself is soft-float.
    unsafe {
        wrmsr(IA32_STAR, star);
        wrmsr(IA32_LSTAR, entry);
        wrmsr(IA32_FMASK, 0x4_7700);
        wrmsr(IA32_EFER, rdmsr(IA32_EFER) | 1); // SCE
        asm!(
            "mov {tmp}, cr0",
            "and {tmp}, ~(1 << 2)",  // EM off
            "or {tmp}, (1 << 1)",    // MP on
            "mov cr0, {tmp}",
            "mov {tmp}, cr4",
            "or {tmp}, (1 << 9) | (1 << 10)", // OSFXSR | OSXMMEXCPT
            "mov cr4, {tmp}",
            "fninit",
            tmp = out(reg) _,
            options(nostack),
        );
    }
    FPU_DEFAULT.call_once(|| {
        let mut state = FpuState([0; 512]);
        // SAFETY: `state` is 16-byte aligned and 512 bytes, as fxsave requires.
        unsafe { asm!("fxsave64 [{}]", in(reg) &mut state, options(nostack)) };
        state
    });
}

/// # Safety
///
/// Writing an MSR can change how the CPU runs: the caller must pass a value that keeps the
/// kernel's invariants (see `init`).
unsafe fn wrmsr(msr: u32, value: u64) {
    // SAFETY: upheld by the caller.
    unsafe {
        asm!("wrmsr", in("ecx") msr, in("eax") value as u32, in("edx") (value >> 32) as u32, options(nostack))
    };
}

/// # Safety
///
/// The MSR must exist.
unsafe fn rdmsr(msr: u32) -> u64 {
    let (lo, hi): (u32, u32);
    // SAFETY: upheld by the caller.
    unsafe { asm!("rdmsr", in("ecx") msr, out("eax") lo, out("edx") hi, options(nostack, nomem)) };
    (u64::from(hi) << 32) | u64::from(lo)
}

impl ArchUserContext {
    /// The `fxsave` image (512 bytes).
    pub(crate) fn fpu_state(&self) -> alloc::vec::Vec<u8> {
        self.fpu.0.to_vec()
    }

    /// Loads an `fxsave` image (up to 512 bytes; the rest keeps its value). MXCSR bits the CPU
    /// does not support are cleared, since `fxrstor` would fault on them.
    pub(crate) fn set_fpu_state(&mut self, bytes: &[u8]) {
        let n = bytes.len().min(512);
        self.fpu.0[..n].copy_from_slice(&bytes[..n]);
        self.residency = FpuResidency::new();
        let supported = FPU_DEFAULT
            .get()
            .map(|d| u32::from_le_bytes([d.0[28], d.0[29], d.0[30], d.0[31]]))
            .filter(|&m| m != 0)
            .unwrap_or(0xffbf);
        let mxcsr = u32::from_le_bytes([
            self.fpu.0[24],
            self.fpu.0[25],
            self.fpu.0[26],
            self.fpu.0[27],
        ]);
        self.fpu.0[24..28].copy_from_slice(&(mxcsr & supported).to_le_bytes());
    }

    pub(crate) fn new() -> Self {
        let fpu = FPU_DEFAULT
            .get()
            .expect("user mode before arch init")
            .clone();
        Self {
            regs: UserRegs {
                rflags: 0x202,
                ..UserRegs::default()
            },
            trap: TrapInfo::default(),
            tls: 0,
            fpu,
            residency: FpuResidency::new(),
        }
    }

    pub(crate) fn tls(&self) -> usize {
        self.tls as usize
    }
    pub(crate) fn set_tls(&mut self, tls: usize) {
        self.tls = tls as u64;
    }
    pub(crate) fn instruction_pointer(&self) -> usize {
        self.regs.rip as usize
    }
    pub(crate) fn set_instruction_pointer(&mut self, ip: usize) {
        self.regs.rip = ip as u64;
    }
    pub(crate) fn stack_pointer(&self) -> usize {
        self.regs.rsp as usize
    }
    pub(crate) fn set_stack_pointer(&mut self, sp: usize) {
        self.regs.rsp = sp as u64;
    }
    /// System call number and arguments in the Linux x86-64 ABI.
    pub(crate) fn syscall(&self) -> (usize, [usize; 6]) {
        let r = &self.regs;
        (
            r.rax as usize,
            [r.rdi, r.rsi, r.rdx, r.r10, r.r8, r.r9].map(|v| v as usize),
        )
    }
    pub(crate) fn set_syscall_return(&mut self, value: usize) {
        self.regs.rax = value as u64;
    }

    /// Runs in user mode until the next trap. Interrupts must be disabled.
    pub(crate) fn run(&mut self) -> UserExit {
        // `iretq` to a non-canonical address would fault in the kernel (after `swapgs`):
        // refuse it here, as the #GP the user would have taken at that address.
        if self.regs.rip >= 1 << 47 {
            return UserExit::Exception {
                kind: ExceptionKind::Protection,
                address: self.regs.rip as usize,
                code: 13,
            };
        }
        // A non-canonical base would make wrmsr fault; such a value is never a valid thread
        // pointer, so it becomes 0 (services refuse it earlier with EPERM).
        let fs_base = if self.tls < 1 << 47 { self.tls } else { 0 };
        let fs_stale = FS_BASE.get().swap(fs_base, Ordering::Relaxed) != fs_base;
        let fpu_stale = !self.residency.is_loaded();
        // The FPU area is aligned and holds the default state or one saved by fxsave; FS base
        // is used only by user mode. `enter_user` restores callee-saved registers and writes
        // only `*self` (registers, trap info) while `&mut self` is held.
        // SAFETY: the asm and the entry follow the contract above.
        let code = unsafe {
            if fpu_stale {
                asm!("fxrstor64 [{}]", in(reg) &self.fpu, options(nostack, readonly));
            }
            if fs_stale {
                wrmsr(IA32_FS_BASE, fs_base);
            }
            let code = __frame_x86_64_enter_user((self as *mut Self).cast::<UserRegs>());
            asm!("fxsave64 [{}]", in(reg) &mut self.fpu, options(nostack));
            code
        };
        self.residency.set_loaded();
        match code {
            EXIT_SYSCALL => UserExit::Syscall,
            EXIT_INTERRUPT => UserExit::Interrupt,
            _ => self.exception(),
        }
    }

    fn exception(&self) -> UserExit {
        let t = self.trap;
        let address = t.address as usize;
        let kind = match t.vector {
            14 => {
                let access = if t.error_code & 16 != 0 {
                    Access::Exec
                } else if t.error_code & 2 != 0 {
                    Access::Write
                } else {
                    Access::Read
                };
                return UserExit::PageFault { address, access };
            }
            0 => ExceptionKind::DivideError,
            3 => ExceptionKind::Breakpoint,
            1 => ExceptionKind::Debug,
            6 => ExceptionKind::IllegalInstruction,
            16 | 19 => ExceptionKind::FloatingPoint,
            17 => ExceptionKind::Alignment,
            _ => ExceptionKind::Protection,
        };
        UserExit::Exception {
            kind,
            address: self.regs.rip as usize,
            code: t.vector as usize,
        }
    }
}

/// Interrupts and exceptions from user mode: save the user registers into the running
/// context and tell `enter_user`'s caller why it returned.
#[unsafe(no_mangle)]
extern "C" fn __frame_x86_64_user_trap(frame: &TrapFrame) -> u64 {
    let ctx = this_cpu().user_regs.load(Ordering::Relaxed) as *mut ArchUserContext;
    // SAFETY: `enter_user` stored the pointer that `run` derived from its `&mut
    // ArchUserContext` (whose first field is `regs`), held for as long as user mode runs;
    // nothing else touches the context until this handler returns to `run`.
    let ctx = unsafe { &mut *ctx };
    let f = frame;
    ctx.regs = UserRegs {
        rax: f.rax,
        rbx: f.rbx,
        rcx: f.rcx,
        rdx: f.rdx,
        rsi: f.rsi,
        rdi: f.rdi,
        rbp: f.rbp,
        rsp: f.rsp,
        r8: f.r8,
        r9: f.r9,
        r10: f.r10,
        r11: f.r11,
        r12: f.r12,
        r13: f.r13,
        r14: f.r14,
        r15: f.r15,
        rip: f.rip,
        rflags: f.rflags,
    };
    if f.vector >= 32 {
        handle_interrupt(f.vector);
        return EXIT_INTERRUPT;
    }
    let address = if f.vector == 14 {
        let cr2: u64;
        // SAFETY: reading CR2 has no side effects.
        unsafe { asm!("mov {}, cr2", out(reg) cr2, options(nomem, nostack)) };
        cr2
    } else {
        0
    };
    ctx.trap = TrapInfo {
        vector: f.vector,
        error_code: f.error_code,
        address,
    };
    EXIT_EXCEPTION
}
