//! Which tree-sitter node kinds are functions and decision points, per language.
//!
//! One table per language family lists the grammar's node kinds by the part they play
//! ([`Rules`]); [`RoleTable`] turns a table into a lookup by node-kind id, built once per run,
//! so the walk classifies a node with one array index. What counts follows lizard (McCabe's
//! cyclomatic complexity) and SonarSource's cognitive-complexity specification; the module
//! docs of [`super`] and `complexity.md` say where the two differ and why.

use std::num::NonZeroU16;

use tree_sitter::Language;

/// A language the complexity check parses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Lang {
    /// Rust.
    Rust,
    /// Python.
    Python,
    /// JavaScript (and JSX).
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
    /// C++ (and headers, including `.h`).
    Cpp,
}

impl Lang {
    /// Every language, in a fixed order.
    pub(crate) const ALL: [Self; 9] = [
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

    /// Language of a path, from its extension.
    pub(crate) fn from_path(path: &str) -> Option<Self> {
        let name = path.rsplit('/').next().unwrap_or(path);
        let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
        Some(match ext.as_str() {
            "rs" => Self::Rust,
            "py" => Self::Python,
            "js" | "mjs" | "cjs" | "jsx" => Self::JavaScript,
            "ts" | "mts" | "cts" => Self::TypeScript,
            "tsx" => Self::Tsx,
            "go" => Self::Go,
            "java" => Self::Java,
            "c" => Self::C,
            // `.h` is parsed as C++, which accepts nearly all C headers too.
            "h" | "cc" | "cpp" | "cxx" | "c++" | "hh" | "hpp" | "hxx" | "h++" | "ipp" | "tpp" => {
                Self::Cpp
            }
            _ => return None,
        })
    }

    /// Lower-case name used in finding properties.
    pub(crate) fn name(self) -> &'static str {
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

    /// The tree-sitter grammar.
    pub(crate) fn grammar(self) -> Language {
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

    /// The node-kind table.
    pub(crate) fn rules(self) -> &'static Rules {
        match self {
            Self::Rust => &RUST,
            Self::Python => &PYTHON,
            Self::JavaScript | Self::TypeScript | Self::Tsx => &JAVASCRIPT,
            Self::Go => &GO,
            Self::Java => &JAVA,
            Self::C | Self::Cpp => &C_FAMILY,
        }
    }
}

/// Node kinds of one language family, by role.
#[derive(Debug)]
pub(crate) struct Rules {
    /// Functions reported on their own (their body does not count toward an enclosing one).
    pub(crate) functions: &'static [&'static str],
    /// Functions counted inside the enclosing function (closures, lambdas): they nest.
    pub(crate) closures: &'static [&'static str],
    /// `if`: +1 cyclomatic; +1 cognitive plus nesting, or +1 flat when it is an `else if`.
    pub(crate) ifs: &'static [&'static str],
    /// Python's `elif`: +1 cyclomatic, +1 cognitive.
    pub(crate) elifs: &'static [&'static str],
    /// The `else` part of an `if` when the grammar has a node for it.
    pub(crate) elses: &'static [&'static str],
    /// Loops with a condition: +1 cyclomatic, +1 cognitive plus nesting.
    pub(crate) loops: &'static [&'static str],
    /// Loops without a condition (Rust's `loop`): cognitive only.
    pub(crate) bare_loops: &'static [&'static str],
    /// `switch`/`match`: +1 cognitive plus nesting (its cases count for cyclomatic).
    pub(crate) switches: &'static [&'static str],
    /// Case labels: +1 cyclomatic each, except a `default` label.
    pub(crate) cases: &'static [&'static str],
    /// Rust match blocks: +1 cyclomatic per arm after the first.
    pub(crate) match_blocks: &'static [&'static str],
    /// Match arm patterns that may carry an `if` guard (+1 cyclomatic).
    pub(crate) guards: &'static [&'static str],
    /// `catch`/`except`: +1 cyclomatic, +1 cognitive plus nesting.
    pub(crate) catches: &'static [&'static str],
    /// `?:` and `x if c else y`: +1 cyclomatic, +1 cognitive plus nesting.
    pub(crate) ternaries: &'static [&'static str],
    /// Binary expressions; those with a logical operator count.
    pub(crate) binaries: &'static [&'static str],
    /// Logical operators: +1 cyclomatic each; cognitive +1 per run of the same operator.
    pub(crate) logical_operators: &'static [&'static str],
    /// Rust's `if let … && …` chains: +1 cyclomatic per `&&`, +1 cognitive.
    pub(crate) let_chains: &'static [&'static str],
    /// Declarations whose `alternative` is a `let … else` branch (+1 both).
    pub(crate) let_declarations: &'static [&'static str],
    /// Other decision points lizard counts (Rust `?`, Python `finally` and comprehension
    /// `for`/`if`): +1 cyclomatic only.
    pub(crate) cyclomatic_only: &'static [&'static str],
    /// `goto`: +1 cognitive.
    pub(crate) gotos: &'static [&'static str],
    /// `break`/`continue`: +1 cognitive when they name a label.
    pub(crate) jumps: &'static [&'static str],
    /// Node kinds of a jump's label.
    pub(crate) labels: &'static [&'static str],
    /// Parentheses, looked through when grouping logical operators.
    pub(crate) parens: &'static [&'static str],
    /// Unparsed macro arguments (Rust's token trees).
    pub(crate) token_trees: &'static [&'static str],
    /// Tokens counted as decision points inside a token tree, as lizard counts them.
    pub(crate) macro_decisions: &'static [&'static str],
}

