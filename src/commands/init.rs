//! `vigil init`: write the commented default configuration.

use anyhow::{Context, Result};

use crate::ExitStatus;
use crate::cli::InitArgs;
use crate::output::Ui;

/// The commented default configuration, also shipped as `config/vigil.example.yml`.
pub const TEMPLATE: &str = include_str!("../../config/vigil.example.yml");

/// Run `vigil init`.
pub fn run(args: &InitArgs, ui: &Ui) -> Result<ExitStatus> {
    if args.output.exists() && !args.force {
        crate::output::error(&format!(
            "{} already exists; use --force to overwrite it",
            args.output.display()
        ));
        return Ok(ExitStatus::Error);
    }
    crate::render::write_atomic(&args.output, TEMPLATE.as_bytes())
        .with_context(|| format!("writing {}", args.output.display()))?;
    ui.info(&format!("wrote {}", args.output.display()));
    Ok(ExitStatus::Passed)
}
