//! `vigil explain RULE`: print a rule's documentation; `--list` prints the catalogue.

use anyhow::Result;

use crate::ExitStatus;
use crate::cli::ExplainArgs;
use crate::output::Ui;
use crate::pipelines::{all_rules, rule};

/// The catalogue as text: one line per rule (rule id, check id, pipeline, severity, summary),
/// in registry order; the policy's own rules are listed under the check `policy`.
pub fn list_text() -> String {
    let mut s = String::new();
    let rules = crate::pipelines::REGISTRY
        .iter()
        .flat_map(|c| c.rules.iter().map(move |r| (r, c.id)))
        .chain(crate::suppress::RULES.iter().map(|r| (r, "policy")));
    for (r, check) in rules {
        s.push_str(&format!(
            "{:<30} {:<13} {:<14} {:<9} {}\n",
            r.id,
            check,
            r.pipeline.as_str(),
            r.default_severity.as_str(),
            r.summary
        ));
    }
    s
}

/// The whole rule catalogue as one Markdown document (`docs/rules.md`, the target of every
/// rule's help URI): each check's docs with headings demoted one level, so every rule keeps an
/// `#<rule-id>` anchor.
pub fn rules_markdown() -> String {
    let mut s = String::from(
        "# vigil rules\n\n<!-- Generated from the rule docs beside each check by \
         `VIGIL_UPDATE_DOCS=1 cargo test rules_doc`; do not edit by hand. -->\n\n\
         Run `vigil explain RULE` for one rule's text, `vigil explain --list` for the catalogue.\n",
    );
    let docs = crate::pipelines::REGISTRY
        .iter()
        .map(|c| c.docs)
        .chain([crate::suppress::RULES[0].docs, IMPORTED_DOCS]);
    for d in docs {
        s.push('\n');
        let mut in_fence = false;
        for line in d.lines() {
            let t = line.trim_start();
            if t.starts_with("```") || t.starts_with("~~~") {
                in_fence = !in_fence;
            }
            if !in_fence && line.starts_with('#') {
                s.push('#');
            }
            s.push_str(line);
            s.push('\n');
        }
    }
    s
}

/// Docs anchor for findings imported from other tools (their rules are not ours).
const IMPORTED_DOCS: &str = "# imported — findings from other tools

## imported-findings
Findings read from other tools' SARIF, `cargo clippy --message-format json` or eslint JSON
output keep the original tool's rule id, prefixed with the tool name (`clippy/needless_return`).
Their documentation is the original tool's; vigil only gates and reports them.
";

/// Run `vigil explain`.
pub fn run(args: &ExplainArgs, ui: &Ui) -> Result<ExitStatus> {
    if args.list {
        ui.data(&list_text());
        return Ok(ExitStatus::Passed);
    }
    let id = args.rule.as_deref().unwrap_or_default();
    match rule(id) {
        Some(r) => {
            let mut text = format!(
                "{} — {} (pipeline: {}, default severity: {})\n\n{}\n\nDocs: {}\n",
                r.id,
                r.name,
                r.pipeline,
                r.default_severity,
                r.doc_section(),
                r.help_uri()
            );
            if !text.ends_with('\n') {
                text.push('\n');
            }
            ui.data(&text);
            Ok(ExitStatus::Passed)
        }
        None => {
            let close: Vec<&str> = all_rules()
                .map(|r| r.id)
                .filter(|c| c.contains(id) || id.contains(c))
                .collect();
            let hint = if close.is_empty() {
                "run `vigil explain --list` to see every rule".to_owned()
            } else {
                format!("did you mean {}?", close.join(", "))
            };
            crate::output::error(&format!("unknown rule `{id}`: {hint}"));
            Ok(ExitStatus::Error)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_doc_is_up_to_date() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules.md");
        let want = rules_markdown();
        if std::env::var_os("VIGIL_UPDATE_DOCS").is_some() {
            std::fs::create_dir_all(path.parent().expect("docs folder")).expect("mkdir docs");
            std::fs::write(&path, &want).expect("write docs/rules.md");
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            have == want,
            "docs/rules.md is stale: run `VIGIL_UPDATE_DOCS=1 cargo test rules_doc`"
        );
        for r in all_rules() {
            assert!(
                want.lines()
                    .any(|l| l.trim_start_matches('#').trim() == r.id),
                "rule {} has no heading in docs/rules.md",
                r.id
            );
        }
    }

    #[test]
    fn list_has_one_line_per_rule() {
        assert_eq!(list_text().lines().count(), all_rules().count());
    }
}
