//! Physical frames: the allocator and the per-frame metadata.
//!
//! Every frame between the lowest and the highest usable address has a [`FrameMeta`] slot in
//! one array (allocated from the heap at boot), found by frame number. A frame is handed out as
//! a [`Frame`], the unique owner of its memory: reads take `&Frame`, writes `&mut Frame`, and
//! dropping it returns the frame to the allocator. Frames come zeroed, so no data leaks from one
//! owner to the next. The free frames themselves are kept by a buddy allocator.
//!
//! Frames mapped into address spaces are not `Frame` handles but *raw references* counted in
//! the metadata (see [`super::vm`]): a frame returns to the allocator when its last reference,
//! raw or handle, is dropped. The metadata also holds the lock and stray flag of the frames
//! that are page-table pages (`vm_corten::PtMeta`).

use alloc::vec::Vec;
use core::sync::atomic::{AtomicU32, Ordering};

use buddy_system_allocator::FrameAllocator;
use spin::Once;

use super::{MemoryMap, PAGE_SIZE, phys_to_virt};
use crate::sync::SpinLock;

/// What a frame is used for, as recorded in its metadata.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum FrameUsage {
    /// In the allocator, or never handed to it (kernel image, firmware, heap).
    Free = 0,
    /// Owned by a [`Frame`] handle.
    Allocated = 1,
}

/// Per-frame metadata.
struct FrameMeta {
    /// References: a [`Frame`] handle, or mappings in address spaces.
    refcount: AtomicU32,
    /// A [`FrameUsage`] value.
    usage: AtomicU32,
    /// Lock and stray flag, when the frame is a page-table page.
    table: vm_corten::PtMeta,
}

/// Bytes of metadata per frame.
pub(super) const META_SIZE: usize = size_of::<FrameMeta>();

struct Frames {
    meta: Vec<FrameMeta>,
    first_pfn: usize,
    free: SpinLock<(FrameAllocator<32>, usize)>,
    total: usize,
}

static FRAMES: Once<Frames> = Once::new();

/// Hands every usable frame in `memory` to the allocator.
pub(super) fn init(memory: &MemoryMap, first_pfn: usize, end_pfn: usize) {
    FRAMES.call_once(|| {
        let meta = (first_pfn..end_pfn)
            .map(|_| FrameMeta {
                refcount: AtomicU32::new(0),
                usage: AtomicU32::new(0),
                table: vm_corten::PtMeta::new(),
            })
            .collect();
        let mut allocator = FrameAllocator::<32>::new();
        let mut total = 0;
        for (start, end) in memory.regions() {
            allocator.add_frame(start / PAGE_SIZE, end / PAGE_SIZE);
            total += (end - start) / PAGE_SIZE;
        }
        Frames {
            meta,
            first_pfn,
            free: SpinLock::new((allocator, total)),
            total,
        }
    });
}

fn frames() -> &'static Frames {
    FRAMES.get().expect("frame allocator used before mm::init")
}

/// The allocator has no free frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AllocError;

/// Frame counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FrameStats {
    /// Frames given to the allocator at boot.
    pub total: usize,
    /// Frames free now.
    pub free: usize,
}

/// Current frame counts.
pub fn frame_stats() -> FrameStats {
    let frames = frames();
    FrameStats {
        total: frames.total,
        free: frames.free.lock().1,
    }
}

/// One 4 KiB physical frame, owned: freed when dropped.
#[derive(Debug)]
pub struct Frame {
    pfn: usize,
}

impl Frame {
    /// Allocates a zeroed frame.
    pub fn alloc() -> Result<Self, AllocError> {
        let frames = frames();
        let pfn = {
            let mut free = frames.free.lock();
            let pfn = free.0.alloc(1).ok_or(AllocError)?;
            free.1 -= 1;
            pfn
        };
        let meta = &frames.meta[pfn - frames.first_pfn];
        let old = meta.refcount.swap(1, Ordering::AcqRel);
        assert_eq!(old, 0, "frame {pfn:#x} handed out twice");
        meta.usage
            .store(FrameUsage::Allocated as u32, Ordering::Release);
        let mut frame = Frame { pfn };
        frame.fill(0);
        Ok(frame)
    }

    /// The frame's physical address.
    pub fn paddr(&self) -> usize {
        self.pfn * PAGE_SIZE
    }

    /// The usage recorded in the frame's metadata.
    pub fn usage(&self) -> FrameUsage {
        match self.meta().usage.load(Ordering::Acquire) {
            1 => FrameUsage::Allocated,
            _ => FrameUsage::Free,
        }
    }

    /// Copies `buf.len()` bytes at `offset` in the frame into `buf`.
    ///
    /// # Panics
    ///
    /// If the range leaves the frame.
    pub fn read(&self, offset: usize, buf: &mut [u8]) {
        let src = self.bytes_at(offset, buf.len());
        // SAFETY: `bytes_at` checked that the range lies inside this frame, which the linear
        // map maps; the frame's memory belongs to this handle alone and `&self` excludes a
        // concurrent writer; `buf` is a distinct Rust buffer, so the ranges do not overlap.
        unsafe { core::ptr::copy_nonoverlapping(src, buf.as_mut_ptr(), buf.len()) };
    }

