//! `struct new_utsname`, what uname(2) writes (`include/uapi/linux/utsname.h`).

use static_assertions::const_assert_eq;
use zerocopy::{FromBytes, FromZeros, Immutable, IntoBytes, KnownLayout};

/// The size of each field, NUL included (`__NEW_UTS_LEN + 1`).
pub const UTS_FIELD_LEN: usize = 65;

/// `struct new_utsname`: six NUL-terminated strings of at most 64 bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
pub struct Utsname {
    /// Kernel name (`"Linux"` for programs that check).
    pub sysname: [u8; UTS_FIELD_LEN],
    /// Host name.
    pub nodename: [u8; UTS_FIELD_LEN],
    /// Kernel release (`"6.1.0"`; glibc parses it and refuses releases that are too old).
    pub release: [u8; UTS_FIELD_LEN],
    /// Kernel version string.
    pub version: [u8; UTS_FIELD_LEN],
    /// Hardware name (`"x86_64"`, `"riscv64"`).
    pub machine: [u8; UTS_FIELD_LEN],
    /// NIS domain name (`"(none)"` on Linux by default).
    pub domainname: [u8; UTS_FIELD_LEN],
}
const_assert_eq!(size_of::<Utsname>(), 390);

impl Default for Utsname {
    fn default() -> Self {
        Utsname::new_zeroed()
    }
}

/// Stores `value` in a field, truncated to 64 bytes, NUL-padded.
pub fn set_uts_field(field: &mut [u8; UTS_FIELD_LEN], value: &str) {
    let bytes = value.as_bytes();
    let n = bytes.len().min(UTS_FIELD_LEN - 1);
    field.fill(0);
    field[..n].copy_from_slice(&bytes[..n]);
}

/// A field's contents up to the first NUL.
pub fn uts_field(field: &[u8; UTS_FIELD_LEN]) -> &[u8] {
    let end = field.iter().position(|&b| b == 0).unwrap_or(UTS_FIELD_LEN);
    &field[..end]
}

impl Utsname {
    /// A `struct new_utsname` from its six strings (each truncated to 64 bytes).
    pub fn new(
        sysname: &str,
        nodename: &str,
        release: &str,
        version: &str,
        machine: &str,
        domainname: &str,
    ) -> Utsname {
        let mut u = Utsname::default();
        set_uts_field(&mut u.sysname, sysname);
        set_uts_field(&mut u.nodename, nodename);
        set_uts_field(&mut u.release, release);
        set_uts_field(&mut u.version, version);
        set_uts_field(&mut u.machine, machine);
        set_uts_field(&mut u.domainname, domainname);
        u
    }
}
