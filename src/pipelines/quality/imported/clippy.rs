//! `cargo clippy --message-format json` (and `cargo check`/`cargo build` with the same flag):
//! one JSON object per line.
//!
//! Only `reason: "compiler-message"` lines at level `error` or `warning` become findings;
//! artifacts, build-script output, `build-finished` and summary messages without a location or
//! code ("aborting due to …", "N warnings emitted") are skipped. A lint's location is its primary
//! span; a span inside a macro expansion of another file is followed back to the call site
//! when the span's own file is not in the repository. The span's quoted source line is the
//! fingerprint identity, and the first `help:` child is the fix hint. Lines that are not JSON
//! objects (e.g. `Compiling …` when stderr was mixed in) are skipped; a line that starts like
//! one but is not valid JSON is an error naming it.

use serde::Deserialize;

use super::{Imported, Parsed, severity_of_level};
use crate::model::Region;
use crate::pipelines::quality::coverage::data::ParseError;

#[derive(Deserialize)]
struct Line {
    reason: Option<String>,
    message: Option<Diagnostic>,
}

#[derive(Deserialize)]
struct Diagnostic {
    message: String,
    code: Option<Code>,
    level: String,
    #[serde(default)]
    spans: Vec<Span>,
    #[serde(default)]
    children: Vec<Self>,
}

#[derive(Deserialize)]
struct Code {
    code: String,
}

#[derive(Deserialize)]
struct Span {
    file_name: String,
    line_start: u32,
    line_end: u32,
    column_start: u32,
    column_end: u32,
    is_primary: bool,
    #[serde(default)]
    text: Vec<SpanText>,
    expansion: Option<Box<Expansion>>,
}

#[derive(Deserialize)]
struct SpanText {
    text: String,
}

#[derive(Deserialize)]
struct Expansion {
    span: Span,
}

/// Parse clippy's JSON lines.
pub(crate) fn parse(text: &str) -> Result<Parsed, ParseError> {
    let mut parsed = Parsed::default();
    let mut json_lines = 0usize;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if !line.starts_with('{') {
            continue;
        }
        json_lines += 1;
        let msg: Line = serde_json::from_str(line)
            .map_err(|e| ParseError::at(i as u64 + 1, format!("invalid JSON message: {e}")))?;
        if msg.reason.as_deref() != Some("compiler-message") {
            continue;
        }
        let Some(diag) = msg.message else {
            continue;
        };
        if let Some(item) = convert(&diag) {
            parsed.tools.insert("clippy".to_owned());
            parsed.items.push(item);
        }
    }
    if json_lines == 0 {
        return Err(ParseError::whole(
            "no JSON message: not the output of `cargo clippy --message-format json`",
        ));
    }
    parsed.tools.insert("clippy".to_owned());
    Ok(parsed)
}

fn convert(d: &Diagnostic) -> Option<Imported> {
    if d.level != "error" && d.level != "warning" {
        return None;
    }
    let primary = d.spans.iter().find(|s| s.is_primary);
    if primary.is_none() && d.code.is_none() {
        return None; // a summary such as "aborting due to 2 previous errors"
    }
    let (namespace, rule, help_uri) = match d.code.as_ref().map(|c| c.code.as_str()) {
        Some(code) => match code.strip_prefix("clippy::") {
            Some(lint) => (
                "clippy",
                lint.to_owned(),
                Some(format!(
                    "https://rust-lang.github.io/rust-clippy/master/index.html#{lint}"
                )),
            ),
            None => {
                let uri = is_error_code(code)
                    .then(|| format!("https://doc.rust-lang.org/error_codes/{code}.html"));
                ("rustc", code.to_owned(), uri)
            }
        },
        None => ("rustc", d.level.clone(), None),
    };
    let span = primary.map(call_site);
    let help = d
        .children
        .iter()
        // Skip the "for further information visit <lint docs>" help: that is the help_uri.
        .find(|c| c.level == "help" && !c.message.starts_with("for further information"))
        .map(|c| c.message.trim().to_owned())
        .filter(|m| !m.is_empty());
    Some(Imported {
        tool: "clippy".to_owned(),
        namespace: namespace.to_owned(),
        rule,
        severity: severity_of_level(&d.level),
        message: d.message.trim().to_owned(),
        path: span.map(|s| s.file_name.clone()),
        roots: Vec::new(),
        region: span.filter(|s| s.line_start > 0).map(|s| Region {
            start_line: s.line_start,
            start_column: (s.column_start > 0).then_some(s.column_start),
            end_line: (s.line_end >= s.line_start).then_some(s.line_end),
            end_column: (s.column_end > 0).then_some(s.column_end),
        }),
        identity: span
            .and_then(|s| s.text.first())
            .map(|t| t.text.trim().to_owned())
            .filter(|t| !t.is_empty()),
        help,
        help_uri,
    })
}

/// The span to report: the span itself, or — when it lies in a macro definition outside the
/// workspace (an absolute path or `<…>` pseudo-file) — the outermost call site.
fn call_site(span: &Span) -> &Span {
    let mut s = span;
    while is_external(&s.file_name) {
        match &s.expansion {
            Some(e) => s = &e.span,
            None => break,
        }
    }
    s
}

fn is_external(file: &str) -> bool {
    file.starts_with('<') || file.starts_with('/') || file.contains(":\\")
}

/// `E0308`-style rustc error code.
fn is_error_code(code: &str) -> bool {
    code.len() == 5 && code.starts_with('E') && code[1..].bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_macro_expansions_to_the_call_site() {
        let line = r#"{"reason":"compiler-message","message":{"message":"m","code":{"code":"clippy::x"},"level":"warning","children":[],"spans":[{"file_name":"/rustc/abc/library/std/src/macros.rs","line_start":9,"line_end":9,"column_start":1,"column_end":2,"is_primary":true,"text":[],"expansion":{"span":{"file_name":"src/main.rs","line_start":4,"line_end":4,"column_start":5,"column_end":20,"is_primary":false,"text":[{"text":"    println!(\"{}\", x);"}],"expansion":null}}}]}}"#;
        let p = parse(line).expect("valid");
        let item = &p.items[0];
        assert_eq!(item.path.as_deref(), Some("src/main.rs"));
        assert_eq!(item.region.as_ref().map(|r| r.start_line), Some(4));
        assert_eq!(item.identity.as_deref(), Some("println!(\"{}\", x);"));
    }

    #[test]
    fn errors_name_the_line_and_foreign_text_is_rejected() {
        let err = parse("{\"reason\":\"build-finished\",\"success\":true}\n{\"reason\":")
            .expect_err("truncated");
        assert_eq!(err.line, Some(2), "{err}");
        let err = parse("warning: unused variable\n").expect_err("human output");
        assert!(err.message.contains("--message-format json"), "{err}");
        let ok = parse("   Compiling x v0.1.0\n{\"reason\":\"build-finished\",\"success\":true}\n")
            .expect("mixed stderr lines are skipped");
        assert!(ok.items.is_empty());
    }
}
