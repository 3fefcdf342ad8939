//! The scanner: keyword prefilter, regions, regexes, judgement, allowlists, overlap.
//!
//! For one file (or one commit's added lines) the scanner
//!
//! 1. runs one Aho-Corasick automaton (a DFA, ignoring ASCII case) holding every row's
//!    keywords over the bytes; a file with no keyword costs that one pass and nothing else;
//! 2. turns each keyword hit into a region for each row using that keyword (the line, a few
//!    lines around it, a block below it, or the whole file — see [`Span`]), merging regions of
//!    the same row, so a row's regex runs on each part of the file at most once;
//! 3. runs the row's regex in those regions only, and judges every match: entropy threshold,
//!    placeholders, the row's own check ([`Judge`]), `gitleaks:allow` on the line, and the
//!    allowlists (global and the row's own);
//! 4. settles overlaps: when two rows claim the same bytes, the more specific one (lower
//!    priority number) wins, so `GITHUB_TOKEN = "ghp_…"` is a GitHub token, not also a generic
//!    assignment.

use aho_corasick::MatchKind;
use aho_corasick::automaton::Automaton;
use aho_corasick::dfa::DFA;
use anyhow::{Context, Result};
use regex::bytes::{CaptureLocations, Regex, RegexBuilder};

use super::allowlist::{Allowlist, Candidate};
use super::rules::{Judge, Span};
use super::validate::{self, GenericLimits};
use crate::model::Severity;
use crate::pipelines::RuleMeta;

/// Longest stretch of a line, on each side of a keyword, that a line-based region covers.
/// Minified files have megabyte-long lines; a window keeps the work per hit bounded.
const LINE_WINDOW: usize = 4096;

/// Largest secret the scanner reports, in bytes (a bound on pathological regex matches).
const MAX_SECRET_LEN: usize = 64 * 1024;

/// Longest value the generic assignment rows report, in bytes. Their regexes say `+` rather
/// than `{1,400}`: a counted repetition multiplies the automaton's states, and made these rows,
/// which run on nearly every line holding `token` or `pass`, the slowest of the scanner.
const GENERIC_MAX_LEN: usize = 400;

/// How a generic assignment regex ends when its secret is the quoted literal closing the
/// match: the secret is then the run of bytes before the last one, back to the opening quote,
/// and can be judged from the match bounds alone (see [`quoted_value`]).
const QUOTED_VALUE_SUFFIX: &str = r#"["'`](?P<secret>[^"'`\s\\]+)["'`]"#;

/// How the unquoted configuration row ends: its name (whose class holds neither `=` nor `:`)
/// is followed by the first `=` or `:` of the match, blanks, then the secret, which runs to
/// the first byte outside its class (see [`unquoted_value`]).
const UNQUOTED_VALUE_SUFFIX: &str =
    r#"(?:=|:)[ \t]*(?P<secret>[^\s"'`,{}()\[\]<>$|\\]+)(?:[ \t]+[#;].*)?[ \t]*\r?$"#;

/// Which capture group holds the secret.
#[derive(Debug, Clone, Copy)]
pub(crate) enum SecretGroup {
    /// The group named `secret` (built-in rows).
    Named,
    /// This group number (gitleaks' `secretGroup`).
    Index(usize),
    /// The first group that matched, or the whole match when the regex has no group.
    FirstOrWhole,
}

/// A row ready to run.
#[derive(Debug)]
pub(crate) struct CompiledRow {
    /// Catalogue rule the row reports under.
    pub meta: &'static RuleMeta,
    /// Provider and format (or the custom rule's description).
    pub format: String,
    /// Id of a custom or gitleaks rule.
    pub custom_id: Option<String>,
    /// Regex; `None` for a gitleaks rule that matches file paths only.
    pub regex: Option<Regex>,
    /// Capture group of the secret.
    pub group: SecretGroup,
    /// Least entropy of the secret (0 = none).
    pub entropy: f64,
    /// Severity of findings.
    pub severity: Severity,
    /// Extra judgement.
    pub judge: Judge,
    /// Region around keyword hits.
    pub span: Span,
    /// Overlap priority (lower wins).
    pub priority: u8,
    /// Runs on lockfiles too.
    pub in_lockfiles: bool,
    /// Runs only on configuration-like files.
    pub config_files_only: bool,
    /// Bytes of which one must occur on a keyword's line (see [`super::rules::Row::needs`]).
    pub needs: &'static [u8],
    /// Only files whose path matches (gitleaks' rule `path`).
    pub path: Option<regex::Regex>,
    /// The rule's own allowlists.
    pub allow: Vec<Allowlist>,
    /// Keywords, and whether they are case-sensitive.
    pub keywords: Vec<String>,
    /// Whether keywords must match in exact case.
    pub case_sensitive: bool,
    /// Whether matches are reported. A disabled built-in row still runs, so the text it
    /// claims is not reported again by a generic row.
    pub reported: bool,
}

