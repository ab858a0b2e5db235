//! Point-prediction errors for ratings and prices.
//!
//! RMSE = √(Σ (yᵢ − ŷᵢ)² / n); MAE = Σ |yᵢ − ŷᵢ| / n.

use super::{MetricError, check_pair};

/// Root mean squared error.
pub fn rmse(actual: &[f64], predicted: &[f64]) -> Result<f64, MetricError> {
    check_pair(actual, predicted)?;
    let sse: f64 = actual
        .iter()
        .zip(predicted)
        .map(|(y, p)| (y - p).powi(2))
        .sum();
    Ok((sse / actual.len() as f64).sqrt())
}

/// Mean absolute error.
pub fn mae(actual: &[f64], predicted: &[f64]) -> Result<f64, MetricError> {
    check_pair(actual, predicted)?;
    let sae: f64 = actual
        .iter()
        .zip(predicted)
        .map(|(y, p)| (y - p).abs())
        .sum();
    Ok(sae / actual.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_answers() {
        // errors 1, -2, 0, 3: MAE = 6/4 = 1.5, RMSE = √(14/4) = √3.5
        let y = [3.0, 1.0, 4.0, 5.0];
        let p = [2.0, 3.0, 4.0, 2.0];
        assert!((mae(&y, &p).unwrap() - 1.5).abs() < 1e-12);
        assert!((rmse(&y, &p).unwrap() - 3.5f64.sqrt()).abs() < 1e-12);
        assert_eq!(rmse(&[], &[]), Err(MetricError::Empty));
        assert!(matches!(
            mae(&[1.0], &[1.0, 2.0]),
            Err(MetricError::LengthMismatch { .. })
        ));
        assert_eq!(mae(&[f64::NAN], &[1.0]), Err(MetricError::NonFinite));
    }
}
