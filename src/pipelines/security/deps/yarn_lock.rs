//! `yarn.lock`, classic (v1) and berry (v2+).
//!
//! Classic lockfiles are yarn's own format: an unindented header listing the specifiers an
//! entry satisfies (`lodash@^4.17.15, lodash@^4.17.20:`), then indented fields including
//! `version "4.17.20"`. Berry lockfiles are YAML with a `__metadata` entry; each entry has a
//! `version` and a `resolution` such as `lodash@npm:4.17.21`. Only registry packages are kept:
//! in berry, resolutions using the `npm:` protocol (workspaces, patches, links, git and file
//! sources are left out; a patched package is also listed unpatched); in classic, entries
//! whose specifier is not a registry range (`file:`, `link:`, git URLs, tarball URLs). An
//! alias (`foo@npm:bar@^1`) is reported under the real name.

use serde_yaml_ng::Value;

use super::lockfile::{Ecosystem, Package};
use super::yaml_lines::top_level_key_lines;

/// The registry packages of a `yarn.lock`.
pub(crate) fn parse(text: &str) -> Result<Vec<Package>, String> {
    if text
        .lines()
        .any(|l| l.starts_with("__metadata:") || l.starts_with("\"__metadata\":"))
    {
        parse_berry(text)
    } else {
        parse_classic(text)
    }
}

/// Name of the package a specifier (`name@range`, `@scope/name@range`) is about, and the
/// range; an `npm:` alias range is resolved to the aliased package.
fn split_specifier(spec: &str) -> Option<(&str, &str)> {
    let spec = spec.trim().trim_matches('"');
    let at = spec.get(1..)?.find('@')? + 1;
    let (name, range) = (&spec[..at], &spec[at + 1..]);
    match range.strip_prefix("npm:") {
        Some(aliased) if aliased.get(1..).is_some_and(|a| a.contains('@')) => {
            split_specifier(aliased)
        }
        Some(plain_range) => Some((name, plain_range)),
        None => Some((name, range)),
    }
}

/// Whether a classic range points somewhere other than the registry: registry ranges never
/// contain `/` or `:`, while paths, URLs, git shorthands and protocols (`file:`, `link:`) do.
fn is_non_registry_range(range: &str) -> bool {
    range.contains(['/', ':'])
}

fn parse_classic(text: &str) -> Result<Vec<Package>, String> {
    let mut out = Vec::new();
    // (header line, name, is registry) of the entry being read, until its version is seen.
    let mut current: Option<(u32, String, bool)> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let raw = raw.trim_end_matches('\r');
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if !raw.starts_with(char::is_whitespace) {
            if let Some((start, name, _)) = current.take() {
                return Err(format!("line {start}: entry `{name}` has no version"));
            }
            let Some(header) = trimmed.strip_suffix(':') else {
                return Err(format!(
                    "line {line}: expected an entry header such as `name@range:`, found `{trimmed}`"
                ));
            };
            let first = header.split(", ").next().unwrap_or(header);
            let Some((name, range)) = split_specifier(first) else {
                return Err(format!(
                    "line {line}: `{first}` is not a `name@range` specifier"
                ));
            };
            current = Some((line, name.to_owned(), !is_non_registry_range(range)));
            continue;
        }
        let depth = raw.len() - raw.trim_start().len();
        if depth == 2
            && let Some(value) = trimmed.strip_prefix("version ")
            && let Some((start, name, is_registry)) = current.take()
        {
            let version = value.trim().trim_matches('"').to_owned();
            if is_registry {
                out.push(Package {
                    name,
                    version,
                    ecosystem: Ecosystem::Npm,
                    line: start,
                });
            }
        }
    }
    if let Some((start, name, _)) = current {
        return Err(format!("line {start}: entry `{name}` has no version"));
    }
    Ok(out)
}

