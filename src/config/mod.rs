//! Configuration: discovery, loading and validation.
//!
//! Discovery looks at the repository root for `vigil.yml`, `.vigil.yml`, `vigil.json`, then the
//! seed's `config/monitoring.json`; `--config FILE` overrides it. YAML and JSON go through the
//! same typed schema ([`schema`]), so an unknown key, a wrong type or an impossible value is
//! reported with the file, line and dotted key path. The seed layout ([`seed`]) is translated
//! into the same [`Config`].
//!
//! Precedence is defaults < file < environment < flags: this module handles the first two;
//! flags and their environment variables are applied by the command on top.

mod error;
pub mod schema;
mod seed;

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

pub use error::ConfigError;
pub use schema::Config;

/// File names looked for at the repository root, in order.
pub const DISCOVERED: [&str; 4] = [
    "vigil.yml",
    ".vigil.yml",
    "vigil.json",
    "config/monitoring.json",
];

/// A configuration and where it came from.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The validated configuration.
    pub config: Config,
    /// The file read, or `None` when defaults are used.
    pub source: Option<PathBuf>,
}

/// Find and load the configuration for `root`, or read `explicit` when given.
pub fn load(root: &Path, explicit: Option<&Path>) -> Result<Loaded, ConfigError> {
    let path = match explicit {
        Some(p) => Some(p.to_path_buf()),
        None => DISCOVERED
            .iter()
            .map(|name| root.join(name))
            .find(|p| p.is_file()),
    };
    let Some(path) = path else {
        return Ok(Loaded {
            config: Config::default(),
            source: None,
        });
    };
    let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
        file: path.clone(),
        source,
    })?;
    let config = parse(&path, &text)?;
    Ok(Loaded {
        config,
        source: Some(path),
    })
}

/// Parse configuration text; the format is chosen from the file name and content.
pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
    let is_json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if is_json && seed::looks_like_seed(text) {
        let seed: seed::SeedConfig = parse_json(path, text)?;
        return Ok(seed.into_config());
    }
    if is_json {
        parse_json(path, text)
    } else {
        parse_yaml(path, text)
    }
}

fn parse_json<T: DeserializeOwned>(path: &Path, text: &str) -> Result<T, ConfigError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let result: Result<T, _> = serde_path_to_error::deserialize(&mut de);
    let value = result.map_err(|e| {
        let key = key_path(e.path());
        let inner = e.into_inner();
        ConfigError::Invalid {
            file: path.to_path_buf(),
            line: (inner.line() > 0).then_some(inner.line()),
            column: (inner.column() > 0).then_some(inner.column()),
            key,
            message: strip_position(&inner.to_string()),
        }
    })?;
    de.end().map_err(|e| ConfigError::Invalid {
        file: path.to_path_buf(),
        line: Some(e.line()),
        column: Some(e.column()),
        key: None,
        message: strip_position(&e.to_string()),
    })?;
    Ok(value)
}

fn parse_yaml<T: DeserializeOwned + Default>(path: &Path, text: &str) -> Result<T, ConfigError> {
    // An empty file (or only comments) means "all defaults".
    if text
        .lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#') || l.trim() == "---")
    {
        return Ok(T::default());
    }
    let de = serde_yaml_ng::Deserializer::from_str(text);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let key = key_path(e.path());
        let inner = e.into_inner();
        let loc = inner.location();
        let mut message = strip_position(&inner.to_string());
        // serde_yaml_ng prefixes the message with the parent path; we print the full path.
        if let Some((prefix, rest)) = message.split_once(": ")
            && key.as_deref().is_some_and(|k| k.starts_with(prefix))
        {
            message = rest.to_owned();
        }
        ConfigError::Invalid {
            file: path.to_path_buf(),
            line: loc.as_ref().map(|l| l.line()),
            column: loc.as_ref().map(|l| l.column()),
            key,
            message,
        }
    })
}

/// Dotted key path, or `None` for the document root.
fn key_path(path: &serde_path_to_error::Path) -> Option<String> {
    let s = path.to_string();
    (s != "." && !s.is_empty()).then_some(s)
}

/// Drop the parser's own " at line X column Y" suffix: we print the position ourselves.
fn strip_position(msg: &str) -> String {
    let msg = match msg.find(" at line ") {
        Some(i) => &msg[..i],
        None => msg,
    };
    msg.trim_end_matches(|c: char| c == ',' || c.is_whitespace())
        .to_owned()
}

/// SHA-256 of the effective configuration's canonical JSON, hex.
pub fn digest(config: &Config) -> String {
    use sha2::{Digest, Sha256};
    let json = serde_json::to_vec(config).unwrap_or_default();
    hex::encode(Sha256::digest(&json))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(name: &str, text: &str) -> String {
        parse(Path::new(name), text)
            .expect_err("config should be rejected")
            .to_string()
    }

    #[test]
    fn unknown_key_names_line_and_path() {
        let e = err(
            "vigil.yml",
            "version: 1\ngates:\n  security_score_min:\n    treshold: 80\n",
        );
        assert!(e.starts_with("vigil.yml:4:"), "{e}");
        assert!(e.contains("`gates.security_score_min.treshold`"), "{e}");
        assert!(e.contains("expected `threshold` or `mode`"), "{e}");
        assert!(!e.contains(": gates."), "path printed twice: {e}");
    }

    #[test]
    fn wrong_type_names_line_and_path() {
        let e = err("vigil.yml", "paths:\n  exclude: 3\n");
        assert!(e.starts_with("vigil.yml:2:"), "{e}");
        assert!(e.contains("`paths.exclude`"), "{e}");
    }

    #[test]
    fn impossible_threshold_is_rejected() {
        let e = err(
            "vigil.yml",
            "gates:\n  coverage_min:\n    threshold: 140\n    mode: warn\n",
        );
        assert!(e.contains("vigil.yml:3:"), "{e}");
        assert!(e.contains("`gates.coverage_min.threshold`"), "{e}");
        assert!(e.contains("not a percentage"), "{e}");
    }

    #[test]
    fn json_errors_have_lines_too() {
        let e = err("vigil.json", "{\n  \"output\": {\n    \"dir\": 5\n  }\n}\n");
        assert!(e.starts_with("vigil.json:3:"), "{e}");
        assert!(e.contains("`output.dir`"), "{e}");
    }

    #[test]
    fn bad_dates_and_sizes_are_rejected() {
        let e = err(
            "vigil.yml",
            "suppressions:\n  - rule: todo-marker\n    reason: x\n    until: 2026-13-01\n",
        );
        assert!(e.contains("`suppressions[0].until`"), "{e}");
        let e = err("vigil.yml", "paths:\n  max_file_size: 5 parsecs\n");
        assert!(e.contains("`paths.max_file_size`"), "{e}");
    }

    #[test]
    fn empty_and_comment_only_files_are_defaults() {
        assert_eq!(
            parse(Path::new("vigil.yml"), "").ok(),
            Some(Config::default())
        );
        assert_eq!(
            parse(Path::new("vigil.yml"), "# nothing\n").ok(),
            Some(Config::default())
        );
    }

    #[test]
    fn sizes_accept_units() {
        let c = parse(Path::new("vigil.yml"), "paths:\n  max_file_size: 2MiB\n").ok();
        assert_eq!(c.map(|c| c.paths.max_file_size.0), Some(2 * 1024 * 1024));
    }

    #[test]
    fn digest_changes_with_config() {
        let a = Config::default();
        let mut b = Config::default();
        b.output.dir = "out".into();
        assert_ne!(digest(&a), digest(&b));
        assert_eq!(digest(&a), digest(&Config::default()));
    }
}
