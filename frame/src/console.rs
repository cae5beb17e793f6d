//! The serial console: [`print!`](crate::print) and [`println!`](crate::println).
//!
//! Normal output takes [`CONSOLE`], a [`SpinLock`] (interrupts off while held), so lines from
//! different contexts do not interleave. The panic and fault paths use [`emergency_print`],
//! which writes without the lock: the lock may be held by the code that failed.

use core::fmt::{self, Write};

use crate::sync::SpinLock;

struct Console;

impl Write for Console {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for byte in s.bytes() {
            if byte == b'\n' {
                crate::arch::console_write_byte(b'\r');
            }
            crate::arch::console_write_byte(byte);
        }
        Ok(())
    }
}

static CONSOLE: SpinLock<()> = SpinLock::new(());

/// Writes formatted text to the console. Used by [`print!`](crate::print).
pub fn print(args: fmt::Arguments<'_>) {
    let _guard = CONSOLE.lock();
    let _ = Console.write_fmt(args);
}

/// Writes raw bytes to the console (user programs' output), translating `\n` to `\r\n`.
pub fn write_bytes(bytes: &[u8]) {
    let _guard = CONSOLE.lock();
    for &byte in bytes {
        if byte == b'\n' {
            crate::arch::console_write_byte(b'\r');
        }
        crate::arch::console_write_byte(byte);
    }
}

/// A byte typed on the console, if one is waiting (polled; the UART's interrupt is not used).
pub fn read_byte() -> Option<u8> {
    let _guard = CONSOLE.lock();
    crate::arch::console_read_byte()
}

/// Writes formatted text without taking the console lock (panic and fault paths only).
pub(crate) fn emergency_print(args: fmt::Arguments<'_>) {
    let _ = Console.write_fmt(args);
}

/// Prints to the kernel console.
#[macro_export]
macro_rules! print {
    ($($arg:tt)*) => { $crate::console::print(format_args!($($arg)*)) };
}

/// Prints a line to the kernel console.
#[macro_export]
macro_rules! println {
    () => { $crate::console::print(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::console::print(format_args!("{}\n", format_args!($($arg)*))) };
}
