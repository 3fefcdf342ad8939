//! Per-function complexity, length and parameter count from real parsers.
//!
//! Each Rust, Python, JavaScript, TypeScript/TSX, Go, Java, C and C++ file is parsed once
//! with its tree-sitter grammar (the tree is shared with other checks through
//! [`crate::syntax`]; module `syntax` says which node kinds count); one iterative walk of the
//! tree (module `analyze`) measures every function:
//!
//! * **cyclomatic complexity** (McCabe): 1 + decision points, counted as lizard counts them
//!   so the numbers can be checked against it: `if`/`else if`, loops with a condition, each
//!   non-default `case` (each match arm after the first in Rust), `catch`/`except`, ternaries,
//!   each `&&`/`||` (`and`/`or`, `??`), Rust's `?` operator and `let … else`, Python's
//!   `finally` and comprehension `for`/`if`. Closures and lambdas count toward their function,
//!   except in JavaScript/TypeScript and Go, where function expressions, arrow functions and
//!   function literals are functions of their own (as lizard reports them).
//! * **cognitive complexity** (SonarSource's specification): +1 for each break in linear flow
//!   (`if`, `else if`, `else`, loops, `switch`/`match`, `catch`, ternaries, labelled jumps,
//!   `goto`, each run of like logical operators) plus the nesting level for the structures
//!   that nest; closures raise the nesting of what they contain.
//! * **length** in lines, from the name's line to the closing line, and **parameters**.
//!
//! A function over a configured limit is a finding located at its name. Parse errors do not
//! stop the walk (tree-sitter recovers); files whose tree has errors are counted in
//! `quality.parse_errors`. Generated files (a `@generated`, `DO NOT EDIT`, "Code generated"…
//! marker in their first five lines) and files over 1 MiB are not parsed: they are not
//! maintained by hand, and parsing them would dominate the run; they are counted in
//! `quality.generated_files`. Unchanged files are measured from the previous run's cache
//! (module `cache`) instead of parsed. Aggregates are kept in a mutex and reported once after
//! the walk, with the ten functions of highest cognitive (then cyclomatic) complexity as the
//! pipeline's hotspots, which `summary.md` lists.

mod analyze;
mod cache;
mod syntax;

use std::cmp::Reverse;
use std::sync::{Mutex, PoisonError};

use anyhow::Result;
use serde_json::json;

use crate::config::schema::ComplexityConfig;
use crate::model::{Hotspot, Location, Metric, Pipeline, Region, Severity};
use crate::pipelines::{Built, Check, CheckContext, CheckSpec, RuleMeta, Sink};
use crate::walk::{FileIndex, SourceFile};

use analyze::FunctionMetrics;
use syntax::{Lang, RoleTable};

const DOCS: &str = include_str!("complexity.md");

/// Rules of this check.
pub static RULES: &[RuleMeta] = &[
    RuleMeta {
        id: "complex-function",
        name: "Complex function",
        pipeline: Pipeline::Quality,
        default_severity: Severity::Medium,
        summary: "A function's cyclomatic complexity is over the limit.",
        docs: DOCS,
    },
    RuleMeta {
        id: "cognitive-complexity",
        name: "Hard-to-read function",
        pipeline: Pipeline::Quality,
        default_severity: Severity::Medium,
        summary: "A function's cognitive complexity is over the limit.",
        docs: DOCS,
    },
    RuleMeta {
        id: "long-function",
        name: "Long function",
        pipeline: Pipeline::Quality,
        default_severity: Severity::Low,
        summary: "A function is longer than the limit.",
        docs: DOCS,
    },
    RuleMeta {
        id: "too-many-parameters",
        name: "Too many parameters",
        pipeline: Pipeline::Quality,
        default_severity: Severity::Low,
        summary: "A function takes more parameters than the limit.",
        docs: DOCS,
    },
];

/// Registry entry.
pub const SPEC: CheckSpec = CheckSpec {
    id: "complexity",
    pipeline: Pipeline::Quality,
    rules: RULES,
    docs: DOCS,
    build,
};

fn build(ctx: &CheckContext<'_>) -> Result<Built> {
    let tables = Lang::ALL
        .iter()
        .map(|&lang| RoleTable::new(lang, &lang.language()))
        .collect();
    Ok(Built::Ready(Box::new(ComplexityCheck {
        limits: ctx.config.quality.complexity,
        tables,
        totals: Mutex::new(Totals::default()),
        cache: ctx.cache_dir.map(cache::Cache::load),
    })))
}

/// Measures functions.
struct ComplexityCheck {
    limits: ComplexityConfig,
    /// Role tables in the order of [`Lang::ALL`].
    tables: Vec<RoleTable>,
    totals: Mutex<Totals>,
    /// Measurements of unchanged files from the previous run (see [`cache`]).
    cache: Option<cache::Cache>,
}

