//! The run log: JSON lines appended to `reports/logs/vigil-<date>.log`, one event per line.
//!
//! Events are built from the finished report (which never holds a secret in clear), so the log
//! cannot leak one either.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde_json::json;

use crate::model::RunReport;

/// Path of today's log file under a logs folder.
pub fn log_path(dir: &Path, report: &RunReport) -> PathBuf {
    let date = report.started_at.get(..10).unwrap_or("unknown");
    dir.join(format!("vigil-{date}.log"))
}

/// The events of one run, as JSON lines.
pub fn events(report: &RunReport, config: Option<&Path>) -> Vec<serde_json::Value> {
    let mut ev = vec![json!({
        "ts": report.started_at, "level": "info", "event": "run_started",
        "run_id": report.run_id, "version": report.tool.version,
        "commit": report.repo.commit, "branch": report.repo.branch, "dirty": report.repo.dirty,
        "config": config.map(|p| p.display().to_string()), "config_digest": report.config_digest,
    })];
    ev.push(json!({
        "ts": report.finished_at, "level": if report.walk.unreadable > 0 { "warn" } else { "info" },
        "event": "walk", "run_id": report.run_id, "stats": report.walk,
    }));
    for p in &report.pipelines {
        for c in &p.checks {
            ev.push(json!({
                "ts": report.finished_at,
                "level": match c.status { crate::model::CheckStatus::Error => "error", crate::model::CheckStatus::Skipped => "warn", crate::model::CheckStatus::Ran => "info" },
                "event": "check", "run_id": report.run_id, "pipeline": p.pipeline, "check": c.id,
                "status": c.status, "duration_ms": c.duration_ms, "note": c.note,
            }));
        }
        for g in &p.gates {
            ev.push(json!({
                "ts": report.finished_at, "level": "info", "event": "gate", "run_id": report.run_id,
                "pipeline": p.pipeline, "gate": g.name, "status": g.status, "actual": g.actual,
                "threshold": g.threshold.value,
            }));
        }
    }
    ev.push(json!({
        "ts": report.finished_at, "level": "info", "event": "run_finished", "run_id": report.run_id,
        "overall_status": report.overall_status, "duration_ms": report.duration_ms, "counts": report.counts,
    }));
    ev
}

/// Append the run's events to today's log file (one write).
pub fn append(dir: &Path, report: &RunReport, config: Option<&Path>) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let path = log_path(dir, report);
    let mut buf = Vec::new();
    for e in events(report, config) {
        serde_json::to_writer(&mut buf, &e)?;
        buf.push(b'\n');
    }
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .with_context(|| format!("opening {}", path.display()))?;
    f.write_all(&buf)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}
