//! SARIF 2.1.0 logs from other tools (CodeQL, Semgrep, ruff, Trivy, ESLint's SARIF formatter…).
//!
//! Only what vigil needs is read, leniently (unknown properties are ignored): per run the tool
//! name and rules (of the driver and of extensions, as CodeQL query packs use), the artifacts
//! table and `originalUriBaseIds`; per result its rule (by `ruleId`, `rule.id` or index), kind,
//! level, message (text, or a rule message string with `{0}`-style arguments), first physical
//! location, fingerprints, suppressions and baseline state.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use super::{Imported, Parsed, severity_of_level, slug};
use crate::model::{Region, Severity};
use crate::pipelines::quality::coverage::data::ParseError;
use crate::pipelines::quality::coverage::paths::clean_uri;

#[derive(Deserialize)]
struct Log {
    version: Option<String>,
    runs: Option<Vec<Run>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    #[serde(default)]
    results: Vec<SarifResult>,
    #[serde(default)]
    artifacts: Vec<Artifact>,
    #[serde(default)]
    original_uri_base_ids: BTreeMap<String, ArtifactLocation>,
}

#[derive(Deserialize)]
struct Tool {
    driver: Component,
    #[serde(default)]
    extensions: Vec<Component>,
}

#[derive(Deserialize)]
struct Component {
    name: String,
    #[serde(default)]
    rules: Vec<Rule>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: String,
    help_uri: Option<String>,
    help: Option<Text>,
    default_configuration: Option<Configuration>,
    #[serde(default)]
    message_strings: BTreeMap<String, Text>,
    properties: Option<Value>,
}

#[derive(Deserialize)]
struct Configuration {
    level: Option<String>,
}

#[derive(Deserialize, Default)]
struct Text {
    text: Option<String>,
    markdown: Option<String>,
}

#[derive(Deserialize)]
struct Artifact {
    location: Option<ArtifactLocation>,
}

#[derive(Deserialize, Clone, Default)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: Option<String>,
    uri_base_id: Option<String>,
    index: Option<usize>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: Option<String>,
    rule_index: Option<usize>,
    rule: Option<RuleRef>,
    kind: Option<String>,
    level: Option<String>,
    #[serde(default)]
    message: Message,
    #[serde(default)]
    locations: Vec<ResultLocation>,
    #[serde(default)]
    partial_fingerprints: BTreeMap<String, String>,
    #[serde(default)]
    fingerprints: BTreeMap<String, String>,
    suppressions: Option<Vec<Suppression>>,
    baseline_state: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RuleRef {
    id: Option<String>,
    index: Option<usize>,
    tool_component: Option<ToolComponentRef>,
}

#[derive(Deserialize)]
struct ToolComponentRef {
    index: Option<usize>,
}

