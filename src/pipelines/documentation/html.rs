//! A small, tolerant scanner for the raw HTML that Markdown allows.
//!
//! Documentation uses a handful of HTML shapes — `<a href>`, `<img src>`, `<a name>` and `id=`
//! anchors, `<details>`, `<picture>` — usually in fragments that are not well-formed documents
//! (an opening `<a>` in one event, its `</a>` in another). A full HTML parser would build a DOM
//! for nothing; this scanner walks the tags of a fragment once, skips comments, and returns the
//! attributes vigil cares about with their byte offsets. It never fails: text it does not
//! understand is skipped.

/// One attribute of interest found in an HTML fragment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HtmlAttr {
    /// Lower-case tag name, e.g. `a`.
    pub(crate) tag: String,
    /// Lower-case attribute name, e.g. `href`.
    pub(crate) name: String,
    /// Value with the common character references decoded.
    pub(crate) value: String,
    /// Byte offset of the value (or of the attribute when unquoted) in the fragment.
    pub(crate) offset: usize,
}

/// Attributes that are links or anchors: `href`, `src`, `srcset` (first URL), `id`, `name`.
pub(crate) fn scan(html: &str) -> Vec<HtmlAttr> {
    let bytes = html.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(lt) = memchr::memchr(b'<', &bytes[i..]) {
        i += lt;
        if bytes[i..].starts_with(b"<!--") {
            i = match memchr::memmem::find(&bytes[i + 4..], b"-->") {
                Some(end) => i + 4 + end + 3,
                None => return out,
            };
            continue;
        }
        let name_start = i + 1;
        let name_end = name_start
            + bytes[name_start..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || **b == b'-')
                .count();
        if name_end == name_start || !bytes[name_start].is_ascii_alphabetic() {
            i += 1;
            continue;
        }
        let tag = html[name_start..name_end].to_ascii_lowercase();
        i = attributes(html, name_end, &tag, &mut out);
    }
    out
}

/// Read the attributes of a tag starting at `i`; returns the offset after the tag.
fn attributes(html: &str, mut i: usize, tag: &str, out: &mut Vec<HtmlAttr>) -> usize {
    let bytes = html.as_bytes();
    loop {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
            i += 1;
        }
        if i >= bytes.len() {
            return i;
        }
        if bytes[i] == b'>' {
            return i + 1;
        }
        if bytes[i] == b'<' {
            // An unterminated tag: let the caller start over at the next one.
            return i;
        }
        let name_start = i;
        while i < bytes.len()
            && !bytes[i].is_ascii_whitespace()
            && !matches!(bytes[i], b'=' | b'>' | b'<')
        {
            i += 1;
        }
        let name = html[name_start..i].to_ascii_lowercase();
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= bytes.len() || bytes[i] != b'=' {
            continue;
        }
        i += 1;
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let (value_start, value_end, next) = match bytes.get(i) {
            Some(&q @ (b'"' | b'\'')) => match memchr::memchr(q, &bytes[i + 1..]) {
                Some(len) => (i + 1, i + 1 + len, i + 2 + len),
                None => return bytes.len(),
            },
            Some(_) => {
                let end = i + bytes[i..]
                    .iter()
                    .take_while(|b| !b.is_ascii_whitespace() && **b != b'>')
                    .count();
                (i, end, end)
            }
            None => return i,
        };
        i = next;
        if matches!(name.as_str(), "href" | "src" | "srcset" | "id" | "name") {
            let raw = &html[value_start..value_end];
            let value = if name == "srcset" {
                raw.split_whitespace().next().unwrap_or("")
            } else {
                raw.trim()
            };
            out.push(HtmlAttr {
                tag: tag.to_owned(),
                name,
                value: decode_entities(value),
                offset: value_start,
            });
        }
    }
}

/// Decode the character references that appear in URLs and ids: named `&amp;` `&lt;` `&gt;`
/// `&quot;` `&apos;`, and numeric `&#NN;` / `&#xHH;`. Anything else is kept as written.
fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let Some(semi) = rest[..rest.len().min(12)].find(';') else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..semi];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(html: &str) -> Vec<(String, String, String)> {
        scan(html)
            .into_iter()
            .map(|a| (a.tag, a.name, a.value))
            .collect()
    }

    #[test]
    fn finds_links_and_anchors() {
        let html = r#"<p align="center"><a href="docs/a.md"><img src='logo.png' alt="x"></a>
<a name=top></a><div ID="Mixed">x</div><img srcset="a.png 1x, b.png 2x"/>"#;
        assert_eq!(
            attrs(html),
            [
                ("a", "href", "docs/a.md"),
                ("img", "src", "logo.png"),
                ("a", "name", "top"),
                ("div", "id", "Mixed"),
                ("img", "srcset", "a.png"),
            ]
            .map(|(a, b, c)| (a.to_owned(), b.to_owned(), c.to_owned()))
        );
    }

    #[test]
    fn offsets_point_at_values() {
        let html = "<a  href=\"x.md\">";
        let a = &scan(html)[0];
        assert_eq!(&html[a.offset..a.offset + 4], "x.md");
    }

    #[test]
    fn skips_comments_and_survives_garbage() {
        assert!(attrs("<!-- <a href=\"gone.md\"> -->").is_empty());
        assert!(attrs("<!-- unterminated <a href=x>").is_empty());
        assert_eq!(attrs("1 < 2 and <a href=\"ok\"").len(), 1);
        assert!(attrs("<a href=\"unterminated").is_empty());
        assert!(attrs("</a> <br> <").is_empty());
        assert_eq!(attrs("<a href=x.md?a=1&amp;b=2>")[0].2, "x.md?a=1&b=2");
    }

    #[test]
    fn decodes_common_references() {
        assert_eq!(
            decode_entities("a&amp;b&#35;c&#x41;&bogus;&"),
            "a&b#cA&bogus;&"
        );
    }
}
