//! Secrets quoted by other checks. A finding's message often quotes what it is about — a
//! marker's note, a missing path named in a shell block, a broken link's target, an unpinned
//! `docker://user:token@…` reference — and so can carry a secret into every output even though
//! the secrets check redacts its own findings.
//!
//! The runner passes every finding through [`scrub_findings`] once, before suppressions and
//! rendering: the built-in rows run over its message, help and string properties, and each
//! secret they find is replaced by its [`redact`]ion. Free text is judged as a configuration
//! file is (unquoted `name=value` assignments count): the stricter reading, because a needless
//! redaction in a message costs little and a leak cannot be taken back. The run's own rules —
//! `security.secrets.extra_rules` and the rules of `.gitleaks.toml` — are applied too
//! ([`run_scrubber`](super::run_scrubber), compiled during the walk), whether or not the secrets
//! check runs; allowlists are not: they decide what is reported, not what may be shown.

use std::collections::HashMap;
use std::sync::OnceLock;

use rayon::prelude::*;
use serde_json::Value;

use super::engine::Scanner;
use super::validate::GenericLimits;
use super::{builtin_rows, redact};
use crate::config::schema::SecretsConfig;
use crate::model::Finding;

/// Path under which free text is judged: a configuration file, where the most rows apply.
const TEXT_AS: &str = "finding.env";

/// The built-in rows with default thresholds, compiled on first use; `None` if the table did
/// not compile, which the secrets check's own build reports as an error.
fn scanner() -> Option<&'static Scanner> {
    static SCANNER: OnceLock<Option<Scanner>> = OnceLock::new();
    SCANNER
        .get_or_init(|| {
            let defaults = SecretsConfig::default();
            let limits = GenericLimits {
                min_entropy: defaults.generic_min_entropy.0,
                min_length: defaults.generic_min_length,
            };
            let rows = builtin_rows(|_| true).ok()?;
            Scanner::new(rows, Vec::new(), limits).ok()
        })
        .as_ref()
}

/// Compile the scrubber's rules now, so the first finding does not wait for them.
pub fn prepare_scrubber() {
    let _ = scanner();
}

/// `text` with every secret the built-in rules find in it redacted; `None` when it holds none.
#[cfg(test)]
fn scrub_text(text: &str) -> Option<String> {
    scrub_text_with(text, None)
}

/// `text` with every secret that the built-in rules or the run's own (`run`) find in it
/// redacted; `None` when it holds none.
fn scrub_text_with(text: &str, run: Option<&Scanner>) -> Option<String> {
    let mut found = scanner()?.scan(TEXT_AS, text, None);
    if let Some(run) = run {
        found.extend(run.scan(TEXT_AS, text, None));
        found.sort_by_key(|f| (f.start, std::cmp::Reverse(f.end)));
    }
    if found.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    // Found secrets are sorted by position; one inside an earlier one is skipped.
    for f in &found {
        if f.start < at {
            continue;
        }
        out.push_str(&text[at..f.start]);
        out.push_str(&redact(&f.secret));
        at = f.end;
    }
    out.push_str(&text[at..]);
    Some(out)
}

fn scrub_in_place(text: &mut String, run: Option<&Scanner>) {
    if let Some(clean) = scrub_text_with(text, run) {
        *text = clean;
    }
}

