//! The MC146818 real-time clock in CMOS (ports 0x70/0x71): the wall-clock time at boot.
//!
//! The clock keeps the date in BCD or binary and the hour in 12- or 24-hour form, as status
//! register B says; QEMU keeps it in UTC. The century lives in register 0x32 (the FADT's
//! default).

use super::io::{inb, outb};

const INDEX_PORT: u16 = 0x70;
const DATA_PORT: u16 = 0x71;

fn read_register(reg: u8) -> u8 {
    // SAFETY: the CMOS index/data ports belong to the RTC, which frame owns; selecting and
    // reading a register has no effect beyond the RTC and does no DMA.
    unsafe {
        outb(INDEX_PORT, reg);
        inb(DATA_PORT)
    }
}

/// The raw date registers: seconds, minutes, hours, day, month, year, century.
fn read_raw() -> [u8; 7] {
    // Wait (boundedly) for an update in progress to finish.
    for _ in 0..100_000 {
        if read_register(0x0a) & 0x80 == 0 {
            break;
        }
        core::hint::spin_loop();
    }
    [0x00, 0x02, 0x04, 0x07, 0x08, 0x09, 0x32].map(read_register)
}

/// Seconds since the Unix epoch, or `None` if the clock reads nonsense.
pub(crate) fn read_unix_seconds() -> Option<u64> {
    // Read until two reads agree, so that no update happened in between.
    let mut raw = read_raw();
    for _ in 0..10 {
        let again = read_raw();
        if again == raw {
            break;
        }
        raw = again;
    }
    let status_b = read_register(0x0b);
    let binary = status_b & 0x04 != 0;
    let hour24 = status_b & 0x02 != 0;
    let decode = |v: u8| {
        if binary {
            u32::from(v)
        } else {
            u32::from(v >> 4) * 10 + u32::from(v & 0x0f)
        }
    };
    let [sec, min, hour_raw, day, month, year, century] = raw;
    let mut hour = decode(hour_raw & 0x7f);
    if !hour24 {
        let pm = hour_raw & 0x80 != 0;
        hour = (hour % 12) + if pm { 12 } else { 0 };
    }
    let century = match decode(century) {
        0 => 20,
        c => c,
    };
    let (sec, min, day, month) = (decode(sec), decode(min), decode(day), decode(month));
    let year = century * 100 + decode(year);
    if sec > 59 || min > 59 || hour > 23 || !(1..=31).contains(&day) || !(1..=12).contains(&month) {
        return None;
    }
    let days = days_from_civil(i64::from(year), month, day);
    let secs = days * 86_400 + i64::from(hour * 3600 + min * 60 + sec);
    u64::try_from(secs).ok()
}

/// Days from 1970-01-01 to the given proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let year_of_era = y - era * 400;
    let month_from_march = i64::from((month + 9) % 12);
    let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

crate::ktest! {
    fn civil_dates_count_days_like_unix() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(2026, 12, 4), 20_791);
    }
}
