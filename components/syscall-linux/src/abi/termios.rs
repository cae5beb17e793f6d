//! Terminals: the kernel `struct termios` (what `TCGETS`/`TCSETS` copy), `struct termios2`,
//! `struct winsize`, the `c_cc` indices and the mode flags.
//!
//! Both x86-64 and riscv64 use `include/uapi/asm-generic/termbits.h` and `termbits-common.h`:
//! four 32-bit flag words, `c_line`, and `c_cc[NCCS]` with `NCCS = 19` (36 bytes). This is not
//! glibc's `struct termios` (60 bytes, `NCCS = 32`, with speeds): the C library converts.
//! See termios(3), tty_ioctl(4).

use bitflags::bitflags;
use static_assertions::const_assert_eq;
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

/// Number of control characters in the kernel `struct termios`.
pub const NCCS: usize = 19;

/// `c_cc` index: interrupt (`^C`).
pub const VINTR: usize = 0;
/// `c_cc` index: quit (`^\`).
pub const VQUIT: usize = 1;
/// `c_cc` index: erase (DEL).
pub const VERASE: usize = 2;
/// `c_cc` index: kill line (`^U`).
pub const VKILL: usize = 3;
/// `c_cc` index: end of file (`^D`).
pub const VEOF: usize = 4;
/// `c_cc` index: non-canonical read timeout, in deciseconds.
pub const VTIME: usize = 5;
/// `c_cc` index: non-canonical read minimum byte count.
pub const VMIN: usize = 6;
/// `c_cc` index: switch (unused).
pub const VSWTC: usize = 7;
/// `c_cc` index: start output (`^Q`).
pub const VSTART: usize = 8;
/// `c_cc` index: stop output (`^S`).
pub const VSTOP: usize = 9;
/// `c_cc` index: suspend (`^Z`).
pub const VSUSP: usize = 10;
/// `c_cc` index: additional end of line.
pub const VEOL: usize = 11;
/// `c_cc` index: reprint line (`^R`).
pub const VREPRINT: usize = 12;
/// `c_cc` index: discard output (`^O`).
pub const VDISCARD: usize = 13;
/// `c_cc` index: erase word (`^W`).
pub const VWERASE: usize = 14;
/// `c_cc` index: literal next (`^V`).
pub const VLNEXT: usize = 15;
/// `c_cc` index: yet another end of line.
pub const VEOL2: usize = 16;

bitflags! {
    /// `c_iflag`: input modes.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
    pub struct InputFlags: u32 {
        /// `IGNBRK`.
        const IGNBRK = 0o000001;
        /// `BRKINT`.
        const BRKINT = 0o000002;
        /// `IGNPAR`.
        const IGNPAR = 0o000004;
        /// `PARMRK`.
        const PARMRK = 0o000010;
        /// `INPCK`.
        const INPCK = 0o000020;
        /// `ISTRIP`.
        const ISTRIP = 0o000040;
        /// `INLCR`: map NL to CR.
        const INLCR = 0o000100;
        /// `IGNCR`: ignore CR.
        const IGNCR = 0o000200;
        /// `ICRNL`: map CR to NL.
        const ICRNL = 0o000400;
        /// `IUCLC`.
        const IUCLC = 0o001000;
        /// `IXON`: XON/XOFF output flow control.
        const IXON = 0o002000;
        /// `IXANY`.
        const IXANY = 0o004000;
        /// `IXOFF`.
        const IXOFF = 0o010000;
        /// `IMAXBEL`.
        const IMAXBEL = 0o020000;
        /// `IUTF8`: input is UTF-8 (for erase in canonical mode).
        const IUTF8 = 0o040000;
    }
}

bitflags! {
    /// `c_oflag`: output modes (the delay fields `NLDLY` etc. are kept as raw bits).
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
    pub struct OutputFlags: u32 {
        /// `OPOST`: post-process output.
        const OPOST = 0o000001;
        /// `OLCUC`.
        const OLCUC = 0o000002;
        /// `ONLCR`: map NL to CR-NL.
        const ONLCR = 0o000004;
        /// `OCRNL`.
        const OCRNL = 0o000010;
        /// `ONOCR`.
        const ONOCR = 0o000020;
        /// `ONLRET`.
        const ONLRET = 0o000040;
        /// `OFILL`.
        const OFILL = 0o000100;
        /// `OFDEL`.
        const OFDEL = 0o000200;
        /// Any other bits.
        const _ = !0;
    }
}

bitflags! {
    /// `c_cflag`: control modes. `CBAUD` and `CSIZE` are multi-bit fields.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
    pub struct ControlFlags: u32 {
        /// `CBAUD`: the baud-rate field.
        const CBAUD = 0o010017;
        /// `B9600`.
        const B9600 = 0o000015;
        /// `B38400`.
        const B38400 = 0o000017;
        /// `B115200`.
        const B115200 = 0o010002;
        /// `CSIZE`: the character-size field.
        const CSIZE = 0o000060;
        /// `CS7`.
        const CS7 = 0o000040;
        /// `CS8`.
        const CS8 = 0o000060;
        /// `CSTOPB`.
        const CSTOPB = 0o000100;
        /// `CREAD`: enable receiver.
        const CREAD = 0o000200;
        /// `PARENB`.
        const PARENB = 0o000400;
        /// `PARODD`.
        const PARODD = 0o001000;
        /// `HUPCL`: hang up on last close.
        const HUPCL = 0o002000;
        /// `CLOCAL`: ignore modem control lines.
        const CLOCAL = 0o004000;
        /// Any other bits.
        const _ = !0;
    }
}

