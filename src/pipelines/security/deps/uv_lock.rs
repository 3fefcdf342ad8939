//! `uv.lock`: `[[package]]` tables with `name`, `version` and `source`.
//!
//! The project itself and other local packages (`editable`, `virtual`, `directory`, `path`
//! sources) and git sources are left out, as are entries without a version (dynamic
//! versions of local packages).

use serde::Deserialize;

use super::lockfile::{Ecosystem, Package};
use super::toml_lock::{entries, entry_line};

#[derive(Deserialize)]
struct Entry {
    name: toml::Spanned<String>,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    source: Option<toml::Table>,
}

/// Source kinds that are not registry releases.
const LOCAL_SOURCES: [&str; 5] = ["editable", "virtual", "directory", "path", "git"];

/// The PyPI packages of a `uv.lock`.
pub(crate) fn parse(text: &str) -> Result<Vec<Package>, String> {
    Ok(entries::<Entry>(text)?
        .into_iter()
        .filter(|e| {
            !e.source
                .as_ref()
                .is_some_and(|s| LOCAL_SOURCES.iter().any(|k| s.contains_key(*k)))
        })
        .filter_map(|e| {
            Some(Package {
                line: entry_line(text, e.name.span().start),
                version: e.version?,
                name: e.name.into_inner(),
                ecosystem: Ecosystem::PyPi,
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_the_project_and_local_sources() {
        let text = r#"version = 1
requires-python = ">=3.12"

[[package]]
name = "app"
version = "0.1.0"
source = { editable = "." }

[[package]]
name = "django"
version = "4.2.1"
source = { registry = "https://pypi.org/simple" }
sdist = { url = "https://x", hash = "sha256:0", size = 1 }

[[package]]
name = "tool"
source = { git = "https://github.com/x/tool?rev=1#1" }
"#;
        let got: Vec<(String, String, u32)> = parse(text)
            .unwrap_or_default()
            .into_iter()
            .map(|p| (p.name, p.version, p.line))
            .collect();
        assert_eq!(got, vec![("django".into(), "4.2.1".into(), 9)]);
    }
}
