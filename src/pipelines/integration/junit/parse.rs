//! Streaming reader of one JUnit XML report into its test cases.
//!
//! The JUnit format has no single standard; this reader accepts what pytest, jest-junit,
//! cargo-nextest, go-junit-report and Maven Surefire write: a `<testsuites>` root or a lone
//! `<testsuite>`, suites nested in suites, and per `<testcase>` an optional `<failure>`,
//! `<error>` or `<skipped>` child. The counts in suite attributes (`tests=`, `failures=`) are
//! not trusted: every number is computed from the test cases themselves. `<system-out>`,
//! `<system-err>` and `<properties>` are read past without being kept. Retries are recognised
//! as nextest and Surefire write them: `<flakyFailure>` / `<flakyError>` inside a passing test
//! mark it flaky, `<rerunFailure>` / `<rerunError>` are extra failed attempts.
//!
//! quick-xml never fetches a DTD or an external entity, so reading a report touches nothing
//! but its bytes.

use crate::pipelines::quality::coverage::data::ParseError;
use crate::pipelines::quality::coverage::xml::{Node, attr, local, walk};

/// How a test case ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Outcome {
    /// Ran and passed.
    Passed,
    /// Not run (`<skipped>`).
    Skipped,
    /// An assertion failed (`<failure>`).
    Failed,
    /// The test could not run to its end (`<error>`: an unexpected exception, a crash).
    Errored,
}

/// One `<testcase>`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TestCase {
    /// `classname=` (pytest: module path, Surefire: class, go: package), or the enclosing
    /// suite's name when the attribute is absent.
    pub(crate) class: String,
    /// `name=`.
    pub(crate) name: String,
    /// `time=` in milliseconds, when present and a number.
    pub(crate) millis: Option<f64>,
    /// How it ended.
    pub(crate) outcome: Outcome,
    /// First line of the failure or error message (attribute `message=`, else the text).
    pub(crate) message: Option<String>,
    /// `file=` of the test case, when the runner wrote one.
    pub(crate) file: Option<String>,
    /// `line=` of the test case, when the runner wrote one.
    pub(crate) line: Option<u32>,
    /// A retry failed before the final attempt passed (`<flakyFailure>`, `<flakyError>`).
    pub(crate) flaky: bool,
}

impl TestCase {
    /// `class::name`, the identity of the test across reports.
    pub(crate) fn id(&self) -> String {
        if self.class.is_empty() {
            self.name.clone()
        } else {
            format!("{}::{}", self.class, self.name)
        }
    }
}

/// Longest message kept, in characters.
const MAX_MESSAGE_CHARS: usize = 200;

/// Whether `text` looks like a JUnit report: its root element is `testsuites` or `testsuite`.
pub(crate) fn is_junit(text: &str) -> bool {
    matches!(
        crate::pipelines::quality::coverage::xml::root_element(text).as_deref(),
        Some("testsuites" | "testsuite")
    )
}

/// Parse a whole report. A malformed document is an error with the line where it broke.
pub(crate) fn parse(text: &str) -> Result<Vec<TestCase>, ParseError> {
    let mut cases: Vec<TestCase> = Vec::new();
    let mut suites: Vec<String> = Vec::new();
    let mut current: Option<TestCase> = None;
    // Text of the <failure>/<error> being read, when it has no `message=`.
    let mut body: Option<String> = None;
    let mut root_seen = false;
    walk(text, |node, ancestors| {
        match node {
            Node::Open(e) => {
                let name = local(e);
                if !root_seen {
                    root_seen = true;
                    if name != "testsuites" && name != "testsuite" {
                        return Err(format!(
                            "the root element is <{name}>, not <testsuites> or <testsuite>"
                        ));
                    }
                }
                match name.as_str() {
                    "testsuite" => suites.push(attr(e, "name")?.unwrap_or_default()),
                    "testcase" => {
                        if current.is_some() {
                            return Err("a <testcase> inside another <testcase>".into());
                        }
                        let class = attr(e, "classname")?
                            .filter(|c| !c.is_empty())
                            .or_else(|| suites.last().cloned())
                            .unwrap_or_default();
                        current = Some(TestCase {
                            class,
                            name: attr(e, "name")?.unwrap_or_default(),
                            millis: attr(e, "time")?.and_then(|t| seconds_to_ms(&t)),
                            outcome: Outcome::Passed,
                            message: None,
                            file: attr(e, "file")?.filter(|f| !f.is_empty()),
                            line: attr(e, "line")?
                                .and_then(|l| l.trim().parse::<u32>().ok())
                                // pytest writes 0-based lines (its suite is named `pytest`).
                                .map(|l| {
                                    if suites.iter().any(|s| s == "pytest") {
                                        l + 1
                                    } else {
                                        l
                                    }
                                }),
                            flaky: false,
                        });
                    }
                    "failure" | "error" | "skipped"
                        if ancestors.last().is_some_and(|a| a == "testcase") =>
                    {
                        if let Some(case) = current.as_mut() {
                            let outcome = match name.as_str() {
                                "failure" => Outcome::Failed,
                                "error" => Outcome::Errored,
                                _ => Outcome::Skipped,
                            };
                            // A test with both keeps the worst: error, failure, skipped.
                            if outcome > case.outcome {
                                case.outcome = outcome;
                                if outcome != Outcome::Skipped {
                                    case.message =
                                        attr(e, "message")?.as_deref().and_then(first_line);
                                    if case.message.is_none() {
                                        body = Some(String::new());
                                    }
                                }
                            }
                        }
                    }
                    "flakyFailure" | "flakyError" => {
                        if let Some(case) = current.as_mut() {
                            case.flaky = true;
                        }
                    }
                    _ => {}
                }
            }
            Node::Text(t) => {
                if let Some(b) = body.as_mut()
                    && b.len() < 4 * MAX_MESSAGE_CHARS
                {
                    b.push_str(t);
                }
            }
            Node::Close(name) => match name {
                "testsuite" => {
                    suites.pop();
                }
                "testcase" => {
                    if let Some(case) = current.take() {
                        cases.push(case);
                    }
                }
                "failure" | "error" => {
                    if let (Some(b), Some(case)) = (body.take(), current.as_mut()) {
                        case.message = first_line(&b);
                    }
                }
                _ => {}
            },
        }
        Ok(())
    })?;
    if !root_seen {
        return Err(ParseError {
            line: None,
            message: "the document has no root element".into(),
        });
    }
    Ok(cases)
}

