//! Cobertura XML (`coverage.xml`, `cobertura.xml`, `cobertura-coverage.xml`), as written by
//! coverage.py, Istanbul/nyc, coverlet, gcovr, cargo-tarpaulin and Cobertura itself.
//!
//! The shape is `coverage/packages/package/classes/class[@filename]/lines/line`, each line
//! with `number` and `hits`; a line with `branch="true"` has
//! `condition-coverage="50% (1/2)"`, whose fraction gives the branches taken and present.
//! Java Cobertura repeats lines under `class/methods/method/lines`: only the lines directly
//! under a class are read, so no line counts twice. The `<source>` elements name the folders
//! the `filename` attributes are relative to; they are kept for path resolution.

use super::data::{Branches, CoverageReport, Format, ParseError};
use super::xml::{self, Node};

/// Parse a Cobertura XML report.
pub(crate) fn parse(text: &str) -> Result<CoverageReport, ParseError> {
    let mut report = CoverageReport::new(Format::Cobertura);
    let mut class_file: Option<String> = None;
    let mut in_source = false;
    let mut source_text = String::new();
    let mut saw_root = false;
    let mut saw_packages = false;
    xml::walk(text, |node, anc| {
        match node {
            Node::Open(e) => {
                let name = xml::local(e);
                match (name.as_str(), anc.last().map(String::as_str)) {
                    ("coverage", None) => {
                        if xml::attr(e, "clover")?.is_some() {
                            return Err("this is a Clover report, not Cobertura".to_owned());
                        }
                        saw_root = true;
                    }
                    (_, None) => {
                        return Err(format!(
                            "the root element is <{name}>, not <coverage>: not a Cobertura report"
                        ));
                    }
                    ("packages", Some("coverage")) => saw_packages = true,
                    ("source", Some("sources")) => {
                        in_source = true;
                        source_text.clear();
                    }
                    ("class", Some("classes")) => {
                        let file = xml::attr(e, "filename")?
                            .filter(|f| !f.trim().is_empty())
                            .ok_or_else(|| "<class> lacks `filename`".to_owned())?;
                        report.file(file.trim());
                        class_file = Some(file.trim().to_owned());
                    }
                    ("line", Some("lines")) if anc.len() >= 2 && anc[anc.len() - 2] == "class" => {
                        let Some(file) = class_file.as_deref() else {
                            return Ok(());
                        };
                        let number: u32 = xml::num_attr(e, "number")?;
                        let hits = hits(e)?;
                        let branch = branches(e)?;
                        if number > 0 {
                            let f = report.file(file);
                            f.hit(number, hits);
                            if let Some(b) = branch {
                                f.branch(number, b);
                            }
                        }
                    }
                    _ => {}
                }
            }
            Node::Text(t) if in_source => source_text.push_str(t),
            Node::Text(_) => {}
            Node::Close("source") if in_source => {
                in_source = false;
                let s = source_text.trim();
                if !s.is_empty() {
                    report.source_roots.push(s.to_owned());
                }
            }
            Node::Close("class") => class_file = None,
            Node::Close(_) => {}
        }
        Ok(())
    })?;
    if !saw_root {
        return Err(ParseError::whole(
            "no <coverage> element: not a Cobertura report",
        ));
    }
    if !saw_packages {
        return Err(ParseError::whole(
            "no <packages> element under <coverage>: not a Cobertura report",
        ));
    }
    Ok(report)
}

/// The `hits` count; Istanbul writes large counts, some tools write floats.
fn hits(e: &quick_xml::events::BytesStart<'_>) -> Result<u64, String> {
    let v = xml::attr(e, "hits")?.ok_or_else(|| "<line> lacks `hits`".to_owned())?;
    let v = v.trim();
    if let Ok(n) = v.parse::<u64>() {
        return Ok(n);
    }
    match v.parse::<f64>() {
        Ok(f) if f.is_finite() => Ok(if f <= 0.0 { 0 } else { f as u64 }),
        _ => Err(format!("`hits=\"{v}\"` in <line> is not a number")),
    }
}

/// Branch counts of a `branch="true"` line from `condition-coverage="50% (1/2)"`.
fn branches(e: &quick_xml::events::BytesStart<'_>) -> Result<Option<Branches>, String> {
    let is_branch = xml::attr(e, "branch")?.is_some_and(|b| b.trim().eq_ignore_ascii_case("true"));
    if !is_branch {
        return Ok(None);
    }
    let Some(cc) = xml::attr(e, "condition-coverage")? else {
        return Ok(None);
    };
    let fraction = cc
        .split_once('(')
        .and_then(|(_, rest)| rest.split_once(')'))
        .map(|(inner, _)| inner);
    let parsed = fraction.and_then(|f| {
        let (a, b) = f.split_once('/')?;
        Some((a.trim().parse::<u32>().ok()?, b.trim().parse::<u32>().ok()?))
    });
    match parsed {
        Some((covered, total)) if covered <= total => Ok(Some(Branches { covered, total })),
        _ => Err(format!(
            "`condition-coverage=\"{cc}\"` is not of the form `50% (1/2)`"
        )),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn reads_class_lines_but_not_method_lines() {
        let xml = r#"<?xml version="1.0"?>
<coverage line-rate="0.5">
  <sources><source>/build/proj</source><source> src </source></sources>
  <packages><package name="p"><classes>
    <class name="A" filename="pkg/a.py">
      <methods><method name="f"><lines><line number="1" hits="9"/></lines></method></methods>
      <lines>
        <line number="1" hits="1"/>
        <line number="2" hits="0" branch="true" condition-coverage="50% (1/2)"/>
        <line number="3" hits="2.0"/>
      </lines>
    </class>
  </classes></package></packages>
</coverage>"#;
        let r = parse(xml).expect("valid");
        assert_eq!(r.source_roots, ["/build/proj", "src"]);
        let f = &r.files["pkg/a.py"];
        assert_eq!(f.lines, BTreeMap::from([(1, 1), (2, 0), (3, 2)]));
        assert_eq!(
            f.branches[&2],
            Branches {
                covered: 1,
                total: 2
            }
        );
    }

    #[test]
    fn malformed_reports_name_the_line() {
        let err = parse("<coverage><packages><package><classes>\n<class filename=\"a\"><lines>\n<line number=\"x\" hits=\"1\"/>\n</lines></class></classes></package></packages></coverage>")
            .expect_err("bad number");
        assert_eq!(err.line, Some(3), "{err}");
        let err = parse("<report name=\"x\"/>").expect_err("jacoco");
        assert!(err.message.contains("not a Cobertura report"), "{err}");
        let err = parse("<coverage clover=\"4\"><project/></coverage>").expect_err("clover");
        assert!(err.message.contains("Clover"), "{err}");
        let err = parse("<coverage>\n<packages>\n<package>").expect_err("truncated");
        assert_eq!(err.line, Some(3), "{err}");
        let err = parse("<coverage><packages><package><classes><class filename=\"a\"><lines><line number=\"1\" hits=\"1\" branch=\"true\" condition-coverage=\"half\"/></lines></class></classes></package></packages></coverage>")
            .expect_err("bad condition");
        assert!(err.message.contains("condition-coverage"), "{err}");
    }
}
