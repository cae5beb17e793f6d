//! ioctl(2) request numbers: terminal and file requests, and the `_IOC` encoding.
//!
//! x86-64 and riscv64 both use `include/uapi/asm-generic/ioctl.h` (8 bits number, 8 bits type,
//! 14 bits size, 2 bits direction) and `include/uapi/asm-generic/ioctls.h`. Requests are the
//! low 32 bits of the argument (the kernel's `cmd` is `unsigned int`). See ioctl(2),
//! ioctl_tty(2).

/// `_IOC_NONE`: no data transfer.
pub const IOC_NONE: u32 = 0;
/// `_IOC_WRITE`: user space writes (the kernel reads the argument).
pub const IOC_WRITE: u32 = 1;
/// `_IOC_READ`: user space reads (the kernel writes the argument).
pub const IOC_READ: u32 = 2;

/// `_IOC(dir, type, nr, size)`.
pub const fn ioc(dir: u32, ty: u8, nr: u8, size: usize) -> u32 {
    (dir << 30) | ((size as u32 & 0x3fff) << 16) | ((ty as u32) << 8) | nr as u32
}

/// `_IO(type, nr)`.
pub const fn io(ty: u8, nr: u8) -> u32 {
    ioc(IOC_NONE, ty, nr, 0)
}

/// `_IOR(type, nr, size)`.
pub const fn ior(ty: u8, nr: u8, size: usize) -> u32 {
    ioc(IOC_READ, ty, nr, size)
}

/// `_IOW(type, nr, size)`.
pub const fn iow(ty: u8, nr: u8, size: usize) -> u32 {
    ioc(IOC_WRITE, ty, nr, size)
}

/// `_IOWR(type, nr, size)`.
pub const fn iowr(ty: u8, nr: u8, size: usize) -> u32 {
    ioc(IOC_READ | IOC_WRITE, ty, nr, size)
}

/// `_IOC_SIZE(cmd)`: the argument size encoded in `cmd`.
pub const fn ioc_size(cmd: u32) -> usize {
    ((cmd >> 16) & 0x3fff) as usize
}

/// `_IOC_DIR(cmd)`.
pub const fn ioc_dir(cmd: u32) -> u32 {
    cmd >> 30
}

/// Get the terminal's `struct termios`.
pub const TCGETS: u32 = 0x5401;
/// Set `struct termios` now.
pub const TCSETS: u32 = 0x5402;
/// Set `struct termios` after output drains.
pub const TCSETSW: u32 = 0x5403;
/// Set `struct termios` after output drains, discarding pending input.
pub const TCSETSF: u32 = 0x5404;
/// Old `struct termio` get (obsolete).
pub const TCGETA: u32 = 0x5405;
/// Old `struct termio` set (obsolete).
pub const TCSETA: u32 = 0x5406;
/// Old `struct termio` set after drain (obsolete).
pub const TCSETAW: u32 = 0x5407;
/// Old `struct termio` set after drain and flush (obsolete).
pub const TCSETAF: u32 = 0x5408;
/// Send a break, or with argument 1 drain output (tcdrain(3)).
pub const TCSBRK: u32 = 0x5409;
/// Flow control (tcflow(3)).
pub const TCXONC: u32 = 0x540A;
/// Flush queues (tcflush(3)).
pub const TCFLSH: u32 = 0x540B;
/// Exclusive mode on.
pub const TIOCEXCL: u32 = 0x540C;
/// Exclusive mode off.
pub const TIOCNXCL: u32 = 0x540D;
/// Make this the controlling terminal of the calling session.
pub const TIOCSCTTY: u32 = 0x540E;
/// Get the foreground process group.
pub const TIOCGPGRP: u32 = 0x540F;
/// Set the foreground process group.
pub const TIOCSPGRP: u32 = 0x5410;
/// Bytes in the output queue.
pub const TIOCOUTQ: u32 = 0x5411;
/// Insert a byte into the input queue.
pub const TIOCSTI: u32 = 0x5412;
/// Get the window size.
pub const TIOCGWINSZ: u32 = 0x5413;
/// Set the window size (sends `SIGWINCH` to the foreground group).
pub const TIOCSWINSZ: u32 = 0x5414;
/// Get modem bits.
pub const TIOCMGET: u32 = 0x5415;
/// Set modem bits.
pub const TIOCMSET: u32 = 0x5418;
/// Bytes available to read (also `TIOCINQ`).
pub const FIONREAD: u32 = 0x541B;
/// `TIOCINQ`, same as [`FIONREAD`].
pub const TIOCINQ: u32 = FIONREAD;
/// Redirect console output.
pub const TIOCCONS: u32 = 0x541D;
/// Set or clear non-blocking mode (`int *` argument).
pub const FIONBIO: u32 = 0x5421;
/// Give up the controlling terminal.
pub const TIOCNOTTY: u32 = 0x5422;
/// Set the line discipline.
pub const TIOCSETD: u32 = 0x5423;
/// Get the line discipline.
pub const TIOCGETD: u32 = 0x5424;
/// Get the session of the terminal.
pub const TIOCGSID: u32 = 0x5429;
/// Get `struct termios2`.
pub const TCGETS2: u32 = 0x802C_542A;
/// Set `struct termios2`.
pub const TCSETS2: u32 = 0x402C_542B;
/// Get the pty number (`_IOR('T', 0x30, unsigned int)`).
pub const TIOCGPTN: u32 = 0x8004_5430;
/// Lock or unlock the pty (`_IOW('T', 0x31, int)`).
pub const TIOCSPTLCK: u32 = 0x4004_5431;
/// Open the pty peer (`_IO('T', 0x41)`).
pub const TIOCGPTPEER: u32 = 0x5441;
/// Clear close-on-exec.
pub const FIONCLEX: u32 = 0x5450;
/// Set close-on-exec.
pub const FIOCLEX: u32 = 0x5451;
/// Set or clear async I/O.
pub const FIOASYNC: u32 = 0x5452;
/// Size of a file or directory (`loff_t *`).
pub const FIOQSIZE: u32 = 0x5460;
/// Block device size in bytes (`_IOR(0x12, 114, size_t)`).
pub const BLKGETSIZE64: u32 = 0x8008_1272;
