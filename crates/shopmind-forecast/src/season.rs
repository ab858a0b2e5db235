//! Seasonality: the autocorrelation test for a seasonal period, classical
//! (moving-average) decomposition into seasonal indices, and detection of
//! the period from the data's time unit or from the autocorrelations.
//!
//! The test is the one Assimakopoulos & Nikolopoulos (2000) use for the
//! Theta method (and the M4 benchmarks): the series is seasonal with period
//! m when |r_m| > q · √((1 + 2 Σ_{k<m} r_k²) / n), with r_k the sample
//! autocorrelation at lag k and q the 95% normal quantile (a two-sided 90%
//! test).

use shopmind_core::stats::normal_quantile;

/// Sample autocorrelations r_1..r_max_lag.
pub fn acf(y: &[f64], max_lag: usize) -> Vec<f64> {
    let n = y.len();
    let mean = y.iter().sum::<f64>() / n.max(1) as f64;
    let denom: f64 = y.iter().map(|v| (v - mean).powi(2)).sum();
    (1..=max_lag)
        .map(|k| {
            if k >= n || denom == 0.0 {
                return 0.0;
            }
            let num: f64 = (k..n).map(|t| (y[t] - mean) * (y[t - k] - mean)).sum();
            num / denom
        })
        .collect()
}

/// Whether `y` shows seasonality of period `m` (see the module doc). Needs
/// m ≥ 2 and at least two full seasons; otherwise false.
pub fn is_seasonal(y: &[f64], m: usize) -> bool {
    if m < 2 || y.len() < 2 * m {
        return false;
    }
    let r = acf(y, m);
    let sum_sq: f64 = r[..m - 1].iter().map(|v| v * v).sum();
    let limit = normal_quantile(0.95) * ((1.0 + 2.0 * sum_sq) / y.len() as f64).sqrt();
    r[m - 1].abs() > limit
}

/// How seasonal indices combine with the rest of the series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Decomposition {
    /// y = trend + season + remainder.
    Additive,
    /// y = trend · season · remainder.
    Multiplicative,
}

/// Seasonal indices by classical decomposition: a centred moving average of
/// order m (2×m when m is even) estimates the trend; the detrended values
/// (differences or ratios) are averaged per position in the season and
/// normalised to sum 0 (additive) or average 1 (multiplicative).
/// `indices[k]` belongs to positions t ≡ k (mod m), t counted from 0 at the
/// first observation. None when there are fewer than two full seasons.
pub fn seasonal_indices(y: &[f64], m: usize, kind: Decomposition) -> Option<Vec<f64>> {
    let n = y.len();
    if m < 2 || n < 2 * m {
        return None;
    }
    // Centred moving average: trend[t] defined for t in [half, n - half).
    let half = m / 2;
    let mut sums = vec![0.0; m];
    let mut counts = vec![0usize; m];
    let mut window: f64 = y[..m].iter().sum();
    for t in half..n.saturating_sub(half) {
        // Window of m values starting at t - half (odd m), or the average of
        // two such windows (even m).
        let start = t - half;
        if start > 0 {
            window += y[start + m - 1] - y[start - 1];
        }
        let trend = if m.is_multiple_of(2) {
            if start + m >= n {
                break;
            }
            (window + (window - y[start] + y[start + m])) / (2.0 * m as f64)
        } else {
            window / m as f64
        };
        let detrended = match kind {
            Decomposition::Additive => y[t] - trend,
            Decomposition::Multiplicative => {
                if trend <= 0.0 {
                    return None;
                }
                y[t] / trend
            }
        };
        sums[t % m] += detrended;
        counts[t % m] += 1;
    }
    if counts.contains(&0) {
        return None;
    }
    let mut idx: Vec<f64> = sums
        .iter()
        .zip(&counts)
        .map(|(s, &c)| s / c as f64)
        .collect();
    let mean = idx.iter().sum::<f64>() / m as f64;
    match kind {
        Decomposition::Additive => idx.iter_mut().for_each(|v| *v -= mean),
        Decomposition::Multiplicative => {
            if mean <= 0.0 {
                return None;
            }
            idx.iter_mut().for_each(|v| *v /= mean)
        }
    }
    Some(idx)
}

