//! GitHub Actions integration (being implemented).

use anyhow::Result;

use crate::commands::check::OutputPaths;
use crate::model::RunReport;
use crate::output::Ui;

/// Append the summary, write outputs and print annotations.
pub fn emit(_report: &RunReport, _summary: &str, _paths: &OutputPaths, _ui: &Ui) -> Result<()> {
    Ok(())
}
