//! `poetry.lock`: `[[package]]` tables with `name`, `version` and an optional
//! `[package.source]`.
//!
//! Packages whose source is a git repository or a local directory are left out: they are not
//! PyPI releases.

use serde::Deserialize;

use super::lockfile::{Ecosystem, Package};
use super::toml_lock::{entries, entry_line};

#[derive(Deserialize)]
struct Entry {
    name: toml::Spanned<String>,
    version: String,
    #[serde(default)]
    source: Option<Source>,
}

#[derive(Deserialize)]
struct Source {
    #[serde(rename = "type", default)]
    kind: Option<String>,
}

/// The PyPI packages of a `poetry.lock`.
pub(crate) fn parse(text: &str) -> Result<Vec<Package>, String> {
    Ok(entries::<Entry>(text)?
        .into_iter()
        .filter(|e| {
            !e.source
                .as_ref()
                .and_then(|s| s.kind.as_deref())
                .is_some_and(|k| matches!(k, "git" | "directory"))
        })
        .map(|e| Package {
            line: entry_line(text, e.name.span().start),
            name: e.name.into_inner(),
            version: e.version,
            ecosystem: Ecosystem::PyPi,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_git_and_directory_sources() {
        let text = r#"[[package]]
name = "jinja2"
version = "2.10"
description = "x"

[[package]]
name = "mylib"
version = "0.1.0"

[package.source]
type = "directory"
url = "../mylib"

[[package]]
name = "requests"
version = "2.19.0"

[package.source]
type = "legacy"
url = "https://mirror.example/simple"

[metadata]
lock-version = "2.0"
"#;
        let got: Vec<(String, u32)> = parse(text)
            .unwrap_or_default()
            .into_iter()
            .map(|p| (p.name, p.line))
            .collect();
        assert_eq!(got, vec![("jinja2".into(), 1), ("requests".into(), 14)]);
    }
}
