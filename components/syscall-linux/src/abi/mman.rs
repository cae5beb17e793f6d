//! Memory mappings: mmap(2) protections and flags, mremap(2) and msync(2) flags, madvise(2)
//! advice.
//!
//! Values from `include/uapi/asm-generic/mman-common.h` and `mman.h`, which x86-64 and riscv64
//! share (x86-64 adds `MAP_32BIT`).

use bitflags::bitflags;

/// `PROT_NONE`: no access (not a flag bit).
pub const PROT_NONE: u32 = 0;

bitflags! {
    /// mmap(2) / mprotect(2) `prot`.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
    pub struct MmapProt: u32 {
        /// `PROT_READ`.
        const READ = 0x1;
        /// `PROT_WRITE`.
        const WRITE = 0x2;
        /// `PROT_EXEC`.
        const EXEC = 0x4;
        /// `PROT_SEM`.
        const SEM = 0x8;
        /// `PROT_GROWSDOWN` (mprotect only).
        const GROWSDOWN = 0x0100_0000;
        /// `PROT_GROWSUP` (mprotect only).
        const GROWSUP = 0x0200_0000;
    }
}

/// `MAP_TYPE`: the mask of the sharing type in mmap flags.
pub const MAP_TYPE: u32 = 0x0f;

bitflags! {
    /// mmap(2) `flags`. The sharing type is the low four bits ([`MAP_TYPE`]): exactly one of
    /// `SHARED`, `PRIVATE` or `SHARED_VALIDATE` (else `EINVAL`).
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
    pub struct MmapFlags: u32 {
        /// `MAP_SHARED`.
        const SHARED = 0x01;
        /// `MAP_PRIVATE`.
        const PRIVATE = 0x02;
        /// `MAP_SHARED_VALIDATE`: shared, and unknown flags are `EOPNOTSUPP`.
        const SHARED_VALIDATE = 0x03;
        /// `MAP_FIXED`: place exactly at `addr`, replacing what is there.
        const FIXED = 0x10;
        /// `MAP_ANONYMOUS`: not backed by a file.
        const ANONYMOUS = 0x20;
        /// `MAP_32BIT` (x86-64 only): in the low 2 GiB.
        const MAP_32BIT = 0x40;
        /// `MAP_GROWSDOWN`.
        const GROWSDOWN = 0x0100;
        /// `MAP_DENYWRITE` (ignored).
        const DENYWRITE = 0x0800;
        /// `MAP_EXECUTABLE` (ignored).
        const EXECUTABLE = 0x1000;
        /// `MAP_LOCKED`.
        const LOCKED = 0x2000;
        /// `MAP_NORESERVE`.
        const NORESERVE = 0x4000;
        /// `MAP_POPULATE`: prefault.
        const POPULATE = 0x8000;
        /// `MAP_NONBLOCK`.
        const NONBLOCK = 0x1_0000;
        /// `MAP_STACK`.
        const STACK = 0x2_0000;
        /// `MAP_HUGETLB`.
        const HUGETLB = 0x4_0000;
        /// `MAP_SYNC`.
        const SYNC = 0x8_0000;
        /// `MAP_FIXED_NOREPLACE`: like `MAP_FIXED` but `EEXIST` if occupied.
        const FIXED_NOREPLACE = 0x10_0000;
        /// `MAP_UNINITIALIZED`.
        const UNINITIALIZED = 0x400_0000;
    }
}

impl MmapFlags {
    /// The sharing type bits (`flags & MAP_TYPE`).
    pub const fn map_type(self) -> u32 {
        self.bits() & MAP_TYPE
    }
}

bitflags! {
    /// mremap(2) flags.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
    pub struct MremapFlags: u32 {
        /// `MREMAP_MAYMOVE`.
        const MAYMOVE = 1;
        /// `MREMAP_FIXED`.
        const FIXED = 2;
        /// `MREMAP_DONTUNMAP`.
        const DONTUNMAP = 4;
    }
}

/// msync(2): schedule the write-back.
pub const MS_ASYNC: u32 = 1;
/// msync(2): invalidate other mappings.
pub const MS_INVALIDATE: u32 = 2;
/// msync(2): write back and wait.
pub const MS_SYNC: u32 = 4;

/// madvise(2): no special treatment.
pub const MADV_NORMAL: i32 = 0;
/// Expect random access.
pub const MADV_RANDOM: i32 = 1;
/// Expect sequential access.
pub const MADV_SEQUENTIAL: i32 = 2;
/// Will need these pages.
pub const MADV_WILLNEED: i32 = 3;
/// Do not need these pages: private anonymous ones read back as zero.
pub const MADV_DONTNEED: i32 = 4;
/// Free pages lazily.
pub const MADV_FREE: i32 = 8;
/// Remove pages and their backing store.
pub const MADV_REMOVE: i32 = 9;
/// Do not inherit across fork.
pub const MADV_DONTFORK: i32 = 10;
/// Undo `MADV_DONTFORK`.
pub const MADV_DOFORK: i32 = 11;
/// Candidate for same-page merging.
pub const MADV_MERGEABLE: i32 = 12;
/// Undo `MADV_MERGEABLE`.
pub const MADV_UNMERGEABLE: i32 = 13;
/// Candidate for transparent huge pages.
pub const MADV_HUGEPAGE: i32 = 14;
/// Not a candidate for transparent huge pages.
pub const MADV_NOHUGEPAGE: i32 = 15;
/// Exclude from core dumps.
pub const MADV_DONTDUMP: i32 = 16;
/// Undo `MADV_DONTDUMP`.
pub const MADV_DODUMP: i32 = 17;
/// Zero the range in the child after fork.
pub const MADV_WIPEONFORK: i32 = 18;
/// Undo `MADV_WIPEONFORK`.
pub const MADV_KEEPONFORK: i32 = 19;
