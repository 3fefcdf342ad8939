//! Benchmarks: runs the configured ones, imports other tools' results, compares every
//! benchmark with its baseline, and produces the performance gates' metrics.
//!
//! **Sources.** `performance.benchmarks` are run by vigil, one after the other, in the
//! repository hook (module `run`); results of criterion, hyperfine, pytest-benchmark,
//! `go test -bench`, `cargo bench` and github-action-benchmark's custom JSON are imported
//! (module `imports` of the pipeline: which files, formats, and why criterion's git-ignored
//! folder is read directly). Each benchmark becomes a series of samples with its statistics.
//!
//! **Regressions.** Each series is compared with its baseline from run history (the
//! merge-base's run for a change under review), by Welch's t-test and the `regression_pct`
//! threshold (module `regression` of the pipeline). History is read from
//! `<output.dir>/runs`; `vigil monitor` points `output.dir` at its `--out` folder.
//!
//! **Metrics.** Per benchmark and headline, see module `report`. Without any benchmark the
//! check is *skipped* with a note, so the performance gates show as not evaluated rather than
//! passed.
//!
//! **Timing quality.** The benchmarks run while the other checks' repository hooks run in
//! parallel; for stable numbers run the performance pipeline alone (`vigil check --pipeline
//! performance`, or `vigil monitor`).

mod report;
mod run;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::AtomicBool;

use anyhow::{Result, bail};

use self::report::Measured;
use super::imports::criterion::{self, is_criterion_file};
use super::imports::{self, Outcome, ParseError, format_name};
use super::regression::{self, Lineage, Settings};
use super::{MetricNames, Series, slug};
use crate::config::schema::BenchmarkFormat;
use crate::model::{Finding, Location, Pipeline, Region, Severity};
use crate::pipelines::quality::coverage::inputs::Selection;
use crate::pipelines::{Built, Check, CheckContext, CheckSpec, RuleMeta, Sink};
use crate::walk::{FileIndex, SourceFile};

const DOCS: &str = include_str!("benchmarks.md");

/// Rules of this check.
pub static RULES: &[RuleMeta] = &[
    RuleMeta {
        id: "performance-regression",
        name: "Performance regression",
        pipeline: Pipeline::Performance,
        default_severity: Severity::High,
        summary: "A benchmark got significantly slower than its baseline, beyond the threshold.",
        docs: DOCS,
    },
    RuleMeta {
        id: "benchmark-failed",
        name: "Benchmark run failed",
        pipeline: Pipeline::Performance,
        default_severity: Severity::High,
        summary: "A benchmark run exited with an error, was killed or timed out.",
        docs: DOCS,
    },
    RuleMeta {
        id: "unparseable-benchmark-report",
        name: "Unparseable benchmark results",
        pipeline: Pipeline::Performance,
        default_severity: Severity::High,
        summary: "A benchmark result file could not be read, so its benchmarks are not gated.",
        docs: DOCS,
    },
];

/// Registry entry.
pub const SPEC: CheckSpec = CheckSpec {
    id: "benchmarks",
    pipeline: Pipeline::Performance,
    rules: RULES,
    docs: DOCS,
    build,
};

/// Where criterion writes, relative to the repository root.
const CRITERION_DIR: &str = "target/criterion";

