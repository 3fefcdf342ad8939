//! TODO / FIXME / XXX / HACK markers left in the code.
//!
//! One Aho-Corasick automaton over the configured tags scans each file's bytes once; a match
//! counts only as a whole upper-case word followed by `:`, `(`, `!`, a space or the end of the
//! line, so identifiers (`TODO_LIST`, `XXXL`), placeholders (`XXX-XX-XXXX`) and prose in lower
//! case are not markers. Every marker is a finding; the total is the `quality.todo_markers`
//! metric, which the optional `todo_markers_max` gate reads.

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
    })))
}

/// Finds marker comments.
struct MarkersCheck {
    matcher: AhoCorasick,
    tags: Vec<String>,
}

fn rule_for(tag: &str) -> &'static RuleMeta {
    match tag {
        "FIXME" | "XXX" => &RULES[1],
        "HACK" => &RULES[2],
        _ => &RULES[0],
    }
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
            let line_end =
                memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |e| start + e);
            let line_text = file.text[line_start..line_end].trim();
            let tag = &self.tags[m.pattern().as_usize()];
            let rest = file.text[end..line_end]
                .trim_start_matches([':', ' ', '\t'])
                .trim_end();
            let note: String = rest.chars().take(100).collect();
            let message = if note.is_empty() {
                format!("{tag} marker")
            } else {
                format!("{tag}: {note}")
            };
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
        if count > 0 {
            sink.metric(Metric::new(METRIC, count as f64, "count"));
        }
        Ok(())
    }

    fn check_repo(
        &self,
        _ctx: &CheckContext<'_>,
        _index: &crate::walk::FileIndex,
        sink: &mut Sink,
    ) -> Result<()> {
        // Report the metric even when no file had a marker, so a zero is a measurement.
        sink.metric(Metric::new(METRIC, 0.0, "count"));
        Ok(())
    }
}
