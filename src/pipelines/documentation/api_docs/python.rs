//! Public functions, classes and methods of a Python module and whether each has a docstring.
//!
//! Public: module-level `def` and `class` whose name does not start with `_` — or, when the
//! module assigns a literal `__all__`, exactly the names it lists — and the methods without a
//! leading `_` of public classes (so `__init__` and other dunders are not counted). Decorated
//! definitions count like plain ones. Documented: the body starts with a string literal.

use std::collections::BTreeSet;

use tree_sitter::Node;

use super::Item;

/// Items of a parsed Python module.
pub(super) fn items(root: Node<'_>, src: &[u8]) -> Vec<Item> {
    let all = dunder_all(root, src);
    let is_public = |name: &str| match &all {
        Some(names) => names.contains(name),
        None => !name.starts_with('_'),
    };
    let mut out = Vec::new();
    let mut cursor = root.walk();
    for child in root.named_children(&mut cursor) {
        let Some(def) = definition(child) else {
            continue;
        };
        let name = name_of(def, src);
        if !is_public(name) {
            continue;
        }
        let is_class = def.kind() == "class_definition";
        out.push(item(
            def,
            if is_class { "class" } else { "function" },
            name.to_owned(),
        ));
        if is_class && let Some(body) = def.child_by_field_name("body") {
            let mut c = body.walk();
            for member in body.named_children(&mut c) {
                let Some(m) = definition(member).filter(|m| m.kind() == "function_definition")
                else {
                    continue;
                };
                let method = name_of(m, src);
                if !method.starts_with('_') {
                    out.push(item(m, "method", format!("{name}.{method}")));
                }
            }
        }
    }
    out
}

fn text<'a>(node: Node<'_>, src: &'a [u8]) -> &'a str {
    std::str::from_utf8(&src[node.byte_range()]).unwrap_or("")
}

fn name_of<'a>(def: Node<'_>, src: &'a [u8]) -> &'a str {
    def.child_by_field_name("name").map_or("", |n| text(n, src))
}

/// The function or class a statement defines, through decorators.
fn definition(node: Node<'_>) -> Option<Node<'_>> {
    match node.kind() {
        "function_definition" | "class_definition" => Some(node),
        "decorated_definition" => node.child_by_field_name("definition"),
        _ => None,
    }
}

fn item(def: Node<'_>, kind: &'static str, name: String) -> Item {
    let documented = def
        .child_by_field_name("body")
        .and_then(|b| b.named_child(0))
        .filter(|s| s.kind() == "expression_statement")
        .and_then(|s| s.named_child(0))
        .is_some_and(|e| matches!(e.kind(), "string" | "concatenated_string"));
    Item {
        name,
        kind,
        line: u32::try_from(def.start_position().row + 1).unwrap_or(u32::MAX),
        documented,
        module_file: false,
    }
}

/// The names of a literal `__all__ = [...]` (or tuple), if the module has one.
fn dunder_all(root: Node<'_>, src: &[u8]) -> Option<BTreeSet<String>> {
    let mut cursor = root.walk();
    for stmt in root.named_children(&mut cursor) {
        if stmt.kind() != "expression_statement" {
            continue;
        }
        let Some(assign) = stmt.named_child(0).filter(|a| a.kind() == "assignment") else {
            continue;
        };
        let is_all = assign
            .child_by_field_name("left")
            .is_some_and(|l| text(l, src) == "__all__");
        let Some(right) = assign.child_by_field_name("right").filter(|_| is_all) else {
            continue;
        };
        if !matches!(right.kind(), "list" | "tuple") {
            return None;
        }
        let mut c = right.walk();
        let names = right
            .named_children(&mut c)
            .filter(|s| s.kind() == "string")
            .map(|s| text(s, src).trim_matches(['"', '\'']).to_owned())
            .collect();
        return Some(names);
    }
    None
}
