//! Tests of the freshness check: the fixture's pages, and a git repository built for the test.

use super::*;
use crate::config::Config;
use crate::pipelines::testing::{fixture, git_at as git, render, run_check_with_metrics};

#[test]
fn fixture_pages() {
    let outcome = run_check_with_metrics(
        &SPEC,
        &fixture("documentation/freshness"),
        &Config::default(),
    );
    let text = render(&outcome.findings);
    let rows: Vec<(&str, &str)> = text
        .lines()
        .map(|l| {
            let mut w = l.split(' ');
            (w.next().unwrap_or(""), w.next().unwrap_or(""))
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("bad-date.md:3", "invalid-front-matter"),
            ("bad-yaml.md:3", "invalid-front-matter"),
            ("old.md:3", "stale-doc"),
        ],
        "{text}"
    );
    assert!(
        outcome.findings[2]
            .message
            .starts_with("`last_updated: 2000-01-01` is "),
        "{text}"
    );
    assert!(
        outcome.findings[2]
            .message
            .ends_with(" days old (limit 180)"),
        "{text}"
    );
    assert_eq!(
        outcome.findings[0].message,
        "`updated: yesterday` is not a date (YYYY-MM-DD)"
    );
    // old, future and preference have a valid date; the others do not count.
    assert_eq!(outcome.metric(DATED_PAGES), Some(3.0));
    assert_eq!(outcome.metric(STALE_PAGES), Some(1.0));
}

#[test]
fn pages_older_than_what_they_link_to() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    std::fs::create_dir_all(d.join("src/sub")).expect("mkdir");
    std::fs::create_dir_all(d.join("docs")).expect("mkdir");
    std::fs::write(d.join("src/a.rs"), "1").expect("write");
    std::fs::write(d.join("src/sub/b.rs"), "1").expect("write");
    std::fs::write(d.join("src/c.rs"), "1").expect("write");
    std::fs::write(
        d.join("docs/page.md"),
        "---\nlast_updated: 2021-01-01\n---\n[a](../src/a.rs) [sub](../src/sub/) [c](../src/c.rs) [gone](../gone.rs) [self](#x)\n",
    )
    .expect("write");
    std::fs::write(
        d.join("docs/fresh.md"),
        "---\nlast_updated: 2023-01-01\n---\n[a](../src/a.rs)\n",
    )
    .expect("write");
    git(d, &["init", "-q"], "2020-01-01T00:00:00Z");
    git(d, &["add", "."], "2020-01-01T00:00:00Z");
    git(d, &["commit", "-q", "-m", "one"], "2020-01-01T00:00:00Z");
    std::fs::write(d.join("src/a.rs"), "2").expect("write");
    git(d, &["commit", "-q", "-am", "two"], "2022-03-01T12:00:00Z");
    std::fs::write(d.join("src/sub/b.rs"), "2").expect("write");
    git(d, &["commit", "-q", "-am", "three"], "2022-05-01T12:00:00Z");

    let mut config = Config::default();
    config.documentation.freshness.max_age_days = 1_000_000;
    let outcome = run_check_with_metrics(&SPEC, d, &config);
    insta::assert_snapshot!(render(&outcome.findings), @"docs/page.md:2 stale-doc low `src/sub` changed on 2022-05-01, after this page's `last_updated: 2021-01-01` (and 1 other linked path)");
    assert_eq!(outcome.findings.len(), 1);
    assert_eq!(
        outcome.findings[0].properties.get("changed"),
        Some(&serde_json::json!(["src/sub", "src/a.rs"]))
    );
    assert_eq!(outcome.metric(STALE_PAGES), Some(1.0));

    config.documentation.freshness.compare_git = false;
    assert!(
        run_check_with_metrics(&SPEC, d, &config)
            .findings
            .is_empty()
    );
}

#[test]
fn dates() {
    assert_eq!(
        parse_date("2024-02-29"),
        NaiveDate::from_ymd_opt(2024, 2, 29)
    );
    assert_eq!(
        parse_date("2024-02-29T10:00:00Z"),
        NaiveDate::from_ymd_opt(2024, 2, 29)
    );
    assert_eq!(
        parse_date("'2024-02-29 10:00'"),
        NaiveDate::from_ymd_opt(2024, 2, 29)
    );
    assert_eq!(parse_date("2023-02-29"), None);
    assert_eq!(parse_date("2024-02-2900"), None);
    assert_eq!(parse_date("soon"), None);
}