/// Aggregates over every function of the run.
#[derive(Debug, Default)]
struct Totals {
    functions: u64,
    cyclomatic_sum: u64,
    cognitive_sum: u64,
    cyclomatic_max: u32,
    cognitive_max: u32,
    parse_errors: u64,
    skipped: u64,
    /// The most complex functions so far, most complex first, at most [`HOTSPOTS`].
    hotspots: Vec<Hotspot>,
}

/// Functions listed as hotspots in the report.
const HOTSPOTS: usize = 10;

/// Order of hotspots: most cognitive, then most cyclomatic complexity first; ties by place and
/// name, so the list does not depend on which thread measured what first.
fn hotspot_rank<'a>(
    cognitive: u32,
    cyclomatic: u32,
    path: &'a str,
    line: u32,
    name: &'a str,
) -> (Reverse<u32>, Reverse<u32>, &'a str, u32, &'a str) {
    (Reverse(cognitive), Reverse(cyclomatic), path, line, name)
}

/// [`hotspot_rank`] of a kept hotspot.
fn hotspot_key(h: &Hotspot) -> (Reverse<u32>, Reverse<u32>, &str, u32, &str) {
    hotspot_rank(h.cognitive, h.cyclomatic, &h.path, h.line, &h.function)
}

impl Totals {
    /// Keep `f` if it is among the [`HOTSPOTS`] most complex functions seen so far.
    fn offer_hotspot(&mut self, path: &str, lang: Lang, f: &FunctionMetrics) {
        let rank = hotspot_rank(f.cognitive, f.cyclomatic, path, f.line, &f.name);
        if self.hotspots.len() >= HOTSPOTS
            && self
                .hotspots
                .last()
                .is_some_and(|last| rank >= hotspot_key(last))
        {
            return;
        }
        let at = self.hotspots.partition_point(|h| hotspot_key(h) < rank);
        self.hotspots.insert(
            at,
            Hotspot {
                path: path.to_owned(),
                line: f.line,
                function: f.name.clone(),
                language: lang.name().to_owned(),
                cyclomatic: f.cyclomatic,
                cognitive: f.cognitive,
                length: f.length,
                parameters: f.parameters,
            },
        );
        self.hotspots.truncate(HOTSPOTS);
    }
}

/// Files larger than this are not parsed: they are generated (bindings, parser tables,
/// amalgamations), and parsing them would cost more than the rest of a run.
const MAX_PARSED_BYTES: usize = 1024 * 1024;

/// Markers that tools write near the top of the files they generate.
const GENERATED_MARKERS: &[&[u8]] = &[
    b"@generated",
    b"do not edit",
    b"code generated",
    b"automatically generated",
    b"auto-generated",
    b"autogenerated",
];

/// Whether the first five lines of a file say it is generated.
fn is_generated(bytes: &[u8]) -> bool {
    let head_end = memchr::memchr_iter(b'\n', bytes)
        .nth(4)
        .unwrap_or(bytes.len());
    let head = bytes[..head_end].to_ascii_lowercase();
    GENERATED_MARKERS
        .iter()
        .any(|m| memchr::memmem::find(&head, m).is_some())
}

/// Whether the check parses a file.
enum Parsed {
    /// Not a language the check knows.
    Not,
    /// Known, but generated or too large: counted, not parsed.
    Skipped,
    /// Parsed with this grammar.
    As(Lang),
}

/// What the check does with the file at `path` holding `bytes`.
fn parsed_language(path: &str, bytes: &[u8]) -> Parsed {
    match syntax::lang_of(path) {
        None => Parsed::Not,
        Some(_) if bytes.len() > MAX_PARSED_BYTES || is_generated(bytes) => Parsed::Skipped,
        Some(lang) => Parsed::As(lang),
    }
}

/// Parse `bytes` exactly as the check would, and measure nothing: `Some(has_error)` for a file
/// the check parses, `None` for one it does not. Only for `examples/parse_floor.rs`, which
/// times tree-sitter parsing alone as the floor under the check's cold time.
#[doc(hidden)]
pub fn parse_only(path: &str, bytes: &[u8]) -> Result<Option<bool>> {
    let Parsed::As(lang) = parsed_language(path, bytes) else {
        return Ok(None);
    };
    Ok(crate::syntax::parse(lang, bytes)?.map(|tree| tree.root_node().has_error()))
}

