//! Fixture tests of the dependency check: every lockfile format against the real advisory
//! samples in `fixtures/security/deps/` (see its README), malformed input, configuration, and
//! the online sources against a local HTTP server.

use std::collections::BTreeMap;
use std::path::Path;

use crate::config::Config;
use crate::model::Finding;
use crate::pipelines::testing::{fixture, render, run_check_with_metrics};

use super::sources::Sources;
use super::*;

/// Configuration with the fixture databases and a private cache folder.
fn config(advisory_db: bool, osv_db: bool) -> Config {
    let mut c = Config::default();
    let path = |p: &str| Some(fixture(p).to_string_lossy().into_owned());
    if advisory_db {
        c.security.deps.advisory_db = path("security/deps/advisory-db");
    }
    if osv_db {
        c.security.deps.osv_db = path("security/deps/osv");
    }
    c.security.deps.cache_dir = Some(
        std::env::temp_dir()
            .join("vigil-deps-test-cache")
            .to_string_lossy()
            .into_owned(),
    );
    c
}

/// A finding as `lockfile:line rule package version advisory` (empty fields dropped).
fn summary(f: &Finding) -> String {
    let prop = |k: &str| {
        f.properties
            .get(k)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_owned()
    };
    let loc = f
        .location
        .as_ref()
        .expect("dependency findings have a location");
    format!(
        "{}:{} {} {} {} {}",
        loc.path,
        loc.start_line().unwrap_or(0),
        f.rule_id,
        prop("package"),
        prop("version"),
        prop("advisory_id")
    )
    .trim_end()
    .to_owned()
}

/// [`summary`] of each finding, in order.
pub(super) fn summaries(findings: &[Finding]) -> Vec<String> {
    findings.iter().map(summary).collect()
}

const VULN: &str = "vulnerable-dependency";

