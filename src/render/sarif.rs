//! sarif renderer (being implemented).

use anyhow::Result;

use crate::model::RunReport;

/// Render the report.
pub fn render(report: &RunReport) -> Result<String> {
    Ok(format!("{}\n", report.run_id))
}
