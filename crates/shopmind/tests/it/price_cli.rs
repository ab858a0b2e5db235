//! `price predict` through the binary, on the seed's `products.csv` layout
//! (product_id, price, sales_volume, market_info).

use std::fmt::Write as _;

use shopmind_core::Rng;

use crate::shopmind;

/// Products whose price is `f(sales_volume, market)` plus noise.
fn products(n: usize, seed: u64, f: impl Fn(f64, &str) -> f64) -> String {
    let mut rng = Rng::seed_from_u64(seed);
    let mut csv = String::from("product_id,price,sales_volume,market_info\n");
    for i in 0..n {
        let volume = rng.range(0.0, 1000.0);
        let market = ["low", "mid", "high"][rng.below(3) as usize];
        let price = f(volume, market) + rng.normal();
        writeln!(csv, "P{i:04},{price:.3},{volume:.2},{market}").unwrap();
    }
    csv
}

fn market_lift(m: &str) -> f64 {
    match m {
        "low" => -5.0,
        "high" => 8.0,
        _ => 0.0,
    }
}

#[test]
fn price_predict_scores_picks_and_writes_predictions() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let p = |name: &str| tmp.path().join(name).to_str().unwrap().to_owned();
    // Linear: price = 20 + 0.05 · volume + market lift + N(0, 1).
    std::fs::write(
        p("lin.csv"),
        products(300, 1, |v, m| 20.0 + 0.05 * v + market_lift(m)),
    )
    .unwrap();
    std::fs::write(
        p("new.csv"),
        "product_id,sales_volume,market_info\nN1,100,high\nN2,500,unseen\n",
    )
    .unwrap();
    let out = shopmind(
        &data,
        &[
            "price",
            "predict",
            "--train",
            &p("lin.csv"),
            "--model",
            "auto",
            "--json",
            "--predict",
            &p("new.csv"),
            "--out",
            &p("pred.csv"),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        report["features"],
        serde_json::json!(["sales_volume", "market_info"])
    );
    let chosen = report["chosen"].as_str().unwrap();
    assert!(chosen == "linear" || chosen == "ridge", "{report}");
    let linear = &report["cross_validation"][0];
    assert_eq!(linear["model"], "linear");
    assert!(linear["r2"].as_f64().unwrap() >= 0.95, "{report}");
    let pred = std::fs::read_to_string(p("pred.csv")).unwrap();
    let rows: Vec<&str> = pred.lines().collect();
    assert_eq!(
        rows[0],
        "product_id,sales_volume,market_info,predicted_price"
    );
    // N1: 20 + 5 + 8 = 33; an unseen market gets no lift: 20 + 25 = 45.
    let value = |r: &str| r.rsplit(',').next().unwrap().parse::<f64>().unwrap();
    assert!((value(rows[1]) - 33.0).abs() < 0.6, "{pred}");
    assert!((value(rows[2]) - 45.0).abs() < 1.5, "{pred}");

    // Non-linear: a price that jumps with volume; a non-linear model wins.
    std::fs::write(
        p("step.csv"),
        products(
            400,
            2,
            |v, m| if v > 500.0 { 60.0 } else { 20.0 } + market_lift(m),
        ),
    )
    .unwrap();
    let out = shopmind(
        &data,
        &["price", "predict", "--train", &p("step.csv"), "--json"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let chosen = report["chosen"].as_str().unwrap();
    assert!(["tree", "gbdt", "svr"].contains(&chosen), "{report}");

    // Bad input: a target that is not a number names the file, line, column.
    std::fs::write(
        p("bad.csv"),
        "product_id,price,sales_volume\nA,10,1\nB,n/a,2\n",
    )
    .unwrap();
    let out = shopmind(&data, &["price", "predict", "--train", &p("bad.csv")]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.csv") && err.contains("line 3") && err.contains("`price`"),
        "{err}"
    );
    let out = shopmind(
        &data,
        &[
            "price",
            "predict",
            "--train",
            &p("lin.csv"),
            "--features",
            "nope",
        ],
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("no column `nope`"));
    let out = shopmind(
        &data,
        &[
            "price",
            "predict",
            "--train",
            &p("lin.csv"),
            "--model",
            "magic",
        ],
    );
    assert!(!out.status.success());
}

/// Done-when of the pricing issue: on three generated stores (500 items, two
/// years of daily sales), `price optimize` estimates elasticities within a
/// mean absolute error of 0.25, captures at least 90% of the profit uplift
/// an oracle knowing the true elasticities would get (both judged on the
/// true demand curves), and never leaves its constraints.
#[test]
fn optimize_recovers_elasticities_and_most_of_the_oracle_uplift() {
    use shopmind_pricing::optimize::{Constraints, Goal, PricingInput, optimize_item};
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let constraints = Constraints {
        max_change: Some(0.2),
        min_margin: Some(0.1),
        ending: Some(0.99),
        ..Constraints::default()
    };
    for seed in ["1", "2", "3"] {
        let dir = tmp.path().join(format!("store{seed}"));
        let d = dir.to_str().unwrap();
        let out = shopmind(&data, &["generate", "--out", d, "--seed", seed]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let prices = dir.join("prices.csv");
        let out = shopmind(
            &data,
            &[
                "price",
                "optimize",
                "--sales",
                &format!("{d}/sales.csv"),
                "--items",
                &format!("{d}/items.csv"),
                "--max-change",
                "0.2",
                "--min-margin",
                "0.1",
                "--ending",
                "0.99",
                "--out",
                prices.to_str().unwrap(),
            ],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let truth: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("ground_truth.json")).unwrap())
                .unwrap();
        let truth: std::collections::HashMap<String, &serde_json::Value> = truth["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| (t["item_id"].as_str().unwrap().to_owned(), t))
            .collect();
        let mut rows = csv::Reader::from_path(&prices).unwrap();
        let (mut abs_err, mut n, mut gain, mut oracle_gain) = (0.0, 0.0, 0.0, 0.0);
        for row in rows.records() {
            let row = row.unwrap();
            let t = truth[&row[0]];
            let f = |i: usize| row[i].parse::<f64>().unwrap();
            let (current, recommended, elasticity) = (f(1), f(2), f(3));
            let true_e = t["elasticity"].as_f64().unwrap();
            let cost = t["cost"].as_f64().unwrap();
            abs_err += (elasticity - true_e).abs();
            n += 1.0;
            // Within every constraint.
            assert!(!row[9].contains("infeasible"), "{row:?}");
            assert!(
                recommended >= (current * 0.8).max(cost / 0.9) - 1e-6,
                "{row:?}"
            );
            assert!(recommended <= current * 1.2 + 1e-6, "{row:?}");
            assert!(
                ((recommended * 100.0).round() as i64).rem_euclid(100) == 99,
                "{row:?}"
            );
            // Profit under the true demand curve.
            let input = PricingInput {
                item_id: row[0].to_owned(),
                current_price: current,
                cost: Some(cost),
                elasticity: true_e,
                elasticity_se: 0.0,
                base_units: t["base_demand"].as_f64().unwrap(),
                reference_price: t["reference_price"].as_f64().unwrap(),
                flags: Vec::new(),
            };
            let profit = |p: f64| (p - cost) * input.units(p);
            let oracle = optimize_item(&input, Goal::Profit, &constraints)
                .recommended_price
                .unwrap();
            gain += profit(recommended) - profit(current);
            oracle_gain += profit(oracle) - profit(current);
        }
        let mae = abs_err / n;
        let captured = gain / oracle_gain;
        println!("store {seed}: elasticity MAE {mae:.4}, uplift captured {captured:.4}");
        assert!(n >= 450.0, "{n}");
        assert!(mae <= 0.25, "store {seed}: elasticity MAE {mae}");
        assert!(captured >= 0.9, "store {seed}: captured {captured}");
    }
}

/// Bad pricing input gives flagged rows and never NaN: a zero and a
/// negative current price, a missing cost, an item whose price never moved,
/// one with almost no sales, and one without any.
#[test]
fn optimize_flags_bad_rows_instead_of_failing() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let p = |name: &str| tmp.path().join(name).to_str().unwrap().to_owned();
    let mut rng = Rng::seed_from_u64(9);
    let mut sales = String::from("date,item_id,store_id,units,price,promo\n");
    let start = shopmind_core::time::Date::from_ymd(2024, 1, 1).unwrap();
    for d in 0..400 {
        let date = start.add_days(d);
        for (item, base, moves) in [
            ("MOVES", 6.0, true),
            ("FLAT", 6.0, false),
            ("ZERO", 6.0, true),
            ("NEG", 6.0, true),
            ("NOCOST", 6.0, true),
            ("RARE", 0.05, true),
        ] {
            let price: f64 = if moves && (d / 30) % 2 == 1 {
                11.0
            } else {
                10.0
            };
            let units = rng.poisson(base * (price / 10.0).powf(-2.0));
            if units > 0 {
                writeln!(sales, "{date},{item},S1,{units},{price:.2},0").unwrap();
            }
        }
    }
    std::fs::write(p("sales.csv"), sales).unwrap();
    std::fs::write(
        p("items.csv"),
        "item_id,price,cost,category\nMOVES,10,4,C\nFLAT,10,4,C\nZERO,0,4,C\nNEG,-3,4,C\nNOCOST,10,,C\nRARE,10,4,C\nNOSALES,10,4,C\n",
    )
    .unwrap();
    // `price optimize` on these files with `extra` options, into `out`.
    let optimize = |extra: &[&str], out: &str| {
        let (sales, items, out) = (p("sales.csv"), p("items.csv"), p(out));
        let mut args = vec![
            "price", "optimize", "--sales", &sales, "--items", &items, "--out", &out,
        ];
        args.extend_from_slice(extra);
        shopmind(&data, &args)
    };
    let out = optimize(&["--max-change", "0.1"], "prices.csv");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(p("prices.csv")).unwrap();
    assert!(
        !text.to_lowercase().contains("nan") && !text.contains("inf"),
        "{text}"
    );
    let flag = |item: &str| -> String {
        let line = text
            .lines()
            .find(|l| l.starts_with(&format!("{item},")))
            .unwrap();
        line.rsplit(',').next().unwrap().to_owned()
    };
    // The healthy item: its own estimate near the true −2, a price within
    // ±10%, and at most a bound flag.
    let moves: Vec<&str> = text
        .lines()
        .find(|l| l.starts_with("MOVES,"))
        .unwrap()
        .split(',')
        .collect();
    let (rec, e): (f64, f64) = (moves[2].parse().unwrap(), moves[3].parse().unwrap());
    assert!(
        (9.0..=11.0).contains(&rec) && (e + 2.0).abs() < 0.5,
        "{moves:?}"
    );
    assert!(
        flag("MOVES").is_empty() || flag("MOVES").ends_with("_bound"),
        "{text}"
    );
    assert!(flag("FLAT").contains("no_price_variation"), "{text}");
    assert!(flag("ZERO").contains("bad_current_price"), "{text}");
    assert!(flag("NEG").contains("bad_current_price"), "{text}");
    assert!(flag("NOCOST").contains("missing_cost"), "{text}");
    assert!(flag("RARE").contains("too_little_history"), "{text}");
    assert!(flag("NOSALES").contains("no_sales"), "{text}");
    // The flat item keeps its price within ±10% and gets the category's ε.
    let flat: Vec<&str> = text
        .lines()
        .find(|l| l.starts_with("FLAT,"))
        .unwrap()
        .split(',')
        .collect();
    let rec: f64 = flat[2].parse().unwrap();
    assert!(
        (9.0..=11.0).contains(&rec) && flat[3].parse::<f64>().unwrap() < 0.0,
        "{flat:?}"
    );
    // A 1% cap on the category's average change holds over its priced rows.
    let out = optimize(
        &["--max-change", "0.1", "--category-cap", "0.01"],
        "capped.csv",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let capped = std::fs::read_to_string(p("capped.csv")).unwrap();
    let changes: Vec<f64> = capped
        .lines()
        .skip(1)
        .filter(|l| !l.contains("no_sales"))
        .filter_map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            Some(f[2].parse::<f64>().ok()? / f[1].parse::<f64>().ok()? - 1.0)
        })
        .collect();
    let mean = changes.iter().sum::<f64>() / changes.len() as f64;
    assert!(mean.abs() <= 0.01 + 1e-9, "{mean}: {capped}");
    // A bad option is refused before any work, named as the API names it.
    let out = optimize(&["--min-margin", "1.5"], "x.csv");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("min_margin: must lie in [0, 1)"), "{err}");
}