bitflags! {
    /// `c_lflag`: local modes.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
    pub struct LocalFlags: u32 {
        /// `ISIG`: generate signals for INTR, QUIT, SUSP.
        const ISIG = 0o000001;
        /// `ICANON`: canonical (line) mode.
        const ICANON = 0o000002;
        /// `XCASE`.
        const XCASE = 0o000004;
        /// `ECHO`.
        const ECHO = 0o000010;
        /// `ECHOE`: ERASE erases the previous character.
        const ECHOE = 0o000020;
        /// `ECHOK`: KILL erases the line.
        const ECHOK = 0o000040;
        /// `ECHONL`.
        const ECHONL = 0o000100;
        /// `NOFLSH`.
        const NOFLSH = 0o000200;
        /// `TOSTOP`: `SIGTTOU` for background writes.
        const TOSTOP = 0o000400;
        /// `ECHOCTL`: echo control characters as `^X`.
        const ECHOCTL = 0o001000;
        /// `ECHOPRT`.
        const ECHOPRT = 0o002000;
        /// `ECHOKE`.
        const ECHOKE = 0o004000;
        /// `FLUSHO`.
        const FLUSHO = 0o010000;
        /// `PENDIN`.
        const PENDIN = 0o040000;
        /// `IEXTEN`: extended input processing (`^V`, `^W`, ...).
        const IEXTEN = 0o100000;
        /// `EXTPROC`.
        const EXTPROC = 0o200000;
    }
}

/// The kernel `struct termios`.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout,
)]
#[repr(C)]
pub struct Termios {
    /// Input modes ([`InputFlags`]).
    pub c_iflag: u32,
    /// Output modes ([`OutputFlags`]).
    pub c_oflag: u32,
    /// Control modes ([`ControlFlags`]).
    pub c_cflag: u32,
    /// Local modes ([`LocalFlags`]).
    pub c_lflag: u32,
    /// Line discipline (0, `N_TTY`).
    pub c_line: u8,
    /// Control characters, indexed by `V*`.
    pub c_cc: [u8; NCCS],
}
const_assert_eq!(size_of::<Termios>(), 36);

impl Termios {
    /// The settings a new terminal starts with (Linux's `tty_std_termios`): `ICRNL | IXON`,
    /// `OPOST | ONLCR`, `B38400 | CS8 | CREAD | HUPCL`, `ISIG | ICANON | ECHO | ECHOE | ECHOK |
    /// ECHOCTL | ECHOKE | IEXTEN`, and the control characters of `INIT_C_CC`.
    pub const fn standard() -> Termios {
        Termios {
            c_iflag: InputFlags::ICRNL.bits() | InputFlags::IXON.bits(),
            c_oflag: OutputFlags::OPOST.bits() | OutputFlags::ONLCR.bits(),
            c_cflag: ControlFlags::B38400.bits()
                | ControlFlags::CS8.bits()
                | ControlFlags::CREAD.bits()
                | ControlFlags::HUPCL.bits(),
            c_lflag: LocalFlags::ISIG.bits()
                | LocalFlags::ICANON.bits()
                | LocalFlags::ECHO.bits()
                | LocalFlags::ECHOE.bits()
                | LocalFlags::ECHOK.bits()
                | LocalFlags::ECHOCTL.bits()
                | LocalFlags::ECHOKE.bits()
                | LocalFlags::IEXTEN.bits(),
            c_line: 0,
            c_cc: [
                0x03, 0x1c, 0x7f, 0x15, 0x04, 0, 1, 0, 0x11, 0x13, 0x1a, 0, 0x12, 0x0f, 0x17, 0x16,
                0, 0, 0,
            ],
        }
    }

    /// `c_iflag` as flags.
    pub const fn iflag(&self) -> InputFlags {
        InputFlags::from_bits_retain(self.c_iflag)
    }

    /// `c_oflag` as flags.
    pub const fn oflag(&self) -> OutputFlags {
        OutputFlags::from_bits_retain(self.c_oflag)
    }

    /// `c_cflag` as flags.
    pub const fn cflag(&self) -> ControlFlags {
        ControlFlags::from_bits_retain(self.c_cflag)
    }

    /// `c_lflag` as flags.
    pub const fn lflag(&self) -> LocalFlags {
        LocalFlags::from_bits_retain(self.c_lflag)
    }
}

/// The kernel `struct termios2` (`TCGETS2`/`TCSETS2`): `struct termios` plus speeds.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout,
)]
#[repr(C)]
pub struct Termios2 {
    /// The `struct termios` part.
    pub termios: Termios,
    /// Input speed.
    pub c_ispeed: u32,
    /// Output speed.
    pub c_ospeed: u32,
}
const_assert_eq!(size_of::<Termios2>(), 44);

/// `struct winsize`, for `TIOCGWINSZ` and `TIOCSWINSZ`.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout,
)]
#[repr(C)]
pub struct Winsize {
    /// Rows.
    pub ws_row: u16,
    /// Columns.
    pub ws_col: u16,
    /// Width in pixels (unused).
    pub ws_xpixel: u16,
    /// Height in pixels (unused).
    pub ws_ypixel: u16,
}
const_assert_eq!(size_of::<Winsize>(), 8);

/// tcflush(3) / `TCFLSH` argument: flush input.
pub const TCIFLUSH: usize = 0;
/// `TCFLSH` argument: flush output.
pub const TCOFLUSH: usize = 1;
/// `TCFLSH` argument: flush both.
pub const TCIOFLUSH: usize = 2;
