//! `vigil check`: load config, run the pipelines, write every report, print a summary, exit.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::ExitStatus;
use crate::cli::{CheckArgs, Format, PipelineChoice};
use crate::model::{Pipeline, RunReport};
use crate::output::Ui;
use crate::runner::{RunOptions, canonical_root, execute};

/// Paths of the files one run writes.
#[derive(Debug, Clone)]
pub struct OutputPaths {
    /// The output folder.
    pub dir: PathBuf,
    /// latest/report.json
    pub report: PathBuf,
    /// latest/results.sarif
    pub sarif: PathBuf,
    /// latest/junit.xml
    pub junit: PathBuf,
    /// latest/summary.md
    pub summary: PathBuf,
    /// logs/
    pub logs: PathBuf,
}

impl OutputPaths {
    /// The layout under an output folder.
    pub fn new(dir: &Path) -> Self {
        let latest = dir.join("latest");
        Self {
            dir: dir.to_path_buf(),
            report: latest.join("report.json"),
            sarif: latest.join("results.sarif"),
            junit: latest.join("junit.xml"),
            summary: latest.join("summary.md"),
            logs: dir.join("logs"),
        }
    }
}

/// Pipelines chosen by flags, else by config, else all.
fn selected_pipelines(args: &CheckArgs, config: &crate::config::Config) -> Vec<Pipeline> {
    let mut set = BTreeSet::new();
    if args.pipeline.is_empty() {
        match &config.pipelines {
            Some(list) if !list.is_empty() => set.extend(list.iter().copied()),
            _ => set.extend(Pipeline::ALL),
        }
    } else {
        for c in &args.pipeline {
            match c {
                PipelineChoice::All => set.extend(Pipeline::ALL),
                PipelineChoice::One(p) => {
                    set.insert(*p);
                }
            }
        }
    }
    set.into_iter().collect()
}

/// With `--check`, the pipelines of the named checks (which must be among `selected` when
/// `--pipeline` was given); otherwise `selected`.
fn pipelines_for_checks(
    args: &CheckArgs,
    selected: Vec<Pipeline>,
) -> Result<Vec<Pipeline>, String> {
    if args.checks.is_empty() {
        return Ok(selected);
    }
    let mut implied = BTreeSet::new();
    for id in &args.checks {
        let Some(spec) = crate::pipelines::REGISTRY.iter().find(|c| c.id == id) else {
            let ids: Vec<&str> = crate::pipelines::REGISTRY.iter().map(|c| c.id).collect();
            return Err(format!(
                "unknown check `{id}`; checks are: {}",
                ids.join(", ")
            ));
        };
        if !args.pipeline.is_empty() && !selected.contains(&spec.pipeline) {
            return Err(format!(
                "check `{id}` belongs to the {} pipeline, which --pipeline leaves out",
                spec.pipeline
            ));
        }
        implied.insert(spec.pipeline);
    }
    Ok(implied.into_iter().collect())
}

/// Run `vigil check`.
pub fn run(args: &CheckArgs, ui: &Ui) -> Result<ExitStatus> {
    let root = match canonical_root(&args.path) {
        Ok(r) => r,
        Err(e) => {
            crate::output::error(&format!("{e:#}"));
            return Ok(ExitStatus::Error);
        }
    };
    let loaded = match crate::config::load(&root, args.config.as_deref()) {
        Ok(l) => l,
        Err(e) => {
            crate::output::error(&e.to_string());
            return Ok(ExitStatus::Error);
        }
    };
    let config = loaded.config;
    let out_dir = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(&config.output.dir));
    let paths = OutputPaths::new(&out_dir);
    let formats: Vec<Format> = if args.format.is_empty() {
        vec![Format::Json, Format::Sarif, Format::Junit, Format::Markdown]
    } else {
        args.format.clone()
    };

    if args.report_only {
        let report = crate::render::json::read(&paths.report)?;
        let summary = write_reports(&report, &paths, &formats)?;
        finish(&report, &paths, &summary, ui)?;
        return Ok(crate::gate::exit_status(&report));
    }

    if let Some(src) = &loaded.source {
        ui.detail(&format!("configuration: {}", src.display()));
    }
    let pipelines = match pipelines_for_checks(args, selected_pipelines(args, &config)) {
        Ok(p) => p,
        Err(msg) => {
            crate::output::error(&msg);
            return Ok(ExitStatus::Error);
        }
    };
    let fail_on = args.fail_on.or(config.fail_on);
    let baseline_path = args
        .baseline
        .clone()
        .or_else(|| config.baseline.as_ref().map(|b| root.join(b)));
    let baseline = match &baseline_path {
        Some(p) if !args.write_baseline || p.exists() => match crate::baseline::load(p) {
            Ok(b) => b,
            Err(e) if args.write_baseline => {
                ui.warn(&format!("{e:#}; writing a new baseline"));
                BTreeSet::new()
            }
            Err(e) => {
                crate::output::error(&format!("{e:#}"));
                return Ok(ExitStatus::Error);
            }
        },
        _ => BTreeSet::new(),
    };
    let opts = RunOptions {
        root: root.clone(),
        pipelines,
        checks: args.checks.clone(),
        offline: args.offline,
        git_history: args.git_history,
        online: args.online,
        advisories: crate::pipelines::security::deps::AdvisoryOptions {
            advisory_db: args.advisory_db.clone(),
            osv_db: args.osv_db.clone(),
            fetch: args.fetch_advisories,
        },
        diff_base: args.diff_base.clone().or_else(|| {
            crate::pipelines::quality::coverage::diff::github_base(
                &|k| std::env::var(k).ok(),
                &|p| std::fs::read_to_string(p).ok(),
            )
        }),
        fail_on,
        skip_dirs: vec![out_dir.clone()],
        config_digest: crate::config::digest(&config),
        baseline,
        today: chrono::Utc::now().date_naive(),
        cache_dir: (!args.no_cache).then(|| out_dir.join("cache")),
    };
    let bar = ui.progress.then(|| {
        let b = indicatif::ProgressBar::new_spinner();
        b.set_message("walking");
        b
    });
    let tick = |n: u64| {
        if let Some(b) = &bar
            && n.is_multiple_of(512)
        {
            b.set_message(format!("{n} files"));
            b.tick();
        }
    };
    // The previous run's record is read while this one runs.
    let (report, previous) = std::thread::scope(|s| {
        let previous = s.spawn(|| crate::history::latest(&out_dir).map(|r| r.as_previous()));
        // Without a progress bar the walk does not count files for it.
        let progress: Option<&(dyn Fn(u64) + Sync)> = bar.is_some().then_some(&tick);
        let report = execute(&config, &opts, progress);
        (report, previous.join().ok().flatten())
    });
    let mut report = report?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    report.previous = previous;

    let (summary, record) = rayon::join(
        || write_reports(&report, &paths, &formats),
        || crate::history::HistoryRecord::from_report(&report),
    );
    let summary = summary?;
    if args.write_baseline {
        let path = baseline_path.unwrap_or_else(|| root.join(crate::baseline::DEFAULT_FILE));
        crate::render::write_atomic(&path, crate::baseline::render(&report).as_bytes())?;
        ui.info(&format!("wrote the baseline {}", path.display()));
    }
    crate::history::write(&out_dir, &record)?;
    crate::log::append(&paths.logs, &report, loaded.source.as_deref())
        .unwrap_or_else(|e| ui.warn(&format!("could not write the log: {e:#}")));
    finish(&report, &paths, &summary, ui)?;
    let status = crate::gate::exit_status(&report);
    // The process ends next: freeing a large report allocation by allocation only costs time.
    std::mem::forget(report);
    Ok(status)
}

