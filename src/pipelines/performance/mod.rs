//! Performance pipeline: benchmarks vigil runs, results imported from other benchmark tools,
//! regressions against the run history, and a snapshot of the host.
//!
//! Two checks: [`benchmarks`] (every measurement, its statistics, regressions and the
//! headline gate metrics) and [`host`] (CPU, memory, load and disk of the machine, kept with
//! every run so numbers from different hosts can be told apart). Measurements of every source
//! become a `Series`: one benchmark's samples in one unit, which the rest of the pipeline
//! treats alike. The performance score ([`mod@score`]) is derived from the headline metrics'
//! distance to their targets.

pub mod benchmarks;
pub mod host;
mod imports;
mod regression;
mod score;
mod stats;

pub use score::{SCORE, score};

use self::stats::Summary;

/// Where a series of measurements came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Source {
    /// A benchmark of `performance.benchmarks`, run by vigil.
    Configured,
    /// criterion's `target/criterion` files.
    Criterion,
    /// `hyperfine --export-json`.
    Hyperfine,
    /// pytest-benchmark JSON.
    PytestBenchmark,
    /// `go test -bench` output.
    GoBench,
    /// `cargo bench` (libtest) output.
    CargoBench,
    /// github-action-benchmark custom JSON.
    Custom,
}

impl Source {
    /// Name shown in notes and findings.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Configured => "vigil",
            Self::Criterion => "criterion",
            Self::Hyperfine => "hyperfine",
            Self::PytestBenchmark => "pytest-benchmark",
            Self::GoBench => "go test -bench",
            Self::CargoBench => "cargo bench",
            Self::Custom => "custom JSON",
        }
    }
}

/// What the numbers of a series are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Unit {
    /// Time per operation, converted to milliseconds; smaller is better.
    Millis,
    /// Any other unit, as the tool named it.
    Other {
        /// The unit's name, e.g. `MB/s`.
        name: String,
        /// Whether bigger values are better.
        bigger_is_better: bool,
    },
}

impl Unit {
    /// Whether bigger values are better.
    pub(crate) fn bigger_is_better(&self) -> bool {
        matches!(
            self,
            Self::Other {
                bigger_is_better: true,
                ..
            }
        )
    }
}

/// What running a benchmark's command cost, over its successful runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct ProcessStats {
    /// Mean user CPU time per run, ms.
    pub(crate) user_ms: f64,
    /// Mean system CPU time per run, ms.
    pub(crate) system_ms: f64,
    /// CPU time over wall time, % (above 100 with several busy threads).
    pub(crate) cpu_pct: f64,
    /// Largest peak resident set size of any run, bytes.
    pub(crate) peak_rss_bytes: u64,
    /// The memory budget the efficiency is computed against, bytes.
    pub(crate) memory_budget_bytes: u64,
}

impl ProcessStats {
    /// 100 × (1 − peak RSS / budget), clamped to 0..=100.
    pub(crate) fn memory_efficiency(&self) -> Option<f64> {
        (self.memory_budget_bytes > 0).then(|| {
            (100.0 * (1.0 - self.peak_rss_bytes as f64 / self.memory_budget_bytes as f64))
                .clamp(0.0, 100.0)
        })
    }
}

/// Runs of a benchmark and how many failed.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RunCount {
    /// Measured runs attempted.
    pub(crate) total: usize,
    /// Runs that did not exit with status 0.
    pub(crate) failed: usize,
    /// How the last failed run ended, e.g. `exited with status 3`.
    pub(crate) last_failure: Option<String>,
}

impl RunCount {
    /// Failed runs in % of all runs.
    pub(crate) fn error_rate(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            100.0 * self.failed as f64 / self.total as f64
        }
    }
}

