//! The whole pricing run over a catalog, shared by the CLI and the server:
//! every item priced from its demand estimate (or flagged), then the
//! per-category cap; and the fit-and-choose step of price prediction.

use crate::cap::apply_category_cap;
use crate::elasticity::{Elasticity, ElasticityFlag};
use crate::optimize::{Constraints, Goal, PriceRecommendation, PricingInput, optimize_item};
use crate::regress::{
    Algorithm, RegressError, RegressionParams, Regressor, Scores, cross_validate, select,
};
use crate::table::Table;
use shopmind_core::cancel::Cancel;

/// An item to price, as the catalog has it.
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogItem {
    /// Item.
    pub item_id: String,
    /// Current price (`NaN` or ≤ 0 when unusable: the row is flagged).
    pub price: f64,
    /// Unit cost.
    pub cost: Option<f64>,
    /// Category, for the cap.
    pub category: Option<String>,
    /// Flags from reading the item (`bad_cost`).
    pub flags: Vec<&'static str>,
}

/// Prices every item of `items` with its demand estimate from `demand`
/// (`None`: no sales, the row keeps its price and is flagged `no_sales`),
/// then applies the per-category cap when one is given.
pub fn recommend_prices<'a>(
    items: &[CatalogItem],
    demand: impl Fn(&str) -> Option<&'a Elasticity>,
    goal: Goal,
    constraints: &Constraints,
    category_cap: Option<f64>,
) -> Vec<PriceRecommendation> {
    let mut rows = Vec::with_capacity(items.len());
    let (mut priced, mut priced_rows, mut priced_cats) = (Vec::new(), Vec::new(), Vec::new());
    for item in items {
        match demand(&item.item_id) {
            Some(e) => {
                let mut flags = item.flags.clone();
                if e.flag != ElasticityFlag::Estimated {
                    flags.push(e.flag.as_str());
                }
                let input = PricingInput {
                    item_id: item.item_id.clone(),
                    current_price: item.price,
                    cost: item.cost,
                    elasticity: e.elasticity,
                    elasticity_se: e.std_error,
                    base_units: e.base_units,
                    reference_price: e.reference_price,
                    flags,
                };
                priced_rows.push(rows.len());
                rows.push(optimize_item(&input, goal, constraints));
                priced_cats.push(item.category.clone().unwrap_or_default());
                priced.push(input);
            }
            None => rows.push(PriceRecommendation {
                item_id: item.item_id.clone(),
                current_price: item.price,
                recommended_price: (item.price > 0.0 && item.price.is_finite())
                    .then_some(item.price),
                elasticity: f64::NAN,
                elasticity_se: f64::NAN,
                expected_units: None,
                expected_revenue: None,
                expected_profit: None,
                profit_change_pct: None,
                flags: [item.flags.as_slice(), &["no_sales"]].concat(),
            }),
        }
    }
    if let Some(cap) = category_cap {
        let mut recs: Vec<PriceRecommendation> =
            priced_rows.iter().map(|&i| rows[i].clone()).collect();
        apply_category_cap(&priced, &priced_cats, &mut recs, goal, constraints, cap);
        for (&i, r) in priced_rows.iter().zip(recs) {
            rows[i] = r;
        }
    }
    rows
}

/// A fitted price regression with how it was chosen.
#[derive(Debug, Clone)]
pub struct FittedRegression {
    /// The family used.
    pub algorithm: Algorithm,
    /// Cross-validated scores (every family's under `auto`).
    pub scores: Vec<(Algorithm, Scores)>,
    /// The model fitted on all rows.
    pub model: Regressor,
}

/// Cross-validates `choice` (every family when `None`: `auto`), keeps the
/// best, and fits it on every row.
pub fn fit_regression(
    params: &RegressionParams,
    choice: Option<Algorithm>,
    table: &Table,
    y: &[f64],
    folds: usize,
    seed: u64,
    cancel: &Cancel,
) -> Result<FittedRegression, RegressError> {
    let (algorithm, scores) = match choice {
        None => select(params, table, y, folds, seed, cancel)?,
        Some(a) => (
            a,
            vec![(
                a,
                cross_validate(&params.with(a), table, y, folds, seed, cancel)?,
            )],
        ),
    };
    cancel.check()?;
    let model = params.with(algorithm).fit(table, y)?;
    Ok(FittedRegression {
        algorithm,
        scores,
        model,
    })
}
