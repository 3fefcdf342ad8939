//! Turning the paths other tools write into repo-relative paths of files the walk saw.
//!
//! Reports name files in many ways: absolute paths of the machine that ran the tests (often a
//! CI runner, not this one), paths relative to where the tool ran, `file://` URIs (SARIF),
//! Windows separators, or paths relative to a source folder the report does not name (JaCoCo's
//! `org/example/Foo.java`). [`PathResolver::resolve`] tries, in order:
//!
//! 1. the path itself, and each source root joined with it (Cobertura `<source>`), made
//!    relative to the repository root;
//! 2. the longest tail of the path that is a file of the repository
//!    (`/home/runner/work/app/app/src/lib.rs` → `src/lib.rs`);
//! 3. the one repository file whose path ends with the whole path
//!    (`org/example/Foo.java` → `app/src/main/java/org/example/Foo.java`); several candidates
//!    are ambiguous and resolve to nothing.
//!
//! A path that resolves to no file of the walk (system headers, dependencies, generated code
//! in ignored folders, excluded paths, deleted files) is left out by the callers and counted,
//! so coverage and imported findings are about this repository's files only.

use std::collections::HashMap;
use std::path::Path;

use crate::walk::FileIndex;

/// Resolves report paths against the repository root and the walk's file list.
#[derive(Debug)]
pub(crate) struct PathResolver<'a> {
    /// Canonical root, `/`-separated, without a trailing `/`.
    root: String,
    index: &'a FileIndex,
    /// Repository files by file name.
    by_name: HashMap<&'a str, Vec<&'a str>>,
}

impl<'a> PathResolver<'a> {
    /// A resolver for the repository at `root` whose files are `index`.
    pub(crate) fn new(root: &Path, index: &'a FileIndex) -> Self {
        let mut root = slashes(&root.to_string_lossy());
        if let Some(stripped) = root.strip_prefix("//?/") {
            root = stripped.to_owned();
        }
        while root.len() > 1 && root.ends_with('/') {
            root.pop();
        }
        let mut by_name: HashMap<&str, Vec<&str>> = HashMap::new();
        for f in &index.files {
            let name = f.path.rsplit('/').next().unwrap_or(&f.path);
            by_name.entry(name).or_default().push(&f.path);
        }
        Self {
            root,
            index,
            by_name,
        }
    }

    /// Repo-relative path of the repository file `raw` names, trying each of `source_roots`
    /// for a relative `raw`; `None` when it is not a file of the walk.
    pub(crate) fn resolve(&self, raw: &str, source_roots: &[String]) -> Option<String> {
        let path = clean_uri(raw);
        if path.is_empty() {
            return None;
        }
        let mut candidates: Vec<String> = Vec::new();
        if !is_absolute(&path) {
            for r in source_roots {
                let r = clean_uri(r);
                if !r.is_empty() {
                    candidates.push(format!("{}/{path}", r.trim_end_matches('/')));
                }
            }
        }
        candidates.push(path.clone());
        for c in &candidates {
            if let Some(rel) = self.relative(c)
                && self.index.contains(&rel)
            {
                return Some(rel);
            }
        }
        let parts = components(&path);
        for k in 1..parts.len() {
            let tail = parts[k..].join("/");
            if self.index.contains(&tail) {
                return Some(tail);
            }
        }
        let whole = parts.join("/");
        let name = parts.last()?;
        let suffix = format!("/{whole}");
        let mut found = self
            .by_name
            .get(name)?
            .iter()
            .filter(|p| p.ends_with(&suffix));
        match (found.next(), found.next()) {
            (Some(only), None) => Some((*only).to_owned()),
            _ => None,
        }
    }

    /// `path` relative to the root when it is inside it (or already relative), normalized.
    fn relative(&self, path: &str) -> Option<String> {
        if is_absolute(path) {
            let rest = path.strip_prefix(&self.root)?;
            if !rest.is_empty() && !rest.starts_with('/') && !self.root.ends_with('/') {
                return None; // `/repo-other/x` is not inside `/repo`
            }
            normalize(rest)
        } else {
            normalize(path)
        }
    }
}

