//! Public API documentation coverage for Rust, Python and JavaScript/TypeScript.
//!
//! Each source file's tree-sitter syntax tree (shared with the complexity check: a file is
//! parsed once per run, see [`crate::syntax`]) gives its public items, each listed with
//! whether it is documented — the rules per language are in `rust`, `python` and `js`.
//! The metric `documentation.api_coverage` is documented ÷ public items, in %, with the counts
//! beside it and one coverage per language.
//!
//! **Findings are capped.** A legacy code base can have thousands of undocumented items; one
//! finding each would drown everything else in the report. The first
//! `documentation.api_docs.max_findings` (default 50) undocumented items, in path and line
//! order, are findings (`undocumented-public-item`, severity `low`); a note says how many
//! more there are, and the metric always counts all of them. Tests, benches, examples,
//! fixtures and type declaration files are left out by default
//! (`documentation.api_docs.exclude`).

mod js;
mod python;
mod rust;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Mutex;

use anyhow::Result;

use super::count;
use crate::model::{Location, Metric, Pipeline, Severity};
use crate::pipelines::{Built, Check, CheckContext, CheckSpec, RuleMeta, Sink};
use crate::syntax::Grammar;
use crate::walk::{FileIndex, SourceFile};

const DOCS: &str = include_str!("api_docs.md");

/// Rules of this check.
pub static RULES: &[RuleMeta] = &[RuleMeta {
    id: "undocumented-public-item",
    name: "Undocumented public item",
    pipeline: Pipeline::Documentation,
    default_severity: Severity::Low,
    summary: "A public function, type, module or constant has no documentation comment.",
    docs: DOCS,
}];

/// Registry entry.
pub const SPEC: CheckSpec = CheckSpec {
    id: "api_docs",
    pipeline: Pipeline::Documentation,
    rules: RULES,
    docs: DOCS,
    build,
};

/// Metric: documented public items, in % of all public items.
pub const API_COVERAGE: &str = "documentation.api_coverage";
/// Metric: public items.
pub const API_ITEMS: &str = "documentation.api_items";
/// Metric: documented public items.
pub const API_DOCUMENTED: &str = "documentation.api_documented";

/// A public item of a source file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Item {
    /// Name (`Class.method` for Python methods).
    pub(crate) name: String,
    /// `fn`, `struct`, `class`, `method`, `interface`, …
    pub(crate) kind: &'static str,
    /// 1-based line of the item.
    pub(crate) line: u32,
    /// Whether it has documentation.
    pub(crate) documented: bool,
    /// A Rust `mod x;` whose docs may be the `//!` of its own file.
    pub(crate) module_file: bool,
}

/// The grammar of a path whose public API this check reads: Rust, Python, JavaScript,
/// TypeScript or TSX.
fn grammar_of(path: &str) -> Option<Grammar> {
    Grammar::from_path(path).filter(|g| {
        matches!(
            g,
            Grammar::Rust
                | Grammar::Python
                | Grammar::JavaScript
                | Grammar::TypeScript
                | Grammar::Tsx
        )
    })
}

/// Name of a language in metrics: TSX counts as TypeScript.
fn family(grammar: Grammar) -> &'static str {
    match grammar {
        Grammar::Tsx => "typescript",
        other => other.name(),
    }
}

fn build(ctx: &CheckContext<'_>) -> Result<Built> {
    let cfg = &ctx.config.documentation.api_docs;
    Ok(Built::Ready(Box::new(ApiDocsCheck {
        max_findings: cfg.max_findings,
        exclude: super::glob_matcher(ctx.root, &cfg.exclude)?,
        files: Mutex::new(BTreeMap::new()),
    })))
}

/// What one source file holds.
#[derive(Debug)]
struct FileItems {
    grammar: Grammar,
    items: Vec<Item>,
    /// Rust: the file starts with `//!`.
    has_inner_doc: bool,
}

/// Measures public API documentation.
struct ApiDocsCheck {
    max_findings: usize,
    exclude: ignore::gitignore::Gitignore,
    files: Mutex<BTreeMap<String, FileItems>>,
}

