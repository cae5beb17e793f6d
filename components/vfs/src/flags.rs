//! Flags of open(2) and the whence values of lseek(2), with their Linux values (x86-64 and
//! riscv64 share them).

use crate::error::{Error, Result};

/// open(2) flags: the Linux ABI's own type, shared with `syscall-linux` so that the values
/// are written down once.
pub use syscall_linux::abi::fcntl::OpenFlags;

/// The `whence` of lseek(2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Whence {
    /// From the start (`SEEK_SET`).
    Set,
    /// From the current offset (`SEEK_CUR`).
    Cur,
    /// From the end of file (`SEEK_END`).
    End,
    /// To the next data at or after the offset (`SEEK_DATA`).
    Data,
    /// To the next hole at or after the offset (`SEEK_HOLE`).
    Hole,
}

impl Whence {
    /// Decodes the system-call value (0 to 4); `EINVAL` otherwise.
    pub fn from_raw(whence: u32) -> Result<Whence> {
        Ok(match whence {
            0 => Whence::Set,
            1 => Whence::Cur,
            2 => Whence::End,
            3 => Whence::Data,
            4 => Whence::Hole,
            _ => return Err(Error::EINVAL),
        })
    }
}
