//! Regressions: each benchmark against its baseline, by Welch's t-test and a threshold.
//!
//! **Baseline.** Run history (`<output dir>/runs/*.json`) keeps every metric of every run,
//! among them each benchmark's mean, standard deviation and sample count — enough for Welch's
//! t-test, which needs no raw samples. The baseline of a benchmark is, in order:
//!
//! 1. for a change under review (`--diff-base`, or a GitHub pull request), the latest run of
//!    the merge-base commit of the base and `HEAD`;
//! 2. otherwise the latest earlier run on the current branch; failing that (and for a change
//!    whose merge-base has no run) the latest run on the default branch;
//! 3. otherwise the baseline the tool saved itself (criterion's `criterion_baseline`).
//!
//! Only runs that measured the benchmark count. When none is found, or either side has fewer
//! than `min_samples` samples, the benchmark is reported as having **insufficient history**:
//! no regression is guessed, and when no benchmark could be compared the `regression_pct` gate
//! is skipped rather than passed.
//!
//! **Decision.** The change is the relative difference of the means, signed so that a positive
//! slowdown is worse (for "bigger is better" units a drop). The benchmark **breaches** when the
//! two-sided p-value is below `alpha` *and* the slowdown exceeds the `regression_pct` gate's
//! threshold. With `confirmations: N`, a breach becomes a reported regression only when the
//! N − 1 runs before it on the branch breached too; while a streak builds, the baseline stays
//! on the last run before the streak (up to N − 1 breaching runs are skipped), so a lasting
//! slowdown keeps breaching until it is confirmed, and becomes the new normal after that.
//! Each run records `breach` (1 or 0) per benchmark for the next runs to count.
//!
//! **Gate metric.** `performance.regression_pct` is the largest slowdown that counts: a
//! significant change that is either within the threshold or a confirmed breach. Changes that
//! are not significant count as 0, as do unconfirmed breaches (they are noted).

use crate::history::RunMetrics;
use crate::pipelines::performance::stats::{Summary, welch};
use crate::pipelines::performance::{MetricNames, Series};

/// Settings of the decision.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Settings {
    /// Significance level.
    pub(crate) alpha: f64,
    /// Least samples on each side.
    pub(crate) min_samples: usize,
    /// Consecutive breaching runs needed.
    pub(crate) confirmations: u32,
    /// Slowdown in % above which a significant change breaches.
    pub(crate) threshold_pct: f64,
}

/// What the baseline of a comparison is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BaselineKind {
    /// The run of the merge-base commit.
    MergeBase(String),
    /// The latest run on the default branch.
    DefaultBranch(String),
    /// An earlier run on the current branch.
    PreviousRun,
    /// A baseline saved by the benchmark tool (criterion), by name.
    Tool(String),
}

/// The baseline numbers a comparison used.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Baseline {
    /// Where they come from.
    pub(crate) kind: BaselineKind,
    /// The history run, when from history.
    pub(crate) run_id: Option<String>,
    /// Mean.
    pub(crate) mean: f64,
    /// Standard deviation.
    pub(crate) stddev: f64,
    /// Sample count.
    pub(crate) n: usize,
    /// Median, when known.
    pub(crate) median: Option<f64>,
}

impl Baseline {
    /// Human description, e.g. `the run 2026…-abc1234 of merge-base abc1234`.
    pub(crate) fn describe(&self) -> String {
        let run = self.run_id.as_deref().unwrap_or("?");
        match &self.kind {
            BaselineKind::MergeBase(c) => format!("run {run} of the merge-base {c}"),
            BaselineKind::DefaultBranch(b) => format!("the latest run on {b} ({run})"),
            BaselineKind::PreviousRun => format!("the earlier run {run}"),
            BaselineKind::Tool(name) => format!("criterion's saved baseline `{name}`"),
        }
    }
}

/// The comparison of one benchmark with its baseline.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Judgement {
    /// The baseline used.
    pub(crate) baseline: Baseline,
    /// Relative change of the mean, % (positive: the number grew).
    pub(crate) change_pct: f64,
    /// Change in the worse direction, % (positive: worse).
    pub(crate) slowdown_pct: f64,
    /// Two-sided p-value of Welch's t-test.
    pub(crate) p_value: f64,
    /// p-value below alpha.
    pub(crate) significant: bool,
    /// Significant and slower than the threshold.
    pub(crate) breach: bool,
    /// Breaching runs right before this one on the branch.
    pub(crate) streak: u32,
    /// A breach confirmed by enough consecutive breaches.
    pub(crate) confirmed: bool,
}

impl Judgement {
    /// Slowdown that counts toward `performance.regression_pct` (0 when it does not count).
    pub(crate) fn counted_slowdown(&self) -> f64 {
        if self.significant && (!self.breach || self.confirmed) {
            self.slowdown_pct.max(0.0)
        } else {
            0.0
        }
    }
}

