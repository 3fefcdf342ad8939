//! `package-lock.json` / `npm-shrinkwrap.json`, lockfile versions 1, 2 and 3.
//!
//! Versions 2 and 3 list every installed package under `packages`, keyed by its folder
//! (`node_modules/a`, `node_modules/a/node_modules/b`, `node_modules/@scope/c`); the key `""`
//! is the project, keys without `node_modules/` are workspace members, and `link: true`
//! entries point at them: none of these are registry packages. An aliased install
//! (`"foo": "npm:bar@1"`) carries the real name in `name`. Version 1 nests `dependencies`
//! objects instead, with aliases written as `"version": "npm:bar@1.0.0"`. When both are
//! present (version 2), `packages` is authoritative. Packages resolved from a local folder,
//! a tarball path or a git repository are left out.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::json_lines::object_key_lines;
use super::lockfile::{Ecosystem, Package};

#[derive(Deserialize)]
struct Lock {
    #[serde(rename = "lockfileVersion", default)]
    lockfile_version: Option<u32>,
    #[serde(default)]
    packages: Option<BTreeMap<String, Installed>>,
    #[serde(default)]
    dependencies: Option<BTreeMap<String, Nested>>,
}

#[derive(Deserialize)]
struct Installed {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    resolved: Option<String>,
    #[serde(default)]
    link: bool,
}

#[derive(Deserialize)]
struct Nested {
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    dependencies: Option<BTreeMap<String, Self>>,
}

/// Whether a `resolved` URL or v1 `version` names a local or git source.
fn is_local_or_git(spec: &str) -> bool {
    [
        "file:",
        "link:",
        "git+",
        "git:",
        "github:",
        "gitlab:",
        "bitbucket:",
    ]
    .iter()
    .any(|p| spec.starts_with(p))
}

/// The registry packages of a `package-lock.json`.
pub(crate) fn parse(text: &str) -> Result<Vec<Package>, String> {
    let lock: Lock = serde_json::from_str(text).map_err(|e| e.to_string())?;
    if let Some(v) = lock.lockfile_version
        && !(1..=3).contains(&v)
    {
        return Err(format!(
            "unsupported lockfileVersion {v} (vigil reads 1, 2 and 3)"
        ));
    }
    if let Some(packages) = lock.packages {
        let lines = object_key_lines(text, |p| p.len() == 2 && p[0] == "packages");
        let mut out = Vec::new();
        for (key, entry) in packages {
            if entry.link || entry.resolved.as_deref().is_some_and(is_local_or_git) {
                continue;
            }
            let Some(folder_name) = key.rfind("node_modules/").map(|i| &key[i + 13..]) else {
                continue; // the project ("") or a workspace member
            };
            let Some(version) = entry.version else {
                continue;
            };
            let line = lines
                .get(&vec!["packages".to_owned(), key.clone()])
                .copied()
                .unwrap_or(1);
            out.push(Package {
                name: entry.name.unwrap_or_else(|| folder_name.to_owned()),
                version,
                ecosystem: Ecosystem::Npm,
                line,
            });
        }
        return Ok(out);
    }
    let Some(dependencies) = lock.dependencies else {
        if lock.lockfile_version.is_none() {
            return Err(
                "not a package-lock.json: no `lockfileVersion`, `packages` or \
                        `dependencies`"
                    .to_owned(),
            );
        }
        return Ok(Vec::new());
    };
    let lines = object_key_lines(text, |p| {
        p.len() % 2 == 0 && p.iter().step_by(2).all(|k| k == "dependencies")
    });
    let mut out = Vec::new();
    let mut path = Vec::new();
    walk_v1(&dependencies, &mut path, &lines, &mut out);
    Ok(out)
}

fn walk_v1(
    deps: &BTreeMap<String, Nested>,
    path: &mut Vec<String>,
    lines: &std::collections::HashMap<Vec<String>, u32>,
    out: &mut Vec<Package>,
) {
    for (name, entry) in deps {
        path.push("dependencies".to_owned());
        path.push(name.clone());
        if let Some(version) = &entry.version
            && !is_local_or_git(version)
            && !version.contains("://")
        {
            let (real_name, real_version) = match version.strip_prefix("npm:") {
                Some(alias) => match alias.get(1..).and_then(|a| a.rfind('@')) {
                    Some(at) => (alias[..at + 1].to_owned(), alias[at + 2..].to_owned()),
                    None => (name.clone(), alias.to_owned()),
                },
                None => (name.clone(), version.clone()),
            };
            out.push(Package {
                name: real_name,
                version: real_version,
                ecosystem: Ecosystem::Npm,
                line: lines.get(path.as_slice()).copied().unwrap_or(1),
            });
        }
        if let Some(nested) = &entry.dependencies {
            walk_v1(nested, path, lines, out);
        }
        path.pop();
        path.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tuples(text: &str) -> Vec<(String, String, u32)> {
        super::super::lockfile::sorted_tuples(parse(text))
    }

    #[test]
    fn v3_packages_with_nesting_scopes_aliases_links_and_workspaces() {
        let text = r#"{
  "name": "app",
  "lockfileVersion": 3,
  "packages": {
    "": { "name": "app", "version": "1.0.0" },
    "node_modules/lodash": { "version": "4.17.20", "resolved": "https://registry.npmjs.org/lodash/-/lodash-4.17.20.tgz" },
    "node_modules/a/node_modules/qs": { "version": "6.10.1" },
    "node_modules/@babel/core": { "version": "7.0.0" },
    "node_modules/old-lodash": { "name": "lodash", "version": "4.17.4" },
    "node_modules/lib": { "resolved": "packages/lib", "link": true },
    "packages/lib": { "name": "lib", "version": "0.0.1" },
    "node_modules/forked": { "version": "1.0.0", "resolved": "git+ssh://git@github.com/x/forked.git#abc" }
  }
}"#;
        assert_eq!(
            tuples(text),
            vec![
                ("lodash".into(), "4.17.20".into(), 6),
                ("qs".into(), "6.10.1".into(), 7),
                ("@babel/core".into(), "7.0.0".into(), 8),
                ("lodash".into(), "4.17.4".into(), 9),
            ]
        );
    }

    #[test]
    fn v1_nested_dependencies_and_aliases() {
        let text = r#"{
  "lockfileVersion": 1,
  "dependencies": {
    "minimist": { "version": "1.2.0" },
    "mkdirp": {
      "version": "0.5.1",
      "dependencies": {
        "minimist": { "version": "0.0.8" }
      }
    },
    "legacy": { "version": "npm:@scope/real@2.0.0" },
    "local": { "version": "file:../local" }
  }
}"#;
        assert_eq!(
            tuples(text),
            vec![
                ("minimist".into(), "1.2.0".into(), 4),
                ("mkdirp".into(), "0.5.1".into(), 5),
                ("minimist".into(), "0.0.8".into(), 8),
                ("@scope/real".into(), "2.0.0".into(), 11),
            ]
        );
    }

    #[test]
    fn bad_documents_are_errors() {
        assert!(parse("{\"lockfileVersion\": 1, \"dependencies\": {").is_err());
        assert!(parse("[]").is_err());
        assert!(parse("{}").is_err());
        assert!(parse("{\"lockfileVersion\": 7}").is_err());
    }
}
