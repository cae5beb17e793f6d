//! Basic behaviour of address spaces on the simulated memory, on each page-table format.
// With `shuttle`, the simulated memory's atomics work only inside a shuttle run (tests/shuttle.rs).
#![cfg(not(feature = "shuttle"))]

use vm_corten::sim::SimPlatform;
use vm_corten::{
    Access, NoFiles, PageProp, PageState, PagingArch, Status, Sv39, Sv48, VmError, VmSpace, X86_64,
};

const RW: PageProp = PageProp::READ.union(PageProp::WRITE);

fn anon(prop: PageProp) -> Status {
    Status::Anonymous { prop }
}

fn lifecycle<A: PagingArch>() {
    let mem = SimPlatform::<A>::new(4096);
    {
        let space = VmSpace::new(mem.clone()).unwrap();
        let va = space.mmap(None, 3 << 20, anon(RW)).unwrap();
        assert_eq!(va % 4096, 0);
        assert_eq!(space.query(va + 8192), PageState::Status(anon(RW)));
        assert_eq!(mem.live_frames(), 0, "mmap must not populate");
        space
            .handle_fault(va + 8192, Access::Write, &NoFiles)
            .unwrap();
        let PageState::Mapped { pa, prop, level: 1 } = space.query(va + 8192) else {
            panic!("not mapped")
        };
        assert!(prop.contains(PageProp::WRITE | PageProp::USER));
        assert_eq!(mem.read_word(pa, 0), 0, "anonymous memory must be zero");
        mem.write_word(pa, 0, 42);

        // fork: COW in both, then a write in the child copies.
        let child = space.fork().unwrap();
        let PageState::Mapped {
            pa: cpa,
            prop: cprop,
            ..
        } = child.query(va + 8192)
        else {
            panic!()
        };
        assert_eq!(cpa, pa);
        assert!(cprop.contains(PageProp::COW) && !cprop.contains(PageProp::WRITE));
        child
            .handle_fault(va + 8192, Access::Write, &NoFiles)
            .unwrap();
        let PageState::Mapped { pa: cpa2, .. } = child.query(va + 8192) else {
            panic!()
        };
        assert_ne!(cpa2, pa);
        assert_eq!(mem.read_word(cpa2, 0), 42);
        mem.write_word(cpa2, 0, 7);
        assert_eq!(mem.read_word(pa, 0), 42);
        // parent is now the only owner: its write fault takes the frame over.
        space
            .handle_fault(va + 8192, Access::Write, &NoFiles)
            .unwrap();
        assert!(matches!(space.query(va + 8192), PageState::Mapped { pa: p, .. } if p == pa));
        drop(child);

        // mprotect and faults.
        space.mprotect(va, 4096 * 4, PageProp::READ).unwrap();
        assert_eq!(
            space.handle_fault(va + 8192, Access::Write, &NoFiles),
            Err(VmError::Fault)
        );
        space.mprotect(va, 4096 * 4, PageProp::empty()).unwrap();
        assert!(matches!(
            space.query(va + 8192),
            PageState::Status(Status::Inaccessible { .. })
        ));
        space.mprotect(va, 4096 * 4, RW).unwrap();
        assert!(matches!(space.query(va + 8192), PageState::Mapped { pa: p, .. } if p == pa));
        assert_eq!(
            space.mprotect(va + (3 << 20), 4096, RW),
            Err(VmError::NoMemory)
        );

        // munmap in the middle of a huge status splits it.
        space.munmap(va + (1 << 20), 4096).unwrap();
        assert_eq!(space.query(va + (1 << 20)), PageState::Invalid);
        assert_eq!(
            space.query(va + (1 << 20) + 4096),
            PageState::Status(anon(RW))
        );
        space.munmap(va, 3 << 20).unwrap();
        assert_eq!(space.query(va + 8192), PageState::Invalid);
        assert_eq!(mem.live_frames(), 0);

        // MAP_FIXED over a populated range replaces it.
        let fixed = 0x4000_0000;
        space.mmap(Some(fixed), 8192, anon(RW)).unwrap();
        space.handle_fault(fixed, Access::Read, &NoFiles).unwrap();
        assert_eq!(mem.live_frames(), 1);
        space.mmap(Some(fixed), 8192, Status::Guard).unwrap();
        assert_eq!(mem.live_frames(), 0);
        assert_eq!(
            space.handle_fault(fixed, Access::Read, &NoFiles),
            Err(VmError::Fault)
        );
    }
    assert_eq!(mem.live_tables(), 0, "{}: page tables leaked", A::NAME);
    assert_eq!(mem.live_frames(), 0, "{}: frames leaked", A::NAME);
}

