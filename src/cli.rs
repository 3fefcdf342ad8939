//! Command-line interface (clap derive). Doc comments here are the `--help` text; no logic.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::model::{Pipeline, Severity};

/// vigil — one quality gate for CI: security, quality, documentation, performance, integration.
#[derive(Debug, Parser)]
#[command(name = "vigil", version, propagate_version = true)]
#[command(after_help = "Examples:
  vigil check .                         run every pipeline on the current repository
  vigil check --pipeline security,docs  run a subset
  vigil explain todo-marker             show a rule's documentation
  vigil init                            write a commented vigil.yml

Exit codes: 0 passed (warnings allowed), 1 a gate failed, 2 usage, config or input error.")]
pub struct Cli {
    /// Global output options.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command accepts.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Print only errors.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// More detail on stderr (repeat for more).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// When to use colours (NO_COLOR is honoured with `auto`).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,
}

/// Colour choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when stderr is a terminal and NO_COLOR is unset.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run pipelines on a repository, evaluate gates, write reports.
    #[command(after_help = "Examples:
  vigil check .
  vigil check --pipeline security,quality --fail-on high
  vigil check --out build/vigil --format sarif,json
  vigil check --report-only             re-render outputs from reports/latest/report.json
  vigil check --write-baseline          accept today's findings; later runs gate on new ones")]
    Check(Box<CheckArgs>),
    /// Write a commented default configuration (vigil.yml).
    #[command(after_help = "Examples:
  vigil init                 write ./vigil.yml
  vigil init --output ci/vigil.yml
  vigil init --force         overwrite an existing file")]
    Init(InitArgs),
    /// Show a rule's documentation: what it finds, why, how to fix, example.
    #[command(after_help = "Examples:
  vigil explain todo-marker
  vigil explain --list")]
    Explain(ExplainArgs),
    /// Production monitor: run the benchmarks and a host snapshot on an interval, append each
    /// cycle to the run history and evaluate the gates; SIGINT/SIGTERM stop it cleanly.
    #[command(after_help = "Examples:
  vigil monitor --once                  one cycle; exit 0 passed, 1 a gate failed, 2 error
  vigil monitor --interval 300          a cycle every 5 minutes until SIGINT or SIGTERM
  vigil monitor --out /var/lib/vigil    keep history and logs there

Without --once or --interval, cycles start every operations.refresh_seconds (default 30).")]
    Monitor(MonitorArgs),
}

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub enum Format {
    /// reports/latest/report.json (always written: it is the source of the others).
    Json,
    /// reports/latest/results.sarif.
    Sarif,
    /// reports/latest/junit.xml.
    Junit,
    /// reports/latest/summary.md.
    Markdown,
}

