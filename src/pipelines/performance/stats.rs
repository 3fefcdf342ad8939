//! The statistics of the performance pipeline: summaries of samples and Welch's t-test.
//!
//! * **Percentiles** use linear interpolation between the closest ranks (Hyndman & Fan type 7,
//!   the default of NumPy, R and spreadsheets' `PERCENTILE.INC`): for `p` in 0..=100 over `n`
//!   sorted values, the rank is `h = (n − 1) · p / 100` and the result is
//!   `x[⌊h⌋] + (h − ⌊h⌋) · (x[⌊h⌋ + 1] − x[⌊h⌋])`. P50 is therefore the usual median.
//! * **Standard deviation** is the sample standard deviation (divisor `n − 1`); 0 for one value.
//! * **MAD** is the raw median absolute deviation from the median (not scaled by 1.4826).
//! * **Welch's t-test** compares two means without assuming equal variances, from summary
//!   statistics alone (mean, standard deviation, count), which is all run history keeps. The
//!   p-value is two-sided, from Student's t distribution with the Welch–Satterthwaite degrees of
//!   freedom, through the regularized incomplete beta function (continued fraction, as in
//!   Numerical Recipes §6.4). Reference values in the tests come from SciPy 1.17
//!   (`scipy.stats.ttest_ind(..., equal_var=False)`, `ttest_ind_from_stats`, `t.sf`).

/// Summary of a set of samples (or what a tool reported when it kept no samples).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Summary {
    /// Number of samples.
    pub(crate) n: usize,
    /// Arithmetic mean.
    pub(crate) mean: f64,
    /// Sample standard deviation; `None` when unknown.
    pub(crate) stddev: Option<f64>,
    /// Median; `None` when unknown.
    pub(crate) median: Option<f64>,
    /// Smallest value, when known.
    pub(crate) min: Option<f64>,
    /// Largest value, when known.
    pub(crate) max: Option<f64>,
    /// 95th percentile, when samples are known.
    pub(crate) p95: Option<f64>,
    /// 99th percentile, when samples are known.
    pub(crate) p99: Option<f64>,
    /// Median absolute deviation, when samples are known.
    pub(crate) mad: Option<f64>,
}

impl Summary {
    /// Summary of `samples`; `None` when there are none or one is not finite.
    pub(crate) fn of(samples: &[f64]) -> Option<Self> {
        if samples.is_empty() || samples.iter().any(|v| !v.is_finite()) {
            return None;
        }
        let mut sorted = samples.to_vec();
        sorted.sort_by(f64::total_cmp);
        let median = percentile_sorted(&sorted, 50.0);
        let mut deviations: Vec<f64> = sorted.iter().map(|v| (v - median).abs()).collect();
        deviations.sort_by(f64::total_cmp);
        Some(Self {
            n: sorted.len(),
            mean: mean(&sorted),
            stddev: Some(stddev(&sorted)),
            median: Some(median),
            min: sorted.first().copied(),
            max: sorted.last().copied(),
            p95: Some(percentile_sorted(&sorted, 95.0)),
            p99: Some(percentile_sorted(&sorted, 99.0)),
            mad: Some(percentile_sorted(&deviations, 50.0)),
        })
    }

    /// A summary of one reported value (no spread known).
    pub(crate) fn single(value: f64) -> Self {
        Self {
            n: 1,
            mean: value,
            stddev: None,
            median: Some(value),
            min: None,
            max: None,
            p95: None,
            p99: None,
            mad: None,
        }
    }

    /// Every value multiplied by `k` (a unit conversion).
    pub(crate) fn scaled(self, k: f64) -> Self {
        let s = |v: Option<f64>| v.map(|v| v * k);
        Self {
            n: self.n,
            mean: self.mean * k,
            stddev: s(self.stddev),
            median: s(self.median),
            min: s(self.min),
            max: s(self.max),
            p95: s(self.p95),
            p99: s(self.p99),
            mad: s(self.mad),
        }
    }
}

