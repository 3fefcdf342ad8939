//! The language table: which file is which language, and each language's comment and string
//! syntax.
//!
//! The data is tokei's own `languages.json` (see `README.md` beside this file), read once per
//! run, so vigil knows the same 300-odd languages, extensions, file names and shebangs as
//! tokei. Two details of tokei's build are reproduced because they change counts: string
//! delimiters are tried longest first (ordered by their escaped length in the JSON, as tokei's
//! build script does), and on an extension claimed twice the language whose key sorts first
//! wins.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use anyhow::{Context, Result};
use regex::bytes::Regex;
use serde::Deserialize;

const LANGUAGES_JSON: &str = include_str!("languages.json");

/// Languages tokei counts with special code of its own that vigil does not reproduce
/// (notebook JSON, Lingua Franca's embedded targets); their files are not counted.
const UNSUPPORTED: &[&str] = &["Jupyter", "LinguaFranca"];

/// How a language embeds other languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Embedding {
    /// No embedded languages.
    None,
    /// Rust: `///` and `//!` doc comments are Markdown.
    RustDoc,
    /// Markdown: fenced code blocks in a named language.
    Markdown,
    /// HTML-like: `<script>`, `<style>` and `<template>` bodies.
    Html,
}

/// A delimited span (string or block comment): opening and closing token.
pub(crate) type Pair = (Vec<u8>, Vec<u8>);

/// One language's syntax.
#[derive(Debug)]
pub(crate) struct Language {
    /// Display name as tokei prints it, e.g. `C++ Header`.
    pub(crate) name: String,
    /// Metric key: tokei's identifier in lower case, e.g. `cppheader`.
    pub(crate) slug: String,
    /// Line comment starters.
    pub(crate) line_comments: Vec<Vec<u8>>,
    /// Block comments.
    pub(crate) multi_line_comments: Vec<Pair>,
    /// Block comments that always nest (D's `/+ +/`).
    pub(crate) nested_comments: Vec<Pair>,
    /// Whether every block comment nests.
    pub(crate) allows_nested: bool,
    /// String literals, longest opening first.
    pub(crate) quotes: Vec<Pair>,
    /// Raw string literals without escapes, longest opening first.
    pub(crate) verbatim_quotes: Vec<Pair>,
    /// Doc strings (Python's triple quotes).
    pub(crate) doc_quotes: Vec<Pair>,
    /// Tokens whose presence on a line needs the full state machine.
    important: Vec<Vec<u8>>,
    /// Bytes that can start an important token.
    important_first: [bool; 256],
    /// Prose languages: every non-blank line is a comment.
    pub(crate) literate: bool,
    /// Fortran: a comment marker counts only in the first column.
    pub(crate) is_fortran: bool,
    /// Embedded languages.
    pub(crate) embedding: Embedding,
}

impl Language {
    /// Whether `line` contains a token that needs the full state machine.
    pub(crate) fn has_important_syntax(&self, line: &[u8]) -> bool {
        line.iter().enumerate().any(|(i, b)| {
            self.important_first[usize::from(*b)]
                && self.important.iter().any(|t| line[i..].starts_with(t))
        })
    }

    /// Whether `line` starts with a line comment marker.
    pub(crate) fn starts_with_line_comment(&self, line: &[u8]) -> bool {
        self.line_comments.iter().any(|c| line.starts_with(c))
    }

    /// Whether the language has any comment syntax at all.
    pub(crate) fn has_comments(&self) -> bool {
        !self.line_comments.is_empty()
            || !self.multi_line_comments.is_empty()
            || !self.nested_comments.is_empty()
    }

    /// Block comments of both kinds, in tokei's order.
    pub(crate) fn any_multi_line_comments(&self) -> impl Iterator<Item = &Pair> {
        self.multi_line_comments
            .iter()
            .chain(self.nested_comments.iter())
    }
}

