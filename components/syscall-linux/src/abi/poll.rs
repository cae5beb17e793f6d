//! Waiting for file descriptors: `struct pollfd`, poll events, `fd_set`, and
//! `struct epoll_event` (packed on x86-64, padded elsewhere).
//!
//! See poll(2), select(2), epoll_ctl(2), `include/uapi/asm-generic/poll.h`,
//! `include/uapi/linux/eventpoll.h` (`EPOLL_PACKED` is `__attribute__((packed))` on x86-64
//! only), `include/uapi/linux/posix_types.h`.

use crate::Arch;
use bitflags::bitflags;
use static_assertions::const_assert_eq;
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

bitflags! {
    /// `events` / `revents` of `struct pollfd`.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
    pub struct PollEvents: u16 {
        /// `POLLIN`: data to read.
        const IN = 0x0001;
        /// `POLLPRI`: urgent data.
        const PRI = 0x0002;
        /// `POLLOUT`: writing will not block.
        const OUT = 0x0004;
        /// `POLLERR`: error (always reported).
        const ERR = 0x0008;
        /// `POLLHUP`: hang up (always reported).
        const HUP = 0x0010;
        /// `POLLNVAL`: fd not open (always reported).
        const NVAL = 0x0020;
        /// `POLLRDNORM`.
        const RDNORM = 0x0040;
        /// `POLLRDBAND`.
        const RDBAND = 0x0080;
        /// `POLLWRNORM`.
        const WRNORM = 0x0100;
        /// `POLLWRBAND`.
        const WRBAND = 0x0200;
        /// `POLLMSG`.
        const MSG = 0x0400;
        /// `POLLRDHUP`: peer closed its writing end.
        const RDHUP = 0x2000;
    }
}

/// `struct pollfd`.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout,
)]
#[repr(C)]
pub struct PollFd {
    /// File descriptor; negative entries are skipped (`revents` 0).
    pub fd: i32,
    /// Requested events ([`PollEvents`]).
    pub events: i16,
    /// Returned events.
    pub revents: i16,
}
const_assert_eq!(size_of::<PollFd>(), 8);

/// Descriptors an `fd_set` holds (`FD_SETSIZE`).
pub const FD_SETSIZE: usize = 1024;

/// `fd_set` for select(2): bit `fd % 64` of word `fd / 64`. select reads and writes only
/// `ceil(nfds / 64)` words of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
pub struct FdSet {
    /// The bits.
    pub fds_bits: [u64; FD_SETSIZE / 64],
}
const_assert_eq!(size_of::<FdSet>(), 128);

impl Default for FdSet {
    fn default() -> Self {
        FdSet {
            fds_bits: [0; FD_SETSIZE / 64],
        }
    }
}

impl FdSet {
    /// Whether `fd` is in the set (false when out of range).
    pub fn contains(&self, fd: usize) -> bool {
        fd < FD_SETSIZE && self.fds_bits[fd / 64] & (1 << (fd % 64)) != 0
    }

    /// Adds `fd` (ignored when out of range).
    pub fn insert(&mut self, fd: usize) {
        if fd < FD_SETSIZE {
            self.fds_bits[fd / 64] |= 1 << (fd % 64);
        }
    }

    /// Removes `fd`.
    pub fn remove(&mut self, fd: usize) {
        if fd < FD_SETSIZE {
            self.fds_bits[fd / 64] &= !(1 << (fd % 64));
        }
    }

    /// The number of bytes select(2) copies for `nfds` descriptors.
    pub const fn bytes_for(nfds: usize) -> usize {
        nfds.div_ceil(64) * 8
    }
}

