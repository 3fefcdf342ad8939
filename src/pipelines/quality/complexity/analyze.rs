//! One walk over a syntax tree that measures every function in it.
//!
//! The walk uses a tree cursor and a heap-allocated stack of the nodes being visited, never
//! recursion, so a deeply nested file (ten thousand chained `else if`s, a generated
//! expression) cannot overflow the thread's stack. Entering a function pushes a frame; each
//! decision point adds to the innermost frame; leaving the function pops the frame into the
//! result. Nesting for cognitive complexity is a counter in the frame, raised while inside an
//! `if`, loop, `switch`, `catch`, ternary or closure.

use tree_sitter::{Node, Tree, TreeCursor};

use super::syntax::{Role, RoleTable};

/// Measurements of one function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FunctionMetrics {
    /// Name as written (`(anonymous)` when it has none).
    pub(crate) name: String,
    /// 1-based line of the name.
    pub(crate) line: u32,
    /// 1-based column of the name, in characters.
    pub(crate) column: u32,
    /// Column just past the name.
    pub(crate) end_column: u32,
    /// Last line of the function.
    pub(crate) end_line: u32,
    /// Lines from the name's line to the last line, inclusive.
    pub(crate) length: u32,
    /// Declared parameters (including `self`).
    pub(crate) parameters: u32,
    /// McCabe cyclomatic complexity: 1 + decision points.
    pub(crate) cyclomatic: u32,
    /// SonarSource cognitive complexity.
    pub(crate) cognitive: u32,
}

/// What one walk found.
#[derive(Debug, Default)]
pub(crate) struct FileMetrics {
    /// Functions in order of their end.
    pub(crate) functions: Vec<FunctionMetrics>,
}

/// Where a node sits, as far as counting is concerned.
struct Context {
    role: Role,
    parent_role: Role,
    parent_in_logical: bool,
    /// The node is the `alternative` of its parent (an `else` branch).
    is_alternative: bool,
}

/// What entering one node adds to the innermost function.
#[derive(Debug, Default)]
struct Step {
    cyclomatic: u32,
    /// Flat cognitive increment.
    cognitive: u32,
    /// Adds the current nesting level to the cognitive increment.
    structural: bool,
    /// Raises the nesting level for the node's descendants.
    nests: bool,
    /// The node continues a logical expression.
    in_logical: bool,
}

impl Step {
    /// A structure that nests: +1 cognitive plus nesting, `cyclomatic` decisions.
    fn structure(cyclomatic: u32) -> Self {
        Self {
            cyclomatic,
            cognitive: 1,
            structural: true,
            nests: true,
            in_logical: false,
        }
    }

    /// Increments without nesting.
    fn flat(cyclomatic: u32, cognitive: u32) -> Self {
        Self {
            cyclomatic,
            cognitive,
            ..Self::default()
        }
    }
}

/// A function being measured.
struct Frame {
    metrics: FunctionMetrics,
    nesting: u32,
}

/// A node on the walk's stack and what entering it changed.
struct Visit<'t> {
    node: Node<'t>,
    role: Role,
    /// Raised the nesting of the innermost frame.
    nests: bool,
    /// Pushed a function frame.
    opens_function: bool,
    /// Inside a logical expression (through parentheses), for grouping operators.
    in_logical: bool,
}

/// Measure every function of `tree`.
pub(crate) fn analyze(tree: &Tree, source: &[u8], table: &RoleTable) -> FileMetrics {
    let mut walker = Walker {
        source,
        table,
        frames: Vec::new(),
        out: FileMetrics::default(),
    };
    let mut stack: Vec<Visit<'_>> = Vec::new();
    let mut cursor = tree.walk();
    loop {
        let node = cursor.node();
        let visit = walker.enter(node, &cursor, stack.last());
        stack.push(visit);
        if cursor.goto_first_child() {
            continue;
        }
        loop {
            if let Some(done) = stack.pop() {
                walker.leave(&done);
            }
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return walker.out;
            }
        }
    }
}

struct Walker<'s> {
    source: &'s [u8],
    table: &'s RoleTable,
    frames: Vec<Frame>,
    out: FileMetrics,
}

