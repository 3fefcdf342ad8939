//! Custom metrics end to end: through the real runner (walk, repository hook, policy, gates) on
//! the fixture trees of `fixtures/integration/metrics`, configured by their own `vigil.yml`.

use std::path::Path;

use crate::config::Config;
use crate::config::schema::MetricTarget;
use crate::history::HistoryRecord;
use crate::model::{
    CheckStatus, Comparator, GateMode, GateStatus, Pipeline, PipelineResult, RunReport,
};
use crate::pipelines::testing::{fixture, render, rule_ids};
use crate::runner::{RunOptions, execute};

/// The configuration in `vigil.yml` of the fixture tree `name`.
fn config_of(name: &str) -> Config {
    let root = fixture(&format!("integration/metrics/{name}"));
    crate::config::load(&root, None)
        .unwrap_or_else(|e| panic!("fixture config of {name}: {e}"))
        .config
}

/// Run the integration pipeline on `root` as `vigil check --pipeline integration` does.
fn run_at(root: &Path, config: &Config) -> RunReport {
    let opts = RunOptions {
        root: root.canonicalize().expect("fixture exists"),
        pipelines: vec![Pipeline::Integration, Pipeline::Quality],
        checks: vec!["metrics".into()],
        today: chrono::Utc::now().date_naive(),
        ..RunOptions::default()
    };
    execute(config, &opts, None).expect("the run completes")
}

fn run(name: &str, config: &Config) -> RunReport {
    run_at(&fixture(&format!("integration/metrics/{name}")), config)
}

fn integration(report: &RunReport) -> &PipelineResult {
    report
        .pipelines
        .iter()
        .find(|p| p.pipeline == Pipeline::Integration)
        .expect("integration pipeline")
}

fn gate<'a>(report: &'a RunReport, name: &str) -> &'a crate::model::Gate {
    report
        .gates()
        .find(|g| g.name == name)
        .unwrap_or_else(|| panic!("no gate {name}"))
}

fn check(report: &RunReport) -> &crate::model::CheckRun {
    integration(report)
        .checks
        .iter()
        .find(|c| c.id == "metrics")
        .expect("metrics check ran")
}

