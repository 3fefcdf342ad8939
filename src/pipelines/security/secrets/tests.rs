//! Fixture tests of the secrets check: every planted format fires at its exact place, every
//! decoy stays silent, `.gitleaks.toml` and the configured allowlists are honoured, secrets
//! never appear in clear, and `--git-history` finds what was committed and later removed.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::*;
use crate::config::Config;
use crate::config::schema::{CustomSecretRule, RegexPattern};
use crate::model::{Finding, Location};
use crate::pipelines::testing::{git_at as git, render, run_check_with_metrics};
use crate::walk::{WalkOptions, walk};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/security/secrets")
}

/// Findings and the `security.secrets` metric of the check on `root` (working tree only).
fn run(root: &Path, config: &Config) -> (Vec<Finding>, f64) {
    let out = run_check_with_metrics(&SPEC, root, config);
    let metric = out.metric(METRIC).expect("the metric is always reported");
    (out.findings, metric)
}

/// `(path, line, rule)` of each finding; line 0 for a finding on a whole file.
fn table(findings: &[Finding]) -> Vec<(String, u32, String)> {
    findings
        .iter()
        .map(|f| {
            let loc = f.location.as_ref().expect("every secret has a location");
            (
                loc.path.clone(),
                loc.start_line().unwrap_or(0),
                f.rule_id.clone(),
            )
        })
        .collect()
}

fn owned(rows: &[(&str, u32, &str)]) -> Vec<(String, u32, String)> {
    rows.iter()
        .map(|(p, l, r)| ((*p).to_owned(), *l, (*r).to_owned()))
        .collect()
}

/// One planted secret per row; `(path, line of the secret, rule)`.
const FIRES: &[(&str, u32, &str)] = &[
    (".env", 3, "aws-access-key"),
    (".env", 4, "aws-access-key"),
    (".env", 5, "stripe-key"),
    (".env", 6, "stripe-key"),
    (".env", 7, "sendgrid-key"),
    (".env", 8, "mailgun-key"),
    (".env", 9, "openai-key"),
    (".env", 10, "openai-key"),
    (".env", 11, "anthropic-key"),
    (".env", 12, "anthropic-key"),
    (".env", 13, "heroku-api-key"),
    (".env", 14, "heroku-api-key"),
    (".env", 15, "twilio-key"),
    (".env", 16, "npm-token"),
    (".env", 17, "telegram-bot-token"),
    (".env", 18, "digitalocean-token"),
    (".env", 19, "digitalocean-token"),
    (".env", 20, "generic-secret-assignment"),
    (".github/workflows/deploy.yml", 12, "credentials-in-url"),
    (".npmrc", 2, "npm-token"),
    ("app.py", 6, "generic-secret-assignment"),
    ("app.py", 7, "stripe-key"),
    ("app.py", 8, "stripe-key"),
    ("app.py", 9, "twilio-key"),
    ("app.py", 10, "twilio-key"),
    ("app.py", 11, "shopify-token"),
    ("app.py", 11, "shopify-token"),
    ("app.py", 12, "shopify-token"),
    ("app.py", 13, "shopify-token"),
    ("app.py", 14, "discord-webhook"),
    ("app.py", 15, "jwt"),
    ("app.py", 18, "discord-token"),
    ("config.yml", 3, "slack-token"),
    ("config.yml", 4, "slack-token"),
    ("config.yml", 5, "slack-token"),
    ("config.yml", 6, "slack-token"),
    ("config.yml", 7, "slack-webhook"),
    ("config.yml", 9, "github-token"),
    ("config.yml", 10, "github-token"),
    ("config.yml", 11, "github-token"),
    ("config.yml", 12, "github-token"),
    ("config.yml", 13, "github-token"),
    ("config.yml", 15, "gitlab-token"),
    ("config.yml", 16, "gitlab-token"),
    ("config.yml", 17, "gitlab-token"),
    ("config.yml", 18, "gitlab-token"),
    ("config.yml", 19, "gitlab-token"),
    ("config.yml", 20, "gitlab-token"),
    ("config.yml", 21, "gitlab-token"),
    ("config.yml", 22, "gitlab-token"),
    ("config.yml", 24, "azure-storage-key"),
    ("config.yml", 25, "azure-client-secret"),
    ("config.yml", 26, "azure-storage-key"),
    ("config.yml", 28, "gcp-api-key"),
    ("config.yml", 29, "gcp-api-key"),
    ("config.yml", 31, "generic-secret-assignment"),
    ("config.yml", 32, "credentials-in-url"),
    ("credentials.csv", 2, "aws-access-key"),
    ("credentials.csv", 2, "aws-access-key"),
    ("deploy-notes.md", 3, "github-token"),
    ("deploy-notes.md", 6, "gitlab-token"),
    ("docker-compose.yml", 5, "generic-secret-assignment"),
    ("docker-compose.yml", 9, "credentials-in-url"),
    ("docker/config.json", 4, "docker-credentials"),
    ("gcp/service-account.json", 5, "gcp-service-account-key"),
    ("id_rsa", 2, "private-key"),
    ("keys/deploy.ppk", 12, "private-key"),
    ("keys/encrypted.pem", 2, "private-key"),
    ("keys/legacy-dsa.pem", 2, "private-key"),
    ("keys/release-signing.asc", 2, "private-key"),
    ("keys/server.key", 2, "private-key"),
    ("keys/signing-ec.pem", 5, "private-key"),
    ("keys/tls.pem", 2, "private-key"),
    ("main.go", 6, "github-token"),
    ("main.go", 7, "docker-credentials"),
    ("main.go", 8, "pypi-token"),
    ("main.go", 12, "generic-secret-assignment"),
    ("main.go", 13, "aws-access-key"),
    ("settings.json", 5, "generic-secret-assignment"),
    ("settings.json", 8, "azure-storage-key"),
    ("settings.json", 11, "github-token"),
    ("web.config", 4, "generic-secret-assignment"),
    ("web.config", 7, "generic-secret-assignment"),
];

