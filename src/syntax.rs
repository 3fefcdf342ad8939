//! Tree-sitter grammars, and one parse per file shared by every check that reads syntax.
//!
//! Parsing is the most expensive thing vigil does to a source file (about 10 MB/s per core),
//! and more than one check needs the same tree: the complexity check measures the functions of
//! a Rust file, the API-docs check lists its public items. The walk gives each file a
//! [`SyntaxCell`]; the first check that asks parses the file and the others read the same
//! tree, which is dropped with the file once every check has seen it. Parsers are reused
//! across files: one per grammar per walk thread.

use std::cell::{OnceCell, RefCell};

use anyhow::{Context, Result};
use tree_sitter::{Language, Parser, Tree};

/// A tree-sitter grammar vigil parses with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Grammar {
    /// Rust.
    Rust,
    /// Python (sources and `.pyi` stubs).
    Python,
    /// JavaScript with JSX.
    JavaScript,
    /// TypeScript.
    TypeScript,
    /// TypeScript with JSX.
    Tsx,
    /// Go.
    Go,
    /// Java.
    Java,
    /// C.
    C,
    /// C++, also used for `.h` headers (it accepts nearly every C header too).
    Cpp,
}

impl Grammar {
    /// Every grammar, in a fixed order.
    pub const ALL: [Self; 9] = [
        Self::Rust,
        Self::Python,
        Self::JavaScript,
        Self::TypeScript,
        Self::Tsx,
        Self::Go,
        Self::Java,
        Self::C,
        Self::Cpp,
    ];

    /// Grammar of a path, from its extension (any case): `.rs`, `.py`/`.pyi`,
    /// `.js`/`.mjs`/`.cjs`/`.jsx`, `.ts`/`.mts`/`.cts`, `.tsx`, `.go`, `.java`, `.c`, and
    /// `.h`/`.cc`/`.cpp`/`.cxx`/`.c++`/`.hh`/`.hpp`/`.hxx`/`.h++`/`.ipp`/`.tpp` as C++.
    pub fn from_path(path: &str) -> Option<Self> {
        let name = path.rsplit('/').next().unwrap_or(path);
        let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
        Some(match ext.as_str() {
            "rs" => Self::Rust,
            "py" | "pyi" => Self::Python,
            "js" | "mjs" | "cjs" | "jsx" => Self::JavaScript,
            "ts" | "mts" | "cts" => Self::TypeScript,
            "tsx" => Self::Tsx,
            "go" => Self::Go,
            "java" => Self::Java,
            "c" => Self::C,
            "h" | "cc" | "cpp" | "cxx" | "c++" | "hh" | "hpp" | "hxx" | "h++" | "ipp" | "tpp" => {
                Self::Cpp
            }
            _ => return None,
        })
    }

    /// Lower-case name, as in finding properties and error messages.
    pub fn name(self) -> &'static str {
        match self {
            Self::Rust => "rust",
            Self::Python => "python",
            Self::JavaScript => "javascript",
            Self::TypeScript => "typescript",
            Self::Tsx => "tsx",
            Self::Go => "go",
            Self::Java => "java",
            Self::C => "c",
            Self::Cpp => "cpp",
        }
    }

    /// The tree-sitter language.
    pub fn language(self) -> Language {
        match self {
            Self::Rust => tree_sitter_rust::LANGUAGE.into(),
            Self::Python => tree_sitter_python::LANGUAGE.into(),
            Self::JavaScript => tree_sitter_javascript::LANGUAGE.into(),
            Self::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            Self::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
            Self::Go => tree_sitter_go::LANGUAGE.into(),
            Self::Java => tree_sitter_java::LANGUAGE.into(),
            Self::C => tree_sitter_c::LANGUAGE.into(),
            Self::Cpp => tree_sitter_cpp::LANGUAGE.into(),
        }
    }

    /// Position in [`ALL`](Self::ALL).
    pub fn index(self) -> usize {
        self as usize
    }
}

thread_local! {
    /// One parser per grammar per thread, reused across files.
    static PARSERS: RefCell<[Option<Parser>; 9]> = const { RefCell::new([const { None }; 9]) };
}