/// Outcome of judging one benchmark.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Verdict {
    /// Compared with a baseline.
    Judged(Judgement),
    /// Not compared, and why.
    Insufficient(String),
}

/// What history and git say about where this run stands.
#[derive(Debug, Clone, Default)]
pub(crate) struct Lineage<'a> {
    /// Earlier runs, oldest first.
    pub(crate) records: &'a [RunMetrics],
    /// Current branch, when known.
    pub(crate) branch: Option<String>,
    /// Merge-base commit of the change under review, when there is one.
    pub(crate) merge_base: Option<String>,
    /// The default branch, when known.
    pub(crate) default_branch: Option<String>,
    /// Name of the tool's saved baseline (criterion).
    pub(crate) tool_baseline: String,
}

/// The numbers of one benchmark in one history record.
struct Recorded<'r> {
    record: &'r RunMetrics,
    mean: f64,
    stddev: f64,
    n: usize,
    median: Option<f64>,
    breach: bool,
}

fn recorded<'r>(record: &'r RunMetrics, names: &MetricNames) -> Option<Recorded<'r>> {
    let m = &record.metrics;
    let n = *m.get(&names.plain("samples"))?;
    Some(Recorded {
        record,
        mean: *m.get(&names.stat("mean"))?,
        stddev: *m.get(&names.stat("stddev"))?,
        n: if n.is_finite() && n >= 0.0 {
            n as usize
        } else {
            0
        },
        median: m.get(&names.stat("p50")).copied(),
        breach: m.get(&names.plain("breach")).is_some_and(|b| *b >= 1.0),
    })
}

fn from_history(r: &Recorded<'_>, kind: BaselineKind) -> Baseline {
    Baseline {
        kind,
        run_id: Some(r.record.run_id.clone()),
        mean: r.mean,
        stddev: r.stddev,
        n: r.n,
        median: r.median,
    }
}

/// Compare `series` with its baseline.
pub(crate) fn judge(
    series: &Series,
    names: &MetricNames,
    lineage: &Lineage<'_>,
    settings: &Settings,
) -> Verdict {
    let Some(current) = series.summary else {
        return Verdict::Insufficient("no successful run to compare".to_owned());
    };
    let measured: Vec<Recorded<'_>> = lineage
        .records
        .iter()
        .rev()
        .filter_map(|r| recorded(r, names))
        .collect();
    let on = |r: &Recorded<'_>, branch: &str| r.record.repo.branch.as_deref() == Some(branch);
    let this_branch: Vec<&Recorded<'_>> = match &lineage.branch {
        Some(b) => measured.iter().filter(|r| on(r, b)).collect(),
        None => measured.iter().collect(),
    };
    let streak = this_branch.iter().take_while(|r| r.breach).count();
    let skip = streak.min(settings.confirmations.saturating_sub(1) as usize);
    let latest_on = |branch: &str| -> Option<Baseline> {
        let runs: Vec<&Recorded<'_>> = measured.iter().filter(|r| on(r, branch)).collect();
        let lead = runs.iter().take_while(|r| r.breach).count();
        let skip = lead.min(settings.confirmations.saturating_sub(1) as usize);
        runs.get(skip)
            .map(|r| from_history(r, BaselineKind::DefaultBranch(branch.to_owned())))
    };
    let default_other = lineage
        .default_branch
        .as_deref()
        .filter(|d| lineage.branch.as_deref() != Some(*d));
    let baseline = match &lineage.merge_base {
        Some(mb) => measured
            .iter()
            .find(|r| r.record.repo.commit.as_deref() == Some(mb.as_str()))
            .map(|r| from_history(r, BaselineKind::MergeBase(short(mb))))
            .or_else(|| lineage.default_branch.as_deref().and_then(latest_on)),
        None => this_branch
            .get(skip)
            .map(|r| from_history(r, BaselineKind::PreviousRun))
            .or_else(|| default_other.and_then(latest_on)),
    }
    .or_else(|| {
        series.tool_baseline.map(|t| Baseline {
            kind: BaselineKind::Tool(lineage.tool_baseline.clone()),
            run_id: None,
            mean: t.mean,
            stddev: t.stddev.unwrap_or(0.0),
            n: t.n,
            median: t.median,
        })
    });
    let Some(baseline) = baseline else {
        return Verdict::Insufficient("no earlier run measured it".to_owned());
    };
    compare(
        current,
        baseline,
        streak,
        series.unit.bigger_is_better(),
        settings,
    )
}