/// Compile a row regex the way built-in rows expect: bytes, Unicode off.
pub(crate) fn compile_builtin(pattern: &str) -> Result<Regex> {
    RegexBuilder::new(pattern)
        .unicode(false)
        .build()
        .with_context(|| format!("built-in secret regex `{pattern}`"))
}

/// A secret the scanner found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Found {
    /// Index of the row in [`Scanner::row`].
    pub row: usize,
    /// Byte offset of the secret in the scanned text.
    pub start: usize,
    /// Byte offset just past the secret.
    pub end: usize,
    /// The secret (never printed: see `redact`).
    pub secret: String,
}

/// What kind of file is being scanned.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct FileClass {
    /// A lockfile: checksums defeat entropy-based rules, only `in_lockfiles` rows run.
    pub lockfile: bool,
    /// `.env`, YAML, properties, INI, shell…: unquoted `name=value` assignments are literal.
    pub config_like: bool,
}

impl FileClass {
    /// Classify by path.
    pub(crate) fn of(path: &str) -> Self {
        let name = path.rsplit('/').next().unwrap_or(path);
        let lower = name.to_ascii_lowercase();
        const LOCKFILES: &[&str] = &[
            "package-lock.json",
            "npm-shrinkwrap.json",
            "yarn.lock",
            "pnpm-lock.yaml",
            "bun.lock",
            "deno.lock",
            "cargo.lock",
            "go.sum",
            "go.work.sum",
            "go.mod",
            "poetry.lock",
            "pipfile.lock",
            "uv.lock",
            "pdm.lock",
            "composer.lock",
            "gemfile.lock",
            "packages.lock.json",
            "gradle.lockfile",
            "flake.lock",
            "podfile.lock",
            "mix.lock",
            "pubspec.lock",
            "package.resolved",
        ];
        let lockfile = LOCKFILES.contains(&lower.as_str());
        let ext = lower.rsplit_once('.').map_or("", |(_, e)| e);
        let config_like = lower == ".env"
            || lower.starts_with(".env.")
            || lower == ".envrc"
            || lower.starts_with("dockerfile")
            || lower.ends_with(".dockerfile")
            || matches!(
                lower.as_str(),
                ".npmrc" | ".pypirc" | ".yarnrc" | ".netrc" | ".pgpass" | ".my.cnf"
            )
            || matches!(
                ext,
                "env"
                    | "properties"
                    | "ini"
                    | "cfg"
                    | "conf"
                    | "cnf"
                    | "yml"
                    | "yaml"
                    | "sh"
                    | "bash"
                    | "zsh"
                    | "ksh"
            );
        Self {
            lockfile,
            config_like,
        }
    }
}

/// The compiled rule set of one run.
#[derive(Debug)]
pub(crate) struct Scanner {
    rows: Vec<CompiledRow>,
    /// Every keyword, matched ignoring ASCII case.
    keywords: Option<DFA>,
    /// For each keyword of the automaton, the rows it triggers (see [`KeywordUse`]).
    uses: Vec<Vec<KeywordUse>>,
    /// Rows without keywords: they run on every file.
    unkeyed: Vec<usize>,
    /// Allowlists that apply to every row.
    global: Vec<Allowlist>,
    /// Thresholds of the generic assignment rows.
    limits: GenericLimits,
    /// Per row, the indices of its named capture groups (looked up once, not per match).
    groups: Vec<Groups>,
}

/// Indices of the capture groups a row's judgement reads, resolved when the scanner is built.
#[derive(Debug, Clone, Copy, Default)]
struct Groups {
    /// Where the value of a generic assignment row's match lies, when it can be read from the
    /// match bounds: a match whose value fails the cheap value tests is then dropped without
    /// the slower search for capture groups.
    value: ValueShape,
    /// The group holding the secret, per [`SecretGroup`]; `None` for [`SecretGroup::FirstOrWhole`],
    /// `usize::MAX` (a group that never matches) when a `Named` row's regex lacks `secret`.
    secret: Option<usize>,
    /// `name`: the variable name of a generic assignment.
    name: Option<usize>,
    /// `close`: the closing XML tag.
    close: Option<usize>,
    /// `user`: the user of a URL with credentials.
    user: Option<usize>,
    /// `host`: the host of a URL with credentials.
    host: Option<usize>,
}

