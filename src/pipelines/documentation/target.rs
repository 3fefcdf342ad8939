//! What a link target means on GitHub, and whether it exists in the repository.
//!
//! [`classify`] turns a target as written in a page into a [`Target`]: an external URL, a
//! scheme vigil does not check (`mailto:`, `tel:`, …), a GitHub page reached by climbing out of
//! the file tree (`../../issues`, `../../wiki`), a path that leaves the repository, or a local
//! path. Local paths are resolved the way GitHub resolves them: relative to the page's folder,
//! or to the repository root when they start with `/`; `.` and `..` segments are folded;
//! percent-escapes are decoded; the query (`?plain=1`) and the fragment are split off.
//!
//! [`TreeIndex`] answers "is this a file, a folder, or neither?" against the walk's
//! [`FileIndex`], case-sensitively as on Linux and GitHub. A folder exists when some file lies
//! under it.

use std::borrow::Cow;

use percent_encoding::percent_decode_str;

use crate::walk::FileIndex;

/// GitHub pages a README reaches with `../../<route>` (from `blob/<branch>/`).
const GITHUB_ROUTES: &[&str] = &[
    "actions",
    "blob",
    "branches",
    "commit",
    "commits",
    "compare",
    "discussions",
    "graphs",
    "issues",
    "labels",
    "milestones",
    "network",
    "projects",
    "pulls",
    "pulse",
    "releases",
    "security",
    "settings",
    "stargazers",
    "tags",
    "tree",
    "wiki",
];

/// Whether `segment` names one of GitHub's pages for a repository (`issues`, `wiki`, …).
pub(crate) fn is_github_route(segment: &str) -> bool {
    GITHUB_ROUTES.contains(&segment)
}

/// A link target, classified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// `http://` or `https://` (or protocol-relative `//host`).
    External(String),
    /// A scheme vigil does not check (`mailto:`, `tel:`, `data:`, …) or an empty target.
    Unchecked,
    /// A GitHub page outside the file tree, such as `../../issues`; not checked.
    GitHubPage(String),
    /// A relative path that climbs above the repository root.
    OutsideRepo(String),
    /// A path in the repository (possibly the page itself, `""` being the root folder).
    Local(LocalTarget),
}

/// A resolved local target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LocalTarget {
    /// Repository-relative path, `/`-separated, without `.`/`..`, without a trailing `/`.
    pub(crate) path: String,
    /// Whether the target was written with a trailing `/` (only a folder matches then).
    pub(crate) wants_folder: bool,
    /// Decoded fragment without `#`, when one was given and is not empty.
    pub(crate) fragment: Option<String>,
    /// The query without `?`, when one was given.
    pub(crate) query: Option<String>,
    /// Whether the target is the linking page itself (`#anchor`, `?plain=1#L3`).
    pub(crate) same_page: bool,
}

