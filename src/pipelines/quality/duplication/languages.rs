//! What the tokenizer must know about each language: comments, strings, keywords and the
//! statements that import other code.
//!
//! Languages are grouped in families that share a lexer ([`Dialect`]); each entry of the table
//! is plain data. Keywords stay distinct tokens after normalization (every other word becomes
//! one identifier token), so they carry the shape of the code; a family without a keyword list
//! of its own uses [`GENERIC_KEYWORDS`], words that are keywords in most languages.
//! Only programming languages are listed: markup, styles and data files (HTML, CSS, JSON,
//! YAML, Markdown) are not scanned, since after normalization their repeated structure is
//! noise rather than copied logic.

/// How a language's quirks are lexed beyond its comment and string markers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Dialect {
    /// Lifetimes, raw strings `r#"…"#`, byte strings.
    Rust,
    /// `#include` lines, raw strings `R"(…)"`, digit separators, prefixes `L`, `u8`.
    C,
    /// Regular expression literals, template strings.
    JavaScript,
    /// Raw strings in backticks have no escapes.
    Go,
    /// Verbatim `@"…"` and interpolated `$"…"` strings.
    CSharp,
    /// String prefixes `r`, `b`, `f`, `u` and their pairs.
    Python,
    /// `=begin` … `=end` comments.
    Ruby,
    /// `#` starts a comment only at the start of a word; `'…'` has no escapes.
    Shell,
    /// Nothing beyond the table.
    Plain,
}

/// What a single quote starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SingleQuote {
    /// A string or character literal with backslash escapes.
    Literal,
    /// A string without escapes (shell).
    Raw,
    /// Punctuation (Lisp quote, Haskell and OCaml primes).
    Punctuation,
}

/// Lexical facts of one language family.
#[derive(Debug)]
pub(super) struct Syntax {
    /// Family name, for tests and notes.
    pub(super) name: &'static str,
    /// Lexer quirks.
    pub(super) dialect: Dialect,
    /// Markers that comment out the rest of the line.
    pub(super) line_comments: &'static [&'static str],
    /// Block comment delimiters.
    pub(super) block_comments: &'static [(&'static str, &'static str)],
    /// Whether block comments nest (Rust, Swift, Kotlin, Scala, Dart, Haskell).
    pub(super) nested_comments: bool,
    /// What `'` starts.
    pub(super) single_quote: SingleQuote,
    /// Whether `` ` `` starts a string (JavaScript templates, Go raw strings, shell commands).
    pub(super) backtick_strings: bool,
    /// Whether `"""` (and `'''` where `'` quotes strings) starts a multi-line string.
    pub(super) triple_quotes: bool,
    /// Whether an ordinary quoted string may contain a raw line break.
    pub(super) multiline_strings: bool,
    /// Bytes that may appear in identifiers besides letters, digits and `_` (e.g. `$`).
    pub(super) ident_extra: &'static [u8],
    /// Keywords, sorted; every other word is an identifier.
    pub(super) keywords: &'static [&'static str],
    /// Bloom filter of the keywords' hashes ([`word_hash`]): most identifiers are rejected
    /// without a search.
    pub(super) keyword_bloom: [u64; BLOOM_WORDS],
    /// Words that start an import statement at the start of a statement.
    pub(super) imports: &'static [&'static str],
    /// Words that start a statement which is an import only if `from "…"` follows
    /// (JavaScript's `export { a } from "./a"`).
    pub(super) tentative_imports: &'static [&'static str],
    /// Calls that import wherever they appear (`require("x")`): the statement holding them is
    /// an import.
    pub(super) import_calls: &'static [&'static str],
}

/// Size of a keyword Bloom filter in 64-bit words.
pub(super) const BLOOM_WORDS: usize = 16;

/// FNV-1a hash of a word.
pub(super) const fn word_hash(word: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    let mut i = 0;
    while i < word.len() {
        h = (h ^ word[i] as u32).wrapping_mul(0x0100_0193);
        i += 1;
    }
    h
}

/// Bit of the Bloom filter a hash sets: (word index, bit).
pub(super) const fn bloom_bit(hash: u32) -> (usize, u64) {
    let bit = (hash >> 7) as usize % (BLOOM_WORDS * 64);
    (bit / 64, 1 << (bit % 64))
}

const fn bloom(keywords: &[&str]) -> [u64; BLOOM_WORDS] {
    let mut out = [0u64; BLOOM_WORDS];
    let mut i = 0;
    while i < keywords.len() {
        let (word, bit) = bloom_bit(word_hash(keywords[i].as_bytes()));
        out[word] |= bit;
        i += 1;
    }
    out
}

