//! Judging what pages reference against the index and the manifests: does the path exist,
//! does the Makefile, justfile, package.json or Cargo workspace define the name?
//!
//! Each reference ends as a [`Verdict`]: verified, broken (a finding), or unknowable (not
//! counted) — see the module docs of [`super`] for what cannot be known.

use std::path::Path;

use super::manifests::NpmPackage;
use super::shell::{CargoKind, Invocation};
use super::{Item, JUSTFILES, KNOWN_BINARIES, MAKEFILES, RULES, State, join, split_path};
use crate::model::Finding;
use crate::pipelines::Sink;
use crate::pipelines::documentation::target::{self, PathKind, TreeIndex};
use crate::pipelines::documentation::{at, shown};

/// The root `.gitignore` as a matcher.
pub(super) fn gitignore(root: &Path, text: Option<&str>) -> ignore::gitignore::Gitignore {
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
pub(super) struct Tally {
    pub(super) paths: usize,
    pub(super) paths_broken: usize,
    pub(super) commands: usize,
    pub(super) commands_broken: usize,
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
pub(super) struct Judge<'a> {
    pub(super) tree: TreeIndex<'a>,
    pub(super) root: &'a Path,
    pub(super) gitignore: ignore::gitignore::Gitignore,
    pub(super) state: &'a State,
}

impl Judge<'_> {
    pub(super) fn page(&self, page: &str, items: &[Item], tally: &mut Tally, sink: &mut Sink) {
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
            // `../../issues` is GitHub's issue page seen from a file, not a path.
            let climbed = written.split('/').find(|s| *s != "..").unwrap_or("");
            if target::is_github_route(climbed) {
                return Verdict::Unknown;
            }
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
