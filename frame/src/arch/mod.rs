//! Architecture back ends behind one crate-private interface.
//!
//! Each `arch/<name>/mod.rs` provides the same items, used by the portable parts of frame:
//!
//! | item | meaning |
//! | --- | --- |
//! | `NAME` | the architecture's name, as in the target triple |
//! | `PHYS_OFFSET`, `LINEAR_MAP_SIZE` | where physical memory is mapped in kernel space |
//! | `console_write_byte(b)` | write one byte to the boot console (polled, usable anywhere) |
//! | `console_read_byte()` | a received console byte, if one is waiting (polled) |
//! | `irq_enabled()`, `irq_enable()`, `irq_disable()` | the local interrupt flag |
//! | `wait_for_interrupt()` | enable interrupts and sleep until one arrives |
//! | `cpu_id()` | the index of the running CPU (0 for the boot CPU) |
//! | `uptime()` | time since boot |
//! | `set_timer_at(at)` | program this CPU's one-shot timer for uptime `at` |
//! | `start_secondary_cpus(n)` | start CPUs 1..n, each ending in `smp::secondary_main` |
//! | `send_ipi(cpu)` | raise the IPI on CPU `cpu` (handled by `smp::on_ipi`) |
//! | `exit_qemu(code)` | power off through QEMU's exit device |
//! | `load_from_null()` | a deliberate load from address 0 (for the fault-report self-test) |
//! | `mm::*` | the page-table format, root switching, TLB flushes |
//! | `TaskContext`, `__frame_switch_context` | a switched-out kernel task's registers, and the assembly that switches tasks (`task.rs`) |

#[cfg(target_arch = "riscv64")]
mod riscv64;
#[cfg(target_arch = "x86_64")]
mod x86_64;

#[cfg(target_arch = "riscv64")]
pub(crate) use riscv64::*;
#[cfg(target_arch = "x86_64")]
pub(crate) use x86_64::*;

/// The name of the architecture this kernel was built for (`"x86_64"` or `"riscv64"`).
pub const ARCH_NAME: &str = NAME;