/// Words that are keywords in most languages, for families without a list of their own.
pub(super) const GENERIC_KEYWORDS: &[&str] = &[
    "and", "begin", "break", "case", "catch", "class", "const", "continue", "def", "default", "do",
    "elif", "else", "elseif", "elsif", "end", "false", "fn", "for", "fun", "function", "if", "in",
    "let", "local", "loop", "match", "module", "new", "nil", "not", "null", "or", "return", "self",
    "static", "struct", "switch", "then", "this", "throw", "true", "try", "type", "unless",
    "until", "val", "var", "when", "where", "while", "with", "yield",
];

const RUST_KEYWORDS: &[&str] = &[
    "Self", "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum",
    "extern", "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move",
    "mut", "pub", "ref", "return", "self", "static", "struct", "super", "trait", "true", "type",
    "union", "unsafe", "use", "where", "while", "yield",
];

const C_KEYWORDS: &[&str] = &[
    "auto",
    "bool",
    "break",
    "case",
    "catch",
    "char",
    "class",
    "const",
    "constexpr",
    "continue",
    "default",
    "define",
    "delete",
    "do",
    "double",
    "else",
    "enum",
    "explicit",
    "extern",
    "false",
    "float",
    "for",
    "friend",
    "goto",
    "if",
    "ifdef",
    "ifndef",
    "inline",
    "int",
    "long",
    "namespace",
    "new",
    "noexcept",
    "nullptr",
    "operator",
    "override",
    "private",
    "protected",
    "public",
    "register",
    "return",
    "short",
    "signed",
    "sizeof",
    "static",
    "struct",
    "switch",
    "template",
    "this",
    "throw",
    "true",
    "try",
    "typedef",
    "typename",
    "union",
    "unsigned",
    "using",
    "virtual",
    "void",
    "volatile",
    "while",
];

const JAVA_KEYWORDS: &[&str] = &[
    "abstract",
    "boolean",
    "break",
    "byte",
    "case",
    "catch",
    "char",
    "class",
    "continue",
    "def",
    "default",
    "do",
    "double",
    "else",
    "enum",
    "extends",
    "false",
    "final",
    "finally",
    "float",
    "for",
    "if",
    "implements",
    "import",
    "instanceof",
    "int",
    "interface",
    "long",
    "native",
    "new",
    "null",
    "package",
    "private",
    "protected",
    "public",
    "return",
    "short",
    "static",
    "super",
    "switch",
    "synchronized",
    "this",
    "throw",
    "throws",
    "true",
    "try",
    "var",
    "void",
    "volatile",
    "while",
];

const KOTLIN_KEYWORDS: &[&str] = &[
    "abstract",
    "as",
    "break",
    "by",
    "case",
    "catch",
    "class",
    "companion",
    "continue",
    "data",
    "def",
    "do",
    "else",
    "enum",
    "extends",
    "false",
    "final",
    "finally",
    "for",
    "fun",
    "if",
    "implicit",
    "import",
    "in",
    "init",
    "interface",
    "is",
    "lazy",
    "match",
    "new",
    "null",
    "object",
    "open",
    "override",
    "package",
    "private",
    "protected",
    "public",
    "return",
    "sealed",
    "super",
    "this",
    "throw",
    "trait",
    "true",
    "try",
    "val",
    "var",
    "when",
    "while",
    "with",
    "yield",
];

const CSHARP_KEYWORDS: &[&str] = &[
    "abstract",
    "as",
    "async",
    "await",
    "base",
    "bool",
    "break",
    "case",
    "catch",
    "class",
    "const",
    "continue",
    "default",
    "delegate",
    "do",
    "double",
    "else",
    "enum",
    "event",
    "false",
    "finally",
    "float",
    "for",
    "foreach",
    "get",
    "if",
    "in",
    "int",
    "interface",
    "internal",
    "is",
    "lock",
    "long",
    "namespace",
    "new",
    "null",
    "object",
    "out",
    "override",
    "params",
    "private",
    "protected",
    "public",
    "readonly",
    "record",
    "ref",
    "return",
    "sealed",
    "set",
    "static",
    "string",
    "struct",
    "switch",
    "this",
    "throw",
    "true",
    "try",
    "typeof",
    "using",
    "var",
    "virtual",
    "void",
    "while",
    "yield",
];

const GO_KEYWORDS: &[&str] = &[
    "break",
    "case",
    "chan",
    "const",
    "continue",
    "default",
    "defer",
    "else",
    "fallthrough",
    "false",
    "for",
    "func",
    "go",
    "goto",
    "if",
    "import",
    "interface",
    "map",
    "nil",
    "package",
    "range",
    "return",
    "select",
    "struct",
    "switch",
    "true",
    "type",
    "var",
];

