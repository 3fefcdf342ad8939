//! Public items of a Rust file and whether each has documentation.
//!
//! Public means item-level `pub` exactly: `pub(crate)`, `pub(super)`, `pub(in …)` and private
//! items are not counted, and neither is anything inside a function body, a trait
//! implementation, or a `#[cfg(test)]` module. Counted kinds: `fn` (including `pub fn` in
//! inherent `impl` blocks), `struct`, `enum`, `union`, `trait`, `mod`, `const`, `static`,
//! `type`. Documentation is an outer doc comment (`///`, `/** */`) or a `#[doc]` attribute
//! before the item — ordinary comments and other attributes in between are allowed — or, for
//! a module, an inner doc (`//!`, `/*! */`, `#![doc]`) at the top of its body or of its file.
//! `pub mod x;` is settled in `check_repo`, once every file is seen.

use tree_sitter::Node;

use super::Item;

/// Items of a parsed Rust file, and whether the file starts with an inner doc.
pub(super) fn items(root: Node<'_>, src: &[u8]) -> (Vec<Item>, bool) {
    let mut out = Vec::new();
    walk(root, src, &mut out);
    (out, has_inner_doc(root, src))
}

fn text<'a>(node: Node<'_>, src: &'a [u8]) -> &'a str {
    std::str::from_utf8(&src[node.byte_range()]).unwrap_or("")
}

fn is_public(node: Node<'_>, src: &[u8]) -> bool {
    let mut cursor = node.walk();
    node.children(&mut cursor)
        .any(|c| c.kind() == "visibility_modifier" && text(c, src).trim() == "pub")
}

/// An outer doc comment or `#[doc]` before `node`, across attributes and plain comments.
fn has_outer_doc(node: Node<'_>, src: &[u8]) -> bool {
    let mut prev = node.prev_sibling();
    while let Some(p) = prev {
        let t = text(p, src);
        match p.kind() {
            "line_comment" => {
                if t.starts_with("///") && !t.starts_with("////") {
                    return true;
                }
            }
            "block_comment" => {
                if t.starts_with("/**") && !t.starts_with("/***") && t != "/**/" {
                    return true;
                }
            }
            "attribute_item" => {
                if t.trim_start_matches("#[").trim_start().starts_with("doc") {
                    return true;
                }
            }
            _ => return false,
        }
        prev = p.prev_sibling();
    }
    false
}

/// Whether the first items of `body` (a file or a module body) are inner docs.
fn has_inner_doc(body: Node<'_>, src: &[u8]) -> bool {
    let mut cursor = body.walk();
    for c in body.named_children(&mut cursor) {
        let t = text(c, src);
        match c.kind() {
            "line_comment" if t.starts_with("//!") => return true,
            "block_comment" if t.starts_with("/*!") => return true,
            "inner_attribute_item"
                if t.trim_start_matches("#![").trim_start().starts_with("doc") =>
            {
                return true;
            }
            "line_comment" | "block_comment" | "inner_attribute_item" => {}
            _ => return false,
        }
    }
    false
}

/// Whether an attribute before `node` is `#[cfg(test)]`.
fn is_test_only(node: Node<'_>, src: &[u8]) -> bool {
    let mut prev = node.prev_sibling();
    while let Some(p) = prev {
        match p.kind() {
            "attribute_item" => {
                let t: String = text(p, src)
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .collect();
                if t == "#[cfg(test)]" {
                    return true;
                }
            }
            "line_comment" | "block_comment" => {}
            _ => return false,
        }
        prev = p.prev_sibling();
    }
    false
}

fn walk(node: Node<'_>, src: &[u8], out: &mut Vec<Item>) {
    let mut cursor = node.walk();
    for child in node.named_children(&mut cursor) {
        let kind = match child.kind() {
            "function_item" | "function_signature_item" => "fn",
            "struct_item" => "struct",
            "enum_item" => "enum",
            "union_item" => "union",
            "trait_item" => "trait",
            "mod_item" => "mod",
            "const_item" => "const",
            "static_item" => "static",
            "type_item" => "type",
            "impl_item" => {
                if child.child_by_field_name("trait").is_none()
                    && let Some(body) = child.child_by_field_name("body")
                {
                    walk(body, src, out);
                }
                continue;
            }
            _ => continue,
        };
        if kind == "mod" && is_test_only(child, src) {
            continue;
        }
        let body = (kind == "mod")
            .then(|| child.child_by_field_name("body"))
            .flatten();
        if is_public(child, src) {
            let name = child
                .child_by_field_name("name")
                .map_or("?", |n| text(n, src))
                .to_owned();
            let documented =
                has_outer_doc(child, src) || body.is_some_and(|b| has_inner_doc(b, src));
            out.push(Item {
                name,
                kind,
                line: u32::try_from(child.start_position().row + 1).unwrap_or(u32::MAX),
                documented,
                module_file: kind == "mod" && body.is_none(),
            });
        }
        if let Some(b) = body {
            walk(b, src, out);
        }
    }
}
