//! Pricing over HTTP: a pricing version trained by a job from the store's
//! sales, the demand response of an item, recommended prices, and price
//! prediction from a posted table.

use shopmind_core::Rng;
use shopmind_core::record::{Item, Record, Sale};
use shopmind_core::time::Date;
use shopmind_store::ImportOptions;

use crate::TestServer;

/// Costs for the first 6 catalog items and 300 days of sales for the first
/// 4 (constant elasticity −2, prices moving every 20 days).
async fn with_sales(s: &TestServer) {
    let items: Vec<Item> = (0..6)
        .map(|i| Item {
            title: Some(format!("Item {i}")),
            category: Some("Home > Kitchen".into()),
            price: Some(20.0),
            cost: Some(8.0),
            ..Item::new(format!("SKU-{i:03}"))
        })
        .collect();
    s.store.put_items(items).await.unwrap();
    let mut rng = Rng::seed_from_u64(5);
    let start = Date::from_ymd(2025, 1, 1).unwrap();
    let mut sales = Vec::new();
    for i in 0..4 {
        let mut price = 20.0;
        for d in 0..300 {
            if d % 20 == 0 {
                price = 20.0 * rng.range(0.85, 1.15);
            }
            let units = rng.poisson(6.0 * (price / 20.0_f64).powf(-2.0)) as f64;
            if units > 0.0 {
                sales.push(Ok::<_, std::io::Error>(Record::Sale(Sale {
                    date: start.add_days(d),
                    item_id: format!("SKU-{i:03}"),
                    store_id: "S1".into(),
                    units,
                    returned_units: 0.0,
                    price: (price * 100.0_f64).round() / 100.0,
                    promo: false,
                    cost: Some(8.0),
                })));
            }
        }
    }
    s.store
        .import(sales, &ImportOptions::default(), |_| {})
        .await
        .unwrap();
}