/// The files that can hold the module `name` declared in the Rust file `path`.
fn module_files(path: &str, name: &str) -> [String; 2] {
    let (dir, file) = path.rsplit_once('/').unwrap_or(("", path));
    let stem = file.trim_end_matches(".rs");
    let base = if matches!(file, "lib.rs" | "main.rs" | "mod.rs") {
        dir.to_owned()
    } else if dir.is_empty() {
        stem.to_owned()
    } else {
        format!("{dir}/{stem}")
    };
    let prefix = if base.is_empty() {
        String::new()
    } else {
        format!("{base}/")
    };
    [
        format!("{prefix}{name}.rs"),
        format!("{prefix}{name}/mod.rs"),
    ]
}

impl Check for ApiDocsCheck {
    fn wants(&self, path: &str) -> bool {
        grammar_of(path).is_some()
            && !self
                .exclude
                .matched_path_or_any_parents(Path::new(path), false)
                .is_ignore()
    }

    fn check_file(&self, file: &SourceFile<'_>, _sink: &mut Sink) -> Result<()> {
        let Some(grammar) = grammar_of(file.path) else {
            return Ok(());
        };
        let read = |tree: Option<&tree_sitter::Tree>| {
            let root = tree?.root_node();
            Some(match grammar {
                Grammar::Rust => rust::items(root, file.bytes),
                Grammar::Python => (python::items(root, file.bytes), false),
                _ => (js::items(root, file.bytes), false),
            })
        };
        let Some((items, has_inner_doc)) = file.with_syntax(grammar, read)? else {
            return Ok(());
        };
        self.files
            .lock()
            .map_err(|_| anyhow::anyhow!("api_docs state poisoned"))?
            .insert(
                file.path.to_owned(),
                FileItems {
                    grammar,
                    items,
                    has_inner_doc,
                },
            );
        Ok(())
    }

    fn check_repo(
        &self,
        _ctx: &CheckContext<'_>,
        _index: &FileIndex,
        sink: &mut Sink,
    ) -> Result<()> {
        let files = self
            .files
            .lock()
            .map_err(|_| anyhow::anyhow!("api_docs state poisoned"))?;
        if files.is_empty() {
            sink.skip("no Rust, Python, JavaScript or TypeScript sources");
            return Ok(());
        }
        let documented_modules: BTreeSet<&str> = files
            .iter()
            .filter(|(_, f)| f.has_inner_doc)
            .map(|(p, _)| p.as_str())
            .collect();
        // family -> (items, documented)
        let mut per_lang: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
        let mut undocumented: Vec<(&str, &Item)> = Vec::new();
        for (path, f) in files.iter() {
            let entry = per_lang.entry(family(f.grammar)).or_default();
            for item in &f.items {
                let documented = item.documented
                    || (item.module_file
                        && module_files(path, &item.name)
                            .iter()
                            .any(|m| documented_modules.contains(m.as_str())));
                entry.0 += 1;
                if documented {
                    entry.1 += 1;
                } else {
                    undocumented.push((path, item));
                }
            }
        }
        for (path, item) in undocumented.iter().take(self.max_findings) {
            let mut f = RULES[0].finding(
                format!("public {} `{}` has no documentation", item.kind, item.name),
                Some(Location::line(*path, item.line)),
                &format!("{} {}", item.kind, item.name),
            );
            f.help = Some(match files.get(*path).map(|f| f.grammar) {
                Some(Grammar::Rust) => "Add a `///` comment saying what it is or does (`//!` at the top of a module's file).",
                Some(Grammar::Python) => "Add a docstring as the first statement of its body.",
                _ => "Add a `/** … */` JSDoc comment right before the export.",
            }
            .to_owned());
            sink.push(f);
        }
        if undocumented.len() > self.max_findings {
            sink.note(format!(
                "{} more undocumented public items are counted but not listed (documentation.api_docs.max_findings = {})",
                undocumented.len() - self.max_findings,
                self.max_findings
            ));
        }
        let (mut items, mut documented) = (0, 0);
        for (lang, (n, d)) in &per_lang {
            items += n;
            documented += d;
            if *n > 0 {
                sink.metric(Metric::new(
                    format!("{API_COVERAGE}.{lang}"),
                    100.0 * count(*d) / count(*n),
                    "%",
                ));
            }
        }
        sink.metric(Metric::new(API_ITEMS, count(items), "count"));
        sink.metric(Metric::new(API_DOCUMENTED, count(documented), "count"));
        if items > 0 {
            sink.metric(Metric::new(
                API_COVERAGE,
                100.0 * count(documented) / count(items),
                "%",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
