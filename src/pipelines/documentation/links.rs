//! Local links in Markdown: files, folders, images and `#anchors`, resolved as GitHub does.
//!
//! Each Markdown page is parsed once (`super::markdown`); its links and its anchors (heading
//! slugs, HTML `id`/`name`) are kept until the walk ends, because a link may point at a page
//! parsed later on another thread. [`Check::check_repo`] then judges every local link against
//! the walk's index (`super::target`):
//!
//! * a missing target is `broken-link` (`broken-image` for images). A target that exists on
//!   disk but not in the walk is git-ignored — not in the repository, so broken on GitHub too —
//!   unless the configuration's `paths.exclude` left it out, which does not make it missing;
//! * a fragment on a Markdown page must be one of its anchors (`broken-anchor`); GitHub also
//!   accepts the `user-content-` prefix, a different letter case, and `#top`;
//! * a line anchor (`#L10`, `#L10-L20`) on any other file, or on a Markdown page with
//!   `?plain=1`, must fit in the file: with `documentation.links.line_anchors` (default on) the
//!   check asks the walk for every file to count its lines, which costs one `memchr` pass over
//!   files most runs read anyway;
//! * a path that climbs above the repository root is `link-outside-repo`, except GitHub's own
//!   pages reached from `blob/<branch>/` (`../../issues`, `../../wiki`), which are noted and
//!   not checked.
//!
//! External links, `mailto:` and other schemes are left to [`super::external`].

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::Result;
use regex::Regex;

use super::markdown::{self, LinkKind, MdLink};
use super::target::{self, LocalTarget, PathKind, Target, TreeIndex};
use super::{REFERENCES_BROKEN, REFERENCES_TOTAL, at, count, shown};
use crate::model::{Metric, Pipeline, Severity};
use crate::pipelines::{Built, Check, CheckContext, CheckSpec, RuleMeta, Sink};
use crate::walk::{FileIndex, SourceFile};

const DOCS: &str = include_str!("links.md");

/// Rules of this check.
pub static RULES: &[RuleMeta] = &[
    RuleMeta {
        id: "broken-link",
        name: "Broken local link",
        pipeline: Pipeline::Documentation,
        default_severity: Severity::Medium,
        summary: "A Markdown link points at a file or folder that is not in the repository.",
        docs: DOCS,
    },
    RuleMeta {
        id: "broken-image",
        name: "Broken image",
        pipeline: Pipeline::Documentation,
        default_severity: Severity::Medium,
        summary: "A Markdown image points at a file that is not in the repository.",
        docs: DOCS,
    },
    RuleMeta {
        id: "broken-anchor",
        name: "Broken anchor",
        pipeline: Pipeline::Documentation,
        default_severity: Severity::Low,
        summary: "A link's #fragment names no heading or anchor of its page, or a line past the end of its file.",
        docs: DOCS,
    },
    RuleMeta {
        id: "link-outside-repo",
        name: "Link outside the repository",
        pipeline: Pipeline::Documentation,
        default_severity: Severity::Medium,
        summary: "A relative link climbs above the repository root.",
        docs: DOCS,
    },
];

/// Registry entry.
pub const SPEC: CheckSpec = CheckSpec {
    id: "links",
    pipeline: Pipeline::Documentation,
    rules: RULES,
    docs: DOCS,
    build,
};

/// Metric: local links checked.
pub const LINKS_TOTAL: &str = "documentation.links_total";
/// Metric: local links found broken (files, images, anchors, outside the repository).
pub const LINKS_BROKEN: &str = "documentation.links_broken";
/// Metric: local links with a `#fragment` (a subset of the links).
pub const ANCHORS_TOTAL: &str = "documentation.anchors_total";
/// Metric: local links whose fragment is broken.
pub const ANCHORS_BROKEN: &str = "documentation.anchors_broken";

fn build(ctx: &CheckContext<'_>) -> Result<Built> {
    let cfg = &ctx.config.documentation.links;
    let exclude = cfg
        .exclude
        .iter()
        .map(|p| Regex::new(&p.0))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Built::Ready(Box::new(LinksCheck {
        line_anchors: cfg.line_anchors,
        exclude,
        root: ctx.root.to_path_buf(),
        scan_excludes: super::glob_matcher(ctx.root, &ctx.config.paths.exclude)?,
        state: Mutex::new(State::default()),
    })))
}

/// Checks local links.
struct LinksCheck {
    line_anchors: bool,
    exclude: Vec<Regex>,
    root: PathBuf,
    /// The configuration's `paths.exclude`: targets it hides are not missing.
    scan_excludes: ignore::gitignore::Gitignore,
    state: Mutex<State>,
}

/// What the walk gathered.
#[derive(Debug, Default)]
struct State {
    /// Each page's links.
    pages: Vec<(String, Vec<MdLink>)>,
    /// Each page's anchors.
    anchors: HashMap<String, HashSet<String>>,
    /// Line count of every file read.
    lines: HashMap<String, u32>,
}