async fn train(s: &TestServer) -> serde_json::Value {
    crate::train_job(s, "pricing", r#"{"activate":true}"#).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trained_pricing_version_answers_response_and_optimize() {
    let s = TestServer::start().await;
    let a = s.call("POST", "/v1/pricing/optimize", Some("{}")).await;
    assert_eq!(
        (a.status, &a.json["code"]),
        (503, &"no_active_model".into())
    );
    // No sales yet: the job fails and says why.
    let failed = train(&s).await;
    assert_eq!(failed["state"], "failed");
    assert!(
        failed["error"].as_str().unwrap().contains("no sales"),
        "{failed}"
    );
    with_sales(&s).await;
    let done = train(&s).await;
    assert_eq!(done["state"], "succeeded", "{done}");
    let models = s.call("GET", "/v1/models?kind=pricing", None).await;
    assert_eq!(models.json["models"][0]["status"], "active");
    assert_eq!(models.json["models"][0]["metrics"]["estimated"], 4);

    let r = s
        .call("GET", "/v1/items/SKU-001/price-response?points=11", None)
        .await;
    assert_eq!(r.status, 200, "{r:?}");
    let e = r.json["elasticity"].as_f64().unwrap();
    assert!((e + 2.0).abs() < 0.5, "{e}");
    let pts = r.json["points"].as_array().unwrap();
    assert_eq!(pts.len(), 11);
    assert!((pts[0]["price"].as_f64().unwrap() - 14.0).abs() < 1e-9);
    for w in pts.windows(2) {
        assert!(
            w[1]["units"].as_f64() < w[0]["units"].as_f64(),
            "demand falls with price"
        );
    }
    for p in pts {
        let (lo, u, hi) = (
            p["units_low"].as_f64(),
            p["units"].as_f64(),
            p["units_high"].as_f64(),
        );
        assert!(lo <= u && u <= hi, "{p}");
        assert!(p["profit"].is_number());
    }
    for (path, status, code) in [
        ("/v1/items/SKU-005/price-response", 404, "not_in_model"),
        ("/v1/items/NOPE/price-response", 404, "not_found"),
        (
            "/v1/items/SKU-001/price-response?points=1",
            422,
            "validation_failed",
        ),
        (
            "/v1/items/SKU-001/price-response?from=5&to=4",
            422,
            "validation_failed",
        ),
        // Trained without per_store (and with one store): no store curve.
        (
            "/v1/items/SKU-001/price-response?store=S1",
            404,
            "not_in_model",
        ),
    ] {
        let a = s.call("GET", path, None).await;
        assert_eq!(
            (a.status, a.json["code"].as_str()),
            (status, Some(code)),
            "{path}"
        );
    }

    let a = s
        .call(
            "POST",
            "/v1/pricing/optimize",
            Some(r#"{"max_change":0.1,"ending":0.99,"items":["SKU-000","SKU-001","SKU-005"]}"#),
        )
        .await;
    assert_eq!(a.status, 200, "{a:?}");
    let recs = a.json["recommendations"].as_array().unwrap();
    assert_eq!(recs.len(), 3);
    for r in recs {
        let p = r["recommended_price"].as_f64().unwrap();
        assert!((18.0..=22.0).contains(&p), "{r}");
        if r["item_id"] == "SKU-005" {
            assert_eq!(r["flags"], serde_json::json!(["no_sales"]));
        } else {
            assert_eq!(((p * 100.0).round() as i64) % 100, 99, "{r}");
        }
    }
    for body in [
        r#"{"objective":"loss"}"#,
        r#"{"max_change":2}"#,
        r#"{"items":["NOPE"]}"#,
    ] {
        let a = s.call("POST", "/v1/pricing/optimize", Some(body)).await;
        assert_eq!(a.status, 422, "{body}: {a:?}");
    }
    for body in [
        r#"{"activate":"if_better"}"#,
        r#"{"params":{"per_store":"maybe"}}"#,
        r#"{"params":{"neighbors":"5"}}"#,
        r#"{"algorithm":"best"}"#,
    ] {
        let a = s.call("POST", "/v1/models/pricing/train", Some(body)).await;
        assert_eq!(a.status, 422, "{body}: {a:?}");
    }
    s.stop().await;
}

#[tokio::test]
async fn predict_fits_a_posted_table() {
    let s = TestServer::start().await;
    let train: Vec<String> = (0..40)
        .map(|i| {
            let v = f64::from(i) * 10.0;
            let market = ["low", "high"][i as usize % 2];
            let lift = if market == "high" { 5.0 } else { 0.0 };
            format!(
                r#"{{"product_id":"P{i}","price":{},"sales_volume":{v},"market_info":"{market}"}}"#,
                20.0 + 0.05 * v + lift
            )
        })
        .collect();
    let body = format!(
        r#"{{"train":[{}],"predict":[{{"sales_volume":100,"market_info":"high"}}]}}"#,
        train.join(",")
    );
    let a = s.call("POST", "/v1/pricing/predict", Some(&body)).await;
    assert_eq!(a.status, 200, "{a:?}");
    assert_eq!(
        a.json["features"],
        serde_json::json!(["market_info", "sales_volume"])
    );
    assert!(
        ["linear", "ridge"].contains(&a.json["chosen"].as_str().unwrap()),
        "{}",
        a.json
    );
    let p = a.json["predictions"][0].as_f64().unwrap();
    assert!((p - 30.0).abs() < 0.5, "{p}");
    for bad in [
        r#"{"train":[]}"#,
        r#"{"train":[{"price":"x","a":1},{"price":1,"a":2},{"price":2,"a":3},{"price":3,"a":4}]}"#,
        r#"{"train":[{"price":1,"a":1},{"price":1,"a":2},{"price":2,"a":3},{"price":3,"a":4}],"model":"magic"}"#,
    ] {
        let a = s.call("POST", "/v1/pricing/predict", Some(bad)).await;
        assert_eq!(a.status, 422, "{bad}: {a:?}");
    }
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_pricing_version_does_not_hold_back_recommendations() {
    let s = TestServer::start().await;
    let (knn, popular) = crate::serving::with_models(&s).await;
    let json = serde_json::json!({});
    s.store
        .save_model(
            &shopmind_store::NewModel {
                model_id: "pricing-broken",
                kind: "pricing",
                algorithm: "elasticity",
                params: &json,
                data_fingerprint: "fp",
                metrics: &json,
            },
            b"not a pricing model",
        )
        .await
        .unwrap();
    s.store.activate_model("pricing-broken").await.unwrap();
    s.store.activate_model(&popular).await.unwrap();
    let synced = shopmind_service::serving::sync(&s.store, &s.state.models).await;
    assert!(synced.is_err(), "the broken artifact is reported");
    let served = s.state.models.recommend().unwrap().model_id.clone();
    assert_eq!(served, popular, "the recommendation swap happened anyway");
    assert_ne!(served, knn);
    assert!(s.state.models.pricing().is_none());
    s.stop().await;
}
