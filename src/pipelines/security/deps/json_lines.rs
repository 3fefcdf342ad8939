//! Lines of object keys in a JSON document.
//!
//! `serde_json` parses without positions, so lockfile parsers use this small scanner on the
//! same text to learn where each entry starts. It assumes the document is valid JSON (callers
//! run it after `serde_json` accepted the text) and never fails: on damaged input it simply
//! finds fewer keys.

use std::collections::HashMap;

/// Key path of an entry: object keys from the root, `[]` for an array level.
pub(crate) type KeyPath = Vec<String>;

enum Frame {
    Object {
        expect_key: bool,
        key: Option<(String, u32)>,
    },
    Array,
}

/// Line of every object key whose value is an object and whose key path `keep` accepts.
pub(crate) fn object_key_lines(
    text: &str,
    keep: impl Fn(&[String]) -> bool,
) -> HashMap<KeyPath, u32> {
    let bytes = text.as_bytes();
    let mut out = HashMap::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut path: KeyPath = Vec::new();
    let mut line = 1u32;
    let mut i = 0usize;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => line += 1,
            open @ (b'{' | b'[') => {
                let component = match stack.last() {
                    Some(Frame::Object {
                        key: Some((k, at)), ..
                    }) => Some((k.clone(), *at)),
                    Some(Frame::Array) => Some(("[]".to_owned(), line)),
                    _ => None,
                };
                if let Some((k, at)) = component {
                    path.push(k);
                    if open == b'{' && keep(&path) {
                        out.insert(path.clone(), at);
                    }
                }
                stack.push(if open == b'{' {
                    Frame::Object {
                        expect_key: true,
                        key: None,
                    }
                } else {
                    Frame::Array
                });
            }
            b'}' | b']' => {
                stack.pop();
                if !stack.is_empty() {
                    path.pop();
                }
            }
            b',' => {
                if let Some(Frame::Object { expect_key, .. }) = stack.last_mut() {
                    *expect_key = true;
                }
            }
            b'"' => {
                let start = i;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                if let Some(Frame::Object { expect_key, key }) = stack.last_mut()
                    && *expect_key
                {
                    let raw = text.get(start..=i.min(bytes.len() - 1)).unwrap_or("\"\"");
                    let decoded = serde_json::from_str::<String>(raw).unwrap_or_default();
                    *key = Some((decoded, line));
                    *expect_key = false;
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nested_object_keys_with_lines() {
        let text = "{\n  \"name\": \"x\",\n  \"packages\": {\n    \"\": {\"a\": [1, {\"b\": {}}]},\n    \"node_modules/\\u0061\": {\n      \"version\": \"1\"\n    }\n  }\n}\n";
        let got = object_key_lines(text, |_| true);
        let key = |p: &[&str]| p.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(got.get(&key(&["packages"])), Some(&3));
        assert_eq!(got.get(&key(&["packages", ""])), Some(&4));
        assert_eq!(got.get(&key(&["packages", "node_modules/a"])), Some(&5));
        assert_eq!(got.get(&key(&["packages", "", "a", "[]", "b"])), Some(&4));
        assert!(!got.contains_key(&key(&["name"])));
        let only = object_key_lines(text, |p| p.len() == 2 && p[0] == "packages");
        assert_eq!(only.len(), 2);
    }

    #[test]
    fn survives_damaged_input() {
        assert!(object_key_lines("{\"a\": {\"b", |_| true).contains_key(&vec!["a".to_owned()]));
        assert!(object_key_lines("\"", |_| true).is_empty());
        assert!(object_key_lines("}}]]", |_| true).is_empty());
    }
}
