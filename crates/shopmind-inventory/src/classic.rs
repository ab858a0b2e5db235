//! Closed-form single-item results: the economic order quantity, the
//! newsvendor, and safety stock from demand and lead-time uncertainty.
//!
//! - **EOQ** (Harris, 1913): Q* = √(2DK/h) for annual demand D, fixed cost
//!   per order K and holding cost per unit-year h; the annual cost
//!   DK/Q + hQ/2 is minimal there, at √(2DKh).
//! - **Newsvendor** with normal demand N(μ, σ²), overage (holding) cost h and
//!   underage (stockout) cost p: order S* = μ + zσ with z = Φ⁻¹(p/(p + h)),
//!   expected cost (h + p)·σ·φ(z) (e.g. Snyder & Shen, *Fundamentals of
//!   Supply Chain Theory*, 2nd ed., §4.3). For discrete demand S* is the
//!   smallest s with F(s) ≥ p/(p + h).
//! - **Safety stock** over a protection interval P with daily demand mean d̄
//!   and sd σ_d and lead time mean L, sd σ_L: σ_P = √(P σ_d² + d̄² σ_L²);
//!   for a cycle-service level α, SS = Φ⁻¹(α)·σ_P (Silver, Pyke & Peterson,
//!   1998, §7.5).

use shopmind_core::stats::{normal_pdf, normal_quantile};

use crate::InventoryError;

/// Economic order quantity √(2DK/h).
pub fn eoq(
    annual_demand: f64,
    order_cost: f64,
    holding_per_unit_year: f64,
) -> Result<f64, InventoryError> {
    for (name, v) in [("annual_demand", annual_demand), ("order_cost", order_cost)] {
        if !(v.is_finite() && v >= 0.0) {
            return Err(InventoryError::param(name, v, "must be finite and ≥ 0"));
        }
    }
    if !(holding_per_unit_year.is_finite() && holding_per_unit_year > 0.0) {
        return Err(InventoryError::param(
            "holding_cost",
            holding_per_unit_year,
            "must be > 0 for an EOQ",
        ));
    }
    Ok((2.0 * annual_demand * order_cost / holding_per_unit_year).sqrt())
}

/// Annual ordering plus holding cost of ordering `q` at a time.
pub fn eoq_cost(annual_demand: f64, order_cost: f64, holding: f64, q: f64) -> f64 {
    if q <= 0.0 {
        return f64::INFINITY;
    }
    annual_demand * order_cost / q + holding * q / 2.0
}

/// The newsvendor's answer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Newsvendor {
    /// Order quantity S*.
    pub quantity: f64,
    /// Critical ratio p / (p + h).
    pub critical_ratio: f64,
    /// Expected overage plus underage cost at S*.
    pub expected_cost: f64,
}

/// The newsvendor's critical ratio p / (p + h), both costs > 0.
fn critical_ratio(holding: f64, stockout: f64) -> Result<f64, InventoryError> {
    if !(holding > 0.0 && stockout > 0.0) {
        return Err(InventoryError::param(
            "cost",
            holding.min(stockout),
            "holding and stockout costs must both be > 0",
        ));
    }
    Ok(stockout / (stockout + holding))
}

/// Normal-demand newsvendor.
pub fn newsvendor_normal(
    mean: f64,
    sd: f64,
    holding: f64,
    stockout: f64,
) -> Result<Newsvendor, InventoryError> {
    if !(sd.is_finite() && sd >= 0.0) {
        return Err(InventoryError::param("sd", sd, "must be finite and ≥ 0"));
    }
    let ratio = critical_ratio(holding, stockout)?;
    let z = normal_quantile(ratio);
    Ok(Newsvendor {
        quantity: mean + z * sd,
        critical_ratio: ratio,
        expected_cost: (holding + stockout) * sd * normal_pdf(z),
    })
}

