//! Freshness of pages that carry a date in their front matter.
//!
//! A page whose YAML front matter has `last_updated` (or `last-updated`, `lastUpdated`,
//! `updated`, `lastmod`, `date`, in that order of preference) is stale when that date is older
//! than `documentation.freshness.max_age_days` (default 180), or — in a git work tree, with
//! `documentation.freshness.compare_git` — when a file or folder the page links to changed in
//! a commit after that date: the page describes code that moved on without it. The history is
//! read with one `git log` walk for all linked paths (`history`). Pages without a date are
//! not judged; a front matter that is not YAML, or a date that is not a date, is reported.

mod history;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Mutex;

use anyhow::Result;
use chrono::NaiveDate;

use super::count;
use super::markdown;
use super::target::{self, PathKind, Target, TreeIndex};
use crate::model::{Location, Metric, Pipeline, Severity};
use crate::pipelines::{Built, Check, CheckContext, CheckSpec, RuleMeta, Sink};
use crate::walk::{FileIndex, SourceFile};

const DOCS: &str = include_str!("freshness.md");

/// Rules of this check.
pub static RULES: &[RuleMeta] = &[
    RuleMeta {
        id: "stale-doc",
        name: "Stale documentation page",
        pipeline: Pipeline::Documentation,
        default_severity: Severity::Low,
        summary: "A page's front-matter date is too old, or older than changes to the files it links to.",
        docs: DOCS,
    },
    RuleMeta {
        id: "invalid-front-matter",
        name: "Invalid front matter",
        pipeline: Pipeline::Documentation,
        default_severity: Severity::Low,
        summary: "A page's front matter is not valid YAML, or its date is not a date.",
        docs: DOCS,
    },
];

/// Registry entry.
pub const SPEC: CheckSpec = CheckSpec {
    id: "freshness",
    pipeline: Pipeline::Documentation,
    rules: RULES,
    docs: DOCS,
    build,
};

/// Metric: pages with a front-matter date.
pub const DATED_PAGES: &str = "documentation.dated_pages";
/// Metric: dated pages found stale.
pub const STALE_PAGES: &str = "documentation.stale_pages";

/// Front-matter keys read as the page's date, most preferred first.
const DATE_KEYS: &[&str] = &[
    "last_updated",
    "last-updated",
    "lastUpdated",
    "updated",
    "lastmod",
    "date",
];

fn build(ctx: &CheckContext<'_>) -> Result<Built> {
    let cfg = &ctx.config.documentation.freshness;
    Ok(Built::Ready(Box::new(FreshnessCheck {
        max_age_days: i64::from(cfg.max_age_days),
        compare_git: cfg.compare_git,
        root: ctx.root.to_path_buf(),
        today: chrono::Utc::now().date_naive(),
        pages: Mutex::new(Vec::new()),
    })))
}

/// Judges dated pages.
struct FreshnessCheck {
    max_age_days: i64,
    compare_git: bool,
    root: PathBuf,
    today: NaiveDate,
    pages: Mutex<Vec<Page>>,
}

/// A page with a date.
#[derive(Debug)]
struct Page {
    path: String,
    key: &'static str,
    date: NaiveDate,
    /// Line of the date in the page.
    line: u32,
    /// Local paths it links to (not yet checked for existence).
    targets: BTreeSet<String>,
}

/// A date written as `YYYY-MM-DD`, optionally followed by a time (`T…` or ` …`).
fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim().trim_matches(['"', '\'']);
    let day = s.get(..10)?;
    let rest = &s[10..];
    if !(rest.is_empty() || rest.starts_with(['T', 't', ' '])) {
        return None;
    }
    NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()
}

impl FreshnessCheck {
    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Vec<Page>>> {
        self.pages
            .lock()
            .map_err(|_| anyhow::anyhow!("freshness state poisoned"))
    }
}

impl Check for FreshnessCheck {
    fn wants(&self, path: &str) -> bool {
        markdown::is_markdown(path)
    }

