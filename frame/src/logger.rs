//! The `log` crate's backend: `[seconds] LEVEL target: message` on the console.
//!
//! The level comes from `loglevel=error|warn|info|debug|trace` on the command line (default
//! `info`).

use log::{LevelFilter, Log, Metadata, Record};

struct Logger;

impl Log for Logger {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.level() <= log::max_level()
    }

    fn log(&self, record: &Record<'_>) {
        if self.enabled(record.metadata()) {
            let t = crate::arch::uptime();
            crate::println!(
                "[{:>5}.{:06}] {:<5} {}: {}",
                t.as_secs(),
                t.subsec_micros(),
                record.level(),
                record.target(),
                record.args()
            );
        }
    }

    fn flush(&self) {}
}

static LOGGER: Logger = Logger;

/// Installs the logger with the level named by `level` (`None` or unknown: info).
pub(crate) fn init(level: Option<&str>) {
    let filter = level
        .and_then(|l| l.parse().ok())
        .unwrap_or(LevelFilter::Info);
    let _ = log::set_logger(&LOGGER);
    log::set_max_level(filter);
}