/// Discrete-demand newsvendor over the probabilities `pmf[k]` = P(D = k)
/// (summing to about 1).
pub fn newsvendor_discrete(
    pmf: &[f64],
    holding: f64,
    stockout: f64,
) -> Result<Newsvendor, InventoryError> {
    let ratio = critical_ratio(holding, stockout)?;
    let mut cdf = 0.0;
    let mut s = pmf.len().saturating_sub(1);
    for (k, p) in pmf.iter().enumerate() {
        cdf += p;
        if cdf >= ratio - 1e-12 {
            s = k;
            break;
        }
    }
    let cost: f64 = pmf
        .iter()
        .enumerate()
        .map(|(k, p)| {
            let d = k as f64 - s as f64;
            p * if d > 0.0 { stockout * d } else { -holding * d }
        })
        .sum();
    Ok(Newsvendor {
        quantity: s as f64,
        critical_ratio: ratio,
        expected_cost: cost,
    })
}

/// Standard deviation of demand over a protection interval of `days` with
/// lead-time uncertainty: √(days·σ_d² + d̄²·σ_L²).
pub fn protection_sd(days: f64, daily_mean: f64, daily_sd: f64, lead_sd: f64) -> f64 {
    (days * daily_sd * daily_sd + daily_mean * daily_mean * lead_sd * lead_sd).sqrt()
}

/// Safety stock for a cycle-service level (probability of no stockout in a
/// replenishment cycle) given the protection-interval sd.
pub fn safety_stock_csl(csl: f64, protection_sd: f64) -> Result<f64, InventoryError> {
    if !(csl > 0.0 && csl < 1.0) {
        return Err(InventoryError::param(
            "service_level",
            csl,
            "must be in (0, 1)",
        ));
    }
    Ok(normal_quantile(csl) * protection_sd)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eoq_textbook() {
        // D = 1000/yr, K = 10, h = 0.5: √(2·1000·10/0.5) = 200, cost √(2DKh) = 100.
        let q = eoq(1000.0, 10.0, 0.5).unwrap_or(0.0);
        assert!((q - 200.0).abs() < 1e-12);
        assert!((eoq_cost(1000.0, 10.0, 0.5, q) - 100.0).abs() < 1e-12);
        assert!(eoq_cost(1000.0, 10.0, 0.5, 150.0) > 100.0);
        assert!(eoq(1000.0, 10.0, 0.0).is_err());
    }

    #[test]
    fn newsvendor_stockpyl_example() {
        // stockpyl's documented example: h = 2, p = 18, D ~ N(120, 10²)
        // gives S* = 132.82 and expected cost 35.10.
        let nv = newsvendor_normal(120.0, 10.0, 2.0, 18.0).unwrap_or_else(|e| panic!("{e}"));
        assert!((nv.quantity - 132.82).abs() < 0.005, "{nv:?}");
        assert!((nv.expected_cost - 35.10).abs() < 0.005, "{nv:?}");
        assert!((nv.critical_ratio - 0.9).abs() < 1e-12);
    }

    #[test]
    fn discrete_newsvendor_takes_the_first_quantile() {
        // D uniform on {0..4}: ratio 0.9 → F(3) = 0.8 < 0.9 ≤ F(4) = 1 → S = 4.
        let pmf = [0.2; 5];
        let nv = newsvendor_discrete(&pmf, 1.0, 9.0).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(nv.quantity, 4.0);
        // Cost at S = 4: holding on 4,3,2,1,0 left → 0.2·(4+3+2+1) = 2.
        assert!((nv.expected_cost - 2.0).abs() < 1e-12);
    }

    #[test]
    fn safety_stock_with_lead_time_variance() {
        // d̄ = 50/day, σ_d = 10, L = 9 days, σ_L = 2 days:
        // σ_P = √(9·100 + 2500·4) = √10900 = 104.403; SS(95%) = 1.644854 · 104.403 = 171.73.
        let sd = protection_sd(9.0, 50.0, 10.0, 2.0);
        assert!((sd - 10900f64.sqrt()).abs() < 1e-12);
        let ss = safety_stock_csl(0.95, sd).unwrap_or(0.0);
        assert!((ss - 171.73).abs() < 0.005, "{ss}");
        assert!(safety_stock_csl(1.0, sd).is_err());
    }
}
