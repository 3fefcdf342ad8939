//! Test commands (`integration.tests`): the project's own test suites, run by vigil with a
//! timeout and their environment, each a finding when it fails.
//!
//! **When they run.** Test commands run while the check is *built*, before the shared walk,
//! and one after the other. That order is the point: a command that writes a JUnit report
//! (`junit: target/junit.xml`) writes it before the walk looks for reports, so the `junit`
//! check reads this run's results, not the previous run's. The repository hook only turns the
//! recorded outcomes into findings and metrics.
//!
//! **Processes.** Every command goes through [`crate::process::run`]: its own process group,
//! stopped as a whole on timeout or `SIGINT`/`SIGTERM`, leftovers killed when it exits. An
//! interruption makes the check an error (the run then has no trustworthy test result).
//!
//! **Output.** The last lines of the command's output go into the finding, with the values of
//! its configured `env` masked (module `tail`); environment values are never printed.

pub(crate) mod tail;

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::{Duration, SystemTime};

use anyhow::{Result, bail};
use serde_json::json;

use crate::config::schema::{BenchmarkCommand, TestCommandConfig};
use crate::model::{Finding, Metric, Pipeline, Severity};
use crate::pipelines::performance::slug;
use crate::pipelines::quality::coverage::inputs::Selection;
use crate::pipelines::{Built, Check, CheckContext, CheckSpec, RuleMeta, Sink};
use crate::process::{Capture, End, Finished, Invocation, Program};
use crate::walk::FileIndex;

const DOCS: &str = include_str!("commands.md");

/// Rules of this check.
pub static RULES: &[RuleMeta] = &[
    RuleMeta {
        id: "test-command-failed",
        name: "Test command failed",
        pipeline: Pipeline::Integration,
        default_severity: Severity::High,
        summary: "A configured test command exited with an error, was killed or could not start.",
        docs: DOCS,
    },
    RuleMeta {
        id: "test-command-timed-out",
        name: "Test command timed out",
        pipeline: Pipeline::Integration,
        default_severity: Severity::High,
        summary: "A configured test command ran past its timeout and was stopped.",
        docs: DOCS,
    },
    RuleMeta {
        id: "test-report-missing",
        name: "Test report not written",
        pipeline: Pipeline::Integration,
        default_severity: Severity::Medium,
        summary: "A test command did not write the JUnit report its configuration names.",
        docs: DOCS,
    },
];

/// Registry entry.
pub const SPEC: CheckSpec = CheckSpec {
    id: "commands",
    pipeline: Pipeline::Integration,
    rules: RULES,
    docs: DOCS,
    build,
};

/// Test commands run.
pub const METRIC_COUNT: &str = "integration.test_commands";
/// Test commands that failed or timed out.
pub const METRIC_FAILED: &str = "integration.test_commands_failed";
/// Wall time of all test commands together, in ms.
pub const METRIC_TOTAL_MS: &str = "integration.test_commands_ms";

/// Name of the metric holding one test command's wall time.
pub fn duration_metric(name: &str) -> String {
    format!("integration.test_command.{}.duration_ms", slug(name))
}

fn build(ctx: &CheckContext<'_>) -> Result<Built> {
    let tests = &ctx.config.integration.tests;
    if tests.is_empty() {
        return Ok(Built::Skipped(
            "no test commands configured (integration.tests)".to_owned(),
        ));
    }
    let junit = &ctx.config.integration.junit;
    let read_by_junit = Selection::new("integration.junit.reports", &junit.reports)?;
    let never = AtomicBool::new(false);
    let mut outcomes = Vec::new();
    for cfg in tests {
        let mut outcome = run_one(cfg, ctx.root, &never)?;
        if let Some(report) = &cfg.junit
            && !read_by_junit.matches(report)
            && !(junit.auto_detect && has_report_name(report))
        {
            outcome.notes.push(format!(
                "test command `{}` writes {report}, which the junit check does not read: list \
                 it in integration.junit.reports",
                cfg.name
            ));
        }
        outcomes.push(outcome);
    }
    Ok(Built::Ready(Box::new(CommandsCheck { outcomes })))
}

/// Whether the junit check's auto-detection looks at a file of this name.
fn has_report_name(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".xml")
        && (lower.starts_with("junit") || name.starts_with("TEST-") || path.contains("nextest/"))
}

/// What running one test command gave.
#[derive(Debug)]
pub(crate) struct Outcome {
    /// The command's configuration.
    pub(crate) cfg: TestCommandConfig,
    /// How it ended, or why it could not start.
    pub(crate) result: std::result::Result<Finished, String>,
    /// Whether the JUnit report it names is missing or was not rewritten by this run.
    pub(crate) report_missing: bool,
    /// Remarks for the check's entry.
    pub(crate) notes: Vec<String>,
}

/// The invocation of a test command, with its working folder under `root`.
fn invocation(cfg: &TestCommandConfig, root: &Path) -> Invocation {
    let program = match &cfg.command {
        BenchmarkCommand::Shell(line) => Program::Shell(line.clone()),
        BenchmarkCommand::Argv(args) => Program::Argv(args.clone()),
    };
    let cwd = cfg
        .working_dir
        .as_deref()
        .map_or(root.to_path_buf(), |d| root.join(d));
    let mut inv = Invocation::new(program, cwd);
    inv.env = cfg.env.clone();
    inv.timeout = Some(Duration::from_secs_f64(cfg.timeout_seconds.0));
    inv.stdout = Capture::Last(tail::CAPTURE_BYTES);
    inv.stderr = Capture::Last(tail::CAPTURE_BYTES);
    inv
}