impl Groups {
    fn of(row: &CompiledRow) -> Self {
        let Some(regex) = &row.regex else {
            return Self::default();
        };
        let named = |wanted: &str| regex.capture_names().position(|n| n == Some(wanted));
        Self {
            value: ValueShape::of(row, regex.as_str()),
            secret: match row.group {
                SecretGroup::Named => Some(named("secret").unwrap_or(usize::MAX)),
                SecretGroup::Index(i) => Some(i),
                SecretGroup::FirstOrWhole => None,
            },
            name: named("name"),
            close: named("close"),
            user: named("user"),
            host: named("host"),
        }
    }
}

/// Where a generic row's secret lies within its match (see [`Groups::value`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum ValueShape {
    /// Only the capture groups tell.
    #[default]
    Groups,
    /// The regex ends in [`QUOTED_VALUE_SUFFIX`]: see [`quoted_value`].
    Quoted,
    /// The regex is the unquoted configuration row, ending in [`UNQUOTED_VALUE_SUFFIX`]: see
    /// [`unquoted_value`].
    Unquoted,
}

impl ValueShape {
    fn of(row: &CompiledRow, pattern: &str) -> Self {
        // Built-in rows only: a top-level `|` would make the suffix one branch's.
        if !matches!(row.group, SecretGroup::Named) || row.custom_id.is_some() {
            return Self::Groups;
        }
        match row.judge {
            Judge::Assignment if pattern.ends_with(QUOTED_VALUE_SUFFIX) => Self::Quoted,
            Judge::Unquoted if pattern.ends_with(UNQUOTED_VALUE_SUFFIX) => Self::Unquoted,
            _ => Self::Groups,
        }
    }

    /// The secret of the match `start..end`, when this shape tells it.
    fn value(self, text: &str, start: usize, end: usize) -> Option<&str> {
        match self {
            Self::Groups => None,
            Self::Quoted => quoted_value(text, end),
            Self::Unquoted => unquoted_value(text, start, end),
        }
    }
}

/// The text of capture group `i` of the last match in `locs`, empty when it did not match.
fn group_text<'t>(locs: &CaptureLocations, i: Option<usize>, text: &'t str) -> &'t str {
    i.and_then(|i| locs.get(i))
        .and_then(|(s, e)| text.get(s..e))
        .unwrap_or("")
}

/// A row triggered by a keyword of the automaton.
#[derive(Debug)]
struct KeywordUse {
    /// The row.
    row: usize,
    /// For a case-sensitive keyword, the exact text that must occur in the match.
    exact: Option<String>,
}

/// The keyword automaton and, for each of its words, the rows it triggers.
///
/// One pass over the bytes, ignoring ASCII case, on a DFA: with about 120 keywords the
/// automaton `aho-corasick` would pick by default is an NFA, three times slower. The DFA is
/// driven byte by byte ([`KeywordHits`]) and reports every keyword ending at each position,
/// overlapping ones included (`token` inside `auth_token`); each word also carries the rows of
/// every keyword it contains. Case-sensitive keywords are checked after a hit.
fn keyword_automaton(rows: &[CompiledRow]) -> Result<(Option<DFA>, Vec<Vec<KeywordUse>>)> {
    let mut words: Vec<String> = rows
        .iter()
        .flat_map(|r| r.keywords.iter().map(|k| k.to_ascii_lowercase()))
        .collect();
    words.sort();
    words.dedup();
    if words.is_empty() {
        return Ok((None, Vec::new()));
    }
    let uses = words
        .iter()
        .map(|word| {
            let mut uses: Vec<KeywordUse> = Vec::new();
            for (i, r) in rows.iter().enumerate() {
                for k in r
                    .keywords
                    .iter()
                    .filter(|k| word.contains(&k.to_ascii_lowercase()))
                {
                    let exact = r.case_sensitive.then(|| k.clone());
                    if !uses.iter().any(|u| u.row == i && u.exact == exact) {
                        uses.push(KeywordUse { row: i, exact });
                    }
                }
            }
            uses
        })
        .collect();
    // The DFA itself rather than `AhoCorasick`, which wraps it behind a dynamic call per hit:
    // on code full of `token` and `pass` there is a hit every few dozen bytes.
    let ac = DFA::builder()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::Standard)
        .build(&words)
        .context("building the secret keyword matcher")?;
    Ok((Some(ac), uses))
}

/// One keyword occurrence: the automaton's word and its byte range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct KeywordHit {
    pattern: usize,
    start: usize,
    end: usize,
}