fn compare(
    current: Summary,
    baseline: Baseline,
    streak: usize,
    bigger_is_better: bool,
    settings: &Settings,
) -> Verdict {
    let min = settings.min_samples;
    if current.n < min || baseline.n < min {
        let count = |n: usize| {
            if n == 0 {
                "an unknown number of".to_owned()
            } else {
                n.to_string()
            }
        };
        return Verdict::Insufficient(format!(
            "{} samples now and {} in {}, fewer than min_samples ({min})",
            count(current.n),
            count(baseline.n),
            baseline.describe()
        ));
    }
    if baseline.mean <= 0.0 || !baseline.mean.is_finite() {
        return Verdict::Insufficient(format!(
            "the mean of {} is not a positive number",
            baseline.describe()
        ));
    }
    let Some(sd) = current.stddev else {
        return Verdict::Insufficient("the spread of this run's samples is unknown".to_owned());
    };
    let Some(test) = welch(
        (current.mean, sd, current.n),
        (baseline.mean, baseline.stddev, baseline.n),
    ) else {
        return Verdict::Insufficient("too few samples for a test".to_owned());
    };
    let change_pct = 100.0 * (current.mean - baseline.mean) / baseline.mean;
    let slowdown_pct = if bigger_is_better {
        -change_pct
    } else {
        change_pct
    };
    let significant = test.p < settings.alpha;
    let breach = significant && slowdown_pct > settings.threshold_pct;
    let streak = u32::try_from(streak).unwrap_or(u32::MAX);
    Verdict::Judged(Judgement {
        baseline,
        change_pct,
        slowdown_pct,
        p_value: test.p,
        significant,
        breach,
        streak,
        confirmed: breach && streak.saturating_add(1) >= settings.confirmations,
    })
}

