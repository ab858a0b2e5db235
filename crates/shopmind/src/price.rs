//! `shopmind price predict`: reads a table, cross-validates the pricing
//! regressions (`shopmind_pricing::regress`), fits the chosen one on the
//! whole table and predicts a second table. `shopmind price optimize`:
//! estimates elasticities from a sales file and writes a recommended price
//! per item (`shopmind_pricing::elasticity`, `::optimize`).

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, bail};
use shopmind_core::record::{Record, Sale};
use shopmind_pricing::elasticity::{Elasticity, ElasticityParams, estimate};
use shopmind_pricing::plan::{CatalogItem, FittedRegression, fit_regression, recommend_prices};
use shopmind_pricing::regress::{Algorithm, RegressionParams, Scores};
use shopmind_pricing::table::{Column, Table};
use shopmind_service::ServiceError;
use shopmind_service::pricing::{OptimizeRequest, feature_columns, price_rules};

use crate::cli::{PriceElasticityArgs, PriceOptimizeArgs, PricePredictArgs};

/// A CSV file as its header and text columns.
struct Csv {
    header: Vec<String>,
    columns: Vec<Vec<String>>,
}

fn read_csv(path: &Path) -> anyhow::Result<Csv> {
    let (reader, _, _) = shopmind_data::source::open_file(path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(reader);
    let header: Vec<String> = rdr
        .headers()
        .with_context(|| format!("{}: cannot read the header row", path.display()))?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    let mut columns = vec![Vec::new(); header.len()];
    for (i, record) in rdr.records().enumerate() {
        let record = record.with_context(|| format!("{}: line {}", path.display(), i + 2))?;
        for (c, cell) in columns.iter_mut().zip(record.iter()) {
            c.push(cell.to_owned());
        }
    }
    Ok(Csv { header, columns })
}

impl Csv {
    fn column(&self, name: &str, path: &Path) -> anyhow::Result<&Vec<String>> {
        self.header
            .iter()
            .position(|h| h == name)
            .map(|i| &self.columns[i])
            .with_context(|| {
                format!(
                    "{}: no column `{name}` (columns: {})",
                    path.display(),
                    self.header.join(", ")
                )
            })
    }

    fn table(&self, features: &[String], path: &Path) -> anyhow::Result<Table> {
        let cols = features
            .iter()
            .map(|f| Ok((f.clone(), Column::infer(self.column(f, path)?.clone()))))
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(Table::new(cols)?)
    }
}

fn print_scores(rows: &[(Algorithm, Scores)]) {
    outln!(
        "{:<8} {:>8} {:>12} {:>12} {:>9}",
        "model",
        "R²",
        "MAE",
        "RMSE",
        "MAPE %"
    );
    for (a, s) in rows {
        outln!(
            "{:<8} {:>8.4} {:>12.4} {:>12.4} {:>9.2}",
            a.name(),
            s.r2,
            s.mae,
            s.rmse,
            s.mape
        );
    }
}

/// `shopmind price predict`.
pub fn predict(a: PricePredictArgs) -> anyhow::Result<()> {
    let train = read_csv(&a.train)?;
    let target_cells = train.column(&a.target, &a.train)?;
    let mut y = Vec::with_capacity(target_cells.len());
    for (i, cell) in target_cells.iter().enumerate() {
        match cell.trim().parse::<f64>() {
            Ok(v) if v.is_finite() => y.push(v),
            _ => bail!(
                "{}: line {}, column `{}`: `{cell}` is not a number (every training row needs its target)",
                a.train.display(),
                i + 2,
                a.target
            ),
        }
    }
    // The rule of `POST /v1/pricing/predict`.
    let given = (!a.features.is_empty()).then_some(a.features.as_slice());
    let features = feature_columns(&train.header, &a.target, given)
        .map_err(|e| ServiceError::invalid("invalid prediction request", vec![e]))?;
    let table = train.table(&features, &a.train)?;
    let params = RegressionParams {
        lambda: a.lambda,
        gbdt: shopmind_core::learn::GbdtParams {
            seed: a.seed,
            ..RegressionParams::default().gbdt
        },
        ..RegressionParams::default()
    };
    let choice = match a.model.as_str() {
        "auto" => None,
        m => Some(Algorithm::parse(m).with_context(|| {
            format!("--model must be linear, ridge, svr, tree, gbdt or auto, not `{m}`")
        })?),
    };
    let FittedRegression {
        algorithm,
        scores,
        model,
    } = fit_regression(
        &params,
        choice,
        &table,
        &y,
        a.folds,
        a.seed,
        &shopmind_core::cancel::Cancel::never(),
    )?;
    if a.json {
        let rows: Vec<_> = scores
            .iter()
            .map(|(alg, s)| serde_json::json!({"model": alg.name(), "r2": s.r2, "mae": s.mae, "rmse": s.rmse, "mape": s.mape}))
            .collect();
        outln!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "target": a.target, "features": features, "rows": y.len(), "folds": a.folds,
                "chosen": algorithm.name(), "cross_validation": rows,
            }))?
        );
    } else {
        outln!(
            "{} rows, target `{}`, features {}; {}-fold cross-validation:",
            y.len(),
            a.target,
            features.join(", "),
            a.folds
        );
        print_scores(&scores);
        outln!("model: {}", algorithm.name());
    }
    if let (Some(path), Some(out)) = (&a.predict, &a.out) {
        let new = read_csv(path)?;
        let pred = model.predict(&new.table(&features, path)?)?;
        let mut w = csv::Writer::from_path(out)
            .with_context(|| format!("cannot create {}", out.display()))?;
        let mut header = new.header.clone();
        header.push(format!("predicted_{}", a.target));
        w.write_record(&header)?;
        for (r, p) in pred.iter().enumerate() {
            let mut row: Vec<String> = new.columns.iter().map(|c| c[r].clone()).collect();
            row.push(format!("{p:.6}"));
            w.write_record(&row)?;
        }
        w.flush()
            .with_context(|| format!("cannot write {}", out.display()))?;
        if !a.json {
            outln!("wrote {} predictions to {}", pred.len(), out.display());
        }
    }
    Ok(())
}

