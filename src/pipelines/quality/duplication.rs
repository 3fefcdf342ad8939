//! Duplicated code: blocks repeated elsewhere in the repository, with names and literals
//! possibly changed, and the share of code lines that are copies.
//!
//! Each source file the walk reads is turned into normalized tokens by a fast per-language
//! lexer ([`tokenizer`], languages in [`languages`]): comments, whitespace and import
//! statements vanish, every identifier becomes one token kind, every literal another, so a
//! copy whose variables were renamed or whose constants changed still matches (a Type-2
//! clone). On the walk's threads each file also gets its winnowed Rabin-Karp fingerprints;
//! only the 2-byte tokens, one entry per code line and the kept fingerprints stay in memory.
//! After the walk, [`detector`] matches fingerprints across all files, verifies and extends
//! every match to its maximal length and joins copies of the same run into clone classes.
//! Generated and vendored files are left out ([`generated`]).
//!
//! Each class is one `duplicated-block` finding at its first copy (by path, then position),
//! with the other copies as related locations. The metrics are `quality.duplication` (the
//! percentage of code lines that belong to some copy, first copies included, over the code lines
//! of every scanned file), `quality.duplicated_lines` and `quality.duplicated_blocks` (every
//! copy of every class).

mod detector;
mod generated;
mod languages;
mod tokenizer;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use anyhow::{Context, Result};
use globset::{Glob, GlobSet, GlobSetBuilder};
use serde_json::json;

use crate::model::{Location, Metric, Pipeline, Region, Severity};
use crate::pipelines::{Built, Check, CheckContext, CheckSpec, RuleMeta, Sink};
use crate::walk::{FileIndex, SourceFile};

use detector::{CloneClass, FileTokens, Params, Span};
use tokenizer::Tokens;

const DOCS: &str = include_str!("duplication.md");

/// Rules of this check.
pub static RULES: &[RuleMeta] = &[RuleMeta {
    id: "duplicated-block",
    name: "Duplicated block",
    pipeline: Pipeline::Quality,
    default_severity: Severity::Info,
    summary: "A block of code is repeated elsewhere, possibly with names and literals changed.",
    docs: DOCS,
}];

/// Registry entry.
pub const SPEC: CheckSpec = CheckSpec {
    id: "duplication",
    pipeline: Pipeline::Quality,
    rules: RULES,
    docs: DOCS,
    build,
};

/// Percentage of code lines that belong to a clone.
pub const DUPLICATION: &str = "quality.duplication";
/// Code lines that belong to a clone.
pub const DUPLICATED_LINES: &str = "quality.duplicated_lines";
/// Copies of clones, first copies included.
pub const DUPLICATED_BLOCKS: &str = "quality.duplicated_blocks";

/// A clone whose first copy spans this many lines is of low severity.
const LOW_LINES: u32 = 50;
/// A clone whose first copy spans this many lines is of medium severity.
const MEDIUM_LINES: u32 = 200;
/// Most other copies listed in one finding; the count of all is in its properties.
const MAX_RELATED: usize = 100;
/// Most clone classes reported as findings: the largest are kept, the metrics count all.
///
/// Generated code without a marker (API bindings, tables) can hold hundreds of thousands of
/// clone classes; a finding each would cost gigabytes of memory and a report nobody reads.
const MAX_FINDINGS: usize = 10_000;

/// Indexes of the `limit` classes with the most duplicated tokens (token length times the
/// number of other copies), in their original order; ties keep the earlier class.
fn largest_classes(classes: &[CloneClass], limit: usize) -> Vec<usize> {
    let weight = |c: &CloneClass| {
        let len = c.spans.first().map_or(0, |s| u64::from(s.len));
        len * (c.spans.len() as u64).saturating_sub(1)
    };
    let mut order: Vec<usize> = (0..classes.len()).collect();
    if order.len() > limit {
        order.sort_by_key(|&i| (std::cmp::Reverse(weight(&classes[i])), i));
        order.truncate(limit);
        order.sort_unstable();
    }
    order
}

