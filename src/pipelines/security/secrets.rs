//! Hard-coded secrets: provider tokens, private keys, credentials in URLs and random values
//! assigned to secret-looking names, in the working tree and, with `--git-history`, in every
//! commit's added lines.
//!
//! The rules are data ([`rules::BUILTIN`], one row per credential format, as in gitleaks'
//! config), compiled once per run into a [`Scanner`](engine::Scanner): an Aho-Corasick keyword
//! prefilter over each file's bytes decides which rows run at all, and each row's regex runs
//! only on the lines around its keywords. Matches are judged (entropy, placeholders, documented
//! examples, references to other variables) and filtered by allowlists from
//! `security.secrets.allowlist` and from an existing `.gitleaks.toml`.
//!
//! Secrets never leave this module in clear: every message and property shows
//! [`redact`]ed text, and the fingerprint is derived from the rule, the path and the SHA-256 of
//! the secret, so it survives lines moving and reveals nothing.
//!
//! `.gitleaks.toml` is read when the check is built, like vigil's own configuration and for the
//! same reason: its rules must be known before the first file is scanned, and the parallel walk
//! offers files in no particular order. The walk still scans it like any other file.

mod allowlist;
mod engine;
mod finding;
mod gitleaks;
mod history;
mod rules;
mod scrub;
mod validate;

use std::collections::HashSet;
use std::sync::Mutex;

use anyhow::{Context, Result, bail};

use self::allowlist::{Allowlist, PathMatcher};
use self::engine::{CompiledRow, Found, Scanner, SecretGroup, compile_builtin};
pub use self::finding::redact;
use self::finding::{Source, make_finding, region_of};
pub use self::scrub::prepare_scrubber;
pub(crate) use self::scrub::scrub_findings;
use self::validate::GenericLimits;
use crate::model::{Metric, Pipeline, Severity};
use crate::pipelines::{Built, Check, CheckContext, CheckSpec, RuleMeta, Sink};
use crate::walk::{FileIndex, SourceFile};

const DOCS: &str = include_str!("secrets.md");

const fn rule(
    id: &'static str,
    name: &'static str,
    default_severity: Severity,
    summary: &'static str,
) -> RuleMeta {
    RuleMeta {
        id,
        name,
        pipeline: Pipeline::Security,
        default_severity,
        summary,
        docs: DOCS,
    }
}

