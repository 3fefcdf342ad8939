//! Fixture tests: every planted risk fires exactly where expected, the safe forms stay quiet.

use super::secrets::is_secret_name;
use super::stages::substitute;
use super::*;
use crate::config::Config;
use crate::pipelines::testing::{fixture, render, run_check};

/// Every finding expected on `fixtures/security/dockerfile/fires`: (path, line, rule).
const FIRES: &[(&str, u32, &str)] = &[
    ("Containerfile", 1, "unpinned-base-image"),
    ("Containerfile", 6, "apt-no-cleanup"),
    ("Containerfile", 7, "curl-pipe-shell"),
    ("Containerfile", 9, "container-runs-as-root"),
    ("Dockerfile", 4, "unpinned-base-image"),
    ("Dockerfile", 6, "curl-pipe-shell"),
    ("Dockerfile", 8, "unpinned-base-image"),
    ("Dockerfile", 9, "secret-in-env"),
    ("Dockerfile", 11, "secret-in-env"),
    ("Dockerfile", 12, "apt-no-cleanup"),
    ("Dockerfile", 13, "add-from-url"),
    ("Dockerfile", 15, "container-runs-as-root"),
    ("Dockerfile.windows", 2, "container-runs-as-root"),
    ("Dockerfile.windows", 2, "unpinned-base-image"),
    ("Dockerfile.windows", 3, "curl-pipe-shell"),
    ("Dockerfile.windows", 6, "add-from-url"),
    ("docker/api.Dockerfile", 1, "container-runs-as-root"),
    ("docker/api.Dockerfile", 1, "unpinned-base-image"),
    ("docker/api.Dockerfile", 2, "curl-pipe-shell"),
    ("docker/api.Dockerfile", 4, "curl-pipe-shell"),
    ("docker/api.Dockerfile", 5, "curl-pipe-shell"),
    ("docker/api.Dockerfile", 7, "apt-no-cleanup"),
    ("docker/api.Dockerfile", 8, "secret-in-env"),
    ("docker/api.Dockerfile", 9, "secret-in-env"),
];

fn triples(findings: &[Finding]) -> Vec<(String, u32, String)> {
    let mut out: Vec<_> = findings
        .iter()
        .map(|f| {
            let loc = f
                .location
                .as_ref()
                .expect("dockerfile findings have a location");
            (
                loc.path.clone(),
                loc.start_line().expect("dockerfile findings have a line"),
                f.rule_id.clone(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn fires_on_every_planted_risk() {
    let findings = run_check(
        &SPEC,
        &fixture("security/dockerfile/fires"),
        &Config::default(),
    );
    let mut expected: Vec<_> = FIRES
        .iter()
        .map(|(p, l, r)| ((*p).to_owned(), *l, (*r).to_owned()))
        .collect();
    expected.sort();
    assert_eq!(triples(&findings), expected);
    insta::assert_snapshot!("dockerfile_fires", render(&findings));
}

#[test]
fn decoys_are_quiet() {
    let findings = run_check(
        &SPEC,
        &fixture("security/dockerfile/decoys"),
        &Config::default(),
    );
    assert_eq!(render(&findings), "");
}

#[test]
fn every_rule_fires_in_the_fixture() {
    let findings = run_check(
        &SPEC,
        &fixture("security/dockerfile/fires"),
        &Config::default(),
    );
    for rule in RULES {
        assert!(
            findings.iter().any(|f| f.rule_id == rule.id),
            "rule {} never fires",
            rule.id
        );
    }
}

#[test]
fn secrets_never_appear_in_messages() {
    let findings = run_check(
        &SPEC,
        &fixture("security/dockerfile/fires"),
        &Config::default(),
    );
    for f in &findings {
        for secret in ["hunter2", "ghp_legacyformvalue", "abc123", "pa55"] {
            assert!(!f.message.contains(secret), "{}", f.message);
        }
    }
}

#[test]
fn graded_severities() {
    let findings = audit(
        "Dockerfile",
        "FROM a\nFROM b:latest\nFROM c:1\nARG TOKEN\nARG SECRET=x\nENV API_KEY=$TOKEN\nUSER app\n",
    );
    let got: Vec<_> = findings
        .iter()
        .map(|f| (f.location.as_ref().and_then(|l| l.start_line()), f.severity))
        .collect();
    assert_eq!(
        got,
        [
            (Some(1), Severity::Medium),
            (Some(2), Severity::Medium),
            (Some(3), Severity::Low),
            (Some(4), Severity::Low),
            (Some(5), Severity::High),
            (Some(6), Severity::High),
        ]
    );
}

#[test]
fn secret_names() {
    for name in [
        "DB_PASSWORD",
        "npmToken",
        "API_KEY",
        "APIKEY",
        "AWS_SECRET_ACCESS_KEY",
        "GITHUB_TOKEN",
        "SECRET_KEY_BASE",
        "DB_PASS",
        "PRIVATE_KEY",
        "client-secret",
    ] {
        assert!(is_secret_name(name), "{name}");
    }
    for name in [
        "PASSWORD_FILE",
        "TOKEN_URL",
        "AWS_ACCESS_KEY_ID",
        "TOKENIZERS_PARALLELISM",
        "GPG_KEY",
        "PUBLIC_KEY",
        "PWD",
        "PATH",
        "KEYBOARD",
        "PASSWORD_MIN_LENGTH",
    ] {
        assert!(!is_secret_name(name), "{name}");
    }
}

#[test]
fn dockerfile_names() {
    for path in [
        "Dockerfile",
        "a/Containerfile",
        "api.Dockerfile",
        "x.dockerfile",
        "Dockerfile.dev",
        "Dockerfile-alpine",
        "dockerfile",
    ] {
        assert!(is_dockerfile(path), "{path}");
    }
    for path in [
        "Dockerfile.md",
        "Dockerfile.dockerignore",
        "docs/dockerfile.txt",
        "Dockerfiles/x",
        "mydockerfile",
        "src/dockerfile.rs",
    ] {
        assert!(!is_dockerfile(path), "{path}");
    }
}

#[test]
fn arg_substitution_forms() {
    let args: BTreeMap<String, String> = [
        ("A".to_owned(), "x".to_owned()),
        ("E".to_owned(), String::new()),
    ]
    .into();
    assert_eq!(substitute("$A:${A}", &args).as_deref(), Some("x:x"));
    assert_eq!(substitute("${E:-d}", &args).as_deref(), Some("d"));
    assert_eq!(substitute("${A:+alt}", &args).as_deref(), Some("alt"));
    assert_eq!(substitute("${MISSING}", &args), None);
}

#[test]
fn hostile_input_never_panics() {
    for text in [
        "",
        "\\",
        "FROM",
        "FROM --platform=x",
        "RUN <<",
        "RUN <<'",
        "RUN <<-\"EOF",
        "USER",
        "ENV",
        "ENV =",
        "ARG =x",
        "ADD",
        "ADD [",
        "ONBUILD",
        "ONBUILD ONBUILD RUN curl x | sh",
        "FROM ${",
        "FROM $",
        "é\u{0}ü \\\n\\\n",
        "FROM a AS\nFROM A",
    ] {
        let _ = audit("Dockerfile", text);
    }
}
