//! GitHub's heading anchors: the slug a rendered heading gets, as `github-slugger` computes it.
//!
//! The rules, taken from GitHub's renderer: lower-case the heading's text; drop every character
//! that is not a letter, a mark, a number, a connector (`_`), a hyphen or a space (so
//! punctuation and emoji go, accented and non-Latin letters stay); turn each space into `-`
//! (runs are not collapsed: `a  b` → `a--b`). A slug already used in the same page gets `-1`,
//! `-2`, … appended, skipping suffixed slugs that a heading already took.

use std::collections::HashMap;

/// Slug of one heading text, without de-duplication.
pub(crate) fn slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.trim().chars().flat_map(char::to_lowercase) {
        if c == ' ' {
            out.push('-');
        } else if c == '-' || c == '_' || c.is_alphanumeric() || is_mark(c) {
            out.push(c);
        }
    }
    out
}

/// Combining marks (Unicode category M) in the blocks where they are common; they belong to
/// the letter before them, so GitHub keeps them.
fn is_mark(c: char) -> bool {
    matches!(
        u32::from(c),
        0x0300..=0x036F
            | 0x0483..=0x0489
            | 0x0591..=0x05BD
            | 0x0610..=0x061A
            | 0x064B..=0x065F
            | 0x0900..=0x0903
            | 0x093A..=0x094F
            | 0x0E31..=0x0E3A
            | 0x0E47..=0x0E4E
            | 0x1AB0..=0x1AFF
            | 0x1DC0..=0x1DFF
            | 0x20D0..=0x20FF
            | 0x3099..=0x309A
            | 0xFE20..=0xFE2F
    )
}

/// Hands out the slugs of one page in order, numbering repeats as GitHub does.
#[derive(Debug, Default)]
pub(crate) struct Slugger {
    occurrences: HashMap<String, u32>,
}

impl Slugger {
    /// The anchor of the next heading with this text.
    pub(crate) fn next(&mut self, text: &str) -> String {
        let original = slug(text);
        let mut result = original.clone();
        while self.occurrences.contains_key(&result) {
            let n = self.occurrences.entry(original.clone()).or_insert(0);
            *n += 1;
            result = format!("{original}-{n}");
        }
        self.occurrences.insert(result.clone(), 0);
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_github_rules() {
        assert_eq!(slug("Hello World"), "hello-world");
        assert_eq!(slug("What's new in 2.0?"), "whats-new-in-20");
        assert_eq!(
            slug("snake_case and kebab-case"),
            "snake_case-and-kebab-case"
        );
        assert_eq!(slug("a  b"), "a--b");
        assert_eq!(slug("  trimmed  "), "trimmed");
        assert_eq!(slug("Café Übersicht"), "café-übersicht");
        assert_eq!(slug("日本語の見出し"), "日本語の見出し");
        assert_eq!(slug("🎉 Release party 🎉"), "-release-party-");
        assert_eq!(slug("C++ & Rust: a <comparison>"), "c--rust-a-comparison");
        assert_eq!(slug("`code` in heading"), "code-in-heading");
        assert_eq!(slug("e\u{301}te\u{301}"), "e\u{301}te\u{301}");
    }

    #[test]
    fn numbers_repeats_and_skips_taken_suffixes() {
        let mut s = Slugger::default();
        assert_eq!(s.next("Intro"), "intro");
        assert_eq!(s.next("Intro"), "intro-1");
        assert_eq!(s.next("Intro"), "intro-2");
        let mut s = Slugger::default();
        assert_eq!(s.next("a-1"), "a-1");
        assert_eq!(s.next("a"), "a");
        assert_eq!(s.next("a"), "a-2");
    }
}
