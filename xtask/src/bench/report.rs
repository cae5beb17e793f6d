//! Benchmark results: the guest's `bench:` lines (format in `tests/bench/bench.h`) parsed into
//! values per result, medians, the ratio of this kernel to Linux, the printed table and the
//! JSON file.
//!
//! Ratios are oriented so that below 1 always means this kernel is faster: `this / Linux` for
//! latencies (unit `ns`), `Linux / this` for bandwidths (units ending in `/s`).

use std::collections::BTreeMap;
use std::fmt::Write as _;

/// What one kernel's runs reported, merged over the boots it took.
#[derive(Debug, Default)]
pub struct Results {
    /// Measured values per result name, one per repetition.
    pub values: BTreeMap<String, Vec<f64>>,
    /// The unit of each result.
    pub units: BTreeMap<String, String>,
    /// Why a result could not be measured.
    pub failures: BTreeMap<String, String>,
    /// Result names in the order the guest announced them.
    pub order: Vec<String>,
}

/// What one boot's log says about how far the run got.
#[derive(Debug, Default, PartialEq)]
pub struct Progress {
    /// The guest printed `bench: done`.
    pub done: bool,
    /// The last benchmark that started, with its result names.
    pub last_started: Option<(String, Vec<String>)>,
}

impl Results {
    /// Adds the `bench:` lines of one boot's serial log.
    pub fn add_log(&mut self, log: &str) -> Progress {
        let mut progress = Progress::default();
        for line in log.lines() {
            let Some(rest) = line.trim_end_matches('\r').strip_prefix("bench: ") else {
                continue;
            };
            let words: Vec<&str> = rest.split_whitespace().collect();
            match words.as_slice() {
                ["done"] => progress.done = true,
                ["start", unit, results @ ..] => {
                    let results: Vec<String> = results.iter().map(|r| r.to_string()).collect();
                    for r in &results {
                        if !self.order.contains(r) {
                            self.order.push(r.clone());
                        }
                    }
                    progress.last_started = Some((unit.to_string(), results));
                }
                ["fail", name, reason @ ..] => {
                    self.failures.insert(name.to_string(), reason.join(" "));
                }
                [name, value, unit] => {
                    if let Ok(v) = value.parse::<f64>()
                        && v.is_finite()
                        && v > 0.0
                    {
                        self.values.entry(name.to_string()).or_default().push(v);
                        self.units.insert(name.to_string(), unit.to_string());
                    }
                }
                _ => {}
            }
        }
        progress
    }

    /// Marks the results of a benchmark that did not finish (the kernel died or hung in it)
    /// as failed, unless each of them was measured already.
    pub fn mark_unfinished(&mut self, results: &[String], reason: &str) {
        if results
            .iter()
            .all(|r| self.values.contains_key(r) && !self.failures.contains_key(r))
        {
            return;
        }
        for r in results {
            self.failures.insert(r.clone(), reason.to_string());
        }
    }

    /// The median of a result, or why there is none.
    pub fn median(&self, name: &str) -> Result<f64, String> {
        if let Some(why) = self.failures.get(name) {
            return Err(why.clone());
        }
        self.values
            .get(name)
            .and_then(|v| median(v))
            .ok_or_else(|| "not run".to_string())
    }
}

/// The median of `values` (the mean of the middle two for an even count).
pub fn median(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    Some(if v.len() % 2 == 1 {
        v[mid]
    } else {
        (v[mid - 1] + v[mid]) / 2.0
    })
}

/// Whether a unit measures throughput (higher is better).
pub fn is_throughput(unit: &str) -> bool {
    unit.ends_with("/s")
}

/// The ratio of this kernel to Linux, below 1 when this kernel is faster.
pub fn ratio(unit: &str, this: f64, linux: f64) -> f64 {
    if is_throughput(unit) {
        linux / this
    } else {
        this / linux
    }
}

/// One benchmark result on both kernels.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// The result's name.
    pub name: String,
    /// Its unit.
    pub unit: String,
    /// Median on this kernel, or why it is missing.
    pub this: Result<f64, String>,
    /// Median on Linux, or why it is missing.
    pub linux: Result<f64, String>,
}

impl Row {
    /// The ratio, when both kernels measured it.
    pub fn ratio(&self) -> Option<f64> {
        match (&self.this, &self.linux) {
            (Ok(this), Ok(linux)) => Some(ratio(&self.unit, *this, *linux)),
            _ => None,
        }
    }
}