/// The first non-blank line of `text`, trimmed and capped, if any.
fn first_line(text: &str) -> Option<String> {
    let line = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    Some(line.chars().take(MAX_MESSAGE_CHARS).collect())
}

/// A `time=` value in seconds (`"0.25"`, Surefire's `"1,234.5"`) as milliseconds.
fn seconds_to_ms(value: &str) -> Option<f64> {
    let cleaned: String = value.trim().chars().filter(|c| *c != ',').collect();
    let secs: f64 = cleaned.parse().ok()?;
    (secs.is_finite() && secs >= 0.0).then_some(secs * 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_outcomes_messages_and_nesting() {
        let xml = r#"<?xml version="1.0"?>
<testsuites>
  <testsuite name="outer">
    <properties><property name="k" value="v"/></properties>
    <testsuite name="inner">
      <testcase name="ok" time="0.5"/>
      <testcase classname="c" name="bad" time="1,234.5" file="src/a.py" line="12">
        <failure>
first line &amp; more
second line</failure>
        <system-out>noise</system-out>
      </testcase>
      <testcase classname="c" name="boom"><error message="kaput&#10;trace"/></testcase>
      <testcase classname="c" name="later"><skipped/></testcase>
      <testcase classname="c" name="retry"><flakyFailure message="once"/></testcase>
    </testsuite>
  </testsuite>
  <system-err>x</system-err>
</testsuites>"#;
        let cases = parse(xml).expect("valid");
        assert_eq!(cases.len(), 5);
        assert_eq!(cases[0].id(), "inner::ok");
        assert_eq!(cases[0].millis, Some(500.0));
        assert_eq!(cases[1].outcome, Outcome::Failed);
        assert_eq!(cases[1].message.as_deref(), Some("first line & more"));
        assert_eq!(cases[1].millis, Some(1_234_500.0));
        assert_eq!(
            (cases[1].file.as_deref(), cases[1].line),
            (Some("src/a.py"), Some(12))
        );
        assert_eq!(cases[2].outcome, Outcome::Errored);
        assert_eq!(cases[2].message.as_deref(), Some("kaput"));
        assert_eq!(cases[3].outcome, Outcome::Skipped);
        assert_eq!(cases[4].outcome, Outcome::Passed);
        assert!(cases[4].flaky);
    }

    #[test]
    fn malformed_and_foreign_documents_are_errors() {
        let err = parse("<testsuites>\n<testcase name=\"a\">\n</testsuites>").expect_err("bad");
        assert_eq!(err.line, Some(3), "{err}");
        let err = parse("<coverage/>").expect_err("not junit");
        assert!(err.message.contains("<coverage>"), "{err}");
        assert!(parse("").is_err());
        assert!(is_junit("<testsuite/>"));
        assert!(!is_junit("<coverage/>"));
        assert_eq!(seconds_to_ms("nan"), None);
        assert_eq!(seconds_to_ms("-1"), None);
    }
}
