//! A fast lexer that turns source text into normalized tokens for clone detection.
//!
//! One pass over the bytes, driven by the language's [`Syntax`]: whitespace and comments are
//! dropped; every identifier becomes [`IDENT`], every number [`NUMBER`], every string,
//! character or regular-expression literal [`STRING`]; keywords and punctuation keep their own
//! kinds. Two fragments that differ only in names and literal values therefore give the same
//! token sequence (a Type-2 clone). Each token is a `u16`, and lines are kept as one entry per
//! line that holds tokens, so a large tree stays small in memory.
//!
//! Import statements (`use`, `import`, `#include`, `require(…)`, `from x import y`, …) are
//! dropped as a whole, so two files with the same import list are not clones. The lexer never
//! fails: an unterminated string or comment simply ends at the end of the file (or line).

use memchr::{memchr, memchr3, memmem};

use super::languages::{Dialect, SingleQuote, Syntax, bloom_bit, word_hash};

/// Any identifier.
pub(super) const IDENT: u16 = 1;
/// Any numeric literal.
pub(super) const NUMBER: u16 = 2;
/// Any string, character, template or regular-expression literal.
pub(super) const STRING: u16 = 3;
/// Single punctuation bytes are `PUNCT + byte`.
const PUNCT: u16 = 0x100;
/// Multi-byte operators are `OPERATOR + index in OPERATORS`.
const OPERATOR: u16 = 0x200;
/// Keywords are `KEYWORD + hash of the word`, so a keyword's kind is the same in every language.
const KEYWORD: u16 = 0x1000;

const COMMA: u16 = PUNCT + b',' as u16;
const SEMICOLON: u16 = PUNCT + b';' as u16;
const OPEN_PAREN: u16 = PUNCT + b'(' as u16;
const CLOSE_PAREN: u16 = PUNCT + b')' as u16;

/// Operators lexed as one token, longest first.
const OPERATORS: &[&[u8]] = &[
    b"===", b"!==", b"...", b"..=", b"<<=", b">>=", b">>>", b"**=", b"<=>", b"??=", b"&&=", b"||=",
    b"==", b"!=", b"<=", b">=", b"&&", b"||", b"->", b"=>", b"::", b"+=", b"-=", b"*=", b"/=",
    b"%=", b"&=", b"|=", b"^=", b"<<", b">>", b"++", b"--", b"**", b"..", b"?.", b"??", b":=",
    b"<-",
];

/// Words that may stand before an import keyword in the same statement (`pub(crate) use`).
const IMPORT_MODIFIERS: &[&[u8]] = &[b"crate", b"global", b"pub", b"super"];

/// Where a line's tokens start: the line number and the index of its first token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct LineStart {
    /// 1-based line number.
    pub(super) line: u32,
    /// Index of the line's first token.
    pub(super) first: u32,
}

/// The normalized tokens of one file.
#[derive(Debug, Default)]
pub(super) struct Tokens {
    /// Token kinds, in order.
    pub(super) kinds: Vec<u16>,
    /// One entry per line holding at least one token, in order.
    pub(super) lines: Vec<LineStart>,
    /// Lines on which at least one token starts, imports included.
    pub(super) code_lines: u32,
}

impl Tokens {
    /// Line of the token at `index`.
    pub(super) fn line_of(&self, index: usize) -> u32 {
        let entry = self
            .lines
            .partition_point(|l| l.first as usize <= index)
            .saturating_sub(1);
        self.lines.get(entry).map_or(1, |l| l.line)
    }
}

/// Tokenize `text` as a file of the language `syntax` describes.
pub(super) fn tokenize(syntax: &Syntax, text: &[u8]) -> Tokens {
    let mut lexer = Lexer {
        syntax,
        text,
        pos: 0,
        line: 1,
        line_has_token: false,
        prev_kind: 0,
        out: Emitter::default(),
    };
    lexer.run();
    let mut out = lexer.out;
    out.finish_pending();
    out.tokens
}

/// Kind of a keyword: its hash ([`word_hash`]) folded into the keyword range.
fn keyword_kind(hash: u32) -> u16 {
    let range = u32::from(u16::MAX - KEYWORD) + 1;
    // The remainder is below `range`, which fits in u16 above KEYWORD.
    KEYWORD + u16::try_from(hash % range).unwrap_or(0)
}

