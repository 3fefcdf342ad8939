//! Run history: one compact JSON record per run in `reports/runs/<run id>.json`.
//!
//! A record keeps what trends, regressions, operations metrics and the dashboard need later —
//! scores, metrics, gate results, finding counts by rule and severity, and the fingerprints of
//! active findings — without the full findings, so hundreds of runs stay small.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::model::{GateStatus, OverallStatus, PreviousRun, RepoInfo, RunReport};

/// One run's record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryRecord {
    /// Layout version of the record.
    pub schema_version: String,
    /// Run id (also the file name).
    pub run_id: String,
    /// Start time, RFC 3339 UTC.
    pub started_at: String,
    /// Wall time of the run in milliseconds.
    pub duration_ms: u64,
    /// Repository facts.
    pub repo: RepoInfo,
    /// Overall status.
    pub overall_status: OverallStatus,
    /// Scores by name.
    pub scores: BTreeMap<String, f64>,
    /// Every metric by name.
    pub metrics: BTreeMap<String, f64>,
    /// Gate outcomes by name.
    pub gates: BTreeMap<String, GateStatus>,
    /// Active findings by rule id.
    pub findings_by_rule: BTreeMap<String, u64>,
    /// Active findings by severity.
    pub findings_by_severity: BTreeMap<String, u64>,
    /// Fingerprints of active findings, sorted.
    pub fingerprints: BTreeSet<String>,
}

impl HistoryRecord {
    /// The record of a finished report.
    pub fn from_report(r: &RunReport) -> Self {
        let mut metrics = BTreeMap::new();
        let mut gates = BTreeMap::new();
        for p in &r.pipelines {
            for m in &p.metrics {
                metrics.insert(m.name.clone(), m.value);
            }
            for g in &p.gates {
                gates.insert(g.name.clone(), g.status);
            }
        }
        let mut findings_by_rule = BTreeMap::new();
        let mut fingerprints = BTreeSet::new();
        for f in r.findings().filter(|f| f.is_active()) {
            *findings_by_rule.entry(f.rule_id.clone()).or_insert(0) += 1;
            fingerprints.insert(f.fingerprint.clone());
        }
        Self {
            schema_version: crate::model::SCHEMA_VERSION.to_owned(),
            run_id: r.run_id.clone(),
            started_at: r.started_at.clone(),
            duration_ms: r.duration_ms,
            repo: r.repo.clone(),
            overall_status: r.overall_status,
            scores: r.scores.iter().map(|(k, v)| (k.clone(), v.value)).collect(),
            metrics,
            gates,
            findings_by_rule,
            findings_by_severity: r.counts.by_severity.clone(),
            fingerprints,
        }
    }

    /// Headline numbers for the next run's deltas.
    pub fn as_previous(&self) -> PreviousRun {
        PreviousRun {
            run_id: self.run_id.clone(),
            overall_status: self.overall_status,
            scores: self.scores.clone(),
            active_findings: self.findings_by_severity.values().sum(),
        }
    }
}

/// What comparisons across runs read of a record: its id, commit, branch and metrics.
///
/// Reading history through this type skips the fingerprints and finding counts without
/// building them, so a long history of a repository with many findings loads quickly.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RunMetrics {
    /// Run id.
    pub run_id: String,
    /// Repository facts (commit, branch).
    pub repo: RepoInfo,
    /// Every metric by name.
    pub metrics: BTreeMap<String, f64>,
}

/// Folder of run records under an output folder.
pub fn runs_dir(out: &Path) -> PathBuf {
    out.join("runs")
}

/// The [`RunMetrics`] of every readable record, oldest first (run ids start with a UTC
/// timestamp). Unreadable or foreign files are skipped: history must never stop a run.
pub fn load_metrics(out: &Path) -> Vec<RunMetrics> {
    record_paths(out).iter().filter_map(|p| read(p)).collect()
}

/// Paths of the history records, oldest first (the names start with a UTC timestamp).
fn record_paths(out: &Path) -> Vec<PathBuf> {
    let Ok(dir) = std::fs::read_dir(runs_dir(out)) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = dir
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    paths
}

/// One record, or the part `T` of it; an unreadable or foreign file is skipped, as everywhere
/// in the history.
fn read<T: serde::de::DeserializeOwned>(path: &Path) -> Option<T> {
    let bytes = std::fs::read(path).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// The most recent readable record, if any; reads only as far back as it must.
pub fn latest(out: &Path) -> Option<HistoryRecord> {
    record_paths(out).iter().rev().find_map(|p| read(p))
}

/// Write a record as compact JSON.
pub fn write(out: &Path, record: &HistoryRecord) -> Result<PathBuf> {
    let path = runs_dir(out).join(format!("{}.json", record.run_id));
    let mut bytes = serde_json::to_vec(record).context("serializing the history record")?;
    bytes.push(b'\n');
    crate::render::write_atomic(&path, &bytes)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latest_is_the_newest_readable_record() {
        let out = tempfile::tempdir().expect("tempdir");
        let report = crate::render::sample::report();
        let mut old = HistoryRecord::from_report(&report);
        old.run_id = "20260101T000000Z-aaaaaaa".into();
        let mut new = old.clone();
        new.run_id = "20260102T000000Z-bbbbbbb".into();
        assert!(latest(out.path()).is_none(), "no history yet");
        write(out.path(), &new).expect("write");
        write(out.path(), &old).expect("write");
        // A damaged newer file is skipped, not taken for the latest run.
        std::fs::write(
            runs_dir(out.path()).join("20260103T000000Z-ccccccc.json"),
            b"{ truncated",
        )
        .expect("write");
        let got = latest(out.path()).expect("a record");
        assert_eq!(got.run_id, "20260102T000000Z-bbbbbbb");
        let all = load_metrics(out.path());
        let ids: Vec<&str> = all.iter().map(|r| r.run_id.as_str()).collect();
        assert_eq!(
            ids,
            ["20260101T000000Z-aaaaaaa", "20260102T000000Z-bbbbbbb"]
        );
        // What comparisons read comes through whole, fingerprints or not.
        assert_eq!(all[1].metrics, new.metrics);
        assert_eq!(all[1].repo, new.repo);
        assert!(!new.metrics.is_empty());
    }
}