/// Lines of a text: newlines, plus one for a last line without its newline.
fn line_count(text: &str) -> u32 {
    let newlines = memchr::memchr_iter(b'\n', text.as_bytes()).count();
    let partial = usize::from(!text.is_empty() && !text.ends_with('\n'));
    u32::try_from(newlines + partial).unwrap_or(u32::MAX)
}

/// Why a local link does not work.
#[derive(Debug, PartialEq, Eq)]
enum Problem {
    /// No file or folder at the path; `ignored` when it exists on disk but git ignores it.
    Missing { ignored: bool },
    /// Written as a folder (`x/`) but is a file.
    NotAFolder,
    /// The page has no such anchor; `suggestion` is a close one it has.
    NoAnchor { suggestion: Option<String> },
    /// A line anchor past the end of the file.
    PastEnd { lines: u32 },
}

impl LinksCheck {
    /// Whether a path missing from the walk is on disk, and if so whether it is fine (left out
    /// by `paths.exclude`, or a symbolic link the walk does not follow).
    fn on_disk(&self, path: &str) -> Option<bool> {
        let abs = self.root.join(path);
        let meta = std::fs::symlink_metadata(&abs).ok()?;
        if meta.file_type().is_symlink() {
            return Some(true);
        }
        let excluded = self
            .scan_excludes
            .matched_path_or_any_parents(Path::new(path), meta.is_dir())
            .is_ignore();
        Some(excluded)
    }

    fn judge(
        &self,
        t: &LocalTarget,
        kind: LinkKind,
        tree: TreeIndex<'_>,
        state: &State,
    ) -> Option<Problem> {
        match tree.kind(&t.path) {
            PathKind::Missing => match self.on_disk(&t.path) {
                Some(true) => None,
                Some(false) => Some(Problem::Missing { ignored: true }),
                None => Some(Problem::Missing { ignored: false }),
            },
            PathKind::Folder => {
                // GitHub shows a folder with its README rendered below: a fragment names one of
                // the README's anchors, and there is none without a README.
                let fragment = t.fragment.as_deref().filter(|_| kind == LinkKind::Link)?;
                let readme = ["README.md", "readme.md", "Readme.md", "README.markdown"]
                    .iter()
                    .map(|r| {
                        if t.path.is_empty() {
                            (*r).to_owned()
                        } else {
                            format!("{}/{r}", t.path)
                        }
                    })
                    .find(|r| tree.kind(r) == PathKind::File);
                match readme {
                    Some(r) => anchor_problem(fragment, state.anchors.get(&r)?),
                    None => Some(Problem::NoAnchor { suggestion: None }),
                }
            }
            PathKind::File if t.wants_folder => Some(Problem::NotAFolder),
            PathKind::File => {
                let fragment = t.fragment.as_deref()?;
                if kind == LinkKind::Image {
                    return None;
                }
                let plain = t
                    .query
                    .as_deref()
                    .is_some_and(|q| q.split('&').any(|kv| kv == "plain=1"));
                if markdown::is_markdown(&t.path) && !plain {
                    let anchors = state.anchors.get(&t.path)?;
                    return anchor_problem(fragment, anchors);
                }
                let last = target::line_anchor(fragment)?;
                let lines = *state.lines.get(&t.path)?;
                (last > lines).then_some(Problem::PastEnd { lines })
            }
        }
    }
}

/// Whether `fragment` names one of `anchors` the way GitHub's page script finds it.
fn anchor_problem(fragment: &str, anchors: &HashSet<String>) -> Option<Problem> {
    let bare = fragment.strip_prefix("user-content-").unwrap_or(fragment);
    let lower = bare.to_lowercase();
    if bare == "top" || anchors.contains(bare) || anchors.iter().any(|a| a.to_lowercase() == lower)
    {
        return None;
    }
    let guess = super::slug::slug(bare);
    Some(Problem::NoAnchor {
        suggestion: anchors.contains(&guess).then_some(guess),
    })
}

impl Check for LinksCheck {
    fn wants(&self, path: &str) -> bool {
        self.line_anchors || markdown::is_markdown(path)
    }

    fn check_file(&self, file: &SourceFile<'_>, _sink: &mut Sink) -> Result<()> {
        let lines = line_count(file.text);
        let doc =
            markdown::is_markdown(file.path).then(|| markdown::parse_shared(file.path, file.text));
        let mut state = self
            .state
            .lock()
            .map_err(|_| anyhow::anyhow!("links state poisoned"))?;
        state.lines.insert(file.path.to_owned(), lines);
        if let Some(doc) = doc {
            state
                .anchors
                .insert(file.path.to_owned(), doc.anchors.iter().cloned().collect());
            state.pages.push((file.path.to_owned(), doc.links.clone()));
        }
        Ok(())
    }

