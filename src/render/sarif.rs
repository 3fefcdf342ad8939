//! `results.sarif`: SARIF 2.1.0 for GitHub code scanning and any SARIF viewer.
//!
//! One run. `tool.driver.rules` lists every rule of the catalogue in registry order (so a rule
//! that found nothing still has its docs in the viewer), then a synthesized entry for each rule
//! id the report uses that the catalogue does not know — findings imported from other tools
//! (eslint, clippy, another SARIF) or written by another vigil version — so that every
//! `ruleId` resolves to a rule with a description and a `helpUri`, as GitHub requires.
//!
//! GitHub's upload rules shape the results beyond the OASIS schema: every result has a
//! physical location with a repo-relative, percent-encoded URI and a region starting at line 1
//! or later; `automationDetails.id` is the fixed category `vigil/` (a run id there would open a
//! new analysis on every run); no absolute machine path is written (`originalUriBaseIds` is
//! omitted, and GitHub resolves `%SRCROOT%` to the checkout). `versionControlProvenance` needs a
//! repository URI the report does not hold, so commit and branch go to `run.properties`.
//! GitHub also rejects a run with more than 25,000 results: past that, the least severe (and
//! suppressed) findings are left out, counted in `run.properties.omittedResults` and in a
//! warning notification; report.json keeps them all.
//!
//! The output is a function of the report alone: same report, same bytes.

mod model;

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context, Result};
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use rayon::prelude::*;
use serde_json::{Value, json};

use crate::model::{CheckStatus, Finding, Pipeline, RunReport, Severity, Suppression};
use crate::pipelines::{DOCS_BASE, RuleMeta};

/// Schema URI written in `$schema`: the OASIS errata 01 schema the tests validate against.
const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// Key of vigil's content fingerprint in `partialFingerprints`; bump the suffix if the
/// fingerprint recipe ever changes, so GitHub does not match old alerts to new ones wrongly.
const FINGERPRINT_KEY: &str = "vigil/v1";

/// Results GitHub accepts in one run; a file with more is rejected whole.
const MAX_RESULTS: usize = 25_000;

/// Related locations kept per result (GitHub displays at most 100, rejects more than 1,000).
const MAX_RELATED: usize = 100;

/// Tags GitHub accepts on one rule.
const MAX_TAGS: usize = 20;

/// Where repository-wide findings (no file of their own, e.g. a missing SECURITY.md) point.
///
/// GitHub rejects a whole SARIF upload if any result lacks a physical location, and `.` or an
/// empty URI is refused too. A finding may name the file it concerns in its `path` property;
/// otherwise it is anchored at the README, the file that represents the repository's root on
/// GitHub. GitHub accepts the result even when the file does not exist (it shows the alert
/// without a code preview).
const REPO_WIDE_URI: &str = "README.md";

/// Where synthesized rules (ids unknown to the catalogue) point for help.
fn imported_help_uri() -> String {
    format!("{DOCS_BASE}#imported-findings")
}

/// Characters percent-encoded in a URI path: controls, space and the URI delimiters that are
/// not path separators. `/` stays, non-ASCII is encoded as UTF-8 bytes.
const PATH_ESCAPES: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// Render the report as compact SARIF JSON with a trailing newline. SARIF is read by code
/// scanning services, not people: indentation would double the size of a large log.
///
/// Tens of thousands of results are serialized in parallel, in chunks, and spliced into the
/// log's `results` array, which [`build`] leaves empty; the bytes are those of serializing
/// the whole log at once.
pub fn render(report: &RunReport) -> Result<String> {
    let (log, results) = build(report);
    let skeleton = serde_json::to_string(&log).context("serializing SARIF")?;
    let mut slots = skeleton.match_indices(RESULTS_SLOT);
    let (Some((at, _)), None) = (slots.next(), slots.next()) else {
        anyhow::bail!("serializing SARIF: the results array is not where it belongs");
    };
    let chunks = results?;
    let body: usize = chunks.iter().map(|c| c.len() + 1).sum();
    let split = at + RESULTS_SLOT.len() - 1; // just inside `[]`
    let mut out = Vec::with_capacity(skeleton.len() + body + 1);
    out.extend_from_slice(&skeleton.as_bytes()[..split]);
    for (i, chunk) in chunks.iter().filter(|c| !c.is_empty()).enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(chunk);
    }
    out.extend_from_slice(&skeleton.as_bytes()[split..]);
    out.push(b'\n');
    String::from_utf8(out).context("serializing SARIF")
}