#[derive(Deserialize, Default)]
struct Message {
    text: Option<String>,
    markdown: Option<String>,
    id: Option<String>,
    #[serde(default)]
    arguments: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ResultLocation {
    physical_location: Option<PhysicalLocation>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: Option<ArtifactLocation>,
    region: Option<SarifRegion>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SarifRegion {
    start_line: Option<u32>,
    start_column: Option<u32>,
    end_line: Option<u32>,
    end_column: Option<u32>,
    snippet: Option<Text>,
}

#[derive(Deserialize)]
struct Suppression {
    status: Option<String>,
}

/// Parse a SARIF log.
pub(crate) fn parse(bytes: &[u8]) -> Result<Parsed, ParseError> {
    let log: Log = serde_json::from_slice(bytes).map_err(|e| ParseError {
        line: (e.line() > 0).then_some(e.line() as u64),
        message: format!("invalid SARIF JSON: {e}"),
    })?;
    match log.version.as_deref() {
        Some("2.1.0") => {}
        Some(v) => {
            return Err(ParseError::whole(format!(
                "SARIF version {v} is not supported; vigil reads SARIF 2.1.0"
            )));
        }
        None => return Err(ParseError::whole("no `version`: not a SARIF log")),
    }
    let runs = log
        .runs
        .ok_or_else(|| ParseError::whole("no `runs`: not a SARIF log"))?;
    let mut parsed = Parsed::default();
    for run in &runs {
        let tool = run.tool.driver.name.trim().to_owned();
        if tool.eq_ignore_ascii_case("vigil") {
            *parsed
                .left_out
                .entry("vigil's own SARIF is not imported")
                .or_default() += run.results.len();
            continue;
        }
        parsed.tools.insert(tool.clone());
        for result in &run.results {
            match convert(run, &tool, result) {
                Ok(item) => parsed.items.push(item),
                Err(why) => *parsed.left_out.entry(why).or_default() += 1,
            }
        }
    }
    Ok(parsed)
}

/// One result as an [`Imported`], or why it is left out.
fn convert(run: &Run, tool: &str, r: &SarifResult) -> Result<Imported, &'static str> {
    if matches!(r.kind.as_deref(), Some("pass" | "notApplicable")) {
        return Err("SARIF results of kind pass or notApplicable");
    }
    if r.baseline_state.as_deref() == Some("absent") {
        return Err("SARIF results whose baselineState is absent (already fixed)");
    }
    if r.suppressions.as_ref().is_some_and(|s| {
        s.iter()
            .any(|s| s.status.as_deref().is_none_or(|st| st == "accepted"))
    }) {
        return Err("suppressed in the SARIF by the tool");
    }
    let rule = find_rule(run, r);
    let rule_id = r
        .rule_id
        .clone()
        .or_else(|| r.rule.as_ref().and_then(|x| x.id.clone()))
        .or_else(|| rule.map(|x| x.id.clone()))
        .filter(|id| !id.trim().is_empty())
        .unwrap_or_else(|| "result".to_owned());
    let level = r
        .level
        .clone()
        .or_else(|| rule.and_then(|x| x.default_configuration.as_ref()?.level.clone()))
        .unwrap_or_else(|| {
            // SARIF §3.27.10: without a level, a `fail` result is a warning, others are none.
            if r.kind.as_deref().is_none_or(|k| k == "fail") {
                "warning".to_owned()
            } else {
                "none".to_owned()
            }
        });
    let severity = rule
        .and_then(security_severity)
        .unwrap_or_else(|| severity_of_level(&level));
    let message = message_text(&r.message, rule).unwrap_or_else(|| rule_id.clone());
    let physical = r
        .locations
        .iter()
        .find_map(|l| l.physical_location.as_ref());
    let artifact = physical.and_then(|p| p.artifact_location.clone());
    let artifact = artifact.map(|a| match (&a.uri, a.index) {
        (None, Some(i)) => run
            .artifacts
            .get(i)
            .and_then(|x| x.location.clone())
            .unwrap_or(a),
        _ => a,
    });
    let path = artifact.as_ref().and_then(|a| a.uri.clone());
    let roots = artifact
        .as_ref()
        .and_then(|a| a.uri_base_id.as_deref())
        .map(|id| base_uri(run, id))
        .into_iter()
        .flatten()
        .collect();
    let sarif_region = physical.and_then(|p| p.region.as_ref());
    let region = sarif_region.and_then(|g| {
        let start = g.start_line.filter(|l| *l > 0)?;
        Some(Region {
            start_line: start,
            start_column: g.start_column.filter(|c| *c > 0),
            end_line: g.end_line.filter(|e| *e >= start),
            end_column: g.end_column.filter(|c| *c > 0),
        })
    });
    let identity = identity(r).or_else(|| {
        let snippet = sarif_region?.snippet.as_ref()?.text.as_deref()?;
        snippet
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .map(str::to_owned)
    });
    let help = rule
        .and_then(|x| x.help.as_ref())
        .and_then(|h| h.text.as_deref())
        .map(str::trim)
        .filter(|t| !t.is_empty() && t.len() <= 300)
        .map(str::to_owned);
    Ok(Imported {
        tool: tool.to_owned(),
        namespace: slug(tool),
        rule: rule_id,
        severity,
        message,
        path,
        roots,
        region,
        identity,
        help,
        help_uri: rule.and_then(|x| x.help_uri.clone()),
    })
}

/// The rule descriptor a result refers to (driver or extension, by index or id).
fn find_rule<'r>(run: &'r Run, r: &SarifResult) -> Option<&'r Rule> {
    let component = r
        .rule
        .as_ref()
        .and_then(|x| x.tool_component.as_ref())
        .and_then(|c| c.index)
        .and_then(|i| run.tool.extensions.get(i))
        .unwrap_or(&run.tool.driver);
    let index = r
        .rule_index
        .or_else(|| r.rule.as_ref().and_then(|x| x.index));
    if let Some(rule) = index.and_then(|i| component.rules.get(i)) {
        return Some(rule);
    }
    let id = r
        .rule_id
        .as_deref()
        .or_else(|| r.rule.as_ref().and_then(|x| x.id.as_deref()))?;
    component.rules.iter().find(|x| x.id == id)
}

/// GitHub's ranking of a `security-severity` score (a number or a numeric string).
fn security_severity(rule: &Rule) -> Option<Severity> {
    let v = rule.properties.as_ref()?.get("security-severity")?;
    let score = match v {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse().ok()?,
        _ => return None,
    };
    Some(match score {
        s if s >= 9.0 => Severity::Critical,
        s if s >= 7.0 => Severity::High,
        s if s >= 4.0 => Severity::Medium,
        s if s > 0.0 => Severity::Low,
        _ => Severity::Info,
    })
}

