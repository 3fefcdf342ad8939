//! The one sample report every renderer's snapshot test reads (ruff's shared sample messages).
//!
//! It is built by hand, not by running checks, so it can hold every case a renderer must get
//! right at once: several pipelines; active findings of every severity; an inline-suppressed,
//! a config-suppressed and a baselined finding; a clone with related locations; repository-wide
//! findings without a location; an imported eslint finding whose rule vigil does not know; a
//! path with a space; messages with `<`, `&`, `"`, `]]>`, `|`, newlines and non-ASCII text;
//! metrics with targets; gates that passed, warned, failed and were skipped; a skipped and an
//! errored check; scores with breakdowns; and a previous run for deltas.
//!
//! Rule ids are those of the catalogue (markers, hygiene, policy) so that rendering exercises
//! real rule metadata; severities differ from the defaults as a config override would make
//! them. Counts, scores and statuses are consistent with the findings and gates.

use std::collections::BTreeMap;

use crate::model::{
    CheckRun, CheckStatus, Comparator, Counts, Finding, Gate, GateMode, GateStatus, Hotspot,
    Location, Metric, OverallStatus, Pipeline, PipelineResult, PipelineStatus, PreviousRun, Region,
    RepoInfo, RunReport, SCHEMA_VERSION, Score, ScoreItem, Severity, Suppression, Target, ToolInfo,
    WalkStats,
};
use crate::pipelines::fingerprint;

/// A finding of `rule` with a content fingerprint derived from its path and message.
fn finding(
    rule: &str,
    pipeline: Pipeline,
    severity: Severity,
    message: &str,
    location: Option<Location>,
) -> Finding {
    let path = location.as_ref().map_or("", |l| l.path.as_str());
    Finding {
        rule_id: rule.to_owned(),
        pipeline,
        severity,
        message: message.to_owned(),
        fingerprint: fingerprint(rule, path, message),
        location,
        related: Vec::new(),
        help: None,
        tool: None,
        suppression: None,
        properties: BTreeMap::new(),
    }
}

fn check(id: &str, status: CheckStatus, duration_ms: u64, note: Option<&str>) -> CheckRun {
    CheckRun {
        id: id.to_owned(),
        status,
        duration_ms,
        note: note.map(str::to_owned),
    }
}

fn target(comparator: Comparator, value: f64) -> Target {
    Target { comparator, value }
}

fn metric(name: &str, value: f64, unit: &str, t: Option<Target>) -> Metric {
    Metric {
        name: name.to_owned(),
        value,
        unit: Some(unit.to_owned()),
        target: t,
    }
}

fn gate(
    name: &str,
    metric: &str,
    threshold: Target,
    mode: GateMode,
    actual: Option<f64>,
    status: GateStatus,
    message: &str,
) -> Gate {
    Gate {
        name: name.to_owned(),
        metric: metric.to_owned(),
        threshold,
        mode,
        actual,
        status,
        message: message.to_owned(),
    }
}

fn item(reason: &str, points: f64) -> ScoreItem {
    ScoreItem {
        reason: reason.to_owned(),
        points,
    }
}

fn security() -> PipelineResult {
    let mut expired = finding(
        "expired-suppression",
        Pipeline::Security,
        Severity::Medium,
        "suppression of `missing-readme` expired on 2026-01-01 and no longer applies \
         (reason was: <legacy> & \"vendored\" ]]> | owner: platform)",
        None,
    );
    expired.help = Some(
        "Fix the findings, or renew the suppression with a new `until` date and a reason.".into(),
    );
    let mut readme = finding(
        "missing-readme",
        Pipeline::Security,
        Severity::High,
        "The repository has no README.",
        None,
    );
    readme.help = Some("Add a README.md that says what the project is and how to use it.".into());
    PipelineResult {
        pipeline: Pipeline::Security,
        status: PipelineStatus::Failed,
        duration_ms: 15,
        checks: vec![
            check("hygiene", CheckStatus::Ran, 3, None),
            check("secrets", CheckStatus::Ran, 12, None),
            check(
                "deps",
                CheckStatus::Skipped,
                0,
                Some("no lockfile found (Cargo.lock, package-lock.json, poetry.lock)"),
            ),
        ],
        findings: vec![expired, readme],
        metrics: vec![metric(
            "security_score",
            86.0,
            "score",
            Some(target(Comparator::AtLeast, 90.0)),
        )],
        gates: vec![gate(
            "security_score_min",
            "security_score",
            target(Comparator::AtLeast, 90.0),
            GateMode::Fail,
            Some(86.0),
            GateStatus::Failed,
            "security_score = 86, required >= 90",
        )],
        hotspots: vec![],
    }
}

