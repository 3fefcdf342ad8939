//! The benchmarks check end to end: through the real runner (walk, repository hook, policy,
//! scores, gates) on the fixture trees of `fixtures/performance/benchmarks`.

use std::path::Path;

use crate::config::Config;
use crate::config::schema::{
    BenchmarkCommand, BenchmarkConfig, BenchmarkFormat, BenchmarkImport, Positive,
};
use crate::history::HistoryRecord;
use crate::model::{CheckStatus, GateStatus, Pipeline, PipelineResult, RunReport};
use crate::pipelines::testing::{fixture, render, rule_ids};
use crate::runner::{RunOptions, execute};

/// A config whose history lives in `out` (a temp folder) and that compares criterion results
/// with the `main` baseline the fixtures were saved under.
fn config(out: &Path) -> Config {
    let mut c = Config::default();
    c.output.dir = out.to_string_lossy().into_owned();
    c.performance.regression.criterion_baseline = "main".into();
    c
}

fn bench(name: &str, command: &str, runs: u32) -> BenchmarkConfig {
    BenchmarkConfig {
        name: name.into(),
        command: BenchmarkCommand::Shell(command.into()),
        warmup: 0,
        runs: std::num::NonZeroU32::new(runs).expect("runs > 0"),
        timeout: Positive(30.0),
        env: Default::default(),
        cwd: None,
        ops_per_run: Positive(1.0),
        memory_budget: None,
    }
}

/// Run the performance pipeline on `root` as `vigil check --pipeline performance` does.
fn run(root: &Path, config: &Config) -> RunReport {
    let opts = RunOptions {
        root: root.canonicalize().expect("fixture exists"),
        pipelines: vec![Pipeline::Performance],
        today: chrono::Utc::now().date_naive(),
        ..RunOptions::default()
    };
    execute(config, &opts, None).expect("the run completes")
}

fn performance(report: &RunReport) -> &PipelineResult {
    report
        .pipelines
        .iter()
        .find(|p| p.pipeline == Pipeline::Performance)
        .expect("performance pipeline")
}

fn gate(report: &RunReport, name: &str) -> GateStatus {
    performance(report)
        .gates
        .iter()
        .find(|g| g.name == name)
        .map(|g| g.status)
        .unwrap_or_else(|| panic!("no gate {name}"))
}

fn note(report: &RunReport, check: &str) -> String {
    performance(report)
        .checks
        .iter()
        .find(|c| c.id == check)
        .and_then(|c| c.note.clone())
        .unwrap_or_default()
}

#[test]
fn criterion_30_percent_regression_fails_the_gate() {
    let out = tempfile::tempdir().expect("tmp");
    let report = run(
        &fixture("performance/benchmarks/regressed"),
        &config(out.path()),
    );
    let p = performance(&report);
    assert_eq!(rule_ids(&p.findings), ["performance-regression"; 2]);
    insta::assert_snapshot!(render(&p.findings));
    let pct = p
        .metric("performance.regression_pct")
        .expect("regression_pct");
    assert!((pct - 30.0).abs() < 0.01, "{pct}");
    assert_eq!(gate(&report, "regression_pct"), GateStatus::Failed);
    assert_eq!(
        crate::gate::exit_status(&report),
        crate::ExitStatus::GateFailed
    );
    // Both benchmarks came from the git-ignored target/criterion, read directly.
    assert_eq!(p.metric("performance.benchmarks"), Some(2.0));
    assert!(note(&report, "benchmarks").contains("imported criterion results"));
    let f = &p.findings[0];
    for key in [
        "baseline_mean",
        "mean",
        "baseline_median",
        "median",
        "change_pct",
        "p_value",
    ] {
        assert!(f.properties.contains_key(key), "{key} missing: {f:?}");
    }
    // The score lost the regression gate's points (30 % vs 10 %: capped at 20).
    let score = report
        .scores
        .get("performance_score")
        .expect("performance_score");
    assert_eq!(score.value, 80.0, "{:?}", score.breakdown);
}

