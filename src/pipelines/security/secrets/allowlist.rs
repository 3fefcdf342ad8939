//! Allowlists: what is never reported, by path, by regex, by stopword, by exact value (or its
//! SHA-256) and, in `--git-history` mode, by commit.
//!
//! One type serves the `security.secrets.allowlist` section of vigil's configuration and the
//! global and per-rule allowlists of a `.gitleaks.toml`. As in gitleaks, the criteria of one
//! allowlist are combined with OR by default (any one matching allows the finding) or with
//! AND (`condition = "AND"`: every criterion the list sets must match).

use std::collections::HashSet;

use anyhow::{Context, Result};
use globset::{Glob, GlobSet, GlobSetBuilder};
use sha2::{Digest, Sha256};

/// What an allowlist regex is matched against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum RegexTarget {
    /// The secret itself (default).
    #[default]
    Secret,
    /// Everything the rule's regex matched.
    Match,
    /// The whole line of the secret.
    Line,
}

/// A matcher of repository-relative paths: gitignore-style globs (vigil) or regexes (gitleaks).
#[derive(Debug, Clone, Default)]
pub(crate) struct PathMatcher {
    globs: Option<GlobSet>,
    regexes: Vec<regex::Regex>,
}

impl PathMatcher {
    /// Globs such as `docs/**` or `*.snap`; a glob without `/` matches the file name anywhere.
    pub(crate) fn globs(patterns: &[String], key: &str) -> Result<Self> {
        if patterns.is_empty() {
            return Ok(Self::default());
        }
        let mut b = GlobSetBuilder::new();
        for p in patterns {
            let pattern = if p.contains('/') {
                p.trim_start_matches('/').to_owned()
            } else {
                format!("**/{p}")
            };
            b.add(Glob::new(&pattern).with_context(|| format!("{key}: invalid glob `{p}`"))?);
        }
        Ok(Self {
            globs: Some(
                b.build()
                    .with_context(|| format!("{key}: building globs"))?,
            ),
            regexes: Vec::new(),
        })
    }

    /// Go-style regexes matched anywhere in the path (gitleaks' `paths`).
    pub(crate) fn regexes(patterns: &[String], key: &str) -> Result<Self> {
        let regexes = patterns
            .iter()
            .map(|p| regex::Regex::new(p).with_context(|| format!("{key}: invalid regex `{p}`")))
            .collect::<Result<_>>()?;
        Ok(Self {
            globs: None,
            regexes,
        })
    }

    /// Whether the matcher has no pattern at all.
    pub(crate) fn is_empty(&self) -> bool {
        self.globs.is_none() && self.regexes.is_empty()
    }

    /// Whether `path` matches any pattern.
    pub(crate) fn is_match(&self, path: &str) -> bool {
        self.globs.as_ref().is_some_and(|g| g.is_match(path))
            || self.regexes.iter().any(|r| r.is_match(path))
    }
}

/// A candidate finding as the allowlists see it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Candidate<'a> {
    /// The secret.
    pub secret: &'a str,
    /// Everything the rule's regex matched.
    pub matched: &'a str,
    /// The line (or lines) holding the secret.
    pub line: &'a str,
    /// Repository-relative path.
    pub path: &'a str,
    /// Commit id in `--git-history` mode.
    pub commit: Option<&'a str>,
}

/// One allowlist.
#[derive(Debug, Clone, Default)]
pub(crate) struct Allowlist {
    /// Paths never reported.
    pub paths: PathMatcher,
    /// Regexes; a candidate whose target matches one is allowed.
    pub regexes: Vec<regex::bytes::Regex>,
    /// What the regexes are matched against.
    pub target: RegexTarget,
    /// Lower-case words; a secret containing one is allowed.
    pub stopwords: Vec<String>,
    /// Exact secret values.
    pub values: HashSet<String>,
    /// SHA-256 digests of secret values.
    pub hashes: HashSet<[u8; 32]>,
    /// Commit ids (full or abbreviated) whose additions are allowed.
    pub commits: Vec<String>,
    /// `condition = "AND"`: every criterion set must match, not just one.
    pub all_of: bool,
}

impl Allowlist {
    /// Add exact values; `sha256:<hex>` entries are digests.
    pub(crate) fn add_values(&mut self, values: &[String], key: &str) -> Result<()> {
        for v in values {
            match v.strip_prefix("sha256:") {
                Some(hex_digest) => {
                    let bytes = hex::decode(hex_digest.trim())
                        .ok()
                        .filter(|b| b.len() == 32);
                    let Some(bytes) = bytes else {
                        anyhow::bail!(
                            "{key}: `{v}` is not `sha256:` followed by 64 hexadecimal digits"
                        );
                    };
                    let mut digest = [0u8; 32];
                    digest.copy_from_slice(&bytes);
                    self.hashes.insert(digest);
                }
                None => {
                    self.values.insert(v.clone());
                }
            }
        }
        Ok(())
    }