impl<'s> Walker<'s> {
    /// Visit `node`, the cursor's current node.
    fn enter<'t>(
        &mut self,
        node: Node<'t>,
        cursor: &TreeCursor<'t>,
        parent: Option<&Visit<'t>>,
    ) -> Visit<'t> {
        let role = if node.is_named() {
            self.table.role(node.kind_id())
        } else {
            Role::None
        };
        let parent_role = parent.map_or(Role::None, |p| p.role);
        let mut visit = Visit {
            node,
            role,
            nests: false,
            opens_function: false,
            in_logical: false,
        };
        if role == Role::Function && node.child_by_field_name("body").is_some() {
            let metrics = self.function_metrics(node, parent.map(|p| p.node));
            self.frames.push(Frame {
                metrics,
                nesting: 0,
            });
            visit.opens_function = true;
            return visit;
        }
        if self.frames.is_empty() {
            return visit;
        }
        let step = if node.is_named() {
            let context = Context {
                role,
                parent_role,
                parent_in_logical: parent.is_some_and(|p| p.in_logical),
                // Asked only here: most nodes are outside functions or unnamed.
                is_alternative: self.table.alternative.is_some()
                    && cursor.field_id() == self.table.alternative,
            };
            self.step(node, &context)
        } else {
            // Inside a macro call the parser sees tokens only: count the decision keywords
            // and operators among them.
            let counts = parent_role == Role::TokenTree
                && self.table.rules.macro_decisions.contains(&node.kind());
            Step::flat(u32::from(counts), 0)
        };
        if let Some(frame) = self.frames.last_mut() {
            frame.metrics.cyclomatic += step.cyclomatic;
            frame.metrics.cognitive += step.cognitive;
            if step.nests {
                if step.structural {
                    frame.metrics.cognitive += frame.nesting;
                }
                frame.nesting += 1;
            }
        }
        visit.nests = step.nests;
        visit.in_logical = step.in_logical;
        visit
    }

    /// What entering `node` adds to the innermost function.
    fn step(&self, node: Node<'_>, cx: &Context) -> Step {
        let mut step = match cx.role {
            Role::If | Role::Elif | Role::Else => self.branch_step(node, cx),
            Role::Loop | Role::Catch | Role::Ternary => Step::structure(1),
            Role::BareLoop | Role::Switch => Step::structure(0),
            Role::Closure => Step {
                nests: true,
                ..Step::default()
            },
            Role::Binary if is_logical(node, self.table.rules.logical_operators) => Step {
                cyclomatic: 1,
                // Only the outermost operator of an expression counts its runs.
                cognitive: if cx.parent_in_logical {
                    0
                } else {
                    operator_runs(node, self.table)
                },
                in_logical: true,
                ..Step::default()
            },
            Role::Paren => Step {
                in_logical: cx.parent_in_logical,
                ..Step::default()
            },
            _ => Step {
                cyclomatic: self.extra_decisions(node, cx.role),
                cognitive: self.extra_breaks(node, cx.role),
                ..Step::default()
            },
        };
        // An `else` without a node of its own (Go, Java), and Rust's `let … else`.
        if cx.is_alternative && !matches!(cx.role, Role::If | Role::Elif | Role::Else) {
            match cx.parent_role {
                Role::If => step.cognitive += 1,
                Role::LetDeclaration => {
                    step.cyclomatic += 1;
                    step.cognitive += 1;
                }
                _ => {}
            }
        }
        step
    }

    /// `if`, `elif` and `else`: an `else if` is one flat increment and does not nest.
    fn branch_step(&self, node: Node<'_>, cx: &Context) -> Step {
        match cx.role {
            Role::If => {
                let is_else_if = cx.parent_role == Role::Else
                    || (cx.parent_role == Role::If && cx.is_alternative);
                if is_else_if {
                    Step::flat(1, 1)
                } else {
                    Step::structure(1)
                }
            }
            Role::Elif => Step::flat(1, 1),
            _ => {
                let holds_if = node
                    .named_child(0)
                    .is_some_and(|c| self.table.role(c.kind_id()) == Role::If);
                let counts = cx.parent_role == Role::If && !holds_if;
                Step::flat(0, u32::from(counts))
            }
        }
    }

    /// Cyclomatic decision points that do not shape the flow for a reader.
    fn extra_decisions(&self, node: Node<'_>, role: Role) -> u32 {
        let count = match role {
            Role::Case => usize::from(node.child(0).is_none_or(|c| c.kind() != "default")),
            Role::MatchBlock => named_children(node)
                .filter(|c| c.kind() == "match_arm")
                .count()
                .saturating_sub(1),
            Role::Guard => usize::from(node.child_by_field_name("condition").is_some()),
            Role::LetChain => children(node).filter(|c| c.kind() == "&&").count(),
            Role::CyclomaticOnly => 1,
            _ => 0,
        };
        u32::try_from(count).unwrap_or(u32::MAX)
    }

    /// Cognitive increments of jumps and let chains.
    fn extra_breaks(&self, node: Node<'_>, role: Role) -> u32 {
        let counts = match role {
            Role::Goto | Role::LetChain => true,
            Role::Jump => named_children(node).any(|c| self.table.role(c.kind_id()) == Role::Label),
            _ => false,
        };
        u32::from(counts)
    }

    fn leave(&mut self, visit: &Visit<'_>) {
        if visit.opens_function {
            if let Some(frame) = self.frames.pop() {
                self.out.functions.push(frame.metrics);
            }
        } else if visit.nests
            && let Some(frame) = self.frames.last_mut()
        {
            frame.nesting = frame.nesting.saturating_sub(1);
        }
    }

    fn function_metrics(&self, node: Node<'_>, parent: Option<Node<'_>>) -> FunctionMetrics {
        let name_node = name_node(node, parent);
        let name = name_node.map_or_else(
            || "(anonymous)".to_owned(),
            |n| String::from_utf8_lossy(&self.source[n.byte_range()]).into_owned(),
        );
        // Anonymous functions are located at their first token.
        let anchor = name_node.unwrap_or_else(|| node.child(0).unwrap_or(node));
        let start = anchor.start_position();
        let line = row_to_line(start.row);
        let column = self.char_column(anchor.start_byte(), start.column);
        let end_column = if anchor.end_position().row == start.row {
            column + char_count(&self.source[anchor.start_byte()..anchor.end_byte()])
        } else {
            column + 1
        };
        let end_line = row_to_line(node.end_position().row).max(line);
        FunctionMetrics {
            name,
            line,
            column,
            end_column,
            end_line,
            length: end_line - line + 1,
            parameters: count_parameters(node, self.source),
            cyclomatic: 1,
            cognitive: 0,
        }
    }

    /// 1-based character column of `byte` whose byte column is `byte_column`.
    fn char_column(&self, byte: usize, byte_column: usize) -> u32 {
        let line_start = byte.saturating_sub(byte_column);
        char_count(&self.source[line_start..byte]) + 1
    }
}