fn quality() -> PipelineResult {
    let todo_docs = finding(
        "todo-marker",
        Pipeline::Quality,
        Severity::Info,
        "TODO: describe the cache eviction",
        Some(Location::line("docs/design notes.md", 4)),
    );
    let mut unexplained = finding(
        "ignore-without-reason",
        Pipeline::Quality,
        Severity::Low,
        "`vigil:ignore todo-marker` has no reason",
        Some(Location::line("src/main.rs", 7)),
    );
    unexplained.help = Some("Add `-- why this is acceptable` after the rule ids.".into());
    let mut hack = finding(
        "hack-marker",
        Pipeline::Quality,
        Severity::Critical,
        "HACK: sleep until the socket is ready — “ünïcødé” ✓",
        Some(Location {
            path: "src/net/retry.rs".into(),
            region: Some(Region::span(42, 8, 12)),
        }),
    );
    hack.help = Some("Do the work, or track it in an issue and remove the marker.".into());
    let mut clone = finding(
        "fixme-marker",
        Pipeline::Quality,
        Severity::Low,
        "FIXME: <T> & \"quoted\" ]]> | pipe\ncopied into 2 other places",
        Some(Location {
            path: "src/parse.rs".into(),
            region: Some(Region {
                start_line: 10,
                start_column: Some(5),
                end_line: Some(14),
                end_column: Some(2),
            }),
        }),
    );
    clone.related = vec![
        Location {
            path: "src/legacy/parse_old.rs".into(),
            region: Some(Region {
                start_line: 20,
                start_column: None,
                end_line: Some(24),
                end_column: None,
            }),
        },
        Location::file("src/tools/parse copy.rs"),
    ];
    clone
        .properties
        .insert("clone_lines".into(), serde_json::json!(5));
    let mut inline = finding(
        "fixme-marker",
        Pipeline::Quality,
        Severity::Low,
        "FIXME: off by one on empty input",
        Some(Location::line("src/parse.rs", 30)),
    );
    inline.suppression = Some(Suppression::Inline {
        reason: "tracked in #12 <soon>".into(),
    });
    let mut baselined = finding(
        "todo-marker",
        Pipeline::Quality,
        Severity::Info,
        "TODO: stream instead of buffering",
        Some(Location::line("src/parse.rs", 50)),
    );
    baselined.suppression = Some(Suppression::Baseline);
    let mut vendored = finding(
        "todo-marker",
        Pipeline::Quality,
        Severity::Info,
        "TODO: upstream this patch",
        Some(Location::line("vendor/lib.rs", 1)),
    );
    vendored.suppression = Some(Suppression::Config {
        reason: "vendored code, reviewed upstream".into(),
        owner: Some("@platform".into()),
        until: Some("2027-01-01".into()),
    });
    let mut eslint = finding(
        "eslint/no-unused-vars",
        Pipeline::Quality,
        Severity::Medium,
        "'x' is assigned a value but never used.\nAllowed unused vars must match /^_/u.",
        Some(Location {
            path: "web/app.js".into(),
            region: Some(Region::span(10, 7, 8)),
        }),
    );
    eslint.tool = Some("eslint".into());
    eslint.properties.insert(
        "help_uri".into(),
        serde_json::json!("https://eslint.org/docs/latest/rules/no-unused-vars"),
    );
    PipelineResult {
        pipeline: Pipeline::Quality,
        status: PipelineStatus::Warned,
        duration_ms: 42,
        checks: vec![
            check("markers", CheckStatus::Ran, 30, None),
            check("imported", CheckStatus::Ran, 12, None),
        ],
        findings: vec![
            todo_docs,
            unexplained,
            hack,
            clone,
            inline,
            baselined,
            vendored,
            eslint,
        ],
        metrics: vec![
            metric(
                "quality.todo_markers",
                5.0,
                "count",
                Some(target(Comparator::AtMost, 0.0)),
            ),
            metric(
                "quality_score",
                69.0,
                "score",
                Some(target(Comparator::AtLeast, 70.0)),
            ),
        ],
        gates: vec![
            gate(
                "quality_score_min",
                "quality_score",
                target(Comparator::AtLeast, 70.0),
                GateMode::Warn,
                Some(69.0),
                GateStatus::Warned,
                "quality_score = 69, required >= 70",
            ),
            gate(
                "todo_markers_max",
                "quality.todo_markers",
                target(Comparator::AtMost, 0.0),
                GateMode::Off,
                Some(5.0),
                GateStatus::Skipped,
                "gate is off",
            ),
        ],
        hotspots: vec![
            hotspot("src/parse.rs", 88, "parse_args", "rust", [31, 42, 180, 4]),
            hotspot(
                "web/my app.ts",
                7,
                "operator|<&>",
                "typescript",
                [12, 19, 64, 2],
            ),
        ],
    }
}

