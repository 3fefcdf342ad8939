//! `eslint -f json`: an array of `{filePath, messages: [{ruleId, severity, message, line,
//! column, endLine, endColumn, fatal}], source}`.
//!
//! Severity 2 is an error (high), 1 a warning (medium); 0 (off) is skipped. A message without a
//! `ruleId` is a parsing error (`fatal`, rule `parse-error`) or a problem ESLint itself reports,
//! such as an unused `eslint-disable` directive (rule `core`). ESLint includes the file's text
//! as `source` when it reports problems, so the offending line is the fingerprint identity.
//! `suppressedMessages` (inline `eslint-disable`) are not imported.

use serde::Deserialize;

use super::{Imported, Parsed, line_text};
use crate::model::{Region, Severity};
use crate::pipelines::quality::coverage::data::ParseError;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FileResult {
    file_path: String,
    #[serde(default)]
    messages: Vec<EslintMessage>,
    source: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EslintMessage {
    rule_id: Option<String>,
    severity: u8,
    message: String,
    line: Option<u32>,
    column: Option<u32>,
    end_line: Option<u32>,
    end_column: Option<u32>,
    #[serde(default)]
    fatal: bool,
}

/// Parse eslint's JSON output.
pub(crate) fn parse(bytes: &[u8]) -> Result<Parsed, ParseError> {
    let files: Vec<FileResult> = serde_json::from_slice(bytes).map_err(|e| ParseError {
        line: (e.line() > 0).then_some(e.line() as u64),
        message: format!("not eslint JSON output (`eslint -f json`): {e}"),
    })?;
    let mut parsed = Parsed::default();
    parsed.tools.insert("eslint".to_owned());
    for file in &files {
        for m in &file.messages {
            let severity = match m.severity {
                2 => Severity::High,
                1 => Severity::Medium,
                _ => continue,
            };
            let rule = match (&m.rule_id, m.fatal) {
                (Some(id), _) if !id.trim().is_empty() => id.trim().to_owned(),
                (_, true) => "parse-error".to_owned(),
                _ => "core".to_owned(),
            };
            // Core rules are documented on eslint.org; plugin rules (`plugin/rule`) elsewhere.
            let help_uri = m
                .rule_id
                .as_deref()
                .filter(|id| !id.contains('/'))
                .map(|id| format!("https://eslint.org/docs/latest/rules/{id}"));
            let region = m.line.filter(|l| *l > 0).map(|line| Region {
                start_line: line,
                start_column: m.column.filter(|c| *c > 0),
                end_line: m.end_line.filter(|e| *e >= line),
                end_column: m.end_column.filter(|c| *c > 0),
            });
            let identity = match (&file.source, m.line) {
                (Some(src), Some(line)) => line_text(src, line).map(str::to_owned),
                _ => None,
            };
            parsed.items.push(Imported {
                tool: "eslint".to_owned(),
                namespace: "eslint".to_owned(),
                rule,
                severity,
                message: m.message.trim().to_owned(),
                path: Some(file.file_path.clone()),
                roots: Vec::new(),
                region,
                identity,
                help: None,
                help_uri,
            });
        }
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_severities_and_rules() {
        let json = br#"[{"filePath":"/r/a.js","source":"let a = 1;\nfoo(;\n","messages":[
            {"ruleId":"no-unused-vars","severity":2,"message":"unused","line":1,"column":5},
            {"ruleId":"react/jsx-key","severity":1,"message":"key","line":1},
            {"ruleId":null,"fatal":true,"severity":2,"message":"Parsing error: x","line":2,"column":5},
            {"ruleId":null,"severity":1,"message":"Unused eslint-disable directive"},
            {"ruleId":"eqeqeq","severity":0,"message":"off"}]}]"#;
        let p = parse(json).expect("valid");
        let got: Vec<(&str, Severity, Option<&str>, Option<&str>)> = p
            .items
            .iter()
            .map(|i| {
                (
                    i.rule.as_str(),
                    i.severity,
                    i.identity.as_deref(),
                    i.help_uri.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "no-unused-vars",
                    Severity::High,
                    Some("let a = 1;"),
                    Some("https://eslint.org/docs/latest/rules/no-unused-vars")
                ),
                ("react/jsx-key", Severity::Medium, Some("let a = 1;"), None),
                ("parse-error", Severity::High, Some("foo(;"), None),
                ("core", Severity::Medium, None, None),
            ]
        );
    }

    #[test]
    fn other_json_is_an_error() {
        let err = parse(b"{\"results\": []}").expect_err("object");
        assert!(err.message.starts_with("not eslint JSON output"), "{err}");
    }
}