/// Rules of this check; each groups the formats of one provider or kind of credential.
pub static RULES: &[RuleMeta] = &[
    rule(
        "aws-access-key",
        "AWS access key",
        Severity::Critical,
        "An AWS access key ID or secret access key is committed.",
    ),
    rule(
        "gcp-service-account-key",
        "Google Cloud service account key",
        Severity::Critical,
        "A Google Cloud service account key file with its private key is committed.",
    ),
    rule(
        "gcp-api-key",
        "Google API key or OAuth client secret",
        Severity::High,
        "A Google API key (`AIza…`) or OAuth client secret (`GOCSPX-…`) is committed.",
    ),
    rule(
        "azure-storage-key",
        "Azure storage key",
        Severity::Critical,
        "An Azure storage account key, connection string or SAS signature is committed.",
    ),
    rule(
        "azure-client-secret",
        "Microsoft Entra ID client secret",
        Severity::High,
        "A Microsoft Entra ID (Azure AD) application client secret is committed.",
    ),
    rule(
        "github-token",
        "GitHub token",
        Severity::High,
        "A GitHub personal access, OAuth, app or refresh token is committed.",
    ),
    rule(
        "gitlab-token",
        "GitLab token",
        Severity::High,
        "A GitLab access, deploy, runner, trigger or job token is committed.",
    ),
    rule(
        "slack-token",
        "Slack token",
        Severity::High,
        "A Slack bot, user, app or workspace token is committed.",
    ),
    rule(
        "slack-webhook",
        "Slack webhook URL",
        Severity::Medium,
        "A Slack incoming webhook URL, which lets anyone post to a channel, is committed.",
    ),
    rule(
        "stripe-key",
        "Stripe API key",
        Severity::Critical,
        "A Stripe secret, restricted or webhook signing key is committed.",
    ),
    rule(
        "twilio-key",
        "Twilio credential",
        Severity::High,
        "A Twilio API key or account auth token is committed.",
    ),
    rule(
        "sendgrid-key",
        "SendGrid API key",
        Severity::High,
        "A SendGrid API key is committed.",
    ),
    rule(
        "mailgun-key",
        "Mailgun API key",
        Severity::High,
        "A Mailgun API key is committed.",
    ),
    rule(
        "npm-token",
        "npm token",
        Severity::High,
        "An npm access token or registry auth token is committed.",
    ),
    rule(
        "pypi-token",
        "PyPI upload token",
        Severity::High,
        "A PyPI or TestPyPI upload token is committed.",
    ),
    rule(
        "docker-credentials",
        "Docker registry credential",
        Severity::High,
        "A Docker Hub access token or a registry password in a Docker config is committed.",
    ),
    rule(
        "openai-key",
        "OpenAI API key",
        Severity::High,
        "An OpenAI API key is committed.",
    ),
    rule(
        "anthropic-key",
        "Anthropic API key",
        Severity::High,
        "An Anthropic API or admin key is committed.",
    ),
    rule(
        "shopify-token",
        "Shopify token",
        Severity::High,
        "A Shopify access token or shared secret is committed.",
    ),
    rule(
        "discord-token",
        "Discord bot token",
        Severity::High,
        "A Discord bot token is committed.",
    ),
    rule(
        "discord-webhook",
        "Discord webhook URL",
        Severity::Medium,
        "A Discord webhook URL, which lets anyone post to a channel, is committed.",
    ),
    rule(
        "telegram-bot-token",
        "Telegram bot token",
        Severity::High,
        "A Telegram bot token is committed.",
    ),
    rule(
        "heroku-api-key",
        "Heroku API key",
        Severity::High,
        "A Heroku API key is committed.",
    ),
    rule(
        "digitalocean-token",
        "DigitalOcean token",
        Severity::High,
        "A DigitalOcean personal access or OAuth token is committed.",
    ),
    rule(
        "jwt",
        "JSON Web Token",
        Severity::Medium,
        "A signed JSON Web Token, usable as a bearer credential until it expires, is committed.",
    ),
    rule(
        "private-key",
        "Private key",
        Severity::Critical,
        "A PEM, OpenSSH, PGP or PuTTY private key is committed.",
    ),
    rule(
        "credentials-in-url",
        "Password in a URL",
        Severity::High,
        "A URL carries a password (`scheme://user:password@host`).",
    ),
    rule(
        "generic-secret-assignment",
        "Secret assigned to a variable",
        Severity::Medium,
        "A random-looking value is assigned to a name such as `password`, `token` or `api_key`.",
    ),
    rule(
        "custom-secret-rule",
        "Custom secret rule",
        Severity::High,
        "A secret matched a rule of `security.secrets.extra_rules` or of `.gitleaks.toml`.",
    ),
];

/// Registry entry.
pub const SPEC: CheckSpec = CheckSpec {
    id: "secrets",
    pipeline: Pipeline::Security,
    rules: RULES,
    docs: DOCS,
    build,
};

/// Name of the metric counting secrets found (working tree and history).
pub const METRIC: &str = "security.secrets";

fn meta(id: &str) -> Result<&'static RuleMeta> {
    RULES
        .iter()
        .find(|r| r.id == id)
        .with_context(|| format!("secret rule table names `{id}`, which is not in the catalogue"))
}

/// The built-in rows, compiled; `enabled` says which catalogue rules are reported.
fn builtin_rows(enabled: impl Fn(&str) -> bool) -> Result<Vec<CompiledRow>> {
    rules::BUILTIN
        .iter()
        .map(|r| {
            let meta = meta(r.rule)?;
            Ok(CompiledRow {
                meta,
                format: r.format.to_owned(),
                custom_id: None,
                regex: Some(compile_builtin(r.regex)?),
                group: SecretGroup::Named,
                entropy: r.entropy,
                severity: r.severity.unwrap_or(meta.default_severity),
                judge: r.judge,
                span: r.span,
                priority: r.priority,
                in_lockfiles: r.in_lockfiles,
                config_files_only: r.config_files_only,
                needs: r.needs,
                path: None,
                allow: Vec::new(),
                keywords: r.keywords.iter().map(|k| (*k).to_owned()).collect(),
                case_sensitive: r.case_sensitive,
                reported: enabled(r.rule),
            })
        })
        .collect()
}

