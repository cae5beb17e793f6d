//! Symmetric multiprocessing: bringing up the other CPUs, inter-processor interrupts, TLB
//! shootdown.
//!
//! **Bring-up.** After the boot CPU has set up memory, [`init`] asks the architecture to start
//! every other CPU the firmware reported (x86-64: INIT-SIPI-SIPI through the local APIC;
//! riscv64: SBI HSM `hart_start`), one at a time: each gets a kernel stack, runs its
//! architecture setup (descriptor tables, trap vector, per-CPU block, its own timer at
//! [`TICK_HZ`](crate::timer::TICK_HZ)) and reports in through [`secondary_main`], which marks
//! it online. CPU indices are dense: 0 is the boot CPU, 1.. the others in firmware order.
//!
//! **Running code on them.** A secondary CPU idles (waits for interrupts, taking its ticks)
//! until the kernel hands it work with [`start_secondary_cpus`], whose entry function then runs
//! on every secondary CPU, there and on every CPU that comes online later.
//!
//! **IPIs.** [`send_ipi`] sets a bit of the target's pending mask, then raises the
//! architecture's IPI (a local-APIC fixed interrupt; the SBI IPI extension, which sets the
//! supervisor software-interrupt bit); the target's handler takes the whole mask and acts on
//! each bit. A wake-up IPI does nothing but end a `wait_for_interrupt`.
//!
//! **TLB shootdown.** [`shootdown`] publishes one request (root, range) under a global lock,
//! marks each target CPU's `flush pending` flag, sends it an IPI and spins until every target
//! cleared its flag after flushing: when it returns, no target can still use a translation of
//! the range, so the caller may free the frames. A CPU that waits for the lock (or spins in
//! [`shootdown`] in any way) keeps serving its own pending request, so two CPUs shooting at
//! each other with interrupts disabled cannot deadlock; so does a CPU spinning on a
//! [`SpinLock`] whose holder is shooting at it. The lock serialises shootdowns across
//! the machine, which is simple and correct; a per-CPU request queue would scale further.

use core::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};

use spin::Once;

use crate::cpu::{CpuLocal, MAX_CPUS};
use crate::sync::SpinLock;

/// Bit mask of the online CPUs.
static ONLINE: AtomicU64 = AtomicU64::new(1);
/// The function secondary CPUs run once the kernel hands them work.
static ENTRY: Once<fn(usize) -> !> = Once::new();

/// What an IPI asks of its target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IpiKind {
    /// Nothing but waking the CPU up (ends [`crate::cpu::wait_for_interrupt`]).
    Wakeup,
    /// Flush the target's whole TLB.
    FlushTlb,
}

const BIT_WAKEUP: u32 = 1 << 0;
const BIT_FLUSH_ALL: u32 = 1 << 1;
const BIT_SHOOTDOWN: u32 = 1 << 2;
const BIT_CALL: u32 = 1 << 3;

static PENDING: CpuLocal<AtomicU32> = CpuLocal::new([const { AtomicU32::new(0) }; MAX_CPUS]);
/// IPIs handled, per CPU (for tests and statistics).
static RECEIVED: CpuLocal<AtomicU64> = CpuLocal::new([const { AtomicU64::new(0) }; MAX_CPUS]);

/// Number of online CPUs.
pub fn online_count() -> usize {
    ONLINE.load(Ordering::Acquire).count_ones() as usize
}

/// Whether CPU `cpu` is online.
pub fn is_online(cpu: usize) -> bool {
    cpu < MAX_CPUS && ONLINE.load(Ordering::Acquire) & (1 << cpu) != 0
}

/// Bit mask of the online CPUs (bit `i`: CPU `i`).
pub fn online_mask() -> u64 {
    ONLINE.load(Ordering::Acquire)
}

/// Starts the secondary CPUs (called once by `boot::start`, interrupts enabled).
pub(crate) fn init() {
    let reported = crate::boot::cpu_count().min(MAX_CPUS);
    if reported > 1 {
        crate::arch::start_secondary_cpus(reported);
    }
    log::info!("smp: {} of {reported} CPUs online", online_count());
}

/// The last step of a secondary CPU's bring-up, on its own stack with its timer running:
/// marks it online, then idles until [`start_secondary_cpus`] gives it work.
pub(crate) fn secondary_main(cpu: usize) -> ! {
    ONLINE.fetch_or(1 << cpu, Ordering::AcqRel);
    loop {
        crate::arch::irq_disable();
        if let Some(entry) = ENTRY.get() {
            crate::arch::irq_enable();
            entry(cpu);
        }
        // Interrupts stay off from the checks to the wait (which enables them atomically with
        // sleeping), so a wake-up IPI sent after a check still ends this wait. Kernel tasks
        // queued here run in between.
        crate::task::idle_step();
    }
}

