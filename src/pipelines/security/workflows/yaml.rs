//! YAML with positions: a small document tree built from `saphyr-parser` events.
//!
//! The audits must point at the line of the offending key or value, and `serde_yaml_ng` drops
//! positions, so this module turns the event stream of `saphyr-parser` (a maintained YAML 1.2
//! parser that reports a start/end span for every event) into a tree of [`Node`]s that each
//! carry their span. YAML 1.2 matters here: YAML 1.1 reads the workflow key `on` as the boolean
//! `true`; YAML 1.2 (and GitHub) read it as the string `on`.
//!
//! Real-world files use anchors and aliases (resolved by copying the anchored node, within a
//! node budget so a "billion laughs" file cannot exhaust memory), merge keys `<<` (applied
//! when a mapping ends, explicit keys win), several documents, flow collections and block
//! scalars. Scalars keep their raw text and whether they were plain, so callers decide what
//! `false` or `~` mean; no type resolution happens here.

mod reindent;

use std::collections::HashMap;

use saphyr_parser::{Event, Marker, Parser, ScalarStyle, Span};

use reindent::{Shift, reindent_closer, unshift};

/// Most nodes that alias expansion may copy in one file.
const MAX_ALIAS_NODES: usize = 100_000;

/// A position in the source: 1-based line and column, and the character index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Pos {
    /// Line, 1-based.
    pub(super) line: u32,
    /// Column, 1-based, in characters.
    pub(super) col: u32,
    /// Index of the character in the whole text, 0-based.
    pub(super) index: usize,
}

impl Pos {
    fn from_marker(m: &Marker) -> Self {
        Self {
            line: u32::try_from(m.line()).unwrap_or(u32::MAX),
            col: u32::try_from(m.col() + 1).unwrap_or(u32::MAX),
            index: m.index(),
        }
    }
}

/// What a node holds.
#[derive(Debug, Clone)]
pub(super) enum Value {
    /// A scalar with its text (after unescaping and folding) and whether it was unquoted.
    Scalar {
        /// The scalar's value as text.
        text: String,
        /// Whether the scalar was written plain (no quotes, no block indicator).
        plain: bool,
    },
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in document order.
    Map(Vec<(Node, Node)>),
}

/// A YAML node and where it is in the source.
#[derive(Debug, Clone)]
pub(super) struct Node {
    /// Where the node starts (for block scalars: the first content line).
    pub(super) start: Pos,
    /// Where the node ends (exclusive).
    pub(super) end: Pos,
    /// Its content.
    pub(super) value: Value,
}

impl Node {
    /// The value of `key` in this mapping; `None` if absent or if this is not a mapping.
    pub(super) fn get(&self, key: &str) -> Option<&Self> {
        self.entry(key).map(|(_, v)| v)
    }

    /// The key node and value node of `key` in this mapping.
    pub(super) fn entry(&self, key: &str) -> Option<(&Self, &Self)> {
        self.entries()
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(k, v)| (k, v))
    }

    /// The entries of this mapping; empty if this is not a mapping.
    pub(super) fn entries(&self) -> &[(Self, Self)] {
        match &self.value {
            Value::Map(entries) => entries,
            _ => &[],
        }
    }

    /// The items of this sequence; empty if this is not a sequence.
    pub(super) fn items(&self) -> &[Self] {
        match &self.value {
            Value::Seq(items) => items,
            _ => &[],
        }
    }

    /// The text of this scalar; `None` for collections.
    pub(super) fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// Whether this is a mapping.
    pub(super) fn is_map(&self) -> bool {
        matches!(self.value, Value::Map(_))
    }

    /// Every scalar at or below this node, depth first.
    pub(super) fn scalars(&self) -> Vec<&Self> {
        let mut out = Vec::new();
        let mut stack = vec![self];
        while let Some(node) = stack.pop() {
            match &node.value {
                Value::Scalar { .. } => out.push(node),
                Value::Seq(items) => stack.extend(items.iter().rev()),
                Value::Map(entries) => {
                    for (k, v) in entries.iter().rev() {
                        stack.push(v);
                        stack.push(k);
                    }
                }
            }
        }
        out
    }

    fn count(&self) -> usize {
        1 + match &self.value {
            Value::Scalar { .. } => 0,
            Value::Seq(items) => items.iter().map(Self::count).sum(),
            Value::Map(entries) => entries.iter().map(|(k, v)| k.count() + v.count()).sum(),
        }
    }
}