    fn check_repo(
        &self,
        _ctx: &CheckContext<'_>,
        index: &FileIndex,
        sink: &mut Sink,
    ) -> Result<()> {
        let state = self
            .state
            .lock()
            .map_err(|_| anyhow::anyhow!("links state poisoned"))?;
        let tree = TreeIndex::new(index);
        let mut pages: Vec<&(String, Vec<MdLink>)> = state.pages.iter().collect();
        pages.sort_by(|a, b| a.0.cmp(&b.0));
        let (mut total, mut broken, mut anchors, mut anchors_broken, mut github_pages) =
            (0, 0, 0, 0, 0);
        for (page, links) in pages {
            for link in links {
                if self.exclude.iter().any(|r| r.is_match(&link.dest)) {
                    continue;
                }
                let finding = match target::classify(&link.dest, page) {
                    Target::External(_) | Target::Unchecked => continue,
                    Target::GitHubPage(_) => {
                        github_pages += 1;
                        continue;
                    }
                    Target::OutsideRepo(dest) => {
                        total += 1;
                        let mut f = RULES[3].finding(
                            format!("{} climbs above the repository root", shown(&dest)),
                            Some(at(page, link.line, link.column)),
                            &link.dest,
                        );
                        f.help = Some("Link to a file inside the repository, or use a full https:// URL for anything else.".into());
                        f
                    }
                    Target::Local(t) => {
                        total += 1;
                        let has_fragment = t.fragment.is_some() && link.kind == LinkKind::Link;
                        if has_fragment {
                            anchors += 1;
                        }
                        let Some(problem) = self.judge(&t, link.kind, tree, &state) else {
                            continue;
                        };
                        if matches!(problem, Problem::NoAnchor { .. } | Problem::PastEnd { .. }) {
                            anchors_broken += 1;
                        }
                        finding_for(page, link, &t, problem)
                    }
                };
                broken += 1;
                sink.push(finding);
            }
        }
        if github_pages > 0 {
            sink.note(format!(
                "{github_pages} link(s) to GitHub pages outside the file tree (issues, wiki, …) were not checked"
            ));
        }
        for (name, value) in [
            (LINKS_TOTAL, total),
            (LINKS_BROKEN, broken),
            (ANCHORS_TOTAL, anchors),
            (ANCHORS_BROKEN, anchors_broken),
            (REFERENCES_TOTAL, total),
            (REFERENCES_BROKEN, broken),
        ] {
            sink.metric(Metric::new(name, count(value), "count"));
        }
        Ok(())
    }
}

/// The finding for a broken local link.
fn finding_for(
    page: &str,
    link: &MdLink,
    t: &LocalTarget,
    problem: Problem,
) -> crate::model::Finding {
    let dest = shown(&link.dest);
    let resolved = if link.dest.trim_start_matches("./").trim_end_matches('/') == t.path {
        String::new()
    } else {
        format!(" (`{}`)", if t.path.is_empty() { "/" } else { &t.path })
    };
    let (rule, message, help) = match problem {
        Problem::Missing { ignored } => {
            let rule = if link.kind == LinkKind::Image {
                &RULES[1]
            } else {
                &RULES[0]
            };
            let why = if ignored {
                "is ignored by git, so it is not in the repository"
            } else {
                "does not exist"
            };
            (
                rule,
                format!("{dest}{resolved} {why}"),
                "Fix the path (it is case-sensitive and relative to this page; a leading `/` means the repository root), or remove the link.".to_owned(),
            )
        }
        Problem::NotAFolder => (
            &RULES[0],
            format!("{dest}{resolved} is a file, not a folder"),
            "Remove the trailing `/`.".to_owned(),
        ),
        Problem::NoAnchor { suggestion } => {
            let fragment = t.fragment.as_deref().unwrap_or("");
            let page_name = if t.same_page {
                "this page".to_owned()
            } else {
                format!("`{}`", t.path)
            };
            (
                &RULES[2],
                format!("{dest}: {page_name} has no heading or anchor `#{fragment}`"),
                match suggestion {
                    Some(s) => format!("Did you mean `#{s}`? GitHub anchors are lower case, with spaces as `-` and punctuation removed."),
                    None => "Link to an existing heading (lower case, spaces as `-`, punctuation removed) or add an anchor.".to_owned(),
                },
            )
        }
        Problem::PastEnd { lines } => (
            &RULES[2],
            format!("{dest}: `{}` has only {lines} line(s)", t.path),
            "Update the line numbers, or link to a heading or a permalink at a fixed commit."
                .to_owned(),
        ),
    };
    let mut f = rule.finding(message, Some(at(page, link.line, link.column)), &link.dest);
    f.help = Some(help);
    f.properties.insert(
        "target".to_owned(),
        serde_json::Value::String(t.path.clone()),
    );
    f
}

#[cfg(test)]
mod tests;
