//! Secrets never leave vigil in clear. `vigil check` runs every pipeline on the secrets
//! fixture (`fixtures/security/secrets/fires`), and the planted values are searched in every
//! output it writes: report.json, results.sarif, junit.xml, summary.md, the run record, the
//! log, stdout and stderr (also with `-v`), and the GitHub step summary and outputs. Each
//! planted secret must be reported, shown as its first four characters and a mask, and appear
//! nowhere else — not even quoted by another check (a marker's note, a missing path, an
//! unpinned `docker://` reference). The same holds with `--git-history` for secrets committed
//! and then removed.
//!
//! The planted values are read back from the fixture files at the regions the report gives,
//! so the test follows the fixture; the expected count keeps a silently shrinking report from
//! passing.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{fixture, read, read_json, repo_root, vigil};

/// Secret findings of the fixture: the 80 of the check's unit table, plus the 3 planted
/// where other checks quote them (`deploy-notes.md`, `.github/workflows/deploy.yml`).
const PLANTED: usize = 83;

/// Shortest stretch of a secret searched for on its own: long enough that a random value
/// never matches by chance, short enough to catch a secret cut or wrapped by a renderer.
const WINDOW: usize = 10;

/// A planted secret and where the report says it is.
#[derive(Debug)]
struct Plant {
    rule: String,
    place: String,
    secret: String,
    source: String,
}

