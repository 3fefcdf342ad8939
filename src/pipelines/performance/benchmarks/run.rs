//! Benchmarks vigil runs itself (`performance.benchmarks`): warm-up runs, then measured runs,
//! one after the other, each through [`crate::process::run`].
//!
//! A run that does not exit with status 0 (an error status, a signal, a timeout, or a command
//! that cannot be started) is a failed run: it counts in the error rate and its times are left
//! out of the statistics, which describe successful runs only. After a timeout the remaining
//! runs are skipped (they would most likely time out too). Warm-up runs are not measured and
//! never count as failures. An interruption (`SIGINT`/`SIGTERM`) stops the benchmark and is an
//! error of the check.

use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use anyhow::{Result, bail};

use crate::config::schema::{BenchmarkCommand, BenchmarkConfig};
use crate::pipelines::performance::stats::Summary;
use crate::pipelines::performance::{ProcessStats, RunCount, Series, Source, Unit};
use crate::process::{End, Invocation, Program};

/// The invocation of a configured benchmark, with its working folder under `root`.
pub(crate) fn invocation(cfg: &BenchmarkConfig, root: &Path) -> Invocation {
    let program = match &cfg.command {
        BenchmarkCommand::Shell(line) => Program::Shell(line.clone()),
        BenchmarkCommand::Argv(args) => Program::Argv(args.clone()),
    };
    let cwd = cfg
        .cwd
        .as_deref()
        .map_or(root.to_path_buf(), |c| root.join(c));
    let mut inv = Invocation::new(program, cwd);
    inv.env = cfg.env.clone();
    inv.timeout = Some(Duration::from_secs_f64(cfg.timeout.0));
    inv
}