/// The rows of every result either kernel announced, in the guest's order.
pub fn rows(this: &Results, linux: &Results) -> Vec<Row> {
    let mut names = linux.order.clone();
    for name in &this.order {
        if !names.contains(name) {
            names.push(name.clone());
        }
    }
    names
        .into_iter()
        .map(|name| {
            let unit = linux
                .units
                .get(&name)
                .or_else(|| this.units.get(&name))
                .cloned()
                .unwrap_or_else(|| "?".into());
            Row {
                this: this.median(&name),
                linux: linux.median(&name),
                name,
                unit,
            }
        })
        .collect()
}

/// The geometric mean of the rows' ratios and how many rows have one.
pub fn geomean(rows: &[Row]) -> Option<(f64, usize)> {
    let ratios: Vec<f64> = rows.iter().filter_map(Row::ratio).collect();
    if ratios.is_empty() {
        return None;
    }
    let mean_log = ratios.iter().map(|r| r.ln()).sum::<f64>() / ratios.len() as f64;
    Some((mean_log.exp(), ratios.len()))
}

fn cell(value: &Result<f64, String>) -> String {
    match value {
        Ok(v) if *v >= 100.0 => format!("{v:.0}"),
        Ok(v) => format!("{v:.1}"),
        Err(_) => "missing".into(),
    }
}

/// The table `cargo xtask bench` prints.
pub fn table(title: &str, rows: &[Row]) -> String {
    let width = rows.iter().map(|r| r.name.len()).max().unwrap_or(9).max(9);
    let mut out = String::new();
    let _ = writeln!(out, "{title}");
    let _ = writeln!(
        out,
        "ratio: this/Linux for latencies (ns), Linux/this for bandwidths (MB/s); \
         below 1 = this kernel is faster"
    );
    let _ = writeln!(
        out,
        "{:width$}  {:>5}  {:>12}  {:>12}  {:>7}",
        "benchmark", "unit", "this kernel", "Linux", "ratio"
    );
    for r in rows {
        let ratio = r.ratio().map_or("-".into(), |x| format!("{x:.2}"));
        let _ = writeln!(
            out,
            "{:width$}  {:>5}  {:>12}  {:>12}  {:>7}",
            r.name,
            r.unit,
            cell(&r.this),
            cell(&r.linux),
            ratio
        );
    }
    match geomean(rows) {
        Some((g, n)) => {
            let _ = writeln!(out, "geometric mean of {n} ratios: {g:.3}");
        }
        None => {
            let _ = writeln!(out, "geometric mean: no benchmark ran on both kernels");
        }
    }
    for r in rows {
        for (kernel, value) in [("this kernel", &r.this), ("Linux", &r.linux)] {
            if let Err(why) = value {
                let _ = writeln!(out, "missing on {kernel}: {}: {why}", r.name);
            }
        }
    }
    out
}