impl ComplexityCheck {
    fn findings(&self, path: &str, lang: Lang, f: &FunctionMetrics, sink: &mut Sink) {
        let limits = &self.limits;
        type Describe = fn(&str, u32, u32) -> String;
        let checks: [(&RuleMeta, u32, u32, Describe, &str); 4] = [
            (
                &RULES[0],
                f.cyclomatic,
                limits.cyclomatic_max,
                |n, v, l| format!("`{n}` has a cyclomatic complexity of {v} (limit {l})"),
                "Split the function, or replace branching with data (a table, a match on a type).",
            ),
            (
                &RULES[1],
                f.cognitive,
                limits.cognitive_max,
                |n, v, l| format!("`{n}` has a cognitive complexity of {v} (limit {l})"),
                "Extract nested blocks into named functions and return early instead of nesting.",
            ),
            (
                &RULES[2],
                f.length,
                limits.function_length_max,
                |n, v, l| format!("`{n}` is {v} lines long (limit {l})"),
                "Split the function into steps with names that say what each does.",
            ),
            (
                &RULES[3],
                f.parameters,
                limits.parameters_max,
                |n, v, l| format!("`{n}` takes {v} parameters (limit {l})"),
                "Group related parameters into a struct or options object.",
            ),
        ];
        for (rule, value, limit, describe, help) in checks {
            if value <= limit {
                continue;
            }
            let location = Location {
                path: path.to_owned(),
                region: Some(Region::span(f.line, f.column, f.end_column)),
            };
            let message = describe(&f.name, value, limit);
            let mut finding = rule.finding(message, Some(location), &f.name);
            finding.help = Some(help.to_owned());
            let properties = [
                ("function", json!(f.name)),
                ("language", json!(lang.name())),
                ("cyclomatic", json!(f.cyclomatic)),
                ("cognitive", json!(f.cognitive)),
                ("length", json!(f.length)),
                ("parameters", json!(f.parameters)),
                ("end_line", json!(f.end_line)),
                ("limit", json!(limit)),
            ];
            finding
                .properties
                .extend(properties.map(|(k, v)| (k.to_owned(), v)));
            sink.push(finding);
        }
    }
}

impl Check for ComplexityCheck {
    fn wants(&self, path: &str) -> bool {
        syntax::lang_of(path).is_some()
    }

    fn check_file(&self, file: &SourceFile<'_>, sink: &mut Sink) -> Result<()> {
        let lang = match parsed_language(file.path, file.bytes) {
            Parsed::Not => return Ok(()),
            Parsed::Skipped => {
                let mut totals = self.totals.lock().unwrap_or_else(PoisonError::into_inner);
                totals.skipped += 1;
                return Ok(());
            }
            Parsed::As(lang) => lang,
        };
        let (len, hash) = match &self.cache {
            Some(_) => (file.bytes.len() as u64, cache::content_hash(file.bytes)),
            None => (0, 0),
        };
        let cached = self
            .cache
            .as_ref()
            .and_then(|c| c.get(file.path, len, hash));
        let measured = match cached {
            Some(entry) => entry.clone(),
            None => {
                let table = &self.tables[lang.index()];
                let measure = |tree: Option<&tree_sitter::Tree>| {
                    tree.map(|tree| cache::Entry {
                        len,
                        hash,
                        has_error: tree.root_node().has_error(),
                        functions: analyze::analyze(tree, file.bytes, table).functions,
                    })
                };
                match file.with_syntax(lang, measure)? {
                    Some(entry) => entry,
                    None => return Ok(()),
                }
            }
        };
        for f in &measured.functions {
            self.findings(file.path, lang, f, sink);
        }
        let mut totals = self.totals.lock().unwrap_or_else(PoisonError::into_inner);
        if measured.has_error {
            totals.parse_errors += 1;
        }
        for f in &measured.functions {
            totals.functions += 1;
            totals.cyclomatic_sum += u64::from(f.cyclomatic);
            totals.cognitive_sum += u64::from(f.cognitive);
            totals.cyclomatic_max = totals.cyclomatic_max.max(f.cyclomatic);
            totals.cognitive_max = totals.cognitive_max.max(f.cognitive);
            totals.offer_hotspot(file.path, lang, f);
        }
        drop(totals);
        if let Some(c) = &self.cache {
            c.put(file.path, measured);
        }
        Ok(())
    }

    fn check_repo(
        &self,
        _ctx: &CheckContext<'_>,
        _index: &FileIndex,
        sink: &mut Sink,
    ) -> Result<()> {
        let t = self.totals.lock().unwrap_or_else(PoisonError::into_inner);
        let average = |sum: u64| {
            if t.functions == 0 {
                0.0
            } else {
                (sum as f64 * 100.0 / t.functions as f64).round() / 100.0
            }
        };
        let metrics = [
            ("quality.functions", t.functions as f64, "count"),
            ("quality.cyclomatic_avg", average(t.cyclomatic_sum), "count"),
            (
                "quality.cyclomatic_max",
                f64::from(t.cyclomatic_max),
                "count",
            ),
            ("quality.cognitive_avg", average(t.cognitive_sum), "count"),
            ("quality.cognitive_max", f64::from(t.cognitive_max), "count"),
            ("quality.parse_errors", t.parse_errors as f64, "files"),
            ("quality.generated_files", t.skipped as f64, "files"),
        ];
        for (name, value, unit) in metrics {
            sink.metric(Metric::new(name, value, unit));
        }
        for h in &t.hotspots {
            sink.hotspot(h.clone());
        }
        if let Some(c) = &self.cache
            && let Err(e) = c.save()
        {
            sink.note(format!("{e:#}"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