#[test]
fn fires_every_planted_secret_at_its_place() {
    let (findings, metric) = run(&fixtures().join("fires"), &Config::default());
    assert_eq!(table(&findings), owned(FIRES));
    assert_eq!(metric, FIRES.len() as f64);
}

#[test]
fn fires_cover_every_built_in_format() {
    let (findings, _) = run(&fixtures().join("fires"), &Config::default());
    let seen: BTreeSet<String> = findings
        .iter()
        .filter_map(|f| f.properties.get("format")?.as_str().map(str::to_owned))
        .collect();
    let all: BTreeSet<String> = rules::BUILTIN.iter().map(|r| r.format.to_owned()).collect();
    let missing: Vec<&String> = all.difference(&seen).collect();
    assert!(
        missing.is_empty(),
        "formats without a planted secret: {missing:?}"
    );
    assert!(all.len() >= 40);
}

#[test]
fn fires_snapshot() {
    let (findings, _) = run(&fixtures().join("fires"), &Config::default());
    assert_eq!(findings.len(), FIRES.len());
    insta::assert_snapshot!(render(&findings));
}

#[test]
fn decoys_stay_silent() {
    let (findings, metric) = run(&fixtures().join("decoys"), &Config::default());
    assert_eq!(render(&findings), "");
    assert_eq!(metric, 0.0);
}

/// The text of a finding's region in its fixture file.
fn secret_at(root: &Path, f: &Finding) -> String {
    let loc = f.location.as_ref().expect("location");
    let r = loc.region.as_ref().expect("region");
    let text = std::fs::read_to_string(root.join(&loc.path)).expect("fixture");
    let lines: Vec<&str> = text.split('\n').collect();
    let (sl, el) = (
        r.start_line as usize - 1,
        r.end_line.expect("end") as usize - 1,
    );
    let (sc, ec) = (
        r.start_column.expect("col") as usize - 1,
        r.end_column.expect("col") as usize - 1,
    );
    if sl == el {
        return lines[sl].chars().skip(sc).take(ec - sc).collect();
    }
    let mut s: String = lines[sl].chars().skip(sc).collect();
    for l in &lines[sl + 1..el] {
        s.push('\n');
        s.push_str(l);
    }
    s.push('\n');
    s.extend(lines[el].chars().take(ec));
    s
}

#[test]
fn secrets_never_appear_in_clear_and_regions_are_exact() {
    let root = fixtures().join("fires");
    let (findings, _) = run(&root, &Config::default());
    let json = serde_json::to_string(&findings).expect("serializes");
    for f in &findings {
        let secret = secret_at(&root, f);
        assert!(
            secret.chars().count() >= 8,
            "{}: region too short",
            f.message
        );
        assert!(!json.contains(&secret), "{} leaks its secret", f.message);
        // The region is exactly the secret: its redaction is what the finding shows.
        let shown = f.properties.get("secret").and_then(|v| v.as_str());
        assert_eq!(shown, Some(redact(&secret).as_str()), "{}", f.message);
        assert!(f.message.contains(&redact(&secret)), "{}", f.message);
        assert!(!f.fingerprint.contains(&secret));
    }
}

