//! Parameter checks shared by every model, so that one broken rule always
//! gives the same [`RecommendError::BadParam`] wording.

use crate::error::RecommendError;

fn bad(param: &str, value: String, reason: String) -> RecommendError {
    RecommendError::BadParam {
        param: param.into(),
        value,
        reason,
    }
}

/// `v` must lie in `min..=max` (`max = usize::MAX` for no upper bound).
pub(crate) fn count(param: &str, v: usize, min: usize, max: usize) -> Result<(), RecommendError> {
    if v < min || v > max {
        let reason = if max == usize::MAX {
            format!("must be at least {min}")
        } else {
            format!("must be between {min} and {max}")
        };
        return Err(bad(param, v.to_string(), reason));
    }
    Ok(())
}

/// `v` must be finite and > 0.
pub(crate) fn positive(param: &str, v: f32) -> Result<(), RecommendError> {
    if !(v > 0.0 && v.is_finite()) {
        return Err(bad(
            param,
            v.to_string(),
            "must be a finite number > 0".into(),
        ));
    }
    Ok(())
}

/// `v` must be finite and ≥ 0.
pub(crate) fn non_negative(param: &str, v: f32) -> Result<(), RecommendError> {
    if !(v >= 0.0 && v.is_finite()) {
        return Err(bad(
            param,
            v.to_string(),
            "must be a finite number ≥ 0".into(),
        ));
    }
    Ok(())
}
