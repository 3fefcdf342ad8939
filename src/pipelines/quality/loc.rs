//! Lines of code, comments and blanks by language, counted the way tokei counts them.
//!
//! The language of a file comes from its name, extension or `#!` line, using tokei's own
//! language table (module `languages`); its lines are classified in one pass over the bytes by a
//! table-driven state machine (module `count`) that follows tokei's rules: nested block comments
//! where the language has them, comment markers inside strings are code, a line mixing code and
//! a trailing comment is code, doc comments are comments, embedded languages (Rust doc
//! comments, Markdown fences, HTML `<script>`/`<style>`) are counted in the file's language.
//!
//! Per-file counts are summed in a mutex (one short lock per file) and reported after the walk
//! as metrics: `loc.<language>.code|comments|blanks|files`, the totals `loc.code`,
//! `loc.comments`, `loc.blanks`, `loc.files`, and `quality.comment_ratio`. This check has no
//! rules: it measures, and gates may read what it measures.

mod count;
mod languages;

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

use anyhow::Result;

use crate::model::{Metric, Pipeline};
use crate::pipelines::{Built, Check, CheckContext, CheckSpec, RuleMeta, Sink};
use crate::walk::{FileIndex, SourceFile};

use count::LineCounts;
use languages::{Detected, Table};

const DOCS: &str = include_str!("loc.md");

/// Rules of this check: none, it only measures.
pub static RULES: &[RuleMeta] = &[];

/// Registry entry.
pub const SPEC: CheckSpec = CheckSpec {
    id: "loc",
    pipeline: Pipeline::Quality,
    rules: RULES,
    docs: DOCS,
    build,
};

/// Name of the comment-ratio metric.
pub const COMMENT_RATIO: &str = "quality.comment_ratio";

fn build(_ctx: &CheckContext<'_>) -> Result<Built> {
    Ok(Built::Ready(Box::new(LocCheck {
        table: Table::load()?,
        totals: Mutex::new(BTreeMap::new()),
    })))
}

/// Counts lines by language.
struct LocCheck {
    table: Table,
    /// Sums by language index.
    totals: Mutex<BTreeMap<usize, LanguageTotals>>,
}

/// What was counted for one language.
#[derive(Debug, Default, Clone, Copy)]
struct LanguageTotals {
    lines: LineCounts,
    files: u64,
}

impl LocCheck {
    fn language_of(&self, file: &SourceFile<'_>) -> Option<usize> {
        match self.table.detect_path(file.path) {
            Detected::Language(idx) => Some(idx),
            Detected::ByShebang => self.table.detect_shebang(file.bytes),
            Detected::Unknown => None,
        }
    }
}

impl Check for LocCheck {
    fn wants(&self, path: &str) -> bool {
        self.table.detect_path(path) != Detected::Unknown
    }

    fn check_file(&self, file: &SourceFile<'_>, _sink: &mut Sink) -> Result<()> {
        let Some(lang) = self.language_of(file) else {
            return Ok(());
        };
        let lines = count::count(&self.table, lang, file.bytes);
        let mut totals = self.totals.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = totals.entry(lang).or_default();
        entry.lines += lines;
        entry.files += 1;
        Ok(())
    }

    fn check_repo(
        &self,
        _ctx: &CheckContext<'_>,
        _index: &FileIndex,
        sink: &mut Sink,
    ) -> Result<()> {
        let totals = self.totals.lock().unwrap_or_else(PoisonError::into_inner);
        let mut all = LanguageTotals::default();
        // Comment ratio over languages that can have comments and are not prose.
        let (mut ratio_code, mut ratio_comments) = (0u64, 0u64);
        for (&idx, t) in totals.iter() {
            let lang = self.table.get(idx);
            let prefix = format!("loc.{}", lang.slug);
            sink.metric(Metric::new(
                format!("{prefix}.code"),
                t.lines.code as f64,
                "lines",
            ));
            sink.metric(Metric::new(
                format!("{prefix}.comments"),
                t.lines.comments as f64,
                "lines",
            ));
            sink.metric(Metric::new(
                format!("{prefix}.blanks"),
                t.lines.blanks as f64,
                "lines",
            ));
            sink.metric(Metric::new(
                format!("{prefix}.files"),
                t.files as f64,
                "count",
            ));
            all.lines += t.lines;
            all.files += t.files;
            if lang.has_comments() && !lang.literate {
                ratio_code += t.lines.code;
                ratio_comments += t.lines.comments;
            }
        }
        sink.metric(Metric::new("loc.code", all.lines.code as f64, "lines"));
        sink.metric(Metric::new(
            "loc.comments",
            all.lines.comments as f64,
            "lines",
        ));
        sink.metric(Metric::new("loc.blanks", all.lines.blanks as f64, "lines"));
        sink.metric(Metric::new("loc.files", all.files as f64, "count"));
        if ratio_code + ratio_comments > 0 {
            let ratio = ratio_comments as f64 * 100.0 / (ratio_code + ratio_comments) as f64;
            sink.metric(Metric::new(
                COMMENT_RATIO,
                (ratio * 100.0).round() / 100.0,
                "%",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