/// Runs `entry(cpu)` on every secondary CPU (now on the online ones, woken by an IPI, and on
/// any that comes online later), with interrupts enabled. Returns false, and changes nothing,
/// if an entry was already given.
pub fn start_secondary_cpus(entry: fn(usize) -> !) -> bool {
    let mut first = false;
    ENTRY.call_once(|| {
        first = true;
        entry
    });
    if first {
        for cpu in online_cpus().filter(|&c| c != crate::cpu::current_id()) {
            send_ipi(cpu, IpiKind::Wakeup);
        }
    }
    first
}

/// The online CPUs, in index order.
pub fn online_cpus() -> impl Iterator<Item = usize> {
    let mask = online_mask();
    (0..MAX_CPUS).filter(move |&c| mask & (1 << c) != 0)
}

/// Sends an IPI of `kind` to CPU `cpu` (ignored if `cpu` is not online). Sending one to the
/// running CPU is allowed: it is taken once interrupts are enabled.
pub fn send_ipi(cpu: usize, kind: IpiKind) {
    let bit = match kind {
        IpiKind::Wakeup => BIT_WAKEUP,
        IpiKind::FlushTlb => BIT_FLUSH_ALL,
    };
    raise(cpu, bit);
}

fn raise(cpu: usize, bit: u32) {
    if !is_online(cpu) {
        return;
    }
    PENDING.get_on(cpu).fetch_or(bit, Ordering::AcqRel);
    crate::arch::send_ipi(cpu);
}

/// IPIs handled by CPU `cpu` since boot.
pub fn ipis_received(cpu: usize) -> u64 {
    RECEIVED.get_on(cpu).load(Ordering::Relaxed)
}

/// Called by the architecture's IPI handler, interrupts disabled.
pub(crate) fn on_ipi() {
    RECEIVED.get().fetch_add(1, Ordering::Relaxed);
    let bits = PENDING.get().swap(0, Ordering::AcqRel);
    if bits & BIT_FLUSH_ALL != 0 {
        crate::arch::mm::flush_all();
    }
    // The shootdown flag is the protocol's truth; the bit only says an IPI was meant for it.
    serve_shootdown();
    if bits & BIT_CALL != 0 {
        serve_call();
    }
}

// ---------------------------------------------------------------------------------------------
// TLB shootdown

static SHOOTDOWN_LOCK: AtomicBool = AtomicBool::new(false);
/// The request in flight (valid while `SHOOTDOWN_LOCK` is held).
static REQ_ROOT: AtomicUsize = AtomicUsize::new(0);
static REQ_START: AtomicUsize = AtomicUsize::new(0);
static REQ_END: AtomicUsize = AtomicUsize::new(0);
/// Set by the initiator for each target, cleared by the target once it flushed.
static FLUSH_PENDING: CpuLocal<AtomicBool> =
    CpuLocal::new([const { AtomicBool::new(false) }; MAX_CPUS]);
/// Shootdown requests served, per CPU.
static FLUSHES: CpuLocal<AtomicU64> = CpuLocal::new([const { AtomicU64::new(0) }; MAX_CPUS]);

/// Shootdown requests CPU `cpu` has served since boot.
pub fn shootdowns_served(cpu: usize) -> u64 {
    FLUSHES.get_on(cpu).load(Ordering::Relaxed)
}

/// Flushes `range` of the address space `root` on the running CPU (if `root` is active here).
pub(crate) fn flush_local(root: usize, range: core::ops::Range<usize>) {
    use crate::arch::mm as arch_mm;
    if arch_mm::current_root() != root {
        return;
    }
    if range.len() > 64 * crate::mm::PAGE_SIZE {
        arch_mm::flush_all();
    } else {
        for va in range.step_by(crate::mm::PAGE_SIZE) {
            arch_mm::flush_page(va);
        }
    }
}

/// Serves this CPU's pending shootdown request, if any (from the IPI handler, and from any
/// loop that spins with interrupts disabled).
pub(crate) fn serve_shootdown() {
    let pending = FLUSH_PENDING.get();
    if pending.load(Ordering::Acquire) {
        let root = REQ_ROOT.load(Ordering::Relaxed);
        let range = REQ_START.load(Ordering::Relaxed)..REQ_END.load(Ordering::Relaxed);
        flush_local(root, range);
        FLUSHES.get().fetch_add(1, Ordering::Relaxed);
        pending.store(false, Ordering::Release);
    }
}