/// Kind of `word` in `syntax`: its keyword kind, or [`IDENT`].
fn word_kind(syntax: &Syntax, word: &[u8]) -> u16 {
    let hash = word_hash(word);
    let (index, bit) = bloom_bit(hash);
    if syntax.keyword_bloom[index] & bit != 0
        && syntax
            .keywords
            .binary_search_by(|k| k.as_bytes().cmp(word))
            .is_ok()
    {
        keyword_kind(hash)
    } else {
        IDENT
    }
}

fn is_ident_start(b: u8, extra: &[u8]) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80 || extra.contains(&b)
}

fn is_ident_byte(b: u8, extra: &[u8]) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80 || extra.contains(&b)
}

/// Length in bytes of the UTF-8 character starting with `lead`.
fn utf8_len(lead: u8) -> usize {
    match lead {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

struct Lexer<'a> {
    syntax: &'a Syntax,
    text: &'a [u8],
    pos: usize,
    line: u32,
    /// Whether a token already started on the current line.
    line_has_token: bool,
    /// Kind of the previous token, to tell a regular expression from a division.
    prev_kind: u16,
    out: Emitter,
}

impl Lexer<'_> {
    fn run(&mut self) {
        let text = self.text;
        while self.pos < text.len() {
            match text[self.pos] {
                b'\n' => {
                    self.pos += 1;
                    self.newline();
                }
                b' ' | b'\t' | b'\r' | 0x0b | 0x0c => self.pos += 1,
                b'\\' if matches!(text.get(self.pos + 1), Some(b'\n' | b'\r')) => {
                    // A line continuation: the statement goes on.
                    self.pos += 1;
                    if text.get(self.pos) == Some(&b'\r') {
                        self.pos += 1;
                    }
                    if text.get(self.pos) == Some(&b'\n') {
                        self.pos += 1;
                        self.line += 1;
                    }
                }
                _ => self.token(),
            }
        }
    }

    fn newline(&mut self) {
        self.line += 1;
        self.line_has_token = false;
        self.out.newline();
    }

    fn emit(&mut self, kind: u16, word: Option<&[u8]>, line: u32) {
        self.out.emit(self.syntax, kind, word, line);
        self.prev_kind = kind;
        self.line_has_token = true;
    }

    /// Count the line breaks in `text[from..to]`.
    fn count_lines(&mut self, from: usize, to: usize) -> bool {
        let n = memchr::memchr_iter(b'\n', &self.text[from..to]).count();
        self.line += u32::try_from(n).unwrap_or(u32::MAX);
        n > 0
    }

    fn token(&mut self) {
        let syntax = self.syntax;
        let text = self.text;
        let rest = &text[self.pos..];
        let b = rest[0];
        if self.comment(rest) {
            return;
        }
        if b == b'#' && syntax.dialect == Dialect::C && !self.line_has_token && self.include() {
            return;
        }
        match b {
            b'"' => self.quoted(b'"', true, syntax.multiline_strings),
            b'\'' => match syntax.single_quote {
                SingleQuote::Literal if syntax.dialect == Dialect::Rust => self.rust_quote(),
                SingleQuote::Literal => self.quoted(b'\'', true, syntax.multiline_strings),
                SingleQuote::Raw => self.raw_quoted(),
                SingleQuote::Punctuation => self.punctuation(),
            },
            b'`' if syntax.backtick_strings => {
                self.quoted(b'`', syntax.dialect != Dialect::Go, true);
            }
            b'0'..=b'9' => self.number(),
            b'/' if syntax.dialect == Dialect::JavaScript && self.regex_allowed() => self.regex(),
            b'@' | b'$' if syntax.dialect == Dialect::CSharp && self.csharp_string() => {}
            _ if is_ident_start(b, syntax.ident_extra) => self.word(),
            b if b.is_ascii_punctuation() => self.punctuation(),
            // Control characters and the like carry no structure.
            _ => self.pos += 1,
        }
    }

    /// Skip a comment starting here, if one does.
    fn comment(&mut self, rest: &[u8]) -> bool {
        let syntax = self.syntax;
        let b = rest[0];
        let starts =
            |marker: &str| marker.as_bytes()[0] == b && rest.starts_with(marker.as_bytes());
        if b == b'='
            && syntax.dialect == Dialect::Ruby
            && !self.line_has_token
            && rest.starts_with(b"=begin")
        {
            let end = memmem::find(rest, b"\n=end").map_or(rest.len(), |e| e + 5);
            let end = memchr(b'\n', &rest[end..]).map_or(rest.len(), |e| end + e);
            self.skip_comment(end);
            return true;
        }
        for (open, close) in syntax.block_comments {
            if starts(open) {
                let end = if syntax.nested_comments {
                    nested_comment_end(rest, open.as_bytes(), close.as_bytes())
                } else {
                    memmem::find(&rest[open.len()..], close.as_bytes())
                        .map_or(rest.len(), |e| open.len() + e + close.len())
                };
                self.skip_comment(end);
                return true;
            }
        }
        for marker in syntax.line_comments {
            if starts(marker) {
                if syntax.dialect == Dialect::Shell && !self.at_word_start() {
                    return false;
                }
                self.pos += memchr(b'\n', rest).unwrap_or(rest.len());
                return true;
            }
        }
        false
    }

    /// Move past a comment `len` bytes long; a comment spanning lines ends the line.
    fn skip_comment(&mut self, len: usize) {
        let start = self.pos;
        self.pos += len;
        if self.count_lines(start, self.pos) {
            self.line_has_token = false;
            self.out.newline();
        }
    }

    /// Whether the byte at `pos` starts a shell word (so `#` starts a comment).
    fn at_word_start(&self) -> bool {
        self.pos == 0
            || matches!(
                self.text[self.pos - 1],
                b' ' | b'\t' | b'\n' | b'\r' | b';' | b'|' | b'&' | b'(' | b')' | b'{' | b'}'
            )
    }

    /// A `#include` or `#import` line: an import, counted as code but not tokenized.
    fn include(&mut self) -> bool {
        let text = self.text;
        let mut i = self.pos + 1;
        while i < text.len() && matches!(text[i], b' ' | b'\t') {
            i += 1;
        }
        let start = i;
        while i < text.len() && text[i].is_ascii_alphabetic() {
            i += 1;
        }
        if !matches!(&text[start..i], b"include" | b"import" | b"include_next") {
            return false;
        }
        self.out.code_line(self.line);
        self.pos = memchr(b'\n', &text[i..]).map_or(text.len(), |e| i + e);
        true
    }

    /// A string delimited by `quote`, opening at `pos`.
    fn quoted(&mut self, quote: u8, escapes: bool, multiline: bool) {
        let text = self.text;
        let line = self.line;
        let start = self.pos;
        let triple = [quote; 3];
        let single_is_string = quote != b'\'' || self.syntax.single_quote == SingleQuote::Literal;
        if self.syntax.triple_quotes && single_is_string && text[start..].starts_with(&triple) {
            let body = start + 3;
            let mut i = body;
            let end = loop {
                match memmem::find(&text[i..], &triple) {
                    // An escaped quote does not close the string.
                    Some(e) if escapes && is_escaped(text, body, i + e) => i += e + 1,
                    Some(e) => break i + e + 3,
                    None => break text.len(),
                }
            };
            self.pos = end;
            self.count_lines(start, end);
            self.emit(STRING, None, line);
            return;
        }
        let mut i = start + 1;
        loop {
            let found = if escapes {
                memchr3(quote, b'\\', b'\n', &text[i..])
            } else {
                memchr::memchr2(quote, b'\n', &text[i..])
            };
            let Some(off) = found else {
                i = text.len();
                break;
            };
            let at = i + off;
            match text[at] {
                b'\\' => {
                    if text.get(at + 1) == Some(&b'\n') {
                        self.line += 1;
                    }
                    i = (at + 2).min(text.len());
                }
                b'\n' if !multiline => {
                    // An unterminated string ends with its line.
                    i = at;
                    break;
                }
                b'\n' => {
                    self.line += 1;
                    i = at + 1;
                }
                _ => {
                    i = at + 1;
                    break;
                }
            }
        }
        self.pos = i.min(text.len());
        self.emit(STRING, None, line);
    }

    /// A single-quoted shell string: no escapes, may span lines.
    fn raw_quoted(&mut self) {
        let line = self.line;
        let start = self.pos;
        let end = memchr(b'\'', &self.text[start + 1..]).map_or(self.text.len(), |e| start + e + 2);
        self.pos = end;
        self.count_lines(start, end);
        self.emit(STRING, None, line);
    }

    /// Rust's `'`: a character literal (`'a'`, `'\n'`, `'é'`) or a lifetime (`'a`).
    fn rust_quote(&mut self) {
        let text = self.text;
        let next = text.get(self.pos + 1).copied();
        match next {
            Some(b'\\') => self.quoted(b'\'', true, false),
            Some(c) if text.get(self.pos + 1 + utf8_len(c)) == Some(&b'\'') => {
                let line = self.line;
                self.pos += 2 + utf8_len(c);
                self.emit(STRING, None, line);
            }
            _ => {
                let line = self.line;
                self.pos += 1;
                while self.pos < text.len() && is_ident_byte(text[self.pos], b"") {
                    self.pos += 1;
                }
                self.emit(IDENT, None, line);
            }
        }
    }

    /// `@"…"`, `$"…"` and `$@"…"` in C#; false when no string follows.
    fn csharp_string(&mut self) -> bool {
        let text = self.text;
        let mut i = self.pos;
        let mut verbatim = false;
        while i < text.len() && i < self.pos + 3 && matches!(text[i], b'@' | b'$') {
            verbatim |= text[i] == b'@';
            i += 1;
        }
        if text.get(i) != Some(&b'"') {
            return false;
        }
        self.pos = i;
        if !verbatim {
            self.quoted(b'"', true, false);
            return true;
        }
        let line = self.line;
        let start = i;
        let mut j = i + 1;
        let end = loop {
            match memchr(b'"', &text[j..]) {
                // `""` is an escaped quote.
                Some(e) if text.get(j + e + 1) == Some(&b'"') => j += e + 2,
                Some(e) => break j + e + 1,
                None => break text.len(),
            }
        };
        self.pos = end;
        self.count_lines(start, end);
        self.emit(STRING, None, line);
        true
    }

    fn number(&mut self) {
        let text = self.text;
        let line = self.line;
        let start = self.pos;
        let radix_prefix = text[start] == b'0'
            && matches!(
                text.get(start + 1),
                Some(b'x' | b'X' | b'b' | b'B' | b'o' | b'O')
            );
        let mut i = start + 1;
        let mut seen_dot = false;
        while i < text.len() {
            let c = text[i];
            let next_is_digit = text.get(i + 1).is_some_and(u8::is_ascii_digit);
            if c.is_ascii_alphanumeric() || c == b'_' {
                i += 1;
            } else if c == b'.' && !seen_dot && !radix_prefix && next_is_digit {
                seen_dot = true;
                i += 1;
            } else if matches!(c, b'+' | b'-')
                && !radix_prefix
                && matches!(text[i - 1], b'e' | b'E')
                && next_is_digit
            {
                i += 1;
            } else if c == b'\''
                && self.syntax.dialect == Dialect::C
                && text.get(i + 1).is_some_and(u8::is_ascii_alphanumeric)
            {
                // C++14 digit separator.
                i += 1;
            } else {
                break;
            }
        }
        self.pos = i;
        self.emit(NUMBER, None, line);
    }

    fn word(&mut self) {
        let syntax = self.syntax;
        let text = self.text;
        let line = self.line;
        let start = self.pos;
        let mut i = start + 1;
        while i < text.len() && is_ident_byte(text[i], syntax.ident_extra) {
            i += 1;
        }
        let word = &text[start..i];
        let next = text.get(i).copied();
        if self.string_prefix(word, i, next) {
            return;
        }
        self.pos = i;
        let kind = word_kind(syntax, word);
        self.out.emit(syntax, kind, Some(word), line);
        self.prev_kind = kind;
        self.line_has_token = true;
    }

    /// A word that prefixes a string (`r"…"`, `b'x'`, `f"…"`, `u8"…"`, `R"(…)"`): lex the
    /// string instead and return true.
    fn string_prefix(&mut self, word: &[u8], end: usize, next: Option<u8>) -> bool {
        let quote = match next {
            Some(q @ (b'"' | b'\'')) => Some(q),
            _ => None,
        };
        match self.syntax.dialect {
            Dialect::Rust => match (word, next) {
                (b"r" | b"br" | b"cr", Some(b'"' | b'#')) => self.rust_raw(end, word == b"r"),
                (b"b" | b"c", Some(b'"')) => {
                    self.pos = end;
                    self.quoted(b'"', true, true);
                    true
                }
                (b"b", Some(b'\'')) => {
                    self.pos = end;
                    self.quoted(b'\'', true, false);
                    true
                }
                _ => false,
            },
            Dialect::Python => match quote {
                Some(q) if word.len() <= 2 && word.iter().all(|c| b"rRbBfFuU".contains(c)) => {
                    self.pos = end;
                    self.quoted(q, true, false);
                    true
                }
                _ => false,
            },
            Dialect::C => match (word, quote) {
                (b"R" | b"LR" | b"uR" | b"UR" | b"u8R", Some(b'"')) => {
                    self.cpp_raw(end);
                    true
                }
                (b"L" | b"u" | b"U" | b"u8", Some(q)) => {
                    self.pos = end;
                    self.quoted(q, true, false);
                    true
                }
                _ => false,
            },
            _ => false,
        }
    }

    /// Rust `r#"…"#` (or a raw identifier `r#type`) after the prefix ending at `end`.
    fn rust_raw(&mut self, end: usize, may_be_ident: bool) -> bool {
        let text = self.text;
        let line = self.line;
        let mut i = end;
        while text.get(i) == Some(&b'#') {
            i += 1;
        }
        let hashes = i - end;
        if text.get(i) != Some(&b'"') {
            if may_be_ident && hashes == 1 && text.get(i).is_some_and(|&c| is_ident_start(c, b"")) {
                while i < text.len() && is_ident_byte(text[i], b"") {
                    i += 1;
                }
                self.pos = i;
                self.emit(IDENT, None, line);
                return true;
            }
            return false;
        }
        let mut closing = vec![b'"'];
        closing.resize(hashes + 1, b'#');
        let body = i + 1;
        let stop =
            memmem::find(&text[body..], &closing).map_or(text.len(), |e| body + e + closing.len());
        let start = self.pos;
        self.pos = stop;
        self.count_lines(start, stop);
        self.emit(STRING, None, line);
        true
    }

    /// C++ `R"delim(…)delim"` after the prefix ending at `end` (which is at the `"`).
    fn cpp_raw(&mut self, end: usize) {
        let text = self.text;
        let line = self.line;
        let search = &text[end + 1..text.len().min(end + 18)];
        let Some(paren) = memchr(b'(', search) else {
            self.pos = end;
            self.quoted(b'"', true, false);
            return;
        };
        let mut closing = vec![b')'];
        closing.extend_from_slice(&search[..paren]);
        closing.push(b'"');
        let body = end + 1 + paren + 1;
        let stop =
            memmem::find(&text[body..], &closing).map_or(text.len(), |e| body + e + closing.len());
        let start = self.pos;
        self.pos = stop;
        self.count_lines(start, stop);
        self.emit(STRING, None, line);
    }

    /// Whether a `/` here starts a regular expression rather than a division.
    fn regex_allowed(&self) -> bool {
        !matches!(self.prev_kind, IDENT | NUMBER | STRING)
            && self.prev_kind != CLOSE_PAREN
            && self.prev_kind != PUNCT + u16::from(b']')
            && self.prev_kind != PUNCT + u16::from(b'}')
    }

    fn regex(&mut self) {
        let text = self.text;
        let mut i = self.pos + 1;
        let mut in_class = false;
        while i < text.len() {
            match text[i] {
                b'\\' => i += 2,
                b'[' => {
                    in_class = true;
                    i += 1;
                }
                b']' => {
                    in_class = false;
                    i += 1;
                }
                b'/' if !in_class => break,
                b'\n' => return self.punctuation(),
                _ => i += 1,
            }
        }
        if i >= text.len() {
            return self.punctuation();
        }
        i += 1;
        while i < text.len() && text[i].is_ascii_alphabetic() {
            i += 1;
        }
        let line = self.line;
        self.pos = i;
        self.emit(STRING, None, line);
    }

    fn punctuation(&mut self) {
        let rest = &self.text[self.pos..];
        let line = self.line;
        if rest.len() > 1
            && rest[1].is_ascii_punctuation()
            && let Some((index, op)) = OPERATORS
                .iter()
                .enumerate()
                .find(|(_, op)| op[0] == rest[0] && op[1] == rest[1] && rest.starts_with(op))
        {
            self.pos += op.len();
            let index = u16::try_from(index).unwrap_or(0);
            self.emit(OPERATOR + index, None, line);
            return;
        }
        self.pos += 1;
        self.emit(PUNCT + u16::from(rest[0]), None, line);
    }
}

