//! Scatter-gather I/O: `struct iovec`. See readv(2), `include/uapi/linux/uio.h`.

use static_assertions::const_assert_eq;
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

/// The most iovecs one call accepts (`UIO_MAXIOV`); more is `EINVAL`.
pub const UIO_MAXIOV: usize = 1024;

/// `struct iovec`: one user buffer of a vectored read or write.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout,
)]
#[repr(C)]
pub struct Iovec {
    /// Start of the buffer (a user address).
    pub iov_base: u64,
    /// Length in bytes.
    pub iov_len: u64,
}
const_assert_eq!(size_of::<Iovec>(), 16);