fn build(ctx: &CheckContext<'_>) -> Result<Built> {
    let config = &ctx.config.quality.duplication;
    Ok(Built::Ready(Box::new(DuplicationCheck {
        params: Params {
            min_tokens: config.min_tokens,
            min_lines: config.min_lines,
        },
        exclude: exclude_globs(&config.exclude)?,
        markers: generated::Markers::new()?,
        files: Mutex::new(Vec::new()),
        generated: AtomicU64::new(0),
    })))
}

/// Globs of `quality.duplication.exclude`; a glob without `/` matches the name anywhere.
fn exclude_globs(patterns: &[String]) -> Result<GlobSet> {
    let mut builder = GlobSetBuilder::new();
    for p in patterns {
        let pattern = if p.contains('/') {
            p.trim_start_matches('/').to_owned()
        } else {
            format!("**/{p}")
        };
        builder.add(
            Glob::new(&pattern)
                .with_context(|| format!("quality.duplication.exclude: invalid glob `{p}`"))?,
        );
    }
    builder
        .build()
        .context("quality.duplication.exclude: building the globs")
}

/// Finds duplicated blocks.
struct DuplicationCheck {
    params: Params,
    exclude: GlobSet,
    markers: generated::Markers,
    /// Tokens of every scanned file, in walk order.
    files: Mutex<Vec<FileTokens>>,
    /// Files left out because their head says they were generated.
    generated: AtomicU64,
}

