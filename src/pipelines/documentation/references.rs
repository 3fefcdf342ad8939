//! Paths and commands that documentation tells readers to use, checked against the repository.
//!
//! Two sources in every Markdown page:
//!
//! * **inline code** — a span such as `` `src/walk.rs` `` or `` `docs/adr/` `` is a repository
//!   path when it has a `/`, nothing a shell would expand, and a first segment that exists at
//!   the repository root or beside the page. That last condition keeps prose like
//!   `` `text/html` ``, `` `origin/main` `` or `` `owner/action@v4` `` out: only paths that
//!   *start* in this repository and then go astray are reported. A span that is a command
//!   (`` `python scripts/x.py` ``, `` `make lint` ``) is checked like a shell line;
//! * **shell code blocks** — ```` ```sh ````, `bash`, `shell`, `zsh`, `console`, or an
//!   unlabelled block with `$ ` prompts (`shell`). Each command that runs something from the
//!   repository is checked: script paths (`./tools/run.sh`, `python scripts/x.py`,
//!   `bash ci/x.sh`, `node x.js`, `go run ./cmd/x`), `make` targets, `just` recipes,
//!   `npm`/`yarn`/`pnpm`/`bun` scripts, and `cargo run --bin/--example/-p` names, against the
//!   manifests the walk read (`manifests`). `cd` inside a block moves the working folder.
//!
//! What cannot be known is not reported: a path under a git-ignored folder (a build output
//! such as `./target/release/app`), a goal of a Makefile with pattern rules or includes, a
//! `yarn NAME` that may be a dependency's binary, a command whose kind of manifest the
//! repository does not have at all (then the docs describe someone else's project).

mod judge;
mod manifests;
mod shell;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;

use anyhow::Result;

use self::judge::{Judge, Tally, gitignore};
use self::manifests::{CargoManifest, Goals, NpmPackage};
use self::shell::{BlockStyle, Invocation};
use super::markdown;
use super::target::TreeIndex;
use super::{REFERENCES_BROKEN, REFERENCES_TOTAL, count};
use crate::model::{Metric, Pipeline, Severity};
use crate::pipelines::{Built, Check, CheckContext, CheckSpec, RuleMeta, Sink};
use crate::walk::{FileIndex, SourceFile};

const DOCS: &str = include_str!("references.md");

/// Rules of this check.
pub static RULES: &[RuleMeta] = &[
    RuleMeta {
        id: "missing-referenced-path",
        name: "Missing referenced path",
        pipeline: Pipeline::Documentation,
        default_severity: Severity::Medium,
        summary: "Documentation names a repository path or runs a script that does not exist.",
        docs: DOCS,
    },
    RuleMeta {
        id: "unknown-script",
        name: "Unknown script or target",
        pipeline: Pipeline::Documentation,
        default_severity: Severity::Medium,
        summary: "Documentation runs a make target, just recipe, package script or cargo binary that the repository does not define.",
        docs: DOCS,
    },
];

/// Registry entry.
pub const SPEC: CheckSpec = CheckSpec {
    id: "references",
    pipeline: Pipeline::Documentation,
    rules: RULES,
    docs: DOCS,
    build,
};

/// Metric: paths checked (inline code and script paths).
pub const PATHS_TOTAL: &str = "documentation.paths_total";
/// Metric: paths that do not exist.
pub const PATHS_BROKEN: &str = "documentation.paths_broken";
/// Metric: named commands checked (make, just, package scripts, cargo targets).
pub const COMMANDS_TOTAL: &str = "documentation.commands_total";
/// Metric: named commands the repository does not define.
pub const COMMANDS_BROKEN: &str = "documentation.commands_broken";

/// Binaries `yarn NAME` / `pnpm NAME` commonly run from a dependency whose package name
/// differs from the binary's.
const KNOWN_BINARIES: &[&str] = &["tsc", "tsserver", "vue-cli-service", "ng", "react-scripts"];

fn build(ctx: &CheckContext<'_>) -> Result<Built> {
    let cfg = &ctx.config.documentation.references;
    Ok(Built::Ready(Box::new(ReferencesCheck {
        inline_code: cfg.inline_code,
        shell_blocks: cfg.shell_blocks,
        root: ctx.root.to_path_buf(),
        state: Mutex::new(State::default()),
    })))
}

/// Checks referenced paths and commands.
struct ReferencesCheck {
    inline_code: bool,
    shell_blocks: bool,
    root: PathBuf,
    state: Mutex<State>,
}