/// Every keyword occurrence in a text, in order of where it ends, overlapping ones included.
///
/// The DFA is stepped one byte at a time here rather than searched with `find_iter`: code full
/// of `token` and `pass` has a hit every few dozen bytes, and restarting a search per hit
/// costs more than the transitions themselves.
struct KeywordHits<'a> {
    dfa: &'a DFA,
    bytes: &'a [u8],
    /// Next byte to read.
    at: usize,
    state: aho_corasick::automaton::StateID,
    /// Matches of `state` still to report, and where they end.
    next_match: usize,
    matches: usize,
    end: usize,
}

impl<'a> KeywordHits<'a> {
    fn new(dfa: &'a DFA, bytes: &'a [u8]) -> Self {
        // The DFA is built with the default (unanchored) start, so this cannot fail; if it
        // did, nothing would be read.
        let (state, at) = dfa
            .start_state(aho_corasick::Anchored::No)
            .map_or((Default::default(), bytes.len()), |s| (s, 0));
        Self {
            dfa,
            bytes,
            at,
            state,
            next_match: 0,
            matches: 0,
            end: 0,
        }
    }
}

impl Iterator for KeywordHits<'_> {
    type Item = KeywordHit;

    fn next(&mut self) -> Option<KeywordHit> {
        loop {
            if self.next_match < self.matches {
                let pid = self.dfa.match_pattern(self.state, self.next_match);
                self.next_match += 1;
                let len = self.dfa.pattern_len(pid);
                return Some(KeywordHit {
                    pattern: pid.as_usize(),
                    start: self.end - len,
                    end: self.end,
                });
            }
            let dfa = self.dfa;
            let mut state = self.state;
            let rest = self.bytes.get(self.at..).unwrap_or_default();
            let found = rest.iter().position(|&b| {
                state = dfa.next_state(aho_corasick::Anchored::No, state, b);
                dfa.is_special(state) && dfa.is_match(state)
            });
            self.state = state;
            let Some(i) = found else {
                self.at = self.bytes.len();
                return None;
            };
            let at = self.at + i + 1;
            self.at = at;
            self.next_match = 0;
            self.matches = dfa.match_len(state);
            self.end = at;
        }
    }
}

impl Scanner {
    /// Build the scanner from compiled rows, global allowlists and generic thresholds.
    pub(crate) fn new(
        rows: Vec<CompiledRow>,
        global: Vec<Allowlist>,
        limits: GenericLimits,
    ) -> Result<Self> {
        let unkeyed = rows
            .iter()
            .enumerate()
            .filter(|(_, r)| r.keywords.is_empty() && r.regex.is_some())
            .map(|(i, _)| i)
            .collect();
        let (keywords, uses) = keyword_automaton(&rows)?;
        let groups = rows.iter().map(Groups::of).collect();
        Ok(Self {
            groups,
            rows,
            keywords,
            uses,
            unkeyed,
            global,
            limits,
        })
    }

    /// The row a [`Found`] refers to.
    pub(crate) fn row(&self, i: usize) -> &CompiledRow {
        &self.rows[i]
    }

    /// Every keyword, for the benchmark's `rg` comparison and the docs.
    #[cfg(test)]
    pub(crate) fn keywords(&self) -> Vec<String> {
        let mut all: Vec<String> = self.rows.iter().flat_map(|r| r.keywords.clone()).collect();
        all.sort();
        all.dedup();
        all
    }

    /// Whether a global allowlist excludes the whole file, so it need not be read at all.
    pub(crate) fn is_path_allowed(&self, path: &str) -> bool {
        self.global.iter().any(|a| a.allows_whole_path(path))
    }

    /// Rows that match file paths only (gitleaks rules with a `path` and no `regex`) and
    /// match `path`, unless an allowlist allows the path.
    pub(crate) fn path_rules<'a>(&'a self, path: &'a str) -> impl Iterator<Item = usize> + 'a {
        self.rows.iter().enumerate().filter_map(move |(i, r)| {
            let candidate = Candidate {
                secret: "",
                matched: path,
                line: "",
                path,
                commit: None,
            };
            (r.regex.is_none()
                && r.path.as_ref().is_some_and(|p| p.is_match(path))
                && !self.is_allowed(r, &candidate))
            .then_some(i)
        })
    }

    fn applies(&self, i: usize, class: FileClass, path: &str) -> bool {
        let r = &self.rows[i];
        (!class.lockfile || r.in_lockfiles)
            && (!r.config_files_only || class.config_like)
            && r.path.as_ref().is_none_or(|p| p.is_match(path))
    }