/// Arguments of `vigil check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Repository to check.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Pipelines to run, comma-separated (security, quality, documentation|docs, performance,
    /// integration, all).
    #[arg(long, short = 'p', value_delimiter = ',', value_parser = parse_pipeline)]
    pub pipeline: Vec<PipelineChoice>,
    /// Run only these checks (the second column of `vigil explain --list`, e.g.
    /// `markers,secrets`), comma-separated; the pipelines they belong to are implied.
    #[arg(long = "check", value_delimiter = ',', value_name = "CHECK")]
    pub checks: Vec<String>,
    /// Output folder (default `reports`, or `output.dir` in the config).
    #[arg(long, env = "VIGIL_OUT")]
    pub out: Option<PathBuf>,
    /// Configuration file (default: vigil.yml, .vigil.yml, vigil.json or config/monitoring.json
    /// at the repository root).
    #[arg(long, env = "VIGIL_CONFIG")]
    pub config: Option<PathBuf>,
    /// Formats to write, comma-separated (default: all). report.json is always written.
    #[arg(long, value_enum, value_delimiter = ',')]
    pub format: Vec<Format>,
    /// Fail (exit 1) when an active finding is at or above this severity.
    #[arg(long, value_enum, env = "VIGIL_FAIL_ON")]
    pub fail_on: Option<Severity>,
    /// Re-render every output from the last report.json without scanning.
    #[arg(long)]
    pub report_only: bool,
    /// Do not read or write OUT/cache (per-file results of earlier runs; it only saves time).
    #[arg(long)]
    pub no_cache: bool,
    /// Never touch the network.
    #[arg(long)]
    pub offline: bool,
    /// Compute diff coverage of the lines changed since the merge-base of REF and HEAD
    /// (default in a GitHub pull request: its base commit).
    #[arg(long, value_name = "REF", env = "VIGIL_DIFF_BASE")]
    pub diff_base: Option<String>,
    /// Query network services: the OSV API for vulnerable dependencies, the crates.io index
    /// for yanked crates, and every external link of the Markdown docs.
    #[arg(long, conflicts_with = "offline")]
    pub online: bool,
    /// RustSec advisory database folder (a copy of github.com/rustsec/advisory-db).
    #[arg(long, value_name = "DIR")]
    pub advisory_db: Option<PathBuf>,
    /// Folder of OSV advisories (JSON/YAML, read recursively) for npm, PyPI, Go and crates.io.
    #[arg(long, value_name = "DIR")]
    pub osv_db: Option<PathBuf>,
    /// Clone or update the RustSec advisory database (in --advisory-db DIR, else the cache
    /// folder) before checking.
    #[arg(long, conflicts_with = "offline")]
    pub fetch_advisories: bool,
    /// Accepted findings: a baseline file or a previous report.json (default: `baseline` in
    /// the config). Baselined findings stay in the report but do not count against gates.
    #[arg(long, env = "VIGIL_BASELINE")]
    pub baseline: Option<PathBuf>,
    /// Write the baseline of this run's active findings (to --baseline, the config's
    /// `baseline`, or .vigil-baseline.json at the repository root).
    #[arg(long, conflicts_with = "report_only")]
    pub write_baseline: bool,
    /// Also scan the lines added by every commit of the git history for secrets.
    #[arg(long, conflicts_with = "report_only")]
    pub git_history: bool,
}

/// A `--pipeline` value: one pipeline or `all`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PipelineChoice {
    /// Every pipeline.
    All,
    /// One pipeline.
    One(Pipeline),
}

fn parse_pipeline(s: &str) -> Result<PipelineChoice, String> {
    if s.eq_ignore_ascii_case("all") {
        return Ok(PipelineChoice::All);
    }
    Pipeline::from_str(s, true)
        .map(PipelineChoice::One)
        .map_err(|_| {
            format!(
                "unknown pipeline `{s}`; use security, quality, documentation (docs), performance, \
             integration or all"
            )
        })
}

/// Arguments of `vigil init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to write the configuration.
    #[arg(long, short, default_value = "vigil.yml")]
    pub output: PathBuf,
    /// Overwrite an existing file.
    #[arg(long)]
    pub force: bool,
}

/// Arguments of `vigil explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Rule id, e.g. `todo-marker`.
    #[arg(required_unless_present = "list")]
    pub rule: Option<String>,
    /// List every rule with its pipeline, severity and summary.
    #[arg(long)]
    pub list: bool,
}

/// Arguments of `vigil monitor`.
#[derive(Debug, Args)]
pub struct MonitorArgs {
    /// Repository whose configuration and benchmarks are used.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Run one cycle and exit with its gate status.
    #[arg(long, conflicts_with = "interval")]
    pub once: bool,
    /// Seconds between the starts of two cycles (default: operations.refresh_seconds).
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..))]
    pub interval: Option<u64>,
    /// Output folder for history, logs and latest/monitor.json (default `reports`, or
    /// `output.dir` in the config).
    #[arg(long, env = "VIGIL_OUT")]
    pub out: Option<PathBuf>,
    /// Configuration file (default: discovered at the repository root).
    #[arg(long, env = "VIGIL_CONFIG")]
    pub config: Option<PathBuf>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn pipeline_aliases_parse() {
        assert_eq!(
            parse_pipeline("docs"),
            Ok(PipelineChoice::One(Pipeline::Documentation))
        );
        assert_eq!(parse_pipeline("ALL"), Ok(PipelineChoice::All));
        assert!(parse_pipeline("speed").is_err());
    }
}