/// One thing a page references, in page order.
#[derive(Debug, Clone)]
enum Item {
    /// A new code block or inline command: the working folder is the root again.
    Reset,
    /// `cd`.
    Cd(Option<String>),
    /// A command that runs something.
    Run {
        invocation: Invocation,
        text: String,
        line: u32,
        column: u32,
    },
    /// A path in inline code.
    InlinePath {
        path: String,
        line: u32,
        column: u32,
    },
}

/// What the walk gathered.
#[derive(Debug, Default)]
struct State {
    pages: Vec<(String, Vec<Item>)>,
    /// By folder (`""` is the root).
    cargo: BTreeMap<String, CargoManifest>,
    npm: BTreeMap<String, NpmPackage>,
    /// By file path.
    make: BTreeMap<String, Goals>,
    just: BTreeMap<String, Goals>,
    gitignore: Option<String>,
    notes: Vec<String>,
}

const MAKEFILES: &[&str] = &["GNUmakefile", "makefile", "Makefile"];
const JUSTFILES: &[&str] = &["justfile", "Justfile", ".justfile", "JUSTFILE"];

/// File name and folder of a repository path.
fn split_path(path: &str) -> (&str, &str) {
    match path.rsplit_once('/') {
        Some((dir, name)) => (dir, name),
        None => ("", path),
    }
}

/// `dir` joined with the relative `rel`, `.`/`..` folded; `None` above the root.
fn join(dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// The repository path an inline code span names, if it looks like one.
fn path_like(span: &str) -> Option<&str> {
    let mut t = span.trim();
    // `src/walk.rs:42`, `src/walk.rs:42:7`, `src/walk.rs#L42`.
    if let Some(hash) = t.find("#L") {
        t = &t[..hash];
    }
    while let Some((head, tail)) = t.rsplit_once(':') {
        if !tail.is_empty() && tail.chars().all(|c| c.is_ascii_digit()) {
            t = head;
        } else {
            break;
        }
    }
    let forbidden = |c: char| {
        c.is_whitespace()
            || matches!(
                c,
                '*' | '?'
                    | '['
                    | ']'
                    | '{'
                    | '}'
                    | '<'
                    | '>'
                    | '$'
                    | '|'
                    | '='
                    | '@'
                    | '!'
                    | ','
                    | ';'
                    | '\''
                    | '"'
                    | '`'
                    | '('
                    | ')'
                    | '\\'
                    | ':'
                    | '~'
                    | '%'
                    | '&'
                    | '^'
            )
    };
    if t.is_empty()
        || !t.contains('/')
        || t.starts_with(['/', '-', '#'])
        || t.contains(forbidden)
        || t.contains("//")
        || t.contains("...")
    {
        return None;
    }
    Some(t)
}

/// The command of an inline code span, if it runs something.
fn inline_command(span: &str) -> Option<(Invocation, String)> {
    let text = span.trim();
    let text = text.strip_prefix("$ ").unwrap_or(text);
    if !text.contains(' ') && !text.starts_with("./") {
        return None;
    }
    let cmds = shell::commands(text, 1, BlockStyle::Script);
    let first = cmds.first()?;
    match shell::invocation(&first.words)? {
        Invocation::Cd(_) => None,
        inv => Some((inv, first.words.join(" "))),
    }
}

impl ReferencesCheck {
    fn lock(&self) -> Result<std::sync::MutexGuard<'_, State>> {
        self.state
            .lock()
            .map_err(|_| anyhow::anyhow!("references state poisoned"))
    }

    /// The items of one page.
    fn page_items(&self, path: &str, text: &str) -> Vec<Item> {
        // Inline code and fences need a backtick or `~~~`; an indented session needs a `$`.
        let bytes = text.as_bytes();
        if !(self.inline_code || self.shell_blocks)
            || (memchr::memchr(b'`', bytes).is_none()
                && memchr::memmem::find(bytes, b"~~~").is_none()
                && memchr::memchr(b'$', bytes).is_none())
        {
            return Vec::new();
        }
        let doc = markdown::parse_shared(path, text);
        // Each inline span and each block is a group that starts with the root as working
        // folder; groups are put back in page order.
        let mut groups: Vec<(u32, Vec<Item>)> = Vec::new();
        if self.inline_code {
            for span in &doc.code_spans {
                if let Some((invocation, text)) = inline_command(&span.text) {
                    let run = Item::Run {
                        invocation,
                        text,
                        line: span.line,
                        column: span.column,
                    };
                    groups.push((span.line, vec![Item::Reset, run]));
                } else if let Some(path) = path_like(&span.text) {
                    let item = Item::InlinePath {
                        path: path.to_owned(),
                        line: span.line,
                        column: span.column,
                    };
                    groups.push((span.line, vec![item]));
                }
            }
        }
        if self.shell_blocks {
            for block in &doc.code_blocks {
                let Some(style) = shell::block_style(&block.lang) else {
                    continue;
                };
                let mut items = vec![Item::Reset];
                for cmd in shell::commands(&block.text, block.first_line, style) {
                    match shell::invocation(&cmd.words) {
                        Some(Invocation::Cd(dir)) => items.push(Item::Cd(dir)),
                        Some(invocation) => items.push(Item::Run {
                            invocation,
                            text: cmd.words.join(" "),
                            line: cmd.line,
                            column: 1,
                        }),
                        None => {}
                    }
                }
                if items.len() > 1 {
                    groups.push((block.first_line, items));
                }
            }
        }
        groups.sort_by_key(|(line, _)| *line);
        groups.into_iter().flat_map(|(_, g)| g).collect()
    }
}