#[test]
fn criterion_1_percent_change_passes() {
    let out = tempfile::tempdir().expect("tmp");
    let report = run(
        &fixture("performance/benchmarks/steady"),
        &config(out.path()),
    );
    let p = performance(&report);
    assert!(p.findings.is_empty(), "{}", render(&p.findings));
    // A 1 % shift in samples this noisy is not significant, so nothing counts.
    assert_eq!(p.metric("performance.regression_pct"), Some(0.0));
    for slug in ["parse_small", "mix_hash_64"] {
        let change = p
            .metric(&format!("performance.{slug}.change_pct"))
            .expect("change_pct");
        assert!((change - 1.0).abs() < 1e-6, "{slug}: {change}");
        let p_value = p.metric(&format!("performance.{slug}.p_value")).expect("p");
        assert!(p_value > 0.05, "{slug}: p = {p_value}");
    }
    assert_eq!(gate(&report, "regression_pct"), GateStatus::Passed);
    assert_eq!(crate::gate::exit_status(&report), crate::ExitStatus::Passed);
    assert_eq!(report.scores["performance_score"].value, 100.0);
}

#[test]
fn fires() {
    let out = tempfile::tempdir().expect("tmp");
    let mut c = config(out.path());
    c.performance.imports = vec![
        BenchmarkImport {
            path: "results/pytest.json".into(),
            format: None,
        },
        BenchmarkImport {
            path: "results/throughput.json".into(),
            format: Some(BenchmarkFormat::CustomBiggerIsBetter),
        },
        BenchmarkImport {
            path: "results/broken.json".into(),
            format: Some(BenchmarkFormat::Hyperfine),
        },
    ];
    c.performance.benchmarks = vec![bench("true", "true", 5), bench("failing", "exit 1", 3)];
    let report = run(&fixture("performance/benchmarks/fires"), &c);
    let p = performance(&report);
    insta::assert_snapshot!(render(&p.findings));
    assert_eq!(
        rule_ids(&p.findings),
        [
            "benchmark-failed",
            "benchmark-failed",
            "unparseable-benchmark-report"
        ],
        "{}",
        render(&p.findings)
    );
    // hyperfine 2 + 1 failing, go 2, cargo bench 2, pytest save 2 + JSON 2, custom 1, vigil 2.
    assert_eq!(p.metric("performance.benchmarks"), Some(14.0));
    assert_eq!(p.metric("performance.error_rate"), Some(100.0));
    assert_eq!(gate(&report, "error_rate_max"), GateStatus::Failed);
    // Nothing to compare with yet: the regression gate is skipped, not passed.
    assert_eq!(p.metric("performance.regression_pct"), None);
    assert_eq!(gate(&report, "regression_pct"), GateStatus::Skipped);
    assert_eq!(
        p.metric("performance.benchmarks_without_baseline"),
        Some(14.0)
    );
    let notes = note(&report, "benchmarks");
    assert!(notes.contains("insufficient history for `true`"), "{notes}");
    assert!(
        notes.contains("notes/benchmark-plan.txt was not imported"),
        "{notes}"
    );
    // Metrics of the tools' own extras and of the process.
    assert_eq!(
        p.metric("performance.example_com_sorter_benchmarksortcopy10k.allocs_per_op"),
        Some(2.0)
    );
    assert!(
        p.metric("performance.true.peak_rss_bytes")
            .is_some_and(|v| v > 0.0)
    );
    assert_eq!(p.metric("performance.true.samples"), Some(5.0));
    assert_eq!(p.metric("performance.api_throughput.mean"), Some(1509.25));
    let host = note(&report, "host");
    assert!(host.starts_with("host: "), "{host}");
    assert!(p.metric("host.cpu_logical").is_some());
}

#[test]
fn decoys() {
    let out = tempfile::tempdir().expect("tmp");
    let report = run(
        &fixture("performance/benchmarks/decoys"),
        &config(out.path()),
    );
    let p = performance(&report);
    insta::assert_snapshot!(render(&p.findings));
    assert_eq!(p.findings.len(), 0, "{}", render(&p.findings));
    let check = p
        .checks
        .iter()
        .find(|c| c.id == "benchmarks")
        .expect("benchmarks check");
    assert_eq!(check.status, CheckStatus::Skipped, "{check:?}");
    let notes = check.note.clone().unwrap_or_default();
    for decoy in [
        "bench-notes.txt",
        "benchmark-config.json",
        "hyperfine-settings.json",
        ".benchmarks/config.json",
    ] {
        assert!(
            notes.contains(&format!("{decoy} was not imported")),
            "{notes}"
        );
    }
    assert_eq!(gate(&report, "response_time_p95_ms"), GateStatus::Skipped);
}