/// Where the results go in the serialized log: the fixed `columnKind` and an empty array
/// (a string value cannot hold these bytes, its quotes would be escaped).
const RESULTS_SLOT: &str = r#""columnKind":"unicodeCodePoints","results":[]"#;

/// Results serialized per chunk, comma-separated within a chunk.
type ResultChunks = Result<Vec<Vec<u8>>>;

/// Results per chunk serialized by one task.
const CHUNK: usize = 256;

/// A repo-relative path as a URI reference: `/` separators, no leading `./` or `/`, and
/// percent-encoded spaces, delimiters and non-ASCII characters.
///
/// Borrows `path` when it needs no change, as most repo-relative paths do.
pub(crate) fn encode_path(path: &str) -> Cow<'_, str> {
    if path.contains('\\') {
        return Cow::Owned(encode_path(&path.replace('\\', "/")).into_owned());
    }
    let mut p = path;
    loop {
        if let Some(rest) = p.strip_prefix("./") {
            p = rest;
        } else if let Some(rest) = p.strip_prefix('/') {
            p = rest;
        } else {
            break;
        }
    }
    utf8_percent_encode(p, PATH_ESCAPES).into()
}

/// The log without its results, and the results serialized.
fn build(report: &RunReport) -> (model::Log, ResultChunks) {
    let findings: Vec<&Finding> = report.findings().collect();
    let kept_flags = kept_results(&findings);
    let kept: Vec<&Finding> = findings
        .iter()
        .zip(&kept_flags)
        .filter_map(|(f, keep)| keep.then_some(*f))
        .collect();
    let RuleTable { rules, index } = RuleTable::new(&kept);
    let has_baseline = report.counts.baselined > 0;
    let results = kept
        .par_chunks(CHUNK)
        .map(|chunk| {
            let mut buf = Vec::with_capacity(chunk.len() * 512);
            for (i, f) in chunk.iter().enumerate() {
                if i > 0 {
                    buf.push(b',');
                }
                serde_json::to_writer(&mut buf, &result(f, &index, has_baseline))
                    .context("serializing a SARIF result")?;
            }
            Ok(buf)
        })
        .collect::<Result<Vec<_>>>();
    let omitted = findings.len() - kept.len();
    let mut properties = model::Properties::new();
    properties.insert("runId".into(), json!(report.run_id));
    properties.insert(
        "overallStatus".into(),
        json!(report.overall_status.as_str()),
    );
    if let Some(c) = &report.repo.commit {
        properties.insert("commit".into(), json!(c));
    }
    if let Some(b) = &report.repo.branch {
        properties.insert("branch".into(), json!(b));
    }
    let mut invocation = invocation(report);
    if omitted > 0 {
        properties.insert("omittedResults".into(), json!(omitted));
        invocation
            .tool_execution_notifications
            .push(model::Notification {
                level: "warning",
                message: model::Text {
                    text: format!(
                        "{omitted} of {} findings were left out of this file, least severe and \
                     suppressed first: GitHub code scanning rejects runs with more than \
                     {MAX_RESULTS} results. Every finding is in report.json.",
                        findings.len()
                    ),
                },
                properties: model::Properties::new(),
            });
    }
    let log = model::Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: vec![model::Run {
            tool: model::Tool {
                driver: model::Driver {
                    name: "vigil",
                    version: report.tool.version.clone(),
                    information_uri: env!("CARGO_PKG_REPOSITORY"),
                    rules,
                },
            },
            automation_details: model::AutomationDetails { id: "vigil/" },
            invocations: vec![invocation],
            column_kind: "unicodeCodePoints",
            results: [],
            properties,
        }],
    };
    (log, results)
}