/// The JSON document `target/bench/<arch>.json`: run settings and, per result, name, unit,
/// `this`, `linux` and `ratio` (null when missing, with the reason in `this_error` or
/// `linux_error`).
pub fn json(settings: serde_json::Value, rows: &[Row]) -> serde_json::Value {
    let benchmarks: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| {
            let mut entry = serde_json::json!({
                "name": r.name,
                "unit": r.unit,
                "this": r.this.as_ref().ok(),
                "linux": r.linux.as_ref().ok(),
                "ratio": r.ratio(),
            });
            if let Err(why) = &r.this {
                entry["this_error"] = why.clone().into();
            }
            if let Err(why) = &r.linux {
                entry["linux_error"] = why.clone().into();
            }
            entry
        })
        .collect();
    let (geomean, compared) = geomean(rows).map_or((None, 0), |(g, n)| (Some(g), n));
    serde_json::json!({
        "settings": settings,
        "ratio": "this/linux for latencies, linux/this for bandwidths: below 1 = this kernel faster",
        "geomean": geomean,
        "compared": compared,
        "benchmarks": benchmarks,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = "\
[    1.0] some kernel message\r
bench: start null_syscall null_syscall\r
bench: null_syscall 300.00 ns\r
bench: null_syscall 100.50 ns\r
bench: null_syscall 200.00 ns\r
bench: start pipe_bandwidth pipe_bandwidth
bench: pipe_bandwidth 50.0 MB/s
bench: start cmm_priv_2 cmm_mmap_priv_2 cmm_touch_priv_2
bench: fail cmm_mmap_priv_2 pthread_create (thread 2 of 2): Resource temporarily unavailable
bench: fail cmm_touch_priv_2 pthread_create (thread 2 of 2): Resource temporarily unavailable
bench: garbage line
bench: done
";

    #[test]
    fn parses_values_failures_and_progress() {
        let mut r = Results::default();
        let p = r.add_log(LOG);
        assert!(p.done);
        assert_eq!(
            p.last_started,
            Some((
                "cmm_priv_2".into(),
                vec!["cmm_mmap_priv_2".into(), "cmm_touch_priv_2".into()]
            ))
        );
        assert_eq!(r.values["null_syscall"], [300.0, 100.5, 200.0]);
        assert_eq!(r.median("null_syscall"), Ok(200.0));
        assert_eq!(r.units["pipe_bandwidth"], "MB/s");
        assert_eq!(
            r.median("cmm_touch_priv_2"),
            Err("pthread_create (thread 2 of 2): Resource temporarily unavailable".into())
        );
        assert_eq!(r.median("nothing"), Err("not run".into()));
        assert_eq!(
            r.order,
            [
                "null_syscall",
                "pipe_bandwidth",
                "cmm_mmap_priv_2",
                "cmm_touch_priv_2"
            ]
        );
    }

    #[test]
    fn unfinished_benchmarks_fail_unless_measured() {
        let mut r = Results::default();
        let p = r.add_log("bench: start a a b\nbench: a 1 ns\n");
        assert!(!p.done);
        let (_, results) = p.last_started.unwrap();
        r.mark_unfinished(&results, "kernel died");
        assert_eq!(r.median("a"), Err("kernel died".into()));
        assert_eq!(r.median("b"), Err("kernel died".into()));
        let mut r = Results::default();
        r.add_log("bench: start a a\nbench: a 1 ns\n");
        r.mark_unfinished(&["a".into()], "kernel died");
        assert_eq!(r.median("a"), Ok(1.0));
    }

    #[test]
    fn medians() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[3.0]), Some(3.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&[5.0, 1.0, 9.0]), Some(5.0));
    }

    fn sample() -> Vec<Row> {
        let mut this = Results::default();
        let mut linux = Results::default();
        this.add_log(
            "bench: start a a\nbench: a 50 ns\nbench: start bw bw\nbench: bw 100 MB/s\n\
             bench: start t t\nbench: fail t no threads\n",
        );
        linux.add_log(
            "bench: start a a\nbench: a 100 ns\nbench: start bw bw\nbench: bw 400 MB/s\n\
             bench: start t t\nbench: t 7 ns\n",
        );
        rows(&this, &linux)
    }

    #[test]
    fn ratios_below_one_mean_faster() {
        let rows = sample();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].ratio(), Some(0.5));
        // 100 MB/s here against 400 MB/s on Linux: four times slower.
        assert_eq!(rows[1].ratio(), Some(4.0));
        assert_eq!(rows[2].ratio(), None);
        let (g, n) = geomean(&rows).unwrap();
        assert_eq!(n, 2);
        assert!((g - 2f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn table_lists_rows_geomean_and_missing() {
        let text = table("x86_64", &sample());
        assert!(text.contains("below 1 = this kernel is faster"));
        assert!(text.lines().any(|l| l.starts_with("a ")
            && l.contains("50.0")
            && l.contains("100")
            && l.ends_with("0.50")));
        assert!(
            text.lines()
                .any(|l| l.starts_with("t ") && l.contains("missing") && l.ends_with('-'))
        );
        assert!(text.contains("geometric mean of 2 ratios: 1.414"));
        assert!(text.contains("missing on this kernel: t: no threads"));
    }

    #[test]
    fn json_has_every_field() {
        let doc = json(serde_json::json!({"arch": "riscv64"}), &sample());
        let b = doc["benchmarks"].as_array().unwrap();
        assert_eq!(b.len(), 3);
        assert_eq!(b[0]["name"], "a");
        assert_eq!(b[0]["unit"], "ns");
        assert_eq!(b[0]["this"], 50.0);
        assert_eq!(b[0]["linux"], 100.0);
        assert_eq!(b[0]["ratio"], 0.5);
        assert!(b[2]["this"].is_null() && b[2]["ratio"].is_null());
        assert_eq!(b[2]["this_error"], "no threads");
        assert_eq!(doc["compared"], 2);
        assert_eq!(doc["settings"]["arch"], "riscv64");
    }
}