const JS_KEYWORDS: &[&str] = &[
    "abstract",
    "any",
    "as",
    "async",
    "await",
    "break",
    "case",
    "catch",
    "class",
    "const",
    "constructor",
    "continue",
    "debugger",
    "declare",
    "default",
    "delete",
    "do",
    "else",
    "enum",
    "export",
    "extends",
    "false",
    "finally",
    "for",
    "from",
    "function",
    "get",
    "if",
    "implements",
    "import",
    "in",
    "instanceof",
    "interface",
    "let",
    "new",
    "null",
    "of",
    "private",
    "protected",
    "public",
    "readonly",
    "return",
    "set",
    "static",
    "super",
    "switch",
    "this",
    "throw",
    "true",
    "try",
    "type",
    "typeof",
    "undefined",
    "var",
    "void",
    "while",
    "yield",
];

const SWIFT_KEYWORDS: &[&str] = &[
    "as",
    "associatedtype",
    "break",
    "case",
    "catch",
    "class",
    "continue",
    "default",
    "defer",
    "do",
    "else",
    "enum",
    "extension",
    "false",
    "fileprivate",
    "for",
    "func",
    "guard",
    "if",
    "import",
    "in",
    "init",
    "inout",
    "internal",
    "is",
    "let",
    "nil",
    "open",
    "operator",
    "override",
    "private",
    "protocol",
    "public",
    "repeat",
    "return",
    "self",
    "static",
    "struct",
    "subscript",
    "super",
    "switch",
    "throw",
    "throws",
    "true",
    "try",
    "var",
    "where",
    "while",
];

const PHP_KEYWORDS: &[&str] = &[
    "abstract",
    "array",
    "as",
    "break",
    "case",
    "catch",
    "class",
    "const",
    "continue",
    "default",
    "do",
    "echo",
    "else",
    "elseif",
    "extends",
    "false",
    "final",
    "finally",
    "fn",
    "for",
    "foreach",
    "function",
    "if",
    "implements",
    "include",
    "instanceof",
    "interface",
    "isset",
    "match",
    "namespace",
    "new",
    "null",
    "private",
    "protected",
    "public",
    "require",
    "return",
    "static",
    "switch",
    "throw",
    "trait",
    "true",
    "try",
    "unset",
    "use",
    "while",
    "yield",
];

const DART_KEYWORDS: &[&str] = &[
    "abstract",
    "as",
    "async",
    "await",
    "break",
    "case",
    "catch",
    "class",
    "const",
    "continue",
    "default",
    "do",
    "dynamic",
    "else",
    "enum",
    "extends",
    "false",
    "final",
    "finally",
    "for",
    "if",
    "implements",
    "import",
    "in",
    "is",
    "late",
    "mixin",
    "new",
    "null",
    "required",
    "return",
    "static",
    "super",
    "switch",
    "this",
    "throw",
    "true",
    "try",
    "var",
    "void",
    "while",
    "with",
    "yield",
];

const PYTHON_KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

const RUBY_KEYWORDS: &[&str] = &[
    "and", "begin", "break", "case", "class", "def", "do", "else", "elsif", "end", "ensure",
    "false", "for", "if", "in", "module", "next", "nil", "not", "or", "redo", "rescue", "retry",
    "return", "self", "super", "then", "true", "undef", "unless", "until", "when", "while",
    "yield",
];

const SHELL_KEYWORDS: &[&str] = &[
    "case", "do", "done", "echo", "elif", "else", "esac", "exit", "export", "fi", "for",
    "function", "if", "in", "local", "return", "select", "then", "until", "while",
];

const C_LIKE_COMMENTS: &[(&str, &str)] = &[("/*", "*/")];
const SLASHES: &[&str] = &["//"];
const HASH: &[&str] = &["#"];

const fn c_like(name: &'static str, dialect: Dialect, keywords: &'static [&'static str]) -> Syntax {
    Syntax {
        name,
        dialect,
        line_comments: SLASHES,
        block_comments: C_LIKE_COMMENTS,
        nested_comments: false,
        single_quote: SingleQuote::Literal,
        backtick_strings: false,
        triple_quotes: false,
        multiline_strings: false,
        ident_extra: b"",
        keywords,
        keyword_bloom: bloom(keywords),
        imports: &[],
        tentative_imports: &[],
        import_calls: &[],
    }
}

const fn hash_comments(
    name: &'static str,
    dialect: Dialect,
    keywords: &'static [&'static str],
) -> Syntax {
    Syntax {
        line_comments: HASH,
        block_comments: &[],
        multiline_strings: true,
        ..c_like(name, dialect, keywords)
    }
}

