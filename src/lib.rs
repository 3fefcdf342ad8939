//! vigil — a quality gate for CI.
//!
//! One walk of the repository feeds five pipelines (security, quality, documentation,
//! performance, integration); their findings, metrics and gates form one [`model::RunReport`],
//! from which every output is rendered (JSON, SARIF, JUnit, Markdown, GitHub annotations).
//!
//! The binary is a thin shell around [`run`]; everything is reachable from this library so it
//! can be tested without spawning processes.

pub mod baseline;
pub mod cli;
pub mod commands;
pub mod config;
pub mod gate;
pub mod git;
pub mod history;
pub mod log;
pub mod model;
pub mod output;
pub mod pipelines;
pub mod process;
pub mod render;
pub mod runner;
pub mod score;
pub mod suppress;
pub mod syntax;
pub mod walk;

use std::process::ExitCode;

/// How a command ended; the only place exit codes are decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Everything passed (warnings allowed): exit 0.
    Passed,
    /// A gate failed: exit 1.
    GateFailed,
    /// Usage, configuration or input error, or a check errored: exit 2.
    Error,
}

impl From<ExitStatus> for ExitCode {
    fn from(s: ExitStatus) -> Self {
        match s {
            ExitStatus::Passed => Self::SUCCESS,
            ExitStatus::GateFailed => Self::from(1),
            ExitStatus::Error => Self::from(2),
        }
    }
}

/// Run a parsed command line.
pub fn run(cli: cli::Cli) -> anyhow::Result<ExitStatus> {
    let ui = output::Ui::new(&cli.global);
    match cli.command {
        cli::Command::Check(args) => commands::check::run(&args, &ui),
        cli::Command::Init(args) => commands::init::run(&args, &ui),
        cli::Command::Explain(args) => commands::explain::run(&args, &ui),
        cli::Command::Monitor(args) => commands::monitor::run(&args, &ui),
    }
}
