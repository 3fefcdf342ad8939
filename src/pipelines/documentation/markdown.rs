//! One pass of `pulldown-cmark` over a Markdown file, keeping what the documentation checks
//! need: links and images with their line and column, the page's anchors (GitHub heading slugs
//! and HTML `id`/`name`), inline code, fenced and indented code blocks, and the YAML front
//! matter.
//!
//! pulldown-cmark is CommonMark-exact and fast, and it reports byte ranges for every event, so
//! nothing inside a code span or block is ever mistaken for a link. The options are GitHub's:
//! tables, footnotes, strikethrough, task lists, and `---` front matter (which GitHub shows as
//! a table, not as a heading). Reference-style links are reported once per *definition*, at
//! the definition's line, because that is where a broken target is fixed; definitions no link
//! uses are not rendered by GitHub and are not reported. Raw HTML is read with the small
//! scanner of [`super::html`]; a block of HTML is scanned as a whole, so a comment spanning
//! several lines hides what is inside it.

use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;

use pulldown_cmark::{
    CodeBlockKind, Event, LinkType, MetadataBlockKind, Options, Parser, Tag, TagEnd,
};

use super::html;
use super::slug::Slugger;

/// Byte offsets of line starts, to turn an offset into a line and column quickly.
#[derive(Debug)]
pub(crate) struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// Index the lines of `text`.
    pub(crate) fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        Self { starts }
    }

    /// 1-based line of byte `offset`.
    pub(crate) fn line(&self, offset: usize) -> u32 {
        u32::try_from(self.starts.partition_point(|&s| s <= offset)).unwrap_or(u32::MAX)
    }

    /// 1-based line and column (in characters) of byte `offset` in `text`.
    pub(crate) fn position(&self, text: &str, offset: usize) -> (u32, u32) {
        let line = self.line(offset);
        let start = self.starts[(line as usize).saturating_sub(1)];
        let end = offset.min(text.len());
        let column = text.get(start..end).map_or(1, |s| s.chars().count() + 1);
        (line, u32::try_from(column).unwrap_or(u32::MAX))
    }
}

/// Whether a link leads somewhere or shows an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LinkKind {
    /// `[text](target)`, `<a href>`, autolinks.
    Link,
    /// `![alt](src)`, `<img src>`.
    Image,
}

/// How a link was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LinkOrigin {
    /// `[text](target)`.
    Inline,
    /// `[text][label]` with a `[label]: target` definition (located at the definition).
    Reference,
    /// `<https://…>`.
    Autolink,
    /// Raw HTML attribute.
    Html,
    /// A bare `https://…` in text, which GitHub turns into a link.
    Bare,
}

/// One link or image of a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MdLink {
    /// The target as written (after Markdown unescaping).
    pub(crate) dest: String,
    /// Link or image.
    pub(crate) kind: LinkKind,
    /// How it was written.
    pub(crate) origin: LinkOrigin,
    /// 1-based line.
    pub(crate) line: u32,
    /// 1-based column.
    pub(crate) column: u32,
}

/// An inline code span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CodeSpan {
    /// Its text.
    pub(crate) text: String,
    /// 1-based line.
    pub(crate) line: u32,
    /// 1-based column of the opening backtick.
    pub(crate) column: u32,
}

/// A fenced or indented code block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CodeBlock {
    /// First word of the info string, lower case; empty for indented or unlabelled blocks.
    pub(crate) lang: String,
    /// Content.
    pub(crate) text: String,
    /// 1-based line of the first content line.
    pub(crate) first_line: u32,
}

/// YAML front matter between `---` lines at the top of the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FrontMatter {
    /// The YAML text.
    pub(crate) yaml: String,
    /// 1-based line of the opening `---`.
    pub(crate) line: u32,
}

/// What one Markdown page holds.
#[derive(Debug, Default)]
pub(crate) struct Document {
    /// Links and images, in order.
    pub(crate) links: Vec<MdLink>,
    /// Anchors a link can point at: heading slugs and HTML `id`/`name` values.
    pub(crate) anchors: Vec<String>,
    /// Inline code spans (only when asked for).
    pub(crate) code_spans: Vec<CodeSpan>,
    /// Code blocks (only when asked for).
    pub(crate) code_blocks: Vec<CodeBlock>,
    /// Front matter, when the page starts with one.
    pub(crate) front_matter: Option<FrontMatter>,
}

/// Which optional parts to collect.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Extract {
    /// Inline code and code blocks.
    pub(crate) code: bool,
    /// Bare `http(s)://` URLs in text.
    pub(crate) bare_urls: bool,
}

thread_local! {
    /// The last page parsed by [`parse_shared`] on this thread, with its path and text.
    static LAST: RefCell<Option<(String, String, Rc<Document>)>> = const { RefCell::new(None) };
}

