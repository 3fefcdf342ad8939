//! Custom rules: the `extra_rules` of vigil's configuration and the `[[rules]]` and allowlists
//! of an existing `.gitleaks.toml`, so a team moving from gitleaks keeps its tuning.
//!
//! What is read from `.gitleaks.toml`: each rule's `id`, `description`, `regex`,
//! `secretGroup`, `entropy`, `keywords`, `path` and its allowlists (`[rules.allowlist]` or
//! `[[rules.allowlists]]`), and the global `[allowlist]` / `[[allowlists]]` with `paths`,
//! `regexes`, `regexTarget`, `stopwords`, `commits` and `condition`. Other keys (`title`,
//! `tags`, `[extend]`…) are accepted and ignored: vigil's built-in rules always run.
//!
//! Regexes use Go RE2 syntax, which the `regex` crate accepts almost entirely; a regex it
//! cannot compile is an error naming the file and the rule id.

use std::path::Path;

use anyhow::{Context, Result, bail};
use serde::Deserialize;

use super::allowlist::{Allowlist, PathMatcher, RegexTarget};
use super::engine::{CompiledRow, SecretGroup};
use super::rules::{Judge, Span};
use crate::config::schema::CustomSecretRule;
use crate::model::Severity;
use crate::pipelines::RuleMeta;