#[test]
fn redaction_shows_at_most_four_characters() {
    assert_eq!(redact("ghp_abcdefghijklmnop"), "ghp_…[redacted]");
    assert_eq!(redact("hunter22"), "hu…[redacted]");
    assert_eq!(redact("ab"), "…[redacted]");
    assert_eq!(redact("déjà-vu-secret"), "déjà…[redacted]");
}

/// A scanner with the default configuration.
fn default_scanner() -> Scanner {
    let root = fixtures().join("decoys");
    let config = Config::default();
    let ctx = CheckContext {
        root: &root,
        config: &config,
        offline: true,
        git_history: false,
        online: false,
        diff_base: None,
        advisories: Default::default(),
        cache_dir: None,
    };
    let Built::Ready(_) = build(&ctx).expect("builds") else {
        panic!("never skips");
    };
    let rows = rules::BUILTIN
        .iter()
        .map(|r| {
            let meta = meta(r.rule).expect("catalogued");
            CompiledRow {
                meta,
                format: r.format.to_owned(),
                custom_id: None,
                regex: Some(compile_builtin(r.regex).expect("compiles")),
                group: SecretGroup::Named,
                entropy: r.entropy,
                severity: meta.default_severity,
                judge: r.judge,
                span: r.span,
                priority: r.priority,
                in_lockfiles: r.in_lockfiles,
                config_files_only: r.config_files_only,
                needs: r.needs,
                path: None,
                allow: Vec::new(),
                keywords: r.keywords.iter().map(|k| (*k).to_owned()).collect(),
                case_sensitive: r.case_sensitive,
                reported: true,
            }
        })
        .collect();
    let limits = GenericLimits {
        min_entropy: 3.5,
        min_length: 8,
    };
    Scanner::new(rows, Vec::new(), limits).expect("scanner")
}

const TOKEN: &str = "ghp_Q3vTz8LmN1pRw5YbXc7KdJ2fHs9Ga4Ue6WiO";

#[test]
fn fingerprints_follow_the_secret_not_the_line() {
    let scanner = default_scanner();
    let text = format!("token = \"{TOKEN}\"\n");
    let moved = format!("# a comment\n\n{text}");
    let fp = |path: &str, text: &str| {
        let found = scanner.scan(path, text, None);
        assert_eq!(found.len(), 1, "{text}");
        let row = scanner.row(found[0].row);
        make_finding(row, &found[0], path, None, Source::WorkingTree).fingerprint
    };
    assert_eq!(fp("a.py", &text), fp("a.py", &moved));
    assert_ne!(fp("a.py", &text), fp("b.py", &text));
}

#[test]
fn long_minified_lines_stay_bounded_and_exact() {
    let scanner = default_scanner();
    // 2 MB on one line, with a keyword every 40 bytes and one token in the middle.
    let filler = "var token=a.b(c,d);".repeat(50_000);
    let text = format!("{filler}const T=\"{TOKEN}\";{filler}\n");
    let start = std::time::Instant::now();
    let found = scanner.scan("dist/app.min.js", &text, None);
    assert!(start.elapsed().as_secs() < 10, "took {:?}", start.elapsed());
    assert_eq!(found.len(), 1);
    assert_eq!(&text[found[0].start..found[0].end], TOKEN);
}

#[test]
fn invalid_utf8_and_gitleaks_allow() {
    let scanner = default_scanner();
    let text = format!("\u{FFFD}\u{FFFD} key: \"{TOKEN}\"\nx = \"{TOKEN}\" # gitleaks:allow\n");
    let found = scanner.scan("a.yml", &text, None);
    assert_eq!(found.len(), 1);
    let region = region_of(&text, found[0].start, found[0].end);
    assert_eq!((region.start_line, region.start_column), (1, Some(10)));
}

