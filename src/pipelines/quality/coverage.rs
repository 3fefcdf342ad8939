//! Test coverage from lcov, Cobertura, JaCoCo and llvm-cov JSON reports, and diff coverage.
//!
//! **Finding reports.** The walk offers every file with a usual report name (`lcov.info`,
//! `*.lcov`, `coverage.xml`, `cobertura.xml`, `jacoco.xml`, `coverage.json`, …, see module
//! `detect`) and every file listed in `quality.coverage.reports`. The format is decided
//! by content: the XML root element (`<coverage>` Cobertura, `<report>` JaCoCo), the llvm-cov
//! export `type`, or lcov records. Reports are parsed on the walk's threads as they arrive and
//! kept behind a mutex until the repository hook merges them. Coverage output is usually
//! git-ignored, so listed *paths* the walk did not offer are read by the repository hook — the
//! one place a check reads a file itself; see the `inputs` module for why.
//!
//! **Paths.** Report paths are resolved to files of the walk (module `paths`): the repository root
//! prefix, Cobertura `<source>` roots, CI runners' absolute paths and JaCoCo package paths all
//! resolve; files outside the repository are left out and counted in the check's notes.
//!
//! **Metrics.** `coverage.line` and `coverage.branch` (%, rounded down to two decimals),
//! `coverage.lines_total`, `coverage.lines_covered`, `coverage.branches_total`,
//! `coverage.branches_covered`; with a diff base also `coverage.diff` (%),
//! `coverage.diff_lines_total` and `coverage.diff_lines_covered` (module `diff`). The gates
//! `coverage_min` and `diff_coverage_min` read them. Without any report the check is *skipped*
//! with a note, so both gates show as not evaluated instead of silently passing.
//!
//! A report that cannot be parsed is a finding `unparseable-coverage-report` naming the file,
//! the parser error and its line; the other reports still count.

pub(crate) mod cobertura;
pub(crate) mod data;
mod detect;
pub(crate) mod diff;
pub(crate) mod inputs;
pub(crate) mod jacoco;
pub(crate) mod lcov;
pub(crate) mod llvm;
pub(crate) mod paths;
pub(crate) mod xml;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Mutex;

use anyhow::Result;

use self::data::{Coverage, Format, ParseError, percent};
use self::detect::{Outcome, is_well_known, read_report};
use self::inputs::Selection;
use self::paths::PathResolver;
use crate::model::{Location, Metric, Pipeline, Region, Severity};
use crate::pipelines::{Built, Check, CheckContext, CheckSpec, RuleMeta, Sink};
use crate::walk::{FileIndex, FileKind, SourceFile};

const DOCS: &str = include_str!("coverage.md");

/// Rules of this check.
pub static RULES: &[RuleMeta] = &[
    RuleMeta {
        id: "unparseable-coverage-report",
        name: "Unparseable coverage report",
        pipeline: Pipeline::Quality,
        default_severity: Severity::High,
        summary: "A coverage report could not be read, so coverage gates may not see its data.",
        docs: DOCS,
    },
    RuleMeta {
        id: "uncovered-changed-line",
        name: "Changed lines not covered by tests",
        pipeline: Pipeline::Quality,
        default_severity: Severity::Low,
        summary: "Lines added or modified by the change were not run by any test.",
        docs: DOCS,
    },
];

/// Registry entry.
pub const SPEC: CheckSpec = CheckSpec {
    id: "coverage",
    pipeline: Pipeline::Quality,
    rules: RULES,
    docs: DOCS,
    build,
};

/// Line coverage in %.
pub const METRIC_LINE: &str = "coverage.line";
/// Branch coverage in %.
pub const METRIC_BRANCH: &str = "coverage.branch";
/// Coverage of changed lines in %.
pub const METRIC_DIFF: &str = "coverage.diff";

fn build(ctx: &CheckContext<'_>) -> Result<Built> {
    let cfg = &ctx.config.quality.coverage;
    Ok(Built::Ready(Box::new(CoverageCheck {
        root: ctx.root.to_path_buf(),
        configured: Selection::new("quality.coverage.reports", &cfg.reports)?,
        auto_detect: cfg.auto_detect,
        reads: Mutex::new(Vec::new()),
    })))
}

/// One report file and what it gave.
#[derive(Debug)]
struct Read {
    /// Repo-relative path, or the configured path when outside the repository.
    path: String,
    /// Whether `path` is repo-relative.
    in_repo: bool,
    outcome: Outcome,
}