fn row_to_line(row: usize) -> u32 {
    u32::try_from(row + 1).unwrap_or(u32::MAX)
}

/// Characters in UTF-8 `bytes` (invalid bytes count one each).
fn char_count(bytes: &[u8]) -> u32 {
    let n = bytes.iter().filter(|b| (**b & 0xC0) != 0x80).count();
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn children<'t>(node: Node<'t>) -> impl Iterator<Item = Node<'t>> {
    (0..node.child_count()).filter_map(move |i| node.child(u32::try_from(i).ok()?))
}

fn named_children<'t>(node: Node<'t>) -> impl Iterator<Item = Node<'t>> {
    (0..node.named_child_count()).filter_map(move |i| node.named_child(u32::try_from(i).ok()?))
}

fn is_logical(node: Node<'_>, operators: &[&str]) -> bool {
    node.child_by_field_name("operator")
        .is_some_and(|op| operators.contains(&op.kind()))
}

/// An operand or an operator of a logical expression, in source order.
enum Item<'t> {
    Operand(Node<'t>),
    Operator(&'static str),
}

/// Cognitive increment of a logical expression: one per run of the same operator, in source
/// order, looking through parentheses (`a && b && c` is 1, `a && b || c` is 2).
fn operator_runs(root: Node<'_>, table: &RoleTable) -> u32 {
    let mut runs = 0;
    let mut previous = None;
    // In-order over the logical sub-tree with an explicit stack (chains can be long).
    let mut stack = vec![Item::Operand(root)];
    while let Some(item) = stack.pop() {
        match item {
            Item::Operator(op) => {
                runs += u32::from(previous != Some(op));
                previous = Some(op);
            }
            Item::Operand(node) => expand(node, table, &mut stack),
        }
    }
    runs
}

/// Push the parts of a logical operand so that they pop in source order.
fn expand<'t>(node: Node<'t>, table: &RoleTable, stack: &mut Vec<Item<'t>>) {
    match table.role(node.kind_id()) {
        Role::Binary if is_logical(node, table.rules.logical_operators) => {
            let parts = [
                node.child_by_field_name("right").map(Item::Operand),
                node.child_by_field_name("operator")
                    .map(|op| Item::Operator(op.kind())),
                node.child_by_field_name("left").map(Item::Operand),
            ];
            stack.extend(parts.into_iter().flatten());
        }
        Role::Paren => stack.extend(named_children(node).next().map(Item::Operand)),
        _ => {}
    }
}