/// Parse `bytes` with `grammar` on this thread's parser. `None` when tree-sitter gives up
/// (it only does when cancelled; a file with syntax errors still gets a tree).
pub fn parse(grammar: Grammar, bytes: &[u8]) -> Result<Option<Tree>> {
    PARSERS.with(|cell| {
        let mut parsers = cell.borrow_mut();
        let parser = match &mut parsers[grammar.index()] {
            Some(p) => p,
            slot @ None => {
                let mut p = Parser::new();
                p.set_language(&grammar.language())
                    .with_context(|| format!("loading the {} grammar", grammar.name()))?;
                slot.insert(p)
            }
        };
        Ok(parser.parse(bytes, None))
    })
}

/// The syntax tree of one file, parsed by the first check that asks for it.
#[derive(Debug, Default)]
pub struct SyntaxCell {
    tree: OnceCell<(Grammar, Option<Tree>)>,
}

impl SyntaxCell {
    /// Call `f` with the tree of `bytes` parsed with `grammar`, parsing it only if no check
    /// did before. (Should two checks ever ask for different grammars, the second one's tree
    /// is parsed for it alone.)
    pub fn with<R>(
        &self,
        grammar: Grammar,
        bytes: &[u8],
        f: impl FnOnce(Option<&Tree>) -> R,
    ) -> Result<R> {
        if let Some((kept, tree)) = self.tree.get() {
            if *kept == grammar {
                return Ok(f(tree.as_ref()));
            }
            return Ok(f(parse(grammar, bytes)?.as_ref()));
        }
        let tree = parse(grammar, bytes)?;
        let (_, tree) = self.tree.get_or_init(|| (grammar, tree));
        Ok(f(tree.as_ref()))
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;

    #[test]
    fn a_file_is_parsed_once_for_every_check_that_asks() {
        let cell = SyntaxCell::default();
        let source = b"fn main() { if a { b() } }\n";
        let first = cell
            .with(Grammar::Rust, source, |t| t.map(|t| t.root_node().id()))
            .expect("grammar loads");
        let second = cell
            .with(Grammar::Rust, source, |t| t.map(|t| t.root_node().id()))
            .expect("grammar loads");
        // The same tree, not an equal one parsed again.
        assert_eq!(first, second);
        assert!(first.is_some());
    }

    #[test]
    fn another_grammar_gets_its_own_tree() {
        let cell = SyntaxCell::default();
        let source = b"def f(x):\n    return x\n";
        let kinds = Cell::new(("", ""));
        cell.with(Grammar::Python, source, |t| {
            let kind = t.map_or("", |t| t.root_node().kind());
            kinds.set((kind, kinds.get().1));
        })
        .expect("grammar loads");
        cell.with(Grammar::Go, source, |t| {
            let kind = t.map_or("", |t| t.root_node().kind());
            kinds.set((kinds.get().0, kind));
        })
        .expect("grammar loads");
        assert_eq!(kinds.get(), ("module", "source_file"));
    }

    #[test]
    fn grammars_follow_extensions_in_any_case() {
        assert_eq!(Grammar::from_path("src/Lib.RS"), Some(Grammar::Rust));
        assert_eq!(Grammar::from_path("typing/x.pyi"), Some(Grammar::Python));
        assert_eq!(Grammar::from_path("a/b.d.ts"), Some(Grammar::TypeScript));
        assert_eq!(Grammar::from_path("stdio.h"), Some(Grammar::Cpp));
        assert_eq!(Grammar::from_path("x.c"), Some(Grammar::C));
        assert_eq!(Grammar::from_path("v1.2/README"), None);
        assert_eq!(Grammar::from_path("Makefile"), None);
    }

    #[test]
    fn every_grammar_loads() {
        for grammar in Grammar::ALL {
            assert_eq!(Grammar::ALL[grammar.index()], grammar);
            let tree = parse(grammar, b"x").expect("grammar loads");
            assert!(tree.is_some(), "{}", grammar.name());
        }
    }
}