#[test]
fn lifecycle_x86_64() {
    lifecycle::<X86_64>();
}

#[test]
fn lifecycle_sv39() {
    lifecycle::<Sv39>();
}

#[test]
fn lifecycle_sv48() {
    lifecycle::<Sv48>();
}

#[test]
fn bad_arguments_are_rejected() {
    let mem = SimPlatform::<X86_64>::new(64);
    let space = VmSpace::new(mem).unwrap();
    assert_eq!(
        space.mmap(None, 0, Status::Guard),
        Err(VmError::InvalidArgument)
    );
    assert_eq!(
        space.mmap(Some(0x1001), 4096, Status::Guard),
        Err(VmError::InvalidArgument)
    );
    assert_eq!(
        space.mmap(Some(space.user_end()), 4096, Status::Guard),
        Err(VmError::NoMemory)
    );
    assert_eq!(space.munmap(0x1001, 4096), Err(VmError::InvalidArgument));
    assert_eq!(
        space.handle_fault(space.user_end() + 5, Access::Read, &NoFiles),
        Err(VmError::Fault)
    );
    assert_eq!(
        space.handle_fault(0x5000, Access::Read, &NoFiles),
        Err(VmError::Fault)
    );
}

/// Non-fixed mmap finds room when a `MAP_FIXED` mapping covers the start of the mmap area, and
/// in a forked child, whose copied mappings cover the same area.
fn mmap_finds_room<A: PagingArch>() {
    let mem = SimPlatform::<A>::new(256);
    {
        let space = VmSpace::new(mem.clone()).unwrap();
        // The base of non-fixed mmaps is the middle of the user half.
        let base = space.user_end() / 2;
        space.mmap(Some(base), 1 << 30, anon(RW)).unwrap();
        let va = space.mmap(None, 4096, anon(RW)).unwrap();
        assert!(
            va >= base + (1 << 30),
            "{}: {va:#x} inside the fixed mapping",
            A::NAME
        );
        let big = space.mmap(None, 64 * 4096, anon(RW)).unwrap();
        let child = space.fork().unwrap();
        let cva = child.mmap(None, 4096, Status::Guard).unwrap();
        assert!(
            !(big..big + 64 * 4096).contains(&cva) && cva != va,
            "{}: the child's mmap landed on a mapping it inherited",
            A::NAME
        );
    }
    assert_eq!((mem.live_tables(), mem.live_frames()), (0, 0));
}

#[test]
fn mmap_finds_room_x86_64() {
    mmap_finds_room::<X86_64>();
}

#[test]
fn mmap_finds_room_sv39() {
    mmap_finds_room::<Sv39>();
}

/// `map_physical` refuses a mapping without access: no format has such a leaf (on RISC-V the
/// entry would point to a next-level table, so walkers would read the mapped memory as one).
fn map_physical_needs_access<A: PagingArch>() {
    let mem = SimPlatform::<A>::new(64);
    let space = VmSpace::new_untracked(mem.clone()).unwrap();
    let (va, size) = (1 << 30, 2 << 20);
    {
        let mut cursor = space.lock(va..va + size).unwrap();
        assert_eq!(
            cursor.map_physical(va, 0x8000_0000, size, PageProp::USER),
            Err(VmError::InvalidArgument)
        );
        cursor
            .map_physical(va, 0x8000_0000, size, PageProp::READ)
            .unwrap();
    }
    assert!(matches!(
        space.query(va + 4096),
        PageState::Mapped {
            pa: 0x8000_1000,
            level: 2,
            ..
        }
    ));
    drop(space);
    assert_eq!(mem.live_tables(), 0);
}

#[test]
fn map_physical_needs_access_x86_64() {
    map_physical_needs_access::<X86_64>();
}

#[test]
fn map_physical_needs_access_sv39() {
    map_physical_needs_access::<Sv39>();
}

/// munmap frees the page-table pages it empties, level by level up to the root, also when the
/// range lay inside one last-level table (whose parent the unmap itself did not lock); a
/// page-table page that still holds something stays.
fn munmap_frees_emptied_tables<A: PagingArch>() {
    let mem = SimPlatform::<A>::new(64);
    {
        let space = VmSpace::new(mem.clone()).unwrap();
        let settle = || {
            // Retired pages are freed after a grace period, as later transactions end.
            for _ in 0..4 {
                space.query(0);
            }
        };
        let a = space.mmap(None, 4 * 4096, anon(RW)).unwrap();
        let b = space.mmap(None, 4 * 4096, anon(RW)).unwrap();
        space.handle_fault(a, Access::Write, &NoFiles).unwrap();
        settle();
        let populated = mem.live_tables();
        assert!(populated > 1, "{}: no page tables", A::NAME);
        // `b` still lives in the same last-level table: nothing is freed.
        space.munmap(a, 4 * 4096).unwrap();
        settle();
        assert_eq!(mem.live_tables(), populated, "{}", A::NAME);
        assert_eq!(mem.live_frames(), 0, "{}", A::NAME);
        assert_eq!(space.query(b), PageState::Status(anon(RW)), "{}", A::NAME);
        // Now the table is empty, and so is every table above it but the root.
        space.munmap(b, 4 * 4096).unwrap();
        settle();
        assert_eq!(
            mem.live_tables(),
            1,
            "{}: emptied page tables kept",
            A::NAME
        );
    }
    assert_eq!((mem.live_tables(), mem.live_frames()), (0, 0));
}

