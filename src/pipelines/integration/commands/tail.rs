//! What a finding may show of a command's output: its last lines, with every configured
//! environment value masked, so a token passed in `env` never reaches a report.

use std::collections::BTreeMap;

use crate::pipelines::security::secrets::redact;

/// Most lines of output a finding keeps.
pub(crate) const TAIL_LINES: usize = 20;

/// Bytes of each stream kept from a command (the tail is cut from these).
pub(crate) const CAPTURE_BYTES: usize = 16 * 1024;

/// The last `TAIL_LINES` non-empty lines of `stdout` then `stderr`, masked.
pub(crate) fn last_lines(stdout: &[u8], stderr: &[u8], env: &BTreeMap<String, String>) -> String {
    let mut lines: Vec<String> = Vec::new();
    for stream in [stdout, stderr] {
        let text = String::from_utf8_lossy(stream);
        lines.extend(
            text.lines()
                .map(str::trim_end)
                .filter(|l| !l.trim().is_empty())
                .map(str::to_owned),
        );
    }
    let from = lines.len().saturating_sub(TAIL_LINES);
    mask(&lines[from..].join("\n"), env)
}

/// The last non-empty line of `text`, at most 200 characters.
pub(crate) fn last_line(text: &str) -> Option<String> {
    let line = text.lines().rev().find(|l| !l.trim().is_empty())?.trim();
    let mut short: String = line.chars().take(200).collect();
    if short.len() < line.len() {
        short.push('…');
    }
    Some(short)
}

/// `text` with every value of `env` that could be a secret replaced by its redaction.
///
/// Values shorter than 4 characters are left alone (they cannot be told apart from ordinary
/// output: `1`, `on`), as are values of 4 to 7 characters whose variable name does not look
/// secret (`LANG=C.UTF-8` is not worth hiding; `PIN=4711` is).
pub(crate) fn mask(text: &str, env: &BTreeMap<String, String>) -> String {
    let mut values: Vec<&str> = env
        .iter()
        .filter(|(name, value)| {
            let n = value.chars().count();
            n >= 8 || (n >= 4 && looks_secret(name))
        })
        .map(|(_, v)| v.as_str())
        .collect();
    // Longest first, so a value containing another is masked whole.
    values.sort_by_key(|v| std::cmp::Reverse(v.len()));
    let mut out = text.to_owned();
    for v in values {
        if out.contains(v) {
            out = out.replace(v, &redact(v));
        }
    }
    out
}

/// Whether a variable name suggests its value is a secret.
fn looks_secret(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    [
        "TOKEN",
        "SECRET",
        "PASSWORD",
        "PASSWD",
        "PASS",
        "KEY",
        "AUTH",
        "CREDENTIAL",
        "PIN",
    ]
    .iter()
    .any(|w| upper.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn secret_values_are_masked_and_ordinary_ones_kept() {
        let env = env(&[
            ("API_TOKEN", "tok_0123456789abcdef"),
            ("PIN", "4711"),
            ("MODE", "fast"),
        ]);
        let out = mask(
            "using tok_0123456789abcdef with pin 4711 in fast mode",
            &env,
        );
        assert_eq!(
            out,
            "using tok_…[redacted] with pin 4…[redacted] in fast mode"
        );
    }

    #[test]
    fn keeps_the_last_lines_of_both_streams() {
        let stdout: String = (1..=30).map(|i| format!("line {i}\n")).collect();
        let out = last_lines(stdout.as_bytes(), b"\nboom\n", &BTreeMap::new());
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), TAIL_LINES);
        assert_eq!(lines[0], "line 12");
        assert_eq!(lines[TAIL_LINES - 1], "boom");
        assert_eq!(last_line(&out).as_deref(), Some("boom"));
        assert_eq!(last_line("  \n"), None);
    }
}
