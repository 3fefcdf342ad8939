//! The baseline: fingerprints of accepted findings, so a legacy repository gates on new
//! findings only.
//!
//! The file is JSON with one entry per line, sorted by fingerprint, holding the rule and path
//! for reviewers. Sorting and one-entry-per-line keep diffs small and merge conflicts rare: two
//! branches that each accept a finding touch different lines. A previous `report.json` is also
//! accepted as a baseline (every fingerprint it holds).

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::model::RunReport;

/// Default baseline file name at the repository root.
pub const DEFAULT_FILE: &str = ".vigil-baseline.json";

/// One accepted finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Entry {
    /// The finding's fingerprint.
    pub fingerprint: String,
    /// Its rule, for reviewers.
    pub rule: String,
    /// Its path, for reviewers (empty for repository-wide findings).
    pub path: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BaselineFile {
    version: u32,
    findings: Vec<Entry>,
}

/// Render the baseline of a report: every active finding, sorted, one entry per line.
pub fn render(report: &RunReport) -> String {
    let entries: BTreeSet<Entry> = report
        .findings()
        .filter(|f| f.is_active() || f.suppression == Some(crate::model::Suppression::Baseline))
        .map(|f| Entry {
            fingerprint: f.fingerprint.clone(),
            rule: f.rule_id.clone(),
            path: f
                .location
                .as_ref()
                .map(|l| l.path.clone())
                .unwrap_or_default(),
        })
        .collect();
    let mut s = String::from("{\n  \"version\": 1,\n  \"findings\": [\n");
    let n = entries.len();
    for (i, e) in entries.iter().enumerate() {
        let line = serde_json::to_string(e).unwrap_or_default();
        s.push_str("    ");
        s.push_str(&line);
        s.push_str(if i + 1 < n { ",\n" } else { "\n" });
    }
    s.push_str("  ]\n}\n");
    s
}

/// Load accepted fingerprints from a baseline file or a previous report.json.
pub fn load(path: &Path) -> Result<BTreeSet<String>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read the baseline", path.display()))?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .with_context(|| format!("{}: the baseline is not valid JSON", path.display()))?;
    if value.get("schema_version").is_some() && value.get("pipelines").is_some() {
        let report: RunReport = serde_json::from_value(value)
            .with_context(|| format!("{}: not a vigil report", path.display()))?;
        return Ok(report.findings().map(|f| f.fingerprint.clone()).collect());
    }
    let file: BaselineFile = serde_json::from_value(value).with_context(|| {
        format!(
            "{}: not a vigil baseline (expected {{\"version\": 1, \"findings\": [...]}})",
            path.display()
        )
    })?;
    if file.version != 1 {
        anyhow::bail!(
            "{}: baseline version {} is not supported",
            path.display(),
            file.version
        );
    }
    Ok(file.findings.into_iter().map(|e| e.fingerprint).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_is_sorted() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/cli/basic");
        let config = crate::config::Config::default();
        let opts = crate::runner::RunOptions {
            root: root.clone(),
            pipelines: vec![crate::model::Pipeline::Quality],
            offline: true,
            ..Default::default()
        };
        let mut report = crate::runner::execute(&config, &opts, None).expect("run");
        assert!(report.findings().filter(|f| f.is_active()).count() >= 2);
        let rendered = render(&report);
        let dir = tempfile::tempdir().expect("tmp");
        let p = dir.path().join("b.json");
        std::fs::write(&p, &rendered).expect("write");
        let loaded = load(&p).expect("load");
        let active: BTreeSet<String> = report
            .findings()
            .filter(|f| f.is_active())
            .map(|f| f.fingerprint.clone())
            .collect();
        assert_eq!(loaded, active);
        let fps: Vec<&str> = rendered
            .lines()
            .filter_map(|l| l.split("\"fingerprint\":\"").nth(1))
            .collect();
        let mut sorted = fps.clone();
        sorted.sort_unstable();
        assert_eq!(fps, sorted);
        // Rendering again gives the same bytes.
        report.run_id = "other".into();
        assert_eq!(render(&report), rendered);
    }

    #[test]
    fn rejects_foreign_json() {
        let dir = tempfile::tempdir().expect("tmp");
        let p = dir.path().join("b.json");
        std::fs::write(&p, "{\"a\": 1}").expect("write");
        let e = format!("{:#}", load(&p).expect_err("foreign"));
        assert!(e.contains("not a vigil baseline"), "{e}");
    }
}