#[test]
fn munmap_frees_emptied_tables_x86_64() {
    munmap_frees_emptied_tables::<X86_64>();
}

#[test]
fn munmap_frees_emptied_tables_sv39() {
    munmap_frees_emptied_tables::<Sv39>();
}

/// A CPU starts a transaction at the last-level table it last worked in only while that table
/// cannot have been freed: after munmap frees it (and its frame comes back as another table),
/// mmap and faults in the same range find their way from the root again. (The simulated memory
/// panics on locking a freed table.)
fn remembered_leaf_table_is_not_reused<A: PagingArch>() {
    let mem = SimPlatform::<A>::new(64);
    let space = VmSpace::new(mem.clone()).unwrap();
    let a = space.mmap(None, 4 * 4096, anon(RW)).unwrap();
    space.handle_fault(a, Access::Write, &NoFiles).unwrap();
    space.munmap(a, 4 * 4096).unwrap();
    for _ in 0..4 {
        space.query(0); // grace periods pass: the emptied tables are freed
    }
    let tables = mem.live_tables();
    // Elsewhere, new page tables take the freed frames.
    let far = space.mmap(Some(a + (1 << 30)), 4096, anon(RW)).unwrap();
    assert!(mem.live_tables() > tables, "{}", A::NAME);
    // Back in the first range: a fault there must not use the remembered (freed) table.
    assert_eq!(
        space.handle_fault(a, Access::Write, &NoFiles),
        Err(vm_corten::VmError::Fault),
        "{}",
        A::NAME
    );
    space.handle_fault(far, Access::Write, &NoFiles).unwrap();
    let b = space.mmap(Some(a), 4 * 4096, anon(RW)).unwrap();
    space
        .handle_fault(b + 4096, Access::Write, &NoFiles)
        .unwrap();
    assert!(matches!(space.query(b + 4096), PageState::Mapped { .. }));
    assert!(
        matches!(space.query(far), PageState::Mapped { .. }),
        "{}",
        A::NAME
    );
}

#[test]
fn remembered_leaf_table_is_not_reused_x86_64() {
    remembered_leaf_table_is_not_reused::<X86_64>();
}

#[test]
fn remembered_leaf_table_is_not_reused_sv39() {
    remembered_leaf_table_is_not_reused::<Sv39>();
}

/// A non-fixed mmap whose picked range turns out partly taken (by a `MAP_FIXED` mapping) leaves
/// the free part of it as it was and maps elsewhere.
fn mmap_skips_a_taken_range<A: PagingArch>() {
    let mem = SimPlatform::<A>::new(64);
    let space = VmSpace::new(mem.clone()).unwrap();
    let a = space.mmap(None, 4 * 4096, anon(RW)).unwrap();
    // The next range the arena hands out is `a + 4 pages`; take its third page.
    let next = a + 4 * 4096;
    space
        .mmap(Some(next + 2 * 4096), 4096, Status::Guard)
        .unwrap();
    let b = space.mmap(None, 4 * 4096, anon(RW)).unwrap();
    assert!(b + 4 * 4096 <= next || b >= next + 4 * 4096, "{}", A::NAME);
    for page in [next, next + 4096, next + 3 * 4096] {
        assert_eq!(space.query(page), PageState::Invalid, "{}", A::NAME);
    }
    assert_eq!(
        space.query(next + 2 * 4096),
        PageState::Status(Status::Guard),
        "{}",
        A::NAME
    );
    assert_eq!(space.query(b + 3 * 4096), PageState::Status(anon(RW)));
}

#[test]
fn mmap_skips_a_taken_range_x86_64() {
    mmap_skips_a_taken_range::<X86_64>();
}

#[test]
fn mmap_skips_a_taken_range_sv39() {
    mmap_skips_a_taken_range::<Sv39>();
}

