//! `forecast batch`, `eval forecast`, `forecast sales`, `inventory plan` and
//! `inventory simulate` through the binary, on files the test writes and on
//! a small generated store.

use std::fmt::Write as _;

use crate::{ok, shopmind};

#[test]
fn forecast_batch_writes_every_step_with_intervals_and_reports_bad_rows() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let p = |name: &str| tmp.path().join(name).to_str().unwrap().to_owned();
    // Two weekly-seasonal series of 10 weeks, one intermittent, one short.
    let mut csv = String::from("series_id,t,value\n");
    for t in 1..=70 {
        writeln!(csv, "a,{t},{}", 10 + (t % 7) * 3).unwrap();
    }
    for t in 1..=70 {
        writeln!(csv, "b,{t},{}", if t % 4 == 0 { 2 } else { 0 }).unwrap();
    }
    for t in 1..=10 {
        writeln!(csv, "short,{t},{}", 5 + t % 3).unwrap();
    }
    std::fs::write(p("s.csv"), &csv).unwrap();
    ok(&shopmind(
        &data,
        &[
            "forecast",
            "batch",
            "--history",
            &p("s.csv"),
            "--horizon",
            "7",
            "--season",
            "7",
            "--out",
            &p("f.csv"),
        ],
    ));
    let out = std::fs::read_to_string(p("f.csv")).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "series_id,step,forecast,lo80,hi80,lo95,hi95");
    assert_eq!(lines.len(), 1 + 3 * 7);
    // Series a repeats its week exactly: step 1 is t = 71 ≡ 1 (mod 7) → 13.
    let first: Vec<f64> = lines[1]
        .split(',')
        .skip(2)
        .map(|v| v.parse().unwrap())
        .collect();
    assert!((first[0] - 13.0).abs() < 0.5, "{}", lines[1]);
    assert!(
        first[3] <= first[1]
            && first[1] <= first[0]
            && first[0] <= first[2]
            && first[2] <= first[4]
    );
    // The intermittent series never goes below zero.
    assert!(
        lines
            .iter()
            .filter(|l| l.starts_with("b,"))
            .all(|l| !l.contains(",-"))
    );

    // A gap, a negative and a word each name their line and column.
    for (bad, needle) in [
        ("series_id,t,value\na,1,1\na,2,2\na,4,3\n", "line 4"),
        ("series_id,t,value\na,1,1\na,2,-2\n", "line 3"),
        ("series_id,t,value\na,1,1\na,2,lots\n", "line 3"),
    ] {
        std::fs::write(p("bad.csv"), bad).unwrap();
        let out = shopmind(
            &data,
            &[
                "forecast",
                "batch",
                "--history",
                &p("bad.csv"),
                "--horizon",
                "2",
                "--out",
                &p("x.csv"),
            ],
        );
        assert_eq!(out.status.code(), Some(1));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle) && err.contains("bad.csv"), "{err}");
    }
    std::fs::write(
        p("gap.csv"),
        "series_id,t,value\na,1,1\na,2,2\na,4,4\na,5,5\na,6,6\n",
    )
    .unwrap();
    ok(&shopmind(
        &data,
        &[
            "forecast",
            "batch",
            "--history",
            &p("gap.csv"),
            "--horizon",
            "2",
            "--fill",
            "linear",
            "--model",
            "naive",
            "--out",
            &p("g.csv"),
        ],
    ));
    assert!(
        std::fs::read_to_string(p("g.csv"))
            .unwrap()
            .contains("a,1,6")
    );
}

#[test]
fn sales_forecast_plan_and_simulation_on_a_generated_store() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let p = |name: &str| tmp.path().join(name).to_str().unwrap().to_owned();
    let demo = p("demo");
    ok(&shopmind(
        &data,
        &[
            "generate", "--out", &demo, "--seed", "3", "--items", "20", "--users", "50", "--days",
            "200",
        ],
    ));
    let sales = format!("{demo}/sales.csv");
    let inventory = format!("{demo}/inventory.csv");
    ok(&shopmind(
        &data,
        // 45 days cover the longest lead time, review and three lead-time sds.
        &[
            "forecast",
            "sales",
            "--sales",
            &sales,
            "--horizon",
            "45",
            "--model",
            "ets",
            "--out",
            &p("fs.csv"),
        ],
    ));
    let fs = std::fs::read_to_string(p("fs.csv")).unwrap();
    assert!(fs.starts_with(
        "item_id,store_id,step,date,forecast,lo80,hi80,lo95,hi95,cum_mean,cum_sd,model"
    ));
    assert_eq!(
        fs.lines().count(),
        1 + 20 * 3 * 45,
        "20 items × 3 stores × 45 days"
    );
    // The plan from that file and the plan that forecasts itself agree.
    ok(&shopmind(
        &data,
        &[
            "inventory",
            "plan",
            "--inventory",
            &inventory,
            "--forecast",
            &p("fs.csv"),
            "--service-level",
            "0.9",
            "--target",
            "csl",
            "--out",
            &p("plan1.csv"),
        ],
    ));
    ok(&shopmind(
        &data,
        &[
            "inventory",
            "plan",
            "--inventory",
            &inventory,
            "--sales",
            &sales,
            "--model",
            "ets",
            "--service-level",
            "0.9",
            "--target",
            "csl",
            "--out",
            &p("plan2.csv"),
        ],
    ));
    let (a, b) = (
        std::fs::read_to_string(p("plan1.csv")).unwrap(),
        std::fs::read_to_string(p("plan2.csv")).unwrap(),
    );
    assert_eq!(a.lines().count(), 61);
    let col = |s: &str, k: usize| -> Vec<f64> {
        s.lines()
            .skip(1)
            .map(|l| l.split(',').nth(k).unwrap().parse().unwrap())
            .collect()
    };
    for (x, y) in col(&a, 5).iter().zip(col(&b, 5)) {
        assert!(
            (x - y).abs() < 0.02 * (1.0 + y.abs()),
            "reorder points {x} vs {y}"
        );
    }
    let out = ok(&shopmind(
        &data,
        &[
            "inventory",
            "simulate",
            "--inventory",
            &inventory,
            "--sales",
            &sales,
            "--days",
            "56",
            "--model",
            "ets",
            "--json",
        ],
    ));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let items =
        v["regular"]["items"].as_u64().unwrap() + v["slow_movers"]["items"].as_u64().unwrap();
    assert_eq!(items, 60, "{v}");
    assert!(
        v["regular"]["unit_fill_rate"].as_f64().unwrap() > 0.5,
        "{v}"
    );
    let bad = shopmind(
        &data,
        &[
            "inventory",
            "plan",
            "--inventory",
            &inventory,
            "--sales",
            &sales,
            "--service-level",
            "1.5",
            "--out",
            &p("x.csv"),
        ],
    );
    assert_eq!(bad.status.code(), Some(1));
}