/// The time unit of a series, which fixes its candidate seasonal periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frequency {
    /// One value per hour: periods 24 and 168.
    Hourly,
    /// One value per day: periods 7 and 365 (365.25 rounded; yearly
    /// seasonality needs two years of data to be used).
    Daily,
    /// One value per week: period 52.
    Weekly,
    /// One value per month: period 12.
    Monthly,
    /// One value per quarter: period 4.
    Quarterly,
    /// No known unit: non-seasonal unless detected.
    Unknown,
}

impl Frequency {
    /// Candidate periods, strongest convention first.
    pub fn periods(self) -> &'static [usize] {
        match self {
            Frequency::Hourly => &[24, 168],
            Frequency::Daily => &[7, 365],
            Frequency::Weekly => &[52],
            Frequency::Monthly => &[12],
            Frequency::Quarterly => &[4],
            Frequency::Unknown => &[],
        }
    }
}

/// The seasonal period to model: the first of `freq`'s candidates that the
/// data are long enough for (two seasons) and that passes [`is_seasonal`];
/// 1 when none does. The models here carry one season; of the hourly pair
/// (24, 168) and daily pair (7, 365) the first that tests seasonal wins.
pub fn detect_period(y: &[f64], freq: Frequency) -> usize {
    freq.periods()
        .iter()
        .copied()
        .find(|&m| is_seasonal(y, m))
        .unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acf_of_an_alternating_series() {
        let y: Vec<f64> = (0..100usize)
            .map(|t| if t.is_multiple_of(2) { 1.0 } else { -1.0 })
            .collect();
        let r = acf(&y, 2);
        assert!(
            (r[0] + 0.99).abs() < 1e-12 && (r[1] - 0.98).abs() < 1e-12,
            "{r:?}"
        );
    }

    #[test]
    fn decomposition_recovers_known_indices() {
        let pattern = [10.0, -5.0, 0.0, -5.0];
        let y: Vec<f64> = (0..40)
            .map(|t| 100.0 + 0.5 * t as f64 + pattern[t % 4])
            .collect();
        let idx = seasonal_indices(&y, 4, Decomposition::Additive).unwrap_or_default();
        for (a, b) in idx.iter().zip(pattern) {
            assert!((a - b).abs() < 1e-9, "{idx:?}");
        }
        let ratios = [1.2, 0.9, 1.0, 0.9];
        let y: Vec<f64> = (0..36).map(|t| 50.0 * ratios[t % 4]).collect();
        let idx = seasonal_indices(&y, 4, Decomposition::Multiplicative).unwrap_or_default();
        for (a, b) in idx.iter().zip(ratios) {
            assert!((a - b).abs() < 1e-9, "{idx:?}");
        }
        assert!(seasonal_indices(&y[..7], 4, Decomposition::Additive).is_none());
    }

    #[test]
    fn seasonality_is_detected_only_where_it_is() {
        let mut rng = shopmind_core::Rng::seed_from_u64(3);
        let seasonal: Vec<f64> = (0..200)
            .map(|t| 10.0 * (2.0 * std::f64::consts::PI * t as f64 / 7.0).sin() + rng.normal())
            .collect();
        let noise: Vec<f64> = (0..200).map(|_| rng.normal()).collect();
        assert!(is_seasonal(&seasonal, 7));
        assert_eq!(detect_period(&seasonal, Frequency::Daily), 7);
        assert!(!is_seasonal(&noise, 7));
        assert_eq!(detect_period(&noise, Frequency::Daily), 1);
        assert_eq!(detect_period(&seasonal, Frequency::Unknown), 1);
    }
}
