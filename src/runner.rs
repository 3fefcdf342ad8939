//! The engine of `vigil check`: build the selected checks, walk once, run the repository
//! hooks in parallel, apply the policy, score, gate, and assemble the [`RunReport`].
//!
//! A check that returns an error — or panics — becomes an `error` entry of its pipeline and
//! the run exits 2; the other checks still run and every report is still written.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Result;
use rayon::prelude::*;

use crate::config::Config;
use crate::model::{
    CheckRun, CheckStatus, Metric, Pipeline, PipelineResult, PipelineStatus, RunReport,
    SCHEMA_VERSION, Severity, ToolInfo,
};
use crate::pipelines::{Built, Check, CheckContext, CheckSpec, REGISTRY, Sink};
use crate::suppress::Policy;
use crate::walk::{WalkOptions, WalkOutput};

/// What to run and how.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Repository root (canonical).
    pub root: PathBuf,
    /// Pipelines to run, in any order.
    pub pipelines: Vec<Pipeline>,
    /// Only these check ids (empty: every check of the selected pipelines).
    pub checks: Vec<String>,
    /// `--offline`.
    pub offline: bool,
    /// `--git-history`.
    pub git_history: bool,
    /// `--online`.
    pub online: bool,
    /// `--advisory-db`, `--osv-db`, `--fetch-advisories`.
    pub advisories: crate::pipelines::security::deps::AdvisoryOptions,
    /// `--diff-base` (or the pull request's base in GitHub Actions).
    pub diff_base: Option<String>,
    /// `--fail-on`.
    pub fail_on: Option<Severity>,
    /// Folders the walk must not enter (the output folder).
    pub skip_dirs: Vec<PathBuf>,
    /// Config digest to record.
    pub config_digest: String,
    /// Accepted fingerprints (baseline).
    pub baseline: std::collections::BTreeSet<String>,
    /// Today, for suppression expiry.
    pub today: chrono::NaiveDate,
    /// Where checks keep results between runs (`<out>/cache`); `None`: no cache (`--no-cache`).
    pub cache_dir: Option<PathBuf>,
}

struct Prepared {
    spec: &'static CheckSpec,
    state: Prepared2,
}

enum Prepared2 {
    Ready(Box<dyn Check>),
    Skipped(String),
    Failed(String),
}

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned())
}