#[test]
fn command_and_json_metrics_are_recorded_with_their_targets() {
    let report = run("measured", &config_of("measured"));
    let p = integration(&report);
    assert!(p.findings.is_empty(), "{}", render(&p.findings));
    assert_eq!(check(&report).status, CheckStatus::Ran);
    let m = |name: &str| {
        p.metrics
            .iter()
            .find(|m| m.name == name)
            .unwrap_or_else(|| panic!("no metric {name}: {:?}", p.metrics))
    };
    let artifact = m("integration.custom.artifact_size");
    assert_eq!(artifact.value, 1000.0);
    assert_eq!(artifact.unit.as_deref(), Some("bytes"));
    let t = artifact.target.expect("target");
    assert_eq!((t.comparator, t.value), (Comparator::AtMost, 1500.0));
    let bundle = m("integration.custom.bundle_size");
    assert_eq!(bundle.value, 183_250.0);
    let t = bundle.target.expect("target");
    assert_eq!((t.comparator, t.value), (Comparator::AtMost, 250_000.0));
    let rate = m("integration.custom.cache_hit_rate");
    assert_eq!(rate.value, 84.0);
    let t = rate.target.expect("target");
    assert_eq!((t.comparator, t.value), (Comparator::AtLeast, 80.0));
    let total = m("integration.custom.bundle_total");
    assert_eq!((total.value, total.target), (595_257.0, None));

    for name in [
        "custom.artifact_size",
        "custom.bundle_size",
        "custom.cache_hit_rate",
    ] {
        assert_eq!(gate(&report, name).status, GateStatus::Passed, "{name}");
    }
    assert_eq!(gate(&report, "custom.bundle_size").mode, GateMode::Warn);
    // A metric without a target has no gate.
    assert!(report.gates().all(|g| g.name != "custom.bundle_total"));
    assert_eq!(
        (report.counts.gates_warned, report.counts.gates_failed),
        (0, 0)
    );
    assert_eq!(crate::gate::exit_status(&report), crate::ExitStatus::Passed);
    let note = check(&report).note.clone().unwrap_or_default();
    assert!(
        note.contains(
            "artifact_size = 1000 bytes (Size of the built artefact) from `wc -c < artifact.txt`"
        ),
        "{note}"
    );
    assert!(
        note.contains("bundle_size = 183250 bytes (Size of the main bundle) from dist/stats.json")
    );

    // History keeps the values and the gate outcomes for trends.
    let record = HistoryRecord::from_report(&report);
    assert_eq!(
        record.metrics.get("integration.custom.artifact_size"),
        Some(&1000.0)
    );
    assert_eq!(
        record.metrics.get("integration.custom.bundle_total"),
        Some(&595_257.0)
    );
    assert_eq!(
        record.gates.get("custom.cache_hit_rate"),
        Some(&GateStatus::Passed)
    );
    // report.json round-trips with the targets.
    let json = serde_json::to_value(&report).expect("serializes");
    let back: RunReport = serde_json::from_value(json.clone()).expect("round-trips");
    assert_eq!(back, report);
    let metrics = json["pipelines"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["pipeline"] == "integration"))
        .map(|p| p["metrics"].clone())
        .expect("integration metrics");
    let artifact = metrics
        .as_array()
        .and_then(|ms| {
            ms.iter()
                .find(|m| m["name"] == "integration.custom.artifact_size")
        })
        .expect("artifact metric in JSON");
    assert_eq!(
        artifact["target"],
        serde_json::json!({"comparator": "<=", "value": 1500.0})
    );
}

#[test]
fn a_breached_max_target_fails_its_gate_and_a_min_target_too() {
    let mut config = config_of("measured");
    config.integration.metrics[0].target = Some(MetricTarget::Max(999.0));
    let report = run("measured", &config);
    let g = gate(&report, "custom.artifact_size");
    assert_eq!(g.status, GateStatus::Failed);
    assert_eq!(g.actual, Some(1000.0));
    assert_eq!(
        g.message,
        "integration.custom.artifact_size = 1000, required <= 999"
    );
    assert_eq!(
        crate::gate::exit_status(&report),
        crate::ExitStatus::GateFailed
    );
    assert_eq!(report.counts.gates_failed, 1);

    let mut config = config_of("measured");
    config.integration.metrics[2].target = Some(MetricTarget::Min(90.0));
    let report = run("measured", &config);
    assert_eq!(
        gate(&report, "custom.cache_hit_rate").status,
        GateStatus::Failed
    );
    // The failed custom gate counts in the pass rate: of the custom gates and the quality
    // score's (the only catalogue gate with a value here), 3 of 4 passed.
    let mut evaluated: Vec<&str> = report
        .gates()
        .filter(|g| g.status != GateStatus::Skipped && g.name != "gate_pass_rate_min")
        .map(|g| g.name.as_str())
        .collect();
    evaluated.sort_unstable();
    assert_eq!(
        evaluated,
        [
            "custom.artifact_size",
            "custom.bundle_size",
            "custom.cache_hit_rate",
            "quality_score_min"
        ]
    );
    let quality = report
        .pipelines
        .iter()
        .find(|p| p.pipeline == Pipeline::Quality)
        .expect("quality");
    assert_eq!(quality.metric(crate::gate::GATE_PASS_RATE), Some(75.0));
}