/// Every finding the `repo` fixture must produce with both databases, as
/// `lockfile:line rule package version advisory`. Every other package in it is a decoy: a fixed
/// version, a version just outside a range, a withdrawn advisory, a workspace, link, path or git
/// package, or a `/go.mod`-only line.
const EXPECTED_REPO: &str = "
Cargo.lock:13 unmaintained-dependency atty 0.2.14 RUSTSEC-2024-0375
Cargo.lock:13 unsound-dependency atty 0.2.14 RUSTSEC-2021-0145
Cargo.lock:29 unsound-dependency hyper 0.14.10 RUSTSEC-2022-0022
Cargo.lock:39 vulnerable-dependency regex 1.5.4 RUSTSEC-2022-0013
Cargo.lock:49 vulnerable-dependency smallvec 1.6.0 RUSTSEC-2021-0003
Cargo.lock:54 unmaintained-dependency term 0.5.2 RUSTSEC-2018-0015
Cargo.lock:59 vulnerable-dependency time 0.1.45 RUSTSEC-2020-0071
Cargo.lock:64 vulnerable-dependency time 0.3.46 RUSTSEC-2026-0009
Cargo.lock:74 vulnerable-dependency tower-http 0.1.2 RUSTSEC-2022-0043
go/go.sum:1 vulnerable-dependency github.com/example/legacy v2.0.0+incompatible TEST-GO-0003
go/go.sum:4 vulnerable-dependency golang.org/x/crypto v0.0.0-20210921155107-089bfa567519 TEST-GO-0002
go/go.sum:8 vulnerable-dependency golang.org/x/text v0.3.6 TEST-GO-0001
legacy-v1/package-lock.json:18 vulnerable-dependency minimist 0.0.8 GHSA-xvch-5gv4-984h
legacy-v1/package-lock.json:24 vulnerable-dependency semver 5.7.1 GHSA-c2qf-rxjj-qqgw
npm-v2/package-lock.json:14 vulnerable-dependency ws 8.17.0 GHSA-3h5v-q93c-6h6q
pnpm-v5/pnpm-lock.yaml:18 vulnerable-dependency handlebars 4.7.6 GHSA-f2jv-r9rf-7988
pnpm-v6/pnpm-lock.yaml:22 vulnerable-dependency moment 2.29.1 GHSA-8hfj-j24r-96c4
pnpm-v9/pnpm-lock.yaml:30 vulnerable-dependency loader-utils 2.0.2 GHSA-76p3-8jx3-jpfq
pnpm-v9/pnpm-lock.yaml:34 vulnerable-dependency micromatch 4.0.7 GHSA-952p-6rrq-rcjv
poetry/poetry.lock:13 vulnerable-dependency jinja2 2.11.2 GHSA-h5c8-rqwp-cp95
poetry/poetry.lock:13 vulnerable-dependency jinja2 2.11.2 GHSA-h75v-3vvj-5mfj
poetry/poetry.lock:13 vulnerable-dependency jinja2 2.11.2 PYSEC-2021-66
poetry/poetry.lock:34 vulnerable-dependency urllib3 2.0.6 PYSEC-2023-212
python/requirements.txt:5 vulnerable-dependency Jinja2 2.10 GHSA-h5c8-rqwp-cp95
python/requirements.txt:5 vulnerable-dependency Jinja2 2.10 GHSA-h75v-3vvj-5mfj
python/requirements.txt:5 vulnerable-dependency Jinja2 2.10 PYSEC-2019-217
python/requirements.txt:5 vulnerable-dependency Jinja2 2.10 PYSEC-2021-66
python/requirements.txt:6 vulnerable-dependency django 1.8b1 PYSEC-2015-8
python/requirements.txt:6 vulnerable-dependency django 1.8b1 PYSEC-2021-98
python/requirements.txt:9 vulnerable-dependency urllib3 1.26.4 PYSEC-2021-108
python/requirements.txt:9 vulnerable-dependency urllib3 1.26.4 PYSEC-2023-192
python/requirements.txt:9 vulnerable-dependency urllib3 1.26.4 PYSEC-2023-212
python/requirements.txt:12 unpinned-requirements
python/requirements/dev.txt:2 vulnerable-dependency pymdown-extensions 9.11 GHSA-jh85-wwv9-24hv
uv/uv.lock:13 vulnerable-dependency django 3.2.3 PYSEC-2021-98
uv/uv.lock:24 vulnerable-dependency requests 2.2.1 PYSEC-2014-13
uv/uv.lock:24 vulnerable-dependency requests 2.2.1 PYSEC-2014-14
uv/uv.lock:24 vulnerable-dependency requests 2.2.1 PYSEC-2015-17
uv/uv.lock:24 vulnerable-dependency requests 2.2.1 PYSEC-2018-28
web/package-lock.json:16 vulnerable-dependency body-parser 1.20.2 GHSA-qwcr-r2fm-qrc7
web/package-lock.json:20 vulnerable-dependency cookie 0.6.0 GHSA-pxg6-pf52-xh8x
web/package-lock.json:28 vulnerable-dependency event-stream 3.3.6 GHSA-mh6f-8j2x-4483
web/package-lock.json:36 vulnerable-dependency flatmap-stream 0.1.1 GHSA-mh6f-8j2x-4483
web/package-lock.json:40 vulnerable-dependency ip 1.1.8 GHSA-78xj-cgh5-2h22
web/package-lock.json:44 vulnerable-dependency lodash 4.17.20 GHSA-29mw-wpgm-hmr9
web/package-lock.json:44 vulnerable-dependency lodash 4.17.20 GHSA-35jh-r3h4-6jhm
web/package-lock.json:48 vulnerable-dependency minimist 1.2.5 GHSA-xvch-5gv4-984h
web/package-lock.json:58 vulnerable-dependency express 5.0.0-beta.1 GHSA-rv95-896h-c2vc
web/package-lock.json:70 vulnerable-dependency lodash 4.17.11 GHSA-29mw-wpgm-hmr9
web/package-lock.json:70 vulnerable-dependency lodash 4.17.11 GHSA-35jh-r3h4-6jhm
web/package-lock.json:70 vulnerable-dependency lodash 4.17.11 GHSA-jf85-cpcp-j695
web/package-lock.json:70 vulnerable-dependency lodash 4.17.11 GHSA-p6mc-m468-83gw
web/package-lock.json:75 vulnerable-dependency qs 6.10.2 GHSA-hrpp-h998-j3pp
web/package-lock.json:98 vulnerable-dependency ua-parser-js 0.7.29 GHSA-pjwm-rvh2-c87w
yarn-berry/yarn.lock:16 vulnerable-dependency axios 0.21.1 GHSA-cph5-m8f7-6c5x
yarn-berry/yarn.lock:16 vulnerable-dependency axios 0.21.1 GHSA-wf5p-g6vw-rhxx
yarn-berry/yarn.lock:25 vulnerable-dependency follow-redirects 1.15.5 GHSA-cxjh-pqwp-8mfp
yarn-classic/yarn.lock:13 vulnerable-dependency lodash 4.17.20 GHSA-29mw-wpgm-hmr9
yarn-classic/yarn.lock:13 vulnerable-dependency lodash 4.17.20 GHSA-35jh-r3h4-6jhm
yarn-classic/yarn.lock:22 vulnerable-dependency qs 6.10.1 GHSA-hrpp-h998-j3pp
";