/// The page at `path` with `text`, parsed with code spans and blocks (no bare URLs).
///
/// The walk offers a file to every interested check in turn on one thread, so the links,
/// references and freshness checks call this for the same page one after the other: the
/// first call parses, the others reuse that parse. A hit needs the same path *and* the same
/// text, so a stale page is never returned.
pub(crate) fn parse_shared(path: &str, text: &str) -> Rc<Document> {
    LAST.with(|cell| {
        let mut last = cell.borrow_mut();
        if let Some((p, t, doc)) = &*last
            && p == path
            && t == text
        {
            return Rc::clone(doc);
        }
        let doc = Rc::new(parse(
            text,
            Extract {
                code: true,
                bare_urls: false,
            },
        ));
        *last = Some((path.to_owned(), text.to_owned(), Rc::clone(&doc)));
        doc
    })
}

/// Whether a path names a Markdown file.
pub(crate) fn is_markdown(path: &str) -> bool {
    let Some((_, ext)) = path.rsplit_once('.') else {
        return false;
    };
    ["md", "markdown", "mdown", "mkd", "mkdn"]
        .iter()
        .any(|e| ext.eq_ignore_ascii_case(e))
}

/// A block of raw HTML being gathered from its per-line events.
#[derive(Default)]
struct HtmlBlock {
    text: String,
    /// `(position in text, offset in the source)` of each piece.
    pieces: Vec<(usize, usize)>,
}

impl HtmlBlock {
    fn source_offset(&self, pos: usize) -> usize {
        let i = self
            .pieces
            .partition_point(|(p, _)| *p <= pos)
            .saturating_sub(1);
        self.pieces.get(i).map_or(pos, |(p, src)| src + (pos - p))
    }
}

