//! `shopmind price predict`: reads a table, cross-validates the pricing
//! regressions (`shopmind_pricing::regress`), fits the chosen one on the
//! whole table and predicts a second table.

use std::path::Path;

use anyhow::{Context, bail};
use shopmind_pricing::regress::{Algorithm, RegressionParams, Scores, cross_validate, select};
use shopmind_pricing::table::{Column, Table};

use crate::cli::PricePredictArgs;

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

fn is_id(name: &str) -> bool {
    name.eq_ignore_ascii_case("id") || name.to_ascii_lowercase().ends_with("_id")
}

fn print_scores(rows: &[(Algorithm, Scores)]) {
    println!(
        "{:<8} {:>8} {:>12} {:>12} {:>9}",
        "model", "R²", "MAE", "RMSE", "MAPE %"
    );
    for (a, s) in rows {
        println!(
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
    let features: Vec<String> = if a.features.is_empty() {
        train
            .header
            .iter()
            .filter(|h| **h != a.target && !is_id(h))
            .cloned()
            .collect()
    } else {
        a.features.iter().map(|f| f.trim().to_owned()).collect()
    };
    if features.is_empty() {
        bail!("no feature columns: name them with --features");
    }
    if features.contains(&a.target) {
        bail!("--features must not include the target `{}`", a.target);
    }
    let table = train.table(&features, &a.train)?;
    let params = RegressionParams {
        lambda: a.lambda,
        gbdt: shopmind_core::learn::GbdtParams {
            seed: a.seed,
            ..RegressionParams::default().gbdt
        },
        ..RegressionParams::default()
    };
    let (algorithm, scores) = if a.model == "auto" {
        select(&params, &table, &y, a.folds, a.seed)?
    } else if let Some(alg) = Algorithm::parse(&a.model) {
        let s = cross_validate(&params.with(alg), &table, &y, a.folds, a.seed)?;
        (alg, vec![(alg, s)])
    } else if a.model == "svr" {
        bail!("--model svr is not available yet; use linear, ridge, tree, gbdt or auto");
    } else {
        bail!(
            "--model must be linear, ridge, tree, gbdt or auto, not `{}`",
            a.model
        );
    };
    let model = params.with(algorithm).fit(&table, &y)?;
    if a.json {
        let rows: Vec<_> = scores
            .iter()
            .map(|(alg, s)| serde_json::json!({"model": alg.name(), "r2": s.r2, "mae": s.mae, "rmse": s.rmse, "mape": s.mape}))
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "target": a.target, "features": features, "rows": y.len(), "folds": a.folds,
                "chosen": algorithm.name(), "cross_validation": rows,
            }))?
        );
    } else {
        println!(
            "{} rows, target `{}`, features {}; {}-fold cross-validation:",
            y.len(),
            a.target,
            features.join(", "),
            a.folds
        );
        print_scores(&scores);
        println!("model: {}", algorithm.name());
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
            println!("wrote {} predictions to {}", pred.len(), out.display());
        }
    }
    Ok(())
}
