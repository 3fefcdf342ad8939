//! `go.sum`: one `module version hash` line per module version, plus a `module version/go.mod
//! hash` line for every go.mod the build consulted.
//!
//! A version listed only with `/go.mod` is a module whose requirements Go read while selecting
//! versions but whose code is not part of the build (minimal version selection picked a newer
//! one), so only versions with a content hash are packages; their `/go.mod` twin is the same
//! package and is not reported again. The line is the content-hash line.

use std::collections::BTreeMap;

use super::lockfile::{Ecosystem, Package};

/// The modules of a `go.sum` whose code is part of the build.
pub(crate) fn parse(text: &str) -> Result<Vec<Package>, String> {
    let mut content: BTreeMap<(&str, &str), u32> = BTreeMap::new();
    for (i, raw) in text.lines().enumerate() {
        let line = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            continue;
        }
        let fields: Vec<&str> = trimmed.split_whitespace().collect();
        let [module, version, hash] = fields[..] else {
            return Err(format!(
                "line {line}: expected `module version hash`, found `{trimmed}`"
            ));
        };
        if !hash.contains(':') || !version.starts_with('v') {
            return Err(format!(
                "line {line}: `{trimmed}` is not a `module vX.Y.Z h1:hash` line"
            ));
        }
        if version.ends_with("/go.mod") {
            continue;
        }
        content.entry((module, version)).or_insert(line);
    }
    Ok(content
        .into_iter()
        .map(|((module, version), line)| Package {
            name: module.to_owned(),
            version: version.to_owned(),
            ecosystem: Ecosystem::Go,
            line,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_built_modules_once() {
        let text = "golang.org/x/text v0.3.0/go.mod h1:aaa=\n\
                    golang.org/x/text v0.3.7 h1:bbb=\n\
                    golang.org/x/text v0.3.7/go.mod h1:ccc=\n\
                    \n\
                    github.com/a/b v1.0.0+incompatible h1:ddd=\n";
        let got: Vec<(String, String, u32)> = parse(text)
            .unwrap_or_default()
            .into_iter()
            .map(|p| (p.name, p.version, p.line))
            .collect();
        assert_eq!(
            got,
            vec![
                ("github.com/a/b".into(), "v1.0.0+incompatible".into(), 5),
                ("golang.org/x/text".into(), "v0.3.7".into(), 2),
            ]
        );
    }

    #[test]
    fn malformed_lines_are_errors() {
        assert!(parse("golang.org/x/text v0.3.7\n").is_err_and(|e| e.starts_with("line 1:")));
        assert!(parse("a b c d\n").is_err());
        assert!(
            parse("ok v1.0.0 h1:x=\nmod 1.0.0 h1:y=\n").is_err_and(|e| e.starts_with("line 2:"))
        );
    }
}