/// Run the selected pipelines on `opts.root` and build the report.
///
/// `progress` is called with the running count of files walked.
pub fn execute(
    config: &Config,
    opts: &RunOptions,
    progress: Option<&(dyn Fn(u64) + Sync)>,
) -> Result<RunReport> {
    let started = chrono::Utc::now();
    let clock = Instant::now();
    let ctx = CheckContext {
        root: &opts.root,
        config,
        offline: opts.offline,
        git_history: opts.git_history,
        online: opts.online && !opts.offline,
        advisories: opts.advisories.clone(),
        diff_base: opts.diff_base.as_deref(),
        cache_dir: opts.cache_dir.as_deref(),
    };

    let prepared: Vec<Prepared> = REGISTRY
        .iter()
        .filter(|s| opts.pipelines.contains(&s.pipeline))
        .filter(|s| opts.checks.is_empty() || opts.checks.iter().any(|c| c == s.id))
        .map(|spec| {
            let state = match catch_unwind(AssertUnwindSafe(|| (spec.build)(&ctx))) {
                Ok(Ok(Built::Ready(c))) => Prepared2::Ready(c),
                Ok(Ok(Built::Skipped(why))) => Prepared2::Skipped(why),
                Ok(Err(e)) => Prepared2::Failed(format!("{e:#}")),
                Err(p) => Prepared2::Failed(format!("check panicked: {}", panic_message(&*p))),
            };
            Prepared { spec, state }
        })
        .collect();

    let ready: Vec<(usize, &dyn Check)> = prepared
        .iter()
        .enumerate()
        .filter_map(|(i, p)| match &p.state {
            Prepared2::Ready(c) => Some((i, c.as_ref())),
            _ => None,
        })
        .collect();
    let checks: Vec<&dyn Check> = ready.iter().map(|(_, c)| *c).collect();

    let walk_opts = WalkOptions {
        root: opts.root.clone(),
        exclude: config.paths.exclude.clone(),
        max_file_size: config.paths.max_file_size.0,
        skip_dirs: opts.skip_dirs.clone(),
        threads: 0,
    };
    // The secret scrubber's rules (built-in, and the run's own) compile while the walk waits
    // on the disk.
    let (walk_result, run_scrubber) = std::thread::scope(|s| {
        let scrubber = s.spawn(|| {
            crate::pipelines::security::secrets::prepare_scrubber();
            crate::pipelines::security::secrets::run_scrubber(&ctx)
        });
        let walk = catch_unwind(AssertUnwindSafe(|| {
            crate::walk::walk(&walk_opts, &checks, progress)
        }));
        (walk, scrubber.join().ok().flatten())
    });
    let WalkOutput {
        index,
        stats,
        sinks,
    } = match walk_result {
        Ok(r) => r?,
        Err(p) => anyhow::bail!("a check panicked during the walk: {}", panic_message(&*p)),
    };

    // Repository hooks, in parallel.
    let repo_results: Vec<(Sink, Option<String>, u64)> = checks
        .par_iter()
        .map(|c| {
            let start = Instant::now();
            let mut sink = Sink::default();
            let err = match catch_unwind(AssertUnwindSafe(|| c.check_repo(&ctx, &index, &mut sink)))
            {
                Ok(Ok(())) => None,
                Ok(Err(e)) => Some(format!("{e:#}")),
                Err(p) => Some(format!("check panicked: {}", panic_message(&*p))),
            };
            (
                sink,
                err,
                u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX),
            )
        })
        .collect();

    let policy = Policy::new(config, opts.today, opts.baseline.clone())?;
    let mut per_pipeline: BTreeMap<Pipeline, PipelineResult> = opts
        .pipelines
        .iter()
        .map(|p| {
            (
                *p,
                PipelineResult {
                    pipeline: *p,
                    status: PipelineStatus::Passed,
                    duration_ms: 0,
                    checks: Vec::new(),
                    findings: Vec::new(),
                    metrics: Vec::new(),
                    gates: Vec::new(),
                    hotspots: Vec::new(),
                },
            )
        })
        .collect();

    let mut walk_sinks: Vec<Option<crate::walk::CheckOutput>> =
        sinks.into_iter().map(Some).collect();
    let mut repo_results: Vec<Option<(Sink, Option<String>, u64)>> =
        repo_results.into_iter().map(Some).collect();
    for (i, p) in prepared.iter().enumerate() {
        let Some(result) = per_pipeline.get_mut(&p.spec.pipeline) else {
            continue;
        };
        let run = match &p.state {
            Prepared2::Skipped(why) => CheckRun {
                id: p.spec.id.to_owned(),
                status: CheckStatus::Skipped,
                duration_ms: 0,
                note: Some(why.clone()),
            },
            Prepared2::Failed(why) => CheckRun {
                id: p.spec.id.to_owned(),
                status: CheckStatus::Error,
                duration_ms: 0,
                note: Some(why.clone()),
            },
            Prepared2::Ready(_) => {
                let slot = ready
                    .iter()
                    .position(|(j, _)| *j == i)
                    .unwrap_or(usize::MAX);
                let mut walk_out = walk_sinks
                    .get_mut(slot)
                    .and_then(Option::take)
                    .unwrap_or_default();
                let (mut repo_sink, repo_err, repo_ms) = repo_results
                    .get_mut(slot)
                    .and_then(Option::take)
                    .unwrap_or_default();
                let mut sink = Sink::default();
                sink.append(&mut walk_out.sink);
                sink.append(&mut repo_sink);
                let mut errors = walk_out.errors;
                errors.sort();
                if let Some(e) = repo_err {
                    errors.push(e);
                }
                crate::pipelines::move_all(&mut result.findings, &mut sink.findings);
                merge_metrics(&mut result.metrics, sink.metrics);
                result.hotspots.append(&mut sink.hotspots);
                let duration_ms = walk_out.micros / 1000 + repo_ms;
                if errors.is_empty() {
                    // A check with nothing to work on is skipped, with its reason first.
                    let status = if sink.skipped.is_some() {
                        CheckStatus::Skipped
                    } else {
                        CheckStatus::Ran
                    };
                    let notes: Vec<String> = sink.skipped.into_iter().chain(sink.notes).collect();
                    CheckRun {
                        id: p.spec.id.to_owned(),
                        status,
                        duration_ms,
                        note: (!notes.is_empty()).then(|| notes.join("; ")),
                    }
                } else {
                    let n = errors.len();
                    let mut note = errors.into_iter().take(5).collect::<Vec<_>>().join("; ");
                    if n > 5 {
                        note.push_str(&format!("; and {} more", n - 5));
                    }
                    CheckRun {
                        id: p.spec.id.to_owned(),
                        status: CheckStatus::Error,
                        duration_ms,
                        note: Some(note),
                    }
                }
            }
        };
        result.duration_ms += run.duration_ms;
        result.checks.push(run);
    }

    let mut pipelines: Vec<PipelineResult> = per_pipeline.into_values().collect();
    for p in &mut pipelines {
        let mut findings = std::mem::take(&mut p.findings);
        if p.pipeline == Pipeline::Quality {
            findings.extend(crate::suppress::unexplained_ignores(&index.ignores));
        }
        // Messages quote lines, paths and links: a secret in them is redacted here, once.
        crate::pipelines::security::secrets::scrub_findings(&mut findings, run_scrubber.as_ref());
        findings.par_sort_by(crate::model::Finding::cmp_order);
        crate::suppress::disambiguate_fingerprints(&mut findings);
        p.findings = policy.apply(p.pipeline, findings, &index.ignores);
        p.findings.par_sort_by(crate::model::Finding::cmp_order);
    }
    let scores = crate::score::score_pipelines(&mut pipelines);
    let config_gates = crate::gate::config_gates(config);
    for p in &mut pipelines {
        crate::gate::evaluate_pipeline(p, &config.gates, &config_gates, opts.fail_on);
    }
    crate::gate::evaluate_pass_rate(&mut pipelines, &config.gates);
    for p in &mut pipelines {
        p.metrics.sort_by(|a, b| a.name.cmp(&b.name));
        p.status = crate::gate::pipeline_status(p);
    }
    let counts = crate::gate::counts(&pipelines);
    let overall_status = crate::gate::overall_status(&pipelines, &counts);
    let repo = crate::git::repo_info(&opts.root);
    let finished = chrono::Utc::now();
    let short = repo
        .commit
        .as_deref()
        .map_or("nogit", |c| &c[..c.len().min(7)])
        .to_owned();
    Ok(RunReport {
        schema_version: SCHEMA_VERSION.to_owned(),
        tool: ToolInfo {
            name: "vigil".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        },
        run_id: format!("{}-{short}", started.format("%Y%m%dT%H%M%S%.3fZ")),
        started_at: started.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        finished_at: finished.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        duration_ms: u64::try_from(clock.elapsed().as_millis()).unwrap_or(u64::MAX),
        repo,
        config_digest: opts.config_digest.clone(),
        fail_on: opts.fail_on,
        walk: stats,
        pipelines,
        scores,
        counts,
        overall_status,
        previous: None,
    })
}

/// Add metrics into `into`, summing values that share a name.
fn merge_metrics(into: &mut Vec<Metric>, from: Vec<Metric>) {
    for m in from {
        match into.iter_mut().find(|x| x.name == m.name) {
            Some(x) => x.value += m.value,
            None => into.push(m),
        }
    }
}

/// Canonical root folder, or a clear error naming it.
pub fn canonical_root(path: &Path) -> Result<PathBuf> {
    let root = path.canonicalize().map_err(|e| {
        anyhow::anyhow!("{}: cannot open the repository folder: {e}", path.display())
    })?;
    if !root.is_dir() {
        anyhow::bail!("{}: not a folder; pass the repository root", path.display());
    }
    Ok(root)
}
