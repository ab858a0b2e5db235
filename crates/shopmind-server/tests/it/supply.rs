//! Forecasts and replenishment over HTTP: a forecast version trained by a
//! job from the store's sales, an item's forecast, the plan and a
//! simulation, and the answers to bad requests.

use shopmind_core::Rng;
use shopmind_core::record::{InventoryPosition, Record, Sale};
use shopmind_core::time::Date;
use shopmind_store::ImportOptions;

use crate::TestServer;

/// 200 days of Poisson sales with a weekly pattern for two items in one
/// store, and their inventory rows.
async fn with_sales_and_stock(s: &TestServer) {
    let mut rng = Rng::seed_from_u64(9);
    let start = Date::from_ymd(2025, 1, 1).unwrap();
    let week = [0.8, 0.9, 1.0, 1.0, 1.1, 1.4, 0.8];
    let mut records = Vec::new();
    for (i, base) in [(0, 8.0), (1, 20.0)] {
        for d in 0..200 {
            let units = rng.poisson(base * week[d % 7]) as f64;
            if units > 0.0 {
                records.push(Ok::<_, std::io::Error>(Record::Sale(Sale {
                    date: start.add_days(d as i32),
                    item_id: format!("SKU-{i:03}"),
                    store_id: "S1".into(),
                    units,
                    returned_units: 0.0,
                    price: 10.0,
                    promo: false,
                    cost: Some(4.0),
                })));
            }
        }
        records.push(Ok(Record::Inventory(InventoryPosition {
            item_id: format!("SKU-{i:03}"),
            store_id: "S1".into(),
            on_hand: 5.0,
            on_order: 0.0,
            lead_time_days: 5.0,
            lead_time_std_days: 1.0,
            unit_cost: 4.0,
            holding_cost_rate: 0.25,
            order_cost: 30.0,
            moq: 0.0,
            case_pack: 6.0,
        })));
    }
    s.store
        .import(records, &ImportOptions::default(), |_| {})
        .await
        .unwrap();
}

async fn train(s: &TestServer) -> serde_json::Value {
    crate::train_job(s, "forecast", r#"{"algorithm":"ets","activate":true}"#).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trained_forecast_version_answers_forecast_plan_and_simulation() {
    let s = TestServer::start().await;
    let a = s.call("GET", "/v1/items/SKU-000/forecast", None).await;
    assert_eq!(
        (a.status, &a.json["code"]),
        (503, &"no_active_model".into())
    );
    let failed = train(&s).await;
    assert_eq!(failed["state"], "failed");
    assert!(
        failed["error"].as_str().unwrap().contains("no sales"),
        "{failed}"
    );

    with_sales_and_stock(&s).await;
    let done = train(&s).await;
    assert_eq!(done["state"], "succeeded", "{done}");
    let models = s.call("GET", "/v1/models?kind=forecast", None).await;
    assert_eq!(models.json["models"][0]["status"], "active");
    assert_eq!(models.json["models"][0]["metrics"]["series"], 2);

    let f = s
        .call(
            "GET",
            "/v1/items/SKU-001/forecast?horizon=7&levels=80,95",
            None,
        )
        .await;
    assert_eq!(f.status, 200, "{f:?}");
    assert_eq!(f.json["last_date"], "2025-07-19");
    let steps = f.json["stores"][0]["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 7);
    assert_eq!(steps[0]["date"], "2025-07-20");
    // A week of forecasts averages near the true mean of 20 a day, and
    // each 95% interval holds its 80% interval.
    let mean: f64 = steps
        .iter()
        .map(|x| x["forecast"].as_f64().unwrap())
        .sum::<f64>()
        / 7.0;
    assert!((mean - 20.0).abs() < 3.0, "{mean}");
    for st in steps {
        let i = st["intervals"].as_array().unwrap();
        assert!(i[1][1].as_f64().unwrap() <= i[0][1].as_f64().unwrap());
        assert!(i[1][2].as_f64().unwrap() >= i[0][2].as_f64().unwrap());
    }

    let p = s
        .call("GET", "/v1/inventory/plan?service_level=0.95", None)
        .await;
    assert_eq!(p.status, 200, "{p:?}");
    let lines = p.json["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 2);
    for l in lines {
        // 5 on hand covers well under a lead time: an order is due, in case packs.
        let q = l["order_qty"].as_f64().unwrap();
        assert!(q > 0.0 && q % 6.0 == 0.0, "{l}");
        // The design meets the fill-rate target it was asked for.
        assert!(
            (l["expected_fill_rate"].as_f64().unwrap() - 0.95).abs() < 0.01,
            "{l}"
        );
        assert!(l["order_up_to"].as_f64().unwrap() > l["reorder_point"].as_f64().unwrap());
    }

    let sim = s
        .call(
            "POST",
            "/v1/inventory/simulate",
            Some(r#"{"days":56,"replan_every":28,"model":"ets","service_level":0.95}"#),
        )
        .await;
    // A simulation is a job: queued at once, its report in `result`.
    assert_eq!(sim.status, 202, "{sim:?}");
    assert_eq!(sim.json["kind"], "simulation");
    let job = crate::wait_job(&s, sim.json["job_id"].as_str().unwrap()).await;
    assert_eq!(job["state"], "succeeded", "{job}");
    let report = &job["result"];
    assert_eq!(report["regular"]["items"], 2, "{job}");
    let fill = report["regular"]["unit_fill_rate"].as_f64().unwrap();
    assert!(fill > 0.8 && fill <= 1.0, "{fill}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_forecast_and_inventory_requests_get_problem_documents() {
    let s = TestServer::start().await;
    with_sales_and_stock(&s).await;
    assert_eq!(train(&s).await["state"], "succeeded");
    for (method, path, body, status) in [
        ("GET", "/v1/items/SKU-000/forecast?horizon=0", None, 422),
        ("GET", "/v1/items/SKU-000/forecast?horizon=abc", None, 400),
        ("GET", "/v1/items/SKU-000/forecast?levels=80,100", None, 422),
        ("GET", "/v1/items/SKU-000/forecast?store=S9", None, 404),
        ("GET", "/v1/items/NOPE/forecast", None, 404),
        ("GET", "/v1/inventory/plan?service_level=1.5", None, 422),
        ("GET", "/v1/inventory/plan?policy=xyz&target=abc", None, 422),
        ("GET", "/v1/inventory/plan?review_days=0", None, 422),
        ("POST", "/v1/inventory/simulate", Some("{oops"), 400),
        ("POST", "/v1/inventory/simulate", Some(r#"{"days":3}"#), 422),
        (
            "POST",
            "/v1/inventory/simulate",
            Some(r#"{"items":[]}"#),
            422,
        ),
        (
            "POST",
            "/v1/inventory/simulate",
            Some(r#"{"model":"arima"}"#),
            422,
        ),
        (
            "POST",
            "/v1/inventory/simulate",
            Some(r#"{"bogus":1}"#),
            400,
        ),
        (
            "POST",
            "/v1/models/forecast/train",
            Some(r#"{"algorithm":"arima"}"#),
            422,
        ),
        (
            "POST",
            "/v1/models/forecast/train",
            Some(r#"{"activate":"if_better"}"#),
            422,
        ),
    ] {
        let r = s.call(method, path, body).await;
        assert_eq!(r.status, status, "{method} {path} {body:?}: {r:?}");
        assert!(r.json["code"].is_string(), "{r:?}");
    }
}
