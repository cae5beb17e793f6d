//! VFS core, ramfs/tmpfs, devfs, procfs, pipes, newc cpio unpacking.
//!
//! A Linux-compatible virtual file system for a kernel, with no dependency on the kernel itself:
//! the kernel lends a clock, randomness and wake-ups through [`VfsHooks`], process facts through
//! [`procfs::ProcSource`], and device drivers as [`Inode`]s added to the [`devfs::DevFs`].
//!
//! * [`Inode`]: the trait every file system implements (`Arc<dyn Inode>`);
//! * [`Vfs`]: mounts, path resolution ([`Vfs::resolve`], [`Vfs::resolve_parent`]), open(2)
//!   ([`Vfs::open`]) and the path system calls (mkdir, unlink, rename, link, symlink, chmod, ...),
//!   each taking the caller's [`FsContext`] (root, working directory, credentials, umask);
//! * [`File`]: an open file description (offset, flags, read/write/seek/getdents);
//! * [`ramfs::RamFs`] (also the tmpfs), [`devfs::DevFs`], [`procfs::ProcFs`];
//! * [`pipe()`] and FIFOs ([`Pipe`]);
//! * [`cpio::unpack_newc`] for the initramfs.
//!
//! A typical boot:
//!
//! ```
//! # use std::sync::Arc;
//! use vfs::{FsContext, MountFlags, RamFs, Vfs, VfsHooks, SimpleHooks, devfs::DevFs};
//! let hooks: Arc<dyn VfsHooks> = Arc::new(SimpleHooks::default());
//! let rootfs = RamFs::new(hooks.clone());
//! let vfs = Vfs::new(rootfs.root(), "rootfs", hooks.clone());
//! let ctx = FsContext::new(&vfs);
//! // vfs::cpio::unpack_newc(&vfs, &ctx, initramfs_bytes)?;
//! vfs.mkdir(&ctx, "/dev", 0o755).unwrap();
//! let devfs = DevFs::new(hooks.clone());
//! vfs.mount(&ctx, "/dev", devfs.root(), "devtmpfs", "devtmpfs", MountFlags::empty()).unwrap();
//! vfs.set_device_registry(devfs);
//! ```
//!
//! Blocking is the kernel's business: an operation that would block returns [`Error::EAGAIN`],
//! and the kernel waits (see [`poll`]) and retries unless the file is non-blocking.

#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;

#[cfg(test)]
extern crate std;

pub mod cpio;
mod dentry;
pub mod devfs;
mod error;
mod file;
mod flags;
mod hooks;
mod inode;
mod mount;
mod open;
mod ops;
pub mod path;
mod perm;
pub mod pipe;
pub mod poll;
pub mod procfs;
pub mod ramfs;
mod resolve;
mod types;
mod vfs;

pub use dentry::Dentry;
pub use error::{Error, Result};
pub use file::{File, pipe};
pub use flags::{OpenFlags, Whence};
pub use hooks::{SimpleHooks, VfsHooks};
pub use inode::{CreateAttrs, Inode, alloc_anon_dev, downcast_inode, same_inode};
pub use mount::{Mount, MountFlags};
pub use ops::{RenameFlags, SetTime};
pub use path::LastKind;
pub use perm::{Access, Cred, check_access, check_delete};
pub use pipe::{Pipe, PipeEnd};
pub use poll::PollEvents;
pub use ramfs::RamFs;
pub use resolve::Parent;
pub use types::{DirEntry, FileType, Metadata, Timespec, major, makedev, minor, mode};
pub use vfs::{DeviceRegistry, FsContext, Vfs};