    /// Every secret in `text`, the content of `path` (at `commit` in history mode), sorted by
    /// position, overlaps settled.
    pub(crate) fn scan(&self, path: &str, text: &str, commit: Option<&str>) -> Vec<Found> {
        if self.is_path_allowed(path) {
            return Vec::new();
        }
        // Classified on the first keyword hit: most files have none.
        let mut class: Option<FileClass> = None;
        let bytes = text.as_bytes();
        // Regions to run, per row merged as they come: keyword hits arrive in text order, so
        // a row's next region either extends its open one or closes it.
        let mut merged: Vec<(usize, usize, usize)> = Vec::new();
        // Per row, allocated on the first keyword hit: start of the open region (`usize::MAX`
        // when none), end of what is covered (skipped hits fall inside it), whether it applies.
        let mut open: Vec<usize> = Vec::new();
        let mut covered: Vec<usize> = Vec::new();
        let mut applies: Vec<Option<bool>> = Vec::new();
        if let Some(dfa) = &self.keywords {
            for m in KeywordHits::new(dfa, bytes) {
                // Line bounds of this hit, shared by the rows it triggers.
                let mut line: Option<(usize, usize)> = None;
                for u in &self.uses[m.pattern] {
                    let r = u.row;
                    if covered.is_empty() {
                        open = vec![usize::MAX; self.rows.len()];
                        covered = vec![0; self.rows.len()];
                        applies = vec![None; self.rows.len()];
                    }
                    if m.start < covered[r] {
                        continue;
                    }
                    if let Some(exact) = &u.exact
                        && memchr::memmem::find(&bytes[m.start..m.end], exact.as_bytes()).is_none()
                    {
                        continue;
                    }
                    let ok = *applies[r].get_or_insert_with(|| {
                        let class = *class.get_or_insert_with(|| FileClass::of(path));
                        self.applies(r, class, path)
                    });
                    if !ok {
                        covered[r] = usize::MAX;
                        continue;
                    }
                    let row = &self.rows[r];
                    let (s, e) = if row.span == Span::Line {
                        *line.get_or_insert_with(|| {
                            (line_start(text, m.start), line_end(text, m.end))
                        })
                    } else {
                        region(row.span, text, m.start, m.end)
                    };
                    let wanted = row.needs.is_empty() || has_any(&bytes[s..e], row.needs);
                    // Regions of consecutive lines merge too (`s` is one past the newline that
                    // ends the previous one): one regex call over a block of lines is far
                    // cheaper than one per line, and no line-based regex crosses a newline.
                    if open[r] != usize::MAX && (!wanted || s > covered[r] + 1) {
                        merged.push((r, open[r], covered[r]));
                        open[r] = usize::MAX;
                    }
                    if wanted && open[r] == usize::MAX {
                        open[r] = s;
                    }
                    covered[r] = covered[r].max(e);
                }
            }
        }
        for (r, &s) in open.iter().enumerate() {
            if s != usize::MAX {
                merged.push((r, s, covered[r]));
            }
        }
        for &r in &self.unkeyed {
            if self.applies(r, *class.get_or_insert_with(|| FileClass::of(path)), path) {
                merged.push((r, 0, bytes.len()));
            }
        }
        let mut found = Vec::new();
        if merged.is_empty() {
            return found;
        }
        let at = Place { text, path, commit };
        // Capture slots of each row, allocated on its first region and reused for every match.
        let mut locs: Vec<Option<CaptureLocations>> = Vec::new();
        locs.resize_with(self.rows.len(), || None);
        for (r, s, e) in merged {
            self.run_row(r, &at, (s, e), &mut locs[r], &mut found);
        }
        let mut kept = settle_overlaps(&self.rows, found);
        kept.retain(|f| self.rows[f.row].reported);
        kept
    }

    fn run_row(
        &self,
        r: usize,
        at: &Place<'_>,
        (start, end): (usize, usize),
        locs: &mut Option<CaptureLocations>,
        out: &mut Vec<Found>,
    ) {
        let Place { text, path, commit } = *at;
        let row = &self.rows[r];
        let Some(regex) = &row.regex else {
            return;
        };
        let groups = &self.groups[r];
        let locs = locs.get_or_insert_with(|| regex.capture_locations());
        let hay = &text.as_bytes()[..end];
        let mut from = start;
        while from <= end {
            if groups.value != ValueShape::Groups {
                // Most assignments to `token`-like names hold words (`"child-42"`): the value
                // tests reject them from the match bounds, before the slower capture search.
                let Some(whole) = regex.find_at(hay, from) else {
                    break;
                };
                let value = groups.value.value(text, whole.start(), whole.end());
                if value.is_some_and(|v| {
                    v.len() > GENERIC_MAX_LEN || !validate::is_random_value(v, self.limits)
                }) {
                    from = whole.end().max(whole.start() + 1);
                    continue;
                }
            }
            let Some(whole) = regex.captures_read_at(locs, hay, from) else {
                break;
            };
            from = if whole.end() > whole.start() {
                whole.end()
            } else {
                whole.end() + 1
            };
            let Some((gs, ge)) = secret_span(locs, groups.secret) else {
                continue;
            };
            if ge - gs > MAX_SECRET_LEN
                || !text.is_char_boundary(gs)
                || !text.is_char_boundary(ge)
                || !text.is_char_boundary(whole.start())
                || !text.is_char_boundary(whole.end())
            {
                continue;
            }
            let secret = &text[gs..ge];
            if !self.judge(row, groups, locs, secret, text) {
                continue;
            }
            let line = line_text(text, gs);
            if line.contains("gitleaks:allow") {
                continue;
            }
            let candidate = Candidate {
                secret,
                matched: &text[whole.start()..whole.end()],
                line,
                path,
                commit,
            };
            if self.is_allowed(row, &candidate) {
                continue;
            }
            out.push(Found {
                row: r,
                start: gs,
                end: ge,
                secret: secret.to_owned(),
            });
        }
    }