impl Check for ReferencesCheck {
    fn wants(&self, path: &str) -> bool {
        let (_, name) = split_path(path);
        markdown::is_markdown(path)
            || path == ".gitignore"
            || matches!(name, "Cargo.toml" | "package.json")
            || MAKEFILES.contains(&name)
            || JUSTFILES.contains(&name)
    }

    fn check_file(&self, file: &SourceFile<'_>, _sink: &mut Sink) -> Result<()> {
        let (dir, name) = split_path(file.path);
        if markdown::is_markdown(file.path) {
            let items = self.page_items(file.path, file.text);
            if !items.is_empty() {
                self.lock()?.pages.push((file.path.to_owned(), items));
            }
            return Ok(());
        }
        let mut state = self.lock()?;
        match name {
            ".gitignore" => state.gitignore = Some(file.text.to_owned()),
            "Cargo.toml" => match manifests::cargo(file.text) {
                Ok(m) => {
                    state.cargo.insert(dir.to_owned(), m);
                }
                Err(e) => state.notes.push(format!(
                    "{}: not valid TOML, its binaries are not known ({e})",
                    file.path
                )),
            },
            "package.json" => match manifests::npm(file.text) {
                Ok(p) => {
                    state.npm.insert(dir.to_owned(), p);
                }
                Err(e) => state.notes.push(format!(
                    "{}: not valid JSON, its scripts are not known ({e})",
                    file.path
                )),
            },
            n if MAKEFILES.contains(&n) => {
                state
                    .make
                    .insert(file.path.to_owned(), manifests::makefile(file.text));
            }
            n if JUSTFILES.contains(&n) => {
                state
                    .just
                    .insert(file.path.to_owned(), manifests::justfile(file.text));
            }
            _ => {}
        }
        Ok(())
    }

    fn check_repo(
        &self,
        _ctx: &CheckContext<'_>,
        index: &FileIndex,
        sink: &mut Sink,
    ) -> Result<()> {
        let mut state = self.lock()?;
        for (dir, pkg) in &mut state.npm {
            pkg.has_server_js = index.contains(&join(dir, "server.js").unwrap_or_default());
        }
        let judge = Judge {
            tree: TreeIndex::new(index),
            root: &self.root,
            gitignore: gitignore(&self.root, state.gitignore.as_deref()),
            state: &state,
        };
        let mut pages: Vec<&(String, Vec<Item>)> = state.pages.iter().collect();
        pages.sort_by(|a, b| a.0.cmp(&b.0));
        let mut tally = Tally::default();
        for (page, items) in pages {
            judge.page(page, items, &mut tally, sink);
        }
        for note in &state.notes {
            sink.note(note.clone());
        }
        for (name, value) in [
            (PATHS_TOTAL, tally.paths),
            (PATHS_BROKEN, tally.paths_broken),
            (COMMANDS_TOTAL, tally.commands),
            (COMMANDS_BROKEN, tally.commands_broken),
            (REFERENCES_TOTAL, tally.paths + tally.commands),
            (
                REFERENCES_BROKEN,
                tally.paths_broken + tally.commands_broken,
            ),
        ] {
            sink.metric(Metric::new(name, count(value), "count"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
