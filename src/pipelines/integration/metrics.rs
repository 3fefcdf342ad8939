//! Custom metrics (`integration.metrics`): numbers a team cares about that no other check
//! measures — a binary's size, a bundle's size, a cache hit rate — recorded with their unit and
//! gated against their target like any other metric.
//!
//! A metric comes either from a **command** (run through [`crate::process::run`] with its
//! timeout, environment and working folder; its standard output, trimmed, is the number, or the
//! one capture group of `regex` picks the number out of it) or from a **JSON file** and a JSON
//! pointer. The value is the metric `integration.custom.<name>` of the integration pipeline,
//! carrying its target; the target becomes the gate `custom.<name>` through
//! [`gates`], which [`crate::gate::config_gates`] hands to the gate evaluation, so the gate
//! counts in the gate pass rate and both land in run history.
//!
//! **Errors.** A metric that cannot be measured — the command fails, times out or prints no
//! number; the file is not JSON, has nothing at the pointer, or holds something else than a
//! number — is a `custom-metric-unavailable` finding naming the metric and the command or
//! file, and its gate is skipped (never passed). As for the other checks' configured report
//! files, a configured JSON file that does not exist is an input error: the check errors and
//! the run exits 2, since a missing artefact usually means the step that writes it did not
//! run. Wrong combinations of keys (both `command` and `file`, a `pointer` without a file, …)
//! are configuration errors naming the entry.
//!
//! Files are read through the shared walk when it offers them; a git-ignored or oversized
//! file (a `dist/` folder is usually ignored) is read by the check in its repository hook, as
//! [`Selection`] does for coverage and JUnit reports.

mod value;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};

use crate::config::schema::{BenchmarkCommand, CustomMetricConfig, MetricTarget};
use crate::gate::{ConfigGate, fmt_num};
use crate::model::{Comparator, Location, Metric, Pipeline, Severity, Target};
use crate::pipelines::quality::coverage::inputs::Selection;
use crate::pipelines::{Built, Check, CheckContext, CheckSpec, RuleMeta, Sink};
use crate::process::{Capture, End, Invocation, Program};
use crate::walk::{FileIndex, SourceFile};

const DOCS: &str = include_str!("metrics.md");

/// Rules of this check.
pub static RULES: &[RuleMeta] = &[RuleMeta {
    id: "custom-metric-unavailable",
    name: "Custom metric not measured",
    pipeline: Pipeline::Integration,
    default_severity: Severity::High,
    summary: "A custom metric's command or JSON file gave no number, so its target is not gated.",
    docs: DOCS,
}];

/// Registry entry.
pub const SPEC: CheckSpec = CheckSpec {
    id: "metrics",
    pipeline: Pipeline::Integration,
    rules: RULES,
    docs: DOCS,
    build,
};

/// Prefix of every custom metric's name in reports and history.
pub const METRIC_PREFIX: &str = "integration.custom.";

/// Prefix of every custom metric's gate name.
pub const GATE_PREFIX: &str = "custom.";

/// Most bytes of a command's standard output searched for the number.
const OUTPUT_LIMIT: usize = 1024 * 1024;

/// Name of the metric that records custom metric `name`.
pub fn metric_name(name: &str) -> String {
    format!("{METRIC_PREFIX}{name}")
}

/// The comparison a target asks for: `max` is at most, `min` at least.
fn target_of(target: MetricTarget) -> Target {
    match target {
        MetricTarget::Max(value) => Target {
            comparator: Comparator::AtMost,
            value,
        },
        MetricTarget::Min(value) => Target {
            comparator: Comparator::AtLeast,
            value,
        },
    }
}

/// The gates of the configured custom metrics that have a target, in configuration order.
pub fn gates(metrics: &[CustomMetricConfig]) -> Vec<ConfigGate> {
    metrics
        .iter()
        .filter_map(|m| {
            Some(ConfigGate {
                name: format!("{GATE_PREFIX}{}", m.name),
                metric: metric_name(&m.name),
                pipeline: Pipeline::Integration,
                target: target_of(m.target?),
                mode: m.mode,
            })
        })
        .collect()
}

fn build(ctx: &CheckContext<'_>) -> Result<Built> {
    let metrics = &ctx.config.integration.metrics;
    if metrics.is_empty() {
        return Ok(Built::Skipped(
            "no custom metric configured (integration.metrics)".to_owned(),
        ));
    }
    let mut sources = Vec::new();
    for (i, m) in metrics.iter().enumerate() {
        sources.push(validate(ctx, i, m)?);
    }
    Ok(Built::Ready(Box::new(MetricsCheck {
        root: ctx.root.to_path_buf(),
        metrics: metrics.iter().cloned().zip(sources).collect(),
        offered: Mutex::new(BTreeMap::new()),
    })))
}