    fn is_allowed(&self, row: &CompiledRow, c: &Candidate<'_>) -> bool {
        self.global
            .iter()
            .chain(row.allow.iter())
            .any(|a| a.allows(c))
    }

    /// Entropy, placeholders and the row's own judgement. Every test is a pure predicate, so
    /// their order only matters for speed: the cheap ones that reject most candidates first.
    fn judge(
        &self,
        row: &CompiledRow,
        groups: &Groups,
        locs: &CaptureLocations,
        secret: &str,
        text: &str,
    ) -> bool {
        if secret.is_empty() {
            return false;
        }
        if row.entropy > 0.0 && validate::shannon(secret) < row.entropy {
            return false;
        }
        let group = |i: Option<usize>| group_text(locs, i, text);
        match row.judge {
            Judge::Custom => true,
            Judge::Token => !validate::is_placeholder(secret),
            Judge::AwsSecretNearId => {
                validate::is_aws_secret_shape(secret) && !validate::is_placeholder(secret)
            }
            Judge::Assignment | Judge::Unquoted | Judge::XmlElement => {
                // Length, character classes and entropy reject nearly every value in ordinary
                // code (`token = "child-42"`) without allocating: they come first.
                if secret.len() > GENERIC_MAX_LEN || !validate::is_random_value(secret, self.limits)
                {
                    return false;
                }
                let name = group(groups.name);
                if !name.is_empty() && !validate::is_secret_name(name) {
                    return false;
                }
                if row.judge == Judge::XmlElement && group(groups.close) != name {
                    return false;
                }
                let literal_ok = row.judge != Judge::Unquoted || !validate::is_non_literal(secret);
                literal_ok
                    && !secret.contains("://")
                    && !validate::is_non_literal(secret.trim_start_matches(['+', '=']))
                    && !validate::is_placeholder(secret)
                    && !validate::has_test_word(secret)
                    && !secret.eq_ignore_ascii_case(name)
            }
            Judge::ServiceAccount => {
                is_service_account(text) && validate::is_private_key_body(secret)
            }
            Judge::PrivateKey => validate::is_private_key_body(secret),
            Judge::Jwt => validate::is_signed_jwt(secret) && !validate::is_placeholder(secret),
            Judge::UrlCredentials => {
                validate::is_url_password(group(groups.user), secret, group(groups.host))
            }
            Judge::DockerAuth => validate::is_docker_auth(secret),
        }
    }
}

/// The text being scanned and where it comes from.
#[derive(Clone, Copy)]
struct Place<'a> {
    text: &'a str,
    path: &'a str,
    commit: Option<&'a str>,
}

