//! The line classifier: code, comment or blank, exactly as tokei decides.
//!
//! One pass over the bytes of a file, line by line. A line with none of its language's
//! "important" tokens (string or block-comment openers, doc markers) while no string or comment
//! is open is decided at once: blank, comment (it starts with a line comment) or code. Any
//! other line runs through a small state machine over its bytes that tracks the open string
//! (with escapes, raw strings and doc strings) and the stack of open block comments (nested
//! where the language allows). The line is then a comment if and only if it is all comment:
//! it started inside a block comment, or it starts with a comment marker and no code follows
//! the comment's end. A line that mixes code and a trailing comment is code; a blank line
//! inside a block comment is a comment; a blank line inside a string is code.
//!
//! Embedded languages are counted like tokei counts them, and attributed to the file's own
//! language (tokei's per-language "(Total)" row): Rust `///` and `//!` comments are Markdown
//! (prose lines are comments, and a ```` ```rust ```` example inside is Rust code), a Markdown
//! fence naming a language is counted in that language, and HTML `<script>` and `<style>`
//! bodies are JavaScript and CSS.
//!
//! Some of tokei's rules are quirks rather than design (a code line directly before a Rust doc
//! comment is not counted at all, a string opened by a character literal such as `'"'` runs to
//! the next quote). They are kept on purpose: the numbers must agree with tokei's.

use super::languages::{Embedding, Language, Table};

/// Lines of one file or embedded block, by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct LineCounts {
    /// Lines with code (including code with a trailing comment).
    pub(crate) code: u64,
    /// Lines that are entirely comment.
    pub(crate) comments: u64,
    /// Empty or whitespace-only lines outside comments and strings.
    pub(crate) blanks: u64,
}

impl std::ops::AddAssign for LineCounts {
    fn add_assign(&mut self, rhs: Self) {
        self.code += rhs.code;
        self.comments += rhs.comments;
        self.blanks += rhs.blanks;
    }
}

/// Count the lines of `text` written in `table.get(lang)`.
pub(crate) fn count(table: &Table, lang: usize, text: &[u8]) -> LineCounts {
    let text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text);
    Counter::new(table, lang, text, 0).run()
}

/// Deepest embedding followed (a doc comment holding an example holding a doc comment…);
/// deeper blocks are counted as plain lines of their container, so a crafted file cannot
/// exhaust the stack.
const MAX_DEPTH: usize = 8;

/// tokei's whitespace: space and `\t` through `\r`.
fn is_ws(b: u8) -> bool {
    b == b' ' || (0x09..=0x0d).contains(&b)
}

fn trim_start(s: &[u8]) -> &[u8] {
    let start = s.iter().position(|b| !is_ws(*b)).unwrap_or(s.len());
    &s[start..]
}

fn trim(s: &[u8]) -> &[u8] {
    let s = trim_start(s);
    let end = s.iter().rposition(|b| !is_ws(*b)).map_or(0, |e| e + 1);
    &s[..end]
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && memchr::memmem::find(haystack, needle).is_some()
}

/// tokei's trimming of an embedded `<script>`/`<style>` body: drops the first byte that is a
/// newline or not whitespace (and what precedes it) and the last line ending.
fn trim_first_and_last_line_of_whitespace(s: &[u8]) -> &[u8] {
    if s.is_empty() {
        return s;
    }
    let last = s.len() - 1;
    let start = s
        .iter()
        .position(|&c| c == b'\n' || !is_ws(c))
        .map_or(0, |i| (i + 1).min(last));
    let end = s
        .iter()
        .rposition(|&c| c == b'\n' || !is_ws(c))
        .map_or(last, |i| {
            if s[i.saturating_sub(1)] == b'\r' && s[i] == b'\n' {
                i - 1
            } else {
                i
            }
        });
    if start > end {
        return &[];
    }
    &s[start..=end]
}

/// End (exclusive) of the line starting at `pos`, including its `\n`.
fn line_end(text: &[u8], pos: usize) -> usize {
    memchr::memchr(b'\n', &text[pos..]).map_or(text.len(), |e| pos + e + 1)
}

/// What a line is.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Code,
    Comment,
    Blank,
}

/// What the byte scan of one line found.
enum Scan {
    /// The line is classified normally.
    Line,
    /// An embedded block was counted; continue at this offset.
    Embedded(usize),
}

/// Start and end offsets of the first match of each group of an embedding regex on one line.
type Captures = Vec<(usize, usize)>;

/// Embedding-regex matches on the current line (tokei's `RegexCache`).
enum LineMatches {
    None,
    Markdown(Captures),
    Html {
        script: Captures,
        style: Captures,
        template: Captures,
    },
}