/// A hotspot; `numbers` are cyclomatic, cognitive, length and parameters.
fn hotspot(path: &str, line: u32, function: &str, language: &str, numbers: [u32; 4]) -> Hotspot {
    let [cyclomatic, cognitive, length, parameters] = numbers;
    Hotspot {
        path: path.to_owned(),
        line,
        function: function.to_owned(),
        language: language.to_owned(),
        cyclomatic,
        cognitive,
        length,
        parameters,
    }
}

fn documentation() -> PipelineResult {
    PipelineResult {
        pipeline: Pipeline::Documentation,
        status: PipelineStatus::Passed,
        duration_ms: 0,
        checks: vec![check(
            "external-links",
            CheckStatus::Skipped,
            0,
            Some("external links are checked only with --online"),
        )],
        findings: Vec::new(),
        metrics: Vec::new(),
        gates: vec![gate(
            "documentation_accuracy_min",
            "documentation_accuracy",
            target(Comparator::AtLeast, 80.0),
            GateMode::Fail,
            None,
            GateStatus::Skipped,
            "no value for `documentation_accuracy` in this run, so the gate was not evaluated",
        )],
        hotspots: vec![],
    }
}

fn performance() -> PipelineResult {
    PipelineResult {
        pipeline: Pipeline::Performance,
        status: PipelineStatus::Error,
        duration_ms: 1234,
        checks: vec![
            check("criterion", CheckStatus::Ran, 4, None),
            check(
                "benchmarks",
                CheckStatus::Error,
                1230,
                Some("benchmark `api` exited with status 1: error: <connection refused> & gave up"),
            ),
        ],
        findings: Vec::new(),
        metrics: vec![
            metric(
                "performance.p95_ms",
                850.5,
                "ms",
                Some(target(Comparator::Below, 1000.0)),
            ),
            metric(
                "performance.throughput_ops",
                12.25,
                "ops/s",
                Some(target(Comparator::Above, 10.0)),
            ),
        ],
        gates: vec![
            gate(
                "response_time_p95_ms",
                "performance.p95_ms",
                target(Comparator::Below, 1000.0),
                GateMode::Fail,
                Some(850.5),
                GateStatus::Passed,
                "performance.p95_ms = 850.5 < 1000",
            ),
            gate(
                "throughput_ops",
                "performance.throughput_ops",
                target(Comparator::Above, 10.0),
                GateMode::Fail,
                Some(12.25),
                GateStatus::Passed,
                "performance.throughput_ops = 12.25 > 10",
            ),
        ],
        hotspots: vec![],
    }
}