/// Classify `dest`, written in the page at repository path `page`.
pub(crate) fn classify(dest: &str, page: &str) -> Target {
    let dest = dest.trim();
    if dest.is_empty() {
        return Target::Unchecked;
    }
    if dest.starts_with("//") {
        return Target::External(format!("https:{dest}"));
    }
    if let Some(scheme) = scheme_of(dest) {
        return if scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https") {
            Target::External(dest.to_owned())
        } else {
            Target::Unchecked
        };
    }
    let (before_fragment, fragment) = match dest.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (dest, None),
    };
    let (raw_path, query) = match before_fragment.split_once('?') {
        Some((p, q)) => (p, Some(q.to_owned())),
        None => (before_fragment, None),
    };
    let fragment = fragment
        .map(|f| percent_decode_str(f).decode_utf8_lossy().into_owned())
        .filter(|f| !f.is_empty());
    if raw_path.is_empty() {
        return Target::Local(LocalTarget {
            path: page.to_owned(),
            wants_folder: false,
            fragment,
            query,
            same_page: true,
        });
    }
    let decoded: Cow<'_, str> = percent_decode_str(raw_path).decode_utf8_lossy();
    let (base, rel) = match decoded.strip_prefix('/') {
        Some(rest) => ("", rest),
        None => (page.rsplit_once('/').map_or("", |(dir, _)| dir), &*decoded),
    };
    let mut parts: Vec<&str> = base.split('/').filter(|s| !s.is_empty()).collect();
    let mut above = 0usize;
    let mut beyond: Vec<&str> = Vec::new();
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    above += 1;
                }
            }
            s if above > 0 => beyond.push(s),
            s => parts.push(s),
        }
    }
    if above > 0 {
        return if above == 2 && beyond.first().is_some_and(|r| is_github_route(r)) {
            Target::GitHubPage(dest.to_owned())
        } else {
            Target::OutsideRepo(dest.to_owned())
        };
    }
    let path = parts.join("/");
    Target::Local(LocalTarget {
        same_page: path == page,
        path,
        wants_folder: decoded.ends_with('/'),
        fragment,
        query,
    })
}

/// The scheme of an absolute URI (`https`, `mailto`), if `dest` starts with one.
fn scheme_of(dest: &str) -> Option<&str> {
    let colon = dest.find(':')?;
    let scheme = &dest[..colon];
    let mut chars = scheme.chars();
    let first = chars.next()?;
    // A single letter is a Windows drive (`C:\…`), not a scheme.
    (first.is_ascii_alphabetic()
        && scheme.len() > 1
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
    .then_some(scheme)
}

/// What a repository path is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PathKind {
    /// A file the walk saw.
    File,
    /// A folder holding at least one file the walk saw.
    Folder,
    /// Neither.
    Missing,
}

/// Path lookups over the walk's index.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TreeIndex<'a> {
    index: &'a FileIndex,
}

impl<'a> TreeIndex<'a> {
    /// Lookups over `index`.
    pub(crate) fn new(index: &'a FileIndex) -> Self {
        Self { index }
    }

    /// Whether `path` is a file, a folder, or missing (`""` is the root folder).
    pub(crate) fn kind(&self, path: &str) -> PathKind {
        if path.is_empty() {
            return PathKind::Folder;
        }
        if self.index.contains(path) {
            return PathKind::File;
        }
        let files = &self.index.files;
        let i = files.partition_point(|f| f.path.as_str() < path);
        let under = files
            .get(i..)
            .into_iter()
            .flatten()
            .take_while(|f| f.path.starts_with(path));
        for f in under {
            if f.path.as_bytes().get(path.len()) == Some(&b'/') {
                return PathKind::Folder;
            }
        }
        PathKind::Missing
    }
}

