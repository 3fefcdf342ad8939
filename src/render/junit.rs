//! `junit.xml`: the run as JUnit XML, for CI test-report views (GitLab, Jenkins, test-reporter
//! actions).
//!
//! One `<testsuite>` per pipeline; in it one `<testcase>` per check and one per gate, so a CI
//! system tracks each check and gate across runs by its stable `classname`
//! (`vigil.<pipeline>.<check-or-gate>`) and `name`. Each testcase has exactly one outcome:
//!
//! * a check with active findings at or above medium **fails**, its failure text listing them;
//!   low and info findings, and suppressed or baselined ones, go to `<system-out>`;
//! * an errored check is an **error**, a skipped check is **skipped**, with the note as message;
//! * a failed gate **fails**, a skipped gate is **skipped**, a warned gate passes with the
//!   warning in `<system-out>`.
//!
//! Findings are attributed to the check that owns their rule (from the registry); the policy's
//! own rules go to a `suppressions` testcase and findings of rules vigil does not know (imported
//! from other tools) to a testcase named after the tool.
//!
//! The layout validates against the Jenkins xUnit `junit-10` XSD (fixtures/schemas/junit.xsd):
//! `testsuites` carries only `name`, `tests`, `failures`, `errors` and `time` (the XSD has no
//! `skipped` there; suites do), times have three decimals, and no `hostname` is written because
//! the output must be a function of the report alone.

use std::collections::BTreeMap;
use std::io::Cursor;

use anyhow::{Context, Result};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use crate::model::{
    CheckStatus, Finding, GateStatus, PipelineResult, RunReport, Severity, Suppression,
};

/// At most this many findings are listed in one failure or `<system-out>` block.
const LIST_CAP: usize = 50;

/// Testcase that holds the findings of the suppression policy's own rules.
const POLICY_CASE: &str = "suppressions";

/// Testcase for findings of unknown rules that name no tool.
const UNKNOWN_CASE: &str = "unregistered-rules";

/// Render the report as JUnit XML with a trailing newline.
pub fn render(report: &RunReport) -> Result<String> {
    let suites: Vec<Suite> = report.pipelines.iter().map(suite).collect();
    let mut w = Writer::new_with_indent(Cursor::new(Vec::new()), b' ', 2);
    write(&mut w, report, &suites).context("writing JUnit XML")?;
    let mut s = String::from_utf8(w.into_inner().into_inner()).context("JUnit XML is UTF-8")?;
    s.push('\n');
    Ok(s)
}

/// How a testcase ended.
enum Outcome {
    Passed,
    Failure {
        message: String,
        kind: &'static str,
        text: String,
    },
    Error {
        message: String,
        text: String,
    },
    Skipped {
        message: String,
    },
}

struct Case {
    classname: String,
    name: String,
    time_ms: u64,
    outcome: Outcome,
    out: Vec<String>,
}

struct Suite {
    name: &'static str,
    time_ms: u64,
    status: &'static str,
    cases: Vec<Case>,
}

impl Suite {
    fn count(&self, pred: impl Fn(&Outcome) -> bool) -> usize {
        self.cases.iter().filter(|c| pred(&c.outcome)).count()
    }

    fn failures(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Failure { .. }))
    }

    fn errors(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Error { .. }))
    }

    fn skipped(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Skipped { .. }))
    }
}

/// Name of the testcase a finding belongs to: its rule's check, the policy, or its tool.
fn owner(f: &Finding) -> String {
    if let Some(spec) = crate::pipelines::REGISTRY
        .iter()
        .find(|s| s.rules.iter().any(|r| r.id == f.rule_id))
    {
        return spec.id.to_owned();
    }
    if crate::suppress::RULES.iter().any(|r| r.id == f.rule_id) {
        return POLICY_CASE.to_owned();
    }
    f.tool.clone().unwrap_or_else(|| UNKNOWN_CASE.to_owned())
}