fn scores() -> BTreeMap<String, Score> {
    let mut scores = BTreeMap::new();
    scores.insert(
        "security_score".to_owned(),
        Score {
            value: 86.0,
            breakdown: vec![
                item("start", 100.0),
                item("expired-suppression: 1 medium × 4", -4.0),
                item("missing-readme: 1 high × 10", -10.0),
            ],
        },
    );
    scores.insert(
        "quality_score".to_owned(),
        Score {
            value: 69.0,
            breakdown: vec![
                item("start", 100.0),
                item("eslint/no-unused-vars: 1 medium × 4", -4.0),
                item("fixme-marker: 1 low × 1", -1.0),
                item("hack-marker: 1 critical × 25", -25.0),
                item("ignore-without-reason: 1 low × 1", -1.0),
            ],
        },
    );
    scores.insert(
        "performance_score".to_owned(),
        Score {
            value: 97.5,
            breakdown: vec![
                item("start", 100.0),
                item("p95 850.5 ms within the 1000 ms target", 0.0),
                item("benchmark `api` | errored", -2.5),
            ],
        },
    );
    scores
}

/// The shared sample report.
pub(crate) fn report() -> RunReport {
    let pipelines = vec![security(), quality(), documentation(), performance()];
    let by_severity = [
        ("critical", 1),
        ("high", 1),
        ("medium", 2),
        ("low", 2),
        ("info", 1),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    RunReport {
        schema_version: SCHEMA_VERSION.to_owned(),
        tool: ToolInfo {
            name: "vigil".to_owned(),
            version: "0.1.0".to_owned(),
        },
        run_id: "20260314T092653.589Z-1a2b3c4".to_owned(),
        started_at: "2026-03-14T09:26:53.589Z".to_owned(),
        finished_at: "2026-03-14T09:26:54.912Z".to_owned(),
        duration_ms: 1323,
        repo: RepoInfo {
            commit: Some("1a2b3c4d5e6f708192a3b4c5d6e7f80912a3b4c5".to_owned()),
            branch: Some("feature/retry".to_owned()),
            dirty: false,
        },
        config_digest: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
            .to_owned(),
        fail_on: None,
        walk: WalkStats {
            files_scanned: 128,
            bytes_scanned: 524_288,
            binary_skipped: 2,
            huge_skipped: 1,
            unreadable: 0,
            errors: Vec::new(),
        },
        pipelines,
        scores: scores(),
        counts: Counts {
            by_severity,
            active: 7,
            suppressed: 2,
            baselined: 1,
            gates_passed: 2,
            gates_warned: 1,
            gates_failed: 1,
        },
        overall_status: OverallStatus::Critical,
        previous: Some(PreviousRun {
            run_id: "20260313T181502.004Z-0f1e2d3".to_owned(),
            overall_status: OverallStatus::Warning,
            scores: [
                ("security_score".to_owned(), 88.5),
                ("quality_score".to_owned(), 66.0),
            ]
            .into_iter()
            .collect(),
            active_findings: 9,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_counts_match_its_findings_and_gates() {
        let r = report();
        let expected = crate::gate::counts(&r.pipelines);
        assert_eq!(r.counts, expected);
        for p in &r.pipelines {
            assert_eq!(p.status, crate::gate::pipeline_status(p), "{}", p.pipeline);
            let mut sorted = p.findings.clone();
            sorted.sort_by(Finding::cmp_order);
            assert_eq!(sorted, p.findings, "findings of {} are sorted", p.pipeline);
        }
        assert_eq!(
            crate::gate::overall_status(&r.pipelines, &r.counts),
            r.overall_status
        );
    }

    #[test]
    fn sample_scores_add_up() {
        for (name, s) in report().scores {
            let sum: f64 = s.breakdown.iter().map(|i| i.points).sum();
            assert!((sum - s.value).abs() < 1e-9, "{name}: {sum} != {}", s.value);
        }
    }
}
