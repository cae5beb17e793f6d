//! The time constants of the policies, in nanoseconds, with Linux's defaults.

/// Scheduler tunables (all in nanoseconds). [`Tunables::default`] gives Linux's values for one
/// CPU (`sched_latency_ns` 6 ms, `sched_min_granularity_ns` 0.75 ms,
/// `sched_wakeup_granularity_ns` 1 ms, `sched_rr_timeslice` 100 ms).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tunables {
    /// The fair scheduling period: every runnable fair task runs once within it (while there are
    /// few enough of them); it also bounds sleeper credit to half of it.
    pub latency_ns: u64,
    /// The shortest fair slice: no fair task is preempted by the tick before it ran this long.
    pub min_granularity_ns: u64,
    /// A woken fair task preempts the current one only if it is this much (in the woken task's
    /// virtual time) behind it.
    pub wakeup_granularity_ns: u64,
    /// The `SCHED_RR` quantum (`sched_rr_get_interval(2)`).
    pub rr_quantum_ns: u64,
    /// The round-robin quantum among `SCHED_IDLE` tasks.
    pub idle_quantum_ns: u64,
}

impl Default for Tunables {
    fn default() -> Tunables {
        Tunables {
            latency_ns: 6_000_000,
            min_granularity_ns: 750_000,
            wakeup_granularity_ns: 1_000_000,
            rr_quantum_ns: 100_000_000,
            idle_quantum_ns: 6_000_000,
        }
    }
}
