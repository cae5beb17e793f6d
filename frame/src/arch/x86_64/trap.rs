//! Descriptor tables and trap dispatch.
//!
//! Each CPU has its own GDT (kernel and user segments and its TSS) and TSS, whose IST 1 stack
//! takes double faults (so a kernel stack overflow still gets a report) and whose RSP0 stack
//! takes interrupts from user mode. The IDT is shared: every vector points at a stub in
//! `trap.S`, which builds a [`TrapFrame`] and calls [`__frame_x86_64_trap`].

use core::arch::{asm, global_asm};
use core::fmt;

use spin::Once;

use super::{lapic, pic};
use crate::cpu::MAX_CPUS;

global_asm!(include_str!("trap.S"));

const KERNEL_CS: u16 = 0x08;
const KERNEL_DS: u16 = 0x10;
const TSS_SELECTOR: u16 = 0x28;
const DOUBLE_FAULT: u64 = 8;
const PAGE_FAULT: u64 = 14;

unsafe extern "C" {
    safe static __frame_trap_stubs: u8;
    safe static __frame_fault_stack_top: u8;
    safe static __frame_user_trap_stack_top: u8;
}

/// The registers saved on a trap, in the order `trap.S` pushes them.
#[repr(C)]
pub(super) struct TrapFrame {
    pub(super) rax: u64,
    pub(super) rbx: u64,
    pub(super) rcx: u64,
    pub(super) rdx: u64,
    pub(super) rsi: u64,
    pub(super) rdi: u64,
    pub(super) rbp: u64,
    pub(super) r8: u64,
    pub(super) r9: u64,
    pub(super) r10: u64,
    pub(super) r11: u64,
    pub(super) r12: u64,
    pub(super) r13: u64,
    pub(super) r14: u64,
    pub(super) r15: u64,
    pub(super) vector: u64,
    pub(super) error_code: u64,
    pub(super) rip: u64,
    pub(super) cs: u64,
    pub(super) rflags: u64,
    pub(super) rsp: u64,
    pub(super) ss: u64,
}

/// The 64-bit task state segment.
#[repr(C, packed(4))]
struct Tss {
    reserved0: u32,
    rsp: [u64; 3],
    reserved1: u64,
    ist: [u64; 7],
    reserved2: u64,
    reserved3: u16,
    iomap_base: u16,
}

#[repr(C, packed(2))]
struct DescriptorPointer {
    limit: u16,
    base: u64,
}

#[repr(C, align(16))]
#[derive(Clone, Copy)]
struct Gate {
    low: u64,
    high: u64,
}

static TSS: [Once<Tss>; MAX_CPUS] = [const { Once::new() }; MAX_CPUS];
static GDT: [Once<[u64; 7]>; MAX_CPUS] = [const { Once::new() }; MAX_CPUS];
static IDT: Once<[Gate; 256]> = Once::new();

/// Size of the fault and user-trap stacks of a secondary CPU.
const TRAP_STACK_SIZE: usize = 16 * 1024;

/// The top of a new stack of `TRAP_STACK_SIZE` bytes that lives forever.
fn new_stack() -> u64 {
    let stack: &'static mut [u8] = alloc::vec::Vec::leak(alloc::vec![0u8; TRAP_STACK_SIZE]);
    (stack.as_ptr() as u64 + TRAP_STACK_SIZE as u64) & !15
}

/// Loads CPU `cpu`'s GDT (with its TSS) and the IDT on the running CPU. The boot CPU's trap
/// stacks are static; a secondary CPU's come from the heap.
pub(super) fn init(cpu: usize) {
    let tss = TSS[cpu].call_once(|| {
        let (user_trap, fault) = if cpu == 0 {
            (
                &raw const __frame_user_trap_stack_top as u64,
                &raw const __frame_fault_stack_top as u64,
            )
        } else {
            (new_stack(), new_stack())
        };
        Tss {
            reserved0: 0,
            // Interrupts and exceptions from user mode land on this stack (see user.S).
            rsp: [user_trap, 0, 0],
            reserved1: 0,
            ist: [fault, 0, 0, 0, 0, 0, 0],
            reserved2: 0,
            reserved3: 0,
            iomap_base: size_of::<Tss>() as u16,
        }
    });
    let gdt = GDT[cpu].call_once(|| {
        let base = tss as *const Tss as u64;
        let limit = size_of::<Tss>() as u64 - 1;
        let tss_low = (limit & 0xffff)
            | ((base & 0xff_ffff) << 16)
            | (0x89 << 40)
            | (((limit >> 16) & 0xf) << 48)
            | (((base >> 24) & 0xff) << 56);
        [
            0,
            0x00af_9a00_0000_ffff, // 0x08 kernel code
            0x00cf_9200_0000_ffff, // 0x10 kernel data
            0x00cf_f200_0000_ffff, // 0x18 user data
            0x00af_fa00_0000_ffff, // 0x20 user code
            tss_low,               // 0x28 TSS
            base >> 32,
        ]
    });
    let idt = IDT.call_once(|| {
        let stubs = &raw const __frame_trap_stubs as u64;
        core::array::from_fn(|vector| {
            let handler = stubs + 16 * vector as u64;
            let ist = u64::from(vector as u64 == DOUBLE_FAULT);
            // Breakpoint (int3) may be raised from user mode: DPL 3.
            let kind: u64 = if vector == 3 { 0xee } else { 0x8e };
            Gate {
                low: (handler & 0xffff)
                    | (u64::from(KERNEL_CS) << 16)
                    | (ist << 32)
                    | (kind << 40)
                    | (((handler >> 16) & 0xffff) << 48),
                high: handler >> 32,
            }
        })
    });
    let gdt_ptr = DescriptorPointer {
        limit: size_of_val(gdt) as u16 - 1,
        base: gdt.as_ptr() as u64,
    };
    let idt_ptr = DescriptorPointer {
        limit: size_of_val(idt) as u16 - 1,
        base: idt.as_ptr() as u64,
    };
    // The GDT, TSS and IDT are statics that live forever; the new GDT keeps the boot stub's
    // selectors (0x08 code, 0x10 data), so the far return that reloads CS is seamless.
    // SAFETY: the TSS descriptor is valid and not busy; every IDT gate points at a trap.S stub.
    unsafe {
        asm!(
            "lgdt [{gdt}]",
            "push {cs}",
            "lea {tmp}, [rip + 2f]",
            "push {tmp}",
            ".byte 0x48, 0xcb", // retfq
            "2:",
            "mov ds, {ds:x}",
            "mov es, {ds:x}",
            "mov ss, {ds:x}",
            "ltr {tss:x}",
            "lidt [{idt}]",
            gdt = in(reg) &gdt_ptr,
            idt = in(reg) &idt_ptr,
            cs = in(reg) u64::from(KERNEL_CS),
            ds = in(reg) KERNEL_DS,
            tss = in(reg) TSS_SELECTOR,
            tmp = out(reg) _,
        )
    };
}

