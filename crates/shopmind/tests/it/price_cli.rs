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

    // Non-linear: a price that jumps with volume; trees win and auto sees it.
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
    assert!(chosen == "tree" || chosen == "gbdt", "{report}");

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