/// Every finding with a `secret` property, with its clear value read from `repo` at the
/// reported region; asserts the redacted form of each.
fn plants(report: &serde_json::Value, repo: &Path) -> Vec<Plant> {
    let mut out = Vec::new();
    for p in report["pipelines"].as_array().expect("pipelines") {
        for f in p["findings"].as_array().expect("findings") {
            let Some(shown) = f["properties"]["secret"].as_str() else {
                continue;
            };
            let path = f["location"]["path"].as_str().expect("path");
            let r = &f["location"]["region"];
            let at = |k: &str| usize::try_from(r[k].as_u64().expect(k)).expect("fits") - 1;
            let text = read(&repo.join(path));
            let lines: Vec<&str> = text.split('\n').collect();
            let (sl, el, sc, ec) = (
                at("start_line"),
                at("end_line"),
                at("start_column"),
                at("end_column"),
            );
            let secret: String = if sl == el {
                lines[sl].chars().skip(sc).take(ec - sc).collect()
            } else {
                let mut s: String = lines[sl].chars().skip(sc).collect();
                for l in &lines[sl + 1..el] {
                    s.push('\n');
                    s.push_str(l);
                }
                s.push('\n');
                s.extend(lines[el].chars().take(ec));
                s
            };
            let place = format!("{path}:{}", sl + 1);
            assert!(
                secret.chars().count() >= 12,
                "{place}: the region `{shown}` points at is too short to be a planted secret"
            );
            let prefix: String = secret.chars().take(4).collect();
            assert_eq!(shown, format!("{prefix}…[redacted]"), "{place}");
            let message = f["message"].as_str().expect("message");
            assert!(message.contains(shown), "{place}: {message}");
            out.push(Plant {
                rule: f["rule_id"].as_str().expect("rule").to_owned(),
                place,
                secret,
                source: f["properties"]["source"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            });
        }
    }
    out
}

/// Every file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// The forms a secret may take in an output: as is, and escaped for JSON, XML and GitHub
/// workflow commands.
fn encodings(s: &str) -> Vec<String> {
    let json = serde_json::to_string(s).expect("json");
    let xml = s
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;");
    let command = s
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
        .replace(':', "%3A")
        .replace(',', "%2C");
    vec![
        s.to_owned(),
        json[1..json.len() - 1].to_owned(),
        xml,
        command,
    ]
}

/// Stretches of the hidden part of `secret` (after the four shown characters) that would
/// betray it: every window of [`WINDOW`] characters that no escaping changes, except those
/// the rule docs print anyway (fixed format prefixes such as `sk-ant-admin01-`).
fn tell_tales(secret: &str, docs: &HashSet<&[u8]>) -> Vec<String> {
    let hidden: Vec<char> = secret.chars().skip(4).collect();
    let mut out = Vec::new();
    for run in hidden.split(|c| !(c.is_ascii_alphanumeric() || "+/=_-.".contains(*c))) {
        for w in run.windows(WINDOW) {
            let w: String = w.iter().collect();
            if !docs.contains(w.as_bytes()) {
                out.push(w);
            }
        }
    }
    out
}

/// Assert that no output holds any planted secret in clear.
fn assert_no_leak(plants: &[Plant], outputs: &[(String, String)]) {
    let docs = read(&repo_root().join("src/pipelines/security/secrets.md"));
    let docs: HashSet<&[u8]> = docs.as_bytes().windows(WINDOW).collect();
    let needles: Vec<(&Plant, Vec<String>, Vec<String>)> = plants
        .iter()
        .map(|p| (p, encodings(&p.secret), tell_tales(&p.secret, &docs)))
        .collect();
    for (name, text) in outputs {
        // Every stretch of WINDOW bytes of the output, so each tell-tale is one lookup.
        let windows: HashSet<&[u8]> = text.as_bytes().windows(WINDOW).collect();
        for (p, encoded, tales) in &needles {
            for n in encoded {
                assert!(
                    !text.contains(n.as_str()),
                    "{} ({}) is in clear in {name}",
                    p.place,
                    p.rule
                );
            }
            for w in tales {
                assert!(
                    !windows.contains(w.as_bytes()),
                    "{} ({}) leaks `{}…` into {name}",
                    p.place,
                    p.rule,
                    &w[..4]
                );
            }
        }
    }
}

/// Run `vigil check` on `repo` with GitHub Actions outputs in temp files; returns every
/// output as (name, text) and the parsed report.
fn check_everything(
    tmp: &Path,
    repo: &Path,
    label: &str,
    extra: &[&str],
) -> (Vec<(String, String)>, serde_json::Value) {
    let out = tmp.join(format!("out-{label}"));
    let summary = tmp.join(format!("step-summary-{label}.md"));
    let outputs = tmp.join(format!("github-output-{label}"));
    let assert = vigil()
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_OUTPUT", &outputs)
        .arg("check")
        .args(extra)
        .arg("--out")
        .arg(&out)
        .arg(repo)
        .assert()
        .code(1);
    let run = assert.get_output();
    let mut texts = vec![
        (
            format!("{label}: stdout"),
            String::from_utf8_lossy(&run.stdout).into_owned(),
        ),
        (
            format!("{label}: stderr"),
            String::from_utf8_lossy(&run.stderr).into_owned(),
        ),
        (format!("{label}: GITHUB_STEP_SUMMARY"), read(&summary)),
        (format!("{label}: GITHUB_OUTPUT"), read(&outputs)),
    ];
    let written = files_under(&out);
    for want in [
        "latest/report.json",
        "latest/results.sarif",
        "latest/junit.xml",
        "latest/summary.md",
    ] {
        assert!(out.join(want).is_file(), "{label}: no {want}");
    }
    for dir in ["runs", "logs"] {
        assert!(
            written.iter().any(|f| f.starts_with(out.join(dir))),
            "{label}: nothing in {dir}/"
        );
    }
    for f in written {
        let name = format!("{label}: {}", f.strip_prefix(&out).unwrap_or(&f).display());
        texts.push((name, read(&f)));
    }
    // Annotations are written for the worst findings: one must name a secret, redacted.
    assert!(
        texts[0].1.contains("…[redacted]`"),
        "{label}: no redacted secret among the annotations"
    );
    let report = read_json(&out.join("latest/report.json"));
    (texts, report)
}

#[test]
fn planted_secrets_never_appear_in_any_output() {
    let (tmp, repo) = fixture("security/secrets/fires");
    for (label, extra) in [("plain", &[][..]), ("verbose", &["-v", "-v"][..])] {
        let (outputs, report) = check_everything(tmp.path(), &repo, label, extra);
        let plants = plants(&report, &repo);
        assert_eq!(plants.len(), PLANTED, "{label}: {plants:#?}");
        // Other checks quote the lines of these plants; the scrub must have redacted them.
        for place in [
            "deploy-notes.md:3",
            "deploy-notes.md:6",
            ".github/workflows/deploy.yml:12",
        ] {
            assert!(
                plants.iter().any(|p| p.place == place),
                "{label}: no finding at {place}"
            );
        }
        assert_no_leak(&plants, &outputs);
    }
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "user.name=Vigil Test",
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
        .env("GIT_AUTHOR_DATE", "2024-03-01T12:00:00Z")
        .env("GIT_COMMITTER_DATE", "2024-03-01T12:00:00Z")
        .env_remove("GIT_DIR")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn secrets_removed_from_the_tree_stay_redacted_in_history_findings() {
    let (tmp, repo) = fixture("security/secrets/fires");
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "add configuration"]);
    // What the first commit planted, read while the files are still there.
    let (_, before) = check_everything(tmp.path(), &repo, "before", &[]);
    let committed = plants(&before, &repo);
    assert_eq!(committed.len(), PLANTED);

    let removed = ["config.yml", "id_rsa", "deploy-notes.md"];
    for f in removed {
        std::fs::remove_file(repo.join(f)).expect("remove");
    }
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "move secrets to the vault"]);

    let (outputs, report) = check_everything(tmp.path(), &repo, "history", &["--git-history"]);
    // Findings of removed files come from history: regions point into the committed file,
    // so read them from the first run's plants instead.
    let mut from_history = 0;
    for p in report["pipelines"].as_array().expect("pipelines") {
        for f in p["findings"].as_array().expect("findings") {
            if f["properties"]["source"] == "git-history" {
                from_history += 1;
                let path = f["location"]["path"].as_str().expect("path");
                assert!(removed.contains(&path), "{path} is still in the tree");
                let shown = f["properties"]["secret"].as_str().expect("secret");
                assert!(shown.ends_with("…[redacted]"), "{shown}");
            }
        }
    }
    let in_removed = committed
        .iter()
        .filter(|p| {
            removed
                .iter()
                .any(|r| p.place.starts_with(&format!("{r}:")))
        })
        .count();
    assert!(in_removed >= 20, "{in_removed}");
    assert_eq!(
        from_history, in_removed,
        "every removed secret is found in history"
    );
    assert!(committed.iter().all(|p| p.source == "working-tree"));
    assert_no_leak(&committed, &outputs);
}

