//! Shared reading of TOML lockfiles made of `[[package]]` tables (Cargo.lock, poetry.lock,
//! uv.lock).
//!
//! Entries are deserialized with the span of their `name`, and the line reported for an entry
//! is the line of the `[[package]]` header that opens it (the nearest one before the name).

use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::lockfile::line_at;

#[derive(Deserialize)]
struct Document<T> {
    #[serde(default = "Vec::new")]
    package: Vec<T>,
}

/// Every `[[package]]` entry of a TOML lockfile.
pub(crate) fn entries<T: DeserializeOwned>(text: &str) -> Result<Vec<T>, String> {
    toml::from_str::<Document<T>>(text)
        .map(|d| d.package)
        .map_err(|e| toml_error(text, &e))
}

/// A one-line description of a TOML error, with its line when known.
fn toml_error(text: &str, e: &toml::de::Error) -> String {
    let message = e.message().trim().replace('\n', " ");
    match e.span() {
        Some(span) => format!("line {}: {message}", line_at(text, span.start)),
        None => message,
    }
}

/// The line of the `[[package]]` header that opens the entry whose name is at byte `offset`.
pub(crate) fn entry_line(text: &str, offset: usize) -> u32 {
    let before = &text[..offset.min(text.len())];
    let mut search = before;
    while let Some(pos) = search.rfind("[[package]]") {
        let at_line_start = pos == 0 || before.as_bytes()[pos - 1] == b'\n';
        if at_line_start {
            return line_at(text, pos);
        }
        search = &before[..pos];
    }
    line_at(text, offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Entry {
        name: toml::Spanned<String>,
    }

    #[test]
    fn lines_point_at_package_headers() {
        let text = "version = 3\n\n[[package]]\nname = \"a\"\n\n# [[package]] in a comment\n[[package]]\nversion = \"1\"\nname = \"b\"\n";
        let got: Vec<(String, u32)> = entries::<Entry>(text)
            .unwrap_or_default()
            .into_iter()
            .map(|e| {
                (
                    e.name.get_ref().clone(),
                    entry_line(text, e.name.span().start),
                )
            })
            .collect();
        assert_eq!(got, vec![("a".to_owned(), 3), ("b".to_owned(), 7)]);
    }

    #[test]
    fn errors_name_the_line() {
        let err = entries::<Entry>("[[package]]\nname = \"a\"\n[[package]]\nname = \n")
            .err()
            .unwrap_or_default();
        assert!(err.starts_with("line 4:"), "{err}");
        let err = entries::<Entry>("[[package]]\nversion = \"1\"\n")
            .err()
            .unwrap_or_default();
        assert!(err.contains("name"), "{err}");
    }
}