fn short(commit: &str) -> String {
    commit[..commit.len().min(7)].to_owned()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::model::RepoInfo;
    use crate::pipelines::performance::{Source, Unit};

    const SETTINGS: Settings = Settings {
        alpha: 0.05,
        min_samples: 5,
        confirmations: 1,
        threshold_pct: 10.0,
    };

    fn names() -> MetricNames {
        MetricNames::new("parse", &Unit::Millis)
    }

    fn record(id: &str, branch: &str, commit: &str, mean: f64, breach: Option<bool>) -> RunMetrics {
        let n = names();
        let mut metrics = BTreeMap::new();
        metrics.insert(n.stat("mean"), mean);
        metrics.insert(n.stat("stddev"), 1.0);
        metrics.insert(n.stat("p50"), mean);
        metrics.insert(n.plain("samples"), 20.0);
        if let Some(b) = breach {
            metrics.insert(n.plain("breach"), if b { 1.0 } else { 0.0 });
        }
        RunMetrics {
            run_id: id.into(),
            repo: RepoInfo {
                commit: Some(commit.into()),
                branch: Some(branch.into()),
                dirty: false,
            },
            metrics,
        }
    }

    fn series(mean: f64) -> Series {
        let mut s = Series::new("parse".into(), Source::Configured, "x".into(), Unit::Millis);
        s.summary = Some(Summary {
            n: 20,
            mean,
            stddev: Some(1.0),
            ..Summary::single(mean)
        });
        s
    }

    fn lineage<'a>(records: &'a [RunMetrics], branch: &str) -> Lineage<'a> {
        Lineage {
            records,
            branch: Some(branch.into()),
            merge_base: None,
            default_branch: Some("main".into()),
            tool_baseline: "base".into(),
        }
    }

    fn judged(v: Verdict) -> Judgement {
        match v {
            Verdict::Judged(j) => j,
            Verdict::Insufficient(why) => panic!("not judged: {why}"),
        }
    }

    #[test]
    fn previous_run_on_the_branch_is_the_baseline() {
        let records = [
            record("r1", "main", "a", 100.0, Some(false)),
            record("r2", "feature", "b", 50.0, Some(false)),
            record("r3", "main", "c", 100.0, Some(false)),
        ];
        let j = judged(judge(
            &series(130.0),
            &names(),
            &lineage(&records, "main"),
            &SETTINGS,
        ));
        assert_eq!(j.baseline.run_id.as_deref(), Some("r3"));
        assert_eq!(j.baseline.kind, BaselineKind::PreviousRun);
        assert!((j.change_pct - 30.0).abs() < 1e-9);
        assert!(j.significant && j.breach && j.confirmed);
        assert!((j.counted_slowdown() - 30.0).abs() < 1e-9);
        // A 1 % change is significant here (tiny spread) but within the threshold.
        let j = judged(judge(
            &series(101.0),
            &names(),
            &lineage(&records, "main"),
            &SETTINGS,
        ));
        assert!(j.significant && !j.breach);
        assert!((j.counted_slowdown() - 1.0).abs() < 1e-9);
        // Faster is never a slowdown.
        let j = judged(judge(
            &series(80.0),
            &names(),
            &lineage(&records, "main"),
            &SETTINGS,
        ));
        assert_eq!(j.counted_slowdown(), 0.0);
    }

    #[test]
    fn merge_base_run_wins_for_a_change_under_review() {
        let records = [
            record("r1", "main", "base-commit", 100.0, None),
            record("r2", "main", "later", 200.0, None),
        ];
        let mut l = lineage(&records, "feature");
        l.merge_base = Some("base-commit".into());
        let j = judged(judge(&series(101.0), &names(), &l, &SETTINGS));
        assert_eq!(j.baseline.run_id.as_deref(), Some("r1"));
        assert_eq!(j.baseline.kind, BaselineKind::MergeBase("base-co".into()));
        // Without a run of the merge-base, the default branch's latest run.
        l.merge_base = Some("unknown".into());
        let j = judged(judge(&series(101.0), &names(), &l, &SETTINGS));
        assert_eq!(j.baseline.run_id.as_deref(), Some("r2"));
        assert_eq!(j.baseline.kind, BaselineKind::DefaultBranch("main".into()));
    }

    #[test]
    fn no_history_and_too_few_samples_are_insufficient() {
        let v = judge(&series(100.0), &names(), &lineage(&[], "main"), &SETTINGS);
        assert_eq!(
            v,
            Verdict::Insufficient("no earlier run measured it".into())
        );
        let mut few = series(100.0);
        few.summary = Some(Summary {
            n: 3,
            ..few.summary.expect("summary")
        });
        let records = [record("r1", "main", "a", 100.0, None)];
        let Verdict::Insufficient(why) =
            judge(&few, &names(), &lineage(&records, "main"), &SETTINGS)
        else {
            panic!("judged with 3 samples");
        };
        assert!(why.contains("fewer than min_samples (5)"), "{why}");
    }

    #[test]
    fn tool_baseline_is_the_last_resort() {
        let mut s = series(130.0);
        s.tool_baseline = Some(Summary {
            n: 20,
            stddev: Some(1.0),
            ..Summary::single(100.0)
        });
        let j = judged(judge(&s, &names(), &lineage(&[], "main"), &SETTINGS));
        assert_eq!(j.baseline.kind, BaselineKind::Tool("base".into()));
        assert!(j.breach);
    }

    #[test]
    fn confirmation_needs_consecutive_breaches_and_keeps_the_good_baseline() {
        let settings = Settings {
            confirmations: 2,
            ..SETTINGS
        };
        // First slow run: breach 1 of 2, not counted.
        let records = [record("good", "main", "a", 100.0, Some(false))];
        let j = judged(judge(
            &series(130.0),
            &names(),
            &lineage(&records, "main"),
            &settings,
        ));
        assert!(j.breach && !j.confirmed);
        assert_eq!(j.counted_slowdown(), 0.0);
        // Second slow run: the breaching run is skipped, the good one stays the baseline.
        let records = [
            record("good", "main", "a", 100.0, Some(false)),
            record("slow1", "main", "b", 130.0, Some(true)),
        ];
        let j = judged(judge(
            &series(130.0),
            &names(),
            &lineage(&records, "main"),
            &settings,
        ));
        assert_eq!(j.baseline.run_id.as_deref(), Some("good"));
        assert_eq!(j.streak, 1);
        assert!(j.confirmed);
        assert!((j.counted_slowdown() - 30.0).abs() < 1e-9);
        // Third: only N − 1 breaching runs are skipped, so the slow level is the new normal.
        let records = [
            record("good", "main", "a", 100.0, Some(false)),
            record("slow1", "main", "b", 130.0, Some(true)),
            record("slow2", "main", "c", 130.0, Some(true)),
        ];
        let j = judged(judge(
            &series(130.0),
            &names(),
            &lineage(&records, "main"),
            &settings,
        ));
        assert_eq!(j.baseline.run_id.as_deref(), Some("slow1"));
        assert!(!j.breach);
    }

    #[test]
    fn bigger_is_better_units_regress_when_they_drop() {
        let unit = Unit::Other {
            name: "ops/s".into(),
            bigger_is_better: true,
        };
        let n = MetricNames::new("parse", &unit);
        let mut r = record("r1", "main", "a", 0.0, None);
        r.metrics = BTreeMap::from([
            (n.stat("mean"), 1000.0),
            (n.stat("stddev"), 5.0),
            (n.plain("samples"), 10.0),
        ]);
        let mut s = Series::new("parse".into(), Source::Custom, "x".into(), unit);
        s.summary = Some(Summary {
            n: 10,
            stddev: Some(5.0),
            ..Summary::single(700.0)
        });
        let records = [r];
        let j = judged(judge(&s, &n, &lineage(&records, "main"), &SETTINGS));
        assert!((j.change_pct + 30.0).abs() < 1e-9);
        assert!((j.slowdown_pct - 30.0).abs() < 1e-9);
        assert!(j.breach);
    }
}