/// Flushes `range` of the address space `root` on the running CPU and on every CPU in
/// `targets` (a mask; the running CPU's bit is ignored), and returns once all of them have
/// flushed. Interrupts may be enabled or disabled.
pub(crate) fn shootdown(root: usize, range: core::ops::Range<usize>, targets: u64) {
    let _irq = crate::sync::disable_local_irqs();
    let me = crate::cpu::current_id();
    flush_local(root, range.clone());
    let targets = targets & !(1 << me) & online_mask();
    if targets == 0 {
        return;
    }
    while SHOOTDOWN_LOCK
        .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
        .is_err()
    {
        serve_shootdown();
        core::hint::spin_loop();
    }
    REQ_ROOT.store(root, Ordering::Relaxed);
    REQ_START.store(range.start, Ordering::Relaxed);
    REQ_END.store(range.end, Ordering::Relaxed);
    let cpus = || (0..MAX_CPUS).filter(move |&c| targets & (1 << c) != 0);
    for cpu in cpus() {
        FLUSH_PENDING.get_on(cpu).store(true, Ordering::Release);
        raise(cpu, BIT_SHOOTDOWN);
    }
    for cpu in cpus() {
        while FLUSH_PENDING.get_on(cpu).load(Ordering::Acquire) {
            core::hint::spin_loop();
        }
    }
    SHOOTDOWN_LOCK.store(false, Ordering::Release);
}

// ---------------------------------------------------------------------------------------------
// Calling a function on another CPU

/// One call request per target CPU: the function, then its result.
struct Call {
    func: Option<fn() -> u64>,
    result: Option<u64>,
}

static CALLS: CpuLocal<SpinLock<Call>> = CpuLocal::new(
    [const {
        SpinLock::new(Call {
            func: None,
            result: None,
        })
    }; MAX_CPUS],
);
/// Serialises callers.
static CALL_LOCK: AtomicBool = AtomicBool::new(false);

fn serve_call() {
    let func = CALLS.get().lock().func.take();
    if let Some(func) = func {
        let result = func();
        CALLS.get().lock().result = Some(result);
    }
}

/// Runs `func` on CPU `cpu` in its IPI handler (interrupts disabled there) and returns its
/// result; on the running CPU it is called directly. `None` if `cpu` is not online.
///
/// The caller must have interrupts enabled, or the target may be waiting for it.
pub fn call_on(cpu: usize, func: fn() -> u64) -> Option<u64> {
    if !is_online(cpu) {
        return None;
    }
    if cpu == crate::cpu::current_id() {
        let _irq = crate::sync::disable_local_irqs();
        if cpu == crate::cpu::current_id() {
            return Some(func());
        }
    }
    while CALL_LOCK
        .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
        .is_err()
    {
        core::hint::spin_loop();
    }
    *CALLS.get_on(cpu).lock() = Call {
        func: Some(func),
        result: None,
    };
    raise(cpu, BIT_CALL);
    let result = loop {
        if let Some(result) = CALLS.get_on(cpu).lock().result.take() {
            break result;
        }
        core::hint::spin_loop();
    };
    CALL_LOCK.store(false, Ordering::Release);
    Some(result)
}

crate::ktest! {
    fn all_reported_cpus_come_online() {
        assert_eq!(online_count(), crate::boot::cpu_count().min(MAX_CPUS));
        assert_eq!(crate::cpu::count(), online_count());
        assert!(is_online(0));
    }

    fn ipi_round_trip_to_every_cpu() {
        for cpu in online_cpus() {
            let before = ipis_received(cpu);
            assert_eq!(call_on(cpu, || crate::cpu::current_id() as u64), Some(cpu as u64));
            if cpu != crate::cpu::current_id() {
                assert!(ipis_received(cpu) > before, "CPU {cpu} took no IPI");
                send_ipi(cpu, IpiKind::Wakeup);
                send_ipi(cpu, IpiKind::FlushTlb);
            }
        }
        assert_eq!(call_on(MAX_CPUS, || 0), None);
    }

    fn every_cpu_ticks() {
        let start: [u64; MAX_CPUS] = core::array::from_fn(crate::timer::cpu_ticks);
        let mut waits = 0;
        while online_cpus().any(|c| crate::timer::cpu_ticks(c) < start[c] + 3) {
            crate::cpu::wait_for_interrupt();
            waits += 1;
            let late: alloc::vec::Vec<usize> =
                online_cpus().filter(|&c| crate::timer::cpu_ticks(c) < start[c] + 3).collect();
            assert!(waits < 2_000, "CPUs {late:?} took fewer than 3 ticks in {waits} waits");
        }
    }
}