#[test]
fn regression_against_history_of_configured_benchmarks() {
    let repo = tempfile::tempdir().expect("tmp");
    let out = tempfile::tempdir().expect("tmp");
    let delay = repo.path().join("delay");
    let mut c = config(out.path());
    c.performance.benchmarks = vec![bench("nap", "sleep $(cat delay)", 6)];
    // A loaded 2-core CI machine can stretch `sleep 0.1` by 10-20 % between runs; a 50 %
    // threshold keeps "same speed" stable while 2.5 times slower must still breach it.
    c.gates.regression_pct = Some(crate::config::schema::GateConfig {
        threshold: Some(crate::config::schema::NonNegative(50.0)),
        mode: None,
    });

    std::fs::write(&delay, "0.1").expect("write");
    let first = run(repo.path(), &c);
    assert!(note(&first, "benchmarks").contains("insufficient history for `nap`"));
    crate::history::write(out.path(), &HistoryRecord::from_report(&first)).expect("history");

    // Same speed: compared with the first run, no regression.
    let same = run(repo.path(), &c);
    let p = performance(&same);
    assert!(p.findings.is_empty(), "{}", render(&p.findings));
    assert_eq!(p.metric("performance.nap.breach"), Some(0.0));
    assert_eq!(gate(&same, "regression_pct"), GateStatus::Passed);

    // 2.5 times slower: significant and past the threshold.
    std::fs::write(&delay, "0.25").expect("write");
    let slow = run(repo.path(), &c);
    let p = performance(&slow);
    assert_eq!(
        rule_ids(&p.findings),
        ["performance-regression"],
        "{}",
        note(&slow, "benchmarks")
    );
    let f = &p.findings[0];
    assert!(f.message.starts_with("`nap` is "), "{}", f.message);
    assert!(
        f.message.contains("slower than the earlier run"),
        "{}",
        f.message
    );
    assert_eq!(
        f.properties["baseline_run"].as_str(),
        Some(first.run_id.as_str())
    );
    assert_eq!(p.metric("performance.nap.breach"), Some(1.0));
    assert_eq!(gate(&slow, "regression_pct"), GateStatus::Failed);

    // With two confirmations needed, the same slow run is only a noted first breach.
    c.performance.regression.confirmations = std::num::NonZeroU32::new(2).expect("2");
    let unconfirmed = run(repo.path(), &c);
    let p = performance(&unconfirmed);
    assert!(p.findings.is_empty(), "{}", render(&p.findings));
    assert!(
        note(&unconfirmed, "benchmarks").contains("breach 1 of the 2 consecutive"),
        "{}",
        note(&unconfirmed, "benchmarks")
    );
    assert_eq!(gate(&unconfirmed, "regression_pct"), GateStatus::Passed);
}

#[test]
fn configuration_mistakes_are_errors_naming_the_key() {
    let out = tempfile::tempdir().expect("tmp");
    let mut c = config(out.path());
    c.performance.benchmarks = vec![bench("a", "true", 1), bench("a", "true", 1)];
    let report = run(&fixture("performance/benchmarks/decoys"), &c);
    let check = &performance(&report).checks[0];
    assert_eq!(check.status, CheckStatus::Error);
    let note = check.note.clone().unwrap_or_default();
    assert!(note.starts_with("performance.benchmarks[1].name"), "{note}");

    let mut c = config(out.path());
    let mut b = bench("a", "true", 1);
    b.cwd = Some("no/such/folder".into());
    c.performance.benchmarks = vec![b];
    let report = run(&fixture("performance/benchmarks/decoys"), &c);
    let note = performance(&report).checks[0]
        .note
        .clone()
        .unwrap_or_default();
    assert!(note.starts_with("performance.benchmarks[0].cwd"), "{note}");

    let mut c = config(out.path());
    c.performance.imports = vec![BenchmarkImport {
        path: "missing/results.json".into(),
        format: None,
    }];
    let report = run(&fixture("performance/benchmarks/decoys"), &c);
    let check = &performance(&report).checks[0];
    assert_eq!(check.status, CheckStatus::Error);
    assert!(
        check
            .note
            .as_deref()
            .is_some_and(|n| n.contains("`missing/results.json` cannot be read")),
        "{check:?}"
    );
}
