//! Report files named in the configuration: which walk files they select, and reading the ones
//! the walk could not offer.
//!
//! Checks never read files themselves: the shared walk reads each file once. Reports are the
//! one exception, and only when the user names them: coverage and lint outputs are build
//! artefacts that projects usually git-ignore (`coverage/`, `target/`), so the walk, which
//! honours `.gitignore`, never sees them. A path written in `quality.coverage.reports` or
//! `quality.imports.*` is an input the user handed to vigil, like the configuration or the
//! baseline file, so when the walk did not offer it (ignored, excluded or over the size limit)
//! the check reads it once in its repository hook. Globs select only among the files the walk
//! saw: expanding them over ignored folders would mean a second walk of the tree.
//!
//! A plain path that does not exist is an input error (the run exits 2 and names it): a
//! configured report that is missing usually means the test step failed to write it, and a
//! silent pass would hide that. A glob that matches nothing is reported in the check's notes.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use globset::{GlobBuilder, GlobMatcher};

use crate::walk::{FileIndex, FileKind};

/// Largest report read outside the walk, in bytes.
pub(crate) const MAX_REPORT_BYTES: u64 = 512 * 1024 * 1024;

/// The files one configuration list selects.
#[derive(Debug, Clone)]
pub(crate) struct Selection {
    /// Config key of the list, for messages (e.g. `quality.coverage.reports`).
    key: &'static str,
    /// Plain paths, as written and as normalized repo-relative paths (`None` when outside the
    /// repository).
    literals: Vec<(String, Option<String>)>,
    /// Globs, as written and compiled.
    globs: Vec<(String, GlobMatcher)>,
}

/// A configured file the walk did not offer, read by the check.
#[derive(Debug)]
pub(crate) struct Outside {
    /// Repo-relative path, or the path as written when it is outside the repository.
    pub(crate) display: String,
    /// Whether `display` is a repo-relative path (usable as a finding location).
    pub(crate) in_repo: bool,
    /// The bytes, or why they could not be used.
    pub(crate) bytes: std::result::Result<Vec<u8>, String>,
}

impl Selection {
    /// Compile the entries of config list `key`; an invalid glob is an error naming it.
    pub(crate) fn new(key: &'static str, entries: &[String]) -> Result<Self> {
        let mut literals = Vec::new();
        let mut globs = Vec::new();
        for e in entries {
            let trimmed = e.trim();
            if trimmed.is_empty() {
                bail!("{key}: an entry is empty; write a path such as `coverage/lcov.info`");
            }
            if trimmed.contains(['*', '?', '[', '{']) {
                let glob = GlobBuilder::new(trimmed.trim_start_matches("./"))
                    .literal_separator(true)
                    .build()
                    .with_context(|| format!("{key}: invalid glob `{trimmed}`"))?;
                globs.push((trimmed.to_owned(), glob.compile_matcher()));
            } else {
                literals.push((trimmed.to_owned(), relative(trimmed)));
            }
        }
        Ok(Self {
            key,
            literals,
            globs,
        })
    }

    /// Whether the list names the repo-relative `path`.
    pub(crate) fn matches(&self, path: &str) -> bool {
        self.literals
            .iter()
            .any(|(_, rel)| rel.as_deref() == Some(path))
            || self.globs.iter().any(|(_, g)| g.is_match(path))
    }

    /// Globs of the list that match no file of the walk.
    pub(crate) fn unmatched_globs(&self, index: &FileIndex) -> Vec<String> {
        self.globs
            .iter()
            .filter(|(_, g)| !index.files.iter().any(|f| g.is_match(&f.path)))
            .map(|(text, _)| text.clone())
            .collect()
    }