fn scrub_value(value: &mut Value, run: Option<&Scanner>) {
    match value {
        Value::String(s) => scrub_in_place(s, run),
        Value::Array(items) => items.iter_mut().for_each(|v| scrub_value(v, run)),
        Value::Object(map) => map.values_mut().for_each(|v| scrub_value(v, run)),
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// Redact every secret quoted in the findings' messages, help and string properties, in
/// parallel, with the built-in rules and the run's own (`run`, from
/// [`run_scrubber`](super::run_scrubber)). A help text is usually shared by every finding of
/// its rule, so each distinct one is scanned once.
pub(crate) fn scrub_findings(findings: &mut [Finding], run: Option<&Scanner>) {
    let mut helps: HashMap<&str, Option<String>> = HashMap::new();
    for f in findings.iter() {
        if let Some(h) = f.help.as_deref() {
            helps.entry(h).or_insert_with(|| scrub_text_with(h, run));
        }
    }
    // Keyed by owned text from here, so the findings can be changed.
    let helps: HashMap<String, String> = helps
        .into_iter()
        .filter_map(|(h, clean)| Some((h.to_owned(), clean?)))
        .collect();
    findings.par_iter_mut().for_each(|f| {
        scrub_in_place(&mut f.message, run);
        if let Some(help) = &mut f.help
            && let Some(clean) = helps.get(help.as_str())
        {
            clean.clone_into(help);
        }
        f.properties.values_mut().for_each(|v| scrub_value(v, run));
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Pipeline, Severity};
    use crate::pipelines::RuleMeta;

    const TOKEN: &str = "ghp_Q3vTz8LmN1pRw5YbXc7KdJ2fHs9Ga4Ue6WiO";

    #[test]
    fn quoted_secrets_are_redacted_and_the_rest_kept() {
        let cases = [
            (
                format!("TODO: rotate {TOKEN} before release"),
                "TODO: rotate ghp_…[redacted] before release",
            ),
            (
                format!("`./scripts/deploy.sh --token {TOKEN}` does not exist"),
                "`./scripts/deploy.sh --token ghp_…[redacted]` does not exist",
            ),
            (
                "`docker://bot:Zq8vLm2Rt5WxKp4@ghcr.io/acme/app:1` is not pinned".to_owned(),
                "`docker://bot:Zq8v…[redacted]@ghcr.io/acme/app:1` is not pinned",
            ),
            (
                "FIXME: drop DB_PASSWORD=\"Vb7#kQ2x!mZ9\" from the staging config".to_owned(),
                "FIXME: drop DB_PASSWORD=\"Vb7#…[redacted]\" from the staging config",
            ),
        ];
        for (text, want) in &cases {
            assert_eq!(scrub_text(text).as_deref(), Some(*want), "{text}");
        }
    }

    #[test]
    fn text_without_secrets_is_left_alone() {
        for text in [
            "TODO: read the token from the environment",
            "`docker://alpine:3.20@sha256:beefdbd8a1da6d2915566fde36db9db0b524eb737fc57cd1367effd16dc0d06d` is pinned by digest",
            "connect with postgres://user:password@localhost:5432/app",
            "redis://app:${REDIS_PASSWORD}@cache:6379 is read from the environment",
            "GitHub token `ghp_…[redacted]`",
        ] {
            assert_eq!(scrub_text(text), None, "{text}");
        }
    }

    #[test]
    fn findings_are_scrubbed_in_message_help_and_properties() {
        static META: RuleMeta = RuleMeta {
            id: "todo-marker",
            name: "TODO marker",
            pipeline: Pipeline::Quality,
            default_severity: Severity::Info,
            summary: "A TODO marker.",
            docs: "",
        };
        let mut f = META.finding(format!("TODO: rotate {TOKEN}"), None, "line");
        f.help = Some(format!("remove {TOKEN}"));
        f.properties.insert(
            "lines".into(),
            serde_json::json!([{ "text": format!("token = \"{TOKEN}\"") }]),
        );
        let original = f.clone();
        scrub_findings(std::slice::from_mut(&mut f), None);
        let json = serde_json::to_string(&f).expect("serializes");
        assert!(!json.contains(TOKEN), "{json}");
        assert!(f.message.ends_with("ghp_…[redacted]"), "{}", f.message);

        // Many findings give the same result, with a help text shared by them scanned once
        // and each finding's own message and properties scanned on their own.
        let mut clean = META.finding("TODO: nothing secret", None, "other");
        clean.help = original.help.clone();
        let mut plain = META.finding("TODO: plain", None, "plain");
        plain.help = Some("Do the work.".into());
        let mut batch = vec![original; 300];
        batch.push(clean);
        batch.push(plain);
        scrub_findings(&mut batch, None);
        for g in &batch[..300] {
            assert_eq!(g, &f);
        }
        assert_eq!(batch[300].message, "TODO: nothing secret");
        assert_eq!(batch[300].help, f.help);
        assert_eq!(batch[301].help.as_deref(), Some("Do the work."));
    }
}
