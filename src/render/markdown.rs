//! `summary.md`: the run for humans — the GitHub job summary, the PR comment and the file.
//!
//! Order follows what a reviewer asks first: did it pass (status line with counts and the
//! change in active findings), how are the scores moving (deltas vs the previous run), which
//! gates failed or warned, which findings matter most (at most 20, most severe first, linked
//! to `path#Lline`), which checks did not run and why; then, folded in a `<details>` block,
//! every pipeline's metrics (and its most complex functions) and how each score was computed.
//!
//! Size is bounded by construction, not by truncation after the fact: every list has a cap and
//! says how many more are in `report.json`, and every cell has a length cap, so even a run with
//! 100k findings stays far below GitHub's 1 MiB step-summary limit (a test proves it). Text from
//! findings is escaped for table cells (`|`, newlines) and for HTML (`<`, `&`), so a message
//! cannot break the table or inject markup.

use std::fmt::Write as _;

use anyhow::Result;

use crate::gate::fmt_num;
use crate::model::{
    CheckStatus, Finding, Gate, GateStatus, Hotspot, Location, Metric, Pipeline, PipelineStatus,
    RunReport, Score, Severity,
};

/// Findings listed in the top-findings table.
const TOP_FINDINGS: usize = 20;

/// Rows of a pipeline's hotspot table.
const HOTSPOT_CAP: usize = 10;

/// Rows of any other table: scores, gates, checks, metrics of one pipeline.
const ROW_CAP: usize = 30;

/// Scores whose breakdown is shown, and items shown per breakdown.
const BREAKDOWN_CAP: usize = 20;

/// Characters kept of a message or note in a table cell.
const CELL_CAP: usize = 200;

/// Characters kept of a name (rule, metric, gate, check) in a table cell.
const NAME_CAP: usize = 80;

/// Longest link target written; a longer (percent-encoded) path is shown without a link.
const LINK_CAP: usize = 300;

// Size budget: an escaped cell takes at most 5 bytes per character (`&` → `&amp;`), so a
// message cell is ≤ 1 KB and a name cell ≤ 0.4 KB. That bounds the scores (~15 KB), gates
// (~60 KB), top findings (~45 KB) and checks (~45 KB) tables, the metrics of at most five
// pipelines (~200 KB), their hotspots (10 rows of ≤ 1 KB each: ~50 KB) and 20 breakdowns of
// 20 items (~400 KB): under 850 KB in the worst case, whatever the size of the run. The 100k-findings test measures ~530 KB with every cell at its
// cap and full of `&`.

/// Render the summary as Markdown with a trailing newline.
pub fn render(report: &RunReport) -> Result<String> {
    let mut md = String::new();
    status(&mut md, report);
    scores(&mut md, report);
    gates(&mut md, report);
    top_findings(&mut md, report);
    checks(&mut md, report);
    details(&mut md, report);
    footer(&mut md, report);
    Ok(md)
}

/// `+3.5`, `−2` (U+2212) or `±0`: the change from `before` to `now`.
fn delta(now: f64, before: f64) -> String {
    let d = now - before;
    if d.abs() < 0.005 {
        "±0".to_owned()
    } else if d > 0.0 {
        format!("+{}", fmt_num(d))
    } else {
        format!("\u{2212}{}", fmt_num(-d))
    }
}

