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
//!   unlabelled block with `$ ` prompts ([`shell`]). Each command that runs something from the
//!   repository is checked: script paths (`./tools/run.sh`, `python scripts/x.py`,
//!   `bash ci/x.sh`, `node x.js`, `go run ./cmd/x`), `make` targets, `just` recipes,
//!   `npm`/`yarn`/`pnpm`/`bun` scripts, and `cargo run --bin/--example/-p` names, against the
//!   manifests the walk read ([`manifests`]). `cd` inside a block moves the working folder.
//!
//! What cannot be known is not reported: a path under a git-ignored folder (a build output
//! such as `./target/release/app`), a goal of a Makefile with pattern rules or includes, a
//! `yarn NAME` that may be a dependency's binary, a command whose kind of manifest the
//! repository does not have at all (then the docs describe someone else's project).

mod manifests;
mod shell;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::Result;

use self::manifests::{CargoManifest, Goals, NpmPackage};
use self::shell::{BlockStyle, CargoKind, Invocation};
use super::markdown::{self, Extract};
use super::target::{PathKind, TreeIndex};
use super::{REFERENCES_BROKEN, REFERENCES_TOTAL, at, count, shown};
use crate::model::{Finding, Metric, Pipeline, Severity};
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
    fn page_items(&self, text: &str) -> Vec<Item> {
        let doc = markdown::parse(
            text,
            Extract {
                code: true,
                bare_urls: false,
            },
        );
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
            let items = self.page_items(file.text);
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

/// The root `.gitignore` as a matcher.
fn gitignore(root: &Path, text: Option<&str>) -> ignore::gitignore::Gitignore {
    let mut builder = ignore::gitignore::GitignoreBuilder::new(root);
    for line in text.unwrap_or("").lines() {
        // A line git would reject is skipped; git skips it too.
        let _ = builder.add_line(None, line);
    }
    builder
        .build()
        .unwrap_or_else(|_| ignore::gitignore::Gitignore::empty())
}

/// Counts of checked and broken references.
#[derive(Debug, Default)]
struct Tally {
    paths: usize,
    paths_broken: usize,
    commands: usize,
    commands_broken: usize,
}

/// Outcome of checking one reference.
enum Verdict {
    /// Exists.
    Ok,
    /// Cannot be known; not counted.
    Unknown,
    /// Broken, with the message and fix.
    Broken(String, String),
}

/// Everything needed to judge references.
struct Judge<'a> {
    tree: TreeIndex<'a>,
    root: &'a Path,
    gitignore: ignore::gitignore::Gitignore,
    state: &'a State,
}

