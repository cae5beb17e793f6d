//! The regions of an address space, for `/proc/<pid>/maps` and memory statistics.
//!
//! There is no VMA list to read: the walk locks the whole user range (one transaction, so the
//! picture is consistent) and visits every page that is not invalid, merging neighbours with
//! the same access rights into one [`Region`]. Guard pages belong to no region.

use alloc::vec::Vec;

use crate::pte::{PageProp, PageState, Status};
use crate::{PAGE_SIZE, Platform, Vaddr, VmSpace};

/// A run of pages with the same access rights.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Region {
    /// First address.
    pub start: Vaddr,
    /// Address after the last.
    pub end: Vaddr,
    /// Access rights as the program sees them (`READ`, `WRITE`, `EXEC`, `SHARED`): a
    /// copy-on-write page counts as writable.
    pub prop: PageProp,
    /// Pages that have a frame.
    pub resident: usize,
}

/// The rights a page has, and whether a frame backs it; `None` for pages in no region.
fn page_rights(state: PageState) -> Option<(PageProp, bool)> {
    let rights = PageProp::READ | PageProp::WRITE | PageProp::EXEC | PageProp::SHARED;
    match state {
        PageState::Invalid | PageState::Status(Status::Guard) => None,
        PageState::Mapped { prop, .. } => {
            let mut logical = prop;
            if prop.contains(PageProp::COW) {
                logical.insert(PageProp::WRITE);
            }
            Some((logical & rights, true))
        }
        PageState::Status(Status::Anonymous { prop } | Status::File { prop, .. }) => {
            Some((prop & rights, false))
        }
        PageState::Status(Status::Inaccessible { .. }) => Some((PageProp::empty(), true)),
    }
}

impl<P: Platform> VmSpace<P> {
    /// The regions of the user half, in address order.
    pub fn regions(&self) -> Vec<Region> {
        let mut out: Vec<Region> = Vec::new();
        let Ok(cursor) = self.lock(0..self.user_end()) else {
            return out;
        };
        let mut from = 0;
        while let Some((va, state)) = cursor.find_next(from) {
            from = va + PAGE_SIZE;
            let Some((prop, resident)) = page_rights(state) else {
                continue;
            };
            match out.last_mut() {
                Some(last) if last.end == va && last.prop == prop => {
                    last.end = va + PAGE_SIZE;
                    last.resident += usize::from(resident);
                }
                _ => out.push(Region {
                    start: va,
                    end: va + PAGE_SIZE,
                    prop,
                    resident: usize::from(resident),
                }),
            }
        }
        out
    }
}
