//! `Cargo.lock`: `[[package]]` tables with `name`, `version` and `source`.
//!
//! Only packages from crates.io are returned (`source` is the crates.io git or sparse index):
//! workspace members have no source, and git, path and private-registry packages are not the
//! releases advisories describe.

use serde::Deserialize;

use super::lockfile::{Ecosystem, Package};
use super::toml_lock::{entries, entry_line};

/// `source` of a crates.io package, as Cargo writes it for the git and the sparse index.
const CRATES_IO_SOURCES: [&str; 2] = [
    "registry+https://github.com/rust-lang/crates.io-index",
    "sparse+https://index.crates.io/",
];

#[derive(Deserialize)]
struct Entry {
    name: toml::Spanned<String>,
    version: String,
    #[serde(default)]
    source: Option<String>,
}

/// The crates.io packages of a `Cargo.lock`.
pub(crate) fn parse(text: &str) -> Result<Vec<Package>, String> {
    Ok(entries::<Entry>(text)?
        .into_iter()
        .filter(|e| {
            e.source
                .as_deref()
                .is_some_and(|s| CRATES_IO_SOURCES.contains(&s))
        })
        .map(|e| Package {
            line: entry_line(text, e.name.span().start),
            name: e.name.into_inner(),
            version: e.version,
            ecosystem: Ecosystem::CratesIo,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_crates_io_packages_only() {
        let text = r#"version = 4

[[package]]
name = "app"
version = "0.1.0"

[[package]]
name = "time"
version = "0.1.45"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "abc"

[[package]]
name = "local-fork"
version = "1.0.0"
source = "git+https://github.com/x/y?rev=1#1"

[[package]]
name = "smallvec"
version = "1.6.0"
source = "sparse+https://index.crates.io/"
"#;
        let got: Vec<(String, String, u32)> = parse(text)
            .unwrap_or_default()
            .into_iter()
            .map(|p| (p.name, p.version, p.line))
            .collect();
        assert_eq!(
            got,
            vec![
                ("time".into(), "0.1.45".into(), 7),
                ("smallvec".into(), "1.6.0".into(), 18)
            ]
        );
    }

    #[test]
    fn malformed_is_an_error_with_a_line() {
        let err = parse("[[package]]\nname = \"x\"\nversion = 1\n").err();
        assert!(err.is_some_and(|e| e.starts_with("line 3:")));
    }
}
