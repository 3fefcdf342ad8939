//! `vigil monitor`: run the monitored pipelines over and over, recording every cycle.
//!
//! A cycle is a run of the performance pipeline (benchmarks, imported results, host snapshot)
//! and of the integration pipeline's `service` check (the HTTP probes, after starting the
//! service when `integration.service.command` is set) through the same runner as `vigil
//! check`, so gates, scores and findings are computed the same way. Each finished cycle writes, atomically, a history record
//! (`<out>/runs/<run id>.json`, which the next cycle's regression check reads), the full report
//! as `<out>/latest/monitor.json` (not `report.json`, which belongs to `vigil check`) and a log
//! entry; then a status line is printed.
//!
//! `--once` runs one cycle and exits like `vigil check`: 0 passed, 1 a gate failed, 2 an error.
//! Otherwise cycles start every `--interval` seconds (default `operations.refresh_seconds`),
//! start to start; a cycle that overruns is followed at once by the next, without catching up
//! on the missed ones.
//!
//! `SIGINT` and `SIGTERM` stop the monitor cleanly: a running benchmark's process group is
//! stopped, the unfinished cycle is discarded (a half-measured cycle would poison the history
//! the next regression check compares with), a sleep between cycles ends within [`TICK`], and
//! the monitor exits 0 — or 2 with `--once`, whose one cycle then has no result. Files are only
//! ever replaced by rename, so an interruption never leaves a half-written record.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use crate::ExitStatus;
use crate::cli::MonitorArgs;
use crate::commands::check::OutputPaths;
use crate::model::{GateStatus, Pipeline, RunReport};
use crate::output::Ui;
use crate::runner::{RunOptions, canonical_root, execute};

/// Pipelines a monitor cycle runs: performance, and integration when a service or probes are
/// configured.
fn monitored_pipelines(config: &crate::config::Config) -> Vec<Pipeline> {
    let service = &config.integration.service;
    if service.command.is_some() || !service.probes.is_empty() {
        vec![Pipeline::Performance, Pipeline::Integration]
    } else {
        vec![Pipeline::Performance]
    }
}

/// The checks of a monitor cycle: every performance check, and the service probes.
fn monitored_checks() -> Vec<String> {
    crate::pipelines::REGISTRY
        .iter()
        .filter(|s| {
            s.pipeline == Pipeline::Performance
                || s.id == crate::pipelines::integration::service::SPEC.id
        })
        .map(|s| s.id.to_owned())
        .collect()
}

/// How often a sleep between cycles checks for a signal.
pub const TICK: Duration = Duration::from_millis(50);

