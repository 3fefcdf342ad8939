//! Custom metrics (`integration.metrics`) through the binary: values and targets in
//! report.json and history, and the exit code of a breached target.

use std::path::Path;

use crate::common::{fixture, read, read_json, vigil};

/// Run `vigil check --pipeline integration` on `repo`; the exit code and report.json.
fn check(repo: &Path) -> (Option<i32>, serde_json::Value) {
    let assert = vigil()
        .args(["check", "--pipeline", "integration", "--quiet"])
        .arg(repo)
        .current_dir(repo)
        .assert();
    let code = assert.get_output().status.code();
    (code, read_json(&repo.join("reports/latest/report.json")))
}

fn integration(report: &serde_json::Value) -> &serde_json::Value {
    report["pipelines"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["pipeline"] == "integration"))
        .expect("integration pipeline")
}

fn find<'a>(list: &'a serde_json::Value, key: &str, name: &str) -> &'a serde_json::Value {
    list.as_array()
        .and_then(|items| items.iter().find(|i| i[key] == name))
        .unwrap_or_else(|| panic!("no {name} in {list}"))
}

/// Replace `from` by `to` in the fixture copy's vigil.yml.
fn edit_config(repo: &Path, from: &str, to: &str) {
    let path = repo.join("vigil.yml");
    let text = read(&path);
    assert!(text.contains(from), "{from} not in vigil.yml");
    std::fs::write(&path, text.replace(from, to)).expect("write vigil.yml");
}

#[test]
fn command_and_file_metrics_land_in_report_json_with_their_targets() {
    let (_tmp, repo) = fixture("integration/metrics/measured");
    let (code, report) = check(&repo);
    assert_eq!(code, Some(0), "{report:#}");
    let p = integration(&report);
    let artifact = find(&p["metrics"], "name", "integration.custom.artifact_size");
    assert_eq!(artifact["value"], 1000.0);
    assert_eq!(artifact["unit"], "bytes");
    assert_eq!(artifact["target"]["comparator"], "<=");
    assert_eq!(artifact["target"]["value"], 1500.0);
    let bundle = find(&p["metrics"], "name", "integration.custom.bundle_size");
    assert_eq!(bundle["value"], 183_250.0);
    assert_eq!(bundle["target"]["value"], 250_000.0);
    let gate = find(&p["gates"], "name", "custom.artifact_size");
    assert_eq!(gate["status"], "passed");
    assert_eq!(gate["metric"], "integration.custom.artifact_size");

    // The history record keeps the value for trends.
    let runs: Vec<_> = std::fs::read_dir(repo.join("reports/runs"))
        .expect("runs dir")
        .map(|e| e.expect("entry").path())
        .collect();
    assert_eq!(runs.len(), 1);
    let record = read_json(&runs[0]);
    assert_eq!(
        record["metrics"]["integration.custom.artifact_size"],
        1000.0
    );
    assert_eq!(record["gates"]["custom.bundle_size"], "passed");
}

#[test]
fn a_breached_target_fails_the_run() {
    let (_tmp, repo) = fixture("integration/metrics/measured");
    edit_config(&repo, "target: { max: 1500 }", "target: { max: 999 }");
    let (code, report) = check(&repo);
    assert_eq!(code, Some(1), "{report:#}");
    let gate = find(
        &integration(&report)["gates"],
        "name",
        "custom.artifact_size",
    );
    assert_eq!(gate["status"], "failed");
    assert_eq!(gate["actual"], 1000.0);
    assert_eq!(report["overall_status"], "DEGRADED");
}

#[test]
fn a_warn_mode_breach_warns_and_passes() {
    let (_tmp, repo) = fixture("integration/metrics/measured");
    edit_config(&repo, "target: { max: 250000 }", "target: { max: 1000 }");
    let (code, report) = check(&repo);
    assert_eq!(code, Some(0), "{report:#}");
    let gate = find(&integration(&report)["gates"], "name", "custom.bundle_size");
    assert_eq!(gate["status"], "warned");
    assert_eq!(report["overall_status"], "WARNING");
}
