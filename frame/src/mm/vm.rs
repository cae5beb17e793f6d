//! The kernel's page table and user address spaces, both on vm-corten.
//!
//! The kernel's own space (the upper half) is a vm-corten kernel space built at boot ([`init`]):
//! the linear map of physical memory and the kernel image with per-section permissions. Its
//! top-level entries never change afterwards, and every user root starts with a copy of them.
//!
//! [`UserSpace`] is an address space with no VMA tree (CortenMM, see `vm_corten`): the page
//! table is the only record of what is mapped, and every operation is a transaction over the
//! locked range it touches. frame supplies the platform: page-table pages and data frames from
//! the frame allocator (their reference counts and page-table locks live in the per-frame
//! metadata), entries through the linear map, TLB flushes, and the kernel half shared by every
//! root table.
//!
//! The API is safe for untrusted callers: it never lets them name a physical address to map.
//! Frames enter an address space only as zeroed anonymous memory, as copies, or as [`Frame`]
//! handles given up by a [`FilePages`] implementation.

use alloc::sync::Arc;
use core::ops::Range;
use core::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use spin::Once;

pub use vm_corten::{Access, PageProp, PageState, Region, Status, VmError};
use vm_corten::{FileBacking, Platform, PtMeta};

use super::frame::{self, Frame};
use super::{PAGE_SIZE, phys_to_virt};
use crate::arch::{self, mm as arch_mm};
use crate::cpu::{CpuLocal, MAX_CPUS};
use crate::sync::SpinLock;

/// The kernel's root table; its upper half is copied into every new root.
static KERNEL_ROOT: AtomicUsize = AtomicUsize::new(0);
/// The kernel's own address space (the upper half), built by [`init`] and never changed after.
static KERNEL_SPACE: Once<Space> = Once::new();

unsafe extern "C" {
    // Page-aligned bounds of the kernel image's sections (see the linker scripts).
    safe static __text_start: u8;
    safe static __rodata_start: u8;
    safe static __data_start: u8;
    safe static __kernel_end: u8;
}

/// Builds the kernel's page table on vm-corten and switches the boot CPU to it (the other
/// CPUs switch as they come up): the linear map of physical memory (read-write, never
/// executable, with the largest pages the CPU has), and the kernel image by section: text
/// read-execute, read-only data read-only, data and bss read-write. All global. The boot
/// loader's tables mapped all of it read-write-execute.
///
/// The kernel half's top-level entries are all made here and never change, because every
/// user root copies them ([`Platform::init_root`]).
pub(crate) fn init() {
    let space = Space::new_kernel(Arc::new(FramePlatform)).expect("no memory for kernel tables");
    let global = PageProp::GLOBAL;
    let image = |start: &u8, end: &u8, access: PageProp| {
        let (start, end) = (start as *const u8 as usize, end as *const u8 as usize);
        (
            start,
            start - arch::KERNEL_VMA,
            end - start,
            access | global,
        )
    };
    let mappings = [
        (
            arch::PHYS_OFFSET,
            0,
            arch::LINEAR_MAP_SIZE,
            PageProp::READ | PageProp::WRITE | global,
        ),
        image(
            &__text_start,
            &__rodata_start,
            PageProp::READ | PageProp::EXEC,
        ),
        image(&__rodata_start, &__data_start, PageProp::READ),
        image(
            &__data_start,
            &__kernel_end,
            PageProp::READ | PageProp::WRITE,
        ),
    ];
    for (va, pa, size, prop) in mappings {
        space
            .lock(va..va + size)
            .and_then(|mut c| c.map_physical_up_to(va, pa, size, prop, arch_mm::max_leaf_level()))
            .unwrap_or_else(|e| panic!("mapping {va:#x}+{size:#x} in the kernel space: {e:?}"));
    }
    let root = space.root();
    KERNEL_SPACE.call_once(|| space);
    KERNEL_ROOT.store(root, Ordering::Relaxed);
    activate_kernel_here();
}

/// Loads the kernel's root on the running CPU and turns on the protections its entries need
/// (each CPU calls this once, as it comes up).
pub(crate) fn activate_kernel_here() {
    arch_mm::enable_protections();
    arch_mm::activate_root(kernel_root());
}

/// What the kernel's own page table maps at `va` (for tests and fault reports).
pub fn kernel_mapping(va: usize) -> PageState {
    KERNEL_SPACE
        .get()
        .map_or(PageState::Invalid, |space| space.query(va))
}

/// The kernel's own root table (physical address).
pub(crate) fn kernel_root() -> usize {
    KERNEL_ROOT.load(Ordering::Relaxed)
}