fn build(ctx: &CheckContext<'_>) -> Result<Built> {
    let cfg = &ctx.config.performance;
    let mut names = BTreeSet::new();
    for (i, b) in cfg.benchmarks.iter().enumerate() {
        if !names.insert(b.name.as_str()) {
            bail!(
                "performance.benchmarks[{i}].name: a benchmark named `{}` is already listed; \
                 names must be unique",
                b.name
            );
        }
        if let Some(cwd) = &b.cwd
            && !ctx.root.join(cwd).is_dir()
        {
            bail!(
                "performance.benchmarks[{i}].cwd: `{cwd}` is not a folder (the path is \
                 relative to the repository root)"
            );
        }
    }
    let mut listed = Vec::new();
    let mut folders = Vec::new();
    for (i, entry) in cfg.imports.iter().enumerate() {
        let path = entry.path.trim();
        if ctx.root.join(path).is_dir() {
            if !matches!(entry.format, None | Some(BenchmarkFormat::Criterion)) {
                bail!(
                    "performance.imports[{i}].path: `{path}` is a folder; only criterion results \
                     are read from a folder"
                );
            }
            folders.push(path.trim_end_matches('/').to_owned());
        } else {
            listed.push((
                Selection::new("performance.imports", &[path.to_owned()])?,
                entry.format,
            ));
        }
    }
    Ok(Built::Ready(Box::new(BenchmarksCheck {
        listed,
        folders,
        auto_detect: cfg.auto_detect,
        baseline: cfg.regression.criterion_baseline.clone(),
        found: Mutex::new(Found::default()),
    })))
}

/// One result file and what it gave.
#[derive(Debug)]
struct Read {
    /// Repo-relative path, or the configured path when outside the repository.
    path: String,
    /// Whether `path` is repo-relative.
    in_repo: bool,
    /// Whether the file was listed in the configuration.
    explicit: bool,
    outcome: Outcome,
}

/// What the walk offered.
#[derive(Debug, Default)]
struct Found {
    criterion: criterion::Files,
    reads: Vec<Read>,
}

/// Runs benchmarks and reads benchmark results.
struct BenchmarksCheck {
    /// Listed files (paths or globs) and their formats.
    listed: Vec<(Selection, Option<BenchmarkFormat>)>,
    /// Listed criterion folders, repo-relative as written.
    folders: Vec<String>,
    auto_detect: bool,
    /// criterion baseline name.
    baseline: String,
    found: Mutex<Found>,
}

impl BenchmarksCheck {
    /// `Some(format)` when `path` is listed in the configuration.
    fn listing(&self, path: &str) -> Option<Option<BenchmarkFormat>> {
        self.listed
            .iter()
            .find(|(sel, _)| sel.matches(path))
            .map(|(_, f)| *f)
    }

    fn is_criterion(&self, path: &str, listed: Option<Option<BenchmarkFormat>>) -> bool {
        is_criterion_file(path, &self.baseline)
            && matches!(listed, None | Some(None | Some(BenchmarkFormat::Criterion)))
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Found>> {
        self.found
            .lock()
            .map_err(|_| anyhow::anyhow!("benchmark state poisoned by a panic"))
    }
}

impl Check for BenchmarksCheck {
    fn wants(&self, path: &str) -> bool {
        self.listing(path).is_some()
            || self
                .folders
                .iter()
                .any(|f| path.starts_with(f.as_str()) && is_criterion_file(path, &self.baseline))
            || (self.auto_detect
                && (imports::is_well_known(path) || is_criterion_file(path, &self.baseline)))
    }

    fn check_file(&self, file: &SourceFile<'_>, _sink: &mut Sink) -> Result<()> {
        let listed = self.listing(file.path);
        if self.is_criterion(file.path, listed) {
            self.lock()?
                .criterion
                .insert(file.path.to_owned(), file.bytes.to_vec());
            return Ok(());
        }
        let format = listed.flatten();
        let outcome = imports::read(file.path, file.text, format, listed.is_some());
        self.lock()?.reads.push(Read {
            path: file.path.to_owned(),
            in_repo: true,
            explicit: listed.is_some(),
            outcome,
        });
        Ok(())
    }

