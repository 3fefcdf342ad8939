//! What the repository can run by name: Cargo binaries, examples and packages, package.json
//! scripts, Makefile targets and justfile recipes.
//!
//! Each parser takes the text the walk read and never fails: a manifest that does not parse is
//! reported as a note and treated as unknown, so nothing it would have named is reported
//! either. Makefiles and justfiles are read with a line scanner, not evaluated: a file with
//! pattern rules, computed targets or `include`s is marked *open*, and a goal it does not list
//! is then not reported, because make might still build it.

use std::collections::BTreeSet;

/// A `Cargo.toml`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct CargoManifest {
    /// Package name, when the manifest has a `[package]`.
    pub(crate) package: Option<String>,
    /// Binaries declared with `[[bin]]`.
    pub(crate) bins: BTreeSet<String>,
    /// Examples declared with `[[example]]`.
    pub(crate) examples: BTreeSet<String>,
    /// Whether Cargo discovers `src/main.rs` and `src/bin/*` (`autobins`, default true).
    pub(crate) autobins: bool,
    /// Whether Cargo discovers `examples/*` (`autoexamples`, default true).
    pub(crate) autoexamples: bool,
}

/// Parse a `Cargo.toml`.
pub(crate) fn cargo(text: &str) -> Result<CargoManifest, String> {
    let value: toml::Table = toml::from_str(text).map_err(|e| e.message().to_owned())?;
    let package = value.get("package").and_then(toml::Value::as_table);
    let names = |key: &str| -> BTreeSet<String> {
        value
            .get(key)
            .and_then(toml::Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|t| t.get("name").and_then(toml::Value::as_str))
            .map(str::to_owned)
            .collect()
    };
    let flag = |key: &str| {
        package
            .and_then(|p| p.get(key))
            .and_then(toml::Value::as_bool)
            .unwrap_or(true)
    };
    Ok(CargoManifest {
        package: package
            .and_then(|p| p.get("name"))
            .and_then(toml::Value::as_str)
            .map(str::to_owned),
        bins: names("bin"),
        examples: names("example"),
        autobins: flag("autobins"),
        autoexamples: flag("autoexamples"),
    })
}

/// A `package.json`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct NpmPackage {
    /// Names of `scripts`.
    pub(crate) scripts: BTreeSet<String>,
    /// Names of dependencies of every kind, and of `bin` entries: `yarn NAME` may run those.
    pub(crate) binaries: BTreeSet<String>,
    /// Whether a `server.js` sits beside it (`npm start` runs it without a `start` script).
    pub(crate) has_server_js: bool,
}

/// Parse a `package.json`.
pub(crate) fn npm(text: &str) -> Result<NpmPackage, String> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let keys = |key: &str| -> Vec<String> {
        value
            .get(key)
            .and_then(serde_json::Value::as_object)
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default()
    };
    let mut binaries: BTreeSet<String> = BTreeSet::new();
    for kind in [
        "dependencies",
        "devDependencies",
        "peerDependencies",
        "optionalDependencies",
        "bin",
    ] {
        for name in keys(kind) {
            // `@scope/tool` installs a binary usually named `tool`.
            binaries.insert(name.rsplit('/').next().unwrap_or(&name).to_owned());
            binaries.insert(name);
        }
    }
    if let Some(name) = value
        .get("bin")
        .and_then(|_| value.get("name"))
        .and_then(serde_json::Value::as_str)
    {
        binaries.insert(name.to_owned());
    }
    Ok(NpmPackage {
        scripts: keys("scripts").into_iter().collect(),
        binaries,
        has_server_js: false,
    })
}

/// Targets of a Makefile or recipes of a justfile.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Goals {
    /// Names that can be asked for.
    pub(crate) names: BTreeSet<String>,
    /// Whether other names may exist that a line scanner cannot see.
    pub(crate) open: bool,
}

impl Goals {
    /// Whether `name` is known, or may exist.
    pub(crate) fn allows(&self, name: &str) -> Option<bool> {
        if self.names.contains(name) {
            Some(true)
        } else if self.open {
            None
        } else {
            Some(false)
        }
    }
}

/// Logical lines: `\` continuations joined.
fn logical_lines(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut pending: Option<String> = None;
    for line in text.lines() {
        let mut current = pending.take().unwrap_or_default();
        if let Some(body) = line.strip_suffix('\\') {
            current.push_str(body);
            current.push(' ');
            pending = Some(current);
        } else {
            current.push_str(line);
            out.push(current);
        }
    }
    out.extend(pending);
    out
}