/// The Rust side of every trap from kernel mode, called by `trap.S` with the saved registers.
#[unsafe(no_mangle)]
extern "C" fn __frame_x86_64_trap(frame: &mut TrapFrame) {
    match frame.vector {
        0..=31 => fault(frame),
        vector => {
            handle_interrupt(vector);
            crate::task::preempt_from_irq();
        }
    }
}

/// Handles interrupt `vector` (32..256), from kernel or user mode.
pub(super) fn handle_interrupt(vector: u64) {
    const PIC_BASE: u64 = pic::IRQ_BASE as u64;
    const SPURIOUS_MASTER: u64 = pic::IRQ_BASE as u64 + 7;
    const SPURIOUS_SLAVE: u64 = pic::IRQ_BASE as u64 + 15;
    const TIMER: u64 = lapic::TIMER_VECTOR as u64;
    const IPI: u64 = lapic::IPI_VECTOR as u64;
    const SPURIOUS: u64 = lapic::SPURIOUS_VECTOR as u64;
    match vector {
        TIMER => {
            lapic::end_of_interrupt();
            crate::timer::on_timer_interrupt();
        }
        IPI => {
            lapic::end_of_interrupt();
            crate::smp::on_ipi();
        }
        SPURIOUS => {}
        SPURIOUS_MASTER | SPURIOUS_SLAVE => {
            let irq = (vector - PIC_BASE) as u8;
            if pic::in_service(irq) {
                pic::end_of_interrupt(irq);
            } else if irq == 15 {
                pic::end_of_interrupt(0); // the master saw a real cascade interrupt
            }
        }
        vector => log::warn!("unexpected interrupt vector {vector}"),
    }
}

fn fault(frame: &TrapFrame) -> ! {
    let cause = EXCEPTIONS
        .get(frame.vector as usize)
        .copied()
        .unwrap_or("reserved exception");
    if frame.vector == PAGE_FAULT {
        let cr2: u64;
        // SAFETY: reading CR2 has no side effects.
        unsafe { asm!("mov {}, cr2", out(reg) cr2, options(nomem, nostack)) };
        let e = frame.error_code;
        crate::trap::kernel_fault(
            format_args!(
                "{cause} at address {cr2:#x} ({}, {}{})",
                if e & 1 != 0 {
                    "protection violation"
                } else {
                    "not present"
                },
                if e & 16 != 0 {
                    "instruction fetch"
                } else if e & 2 != 0 {
                    "write"
                } else {
                    "read"
                },
                if e & 4 != 0 { ", user" } else { "" },
            ),
            frame.rip as usize,
            frame,
        )
    }
    crate::trap::kernel_fault(
        format_args!(
            "{cause} (vector {}, error code {:#x})",
            frame.vector, frame.error_code
        ),
        frame.rip as usize,
        frame,
    )
}

impl fmt::Display for TrapFrame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let regs = [
            ("rax", self.rax),
            ("rbx", self.rbx),
            ("rcx", self.rcx),
            ("rdx", self.rdx),
            ("rsi", self.rsi),
            ("rdi", self.rdi),
            ("rbp", self.rbp),
            ("rsp", self.rsp),
            ("r8", self.r8),
            ("r9", self.r9),
            ("r10", self.r10),
            ("r11", self.r11),
            ("r12", self.r12),
            ("r13", self.r13),
            ("r14", self.r14),
            ("r15", self.r15),
            ("rip", self.rip),
            ("rflags", self.rflags),
            ("cs", self.cs),
            ("ss", self.ss),
        ];
        for (i, (name, value)) in regs.iter().enumerate() {
            write!(f, "{name:>6} {value:#018x}")?;
            f.write_str(if i % 4 == 3 { "\n" } else { "  " })?;
        }
        Ok(())
    }
}

const EXCEPTIONS: [&str; 22] = [
    "divide error",
    "debug",
    "non-maskable interrupt",
    "breakpoint",
    "overflow",
    "bound range exceeded",
    "invalid opcode",
    "device not available",
    "double fault",
    "coprocessor segment overrun",
    "invalid TSS",
    "segment not present",
    "stack-segment fault",
    "general protection fault",
    "page fault",
    "reserved",
    "x87 floating-point error",
    "alignment check",
    "machine check",
    "SIMD floating-point error",
    "virtualization exception",
    "control protection exception",
];