/// Whether a JSON document declares `"type": "service_account"`.
fn is_service_account(text: &str) -> bool {
    static TYPE: std::sync::OnceLock<Option<Regex>> = std::sync::OnceLock::new();
    TYPE.get_or_init(|| compile_builtin(r#""type"[ \t\r\n]*:[ \t\r\n]*"service_account""#).ok())
        .as_ref()
        .is_some_and(|re| re.is_match(text.as_bytes()))
}

/// The secret of a match of a regex ending in [`QUOTED_VALUE_SUFFIX`] that ends at `end`:
/// the bytes before the closing quote back to the opening one (the secret's class excludes
/// quotes, so the run is exactly the group). `None` when not a slice of whole characters.
fn quoted_value(text: &str, end: usize) -> Option<&str> {
    let close = end.checked_sub(1)?;
    let bytes = text.as_bytes();
    let mut start = close;
    while start > 0
        && !matches!(
            bytes[start - 1],
            b'"' | b'\'' | b'`' | b'\\' | b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c
        )
    {
        start -= 1;
    }
    text.get(start..close)
}

/// The secret of a match of the unquoted configuration row spanning `start..end`: after the
/// first `=` or `:` and the blanks that follow, up to the first byte outside the secret's class
/// (a blank, a comment or the line's end follow it). `None` when not found or not a slice of
/// whole characters.
fn unquoted_value(text: &str, start: usize, end: usize) -> Option<&str> {
    let bytes = &text.as_bytes()[..end];
    let op = start + memchr::memchr2(b'=', b':', &bytes[start..])?;
    let mut s = op + 1;
    while s < end && matches!(bytes[s], b' ' | b'\t') {
        s += 1;
    }
    let mut e = s;
    while e < end
        && !matches!(
            bytes[e],
            b' ' | b'\t'
                | b'\n'
                | b'\r'
                | 0x0b
                | 0x0c
                | b'"'
                | b'\''
                | b'`'
                | b','
                | b'{'
                | b'}'
                | b'('
                | b')'
                | b'['
                | b']'
                | b'<'
                | b'>'
                | b'$'
                | b'|'
                | b'\\'
        )
    {
        e += 1;
    }
    text.get(s..e)
}

/// Byte span of the secret within the last match in `locs`: group `group` when given (see
/// [`Groups::secret`]), else the first group that matched, else the whole match.
fn secret_span(locs: &CaptureLocations, group: Option<usize>) -> Option<(usize, usize)> {
    match group {
        Some(i) => locs.get(i),
        None => (1..locs.len())
            .find_map(|i| locs.get(i))
            .or_else(|| locs.get(0)),
    }
}

/// Snap `i` down to a char boundary of `text`.
fn floor_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Snap `i` up to a char boundary of `text`.
fn ceil_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// Start of the line holding `pos`, looking back at most [`LINE_WINDOW`] bytes.
fn line_start(text: &str, pos: usize) -> usize {
    let bytes = text.as_bytes();
    let lo = pos.saturating_sub(LINE_WINDOW);
    match memchr::memrchr(b'\n', &bytes[lo..pos]) {
        Some(i) => lo + i + 1,
        None => floor_boundary(text, lo),
    }
}

/// End of the line holding `pos` (the newline's offset), looking ahead at most
/// [`LINE_WINDOW`] bytes.
fn line_end(text: &str, pos: usize) -> usize {
    let bytes = text.as_bytes();
    let hi = (pos + LINE_WINDOW).min(bytes.len());
    match memchr::memchr(b'\n', &bytes[pos.min(hi)..hi]) {
        Some(i) => pos + i,
        None => ceil_boundary(text, hi),
    }
}

/// The (possibly windowed) line holding byte `pos`.
pub(crate) fn line_text(text: &str, pos: usize) -> &str {
    let s = line_start(text, pos);
    let e = line_end(text, pos);
    text[s..e].trim_end_matches('\r')
}

/// Whether `hay` holds one of `needles`.
fn has_any(hay: &[u8], needles: &[u8]) -> bool {
    match *needles {
        [a] => memchr::memchr(a, hay).is_some(),
        [a, b] => memchr::memchr2(a, b, hay).is_some(),
        [a, b, c] => memchr::memchr3(a, b, c, hay).is_some(),
        _ => hay.iter().any(|b| needles.contains(b)),
    }
}

/// Region a row's regex runs on for a keyword hit at `start..end`.
fn region(span: Span, text: &str, start: usize, end: usize) -> (usize, usize) {
    let len = text.len();
    match span {
        Span::Line => (line_start(text, start), line_end(text, end.min(len))),
        Span::Around(n) => {
            let mut s = line_start(text, start);
            for _ in 0..n {
                if s == 0 {
                    break;
                }
                s = line_start(text, s - 1);
            }
            let mut e = line_end(text, end.min(len));
            for _ in 0..n {
                if e >= len {
                    break;
                }
                e = line_end(text, e + 1);
            }
            (s, e)
        }
        Span::Block(max) => {
            let s = line_start(text, start);
            let e = ceil_boundary(text, s.saturating_add(max).min(len));
            (s, line_end(text, e))
        }
        Span::File => (0, len),
    }
}

/// Keep one finding per stretch of bytes: lower priority numbers first, then earlier and
/// longer matches. Returns the survivors sorted by position.
fn settle_overlaps(rows: &[CompiledRow], mut found: Vec<Found>) -> Vec<Found> {
    found.sort_by_key(|f| {
        (
            rows[f.row].priority,
            f.start,
            std::cmp::Reverse(f.end),
            f.row,
        )
    });
    let mut kept: Vec<Found> = Vec::with_capacity(found.len());
    for f in found {
        let overlaps = kept.iter().any(|k| {
            (f.start < k.end && k.start < f.end) || (f.start == k.start && f.end == k.end)
        });
        if !overlaps {
            kept.push(f);
        }
    }
    kept.sort_by_key(|f| (f.start, f.end, f.row));
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_files() {
        assert!(FileClass::of("a/package-lock.json").lockfile);
        assert!(FileClass::of("Cargo.lock").lockfile);
        assert!(!FileClass::of("src/lock.rs").lockfile);
        assert!(FileClass::of(".env").config_like);
        assert!(FileClass::of("deploy/.env.production").config_like);
        assert!(FileClass::of("docker-compose.yml").config_like);
        assert!(FileClass::of("Dockerfile").config_like);
        assert!(!FileClass::of("app.py").config_like);
    }

    /// The value read from a match's bounds is exactly the `secret` group, for the built-in
    /// rows whose regexes end in the suffixes the shortcut relies on.
    #[test]
    fn values_read_from_match_bounds_equal_the_secret_group() {
        let lines = [
            r#"    db_password = "hunter2-Xq9vLm3Rt8""#,
            r#"let api_key: &str = r"AKq9vLm3Rt8pZw";"#,
            r#"const authToken => `tok en`; client_secret = 'a"b'"#,
            r#"  "SECRET_TOKEN": "x\y", pass='Zq8#vR2m!pL0'"#,
            "export DB_PASSWORD=Zq8#vR2m!pL0 # note",
            "  - api_key: a=b:c;d",
            "set auth_token = Zq8vR2mpL0ab\r",
            "ENV SECRET_KEY  :  Zq8vR2mpL0ab   ",
            "  \"client.secret\": v4lue,rest",
        ];
        let mut shapes = [0usize; 2];
        let mut compared = [0usize; 2];
        for row in super::super::rules::BUILTIN {
            let quoted = row.judge == Judge::Assignment && row.regex.ends_with(QUOTED_VALUE_SUFFIX);
            let unquoted =
                row.judge == Judge::Unquoted && row.regex.ends_with(UNQUOTED_VALUE_SUFFIX);
            if !quoted && !unquoted {
                continue;
            }
            shapes[usize::from(unquoted)] += 1;
            let shape = if quoted {
                ValueShape::Quoted
            } else {
                ValueShape::Unquoted
            };
            let re = compile_builtin(row.regex).expect("built-in regex");
            for text in lines {
                for caps in re.captures_iter(text.as_bytes()) {
                    let whole = caps.get(0).expect("group 0");
                    let secret = caps.name("secret").expect("secret group");
                    compared[usize::from(unquoted)] += 1;
                    assert_eq!(
                        shape.value(text, whole.start(), whole.end()),
                        Some(&text[secret.start()..secret.end()]),
                        "{} on {text:?}",
                        row.format
                    );
                }
            }
        }
        assert_eq!(shapes, [1, 1], "one quoted and one unquoted generic row");
        assert!(
            compared.iter().all(|&n| n >= 3),
            "matches compared: {compared:?}"
        );
    }

    #[test]
    fn keyword_hits_are_every_occurrence_ignoring_case_overlaps_included() {
        let words = ["auth", "auth_token", "token"];
        let dfa = DFA::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(words)
            .expect("dfa");
        let text = b"X AUTH_Token y token";
        let mut hits: Vec<(usize, &str, usize)> = KeywordHits::new(&dfa, text)
            .map(|h| (h.end, words[h.pattern], h.start))
            .collect();
        // Hits come in order of their end; the order of hits ending together is the DFA's.
        hits.sort();
        assert_eq!(
            hits,
            [
                (6, "auth", 2),
                (12, "auth_token", 2),
                (12, "token", 7),
                (20, "token", 15)
            ]
        );
        assert_eq!(KeywordHits::new(&dfa, b"").count(), 0);
        assert_eq!(KeywordHits::new(&dfa, b"nothing here").count(), 0);
    }

    #[test]
    fn regions_cover_lines_and_windows() {
        let text = "one\ntwo KEY two\nthree\nfour";
        let k = text.find("KEY").expect("key");
        assert_eq!(region(Span::Line, text, k, k + 3), (4, 15));
        let (s, e) = region(Span::Around(1), text, k, k + 3);
        assert_eq!(&text[s..e], "one\ntwo KEY two\nthree");
        assert_eq!(region(Span::File, text, k, k + 3), (0, text.len()));
        let long = format!("{}KEY{}", "a".repeat(10_000), "b".repeat(10_000));
        let k = long.find("KEY").expect("key");
        let (s, e) = region(Span::Line, &long, k, k + 3);
        assert_eq!(s, k - LINE_WINDOW);
        assert_eq!(e, k + 3 + LINE_WINDOW);
    }
}