fn suite(p: &PipelineResult) -> Suite {
    let pipeline = p.pipeline.as_str();
    // Owner -> findings, in finding order; owners keep the order they first appear in.
    let mut owners: Vec<String> = Vec::new();
    let mut by_owner: BTreeMap<String, Vec<&Finding>> = BTreeMap::new();
    for f in &p.findings {
        let o = owner(f);
        if !by_owner.contains_key(&o) {
            owners.push(o.clone());
        }
        by_owner.entry(o).or_default().push(f);
    }
    let mut cases = Vec::new();
    for c in &p.checks {
        let findings = by_owner.remove(&c.id).unwrap_or_default();
        let note = c.note.clone().unwrap_or_else(|| "no reason given".into());
        let mut case = findings_case(pipeline, &c.id, c.duration_ms, &findings);
        match c.status {
            CheckStatus::Ran => {}
            CheckStatus::Error => {
                demote_failure(&mut case);
                case.outcome = Outcome::Error {
                    text: format!("check `{}` failed: {note}", c.id),
                    message: note,
                };
            }
            CheckStatus::Skipped => {
                demote_failure(&mut case);
                case.outcome = Outcome::Skipped { message: note };
            }
        }
        cases.push(case);
    }
    for o in owners {
        if let Some(findings) = by_owner.remove(&o) {
            cases.push(findings_case(pipeline, &o, 0, &findings));
        }
    }
    for g in &p.gates {
        let (outcome, out) = match g.status {
            GateStatus::Passed => (Outcome::Passed, vec![g.message.clone()]),
            GateStatus::Warned => (Outcome::Passed, vec![format!("warning: {}", g.message)]),
            GateStatus::Failed => (
                Outcome::Failure {
                    message: g.message.clone(),
                    kind: "vigil.gate",
                    text: format!("gate `{}` failed: {}", g.name, g.message),
                },
                Vec::new(),
            ),
            GateStatus::Skipped => (
                Outcome::Skipped {
                    message: g.message.clone(),
                },
                Vec::new(),
            ),
        };
        cases.push(Case {
            classname: format!("vigil.{pipeline}.{}", g.name),
            name: g.name.clone(),
            time_ms: 0,
            outcome,
            out,
        });
    }
    Suite {
        name: pipeline,
        time_ms: p.duration_ms,
        status: pipeline_status(p),
        cases,
    }
}

fn pipeline_status(p: &PipelineResult) -> &'static str {
    match p.status {
        crate::model::PipelineStatus::Passed => "passed",
        crate::model::PipelineStatus::Warned => "warned",
        crate::model::PipelineStatus::Failed => "failed",
        crate::model::PipelineStatus::Error => "error",
    }
}

/// Move a findings failure into `<system-out>` when another outcome takes precedence.
fn demote_failure(case: &mut Case) {
    if let Outcome::Failure { text, .. } = std::mem::replace(&mut case.outcome, Outcome::Passed) {
        case.out.insert(0, text);
    }
}