/// Parse `text` and collect what `extract` asks for (links and anchors always).
pub(crate) fn parse(text: &str, extract: Extract) -> Document {
    let lines = LineIndex::new(text);
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS;
    let mut doc = Document::default();
    let mut slugger = Slugger::default();
    let mut heading: Option<String> = None;
    let mut image_depth = 0u32;
    let mut link_depth = 0u32;
    let mut code_block: Option<(String, String, Option<usize>)> = None;
    let mut html_block: Option<HtmlBlock> = None;
    let mut front_matter: Option<(String, usize)> = None;
    let mut seen_definitions: HashSet<usize> = HashSet::new();

    let push_link = |doc: &mut Document, dest: &str, kind, origin, offset: usize| {
        let (line, column) = lines.position(text, offset);
        doc.links.push(MdLink {
            dest: dest.to_owned(),
            kind,
            origin,
            line,
            column,
        });
    };
    let push_html = |doc: &mut Document, fragment: &str, base: &dyn Fn(usize) -> usize| {
        for attr in html::scan(fragment) {
            let offset = base(attr.offset);
            match (attr.tag.as_str(), attr.name.as_str()) {
                (_, "id") | ("a", "name") => doc.anchors.push(attr.value),
                ("a" | "area", "href") => {
                    push_link(doc, &attr.value, LinkKind::Link, LinkOrigin::Html, offset);
                }
                ("img" | "source" | "video" | "audio", "src" | "srcset") => {
                    push_link(doc, &attr.value, LinkKind::Image, LinkOrigin::Html, offset);
                }
                _ => {}
            }
        }
    };

    let mut events = Parser::new_ext(text, options).into_offset_iter();
    while let Some((event, range)) = events.next() {
        match event {
            Event::Start(Tag::Heading { .. }) => heading = Some(String::new()),
            Event::End(TagEnd::Heading(_)) => {
                if let Some(h) = heading.take() {
                    doc.anchors.push(slugger.next(&h));
                }
            }
            Event::Start(tag @ (Tag::Link { .. } | Tag::Image { .. })) => {
                let (link_type, dest, id, kind) = match tag {
                    Tag::Link {
                        link_type,
                        dest_url,
                        id,
                        ..
                    } => {
                        link_depth += 1;
                        (link_type, dest_url, id, LinkKind::Link)
                    }
                    Tag::Image {
                        link_type,
                        dest_url,
                        id,
                        ..
                    } => {
                        image_depth += 1;
                        (link_type, dest_url, id, LinkKind::Image)
                    }
                    _ => continue,
                };
                match link_type {
                    LinkType::Inline => {
                        push_link(&mut doc, &dest, kind, LinkOrigin::Inline, range.start);
                    }
                    LinkType::Autolink => {
                        push_link(&mut doc, &dest, kind, LinkOrigin::Autolink, range.start);
                    }
                    LinkType::Email => {}
                    _ => {
                        let at = events
                            .reference_definitions()
                            .get(&id)
                            .map_or(range.start, |d| d.span.start);
                        if seen_definitions.insert(at) {
                            push_link(&mut doc, &dest, kind, LinkOrigin::Reference, at);
                        }
                    }
                }
            }
            Event::End(TagEnd::Link) => link_depth = link_depth.saturating_sub(1),
            Event::End(TagEnd::Image) => image_depth = image_depth.saturating_sub(1),
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => info
                        .split(|c: char| c.is_whitespace() || c == ',' || c == '{')
                        .next()
                        .unwrap_or("")
                        .to_ascii_lowercase(),
                    CodeBlockKind::Indented => String::new(),
                };
                code_block = Some((lang, String::new(), None));
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((lang, body, start)) = code_block.take()
                    && extract.code
                {
                    doc.code_blocks.push(CodeBlock {
                        lang,
                        text: body,
                        first_line: lines.line(start.unwrap_or(range.start)),
                    });
                }
            }
            Event::Start(Tag::MetadataBlock(MetadataBlockKind::YamlStyle)) => {
                front_matter = Some((String::new(), range.start));
            }
            Event::End(TagEnd::MetadataBlock(_)) => {
                if let Some((yaml, start)) = front_matter.take() {
                    doc.front_matter = Some(FrontMatter {
                        yaml,
                        line: lines.line(start),
                    });
                }
            }
            Event::Start(Tag::HtmlBlock) => html_block = Some(HtmlBlock::default()),
            Event::End(TagEnd::HtmlBlock) => {
                if let Some(block) = html_block.take() {
                    push_html(&mut doc, &block.text, &|p| block.source_offset(p));
                }
            }
            Event::Html(s) => match &mut html_block {
                Some(block) => {
                    block.pieces.push((block.text.len(), range.start));
                    block.text.push_str(&s);
                }
                None => push_html(&mut doc, &s, &|p| range.start + p),
            },
            Event::InlineHtml(s) => push_html(&mut doc, &s, &|p| range.start + p),
            Event::Text(t) => {
                if let Some((_, body, start)) = &mut code_block {
                    start.get_or_insert(range.start);
                    if extract.code {
                        body.push_str(&t);
                    }
                } else if let Some((yaml, _)) = &mut front_matter {
                    yaml.push_str(&t);
                } else {
                    if let Some(h) = &mut heading
                        && image_depth == 0
                    {
                        h.push_str(&t);
                    }
                    if extract.bare_urls && link_depth == 0 && image_depth == 0 {
                        // Offsets are exact only when the text is the source verbatim.
                        let verbatim = t.len() == range.len();
                        for (pos, url) in bare_urls(&t) {
                            let at = if verbatim {
                                range.start + pos
                            } else {
                                range.start
                            };
                            push_link(&mut doc, url, LinkKind::Link, LinkOrigin::Bare, at);
                        }
                    }
                }
            }
            Event::Code(t) => {
                if let Some(h) = &mut heading {
                    h.push_str(&t);
                }
                if extract.code {
                    let (line, column) = lines.position(text, range.start);
                    doc.code_spans.push(CodeSpan {
                        text: t.into_string(),
                        line,
                        column,
                    });
                }
            }
            _ => {}
        }
    }
    doc
}