    /// Whether the list sets nothing but paths and combines with OR, so a path match alone
    /// allows every finding of a file (the file need not be scanned).
    pub(crate) fn allows_whole_path(&self, path: &str) -> bool {
        if self.paths.is_empty() || !self.paths.is_match(path) {
            return false;
        }
        !self.all_of || (self.regexes.is_empty() && self.stopwords.is_empty() && self.no_values())
    }

    fn no_values(&self) -> bool {
        self.values.is_empty() && self.hashes.is_empty() && self.commits.is_empty()
    }

    /// Whether this list allows the candidate.
    pub(crate) fn allows(&self, c: &Candidate<'_>) -> bool {
        let mut checks: Vec<bool> = Vec::with_capacity(5);
        if !self.paths.is_empty() {
            checks.push(self.paths.is_match(c.path));
        }
        if !self.regexes.is_empty() {
            let target = match self.target {
                RegexTarget::Secret => c.secret,
                RegexTarget::Match => c.matched,
                RegexTarget::Line => c.line,
            };
            checks.push(self.regexes.iter().any(|r| r.is_match(target.as_bytes())));
        }
        if !self.stopwords.is_empty() {
            let lower = c.secret.to_ascii_lowercase();
            checks.push(self.stopwords.iter().any(|w| lower.contains(w.as_str())));
        }
        if !self.values.is_empty() || !self.hashes.is_empty() {
            let by_value = self.values.contains(c.secret)
                || (!self.hashes.is_empty() && self.hashes.contains(&sha256(c.secret)));
            checks.push(by_value);
        }
        if !self.commits.is_empty() {
            checks.push(c.commit.is_some_and(|id| {
                self.commits
                    .iter()
                    .any(|a| !a.is_empty() && (id.starts_with(a.as_str()) || a.starts_with(id)))
            }));
        }
        if checks.is_empty() {
            return false;
        }
        if self.all_of {
            checks.iter().all(|&x| x)
        } else {
            checks.iter().any(|&x| x)
        }
    }
}

/// SHA-256 of a secret.
pub(crate) fn sha256(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate<'a>(secret: &'a str, path: &'a str) -> Candidate<'a> {
        Candidate {
            secret,
            matched: secret,
            line: secret,
            path,
            commit: None,
        }
    }

    #[test]
    fn or_combines_criteria() {
        let mut a = Allowlist {
            paths: PathMatcher::globs(&["docs/**".to_owned()], "paths").expect("globs"),
            stopwords: vec!["local".to_owned()],
            ..Allowlist::default()
        };
        a.add_values(&["exactvalue".to_owned()], "values")
            .expect("values");
        assert!(a.allows(&candidate("anything", "docs/a.md")));
        assert!(a.allows(&candidate("my-LOCAL-key", "src/a.rs")));
        assert!(a.allows(&candidate("exactvalue", "src/a.rs")));
        assert!(!a.allows(&candidate("other", "src/a.rs")));
        assert!(a.allows_whole_path("docs/x/y.md"));
    }

    #[test]
    fn and_needs_every_criterion() {
        let a = Allowlist {
            paths: PathMatcher::regexes(&[r"^tests/".to_owned()], "paths").expect("re"),
            stopwords: vec!["fixture".to_owned()],
            all_of: true,
            ..Allowlist::default()
        };
        assert!(a.allows(&candidate("fixture-9f8e", "tests/a.py")));
        assert!(!a.allows(&candidate("fixture-9f8e", "src/a.py")));
        assert!(!a.allows(&candidate("real-9f8e", "tests/a.py")));
        assert!(!a.allows_whole_path("tests/a.py"));
    }

    #[test]
    fn values_by_digest() {
        let mut a = Allowlist::default();
        let digest = hex::encode(sha256("s3cr3t-value"));
        a.add_values(&[format!("sha256:{digest}")], "values")
            .expect("digest");
        assert!(a.allows(&candidate("s3cr3t-value", "x")));
        assert!(!a.allows(&candidate("s3cr3t-valuf", "x")));
        assert!(a.add_values(&["sha256:zz".to_owned()], "values").is_err());
    }

    #[test]
    fn globs_without_slash_match_anywhere() {
        let m = PathMatcher::globs(&["*.lock".to_owned()], "paths").expect("globs");
        assert!(m.is_match("a/b/Cargo.lock"));
        assert!(m.is_match("yarn.lock"));
        assert!(!m.is_match("src/lock.rs"));
    }
}
