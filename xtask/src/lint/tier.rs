//! The three crate tiers of the framekernel rule, as declared in `[package.metadata.framekernel]`.

use std::fmt;

/// A crate's tier: what it may contain and whether it counts as kernel code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tier {
    /// Kernel code that may use `unsafe`, documented; part of the TCB.
    Trusted,
    /// Kernel code without any `unsafe`.
    Untrusted,
    /// Host-only tools; not kernel code, not checked for `unsafe`.
    Host,
}

impl Tier {
    /// Parses a declared tier: `trusted`, `untrusted` or `host`.
    pub fn parse(s: &str) -> Option<Tier> {
        match s {
            "trusted" => Some(Tier::Trusted),
            "untrusted" => Some(Tier::Untrusted),
            "host" => Some(Tier::Host),
            _ => None,
        }
    }
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Tier::Trusted => "trusted",
            Tier::Untrusted => "untrusted",
            Tier::Host => "host",
        })
    }
}