/// Rust.
pub(super) static RUST: Syntax = Syntax {
    nested_comments: true,
    multiline_strings: true,
    imports: &["use"],
    ..c_like("rust", Dialect::Rust, RUST_KEYWORDS)
};

/// C, C++, Objective-C.
pub(super) static C: Syntax = c_like("c", Dialect::C, C_KEYWORDS);

/// C#.
pub(super) static CSHARP: Syntax = Syntax {
    imports: &["using"],
    ..c_like("csharp", Dialect::CSharp, CSHARP_KEYWORDS)
};

/// Java and Groovy.
pub(super) static JAVA: Syntax = Syntax {
    triple_quotes: true,
    imports: &["import", "package"],
    ..c_like("java", Dialect::Plain, JAVA_KEYWORDS)
};

/// Kotlin and Scala.
pub(super) static KOTLIN: Syntax = Syntax {
    nested_comments: true,
    triple_quotes: true,
    ident_extra: b"",
    imports: &["import", "package"],
    ..c_like("kotlin", Dialect::Plain, KOTLIN_KEYWORDS)
};

/// Go.
pub(super) static GO: Syntax = Syntax {
    backtick_strings: true,
    imports: &["import", "package"],
    ..c_like("go", Dialect::Go, GO_KEYWORDS)
};

/// JavaScript and TypeScript, with JSX.
pub(super) static JAVASCRIPT: Syntax = Syntax {
    backtick_strings: true,
    ident_extra: b"$",
    imports: &["import"],
    tentative_imports: &["export"],
    import_calls: &["require"],
    ..c_like("javascript", Dialect::JavaScript, JS_KEYWORDS)
};

/// Swift.
pub(super) static SWIFT: Syntax = Syntax {
    nested_comments: true,
    triple_quotes: true,
    imports: &["import"],
    ..c_like("swift", Dialect::Plain, SWIFT_KEYWORDS)
};

/// PHP.
pub(super) static PHP: Syntax = Syntax {
    line_comments: &["//", "#"],
    multiline_strings: true,
    ident_extra: b"$",
    imports: &[
        "include",
        "include_once",
        "namespace",
        "require",
        "require_once",
        "use",
    ],
    ..c_like("php", Dialect::Plain, PHP_KEYWORDS)
};

/// Dart.
pub(super) static DART: Syntax = Syntax {
    nested_comments: true,
    triple_quotes: true,
    multiline_strings: false,
    ident_extra: b"$",
    imports: &["export", "import", "library", "part"],
    ..c_like("dart", Dialect::Plain, DART_KEYWORDS)
};

/// Other languages with C-style comments (Zig, Solidity, Vala…).
pub(super) static GENERIC_C: Syntax = c_like("c-like", Dialect::Plain, GENERIC_KEYWORDS);

/// Python.
pub(super) static PYTHON: Syntax = Syntax {
    triple_quotes: true,
    multiline_strings: false,
    imports: &["from", "import"],
    ..hash_comments("python", Dialect::Python, PYTHON_KEYWORDS)
};

/// Ruby.
pub(super) static RUBY: Syntax = Syntax {
    backtick_strings: true,
    imports: &["require", "require_relative"],
    ..hash_comments("ruby", Dialect::Ruby, RUBY_KEYWORDS)
};

/// Shell scripts.
pub(super) static SHELL: Syntax = Syntax {
    single_quote: SingleQuote::Raw,
    backtick_strings: true,
    ident_extra: b"$",
    imports: &["source"],
    ..hash_comments("shell", Dialect::Shell, SHELL_KEYWORDS)
};

/// Other languages with `#` comments (Perl, R, Julia, Elixir, Nim, PowerShell…).
pub(super) static GENERIC_HASH: Syntax = Syntax {
    ident_extra: b"$",
    imports: &["import", "require", "use", "using"],
    ..hash_comments("hash-comment", Dialect::Plain, GENERIC_KEYWORDS)
};

/// Lua.
pub(super) static LUA: Syntax = Syntax {
    line_comments: &["--"],
    block_comments: &[("--[[", "]]")],
    import_calls: &["require"],
    ..c_like("lua", Dialect::Plain, GENERIC_KEYWORDS)
};

/// SQL.
pub(super) static SQL: Syntax = Syntax {
    line_comments: &["--"],
    ..c_like("sql", Dialect::Plain, GENERIC_KEYWORDS)
};

