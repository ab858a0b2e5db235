//! Profit-optimal (or revenue-optimal) prices under business constraints,
//! from a constant-elasticity demand curve per item.
//!
//! Demand at price p is q(p) = q₀ (p / p₀)^ε, with q₀ the expected units at
//! the reference price p₀ and ε the item's elasticity
//! ([`crate::elasticity`]). Profit π(p) = (p − c) q(p) has
//! π'(p) = q(p) [1 + ε (p − c)/p], which changes sign once, at
//!
//! p* = c ε / (1 + ε)   when ε < −1
//!
//! (Lerner's rule: the markup over price is −1/ε). When ε ≥ −1 demand is
//! inelastic and profit grows with price, so the optimum is the upper bound.
//! Revenue p q(p) ∝ p^{1+ε} is monotone: the lower bound when ε < −1, the
//! upper one when ε > −1. Because the objective is unimodal on the feasible
//! interval [lo, hi], its constrained maximum is p* clamped into it; with a
//! price ending (x.99), the best ending price is one of the two ending prices
//! around that point that lie inside the interval.
//!
//! Constraints: gross margin (p − c)/p ≥ m, so p ≥ c/(1 − m); at most a
//! relative change r from the current price, p ∈ [p_cur (1 − r), p_cur (1 + r)];
//! absolute bounds; and a minimum expected volume q(p) ≥ q_min, so
//! p ≤ p₀ (q_min/q₀)^{1/ε}. No recommended price ever leaves them; when they
//! cannot all hold, the current price is kept and the row is flagged.

/// What to maximise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Goal {
    /// (p − c) q(p).
    Profit,
    /// p q(p).
    Revenue,
}

/// Business rules every recommended price obeys.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct Constraints {
    /// Largest relative change from the current price (0.2 = ±20%).
    pub max_change: Option<f64>,
    /// Smallest gross margin (p − c)/p, in [0, 1).
    pub min_margin: Option<f64>,
    /// Absolute lower bound.
    pub min_price: Option<f64>,
    /// Absolute upper bound.
    pub max_price: Option<f64>,
    /// Price ending, the fractional part every price must have (0.99).
    pub ending: Option<f64>,
    /// Smallest expected daily units at the new price.
    pub min_units: Option<f64>,
}

/// One item to price.
#[derive(Debug, Clone, PartialEq)]
pub struct PricingInput {
    /// Item.
    pub item_id: String,
    /// Its price now.
    pub current_price: f64,
    /// Unit cost, when known.
    pub cost: Option<f64>,
    /// Elasticity ε and its standard error.
    pub elasticity: f64,
    /// Standard error of ε.
    pub elasticity_se: f64,
    /// Expected daily units q₀ at `reference_price`.
    pub base_units: f64,
    /// The price q₀ refers to.
    pub reference_price: f64,
    /// Flags carried from the estimate (`no_price_variation`, …).
    pub flags: Vec<&'static str>,
}

/// A recommended price and what it is expected to do.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PriceRecommendation {
    /// Item.
    pub item_id: String,
    /// Its price now.
    pub current_price: f64,
    /// The price to set (the current one when no change is possible).
    pub recommended_price: Option<f64>,
    /// ε used.
    pub elasticity: f64,
    /// Standard error of ε.
    pub elasticity_se: f64,
    /// Expected daily units at the recommended price.
    pub expected_units: Option<f64>,
    /// Expected daily revenue.
    pub expected_revenue: Option<f64>,
    /// Expected daily profit (needs a cost).
    pub expected_profit: Option<f64>,
    /// Profit change from the current price, in percent.
    pub profit_change_pct: Option<f64>,
    /// Why the row needs a look (empty: none).
    pub flags: Vec<&'static str>,
}

impl PricingInput {
    /// Expected daily units at price `p`.
    pub fn units(&self, p: f64) -> f64 {
        self.base_units * (p / self.reference_price).powf(self.elasticity)
    }
}

