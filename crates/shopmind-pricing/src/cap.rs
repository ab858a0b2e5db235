//! A cap on the average price change per category: the mean of
//! p/p_cur − 1 over a category's items stays within ±cap.
//!
//! When the items' own optima break the cap, the category's total objective
//! is maximised under it by a Lagrange multiplier λ on the mean change:
//! each item maximises π(p) − λ·p/p_cur over its feasible prices, which
//! lowers every price as λ grows (the penalty grows with p), so the mean
//! change falls monotonically in λ and a bisection finds the smallest λ
//! that meets the cap (a negative λ when prices must rise). The feasible
//! prices of an item are its ending prices when an ending is set, else a
//! grid of 801 points on its interval.

use crate::optimize::{
    Constraints, Goal, PriceRecommendation, PricingInput, bounds, describe, objective,
};

/// One item the cap may move: its feasible prices and cost.
struct Movable {
    index: usize,
    cost: f64,
    candidates: Vec<f64>,
}

fn candidates(lo: f64, hi: f64, ending: Option<f64>) -> Vec<f64> {
    match ending {
        Some(e) => {
            let mut p = (lo - e).ceil() + e;
            let mut out = Vec::new();
            while p <= hi + 1e-9 && out.len() < 100_000 {
                if p > 0.0 {
                    out.push((p * 100.0).round() / 100.0);
                }
                p += 1.0;
            }
            out
        }
        None => (0..=800)
            .map(|k| lo + (hi - lo) * f64::from(k) / 800.0)
            .collect(),
    }
}

