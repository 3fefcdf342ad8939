//! `vigil explain RULE`: print a rule's documentation; `--list` prints the catalogue.

use anyhow::Result;

use crate::ExitStatus;
use crate::cli::ExplainArgs;
use crate::output::Ui;
use crate::pipelines::{all_rules, rule};

/// The catalogue as text: one line per rule, in registry order.
pub fn list_text() -> String {
    let mut s = String::new();
    for r in all_rules() {
        s.push_str(&format!(
            "{:<28} {:<14} {:<9} {}\n",
            r.id, r.pipeline, r.default_severity, r.summary
        ));
    }
    s
}

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
