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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_round_trips_through_json() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/cli/basic");
        let opts = crate::runner::RunOptions {
            root,
            pipelines: crate::model::Pipeline::ALL.to_vec(),
            offline: true,
            fail_on: Some(crate::model::Severity::Low),
            ..Default::default()
        };
        let report = crate::runner::execute(&crate::config::Config::default(), &opts, None)
            .expect("run on the fixture");
        assert!(report.findings().count() >= 3);
        let text = render(&report).expect("render");
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("report.json");
        std::fs::write(&path, &text).expect("write");
        let back = read(&path).expect("read back");
        assert_eq!(back, report);
        assert_eq!(render(&back).expect("render again"), text);
    }

    #[test]
    fn foreign_or_old_reports_are_rejected_clearly() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("report.json");
        std::fs::write(&path, "{\"hello\": 1}").expect("write");
        let e = format!("{:#}", read(&path).expect_err("foreign"));
        assert!(e.contains("not a vigil report"), "{e}");
    }
}