/// Targets of a Makefile.
pub(crate) fn makefile(text: &str) -> Goals {
    let mut goals = Goals::default();
    let mut in_define = false;
    for line in logical_lines(text) {
        if line.starts_with('\t') {
            continue;
        }
        let line = line.split('#').next().unwrap_or("");
        let trimmed = line.trim();
        if in_define {
            in_define = trimmed != "endef";
            continue;
        }
        let first = trimmed.split_whitespace().next().unwrap_or("");
        match first {
            "define" => {
                in_define = true;
                continue;
            }
            "include" | "-include" | "sinclude" => {
                goals.open = true;
                continue;
            }
            _ => {}
        }
        let Some(colon) = trimmed.find(':') else {
            continue;
        };
        let (before, after) = (&trimmed[..colon], &trimmed[colon + 1..]);
        if after.starts_with('=') || after.starts_with(":=") || before.contains('=') {
            continue; // a variable
        }
        let deps = after.trim_start_matches(':');
        for target in before.split_whitespace() {
            if target == ".PHONY" {
                goals
                    .names
                    .extend(deps.split_whitespace().map(str::to_owned));
            } else if target.contains('%') || target.contains('$') {
                goals.open = true;
            } else if !target.starts_with('.') || target.contains('/') {
                goals.names.insert(target.to_owned());
            }
        }
    }
    goals
}

/// Recipes and aliases of a justfile.
pub(crate) fn justfile(text: &str) -> Goals {
    let mut goals = Goals::default();
    for line in text.lines() {
        if line.starts_with([' ', '\t']) {
            continue;
        }
        let t = line.trim_end();
        let first = t.split_whitespace().next().unwrap_or("");
        match first {
            "" | "set" | "export" => continue,
            "import" | "mod" | "import?" | "mod?" => {
                goals.open = true;
                continue;
            }
            "alias" => {
                if let Some(name) = t.split_whitespace().nth(1) {
                    goals.names.insert(name.trim_end_matches(':').to_owned());
                }
                continue;
            }
            _ => {}
        }
        if t.starts_with(['#', '[']) {
            continue;
        }
        let Some(colon) = t.find(':') else {
            continue;
        };
        if t[colon..].starts_with(":=") {
            continue;
        }
        let head = t[..colon].trim_start_matches('@');
        let name = head.split_whitespace().next().unwrap_or("");
        if !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            goals.names.insert(name.to_owned());
        }
    }
    goals
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_manifests() {
        let m = cargo(
            "[package]\nname = \"tool\"\nautoexamples = false\n\n[[bin]]\nname = \"helper\"\npath = \"src/h.rs\"\n\n[[example]]\nname = \"demo\"\n",
        )
        .expect("parses");
        assert_eq!(m.package.as_deref(), Some("tool"));
        assert_eq!(m.bins.iter().collect::<Vec<_>>(), ["helper"]);
        assert_eq!(m.examples.iter().collect::<Vec<_>>(), ["demo"]);
        assert!(m.autobins);
        assert!(!m.autoexamples);
        let ws = cargo("[workspace]\nmembers = [\"a\"]\n").expect("parses");
        assert_eq!(ws.package, None);
        assert!(cargo("[package\nname=").is_err());
    }

    #[test]
    fn npm_packages() {
        let p = npm(r#"{"name":"app","scripts":{"build":"tsc","test":"jest"},"devDependencies":{"@scope/lint":"1","typescript":"5"}}"#)
            .expect("parses");
        assert_eq!(p.scripts.iter().collect::<Vec<_>>(), ["build", "test"]);
        assert!(p.binaries.contains("lint") && p.binaries.contains("@scope/lint"));
        assert!(npm("{not json").is_err());
        assert!(
            npm("[]")
                .expect("an array is valid JSON")
                .scripts
                .is_empty()
        );
    }

    #[test]
    fn makefile_targets() {
        let g = makefile(
            ".PHONY: all test \\\n  lint\nall: build\nbuild docs/out.html: src\n\tcc -o $@ $<\nCC := gcc\nX = a:b\n\
             define BODY\nfake: target\nendef\n.SUFFIXES:\n# comment: not a target\ninstall:: build\n",
        );
        assert_eq!(
            g.names.iter().collect::<Vec<_>>(),
            ["all", "build", "docs/out.html", "install", "lint", "test"]
        );
        assert!(!g.open);
        assert_eq!(g.allows("fake"), Some(false));
        assert!(makefile("%.o: %.c\n\tcc\n").open);
        assert!(makefile("include common.mk\n").open);
        assert_eq!(makefile("$(BIN): x\n").allows("anything"), None);
    }

    #[test]
    fn justfile_recipes() {
        let g = justfile(
            "set shell := [\"bash\", \"-c\"]\nversion := \"1\"\nalias t := test\n\n# Run tests\n[group('ci')]\ntest *args:\n    cargo test {{args}}\n@lint:\n    cargo clippy\nbuild target='x': lint\n    echo\n",
        );
        assert_eq!(
            g.names.iter().collect::<Vec<_>>(),
            ["build", "lint", "t", "test"]
        );
        assert!(!g.open);
        assert!(justfile("import 'other.just'\n").open);
    }
}