/// A testcase for the findings of one check (or owner): fails on active findings >= medium.
fn findings_case(pipeline: &str, id: &str, time_ms: u64, findings: &[&Finding]) -> Case {
    let (failing, minor): (Vec<&Finding>, Vec<&Finding>) = findings
        .iter()
        .filter(|f| f.is_active())
        .partition(|f| f.severity >= Severity::Medium);
    let inactive: Vec<&Finding> = findings
        .iter()
        .copied()
        .filter(|f| !f.is_active())
        .collect();
    let outcome = match failing.iter().map(|f| f.severity).max() {
        Some(worst) => Outcome::Failure {
            message: format!(
                "{} active finding{} at or above medium (worst: {worst})",
                failing.len(),
                plural(failing.len())
            ),
            kind: "vigil.findings",
            text: list(&failing),
        },
        None => Outcome::Passed,
    };
    let mut out = Vec::new();
    if !minor.is_empty() {
        out.push(format!(
            "{} low or info finding{}:\n{}",
            minor.len(),
            plural(minor.len()),
            list(&minor)
        ));
    }
    if !inactive.is_empty() {
        out.push(format!(
            "{} suppressed or baselined finding{} (not counted):\n{}",
            inactive.len(),
            plural(inactive.len()),
            list(&inactive)
        ));
    }
    Case {
        classname: format!("vigil.{pipeline}.{id}"),
        name: id.to_owned(),
        time_ms,
        outcome,
        out,
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// One line per finding (`path:line rule severity message`), capped at [`LIST_CAP`].
fn list(findings: &[&Finding]) -> String {
    let mut lines: Vec<String> = findings.iter().take(LIST_CAP).map(|f| line(f)).collect();
    if findings.len() > LIST_CAP {
        lines.push(format!(
            "… and {} more (see report.json)",
            findings.len() - LIST_CAP
        ));
    }
    lines.join("\n")
}

fn line(f: &Finding) -> String {
    let place = match &f.location {
        Some(l) => match l.start_line() {
            Some(n) => format!("{}:{n}", l.path),
            None => l.path.clone(),
        },
        None => "(repository)".to_owned(),
    };
    let rule = match &f.tool {
        Some(t) if !f.rule_id.starts_with(&format!("{t}/")) => format!("{} ({t})", f.rule_id),
        _ => f.rule_id.clone(),
    };
    let status = match &f.suppression {
        None => String::new(),
        Some(Suppression::Baseline) => " [baselined]".to_owned(),
        Some(Suppression::Inline { reason } | Suppression::Config { reason, .. }) => {
            format!(" [suppressed: {reason}]")
        }
    };
    let message = f.message.replace('\n', "\n    ");
    format!("{place} {rule} {} {message}{status}", f.severity)
}

/// Seconds with three decimals, the only form the XSD's `SUREFIRE_TIME` accepts.
fn seconds(ms: u64) -> String {
    format!("{}.{:03}", ms / 1000, ms % 1000)
}

/// Replace characters XML 1.0 cannot carry, even escaped (C0 controls other than tab, LF, CR).
fn xml_safe(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c,
            c if c < ' ' || c == '\u{FFFE}' || c == '\u{FFFF}' => '\u{FFFD}',
            c => c,
        })
        .collect()
}

type Xml = Writer<Cursor<Vec<u8>>>;

fn start(name: &str, attrs: &[(&str, &str)]) -> BytesStart<'static> {
    let mut e = BytesStart::new(name.to_owned());
    for (k, v) in attrs {
        e.push_attribute((*k, xml_safe(v).as_str()));
    }
    e
}

fn text_element(w: &mut Xml, name: &str, attrs: &[(&str, &str)], text: &str) -> Result<()> {
    w.write_event(Event::Start(start(name, attrs)))?;
    if !text.is_empty() {
        w.write_event(Event::Text(BytesText::new(&xml_safe(text))))?;
    }
    w.write_event(Event::End(BytesEnd::new(name.to_owned())))?;
    Ok(())
}

fn write(w: &mut Xml, report: &RunReport, suites: &[Suite]) -> Result<()> {
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let total = |f: fn(&Suite) -> usize| suites.iter().map(f).sum::<usize>().to_string();
    let tests = total(|s| s.cases.len());
    let failures = total(Suite::failures);
    let errors = total(Suite::errors);
    let time = seconds(report.duration_ms);
    w.write_event(Event::Start(start(
        "testsuites",
        &[
            ("name", "vigil"),
            ("tests", &tests),
            ("failures", &failures),
            ("errors", &errors),
            ("time", &time),
        ],
    )))?;
    for s in suites {
        write_suite(w, report, s)?;
    }
    w.write_event(Event::End(BytesEnd::new("testsuites")))?;
    Ok(())
}

fn write_suite(w: &mut Xml, report: &RunReport, s: &Suite) -> Result<()> {
    let (tests, failures, errors, skipped) = (
        s.cases.len().to_string(),
        s.failures().to_string(),
        s.errors().to_string(),
        s.skipped().to_string(),
    );
    let time = seconds(s.time_ms);
    w.write_event(Event::Start(start(
        "testsuite",
        &[
            ("name", s.name),
            ("tests", &tests),
            ("failures", &failures),
            ("errors", &errors),
            ("skipped", &skipped),
            ("time", &time),
            ("timestamp", &report.started_at),
        ],
    )))?;
    w.write_event(Event::Start(start("properties", &[])))?;
    let mut props = vec![
        ("vigil.run_id", report.run_id.as_str()),
        ("vigil.pipeline_status", s.status),
    ];
    if let Some(c) = &report.repo.commit {
        props.push(("vigil.commit", c));
    }
    for (name, value) in props {
        w.write_event(Event::Empty(start(
            "property",
            &[("name", name), ("value", value)],
        )))?;
    }
    w.write_event(Event::End(BytesEnd::new("properties")))?;
    for c in &s.cases {
        write_case(w, c)?;
    }
    w.write_event(Event::End(BytesEnd::new("testsuite")))?;
    Ok(())
}

