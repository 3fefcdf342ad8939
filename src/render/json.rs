//! `report.json`: the report model serialized as pretty JSON, and read back for `--report-only`.

use std::path::Path;

use anyhow::{Context, Result, bail};

use crate::model::{RunReport, SCHEMA_VERSION};

/// Serialize a report as pretty JSON with a trailing newline.
pub fn render(report: &RunReport) -> Result<String> {
    let mut s = serde_json::to_string_pretty(report).context("serializing the report")?;
    s.push('\n');
    Ok(s)
}

/// Read a report.json written by this version of vigil.
pub fn read(path: &Path) -> Result<RunReport> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read the report", path.display()))?;
    let report: RunReport = serde_json::from_str(&text).with_context(|| {
        format!(
            "{}: not a vigil report (run `vigil check` to create one)",
            path.display()
        )
    })?;
    if report.schema_version != SCHEMA_VERSION {
        bail!(
            "{}: report schema {} is not {SCHEMA_VERSION}; re-run `vigil check` without --report-only",
            path.display(),
            report.schema_version
        );
    }
    Ok(report)
}