#[test]
fn gitleaks_config_adds_rules_and_allowlists() {
    let root = fixtures().join("gitleaks");
    let (findings, _) = run(&root, &Config::default());
    assert_eq!(
        table(&findings),
        owned(&[
            ("src/client.py", 3, "custom-secret-rule"),
            ("src/other.py", 1, "github-token"),
            ("vault/team.kdbx", 0, "custom-secret-rule"),
        ])
    );
    let ids: Vec<&str> = findings
        .iter()
        .filter_map(|f| f.properties.get("custom_rule_id")?.as_str())
        .collect();
    assert_eq!(ids, ["acme-api-key", "keepass-database"]);
    assert!(findings[0].message.contains("`acme-api-key`"));

    // Without the file: no custom rules, and its allowlists no longer hide the tokens.
    let mut config = Config::default();
    config.security.secrets.gitleaks_config = false;
    let (findings, _) = run(&root, &config);
    assert_eq!(
        table(&findings),
        owned(&[
            ("src/client.py", 5, "github-token"),
            ("src/other.py", 1, "github-token"),
            ("vendor/lib.py", 1, "github-token"),
        ])
    );
}

fn context<'a>(root: &'a Path, config: &'a Config, git_history: bool) -> CheckContext<'a> {
    CheckContext {
        root,
        config,
        offline: true,
        git_history,
        online: false,
        diff_base: None,
        advisories: Default::default(),
        cache_dir: None,
    }
}

#[test]
fn invalid_gitleaks_regex_fails_the_build_naming_file_and_rule() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(
        dir.path().join(".gitleaks.toml"),
        "[[rules]]\nid = \"team-token\"\nregex = '''team_(?P<x[0-9]+'''\n",
    )
    .expect("write");
    let config = Config::default();
    let err = match build(&context(dir.path(), &config, false)) {
        Err(e) => format!("{e:#}"),
        Ok(_) => panic!("an invalid regex must fail"),
    };
    assert!(err.contains(".gitleaks.toml"), "{err}");
    assert!(err.contains("`team-token`"), "{err}");
}

#[test]
fn configured_allowlists_disabled_rules_and_extra_rules() {
    let root = fixtures().join("fires");
    let (all, _) = run(&root, &Config::default());
    let jwt = all.iter().find(|f| f.rule_id == "jwt").expect("a jwt");
    let digest = hex::encode(allowlist::sha256(&secret_at(&root, jwt)));
    let stripe_test = all
        .iter()
        .find(|f| f.properties["format"] == "Stripe test-mode key")
        .expect("a stripe test key");

    let mut config = Config::default();
    let s = &mut config.security.secrets;
    s.allowlist.paths = vec!["keys/**".into(), "*.csv".into()];
    s.allowlist.values = vec![format!("sha256:{digest}")];
    s.allowlist.stopwords = vec![secret_at(&root, stripe_test)[8..16].to_ascii_lowercase()];
    s.disabled_rules = vec!["slack-token".into()];
    s.extra_rules = vec![CustomSecretRule {
        id: "billing-worker".into(),
        description: Some("billing worker name".into()),
        regex: RegexPattern("billing (worker)".into()),
        secret_group: 0,
        entropy: None,
        keywords: vec!["billing".into()],
        severity: Some(Severity::Low),
    }];
    let (findings, _) = run(&root, &config);
    let rules: BTreeSet<&str> = findings.iter().map(|f| f.rule_id.as_str()).collect();
    assert!(!rules.contains("slack-token"));
    assert!(!rules.contains("jwt"), "allowed by its sha256");
    assert!(findings.iter().all(|f| {
        let p = &f.location.as_ref().expect("loc").path;
        !p.starts_with("keys/") && !p.ends_with(".csv")
    }));
    assert!(
        !findings
            .iter()
            .any(|f| f.properties["format"] == "Stripe test-mode key")
    );
    let custom: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.rule_id == "custom-secret-rule")
        .collect();
    assert_eq!(custom.len(), 1);
    assert_eq!(custom[0].severity, Severity::Low);
    assert_eq!(
        custom[0].location.as_ref().and_then(Location::start_line),
        Some(1)
    );
    let removed = 4 + 7 + 2 + 1 + 1; // slack, keys/, csv, jwt, stripe test
    assert_eq!(
        findings.len(),
        FIRES.len() - removed + 1,
        "{}",
        render(&findings)
    );
}

#[test]
fn unknown_disabled_rule_is_an_error() {
    let mut config = Config::default();
    config.security.secrets.disabled_rules = vec!["github-tokens".into()];
    let root = fixtures().join("decoys");
    let err = match build(&context(&root, &config, false)) {
        Err(e) => format!("{e:#}"),
        Ok(_) => panic!("unknown rule must fail"),
    };
    assert!(err.contains("security.secrets.disabled_rules"), "{err}");
    assert!(err.contains("`github-tokens`"), "{err}");
}

