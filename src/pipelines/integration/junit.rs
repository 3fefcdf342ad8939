//! JUnit XML test reports: counts, pass rate, failed and flaky tests, the slowest tests.
//!
//! Reports come from the configured `integration.junit.reports` (plain paths or globs) and, with
//! `auto_detect`, from files the walk offers under the usual names: `junit*.xml`, `TEST-*.xml`
//! (Maven Surefire, Gradle) and any `.xml` under `target/nextest/`. The walk honours
//! `.gitignore`, so a report under an ignored folder (nextest's `target/`) is seen only when
//! listed by its plain path; such a path is then read by this check, following the convention
//! of [`coverage::inputs`](crate::pipelines::quality::coverage::inputs).
//!
//! Every test case of every report counts; a test that both passed and failed in the reports of
//! this run (a retry, or two runners running it) is a `flaky-test`, as is one nextest or
//! Surefire marked with a `<flakyFailure>`. A failed test whose last run passed counts once,
//! as passed.

mod parse;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Mutex;

use anyhow::{Result, anyhow};

use self::parse::{Outcome, TestCase};
use crate::model::{Location, Metric, Pipeline, Region, Severity};
use crate::pipelines::quality::coverage::data::ParseError;
use crate::pipelines::quality::coverage::inputs::Selection;
use crate::pipelines::{Built, Check, CheckContext, CheckSpec, RuleMeta, Sink};
use crate::walk::{FileIndex, FileKind, SourceFile};

const DOCS: &str = include_str!("junit.md");

/// Rules of this check.
pub static RULES: &[RuleMeta] = &[
    RuleMeta {
        id: "test-failure",
        name: "Failed test",
        pipeline: Pipeline::Integration,
        default_severity: Severity::High,
        summary: "A test in a JUnit report failed or errored.",
        docs: DOCS,
    },
    RuleMeta {
        id: "flaky-test",
        name: "Flaky test",
        pipeline: Pipeline::Integration,
        default_severity: Severity::Medium,
        summary: "A test both passed and failed in the same run.",
        docs: DOCS,
    },
    RuleMeta {
        id: "unparseable-junit",
        name: "Unreadable JUnit report",
        pipeline: Pipeline::Integration,
        default_severity: Severity::Medium,
        summary: "A JUnit XML report could not be parsed.",
        docs: DOCS,
    },
];

/// Registry entry.
pub const SPEC: CheckSpec = CheckSpec {
    id: "junit",
    pipeline: Pipeline::Integration,
    rules: RULES,
    docs: DOCS,
    build,
};

/// Test cases in all reports.
pub const METRIC_TOTAL: &str = "integration.tests_total";
/// Passed test cases.
pub const METRIC_PASSED: &str = "integration.passed";
/// Failed test cases (`<failure>`).
pub const METRIC_FAILED: &str = "integration.failed";
/// Errored test cases (`<error>`).
pub const METRIC_ERRORS: &str = "integration.errors";
/// Skipped test cases.
pub const METRIC_SKIPPED: &str = "integration.skipped";
/// Passed / (passed + failed + errors), in %.
pub const METRIC_PASS_RATE: &str = "integration.pass_rate";
/// Passed without any flaky signal / (passed + failed + errors), in %.
pub const METRIC_RELIABILITY: &str = "integration.reliability_score";
/// Duration of the slowest test case, in ms.
pub const METRIC_SLOWEST: &str = "integration.slowest_ms";

/// How many of the slowest tests the check's note lists.
const SLOWEST_LISTED: usize = 10;

fn build(ctx: &CheckContext<'_>) -> Result<Built> {
    let cfg = &ctx.config.integration.junit;
    Ok(Built::Ready(Box::new(JunitCheck {
        root: ctx.root.to_path_buf(),
        configured: Selection::new("integration.junit.reports", &cfg.reports)?,
        auto_detect: cfg.auto_detect,
        reads: Mutex::new(Vec::new()),
    })))
}

/// Whether `path` has a name JUnit reports usually have.
fn is_well_known(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let lower = name.to_ascii_lowercase();
    if !lower.ends_with(".xml") {
        return false;
    }
    lower.starts_with("junit")
        || name.starts_with("TEST-")
        || path.starts_with("target/nextest/")
        || path.contains("/target/nextest/")
}