/// Bare `http://` and `https://` URLs in plain text, with their byte offsets, as GitHub's
/// autolinker sees them: trailing punctuation and an unbalanced `)` are not part of the URL.
pub(crate) fn bare_urls(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(found) = memchr::memmem::find(&text.as_bytes()[from..], b"http") {
        let start = from + found;
        let rest = &text[start..];
        let scheme = if rest.starts_with("https://") {
            8
        } else if rest.starts_with("http://") {
            7
        } else {
            from = start + 4;
            continue;
        };
        let preceded_by_word = text[..start]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric());
        let len = rest
            .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '`'))
            .unwrap_or(rest.len());
        let mut url = &rest[..len];
        loop {
            let trimmed = url.trim_end_matches(['.', ',', ':', ';', '!', '?', '*', '_', '~', '\'']);
            let trimmed = if trimmed.ends_with(')')
                && trimmed.matches(')').count() > trimmed.matches('(').count()
            {
                &trimmed[..trimmed.len() - 1]
            } else {
                trimmed
            };
            if trimmed.len() == url.len() {
                break;
            }
            url = trimmed;
        }
        if !preceded_by_word && url.len() > scheme {
            out.push((start, url));
        }
        from = start + len.max(1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn links(text: &str) -> Vec<(String, LinkKind, LinkOrigin, u32, u32)> {
        parse(
            text,
            Extract {
                code: false,
                bare_urls: true,
            },
        )
        .links
        .into_iter()
        .map(|l| (l.dest, l.kind, l.origin, l.line, l.column))
        .collect()
    }

    #[test]
    fn finds_every_kind_of_link_with_positions() {
        let text = "# T\n\nSee [a](a.md) and ![i](img/x.png \"title\").\n\
                    Ref [r][def] twice [r2][def], <https://auto.example/x>.\n\n\
                    [def]: docs/ref.md\n[unused]: nowhere.md\n\n\
                    <p><a href=\"h.md#x\">h</a>\n<img src=\"pic.svg\"></p>\n\n\
                    Bare https://bare.example/path). `[no](code.md)`\n\n\
                    ```\n[no](block.md) https://in.code\n```\n";
        let got = links(text);
        let want = [
            ("a.md", LinkKind::Link, LinkOrigin::Inline, 3, 5),
            ("img/x.png", LinkKind::Image, LinkOrigin::Inline, 3, 19),
            ("docs/ref.md", LinkKind::Link, LinkOrigin::Reference, 6, 1),
            (
                "https://auto.example/x",
                LinkKind::Link,
                LinkOrigin::Autolink,
                4,
                31,
            ),
            ("h.md#x", LinkKind::Link, LinkOrigin::Html, 9, 13),
            ("pic.svg", LinkKind::Image, LinkOrigin::Html, 10, 11),
            (
                "https://bare.example/path",
                LinkKind::Link,
                LinkOrigin::Bare,
                12,
                6,
            ),
        ];
        assert_eq!(got, want.map(|(d, k, o, l, c)| (d.to_owned(), k, o, l, c)));
    }

    #[test]
    fn anchors_are_slugs_and_html_ids() {
        let text = "---\ntitle: x\n---\n# Hello *World*\n## Hello World\n\
                    ## The `code` ![img](i.png) part\n<a name=\"legacy\"></a>\n\
                    <div id=\"custom\">\n\nSetext\n------\n";
        let doc = parse(text, Extract::default());
        assert_eq!(
            doc.anchors,
            [
                "hello-world",
                "hello-world-1",
                "the-code--part",
                "legacy",
                "custom",
                "setext"
            ]
        );
        let fm = doc.front_matter.expect("front matter");
        assert_eq!(fm.yaml, "title: x\n");
        assert_eq!(fm.line, 1);
    }

    #[test]
    fn code_is_collected_when_asked() {
        let text = "Run `scripts/x.sh`.\n\n```bash title=\"x\"\n$ make all\n./run.sh\n```\n\n    indented\n";
        let doc = parse(
            text,
            Extract {
                code: true,
                bare_urls: false,
            },
        );
        assert_eq!(doc.code_spans.len(), 1);
        assert_eq!(doc.code_spans[0].text, "scripts/x.sh");
        assert_eq!((doc.code_spans[0].line, doc.code_spans[0].column), (1, 5));
        assert_eq!(doc.code_blocks.len(), 2);
        assert_eq!(doc.code_blocks[0].lang, "bash");
        assert_eq!(doc.code_blocks[0].text, "$ make all\n./run.sh\n");
        assert_eq!(doc.code_blocks[0].first_line, 4);
        assert_eq!(doc.code_blocks[1].lang, "");
        assert_eq!(doc.code_blocks[1].first_line, 8);
    }

    #[test]
    fn multi_line_html_comments_hide_links() {
        let text = "<!--\n<a href=\"hidden.md\">\n-->\n\n<a href=\"shown.md\">x</a>\n";
        let got = links(text);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].0, "shown.md");
        assert_eq!(got[0].3, 5);
    }

    #[test]
    fn bare_urls_trim_punctuation() {
        let got: Vec<&str> =
            bare_urls("a https://x.io/a_(b) b (https://y.io/c). xhttps://no http://")
                .into_iter()
                .map(|(_, u)| u)
                .collect();
        assert_eq!(got, ["https://x.io/a_(b)", "https://y.io/c"]);
    }

    #[test]
    fn shared_parses_are_reused_only_for_the_same_page() {
        let a = parse_shared("a.md", "# A\n[x](y.md)\n");
        let again = parse_shared("a.md", "# A\n[x](y.md)\n");
        assert!(Rc::ptr_eq(&a, &again));
        let other_text = parse_shared("a.md", "# B\n");
        assert!(!Rc::ptr_eq(&a, &other_text));
        assert_eq!(other_text.anchors, ["b"]);
        let other_path = parse_shared("b.md", "# B\n");
        assert!(!Rc::ptr_eq(&other_text, &other_path));
    }

    #[test]
    fn line_index_counts_characters() {
        let text = "ab\ncé d\n";
        let idx = LineIndex::new(text);
        assert_eq!(idx.position(text, 0), (1, 1));
        assert_eq!(idx.position(text, 3), (2, 1));
        assert_eq!(idx.position(text, 7), (2, 4));
        assert_eq!(idx.line(text.len()), 3);
    }
}
