//! The console TTY on the serial port: `/dev/console` and `/dev/tty`.
//!
//! Output goes straight to frame's console. Input is polled from the UART and passes through a
//! small line discipline (termios(3)): in canonical mode (the default) bytes are echoed and
//! collected into lines, with erase (DEL, ^H), `^D` at the start of a line for end of file and CR
//! mapped to NL; in raw mode (ICANON off) bytes are returned as they arrive. A read with nothing
//! to return gets `EAGAIN`, and the system-call layer blocks the task until input arrives.

use alloc::collections::VecDeque;
use alloc::vec::Vec;

use spin::Mutex;
use vfs::poll::PollEvents;
use vfs::{Error, Inode, Metadata, Result};

/// `S_IFCHR | 0o620`.
const MODE: u32 = 0o020_620;
/// Device 5:1, the console.
const RDEV: u64 = (5 << 8) | 1;

struct Discipline {
    /// The line being edited (canonical mode).
    line: Vec<u8>,
    /// Bytes ready for readers.
    ready: VecDeque<u8>,
    /// A `^D` at the start of a line: the next read returns end of file.
    eof: bool,
    canonical: bool,
    echo: bool,
}

/// The serial console as a character device.
pub struct Console {
    state: Mutex<Discipline>,
    /// `^C` was typed: the kernel sends SIGINT to the foreground processes.
    interrupt: core::sync::atomic::AtomicBool,
}

impl Default for Console {
    fn default() -> Self {
        Self::new()
    }
}

impl Console {
    /// The console, in canonical mode with echo.
    pub fn new() -> Self {
        Self {
            state: Mutex::new(Discipline {
                line: Vec::new(),
                ready: VecDeque::new(),
                eof: false,
                canonical: true,
                echo: true,
            }),
            interrupt: core::sync::atomic::AtomicBool::new(false),
        }
    }

    /// Reads typed input now (the kernel calls this while every task waits, so that `^C`
    /// is seen even when nobody reads the console).
    pub fn poll_input(&self) {
        let mut d = self.state.lock();
        self.pump(&mut d);
    }

    /// Whether `^C` was typed since the last call.
    pub fn take_interrupt(&self) -> bool {
        self.poll_input();
        self.interrupt
            .swap(false, core::sync::atomic::Ordering::Relaxed)
    }

    /// Sets the termios modes that the discipline honours (ICANON, ECHO).
    pub fn set_modes(&self, canonical: bool, echo: bool) {
        let mut d = self.state.lock();
        d.canonical = canonical;
        d.echo = echo;
        if !canonical {
            let line = core::mem::take(&mut d.line);
            d.ready.extend(line);
        }
    }

    /// The modes (canonical, echo).
    pub fn modes(&self) -> (bool, bool) {
        let d = self.state.lock();
        (d.canonical, d.echo)
    }

    /// Moves typed bytes into the discipline.
    fn pump(&self, d: &mut Discipline) {
        while let Some(byte) = frame::console::read_byte() {
            let byte = if byte == b'\r' { b'\n' } else { byte };
            if byte == 0x03 {
                // ISIG: ^C interrupts in both modes.
                d.line.clear();
                self.interrupt
                    .store(true, core::sync::atomic::Ordering::Relaxed);
                continue;
            }
            if !d.canonical {
                d.ready.push_back(byte);
                if d.echo {
                    frame::console::write_bytes(&[byte]);
                }
                continue;
            }
            match byte {
                0x7f | 0x08 => {
                    if d.line.pop().is_some() && d.echo {
                        frame::console::write_bytes(b"\x08 \x08");
                    }
                }
                0x04 => {
                    if d.line.is_empty() {
                        d.eof = true;
                    } else {
                        let line = core::mem::take(&mut d.line);
                        d.ready.extend(line);
                    }
                }
                b'\n' => {
                    d.line.push(b'\n');
                    let line = core::mem::take(&mut d.line);
                    d.ready.extend(line);
                    if d.echo {
                        frame::console::write_bytes(b"\n");
                    }
                }
                byte => {
                    d.line.push(byte);
                    if d.echo {
                        frame::console::write_bytes(&[byte]);
                    }
                }
            }
        }
    }
}

impl Inode for Console {
    fn metadata(&self) -> Metadata {
        Metadata {
            mode: MODE,
            rdev: RDEV,
            nlink: 1,
            blksize: 1024,
            ..Metadata::default()
        }
    }

    fn is_seekable(&self) -> bool {
        false
    }

    fn read_at(&self, _offset: u64, buf: &mut [u8]) -> Result<usize> {
        let mut d = self.state.lock();
        self.pump(&mut d);
        if buf.is_empty() {
            return Ok(0);
        }
        if d.ready.is_empty() {
            if d.eof {
                d.eof = false;
                return Ok(0);
            }
            return Err(Error::EAGAIN);
        }
        let mut n = 0;
        while n < buf.len() {
            let Some(byte) = d.ready.pop_front() else {
                break;
            };
            buf[n] = byte;
            n += 1;
            if d.canonical && byte == b'\n' {
                break;
            }
        }
        Ok(n)
    }

    fn write_at(&self, _offset: u64, buf: &[u8]) -> Result<usize> {
        frame::console::write_bytes(buf);
        Ok(buf.len())
    }

    fn poll(&self, events: PollEvents) -> PollEvents {
        let mut d = self.state.lock();
        self.pump(&mut d);
        let mut ready = PollEvents::OUT;
        if !d.ready.is_empty() || d.eof {
            ready |= PollEvents::IN;
        }
        events & ready
    }
}