fn write_case(w: &mut Xml, c: &Case) -> Result<()> {
    let time = seconds(c.time_ms);
    let attrs = [
        ("name", c.name.as_str()),
        ("classname", c.classname.as_str()),
        ("time", time.as_str()),
    ];
    if matches!(c.outcome, Outcome::Passed) && c.out.is_empty() {
        w.write_event(Event::Empty(start("testcase", &attrs)))?;
        return Ok(());
    }
    w.write_event(Event::Start(start("testcase", &attrs)))?;
    match &c.outcome {
        Outcome::Passed => {}
        Outcome::Failure {
            message,
            kind,
            text,
        } => text_element(w, "failure", &[("message", message), ("type", kind)], text)?,
        Outcome::Error { message, text } => text_element(
            w,
            "error",
            &[("message", message), ("type", "vigil.check-error")],
            text,
        )?,
        Outcome::Skipped { message } => {
            w.write_event(Event::Empty(start("skipped", &[("message", message)])))?;
        }
    }
    if !c.out.is_empty() {
        text_element(w, "system-out", &[], &c.out.join("\n\n"))?;
    }
    w.write_event(Event::End(BytesEnd::new("testcase")))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::sample;
    use quick_xml::Reader;

    fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
        e.try_get_attribute(name)
            .expect("well-formed attribute")
            .map(|a| {
                a.normalized_value(quick_xml::XmlVersion::Explicit1_0)
                    .expect("unescapes")
                    .into_owned()
            })
    }

    /// Per suite: declared (tests, failures, errors, skipped) and counted ones, plus every
    /// failure message seen.
    #[derive(Debug, Default)]
    struct Parsed {
        declared: Vec<[usize; 4]>,
        counted: Vec<[usize; 4]>,
        names: Vec<String>,
        failure_messages: Vec<String>,
        totals: [usize; 3],
        texts: Vec<String>,
    }

    fn parse(xml: &str) -> Parsed {
        let mut reader = Reader::from_str(xml);
        let mut p = Parsed::default();
        let num = |e: &BytesStart<'_>, n: &str| {
            attr(e, n)
                .unwrap_or_else(|| "0".into())
                .parse::<usize>()
                .expect("count")
        };
        loop {
            match reader.read_event().expect("well-formed XML") {
                Event::Eof => break,
                Event::Start(e) | Event::Empty(e) => match e.name().as_ref() {
                    "testsuites" => {
                        p.totals = [num(&e, "tests"), num(&e, "failures"), num(&e, "errors")];
                        assert!(attr(&e, "skipped").is_none(), "the XSD forbids it");
                    }
                    "testsuite" => {
                        p.names.push(attr(&e, "name").expect("suite name"));
                        p.declared.push([
                            num(&e, "tests"),
                            num(&e, "failures"),
                            num(&e, "errors"),
                            num(&e, "skipped"),
                        ]);
                        p.counted.push([0; 4]);
                    }
                    tag => {
                        let slot = match tag {
                            "testcase" => 0,
                            "failure" => {
                                let m = attr(&e, "message").unwrap_or_default();
                                assert!(!m.is_empty(), "failure without a message");
                                p.failure_messages.push(m);
                                1
                            }
                            "error" => 2,
                            "skipped" => 3,
                            _ => continue,
                        };
                        if let Some(c) = p.counted.last_mut() {
                            c[slot] += 1;
                        }
                    }
                },
                Event::Text(t) => p.texts.push(t.xml10_content().into_owned()),
                Event::GeneralRef(r) => {
                    let name = r.xml10_content().into_owned();
                    p.texts.push(format!("&{name};"));
                }
                _ => {}
            }
        }
        p
    }

    #[test]
    fn sample_snapshot() {
        let xml = render(&sample::report()).expect("render");
        insta::assert_snapshot!(xml);
    }

    #[test]
    fn counts_match_testcases_and_failures_have_messages() {
        let xml = render(&sample::report()).expect("render");
        let p = parse(&xml);
        assert_eq!(
            p.names,
            ["security", "quality", "documentation", "performance"]
        );
        assert_eq!(p.declared, p.counted);
        let sum = |i: usize| p.counted.iter().map(|c| c[i]).sum::<usize>();
        assert_eq!(p.totals, [sum(0), sum(1), sum(2)]);
        // security: hygiene fails (high), secrets passes, dependencies skipped, score gate fails;
        // the expired suppression lands in the policy testcase and fails (medium).
        assert_eq!(p.declared[0], [5, 3, 0, 1]);
        // quality: markers fails (critical hack), imported passes, suppressions passes (low only),
        // eslint fails (medium), quality gate warns (passes), markers gate skipped.
        assert_eq!(p.declared[1], [6, 2, 0, 1]);
        assert_eq!(p.declared[3], [4, 0, 1, 0]);
        assert!(
            p.failure_messages
                .iter()
                .any(|m| m.contains("worst: critical"))
        );
    }

    #[test]
    fn findings_go_to_the_check_owning_their_rule() {
        let report = sample::report();
        let quality = suite(&report.pipelines[1]);
        let names: Vec<&str> = quality.cases.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "markers",
                "imported",
                "suppressions",
                "eslint",
                "quality_score_min",
                "todo_markers_max"
            ]
        );
        let Outcome::Failure { text, .. } = &quality.cases[0].outcome else {
            panic!("markers should fail");
        };
        assert!(text.contains("src/net/retry.rs:42 hack-marker critical HACK"));
        assert!(
            !text.contains("todo-marker"),
            "info findings are not failures"
        );
        assert!(
            quality.cases[0]
                .out
                .iter()
                .any(|o| o.contains("[suppressed: tracked in #12 <soon>]"))
        );
    }

    #[test]
    fn special_characters_are_escaped_and_round_trip() {
        let xml = render(&sample::report()).expect("render");
        assert!(!xml.contains("<T>"), "raw markup from a message leaked");
        assert!(!xml.contains("]]>"), "]]> must be escaped in text");
        let p = parse(&xml);
        let text: String = p.texts.concat();
        assert!(text.contains("“ünïcødé” ✓"));
        assert!(
            text.contains("FIXME: &lt;T&gt; &amp; &quot;quoted&quot; ]]&gt;"),
            "{text}"
        );
    }

    #[test]
    fn control_characters_cannot_break_the_document() {
        let mut report = sample::report();
        report.pipelines[1].findings[2].message = "bell \u{7} and nul \u{0} here".into();
        let xml = render(&report).expect("render");
        assert!(xml.contains("bell \u{FFFD} and nul \u{FFFD} here"));
        parse(&xml);
    }

    #[test]
    fn long_lists_are_capped() {
        let mut report = sample::report();
        let template = report.pipelines[1].findings[2].clone();
        report.pipelines[1].findings = (0..120)
            .map(|i| {
                let mut f = template.clone();
                f.message = format!("HACK number {i}");
                f
            })
            .collect();
        let case = &suite(&report.pipelines[1]).cases[0];
        let Outcome::Failure { text, message, .. } = &case.outcome else {
            panic!("expected a failure");
        };
        assert!(message.starts_with("120 active findings"));
        assert_eq!(text.lines().count(), LIST_CAP + 1);
        assert!(text.ends_with("… and 70 more (see report.json)"));
    }

    #[test]
    fn times_have_three_decimals() {
        assert_eq!(seconds(0), "0.000");
        assert_eq!(seconds(1323), "1.323");
        assert_eq!(seconds(61_005), "61.005");
    }
}