static RUST: Rules = Rules {
    functions: &["function_item"],
    closures: &["closure_expression"],
    ifs: &["if_expression"],
    elifs: &[],
    elses: &["else_clause"],
    loops: &["for_expression", "while_expression"],
    bare_loops: &["loop_expression"],
    switches: &["match_expression"],
    cases: &[],
    match_blocks: &["match_block"],
    guards: &["match_pattern"],
    catches: &[],
    ternaries: &[],
    binaries: &["binary_expression"],
    logical_operators: &["&&", "||"],
    let_chains: &["let_chain"],
    let_declarations: &["let_declaration"],
    cyclomatic_only: &["try_expression"],
    gotos: &[],
    jumps: &["break_expression", "continue_expression"],
    labels: &["label"],
    parens: &["parenthesized_expression"],
    token_trees: &["token_tree"],
    macro_decisions: &["if", "for", "while", "&&", "||", "?"],
};

static PYTHON: Rules = Rules {
    functions: &["function_definition"],
    closures: &["lambda"],
    ifs: &["if_statement"],
    elifs: &["elif_clause"],
    elses: &["else_clause"],
    loops: &["for_statement", "while_statement"],
    bare_loops: &[],
    switches: &["match_statement"],
    cases: &["case_clause"],
    match_blocks: &[],
    guards: &[],
    catches: &["except_clause", "except_group_clause"],
    ternaries: &["conditional_expression"],
    binaries: &["boolean_operator"],
    logical_operators: &["and", "or"],
    let_chains: &[],
    let_declarations: &[],
    cyclomatic_only: &["finally_clause", "for_in_clause", "if_clause"],
    gotos: &[],
    jumps: &[],
    labels: &[],
    parens: &["parenthesized_expression"],
    token_trees: &[],
    macro_decisions: &[],
};

static JAVASCRIPT: Rules = Rules {
    functions: &[
        "function_declaration",
        "generator_function_declaration",
        "function_expression",
        "function",
        "generator_function",
        "arrow_function",
        "method_definition",
    ],
    closures: &[],
    ifs: &["if_statement"],
    elifs: &[],
    elses: &["else_clause"],
    loops: &[
        "for_statement",
        "for_in_statement",
        "while_statement",
        "do_statement",
    ],
    bare_loops: &[],
    switches: &["switch_statement"],
    cases: &["switch_case"],
    match_blocks: &[],
    guards: &[],
    catches: &["catch_clause"],
    ternaries: &["ternary_expression"],
    binaries: &["binary_expression"],
    logical_operators: &["&&", "||", "??"],
    let_chains: &[],
    let_declarations: &[],
    cyclomatic_only: &[],
    gotos: &[],
    jumps: &["break_statement", "continue_statement"],
    labels: &["statement_identifier"],
    parens: &["parenthesized_expression"],
    token_trees: &[],
    macro_decisions: &[],
};

static GO: Rules = Rules {
    functions: &["function_declaration", "method_declaration", "func_literal"],
    closures: &[],
    ifs: &["if_statement"],
    elifs: &[],
    elses: &[],
    loops: &["for_statement"],
    bare_loops: &[],
    switches: &[
        "expression_switch_statement",
        "type_switch_statement",
        "select_statement",
    ],
    cases: &["expression_case", "type_case", "communication_case"],
    match_blocks: &[],
    guards: &[],
    catches: &[],
    ternaries: &[],
    binaries: &["binary_expression"],
    logical_operators: &["&&", "||"],
    let_chains: &[],
    let_declarations: &[],
    cyclomatic_only: &[],
    gotos: &["goto_statement"],
    jumps: &["break_statement", "continue_statement"],
    labels: &["label_name"],
    parens: &["parenthesized_expression"],
    token_trees: &[],
    macro_decisions: &[],
};

static JAVA: Rules = Rules {
    functions: &[
        "method_declaration",
        "constructor_declaration",
        "compact_constructor_declaration",
    ],
    closures: &["lambda_expression"],
    ifs: &["if_statement"],
    elifs: &[],
    elses: &[],
    loops: &[
        "for_statement",
        "enhanced_for_statement",
        "while_statement",
        "do_statement",
    ],
    bare_loops: &[],
    switches: &["switch_expression", "switch_statement"],
    cases: &["switch_label"],
    match_blocks: &[],
    guards: &[],
    catches: &["catch_clause"],
    ternaries: &["ternary_expression"],
    binaries: &["binary_expression"],
    logical_operators: &["&&", "||"],
    let_chains: &[],
    let_declarations: &[],
    cyclomatic_only: &[],
    gotos: &[],
    jumps: &["break_statement", "continue_statement"],
    labels: &["identifier"],
    parens: &["parenthesized_expression"],
    token_trees: &[],
    macro_decisions: &[],
};