impl Judge<'_> {
    fn page(&self, page: &str, items: &[Item], tally: &mut Tally, sink: &mut Sink) {
        let (page_dir, _) = split_path(page);
        let mut cwd: Option<String> = Some(String::new());
        for item in items {
            let (verdict, is_path, line, column, identity) = match item {
                Item::Reset => {
                    cwd = Some(String::new());
                    continue;
                }
                Item::Cd(dir) => {
                    cwd = self.cd(cwd.as_deref(), dir.as_deref());
                    continue;
                }
                Item::InlinePath { path, line, column } => (
                    self.inline_path(page_dir, path),
                    true,
                    *line,
                    *column,
                    path.as_str(),
                ),
                Item::Run {
                    invocation,
                    text,
                    line,
                    column,
                } => {
                    let Some(dir) = cwd.as_deref() else {
                        continue;
                    };
                    let is_path = matches!(invocation, Invocation::Script(_) | Invocation::Path(_));
                    (
                        self.run(dir, invocation, text),
                        is_path,
                        *line,
                        *column,
                        text.as_str(),
                    )
                }
            };
            let broken = match verdict {
                Verdict::Unknown => continue,
                Verdict::Ok => None,
                Verdict::Broken(message, help) => Some((message, help)),
            };
            if is_path {
                tally.paths += 1;
            } else {
                tally.commands += 1;
            }
            if let Some((message, help)) = broken {
                let rule = if is_path {
                    tally.paths_broken += 1;
                    &RULES[0]
                } else {
                    tally.commands_broken += 1;
                    &RULES[1]
                };
                let mut f: Finding = rule.finding(message, Some(at(page, line, column)), identity);
                f.help = Some(help);
                sink.push(f);
            }
        }
    }

    /// The working folder after `cd dir` from `cwd`.
    fn cd(&self, cwd: Option<&str>, dir: Option<&str>) -> Option<String> {
        let (cwd, dir) = (cwd?, dir?);
        let target = join(cwd, dir)?;
        if self.tree.kind(&target) == PathKind::Folder {
            Some(target)
        } else if !dir.contains('/') && cwd.is_empty() {
            // `git clone …/project && cd project`: the clone is the repository root.
            Some(String::new())
        } else {
            None
        }
    }

    /// Whether a path missing from the walk may legitimately be absent from it: git-ignored
    /// (a build output) or present on disk but left out of the walk.
    fn is_outside_walk(&self, path: &str) -> bool {
        self.gitignore
            .matched_path_or_any_parents(Path::new(path), false)
            .is_ignore()
            || std::fs::symlink_metadata(self.root.join(path)).is_ok()
    }

    fn inline_path(&self, page_dir: &str, written: &str) -> Verdict {
        let exists = |p: &str| self.tree.kind(p) != PathKind::Missing;
        let candidates: Vec<String> = if written.starts_with("../") {
            join(page_dir, written).into_iter().collect()
        } else {
            let rel = written.trim_start_matches("./");
            let first = rel.split('/').next().unwrap_or(rel);
            [Some(String::new()), Some(page_dir.to_owned())]
                .into_iter()
                .flatten()
                .filter(|base| join(base, first).is_some_and(|f| exists(&f)))
                .filter_map(|base| join(&base, rel))
                .collect()
        };
        let Some(first) = candidates.first() else {
            return Verdict::Unknown;
        };
        if candidates.iter().any(|c| exists(c)) {
            return Verdict::Ok;
        }
        if self.is_outside_walk(first) {
            return Verdict::Unknown;
        }
        Verdict::Broken(
            format!("{} does not exist in the repository", shown(written)),
            "Update the path to the file's current location, or remove the mention.".to_owned(),
        )
    }

    fn run(&self, cwd: &str, invocation: &Invocation, text: &str) -> Verdict {
        match invocation {
            Invocation::Script(p) | Invocation::Path(p) => {
                let Some(path) = join(cwd, p) else {
                    return Verdict::Unknown;
                };
                if self.tree.kind(&path) != PathKind::Missing {
                    Verdict::Ok
                } else if self.is_outside_walk(&path) {
                    Verdict::Unknown
                } else {
                    Verdict::Broken(
                        format!("{}: {} does not exist", shown(text), shown(&path)),
                        "Fix the script's path, restore the script, or update the command."
                            .to_owned(),
                    )
                }
            }
            Invocation::Cd(_) => Verdict::Unknown,
            Invocation::Make { dir, file, targets } => {
                self.make(cwd, dir.as_deref(), file.as_deref(), targets, text)
            }
            Invocation::Just { file, recipe } => {
                self.just(cwd, file.as_deref(), recipe.as_deref(), text)
            }
            Invocation::NpmScript {
                prefix,
                name,
                shorthand,
            } => self.npm(cwd, prefix.as_deref(), name, *shorthand, text),
            Invocation::CargoTarget { kind, name } => self.cargo(*kind, name, text),
        }
    }

    fn make(
        &self,
        cwd: &str,
        dir: Option<&str>,
        file: Option<&str>,
        targets: &[String],
        text: &str,
    ) -> Verdict {
        if self.state.make.is_empty() {
            return Verdict::Unknown;
        }
        let Some(base) = join(cwd, dir.unwrap_or("")) else {
            return Verdict::Unknown;
        };
        let found = match file {
            Some(f) => join(&base, f).and_then(|p| self.state.make.get_key_value(&p)),
            None => MAKEFILES
                .iter()
                .filter_map(|m| join(&base, m))
                .find_map(|p| self.state.make.get_key_value(&p)),
        };
        let Some((path, goals)) = found else {
            let place = if base.is_empty() {
                "the repository root".to_owned()
            } else {
                format!("`{base}`")
            };
            return Verdict::Broken(
                format!("{}: there is no Makefile in {place}", shown(text)),
                "Run make where the Makefile is (`make -C DIR`), or update the command.".to_owned(),
            );
        };
        for t in targets {
            // A file goal (`make out/app.o`) may come from an implicit rule.
            let listed = goals.allows(t);
            if listed == Some(false) && !t.contains(['.', '/']) {
                return Verdict::Broken(
                    format!("{}: `{path}` has no target `{t}`", shown(text)),
                    "Add the target to the Makefile, or name one it has.".to_owned(),
                );
            }
            if listed != Some(true) {
                return Verdict::Unknown;
            }
        }
        Verdict::Ok
    }

    fn just(&self, cwd: &str, file: Option<&str>, recipe: Option<&str>, text: &str) -> Verdict {
        if self.state.just.is_empty() {
            return Verdict::Unknown;
        }
        // just looks for its file in the working folder and then upwards.
        let found = match file {
            Some(f) => join(cwd, f).and_then(|p| self.state.just.get_key_value(&p)),
            None => {
                let mut dir = Some(cwd.to_owned());
                let mut hit = None;
                while let Some(d) = dir {
                    hit = JUSTFILES
                        .iter()
                        .filter_map(|j| join(&d, j))
                        .find_map(|p| self.state.just.get_key_value(&p));
                    if hit.is_some() || d.is_empty() {
                        break;
                    }
                    dir = Some(split_path(&d).0.to_owned());
                }
                hit
            }
        };
        let Some((path, goals)) = found else {
            return Verdict::Broken(
                format!("{}: there is no justfile here or above", shown(text)),
                "Run just where the justfile is, or update the command.".to_owned(),
            );
        };
        match recipe.map(|r| goals.allows(r)) {
            None | Some(Some(true)) => Verdict::Ok,
            Some(None) => Verdict::Unknown,
            Some(Some(false)) => Verdict::Broken(
                format!(
                    "{}: `{path}` has no recipe `{}`",
                    shown(text),
                    recipe.unwrap_or("")
                ),
                "Add the recipe to the justfile, or name one it has.".to_owned(),
            ),
        }
    }

    fn npm(
        &self,
        cwd: &str,
        prefix: Option<&str>,
        name: &str,
        shorthand: bool,
        text: &str,
    ) -> Verdict {
        if self.state.npm.is_empty() {
            return Verdict::Unknown;
        }
        // npm uses the nearest package.json at or above the working folder; with a workspace
        // filter, or when there is none, any package of the repository may hold the script.
        let nearest = match prefix {
            Some("") => None,
            p => {
                let mut dir = join(cwd, p.unwrap_or(""));
                let mut hit = None;
                while let Some(d) = dir {
                    if let Some(pkg) = self.state.npm.get_key_value(&d) {
                        hit = Some(pkg);
                        break;
                    }
                    dir = (!d.is_empty()).then(|| split_path(&d).0.to_owned());
                }
                hit
            }
        };
        let packages: Vec<(&String, &NpmPackage)> = match nearest {
            Some(hit) => vec![hit],
            None => self.state.npm.iter().collect(),
        };
        let has = packages
            .iter()
            .any(|(_, p)| p.scripts.contains(name) || (name == "start" && p.has_server_js));
        if has {
            return Verdict::Ok;
        }
        if shorthand
            && (KNOWN_BINARIES.contains(&name)
                || packages.iter().any(|(_, p)| p.binaries.contains(name)))
        {
            return Verdict::Unknown;
        }
        let place = match packages.as_slice() {
            [(dir, _)] => format!("`{}`", join(dir, "package.json").unwrap_or_default()),
            _ => "any package.json".to_owned(),
        };
        Verdict::Broken(
            format!("{}: no script `{name}` in {place}", shown(text)),
            "Add the script to package.json, or name one it has.".to_owned(),
        )
    }

    fn cargo(&self, kind: CargoKind, name: &str, text: &str) -> Verdict {
        if self.state.cargo.is_empty() {
            return Verdict::Unknown;
        }
        let file = |dir: &str, rel: &str| {
            join(dir, rel).is_some_and(|p| self.tree.kind(&p) == PathKind::File)
        };
        let found = self.state.cargo.iter().any(|(dir, m)| match kind {
            CargoKind::Package => m.package.as_deref() == Some(name),
            CargoKind::Bin => {
                m.bins.contains(name)
                    || (m.autobins
                        && ((m.package.as_deref() == Some(name) && file(dir, "src/main.rs"))
                            || file(dir, &format!("src/bin/{name}.rs"))
                            || file(dir, &format!("src/bin/{name}/main.rs"))))
            }
            CargoKind::Example => {
                m.examples.contains(name)
                    || (m.autoexamples
                        && (file(dir, &format!("examples/{name}.rs"))
                            || file(dir, &format!("examples/{name}/main.rs"))))
            }
        });
        if found {
            return Verdict::Ok;
        }
        let what = match kind {
            CargoKind::Bin => "binary",
            CargoKind::Example => "example",
            CargoKind::Package => "package",
        };
        Verdict::Broken(
            format!("{}: no {what} `{name}` in the Cargo workspace", shown(text)),
            format!("Name an existing {what} (see Cargo.toml, src/bin/ and examples/), or add it."),
        )
    }
}

#[cfg(test)]
mod tests;