/// The rows of `security.secrets.extra_rules`.
fn configured_rows(
    cfg: &crate::config::schema::SecretsConfig,
    custom: &'static RuleMeta,
) -> Result<Vec<CompiledRow>> {
    cfg.extra_rules
        .iter()
        .enumerate()
        .map(|(i, c)| gitleaks::from_config(c, i, custom))
        .collect()
}

/// The run's own secret rules — `security.secrets.extra_rules` and the rules of
/// `.gitleaks.toml` — compiled for the scrubber, which redacts what they match in every other
/// check's findings too. `None` when there are none, or when they do not compile (the secrets
/// check's build reports that error).
pub(crate) fn run_scrubber(ctx: &CheckContext<'_>) -> Option<Scanner> {
    let cfg = &ctx.config.security.secrets;
    let custom = meta("custom-secret-rule").ok()?;
    let mut rows = configured_rows(cfg, custom).ok()?;
    if cfg.gitleaks_config {
        let file = ctx.root.join(gitleaks::FILE_NAME);
        if let Ok(text) = std::fs::read_to_string(&file) {
            rows.extend(gitleaks::parse(&file, &text, custom).ok()?.rows);
        }
    }
    // Only rules that match content: a path rule says nothing about a message.
    rows.retain(|r| r.regex.is_some());
    if rows.is_empty() {
        return None;
    }
    let limits = GenericLimits {
        min_entropy: cfg.generic_min_entropy.0,
        min_length: cfg.generic_min_length,
    };
    Scanner::new(rows, Vec::new(), limits).ok()
}

fn build(ctx: &CheckContext<'_>) -> Result<Built> {
    let cfg = &ctx.config.security.secrets;
    for id in &cfg.disabled_rules {
        if !RULES.iter().any(|r| r.id == id) {
            let known: Vec<&str> = RULES.iter().map(|r| r.id).collect();
            bail!(
                "security.secrets.disabled_rules: unknown rule `{id}`; the secrets rules are {}",
                known.join(", ")
            );
        }
    }
    let enabled = |id: &str| !cfg.disabled_rules.iter().any(|d| d == id);

    let mut rows = builtin_rows(enabled)?;
    let custom = meta("custom-secret-rule")?;
    if enabled(custom.id) {
        rows.extend(configured_rows(cfg, custom)?);
    }

    let mut configured = Allowlist {
        paths: PathMatcher::globs(&cfg.allowlist.paths, "security.secrets.allowlist.paths")?,
        regexes: cfg
            .allowlist
            .regexes
            .iter()
            .map(|r| {
                regex::bytes::Regex::new(&r.0)
                    .with_context(|| format!("security.secrets.allowlist.regexes: `{}`", r.0))
            })
            .collect::<Result<_>>()?,
        stopwords: cfg
            .allowlist
            .stopwords
            .iter()
            .map(|w| w.to_ascii_lowercase())
            .collect(),
        ..Allowlist::default()
    };
    configured.add_values(&cfg.allowlist.values, "security.secrets.allowlist.values")?;
    let mut global = vec![configured];

    if cfg.gitleaks_config {
        let file = ctx.root.join(gitleaks::FILE_NAME);
        if file.is_file() {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("{}: cannot read", file.display()))?;
            let imported = gitleaks::parse(&file, &text, custom)?;
            if enabled(custom.id) {
                rows.extend(imported.rows);
            }
            global.extend(imported.global);
        }
    }

    let limits = GenericLimits {
        min_entropy: cfg.generic_min_entropy.0,
        min_length: cfg.generic_min_length,
    };
    Ok(Built::Ready(Box::new(SecretsCheck {
        scanner: Scanner::new(rows, global, limits)?,
        git_history: ctx.git_history,
        tree_fingerprints: Mutex::new(HashSet::new()),
    })))
}

