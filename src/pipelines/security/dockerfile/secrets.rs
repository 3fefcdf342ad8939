//! `secret-in-env`: `ENV` and `ARG` whose names say they hold a secret, and the `NAME=value`
//! reading they need. Values are parsed to judge them, never copied into a message.

use crate::model::Severity;

use super::parse::Instruction;
use super::{Report, SECRET_IN_ENV};

const SECRET_HELP: &str = "Never bake secrets into an image: mount them for the one `RUN` that \
needs them (`RUN --mount=type=secret,id=npm_token …`) or pass them at run time.";

/// `secret-in-env`: each secret-named variable an `ENV` or `ARG` declares.
pub(super) fn secrets(report: &mut Report<'_>, ins: &Instruction) {
    let is_env = ins.keyword == "ENV";
    for (name, value) in assignments(&ins.args, is_env) {
        if !is_secret_name(&name) {
            continue;
        }
        let value = value.unwrap_or_default();
        let trimmed = value.trim();
        let is_flag = matches!(
            trimmed.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "0" | "1"
        );
        if is_flag || trimmed.starts_with('/') {
            continue;
        }
        let from_variable = trimmed.starts_with('$');
        let (severity, message) = match (is_env, trimmed.is_empty(), from_variable) {
            (true, true, _) => continue,
            (true, false, _) => (
                Severity::High,
                format!(
                    "`ENV {name}` stores a secret in the image configuration, readable by anyone who can pull the image"
                ),
            ),
            (false, false, false) => (
                Severity::High,
                format!("`ARG {name}` has a literal default that is recorded in the image history"),
            ),
            (false, _, _) => (
                Severity::Low,
                format!(
                    "build argument `{name}` looks like a secret; build arguments are recorded in the image history"
                ),
            ),
        };
        report.emit(
            &SECRET_IN_ENV,
            severity,
            ins.line,
            message,
            SECRET_HELP,
            &format!("{} {name}", ins.keyword),
        );
    }
}

/// `NAME=value` pairs of `ENV`/`ARG` (and, with `legacy`, `ENV NAME value with spaces`); a
/// bare `ARG NAME` has no value. Quotes are removed; values are never logged.
pub(super) fn assignments(args: &str, legacy: bool) -> Vec<(String, Option<String>)> {
    let words = shell_words(args);
    let legacy = legacy && words.len() >= 2 && !words[0].contains('=');
    if legacy {
        let (name, value) = args
            .trim()
            .split_once(char::is_whitespace)
            .unwrap_or((args.trim(), ""));
        if words.iter().skip(1).all(|w| !w.contains('=')) {
            return vec![(name.to_owned(), Some(value.trim().to_owned()))];
        }
    }
    words
        .into_iter()
        .map(|w| match w.split_once('=') {
            Some((n, v)) => (n.to_owned(), Some(v.to_owned())),
            None => (w, None),
        })
        .collect()
}

/// Split on unquoted whitespace, removing quotes and backslash escapes.
fn shell_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (None, '"' | '\'') => {
                quote = Some(c);
                in_word = true;
            }
            (q, '\\') if q != Some('\'') => {
                if let Some(next) = chars.next() {
                    word.push(next);
                }
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (_, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

/// Whether a variable name says it holds a secret (`DB_PASSWORD`, `npmToken`, `API_KEY`), and
/// not a reference to one (`PASSWORD_FILE`, `TOKEN_URL`, `AWS_ACCESS_KEY_ID`).
pub(super) fn is_secret_name(name: &str) -> bool {
    let mut spaced = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if c.is_ascii_uppercase() && prev_lower {
            spaced.push('_');
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        spaced.push(c.to_ascii_uppercase());
    }
    let parts: Vec<&str> = spaced
        .split(['_', '-', '.'])
        .filter(|p| !p.is_empty())
        .collect();
    const NOT_A_VALUE: &[&str] = &[
        "FILE",
        "PATH",
        "DIR",
        "URL",
        "URI",
        "ENDPOINT",
        "HOST",
        "NAME",
        "ID",
        "TYPE",
        "LENGTH",
        "LEN",
        "TTL",
        "EXPIRY",
        "EXPIRES",
        "TIMEOUT",
        "HEADER",
        "PREFIX",
        "SUFFIX",
        "FORMAT",
        "VERSION",
        "ENABLED",
        "REQUIRED",
        "SIZE",
        "ALGORITHM",
        "COUNT",
        "MODE",
        "KIND",
    ];
    if parts.last().is_none_or(|p| NOT_A_VALUE.contains(p)) || parts.first() == Some(&"PUBLIC") {
        return false;
    }
    const ENDINGS: &[&str] = &[
        "PASSWORD",
        "PASSWD",
        "PASSPHRASE",
        "SECRET",
        "TOKEN",
        "APIKEY",
        "CREDENTIAL",
        "CREDENTIALS",
        "PRIVATEKEY",
        "ACCESSKEY",
        "SECRETKEY",
    ];
    const KEY_PREFIXES: &[&str] = &[
        "API",
        "PRIVATE",
        "ACCESS",
        "SECRET",
        "AUTH",
        "ENCRYPTION",
        "SIGNING",
        "MASTER",
    ];
    parts
        .iter()
        .any(|p| ENDINGS.iter().any(|e| p.ends_with(e)) || *p == "PASS")
        || parts
            .windows(2)
            .any(|w| KEY_PREFIXES.contains(&w[0]) && w[1] == "KEY")
        || (parts.len() > 1 && parts.contains(&"PWD"))
}
