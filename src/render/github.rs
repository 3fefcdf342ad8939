//! GitHub Actions integration: job summary, step outputs and annotations.
//!
//! Called only when `GITHUB_ACTIONS=true` (the caller checks). It
//!
//! * appends the Markdown summary to the file named by `GITHUB_STEP_SUMMARY`, cut to stay under
//!   GitHub's 1 MiB per-step limit with a pointer to the full `summary.md`;
//! * appends step outputs to the file named by `GITHUB_OUTPUT`: `status`, `score` (the lowest
//!   score of the run, the one a gate is most likely to trip on) and one output per score,
//!   finding counts by severity, gate counts and the report paths; multi-line values use the
//!   `name<<DELIMITER` form;
//! * prints workflow commands on stdout: `::error` for the 10 worst active high or critical
//!   findings, `::warning` for the 10 worst medium or low ones (GitHub shows at most 10 of each
//!   per step), then one `::notice` counting the findings not annotated.
//!
//! Every value is escaped as the runner expects (`%`, CR and LF in messages; also `:` and `,` in
//! properties), so a finding message can never end a command early or start a new one.
//! `outputs` and `annotations` are pure; `emit` only does the I/O.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::commands::check::OutputPaths;
use crate::gate::fmt_num;
use crate::model::{Finding, RunReport, Severity};
use crate::output::Ui;

/// GitHub's limit on what one step may write to its job summary.
const STEP_SUMMARY_LIMIT: usize = 1024 * 1024;

/// Annotations of each level GitHub displays per step.
const ANNOTATIONS_PER_LEVEL: usize = 10;

/// Append the summary, write outputs and print annotations.
pub fn emit(report: &RunReport, summary: &str, paths: &OutputPaths, ui: &Ui) -> Result<()> {
    write_files(
        env_file("GITHUB_STEP_SUMMARY").as_deref(),
        env_file("GITHUB_OUTPUT").as_deref(),
        report,
        summary,
        paths,
    )?;
    for line in annotations(report) {
        ui.data(&format!("{line}\n"));
    }
    Ok(())
}

/// Append the summary and the outputs to the runner's files, when it named them.
fn write_files(
    step_summary_file: Option<&Path>,
    output_file: Option<&Path>,
    report: &RunReport,
    summary: &str,
    paths: &OutputPaths,
) -> Result<()> {
    if let Some(file) = step_summary_file {
        append(file, &step_summary(summary, STEP_SUMMARY_LIMIT))?;
    }
    if let Some(file) = output_file {
        append(file, &outputs(report, paths))?;
    }
    Ok(())
}

fn env_file(name: &str) -> Option<PathBuf> {
    std::env::var_os(name)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

fn append(path: &Path, text: &str) -> Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("{}: cannot open the GitHub Actions file", path.display()))?;
    f.write_all(text.as_bytes()).with_context(|| {
        format!(
            "{}: cannot append to the GitHub Actions file",
            path.display()
        )
    })
}

/// The summary as appended to the job summary: unchanged when it fits in `limit` bytes, else
/// cut at a line boundary, any open `<details>` closed, and a pointer to the full file added.
fn step_summary(summary: &str, limit: usize) -> String {
    let mut text = summary.to_owned();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    if text.len() <= limit {
        return text;
    }
    const POINTER: &str = "\n</details>\n\n**Summary cut to fit GitHub's 1 MiB job-summary limit.** \
        The full summary is `summary.md` and every finding is in `report.json`, in the reports \
        folder or the workflow's uploaded artifact.\n";
    let mut cut = limit.saturating_sub(POINTER.len());
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let end = text[..cut].rfind('\n').map_or(0, |i| i + 1);
    text.truncate(end);
    let open = text.matches("<details>").count() > text.matches("</details>").count();
    if open {
        text.push_str(POINTER);
    } else {
        text.push_str(&POINTER["\n</details>".len()..]);
    }
    text
}

/// A step output line; values with a line break use the heredoc form with a delimiter that does
/// not occur in the value.
fn output(name: &str, value: &str) -> String {
    let name: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if !value.contains(['\n', '\r']) {
        return format!("{name}={value}\n");
    }
    let mut delimiter = "VIGIL_EOF".to_owned();
    let mut n = 0;
    while value.contains(&delimiter) {
        n += 1;
        delimiter = format!("VIGIL_EOF_{n}");
    }
    format!("{name}<<{delimiter}\n{value}\n{delimiter}\n")
}

