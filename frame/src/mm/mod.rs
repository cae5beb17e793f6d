//! Physical memory: the boot memory map, frames with per-frame metadata, the kernel heap.
//!
//! At boot, [`init`] carves the kernel heap out of the largest usable region, allocates the
//! per-frame metadata array from that heap, and hands every remaining usable frame to the frame
//! allocator. All physical memory below the architecture's linear-map limit is mapped at
//! `PHYS_OFFSET + pa`; frame reads and writes physical memory only through that map.

mod frame;
mod heap;
mod memory_map;
pub mod vm;

use core::sync::atomic::{AtomicUsize, Ordering};

pub use frame::{AllocError, Frame, FrameStats, FrameUsage, frame_stats};
pub(crate) use memory_map::MemoryMap;

use crate::arch::{LINEAR_MAP_SIZE, PHYS_OFFSET};

/// Size of a base page and of a physical frame.
pub const PAGE_SIZE: usize = 4096;

/// Heap bytes beyond what the frame metadata needs: at least this much...
const HEAP_MIN_SIZE: usize = 8 << 20;
/// ...or this fraction of usable RAM, whichever is larger (the in-memory file systems keep
/// file data on the heap).
const HEAP_RAM_DIVISOR: usize = 8;

static USABLE_AT_BOOT: AtomicUsize = AtomicUsize::new(0);

/// Usable RAM found at boot, in bytes (excluding the kernel image and firmware areas).
pub fn usable_memory() -> usize {
    USABLE_AT_BOOT.load(Ordering::Relaxed)
}

/// Sets up the heap and the frame allocator from the boot memory map.
pub(crate) fn init(mut memory: MemoryMap) {
    let usable = memory.total();
    USABLE_AT_BOOT.store(usable, Ordering::Relaxed);
    let (first_pfn, end_pfn) = memory.pfn_bounds();
    let meta_bytes = (end_pfn - first_pfn) * frame::META_SIZE;
    let heap_size =
        (HEAP_MIN_SIZE.max(usable / HEAP_RAM_DIVISOR) + meta_bytes).next_multiple_of(PAGE_SIZE);
    let heap_pa = memory
        .take(heap_size)
        .unwrap_or_else(|| panic!("no {heap_size:#x}-byte region for the kernel heap"));
    heap::init(heap_pa, heap_size);
    frame::init(&memory, first_pfn, end_pfn);
    vm::init();
    log::info!(
        "mm: {} MiB usable, heap {} KiB at {heap_pa:#x}, {} frames free",
        usable >> 20,
        heap_size >> 10,
        frame_stats().free
    );
}

/// The kernel virtual address of physical address `pa` in the linear map.
///
/// # Panics
///
/// If `pa` lies beyond the linear map.
pub(crate) fn phys_to_virt(pa: usize) -> usize {
    assert!(
        pa < LINEAR_MAP_SIZE,
        "physical address {pa:#x} beyond the linear map"
    );
    PHYS_OFFSET + pa
}

mod sealed {
    pub trait Sealed {}
}

/// Types for which every bit pattern is a valid value, so they can be read from any memory.
pub(crate) trait PlainData: Copy + sealed::Sealed {}

macro_rules! plain_data {
    ($($t:ty),*) => { $(impl sealed::Sealed for $t {} impl PlainData for $t {})* };
}
plain_data!(u8, u16, u32, u64);
impl<const N: usize> sealed::Sealed for [u8; N] {}
impl<const N: usize> PlainData for [u8; N] {}

#[cfg_attr(
    not(target_arch = "x86_64"),
    expect(dead_code, reason = "only x86-64 boot code reads raw tables")
)]
/// Reads a `T` from physical address `pa` (no alignment needed), for boot-time tables.
///
/// # Panics
///
/// If the value would extend beyond the linear map.
pub(crate) fn read_phys<T: PlainData>(pa: usize) -> T {
    let end = pa
        .checked_add(size_of::<T>())
        .expect("physical address overflow");
    assert!(
        end <= LINEAR_MAP_SIZE,
        "physical range {pa:#x}..{end:#x} beyond the linear map"
    );
    // The range lies in the linear map, which always maps it; callers read boot-time tables
    // that nothing writes any more.
    // SAFETY: `T` is plain data (any bits valid) and the read is unaligned: it cannot fault.
    unsafe { ((PHYS_OFFSET + pa) as *const T).read_unaligned() }
}