/// Why a file is not valid YAML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ParseError {
    /// Line of the problem, 1-based.
    pub(super) line: u32,
    /// What the parser said.
    pub(super) message: String,
}

/// A collection being built.
enum Frame {
    Seq {
        start: Pos,
        anchor: usize,
        items: Vec<Node>,
    },
    Map {
        start: Pos,
        anchor: usize,
        entries: Vec<(Node, Node)>,
        key: Option<Node>,
    },
}

/// Event-to-tree state.
#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    docs: Vec<Node>,
    copied: usize,
}

impl Builder {
    fn insert(&mut self, node: Node, anchor: usize) {
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => self.docs.push(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                None => *key = Some(node),
                Some(k) => entries.push((k, node)),
            },
        }
    }

    fn event(&mut self, event: Event<'_>, span: Span) -> Result<(), ParseError> {
        let start = Pos::from_marker(&span.start);
        let end = Pos::from_marker(&span.end);
        match event {
            Event::Scalar(text, style, anchor, _tag) => {
                let node = Node {
                    start,
                    end,
                    value: Value::Scalar {
                        text: text.into_owned(),
                        plain: style == ScalarStyle::Plain,
                    },
                };
                self.insert(node, anchor);
            }
            Event::SequenceStart(anchor, _) => self.stack.push(Frame::Seq {
                start,
                anchor,
                items: Vec::new(),
            }),
            Event::MappingStart(anchor, _) => self.stack.push(Frame::Map {
                start,
                anchor,
                entries: Vec::new(),
                key: None,
            }),
            Event::SequenceEnd | Event::MappingEnd => {
                let (node, anchor) = match self.stack.pop() {
                    Some(Frame::Seq {
                        start,
                        anchor,
                        items,
                    }) => (
                        Node {
                            start,
                            end,
                            value: Value::Seq(items),
                        },
                        anchor,
                    ),
                    Some(Frame::Map {
                        start,
                        anchor,
                        entries,
                        ..
                    }) => (
                        Node {
                            start,
                            end,
                            value: Value::Map(apply_merge_keys(entries)),
                        },
                        anchor,
                    ),
                    None => {
                        return Err(ParseError {
                            line: start.line,
                            message: "unbalanced collection end".to_owned(),
                        });
                    }
                };
                self.insert(node, anchor);
            }
            Event::Alias(id) => {
                let Some(target) = self.anchors.get(&id) else {
                    return Err(ParseError {
                        line: start.line,
                        message: "alias to an unknown anchor".to_owned(),
                    });
                };
                self.copied += target.count();
                if self.copied > MAX_ALIAS_NODES {
                    return Err(ParseError {
                        line: start.line,
                        message: format!(
                            "aliases expand to more than {MAX_ALIAS_NODES} nodes; refusing to expand"
                        ),
                    });
                }
                let node = target.clone();
                self.insert(node, 0);
            }
            Event::Nothing
            | Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart(_)
            | Event::DocumentEnd => {}
        }
        Ok(())
    }
}

/// Replace `<<` entries by the entries of the mapping(s) they name, explicit keys first.
fn apply_merge_keys(entries: Vec<(Node, Node)>) -> Vec<(Node, Node)> {
    let is_merge =
        |k: &Node| matches!(&k.value, Value::Scalar { text, plain: true } if text == "<<");
    if !entries.iter().any(|(k, _)| is_merge(k)) {
        return entries;
    }
    let (merges, mut out): (Vec<_>, Vec<_>) = entries.into_iter().partition(|(k, _)| is_merge(k));
    for (_, source) in merges {
        let maps = match source.value {
            Value::Seq(items) => items,
            Value::Map(_) => vec![source],
            Value::Scalar { .. } => Vec::new(),
        };
        for map in maps {
            if let Value::Map(extra) = map.value {
                for (k, v) in extra {
                    if !out
                        .iter()
                        .any(|(e, _)| e.as_str().is_some() && e.as_str() == k.as_str())
                    {
                        out.push((k, v));
                    }
                }
            }
        }
    }
    out
}

