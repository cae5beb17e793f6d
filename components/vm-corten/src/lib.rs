//! CortenMM for the framekernel: address spaces with no VMA tree, where the page table is the
//! single source of truth and every change is a transaction over a locked virtual range.
//!
//! - [`arch`]: page-table formats ([`X86_64`], [`Sv39`], [`Sv48`]), with huge leaves.
//! - [`Status`]: what an unmapped range *is* (reserved anonymous, file-backed, guard, ...),
//!   kept in the non-present entries of the page table itself, at whatever level covers the
//!   range, and split lazily.
//! - [`Cursor`]: a transaction: exclusive access to a locked range, with query, find-next,
//!   map, unmap, mark and protect; the locking protocol is documented on the [`cursor`] module.
//! - [`VmSpace`]: an address space and the operations services need: mmap, munmap, mprotect,
//!   page-fault resolution (zero fill, copy-on-write, file-backed) and fork. Each CPU keeps, in
//!   state it owns through its RCU reader slot, an mmap arena and the last-level table it last
//!   worked in, where the common first touch and fresh mmap run as a leaf transaction: no
//!   descent, and instead of the table's lock, a biased registration in the CPU's RCU slot
//!   that threads taking the lock wait for (one locked instruction in all).
//! - [`Platform`]: what the kernel provides: page-table and data frames, entry access, TLB
//!   flushes. The crate does not depend on `frame`; the host tests use a simulated memory
//!   ([`sim`], feature `sim`).

#![no_std]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(missing_docs)]

extern crate alloc;
#[cfg(any(test, feature = "sim"))]
extern crate std;

pub mod arch;
pub mod cursor;
mod leaf;
mod percpu;
mod platform;
mod pte;
mod rcu;
mod regions;
#[cfg(any(test, feature = "sim"))]
pub mod sim;
mod space;
pub mod sync;

pub use arch::{PagingArch, Sv39, Sv48, X86_64};
pub use cursor::Cursor;
pub use platform::{FileBacking, NoFiles, Platform, PtMeta};
pub use pte::{MAX_FILE_PAGE, MAX_OBJECT, PageProp, PageState, Status};
pub use regions::Region;
pub use space::{Access, VmSpace};

/// A physical address.
pub type PAddr = usize;
/// A virtual address.
pub type Vaddr = usize;
/// Size of a base page.
pub const PAGE_SIZE: usize = 4096;

/// Why an address-space operation failed. Services map these to errnos.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VmError {
    /// Misaligned, empty or out-of-range arguments (`EINVAL`).
    InvalidArgument,
    /// Out of memory or of address space, or a range with unmapped holes (`ENOMEM`).
    NoMemory,
    /// The access is not allowed or nothing is there (`SIGSEGV` / `EFAULT`).
    Fault,
}