#[test]
fn a_warn_mode_breach_warns_without_failing_and_off_is_skipped() {
    let mut config = config_of("measured");
    config.integration.metrics[1].target = Some(MetricTarget::Max(100_000.0));
    let report = run("measured", &config);
    assert_eq!(
        gate(&report, "custom.bundle_size").status,
        GateStatus::Warned
    );
    assert_eq!(
        integration(&report).status,
        crate::model::PipelineStatus::Warned
    );
    assert_eq!(crate::gate::exit_status(&report), crate::ExitStatus::Passed);

    config.integration.metrics[1].mode = GateMode::Off;
    let report = run("measured", &config);
    assert_eq!(
        gate(&report, "custom.bundle_size").status,
        GateStatus::Skipped
    );
    // Still measured and recorded.
    assert_eq!(
        integration(&report).metric("integration.custom.bundle_size"),
        Some(183_250.0)
    );
}

#[test]
fn metrics_that_give_no_number_are_findings_and_their_gates_skip() {
    let report = run("broken", &config_of("broken"));
    let p = integration(&report);
    assert_eq!(check(&report).status, CheckStatus::Ran);
    assert_eq!(rule_ids(&p.findings), ["custom-metric-unavailable"; 9]);
    insta::assert_snapshot!(render(&p.findings));
    // The one good metric of the file is still measured and gated.
    assert_eq!(p.metric("integration.custom.still_measured"), Some(7.0));
    assert_eq!(
        gate(&report, "custom.still_measured").status,
        GateStatus::Passed
    );
    for name in ["custom.exits_1", "custom.string_value"] {
        let g = gate(&report, name);
        assert_eq!(g.status, GateStatus::Skipped, "{name}");
        assert_eq!(g.actual, None);
    }
    assert!(
        p.metrics
            .iter()
            .all(|m| m.name == "integration.custom.still_measured"),
        "{:?}",
        p.metrics
    );
    let f = p
        .findings
        .iter()
        .find(|f| f.message.contains("`string_value`"))
        .expect("string_value finding");
    assert_eq!(
        f.location.as_ref().map(|l| l.path.as_str()),
        Some("dist/stats.json")
    );
    assert_eq!(f.properties["metric"], "string_value");
}

#[test]
fn a_missing_json_file_is_an_input_error_naming_metric_and_file() {
    let mut config = config_of("measured");
    config.integration.metrics[1].file = Some("dist/missing.json".into());
    let report = run("measured", &config);
    let c = check(&report);
    assert_eq!(c.status, CheckStatus::Error);
    let note = c.note.clone().unwrap_or_default();
    assert!(
        note.starts_with("custom metric `bundle_size`: integration.metrics[].file: `dist/missing.json` cannot be read"),
        "{note}"
    );
    assert_eq!(crate::gate::exit_status(&report), crate::ExitStatus::Error);
    // The other metrics are still measured.
    assert_eq!(
        integration(&report).metric("integration.custom.artifact_size"),
        Some(1000.0)
    );
}

#[test]
fn a_file_the_walk_skips_is_read_directly() {
    let mut config = config_of("measured");
    config.paths.exclude = vec!["dist/".into()];
    let report = run("measured", &config);
    assert_eq!(
        integration(&report).metric("integration.custom.bundle_size"),
        Some(183_250.0)
    );
}

#[test]
fn commands_get_their_env_and_working_dir() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::create_dir(dir.path().join("sub")).expect("mkdir");
    std::fs::write(dir.path().join("sub/n.txt"), "5\n").expect("write");
    let config: Config = crate::config::parse(
        Path::new("vigil.yml"),
        "integration:\n  metrics:\n    - name: summed\n      command: echo $(( $(cat n.txt) + EXTRA ))\n      env: { EXTRA: '37' }\n      working_dir: sub\n",
    )
    .expect("config loads");
    let report = run_at(dir.path(), &config);
    assert_eq!(
        integration(&report).metric("integration.custom.summed"),
        Some(42.0)
    );
}