/// Haskell and Elm.
pub(super) static HASKELL: Syntax = Syntax {
    line_comments: &["--"],
    block_comments: &[("{-", "-}")],
    nested_comments: true,
    single_quote: SingleQuote::Punctuation,
    imports: &["import"],
    ..c_like("haskell", Dialect::Plain, GENERIC_KEYWORDS)
};

/// Lisp, Scheme and Clojure.
pub(super) static LISP: Syntax = Syntax {
    line_comments: &[";"],
    block_comments: &[],
    single_quote: SingleQuote::Punctuation,
    ..c_like("lisp", Dialect::Plain, GENERIC_KEYWORDS)
};

/// OCaml and F#.
pub(super) static ML: Syntax = Syntax {
    line_comments: &["//"],
    block_comments: &[("(*", "*)")],
    nested_comments: true,
    single_quote: SingleQuote::Punctuation,
    imports: &["open"],
    ..c_like("ml", Dialect::Plain, GENERIC_KEYWORDS)
};

/// Erlang.
pub(super) static ERLANG: Syntax = Syntax {
    line_comments: &["%"],
    block_comments: &[],
    single_quote: SingleQuote::Punctuation,
    ..c_like("erlang", Dialect::Plain, GENERIC_KEYWORDS)
};

/// The syntax of the file at `path` (repository-relative), if it is a language vigil scans.
pub(super) fn syntax_for(path: &str) -> Option<&'static Syntax> {
    let name = path.rsplit('/').next().unwrap_or(path);
    match name {
        "Rakefile" | "Gemfile" | "Guardfile" | "Vagrantfile" => return Some(&RUBY),
        _ => {}
    }
    let ext = name.rsplit_once('.')?.1;
    let syntax: &'static Syntax = match ext {
        "rs" => &RUST,
        "c" | "h" | "cc" | "cpp" | "cxx" | "c++" | "hpp" | "hh" | "hxx" | "h++" | "ino" | "m"
        | "mm" | "cu" | "cuh" => &C,
        "cs" => &CSHARP,
        "java" | "groovy" | "gradle" => &JAVA,
        "kt" | "kts" | "scala" | "sc" => &KOTLIN,
        "go" => &GO,
        "js" | "jsx" | "mjs" | "cjs" | "ts" | "tsx" | "mts" | "cts" => &JAVASCRIPT,
        "swift" => &SWIFT,
        "php" => &PHP,
        "dart" => &DART,
        "zig" | "sol" | "vala" | "v" | "d" | "hx" => &GENERIC_C,
        "py" | "pyi" | "pyw" => &PYTHON,
        "rb" | "rake" | "gemspec" => &RUBY,
        "sh" | "bash" | "zsh" | "ksh" => &SHELL,
        "pl" | "pm" | "r" | "R" | "jl" | "ex" | "exs" | "nim" | "cr" | "ps1" | "psm1" | "tcl" => {
            &GENERIC_HASH
        }
        "lua" => &LUA,
        "sql" => &SQL,
        "hs" | "elm" => &HASKELL,
        "clj" | "cljs" | "cljc" | "el" | "lisp" | "scm" | "rkt" => &LISP,
        "ml" | "mli" | "fs" | "fsi" | "fsx" => &ML,
        "erl" | "hrl" => &ERLANG,
        _ => return None,
    };
    Some(syntax)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: &[&Syntax] = &[
        &RUST,
        &C,
        &CSHARP,
        &JAVA,
        &KOTLIN,
        &GO,
        &JAVASCRIPT,
        &SWIFT,
        &PHP,
        &DART,
        &GENERIC_C,
        &PYTHON,
        &RUBY,
        &SHELL,
        &GENERIC_HASH,
        &LUA,
        &SQL,
        &HASKELL,
        &LISP,
        &ML,
        &ERLANG,
    ];

    #[test]
    fn keyword_lists_are_sorted_for_binary_search() {
        for s in ALL {
            assert!(
                s.keywords.windows(2).all(|w| w[0] < w[1]),
                "keywords of {} are not sorted and unique",
                s.name
            );
        }
        assert!(GENERIC_KEYWORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn languages_come_from_the_file_name() {
        assert_eq!(syntax_for("src/main.rs").map(|s| s.name), Some("rust"));
        assert_eq!(
            syntax_for("a/b.test.tsx").map(|s| s.name),
            Some("javascript")
        );
        assert_eq!(
            syntax_for("lib/tasks/Rakefile").map(|s| s.name),
            Some("ruby")
        );
        assert_eq!(syntax_for("x.py").map(|s| s.name), Some("python"));
        assert!(syntax_for("README.md").is_none());
        assert!(syntax_for("style.css").is_none());
        assert!(syntax_for("Makefile").is_none());
        assert!(syntax_for("data.json").is_none());
    }
}