/// Hash of a language family's name: fingerprints of different families never meet.
fn family_seed(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

impl Check for DuplicationCheck {
    fn wants(&self, path: &str) -> bool {
        languages::syntax_for(path).is_some()
            && !generated::is_generated_path(path)
            && !self.exclude.is_match(path)
    }

    fn check_file(&self, file: &SourceFile<'_>, _sink: &mut Sink) -> Result<()> {
        let Some(syntax) = languages::syntax_for(file.path) else {
            return Ok(());
        };
        if self.markers.is_generated(file.bytes) {
            self.generated.fetch_add(1, Ordering::Relaxed);
            return Ok(());
        }
        let mut tokens = tokenizer::tokenize(syntax, file.bytes);
        let fingerprints =
            detector::fingerprints(&tokens.kinds, family_seed(syntax.name), &self.params);
        tokens.kinds.shrink_to_fit();
        tokens.lines.shrink_to_fit();
        let entry = FileTokens {
            path: file.path.to_owned(),
            tokens,
            fingerprints,
        };
        self.files
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(entry);
        Ok(())
    }

    fn check_repo(
        &self,
        _ctx: &CheckContext<'_>,
        index: &FileIndex,
        sink: &mut Sink,
    ) -> Result<()> {
        let mut files =
            std::mem::take(&mut *self.files.lock().unwrap_or_else(PoisonError::into_inner));
        let left_out = self.generated.load(Ordering::Relaxed)
            + index
                .files
                .iter()
                .filter(|f| {
                    languages::syntax_for(&f.path).is_some()
                        && generated::is_generated_path(&f.path)
                })
                .count() as u64;
        if left_out > 0 {
            sink.note(format!("{left_out} generated or vendored files left out"));
        }
        if files.is_empty() {
            sink.skip("no source file in a language the duplication check reads");
            return Ok(());
        }
        // Walk order varies from run to run; the first copy of a clone must not.
        files.sort_unstable_by(|a, b| a.path.cmp(&b.path));
        let classes = detector::detect(&mut files, &self.params);
        let listed = largest_classes(&classes, MAX_FINDINGS);
        if listed.len() < classes.len() {
            sink.note(format!(
                "{} smaller clone classes not listed as findings (the {MAX_FINDINGS} largest are); \
                 the duplication metrics count them all",
                classes.len() - listed.len()
            ));
        }
        for &i in &listed {
            sink.push(self.finding(&classes[i], &files));
        }
        let total: u64 = files.iter().map(|f| u64::from(f.tokens.code_lines)).sum();
        let duplicated = duplicated_lines(&classes, &files);
        let blocks: usize = classes.iter().map(|c| c.spans.len()).sum();
        let percent = if total == 0 {
            0.0
        } else {
            (duplicated as f64 * 100.0 / total as f64 * 100.0).round() / 100.0
        };
        sink.metric(Metric::new(DUPLICATION, percent, "%"));
        sink.metric(Metric::new(DUPLICATED_LINES, duplicated as f64, "lines"));
        sink.metric(Metric::new(DUPLICATED_BLOCKS, blocks as f64, "count"));
        Ok(())
    }
}

/// First and last line of a span.
fn line_range(tokens: &Tokens, span: &Span) -> (u32, u32) {
    let range = span.range();
    (
        tokens.line_of(range.start),
        tokens.line_of(range.end.saturating_sub(1)),
    )
}

impl DuplicationCheck {
    fn finding(&self, class: &CloneClass, files: &[FileTokens]) -> crate::model::Finding {
        let location = |span: &Span| {
            let file = &files[span.file as usize];
            let (start, end) = line_range(&file.tokens, span);
            let region = Region {
                start_line: start,
                start_column: None,
                end_line: Some(end),
                end_column: None,
            };
            (
                Location {
                    path: file.path.clone(),
                    region: Some(region),
                },
                end - start + 1,
            )
        };
        let first = &class.spans[0];
        let (here, lines) = location(first);
        let related: Vec<Location> = class.spans[1..]
            .iter()
            .take(MAX_RELATED)
            .map(|s| location(s).0)
            .collect();
        let place = |l: &Location| {
            let r = l.region.as_ref();
            format!(
                "{}:{}-{}",
                l.path,
                r.map_or(1, |r| r.start_line),
                r.and_then(|r| r.end_line).unwrap_or(1)
            )
        };
        let others = class.spans.len() - 1;
        let mut message = format!(
            "{lines} lines ({} tokens) duplicated in {}",
            first.len,
            related.first().map(place).unwrap_or_default()
        );
        if others > 1 {
            message.push_str(&format!(
                " and {} more place{}",
                others - 1,
                plural(others - 1)
            ));
        }
        let kinds = &files[first.file as usize].tokens.kinds[first.range()];
        let identity = format!("{:016x}", sequence_hash(kinds));
        let mut finding = RULES[0].finding(message, Some(here), &identity);
        finding.severity = if lines >= MEDIUM_LINES {
            Severity::Medium
        } else if lines >= LOW_LINES {
            Severity::Low
        } else {
            RULES[0].default_severity
        };
        finding.related = related;
        finding.help = Some(
            "Move the shared code into one function, type or module and call it from each place."
                .to_owned(),
        );
        finding.properties.insert("tokens".into(), json!(first.len));
        finding.properties.insert("lines".into(), json!(lines));
        finding
            .properties
            .insert("copies".into(), json!(class.spans.len()));
        finding
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// FNV-1a over a token run: the content identity of a clone, the same wherever it moves.
fn sequence_hash(kinds: &[u16]) -> u64 {
    kinds.iter().fold(0xcbf2_9ce4_8422_2325, |h, &k| {
        k.to_le_bytes().iter().fold(h, |h, &b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        })
    })
}

/// Code lines covered by at least one copy of some clone, each line counted once.
fn duplicated_lines(classes: &[CloneClass], files: &[FileTokens]) -> u64 {
    let mut by_file: Vec<Vec<(usize, usize)>> = vec![Vec::new(); files.len()];
    for span in classes.iter().flat_map(|c| c.spans.iter()) {
        let tokens = &files[span.file as usize].tokens;
        let entry = |index: usize| {
            tokens
                .lines
                .partition_point(|l| l.first as usize <= index)
                .saturating_sub(1)
        };
        let range = span.range();
        by_file[span.file as usize].push((entry(range.start), entry(range.end - 1)));
    }
    let mut total = 0u64;
    for mut entries in by_file {
        entries.sort_unstable();
        let mut covered_to: Option<usize> = None;
        for (lo, hi) in entries {
            let from = match covered_to {
                Some(c) if c >= hi => continue,
                Some(c) if c >= lo => c + 1,
                _ => lo,
            };
            total += (hi - from + 1) as u64;
            covered_to = Some(hi);
        }
    }
    total
}

#[cfg(test)]
mod tests;