/// Run `vigil monitor`.
pub fn run(args: &MonitorArgs, ui: &Ui) -> Result<ExitStatus> {
    let root = match canonical_root(&args.path) {
        Ok(r) => r,
        Err(e) => {
            crate::output::error(&format!("{e:#}"));
            return Ok(ExitStatus::Error);
        }
    };
    let loaded = match crate::config::load(&root, args.config.as_deref()) {
        Ok(l) => l,
        Err(e) => {
            crate::output::error(&e.to_string());
            return Ok(ExitStatus::Error);
        }
    };
    let mut config = loaded.config;
    let out_dir = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(&config.output.dir));
    // The regression check reads run history from `output.dir`: point it at this monitor's.
    config.output.dir = out_dir.to_string_lossy().into_owned();
    let interval = if args.once {
        None
    } else {
        match args.interval {
            Some(s) => Some(Duration::from_secs(s)),
            None if config.operations.refresh_seconds.0 > 0.0 => {
                Some(Duration::from_secs_f64(config.operations.refresh_seconds.0))
            }
            None => {
                crate::output::error(
                    "operations.refresh_seconds is 0, so the monitor has no interval; give \
                     --interval SECONDS or --once",
                );
                return Ok(ExitStatus::Error);
            }
        }
    };
    crate::process::install_signal_handlers()?;
    if let Some(src) = &loaded.source {
        ui.detail(&format!("configuration: {}", src.display()));
    }
    let paths = OutputPaths::new(&out_dir);
    let mut opts = RunOptions {
        root,
        pipelines: monitored_pipelines(&config),
        checks: monitored_checks(),
        offline: true,
        skip_dirs: vec![out_dir.clone()],
        config_digest: crate::config::digest(&config),
        ..RunOptions::default()
    };
    let mut cycle = 0u64;
    loop {
        let started = Instant::now();
        cycle += 1;
        opts.today = chrono::Utc::now().date_naive();
        let mut report = execute(&config, &opts, None)?;
        if crate::process::interrupted() {
            ui.info("monitor: interrupted; the unfinished cycle was not recorded");
            return Ok(if interval.is_some() {
                ExitStatus::Passed
            } else {
                ExitStatus::Error
            });
        }
        report.previous = crate::history::latest(&out_dir).map(|r| r.as_previous());
        record(&report, &paths, loaded.source.as_deref(), ui)?;
        print_cycle(cycle, &report, ui);
        let Some(every) = interval else {
            return Ok(crate::gate::exit_status(&report));
        };
        if !sleep_until(started + every) {
            ui.info("monitor: stopped");
            return Ok(ExitStatus::Passed);
        }
    }
}

/// Write the cycle's history record, full report and log entry.
fn record(report: &RunReport, paths: &OutputPaths, config: Option<&Path>, ui: &Ui) -> Result<()> {
    let latest = paths.dir.join("latest").join("monitor.json");
    crate::render::write_atomic(&latest, crate::render::json::render(report)?.as_bytes())
        .with_context(|| format!("writing {}", latest.display()))?;
    let record = crate::history::HistoryRecord::from_report(report);
    crate::history::write(&paths.dir, &record)?;
    crate::log::append(&paths.logs, report, config)
        .unwrap_or_else(|e| ui.warn(&format!("could not write the log: {e:#}")));
    Ok(())
}

fn print_cycle(cycle: u64, report: &RunReport, ui: &Ui) {
    let c = &report.counts;
    let benchmarks = report
        .pipelines
        .iter()
        .find_map(|p| p.metric("performance.benchmarks"))
        .unwrap_or(0.0);
    let probes = report
        .pipelines
        .iter()
        .find_map(|p| {
            let total = p.metric(crate::pipelines::integration::service::METRIC_PROBES)?;
            let passed = p
                .metric(crate::pipelines::integration::service::METRIC_PROBES_PASSED)
                .unwrap_or(0.0);
            Some(format!(", {passed}/{total} probes passed"))
        })
        .unwrap_or_default();
    ui.info(&format!(
        "monitor cycle {cycle} ({}): {} — {benchmarks} benchmarks{probes}, gates {} passed / {} \
         warned / {} failed, {} ms",
        report.run_id,
        report.overall_status.as_str(),
        c.gates_passed,
        c.gates_warned,
        c.gates_failed,
        report.duration_ms
    ));
    for g in report.gates().filter(|g| g.status == GateStatus::Failed) {
        ui.info(&format!("  FAILED {}: {}", g.name, g.message));
    }
    for check in report.pipelines.iter().flat_map(|p| p.checks.iter()) {
        if check.status == crate::model::CheckStatus::Error {
            ui.info(&format!(
                "  ERROR check {}: {}",
                check.id,
                check.note.as_deref().unwrap_or("")
            ));
        }
    }
}

/// Sleep until `deadline`, waking every [`TICK`] to look for a signal. Returns false when
/// interrupted.
fn sleep_until(deadline: Instant) -> bool {
    loop {
        if crate::process::interrupted() {
            return false;
        }
        let now = Instant::now();
        if now >= deadline {
            return true;
        }
        std::thread::sleep((deadline - now).min(TICK));
    }
}