/// Most closing brackets [`parse`] re-indents before it gives up.
const MAX_REINDENTS: usize = 64;

/// Parse every document of `text`.
///
/// `saphyr-parser` 0.3 rejects a flow collection whose closing `]` or `}` sits on its own line
/// at or left of the enclosing block's indentation after a quoted item — a layout GitHub and
/// libyaml accept and real workflows use (`os: [\n  'a',\n]`; saphyr-rs/saphyr#108). Such a
/// line is re-indented to the depth of the line above and parsed again; positions are mapped
/// back to the original text, so findings still point at the right lines and columns.
pub(super) fn parse(text: &str) -> Result<Vec<Node>, ParseError> {
    let mut patched = std::borrow::Cow::Borrowed(text);
    let mut shifts: Vec<Shift> = Vec::new();
    loop {
        match parse_events(&patched) {
            Ok(mut docs) => {
                if !shifts.is_empty() {
                    for doc in &mut docs {
                        unshift(doc, &shifts);
                    }
                }
                return Ok(docs);
            }
            Err((err, marker)) => {
                let shift = (shifts.len() < MAX_REINDENTS && err.message == "invalid indentation")
                    .then(|| reindent_closer(&patched, &marker))
                    .flatten();
                let Some((fixed, shift)) = shift else {
                    return Err(err);
                };
                shifts.push(shift);
                patched = std::borrow::Cow::Owned(fixed);
            }
        }
    }
}

fn parse_events(text: &str) -> Result<Vec<Node>, (ParseError, Marker)> {
    let mut builder = Builder::default();
    for event in Parser::new_from_str(text) {
        let failed = |line: usize, message: String, marker: Marker| {
            let line = u32::try_from(line).unwrap_or(u32::MAX);
            (ParseError { line, message }, marker)
        };
        match event {
            Ok((event, span)) => builder.event(event, span).map_err(|e| (e, span.start))?,
            Err(err) => {
                return Err(failed(
                    err.marker().line(),
                    err.info().to_owned(),
                    *err.marker(),
                ));
            }
        }
    }
    Ok(builder.docs)
}

/// The source text, addressable by the character indexes of [`Pos`].
pub(super) struct Source<'a> {
    text: &'a str,
    /// Byte offset of each character; `None` when the text is ASCII (index = offset).
    offsets: Option<Vec<usize>>,
}

impl<'a> Source<'a> {
    /// Index `text`.
    pub(super) fn new(text: &'a str) -> Self {
        let offsets = (!text.is_ascii()).then(|| text.char_indices().map(|(i, _)| i).collect());
        Self { text, offsets }
    }

    fn byte(&self, index: usize) -> usize {
        match &self.offsets {
            None => index.min(self.text.len()),
            Some(offsets) => offsets.get(index).copied().unwrap_or(self.text.len()),
        }
    }