/// The items file as `price optimize` reads it: a bad cell becomes a flag
/// on the item's row, not an error for the whole run.
fn pricing_items(path: &Path) -> anyhow::Result<Vec<CatalogItem>> {
    let csv = read_csv(path)?;
    let ids = csv.column("item_id", path)?;
    let prices = csv.column("price", path)?;
    let costs = csv
        .header
        .iter()
        .position(|h| h == "cost")
        .map(|i| &csv.columns[i]);
    let categories = csv
        .header
        .iter()
        .position(|h| h == "category")
        .map(|i| &csv.columns[i]);
    let mut out = Vec::with_capacity(ids.len());
    for (r, id) in ids.iter().enumerate() {
        let id = id.trim();
        if id.is_empty() {
            bail!("{}: line {}: empty item_id", path.display(), r + 2);
        }
        let mut flags = Vec::new();
        let price = prices[r].trim().parse::<f64>().unwrap_or(f64::NAN);
        let cost = match costs.map(|c| c[r].trim()).filter(|c| !c.is_empty()) {
            None => None,
            Some(c) => match c.parse::<f64>() {
                Ok(v) if v.is_finite() && v >= 0.0 => Some(v),
                _ => {
                    flags.push("bad_cost");
                    None
                }
            },
        };
        out.push(CatalogItem {
            item_id: id.to_owned(),
            category: categories
                .map(|c| c[r].trim().to_owned())
                .filter(|c| !c.is_empty()),
            price,
            cost,
            flags,
        });
    }
    Ok(out)
}

fn cell(v: Option<f64>, digits: usize) -> String {
    v.filter(|v| v.is_finite())
        .map_or_else(String::new, |v| format!("{v:.digits$}"))
}