/// Whether the quote at `at` is escaped by an odd run of backslashes after `from`.
fn is_escaped(text: &[u8], from: usize, at: usize) -> bool {
    let run = text[from..at]
        .iter()
        .rev()
        .take_while(|&&c| c == b'\\')
        .count();
    run % 2 == 1
}

/// Length of a nested block comment starting at the beginning of `rest`.
fn nested_comment_end(rest: &[u8], open: &[u8], close: &[u8]) -> usize {
    let mut depth = 0usize;
    let mut i = 0;
    while i < rest.len() {
        if rest[i..].starts_with(open) {
            depth += 1;
            i += open.len();
        } else if rest[i..].starts_with(close) {
            depth -= 1;
            i += close.len();
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    rest.len()
}

/// An import statement being read: its tokens are dropped at its end if it is confirmed.
#[derive(Debug)]
struct Pending {
    /// Index of the statement's first token.
    start: usize,
    /// Bracket depth inside the statement.
    depth: i32,
    /// Whether the statement is known to be an import.
    confirmed: bool,
    /// C#'s `using (…)` is a statement, not an import.
    cancel_on_paren: bool,
}

/// Collects tokens and lines, and drops import statements.
#[derive(Debug, Default)]
struct Emitter {
    tokens: Tokens,
    last_code_line: u32,
    /// The next token is the first of its line.
    at_line_start: bool,
    /// Index of the first token of the current statement.
    stmt_start: usize,
    /// Whether the statement so far holds only import modifiers (`pub`, `(crate)`).
    modifiers_only: bool,
    pending: Option<Pending>,
    /// The previous token was the word `from`.
    after_from: bool,
}

impl Emitter {
    fn code_line(&mut self, line: u32) {
        if line != self.last_code_line {
            self.tokens.code_lines += 1;
            self.last_code_line = line;
        }
    }

    fn newline(&mut self) {
        self.at_line_start = true;
    }

    fn emit(&mut self, syntax: &Syntax, kind: u16, word: Option<&[u8]>, line: u32) {
        self.code_line(line);
        if self.at_line_start || self.tokens.kinds.is_empty() {
            self.at_line_start = false;
            if self
                .pending
                .as_ref()
                .is_some_and(|p| p.depth <= 0 && self.tokens.kinds.last() != Some(&COMMA))
            {
                self.finish_pending();
            }
            self.stmt_start = self.tokens.kinds.len();
            self.modifiers_only = true;
        }
        if let (Some(w), None) = (word, &self.pending) {
            self.maybe_start_import(syntax, w);
        }
        let index = self.tokens.kinds.len();
        if self.tokens.lines.last().is_none_or(|l| l.line != line) {
            self.tokens.lines.push(LineStart {
                line,
                first: u32::try_from(index).unwrap_or(u32::MAX),
            });
        }
        self.tokens.kinds.push(kind);
        if let Some(p) = &mut self.pending {
            match kind {
                k if k == OPEN_PAREN
                    || k == PUNCT + u16::from(b'[')
                    || k == PUNCT + u16::from(b'{') =>
                {
                    p.depth += 1;
                }
                k if k == CLOSE_PAREN
                    || k == PUNCT + u16::from(b']')
                    || k == PUNCT + u16::from(b'}') =>
                {
                    p.depth -= 1;
                }
                _ => {}
            }
            if p.depth < 0 || (p.cancel_on_paren && kind == OPEN_PAREN) {
                self.pending = None;
            } else if kind == STRING && self.after_from {
                p.confirmed = true;
            } else if kind == SEMICOLON && p.depth == 0 {
                self.finish_pending();
            }
        }
        self.after_from = word == Some(b"from");
        let brace = kind == PUNCT + u16::from(b'{') || kind == PUNCT + u16::from(b'}');
        if kind == SEMICOLON || brace {
            self.stmt_start = self.tokens.kinds.len();
            self.modifiers_only = true;
        } else if kind != OPEN_PAREN
            && kind != CLOSE_PAREN
            && !word.is_some_and(|w| IMPORT_MODIFIERS.contains(&w))
        {
            self.modifiers_only = false;
        }
    }

    fn maybe_start_import(&mut self, syntax: &Syntax, word: &[u8]) {
        let is = |list: &[&str]| list.iter().any(|w| w.as_bytes() == word);
        let start = self.stmt_start;
        if self.modifiers_only && is(syntax.imports) {
            self.pending = Some(Pending {
                start,
                depth: 0,
                confirmed: true,
                cancel_on_paren: syntax.dialect == Dialect::CSharp,
            });
        } else if self.modifiers_only && is(syntax.tentative_imports) {
            self.pending = Some(Pending {
                start,
                depth: 0,
                confirmed: false,
                cancel_on_paren: false,
            });
        } else if is(syntax.import_calls) {
            self.pending = Some(Pending {
                start,
                depth: 0,
                confirmed: true,
                cancel_on_paren: false,
            });
        }
    }

    /// End the pending statement, dropping its tokens if it is an import.
    fn finish_pending(&mut self) {
        let Some(p) = self.pending.take() else {
            return;
        };
        if p.confirmed {
            self.tokens.kinds.truncate(p.start);
            while self
                .tokens
                .lines
                .last()
                .is_some_and(|l| l.first as usize >= p.start)
            {
                self.tokens.lines.pop();
            }
        }
        self.stmt_start = self.tokens.kinds.len();
        self.modifiers_only = true;
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::super::languages::{self, Syntax};
    use super::*;

    /// Readable form of a token sequence: `id`, `num`, `str`, keywords and punctuation as text.
    pub(in super::super) fn describe(syntax: &Syntax, kinds: &[u16]) -> String {
        kinds
            .iter()
            .map(|&k| match k {
                IDENT => "id".to_owned(),
                NUMBER => "num".to_owned(),
                STRING => "str".to_owned(),
                k if k >= KEYWORD => syntax
                    .keywords
                    .iter()
                    .find(|w| keyword_kind(word_hash(w.as_bytes())) == k)
                    .map_or_else(|| format!("kw{k}"), |w| (*w).to_owned()),
                k if k >= OPERATOR => {
                    String::from_utf8_lossy(OPERATORS[usize::from(k - OPERATOR)]).into_owned()
                }
                k => char::from(u8::try_from(k - PUNCT).unwrap_or(b'?')).to_string(),
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn lex(path: &str, src: &str) -> String {
        let syntax = languages::syntax_for(path).expect("known language");
        describe(syntax, &tokenize(syntax, src.as_bytes()).kinds)
    }

    #[test]
    fn identifiers_literals_and_comments_are_normalized() {
        assert_eq!(
            lex(
                "a.rs",
                "let total = count + 1; // sum\n/* block /* nested */ */ x"
            ),
            "let id = id + num ; id"
        );
        assert_eq!(
            lex(
                "a.rs",
                "let s = \"a // not a comment\"; let c = 'x'; fn f<'a>(v: &'a str) {}"
            ),
            "let id = str ; let id = str ; fn id < id > ( id : & id id ) { }"
        );
        assert_eq!(
            lex(
                "a.rs",
                "let r = r#\"raw \" string\"#; let b = b'\\n'; let t = r#type;"
            ),
            "let id = str ; let id = str ; let id = id ;"
        );
        assert_eq!(
            lex("a.py", "x = f'{a}' + rb\"\\x00\" # c\ny = '''doc\n'''"),
            "id = str + str id = str"
        );
        assert_eq!(
            lex(
                "a.js",
                "const re = /ab\\/c[/]/g; const d = a / b / c; t = `x ${y}\n`;"
            ),
            "const id = str ; const id = id / id / id ; id = str ;"
        );
        assert_eq!(
            lex("a.sh", "echo $# x # comment\nfoo 'it''s'"),
            "echo id # id id str str"
        );
        assert_eq!(
            lex("a.cs", "var p = @\"C:\\dir\"\"q\"\"\"; var s = $\"{a}\";"),
            "var id = str ; var id = str ;"
        );
        assert_eq!(
            lex("a.cpp", "auto s = R\"x(a)\" b)x\"; int n = 1'000'000;"),
            "auto id = str ; int id = num ;"
        );
        assert_eq!(lex("a.rb", "=begin\ncomment\n=end\nx = 1"), "id = num");
        assert_eq!(lex("a.go", "s := `C:\\` + \"q\""), "id := str + str");
    }

    #[test]
    fn numbers_keep_ranges_and_exponents() {
        assert_eq!(
            lex("a.rs", "0..10 1.5e-3 0xFFu8 x.0"),
            "num .. num num num id . num"
        );
    }

    #[test]
    fn import_statements_are_dropped() {
        assert_eq!(
            lex(
                "a.rs",
                "use std::io;\npub(crate) use a::{\n    b,\n    c,\n};\nfn main() { use x::y; z(); }"
            ),
            "fn id ( ) { id ( ) ; }"
        );
        assert_eq!(
            lex(
                "a.ts",
                "import { a,\n b } from './a';\nimport x from \"y\"\nexport { c } from './c';\nexport const k = 1;\nconst fs = require('fs');\nfoo(require('x'));"
            ),
            "export const id = num ; id ( id ( str ) ) ;"
        );
        assert_eq!(
            lex(
                "a.py",
                "import os\nfrom a import (\n  b,\n  c,\n)\nfrom x import y, \\\n  z\ndef f(): pass"
            ),
            "def id ( ) : pass"
        );
        assert_eq!(
            lex(
                "a.go",
                "package main\n\nimport (\n\t\"fmt\"\n)\nfunc main() {}"
            ),
            "func id ( ) { }"
        );
        assert_eq!(
            lex(
                "a.c",
                "#include <stdio.h>\n  #  include \"x.h\"\n#define N 1\nint x;"
            ),
            "# define id num int id ;"
        );
        assert_eq!(
            lex("a.cs", "using System;\nusing (var f = Open()) { }"),
            "using ( var id = id ( ) ) { }"
        );
        assert_eq!(
            lex("a.java", "package a.b;\nimport java.util.List;\nclass A {}"),
            "class id { }"
        );
    }

    #[test]
    fn lines_and_code_lines_are_tracked() {
        let syntax = &languages::RUST;
        let t = tokenize(
            syntax,
            b"// header\n\nfn a() {\n    \"multi\nline\";\n}\nuse x;\n",
        );
        assert_eq!(
            t.lines,
            vec![
                LineStart { line: 3, first: 0 },
                LineStart { line: 4, first: 5 },
                LineStart { line: 5, first: 6 },
                LineStart { line: 6, first: 7 },
            ]
        );
        // Lines 3 to 6, and the import on line 7.
        assert_eq!(t.code_lines, 5);
        assert_eq!(t.line_of(0), 3);
        assert_eq!(t.line_of(6), 5);
        assert_eq!(t.line_of(7), 6);
    }

    #[test]
    fn hostile_input_never_panics() {
        let inputs: &[&[u8]] = &[
            b"\"unterminated",
            b"/* unterminated",
            b"r##\"unterminated",
            b"'",
            b"\\",
            b"R\"(",
            b"#include",
            b"@\"",
            b"/[",
            b"0x",
            b"1e",
            b"\xff\xfe\x00\x01",
            b"`",
            b"'''",
        ];
        for syntax in [
            &languages::RUST,
            &languages::C,
            &languages::JAVASCRIPT,
            &languages::CSHARP,
            &languages::PYTHON,
            &languages::SHELL,
            &languages::RUBY,
            &languages::GO,
        ] {
            for input in inputs {
                let _ = tokenize(syntax, input);
            }
        }
    }
}