    /// The raw source text of a node, exactly as written (quotes and indentation included).
    pub(super) fn raw(&self, node: &Node) -> &'a str {
        let (a, b) = (self.byte(node.start.index), self.byte(node.end.index));
        self.text.get(a..b.max(a)).unwrap_or("")
    }

    /// Position of byte `offset` inside the raw text of `node`.
    pub(super) fn pos_in(&self, node: &Node, offset: usize) -> Pos {
        let raw = self.raw(node);
        let before = raw.get(..offset.min(raw.len())).unwrap_or(raw);
        let newlines = before.matches('\n').count();
        let tail = before.rfind('\n').map_or(before, |i| &before[i + 1..]);
        let tail_chars = u32::try_from(tail.chars().count()).unwrap_or(u32::MAX);
        Pos {
            line: node
                .start
                .line
                .saturating_add(u32::try_from(newlines).unwrap_or(u32::MAX)),
            col: if newlines == 0 {
                node.start.col.saturating_add(tail_chars)
            } else {
                tail_chars + 1
            },
            index: node.start.index + before.chars().count(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Node {
        parse(text).expect("valid yaml").remove(0)
    }

    #[test]
    fn keys_and_values_carry_lines_and_columns() {
        let d = doc("on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n");
        let (k, v) = d.entry("on").expect("on key");
        assert_eq!((k.start.line, k.start.col), (1, 1));
        assert_eq!(v.as_str(), Some("push"));
        let runs_on = d
            .get("jobs")
            .and_then(|j| j.get("build"))
            .and_then(|b| b.get("runs-on"))
            .expect("runs-on");
        assert_eq!((runs_on.start.line, runs_on.start.col), (4, 14));
    }

    #[test]
    fn on_is_a_string_key_not_a_boolean() {
        let d = doc("on:\n  push:\n");
        assert!(d.get("on").is_some());
    }

    #[test]
    fn aliases_and_merge_keys_resolve() {
        let d = doc("base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  y: 3\ncopy: *b\n");
        let other = d.get("other").expect("other");
        assert_eq!(other.get("x").and_then(Node::as_str), Some("1"));
        assert_eq!(other.get("y").and_then(Node::as_str), Some("3"));
        assert_eq!(
            d.get("copy")
                .and_then(|c| c.get("y"))
                .and_then(Node::as_str),
            Some("2")
        );
    }

    #[test]
    fn block_scalar_raw_text_maps_back_to_lines() {
        let text = "run: |\n  echo one\n  echo ${{ x }}\n# after\n";
        let d = doc(text);
        let run = d.get("run").expect("run");
        let src = Source::new(text);
        let raw = src.raw(run);
        let at = raw.find("${{").expect("expression");
        let pos = src.pos_in(run, at);
        assert_eq!((pos.line, pos.col), (3, 8));
        assert!(!raw.contains("# after"));
    }

    #[test]
    fn non_ascii_text_maps_character_indexes_to_bytes() {
        let text = "name: \"héllo wörld\"\nrun: echo ${{ x }}\n";
        let d = doc(text);
        let src = Source::new(text);
        let run = d.get("run").expect("run");
        assert_eq!(src.raw(run), "echo ${{ x }}");
        assert_eq!(src.pos_in(run, 5).col, 11);
    }

    #[test]
    fn errors_name_the_line() {
        let err = parse("a: b\n  c: d\n").expect_err("invalid");
        assert_eq!(err.line, 2);
        assert!(err.message.contains("mapping values"), "{}", err.message);
    }

    #[test]
    fn dedented_flow_closers_after_quoted_items_parse() {
        let text = "jobs:\n  - b:\n      os: [\n        'ubuntu',\n        \"macos\"\n      ]\n      run: echo ${{ x }}\n";
        let d = doc(text);
        let b = d.get("jobs").expect("jobs").items()[0].get("b").expect("b");
        let os: Vec<_> = b
            .get("os")
            .expect("os")
            .items()
            .iter()
            .filter_map(Node::as_str)
            .collect();
        assert_eq!(os, ["ubuntu", "macos"]);
        let run = b.get("run").expect("run");
        assert_eq!((run.start.line, run.start.col), (7, 12));
        assert_eq!(Source::new(text).raw(run), "echo ${{ x }}");
    }

    #[test]
    fn alias_bombs_are_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..8 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let err = parse(&text).expect_err("bomb");
        assert!(err.message.contains("refusing"), "{}", err.message);
    }

    #[test]
    fn several_documents() {
        let docs = parse("---\na: 1\n---\nb: 2\n").expect("valid");
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[1].get("b").and_then(Node::as_str), Some("2"));
    }
}
