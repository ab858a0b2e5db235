//! Why a forecast could not be made: the caller's fault (bad parameters,
//! bad values, too little history) kept apart from numerical failure.

/// A forecasting failure.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ForecastError {
    /// The series has fewer observations than the model needs.
    #[error("series is too short: {len} observations, {model} needs at least {needed}")]
    TooShort {
        /// Observations given.
        len: usize,
        /// Observations needed.
        needed: usize,
        /// Model asked for.
        model: &'static str,
    },
    /// A value is NaN or infinite.
    #[error("value at position {index} is not a finite number")]
    NonFinite {
        /// 0-based position in the series.
        index: usize,
    },
    /// A parameter is outside its valid range.
    #[error("invalid parameter {name} = {value}: {rule}")]
    Parameter {
        /// Parameter name.
        name: &'static str,
        /// Value given.
        value: f64,
        /// What it must satisfy.
        rule: &'static str,
    },
    /// The horizon must be at least one step.
    #[error("horizon must be at least 1")]
    ZeroHorizon,
    /// A model needs strictly positive (or non-negative) data.
    #[error("{model} needs {rule} values")]
    Domain {
        /// Model asked for.
        model: &'static str,
        /// The rule broken.
        rule: &'static str,
    },
    /// Every candidate model failed to fit.
    #[error("no model could be fitted: {0}")]
    NoModel(String),
    /// Unknown model name.
    #[error(
        "unknown model {0:?}: expected one of auto, ets, theta, comb, snaive, naive, mean, croston, sba, tsb"
    )]
    UnknownModel(String),
}

/// Checks a history: every value finite.
pub(crate) fn check_finite(y: &[f64]) -> Result<(), ForecastError> {
    match y.iter().position(|v| !v.is_finite()) {
        Some(index) => Err(ForecastError::NonFinite { index }),
        None => Ok(()),
    }
}