/// vm-corten's platform, implemented on frame's allocator and linear map.
pub struct FramePlatform;

/// An address space on frame's platform.
type Space = vm_corten::VmSpace<FramePlatform>;

fn entry_ref(table: usize, index: usize) -> &'static AtomicU64 {
    assert!(index < 512 && table.is_multiple_of(PAGE_SIZE));
    let ptr = (phys_to_virt(table) + index * 8) as *const AtomicU64;
    // `table` is a page-aligned frame in the linear map (checked by `phys_to_virt`), which is
    // never unmapped; page tables are only accessed as atomics, and vm-corten frees them only
    // after unlinking, a TLB flush and an RCU grace period.
    // SAFETY: so the aligned word is mapped, unaliased by non-atomic references, and live.
    unsafe { &*ptr }
}

impl Platform for FramePlatform {
    type Arch = arch_mm::PagingFormat;

    fn alloc_table(&self) -> Option<usize> {
        Some(Frame::alloc().ok()?.into_raw())
    }

    fn free_table(&self, table: usize) {
        for i in 0..512 {
            entry_ref(table, i).store(0, Ordering::Relaxed);
        }
        frame::put_raw(table);
    }

    fn entry(&self, table: usize, index: usize) -> &AtomicU64 {
        entry_ref(table, index)
    }

    fn meta(&self, table: usize) -> &PtMeta {
        frame::table_meta(table)
    }

    fn alloc_frame(&self) -> Option<usize> {
        Some(Frame::alloc().ok()?.into_raw())
    }

    fn copy_frame(&self, from: usize, to: usize) {
        for i in 0..512 {
            let value = entry_ref(from, i).load(Ordering::Relaxed);
            entry_ref(to, i).store(value, Ordering::Relaxed);
        }
    }

    fn get_frame(&self, pa: usize) {
        frame::get_raw(pa);
    }

    fn put_frame(&self, pa: usize) {
        frame::put_raw(pa);
    }

    fn frame_refs(&self, pa: usize) -> usize {
        frame::raw_refs(pa)
    }

    fn flush_tlb(&self, root: usize, range: Range<usize>) {
        // The page-table change that needs this flush is already visible; a CPU that loads
        // `root` from now on walks the new entries. Order that change before reading which CPUs
        // have `root` loaded: a CPU whose `ACTIVE_ROOT` store we miss loads the root afterwards.
        core::sync::atomic::fence(Ordering::SeqCst);
        let targets = (0..MAX_CPUS)
            .filter(|&cpu| ACTIVE_ROOT.get_on(cpu).load(Ordering::SeqCst) == root)
            .fold(0u64, |mask, cpu| mask | 1 << cpu);
        crate::smp::shootdown(root, range, targets);
    }

    fn cpu_hint(&self) -> usize {
        crate::cpu::current_id()
    }

    fn init_root(&self, root: usize) {
        let kernel = KERNEL_ROOT.load(Ordering::Relaxed);
        for i in 256..512 {
            entry_ref(root, i).store(
                entry_ref(kernel, i).load(Ordering::Relaxed),
                Ordering::Relaxed,
            );
        }
    }
}

/// Supplies the pages of file objects to file-backed faults.
pub trait FilePages {
    /// A frame holding page `page` of `object`; the address space takes over the handle.
    fn page(&self, object: u32, page: u64) -> Result<Frame, VmError>;
}

/// For address spaces without file mappings.
pub struct NoFilePages;

impl FilePages for NoFilePages {
    fn page(&self, _object: u32, _page: u64) -> Result<Frame, VmError> {
        Err(VmError::Fault)
    }
}

struct Files<'a>(&'a dyn FilePages);

impl FileBacking for Files<'_> {
    fn page(&self, object: u32, page: u64) -> Result<usize, VmError> {
        Ok(self.0.page(object, page)?.into_raw())
    }
}

/// The address space active on each CPU, kept alive while its root is loaded.
static ACTIVE: CpuLocal<SpinLock<Option<Arc<Space>>>> =
    CpuLocal::new([const { SpinLock::new(None) }; MAX_CPUS]);

/// The root table loaded on each CPU (0: the kernel's), published before the root is loaded
/// and after it is unloaded, so that `flush_tlb` finds every CPU that may cache its entries.
static ACTIVE_ROOT: CpuLocal<AtomicUsize> =
    CpuLocal::new([const { AtomicUsize::new(0) }; MAX_CPUS]);