struct Counter<'t> {
    table: &'t Table,
    lang: &'t Language,
    text: &'t [u8],
    quote: Option<&'t [u8]>,
    quote_is_doc: bool,
    quote_is_verbatim: bool,
    stack: Vec<&'t [u8]>,
    /// Offset just past the last non-whitespace byte of `text`.
    content_end: usize,
    /// Memo for `next_non_ws`: `(from, to)` means `text[from..to]` is whitespace and `to` is not.
    ws_run: (usize, usize),
    counts: LineCounts,
    /// How deeply this block is embedded (0 for a file).
    depth: usize,
}

impl<'t> Counter<'t> {
    fn new(table: &'t Table, lang: usize, text: &'t [u8], depth: usize) -> Self {
        Self {
            depth,
            table,
            lang: table.get(lang),
            text,
            quote: None,
            quote_is_doc: false,
            quote_is_verbatim: false,
            stack: Vec::new(),
            content_end: text.iter().rposition(|b| !is_ws(*b)).map_or(0, |e| e + 1),
            ws_run: (usize::MAX, 0),
            counts: LineCounts::default(),
        }
    }

    fn is_plain(&self) -> bool {
        self.quote.is_none() && self.stack.is_empty()
    }

    fn run(mut self) -> LineCounts {
        let text = self.text;
        let mut pos = 0;
        while pos < text.len() {
            let end = line_end(text, pos);
            let raw = &text[pos..end];
            let line = if self.lang.is_fortran { raw } else { trim(raw) };
            if let Some(kind) = self.simple_line(line) {
                self.add(kind);
                pos = end;
                continue;
            }
            let started_in_comments = !self.stack.is_empty();
            if let Scan::Embedded(resume) = self.scan_line(pos, end) {
                pos = resume;
                continue;
            }
            let is_comment = self.lang.literate || self.line_is_comment(line, started_in_comments);
            self.add(if is_comment {
                Kind::Comment
            } else {
                Kind::Code
            });
            pos = end;
        }
        self.counts
    }

    /// tokei's single-line analysis: a line outside strings and comments with no important
    /// token is decided without scanning it.
    fn simple_line(&self, line: &[u8]) -> Option<Kind> {
        if !self.is_plain() {
            return None;
        }
        if trim(line).is_empty() {
            return Some(Kind::Blank);
        }
        if self.lang.has_important_syntax(line) {
            return None;
        }
        let is_comment = self.lang.literate || self.lang.starts_with_line_comment(line);
        Some(if is_comment {
            Kind::Comment
        } else {
            Kind::Code
        })
    }

    fn add(&mut self, kind: Kind) {
        match kind {
            Kind::Code => self.counts.code += 1,
            Kind::Comment => self.counts.comments += 1,
            Kind::Blank => self.counts.blanks += 1,
        }
    }

    /// tokei's `perform_multi_line_analysis`: walk the bytes of one line, updating the open
    /// string and comment state, and count an embedded block when one starts here.
    fn scan_line(&mut self, start: usize, end: usize) -> Scan {
        let text = self.text;
        let matches = self.line_matches(start, end);
        let mut i = start;
        while i < end {
            if i >= self.content_end {
                break;
            }
            let window = &text[i..];
            if let Some(n) = self
                .end_of_quote(window)
                .or_else(|| self.end_of_block_comment(window))
            {
                i += n;
                continue;
            }
            if self.quote.is_some() {
                i += 1;
                continue;
            }
            if let Some(resume) = self.embedded(i, end, &matches) {
                return Scan::Embedded(resume);
            }
            if let Some(n) = self
                .start_of_quote(window)
                .or_else(|| self.start_of_block_comment(window))
            {
                i += n;
                continue;
            }
            if self.stack.is_empty() && self.lang.starts_with_line_comment(window) {
                break;
            }
            i += 1;
        }
        Scan::Line
    }

    fn end_of_quote(&mut self, window: &[u8]) -> Option<usize> {
        if let Some(q) = self.quote
            && window.starts_with(q)
        {
            self.quote = None;
            return Some(q.len());
        }
        if self.quote_is_verbatim || window.first() != Some(&b'\\') {
            return None;
        }
        // tokei skips an escaped backslash or quote wherever it is, not only inside strings.
        let rest = &window[1..];
        if rest.first() == Some(&b'\\') || self.lang.quotes.iter().any(|(o, _)| rest.starts_with(o))
        {
            return Some(2);
        }
        None
    }