fn regions<A: PagingArch>() {
    let mem = SimPlatform::<A>::new(4096);
    let space = VmSpace::new(mem.clone()).unwrap();
    let a = space.mmap(Some(0x40_0000), 3 * 4096, anon(RW)).unwrap();
    space
        .mmap(Some(a + 3 * 4096), 2 * 4096, anon(PageProp::READ))
        .unwrap();
    space.mmap(Some(a + 8 * 4096), 4096, Status::Guard).unwrap();
    space.handle_fault(a, Access::Write, &NoFiles).unwrap();
    let child = space.fork().unwrap();
    let r = child.regions();
    assert_eq!(r.len(), 2, "{r:?}");
    assert_eq!((r[0].start, r[0].end, r[0].resident), (a, a + 3 * 4096, 1));
    assert_eq!(
        r[0].prop, RW,
        "a copy-on-write page still counts as writable"
    );
    assert_eq!((r[1].start, r[1].end), (a + 3 * 4096, a + 5 * 4096));
    assert_eq!(r[1].prop, PageProp::READ);
}

#[test]
fn regions_merge_and_skip_guards() {
    regions::<X86_64>();
    regions::<Sv39>();
    regions::<Sv48>();
}

/// A kernel space manages the upper half: the linear map with the largest leaves allowed, the
/// kernel image with 4 KiB pages at the top, canonical (sign-extended) addresses throughout;
/// the lower half is refused; dropping it frees every page-table page.
fn kernel_space_maps_the_upper_half<A: PagingArch>() {
    let mem = SimPlatform::<A>::new(64);
    let space = VmSpace::new_kernel(mem.clone()).unwrap();
    let half = space.user_end().wrapping_neg();
    let linear = 4usize << 30;
    let image = 0usize.wrapping_sub(2 << 30);
    let rw = PageProp::READ | PageProp::WRITE | PageProp::GLOBAL;
    let rx = PageProp::READ | PageProp::EXEC | PageProp::GLOBAL;
    {
        let mut cursor = space.lock(half..half + linear).unwrap();
        cursor.map_physical_up_to(half, 0, linear, rw, 2).unwrap();
    }
    {
        let mut cursor = space.lock(image..image + 0x10_0000).unwrap();
        cursor
            .map_physical(image + 0x2000, 0x20_2000, 0x3000, rx)
            .unwrap();
    }
    match space.query(half + (3 << 30) + 0x20_1000) {
        PageState::Mapped { pa, level, prop } => {
            assert_eq!(pa, (3 << 30) + 0x20_1000, "{}", A::NAME);
            assert_eq!(level, 2, "{}: leaves capped at 2 MiB", A::NAME);
            assert_eq!(prop.access(), PageProp::READ | PageProp::WRITE);
            assert!(prop.contains(PageProp::GLOBAL));
        }
        other => panic!("{}: linear map reads {other:?}", A::NAME),
    }
    match space.query(image + 0x4000) {
        PageState::Mapped { pa, level, prop } => {
            assert_eq!((pa, level), (0x20_4000, 1), "{}", A::NAME);
            assert_eq!(prop.access(), PageProp::READ | PageProp::EXEC);
        }
        other => panic!("{}: image reads {other:?}", A::NAME),
    }
    assert_eq!(space.query(image + 0x1000), PageState::Invalid);
    assert_eq!(space.query(image + 0x5000), PageState::Invalid);
    // The entries sit where hardware looks: root slot 256 (the start of the upper half) and
    // the image's slot near the top.
    let root = space.root();
    let image_slot = vm_corten::arch::index_of(image, A::LEVELS);
    assert!(image_slot >= 510, "{}: image in slot {image_slot}", A::NAME);
    assert!(mem.read_word(root, 256) & 1 != 0, "{}: slot 256", A::NAME);
    assert!(
        mem.read_word(root, image_slot) & 1 != 0,
        "{}: image slot",
        A::NAME
    );
    assert!(
        (0..256).all(|i| mem.read_word(root, i) == 0),
        "{}: lower half",
        A::NAME
    );
    assert_eq!(space.lock(0..4096).err(), Some(VmError::InvalidArgument));
    let user = VmSpace::new_untracked(mem.clone()).unwrap();
    assert_eq!(
        user.lock(half..half + 4096).err(),
        Some(VmError::InvalidArgument)
    );
    drop(user);
    drop(space);
    assert_eq!(mem.live_tables(), 0, "{}", A::NAME);
}

#[test]
fn kernel_space_maps_the_upper_half_x86_64() {
    kernel_space_maps_the_upper_half::<X86_64>();
}

#[test]
fn kernel_space_maps_the_upper_half_sv39() {
    kernel_space_maps_the_upper_half::<Sv39>();
}

#[test]
fn kernel_space_maps_the_upper_half_sv48() {
    kernel_space_maps_the_upper_half::<Sv48>();
}
