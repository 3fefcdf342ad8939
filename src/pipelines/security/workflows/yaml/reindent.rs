//! Workaround for saphyr-rs/saphyr#108: `saphyr-parser` 0.3 rejects a flow collection whose
//! closing `]` or `}` sits on its own line at or left of the enclosing block's indentation after
//! a quoted item, which GitHub and libyaml accept. The closing line is re-indented, the text
//! parsed again, and every position mapped back to the original text. Delete this module when
//! the upstream fix is released.

use saphyr_parser::Marker;

use super::{Node, Value};

/// Spaces inserted into the text before parsing it again.
#[derive(Debug, Clone, Copy)]
pub(super) struct Shift {
    /// Line they were inserted on, 1-based.
    line: u32,
    /// Character index (in the patched text) where they start.
    index: usize,
    /// How many.
    count: usize,
}

/// If the error is on a line that starts with `]` or `}`, indent that line like the line
/// above (plus two) and say where spaces went.
pub(super) fn reindent_closer(text: &str, marker: &Marker) -> Option<(String, Shift)> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let at = marker.line().checked_sub(1)?;
    let line = lines.get(at)?;
    let body = line.trim_start_matches(' ');
    if !(body.starts_with(']') || body.starts_with('}')) {
        return None;
    }
    let indent = line.len() - body.len();
    let above = lines[..at]
        .iter()
        .rev()
        .map(|l| l.trim_end())
        .find(|l| !l.trim_start().is_empty() && !l.trim_start().starts_with('#'))?;
    let wanted = above.len() - above.trim_start_matches(' ').len() + 2;
    let count = wanted.saturating_sub(indent).max(1);
    let start: usize = lines[..at].iter().map(|l| l.chars().count()).sum();
    let mut fixed = String::with_capacity(text.len() + count);
    for (i, l) in lines.iter().enumerate() {
        if i == at {
            fixed.extend(std::iter::repeat_n(' ', count));
        }
        fixed.push_str(l);
    }
    let shift = Shift {
        line: u32::try_from(marker.line()).unwrap_or(u32::MAX),
        index: start,
        count,
    };
    Some((fixed, shift))
}

/// Map the positions of `node` and its children from the patched text back to the original.
pub(super) fn unshift(node: &mut Node, shifts: &[Shift]) {
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        for pos in [&mut n.start, &mut n.end] {
            // Later shifts were made on text that already contained the earlier ones: undo
            // them newest first.
            for s in shifts.iter().rev() {
                if pos.index >= s.index {
                    pos.index = pos.index.saturating_sub(s.count).max(s.index);
                    if pos.line == s.line {
                        let col = usize::try_from(pos.col).unwrap_or(usize::MAX);
                        pos.col = u32::try_from(col.saturating_sub(s.count).max(1)).unwrap_or(1);
                    }
                }
            }
        }
        match &mut n.value {
            Value::Scalar { .. } => {}
            Value::Seq(items) => stack.extend(items.iter_mut()),
            Value::Map(entries) => {
                for (k, v) in entries.iter_mut() {
                    stack.push(k);
                    stack.push(v);
                }
            }
        }
    }
}