/// Which findings become results: all of them when they fit in [`MAX_RESULTS`], else the
/// active ones before the suppressed and baselined, most severe first, report order within.
fn kept_results(findings: &[&Finding]) -> Vec<bool> {
    let mut kept = vec![true; findings.len()];
    if findings.len() > MAX_RESULTS {
        let mut order: Vec<usize> = (0..findings.len()).collect();
        order.sort_by_key(|&i| {
            let f = findings[i];
            (!f.is_active(), std::cmp::Reverse(f.severity))
        });
        for &i in &order[MAX_RESULTS..] {
            kept[i] = false;
        }
    }
    kept
}

/// The driver's rules and the index of each id.
struct RuleTable {
    rules: Vec<model::Rule>,
    index: BTreeMap<String, usize>,
}

impl RuleTable {
    /// The catalogue in registry order, then one synthesized rule per unknown id, sorted.
    fn new(findings: &[&Finding]) -> Self {
        let mut rules: Vec<model::Rule> =
            crate::pipelines::all_rules().map(catalogue_rule).collect();
        let mut index: BTreeMap<String, usize> = BTreeMap::new();
        for (i, r) in rules.iter().enumerate() {
            index.entry(r.id.clone()).or_insert(i);
        }
        let mut unknown: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
        for f in findings {
            if !index.contains_key(&f.rule_id) {
                unknown.entry(f.rule_id.as_str()).or_default().push(f);
            }
        }
        for (id, findings) in unknown {
            index.insert(id.to_owned(), rules.len());
            rules.push(synthesized_rule(id, &findings));
        }
        Self { rules, index }
    }
}

/// `security-severity` GitHub uses to rank security alerts (CVSS-like, 0.0–10.0).
fn security_severity(sev: Severity) -> &'static str {
    match sev {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}

fn rule_properties(pipeline: Pipeline, severity: Severity, tags: Vec<&str>) -> model::Properties {
    let mut p = model::Properties::new();
    p.insert("pipeline".into(), json!(pipeline.as_str()));
    if pipeline == Pipeline::Security {
        p.insert(
            "security-severity".into(),
            json!(security_severity(severity)),
        );
    }
    p.insert("tags".into(), json!(tags));
    p
}

fn catalogue_rule(meta: &RuleMeta) -> model::Rule {
    let section = meta.doc_section().trim();
    let docs = if section.is_empty() {
        meta.summary
    } else {
        section
    };
    model::Rule {
        id: meta.id.to_owned(),
        name: meta.name.to_owned(),
        short_description: model::Text {
            text: meta.summary.to_owned(),
        },
        full_description: model::Text {
            text: first_paragraph(section).unwrap_or_else(|| meta.summary.to_owned()),
        },
        help: model::Help {
            text: docs.to_owned(),
            markdown: docs.to_owned(),
        },
        help_uri: meta.help_uri(),
        default_configuration: model::Configuration {
            level: meta.default_severity.sarif_level(),
        },
        properties: rule_properties(
            meta.pipeline,
            meta.default_severity,
            vec![meta.pipeline.as_str()],
        ),
    }
}