/// `shopmind price optimize`.
pub fn optimize(a: PriceOptimizeArgs) -> anyhow::Result<()> {
    let request = OptimizeRequest {
        objective: Some(a.objective.clone()),
        max_change: a.max_change,
        min_margin: a.min_margin,
        ending: a.ending,
        min_price: a.min_price,
        max_price: a.max_price,
        min_units: a.min_units,
        category_cap: a.category_cap,
        items: None,
    };
    // The rule set of `POST /v1/pricing/optimize`.
    let (goal, constraints, category_cap) = price_rules(&request)?;
    let items = pricing_items(&a.items)?;
    if items.is_empty() {
        bail!("{} holds no items", a.items.display());
    }
    let bar = crate::progress::spinner("reading sales");
    let sales = read_sales(&a.sales)?;
    bar.set_message(format!(
        "estimating elasticities from {} sales rows",
        sales.len()
    ));
    let category: BTreeMap<String, String> = items
        .iter()
        .filter_map(|i| Some((i.item_id.clone(), i.category.clone()?)))
        .collect();
    let started = std::time::Instant::now();
    let estimates = estimate(&sales, &category, &ElasticityParams::default());
    let fit_secs = started.elapsed().as_secs_f64();
    bar.finish_and_clear();
    let by_item: BTreeMap<&str, &Elasticity> =
        estimates.iter().map(|e| (e.item_id.as_str(), e)).collect();
    let mut w = csv::Writer::from_path(&a.out)
        .with_context(|| format!("cannot create {}", a.out.display()))?;
    w.write_record([
        "item_id",
        "current_price",
        "recommended_price",
        "elasticity",
        "elasticity_se",
        "expected_units",
        "expected_revenue",
        "expected_profit",
        "profit_change_pct",
        "flag",
    ])?;
    let rows = recommend_prices(
        &items,
        |id| by_item.get(id).copied(),
        goal,
        &constraints,
        category_cap,
    );
    let (mut changed, mut flagged) = (0usize, 0usize);
    for row in &rows {
        let current = row.current_price;
        if row
            .recommended_price
            .is_some_and(|p| (p - current).abs() > 1e-9)
        {
            changed += 1;
        }
        if !row.flags.is_empty() {
            flagged += 1;
        }
        w.write_record([
            row.item_id.clone(),
            cell(Some(row.current_price), 2),
            cell(row.recommended_price, 2),
            cell(Some(row.elasticity), 4),
            cell(Some(row.elasticity_se), 4),
            cell(row.expected_units, 4),
            cell(row.expected_revenue, 2),
            cell(row.expected_profit, 2),
            cell(row.profit_change_pct, 2),
            row.flags.join(";"),
        ])?;
    }
    w.flush()
        .with_context(|| format!("cannot write {}", a.out.display()))?;
    outln!(
        "{} items: {changed} price changes, {flagged} flagged rows; elasticities of {} items fitted in {fit_secs:.2} s; wrote {}",
        items.len(),
        estimates.len(),
        a.out.display()
    );
    Ok(())
}

fn read_sales(path: &Path) -> anyhow::Result<Vec<Sale>> {
    crate::files::read(shopmind_data::ImportKind::Sales, path, |r| match r {
        Record::Sale(s) => Some(s),
        _ => None,
    })
}

/// `shopmind price elasticity`.
pub fn elasticity(a: PriceElasticityArgs) -> anyhow::Result<()> {
    let category: BTreeMap<String, String> = match &a.items {
        Some(path) => pricing_items(path)?
            .into_iter()
            .filter_map(|i| Some((i.item_id, i.category?)))
            .collect(),
        None => BTreeMap::new(),
    };
    let bar = crate::progress::spinner("reading sales");
    let sales = read_sales(&a.sales)?;
    bar.set_message(format!(
        "estimating elasticities from {} sales rows",
        sales.len()
    ));
    let params = ElasticityParams {
        per_store: a.per_store,
        ..ElasticityParams::default()
    };
    let started = std::time::Instant::now();
    let estimates = estimate(&sales, &category, &params);
    bar.finish_and_clear();
    let mut w = csv::Writer::from_path(&a.out)
        .with_context(|| format!("cannot create {}", a.out.display()))?;
    w.write_record([
        "item_id",
        "store_id",
        "elasticity",
        "elasticity_se",
        "own_elasticity",
        "own_se",
        "base_units",
        "reference_price",
        "flag",
    ])?;
    let mut rows = 0;
    for e in &estimates {
        let mut write = |store: &str, value: f64, se: f64, own: Option<(f64, f64)>, base: f64| {
            rows += 1;
            w.write_record([
                e.item_id.clone(),
                store.to_owned(),
                cell(Some(value), 4),
                cell(Some(se), 4),
                cell(own.map(|o| o.0), 4),
                cell(own.map(|o| o.1), 4),
                cell(Some(base), 4),
                cell(Some(e.reference_price), 2),
                e.flag.as_str().to_owned(),
            ])
        };
        write("all", e.elasticity, e.std_error, e.own, e.base_units)?;
        for s in &e.stores {
            write(&s.store_id, s.elasticity, s.std_error, s.own, s.base_units)?;
        }
    }
    w.flush()
        .with_context(|| format!("cannot write {}", a.out.display()))?;
    outln!(
        "{} items ({rows} rows) in {:.2} s; wrote {}",
        estimates.len(),
        started.elapsed().as_secs_f64(),
        a.out.display()
    );
    Ok(())
}