pub(crate) fn objective(goal: Goal, item: &PricingInput, cost: f64, p: f64) -> f64 {
    let q = item.units(p);
    match goal {
        Goal::Profit => (p - cost) * q,
        Goal::Revenue => p * q,
    }
}

/// The feasible interval, or `None` when the constraints contradict.
pub(crate) fn bounds(item: &PricingInput, c: &Constraints) -> Option<(f64, f64)> {
    let cur = item.current_price;
    let mut lo: f64 = 0.01;
    let mut hi = f64::INFINITY;
    if let Some(r) = c.max_change {
        lo = lo.max(cur * (1.0 - r));
        hi = hi.min(cur * (1.0 + r));
    }
    if let (Some(m), Some(cost)) = (c.min_margin, item.cost) {
        lo = lo.max(cost / (1.0 - m));
    }
    if let Some(v) = c.min_price {
        lo = lo.max(v);
    }
    if let Some(v) = c.max_price {
        hi = hi.min(v);
    }
    if let Some(qmin) = c.min_units
        && item.elasticity < 0.0
        && item.base_units > 0.0
    {
        hi = hi.min(item.reference_price * (qmin / item.base_units).powf(1.0 / item.elasticity));
    }
    // Without an upper bound an inelastic item has no optimum: cap at 3× the
    // current price (and say so through the `at_upper_bound` flag).
    if !hi.is_finite() {
        hi = cur * 3.0;
    }
    (lo <= hi * (1.0 + 1e-12)).then_some((lo, hi.max(lo)))
}

/// The ending prices k + e nearest below and above `p`, inside [lo, hi].
fn ending_candidates(p: f64, e: f64, lo: f64, hi: f64) -> Vec<f64> {
    let below = (p - e).floor() + e;
    let mut out = Vec::new();
    for k in [-1.0, 0.0, 1.0, 2.0] {
        let q = below + k;
        if q >= lo - 1e-9 && q <= hi + 1e-9 && q > 0.0 {
            out.push((q * 100.0).round() / 100.0);
        }
    }
    // The interval may hold ending prices far from p only at its edges.
    let first = (lo - e).ceil() + e;
    let last = (hi - e).floor() + e;
    for q in [first, last] {
        if q >= lo - 1e-9 && q <= hi + 1e-9 && q > 0.0 {
            out.push((q * 100.0).round() / 100.0);
        }
    }
    out
}

/// The best price for one item under `goal` and `constraints`.
pub fn optimize_item(item: &PricingInput, goal: Goal, c: &Constraints) -> PriceRecommendation {
    let mut flags = item.flags.clone();
    let mut out = PriceRecommendation {
        item_id: item.item_id.clone(),
        current_price: item.current_price,
        recommended_price: None,
        elasticity: item.elasticity,
        elasticity_se: item.elasticity_se,
        expected_units: None,
        expected_revenue: None,
        expected_profit: None,
        profit_change_pct: None,
        flags: Vec::new(),
    };
    let sane = |v: f64| v.is_finite();
    if !(item.current_price > 0.0 && sane(item.current_price)) {
        flags.push("bad_current_price");
        out.flags = flags;
        return out;
    }
    if !(item.reference_price > 0.0 && sane(item.base_units) && sane(item.elasticity)) {
        flags.push("no_demand_estimate");
        out.recommended_price = Some(item.current_price);
        out.flags = flags;
        return out;
    }
    let cost = match (goal, item.cost) {
        (_, Some(c)) if c >= 0.0 && c.is_finite() => Some(c),
        (Goal::Profit, _) => {
            flags.push("missing_cost");
            None
        }
        (Goal::Revenue, _) => None,
    };
    let price = match (goal, cost, bounds(item, c)) {
        (_, _, None) => {
            flags.push("infeasible_constraints");
            item.current_price
        }
        (Goal::Profit, None, _) => item.current_price,
        (goal, cost, Some((lo, hi))) => {
            let cost = cost.unwrap_or(0.0);
            let e = item.elasticity;
            let unconstrained = match goal {
                Goal::Profit if e < -1.0 => cost * e / (1.0 + e),
                Goal::Revenue if e < -1.0 => lo,
                Goal::Revenue if (e + 1.0).abs() < 1e-12 => item.current_price,
                _ => hi,
            };
            let best = unconstrained.clamp(lo, hi);
            if goal == Goal::Profit && e >= -1.0 {
                flags.push("inelastic_at_upper_bound");
            } else if best >= hi * (1.0 - 1e-9) {
                flags.push("at_upper_bound");
            } else if best <= lo * (1.0 + 1e-9) {
                flags.push("at_lower_bound");
            }
            match c.ending {
                None => best,
                Some(end) => {
                    let cands = ending_candidates(best, end, lo, hi);
                    match cands.into_iter().max_by(|a, b| {
                        objective(goal, item, cost, *a).total_cmp(&objective(goal, item, cost, *b))
                    }) {
                        Some(p) => p,
                        None => {
                            flags.push("no_price_with_ending");
                            best
                        }
                    }
                }
            }
        }
    };
    describe(item, cost, price, flags)
}