/// The first prose paragraph of a rule's docs: the one under its first `###` heading (the
/// *What it finds* section), else the first paragraph that is not a heading.
fn first_paragraph(section: &str) -> Option<String> {
    let body = section
        .find("\n###")
        .and_then(|i| section[i + 1..].split_once('\n'))
        .map_or(section, |(_, rest)| rest);
    body.split("\n\n")
        .map(|para| {
            para.lines()
                .filter(|l| !l.trim_start().starts_with('#'))
                .map(str::trim)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .find(|p| !p.trim().is_empty())
}

fn synthesized_rule(id: &str, findings: &[&Finding]) -> model::Rule {
    let tools: BTreeSet<&str> = findings.iter().filter_map(|f| f.tool.as_deref()).collect();
    let severity = findings
        .iter()
        .map(|f| f.severity)
        .max()
        .unwrap_or(Severity::Info);
    let pipeline = findings.first().map_or(Pipeline::Quality, |f| f.pipeline);
    let help_uri = findings
        .iter()
        .filter_map(|f| f.properties.get("help_uri").and_then(Value::as_str))
        .find(|u| u.starts_with("https://") || u.starts_with("http://"))
        .map_or_else(imported_help_uri, str::to_owned);
    let (short, full) = if tools.is_empty() {
        (
            format!("Rule `{id}` is not in this version of vigil's catalogue."),
            format!(
                "The report holds findings of rule `{id}`, which this version of vigil does not \
                 document; it was probably written by another version."
            ),
        )
    } else {
        let names = tools.iter().copied().collect::<Vec<_>>().join(", ");
        (
            format!("Rule `{id}` reported by {names}."),
            format!(
                "Finding imported from {names}, rule `{id}`. vigil does not document this rule; \
                 see the documentation of {names}."
            ),
        )
    };
    let markdown = format!("{full}\n\nMore: <{help_uri}>");
    let mut tags = vec![pipeline.as_str(), "imported"];
    for t in &tools {
        if !tags.contains(t) && tags.len() < MAX_TAGS {
            tags.push(t);
        }
    }
    let mut properties = rule_properties(pipeline, severity, tags);
    properties.insert(
        "tool".into(),
        json!(tools.iter().copied().collect::<Vec<_>>()),
    );
    model::Rule {
        id: id.to_owned(),
        name: id.to_owned(),
        short_description: model::Text { text: short },
        full_description: model::Text { text: full.clone() },
        help: model::Help {
            text: full,
            markdown,
        },
        help_uri,
        default_configuration: model::Configuration {
            level: severity.sarif_level(),
        },
        properties,
    }
}

fn region(r: Option<&crate::model::Region>) -> model::Region {
    match r {
        // A whole-file finding still needs a region for GitHub: its first line.
        None => model::Region {
            start_line: 1,
            start_column: None,
            end_line: None,
            end_column: None,
        },
        Some(r) => model::Region {
            start_line: r.start_line.max(1),
            start_column: r.start_column.map(|c| c.max(1)),
            end_line: r.end_line.map(|l| l.max(r.start_line.max(1))),
            end_column: r.end_column.map(|c| c.max(1)),
        },
    }
}

fn physical<'a>(
    uri: Cow<'a, str>,
    r: Option<&crate::model::Region>,
) -> model::PhysicalLocation<'a> {
    model::PhysicalLocation {
        artifact_location: model::ArtifactLocation {
            uri,
            uri_base_id: "%SRCROOT%",
        },
        region: region(r),
    }
}

/// URI of the file a finding is about; see [`REPO_WIDE_URI`] for findings without one.
fn finding_uri(f: &Finding) -> Cow<'_, str> {
    let path = match &f.location {
        Some(l) => Some(l.path.as_str()),
        None => f.properties.get("path").and_then(Value::as_str),
    };
    match path.map(encode_path) {
        Some(uri) if !uri.is_empty() => uri,
        _ => Cow::Borrowed(REPO_WIDE_URI),
    }
}