/// Regular expressions of tokei's embedding rules, compiled once.
#[derive(Debug)]
pub(crate) struct EmbedPatterns {
    /// Opening Markdown fence with a language name.
    pub(crate) md_start: Regex,
    /// Closing Markdown fence.
    pub(crate) md_end: Regex,
    /// `<script …>` with an optional `type`.
    pub(crate) script_start: Regex,
    /// `</script>`.
    pub(crate) script_end: Regex,
    /// `<style …>` with an optional `lang`.
    pub(crate) style_start: Regex,
    /// `</style>`.
    pub(crate) style_end: Regex,
    /// `<template …>` with an optional `lang`.
    pub(crate) template_start: Regex,
    /// `</template>`.
    pub(crate) template_end: Regex,
}

/// Every language, with the indexes that find one by file, name or MIME type.
#[derive(Debug)]
pub(crate) struct Table {
    languages: Vec<Language>,
    by_extension: HashMap<String, usize>,
    by_filename: HashMap<String, usize>,
    by_suffix: Vec<(String, usize)>,
    by_shebang: HashMap<String, usize>,
    by_env: Vec<(String, usize)>,
    by_name: HashMap<String, usize>,
    by_mime: HashMap<String, usize>,
    markdown: usize,
    javascript: usize,
    css: usize,
    html: usize,
    /// Embedding regexes.
    pub(crate) patterns: EmbedPatterns,
}

