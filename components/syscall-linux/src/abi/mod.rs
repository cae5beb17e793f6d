//! The Linux ABI types and constants a system-call layer needs, one module per topic.
//!
//! Structs are `#[repr(C)]` with explicit padding fields, derive zerocopy's `FromBytes`,
//! `IntoBytes`, `Immutable` and `KnownLayout` (so a kernel copies them to and from user memory
//! without `unsafe`), and carry compile-time size assertions against the kernel's layout.
//! Where the two architectures lay a struct out differently ([`stat`], [`signal`]'s
//! `sigaction`, [`poll`]'s `epoll_event`), there is one struct per layout and an
//! arch-independent type that converts to and from both.
//!
//! Field types are fixed-width (`unsigned long` is `u64`, `long` is `i64`): both supported
//! architectures are LP64 and little-endian, and fixed widths keep host tests exact.

pub mod auxv;
pub mod dirent;
pub mod fcntl;
pub mod futex;
pub mod ioctl;
pub mod mman;
pub mod mount;
pub mod poll;
pub mod prctl;
pub mod random;
pub mod reboot;
pub mod resource;
pub mod sched;
pub mod siginfo;
pub mod signal;
pub mod stat;
pub mod statfs;
pub mod sysinfo;
pub mod termios;
pub mod time;
pub mod uio;
pub mod utsname;
pub mod wait;