/// [`EXPECTED_REPO`] as lines.
fn expected_repo() -> Vec<String> {
    EXPECTED_REPO
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

#[test]
fn fires_and_decoys_in_every_lockfile_format() {
    let out = run_check_with_metrics(&SPEC, &fixture("security/deps/repo"), &config(true, true));
    assert_eq!(summaries(&out.findings), expected_repo());
    assert_eq!(out.metric(METRIC_SCANNED), Some(75.0));
    assert_eq!(out.metric(METRIC_VULNERABLE), Some(38.0));
    assert_eq!(out.metric(METRIC_IGNORED), Some(0.0));
    insta::assert_snapshot!("repo_findings", render(&out.findings));
}

#[test]
fn cargo_lock_findings_in_full() {
    let out = run_check_with_metrics(&SPEC, &fixture("security/deps/repo"), &config(true, true));
    let cargo: Vec<&Finding> = out
        .findings
        .iter()
        .filter(|f| f.location.as_ref().is_some_and(|l| l.path == "Cargo.lock"))
        .collect();
    assert_eq!(cargo.len(), 9);
    // The same issue in RustSec and in the OSV folder is reported once, from RustSec.
    assert!(cargo.iter().all(|f| f.properties["database"] == "rustsec"));
    insta::assert_yaml_snapshot!("cargo_lock_findings", cargo);
}

#[test]
fn severities_come_from_cvss_then_rating_then_default() {
    let out = run_check_with_metrics(&SPEC, &fixture("security/deps/repo"), &config(true, true));
    let severity = |package: &str, id: &str| {
        out.findings
            .iter()
            .find(|f| {
                f.properties.get("package").is_some_and(|p| p == package)
                    && f.properties.get("advisory_id").is_some_and(|a| a == id)
            })
            .map(|f| f.severity)
    };
    // CVSS v3 9.8 (smallvec), 7.5 (regex), 6.2 (time); GitHub's rating without a vector
    // (cookie: LOW); no vector and no rating (tower-http) is medium.
    assert_eq!(
        severity("smallvec", "RUSTSEC-2021-0003"),
        Some(Severity::Critical)
    );
    assert_eq!(severity("regex", "RUSTSEC-2022-0013"), Some(Severity::High));
    assert_eq!(
        severity("time", "RUSTSEC-2020-0071"),
        Some(Severity::Medium)
    );
    assert_eq!(
        severity("cookie", "GHSA-pxg6-pf52-xh8x"),
        Some(Severity::Low)
    );
    assert_eq!(
        severity("tower-http", "RUSTSEC-2022-0043"),
        Some(Severity::Medium)
    );
    // Informational advisories keep their rule's severity.
    assert_eq!(severity("term", "RUSTSEC-2018-0015"), Some(Severity::Low));
    assert_eq!(
        severity("hyper", "RUSTSEC-2022-0022"),
        Some(Severity::Medium)
    );
}

#[test]
fn fingerprints_follow_rule_path_package_version_and_advisory() {
    let out = run_check_with_metrics(&SPEC, &fixture("security/deps/repo"), &config(true, true));
    let smallvec = out
        .findings
        .iter()
        .find(|f| f.properties.get("package").is_some_and(|p| p == "smallvec"))
        .expect("smallvec is reported");
    assert_eq!(
        smallvec.fingerprint,
        crate::pipelines::fingerprint(VULN, "Cargo.lock", "smallvec@1.6.0 RUSTSEC-2021-0003")
    );
    let mut all: Vec<&str> = out
        .findings
        .iter()
        .map(|f| f.fingerprint.as_str())
        .collect();
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), out.findings.len(), "fingerprints are distinct");
}

#[test]
fn osv_database_alone_covers_cargo_lock() {
    let out = run_check_with_metrics(&SPEC, &fixture("security/deps/repo"), &config(false, true));
    let cargo: Vec<String> = summaries(&out.findings)
        .into_iter()
        .filter(|s| s.starts_with("Cargo.lock:"))
        .collect();
    assert_eq!(
        cargo,
        [
            "Cargo.lock:49 vulnerable-dependency smallvec 1.6.0 RUSTSEC-2021-0003",
            "Cargo.lock:54 unmaintained-dependency term 0.5.2 RUSTSEC-2018-0015",
        ]
    );
}

