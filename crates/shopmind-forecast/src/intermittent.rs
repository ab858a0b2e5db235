//! Intermittent demand: Croston's method (Croston, 1972), the
//! Syntetos–Boylan approximation (SBA, 2005) and Teunter–Syntetos–Babai
//! (TSB, 2011), with the Syntetos–Boylan–Croston classification of demand
//! patterns by the average inter-demand interval (ADI) and the squared
//! coefficient of variation of the non-zero sizes (CV²), cut-offs 1.32 and
//! 0.49.
//!
//! Croston smooths the non-zero sizes z and the intervals p between them
//! with the same α, updating only when demand occurs; the rate is ẑ/p̂. SBA
//! multiplies it by (1 − α/2) to remove Croston's positive bias. TSB smooths
//! the size (α, at demands) and the probability of demand π (β, every
//! period towards 1 or 0) and forecasts π̂·ẑ, so a dying item's forecast
//! decays. The forecast is flat; its standard deviation is the in-sample
//! one-step error's (the error of a flat rate is dominated by the per-period
//! noise, not by the rate's own uncertainty).

use serde::{Deserialize, Serialize};

use crate::Path;
use crate::error::{ForecastError, check_finite};

/// Demand pattern (Syntetos, Boylan & Croston, 2005).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Pattern {
    /// Frequent and steady (ADI ≤ 1.32, CV² ≤ 0.49).
    Smooth,
    /// Frequent, sizes vary (ADI ≤ 1.32, CV² > 0.49).
    Erratic,
    /// Infrequent, steady sizes (ADI > 1.32, CV² ≤ 0.49).
    Intermittent,
    /// Infrequent and variable (ADI > 1.32, CV² > 0.49).
    Lumpy,
}

/// ADI, CV² and the pattern of a non-negative series; None without any
/// demand.
pub fn classify(y: &[f64]) -> Option<(f64, f64, Pattern)> {
    let sizes: Vec<f64> = y.iter().copied().filter(|&v| v > 0.0).collect();
    if sizes.is_empty() {
        return None;
    }
    let adi = y.len() as f64 / sizes.len() as f64;
    let mean = sizes.iter().sum::<f64>() / sizes.len() as f64;
    let var = sizes.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / sizes.len() as f64;
    let cv2 = var / (mean * mean);
    let pattern = match (adi > 1.32, cv2 > 0.49) {
        (false, false) => Pattern::Smooth,
        (false, true) => Pattern::Erratic,
        (true, false) => Pattern::Intermittent,
        (true, true) => Pattern::Lumpy,
    };
    Some((adi, cv2, pattern))
}

/// Which intermittent method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Method {
    /// Croston (1972).
    Croston,
    /// Syntetos–Boylan approximation.
    Sba,
    /// Teunter–Syntetos–Babai.
    Tsb,
}

/// A fitted intermittent-demand model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Intermittent {
    /// Method.
    pub method: Method,
    /// Size smoothing.
    pub alpha: f64,
    /// Probability smoothing (TSB only).
    pub beta: f64,
    /// Rate forecast per period.
    pub rate: f64,
    /// In-sample one-step error standard deviation.
    pub sigma: f64,
}