/// One report and what it gave.
#[derive(Debug)]
struct Read {
    /// Repo-relative path, or the configured path when outside the repository.
    path: String,
    /// Whether `path` is repo-relative.
    in_repo: bool,
    /// The test cases, or why the report could not be read.
    outcome: std::result::Result<Vec<TestCase>, ParseError>,
}

/// Reads JUnit reports.
struct JunitCheck {
    root: PathBuf,
    configured: Selection,
    auto_detect: bool,
    reads: Mutex<Vec<Read>>,
}

impl Check for JunitCheck {
    fn wants(&self, path: &str) -> bool {
        self.configured.matches(path) || (self.auto_detect && is_well_known(path))
    }

    fn check_file(&self, file: &SourceFile<'_>, _sink: &mut Sink) -> Result<()> {
        // An auto-detected XML file of another kind (a `junit-platform.xml` config) is not ours.
        if !self.configured.matches(file.path) && !parse::is_junit(file.text) {
            return Ok(());
        }
        let read = Read {
            path: file.path.to_owned(),
            in_repo: true,
            outcome: parse::parse(file.text),
        };
        self.reads
            .lock()
            .map_err(|_| anyhow!("junit state poisoned by a panic"))?
            .push(read);
        Ok(())
    }

    fn check_repo(
        &self,
        _ctx: &CheckContext<'_>,
        index: &FileIndex,
        sink: &mut Sink,
    ) -> Result<()> {
        let mut reads = std::mem::take(
            &mut *self
                .reads
                .lock()
                .map_err(|_| anyhow!("junit state poisoned by a panic"))?,
        );
        let offered: BTreeSet<String> = reads.iter().map(|r| r.path.clone()).collect();
        for outside in self.configured.read_outside(&self.root, index, &offered)? {
            let outcome = match &outside.bytes {
                Ok(bytes) => parse::parse(&String::from_utf8_lossy(bytes)),
                Err(why) => Err(ParseError {
                    line: None,
                    message: why.clone(),
                }),
            };
            reads.push(Read {
                path: outside.display,
                in_repo: outside.in_repo,
                outcome,
            });
        }
        reads.sort_by(|a, b| a.path.cmp(&b.path));

        for glob in self.configured.unmatched_globs(index) {
            sink.note(format!(
                "integration.junit.reports: `{glob}` matches no file the walk saw (globs do not \
                 see git-ignored files; list such a report by its path)"
            ));
        }
        let huge: Vec<&str> = index
            .files
            .iter()
            .filter(|f| f.kind == FileKind::Huge && self.wants(&f.path))
            .map(|f| f.path.as_str())
            .collect();
        if !huge.is_empty() {
            sink.note(format!(
                "not read, larger than paths.max_file_size: {} (list a report in \
                 integration.junit.reports to read it regardless of size)",
                huge.join(", ")
            ));
        }

        let mut used = Vec::new();
        let mut cases: Vec<(&Read, &TestCase)> = Vec::new();
        for read in &reads {
            match &read.outcome {
                Ok(list) => {
                    used.push(format!("{} ({} tests)", read.path, list.len()));
                    cases.extend(list.iter().map(|c| (read, c)));
                }
                Err(err) => sink.push(unparseable(read, err)),
            }
        }
        if used.is_empty() {
            if reads.is_empty() {
                sink.skip(
                    "no JUnit report found: looked for junit*.xml, TEST-*.xml and \
                     target/nextest/**/*.xml; git-ignored reports must be listed in \
                     integration.junit.reports",
                );
            } else {
                sink.note("no JUnit report could be read");
            }
            return Ok(());
        }
        sink.note(format!("tests from {}", used.join(", ")));
        summarize(&cases, sink);
        Ok(())
    }
}

