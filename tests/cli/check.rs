//! `vigil check`: outputs, exit codes, re-rendering and failure safety.

use crate::common::{fixture, read, read_json, vigil};

const LATEST: [&str; 4] = ["report.json", "results.sarif", "junit.xml", "summary.md"];

#[test]
fn check_writes_every_output() {
    let (_tmp, repo) = fixture("cli/basic");
    let out = repo.join("reports");
    let assert = vigil().arg("check").arg(&repo).current_dir(&repo).assert();
    let code = assert.get_output().status.code();
    assert!(
        matches!(code, Some(0 | 1)),
        "exit {code:?}: {:?}",
        assert.get_output()
    );
    for f in LATEST {
        assert!(out.join("latest").join(f).is_file(), "missing latest/{f}");
    }
    let runs: Vec<_> = std::fs::read_dir(out.join("runs"))
        .expect("runs dir")
        .collect();
    assert_eq!(runs.len(), 1);
    let logs: Vec<_> = std::fs::read_dir(out.join("logs"))
        .expect("logs dir")
        .collect();
    assert_eq!(logs.len(), 1);

    let report = read_json(&out.join("latest/report.json"));
    assert_eq!(report["schema_version"], "1.0");
    assert_eq!(report["tool"]["name"], "vigil");
    let pipelines: Vec<&str> = report["pipelines"]
        .as_array()
        .expect("pipelines")
        .iter()
        .map(|p| p["pipeline"].as_str().expect("name"))
        .collect();
    assert_eq!(
        pipelines,
        [
            "security",
            "quality",
            "documentation",
            "performance",
            "integration"
        ]
    );
    // The walk must not have read its own output folder.
    let quality = &report["pipelines"][1];
    let rules: Vec<(&str, &str, u64, bool)> = quality["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| {
            f["rule_id"]
                .as_str()
                .is_some_and(|r| r.ends_with("-marker"))
        })
        .map(|f| {
            (
                f["rule_id"].as_str().expect("rule"),
                f["location"]["path"].as_str().expect("path"),
                f["location"]["region"]["start_line"]
                    .as_u64()
                    .expect("line"),
                f.get("suppression").is_some(),
            )
        })
        .collect();
    assert_eq!(
        rules,
        [
            ("todo-marker", "src/lib.rs", 4, true),
            ("todo-marker", "src/main.rs", 2, false),
            ("fixme-marker", "src/main.rs", 4, false),
        ]
    );
    // The run record and the report agree.
    let run_file = runs[0].as_ref().expect("entry").path();
    let record = read_json(&run_file);
    assert_eq!(record["run_id"], report["run_id"]);
    assert_eq!(
        run_file.file_name().and_then(|n| n.to_str()),
        Some(format!("{}.json", report["run_id"].as_str().expect("run id")).as_str())
    );
}

#[test]
fn report_only_rerenders_byte_identically() {
    let (tmp, repo) = fixture("cli/basic");
    let out = tmp.path().join("out");
    vigil()
        .arg("check")
        .arg(&repo)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(predicates::ord::lt(2));
    let before: Vec<Vec<u8>> = LATEST
        .iter()
        .map(|f| std::fs::read(out.join("latest").join(f)).expect("read"))
        .collect();
    // Remove the derived files so the re-render has to produce them again.
    for f in &LATEST[1..] {
        std::fs::remove_file(out.join("latest").join(f)).expect("remove");
    }
    vigil()
        .arg("check")
        .arg(&repo)
        .arg("--out")
        .arg(&out)
        .arg("--report-only")
        .assert()
        .code(predicates::ord::lt(2));
    for (f, old) in LATEST.iter().zip(before) {
        let new = std::fs::read(out.join("latest").join(f)).expect("read");
        assert!(new == old, "{f} differs after --report-only");
    }
    // No new history record for a re-render.
    assert_eq!(
        std::fs::read_dir(out.join("runs")).expect("runs").count(),
        1
    );
}

#[test]
fn failed_write_keeps_previous_report() {
    let (tmp, repo) = fixture("cli/basic");
    let out = tmp.path().join("out");
    vigil()
        .arg("check")
        .arg(&repo)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(predicates::ord::lt(2));
    let report = out.join("latest/report.json");
    let before = std::fs::read(&report).expect("report");
    // Make results.sarif impossible to replace: a non-empty folder in its place.
    let sarif = out.join("latest/results.sarif");
    std::fs::remove_file(&sarif).expect("remove sarif");
    std::fs::create_dir_all(sarif.join("blocker")).expect("blocker dir");
    std::fs::write(
        repo.join("src/new.rs"),
        "// TODO: a change that alters the report\n",
    )
    .expect("edit repo");
    let assert = vigil()
        .arg("check")
        .arg(&repo)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("results.sarif"), "{stderr}");
    assert_eq!(
        std::fs::read(&report).expect("report"),
        before,
        "report.json was replaced"
    );
    let leftovers: Vec<_> = std::fs::read_dir(out.join("latest"))
        .expect("latest")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temp files left: {leftovers:?}");
}

