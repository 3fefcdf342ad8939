//! JaCoCo XML (`jacoco.xml`, `jacocoTestReport.xml`), as written by the JaCoCo Maven and
//! Gradle plugins and `jacococli report --xml`.
//!
//! The shape (DTD "-//JACOCO//DTD Report 1.1//EN") is
//! `report/(group/)*package[@name]/sourcefile[@name]/line[@nr @mi @ci @mb @cb]`: per line the
//! missed and covered instructions and branches. A line is instrumented when it has any
//! instruction; it is covered when at least one instruction ran (JaCoCo's own LINE counter
//! counts a partly covered line as covered). Branches are `mb + cb`, taken `cb`.
//!
//! The path is the package name (already `/`-separated, e.g. `org/example`) joined with the
//! source file name; it is relative to a source folder the report does not name
//! (`src/main/java`, …), which path resolution finds by suffix. The `<!DOCTYPE>` JaCoCo writes
//! is never fetched.

use super::data::{Branches, CoverageReport, Format, ParseError};
use super::xml::{self, Node};

/// Parse a JaCoCo XML report.
pub(crate) fn parse(text: &str) -> Result<CoverageReport, ParseError> {
    let mut report = CoverageReport::new(Format::Jacoco);
    let mut package = String::new();
    let mut source: Option<String> = None;
    let mut saw_root = false;
    xml::walk(text, |node, anc| {
        match node {
            Node::Open(e) => {
                let name = xml::local(e);
                match (name.as_str(), anc.last().map(String::as_str)) {
                    ("report", None) => saw_root = true,
                    (_, None) => {
                        return Err(format!(
                            "the root element is <{name}>, not <report>: not a JaCoCo report"
                        ));
                    }
                    ("package", _) => {
                        package = xml::attr(e, "name")?
                            .unwrap_or_default()
                            .trim()
                            .trim_matches('/')
                            .to_owned();
                    }
                    ("sourcefile", Some("package")) => {
                        let file = xml::attr(e, "name")?
                            .filter(|f| !f.trim().is_empty())
                            .ok_or_else(|| "<sourcefile> lacks `name`".to_owned())?;
                        let path = if package.is_empty() {
                            file.trim().to_owned()
                        } else {
                            format!("{package}/{}", file.trim())
                        };
                        report.file(&path);
                        source = Some(path);
                    }
                    ("line", Some("sourcefile")) => {
                        let Some(path) = source.as_deref() else {
                            return Ok(());
                        };
                        let nr: u32 = xml::num_attr(e, "nr")?;
                        let mi: u64 = xml::num_attr(e, "mi")?;
                        let ci: u64 = xml::num_attr(e, "ci")?;
                        let mb: u32 = xml::num_attr(e, "mb")?;
                        let cb: u32 = xml::num_attr(e, "cb")?;
                        if nr > 0 && mi.saturating_add(ci) > 0 {
                            let f = report.file(path);
                            // The count of covered instructions stands in for "hits":
                            // JaCoCo does not count executions.
                            f.hit(nr, ci);
                            if mb.saturating_add(cb) > 0 {
                                f.branch(
                                    nr,
                                    Branches {
                                        covered: cb,
                                        total: mb.saturating_add(cb),
                                    },
                                );
                            }
                        }
                    }
                    _ => {}
                }
            }
            Node::Close("sourcefile") => source = None,
            Node::Close("package") => package.clear(),
            Node::Close(_) | Node::Text(_) => {}
        }
        Ok(())
    })?;
    if !saw_root {
        return Err(ParseError::whole(
            "no <report> element: not a JaCoCo report",
        ));
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn reads_lines_of_source_files() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><!DOCTYPE report PUBLIC "-//JACOCO//DTD Report 1.1//EN" "report.dtd">
<report name="r"><group name="g"><package name="org/example">
<class name="org/example/A" sourcefilename="A.java"><method name="f" desc="()V" line="3"><counter type="LINE" missed="0" covered="1"/></method></class>
<sourcefile name="A.java">
<line nr="3" mi="0" ci="3" mb="0" cb="0"/>
<line nr="4" mi="2" ci="1" mb="1" cb="1"/>
<line nr="5" mi="4" ci="0" mb="2" cb="0"/>
<counter type="LINE" missed="1" covered="2"/>
</sourcefile></package></group>
<package name=""><sourcefile name="Top.java"><line nr="1" mi="0" ci="0" mb="0" cb="0"/></sourcefile></package></report>"#;
        let r = parse(xml).expect("valid");
        let f = &r.files["org/example/A.java"];
        assert_eq!(f.lines, BTreeMap::from([(3, 3), (4, 1), (5, 0)]));
        assert_eq!(
            f.branches[&4],
            Branches {
                covered: 1,
                total: 2
            }
        );
        assert_eq!(
            f.branches[&5],
            Branches {
                covered: 0,
                total: 2
            }
        );
        assert!(r.files["Top.java"].lines.is_empty());
    }

    #[test]
    fn malformed_reports_are_errors() {
        let err = parse("<report>\n<package name=\"p\"><sourcefile name=\"A.java\">\n<line nr=\"3\" mi=\"x\" ci=\"0\" mb=\"0\" cb=\"0\"/>\n</sourcefile></package></report>")
            .expect_err("bad mi");
        assert_eq!(err.line, Some(3), "{err}");
        assert!(err.message.contains("mi"), "{err}");
        let err = parse("<coverage/>").expect_err("cobertura");
        assert!(err.message.contains("not a JaCoCo report"), "{err}");
    }
}