/// Where a validated metric's number comes from.
enum Source {
    /// Run this, then look at its output.
    Command {
        invocation: Invocation,
        regex: Option<regex::Regex>,
    },
    /// Read this JSON file (one plain path), then follow the pointer.
    File {
        selection: Selection,
        pointer: String,
    },
}

/// Check the combination of keys of `integration.metrics[i]` and prepare its source.
fn validate(ctx: &CheckContext<'_>, i: usize, m: &CustomMetricConfig) -> Result<Source> {
    let key = format!("integration.metrics[{i}]");
    let name = &m.name;
    match (&m.command, &m.file) {
        (Some(_), Some(_)) => bail!(
            "{key} (metric `{name}`): give either `command` or `file`, not both; add a second \
             metric for the other number"
        ),
        (None, None) => bail!(
            "{key} (metric `{name}`): give `command` (a command that prints the number) or \
             `file` (a JSON file holding it)"
        ),
        (Some(command), None) => {
            if m.pointer.is_some() {
                bail!(
                    "{key}.pointer (metric `{name}`): a pointer applies to a JSON `file`; use \
                     `regex` to pick the number out of a command's output"
                );
            }
            let cwd = match &m.working_dir {
                Some(dir) => {
                    let abs = ctx.root.join(dir);
                    if !abs.is_dir() {
                        bail!(
                            "{key}.working_dir (metric `{name}`): `{dir}` is not a folder (the \
                             path is relative to the repository root)"
                        );
                    }
                    abs
                }
                None => ctx.root.to_path_buf(),
            };
            let program = match command {
                BenchmarkCommand::Shell(line) => Program::Shell(line.clone()),
                BenchmarkCommand::Argv(args) => Program::Argv(args.clone()),
            };
            let mut invocation = Invocation::new(program, cwd);
            invocation.env = m.env.clone();
            invocation.timeout = Some(Duration::from_secs_f64(m.timeout_seconds.0));
            invocation.stdout = Capture::First(OUTPUT_LIMIT);
            let regex = m
                .regex
                .as_ref()
                .map(|r| regex::Regex::new(&r.0))
                .transpose()
                .with_context(|| format!("{key}.regex (metric `{name}`)"))?;
            Ok(Source::Command { invocation, regex })
        }
        (None, Some(file)) => {
            let extra = [
                ("regex", m.regex.is_some()),
                ("env", !m.env.is_empty()),
                ("working_dir", m.working_dir.is_some()),
            ];
            if let Some((k, _)) = extra.iter().find(|(_, set)| *set) {
                bail!("{key}.{k} (metric `{name}`): `{k}` applies to a `command`, not to a `file`");
            }
            if file.contains(['*', '?', '[', '{']) {
                bail!(
                    "{key}.file (metric `{name}`): `{file}` is a glob; a metric reads one file, \
                     write its path"
                );
            }
            Ok(Source::File {
                selection: Selection::new("integration.metrics[].file", std::slice::from_ref(file))
                    .with_context(|| format!("{key}.file (metric `{name}`)"))?,
                pointer: m.pointer.as_ref().map(|p| p.0.clone()).unwrap_or_default(),
            })
        }
    }
}

/// Measures the configured custom metrics.
struct MetricsCheck {
    root: PathBuf,
    metrics: Vec<(CustomMetricConfig, Source)>,
    /// Text of the metric files the walk offered, by repo-relative path.
    offered: Mutex<BTreeMap<String, String>>,
}

impl Check for MetricsCheck {
    fn wants(&self, path: &str) -> bool {
        self.metrics.iter().any(|(_, s)| match s {
            Source::File { selection, .. } => selection.matches(path),
            Source::Command { .. } => false,
        })
    }

    fn check_file(&self, file: &SourceFile<'_>, _sink: &mut Sink) -> Result<()> {
        self.offered
            .lock()
            .map_err(|_| anyhow!("custom metrics state poisoned by a panic"))?
            .insert(file.path.to_owned(), file.text.to_owned());
        Ok(())
    }

