//! getrandom(2) flags (`include/uapi/linux/random.h`).

use bitflags::bitflags;

bitflags! {
    /// getrandom(2) `flags`.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
    pub struct GetrandomFlags: u32 {
        /// `GRND_NONBLOCK`: `EAGAIN` instead of blocking before the pool is ready.
        const NONBLOCK = 1;
        /// `GRND_RANDOM`: the (historical) blocking pool.
        const RANDOM = 2;
        /// `GRND_INSECURE`: never block, even if not yet seeded.
        const INSECURE = 4;
    }
}