/// The node holding a function's name, or for an anonymous function the name it is bound to.
fn name_node<'t>(node: Node<'t>, parent: Option<Node<'t>>) -> Option<Node<'t>> {
    if let Some(n) = node.child_by_field_name("name") {
        return Some(n);
    }
    if let Some(declarator) = node.child_by_field_name("declarator") {
        return c_declarator_name(declarator);
    }
    let parent = parent?;
    let field = match parent.kind() {
        "variable_declarator" | "public_field_definition" => "name",
        "pair" => "key",
        "assignment_expression" => "left",
        "field_definition" => "property",
        _ => return None,
    };
    parent.child_by_field_name(field)
}

/// The identifier at the bottom of a C/C++ declarator chain (`*f(int)`, `K::m() const`).
fn c_declarator_name(mut node: Node<'_>) -> Option<Node<'_>> {
    loop {
        match node.kind() {
            "function_declarator"
            | "pointer_declarator"
            | "reference_declarator"
            | "parenthesized_declarator"
            | "attributed_declarator" => {
                node = node
                    .child_by_field_name("declarator")
                    .or_else(|| named_children(node).next())?;
            }
            _ => return Some(node),
        }
    }
}

/// The parameter list of a function (C/C++: of its function declarator).
fn parameter_list(node: Node<'_>) -> Option<Node<'_>> {
    if let Some(p) = node.child_by_field_name("parameters") {
        return Some(p);
    }
    if let Some(p) = node.child_by_field_name("parameter") {
        return Some(p);
    }
    let mut declarator = node.child_by_field_name("declarator")?;
    loop {
        if declarator.kind() == "function_declarator" {
            return declarator.child_by_field_name("parameters");
        }
        declarator = declarator
            .child_by_field_name("declarator")
            .or_else(|| named_children(declarator).next())?;
    }
}

/// Declared parameters: Go's `a, b int` is two, C's `(void)` is none.
fn count_parameters(node: Node<'_>, source: &[u8]) -> u32 {
    let Some(list) = parameter_list(node) else {
        return 0;
    };
    if list.kind() == "identifier" {
        return 1; // an arrow function's single bare parameter
    }
    let n: usize = named_children(list)
        .map(|p| match p.kind() {
            "comment"
            | "line_comment"
            | "block_comment"
            | "attribute_item"
            | "positional_separator"
            | "keyword_separator" => 0,
            "parameter_declaration" if is_c_void(p, source) => 0,
            "parameter_declaration" => {
                // Go: one declaration may name several parameters.
                let names = named_children(p)
                    .filter(|c| c.kind() == "identifier")
                    .count();
                if p.child_by_field_name("type").is_some() && names > 1 {
                    names
                } else {
                    1
                }
            }
            _ => 1,
        })
        .sum();
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// C's `(void)`: a parameter declaration that is only the type `void`.
fn is_c_void(p: Node<'_>, source: &[u8]) -> bool {
    p.named_child_count() == 1
        && p.child_by_field_name("declarator").is_none()
        && p.child_by_field_name("type")
            .is_some_and(|t| source.get(t.byte_range()) == Some(&b"void"[..]))
}