/// A secret of a format only the repository's own rules know (`.gitleaks.toml` here) is
/// redacted where another check quotes it, even when the secrets check does not run.
#[test]
fn the_repositorys_own_secret_rules_redact_other_checks_findings() {
    let (tmp, repo) = fixture("security/secrets/gitleaks");
    // High entropy, not the rule's stopword: the `acme-api-key` rule of the fixture matches it.
    let key = "acme_q8x2m4v7k1z9p3w6r5t0y2u8i4o7a1s3";
    std::fs::write(
        repo.join("src/deploy.rs"),
        format!("fn deploy() {{}}\n// TODO: rotate {key} after the migration\n"),
    )
    .expect("write the planted file");
    let out = tmp.path().join("out");
    let assert = vigil()
        .args(["check", "--check", "markers", "--out"])
        .arg(&out)
        .arg(&repo)
        .assert();
    let run = assert.get_output();
    assert!(
        matches!(run.status.code(), Some(0 | 1)),
        "vigil exited {:?}",
        run.status.code()
    );
    let report = read_json(&out.join("latest/report.json"));
    let messages: Vec<&str> = report["pipelines"]
        .as_array()
        .expect("pipelines")
        .iter()
        .flat_map(|p| p["findings"].as_array().expect("findings"))
        .filter(|f| f["rule_id"] == "todo-marker")
        .filter_map(|f| f["message"].as_str())
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("rotate acme…[redacted] after")),
        "{messages:?}"
    );
    let mut texts = vec![
        String::from_utf8_lossy(&run.stdout).into_owned(),
        String::from_utf8_lossy(&run.stderr).into_owned(),
    ];
    texts.extend(files_under(&out).iter().map(|f| read(f)));
    for text in &texts {
        assert!(!text.contains(&key[5..]), "the key leaked: {text}");
    }
}
