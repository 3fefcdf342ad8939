//! Configuration errors exit 2 and name the file, the line and the key path.

use crate::common::{fixture, vigil};

fn config_error(file: &str, text: &str) -> String {
    let (_tmp, repo) = fixture("cli/basic");
    std::fs::write(repo.join(file), text).expect("write config");
    let assert = vigil()
        .arg("check")
        .arg(&repo)
        .arg("--out")
        .arg(repo.join("out"))
        .assert()
        .code(2);
    assert!(
        !repo.join("out/latest/report.json").exists(),
        "a config error must not write reports"
    );
    String::from_utf8_lossy(&assert.get_output().stderr).into_owned()
}

#[test]
fn unknown_key() {
    let e = config_error(
        "vigil.yml",
        "version: 1\noutput:\n  dir: reports\n  colour: red\n",
    );
    assert!(e.contains("vigil.yml:4:"), "{e}");
    assert!(e.contains("`output.colour`"), "{e}");
    assert!(e.contains("unknown field `colour`"), "{e}");
}

#[test]
fn wrong_type() {
    let e = config_error("vigil.yml", "fail_on: high\npaths:\n  exclude: vendor\n");
    assert!(e.contains("vigil.yml:3:"), "{e}");
    assert!(e.contains("`paths.exclude`"), "{e}");
}

#[test]
fn impossible_threshold() {
    let e = config_error(
        ".vigil.yml",
        "gates:\n  security_score_min:\n    threshold: -5\n",
    );
    assert!(e.contains(".vigil.yml:3:"), "{e}");
    assert!(e.contains("`gates.security_score_min.threshold`"), "{e}");
    assert!(e.contains("not a percentage"), "{e}");
}

#[test]
fn bad_gate_mode_in_json() {
    let e = config_error(
        "vigil.json",
        "{\n  \"gates\": {\n    \"coverage_min\": { \"mode\": \"sometimes\" }\n  }\n}\n",
    );
    assert!(e.contains("vigil.json:3:"), "{e}");
    assert!(e.contains("`gates.coverage_min.mode`"), "{e}");
}

#[test]
fn unknown_gate_name() {
    let e = config_error("vigil.yml", "gates:\n  speed_min:\n    threshold: 3\n");
    assert!(e.contains("vigil.yml:2:"), "{e}");
    assert!(e.contains("speed_min"), "{e}");
}

#[test]
fn malformed_yaml() {
    let e = config_error("vigil.yml", "gates: [unclosed\n");
    assert!(e.contains("vigil.yml:"), "{e}");
    assert!(e.contains("invalid configuration"), "{e}");
}

#[test]
fn explicit_config_that_does_not_exist() {
    let (_tmp, repo) = fixture("cli/basic");
    let assert = vigil()
        .arg("check")
        .arg(&repo)
        .arg("--config")
        .arg(repo.join("missing.yml"))
        .assert()
        .code(2);
    let e = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        e.contains("missing.yml") && e.contains("cannot read"),
        "{e}"
    );
}

#[test]
fn seed_layout_is_read_and_applied() {
    let (_tmp, repo) = fixture("cli/basic");
    std::fs::create_dir_all(repo.join("config")).expect("config dir");
    std::fs::write(
        repo.join("config/monitoring.json"),
        r#"{"quality_targets": {"security_score_min": 100}}"#,
    )
    .expect("write seed");
    vigil()
        .args(["check", "--pipeline", "security", "--out"])
        .arg(repo.join("out"))
        .arg(&repo)
        .assert()
        .code(predicates::ord::lt(2));
    let report = crate::common::read_json(&repo.join("out/latest/report.json"));
    let gate = report["pipelines"][0]["gates"]
        .as_array()
        .expect("gates")
        .iter()
        .find(|g| g["name"] == "security_score_min")
        .cloned()
        .expect("security gate");
    assert_eq!(gate["threshold"]["value"], 100.0);
}