/// Run one benchmark: `warmup` unmeasured runs, then `runs` measured ones.
///
/// `budget` is the memory budget for memory efficiency, in bytes. Errors only when interrupted.
pub(crate) fn run(
    cfg: &BenchmarkConfig,
    root: &Path,
    budget: u64,
    cancel: &AtomicBool,
) -> Result<Series> {
    let inv = invocation(cfg, root);
    let mut series = Series::new(
        cfg.name.clone(),
        Source::Configured,
        "performance.benchmarks".to_owned(),
        Unit::Millis,
    );
    series.ops_per_sample = cfg.ops_per_run.0;
    for _ in 0..cfg.warmup {
        if let Ok(done) = crate::process::run(&inv, cancel)
            && done.end == End::Interrupted
        {
            bail!("interrupted during the warm-up of benchmark `{}`", cfg.name);
        }
    }
    let total = cfg.runs.get() as usize;
    let mut counts = RunCount {
        total: 0,
        failed: 0,
        last_failure: None,
    };
    let (mut walls, mut user, mut system, mut peak) = (Vec::new(), 0.0, 0.0, 0u64);
    for _ in 0..total {
        counts.total += 1;
        let done = match crate::process::run(&inv, cancel) {
            Ok(done) => done,
            Err(e) => {
                counts.failed += 1;
                counts.last_failure = Some(format!("could not be started: {e:#}"));
                continue;
            }
        };
        match done.end {
            End::Interrupted => bail!("interrupted while running benchmark `{}`", cfg.name),
            End::Exited(0) => {
                walls.push(done.wall.as_secs_f64() * 1000.0);
                user += done.user_cpu.as_secs_f64() * 1000.0;
                system += done.system_cpu.as_secs_f64() * 1000.0;
                peak = peak.max(done.peak_rss_bytes);
            }
            end => {
                counts.failed += 1;
                counts.last_failure = Some(end.describe());
                if end == End::TimedOut {
                    counts.last_failure = Some(format!(
                        "timed out after {} s; the remaining runs were skipped",
                        crate::gate::fmt_num(cfg.timeout.0)
                    ));
                    break;
                }
            }
        }
    }
    if !walls.is_empty() {
        let n = walls.len() as f64;
        let wall_sum: f64 = walls.iter().sum();
        series.process = Some(ProcessStats {
            user_ms: user / n,
            system_ms: system / n,
            cpu_pct: if wall_sum > 0.0 {
                100.0 * (user + system) / wall_sum
            } else {
                0.0
            },
            peak_rss_bytes: peak,
            memory_budget_bytes: cfg.memory_budget.map_or(budget, |b| b.0),
        });
    }
    series.summary = Summary::of(&walls);
    series.runs = Some(counts);
    Ok(series)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use crate::config::schema::{ByteSize, Positive};

    fn bench(name: &str, command: &str, runs: u32) -> BenchmarkConfig {
        BenchmarkConfig {
            name: name.into(),
            command: BenchmarkCommand::Shell(command.into()),
            warmup: 1,
            runs: std::num::NonZeroU32::new(runs).expect("runs > 0"),
            timeout: Positive(30.0),
            env: Default::default(),
            cwd: None,
            ops_per_run: Positive(1.0),
            memory_budget: None,
        }
    }

    fn never() -> AtomicBool {
        AtomicBool::new(false)
    }

    #[test]
    fn sleep_times_land_in_the_expected_window() {
        let root = std::env::temp_dir();
        let s = run(&bench("sleep", "sleep 0.05", 5), &root, 1 << 30, &never()).expect("runs");
        let sum = s.summary.expect("summary");
        assert_eq!(sum.n, 5);
        let p50 = sum.median.expect("median");
        assert!((40.0..=80.0).contains(&p50), "P50 {p50} ms");
        assert!(sum.p95.expect("p95") >= p50);
        let runs = s.runs.clone().expect("runs");
        assert_eq!((runs.total, runs.failed), (5, 0));
        // ~50 ms per run: about 20 operations per second.
        let ops = s.throughput().expect("throughput");
        assert!((12.0..=25.0).contains(&ops), "{ops} ops/s");
        let p = s.process.expect("process stats");
        assert!(p.cpu_pct < 50.0, "sleep is not busy: {}", p.cpu_pct);
    }

    #[test]
    fn failed_runs_count_in_the_error_rate_and_not_in_the_times() {
        let dir = tempfile::tempdir().expect("tmp");
        // Fails every other run, using a counter file in its working folder.
        let mut cfg = bench(
            "flaky",
            "n=$(cat n 2>/dev/null || echo 0); echo $((n+1)) > n; [ $((n % 2)) -eq 1 ]",
            4,
        );
        cfg.warmup = 0;
        let s = run(&cfg, dir.path(), 1 << 30, &never()).expect("runs");
        let runs = s.runs.as_ref().expect("runs");
        assert_eq!((runs.total, runs.failed), (4, 2));
        assert_eq!(runs.error_rate(), 50.0);
        assert_eq!(runs.last_failure.as_deref(), Some("exited with status 1"));
        assert_eq!(s.summary.expect("summary").n, 2);
    }

    #[test]
    fn a_program_that_cannot_start_fails_every_run() {
        let mut cfg = bench("missing", "", 3);
        cfg.command = BenchmarkCommand::Argv(vec!["vigil-no-such-program-xyz".into()]);
        let s = run(&cfg, &std::env::temp_dir(), 1 << 30, &never()).expect("runs");
        let runs = s.runs.expect("runs");
        assert_eq!((runs.total, runs.failed), (3, 3));
        assert!(s.summary.is_none());
        assert!(
            runs.last_failure
                .as_deref()
                .is_some_and(|f| f.starts_with("could not be started")),
            "{:?}",
            runs.last_failure
        );
    }

    #[test]
    fn a_timeout_fails_the_run_and_skips_the_rest() {
        let mut cfg = bench("slow", "sleep 10", 5);
        cfg.warmup = 0;
        cfg.timeout = Positive(0.2);
        let start = std::time::Instant::now();
        let s = run(&cfg, &std::env::temp_dir(), 1 << 30, &never()).expect("runs");
        assert!(start.elapsed() < Duration::from_secs(5));
        let runs = s.runs.expect("runs");
        assert_eq!((runs.total, runs.failed), (1, 1));
        assert!(
            runs.last_failure
                .as_deref()
                .is_some_and(|f| f.contains("timed out"))
        );
    }

    #[test]
    fn peak_memory_of_a_100_mb_program_and_its_efficiency() {
        let mut cfg = bench(
            "alloc",
            "x=$(head -c 100000000 /dev/zero | tr '\\0' a); echo ${#x} >/dev/null",
            1,
        );
        cfg.warmup = 0;
        cfg.memory_budget = Some(ByteSize(1_000_000_000));
        let s = run(&cfg, &std::env::temp_dir(), 1 << 30, &never()).expect("runs");
        let p = s.process.expect("process stats");
        assert!(p.peak_rss_bytes >= 100_000_000, "{}", p.peak_rss_bytes);
        assert_eq!(p.memory_budget_bytes, 1_000_000_000);
        let eff = p.memory_efficiency().expect("efficiency");
        assert!((50.0..=90.0).contains(&eff), "{eff}");
    }

    #[test]
    fn interruption_is_an_error() {
        let cancel = AtomicBool::new(true);
        let mut cfg = bench("x", "sleep 5", 2);
        cfg.warmup = 0;
        let err = run(&cfg, &std::env::temp_dir(), 1, &cancel).expect_err("interrupted");
        assert!(format!("{err:#}").contains("interrupted"), "{err:#}");
    }
}
