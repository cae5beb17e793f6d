//! The Linux system-call ABI, for a kernel that wants to run Linux binaries: numbers per
//! architecture, errno, ABI structs, typed decoding and dispatch. No part of it depends on a
//! particular kernel, so any `no_std` kernel can reuse it.
//!
//! - [`Arch`]: x86-64 or riscv64; the kernel passes its own, host tests use both.
//! - [`Sysno`]: every Linux system call by name; [`Sysno::from_number`] and
//!   [`Sysno::number`] map to and from each architecture's table
//!   ([`numbers_x86_64`], [`numbers_generic`]).
//! - [`Errno`] and [`SysResult`]: Linux error numbers and what a call returns.
//! - [`abi`]: the structs user space reads and writes (`stat`, `statx`, `timespec`,
//!   `linux_dirent64`, `sigaction`, `siginfo_t`, `termios`, ...) as zerocopy types with
//!   size assertions per architecture, and the constants and flag sets of each topic.
//! - [`Syscall`]: a call decoded from raw registers into typed arguments
//!   ([`Syscall::decode`]), with legacy x86-64 calls mapped to the calls Linux implements them
//!   with ([`decode`]).
//! - [`SyscallHandler`] and [`dispatch`]: the kernel implements the trait's methods for the
//!   calls it supports (the others return `ENOSYS`), declares them in
//!   [`SyscallHandler::implemented`], and [`implemented_calls`] lists what it serves per
//!   architecture.
//!
//! The crate never dereferences a user pointer: arguments stay [`UserAddr`]s, and the kernel
//! copies through its own checked user-memory access.
//!
//! ```
//! use syscall_linux::{Arch, Errno, SysResult, Sysno, SyscallHandler, UserAddr, dispatch};
//!
//! struct Toy;
//! impl SyscallHandler for Toy {
//!     fn implemented(&self) -> &'static [Sysno] {
//!         &[Sysno::getpid, Sysno::write]
//!     }
//!     fn getpid(&mut self) -> SysResult {
//!         Ok(1)
//!     }
//!     fn write(&mut self, _fd: i32, _buf: UserAddr, count: usize) -> SysResult {
//!         Ok(count)
//!     }
//! }
//!
//! assert_eq!(dispatch(&mut Toy, Arch::X86_64, 39, [0; 6]), 1); // getpid
//! assert_eq!(dispatch(&mut Toy, Arch::Riscv64, 64, [1, 0x1000, 5, 0, 0, 0]), 5); // write
//! assert_eq!(dispatch(&mut Toy, Arch::Riscv64, 57, [3, 0, 0, 0, 0, 0]), Errno::ENOSYS.as_isize());
//! ```

#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod abi;
mod arch;
mod calls;
pub mod decode;
mod dispatch;
mod errno;
pub mod numbers_generic;
pub mod numbers_x86_64;
mod sysno;
mod user;

pub use arch::Arch;
pub use calls::{Syscall, SyscallHandler};
pub use dispatch::{dispatch, dispatch_result, implemented_calls, served_by};
pub use errno::{Errno, SysResult, encode_result};
pub use sysno::Sysno;
pub use user::UserAddr;
