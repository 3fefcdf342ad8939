//! Command readiness (`integration.commands`): every documented command of the project's CLI
//! answers `--help` with exit status 0 within its timeout.
//!
//! vigil appends `--help` to each configured command (a shell line gets ` --help`, a list one
//! more argument) and runs it through [`crate::process::run`], one after the other, in the
//! repository hook. A command that cannot start, exits with another status, is killed or times
//! out is a `command-not-ready` finding with the last line of what it printed.

use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use anyhow::{Result, bail};
use serde_json::json;

use super::commands::tail;
use crate::config::schema::{BenchmarkCommand, ReadinessCommandConfig};
use crate::model::{Metric, Pipeline, Severity};
use crate::pipelines::{Built, Check, CheckContext, CheckSpec, RuleMeta, Sink};
use crate::process::{Capture, End, Invocation, Program};
use crate::walk::FileIndex;

const DOCS: &str = include_str!("readiness.md");

/// Rules of this check.
pub static RULES: &[RuleMeta] = &[RuleMeta {
    id: "command-not-ready",
    name: "Command does not answer --help",
    pipeline: Pipeline::Integration,
    default_severity: Severity::Medium,
    summary: "A configured command did not answer `--help` with exit status 0 in time.",
    docs: DOCS,
}];

/// Registry entry.
pub const SPEC: CheckSpec = CheckSpec {
    id: "readiness",
    pipeline: Pipeline::Integration,
    rules: RULES,
    docs: DOCS,
    build,
};

/// Commands checked.
pub const METRIC_CHECKED: &str = "integration.commands_checked";
/// Commands that answered `--help`.
pub const METRIC_READY: &str = "integration.commands_ready";
/// Commands that answered `--help`, in % of those checked.
pub const METRIC_READY_PCT: &str = "integration.commands_ready_pct";

fn build(ctx: &CheckContext<'_>) -> Result<Built> {
    let commands = &ctx.config.integration.commands;
    if commands.is_empty() {
        return Ok(Built::Skipped(
            "no commands configured (integration.commands)".to_owned(),
        ));
    }
    Ok(Built::Ready(Box::new(ReadinessCheck {
        commands: commands.clone(),
    })))
}

/// Runs `--help` on each configured command.
struct ReadinessCheck {
    commands: Vec<ReadinessCommandConfig>,
}

impl Check for ReadinessCheck {
    fn check_repo(
        &self,
        ctx: &CheckContext<'_>,
        _index: &FileIndex,
        sink: &mut Sink,
    ) -> Result<()> {
        let never = AtomicBool::new(false);
        let mut ready = 0u64;
        for cfg in &self.commands {
            match probe(cfg, ctx.root, &never)? {
                None => ready += 1,
                Some((why, output)) => {
                    let shown = help_program(&cfg.command).display();
                    let mut message = format!("`{shown}` {why}");
                    if let Some(line) = tail::last_line(&output) {
                        message.push_str(&format!(": {line}"));
                    }
                    let mut f = RULES[0].finding(message, None, &shown);
                    f.help = Some(format!(
                        "Make `{shown}` print its usage and exit 0, or remove the command from \
                         integration.commands if it is no longer documented."
                    ));
                    f.properties.insert("command".into(), json!(shown));
                    if !output.is_empty() {
                        f.properties.insert("output_tail".into(), json!(output));
                    }
                    sink.push(f);
                }
            }
        }
        let checked = self.commands.len() as u64;
        sink.metric(Metric::new(METRIC_CHECKED, checked as f64, "count"));
        sink.metric(Metric::new(METRIC_READY, ready as f64, "count"));
        let pct = ready as f64 * 100.0 / checked.max(1) as f64;
        sink.metric(Metric::new(
            METRIC_READY_PCT,
            (pct * 100.0).round() / 100.0,
            "%",
        ));
        Ok(())
    }
}

/// The command with `--help` appended.
fn help_program(command: &BenchmarkCommand) -> Program {
    match command {
        BenchmarkCommand::Shell(line) => Program::Shell(format!("{line} --help")),
        BenchmarkCommand::Argv(args) => {
            let mut args = args.clone();
            args.push("--help".to_owned());
            Program::Argv(args)
        }
    }
}

/// Run `command --help`: `None` when it answered, else why not and the tail of its output.
/// Errors only when vigil is interrupted.
fn probe(
    cfg: &ReadinessCommandConfig,
    root: &Path,
    cancel: &AtomicBool,
) -> Result<Option<(String, String)>> {
    let mut inv = Invocation::new(help_program(&cfg.command), root);
    inv.timeout = Some(Duration::from_secs_f64(cfg.timeout_seconds.0));
    inv.stdout = Capture::Last(tail::CAPTURE_BYTES);
    inv.stderr = Capture::Last(tail::CAPTURE_BYTES);
    let done = match crate::process::run(&inv, cancel) {
        Ok(done) => done,
        Err(e) => {
            return Ok(Some((
                format!("could not be started: {e:#}"),
                String::new(),
            )));
        }
    };
    let output = tail::last_lines(&done.stdout, &done.stderr, &inv.env);
    Ok(match done.end {
        End::Exited(0) => None,
        End::Interrupted => bail!("interrupted while running `{}`", inv.program.display()),
        End::TimedOut => Some((
            format!(
                "did not answer within {} s",
                crate::gate::fmt_num(cfg.timeout_seconds.0)
            ),
            output,
        )),
        end => Some((end.describe(), output)),
    })
}

#[cfg(all(test, unix))]
mod tests;