/// The `GITHUB_OUTPUT` lines of a run.
fn outputs(report: &RunReport, paths: &OutputPaths) -> String {
    let c = &report.counts;
    let mut out = output("status", report.overall_status.as_str());
    let lowest = report
        .scores
        .values()
        .map(|s| s.value)
        .min_by(f64::total_cmp);
    if let Some(v) = lowest {
        out.push_str(&output("score", &fmt_num(v)));
    }
    for (name, s) in &report.scores {
        out.push_str(&output(name, &fmt_num(s.value)));
    }
    out.push_str(&output("findings", &c.active.to_string()));
    for sev in Severity::ALL_DESC {
        let n = c.by_severity.get(sev.as_str()).copied().unwrap_or(0);
        out.push_str(&output(sev.as_str(), &n.to_string()));
    }
    out.push_str(&output("suppressed", &c.suppressed.to_string()));
    out.push_str(&output("baselined", &c.baselined.to_string()));
    out.push_str(&output("gates_failed", &c.gates_failed.to_string()));
    out.push_str(&output("gates_warned", &c.gates_warned.to_string()));
    for (name, path) in [
        ("report_json", &paths.report),
        ("sarif", &paths.sarif),
        ("junit", &paths.junit),
        ("summary", &paths.summary),
    ] {
        out.push_str(&output(name, &path.to_string_lossy()));
    }
    out
}

/// Escape a workflow-command message.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a workflow-command property value.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn command(level: &str, f: &Finding) -> String {
    let mut props = Vec::new();
    if let Some(l) = &f.location {
        props.push(format!("file={}", escape_property(&l.path)));
        if let Some(r) = &l.region {
            props.push(format!("line={}", r.start_line.max(1)));
            if let Some(e) = r.end_line {
                props.push(format!("endLine={e}"));
            }
            if let Some(c) = r.start_column {
                props.push(format!("col={c}"));
            }
            if let Some(c) = r.end_column {
                props.push(format!("endColumn={c}"));
            }
        }
    }
    // Imported rule ids usually carry their tool already (`eslint/no-unused-vars`).
    let title = match &f.tool {
        Some(t) if !f.rule_id.starts_with(&format!("{t}/")) => {
            format!("{} ({t}, {})", f.rule_id, f.severity)
        }
        _ => format!("{} ({})", f.rule_id, f.severity),
    };
    props.push(format!("title={}", escape_property(&title)));
    let mut message = f.message.clone();
    if let Some(h) = &f.help {
        message.push_str("\n\nHow to fix: ");
        message.push_str(h);
    }
    format!("::{level} {}::{}", props.join(","), escape_data(&message))
}