/// Render every requested output, then replace the files; report.json goes last so any
/// failure leaves the previous one intact. Returns the Markdown summary.
///
/// The renderers only read the report, so they run in parallel, and each writes its temp file
/// as soon as it is done: with tens of thousands of findings, SARIF and JSON are tens of
/// megabytes each. The files are put in place only once every one is written.
fn write_reports(report: &RunReport, paths: &OutputPaths, formats: &[Format]) -> Result<String> {
    use crate::render::{Staged, stage};
    let wants = |f: Format| formats.contains(&f);
    let staged =
        |path: &Path, text: Result<String>| -> Result<Staged> { stage(path, text?.as_bytes()) };
    let ((summary, junit), (sarif, json)) = rayon::join(
        || {
            let summary = crate::render::markdown::render(report).and_then(|text| {
                let file = wants(Format::Markdown)
                    .then(|| stage(&paths.summary, text.as_bytes()))
                    .transpose()?;
                Ok((text, file))
            });
            let junit = wants(Format::Junit)
                .then(|| staged(&paths.junit, crate::render::junit::render(report)));
            (summary, junit)
        },
        || {
            rayon::join(
                || {
                    wants(Format::Sarif)
                        .then(|| staged(&paths.sarif, crate::render::sarif::render(report)))
                },
                || staged(&paths.report, crate::render::json::render(report)),
            )
        },
    );
    let (summary, summary_file) = summary?;
    let files = [
        sarif.transpose()?,
        junit.transpose()?,
        summary_file,
        Some(json?),
    ];
    crate::render::commit_all(files.into_iter().flatten().collect()).context("writing reports")?;
    Ok(summary)
}

/// GitHub integration and the terminal summary.
fn finish(report: &RunReport, paths: &OutputPaths, summary: &str, ui: &Ui) -> Result<()> {
    if std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true") {
        crate::render::github::emit(report, summary, paths, ui)?;
    }
    print_summary(report, paths, ui);
    Ok(())
}

fn print_summary(report: &RunReport, paths: &OutputPaths, ui: &Ui) {
    let status = report.overall_status.as_str();
    let code = match report.overall_status {
        crate::model::OverallStatus::Healthy => "32",
        crate::model::OverallStatus::Warning => "33",
        _ => "31",
    };
    ui.info(&format!(
        "vigil {}: {} — {} active findings ({} suppressed, {} baselined), gates {} passed / {} warned / {} failed, {} files in {} ms",
        report.tool.version,
        ui.paint(status, code),
        report.counts.active,
        report.counts.suppressed,
        report.counts.baselined,
        report.counts.gates_passed,
        report.counts.gates_warned,
        report.counts.gates_failed,
        report.walk.files_scanned,
        report.duration_ms
    ));
    for (name, s) in &report.scores {
        ui.info(&format!("  {name}: {}", crate::gate::fmt_num(s.value)));
    }
    for g in report
        .gates()
        .filter(|g| g.status == crate::model::GateStatus::Failed)
    {
        ui.info(&format!(
            "  {} {}: {}",
            ui.paint("FAILED", "31"),
            g.name,
            g.message
        ));
    }
    for p in &report.pipelines {
        for c in p
            .checks
            .iter()
            .filter(|c| c.status == crate::model::CheckStatus::Error)
        {
            ui.info(&format!(
                "  {} check {}: {}",
                ui.paint("ERROR", "31"),
                c.id,
                c.note.as_deref().unwrap_or("")
            ));
        }
    }
    ui.info(&format!(
        "  reports: {}",
        paths.report.parent().unwrap_or(&paths.dir).display()
    ));
}