/// Loads `root` on the running CPU (under its `ACTIVE` lock, interrupts off). The new root is
/// published before it is loaded, so a shootdown that misses this CPU changed the entries
/// before this CPU could cache them; the old root's entries are dropped by the load itself, and
/// the few instructions in between touch no user address.
fn switch_root(root: usize) {
    let slot = ACTIVE_ROOT.get();
    if slot.load(Ordering::Relaxed) != root {
        slot.store(root, Ordering::SeqCst);
        core::sync::atomic::fence(Ordering::SeqCst);
    }
    arch_mm::activate_root(root);
}

/// A user address space.
#[derive(Clone)]
pub struct UserSpace {
    space: Arc<Space>,
}

impl UserSpace {
    /// A new, empty address space (sharing the kernel half).
    pub fn new() -> Result<Self, VmError> {
        Ok(Self {
            space: Arc::new(Space::new(Arc::new(FramePlatform))?),
        })
    }

    /// Makes this the address space of the running CPU.
    pub fn activate(&self) {
        // Already loaded here: then `ACTIVE` holds this very space (its reference keeps the
        // root frame from being reused), and reloading the root would only flush the TLB.
        if arch_mm::current_root() == self.space.root() {
            return;
        }
        let mut active = ACTIVE.get().lock();
        switch_root(self.space.root());
        *active = Some(self.space.clone());
    }

    /// Whether this space is active on the running CPU.
    pub fn is_active(&self) -> bool {
        arch_mm::current_root() == self.space.root()
    }

    /// A number that identifies this address space among the live ones (clones of one
    /// `UserSpace` share it): a key for state attached to user addresses, such as futexes.
    pub fn id(&self) -> usize {
        Arc::as_ptr(&self.space) as usize
    }

    /// End of the user half (user addresses are below it).
    pub fn user_end(&self) -> usize {
        self.space.user_end()
    }

    /// `mmap`: gives `len` bytes the status `status` at `fixed` or at an address chosen here.
    /// `Status::Inaccessible` is refused (it names a frame).
    pub fn mmap(&self, fixed: Option<usize>, len: usize, status: Status) -> Result<usize, VmError> {
        self.space.mmap(fixed, len, status)
    }

    /// `munmap`.
    pub fn munmap(&self, va: usize, len: usize) -> Result<(), VmError> {
        self.space.munmap(va, len)
    }

    /// `mprotect`, with the access bits of `access`.
    pub fn mprotect(&self, va: usize, len: usize, access: PageProp) -> Result<(), VmError> {
        self.space.mprotect(va, len, access)
    }

    /// What the page at `va` is.
    pub fn query(&self, va: usize) -> PageState {
        self.space.query(va)
    }

    /// The regions of the user half, in address order (for `/proc/<pid>/maps`).
    pub fn regions(&self) -> alloc::vec::Vec<Region> {
        self.space.regions()
    }

    /// Resolves a page fault at `va`.
    pub fn handle_fault(
        &self,
        va: usize,
        access: Access,
        files: &dyn FilePages,
    ) -> Result<(), VmError> {
        self.space.handle_fault(va, access, &Files(files))
    }

    /// `fork`: a copy-on-write copy.
    pub fn fork(&self) -> Result<Self, VmError> {
        Ok(Self {
            space: Arc::new(self.space.fork()?),
        })
    }

    /// Copies user memory at `va` into `buf`, faulting pages in as a user read would.
    pub fn read(&self, va: usize, buf: &mut [u8], files: &dyn FilePages) -> Result<(), VmError> {
        self.copy(va, buf.len(), Access::Read, files, |frame_va, done, n| {
            for (i, byte) in buf[done..done + n].iter_mut().enumerate() {
                // SAFETY: `frame_va..frame_va + n` lies inside one mapped user frame in the linear
                // map (see `copy`); user memory may change concurrently, so it is read with
                // volatile byte loads and never through a Rust reference.
                *byte = unsafe { ((frame_va + i) as *const u8).read_volatile() };
            }
        })
    }

    /// Copies `data` into user memory at `va`, faulting pages in (and breaking copy-on-write)
    /// as a user write would.
    pub fn write(&self, va: usize, data: &[u8], files: &dyn FilePages) -> Result<(), VmError> {
        self.copy(va, data.len(), Access::Write, files, |frame_va, done, n| {
            for (i, byte) in data[done..done + n].iter().enumerate() {
                // SAFETY: as in `read`: a mapped, writable user frame, written with volatile
                // stores and never through a Rust reference.
                unsafe { ((frame_va + i) as *mut u8).write_volatile(*byte) };
            }
        })
    }

