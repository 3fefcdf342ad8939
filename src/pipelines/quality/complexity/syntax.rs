//! Which tree-sitter node kinds are functions and decision points, per language.
//!
//! One table per language family lists the grammar's node kinds by the part they play
//! ([`Rules`]); [`RoleTable`] turns a table into a lookup by node-kind id, built once per run,
//! so the walk classifies a node with one array index. What counts follows lizard (McCabe's
//! cyclomatic complexity) and SonarSource's cognitive-complexity specification; the module
//! docs of [`super`] and `complexity.md` say where the two differ and why.

use std::num::NonZeroU16;

use tree_sitter::Language;

/// A language the complexity check parses: one per grammar.
pub(crate) use crate::syntax::Grammar as Lang;

/// Language of a path the complexity check measures: its grammar, except `.pyi` type stubs
/// (declarations only, nothing to measure).
pub(crate) fn lang_of(path: &str) -> Option<Lang> {
    let bytes = path.as_bytes();
    if bytes.len() >= 4 && bytes[bytes.len() - 4..].eq_ignore_ascii_case(b".pyi") {
        return None;
    }
    Lang::from_path(path)
}

/// The node-kind table of a language.
pub(crate) fn rules_of(lang: Lang) -> &'static Rules {
    match lang {
        Lang::Rust => &RUST,
        Lang::Python => &PYTHON,
        Lang::JavaScript | Lang::TypeScript | Lang::Tsx => &JAVASCRIPT,
        Lang::Go => &GO,
        Lang::Java => &JAVA,
        Lang::C | Lang::Cpp => &C_FAMILY,
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
        let rules = rules_of(lang);
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