/// A language as written in `languages.json`.
#[derive(Debug, Deserialize)]
struct RawLanguage {
    name: Option<String>,
    #[serde(default)]
    line_comment: Vec<String>,
    #[serde(default)]
    multi_line_comments: Vec<(String, String)>,
    #[serde(default)]
    nested_comments: Vec<(String, String)>,
    #[serde(default)]
    nested: bool,
    #[serde(default)]
    quotes: Vec<(String, String)>,
    #[serde(default)]
    verbatim_quotes: Vec<(String, String)>,
    #[serde(default)]
    doc_quotes: Vec<(String, String)>,
    #[serde(default)]
    important_syntax: Vec<String>,
    #[serde(default)]
    literate: bool,
    #[serde(default)]
    extensions: Vec<String>,
    #[serde(default)]
    filenames: Vec<String>,
    #[serde(default)]
    path_suffixes: Vec<String>,
    #[serde(default)]
    shebangs: Vec<String>,
    #[serde(default)]
    env: Vec<String>,
    #[serde(default)]
    mime: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct RawTable {
    languages: BTreeMap<String, RawLanguage>,
}

/// The JSON strings are Rust string-literal bodies (tokei pastes them into generated code).
fn unescape(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut bytes = s.bytes();
    while let Some(b) = bytes.next() {
        if b == b'\\' {
            if let Some(next) = bytes.next() {
                out.push(next);
            }
        } else {
            out.push(b);
        }
    }
    out
}

fn pairs(raw: &[(String, String)], longest_first: bool) -> Vec<Pair> {
    let mut raw: Vec<&(String, String)> = raw.iter().collect();
    if longest_first {
        raw.sort_by_key(|(a, b)| std::cmp::Reverse(a.len().max(b.len())));
    }
    raw.iter()
        .map(|(a, b)| (unescape(a), unescape(b)))
        .collect()
}

impl Language {
    fn from_raw(key: &str, raw: &RawLanguage) -> Self {
        let quotes = pairs(&raw.quotes, true);
        let multi_line_comments = pairs(&raw.multi_line_comments, false);
        let nested_comments = pairs(&raw.nested_comments, false);
        let doc_quotes = pairs(&raw.doc_quotes, false);
        let important: Vec<Vec<u8>> = quotes
            .iter()
            .chain(&doc_quotes)
            .chain(&multi_line_comments)
            .chain(&nested_comments)
            .map(|(open, _)| open.clone())
            .chain(raw.important_syntax.iter().map(|s| unescape(s)))
            .filter(|t| !t.is_empty())
            .collect();
        let mut important_first = [false; 256];
        for t in &important {
            important_first[usize::from(t[0])] = true;
        }
        let embedding = match key {
            "Rust" => Embedding::RustDoc,
            "Markdown" | "UnrealDeveloperMarkdown" => Embedding::Markdown,
            "Html" | "RubyHtml" | "Svelte" | "Vue" | "GlimmerJs" | "GlimmerTs" => Embedding::Html,
            _ => Embedding::None,
        };
        Self {
            name: raw.name.clone().unwrap_or_else(|| key.to_owned()),
            slug: key.to_ascii_lowercase(),
            line_comments: raw.line_comment.iter().map(|s| unescape(s)).collect(),
            multi_line_comments,
            nested_comments,
            allows_nested: raw.nested,
            quotes,
            verbatim_quotes: pairs(&raw.verbatim_quotes, true),
            doc_quotes,
            important,
            important_first,
            literate: raw.literate,
            is_fortran: matches!(key, "FortranModern" | "FortranLegacy"),
            embedding,
        }
    }
}

impl Table {
    /// Load the embedded table.
    pub(crate) fn load() -> Result<Self> {
        let raw: RawTable = serde_json::from_str(LANGUAGES_JSON)
            .context("reading the embedded languages.json (a vigil bug)")?;
        let mut table = Self {
            languages: Vec::new(),
            by_extension: HashMap::new(),
            by_filename: HashMap::new(),
            by_suffix: Vec::new(),
            by_shebang: HashMap::new(),
            by_env: Vec::new(),
            by_name: HashMap::new(),
            by_mime: HashMap::new(),
            markdown: 0,
            javascript: 0,
            css: 0,
            html: 0,
            patterns: EmbedPatterns {
                md_start: Regex::new(r"```\S+\s")?,
                md_end: Regex::new(r"```\s?")?,
                script_start: Regex::new(r#"<script(?:.*type="(.*)")?.*?>"#)?,
                script_end: Regex::new(r"</script>")?,
                style_start: Regex::new(r#"<style(?:.*lang="(.*)")?.*?>"#)?,
                style_end: Regex::new(r"</style>")?,
                template_start: Regex::new(r#"<template(?:.*lang="(.*)")?.*?>"#)?,
                template_end: Regex::new(r"</template>")?,
            },
        };
        // BTreeMap order is tokei's order, so `or_insert` keeps the first claimant.
        for (key, lang) in raw.languages.iter() {
            if !UNSUPPORTED.contains(&key.as_str()) {
                table.add(key, lang);
            }
        }
        Ok(table)
    }

    /// Add one language and index it by its names, files and MIME types.
    fn add(&mut self, key: &str, lang: &RawLanguage) {
        let idx = self.languages.len();
        let language = Language::from_raw(key, lang);
        self.by_name
            .entry(language.name.to_lowercase())
            .or_insert(idx);
        let keyed = [
            (&mut self.by_extension, &lang.extensions),
            (&mut self.by_filename, &lang.filenames),
            (&mut self.by_shebang, &lang.shebangs),
            (&mut self.by_mime, &lang.mime),
        ];
        for (map, names) in keyed {
            for name in names {
                map.entry(name.clone()).or_insert(idx);
            }
        }
        self.by_suffix
            .extend(lang.path_suffixes.iter().map(|s| (s.clone(), idx)));
        self.by_env
            .extend(lang.env.iter().map(|e| (e.clone(), idx)));
        match key {
            "Markdown" => self.markdown = idx,
            "JavaScript" => self.javascript = idx,
            "Css" => self.css = idx,
            "Html" => self.html = idx,
            _ => {}
        }
        self.languages.push(language);
    }

    /// The language at `idx`.
    pub(crate) fn get(&self, idx: usize) -> &Language {
        &self.languages[idx]
    }

    /// Markdown, the language of Rust doc comments.
    pub(crate) fn markdown(&self) -> usize {
        self.markdown
    }

    /// JavaScript, the default of `<script>`.
    pub(crate) fn javascript(&self) -> usize {
        self.javascript
    }

    /// CSS, the default of `<style>`.
    pub(crate) fn css(&self) -> usize {
        self.css
    }

    /// HTML, the default of `<template>`.
    pub(crate) fn html(&self) -> usize {
        self.html
    }

    /// Language named `name` (case-insensitive display name), as a Markdown fence says it.
    pub(crate) fn by_name(&self, name: &[u8]) -> Option<usize> {
        let name = String::from_utf8_lossy(name).to_lowercase();
        self.by_name.get(&name).copied()
    }

    /// Language of a MIME type, as a `<script type>` says it.
    pub(crate) fn by_mime(&self, mime: &[u8]) -> Option<usize> {
        self.by_mime.get(&*String::from_utf8_lossy(mime)).copied()
    }

    /// What a path alone says about its language.
    pub(crate) fn detect_path(&self, path: &str) -> Detected {
        let p = Path::new(path);
        if let Some(file_name) = p.file_name() {
            let file_name = file_name.to_string_lossy().to_lowercase();
            if let Some(&idx) = self.by_filename.get(&file_name) {
                return Detected::Language(idx);
            }
            if let Some((_, idx)) = self
                .by_suffix
                .iter()
                .find(|(s, _)| file_name.ends_with(s.as_str()))
            {
                return Detected::Language(*idx);
            }
        }
        match p.extension() {
            Some(ext) => self
                .by_extension
                .get(&ext.to_string_lossy().to_lowercase())
                .map_or(Detected::Unknown, |&idx| Detected::Language(idx)),
            None => Detected::ByShebang,
        }
    }

    /// Language named by a `#!` first line, as tokei reads it (first 128 bytes).
    pub(crate) fn detect_shebang(&self, bytes: &[u8]) -> Option<usize> {
        let head = &bytes[..bytes.len().min(128)];
        let first_line = head.split(|b| *b == b'\n').next()?;
        let first_line = std::str::from_utf8(first_line).ok()?;
        let mut words = first_line.split_whitespace();
        let first = words.next()?;
        if let Some(&idx) = self.by_shebang.get(first) {
            return Some(idx);
        }
        if first != "#!/usr/bin/env" {
            return None;
        }
        let word = words.next()?;
        self.by_env
            .iter()
            .find(|(env, _)| word.starts_with(env.as_str()))
            .map(|(_, idx)| *idx)
    }
}

/// Outcome of [`Table::detect_path`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Detected {
    /// The path names the language.
    Language(usize),
    /// No extension: the first line may name an interpreter.
    ByShebang,
    /// An extension no language claims.
    Unknown,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Table {
        Table::load().expect("the embedded table loads")
    }

    fn name_of(t: &Table, d: Detected) -> &str {
        match d {
            Detected::Language(i) => &t.get(i).name,
            other => panic!("no language: {other:?}"),
        }
    }

    #[test]
    fn loads_every_supported_language() {
        let t = table();
        assert!(
            t.languages.len() > 300,
            "only {} languages",
            t.languages.len()
        );
        assert_eq!(t.get(t.markdown()).name, "Markdown");
        assert_eq!(t.get(t.javascript()).name, "JavaScript");
    }

    #[test]
    fn detects_by_extension_filename_and_shebang() {
        let t = table();
        assert_eq!(name_of(&t, t.detect_path("src/main.rs")), "Rust");
        assert_eq!(name_of(&t, t.detect_path("a/B.HPP")), "C++ Header");
        assert_eq!(name_of(&t, t.detect_path("x/Dockerfile")), "Dockerfile");
        assert_eq!(name_of(&t, t.detect_path("v.blade.php")), "Blade");
        assert_eq!(t.detect_path("notes.unknownext"), Detected::Unknown);
        assert_eq!(t.detect_path("scripts/run"), Detected::ByShebang);
        let py = t.detect_shebang(b"#!/usr/bin/env python3\nprint(1)\n");
        assert_eq!(py.map(|i| t.get(i).name.as_str()), Some("Python"));
        let sh = t.detect_shebang(b"#!/bin/bash\n");
        assert_eq!(sh.map(|i| t.get(i).name.as_str()), Some("BASH"));
        assert_eq!(t.detect_shebang(b"just text\n"), None);
    }

    #[test]
    fn reproduces_tokei_build_details() {
        let t = table();
        let toml = t.get(t.by_name(b"toml").expect("TOML"));
        let opens: Vec<&[u8]> = toml.quotes.iter().map(|(o, _)| o.as_slice()).collect();
        assert_eq!(opens, [&b"\"\"\""[..], b"'''", b"\"", b"'"]);
        let rust = t.get(t.by_name(b"RUST").expect("Rust"));
        assert!(rust.allows_nested);
        assert!(rust.has_important_syntax(b"/// doc"));
        assert!(!rust.has_important_syntax(b"// plain"));
        assert_eq!(rust.embedding, Embedding::RustDoc);
    }
}