/// Enforces the cap on every category of `recs` (same order as `items`;
/// `category[i]` names item i's). Items whose row has no price, or no cost
/// under a profit goal, keep their row and count as unchanged. Rows moved by
/// the cap are flagged `category_cap`; a category that cannot meet it even
/// with every price at its bound is flagged `category_cap_infeasible` and
/// left at those bounds.
pub fn apply_category_cap(
    items: &[PricingInput],
    category: &[String],
    recs: &mut [PriceRecommendation],
    goal: Goal,
    constraints: &Constraints,
    cap: f64,
) {
    let mut groups: std::collections::BTreeMap<&str, Vec<usize>> = Default::default();
    for (i, c) in category.iter().enumerate() {
        groups.entry(c.as_str()).or_default().push(i);
    }
    for members in groups.values() {
        let change = |i: usize, p: f64| p / items[i].current_price - 1.0;
        let counted: Vec<usize> = members
            .iter()
            .copied()
            .filter(|&i| recs[i].recommended_price.is_some() && items[i].current_price > 0.0)
            .collect();
        if counted.is_empty() {
            continue;
        }
        let n = counted.len() as f64;
        let mean_now = counted
            .iter()
            .map(|&i| change(i, recs[i].recommended_price.unwrap_or(0.0)))
            .sum::<f64>()
            / n;
        if mean_now.abs() <= cap + 1e-12 {
            continue;
        }
        let movable: Vec<Movable> = counted
            .iter()
            .filter_map(|&i| {
                let cost = match (goal, items[i].cost) {
                    (_, Some(c)) => c,
                    (Goal::Revenue, None) => 0.0,
                    (Goal::Profit, None) => return None,
                };
                let (lo, hi) = bounds(&items[i], constraints)?;
                let candidates = candidates(lo, hi, constraints.ending);
                (!candidates.is_empty()).then_some(Movable {
                    index: i,
                    cost,
                    candidates,
                })
            })
            .collect();
        let fixed: f64 = counted
            .iter()
            .filter(|i| !movable.iter().any(|m| m.index == **i))
            .map(|&i| change(i, recs[i].recommended_price.unwrap_or(0.0)))
            .sum();
        let choose = |lambda: f64| -> Vec<f64> {
            movable
                .iter()
                .map(|m| {
                    let it = &items[m.index];
                    let score =
                        |p: f64| objective(goal, it, m.cost, p) - lambda * p / it.current_price;
                    m.candidates
                        .iter()
                        .copied()
                        .max_by(|a, b| score(*a).total_cmp(&score(*b)))
                        .unwrap_or(it.current_price)
                })
                .collect()
        };
        let mean = |prices: &[f64]| {
            (fixed
                + movable
                    .iter()
                    .zip(prices)
                    .map(|(m, p)| change(m.index, *p))
                    .sum::<f64>())
                / n
        };
        // The sign of λ: positive pushes prices down, negative up.
        let sign = if mean_now > 0.0 { 1.0 } else { -1.0 };
        let within = |prices: &[f64]| sign * mean(prices) <= cap + 1e-12;
        let mut hi_l = 1e-6;
        while !within(&choose(sign * hi_l)) && hi_l < 1e15 {
            hi_l *= 4.0;
        }
        let feasible = within(&choose(sign * hi_l));
        let mut lo_l = 0.0;
        for _ in 0..100 {
            let mid = 0.5 * (lo_l + hi_l);
            if within(&choose(sign * mid)) {
                hi_l = mid;
            } else {
                lo_l = mid;
            }
        }
        let prices = choose(sign * hi_l);
        let flag = if feasible {
            "category_cap"
        } else {
            "category_cap_infeasible"
        };
        for (m, p) in movable.iter().zip(prices) {
            let it = &items[m.index];
            let mut flags = it.flags.clone();
            flags.push(flag);
            let cost = match goal {
                Goal::Profit => Some(m.cost),
                Goal::Revenue => it.cost,
            };
            recs[m.index] = describe(it, cost, p, flags);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optimize::{optimize_item, test_item as item};

    #[test]
    fn the_cap_holds_and_the_category_keeps_its_best_split() {
        // Both items want +20% (inelastic, and ε = −2 with p* = 2c = 30).
        let items = vec![item("a", -0.5, 5.0, 10.0), item("b", -2.0, 15.0, 20.0)];
        let cats = vec!["C".to_owned(), "C".to_owned()];
        let c = Constraints {
            max_change: Some(0.2),
            ..Constraints::default()
        };
        let mut recs: Vec<_> = items
            .iter()
            .map(|i| optimize_item(i, Goal::Profit, &c))
            .collect();
        assert!((recs[0].recommended_price.unwrap() - 12.0).abs() < 1e-9);
        apply_category_cap(&items, &cats, &mut recs, Goal::Profit, &c, 0.05);
        let p: Vec<f64> = recs.iter().map(|r| r.recommended_price.unwrap()).collect();
        let mean = ((p[0] / 10.0 - 1.0) + (p[1] / 20.0 - 1.0)) / 2.0;
        assert!(mean <= 0.05 + 1e-9 && mean > 0.04, "{p:?} {mean}");
        assert!((8.0..=12.0).contains(&p[0]) && (16.0..=24.0).contains(&p[1]));
        assert!(recs.iter().all(|r| r.flags.contains(&"category_cap")));
        // Brute force over a fine grid: no split under the cap earns more.
        let profit = |i: &PricingInput, p: f64| (p - i.cost.unwrap()) * i.units(p);
        let total = profit(&items[0], p[0]) + profit(&items[1], p[1]);
        let mut best: f64 = 0.0;
        for a in 0..=400 {
            let pa = 8.0 + 4.0 * f64::from(a) / 400.0;
            // The highest b meeting the cap (profit of b rises up to 24).
            let pb = ((0.1 - (pa / 10.0 - 1.0)) + 1.0) * 20.0;
            if (16.0..=24.0).contains(&pb) {
                best = best.max(profit(&items[0], pa) + profit(&items[1], pb));
            }
        }
        assert!(total >= best * (1.0 - 1e-3), "{total} vs {best}");
    }

    #[test]
    fn a_loose_cap_changes_nothing_and_endings_stay() {
        let items = vec![item("a", -3.0, 5.0, 10.0), item("b", -3.0, 5.0, 10.0)];
        let cats = vec!["C".to_owned(), "D".to_owned()];
        let c = Constraints {
            max_change: Some(0.3),
            ending: Some(0.99),
            ..Constraints::default()
        };
        let mut recs: Vec<_> = items
            .iter()
            .map(|i| optimize_item(i, Goal::Profit, &c))
            .collect();
        let before = recs.clone();
        apply_category_cap(&items, &cats, &mut recs, Goal::Profit, &c, 0.5);
        assert_eq!(recs, before);
        // A tight cap on a lone item moves it to the cap, on an ending.
        let items = vec![item("a", -0.5, 5.0, 10.0)];
        let mut recs = vec![optimize_item(&items[0], Goal::Profit, &c)];
        apply_category_cap(&items, &["C".to_owned()], &mut recs, Goal::Profit, &c, 0.05);
        let p = recs[0].recommended_price.unwrap();
        assert!(
            p <= 10.5 + 1e-9 && ((p * 100.0).round() as i64) % 100 == 99,
            "{p}"
        );
    }
}