fn parse_berry(text: &str) -> Result<Vec<Package>, String> {
    let doc: serde_yaml_ng::Mapping = serde_yaml_ng::from_str(text).map_err(|e| e.to_string())?;
    let lines = top_level_key_lines(text);
    let mut out = Vec::new();
    for (key, entry) in &doc {
        let Some(key) = key.as_str() else { continue };
        if key == "__metadata" {
            continue;
        }
        let field = |name: &str| entry.get(name).and_then(Value::as_str).map(str::to_owned);
        let Some(resolution) = field("resolution") else {
            return Err(format!("entry `{key}` has no `resolution`"));
        };
        let Some(at) = resolution
            .get(1..)
            .and_then(|r| r.find("@npm:"))
            .map(|i| i + 1)
        else {
            continue; // workspace:, patch:, git, file:, link:, portal:, exec:
        };
        let name = &resolution[..at];
        let version = field("version").unwrap_or_else(|| resolution[at + 5..].to_owned());
        out.push(Package {
            name: name.to_owned(),
            version,
            ecosystem: Ecosystem::Npm,
            line: lines.get(key).copied().unwrap_or(1),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tuples(text: &str) -> Vec<(String, String, u32)> {
        super::super::lockfile::sorted_tuples(parse(text))
    }

    #[test]
    fn classic_entries() {
        let text = r#"# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.
# yarn lockfile v1


"@babel/code-frame@^7.0.0", "@babel/code-frame@^7.10.4":
  version "7.12.13"
  resolved "https://registry.yarnpkg.com/@babel/code-frame/-/code-frame-7.12.13.tgz"

lodash@^4.17.15, lodash@^4.17.20:
  version "4.17.20"
  dependencies:
    version "not-a-field"

old-lodash@npm:lodash@4.17.4:
  version "4.17.4"

local@file:../local:
  version "0.0.1"

forked@git+https://github.com/x/forked.git#abc:
  version "1.0.0"
"#;
        assert_eq!(
            tuples(text),
            vec![
                ("@babel/code-frame".into(), "7.12.13".into(), 5),
                ("lodash".into(), "4.17.20".into(), 9),
                ("lodash".into(), "4.17.4".into(), 14),
            ]
        );
    }

    #[test]
    fn classic_errors_name_the_line() {
        let err = parse("lodash@^4:\n  resolved \"x\"\nqs@^6:\n  version \"6.0.0\"\n").err();
        assert_eq!(
            err.as_deref(),
            Some("line 1: entry `lodash` has no version")
        );
        let err = parse("this is not a lockfile\n").err().unwrap_or_default();
        assert!(err.starts_with("line 1:"), "{err}");
    }

    #[test]
    fn berry_entries() {
        let text = r#"# This file is generated by running "yarn install" inside your project.

__metadata:
  version: 8
  cacheKey: 10c0

"app@workspace:.":
  version: 0.0.0-use.local
  resolution: "app@workspace:."
  languageName: unknown
  linkType: soft

"lodash@npm:^4.17.20, lodash@npm:^4.17.21":
  version: 4.17.20
  resolution: "lodash@npm:4.17.20"
  checksum: 10c0/abc
  languageName: node
  linkType: hard

"@types/node@npm:*":
  version: 20.1.0
  resolution: "@types/node@npm:20.1.0"

"resolve@patch:resolve@npm%3A1.22.1#~builtin<compat/resolve>":
  version: 1.22.1
  resolution: "resolve@patch:resolve@npm%3A1.22.1#~builtin<compat/resolve>::version=1.22.1&hash=c3c19d"

"old@npm:qs@6.10.1":
  version: 6.10.1
  resolution: "qs@npm:6.10.1"
"#;
        assert_eq!(
            tuples(text),
            vec![
                ("lodash".into(), "4.17.20".into(), 13),
                ("@types/node".into(), "20.1.0".into(), 20),
                ("qs".into(), "6.10.1".into(), 28),
            ]
        );
    }

    #[test]
    fn berry_yaml_errors_are_errors() {
        assert!(parse("__metadata:\n  version: 8\n\"a@npm:1\":\n  version: [\n").is_err());
        assert!(parse("__metadata:\n  version: 8\n\"a@npm:1\":\n  version: 1.0.0\n").is_err());
    }
}