static C_FAMILY: Rules = Rules {
    functions: &["function_definition"],
    closures: &["lambda_expression"],
    ifs: &["if_statement"],
    elifs: &[],
    elses: &["else_clause"],
    loops: &[
        "for_statement",
        "for_range_loop",
        "while_statement",
        "do_statement",
    ],
    bare_loops: &[],
    switches: &["switch_statement"],
    cases: &["case_statement"],
    match_blocks: &[],
    guards: &[],
    catches: &["catch_clause"],
    ternaries: &["conditional_expression"],
    binaries: &["binary_expression"],
    logical_operators: &["&&", "||", "and", "or"],
    let_chains: &[],
    let_declarations: &[],
    cyclomatic_only: &[],
    gotos: &["goto_statement"],
    jumps: &[],
    labels: &[],
    parens: &["parenthesized_expression"],
    token_trees: &[],
    macro_decisions: &[],
};

/// The part a node kind plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// Nothing to count.
    None,
    /// A function reported on its own.
    Function,
    /// A closure counted in its enclosing function.
    Closure,
    /// `if`.
    If,
    /// Python's `elif`.
    Elif,
    /// An `else` node.
    Else,
    /// A loop with a condition.
    Loop,
    /// A loop without one.
    BareLoop,
    /// `switch`/`match`.
    Switch,
    /// A case label.
    Case,
    /// A Rust match block.
    MatchBlock,
    /// A match arm pattern (maybe guarded).
    Guard,
    /// `catch`/`except`.
    Catch,
    /// A ternary.
    Ternary,
    /// A binary expression (logical or not).
    Binary,
    /// A Rust let chain.
    LetChain,
    /// A declaration that may have a `let … else`.
    LetDeclaration,
    /// A cyclomatic-only decision point.
    CyclomaticOnly,
    /// `goto`.
    Goto,
    /// `break`/`continue`.
    Jump,
    /// A label of a jump.
    Label,
    /// Parentheses.
    Paren,
    /// Unparsed macro arguments.
    TokenTree,
}

/// Roles by node-kind id for one grammar.
#[derive(Debug)]
pub(crate) struct RoleTable {
    roles: Vec<Role>,
    /// The family's rules.
    pub(crate) rules: &'static Rules,
    /// Id of the grammar's `alternative` field (an `else` branch), if it has one.
    pub(crate) alternative: Option<NonZeroU16>,
}

impl RoleTable {
    /// Build the table of `lang`'s grammar.
    pub(crate) fn new(lang: Lang, grammar: &Language) -> Self {
        let rules = lang.rules();
        let lists: [(&[&str], Role); 22] = [
            (rules.functions, Role::Function),
            (rules.closures, Role::Closure),
            (rules.ifs, Role::If),
            (rules.elifs, Role::Elif),
            (rules.elses, Role::Else),
            (rules.loops, Role::Loop),
            (rules.bare_loops, Role::BareLoop),
            (rules.switches, Role::Switch),
            (rules.cases, Role::Case),
            (rules.match_blocks, Role::MatchBlock),
            (rules.guards, Role::Guard),
            (rules.catches, Role::Catch),
            (rules.ternaries, Role::Ternary),
            (rules.binaries, Role::Binary),
            (rules.let_chains, Role::LetChain),
            (rules.let_declarations, Role::LetDeclaration),
            (rules.cyclomatic_only, Role::CyclomaticOnly),
            (rules.gotos, Role::Goto),
            (rules.jumps, Role::Jump),
            (rules.labels, Role::Label),
            (rules.parens, Role::Paren),
            (rules.token_trees, Role::TokenTree),
        ];
        let count = grammar.node_kind_count();
        let roles = (0..count)
            .map(|id| {
                let id = u16::try_from(id).unwrap_or(u16::MAX);
                if !grammar.node_kind_is_named(id) {
                    return Role::None;
                }
                let kind = grammar.node_kind_for_id(id).unwrap_or("");
                lists
                    .iter()
                    .find(|(kinds, _)| kinds.contains(&kind))
                    .map_or(Role::None, |(_, role)| *role)
            })
            .collect();
        Self {
            roles,
            rules,
            alternative: grammar.field_id_for_name("alternative"),
        }
    }

    /// Role of a node kind id.
    pub(crate) fn role(&self, kind_id: u16) -> Role {
        self.roles
            .get(usize::from(kind_id))
            .copied()
            .unwrap_or(Role::None)
    }
}
