//! Test helpers for checks: run one check on a fixture folder exactly as the runner does, and
//! render its findings compactly for snapshots.
//!
//! [`run_check`] builds the check from its [`CheckSpec`], walks the fixture with the real
//! [`crate::walk::walk`] (so `.gitignore`, binary sniffing and the `wants` filter all apply),
//! calls the repository hook, and sorts findings by [`Finding::sort_key`]. It stops short of
//! the policy (suppressions, overrides, gates), which has its own tests. The context is that of
//! an `--offline` run without `--git-history`. A check that declines to build, or a hook that
//! errors, fails the test with the reason.

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::model::{Finding, Hotspot, Metric};
use crate::pipelines::{Built, CheckContext, CheckSpec, Sink};
use crate::walk::{WalkOptions, walk};

/// Absolute path of `fixtures/<rel>` in this repository.
pub(crate) fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel)
}

/// What one check produced on one tree.
#[derive(Debug)]
pub(crate) struct CheckOutcome {
    /// Findings, sorted as the runner sorts them.
    pub(crate) findings: Vec<Finding>,
    /// Metrics, summed by name as the runner does, sorted by name.
    pub(crate) metrics: Vec<Metric>,
    /// Hotspots, in the order the check gave them.
    pub(crate) hotspots: Vec<Hotspot>,
}

impl CheckOutcome {
    /// Value of a metric by name.
    pub(crate) fn metric(&self, name: &str) -> Option<f64> {
        self.metrics
            .iter()
            .find(|m| m.name == name)
            .map(|m| m.value)
    }
}

/// Findings of the check `spec` on the tree at `dir`.
pub(crate) fn run_check(spec: &CheckSpec, dir: &Path, config: &Config) -> Vec<Finding> {
    run_check_with_metrics(spec, dir, config).findings
}

/// Findings and metrics of the check `spec` on the tree at `dir`.
pub(crate) fn run_check_with_metrics(
    spec: &CheckSpec,
    dir: &Path,
    config: &Config,
) -> CheckOutcome {
    let root = dir
        .canonicalize()
        .unwrap_or_else(|e| panic!("fixture {}: {e}", dir.display()));
    let ctx = CheckContext {
        offline: true,
        ..CheckContext::new(&root, config)
    };
    run_check_in(spec, &ctx)
}

/// Findings and metrics of the check `spec` run with `ctx` (whose root must be canonical).
pub(crate) fn run_check_in(spec: &CheckSpec, ctx: &CheckContext<'_>) -> CheckOutcome {
    let (root, config) = (ctx.root, ctx.config);
    let check = match (spec.build)(ctx) {
        Ok(Built::Ready(check)) => check,
        Ok(Built::Skipped(why)) => panic!("check {} declined to run: {why}", spec.id),
        Err(e) => panic!("check {} failed to build: {e:#}", spec.id),
    };
    let opts = WalkOptions {
        root: root.to_path_buf(),
        exclude: config.paths.exclude.clone(),
        max_file_size: config.paths.max_file_size.0,
        skip_dirs: Vec::new(),
        threads: 0,
    };
    let out = walk(&opts, &[check.as_ref()], None).expect("the walk of a fixture succeeds");
    let mut sink = Sink::default();
    for mut produced in out.sinks {
        assert!(
            produced.errors.is_empty(),
            "check {} failed on files: {:?}",
            spec.id,
            produced.errors
        );
        sink.append(&mut produced.sink);
    }
    if let Err(e) = check.check_repo(ctx, &out.index, &mut sink) {
        panic!("check {} failed in check_repo: {e:#}", spec.id);
    }
    let mut findings = sink.findings;
    findings.sort_by(Finding::cmp_order);
    let mut metrics: Vec<Metric> = Vec::new();
    for m in sink.metrics {
        match metrics.iter_mut().find(|x| x.name == m.name) {
            Some(x) => x.value += m.value,
            None => metrics.push(m),
        }
    }
    metrics.sort_by(|a, b| a.name.cmp(&b.name));
    CheckOutcome {
        findings,
        metrics,
        hotspots: sink.hotspots,
    }
}

/// One line per finding: `path:line:col rule severity message` (`(repo)` when repo-wide).
pub(crate) fn render(findings: &[Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        let place = match &f.location {
            None => "(repo)".to_owned(),
            Some(loc) => match &loc.region {
                None => loc.path.clone(),
                Some(r) => match r.start_column {
                    Some(col) => format!("{}:{}:{col}", loc.path, r.start_line),
                    None => format!("{}:{}", loc.path, r.start_line),
                },
            },
        };
        out.push_str(&format!(
            "{place} {} {} {}\n",
            f.rule_id, f.severity, f.message
        ));
    }
    out
}

/// Rule ids of `findings`, in order, with repeats.
pub(crate) fn rule_ids(findings: &[Finding]) -> Vec<&str> {
    findings.iter().map(|f| f.rule_id.as_str()).collect()
}

/// Run `git` in `dir` for a test, isolated from the machine's git configuration (fixed user,
/// no signing, branch `main`), failing the test when it fails; returns its trimmed stdout.
pub(crate) fn git(dir: &Path, args: &[&str]) -> String {
    git_command(dir, args, None)
}

/// [`git`] with the author and committer dates set to `date` (RFC 3339), for history tests.
pub(crate) fn git_at(dir: &Path, args: &[&str], date: &str) -> String {
    git_command(dir, args, Some(date))
}

fn git_command(dir: &Path, args: &[&str], date: Option<&str>) -> String {
    let mut cmd = std::process::Command::new("git");
    cmd.arg("-C")
        .arg(dir)
        .args([
            "-c",
            "user.name=vigil test",
            "-c",
            "user.email=test@vigil.invalid",
        ])
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env_remove("GIT_DIR");
    if let Some(date) = date {
        cmd.env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_DATE", date);
    }
    let out = cmd.output().expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}