/// Name of the gitleaks configuration read at the repository root.
pub(crate) const FILE_NAME: &str = ".gitleaks.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct GitleaksFile {
    rules: Vec<RawRule>,
    allowlist: Option<RawAllowlist>,
    allowlists: Vec<RawAllowlist>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawRule {
    id: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    regex: Option<String>,
    #[serde(default)]
    secret_group: Option<usize>,
    #[serde(default)]
    entropy: Option<f64>,
    #[serde(default)]
    keywords: Vec<String>,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    allowlist: Option<RawAllowlist>,
    #[serde(default)]
    allowlists: Vec<RawAllowlist>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct RawAllowlist {
    condition: Option<String>,
    regex_target: Option<String>,
    regexes: Vec<String>,
    paths: Vec<String>,
    stopwords: Vec<String>,
    commits: Vec<String>,
}

/// Rules and allowlists imported from a `.gitleaks.toml`.
#[derive(Debug, Default)]
pub(crate) struct Imported {
    /// Custom rows, reported under `custom-secret-rule`.
    pub rows: Vec<CompiledRow>,
    /// Global allowlists.
    pub global: Vec<Allowlist>,
}

/// Parse `text`, the content of `file`, into rows reported under `meta`.
pub(crate) fn parse(file: &Path, text: &str, meta: &'static RuleMeta) -> Result<Imported> {
    let name = file.display();
    let raw: GitleaksFile =
        toml::from_str(text).map_err(|e| anyhow::anyhow!("{name}: invalid TOML: {e}"))?;
    let mut global = Vec::new();
    for (i, a) in raw
        .allowlist
        .iter()
        .chain(raw.allowlists.iter())
        .enumerate()
    {
        global.push(allowlist(a).with_context(|| format!("{name}: global allowlist #{}", i + 1))?);
    }
    let mut rows = Vec::new();
    for r in &raw.rules {
        let ctx = || format!("{name}: rule `{}`", r.id);
        if r.id.trim().is_empty() {
            bail!("{name}: a rule has an empty `id`");
        }
        let regex = r
            .regex
            .as_deref()
            .map(compile_custom)
            .transpose()
            .with_context(ctx)?;
        let path = r
            .path
            .as_deref()
            .map(|p| regex::Regex::new(p).with_context(|| format!("invalid path regex `{p}`")))
            .transpose()
            .with_context(ctx)?;
        if regex.is_none() && path.is_none() {
            bail!("{}: has neither `regex` nor `path`", ctx());
        }
        let allow = r
            .allowlist
            .iter()
            .chain(r.allowlists.iter())
            .map(allowlist)
            .collect::<Result<Vec<_>>>()
            .with_context(ctx)?;
        rows.push(CompiledRow {
            meta,
            format: r.description.clone().unwrap_or_else(|| r.id.clone()),
            custom_id: Some(r.id.clone()),
            regex,
            group: r
                .secret_group
                .filter(|&g| g > 0)
                .map_or(SecretGroup::FirstOrWhole, SecretGroup::Index),
            entropy: r.entropy.unwrap_or(0.0),
            severity: meta.default_severity,
            judge: Judge::Custom,
            span: Span::File,
            priority: 1,
            in_lockfiles: true,
            config_files_only: false,
            needs: &[],
            path,
            allow,
            keywords: r.keywords.clone(),
            case_sensitive: false,
            reported: true,
        });
    }
    Ok(Imported { rows, global })
}

/// A custom rule of vigil's own configuration (`security.secrets.extra_rules`).
pub(crate) fn from_config(
    rule: &CustomSecretRule,
    index: usize,
    meta: &'static RuleMeta,
) -> Result<CompiledRow> {
    let regex = compile_custom(&rule.regex.0)
        .with_context(|| format!("security.secrets.extra_rules[{index}] (`{}`)", rule.id))?;
    Ok(CompiledRow {
        meta,
        format: rule.description.clone().unwrap_or_else(|| rule.id.clone()),
        custom_id: Some(rule.id.clone()),
        regex: Some(regex),
        group: if rule.secret_group > 0 {
            SecretGroup::Index(rule.secret_group)
        } else {
            SecretGroup::FirstOrWhole
        },
        entropy: rule.entropy.map_or(0.0, |e| e.0),
        severity: rule.severity.unwrap_or(Severity::High),
        judge: Judge::Custom,
        span: Span::File,
        priority: 1,
        in_lockfiles: true,
        config_files_only: false,
        needs: &[],
        path: None,
        allow: Vec::new(),
        keywords: rule.keywords.clone(),
        case_sensitive: false,
        reported: true,
    })
}

/// Compile a user regex for byte haystacks (Unicode classes on, as in RE2's `.`).
fn compile_custom(pattern: &str) -> Result<regex::bytes::Regex> {
    regex::bytes::RegexBuilder::new(pattern)
        .build()
        .map_err(|e| anyhow::anyhow!("invalid regex `{pattern}`: {e}"))
}

fn allowlist(a: &RawAllowlist) -> Result<Allowlist> {
    let target = match a
        .regex_target
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("secret") => RegexTarget::Secret,
        Some("match") => RegexTarget::Match,
        Some("line") => RegexTarget::Line,
        Some(other) => bail!("regexTarget `{other}` is not `secret`, `match` or `line`"),
    };
    let all_of = match a
        .condition
        .as_deref()
        .map(str::to_ascii_uppercase)
        .as_deref()
    {
        None | Some("OR") => false,
        Some("AND") => true,
        Some(other) => bail!("condition `{other}` is not `OR` or `AND`"),
    };
    let regexes = a
        .regexes
        .iter()
        .map(|r| compile_custom(r))
        .collect::<Result<Vec<_>>>()?;
    Ok(Allowlist {
        paths: PathMatcher::regexes(&a.paths, "paths")?,
        regexes,
        target,
        stopwords: a.stopwords.iter().map(|w| w.to_ascii_lowercase()).collect(),
        commits: a.commits.clone(),
        all_of,
        ..Allowlist::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipelines::security::secrets::RULES;

    fn custom_meta() -> &'static RuleMeta {
        RULES
            .iter()
            .find(|r| r.id == "custom-secret-rule")
            .expect("catalogue has custom-secret-rule")
    }

    #[test]
    fn reads_rules_and_allowlists() {
        let text = r#"
title = "team rules"
[extend]
useDefault = true

[[rules]]
id = "acme-key"
description = "ACME API key"
regex = '''acme_[a-z0-9]{16}'''
keywords = ["acme_"]
entropy = 2.5
tags = ["internal"]
[rules.allowlist]
stopwords = ["fixture"]

[allowlist]
paths = ['''^docs/''']
commits = ["abc123"]
"#;
        let got = parse(Path::new(".gitleaks.toml"), text, custom_meta()).expect("parses");
        assert_eq!(got.rows.len(), 1);
        assert_eq!(got.rows[0].custom_id.as_deref(), Some("acme-key"));
        assert_eq!(got.rows[0].format, "ACME API key");
        assert_eq!(got.rows[0].allow.len(), 1);
        assert_eq!(got.global.len(), 1);
        assert!(got.global[0].allows_whole_path("docs/a.md"));
    }

    #[test]
    fn invalid_regex_names_file_and_rule() {
        let text = "[[rules]]\nid = \"broken\"\nregex = '''(unclosed'''\n";
        let err =
            parse(Path::new("/r/.gitleaks.toml"), text, custom_meta()).expect_err("must fail");
        let msg = format!("{err:#}");
        assert!(msg.contains("/r/.gitleaks.toml"), "{msg}");
        assert!(msg.contains("`broken`"), "{msg}");
        assert!(msg.contains("invalid regex"), "{msg}");
    }

    #[test]
    fn invalid_toml_names_file() {
        let err =
            parse(Path::new(".gitleaks.toml"), "[[rules]\n", custom_meta()).expect_err("must fail");
        assert!(format!("{err:#}").contains(".gitleaks.toml: invalid TOML"));
    }
}