#[test]
fn rustsec_database_alone_covers_only_cargo_lock() {
    let out = run_check_with_metrics(&SPEC, &fixture("security/deps/repo"), &config(true, false));
    let got = summaries(&out.findings);
    let want: Vec<String> = expected_repo()
        .into_iter()
        .filter(|s| s.starts_with("Cargo.lock:") || s.contains(" unpinned-requirements"))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn ignored_advisories_match_ids_and_aliases_and_are_counted() {
    let mut config = config(true, true);
    config.security.deps.ignore = vec![
        IgnoredAdvisory {
            id: "CVE-2021-25900".into(),
            reason: "insert_many is never called".into(),
        },
        IgnoredAdvisory {
            id: "GHSA-29mw-wpgm-hmr9".into(),
            reason: "trim functions are not used on user input".into(),
        },
    ];
    let out = run_check_with_metrics(&SPEC, &fixture("security/deps/repo"), &config);
    let (suppressed, open): (Vec<Finding>, Vec<Finding>) = out
        .findings
        .iter()
        .cloned()
        .partition(|f| f.suppression.is_some());
    let want: Vec<String> = expected_repo()
        .into_iter()
        .filter(|s| !s.ends_with(" RUSTSEC-2021-0003") && !s.ends_with(" GHSA-29mw-wpgm-hmr9"))
        .collect();
    assert_eq!(summaries(&open), want);
    // The ignored ones stay in the report, suppressed with the configured reason.
    assert_eq!(suppressed.len(), 4);
    for f in &suppressed {
        let Some(Suppression::Config { reason, .. }) = &f.suppression else {
            panic!("not a configured suppression: {f:?}");
        };
        let id = f.message.as_str();
        let want = if id.contains("RUSTSEC-2021-0003") {
            "insert_many is never called"
        } else {
            "trim functions are not used on user input"
        };
        assert_eq!(reason, want, "{id}");
    }
    assert_eq!(out.metric(METRIC_IGNORED), Some(4.0));
    assert_eq!(out.metric(METRIC_VULNERABLE), Some(37.0));
}

#[test]
fn malformed_lockfiles_are_findings_not_failures() {
    let out = run_check_with_metrics(
        &SPEC,
        &fixture("security/deps/malformed"),
        &config(true, true),
    );
    let got: Vec<(String, Option<u32>, String)> = out
        .findings
        .iter()
        .map(|f| {
            let loc = f.location.as_ref().expect("located");
            (loc.path.clone(), loc.start_line(), f.rule_id.clone())
        })
        .collect();
    let unreadable =
        |p: &str, line: Option<u32>| (p.to_owned(), line, "unparseable-lockfile".to_owned());
    assert_eq!(
        got,
        vec![
            unreadable("cargo/Cargo.lock", Some(5)),
            unreadable("go/go.sum", Some(2)),
            unreadable("npm-future/package-lock.json", None),
            unreadable("npm/package-lock.json", Some(7)),
            ("ok/Cargo.lock".to_owned(), Some(3), VULN.to_owned()),
            unreadable("pnpm/pnpm-lock.yaml", Some(5)),
            unreadable("poetry/poetry.lock", Some(1)),
            unreadable("requirements.txt", None),
            unreadable("uv/uv.lock", Some(2)),
            unreadable("yarn/yarn.lock", Some(3)),
        ]
    );
    let messages: BTreeMap<String, String> = out
        .findings
        .iter()
        .filter(|f| f.rule_id == "unparseable-lockfile")
        .map(|f| {
            (
                f.location
                    .as_ref()
                    .map(|l| l.path.clone())
                    .unwrap_or_default(),
                f.message.clone(),
            )
        })
        .collect();
    insta::assert_yaml_snapshot!("malformed_messages", messages);
    assert_eq!(out.metric(METRIC_SCANNED), Some(1.0));
}

#[test]
fn oversized_lockfiles_are_reported() {
    let mut config = config(true, false);
    config.paths.max_file_size = crate::config::schema::ByteSize(10);
    let out = run_check_with_metrics(&SPEC, &fixture("security/deps/malformed/ok"), &config);
    assert_eq!(out.findings.len(), 1);
    assert_eq!(out.findings[0].rule_id, "unparseable-lockfile");
    assert!(
        out.findings[0].message.contains("over the size limit"),
        "{}",
        out.findings[0].message
    );
}

#[test]
fn a_repository_without_lockfiles_runs_with_zero_packages() {
    let out = run_check_with_metrics(&SPEC, &fixture("security/deps/empty"), &config(true, true));
    assert!(out.findings.is_empty());
    assert_eq!(out.metric(METRIC_SCANNED), Some(0.0));
    assert_eq!(out.metric(METRIC_VULNERABLE), Some(0.0));
}

/// A context for `build` with the given flags.
pub(super) fn context<'a>(
    root: &'a Path,
    config: &'a Config,
    offline: bool,
    online: bool,
) -> CheckContext<'a> {
    CheckContext {
        offline,
        online,
        ..CheckContext::new(root, config)
    }
}