/// `\` → `/`.
fn slashes(s: &str) -> String {
    s.replace('\\', "/")
}

/// A `file://` URI or a path, as a `/`-separated path with percent-escapes decoded (URIs only).
pub(crate) fn clean_uri(raw: &str) -> String {
    let raw = raw.trim();
    let path = match raw.strip_prefix("file://") {
        Some(rest) => {
            // `file:///abs`, `file://localhost/abs`, `file:///C:/x`.
            let rest = rest.strip_prefix("localhost").unwrap_or(rest);
            let decoded = percent_encoding::percent_decode_str(rest)
                .decode_utf8_lossy()
                .into_owned();
            let bytes = decoded.as_bytes();
            if bytes.len() > 3 && bytes[0] == b'/' && bytes[2] == b':' {
                decoded[1..].to_owned()
            } else {
                decoded
            }
        }
        None => raw.to_owned(),
    };
    slashes(&path)
}

/// Whether a `/`-separated path is absolute (`/x` or `C:/x`).
fn is_absolute(path: &str) -> bool {
    let b = path.as_bytes();
    path.starts_with('/') || (b.len() >= 3 && b[0].is_ascii_alphabetic() && &b[1..3] == b":/")
}

/// Path components without empty and `.` parts; `..` drops what precedes it.
fn components(path: &str) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            p => out.push(p),
        }
    }
    out
}

/// A relative path normalized; `None` when `..` leaves the root.
fn normalize(path: &str) -> Option<String> {
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
    Some(out.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::walk::{FileEntry, FileKind};

    fn index(paths: &[&str]) -> FileIndex {
        let mut files: Vec<FileEntry> = paths
            .iter()
            .map(|p| FileEntry {
                path: (*p).to_owned(),
                size: 1,
                kind: FileKind::NotRead,
            })
            .collect();
        files.sort_by(|a, b| a.path.cmp(&b.path));
        FileIndex {
            files,
            ignores: Default::default(),
        }
    }

    #[test]
    fn resolves_every_way_tools_write_paths() {
        let idx = index(&[
            "src/lib.rs",
            "app/src/main/java/org/example/Foo.java",
            "a/x/Dup.java",
            "b/x/Dup.java",
            "setup.py",
        ]);
        let r = PathResolver::new(Path::new("/work/repo"), &idx);
        let none: &[String] = &[];
        assert_eq!(r.resolve("src/lib.rs", none).as_deref(), Some("src/lib.rs"));
        assert_eq!(
            r.resolve("./src/../src/lib.rs", none).as_deref(),
            Some("src/lib.rs")
        );
        assert_eq!(
            r.resolve("/work/repo/src/lib.rs", none).as_deref(),
            Some("src/lib.rs")
        );
        assert_eq!(
            r.resolve("file:///work/repo/src/lib.rs", none).as_deref(),
            Some("src/lib.rs")
        );
        assert_eq!(
            r.resolve("/home/runner/work/repo/repo/src/lib.rs", none)
                .as_deref(),
            Some("src/lib.rs")
        );
        assert_eq!(
            r.resolve("C:\\ci\\repo\\src\\lib.rs", none).as_deref(),
            Some("src/lib.rs")
        );
        assert_eq!(
            r.resolve("lib.rs", &["/work/repo/src".to_owned()])
                .as_deref(),
            Some("src/lib.rs")
        );
        assert_eq!(
            r.resolve("org/example/Foo.java", none).as_deref(),
            Some("app/src/main/java/org/example/Foo.java")
        );
        assert_eq!(r.resolve("x/Dup.java", none), None, "ambiguous");
        assert_eq!(r.resolve("/usr/include/stdio.h", none), None);
        assert_eq!(
            r.resolve("/work/repo-other/setup.py", none).as_deref(),
            Some("setup.py")
        );
        assert_eq!(r.resolve("", none), None);
    }

    #[test]
    fn decodes_file_uris() {
        assert_eq!(clean_uri("file:///tmp/a%20b/c.py"), "/tmp/a b/c.py");
        assert_eq!(clean_uri("file:///C:/src/x.cs"), "C:/src/x.cs");
        assert_eq!(clean_uri("src\\x.cs"), "src/x.cs");
    }
}
