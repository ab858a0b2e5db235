//! ETS with fixed smoothing parameters and initial states: the textbook
//! recursions without fitting, for known-answer checks and for users who
//! set the parameters themselves.

use super::{Ets, Kind, Smoothing, Spec, State, pass};
use crate::error::{ForecastError, check_finite};

/// Runs one form with fixed smoothing parameters and initial states (no
/// fitting): the textbook recursions, for known-answer checks and for users
/// who set the parameters themselves. `seasons0[k]` is the initial state of
/// positions t ≡ k (mod m). Returns the model at the end of `y` and the
/// one-step fitted values.
#[allow(clippy::too_many_arguments)]
pub fn smooth(
    y: &[f64],
    spec: Spec,
    alpha: f64,
    beta: f64,
    gamma: f64,
    phi: f64,
    level0: f64,
    slope0: f64,
    seasons0: &[f64],
) -> Result<(Ets, Vec<f64>), ForecastError> {
    check_finite(y)?;
    let m = seasons0.len().max(1);
    let phi = match (spec.trend, spec.damped) {
        (Kind::None, _) => 0.0,
        (_, false) => 1.0,
        (_, true) => phi,
    };
    let p = Smoothing {
        alpha,
        beta,
        gamma,
        phi,
    };
    // Fitted values: replay step by step (cheap; this path is not hot).
    let mut fitted = Vec::with_capacity(y.len());
    let mut st = State {
        level: level0,
        slope: slope0,
        seasons: seasons0.to_vec(),
    };
    for (t, &obs) in y.iter().enumerate() {
        let q = st.level + phi * st.slope;
        let s = st.seasons.get(t % m).copied().unwrap_or(0.0);
        fitted.push(match spec.season {
            Kind::None => q,
            Kind::Additive => q + s,
            Kind::Multiplicative => q * s,
        });
        // One step of the recursions on a one-element slice at position t.
        let mut shifted = State {
            level: st.level,
            slope: st.slope,
            seasons: st.seasons.clone(),
        };
        shifted
            .seasons
            .rotate_left(if spec.season == Kind::None { 0 } else { t % m });
        pass(&[obs], spec, p, &mut shifted).ok_or(ForecastError::Domain {
            model: "ets",
            rule: "positive forecasts for multiplicative",
        })?;
        shifted
            .seasons
            .rotate_right(if spec.season == Kind::None { 0 } else { t % m });
        st = shifted;
    }
    let n = y.len();
    let sse: f64 = y.iter().zip(&fitted).map(|(a, f)| (a - f).powi(2)).sum();
    let seasons = if spec.season == Kind::None {
        Vec::new()
    } else {
        (0..m).map(|j| st.seasons[(n + j) % m]).collect()
    };
    let model = Ets {
        spec,
        alpha,
        beta,
        gamma,
        phi,
        m,
        level: st.level,
        slope: st.slope,
        seasons,
        sigma2: sse / n.max(1) as f64,
        aicc: f64::NAN,
        mse: sse / n.max(1) as f64,
    };
    Ok((model, fitted))
}