    /// Read the plain paths of the list the walk did not offer (`offered` holds the paths it
    /// did). A path that does not exist is an error naming the config key.
    pub(crate) fn read_outside(
        &self,
        root: &Path,
        index: &FileIndex,
        offered: &BTreeSet<String>,
    ) -> Result<Vec<Outside>> {
        let mut out = Vec::new();
        for (written, rel) in &self.literals {
            if rel.as_ref().is_some_and(|r| offered.contains(r)) {
                continue;
            }
            let kind = rel.as_ref().and_then(|r| {
                index
                    .files
                    .binary_search_by(|f| f.path.as_str().cmp(r))
                    .ok()
                    .map(|i| index.files[i].kind)
            });
            let display = rel.clone().unwrap_or_else(|| written.clone());
            let in_repo = rel.is_some();
            if kind == Some(FileKind::Binary) {
                out.push(Outside {
                    display,
                    in_repo,
                    bytes: Err("the file is binary".to_owned()),
                });
                continue;
            }
            let abs: PathBuf = root.join(written);
            let meta = match std::fs::metadata(&abs) {
                Ok(m) if m.is_file() => m,
                Ok(_) => bail!("{}: `{written}` is not a file", self.key),
                Err(e) => bail!(
                    "{}: `{written}` cannot be read ({e}); produce it before running vigil, or \
                     fix the path (relative to the repository root)",
                    self.key
                ),
            };
            let bytes = if meta.len() > MAX_REPORT_BYTES {
                Err(format!(
                    "the file is {} MiB, more than the {} MiB vigil reads",
                    meta.len() / (1024 * 1024),
                    MAX_REPORT_BYTES / (1024 * 1024)
                ))
            } else {
                std::fs::read(&abs).map_err(|e| format!("cannot be read: {e}"))
            };
            out.push(Outside {
                display,
                in_repo,
                bytes,
            });
        }
        Ok(out)
    }
}

/// A configured path made repo-relative and normalized; `None` when absolute or leaving the
/// repository through `..`.
fn relative(path: &str) -> Option<String> {
    let path = path.replace('\\', "/");
    let b = path.as_bytes();
    if path.starts_with('/') || (b.len() >= 2 && b[1] == b':') {
        return None;
    }
    let mut out: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                out.pop()?;
            }
            p => out.push(p),
        }
    }
    (!out.is_empty()).then(|| out.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::walk::FileEntry;

    #[test]
    fn selects_literals_and_globs() {
        let s = Selection::new(
            "quality.coverage.reports",
            &[
                "./coverage/lcov.info".into(),
                "build/**/*.xml".into(),
                "/abs/x".into(),
            ],
        )
        .expect("valid");
        assert!(s.matches("coverage/lcov.info"));
        assert!(s.matches("build/a/b/jacoco.xml"));
        assert!(!s.matches("build.xml"));
        assert!(!s.matches("/abs/x"));
        let err = Selection::new("quality.imports.sarif", &["a/[".into()]).expect_err("bad glob");
        assert!(format!("{err:#}").contains("quality.imports.sarif"));
    }

    #[test]
    fn reads_configured_files_the_walk_skipped() {
        let dir = tempfile::tempdir().expect("tmp");
        std::fs::create_dir_all(dir.path().join("cov")).expect("mkdir");
        std::fs::write(dir.path().join("cov/lcov.info"), "SF:a\n").expect("write");
        let index = FileIndex {
            files: vec![FileEntry {
                path: "seen.info".into(),
                size: 1,
                kind: FileKind::Text,
            }],
            ignores: Default::default(),
        };
        let offered = BTreeSet::from(["seen.info".to_owned()]);
        let s = Selection::new("k", &["cov/lcov.info".into(), "seen.info".into()]).expect("ok");
        let got = s.read_outside(dir.path(), &index, &offered).expect("read");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].display, "cov/lcov.info");
        assert_eq!(got[0].bytes.as_deref(), Ok(&b"SF:a\n"[..]));
        let missing = Selection::new("k", &["nope.info".into()]).expect("ok");
        let err = missing
            .read_outside(dir.path(), &index, &offered)
            .expect_err("missing");
        assert!(
            format!("{err:#}").starts_with("k: `nope.info` cannot be read"),
            "{err:#}"
        );
        let globs = Selection::new("k", &["**/*.lcov".into()]).expect("ok");
        assert_eq!(globs.unmatched_globs(&index), ["**/*.lcov"]);
    }
}