/// Fits `method` with smoothing `alpha` (sizes and intervals) and `beta`
/// (TSB's demand probability). The series must be non-negative with at
/// least one demand.
pub fn fit(
    y: &[f64],
    method: Method,
    alpha: f64,
    beta: f64,
) -> Result<Intermittent, ForecastError> {
    check_finite(y)?;
    for (name, value) in [("alpha", alpha), ("beta", beta)] {
        if !(value > 0.0 && value <= 1.0) {
            return Err(ForecastError::Parameter {
                name,
                value,
                rule: "must be in (0, 1]",
            });
        }
    }
    if y.iter().any(|&v| v < 0.0) {
        return Err(ForecastError::Domain {
            model: "croston/sba/tsb",
            rule: "non-negative",
        });
    }
    let first = y
        .iter()
        .position(|&v| v > 0.0)
        .ok_or(ForecastError::Domain {
            model: "croston/sba/tsb",
            rule: "at least one non-zero",
        })?;
    // Initialise with the first demand: size z₁ and interval = its position.
    let mut size = y[first];
    let mut interval = (first + 1) as f64;
    let mut prob = 1.0 / interval;
    let mut since = 0usize;
    let mut sse = 0.0;
    let mut count = 0usize;
    let bias = if method == Method::Sba {
        1.0 - alpha / 2.0
    } else {
        1.0
    };
    let rate = |size: f64, interval: f64, prob: f64| match method {
        Method::Tsb => prob * size,
        _ => bias * size / interval,
    };
    for &v in &y[first + 1..] {
        let f = rate(size, interval, prob);
        sse += (v - f).powi(2);
        count += 1;
        since += 1;
        match method {
            Method::Tsb => {
                prob += beta * (f64::from(u8::from(v > 0.0)) - prob);
                if v > 0.0 {
                    size += alpha * (v - size);
                }
            }
            _ => {
                if v > 0.0 {
                    size += alpha * (v - size);
                    interval += alpha * (since as f64 - interval);
                    since = 0;
                }
            }
        }
    }
    let sigma = if count > 0 {
        (sse / count as f64).sqrt()
    } else {
        size
    };
    Ok(Intermittent {
        method,
        alpha,
        beta,
        rate: rate(size, interval, prob),
        sigma,
    })
}

impl Intermittent {
    /// Flat rate forecast with a constant standard deviation.
    pub fn path(&self, h: usize) -> Path {
        Path {
            mean: vec![self.rate; h],
            sd: vec![self.sigma; h],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hand-computed Croston on 0,0,3,0,0,0,4,0,2 with α = 0.1:
    /// first demand 3 at position 3 → z = 3, p = 3; next demand 4 after 4
    /// periods → z = 3 + 0.1·(4 − 3) = 3.1, p = 3 + 0.1·(4 − 3) = 3.1;
    /// next demand 2 after 2 periods → z = 3.1 + 0.1·(2 − 3.1) = 2.99,
    /// p = 3.1 + 0.1·(2 − 3.1) = 2.99. Rate = 2.99 / 2.99 = 1.
    #[test]
    fn croston_known_series() {
        let y = [0.0, 0.0, 3.0, 0.0, 0.0, 0.0, 4.0, 0.0, 2.0];
        let c = fit(&y, Method::Croston, 0.1, 0.1).unwrap_or_else(|e| panic!("{e}"));
        assert!((c.rate - 1.0).abs() < 1e-12, "{c:?}");
        let s = fit(&y, Method::Sba, 0.1, 0.1).unwrap_or_else(|e| panic!("{e}"));
        assert!((s.rate - 0.95).abs() < 1e-12, "{s:?}");
        // TSB: z = 2.99 as above; π starts at 1/3 and moves by β = 0.1
        // towards 0,0,0,1,0,1 over the six periods after the first demand.
        let t = fit(&y, Method::Tsb, 0.1, 0.1).unwrap_or_else(|e| panic!("{e}"));
        let mut pi = 1.0 / 3.0;
        for d in [0.0, 0.0, 0.0, 1.0, 0.0, 1.0] {
            pi += 0.1 * (d - pi);
        }
        assert!((t.rate - pi * 2.99).abs() < 1e-12, "{t:?}");
    }

    #[test]
    fn classification_follows_the_cutoffs() {
        let smooth = [5.0, 6.0, 5.0, 4.0, 5.0];
        assert_eq!(classify(&smooth).map(|c| c.2), Some(Pattern::Smooth));
        let lumpy = [0.0, 0.0, 1.0, 0.0, 0.0, 20.0, 0.0, 0.0, 2.0];
        assert_eq!(classify(&lumpy).map(|c| c.2), Some(Pattern::Lumpy));
        let inter = [0.0, 0.0, 3.0, 0.0, 0.0, 3.0, 0.0, 4.0];
        assert_eq!(classify(&inter).map(|c| c.2), Some(Pattern::Intermittent));
        assert_eq!(classify(&[0.0, 0.0]), None);
    }

    #[test]
    fn bad_input_is_refused() {
        assert!(fit(&[0.0, -1.0, 2.0], Method::Croston, 0.1, 0.1).is_err());
        assert!(fit(&[0.0, 0.0], Method::Sba, 0.1, 0.1).is_err());
        assert!(fit(&[1.0, 2.0], Method::Tsb, 0.0, 0.1).is_err());
    }
}
