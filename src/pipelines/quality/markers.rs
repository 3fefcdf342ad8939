//! TODO / FIXME / XXX / HACK markers left in the code.
//!
//! One Aho-Corasick automaton over the configured tags scans each file's bytes once; a match
//! counts only as a whole upper-case word followed by `:`, `(`, `!`, a space or the end of the
//! line, so identifiers (`TODO_LIST`, `XXXL`), placeholders (`XXX-XX-XXXX`) and prose in lower
//! case are not markers. Unless a `:` or `(` follows, the tag must also open its comment or
//! line (or follow another marker), so prose that names a tag (`the HACK markers`) is not one. Every marker is a finding; the total is the `quality.todo_markers`
//! metric, which the optional `todo_markers_max` gate reads.

use std::sync::atomic::{AtomicU64, Ordering};

use aho_corasick::{AhoCorasick, MatchKind};
use anyhow::{Context, Result};

use crate::model::{Location, Metric, Pipeline, Region, Severity};
use crate::pipelines::{Built, Check, CheckContext, CheckSpec, RuleMeta, Sink};
use crate::walk::SourceFile;

const DOCS: &str = include_str!("markers.md");

/// Rules of this check.
pub static RULES: &[RuleMeta] = &[
    RuleMeta {
        id: "todo-marker",
        name: "TODO marker",
        pipeline: Pipeline::Quality,
        default_severity: Severity::Info,
        summary: "A TODO comment marks unfinished work.",
        docs: DOCS,
    },
    RuleMeta {
        id: "fixme-marker",
        name: "FIXME or XXX marker",
        pipeline: Pipeline::Quality,
        default_severity: Severity::Low,
        summary: "A FIXME or XXX comment marks known-broken code.",
        docs: DOCS,
    },
    RuleMeta {
        id: "hack-marker",
        name: "HACK marker",
        pipeline: Pipeline::Quality,
        default_severity: Severity::Low,
        summary: "A HACK comment marks a workaround that should not stay.",
        docs: DOCS,
    },
];

/// Registry entry.
pub const SPEC: CheckSpec = CheckSpec {
    id: "markers",
    pipeline: Pipeline::Quality,
    rules: RULES,
    docs: DOCS,
    build,
};

/// Name of the metric counting all markers.
pub const METRIC: &str = "quality.todo_markers";

fn build(ctx: &CheckContext<'_>) -> Result<Built> {
    let tags = &ctx.config.quality.markers.tags;
    let matcher = AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostLongest)
        .build(tags)
        .context("building the marker matcher")?;
    Ok(Built::Ready(Box::new(MarkersCheck {
        matcher,
        tags: tags.clone(),
        count: AtomicU64::new(0),
    })))
}

/// Finds marker comments.
struct MarkersCheck {
    matcher: AhoCorasick,
    tags: Vec<String>,
    /// Markers found so far, over every file.
    count: AtomicU64,
}

fn rule_for(tag: &str) -> &'static RuleMeta {
    match tag {
        "FIXME" | "XXX" => &RULES[1],
        "HACK" => &RULES[2],
        _ => &RULES[0],
    }
}

/// Longest note kept from the marker's line, in characters.
const MAX_NOTE_CHARS: usize = 100;

/// Message of a marker from its tag and the rest of its line.
///
/// The tag keeps what is attached to it (`FIXME(bob): …`, `HACK! …`); a separator of spaces or
/// a colon becomes `: `; a trailing comment closer (`*/`, `-->`) is dropped; tabs become spaces.
fn marker_message(tag: &str, rest: &str) -> String {
    let rest = rest.trim_end();
    let rest = rest
        .strip_suffix("*/")
        .or_else(|| rest.strip_suffix("-->"))
        .unwrap_or(rest)
        .trim_end();
    let note = rest.trim_start_matches([':', ' ', '\t']);
    let note: String = note
        .chars()
        .take(MAX_NOTE_CHARS)
        .map(|c| if c == '\t' { ' ' } else { c })
        .collect();
    if note.is_empty() {
        format!("{tag} marker")
    } else if rest.starts_with([':', ' ', '\t']) {
        format!("{tag}: {note}")
    } else {
        format!("{tag}{note}")
    }
}

/// Marks a marker may also follow on its line, beyond the comment openers of
/// [`crate::walk::opens_comment`]: list items (`- TODO`), quotes and docstrings, `REM`.
const MARKER_OPENERS: &[&[u8]] = &[b"-", b"!", b"'", b"\"", b">", b"REM", b"rem"];

/// Whether `p` (already trimmed) is empty or ends with a comment opener or a marker opener.
fn ends_with_opener(p: &[u8]) -> bool {
    crate::walk::opens_comment(p) || MARKER_OPENERS.iter().any(|o| p.ends_with(o))
}