    /// Walks `[va, va + len)` page by page; for each, makes sure the page allows `access`
    /// (faulting it in), then calls `f(linear-map address, bytes done, bytes in this page)`.
    /// The page's frame stays referenced while `f` runs.
    fn copy(
        &self,
        va: usize,
        len: usize,
        access: Access,
        files: &dyn FilePages,
        mut f: impl FnMut(usize, usize, usize),
    ) -> Result<(), VmError> {
        let end = va.checked_add(len).ok_or(VmError::Fault)?;
        let mut at = va;
        while at < end {
            let n = (PAGE_SIZE - at % PAGE_SIZE).min(end - at);
            let page = at & !(PAGE_SIZE - 1);
            let pa = loop {
                // Take the frame reference under the range lock, so that a concurrent munmap
                // cannot free the frame between the lookup and the copy.
                let cursor = self
                    .space
                    .lock(page..page + PAGE_SIZE)
                    .map_err(|_| VmError::Fault)?;
                if let PageState::Mapped { pa, prop, .. } = cursor.query(page)
                    && allows(prop, access)
                {
                    frame::get_raw(pa);
                    break pa;
                }
                drop(cursor);
                self.handle_fault(at, access, files)?;
            };
            f(phys_to_virt(pa) + at % PAGE_SIZE, at - va, n);
            frame::put_raw(pa);
            at += n;
        }
        Ok(())
    }
}

fn allows(prop: PageProp, access: Access) -> bool {
    match access {
        Access::Read => prop.contains(PageProp::READ),
        Access::Write => prop.contains(PageProp::WRITE),
        Access::Exec => prop.contains(PageProp::EXEC),
    }
}

/// Switches the running CPU back to the kernel's own root table.
pub fn activate_kernel() {
    let mut active = ACTIVE.get().lock();
    switch_root(KERNEL_ROOT.load(Ordering::Relaxed));
    *active = None;
}