/// Finds hard-coded secrets.
struct SecretsCheck {
    scanner: Scanner,
    git_history: bool,
    /// Fingerprints found in the working tree, so history does not report them twice.
    tree_fingerprints: Mutex<HashSet<String>>,
}

/// Files that cannot hold a readable secret (images, fonts, archives, compiled code). SVG is
/// text, but its path data is a classic source of random-looking false positives.
fn is_opaque(path: &str) -> bool {
    let ext = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    matches!(
        ext.as_str(),
        "png"
            | "jpg"
            | "jpeg"
            | "gif"
            | "bmp"
            | "ico"
            | "webp"
            | "tif"
            | "tiff"
            | "svg"
            | "woff"
            | "woff2"
            | "ttf"
            | "otf"
            | "eot"
            | "pdf"
            | "zip"
            | "gz"
            | "tgz"
            | "xz"
            | "bz2"
            | "zst"
            | "7z"
            | "jar"
            | "class"
            | "so"
            | "dylib"
            | "dll"
            | "exe"
            | "o"
            | "a"
            | "rlib"
            | "wasm"
            | "mp3"
            | "mp4"
            | "mov"
            | "avi"
    )
}

impl Check for SecretsCheck {
    fn wants(&self, path: &str) -> bool {
        !is_opaque(path) && !self.scanner.is_path_allowed(path)
    }

    fn check_file(&self, file: &SourceFile<'_>, sink: &mut Sink) -> Result<()> {
        let found = self.scanner.scan(file.path, file.text, None);
        if found.is_empty() {
            return Ok(());
        }
        let mut fingerprints = Vec::new();
        for f in &found {
            let row = self.scanner.row(f.row);
            let region = (f.end > f.start).then(|| region_of(file.text, f.start, f.end));
            let finding = make_finding(row, f, file.path, region, Source::WorkingTree);
            if self.git_history {
                fingerprints.push(finding.fingerprint.clone());
            }
            sink.push(finding);
        }
        if !fingerprints.is_empty()
            && let Ok(mut seen) = self.tree_fingerprints.lock()
        {
            seen.extend(fingerprints);
        }
        sink.metric(Metric::new(METRIC, found.len() as f64, "count"));
        Ok(())
    }

    fn check_repo(&self, ctx: &CheckContext<'_>, index: &FileIndex, sink: &mut Sink) -> Result<()> {
        // Report the metric even when nothing was found, so a zero is a measurement.
        sink.metric(Metric::new(METRIC, 0.0, "count"));
        // Path-only custom rules judge names, so they see every file, binary ones included.
        let mut by_path = 0u64;
        for file in &index.files {
            for r in self.scanner.path_rules(&file.path) {
                let found = Found {
                    row: r,
                    start: 0,
                    end: 0,
                    secret: String::new(),
                };
                let row = self.scanner.row(r);
                sink.push(make_finding(
                    row,
                    &found,
                    &file.path,
                    None,
                    Source::WorkingTree,
                ));
                by_path += 1;
            }
        }
        if by_path > 0 {
            sink.metric(Metric::new(METRIC, by_path as f64, "count"));
        }
        if !self.git_history {
            return Ok(());
        }
        let mut seen = self
            .tree_fingerprints
            .lock()
            .map(|mut s| std::mem::take(&mut *s))
            .unwrap_or_default();
        let exclude = PathMatcher::globs(&ctx.config.paths.exclude, "paths.exclude")?;
        let max_bytes = usize::try_from(ctx.config.paths.max_file_size.0).unwrap_or(usize::MAX);
        let mut count = 0u64;
        history::scan(ctx.root, &self.scanner, &exclude, max_bytes, |hit| {
            let row = self.scanner.row(hit.found.row);
            let region = (hit.found.end > hit.found.start).then_some(hit.region);
            let finding = make_finding(
                row,
                &hit.found,
                &hit.path,
                region,
                Source::History {
                    commit: &hit.commit,
                    date: &hit.date,
                },
            );
            if seen.insert(finding.fingerprint.clone()) {
                sink.push(finding);
                count += 1;
            }
        })?;
        if count > 0 {
            sink.metric(Metric::new(METRIC, count as f64, "count"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