/// Reads coverage reports and computes line, branch and diff coverage.
struct CoverageCheck {
    root: PathBuf,
    configured: Selection,
    auto_detect: bool,
    reads: Mutex<Vec<Read>>,
}

impl Check for CoverageCheck {
    fn wants(&self, path: &str) -> bool {
        self.configured.matches(path) || (self.auto_detect && is_well_known(path))
    }

    fn check_file(&self, file: &SourceFile<'_>, _sink: &mut Sink) -> Result<()> {
        let explicit = self.configured.matches(file.path);
        let outcome = read_report(file.path, file.bytes, file.text, explicit);
        let read = Read {
            path: file.path.to_owned(),
            in_repo: true,
            outcome,
        };
        self.reads
            .lock()
            .map_err(|_| anyhow::anyhow!("coverage state poisoned by a panic"))?
            .push(read);
        Ok(())
    }

    fn check_repo(&self, ctx: &CheckContext<'_>, index: &FileIndex, sink: &mut Sink) -> Result<()> {
        let mut reads = std::mem::take(
            &mut *self
                .reads
                .lock()
                .map_err(|_| anyhow::anyhow!("coverage state poisoned by a panic"))?,
        );
        let offered: BTreeSet<String> = reads.iter().map(|r| r.path.clone()).collect();
        for outside in self.configured.read_outside(&self.root, index, &offered)? {
            let outcome = match &outside.bytes {
                Ok(bytes) => {
                    let text = String::from_utf8_lossy(bytes);
                    read_report(&outside.display, bytes, &text, true)
                }
                Err(why) => Outcome::Failed(None, ParseError::whole(why.clone())),
            };
            reads.push(Read {
                path: outside.display,
                in_repo: outside.in_repo,
                outcome,
            });
        }
        reads.sort_by(|a, b| a.path.cmp(&b.path));

        let mut notes = Vec::new();
        for glob in self.configured.unmatched_globs(index) {
            notes.push(format!(
                "quality.coverage.reports: `{glob}` matches no file the walk saw (globs do not \
                 see git-ignored files; list such a report by its path)"
            ));
        }
        let huge: Vec<&str> = index
            .files
            .iter()
            .filter(|f| f.kind == FileKind::Huge && self.wants(&f.path))
            .filter(|f| !reads.iter().any(|r| r.path == f.path))
            .map(|f| f.path.as_str())
            .collect();
        if !huge.is_empty() {
            notes.push(format!(
                "not read, larger than paths.max_file_size: {} (list a report in \
                 quality.coverage.reports to read it regardless of size)",
                huge.join(", ")
            ));
        }

        let resolver = PathResolver::new(ctx.root, index);
        let mut coverage = Coverage::default();
        let mut used = Vec::new();
        let mut outside_repo: BTreeSet<String> = BTreeSet::new();
        for read in &reads {
            match &read.outcome {
                Outcome::Parsed(report) => {
                    used.push(format!("{} ({})", read.path, report.format.name()));
                    for (raw, file) in &report.files {
                        match resolver.resolve(raw, &report.source_roots) {
                            Some(rel) => coverage.add(rel, file),
                            None => {
                                outside_repo.insert(raw.clone());
                            }
                        }
                    }
                }
                Outcome::Failed(format, err) => sink.push(unparseable(read, *format, err)),
                Outcome::NotCoverage(why) => {
                    notes.push(format!("{} is not a coverage report: {why}", read.path));
                }
            }
        }
        if !outside_repo.is_empty() {
            let shown: Vec<&str> = outside_repo.iter().take(3).map(String::as_str).collect();
            notes.push(format!(
                "{} file(s) named in the reports are not files of this repository and were left \
                 out (e.g. {})",
                outside_repo.len(),
                shown.join(", ")
            ));
        }
        if used.is_empty() {
            let failed = reads
                .iter()
                .any(|r| matches!(r.outcome, Outcome::Failed(..)));
            if failed {
                notes.push("no coverage report could be read".to_owned());
            } else {
                sink.skip(
                    "no coverage report found: looked for lcov.info, *.lcov, coverage.xml, \
                     cobertura.xml, jacoco.xml, jacocoTestReport.xml and coverage.json (llvm-cov \
                     export); git-ignored reports must be listed in quality.coverage.reports",
                );
            }
            for n in notes {
                sink.note(n);
            }
            return Ok(());
        }
        notes.insert(0, format!("coverage from {}", list(&used)));
        let totals = coverage.totals();
        if let Some(p) = percent(totals.lines_covered, totals.lines_total) {
            sink.metric(Metric::new(METRIC_LINE, p, "%"));
        } else {
            notes.push("the reports instrument no line of this repository".to_owned());
        }
        if let Some(p) = percent(totals.branches_covered, totals.branches_total) {
            sink.metric(Metric::new(METRIC_BRANCH, p, "%"));
        }
        sink.metric(count("coverage.lines_total", totals.lines_total));
        sink.metric(count("coverage.lines_covered", totals.lines_covered));
        sink.metric(count("coverage.branches_total", totals.branches_total));
        sink.metric(count("coverage.branches_covered", totals.branches_covered));

        match ctx.diff_base {
            None => notes.push(
                "diff coverage not computed: no --diff-base given and not a GitHub pull request"
                    .to_owned(),
            ),
            Some(base) => match diff::changes_since(ctx.root, base) {
                Err(why) => notes.push(format!("diff coverage not computed: {}", why.0)),
                Ok(changes) => {
                    let d = diff::diff_coverage(&changes, &coverage);
                    if let Some(p) = percent(d.covered, d.coverable) {
                        sink.metric(Metric::new(METRIC_DIFF, p, "%"));
                    } else {
                        notes.push(format!(
                            "diff coverage: no line changed since `{base}` is instrumented by \
                             the reports"
                        ));
                    }
                    sink.metric(count("coverage.diff_lines_total", d.coverable));
                    sink.metric(count("coverage.diff_lines_covered", d.covered));
                    for u in &d.uncovered {
                        sink.push(uncovered(u));
                    }
                }
            },
        }
        for n in notes {
            sink.note(n);
        }
        Ok(())
    }
}