    fn end_of_block_comment(&mut self, window: &[u8]) -> Option<usize> {
        let last = *self.stack.last()?;
        if window.starts_with(last) {
            self.stack.pop();
            Some(last.len())
        } else {
            None
        }
    }

    fn start_of_quote(&mut self, window: &[u8]) -> Option<usize> {
        if !self.stack.is_empty() {
            return None;
        }
        let lang = self.lang;
        let kinds = [
            (&lang.doc_quotes, true, false),
            (&lang.verbatim_quotes, false, true),
            (&lang.quotes, false, false),
        ];
        for (list, is_doc, is_verbatim) in kinds {
            if let Some((open, close)) = list.iter().find(|(o, _)| window.starts_with(o)) {
                self.quote = Some(close);
                self.quote_is_doc = is_doc;
                self.quote_is_verbatim = is_verbatim;
                return Some(open.len());
            }
        }
        None
    }

    fn start_of_block_comment(&mut self, window: &[u8]) -> Option<usize> {
        if self.quote.is_some() {
            return None;
        }
        let lang = self.lang;
        for pair in lang.any_multi_line_comments() {
            let (open, close) = pair;
            if window.starts_with(open) {
                if self.stack.is_empty()
                    || lang.allows_nested
                    || lang.nested_comments.contains(pair)
                {
                    self.stack.push(close);
                }
                return Some(open.len());
            }
        }
        None
    }

    /// tokei's `line_is_comment`, with doc strings counted as code (tokei's default).
    fn line_is_comment(&self, line: &[u8], started_in_comments: bool) -> bool {
        let trimmed = trim(line);
        let lang = self.lang;
        if self.quote.is_some() {
            return false;
        }
        if started_in_comments && lang.doc_quotes.iter().any(|(_, c)| contains(line, c)) {
            return true;
        }
        let whole_line_is_comment = lang.starts_with_line_comment(trimmed)
            || lang
                .any_multi_line_comments()
                .any(|(o, c)| trimmed.starts_with(o) && trimmed.ends_with(c));
        if whole_line_is_comment || started_in_comments {
            return true;
        }
        let Some(open_close) = self.stack.last() else {
            return false;
        };
        lang.any_multi_line_comments()
            .any(|(o, c)| c.as_slice() == *open_close && trimmed.starts_with(o))
    }

    /// First index at or after `i` that is not whitespace (or the end of the text).
    fn next_non_ws(&mut self, i: usize) -> usize {
        let (from, to) = self.ws_run;
        if from <= i && i <= to {
            return to;
        }
        let to = self.text[i..]
            .iter()
            .position(|b| !is_ws(*b))
            .map_or(self.text.len(), |p| i + p);
        self.ws_run = (i, to);
        to
    }

    /// Matches of the embedding regexes on the line `start..end` (tokei's `RegexCache`).
    fn line_matches(&self, start: usize, end: usize) -> LineMatches {
        let line = &self.text[start..end];
        let p = &self.table.patterns;
        let groups = |re: &regex::bytes::Regex| -> Captures {
            re.captures(line).map_or_else(Vec::new, |c| {
                c.iter()
                    .flatten()
                    .map(|m| (start + m.start(), start + m.end()))
                    .collect()
            })
        };
        match self.lang.embedding {
            Embedding::Markdown => {
                let caps = groups(&p.md_start);
                if caps.is_empty() {
                    LineMatches::None
                } else {
                    LineMatches::Markdown(caps)
                }
            }
            Embedding::Html => {
                let (script, style, template) = (
                    groups(&p.script_start),
                    groups(&p.style_start),
                    groups(&p.template_start),
                );
                if script.is_empty() && style.is_empty() && template.is_empty() {
                    LineMatches::None
                } else {
                    LineMatches::Html {
                        script,
                        style,
                        template,
                    }
                }
            }
            Embedding::None | Embedding::RustDoc => LineMatches::None,
        }
    }

    /// tokei's `parse_context`: if an embedded block starts at `i`, count it and return the
    /// offset where counting resumes.
    fn embedded(&mut self, i: usize, end: usize, matches: &LineMatches) -> Option<usize> {
        if !self.is_plain() || self.depth >= MAX_DEPTH {
            return None;
        }
        match (self.lang.embedding, matches) {
            (Embedding::RustDoc, _) => self.rust_doc(i),
            (Embedding::Markdown, LineMatches::Markdown(caps)) => self.markdown_fence(i, end, caps),
            (
                Embedding::Html,
                LineMatches::Html {
                    script,
                    style,
                    template,
                },
            ) => self.html_block(i, end, script, style, template),
            _ => None,
        }
    }