crate::ktest! {
    fn the_kernel_image_is_mapped_by_section() {
        static READ_ONLY: [u64; 2] = [1, 2];
        static WRITABLE: AtomicUsize = AtomicUsize::new(3);
        let access = |va: usize| match kernel_mapping(va) {
            PageState::Mapped { prop, .. } => {
                assert!(prop.contains(PageProp::GLOBAL), "{va:#x} is not global");
                assert!(!prop.contains(PageProp::USER), "{va:#x} is user-accessible");
                prop.access()
            }
            other => panic!("{va:#x} is {other:?} in the kernel space"),
        };
        let code = kernel_mapping as fn(usize) -> PageState as usize;
        assert_eq!(access(code), PageProp::READ | PageProp::EXEC, "text");
        assert_eq!(access(READ_ONLY.as_ptr() as usize), PageProp::READ, "rodata");
        let data = &WRITABLE as *const AtomicUsize as usize;
        assert_eq!(access(data), PageProp::READ | PageProp::WRITE, "data");
        let heap = alloc::boxed::Box::new(0u64);
        let heap = &*heap as *const u64 as usize;
        assert_eq!(access(heap), PageProp::READ | PageProp::WRITE, "linear map");
        // Nothing in the lower half, and the running root shares the kernel half.
        assert_eq!(kernel_mapping(0x1000), PageState::Invalid);
        let (active, kernel) = (arch_mm::current_root(), kernel_root());
        assert!((256..512).all(|i| entry_ref(active, i).load(Ordering::Relaxed)
            == entry_ref(kernel, i).load(Ordering::Relaxed)));
    }

    fn user_pages_fault_in_copy_and_unmap() {
        let before = super::frame_stats().free;
        {
            let space = UserSpace::new().unwrap();
            let rw = PageProp::READ | PageProp::WRITE;
            let va = space.mmap(None, 64 * 1024, Status::Anonymous { prop: rw }).unwrap();
            assert_eq!(space.query(va), PageState::Status(Status::Anonymous { prop: rw }));
            let data: alloc::vec::Vec<u8> = (0..10_000u32).map(|i| (i * 7) as u8).collect();
            space.write(va + 100, &data, &NoFilePages).unwrap();
            let mut back = alloc::vec![0u8; data.len()];
            space.read(va + 100, &mut back, &NoFilePages).unwrap();
            assert_eq!(back, data);
            assert!(matches!(space.query(va + 8192), PageState::Mapped { level: 1, .. }));
            space.munmap(va, 64 * 1024).unwrap();
            assert_eq!(space.query(va), PageState::Invalid);
            assert_eq!(space.read(va, &mut back[..1], &NoFilePages), Err(VmError::Fault));
        }
        assert_eq!(super::frame_stats().free, before, "frames leaked");
    }

    fn mmu_agrees_with_the_page_table() {
        let space = UserSpace::new().unwrap();
        let rw = PageProp::READ | PageProp::WRITE;
        let va = space.mmap(Some(0x40_0000), 3 * PAGE_SIZE, Status::Anonymous { prop: rw }).unwrap();
        for (i, marker) in [0x1122_3344_5566_7788u64, 0xdead_beef, 42].into_iter().enumerate() {
            space.write(va + i * PAGE_SIZE + 8, &marker.to_ne_bytes(), &NoFilePages).unwrap();
        }
        space.activate();
        assert!(space.is_active());
        // SAFETY: the three pages are mapped readable in the active space (populated above)
        // and no Rust reference points at them.
        let seen = [0, 1, 2].map(|i| unsafe { arch_mm::read_user_u64(va + i * PAGE_SIZE + 8) });
        activate_kernel();
        assert_eq!(seen, [0x1122_3344_5566_7788, 0xdead_beef, 42]);
    }

    fn shootdown_reaches_a_cpu_that_has_the_space_active() {
        // CPU 1 loads a space and caches the translation of a page; CPU 0 unmaps the page,
        // which must flush CPU 1 before returning, and maps a new frame there, which CPU 1
        // must then see (a stale translation would show the old frame).
        if crate::cpu::count() < 2 {
            return;
        }
        static SPACE: SpinLock<Option<UserSpace>> = SpinLock::new(None);
        const VA: usize = 0x50_0000;
        let rw = PageProp::READ | PageProp::WRITE;
        let space = UserSpace::new().unwrap();
        space.mmap(Some(VA), PAGE_SIZE, Status::Anonymous { prop: rw }).unwrap();
        space.write(VA, &1111u64.to_ne_bytes(), &NoFilePages).unwrap();
        *SPACE.lock() = Some(space.clone());
        let seen = crate::smp::call_on(1, || {
            let space = SPACE.lock().clone().expect("the test space");
            space.activate();
            // SAFETY: the page is mapped readable in the space just activated.
            unsafe { arch_mm::read_user_u64(VA) }
        });
        assert_eq!(seen, Some(1111));
        assert_eq!(ACTIVE_ROOT.get_on(1).load(Ordering::SeqCst), space.space.root());
        let served = crate::smp::shootdowns_served(1);
        space.munmap(VA, PAGE_SIZE).unwrap();
        assert!(crate::smp::shootdowns_served(1) > served, "CPU 1 was not asked to flush");
        // Hold the frames freed just now, so the new page gets another one.
        let hold: alloc::vec::Vec<Frame> = (0..16).map(|_| Frame::alloc().unwrap()).collect();
        space.mmap(Some(VA), PAGE_SIZE, Status::Anonymous { prop: rw }).unwrap();
        space.write(VA, &2222u64.to_ne_bytes(), &NoFilePages).unwrap();
        let seen = crate::smp::call_on(1, || {
            // SAFETY: the page is mapped again, readable, in the space active on this CPU.
            unsafe { arch_mm::read_user_u64(VA) }
        });
        crate::smp::call_on(1, || {
            activate_kernel();
            0
        });
        *SPACE.lock() = None;
        drop(hold);
        assert_eq!(seen, Some(2222), "CPU 1 used a stale translation");
    }

    fn protect_and_copy_on_write() {
        let parent = UserSpace::new().unwrap();
        let rw = PageProp::READ | PageProp::WRITE;
        let va = parent.mmap(None, 2 * PAGE_SIZE, Status::Anonymous { prop: rw }).unwrap();
        parent.write(va, b"parent", &NoFilePages).unwrap();
        parent.mprotect(va, 2 * PAGE_SIZE, PageProp::READ).unwrap();
        assert_eq!(parent.write(va, b"x", &NoFilePages), Err(VmError::Fault));
        parent.mprotect(va, 2 * PAGE_SIZE, rw).unwrap();

        let child = parent.fork().unwrap();
        child.write(va, b"child!", &NoFilePages).unwrap();
        let (mut p, mut c) = ([0u8; 6], [0u8; 6]);
        parent.read(va, &mut p, &NoFilePages).unwrap();
        child.read(va, &mut c, &NoFilePages).unwrap();
        assert_eq!((&p, &c), (b"parent", b"child!"));
        child.activate();
        // SAFETY: the page is mapped readable in the active (child) space.
        let word = unsafe { arch_mm::read_user_u64(va) };
        activate_kernel();
        assert_eq!(&word.to_ne_bytes()[..6], b"child!");
    }
}