    fn check_file(&self, file: &SourceFile<'_>, sink: &mut Sink) -> Result<()> {
        // Front matter must open the page; skip the Markdown parse for the many pages without.
        if !file.text.starts_with("---") {
            return Ok(());
        }
        let doc = markdown::parse_shared(file.path, file.text);
        let Some(fm) = &doc.front_matter else {
            return Ok(());
        };
        let invalid = |message: String, line: u32| {
            let mut f = RULES[1].finding(
                message,
                Some(Location::line(file.path, line)),
                "front-matter",
            );
            f.help = Some(
                "Write the front matter as YAML between `---` lines, with dates as YYYY-MM-DD."
                    .into(),
            );
            f
        };
        let value: serde_yaml_ng::Value = match serde_yaml_ng::from_str(&fm.yaml) {
            Ok(v) => v,
            Err(e) => {
                let line = fm.line
                    + e.location()
                        .map_or(1, |l| u32::try_from(l.line()).unwrap_or(1));
                sink.push(invalid(
                    format!("the front matter is not valid YAML: {e}"),
                    line,
                ));
                return Ok(());
            }
        };
        let Some((key, raw)) = DATE_KEYS
            .iter()
            .find_map(|k| value.get(*k).map(|v| (*k, v)))
        else {
            return Ok(());
        };
        let line = fm.line
            + 1
            + fm.yaml
                .lines()
                .position(|l| {
                    l.trim_start().starts_with(key)
                        && l.trim_start()[key.len()..].trim_start().starts_with(':')
                })
                .map_or(0, |i| u32::try_from(i).unwrap_or(0));
        let text = match raw {
            serde_yaml_ng::Value::String(s) => s.clone(),
            other => serde_yaml_ng::to_string(other).unwrap_or_default(),
        };
        let Some(date) = parse_date(&text) else {
            sink.push(invalid(
                format!("`{key}: {}` is not a date (YYYY-MM-DD)", text.trim()),
                line,
            ));
            return Ok(());
        };
        let targets = doc
            .links
            .iter()
            .filter_map(|l| match target::classify(&l.dest, file.path) {
                Target::Local(t) if !t.same_page && !t.path.is_empty() => Some(t.path),
                _ => None,
            })
            .collect();
        self.lock()?.push(Page {
            path: file.path.to_owned(),
            key,
            date,
            line,
            targets,
        });
        Ok(())
    }

    fn check_repo(
        &self,
        _ctx: &CheckContext<'_>,
        index: &FileIndex,
        sink: &mut Sink,
    ) -> Result<()> {
        let mut pages = std::mem::take(&mut *self.lock()?);
        pages.sort_by(|a, b| a.path.cmp(&b.path));
        let tree = TreeIndex::new(index);
        let mut stale: BTreeSet<String> = BTreeSet::new();
        for p in &pages {
            let age = (self.today - p.date).num_days();
            if age > self.max_age_days {
                let mut f = RULES[0].finding(
                    format!(
                        "`{}: {}` is {age} days old (limit {})",
                        p.key, p.date, self.max_age_days
                    ),
                    Some(Location::line(&p.path, p.line)),
                    &format!("age:{}", p.key),
                );
                f.help = Some(format!(
                    "Review the page against the code, then update `{}`.",
                    p.key
                ));
                sink.push(f);
                stale.insert(p.path.clone());
            }
        }
        let linked: BTreeSet<String> = pages
            .iter()
            .flat_map(|p| p.targets.iter())
            .filter(|t| tree.kind(t) != PathKind::Missing)
            .cloned()
            .collect();
        if self.compare_git && !linked.is_empty() {
            if history::is_work_tree(&self.root) {
                let paths: Vec<String> = linked.into_iter().collect();
                let changed = history::last_changed(&self.root, &paths);
                for p in &pages {
                    self.compare(p, &changed, sink, &mut stale);
                }
            } else {
                sink.note("not a git repository: dated pages were not compared with the history of what they link to");
            }
        }
        sink.metric(Metric::new(DATED_PAGES, count(pages.len()), "count"));
        sink.metric(Metric::new(STALE_PAGES, count(stale.len()), "count"));
        Ok(())
    }
}

impl FreshnessCheck {
    /// Report `page` when a linked path changed after its date.
    fn compare(
        &self,
        page: &Page,
        changed: &BTreeMap<String, String>,
        sink: &mut Sink,
        stale: &mut BTreeSet<String>,
    ) {
        let mut later: Vec<(&str, NaiveDate)> = page
            .targets
            .iter()
            .filter(|t| **t != page.path)
            .filter_map(|t| {
                let when = changed.get(t).and_then(|d| parse_date(d))?;
                (when > page.date).then_some((t.as_str(), when))
            })
            .collect();
        if later.is_empty() {
            return;
        }
        later.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let (newest, when) = later[0];
        let others = match later.len() - 1 {
            0 => String::new(),
            1 => " (and 1 other linked path)".to_owned(),
            n => format!(" (and {n} other linked paths)"),
        };
        let mut f = RULES[0].finding(
            format!(
                "`{newest}` changed on {when}, after this page's `{}: {}`{others}",
                page.key, page.date
            ),
            Some(Location::line(&page.path, page.line)),
            &format!("linked:{}", page.key),
        );
        f.help = Some(format!(
            "Check that the page still matches `{newest}`, then update `{}`.",
            page.key
        ));
        f.properties.insert(
            "changed".to_owned(),
            serde_json::Value::Array(
                later
                    .iter()
                    .map(|(p, _)| serde_json::Value::String((*p).to_owned()))
                    .collect(),
            ),
        );
        sink.push(f);
        stale.insert(page.path.clone());
    }
}

#[cfg(test)]
mod tests;