/// Modification time of a file, if it exists.
fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// Run one test command. Errors only when vigil is interrupted meanwhile.
pub(crate) fn run_one(
    cfg: &TestCommandConfig,
    root: &Path,
    cancel: &AtomicBool,
) -> Result<Outcome> {
    let report: Option<PathBuf> = cfg.junit.as_deref().map(|r| root.join(r));
    let before = report.as_deref().and_then(modified);
    let result = crate::process::run(&invocation(cfg, root), cancel).map_err(|e| format!("{e:#}"));
    if matches!(&result, Ok(done) if done.end == End::Interrupted) {
        bail!("interrupted while running test command `{}`", cfg.name);
    }
    // A report counts as written when it exists and is newer than before the run (a command
    // that timed out or could not start is reported for that, not for its report).
    let report_missing = match (&report, &result) {
        (Some(path), Ok(done)) if matches!(done.end, End::Exited(_) | End::Signaled(_)) => {
            match modified(path) {
                None => true,
                Some(after) => before.is_some_and(|b| after <= b),
            }
        }
        _ => false,
    };
    Ok(Outcome {
        cfg: cfg.clone(),
        result,
        report_missing,
        notes: Vec::new(),
    })
}

/// Holds the outcomes of the test commands run when the check was built.
struct CommandsCheck {
    outcomes: Vec<Outcome>,
}

impl Check for CommandsCheck {
    fn check_repo(
        &self,
        _ctx: &CheckContext<'_>,
        _index: &FileIndex,
        sink: &mut Sink,
    ) -> Result<()> {
        report(&self.outcomes, sink);
        Ok(())
    }
}

/// Findings, metrics and notes for the outcomes of the test commands.
pub(crate) fn report(outcomes: &[Outcome], sink: &mut Sink) {
    let mut failed = 0u64;
    let mut total_ms = 0.0;
    for o in outcomes {
        sink.notes.extend(o.notes.iter().cloned());
        let cfg = &o.cfg;
        let command = tail::mask(&display(&cfg.command), &cfg.env);
        let done = match &o.result {
            Ok(done) => done,
            Err(why) => {
                failed += 1;
                let mut f = RULES[0].finding(
                    format!("test command `{}` could not be started: {why}", cfg.name),
                    None,
                    &cfg.name,
                );
                f.help = Some(format!(
                    "Check that `{command}` exists and runs from the working folder."
                ));
                f.properties.insert("command".into(), json!(command));
                sink.push(f);
                continue;
            }
        };
        let ms = done.wall.as_secs_f64() * 1000.0;
        total_ms += ms;
        sink.metric(Metric::new(duration_metric(&cfg.name), round(ms), "ms"));
        if !done.end.is_success() {
            failed += 1;
            sink.push(failure(cfg, done, &command));
        }
        if o.report_missing
            && let Some(path) = &cfg.junit
        {
            let mut f = RULES[2].finding(
                format!(
                    "test command `{}` did not write its JUnit report {path}",
                    cfg.name
                ),
                None,
                &format!("{}\0{path}", cfg.name),
            );
            f.help = Some(
                "Make the command write the report (e.g. `pytest --junitxml=PATH`, \
                 `cargo nextest run --profile ci`), or fix the `junit` path in its configuration."
                    .into(),
            );
            sink.push(f);
        }
    }
    sink.metric(Metric::new(METRIC_COUNT, outcomes.len() as f64, "count"));
    sink.metric(Metric::new(METRIC_FAILED, failed as f64, "count"));
    sink.metric(Metric::new(METRIC_TOTAL_MS, round(total_ms), "ms"));
}

/// The finding for a command that ran and did not exit with status 0.
fn failure(cfg: &TestCommandConfig, done: &Finished, command: &str) -> Finding {
    let output = tail::last_lines(&done.stdout, &done.stderr, &cfg.env);
    let secs = format!("{:.1}", done.wall.as_secs_f64());
    let (rule, what) = match done.end {
        End::TimedOut => (
            &RULES[1],
            format!(
                "timed out after {} s and was stopped",
                crate::gate::fmt_num(cfg.timeout_seconds.0)
            ),
        ),
        end => (&RULES[0], format!("{} after {secs} s", end.describe())),
    };
    let mut message = format!("test command `{}` {what}", cfg.name);
    if let Some(line) = tail::last_line(&output) {
        message.push_str(&format!(": {line}"));
    }
    let mut f = rule.finding(message, None, &cfg.name);
    f.help = Some(match done.end {
        End::TimedOut => format!(
            "Run `{command}` locally to see where it hangs, or raise its `timeout_seconds`."
        ),
        _ => format!("Run `{command}` locally and fix the failing tests."),
    });
    f.properties.insert("command".into(), json!(command));
    f.properties.insert(
        "duration_ms".into(),
        json!(round(done.wall.as_secs_f64() * 1000.0)),
    );
    if let End::Exited(code) = done.end {
        f.properties.insert("exit_code".into(), json!(code));
    }
    if !output.is_empty() {
        f.properties.insert("output_tail".into(), json!(output));
    }
    f
}

/// The command as the user wrote it.
fn display(command: &BenchmarkCommand) -> String {
    match command {
        BenchmarkCommand::Shell(line) => Program::Shell(line.clone()).display(),
        BenchmarkCommand::Argv(args) => Program::Argv(args.clone()).display(),
    }
}

/// `v` rounded to 0.1.
fn round(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

#[cfg(all(test, unix))]
mod tests;