/// Text made safe for a table cell: `<` and `&` HTML-escaped (so no tag or entity can form),
/// `|` escaped, newlines as `<br>`, and cut to `cap` characters with an ellipsis.
fn cell(text: &str, cap: usize) -> String {
    let mut cut: String = text.chars().take(cap).collect();
    if text.chars().nth(cap).is_some() {
        cut.push('…');
    }
    let mut out = String::with_capacity(cut.len());
    for c in cut.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '|' => out.push_str("\\|"),
            '\n' => out.push_str("<br>"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// A name in a table cell, in a code span when it can be one safely.
fn code(name: &str) -> String {
    if name.contains(['`', '|', '\n', '\r']) || name.is_empty() {
        cell(name, NAME_CAP)
    } else {
        let mut cut: String = name.chars().take(NAME_CAP).collect();
        if name.chars().nth(NAME_CAP).is_some() {
            cut.push('…');
        }
        format!("`{cut}`")
    }
}

fn more(md: &mut String, shown: usize, total: usize, what: &str) {
    if total > shown {
        let _ = writeln!(md, "\n… {} more {what} in report.json", total - shown);
    }
}

fn status(md: &mut String, r: &RunReport) {
    let c = &r.counts;
    let _ = writeln!(md, "## vigil: {}\n", r.overall_status.as_str());
    let by_sev: Vec<String> = Severity::ALL_DESC
        .iter()
        .map(|s| {
            let n = c.by_severity.get(s.as_str()).copied().unwrap_or(0);
            format!("{n} {s}")
        })
        .collect();
    let change = r.previous.as_ref().map_or(String::new(), |p| {
        format!(
            "; {} vs previous",
            delta(c.active as f64, p.active_findings as f64)
        )
    });
    let skipped_gates = r
        .gates()
        .filter(|g| g.status == GateStatus::Skipped)
        .count();
    let _ = writeln!(
        md,
        "**Status: {}** · {} active finding{} ({}{change}) · {} suppressed · {} baselined · gates: {} passed, {} warned, {} failed, {skipped_gates} skipped",
        r.overall_status.as_str(),
        c.active,
        if c.active == 1 { "" } else { "s" },
        by_sev.join(", "),
        c.suppressed,
        c.baselined,
        c.gates_passed,
        c.gates_warned,
        c.gates_failed,
    );
    let mut facts = Vec::new();
    if let Some(commit) = &r.repo.commit {
        let short: String = commit.chars().take(7).collect();
        facts.push(format!("commit {}", code(&short)));
    }
    if let Some(b) = &r.repo.branch {
        facts.push(format!("branch {}", code(b)));
    }
    if r.repo.dirty {
        facts.push("uncommitted changes".to_owned());
    }
    facts.push(format!("run {}", code(&r.run_id)));
    if let Some(p) = &r.previous {
        facts.push(format!(
            "previous run {} was {}",
            code(&p.run_id),
            p.overall_status.as_str()
        ));
    }
    let _ = writeln!(md, "\n{}", facts.join(" · "));
}

fn scores(md: &mut String, r: &RunReport) {
    if r.scores.is_empty() {
        return;
    }
    md.push_str("\n### Scores\n\n| score | value | change vs previous |\n| --- | ---: | ---: |\n");
    for (name, s) in r.scores.iter().take(ROW_CAP) {
        let change = match &r.previous {
            None => "–".to_owned(),
            Some(p) => p
                .scores
                .get(name)
                .map_or_else(|| "new".to_owned(), |before| delta(s.value, *before)),
        };
        let _ = writeln!(md, "| {} | {} | {change} |", code(name), fmt_num(s.value));
    }
    more(md, ROW_CAP.min(r.scores.len()), r.scores.len(), "scores");
}

fn threshold(g: &Gate) -> String {
    format!(
        "{} {}",
        g.threshold.comparator.symbol(),
        fmt_num(g.threshold.value)
    )
}

fn gates(md: &mut String, r: &RunReport) {
    let mut breached: Vec<(&str, &Gate)> = r
        .pipelines
        .iter()
        .flat_map(|p| p.gates.iter().map(move |g| (p.pipeline.as_str(), g)))
        .filter(|(_, g)| matches!(g.status, GateStatus::Failed | GateStatus::Warned))
        .collect();
    // Failed before warned; report order within each.
    breached.sort_by_key(|(_, g)| g.status != GateStatus::Failed);
    md.push_str("\n### Gates failed or warned\n\n");
    if breached.is_empty() {
        md.push_str("None: every evaluated gate passed.\n");
        return;
    }
    md.push_str("| status | pipeline | gate | value | threshold | message |\n| --- | --- | --- | ---: | --- | --- |\n");
    for (pipeline, g) in breached.iter().take(ROW_CAP) {
        let word = if g.status == GateStatus::Failed {
            "FAILED"
        } else {
            "WARNED"
        };
        let _ = writeln!(
            md,
            "| {word} | {pipeline} | {} | {} | {} | {} |",
            code(&g.name),
            g.actual.map_or_else(|| "–".to_owned(), fmt_num),
            cell(&threshold(g), NAME_CAP),
            cell(&g.message, CELL_CAP)
        );
    }
    more(md, ROW_CAP.min(breached.len()), breached.len(), "gates");
}

fn location_link(f: &Finding) -> String {
    match &f.location {
        Some(l) => link(l),
        None => "(repository)".to_owned(),
    }
}

/// `path:line` linked to the file and line, relative to the summary.
fn link(l: &Location) -> String {
    let text = match l.start_line() {
        Some(n) => format!("{}:{n}", l.path),
        None => l.path.clone(),
    };
    let target = crate::render::sarif::encode_path(&l.path);
    let anchor = l.start_line().map_or(String::new(), |n| format!("#L{n}"));
    let text = cell(&text, NAME_CAP)
        .replace('[', "\\[")
        .replace(']', "\\]");
    if target.len() > LINK_CAP {
        text
    } else {
        format!("[{text}]({target}{anchor})")
    }
}

fn top_findings(md: &mut String, r: &RunReport) {
    let mut active: Vec<&Finding> = r.findings().filter(|f| f.is_active()).collect();
    md.push_str("\n### Top findings\n\n");
    if active.is_empty() {
        md.push_str("No active findings.\n");
        return;
    }
    // Stable: within a severity, report order (pipeline, then path, line, rule).
    active.sort_by_key(|f| std::cmp::Reverse(f.severity));
    let shown = active.len().min(TOP_FINDINGS);
    let _ = writeln!(
        md,
        "{shown} of {} active findings, most severe first.\n",
        active.len()
    );
    md.push_str("| severity | rule | location | message |\n| --- | --- | --- | --- |\n");
    for f in active.iter().take(TOP_FINDINGS) {
        let rule = match &f.tool {
            Some(t) if !f.rule_id.starts_with(&format!("{t}/")) => {
                format!("{} ({})", code(&f.rule_id), cell(t, NAME_CAP))
            }
            _ => code(&f.rule_id),
        };
        let _ = writeln!(
            md,
            "| {} | {rule} | {} | {} |",
            f.severity,
            location_link(f),
            cell(&f.message, CELL_CAP)
        );
    }
    more(md, shown, active.len(), "active findings");
}

fn checks(md: &mut String, r: &RunReport) {
    let mut rows: Vec<(&str, &crate::model::CheckRun)> = r
        .pipelines
        .iter()
        .flat_map(|p| p.checks.iter().map(move |c| (p.pipeline.as_str(), c)))
        .filter(|(_, c)| c.status != CheckStatus::Ran)
        .collect();
    // Errors first; report order otherwise.
    rows.sort_by_key(|(_, c)| c.status != CheckStatus::Error);
    if rows.is_empty() {
        return;
    }
    md.push_str("\n### Checks that errored or did not run\n\n| pipeline | check | status | note |\n| --- | --- | --- | --- |\n");
    for (pipeline, c) in rows.iter().take(ROW_CAP) {
        let word = match c.status {
            CheckStatus::Error => "ERROR",
            _ => "skipped",
        };
        let _ = writeln!(
            md,
            "| {pipeline} | {} | {word} | {} |",
            code(&c.id),
            cell(c.note.as_deref().unwrap_or(""), CELL_CAP)
        );
    }
    more(md, ROW_CAP.min(rows.len()), rows.len(), "checks");
}

fn metric_row(m: &Metric) -> String {
    let value = match m.unit.as_deref() {
        None | Some("" | "count" | "score") => fmt_num(m.value),
        Some("%") => format!("{}%", fmt_num(m.value)),
        Some(u) => format!("{} {u}", fmt_num(m.value)),
    };
    let (target, verdict) = match &m.target {
        None => ("–".to_owned(), "–"),
        Some(t) => (
            format!("{} {}", t.comparator.symbol(), fmt_num(t.value)),
            if t.comparator.holds(m.value, t.value) {
                "met"
            } else {
                "missed"
            },
        ),
    };
    format!(
        "| {} | {} | {} | {verdict} |",
        code(&m.name),
        cell(&value, NAME_CAP),
        cell(&target, NAME_CAP)
    )
}

fn breakdown(md: &mut String, name: &str, s: &Score) {
    let _ = writeln!(
        md,
        "\n#### {} = {}\n\n| points | reason |\n| ---: | --- |",
        cell(name, NAME_CAP),
        fmt_num(s.value)
    );
    for item in s.breakdown.iter().take(BREAKDOWN_CAP) {
        let points = if item.points < 0.0 {
            format!("\u{2212}{}", fmt_num(-item.points))
        } else if item.points > 0.0 {
            format!("+{}", fmt_num(item.points))
        } else {
            "0".to_owned()
        };
        let _ = writeln!(md, "| {points} | {} |", cell(&item.reason, CELL_CAP));
    }
    more(
        md,
        BREAKDOWN_CAP.min(s.breakdown.len()),
        s.breakdown.len(),
        "score items",
    );
}

fn pipeline_status(s: PipelineStatus) -> &'static str {
    match s {
        PipelineStatus::Passed => "passed",
        PipelineStatus::Warned => "warned",
        PipelineStatus::Failed => "failed",
        PipelineStatus::Error => "error",
    }
}

/// The most complex functions of a pipeline, as the check ranked them.
fn hotspots(md: &mut String, hotspots: &[Hotspot]) {
    if hotspots.is_empty() {
        return;
    }
    md.push_str("\nHotspots: the most complex functions.\n\n| function | location | language | cognitive | cyclomatic | lines | parameters |\n| --- | --- | --- | ---: | ---: | ---: | ---: |\n");
    for h in hotspots.iter().take(HOTSPOT_CAP) {
        let location = Location::line(h.path.as_str(), h.line);
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | {} |",
            code(&h.function),
            link(&location),
            cell(&h.language, NAME_CAP),
            h.cognitive,
            h.cyclomatic,
            h.length,
            h.parameters
        );
    }
    more(
        md,
        HOTSPOT_CAP.min(hotspots.len()),
        hotspots.len(),
        "hotspots",
    );
}

