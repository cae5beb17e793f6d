//! The kernel heap: a buddy allocator over one region carved at boot, behind an IRQ-safe lock.

use core::alloc::{GlobalAlloc, Layout};
use core::ptr::{NonNull, null_mut};

use buddy_system_allocator::Heap;

use super::phys_to_virt;
use crate::sync::SpinLock;

struct KernelHeap(SpinLock<Heap<32>>);

#[global_allocator]
static HEAP: KernelHeap = KernelHeap(SpinLock::new(Heap::empty()));

// SAFETY: `Heap` returns blocks of at least the requested size and alignment that do not
// overlap any live block, and the lock serialises all access to it (with interrupts off, so an
// interrupt handler cannot re-enter it on the same CPU).
unsafe impl GlobalAlloc for KernelHeap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        self.0
            .lock()
            .alloc(layout)
            .map_or(null_mut(), NonNull::as_ptr)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller passes a pointer that `alloc` returned with the same layout, so it
        // is non-null and belongs to this heap.
        unsafe { self.0.lock().dealloc(NonNull::new_unchecked(ptr), layout) };
    }
}

/// Gives the physical range `[pa, pa + size)` to the heap.
pub(super) fn init(pa: usize, size: usize) {
    let start = phys_to_virt(pa);
    assert!(phys_to_virt(pa + size - 1) > start);
    // SAFETY: `mm::init` took this range out of the boot memory map, so it is usable RAM that
    // nothing else (the frame allocator included) will ever hand out; it is mapped by the linear
    // map; `init` runs once.
    unsafe { HEAP.0.lock().init(start, size) };
}

crate::ktest! {
    fn heap_serves_large_and_aligned_blocks() {
        use alloc::alloc::{alloc, dealloc};
        let big: alloc::vec::Vec<u8> = alloc::vec![7; 2 << 20];
        assert!(big.iter().all(|&b| b == 7));
        let layout = Layout::from_size_align(4096, 4096).unwrap();
        // SAFETY: the layout has a non-zero size; the block is freed with the same layout.
        unsafe {
            let p = alloc(layout);
            assert!(!p.is_null() && (p as usize).is_multiple_of(4096));
            dealloc(p, layout);
        }
    }
}