/// The message text: `text`, else the rule's message string `id` with `{n}` arguments filled
/// in, else `markdown`.
fn message_text(m: &Message, rule: Option<&Rule>) -> Option<String> {
    if let Some(t) = m.text.as_deref().filter(|t| !t.trim().is_empty()) {
        return Some(fill(t, &m.arguments));
    }
    if let Some(template) =
        m.id.as_deref()
            .and_then(|id| rule?.message_strings.get(id))
            .and_then(|s| s.text.as_deref().or(s.markdown.as_deref()))
    {
        return Some(fill(template, &m.arguments));
    }
    m.markdown
        .as_deref()
        .filter(|t| !t.trim().is_empty())
        .map(|t| fill(t, &m.arguments))
}

/// Replace `{0}`, `{1}`… with arguments; `{{` and `}}` are literal braces (SARIF §3.11.5).
fn fill(template: &str, args: &[String]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(i) = rest.find(['{', '}']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            out.push(tail.as_bytes()[0] as char);
            rest = &tail[2..];
            continue;
        }
        if tail.starts_with('{')
            && let Some(close) = tail.find('}')
            && let Ok(n) = tail[1..close].parse::<usize>()
            && let Some(arg) = args.get(n)
        {
            out.push_str(arg);
            rest = &tail[close + 1..];
            continue;
        }
        out.push(tail.as_bytes()[0] as char);
        rest = &tail[1..];
    }
    out.push_str(rest);
    out.trim().to_owned()
}

/// `partialFingerprints`, else `fingerprints`, as sorted `key=value` lines.
fn identity(r: &SarifResult) -> Option<String> {
    let map = if r.partial_fingerprints.is_empty() {
        &r.fingerprints
    } else {
        &r.partial_fingerprints
    };
    (!map.is_empty()).then(|| {
        map.iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("\n")
    })
}

/// The folder a `uriBaseId` stands for, as a path, when the run defines it (one level of
/// nesting is followed). An undefined base (`%SRCROOT%`) means the repository root.
fn base_uri(run: &Run, id: &str) -> Option<String> {
    let base = run.original_uri_base_ids.get(id)?;
    let uri = base.uri.as_deref()?;
    let parent = base
        .uri_base_id
        .as_deref()
        .and_then(|p| run.original_uri_base_ids.get(p))
        .and_then(|p| p.uri.as_deref());
    let joined = match parent {
        Some(p) if !uri.starts_with("file:") && !uri.starts_with('/') => {
            format!("{}/{uri}", p.trim_end_matches('/'))
        }
        _ => uri.to_owned(),
    };
    Some(clean_uri(&joined))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_message_arguments() {
        let args = ["x".to_owned(), "y".to_owned()];
        assert_eq!(
            fill("{0} calls {1} {{literally}}", &args),
            "x calls y {literally}"
        );
        assert_eq!(fill("missing {2} and {zz}", &args), "missing {2} and {zz}");
        assert_eq!(fill("} stray {", &args), "} stray {");
        assert_eq!(fill("{0", &args), "{0");
    }

    #[test]
    fn security_severity_ranks_like_github() {
        let rule = |v: Value| Rule {
            id: "r".into(),
            help_uri: None,
            help: None,
            default_configuration: None,
            message_strings: BTreeMap::new(),
            properties: Some(serde_json::json!({ "security-severity": v })),
        };
        assert_eq!(
            security_severity(&rule("9.8".into())),
            Some(Severity::Critical)
        );
        assert_eq!(security_severity(&rule(7.5.into())), Some(Severity::High));
        assert_eq!(
            security_severity(&rule("4.0".into())),
            Some(Severity::Medium)
        );
        assert_eq!(security_severity(&rule("2".into())), Some(Severity::Low));
        assert_eq!(security_severity(&rule("n/a".into())), None);
    }

    #[test]
    fn rejects_what_is_not_sarif_2_1_0() {
        let err = parse(b"{\"version\": \"2.0.0\", \"runs\": []}").expect_err("old");
        assert!(err.message.contains("2.0.0"), "{err}");
        let err = parse(b"{\n  \"version\": \"2.1.0\",\n  \"runs\": [{\"tool\": {}}]\n}")
            .expect_err("no driver");
        assert_eq!(err.line, Some(3), "{err}");
        let err = parse(b"[1, 2]").expect_err("array");
        assert!(err.message.starts_with("invalid SARIF JSON"), "{err}");
    }
}
