//! `pnpm-lock.yaml`, lockfile versions 5.x, 6 and 9.
//!
//! Every version lists installed packages under `packages`, but spells the keys differently:
//!
//! | version | key |
//! |---|---|
//! | 5.x | `/name/1.2.3`, `/@scope/name/1.2.3_peer@2.0.0` (peers after `_`) |
//! | 6 | `/name@1.2.3`, `/@scope/name@1.2.3(peer@2.0.0)` |
//! | 9 | `name@1.2.3`, `'@scope/name@1.2.3'` (peers only in `snapshots`) |
//!
//! Keys that are not registry packages (tarball URLs, git hosts, `file:`/`link:` entries) are
//! recognised by their shape or by a `resolution` with a `tarball`, `repo` or `directory`, and
//! left out.

use serde::Deserialize;
use serde_yaml_ng::Value;

use super::lockfile::{Ecosystem, Package};
use super::yaml_lines::key_lines_at_indent;

#[derive(Deserialize)]
struct Lock {
    #[serde(rename = "lockfileVersion", default)]
    lockfile_version: Option<Value>,
    #[serde(default)]
    packages: Option<serde_yaml_ng::Mapping>,
}

/// Major lockfile version from `lockfileVersion` (`5.4`, `'6.0'`, `'9.0'`).
fn major_version(v: Option<&Value>) -> Result<u32, String> {
    let text = match v {
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(_) => return Err("`lockfileVersion` is not a number".to_owned()),
        None => return Err("not a pnpm lockfile: no `lockfileVersion`".to_owned()),
    };
    text.trim()
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .ok_or_else(|| format!("`lockfileVersion` `{text}` is not a version"))
}

/// Name and version of a package key, or `None` when the key is not a registry package.
fn split_key(key: &str, major: u32) -> Option<(String, String)> {
    if key.contains("://") || key.contains(':') {
        return None; // tarball URL, file:, link:, git
    }
    let key = key.strip_prefix('/').unwrap_or(key);
    if major < 6 {
        // name/version[_peers]; a scoped name has one more `/`.
        let slash = key.rfind('/')?;
        let (name, version) = (&key[..slash], &key[slash + 1..]);
        let version = version.split('_').next().unwrap_or(version);
        let scoped_ok = name.matches('/').count() == usize::from(name.starts_with('@'));
        if name.is_empty() || !scoped_ok || !version.starts_with(|c: char| c.is_ascii_digit()) {
            return None; // e.g. github.com/user/repo/sha
        }
        return Some((name.to_owned(), version.to_owned()));
    }
    let key = key.split('(').next().unwrap_or(key);
    let at = key.get(1..)?.find('@')? + 1;
    let (name, version) = (&key[..at], &key[at + 1..]);
    if name.matches('/').count() != usize::from(name.starts_with('@'))
        || !version.starts_with(|c: char| c.is_ascii_digit())
    {
        return None;
    }
    Some((name.to_owned(), version.to_owned()))
}

/// The registry packages of a `pnpm-lock.yaml`.
pub(crate) fn parse(text: &str) -> Result<Vec<Package>, String> {
    let lock: Lock = serde_yaml_ng::from_str(text).map_err(|e| e.to_string())?;
    let major = major_version(lock.lockfile_version.as_ref())?;
    if !(5..=9).contains(&major) {
        return Err(format!(
            "unsupported lockfileVersion {major} (vigil reads 5.x, 6 and 9)"
        ));
    }
    let Some(packages) = lock.packages else {
        return Ok(Vec::new());
    };
    let lines = key_lines_at_indent(text, 2, Some("packages"));
    let mut out = Vec::new();
    for (key, entry) in &packages {
        let Some(key) = key.as_str() else { continue };
        let resolution = entry.get("resolution");
        if ["tarball", "repo", "directory", "type"]
            .iter()
            .any(|f| resolution.and_then(|r| r.get(*f)).is_some())
        {
            continue;
        }
        let Some((name, version)) = split_key(key, major) else {
            continue;
        };
        out.push(Package {
            name,
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
    fn key_shapes_per_version() {
        let s = |k, m| split_key(k, m);
        let pair = |n: &str, v: &str| Some((n.to_owned(), v.to_owned()));
        assert_eq!(s("/lodash/4.17.20", 5), pair("lodash", "4.17.20"));
        assert_eq!(
            s("/@babel/core/7.0.0_react@17.0.0", 5),
            pair("@babel/core", "7.0.0")
        );
        assert_eq!(s("github.com/user/repo/abc123", 5), None);
        assert_eq!(s("/lodash@4.17.20", 6), pair("lodash", "4.17.20"));
        assert_eq!(
            s("/@babel/core@7.0.0(react@17.0.0)", 6),
            pair("@babel/core", "7.0.0")
        );
        assert_eq!(s("lodash@4.17.20", 9), pair("lodash", "4.17.20"));
        assert_eq!(
            s("@scope/x@1.0.0-beta.1", 9),
            pair("@scope/x", "1.0.0-beta.1")
        );
        assert_eq!(s("x@https://codeload.github.com/a/b/tar.gz/abc", 9), None);
        assert_eq!(s("x@file:../x", 9), None);
    }

    #[test]
    fn v9_packages() {
        let text = r"lockfileVersion: '9.0'

importers:
  .:
    dependencies:
      lodash:
        specifier: ^4.17.20
        version: 4.17.20

packages:

  '@babel/code-frame@7.12.13':
    resolution: {integrity: sha512-x}

  lodash@4.17.20:
    resolution: {integrity: sha512-y}

  forked@https://codeload.github.com/x/forked/tar.gz/abc:
    resolution: {tarball: https://codeload.github.com/x/forked/tar.gz/abc}
    version: 1.0.0

snapshots:

  lodash@4.17.20: {}
";
        assert_eq!(
            tuples(text),
            vec![
                ("@babel/code-frame".into(), "7.12.13".into(), 12),
                ("lodash".into(), "4.17.20".into(), 15),
            ]
        );
    }

    #[test]
    fn v5_packages() {
        let text = "lockfileVersion: 5.4\n\nspecifiers:\n  qs: ^6.0.0\n\npackages:\n\n  /qs/6.10.1:\n    resolution: {integrity: sha512-x}\n    dev: false\n\n  /@types/node/18.0.0_x@1.0.0:\n    resolution: {integrity: sha512-y}\n";
        assert_eq!(
            tuples(text),
            vec![
                ("qs".into(), "6.10.1".into(), 8),
                ("@types/node".into(), "18.0.0".into(), 12),
            ]
        );
    }

    #[test]
    fn bad_documents_are_errors() {
        assert!(parse("packages:\n  /a/1.0.0: {}\n").is_err());
        assert!(parse("lockfileVersion: '3.0'\n").is_err());
        assert!(parse("lockfileVersion: '6.0'\npackages: [\n").is_err());
    }
}