#[test]
fn without_a_database_the_check_is_skipped_with_a_note() {
    let root = fixture("security/deps/empty");
    let mut config = Config::default();
    config.security.deps.cache_dir =
        Some(root.join("no-cache-here").to_string_lossy().into_owned());
    let note = match build(&context(&root, &config, false, false)) {
        Ok(Built::Skipped(note)) => note,
        _ => panic!("expected a skip"),
    };
    assert_eq!(note, NO_DATABASE);
    // --offline wins over `online: true` in the config, and says so.
    config.security.deps.online = true;
    let note = match build(&context(&root, &config, true, false)) {
        Ok(Built::Skipped(note)) => note,
        _ => panic!("expected a skip"),
    };
    assert!(
        note.starts_with(NO_DATABASE) && note.contains("--offline"),
        "{note}"
    );
    // Online alone is a source.
    assert!(matches!(
        build(&context(&root, &config, false, false)),
        Ok(Built::Ready(_))
    ));
}

#[test]
fn a_missing_database_folder_is_a_clear_error() {
    let root = fixture("security/deps/empty");
    let mut config = Config::default();
    config.security.deps.advisory_db = Some("does/not/exist".into());
    let err = match build(&context(&root, &config, true, false)) {
        Err(e) => format!("{e:#}"),
        Ok(_) => panic!("expected an error"),
    };
    assert!(
        err.contains("does/not/exist") && err.contains("--advisory-db"),
        "{err}"
    );
    let mut config = Config::default();
    config.security.deps.osv_db = Some("nope".into());
    let err = match build(&context(&root, &config, true, false)) {
        Err(e) => format!("{e:#}"),
        Ok(_) => panic!("expected an error"),
    };
    assert!(err.contains("nope") && err.contains("--osv-db"), "{err}");
}

#[test]
fn the_advisory_db_sample_loads_completely() {
    let db = rustsec_db::RustSecDatabase::load(&fixture("security/deps/advisory-db"))
        .expect("the fixture database loads");
    assert_eq!(db.len(), 41);
    let osv = osv::Database::load(&fixture("security/deps/osv")).expect("the OSV sample loads");
    // 61 files, one of them withdrawn.
    assert_eq!(osv.len(), 60);
}

#[test]
fn endpoints_come_from_the_environment_when_set() {
    let none = sources::endpoints(|_| None);
    assert_eq!(
        none,
        (online::OSV_API.to_owned(), online::CRATES_INDEX.to_owned())
    );
    let set = sources::endpoints(|k| match k {
        "VIGIL_OSV_API_URL" => Some("http://127.0.0.1:1".to_owned()),
        _ => Some("  ".to_owned()),
    });
    assert_eq!(
        set,
        (
            "http://127.0.0.1:1".to_owned(),
            online::CRATES_INDEX.to_owned()
        )
    );
}

/// Walk `root` and run `check`'s hooks as the runner does; findings sorted.
pub(super) fn run_direct(check: &DepsCheck, root: &Path) -> Sink {
    let config = Config::default();
    let ctx = context(root, &config, false, false);
    let opts = crate::walk::WalkOptions {
        root: root.to_path_buf(),
        exclude: Vec::new(),
        max_file_size: 1 << 20,
        skip_dirs: Vec::new(),
        threads: 1,
    };
    let out = crate::walk::walk(&opts, &[check], None).expect("walk");
    let mut sink = Sink::default();
    for mut produced in out.sinks {
        sink.append(&mut produced.sink);
    }
    check
        .check_repo(&ctx, &out.index, &mut sink)
        .expect("the check succeeds");
    sink.findings.sort_by(Finding::cmp_order);
    sink
}

#[test]
fn notes_name_the_sources_and_what_was_not_checked() {
    let db = fixture("security/deps/advisory-db");
    let check = DepsCheck {
        sources: Sources {
            rustsec: Some(db.clone()),
            fetch: false,
            osv: None,
            online: None,
            cache: None,
        },
        ignore: Vec::new(),
        lockfiles: Mutex::new(Vec::new()),
    };
    let sink = run_direct(&check, &fixture("security/deps/malformed/ok"));
    assert_eq!(
        sink.notes,
        [
            format!(
                "RustSec advisory database: 41 advisories from {}",
                db.display()
            ),
            "yanked crates not checked: that needs the crates.io index (--online)".to_owned(),
        ]
    );
    assert_eq!(
        summaries(&sink.findings),
        ["Cargo.lock:3 vulnerable-dependency smallvec 1.6.0 RUSTSEC-2021-0003"]
    );
}

mod online_sources;