    /// Copies `data` into the frame at `offset`.
    ///
    /// # Panics
    ///
    /// If the range leaves the frame.
    pub fn write(&mut self, offset: usize, data: &[u8]) {
        let dst = self.bytes_at(offset, data.len()) as *mut u8;
        // SAFETY: as in `read`; `&mut self` makes this the only access to the frame.
        unsafe { core::ptr::copy_nonoverlapping(data.as_ptr(), dst, data.len()) };
    }

    /// Sets every byte of the frame to `byte`.
    pub fn fill(&mut self, byte: u8) {
        let dst = self.bytes_at(0, PAGE_SIZE) as *mut u8;
        // SAFETY: the whole frame is mapped and owned by this handle; `&mut self` is exclusive.
        unsafe { core::ptr::write_bytes(dst, byte, PAGE_SIZE) };
    }

    fn bytes_at(&self, offset: usize, len: usize) -> *const u8 {
        let end = offset.checked_add(len).expect("frame range overflow");
        assert!(
            end <= PAGE_SIZE,
            "range {offset:#x}..{end:#x} leaves the frame"
        );
        (phys_to_virt(self.paddr()) + offset) as *const u8
    }

    fn meta(&self) -> &'static FrameMeta {
        let frames = frames();
        &frames.meta[self.pfn - frames.first_pfn]
    }
}

impl Frame {
    /// Gives up the handle but keeps its reference: the frame stays allocated until
    /// [`put_raw`] drops that reference.
    pub(crate) fn into_raw(self) -> usize {
        let pa = self.paddr();
        core::mem::forget(self);
        pa
    }
}

fn meta_of(pa: usize) -> &'static FrameMeta {
    let frames = frames();
    let pfn = pa / PAGE_SIZE;
    assert!(
        pa.is_multiple_of(PAGE_SIZE)
            && pfn >= frames.first_pfn
            && pfn - frames.first_pfn < frames.meta.len(),
        "{pa:#x} is not an allocatable frame"
    );
    &frames.meta[pfn - frames.first_pfn]
}

/// Takes one more reference to the allocated frame at `pa`.
pub(crate) fn get_raw(pa: usize) {
    let old = meta_of(pa).refcount.fetch_add(1, Ordering::AcqRel);
    assert!(old > 0, "reference to the free frame {pa:#x}");
}

/// Drops one reference to the frame at `pa`, freeing it at zero.
pub(crate) fn put_raw(pa: usize) {
    let meta = meta_of(pa);
    let old = meta.refcount.fetch_sub(1, Ordering::AcqRel);
    assert!(old > 0, "frame {pa:#x} freed twice");
    if old == 1 {
        meta.usage.store(FrameUsage::Free as u32, Ordering::Release);
        let mut free = frames().free.lock();
        free.0.dealloc(pa / PAGE_SIZE, 1);
        free.1 += 1;
    }
}

/// References to the frame at `pa`.
pub(crate) fn raw_refs(pa: usize) -> usize {
    meta_of(pa).refcount.load(Ordering::Acquire) as usize
}

/// The page-table metadata of the frame at `pa`.
pub(crate) fn table_meta(pa: usize) -> &'static vm_corten::PtMeta {
    &meta_of(pa).table
}

impl Drop for Frame {
    fn drop(&mut self) {
        put_raw(self.paddr());
    }
}

crate::ktest! {
    fn frames_are_zeroed_owned_and_returned() {
        let before = frame_stats().free;
        let mut a = Frame::alloc().expect("out of frames");
        let b = Frame::alloc().expect("out of frames");
        assert_ne!(a.paddr(), b.paddr());
        assert_eq!(a.paddr() % PAGE_SIZE, 0);
        assert_eq!(a.usage(), FrameUsage::Allocated);
        assert_eq!(frame_stats().free, before - 2);
        let mut buf = [0xffu8; 64];
        a.read(PAGE_SIZE - 64, &mut buf);
        assert!(buf.iter().all(|&x| x == 0), "a new frame was not zeroed");
        a.write(100, b"framekernel");
        let mut back = [0u8; 11];
        a.read(100, &mut back);
        assert_eq!(&back, b"framekernel");
        drop(a);
        drop(b);
        assert_eq!(frame_stats().free, before);
    }

    fn many_frames_come_and_go() {
        let before = frame_stats().free;
        let frames: alloc::vec::Vec<Frame> = (0..1024).map(|_| Frame::alloc().unwrap()).collect();
        let mut addrs: alloc::vec::Vec<usize> = frames.iter().map(Frame::paddr).collect();
        addrs.sort_unstable();
        addrs.dedup();
        assert_eq!(addrs.len(), 1024, "a frame was handed out twice");
        drop(frames);
        assert_eq!(frame_stats().free, before);
    }
}