#[test]
fn fail_on_turns_findings_into_exit_1() {
    let (tmp, repo) = fixture("cli/basic");
    let out = tmp.path().join("out");
    let assert = vigil()
        .args([
            "check",
            "--pipeline",
            "quality",
            "--fail-on",
            "low",
            "--out",
        ])
        .arg(&out)
        .arg(&repo)
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("fail_on_low"), "{stderr}");
    let report = read_json(&out.join("latest/report.json"));
    assert_eq!(report["pipelines"].as_array().map(Vec::len), Some(1));
    assert_eq!(report["overall_status"], "DEGRADED");
}

#[test]
fn pipeline_aliases_and_unknown_names() {
    let (tmp, repo) = fixture("cli/basic");
    let out = tmp.path().join("out");
    vigil()
        .args(["check", "--pipeline", "docs,quality", "--out"])
        .arg(&out)
        .arg(&repo)
        .assert()
        .code(predicates::ord::lt(2));
    let report = read_json(&out.join("latest/report.json"));
    let names: Vec<_> = report["pipelines"]
        .as_array()
        .expect("pipelines")
        .iter()
        .map(|p| p["pipeline"].clone())
        .collect();
    assert_eq!(names, ["quality", "documentation"]);
    let assert = vigil()
        .args(["check", "--pipeline", "speed"])
        .arg(&repo)
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("unknown pipeline `speed`"), "{stderr}");
}

#[test]
fn missing_repository_is_a_clear_error() {
    let tmp = tempfile::tempdir().expect("tmp");
    let missing = tmp.path().join("nope");
    let assert = vigil().arg("check").arg(&missing).assert().code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        stderr.contains("nope") && stderr.contains("cannot open"),
        "{stderr}"
    );
}

#[test]
fn report_only_without_report_is_a_clear_error() {
    let tmp = tempfile::tempdir().expect("tmp");
    let assert = vigil()
        .args(["check", "--report-only", "--out"])
        .arg(tmp.path().join("none"))
        .arg(tmp.path())
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        stderr.contains("report.json") && stderr.contains("cannot read"),
        "{stderr}"
    );
}

#[test]
fn summary_mentions_status_and_links() {
    let (tmp, repo) = fixture("cli/basic");
    let out = tmp.path().join("out");
    vigil()
        .arg("check")
        .arg(&repo)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(predicates::ord::lt(2));
    let summary = read(&out.join("latest/summary.md"));
    let report = read_json(&out.join("latest/report.json"));
    let status = report["overall_status"].as_str().expect("status");
    assert!(summary.contains(status), "{summary}");
    assert!(summary.contains("src/main.rs"), "{summary}");
}

#[test]
fn baseline_gates_only_new_findings() {
    let (tmp, repo) = fixture("cli/basic");
    let out = tmp.path().join("out");
    vigil()
        .args([
            "check",
            "--pipeline",
            "quality",
            "--write-baseline",
            "--out",
        ])
        .arg(&out)
        .arg(&repo)
        .assert()
        .code(predicates::ord::lt(2));
    let baseline = repo.join(".vigil-baseline.json");
    let text = read(&baseline);
    assert_eq!(text.matches("\"fingerprint\"").count(), 2, "{text}");

    // Insert unrelated lines above the known findings and add one new finding.
    let main = read(&repo.join("src/main.rs"));
    std::fs::write(
        repo.join("src/main.rs"),
        format!("use std::io;\n\n// TODO: a brand new marker\n{main}"),
    )
    .expect("edit");
    let assert = vigil()
        .args([
            "check",
            "--pipeline",
            "quality",
            "--fail-on",
            "info",
            "--baseline",
        ])
        .arg(&baseline)
        .arg("--out")
        .arg(&out)
        .arg(&repo)
        .assert()
        .code(1);
    let report = read_json(&out.join("latest/report.json"));
    assert_eq!(report["counts"]["active"], 1, "{:?}", assert.get_output());
    assert_eq!(report["counts"]["baselined"], 2);
    let active: Vec<_> = report["pipelines"][0]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f.get("suppression").is_none())
        .map(|f| f["message"].as_str().expect("message").to_owned())
        .collect();
    assert_eq!(active, ["TODO: a brand new marker"]);
}

#[test]
fn check_flag_runs_only_the_named_checks() {
    let (tmp, repo) = fixture("cli/basic");
    let out = tmp.path().join("out");
    vigil()
        .args(["check", "--check", "markers", "--out"])
        .arg(&out)
        .arg(&repo)
        .assert()
        .code(predicates::ord::lt(2));
    let report = read_json(&out.join("latest/report.json"));
    let pipelines = report["pipelines"].as_array().expect("pipelines");
    assert_eq!(pipelines.len(), 1);
    let checks: Vec<_> = pipelines[0]["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .map(|c| c["id"].clone())
        .collect();
    assert_eq!(checks, ["markers"]);
    let assert = vigil()
        .args(["check", "--check", "nope"])
        .arg(&repo)
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        err.contains("unknown check `nope`") && err.contains("markers"),
        "{err}"
    );
    let assert = vigil()
        .args(["check", "--pipeline", "security", "--check", "markers"])
        .arg(&repo)
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(err.contains("quality pipeline"), "{err}");
}