    fn check_repo(&self, ctx: &CheckContext<'_>, index: &FileIndex, sink: &mut Sink) -> Result<()> {
        let Found {
            criterion: mut criterion_files,
            mut reads,
        } = std::mem::take(&mut *self.lock()?);
        let mut notes = Vec::new();
        self.read_outside(ctx, index, &mut criterion_files, &mut reads, &mut notes)?;

        let mut series: Vec<Series> = Vec::new();
        let assembled = criterion::assemble(&criterion_files, &self.baseline);
        series.extend(assembled.series);
        notes.extend(assembled.notes);
        for (path, err) in &assembled.errors {
            sink.push(unparseable(
                path,
                true,
                Some(BenchmarkFormat::Criterion),
                err,
            ));
        }
        reads.sort_by(|a, b| a.path.cmp(&b.path));
        let mut imported_from = Vec::new();
        for read in reads {
            match read.outcome {
                Outcome::Parsed(format, found) => {
                    imported_from.push(format!("{} ({})", read.path, format_name(format)));
                    series.extend(found);
                }
                Outcome::Failed(format, err) => {
                    sink.push(unparseable(&read.path, read.in_repo, format, &err));
                }
                Outcome::NotBenchmarks(why) if !read.explicit => {
                    notes.push(format!("{} was not imported: {why}", read.path));
                }
                Outcome::NotBenchmarks(why) => {
                    sink.push(unparseable(
                        &read.path,
                        read.in_repo,
                        None,
                        &ParseError::whole(why),
                    ));
                }
            }
        }
        if !criterion_files.is_empty() {
            imported_from.push("criterion results".to_owned());
        }

        let cfg = &ctx.config.performance;
        if !cfg.benchmarks.is_empty() {
            let budget = cfg
                .memory_budget
                .map_or_else(super::host::available_memory, |b| b.0);
            let cancel = AtomicBool::new(false);
            for b in &cfg.benchmarks {
                series.push(run::run(b, ctx.root, budget, &cancel)?);
            }
        }

        if series.is_empty() {
            sink.skip(
                "no benchmark to measure: none configured in performance.benchmarks and no \
                 result of criterion (target/criterion), hyperfine, pytest-benchmark, go test \
                 -bench or cargo bench found (list result files in performance.imports)",
            );
            notes.into_iter().for_each(|n| sink.note(n));
            return Ok(());
        }
        series.sort_by(|a, b| (a.source, &a.name).cmp(&(b.source, &b.name)));
        if !imported_from.is_empty() {
            notes.insert(0, format!("imported {}", imported_from.join(", ")));
        }

        let history_dir = PathBuf::from(&ctx.config.output.dir);
        let records = crate::history::load_metrics(&history_dir);
        let lineage = lineage(ctx, &records);
        let settings = Settings {
            alpha: cfg.regression.alpha.0,
            min_samples: cfg.regression.min_samples as usize,
            confirmations: cfg.regression.confirmations.get(),
            threshold_pct: report::regression_threshold(&ctx.config.gates),
        };
        notes.push(format!(
            "{} earlier run(s) in {}",
            records.len(),
            crate::history::runs_dir(&history_dir).display()
        ));
        let mut used = BTreeSet::new();
        let measured: Vec<Measured> = series
            .into_iter()
            .map(|s| {
                let base = slug(&s.name);
                let mut unique = base.clone();
                let mut k = 2;
                while !used.insert(unique.clone()) {
                    unique = format!("{base}_{k}");
                    k += 1;
                }
                let names = MetricNames::new(&unique, &s.unit);
                let verdict = regression::judge(&s, &names, &lineage, &settings);
                Measured {
                    series: s,
                    names,
                    verdict,
                }
            })
            .collect();
        for n in notes {
            sink.note(n);
        }
        report::emit(&measured, &ctx.config.gates, settings.confirmations, sink);
        Ok(())
    }
}

impl BenchmarksCheck {
    /// Read what the walk could not offer: listed paths it skipped (git-ignored, excluded or
    /// too large), listed criterion folders and, with auto-detection, `target/criterion`.
    fn read_outside(
        &self,
        ctx: &CheckContext<'_>,
        index: &FileIndex,
        criterion_files: &mut criterion::Files,
        reads: &mut Vec<Read>,
        notes: &mut Vec<String>,
    ) -> Result<()> {
        let offered: BTreeSet<String> = reads
            .iter()
            .map(|r| r.path.clone())
            .chain(criterion_files.keys().cloned())
            .collect();
        for (selection, format) in &self.listed {
            for outside in selection.read_outside(ctx.root, index, &offered)? {
                match outside.bytes {
                    Ok(bytes) if self.is_criterion(&outside.display, Some(*format)) => {
                        criterion_files.insert(outside.display, bytes);
                    }
                    Ok(bytes) => {
                        let text = String::from_utf8_lossy(&bytes);
                        reads.push(Read {
                            outcome: imports::read(&outside.display, &text, *format, true),
                            path: outside.display,
                            in_repo: outside.in_repo,
                            explicit: true,
                        });
                    }
                    Err(why) => reads.push(Read {
                        path: outside.display,
                        in_repo: outside.in_repo,
                        explicit: true,
                        outcome: Outcome::Failed(*format, ParseError::whole(why)),
                    }),
                }
            }
            for glob in selection.unmatched_globs(index) {
                notes.push(format!(
                    "performance.imports: `{glob}` matches no file the walk saw (globs do not \
                     see git-ignored files; list such a file by its path)"
                ));
            }
        }
        let mut folders: Vec<&str> = self.folders.iter().map(String::as_str).collect();
        if self.auto_detect
            && ctx.root.join(CRITERION_DIR).is_dir()
            && !folders.contains(&CRITERION_DIR)
        {
            folders.push(CRITERION_DIR);
        }
        for folder in folders {
            let prefix = format!("{folder}/");
            if criterion_files.keys().any(|k| k.starts_with(&prefix)) {
                // The walk offered them: the folder is not git-ignored here.
                continue;
            }
            criterion::read_folder(
                &ctx.root.join(folder),
                folder,
                &self.baseline,
                criterion_files,
            )
            .map_err(|e| anyhow::anyhow!("reading criterion results: {e}"))?;
        }
        Ok(())
    }
}

/// Where this run stands: earlier runs, branch, merge-base and default branch.
fn lineage<'a>(ctx: &CheckContext<'_>, records: &'a [crate::history::RunMetrics]) -> Lineage<'a> {
    use crate::git::git;
    let repo = crate::git::repo_info(ctx.root);
    let merge_base = ctx
        .diff_base
        .and_then(|base| git(ctx.root, &["merge-base", base, "HEAD"]))
        .filter(|c| !c.is_empty());
    let default_branch = ctx
        .config
        .performance
        .regression
        .default_branch
        .clone()
        .or_else(|| {
            git(
                ctx.root,
                &["symbolic-ref", "--short", "-q", "refs/remotes/origin/HEAD"],
            )
            .and_then(|r| r.split_once('/').map(|(_, b)| b.to_owned()))
        })
        .or_else(|| {
            ["main", "master"]
                .into_iter()
                .find(|b| {
                    git(
                        ctx.root,
                        &["rev-parse", "--verify", "-q", &format!("refs/heads/{b}")],
                    )
                    .is_some()
                })
                .map(str::to_owned)
        });
    Lineage {
        records,
        branch: repo.branch,
        merge_base,
        default_branch,
        tool_baseline: ctx.config.performance.regression.criterion_baseline.clone(),
    }
}

fn unparseable(
    path: &str,
    in_repo: bool,
    format: Option<BenchmarkFormat>,
    err: &ParseError,
) -> Finding {
    let what = format.map_or_else(String::new, |f| format!(" as {}", format_name(f)));
    let location = in_repo.then(|| Location {
        path: path.to_owned(),
        region: err
            .line
            .map(|l| Region::line(u32::try_from(l).unwrap_or(u32::MAX))),
    });
    let mut f = RULES[2].finding(
        format!("benchmark results `{path}` cannot be read{what}: {err}"),
        location,
        &format!("{path}:{}", format.map_or("unknown", format_name)),
    );
    f.help = Some(
        "Regenerate the file with the benchmark tool (a truncated file usually means the run \
         was interrupted), set its `format` in performance.imports, or stop listing it."
            .to_owned(),
    );
    f
}

#[cfg(test)]
mod tests;
