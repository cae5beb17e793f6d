//! What a page-table entry says about the pages it covers.
//!
//! A present entry is a next-level table or a leaf mapping, in the format of the
//! [`PagingArch`]. A non-present entry (bit 0 clear) is ignored by the hardware on every format
//! here, so its other bits hold the software [`Status`] of the whole range the entry covers: this
//! is where CortenMM keeps what a VMA tree would (reserved anonymous memory, file-backed ranges,
//! guards), with no separate structure. Layout of a non-present entry:
//!
//! | bits | meaning |
//! | --- | --- |
//! | 0 | 0 (not present) |
//! | 1..4 | kind: 0 invalid (the whole entry is 0), 1 anonymous, 2 file, 3 guard, 4 inaccessible |
//! | 4..11 | [`PageProp`] bits |
//! | 11..30 | file object id (19 bits) |
//! | 30..64 | file page offset (34 bits), or for `inaccessible` bits 11..55 hold the frame number |
//!
//! Bulk changes ([`Fill`]) compute each entry's raw value directly from the first one: a file
//! status's page offset is the top field, so the status of the page `n` pages further is the
//! first entry plus `n << 30`.

use bitflags::bitflags;

use crate::PAddr;
use crate::arch::{PagingArch, Present};

bitflags! {
    /// Properties of a mapping (and the permissions a status grants once populated).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct PageProp: u8 {
        /// Readable.
        const READ = 1 << 0;
        /// Writable.
        const WRITE = 1 << 1;
        /// Executable.
        const EXEC = 1 << 2;
        /// Accessible from user mode.
        const USER = 1 << 3;
        /// Global (not flushed on address-space switch).
        const GLOBAL = 1 << 4;
        /// Copy-on-write: mapped read-only, logically writable; a write fault copies the frame
        /// (or takes it over when this is the only mapping).
        const COW = 1 << 5;
        /// Shared (`MAP_SHARED`): fork shares the frame instead of making it copy-on-write,
        /// and a file page is mapped itself rather than copied.
        const SHARED = 1 << 6;
    }
}

impl PageProp {
    /// Only the access permissions (read, write, execute).
    #[inline]
    pub fn access(self) -> PageProp {
        self & (PageProp::READ | PageProp::WRITE | PageProp::EXEC)
    }
}

/// The software state of a range that has no mapping.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    /// Reserved anonymous memory: a zero-filled frame is mapped on first touch with `prop`.
    Anonymous {
        /// Properties of the mapping made on first touch.
        prop: PageProp,
    },
    /// File-backed: on first touch, page `page` of file object `object` is mapped (with
    /// [`PageProp::SHARED`]) or mapped copy-on-write (private).
    File {
        /// Object id (19 bits), meaningful to the [`FileBacking`](crate::FileBacking).
        object: u32,
        /// Page offset in the object of the first page of the range (34 bits).
        page: u64,
        /// Properties of the mapping made on first touch.
        prop: PageProp,
    },
    /// A guard: any access faults; never populated.
    Guard,
    /// A mapped frame whose access permissions are currently none (`PROT_NONE`); `cow` is kept
    /// so that restoring permissions restores copy-on-write. Only at the last level.
    Inaccessible {
        /// The frame.
        pa: PAddr,
        /// Whether the mapping is copy-on-write.
        cow: bool,
        /// Whether the mapping is user-accessible once permissions return.
        user: bool,
    },
}

/// Largest file object id.
pub const MAX_OBJECT: u32 = (1 << 19) - 1;
/// Largest file page offset.
pub const MAX_FILE_PAGE: u64 = (1 << 34) - 1;
/// Where the file page offset starts in a non-present entry.
const FILE_PAGE_SHIFT: u32 = 30;

impl Status {
    /// Encodes the status as a non-present entry.
    #[inline(always)]
    pub(crate) fn encode(self) -> u64 {
        match self {
            Status::Anonymous { prop } => (1 << 1) | (u64::from(prop.bits()) << 4),
            Status::File { object, page, prop } => {
                debug_assert!(object <= MAX_OBJECT && page <= MAX_FILE_PAGE);
                (2 << 1)
                    | (u64::from(prop.bits()) << 4)
                    | (u64::from(object) << 11)
                    | (page << FILE_PAGE_SHIFT)
            }
            Status::Guard => 3 << 1,
            Status::Inaccessible { pa, cow, user } => {
                let mut prop = PageProp::empty();
                prop.set(PageProp::COW, cow);
                prop.set(PageProp::USER, user);
                (4 << 1) | (u64::from(prop.bits()) << 4) | (((pa as u64) >> 12) << 11)
            }
        }
    }