/// Arithmetic mean; 0 for no values.
pub(crate) fn mean(values: &[f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.iter().sum::<f64>() / values.len() as f64
}

/// Sample standard deviation (divisor n − 1); 0 for fewer than two values.
pub(crate) fn stddev(values: &[f64]) -> f64 {
    if values.len() < 2 {
        return 0.0;
    }
    let m = mean(values);
    let ss: f64 = values.iter().map(|v| (v - m) * (v - m)).sum();
    (ss / (values.len() - 1) as f64).sqrt()
}

/// Percentile `p` (0–100) of ascending `sorted` values by linear interpolation (type 7).
///
/// `sorted` must not be empty.
pub(crate) fn percentile_sorted(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    if n == 1 {
        return sorted[0];
    }
    let h = (n - 1) as f64 * p.clamp(0.0, 100.0) / 100.0;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(n - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Result of Welch's t-test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Welch {
    /// The t statistic of `a − b`.
    pub(crate) t: f64,
    /// Welch–Satterthwaite degrees of freedom (infinite when both spreads are 0).
    pub(crate) df: f64,
    /// Two-sided p-value.
    pub(crate) p: f64,
}

/// Welch's two-sided t-test of `mean_a − mean_b` from summary statistics.
///
/// `None` when a side has fewer than two samples. When both standard deviations are 0 the
/// samples are constants: equal means give p = 1, different means p = 0.
pub(crate) fn welch(
    (mean_a, sd_a, n_a): (f64, f64, usize),
    (mean_b, sd_b, n_b): (f64, f64, usize),
) -> Option<Welch> {
    if n_a < 2 || n_b < 2 || !(mean_a.is_finite() && mean_b.is_finite()) {
        return None;
    }
    let va = sd_a * sd_a / n_a as f64;
    let vb = sd_b * sd_b / n_b as f64;
    let se2 = va + vb;
    let diff = mean_a - mean_b;
    if se2 <= 0.0 || !se2.is_finite() {
        let p = if diff == 0.0 { 1.0 } else { 0.0 };
        let t = if diff == 0.0 {
            0.0
        } else {
            diff.signum() * f64::INFINITY
        };
        return Some(Welch {
            t,
            df: f64::INFINITY,
            p,
        });
    }
    let t = diff / se2.sqrt();
    let df = se2 * se2 / (va * va / (n_a - 1) as f64 + vb * vb / (n_b - 1) as f64);
    Some(Welch {
        t,
        df,
        p: t_two_sided_p(t, df),
    })
}

/// Two-sided tail probability of Student's t distribution: P(|T| ≥ |t|) with `df` degrees of
/// freedom.
pub(crate) fn t_two_sided_p(t: f64, df: f64) -> f64 {
    if !t.is_finite() {
        return 0.0;
    }
    if df.is_infinite() {
        return erfc(t.abs() / std::f64::consts::SQRT_2);
    }
    let x = df / (df + t * t);
    incomplete_beta(df / 2.0, 0.5, x).clamp(0.0, 1.0)
}

/// Regularized incomplete beta function I_x(a, b).
fn incomplete_beta(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln();
    let front = ln_front.exp();
    // The continued fraction converges fast for x < (a + 1) / (a + b + 2); use the symmetry
    // I_x(a, b) = 1 − I_{1−x}(b, a) on the other side.
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_continued_fraction(a, b, x) / a
    } else {
        1.0 - front * beta_continued_fraction(b, a, 1.0 - x) / b
    }
}

/// Continued fraction of the incomplete beta function (modified Lentz's method).
fn beta_continued_fraction(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    const EPS: f64 = 1e-15;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..=300 {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let delta = d * c;
        h *= delta;
        if (delta - 1.0).abs() < EPS {
            break;
        }
    }
    h
}

/// Natural logarithm of the gamma function (Lanczos approximation, g = 7, n = 9).
fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const COEF: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x) Γ(1 − x) = π / sin(πx).
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = COEF[0];
    let t = x + G + 0.5;
    for (i, c) in COEF.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// Complementary error function (Numerical Recipes' Chebyshev fit, relative error < 1.2e-7).
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let r = t * poly.exp();
    if x >= 0.0 { r } else { 2.0 - r }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs().max(1e-300)
    }

    #[test]
    fn percentiles_match_numpy_linear() {
        // numpy.percentile([15, 20, 35, 40, 50], p)
        let x = [15.0, 20.0, 35.0, 40.0, 50.0];
        for (p, want) in [
            (0.0, 15.0),
            (25.0, 20.0),
            (50.0, 35.0),
            (95.0, 48.0),
            (99.0, 49.6),
            (100.0, 50.0),
        ] {
            let got = percentile_sorted(&x, p);
            assert!(close(got, want, 1e-12), "p{p}: {got} != {want}");
        }
        assert_eq!(percentile_sorted(&[7.0], 99.0), 7.0);
    }

    #[test]
    fn summary_matches_numpy_and_scipy() {
        let y = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0, 3.0];
        let s = Summary::of(&y).expect("summary");
        assert_eq!(s.n, 10);
        assert!(close(s.mean, 3.9, 1e-12));
        assert!(close(s.stddev.expect("sd"), 2.469_817_807_045_693_8, 1e-12));
        assert_eq!(s.median, Some(3.5));
        assert!(close(s.p95.expect("p95"), 7.65, 1e-12));
        assert!(close(s.p99.expect("p99"), 8.73, 1e-12));
        // scipy.stats.median_abs_deviation(y)
        assert_eq!(s.mad, Some(1.5));
        assert_eq!((s.min, s.max), (Some(1.0), Some(9.0)));
        assert!(Summary::of(&[]).is_none());
        assert!(Summary::of(&[1.0, f64::NAN]).is_none());
        let one = Summary::of(&[2.0]).expect("one");
        assert_eq!(one.stddev, Some(0.0));
    }

    #[test]
    fn t_tail_probabilities_match_scipy() {
        // 2 * scipy.stats.t.sf(t, df)
        for (t, df, want) in [
            (0.5, 1.0, 0.704_832_764_699_133_5),
            (2.0, 3.0, 0.139_325_968_558_843_05),
            (1.96, 1000.0, 0.050_273_184_955_748_736),
            (3.5, 7.3, 0.009_343_138_528_485_555),
            (10.0, 2.5, 0.004_441_495_767_307_423_5),
            (0.1, 50.0, 0.920_744_213_652_97),
        ] {
            let got = t_two_sided_p(t, df);
            assert!(close(got, want, 1e-9), "t={t} df={df}: {got} != {want}");
            assert!(close(t_two_sided_p(-t, df), want, 1e-9));
        }
        assert!(close(
            t_two_sided_p(1.959_963_984_540_054, f64::INFINITY),
            0.05,
            1e-6
        ));
    }

    #[test]
    fn welch_matches_scipy() {
        // scipy.stats.ttest_ind(a, b, equal_var=False)
        let a = [10.1, 9.8, 10.3, 10.0, 9.9, 10.2, 10.4, 9.7];
        let b = [11.0, 10.9, 11.4, 10.8, 11.2, 11.1, 10.7, 11.3, 11.5, 10.6];
        let side = |v: &[f64]| (mean(v), stddev(v), v.len());
        let w = welch(side(&a), side(&b)).expect("test");
        assert!(close(w.t, -7.745_966_692_414_831, 1e-10), "{w:?}");
        assert!(close(w.df, 15.989_847_715_736_042, 1e-10), "{w:?}");
        assert!(close(w.p, 8.441_996_612_038_378e-7, 1e-6), "{w:?}");
        // scipy.stats.ttest_ind_from_stats(..., equal_var=False)
        let w = welch((100.0, 15.0, 5), (112.0, 30.0, 7)).expect("test");
        assert!(close(w.t, -0.910_840_068_085_297_6, 1e-10), "{w:?}");
        assert!(close(w.p, 0.385_530_760_802_585_36, 1e-9), "{w:?}");
        let w = welch((50.0, 5.0, 100), (50.5, 5.0, 100)).expect("test");
        assert!(close(w.p, 0.480_331_497_970_004_5, 1e-9), "{w:?}");
        let w = welch((1.0, 0.5, 3), (1.0, 0.7, 4)).expect("test");
        assert_eq!((w.t, w.p), (0.0, 1.0));
    }

    #[test]
    fn welch_edge_cases() {
        assert!(welch((1.0, 0.1, 1), (1.0, 0.1, 5)).is_none());
        let same = welch((2.0, 0.0, 5), (2.0, 0.0, 5)).expect("test");
        assert_eq!(same.p, 1.0);
        let apart = welch((3.0, 0.0, 5), (2.0, 0.0, 5)).expect("test");
        assert_eq!(apart.p, 0.0);
        assert!(apart.t > 0.0);
    }
}
