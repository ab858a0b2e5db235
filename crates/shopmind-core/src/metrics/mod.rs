//! Evaluation metrics with their definitions written out.
//!
//! - [`ranking`]: top-k recommendation quality (precision, recall, MAP, NDCG,
//!   MRR, hit rate, catalog coverage).
//! - [`regression`]: rating and price prediction error (RMSE, MAE).
//! - [`beyond`]: novelty, average popularity and intra-list diversity of lists.
//! - [`forecast`]: scaled and percentage forecast errors (MASE, sMAPE, WAPE,
//!   RMSSE).
//!
//! Every function returns a [`MetricError`] rather than a NaN when its
//! input cannot define the metric.

pub mod beyond;
pub mod forecast;
pub mod ranking;
pub mod regression;

/// Why a metric is undefined for the given input.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MetricError {
    /// There is nothing to average over.
    #[error("metric undefined on empty input")]
    Empty,
    /// Paired inputs differ in length.
    #[error("length mismatch: {actual} actual values but {predicted} predictions")]
    LengthMismatch {
        /// Length of the actual values.
        actual: usize,
        /// Length of the predictions.
        predicted: usize,
    },
    /// `k` must be at least 1.
    #[error("k must be at least 1")]
    ZeroK,
    /// The scale (denominator) is zero, e.g. a constant in-sample series for MASE.
    #[error("metric undefined: its scale is zero ({0})")]
    ZeroScale(&'static str),
    /// The in-sample series is too short for the seasonal period.
    #[error("in-sample series of length {len} is too short for season {season}")]
    TooShort {
        /// In-sample length.
        len: usize,
        /// Seasonal period.
        season: usize,
    },
    /// A value is NaN or infinite.
    #[error("input holds a non-finite value")]
    NonFinite,
}

pub(crate) fn check_pair(actual: &[f64], predicted: &[f64]) -> Result<(), MetricError> {
    if actual.len() != predicted.len() {
        return Err(MetricError::LengthMismatch {
            actual: actual.len(),
            predicted: predicted.len(),
        });
    }
    if actual.is_empty() {
        return Err(MetricError::Empty);
    }
    if actual.iter().chain(predicted).any(|v| !v.is_finite()) {
        return Err(MetricError::NonFinite);
    }
    Ok(())
}