/// Workflow commands for the worst active findings, then a notice counting the rest.
fn annotations(report: &RunReport) -> Vec<String> {
    let mut active: Vec<&Finding> = report.findings().filter(|f| f.is_active()).collect();
    // Stable: within a severity, report order (pipeline, path, line, rule).
    active.sort_by_key(|f| std::cmp::Reverse(f.severity));
    let errors: Vec<&Finding> = active
        .iter()
        .copied()
        .filter(|f| f.severity >= Severity::High)
        .collect();
    let warnings: Vec<&Finding> = active
        .iter()
        .copied()
        .filter(|f| matches!(f.severity, Severity::Medium | Severity::Low))
        .collect();
    let mut lines: Vec<String> = errors
        .iter()
        .take(ANNOTATIONS_PER_LEVEL)
        .map(|f| command("error", f))
        .collect();
    lines.extend(
        warnings
            .iter()
            .take(ANNOTATIONS_PER_LEVEL)
            .map(|f| command("warning", f)),
    );
    let more_errors = errors.len().saturating_sub(ANNOTATIONS_PER_LEVEL);
    let more_warnings = warnings.len().saturating_sub(ANNOTATIONS_PER_LEVEL);
    let info = active.len() - errors.len() - warnings.len();
    let rest = more_errors + more_warnings + info;
    if rest > 0 {
        let mut parts = Vec::new();
        if more_errors > 0 {
            parts.push(format!("{more_errors} high or critical"));
        }
        if more_warnings > 0 {
            parts.push(format!("{more_warnings} medium or low"));
        }
        if info > 0 {
            parts.push(format!("{info} info, which is never annotated"));
        }
        let message = format!(
            "{rest} active finding{} not annotated ({}); GitHub shows at most \
             {ANNOTATIONS_PER_LEVEL} errors and {ANNOTATIONS_PER_LEVEL} warnings per step. \
             See the job summary and report.json.",
            if rest == 1 { " was" } else { "s were" },
            parts.join(", ")
        );
        lines.push(format!("::notice title=vigil::{}", escape_data(&message)));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Location;
    use crate::render::sample;

    #[test]
    fn sample_annotations() {
        let lines = annotations(&sample::report());
        insta::assert_snapshot!(lines.join("\n"));
    }

    #[test]
    fn sample_outputs() {
        let paths = OutputPaths::new(Path::new("reports"));
        insta::assert_snapshot!(outputs(&sample::report(), &paths));
    }

    #[test]
    fn escaping_follows_the_runner_rules() {
        assert_eq!(escape_data("50% done\r\nnext"), "50%25 done%0D%0Anext");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
        let mut f = sample::report().pipelines[1].findings[3].clone();
        f.location = Some(Location::line("src/a,b:c.rs", 3));
        f.message = "line one\n::error::injected".into();
        f.help = None;
        let cmd = command("warning", &f);
        assert_eq!(
            cmd,
            "::warning file=src/a%2Cb%3Ac.rs,line=3,title=fixme-marker (low)::line one%0A::error::injected"
        );
        assert_eq!(
            cmd.lines().count(),
            1,
            "a message cannot start a new command"
        );
    }

    #[test]
    fn ten_errors_ten_warnings_then_a_notice() {
        let mut report = sample::report();
        let template = report.pipelines[1].findings[2].clone();
        let mut findings = Vec::new();
        for (sev, n) in [
            (Severity::Critical, 4),
            (Severity::High, 9),
            (Severity::Medium, 7),
            (Severity::Low, 8),
            (Severity::Info, 3),
        ] {
            for i in 0..n {
                let mut f = template.clone();
                f.severity = sev;
                f.message = format!("{sev} {i}");
                findings.push(f);
            }
        }
        report.pipelines = vec![report.pipelines[1].clone()];
        report.pipelines[0].findings = findings;
        let lines = annotations(&report);
        let count = |p: &str| lines.iter().filter(|l| l.starts_with(p)).count();
        assert_eq!(count("::error "), 10);
        assert_eq!(count("::warning "), 10);
        assert_eq!(count("::notice "), 1);
        // The worst come first: all 4 critical before any high.
        assert!(lines[..4].iter().all(|l| l.contains("(critical)")));
        assert!(lines[10..17].iter().all(|l| l.contains("(medium)")));
        let notice = lines.last().expect("notice");
        assert!(
            notice.contains(
                "11 active findings were not annotated (3 high or critical, 5 medium or low, \
                 3 info, which is never annotated)"
            ),
            "{notice}"
        );
    }

    #[test]
    fn no_notice_when_everything_is_annotated() {
        let mut report = sample::report();
        for p in &mut report.pipelines {
            p.findings.retain(|f| f.severity != Severity::Info);
        }
        let lines = annotations(&report);
        assert!(lines.iter().all(|l| !l.starts_with("::notice")));
        assert_eq!(lines.len(), 6);
    }

    #[test]
    fn multi_line_outputs_use_a_safe_heredoc() {
        assert_eq!(output("score", "86"), "score=86\n");
        assert_eq!(output("p", "a\nb"), "p<<VIGIL_EOF\na\nb\nVIGIL_EOF\n");
        assert_eq!(
            output("p", "a\nVIGIL_EOF\nb"),
            "p<<VIGIL_EOF_1\na\nVIGIL_EOF\nb\nVIGIL_EOF_1\n"
        );
        assert_eq!(output("odd name!", "1"), "odd_name_=1\n");
    }

    #[test]
    fn step_summary_is_cut_under_the_limit() {
        let small = "# ok\n";
        assert_eq!(step_summary(small, 1000), small);
        let big = format!("# big\n<details>\n{}", "row ü\n".repeat(10_000));
        let cut = step_summary(&big, 4096);
        assert!(cut.len() <= 4096, "{}", cut.len());
        assert!(cut.contains("</details>"));
        assert!(cut.ends_with("in the reports folder or the workflow's uploaded artifact.\n"));
        let body = &cut[..cut.find("\n</details>").expect("closed details")];
        assert!(
            body.lines()
                .all(|l| matches!(l, "# big" | "<details>" | "row ü")),
            "cut mid-line"
        );
    }

    #[test]
    fn files_are_appended_not_replaced() {
        let dir = tempfile::tempdir().expect("tempdir");
        let summary_file = dir.path().join("summary");
        let output_file = dir.path().join("output");
        std::fs::write(&output_file, "earlier=1\n").expect("seed");
        let paths = OutputPaths::new(Path::new("reports"));
        let report = sample::report();
        write_files(
            Some(&summary_file),
            Some(&output_file),
            &report,
            "## summary",
            &paths,
        )
        .expect("write");
        write_files(Some(&summary_file), None, &report, "## again\n", &paths).expect("write");
        assert_eq!(
            std::fs::read_to_string(&summary_file).expect("summary"),
            "## summary\n## again\n"
        );
        let out = std::fs::read_to_string(&output_file).expect("output");
        assert!(
            out.starts_with("earlier=1\nstatus=CRITICAL\nscore=69\n"),
            "{out}"
        );
        assert!(out.contains("\nreport_json=reports/latest/report.json\n"));
        let missing = dir.path().join("no/such/dir/file");
        let err = write_files(Some(&missing), None, &report, "x", &paths).expect_err("fails");
        assert!(format!("{err:#}").contains("no/such/dir/file"), "{err:#}");
    }
}