fn result<'a>(
    f: &'a Finding,
    rules: &BTreeMap<String, usize>,
    has_baseline: bool,
) -> model::SarifResult<'a> {
    let location = model::Location {
        id: None,
        physical_location: physical(
            finding_uri(f),
            f.location.as_ref().and_then(|l| l.region.as_ref()),
        ),
        message: None,
    };
    let related_locations = f
        .related
        .iter()
        .take(MAX_RELATED)
        .enumerate()
        .map(|(i, l)| model::Location {
            id: Some(i + 1),
            physical_location: physical(encode_path(&l.path), l.region.as_ref()),
            message: Some(model::Text {
                text: format!("related location {} of {}", i + 1, f.related.len()),
            }),
        })
        .collect();
    let mut suppressions = Vec::new();
    let mut baseline_state = None;
    match &f.suppression {
        Some(Suppression::Inline { reason }) => suppressions.push(model::Suppression {
            kind: "inSource",
            status: "accepted",
            justification: reason,
            properties: model::Properties::new(),
        }),
        Some(Suppression::Config {
            reason,
            owner,
            until,
        }) => {
            let mut properties = model::Properties::new();
            if let Some(o) = owner {
                properties.insert("owner".into(), json!(o));
            }
            if let Some(u) = until {
                properties.insert("until".into(), json!(u));
            }
            suppressions.push(model::Suppression {
                kind: "external",
                status: "accepted",
                justification: reason,
                properties,
            });
        }
        Some(Suppression::Baseline) => baseline_state = Some("unchanged"),
        // A finding that escaped a baseline in force is new; without one we cannot tell.
        None if has_baseline => baseline_state = Some("new"),
        None => {}
    }
    model::SarifResult {
        rule_id: &f.rule_id,
        rule_index: rules.get(&f.rule_id).copied().unwrap_or_default(),
        level: f.severity.sarif_level(),
        message: model::Message { text: &f.message },
        locations: [location],
        related_locations,
        partial_fingerprints: model::Fingerprints {
            vigil: &f.fingerprint,
        },
        suppressions,
        baseline_state,
        properties: result_properties(f),
    }
}

/// The finding's own properties, then vigil's (which win on a clash).
fn result_properties(f: &Finding) -> model::ResultProperties<'_> {
    use model::PropertyValue::{Json, Str};
    let mut p = model::ResultProperties::new();
    for (k, v) in &f.properties {
        // The property bag reserves `tags` for a list of distinct strings.
        let key = if k == "tags" && !is_tag_list(v) {
            "tags_value"
        } else {
            k.as_str()
        };
        p.insert(key, Json(v));
    }
    p.insert("severity", Str(f.severity.as_str()));
    p.insert("pipeline", Str(f.pipeline.as_str()));
    if let Some(t) = &f.tool {
        p.insert("tool", Str(t));
    }
    if let Some(h) = &f.help {
        p.insert("help", Str(h));
    }
    p
}

fn is_tag_list(v: &Value) -> bool {
    v.as_array().is_some_and(|a| {
        let strings: Vec<&str> = a.iter().filter_map(Value::as_str).collect();
        strings.len() == a.len() && strings.iter().collect::<BTreeSet<_>>().len() == a.len()
    })
}

/// One invocation: success unless a check errored; errored and skipped checks as notifications.
fn invocation(report: &RunReport) -> model::Invocation {
    let timestamp = |s: &str| {
        chrono::DateTime::parse_from_rfc3339(s)
            .is_ok()
            .then(|| s.to_owned())
    };
    let mut notifications = Vec::new();
    for p in &report.pipelines {
        for c in &p.checks {
            let (level, what) = match c.status {
                CheckStatus::Ran => continue,
                CheckStatus::Error => ("error", "failed"),
                CheckStatus::Skipped => ("note", "was skipped"),
            };
            let note = c.note.as_deref().unwrap_or("no reason given");
            let mut properties = model::Properties::new();
            properties.insert("pipeline".into(), json!(p.pipeline.as_str()));
            properties.insert("check".into(), json!(c.id));
            notifications.push(model::Notification {
                level,
                message: model::Text {
                    text: format!("check `{}` ({}) {what}: {note}", c.id, p.pipeline),
                },
                properties,
            });
        }
    }
    model::Invocation {
        execution_successful: !report.has_errors(),
        start_time_utc: timestamp(&report.started_at),
        end_time_utc: timestamp(&report.finished_at),
        tool_execution_notifications: notifications,
    }
}

#[cfg(test)]
mod tests;