/// Whether the text before a marker on its line is empty, ends with a comment opener, or ends
/// with an upper-case word that does (`// TODO FIXME`: two markers).
fn opens_comment(prefix: &[u8]) -> bool {
    let p = prefix.trim_ascii_end();
    if ends_with_opener(p) {
        return true;
    }
    let word = p
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_uppercase())
        .count();
    let before = &p[..p.len() - word];
    word >= 2
        && !before.last().copied().is_some_and(is_word_byte)
        && ends_with_opener(before.trim_ascii_end())
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

impl Check for MarkersCheck {
    fn wants(&self, _path: &str) -> bool {
        true
    }

    fn check_file(&self, file: &SourceFile<'_>, sink: &mut Sink) -> Result<()> {
        let bytes = file.text.as_bytes();
        let mut count = 0u64;
        let mut line = 1u32;
        let mut line_start = 0usize;
        let mut scanned = 0usize;
        for m in self.matcher.find_iter(bytes) {
            let (start, end) = (m.start(), m.end());
            if start > 0 && (is_word_byte(bytes[start - 1]) || bytes[start - 1] == b'-') {
                continue;
            }
            let next = bytes.get(end).copied();
            if !matches!(
                next,
                None | Some(b':' | b'(' | b'!' | b' ' | b'\t' | b'\r' | b'\n')
            ) {
                continue;
            }
            // Advance the line counter incrementally: each byte is visited once per file.
            for pos in memchr::memchr_iter(b'\n', &bytes[scanned..start]) {
                line += 1;
                line_start = scanned + pos + 1;
            }
            scanned = start;
            // A tag followed by `:` or `(` is a marker anywhere; otherwise it must open its
            // comment (or line), or follow another marker: `the HACK markers` in prose is not.
            if !matches!(next, Some(b':' | b'(')) && !opens_comment(&bytes[line_start..start]) {
                continue;
            }
            let line_end =
                memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |e| start + e);
            let line_text = file.text[line_start..line_end].trim();
            let tag = &self.tags[m.pattern().as_usize()];
            let message = marker_message(tag, &file.text[end..line_end]);
            let col = u32::try_from(file.text[line_start..start].chars().count() + 1).unwrap_or(1);
            let width = u32::try_from(tag.chars().count()).unwrap_or(1);
            let loc = Location {
                path: file.path.to_owned(),
                region: Some(Region::span(line, col, col + width)),
            };
            let mut finding = rule_for(tag).finding(message, Some(loc), line_text);
            finding.help =
                Some("Do the work, or track it in an issue and remove the marker.".into());
            sink.push(finding);
            count += 1;
        }
        self.count.fetch_add(count, Ordering::Relaxed);
        Ok(())
    }

    fn check_repo(
        &self,
        _ctx: &CheckContext<'_>,
        _index: &crate::walk::FileIndex,
        sink: &mut Sink,
    ) -> Result<()> {
        // Reported even when no file had a marker, so a zero is a measurement.
        let count = self.count.load(Ordering::Relaxed);
        sink.metric(Metric::new(METRIC, count as f64, "count"));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::model::Finding;
    use crate::pipelines::testing::{fixture, render, run_check, run_check_with_metrics};

    /// `(path, line, column)` of each finding.
    fn places(findings: &[Finding]) -> Vec<(String, u32, u32)> {
        findings
            .iter()
            .map(|f| {
                let loc = f.location.as_ref().expect("markers have a location");
                let region = loc.region.as_ref().expect("markers have a region");
                (
                    loc.path.clone(),
                    region.start_line,
                    region.start_column.expect("markers have a column"),
                )
            })
            .collect()
    }

    fn config_with_tags(tags: &[&str]) -> Config {
        let mut config = Config::default();
        config.quality.markers.tags = tags.iter().map(|t| (*t).to_owned()).collect();
        config
    }

    #[test]
    fn fires() {
        // The planted bytes must survive git (see the fixture's .gitattributes).
        let bytes =
            |name: &str| std::fs::read(fixture("quality/markers/fires").join(name)).expect("read");
        assert!(bytes("crlf.js").windows(2).any(|w| w == b"\r\n"));
        assert!(std::str::from_utf8(&bytes("latin1.c")).is_err());
        assert!(!bytes("eof.sh").ends_with(b"\n"));
        let findings = run_check(&SPEC, &fixture("quality/markers/fires"), &Config::default());
        insta::assert_snapshot!(render(&findings));
        assert_eq!(findings.len(), 17, "{}", render(&findings));
        for rule in ["todo-marker", "fixme-marker", "hack-marker"] {
            assert!(findings.iter().any(|f| f.rule_id == rule), "{rule} missing");
        }
        let places = places(&findings);
        let at = |path: &str| -> Vec<(u32, u32)> {
            places
                .iter()
                .filter(|(p, _, _)| p == path)
                .map(|(_, l, c)| (*l, *c))
                .collect()
        };
        // The first byte of a file is line 1, column 1.
        assert_eq!(at("notes.txt"), [(1, 1)]);
        // A marker on the last line without a trailing newline.
        assert_eq!(at("eof.sh"), [(2, 3)]);
        // CRLF: `\r` is neither a column nor part of the message.
        assert_eq!(at("crlf.js"), [(2, 4), (3, 4)]);
        // Columns count characters: `naïve — ` is 8 characters but 11 bytes.
        assert_eq!(at("unicode.md"), [(3, 9)]);
        // Each invalid UTF-8 byte is one (replacement) character.
        assert_eq!(at("latin1.c"), [(1, 18)]);
        // A tab is one column.
        assert_eq!(at("script.py"), [(2, 3), (4, 4)]);
        assert_eq!(at("src/main.rs"), [(1, 4), (3, 8), (4, 19)]);
        // Two markers on one line, sorted by rule.
        assert_eq!(at("lib.go"), [(3, 9), (3, 4)]);
        let crlf: Vec<_> = findings
            .iter()
            .filter(|f| f.location.as_ref().is_some_and(|l| l.path == "crlf.js"))
            .map(|f| f.message.as_str())
            .collect();
        assert_eq!(crlf, ["TODO: crlf line", "FIXME marker"]);
        for f in &findings {
            let region = f.location.as_ref().and_then(|l| l.region.as_ref());
            let (start, end) = region
                .and_then(|r| Some((r.start_column?, r.end_column?)))
                .expect("a span");
            let tag = f.message.split([':', ' ', '(', '!']).next().unwrap_or("");
            assert_eq!(
                end - start,
                u32::try_from(tag.len()).expect("short"),
                "{f:?}"
            );
        }
    }

    #[test]
    fn decoys() {
        let findings = run_check(
            &SPEC,
            &fixture("quality/markers/decoys"),
            &Config::default(),
        );
        insta::assert_snapshot!(render(&findings));
        assert_eq!(findings.len(), 0, "{}", render(&findings));
    }

    #[test]
    fn metric_counts_every_marker() {
        let fires =
            run_check_with_metrics(&SPEC, &fixture("quality/markers/fires"), &Config::default());
        assert_eq!(fires.metric(METRIC), Some(fires.findings.len() as f64));
        assert_eq!(fires.metric(METRIC), Some(17.0));
        // Zero is reported as a measurement, not left out.
        let decoys = run_check_with_metrics(
            &SPEC,
            &fixture("quality/markers/decoys"),
            &Config::default(),
        );
        assert_eq!(decoys.metric(METRIC), Some(0.0));
    }

    #[test]
    fn custom_tags_replace_the_defaults() {
        let only_fixme = run_check(
            &SPEC,
            &fixture("quality/markers/fires"),
            &config_with_tags(&["FIXME"]),
        );
        assert_eq!(only_fixme.len(), 4, "{}", render(&only_fixme));
        assert!(only_fixme.iter().all(|f| f.rule_id == "fixme-marker"));

        let tmp = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            tmp.path().join("a.rs"),
            "// NOTE: custom tag\n// TODO: not configured\n// NOTES plural\n// BUG(#7) crash\n",
        )
        .expect("write");
        let outcome =
            run_check_with_metrics(&SPEC, tmp.path(), &config_with_tags(&["NOTE", "BUG"]));
        insta::assert_snapshot!(render(&outcome.findings), @r"
        a.rs:1:4 todo-marker info NOTE: custom tag
        a.rs:4:4 todo-marker info BUG(#7) crash
        ");
        assert_eq!(outcome.findings.len(), 2);
        assert_eq!(outcome.metric(METRIC), Some(2.0));
    }

    #[test]
    fn messages_keep_attached_text_and_drop_comment_closers() {
        assert_eq!(marker_message("TODO", ": x"), "TODO: x");
        assert_eq!(marker_message("TODO", " x"), "TODO: x");
        assert_eq!(marker_message("TODO", "\tx\ty"), "TODO: x y");
        assert_eq!(
            marker_message("FIXME", "(bob): leaks */"),
            "FIXME(bob): leaks"
        );
        assert_eq!(marker_message("HACK", "! sleep -->"), "HACK! sleep");
        assert_eq!(marker_message("TODO", ": */"), "TODO marker");
        assert_eq!(marker_message("TODO", ""), "TODO marker");
        assert_eq!(marker_message("TODO", "\r"), "TODO marker");
        let long = format!(": {}", "y".repeat(300));
        assert_eq!(
            marker_message("TODO", &long).len(),
            "TODO: ".len() + MAX_NOTE_CHARS
        );
    }
}