/// Metrics and findings over every test case of the readable reports.
fn summarize(cases: &[(&Read, &TestCase)], sink: &mut Sink) {
    // Every outcome each test id had, in report order.
    let mut by_id: BTreeMap<String, Vec<(&Read, &TestCase)>> = BTreeMap::new();
    for (read, case) in cases {
        by_id.entry(case.id()).or_default().push((read, case));
    }
    let (mut passed, mut failed, mut errors, mut skipped, mut steady) =
        (0u64, 0u64, 0u64, 0u64, 0u64);
    for (id, runs) in &by_id {
        let outcomes: BTreeSet<Outcome> = runs.iter().map(|(_, c)| c.outcome).collect();
        let any_pass = outcomes.contains(&Outcome::Passed);
        let any_fail = outcomes.contains(&Outcome::Failed) || outcomes.contains(&Outcome::Errored);
        let marked_flaky = runs.iter().any(|(_, c)| c.flaky);
        if any_pass {
            passed += 1;
            if any_fail || marked_flaky {
                let (read, case) = runs
                    .iter()
                    .find(|(_, c)| c.outcome != Outcome::Passed || c.flaky)
                    .copied()
                    .unwrap_or(runs[0]);
                let why = if any_fail {
                    "passed and failed in the same run"
                } else {
                    "failed, then passed on a retry"
                };
                sink.push(RULES[1].finding(
                    format!("flaky test {id}: {why}"),
                    Some(location(read, case)),
                    id,
                ));
            } else {
                steady += 1;
            }
        } else if outcomes.contains(&Outcome::Errored) {
            errors += 1;
        } else if outcomes.contains(&Outcome::Failed) {
            failed += 1;
        } else {
            skipped += 1;
        }
        if !any_pass && any_fail {
            let (read, case) = runs
                .iter()
                .find(|(_, c)| matches!(c.outcome, Outcome::Failed | Outcome::Errored))
                .copied()
                .unwrap_or(runs[0]);
            let verb = if case.outcome == Outcome::Errored {
                "errored"
            } else {
                "failed"
            };
            let message = match &case.message {
                Some(m) => format!("test {id} {verb}: {m}"),
                None => format!("test {id} {verb}"),
            };
            sink.push(RULES[0].finding(message, Some(location(read, case)), id));
        }
    }
    let total = by_id.len() as u64;
    sink.metric(Metric::new(METRIC_TOTAL, total as f64, "count"));
    sink.metric(Metric::new(METRIC_PASSED, passed as f64, "count"));
    sink.metric(Metric::new(METRIC_FAILED, failed as f64, "count"));
    sink.metric(Metric::new(METRIC_ERRORS, errors as f64, "count"));
    sink.metric(Metric::new(METRIC_SKIPPED, skipped as f64, "count"));
    let executed = passed + failed + errors;
    if executed > 0 {
        let pct = |n: u64| (n as f64 * 100.0 / executed as f64 * 100.0).round() / 100.0;
        sink.metric(Metric::new(METRIC_PASS_RATE, pct(passed), "%"));
        sink.metric(Metric::new(METRIC_RELIABILITY, pct(steady), "%"));
    }

    let mut timed: Vec<(String, f64)> = by_id
        .iter()
        .filter_map(|(id, runs)| {
            runs.iter()
                .filter_map(|(_, c)| c.millis)
                .reduce(f64::max)
                .map(|ms| (id.clone(), ms))
        })
        .collect();
    timed.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    if let Some((_, ms)) = timed.first() {
        sink.metric(Metric::new(METRIC_SLOWEST, *ms, "ms"));
        let list: Vec<String> = timed
            .iter()
            .take(SLOWEST_LISTED)
            .map(|(id, ms)| format!("{id} ({ms:.0} ms)"))
            .collect();
        sink.note(format!("slowest tests: {}", list.join(", ")));
    }
}

/// Where a test's finding points: its `file=`/`line=` when given, else the report.
fn location(read: &Read, case: &TestCase) -> Location {
    match &case.file {
        Some(file) => Location {
            path: file.trim_start_matches("./").to_owned(),
            region: case.line.filter(|l| *l > 0).map(Region::line),
        },
        None => Location {
            path: read.path.clone(),
            region: None,
        },
    }
}

/// The finding for a report that could not be parsed.
fn unparseable(read: &Read, err: &ParseError) -> crate::model::Finding {
    let location = read.in_repo.then(|| Location {
        path: read.path.clone(),
        region: err
            .line
            .and_then(|l| u32::try_from(l).ok())
            .map(Region::line),
    });
    let mut f = RULES[2].finding(
        format!("cannot read JUnit report {}: {err}", read.path),
        location,
        &read.path,
    );
    f.help = Some("Make the test runner write a complete JUnit XML file.".into());
    f
}

#[cfg(test)]
mod tests;
