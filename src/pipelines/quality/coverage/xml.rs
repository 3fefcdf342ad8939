//! A small streaming walk over an XML document for the Cobertura and JaCoCo parsers.
//!
//! It wraps quick-xml's pull reader: elements arrive as [`Node::Open`] / [`Node::Close`]
//! (an empty element `<a/>` gives both) together with the names of its ancestors, text as
//! [`Node::Text`]. Every error — malformed XML or a problem the visitor reports — comes back as
//! a [`ParseError`] carrying the line of the document where it happened.
//!
//! quick-xml never loads external entities or DTDs: a `<!DOCTYPE report SYSTEM "report.dtd">`
//! (JaCoCo writes one) is read as an inert event, so parsing a report never touches the disk
//! or the network beyond the bytes given.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::data::ParseError;
use crate::walk::line_of;

/// One step of the walk.
#[derive(Debug)]
pub(crate) enum Node<'e, 'a> {
    /// An element starts (also for an empty element, followed by its `Close`).
    Open(&'e BytesStart<'a>),
    /// Text inside the current element (entity references already resolved).
    Text(&'e str),
    /// The element named here ends.
    Close(&'e str),
}

/// Walk `text`, calling `visit` with each node and the local names of its ancestors (outermost
/// first; for `Open` and `Close`, the element itself is not included).
pub(crate) fn walk(
    text: &str,
    mut visit: impl FnMut(Node<'_, '_>, &[String]) -> Result<(), String>,
) -> Result<(), ParseError> {
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<String> = Vec::new();
    let at = |offset: u64| u64::from(line_of(text, usize::try_from(offset).unwrap_or(usize::MAX)));
    loop {
        let event = match reader.read_event() {
            Ok(e) => e,
            Err(e) => {
                return Err(ParseError::at(
                    at(reader.error_position()),
                    format!("malformed XML: {e}"),
                ));
            }
        };
        let pos = reader.buffer_position();
        let result = match &event {
            Event::Start(e) => {
                let name = local(e);
                let r = visit(Node::Open(e), &stack);
                stack.push(name);
                r
            }
            Event::Empty(e) => {
                let name = local(e);
                visit(Node::Open(e), &stack).and_then(|()| visit(Node::Close(&name), &stack))
            }
            Event::End(_) => match stack.pop() {
                Some(name) => visit(Node::Close(&name), &stack),
                None => Err("closing tag without an opening one".to_owned()),
            },
            Event::Text(t) => visit(Node::Text(&t.xml10_content()), &stack),
            Event::CData(t) => {
                let raw: &str = t.as_ref();
                visit(Node::Text(raw), &stack)
            }
            Event::GeneralRef(r) => {
                let name = r.xml10_content();
                match quick_xml::escape::unescape(&format!("&{name};")) {
                    Ok(s) => visit(Node::Text(&s), &stack),
                    Err(_) => Err(format!("unknown entity `&{name};`")),
                }
            }
            Event::Eof => {
                if let Some(open) = stack.last() {
                    return Err(ParseError::at(
                        at(pos),
                        format!("the document ends inside <{open}> (truncated file?)"),
                    ));
                }
                return Ok(());
            }
            Event::Decl(_) | Event::PI(_) | Event::DocType(_) | Event::Comment(_) => Ok(()),
        };
        result.map_err(|m| ParseError::at(at(pos), m))?;
    }
}

/// Local name (without a namespace prefix) of an element.
pub(crate) fn local(e: &BytesStart<'_>) -> String {
    let name = e.local_name();
    let name: &str = name.as_ref();
    name.to_owned()
}

/// Value of attribute `name` of `e`, with entities resolved.
pub(crate) fn attr(e: &BytesStart<'_>, name: &str) -> Result<Option<String>, String> {
    for a in e.attributes() {
        let a = a.map_err(|err| format!("bad attribute in <{}>: {err}", local(e)))?;
        let key = a.key.local_name();
        let key: &str = key.as_ref();
        if key == name {
            return a
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map(|v| Some(v.into_owned()))
                .map_err(|err| format!("bad value of `{name}` in <{}>: {err}", local(e)));
        }
    }
    Ok(None)
}

/// Value of a required attribute, parsed as a number.
pub(crate) fn num_attr<T: std::str::FromStr>(e: &BytesStart<'_>, name: &str) -> Result<T, String> {
    let v = attr(e, name)?.ok_or_else(|| format!("<{}> lacks `{name}`", local(e)))?;
    v.trim()
        .parse()
        .map_err(|_| format!("`{name}=\"{v}\"` in <{}> is not a whole number", local(e)))
}

/// Local name of the document's root element, if the text is XML with one.
pub(crate) fn root_element(text: &str) -> Option<String> {
    let mut reader = Reader::from_str(text);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) => return Some(local(&e)),
            Ok(Event::Eof) | Err(_) => return None,
            Ok(Event::Text(t)) if !t.xml10_content().trim().is_empty() => return None,
            Ok(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_with_ancestors_and_lines() {
        let xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE r SYSTEM \"r.dtd\">\n<r>\n <a x=\"1 &amp; 2\"/>\n <b>t&lt;u</b>\n</r>\n";
        let mut seen = Vec::new();
        walk(xml, |n, anc| {
            match n {
                Node::Open(e) => seen.push(format!(
                    "open {} in {:?} x={:?}",
                    local(e),
                    anc,
                    attr(e, "x")?
                )),
                Node::Text(t) if !t.trim().is_empty() => seen.push(format!("text {t}")),
                Node::Text(_) => {}
                Node::Close(name) => seen.push(format!("close {name}")),
            }
            Ok(())
        })
        .expect("valid");
        assert_eq!(
            seen,
            [
                "open r in [] x=None",
                "open a in [\"r\"] x=Some(\"1 & 2\")",
                "close a",
                "open b in [\"r\"] x=None",
                "text t",
                "text <",
                "text u",
                "close b",
                "close r"
            ]
        );
        assert_eq!(root_element(xml).as_deref(), Some("r"));
    }

    #[test]
    fn errors_carry_the_line() {
        let err = walk("<r>\n<a>\n</b>\n</r>", |_, _| Ok(())).expect_err("mismatch");
        assert_eq!(err.line, Some(3), "{err}");
        let err = walk("<r>\n<a>\n", |_, _| Ok(())).expect_err("truncated");
        assert!(err.message.contains("truncated"), "{err}");
        let err = walk("<r>\n<a/>\n</r>", |n, _| match n {
            Node::Open(e) if local(e) == "a" => Err("no a here".into()),
            _ => Ok(()),
        })
        .expect_err("visitor error");
        assert_eq!(err.to_string(), "line 2: no a here");
        assert_eq!(root_element("not xml at all"), None);
    }
}
