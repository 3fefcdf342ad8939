//! Lines of mapping keys in YAML lockfiles.
//!
//! `serde_yaml_ng` parses without positions, so the YAML lockfile parsers (pnpm, yarn berry)
//! scan the same text for `key:` lines at a known indentation. Lockfile writers emit plain
//! block mappings with one key per line, which is all this needs to understand.

use std::collections::HashMap;

/// Lines of the unindented `key:` lines of a YAML document, by unquoted key.
pub(crate) fn top_level_key_lines(text: &str) -> HashMap<String, u32> {
    key_lines_at_indent(text, 0, None)
}

/// Lines of `key:` lines indented by exactly `indent` spaces, by unquoted key; with
/// `section`, only inside the unindented `section:` block.
pub(crate) fn key_lines_at_indent(
    text: &str,
    indent: usize,
    section: Option<&str>,
) -> HashMap<String, u32> {
    let mut out = HashMap::new();
    let mut inside = section.is_none();
    for (i, raw) in text.lines().enumerate() {
        let raw = raw.trim_end_matches('\r');
        if raw.trim().is_empty() || raw.trim_start().starts_with('#') {
            continue;
        }
        let depth = raw.len() - raw.trim_start_matches(' ').len();
        if let Some(section) = section
            && depth == 0
        {
            inside = raw.trim_end().strip_suffix(':') == Some(section);
            continue;
        }
        if !inside || depth != indent {
            continue;
        }
        let body = &raw[depth..];
        let Some(key) = yaml_key(body) else { continue };
        out.entry(key)
            .or_insert(u32::try_from(i + 1).unwrap_or(u32::MAX));
    }
    out
}

/// The key of a `key:` or `key: value` line, unquoted.
fn yaml_key(body: &str) -> Option<String> {
    let body = body.trim_end();
    if let Some(q) = body.chars().next().filter(|c| *c == '"' || *c == '\'') {
        let end = body[1..].find(q)? + 1;
        return body[end + 1..]
            .starts_with(':')
            .then(|| body[1..end].to_owned());
    }
    let colon = body
        .find(": ")
        .or_else(|| body.strip_suffix(':').map(str::len))?;
    Some(body[..colon].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_by_indent_and_section() {
        let text = "lockfileVersion: '9.0'\n\nimporters:\n  .:\n    x: 1\n\npackages:\n\n  '@a/b@1.0.0':\n    resolution: {integrity: x}\n  c@2.0.0: {}\n  # comment:\n";
        let top = top_level_key_lines(text);
        assert_eq!(top.get("packages"), Some(&7));
        assert_eq!(top.get("lockfileVersion"), Some(&1));
        let pk = key_lines_at_indent(text, 2, Some("packages"));
        assert_eq!(pk.get("@a/b@1.0.0"), Some(&9));
        assert_eq!(pk.get("c@2.0.0"), Some(&11));
        assert_eq!(pk.get("."), None);
        assert_eq!(pk.len(), 2);
    }
}