/// The recommendation row of `item` at `price`: expected units, revenue and
/// (with a cost) profit and its change from the current price.
pub(crate) fn describe(
    item: &PricingInput,
    cost: Option<f64>,
    price: f64,
    flags: Vec<&'static str>,
) -> PriceRecommendation {
    let q = item.units(price);
    let mut out = PriceRecommendation {
        item_id: item.item_id.clone(),
        current_price: item.current_price,
        recommended_price: Some(price),
        elasticity: item.elasticity,
        elasticity_se: item.elasticity_se,
        expected_units: Some(q),
        expected_revenue: Some(price * q),
        expected_profit: None,
        profit_change_pct: None,
        flags,
    };
    if let Some(cost) = cost {
        let new = (price - cost) * q;
        let old = (item.current_price - cost) * item.units(item.current_price);
        out.expected_profit = Some(new);
        if old.abs() > 1e-12 {
            out.profit_change_pct = Some(100.0 * (new - old) / old.abs());
        }
    }
    out
}

/// A test item: 10 units a day at its current price.
#[cfg(test)]
pub(crate) fn test_item(id: &str, e: f64, cost: f64, current: f64) -> PricingInput {
    PricingInput {
        item_id: id.into(),
        current_price: current,
        cost: Some(cost),
        elasticity: e,
        elasticity_se: 0.1,
        base_units: 10.0,
        reference_price: current,
        flags: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(e: f64, cost: f64, current: f64) -> PricingInput {
        test_item("i", e, cost, current)
    }

    fn price(r: &PriceRecommendation) -> f64 {
        r.recommended_price.unwrap()
    }

    #[test]
    fn lerner_optimum_caps_and_inelastic_items_by_hand() {
        // ε = −2, c = 10: p* = 10·(−2)/(−1) = 20.
        let free = optimize_item(
            &item(-2.0, 10.0, 15.0),
            Goal::Profit,
            &Constraints::default(),
        );
        assert!((price(&free) - 20.0).abs() < 1e-9, "{free:?}");
        // ±20% around 15 caps it at 18.
        let capped = Constraints {
            max_change: Some(0.2),
            ..Constraints::default()
        };
        let r = optimize_item(&item(-2.0, 10.0, 15.0), Goal::Profit, &capped);
        assert!((price(&r) - 18.0).abs() < 1e-9, "{r:?}");
        assert!(r.flags.contains(&"at_upper_bound"));
        // Profit at 18: (18 − 10)·10·(18/15)^−2 = 55.56 vs 50 now: +11.1%.
        assert!(
            (r.profit_change_pct.unwrap() - 11.111).abs() < 0.01,
            "{r:?}"
        );
        // Inelastic (ε = −0.5): the upper bound.
        let r = optimize_item(&item(-0.5, 10.0, 15.0), Goal::Profit, &capped);
        assert!((price(&r) - 18.0).abs() < 1e-9);
        assert!(r.flags.contains(&"inelastic_at_upper_bound"));
        // Revenue with ε = −2 falls with price: the lower bound, 12.
        let r = optimize_item(&item(-2.0, 10.0, 15.0), Goal::Revenue, &capped);
        assert!((price(&r) - 12.0).abs() < 1e-9);
    }

    #[test]
    fn margins_endings_and_volume_floors_hold() {
        // Margin 50% on cost 10 forces p ≥ 20 although p* = 15 (ε = −3).
        let c = Constraints {
            min_margin: Some(0.5),
            ending: Some(0.99),
            ..Constraints::default()
        };
        let r = optimize_item(&item(-3.0, 10.0, 18.0), Goal::Profit, &c);
        assert_eq!(price(&r), 20.99, "{r:?}");
        // p* = 15 with a .99 ending: 14.99 or 15.99, whichever earns more.
        let c = Constraints {
            ending: Some(0.99),
            ..Constraints::default()
        };
        let r = optimize_item(&item(-3.0, 10.0, 18.0), Goal::Profit, &c);
        let it = item(-3.0, 10.0, 18.0);
        let best = [14.99, 15.99]
            .into_iter()
            .max_by(|a, b| {
                objective(Goal::Profit, &it, 10.0, *a).total_cmp(&objective(
                    Goal::Profit,
                    &it,
                    10.0,
                    *b,
                ))
            })
            .unwrap();
        assert_eq!(price(&r), best);
        // At least 8 units a day at base 10 and ε = −2: p ≤ 18·(0.8)^−½ = 20.12.
        let c = Constraints {
            min_units: Some(8.0),
            ..Constraints::default()
        };
        let r = optimize_item(&item(-2.0, 12.0, 18.0), Goal::Profit, &c);
        assert!(
            price(&r) <= 20.125 && r.expected_units.unwrap() >= 8.0 - 1e-9,
            "{r:?}"
        );
    }

    #[test]
    fn impossible_or_missing_inputs_are_flagged_never_nan() {
        let clash = Constraints {
            max_change: Some(0.1),
            min_price: Some(30.0),
            ..Constraints::default()
        };
        let r = optimize_item(&item(-2.0, 10.0, 15.0), Goal::Profit, &clash);
        assert_eq!(price(&r), 15.0);
        assert!(r.flags.contains(&"infeasible_constraints"));
        let mut no_cost = item(-2.0, 10.0, 15.0);
        no_cost.cost = None;
        let r = optimize_item(&no_cost, Goal::Profit, &Constraints::default());
        assert_eq!((price(&r), r.expected_profit), (15.0, None));
        assert!(r.flags.contains(&"missing_cost"));
        let r = optimize_item(
            &item(-2.0, 10.0, 0.0),
            Goal::Profit,
            &Constraints::default(),
        );
        assert_eq!(r.recommended_price, None);
        assert!(r.flags.contains(&"bad_current_price"));
        let r = optimize_item(
            &item(-2.0, 10.0, -5.0),
            Goal::Profit,
            &Constraints::default(),
        );
        assert!(r.flags.contains(&"bad_current_price"));
        for r in [
            optimize_item(
                &item(-1.0, 10.0, 15.0),
                Goal::Revenue,
                &Constraints::default(),
            ),
            optimize_item(
                &item(-1.0, 10.0, 15.0),
                Goal::Profit,
                &Constraints::default(),
            ),
        ] {
            let values = [
                r.expected_units,
                r.expected_revenue,
                r.expected_profit,
                r.profit_change_pct,
            ];
            assert!(values.iter().flatten().all(|v| v.is_finite()), "{r:?}");
        }
    }
}