    fn check_repo(
        &self,
        _ctx: &CheckContext<'_>,
        index: &FileIndex,
        sink: &mut Sink,
    ) -> Result<()> {
        let offered = std::mem::take(
            &mut *self
                .offered
                .lock()
                .map_err(|_| anyhow!("custom metrics state poisoned by a panic"))?,
        );
        let offered_paths: BTreeSet<String> = offered.keys().cloned().collect();
        let never = AtomicBool::new(false);
        let mut errors = Vec::new();
        for (cfg, source) in &self.metrics {
            let (measured, from) = match source {
                Source::Command { invocation, regex } => {
                    let shown = format!("`{}`", invocation.program.display());
                    let measured = measure_command(invocation, regex.as_ref(), &never)?;
                    (measured.map_err(|why| (why, None)), shown)
                }
                Source::File { selection, pointer } => {
                    match read_file(selection, &self.root, index, &offered, &offered_paths) {
                        Ok((path, in_repo, text)) => {
                            let measured = text.and_then(|t| value::number_in_json(&t, pointer));
                            let location = in_repo.then(|| Location::file(path.clone()));
                            (measured.map_err(|why| (why, location)), path)
                        }
                        Err(e) => {
                            errors.push(format!("custom metric `{}`: {e:#}", cfg.name));
                            continue;
                        }
                    }
                }
            };
            match measured {
                Ok(v) => {
                    sink.metric(Metric {
                        name: metric_name(&cfg.name),
                        value: v,
                        unit: cfg.unit.clone(),
                        target: cfg.target.map(target_of),
                    });
                    sink.note(describe(cfg, v, &from));
                }
                Err((why, location)) => sink.push(unavailable(cfg, &from, &why, location)),
            }
        }
        if !errors.is_empty() {
            bail!("{}", errors.join("; "));
        }
        Ok(())
    }
}

/// Run the command and find the number in its output; the outer error is an interruption.
fn measure_command(
    invocation: &Invocation,
    regex: Option<&regex::Regex>,
    cancel: &AtomicBool,
) -> Result<std::result::Result<f64, String>> {
    let done = match crate::process::run(invocation, cancel) {
        Ok(done) => done,
        // The root cause only: the context names the working folder, an absolute path.
        Err(e) => return Ok(Err(format!("could not be started: {}", e.root_cause()))),
    };
    Ok(match done.end {
        End::Interrupted => bail!(
            "interrupted while running `{}`",
            invocation.program.display()
        ),
        End::Exited(0) => value::number_in_output(&String::from_utf8_lossy(&done.stdout), regex),
        End::TimedOut => Err(format!(
            "timed out after {} s",
            fmt_num(invocation.timeout.map_or(0.0, |t| t.as_secs_f64()))
        )),
        end => Err(end.describe()),
    })
}

/// The metric file's display path, whether it is in the repository, and its text or why it is
/// unusable; the error is a configured file that does not exist.
fn read_file(
    selection: &Selection,
    root: &std::path::Path,
    index: &FileIndex,
    offered: &BTreeMap<String, String>,
    offered_paths: &BTreeSet<String>,
) -> Result<(String, bool, std::result::Result<String, String>)> {
    if let Some((path, text)) = offered.iter().find(|(p, _)| selection.matches(p)) {
        return Ok((path.clone(), true, Ok(text.clone())));
    }
    let outside = selection
        .read_outside(root, index, offered_paths)?
        .into_iter()
        .next()
        .context("the metric file was neither offered by the walk nor read")?;
    let text = outside
        .bytes
        .map_err(|why| format!("cannot be used: {why}"))
        .and_then(|b| {
            String::from_utf8(b).map_err(|_| "is not UTF-8 text, so it is not JSON".to_owned())
        });
    Ok((outside.display, outside.in_repo, text))
}

/// The check's note for a measured metric, e.g. `binary_size = 5242880 bytes (…) from `cmd``.
fn describe(cfg: &CustomMetricConfig, value: f64, from: &str) -> String {
    let unit = cfg
        .unit
        .as_deref()
        .map_or(String::new(), |u| format!(" {u}"));
    let what = cfg
        .description
        .as_deref()
        .map_or(String::new(), |d| format!(" ({d})"));
    format!("{} = {}{unit}{what} from {from}", cfg.name, fmt_num(value))
}

/// The finding for a metric that could not be measured.
fn unavailable(
    cfg: &CustomMetricConfig,
    from: &str,
    why: &str,
    location: Option<Location>,
) -> crate::model::Finding {
    let gate = if cfg.target.is_some() {
        format!(", so its gate `{GATE_PREFIX}{}` is not evaluated", cfg.name)
    } else {
        String::new()
    };
    let mut f = RULES[0].finding(
        format!(
            "custom metric `{}` not measured: {from} {why}{gate}",
            cfg.name
        ),
        location,
        &cfg.name,
    );
    f.help = Some(
        "Run the command (or open the file) yourself and make it produce one number; see `vigil \
         explain custom-metric-unavailable`."
            .to_owned(),
    );
    f.properties
        .insert("metric".to_owned(), serde_json::json!(cfg.name));
    f
}

#[cfg(test)]
mod tests;
