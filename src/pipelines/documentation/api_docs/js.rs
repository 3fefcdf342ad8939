//! Exported declarations of a JavaScript or TypeScript module and whether each has JSDoc.
//!
//! Counted: `export function|class|const|let|var|interface|type|enum|namespace …` (one item
//! per statement, named after its first binding) and `export default …`. Re-export lists
//! (`export { a }`, `export * from`) are not declarations and are not counted. Documented: the
//! comment right before the `export` statement is a `/** … */` block.

use tree_sitter::Node;

use super::Item;

/// Items of a parsed JavaScript or TypeScript module.
pub(super) fn items(root: Node<'_>, src: &[u8]) -> Vec<Item> {
    let mut out = Vec::new();
    let mut cursor = root.walk();
    for stmt in root.named_children(&mut cursor) {
        if stmt.kind() != "export_statement" {
            continue;
        }
        let is_default = {
            let mut c = stmt.walk();
            stmt.children(&mut c).any(|n| n.kind() == "default")
        };
        let declaration = stmt.child_by_field_name("declaration");
        let (kind, name) = match (declaration, is_default) {
            (Some(d), _) => (
                kind_of(d),
                name_of(d, src).unwrap_or_else(|| "default".to_owned()),
            ),
            (None, true) => ("default", "default".to_owned()),
            (None, false) => continue,
        };
        let documented = stmt.prev_sibling().is_some_and(|p| {
            p.kind() == "comment" && {
                let t = text(p, src);
                t.starts_with("/**") && t != "/**/"
            }
        });
        out.push(Item {
            name,
            kind,
            line: u32::try_from(stmt.start_position().row + 1).unwrap_or(u32::MAX),
            documented,
            module_file: false,
        });
    }
    out
}

fn text<'a>(node: Node<'_>, src: &'a [u8]) -> &'a str {
    std::str::from_utf8(&src[node.byte_range()]).unwrap_or("")
}

fn kind_of(decl: Node<'_>) -> &'static str {
    match decl.kind() {
        "function_declaration" | "generator_function_declaration" | "function_signature" => {
            "function"
        }
        "class_declaration" | "abstract_class_declaration" => "class",
        "interface_declaration" => "interface",
        "type_alias_declaration" => "type",
        "enum_declaration" => "enum",
        "internal_module" | "module" => "namespace",
        _ => "const",
    }
}

/// The declared name: the `name` field, or the first binding of `const a = …, b = …`.
fn name_of(decl: Node<'_>, src: &[u8]) -> Option<String> {
    if let Some(n) = decl.child_by_field_name("name") {
        return Some(text(n, src).to_owned());
    }
    let mut c = decl.walk();
    let first = decl
        .named_children(&mut c)
        .find(|d| d.kind() == "variable_declarator")?;
    first
        .child_by_field_name("name")
        .map(|n| text(n, src).to_owned())
}