fn details(md: &mut String, r: &RunReport) {
    md.push_str(
        "\n<details>\n<summary>Metrics per pipeline and how each score was computed</summary>\n",
    );
    for p in r.pipelines.iter().take(Pipeline::ALL.len()) {
        let _ = writeln!(
            md,
            "\n#### {} ({}, {} ms)\n",
            p.pipeline,
            pipeline_status(p.status),
            p.duration_ms
        );
        if p.metrics.is_empty() {
            md.push_str("No metrics.\n");
        } else {
            md.push_str("| metric | value | target | |\n| --- | ---: | --- | --- |\n");
            for m in p.metrics.iter().take(ROW_CAP) {
                md.push_str(&metric_row(m));
                md.push('\n');
            }
            more(md, ROW_CAP.min(p.metrics.len()), p.metrics.len(), "metrics");
        }
        hotspots(md, &p.hotspots);
    }
    for (name, s) in r.scores.iter().take(BREAKDOWN_CAP) {
        breakdown(md, name, s);
    }
    more(
        md,
        BREAKDOWN_CAP.min(r.scores.len()),
        r.scores.len(),
        "score breakdowns",
    );
    md.push_str("\n</details>\n");
}

fn footer(md: &mut String, r: &RunReport) {
    let _ = writeln!(
        md,
        "\n---\nvigil {} · full results in `report.json`, code-scanning results in `results.sarif`, test view in `junit.xml` (next to this summary in the reports folder).",
        cell(&r.tool.version, NAME_CAP)
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::sample;

    #[test]
    fn sample_snapshot() {
        insta::assert_snapshot!(render(&sample::report()).expect("render"));
    }

    #[test]
    fn deltas_use_sign_and_true_minus() {
        assert_eq!(delta(69.0, 65.5), "+3.5");
        assert_eq!(delta(86.0, 88.0), "\u{2212}2");
        assert_eq!(delta(50.0, 50.001), "±0");
    }

    #[test]
    fn cells_cannot_break_tables_or_inject_markup() {
        assert_eq!(
            cell("a | b\nc <script> & d", 100),
            "a \\| b<br>c &lt;script> &amp; d"
        );
        assert_eq!(cell("ééééé", 3), "ééé…");
        assert_eq!(code("no-unused-vars"), "`no-unused-vars`");
        assert_eq!(code("a`b|c"), "a`b\\|c");
    }

    #[test]
    fn top_findings_are_most_severe_first_with_links() {
        let md = render(&sample::report()).expect("render");
        let rows: Vec<&str> = md
            .lines()
            .skip_while(|l| !l.starts_with("### Top findings"))
            .filter(|l| {
                l.starts_with("| ") && !l.starts_with("| severity") && !l.starts_with("| ---")
            })
            .take(7)
            .collect();
        let sev: Vec<&str> = rows
            .iter()
            .map(|r| r.split(" | ").next().unwrap_or("").trim_start_matches("| "))
            .collect();
        assert_eq!(
            sev,
            ["critical", "high", "medium", "medium", "low", "low", "info"]
        );
        assert!(md.contains("[src/net/retry.rs:42](src/net/retry.rs#L42)"));
        assert!(md.contains("[docs/design notes.md:4](docs/design%20notes.md#L4)"));
        assert!(
            !md.contains("off by one"),
            "suppressed findings are not listed"
        );
    }

    #[test]
    fn size_stays_under_the_step_summary_limit_with_100k_findings() {
        let mut report = sample::report();
        let long = "&".repeat(1_000);
        let template = report.pipelines[1].findings[2].clone();
        report.pipelines[1].findings = (0..100_000)
            .map(|i| {
                let mut f = template.clone();
                f.message = format!("{i} {long}");
                f.location = Some(crate::model::Location::line(
                    format!("src/{i}/{long}.rs"),
                    1,
                ));
                f
            })
            .collect();
        report.counts.active = 100_000;
        let gate = report.pipelines[0].gates[0].clone();
        let check = report.pipelines[3].checks[1].clone();
        let metric = report.pipelines[3].metrics[0].clone();
        for p in &mut report.pipelines {
            p.gates = (0..200)
                .map(|i| Gate {
                    name: format!("gate_{i}_{long}"),
                    message: long.clone(),
                    ..gate.clone()
                })
                .collect();
            p.checks = (0..200)
                .map(|i| crate::model::CheckRun {
                    id: format!("check-{i}"),
                    note: Some(long.clone()),
                    ..check.clone()
                })
                .collect();
            p.metrics = (0..200)
                .map(|i| Metric {
                    name: format!("metric_{i}_{long}"),
                    unit: Some(long.clone()),
                    ..metric.clone()
                })
                .collect();
        }
        let items: Vec<crate::model::ScoreItem> = (0..200)
            .map(|i| crate::model::ScoreItem {
                reason: format!("{i} {long}"),
                points: -1.0,
            })
            .collect();
        for i in 0..100 {
            report.scores.insert(
                format!("score_{i}_{long}"),
                Score {
                    value: 1.0,
                    breakdown: items.clone(),
                },
            );
        }
        let active = report.findings().filter(|f| f.is_active()).count();
        assert!(active > 100_000);
        let md = render(&report).expect("render");
        assert!(md.len() < 1024 * 1024, "{} bytes", md.len());
        assert!(md.contains(&format!(
            "… {} more active findings in report.json",
            active - TOP_FINDINGS
        )));
        assert!(md.contains("more gates in report.json"));
        assert!(md.contains("more score items in report.json"));
        assert!(md.contains("more score breakdowns in report.json"));
        assert!(md.contains("</details>"));
    }

    #[test]
    fn empty_report_says_so() {
        let mut report = sample::report();
        for p in &mut report.pipelines {
            p.findings.clear();
            p.gates.clear();
        }
        report.previous = None;
        let md = render(&report).expect("render");
        assert!(md.contains("No active findings."));
        assert!(md.contains("None: every evaluated gate passed."));
        assert!(md.contains("| `security_score` | 86 | – |"));
    }
}