    /// Decodes a non-present, non-zero entry.
    #[inline]
    pub(crate) fn decode(raw: u64) -> Option<Status> {
        let prop = PageProp::from_bits_truncate((raw >> 4) as u8 & 0x7f);
        Some(match (raw >> 1) & 7 {
            1 => Status::Anonymous { prop },
            2 => Status::File {
                object: ((raw >> 11) & MAX_OBJECT as u64) as u32,
                page: raw >> FILE_PAGE_SHIFT,
                prop,
            },
            3 => Status::Guard,
            4 => Status::Inaccessible {
                pa: (((raw >> 11) & ((1 << 44) - 1)) << 12) as PAddr,
                cow: prop.contains(PageProp::COW),
                user: prop.contains(PageProp::USER),
            },
            _ => return None,
        })
    }
}

/// What a bulk change writes: the raw entry for a page `n` pages into the changed range is
/// `raw + n * step` (`step` is non-zero only for file statuses, whose offset advances).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Fill {
    raw: u64,
    step: u64,
}

impl Fill {
    /// Clears entries (unmap).
    pub(crate) const INVALID: Fill = Fill { raw: 0, step: 0 };

    /// Sets `status`, the status of the first page of the range.
    #[inline(always)]
    pub(crate) fn status(status: Status) -> Fill {
        let step = match status {
            Status::File { .. } => 1 << FILE_PAGE_SHIFT,
            _ => 0,
        };
        Fill {
            raw: status.encode(),
            step,
        }
    }

    /// The raw entry whose first page lies `pages` pages into the range.
    #[inline]
    pub(crate) fn at(self, pages: usize) -> u64 {
        self.raw
            .wrapping_add((pages as u64).wrapping_mul(self.step))
    }

    /// Whether every entry this fill writes is `raw` (so an entry that is `raw` already, at
    /// any level, needs no change).
    #[inline]
    pub(crate) fn is_uniform(self, raw: u64) -> bool {
        self.step == 0 && self.raw == raw
    }
}

/// The next-level table a raw entry at `level` points to, if it is one.
#[inline]
pub(crate) fn table_of<A: PagingArch>(raw: u64, level: u8) -> Option<PAddr> {
    if raw & 1 == 0 || level == 1 {
        return None;
    }
    match A::decode_present(raw, level) {
        Present::Table(pa) => Some(pa),
        Present::Leaf(..) => None,
    }
}

/// Whether a raw entry is present (a table or a mapping the MMU may have cached).
#[inline]
pub(crate) fn is_present(raw: u64) -> bool {
    raw & 1 != 0
}

/// Whether overwriting a raw entry must release something: a table, a frame (present, or
/// [`Status::Inaccessible`]). Other statuses and invalid entries hold nothing.
#[inline]
pub(crate) fn holds_memory(raw: u64) -> bool {
    is_present(raw) || (raw >> 1) & 7 == 4
}

/// A decoded entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Entry {
    /// Nothing: no mapping, no status.
    Invalid,
    /// A next-level table.
    Table(PAddr),
    /// A leaf mapping.
    Leaf(PAddr, PageProp),
    /// A status covering the entry's range.
    Status(Status),
}

impl Entry {
    /// Decodes `raw` found at `level`.
    #[inline]
    pub(crate) fn decode<A: PagingArch>(raw: u64, level: u8) -> Entry {
        if raw & 1 != 0 {
            return match A::decode_present(raw, level) {
                Present::Table(pa) if level > 1 => Entry::Table(pa),
                Present::Table(pa) => Entry::Leaf(pa, PageProp::empty()),
                Present::Leaf(pa, prop) => Entry::Leaf(pa, prop),
            };
        }
        match Status::decode(raw) {
            Some(status) => Entry::Status(status),
            None => Entry::Invalid,
        }
    }

    /// Encodes this entry for `level`.
    #[inline]
    pub(crate) fn encode<A: PagingArch>(self, level: u8) -> u64 {
        match self {
            Entry::Invalid => 0,
            Entry::Table(pa) => A::table_entry(pa),
            Entry::Leaf(pa, prop) => A::leaf_entry(pa, prop, level),
            Entry::Status(status) => status.encode(),
        }
    }
}

/// What a virtual page is, as seen by a query.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PageState {
    /// Nothing there.
    Invalid,
    /// Mapped to the 4 KiB frame at `pa` (for a huge leaf, the frame inside it that holds this
    /// page) with `prop`, by a leaf at `level`.
    Mapped {
        /// Physical address of the page.
        pa: PAddr,
        /// Properties.
        prop: PageProp,
        /// Level of the leaf (1 = 4 KiB).
        level: u8,
    },
    /// Not mapped but has a status (for `File`, `page` is this page's offset).
    Status(Status),
}
