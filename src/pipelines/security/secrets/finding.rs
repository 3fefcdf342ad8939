//! Making findings from what the scanner found: the message, the location, the properties,
//! the fingerprint — and the redaction, the one place where secret text becomes output.

use serde_json::json;

use super::allowlist;
use super::engine::{CompiledRow, Found};
use crate::model::{Finding, Location, Region};

/// What is shown of a secret: its first characters — four at most, and never more than a
/// third of it — then a fixed mask. The single place where secret text is turned into output.
pub fn redact(secret: &str) -> String {
    let visible = 4.min(secret.chars().count() / 3);
    let prefix: String = secret.chars().take(visible).collect();
    format!("{prefix}…[redacted]")
}

/// Identity of a secret for fingerprints: hex SHA-256, never the secret itself.
fn identity(row: &CompiledRow, secret: &str, path: &str) -> String {
    match (&row.custom_id, secret.is_empty()) {
        (Some(id), true) => format!("{id}\0path\0{path}"),
        (Some(id), false) => format!("{id}\0{}", hex::encode(allowlist::sha256(secret))),
        (None, _) => hex::encode(allowlist::sha256(secret)),
    }
}

/// 1-based line/column region of the bytes `start..end` of `text` (columns in characters).
pub(super) fn region_of(text: &str, start: usize, end: usize) -> Region {
    let position = |offset: usize| {
        let offset = offset.min(text.len());
        let line_start = memchr::memrchr(b'\n', &text.as_bytes()[..offset]).map_or(0, |i| i + 1);
        let column = text
            .get(line_start..offset)
            .map_or(offset - line_start, |s| s.chars().count());
        (
            crate::walk::line_of(text, offset),
            u32::try_from(column + 1).unwrap_or(u32::MAX),
        )
    };
    let (start_line, start_column) = position(start);
    let (end_line, end_column) = position(end);
    Region {
        start_line,
        start_column: Some(start_column),
        end_line: Some(end_line),
        end_column: Some(end_column),
    }
}

/// How to fix a finding of a rule.
fn help(rule: &str) -> &'static str {
    match rule {
        "private-key" | "gcp-service-account-key" => {
            "Treat the key as compromised: revoke it, create a new one, remove it from the repository \
             and its history, and load keys from a secret manager or the environment."
        }
        "slack-webhook" | "discord-webhook" => {
            "Delete the webhook and create a new one; keep its URL in a CI secret or the environment."
        }
        "generic-secret-assignment" => {
            "If this is a real credential, rotate it and read it from the environment or a secret \
             manager; if it is not, allowlist it in security.secrets.allowlist."
        }
        _ => {
            "Revoke the credential at its provider, remove it from the code (and the git history), \
             and read it from the environment or a secret manager."
        }
    }
}

/// Where a finding comes from.
pub(super) enum Source<'a> {
    /// The current files.
    WorkingTree,
    /// A commit of the history.
    History { commit: &'a str, date: &'a str },
}

/// Build the finding for a secret; the only place findings of this check are made.
pub(super) fn make_finding(
    row: &CompiledRow,
    found: &Found,
    path: &str,
    region: Option<Region>,
    source: Source<'_>,
) -> Finding {
    let shown = redact(&found.secret);
    let what = match &row.custom_id {
        Some(id) if found.secret.is_empty() => {
            format!("File matches custom rule `{id}` ({})", row.format)
        }
        Some(id) => format!(
            "Secret matching custom rule `{id}` ({}): `{shown}`",
            row.format
        ),
        None => format!("{} `{shown}`", row.format),
    };
    let message = match &source {
        Source::WorkingTree => what,
        Source::History { commit, date } => format!(
            "{what} was added in commit {} ({date}) and remains in the git history",
            &commit[..commit.len().min(12)]
        ),
    };
    let location = Location {
        path: path.to_owned(),
        region,
    };
    let mut f = row
        .meta
        .finding(message, Some(location), &identity(row, &found.secret, path));
    f.severity = row.severity;
    f.help = Some(help(row.meta.id).to_owned());
    f.properties.insert("format".into(), json!(row.format));
    if !found.secret.is_empty() {
        f.properties.insert("secret".into(), json!(shown));
    }
    if let Some(id) = &row.custom_id {
        f.properties.insert("custom_rule_id".into(), json!(id));
    }
    match source {
        Source::WorkingTree => {
            f.properties.insert("source".into(), json!("working-tree"));
        }
        Source::History { commit, date } => {
            f.properties.insert("source".into(), json!("git-history"));
            f.properties.insert("commit".into(), json!(commit));
            f.properties.insert("author_date".into(), json!(date));
        }
    }
    f
}