/// One benchmark's measurements.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Series {
    /// Name as the tool (or the configuration) gives it.
    pub(crate) name: String,
    /// Which tool measured it.
    pub(crate) source: Source,
    /// The file it came from (repo-relative when possible), or the config key.
    pub(crate) origin: String,
    /// Unit of the summary.
    pub(crate) unit: Unit,
    /// Summary of the samples (in ms for [`Unit::Millis`]); `None` when no run succeeded.
    pub(crate) summary: Option<Summary>,
    /// Operations one sample stands for (throughput = this / mean time).
    pub(crate) ops_per_sample: f64,
    /// Runs and failures, when the source knows them.
    pub(crate) runs: Option<RunCount>,
    /// Process measurements (benchmarks vigil ran).
    pub(crate) process: Option<ProcessStats>,
    /// Extra per-benchmark metrics: name suffix, value, unit (e.g. `bytes_per_op`).
    pub(crate) extra: Vec<(&'static str, f64, &'static str)>,
    /// The baseline the tool itself saved (criterion's named baseline), same unit.
    pub(crate) tool_baseline: Option<Summary>,
}

impl Series {
    /// A series with only the required facts; the rest empty.
    pub(crate) fn new(name: String, source: Source, origin: String, unit: Unit) -> Self {
        Self {
            name,
            source,
            origin,
            unit,
            summary: None,
            ops_per_sample: 1.0,
            runs: None,
            process: None,
            extra: Vec::new(),
            tool_baseline: None,
        }
    }

    /// Operations per second from the mean time, for time series with a positive mean.
    pub(crate) fn throughput(&self) -> Option<f64> {
        let s = self.summary?;
        (self.unit == Unit::Millis && s.mean > 0.0).then(|| self.ops_per_sample * 1000.0 / s.mean)
    }
}

/// Metric names of one benchmark: `performance.<slug>.<name>`, where the statistics of a time
/// series end in `_ms` (`performance.parse.p95_ms`) and those of other units do not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MetricNames {
    prefix: String,
    time: bool,
}

impl MetricNames {
    /// Names for the benchmark with metric slug `slug` measured in `unit`.
    pub(crate) fn new(slug: &str, unit: &Unit) -> Self {
        Self {
            prefix: format!("performance.{slug}"),
            time: *unit == Unit::Millis,
        }
    }

    /// Name of a statistic of the samples (`mean`, `stddev`, `p50`, …), in the series' unit.
    pub(crate) fn stat(&self, stat: &str) -> String {
        if self.time {
            format!("{}.{stat}_ms", self.prefix)
        } else {
            format!("{}.{stat}", self.prefix)
        }
    }

    /// Name of any other metric of the benchmark, as given.
    pub(crate) fn plain(&self, name: &str) -> String {
        format!("{}.{name}", self.prefix)
    }
}

/// A metric-name fragment for a benchmark name: lower-case ASCII letters and digits, other
/// runs of characters replaced by one `_`.
pub(crate) fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    let s = out.trim_matches('_');
    if s.is_empty() {
        "benchmark".to_owned()
    } else {
        s.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_metric_safe() {
        assert_eq!(slug("mix/hash 64"), "mix_hash_64");
        assert_eq!(
            slug("test_sort.py::test_sort_small"),
            "test_sort_py_test_sort_small"
        );
        assert_eq!(slug("BenchmarkSortCopy10k"), "benchmarksortcopy10k");
        assert_eq!(slug("--"), "benchmark");
        assert_eq!(slug("Ünïcode ok"), "n_code_ok");
    }

    #[test]
    fn memory_efficiency_is_the_unused_share_of_the_budget() {
        let p = ProcessStats {
            user_ms: 0.0,
            system_ms: 0.0,
            cpu_pct: 0.0,
            peak_rss_bytes: 256,
            memory_budget_bytes: 1024,
        };
        assert_eq!(p.memory_efficiency(), Some(75.0));
        let over = ProcessStats {
            peak_rss_bytes: 4096,
            ..p
        };
        assert_eq!(over.memory_efficiency(), Some(0.0));
    }
}