    /// A run of `///` or `//!` lines starting at `i`: their text, counted as Markdown.
    fn rust_doc(&mut self, i: usize) -> Option<usize> {
        let text = self.text;
        let first = self.next_non_ws(i);
        let marker: &[u8] = if text[first..].starts_with(b"///") {
            b"///"
        } else if text[first..].starts_with(b"//!") {
            b"//!"
        } else {
            return None;
        };
        let mut markdown = Vec::new();
        let mut end_of_block = text.len();
        let mut pos = i;
        while pos < text.len() {
            let end = line_end(text, pos);
            // tokei tests the rest of the file, so blank lines between doc lines stay inside.
            if trim_start(&text[pos..]).starts_with(marker) {
                let line = trim_start(&text[pos..end]);
                markdown.extend_from_slice(&line[3.min(line.len())..]);
                end_of_block = end;
            } else {
                end_of_block = pos;
                break;
            }
            pos = end;
        }
        let markdown_lang = self.table.markdown();
        self.counts += count_embedded(self.table, markdown_lang, trim(&markdown), self.depth);
        Some(end_of_block)
    }

    /// A fenced code block opening at `i` in a language tokei knows.
    fn markdown_fence(&mut self, i: usize, end: usize, caps: &Captures) -> Option<usize> {
        let text = self.text;
        if !contains_at_least(&text[i..end], b"```") {
            return None;
        }
        let &(open_start, open_end) = caps.first()?;
        if open_start != i || open_end > end {
            return None;
        }
        let start_of_code = open_end;
        let closing = self.table.patterns.md_end.find(&text[start_of_code..]);
        let (end_of_code, end_of_block) = closing.map_or((text.len(), text.len()), |m| {
            (start_of_code + m.start(), start_of_code + m.end())
        });
        let fence = trim(&text[open_start..open_end]);
        let identifier = &fence[3.min(fence.len())..];
        let lang = identifier
            .split(|b| *b == b',')
            .find_map(|name| self.table.by_name(name))?;
        self.counts.comments += if closing.is_some() { 2 } else { 1 };
        self.counts += count_embedded(
            self.table,
            lang,
            trim(&text[start_of_code..end_of_code]),
            self.depth,
        );
        Some(end_of_block)
    }

    /// A `<script>`, `<style>` or `<template>` element whose opening tag starts at `i`.
    fn html_block(
        &mut self,
        i: usize,
        end: usize,
        script: &Captures,
        style: &Captures,
        template: &Captures,
    ) -> Option<usize> {
        let table = self.table;
        let p = &table.patterns;
        let (caps, closing_re, default, by_mime) = if let Some(c) = in_range(script, i, end) {
            (c, &p.script_end, table.javascript(), true)
        } else if let Some(c) = in_range(style, i, end) {
            (c, &p.style_end, table.css(), false)
        } else if let Some(c) = in_range(template, i, end) {
            (c, &p.template_end, table.html(), false)
        } else {
            return None;
        };
        let text = self.text;
        let start_of_code = caps[0].1;
        let closing = closing_re.find(&text[start_of_code..])?;
        let end_of_code = start_of_code + closing.start();
        let lang = caps
            .get(1)
            .and_then(|&(s, e)| {
                let attr = trim(&text[s..e]);
                if by_mime {
                    table.by_mime(attr)
                } else {
                    table.by_name(attr)
                }
            })
            .unwrap_or(default);
        let body = &text[start_of_code..end_of_code];
        if trim(body).is_empty() {
            return None;
        }
        self.counts.code += 1;
        self.counts += count_embedded(
            table,
            lang,
            trim_first_and_last_line_of_whitespace(body),
            self.depth,
        );
        Some(end_of_code)
    }
}

/// tokei's `contains_slice`, which is false for a needle as long as the haystack unless equal.
fn contains_at_least(haystack: &[u8], needle: &[u8]) -> bool {
    haystack == needle || (haystack.len() > needle.len() && contains(haystack, needle))
}

/// tokei's `filter_range`: the captures from the one starting exactly at `i`, if it ends by `end`.
fn in_range(caps: &Captures, i: usize, end: usize) -> Option<&[(usize, usize)]> {
    let pos = caps.binary_search_by_key(&i, |c| c.0).ok()?;
    if caps[pos].1 > end {
        return None;
    }
    let n = caps[pos..].iter().take_while(|c| c.1 <= end).count();
    Some(&caps[pos..pos + n])
}

/// Count an embedded block one level deeper (no byte-order mark: it is inside a file).
fn count_embedded(table: &Table, lang: usize, text: &[u8], depth: usize) -> LineCounts {
    Counter::new(table, lang, text, depth + 1).run()
}
