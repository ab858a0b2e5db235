//! `auto`: the model users get by default, chosen per series.
//!
//! 1. **Intermittent demand** (non-negative, and the Syntetos–Boylan
//!    classification says intermittent or lumpy: ADI > 1.32) gets SBA, the
//!    bias-corrected Croston that the classification literature recommends
//!    for both classes (Syntetos, Boylan & Croston, 2005).
//! 2. **Otherwise** the candidates are ETS (AICc-chosen form), Theta (the
//!    best of four variants), their equal-weight combination, the seasonal
//!    naive (when there is a season) and the naive. Each is fitted on the
//!    history cut at `origins` rolling origins, each origin scoring the next
//!    `horizon` values by mean absolute error; the candidate with the
//!    lowest average error is refitted on the whole history. The
//!    combination is the tie-break winner and the fallback when the history
//!    is too short to hold out anything: combining ETS and Theta is the most
//!    robust simple choice on the M competitions (Makridakis, Spiliotis &
//!    Assimakopoulos, 2020, the "Comb" benchmark family).

use crate::error::ForecastError;
use crate::ets::{self, EtsParams};
use crate::intermittent::{Pattern, classify};
use crate::model::{FitParams, FittedModel, ModelChoice, fit_family};
use crate::theta;

/// Candidates in tie-break order.
const CANDIDATES: [Candidate; 5] = [
    Candidate::Comb,
    Candidate::Ets,
    Candidate::Theta,
    Candidate::Snaive,
    Candidate::Naive,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Candidate {
    Comb,
    Ets,
    Theta,
    Snaive,
    Naive,
}

/// ETS and Theta fitted on the whole history: their forms (ETS by AICc,
/// Theta by in-sample MSE) are chosen once, here, and only refitted at the
/// validation cuts, which keeps validation to one fit per family and cut.
struct Full {
    ets: Option<FittedModel>,
    theta: Option<FittedModel>,
}

impl Full {
    fn fit(y: &[f64], m: usize, params: &FitParams) -> Full {
        Full {
            ets: fit_family(y, ModelChoice::Ets, m, params).ok(),
            theta: fit_family(y, ModelChoice::Theta, m, params).ok(),
        }
    }

    /// The same forms refitted on a shorter history.
    fn refit(&self, y: &[f64], m: usize) -> Full {
        let ets = match &self.ets {
            Some(FittedModel::Ets(e)) => ets::fit(
                y,
                &EtsParams {
                    season: m,
                    spec: Some(e.spec),
                    ..EtsParams::default()
                },
            )
            .ok()
            .map(FittedModel::Ets),
            _ => None,
        };
        let theta = match &self.theta {
            Some(FittedModel::Theta(t)) => theta::fit(y, m, Some(t.variant))
                .ok()
                .map(FittedModel::Theta),
            _ => None,
        };
        Full { ets, theta }
    }

    /// Candidate `c` given these ETS and Theta fits on `y`.
    fn candidate(
        &self,
        c: Candidate,
        y: &[f64],
        m: usize,
        params: &FitParams,
    ) -> Option<FittedModel> {
        match c {
            Candidate::Comb => match (&self.ets, &self.theta) {
                (Some(e), Some(t)) => Some(FittedModel::Combination {
                    members: vec![e.clone(), t.clone()],
                }),
                _ => None,
            },
            Candidate::Ets => self.ets.clone(),
            Candidate::Theta => self.theta.clone(),
            Candidate::Snaive if m > 1 => fit_family(y, ModelChoice::Snaive, m, params).ok(),
            Candidate::Snaive => None,
            Candidate::Naive => fit_family(y, ModelChoice::Naive, m, params).ok(),
        }
    }
}

/// Chooses and fits the model for `y` (see the module doc). Returns it with
/// a note saying why.
pub fn select(
    y: &[f64],
    m: usize,
    params: &FitParams,
) -> Result<(FittedModel, Vec<String>), ForecastError> {
    if y.iter().all(|&v| v >= 0.0)
        && let Some((adi, cv2, pattern)) = classify(y)
        && matches!(pattern, Pattern::Intermittent | Pattern::Lumpy)
    {
        let model = fit_family(y, ModelChoice::Sba, m, params)?;
        let note = format!("intermittent demand (ADI {adi:.2}, CV² {cv2:.2}, {pattern:?}): SBA");
        return Ok((model, vec![note]));
    }
    let n = y.len();
    let h = match params.horizon {
        0 if m > 1 => m,
        0 => 8,
        h => h,
    };
    let full = Full::fit(y, m, params);
    // Every training cut keeps at least two seasons (and 8 values).
    let min_train = (2 * m).max(8);
    let origins = (0..params.origins)
        .take_while(|&o| n >= min_train + (o + 1) * h)
        .count();
    let mut chosen = None;
    if origins > 0 {
        let mut errors = [0.0; CANDIDATES.len()];
        let mut seen = [0usize; CANDIDATES.len()];
        for o in 1..=origins {
            let cut = n - o * h;
            let (train, test) = (&y[..cut], &y[cut..cut + h]);
            let part = full.refit(train, m);
            for (i, &c) in CANDIDATES.iter().enumerate() {
                let Some(model) = part.candidate(c, train, m, params) else {
                    continue;
                };
                let path = model.path(h);
                let mae = test
                    .iter()
                    .zip(&path.mean)
                    .map(|(a, f)| (a - f).abs())
                    .sum::<f64>()
                    / h as f64;
                if mae.is_finite() {
                    errors[i] += mae;
                    seen[i] += 1;
                }
            }
        }
        chosen = (0..CANDIDATES.len())
            .filter(|&i| seen[i] == origins)
            .min_by(|&a, &b| errors[a].total_cmp(&errors[b]))
            .map(|i| {
                let note = format!(
                    "chosen by {origins} rolling origin(s) of {h} steps: {:?} (mean absolute error {:.4})",
                    CANDIDATES[i],
                    errors[i] / origins as f64
                );
                (CANDIDATES[i], note)
            });
    }
    let (winner, note) = chosen.unwrap_or_else(|| {
        (
            Candidate::Comb,
            format!("history of {n} values too short to validate {h}-step forecasts: ETS + Theta combination"),
        )
    });
    let model = full
        .candidate(winner, y, m, params)
        .or_else(|| full.ets.clone())
        .or_else(|| full.theta.clone())
        .map_or_else(|| fit_family(y, ModelChoice::Naive, m, params), Ok)?;
    Ok((model, vec![note]))
}