/// Whether a GitHub fragment is a line anchor (`L10`, `L10-L20`, `L10C2-L12C5`); returns the
/// last line it names.
pub(crate) fn line_anchor(fragment: &str) -> Option<u32> {
    fn line(s: &str) -> Option<(u32, &str)> {
        let s = s.strip_prefix('L')?;
        let digits = s.bytes().take_while(u8::is_ascii_digit).count();
        let n: u32 = s[..digits].parse().ok()?;
        let mut rest = &s[digits..];
        if let Some(c) = rest.strip_prefix('C') {
            let d = c.bytes().take_while(u8::is_ascii_digit).count();
            if d == 0 {
                return None;
            }
            rest = &c[d..];
        }
        (n > 0).then_some((n, rest))
    }
    let (first, rest) = line(fragment)?;
    if rest.is_empty() {
        return Some(first);
    }
    let (last, rest) = line(rest.strip_prefix('-')?)?;
    (rest.is_empty() && last >= first).then_some(last)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::walk::{FileEntry, FileKind};

    fn local(dest: &str, page: &str) -> LocalTarget {
        match classify(dest, page) {
            Target::Local(l) => l,
            other => panic!("{dest}: {other:?}"),
        }
    }

    #[test]
    fn resolves_like_github() {
        assert_eq!(local("b.md", "docs/a.md").path, "docs/b.md");
        assert_eq!(local("./b.md", "docs/a.md").path, "docs/b.md");
        assert_eq!(local("../README.md", "docs/a.md").path, "README.md");
        assert_eq!(local("/src/lib.rs", "docs/deep/a.md").path, "src/lib.rs");
        assert_eq!(local("my%20file.md", "a.md").path, "my file.md");
        assert_eq!(local("caf%C3%A9.md", "a.md").path, "café.md");
        let l = local("guide.md?plain=1#L3", "docs/a.md");
        assert_eq!(
            (l.path.as_str(), l.query.as_deref()),
            ("docs/guide.md", Some("plain=1"))
        );
        assert_eq!(l.fragment.as_deref(), Some("L3"));
        let l = local("#Usage%20notes", "docs/a.md");
        assert!(l.same_page);
        assert_eq!(l.fragment.as_deref(), Some("Usage notes"));
        let l = local("sub/", "a.md");
        assert!(l.wants_folder);
        assert_eq!(l.path, "sub");
        assert_eq!(local("..", "docs/a.md").path, "");
        assert_eq!(local("x.md#", "a.md").fragment, None);
    }

    #[test]
    fn classifies_non_local_targets() {
        assert_eq!(
            classify("https://x.io", "a.md"),
            Target::External("https://x.io".into())
        );
        assert_eq!(
            classify("//cdn.x.io/a", "a.md"),
            Target::External("https://cdn.x.io/a".into())
        );
        for unchecked in [
            "mailto:a@b.c",
            "tel:+1",
            "data:image/png;base64,x",
            "javascript:void(0)",
            "",
        ] {
            assert_eq!(
                classify(unchecked, "a.md"),
                Target::Unchecked,
                "{unchecked}"
            );
        }
        assert!(matches!(
            classify("../../issues", "README.md"),
            Target::GitHubPage(_)
        ));
        assert!(matches!(
            classify("../../../wiki/Home", "docs/a.md"),
            Target::GitHubPage(_)
        ));
        assert!(matches!(
            classify("../outside.md", "README.md"),
            Target::OutsideRepo(_)
        ));
        assert!(matches!(
            classify("../../src/x.md", "README.md"),
            Target::OutsideRepo(_)
        ));
        assert!(matches!(classify("C:/x.md", "a.md"), Target::Local(_)));
    }

    #[test]
    fn line_anchors() {
        assert_eq!(line_anchor("L10"), Some(10));
        assert_eq!(line_anchor("L10-L20"), Some(20));
        assert_eq!(line_anchor("L3C2-L5C9"), Some(5));
        assert_eq!(line_anchor("L0"), None);
        assert_eq!(line_anchor("L5-L2"), None);
        assert_eq!(line_anchor("Links"), None);
        assert_eq!(line_anchor("L1x"), None);
    }

    #[test]
    fn tree_index_knows_files_and_folders() {
        let files = ["a.md", "docs-old/z.md", "docs/x/y.md"]
            .map(|p| FileEntry {
                path: p.to_owned(),
                size: 0,
                kind: FileKind::NotRead,
            })
            .to_vec();
        let index = FileIndex {
            files,
            ignores: Default::default(),
        };
        let tree = TreeIndex::new(&index);
        assert_eq!(tree.kind("a.md"), PathKind::File);
        assert_eq!(tree.kind("A.md"), PathKind::Missing);
        assert_eq!(tree.kind("docs"), PathKind::Folder);
        assert_eq!(tree.kind("docs/x"), PathKind::Folder);
        assert_eq!(tree.kind("doc"), PathKind::Missing);
        assert_eq!(tree.kind("docs-old"), PathKind::Folder);
        assert_eq!(tree.kind(""), PathKind::Folder);
    }
}