#[test]
fn git_history_reports_removed_secrets_once() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path().canonicalize().expect("canonical");
    let kept = "glpat-Kq3Zt9VwX2mL7pRb4NcY";
    git(&root, &["init", "-q"], "2024-01-01T00:00:00Z");
    std::fs::write(
        root.join("deploy.py"),
        format!("import os\n\nTOKEN = \"{TOKEN}\"\nGITLAB = \"{kept}\"\n"),
    )
    .expect("write");
    git(&root, &["add", "."], "2024-01-01T00:00:00Z");
    git(
        &root,
        &["commit", "-q", "-m", "add deploy"],
        "2024-01-02T10:00:00Z",
    );
    let first = git(&root, &["rev-parse", "HEAD"], "2024-01-02T10:00:00Z");
    std::fs::write(
        root.join("deploy.py"),
        format!("import os\n\nTOKEN = os.environ[\"TOKEN\"]\nGITLAB = \"{kept}\"\n"),
    )
    .expect("write");
    git(
        &root,
        &["commit", "-q", "-am", "read the token from the environment"],
        "2024-01-03T10:00:00Z",
    );

    let config = Config::default();
    let ctx = context(&root, &config, true);
    let Built::Ready(check) = build(&ctx).expect("builds") else {
        panic!("never skips");
    };
    let opts = WalkOptions {
        root: root.clone(),
        exclude: Vec::new(),
        max_file_size: config.paths.max_file_size.0,
        skip_dirs: Vec::new(),
        threads: 1,
    };
    let mut out = walk(&opts, &[check.as_ref()], None).expect("walks");
    let mut sink = Sink::default();
    for o in &mut out.sinks {
        sink.append(&mut o.sink);
    }
    check
        .check_repo(&ctx, &out.index, &mut sink)
        .expect("history scan");
    let mut findings = sink.findings;
    findings.sort_by(Finding::cmp_order);
    // The GitLab token is still in the tree: reported there only. The GitHub token was
    // removed: reported from the commit that added it, at its line in that commit.
    assert_eq!(
        table(&findings),
        owned(&[
            ("deploy.py", 3, "github-token"),
            ("deploy.py", 4, "gitlab-token"),
        ])
    );
    let history = &findings[0];
    assert_eq!(history.properties["source"], "git-history");
    assert_eq!(history.properties["commit"], first.as_str());
    let date = history.properties["author_date"].as_str().expect("date");
    assert!(date.starts_with("2024-01-02T10:00:00"), "{date}");
    assert!(
        history.message.contains(&first[..12]),
        "{}",
        history.message
    );
    assert!(
        history.message.contains("2024-01-02"),
        "{}",
        history.message
    );
    assert_eq!(findings[1].properties["source"], "working-tree");
    let region = history.location.as_ref().and_then(|l| l.region.clone());
    assert_eq!(region.and_then(|r| r.start_column), Some(10));
    assert!(
        !serde_json::to_string(&findings)
            .expect("json")
            .contains(TOKEN)
    );
}

#[test]
fn git_history_outside_a_repository_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path().canonicalize().expect("canonical");
    let config = Config::default();
    let ctx = context(&root, &config, true);
    let Built::Ready(check) = build(&ctx).expect("builds") else {
        panic!("never skips");
    };
    let mut sink = Sink::default();
    let err = check
        .check_repo(&ctx, &FileIndex::default(), &mut sink)
        .expect_err("not a repository");
    assert!(format!("{err:#}").contains("--git-history"), "{err:#}");
}

#[test]
fn bench_script_searches_every_keyword() {
    let script = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/bench-secrets.sh"),
    )
    .expect("scripts/bench-secrets.sh");
    for k in default_scanner().keywords() {
        let quoted = format!("\"{}\"", k.replace('"', "\\\""));
        assert!(
            script.contains(&quoted),
            "bench-secrets.sh lacks keyword {quoted}"
        );
    }
}

#[test]
fn docs_name_every_format_under_its_rule() {
    for row in rules::BUILTIN {
        let section = meta(row.rule).expect("catalogued").doc_section();
        assert!(
            section.contains(row.format),
            "docs of {} do not name the format `{}`",
            row.rule,
            row.format
        );
    }
    assert!(DOCS.contains(&format!("({} formats", rules::BUILTIN.len())));
}