bitflags! {
    /// `events` of `struct epoll_event`.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
    pub struct EpollEvents: u32 {
        /// `EPOLLIN`.
        const IN = 0x0000_0001;
        /// `EPOLLPRI`.
        const PRI = 0x0000_0002;
        /// `EPOLLOUT`.
        const OUT = 0x0000_0004;
        /// `EPOLLERR`.
        const ERR = 0x0000_0008;
        /// `EPOLLHUP`.
        const HUP = 0x0000_0010;
        /// `EPOLLNVAL`.
        const NVAL = 0x0000_0020;
        /// `EPOLLRDNORM`.
        const RDNORM = 0x0000_0040;
        /// `EPOLLRDBAND`.
        const RDBAND = 0x0000_0080;
        /// `EPOLLWRNORM`.
        const WRNORM = 0x0000_0100;
        /// `EPOLLWRBAND`.
        const WRBAND = 0x0000_0200;
        /// `EPOLLMSG`.
        const MSG = 0x0000_0400;
        /// `EPOLLRDHUP`.
        const RDHUP = 0x0000_2000;
        /// `EPOLLEXCLUSIVE`.
        const EXCLUSIVE = 1 << 28;
        /// `EPOLLWAKEUP`.
        const WAKEUP = 1 << 29;
        /// `EPOLLONESHOT`.
        const ONESHOT = 1 << 30;
        /// `EPOLLET`: edge-triggered.
        const ET = 1 << 31;
    }
}

/// epoll_ctl(2) `op`: add.
pub const EPOLL_CTL_ADD: i32 = 1;
/// epoll_ctl(2) `op`: remove.
pub const EPOLL_CTL_DEL: i32 = 2;
/// epoll_ctl(2) `op`: modify.
pub const EPOLL_CTL_MOD: i32 = 3;

/// x86-64 `struct epoll_event`: packed, 12 bytes.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout,
)]
#[repr(C, packed)]
pub struct EpollEventX86_64 {
    /// Events.
    pub events: u32,
    /// User data.
    pub data: u64,
}
const_assert_eq!(size_of::<EpollEventX86_64>(), 12);

/// Generic (riscv64) `struct epoll_event`: naturally aligned, 16 bytes.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout,
)]
#[repr(C)]
pub struct EpollEventGeneric {
    /// Events.
    pub events: u32,
    /// Padding.
    pub __pad: u32,
    /// User data.
    pub data: u64,
}
const_assert_eq!(size_of::<EpollEventGeneric>(), 16);

/// An epoll event independent of the architecture's layout.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EpollEvent {
    /// Events.
    pub events: EpollEvents,
    /// User data, returned as given.
    pub data: u64,
}

impl EpollEvent {
    /// The size of `struct epoll_event` on `arch` (the stride of epoll_wait's array).
    pub const fn size(arch: Arch) -> usize {
        match arch {
            Arch::X86_64 => size_of::<EpollEventX86_64>(),
            Arch::Riscv64 => size_of::<EpollEventGeneric>(),
        }
    }

    /// Reads the layout of `arch` from the start of `bytes`; `None` if too short.
    pub fn from_bytes(arch: Arch, bytes: &[u8]) -> Option<EpollEvent> {
        let (events, data) = match arch {
            Arch::X86_64 => {
                let (e, _) = EpollEventX86_64::read_from_prefix(bytes).ok()?;
                (e.events, e.data)
            }
            Arch::Riscv64 => {
                let (e, _) = EpollEventGeneric::read_from_prefix(bytes).ok()?;
                (e.events, e.data)
            }
        };
        Some(EpollEvent {
            events: EpollEvents::from_bits_retain(events),
            data,
        })
    }

    /// Writes the layout of `arch` to the start of `out`; returns the bytes written, or `None`
    /// if `out` is too short.
    pub fn write_to(&self, arch: Arch, out: &mut [u8]) -> Option<usize> {
        let events = self.events.bits();
        let written = match arch {
            Arch::X86_64 => EpollEventX86_64 {
                events,
                data: self.data,
            }
            .write_to_prefix(out)
            .is_ok(),
            Arch::Riscv64 => EpollEventGeneric {
                events,
                __pad: 0,
                data: self.data,
            }
            .write_to_prefix(out)
            .is_ok(),
        };
        if !written {
            return None;
        }
        Some(Self::size(arch))
    }
}