fn count(name: &str, v: u64) -> Metric {
    Metric::new(name, v as f64, "count")
}

/// `a, b, c and 2 more`.
fn list(items: &[String]) -> String {
    const SHOWN: usize = 5;
    let mut s = items
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > SHOWN {
        s.push_str(&format!(" and {} more", items.len() - SHOWN));
    }
    s
}

fn unparseable(read: &Read, format: Option<Format>, err: &ParseError) -> crate::model::Finding {
    let what = format.map_or_else(String::new, |f| format!(" as {}", f.name()));
    let location = read.in_repo.then(|| Location {
        path: read.path.clone(),
        region: err
            .line
            .map(|l| Region::line(u32::try_from(l).unwrap_or(u32::MAX))),
    });
    let mut f = RULES[0].finding(
        format!(
            "coverage report `{}` cannot be read{what}: {err}",
            read.path
        ),
        location,
        &format!("{}:{}", read.path, format.map_or("unknown", Format::name)),
    );
    f.help = Some(
        "Regenerate the report with the coverage tool (a truncated file usually means the test \
         run was interrupted), or stop listing it in quality.coverage.reports."
            .to_owned(),
    );
    f
}

fn uncovered(u: &diff::Uncovered) -> crate::model::Finding {
    let message = if u.start == u.end {
        format!("changed line {} is not covered by tests", u.start)
    } else {
        format!(
            "changed lines {}–{} are not covered by tests ({} instrumented line{})",
            u.start,
            u.end,
            u.lines,
            if u.lines == 1 { "" } else { "s" }
        )
    };
    let region = Region {
        start_line: u.start,
        start_column: None,
        end_line: (u.end > u.start).then_some(u.end),
        end_column: None,
    };
    // The changed text identifies the run, so the fingerprint survives lines moving; new
    // untracked files have no text here and fall back to the range.
    let identity = if u.text.is_empty() {
        format!("lines {}-{}", u.start, u.end)
    } else {
        u.text.clone()
    };
    let mut f = RULES[1].finding(
        message,
        Some(Location {
            path: u.path.clone(),
            region: Some(region),
        }),
        &identity,
    );
    f.help = Some(
        "Add or extend a test that runs these lines, or exclude them in the coverage tool if no \
         test can reach them."
            .to_owned(),
    );
    f.properties.insert(
        "uncovered_lines".to_owned(),
        serde_json::Value::from(u.lines),
    );
    f
}

#[cfg(test)]
mod tests;