/// Build the check for `yaml` on an empty tree; the error text, if it fails.
fn build_error(yaml: &str) -> String {
    let config = crate::config::parse(Path::new("vigil.yml"), yaml).expect("config loads");
    let dir = tempfile::tempdir().expect("tmp");
    let ctx = crate::pipelines::CheckContext::new(dir.path(), &config);
    match (super::SPEC.build)(&ctx) {
        Ok(_) => String::new(),
        Err(e) => format!("{e:#}"),
    }
}

#[test]
fn wrong_key_combinations_are_errors_naming_the_entry() {
    let cases = [
        (
            "integration:\n  metrics:\n    - { name: a, command: 'echo 1' }\n    - { name: b, command: 'echo 1', file: x.json }\n",
            "integration.metrics[1] (metric `b`): give either `command` or `file`, not both",
        ),
        (
            "integration:\n  metrics:\n    - { name: a, unit: bytes }\n",
            "integration.metrics[0] (metric `a`): give `command`",
        ),
        (
            "integration:\n  metrics:\n    - { name: a, command: 'echo 1', pointer: /x }\n",
            "integration.metrics[0].pointer (metric `a`): a pointer applies to a JSON `file`",
        ),
        (
            "integration:\n  metrics:\n    - { name: a, file: x.json, regex: 'n: (\\d+)' }\n",
            "integration.metrics[0].regex (metric `a`): `regex` applies to a `command`",
        ),
        (
            "integration:\n  metrics:\n    - { name: a, file: 'dist/*.json' }\n",
            "integration.metrics[0].file (metric `a`): `dist/*.json` is a glob",
        ),
        (
            "integration:\n  metrics:\n    - { name: a, command: 'echo 1', working_dir: nowhere }\n",
            "integration.metrics[0].working_dir (metric `a`): `nowhere` is not a folder",
        ),
    ];
    for (yaml, expected) in cases {
        let err = build_error(yaml);
        assert!(err.starts_with(expected), "{yaml}\n{err}");
    }
    assert_eq!(
        build_error("integration:\n  metrics:\n    - { name: a, command: 'echo 1' }\n"),
        ""
    );
}

#[test]
fn impossible_values_are_config_errors_with_the_key_path() {
    let cases = [
        (
            "- { name: Binary Size, command: x }",
            "is not a metric name",
        ),
        (
            "- { name: a, command: x, regex: '\\d+' }",
            "it needs exactly one",
        ),
        (
            "- { name: a, command: x, regex: '(a)(b)' }",
            "has 2 capture groups",
        ),
        (
            "- { name: a, file: x.json, pointer: assets/0 }",
            "is not a JSON pointer",
        ),
        ("- { name: a, command: x, target: { below: 3 } }", "below"),
        (
            "- { name: a, command: x, target: { max: 3, min: 1 } }",
            "one of the two",
        ),
        ("- { name: a, command: x, target: {} }", "one of the two"),
        (
            "- { name: a, command: x, target: { max: .inf } }",
            "finite number",
        ),
        ("- { name: a, command: x, mode: maybe }", "maybe"),
        (
            "- { name: a, command: x }\n    - { name: a, file: y.json }",
            "used twice",
        ),
        (
            "- { name: a, command: x, timeout_seconds: 0 }",
            "greater than 0",
        ),
    ];
    for (entry, expected) in cases {
        let yaml = format!("integration:\n  metrics:\n    {entry}\n");
        let err = crate::config::parse(Path::new("vigil.yml"), &yaml)
            .expect_err("invalid config")
            .to_string();
        assert!(err.contains("integration.metrics"), "{yaml}\n{err}");
        assert!(err.contains(expected), "{yaml}\n{err}");
    }
    let ok = crate::config::parse(
        Path::new("vigil.json"),
        r#"{"integration": {"metrics": [{"name": "a", "command": ["stat", "-c", "%s", "x"], "target": {"min": 2}}]}}"#,
    )
    .expect("JSON config loads");
    assert_eq!(
        ok.integration.metrics[0].target,
        Some(MetricTarget::Min(2.0))
    );
}
