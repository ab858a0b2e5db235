//! Health, catalog and event routes, and the problem documents of bad requests.

use crate::TestServer;

fn assert_problem(a: &crate::Answer, status: u16, code: &str) {
    assert_eq!(a.status, status, "{a:?}");
    assert_eq!(a.content_type, "application/problem+json", "{a:?}");
    assert_eq!(a.json["status"], status);
    assert_eq!(a.json["code"], code, "{a:?}");
    assert!(
        a.json["title"].is_string() && a.json["detail"].is_string() && a.json["type"].is_string()
    );
}

#[tokio::test]
async fn health_and_catalog() {
    let s = TestServer::start().await;
    assert_eq!(
        s.call("GET", "/health/live", None).await.json["status"],
        "live"
    );
    assert_eq!(
        s.call("GET", "/health/ready", None).await.json["status"],
        "ready"
    );
    let a = s.call("GET", "/v1/items?limit=5&offset=2", None).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.json["total"], 30);
    let ids: Vec<&str> = a.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["item_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["SKU-002", "SKU-003", "SKU-004", "SKU-005", "SKU-006"]);
    let a = s
        .call("GET", "/v1/items?category=Home&limit=100", None)
        .await;
    assert_eq!(a.json["total"], 10);
    let a = s.call("GET", "/v1/items/SKU-007", None).await;
    assert_eq!(
        (a.status, a.json["title"].as_str(), a.json["price"].as_f64()),
        (200, Some("Item 7"), Some(17.0))
    );
    assert_problem(
        &s.call("GET", "/v1/items/NOPE", None).await,
        404,
        "not_found",
    );
    let a = s.call("GET", "/v1/items?limit=0", None).await;
    assert_problem(&a, 422, "validation_failed");
    assert_eq!(a.json["errors"][0]["field"], "limit");
    assert_problem(
        &s.call("GET", "/v1/items?limit=ten", None).await,
        400,
        "bad_request",
    );
    assert_problem(
        &s.call("GET", "/v1/items?colour=red", None).await,
        400,
        "bad_request",
    );
    assert_problem(
        &s.call("GET", "/v1/nothing-here", None).await,
        404,
        "no_route",
    );
    assert_problem(
        &s.call("DELETE", "/v1/events", None).await,
        405,
        "method_not_allowed",
    );
    s.stop().await;
}

#[tokio::test]
async fn a_valid_event_is_stored_and_counted() {
    let s = TestServer::start().await;
    let before = s.store.stats().await.unwrap().count("events");
    let a = s
        .call("POST", "/v1/events", Some(r#"{"user_id":"u1","item_id":"SKU-001","event_type":"view","timestamp":"2024-05-01T10:00:00Z"}"#))
        .await;
    assert_eq!(a.status, 200, "{a:?}");
    assert_eq!(
        (a.json["received"].as_u64(), a.json["stored"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(s.store.stats().await.unwrap().count("events"), before + 1);
    // The same event again is recognised (derived id) and not stored twice.
    let a = s
        .call("POST", "/v1/events", Some(r#"[{"user_id":"u1","item_id":"SKU-001","event_type":"view","timestamp":"2024-05-01T10:00:00Z"}]"#))
        .await;
    assert_eq!(a.json["stored"], 0);
    // A batch in the {"events": [...]} shape.
    let a = s
        .call(
            "POST",
            "/v1/events",
            Some(r#"{"events":[{"user_id":"u2","item_id":"SKU-002","event_type":"rating","value":4,"timestamp":1714557600},{"user_id":"u2","item_id":"SKU-003"}]}"#),
        )
        .await;
    assert_eq!((a.status, a.json["stored"].as_u64()), (200, Some(2)));
    assert_eq!(s.store.stats().await.unwrap().count("events"), before + 3);
    s.stop().await;
}

#[tokio::test]
async fn bad_events_get_problems_and_store_nothing() {
    let s = TestServer::start().await;
    let before = s.store.stats().await.unwrap();
    let a = s
        .call(
            "POST",
            "/v1/events",
            Some(r#"{"user_id":"u1","item_id":"NOT-AN-ITEM"}"#),
        )
        .await;
    assert_problem(&a, 422, "validation_failed");
    assert_eq!(a.json["errors"][0]["field"], "events[0].item_id");
    let a = s
        .call(
            "POST",
            "/v1/events",
            Some(r#"{"user_id":"u1","item_id":"SKU-001","timestamp":"31/31/2024"}"#),
        )
        .await;
    assert_problem(&a, 422, "validation_failed");
    assert_eq!(a.json["errors"][0]["field"], "events[0].timestamp");
    // One bad event in a batch: nothing of the batch is stored.
    let a = s
        .call("POST", "/v1/events", Some(r#"[{"user_id":"u1","item_id":"SKU-001"},{"user_id":"u1","item_id":"SKU-002","event_type":"teleport"}]"#))
        .await;
    assert_problem(&a, 422, "validation_failed");
    assert_eq!(a.json["errors"][0]["field"], "events[1].event_type");
    let a = s
        .call(
            "POST",
            "/v1/events",
            Some(r#"[{"user_id":"u1","item_id":"SKU-001"},{"user_id":"u1","item_id":"GHOST"}]"#),
        )
        .await;
    assert_eq!(a.json["errors"][0]["field"], "events[1].item_id");
    assert_problem(
        &s.call("POST", "/v1/events", Some("{not json")).await,
        400,
        "bad_request",
    );
    assert_problem(
        &s.call("POST", "/v1/events", Some("[]")).await,
        400,
        "bad_request",
    );
    assert_problem(
        &s.call("POST", "/v1/events", Some(r#"{"user_id":"u1"}"#))
            .await,
        422,
        "validation_failed",
    );
    let big = format!(
        "[{}]",
        vec![r#"{"user_id":"u","item_id":"SKU-001"}"#; 10_001].join(",")
    );
    assert_problem(
        &s.call("POST", "/v1/events", Some(&big)).await,
        413,
        "batch_too_large",
    );
    assert_eq!(s.store.stats().await.unwrap(), before);
    s.stop().await;
}

#[tokio::test]
async fn the_openapi_document_lists_every_route_and_docs_are_public() {
    let s = TestServer::start_with(true).await;
    let a = s.call("GET", "/openapi.json", None).await;
    assert_eq!(a.status, 200, "public: {a:?}");
    let doc = &a.json;
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    let expect = [
        ("/health/live", "get"),
        ("/health/ready", "get"),
        ("/metrics", "get"),
        ("/v1/items", "get"),
        ("/v1/items:batch", "post"),
        ("/v1/items/{id}", "get"),
        ("/v1/items/{id}", "put"),
        ("/v1/items/{id}", "delete"),
        ("/v1/events", "post"),
        ("/v1/users/{id}", "get"),
        ("/v1/users/{id}", "put"),
        ("/v1/users/{id}", "delete"),
        ("/v1/users/{id}/recommendations", "get"),
        ("/v1/recommendations", "post"),
        ("/v1/items/{id}/similar", "get"),
        ("/v1/models", "get"),
        ("/v1/models/{id}/activate", "post"),
        ("/v1/models/{kind}/rollback", "post"),
        ("/v1/models/{kind}/train", "post"),
        ("/v1/jobs/{id}", "get"),
        ("/v1/items/{id}/price-response", "get"),
        ("/v1/pricing/optimize", "post"),
        ("/v1/pricing/predict", "post"),
        ("/v1/items/{id}/forecast", "get"),
        ("/v1/inventory/plan", "get"),
        ("/v1/inventory/simulate", "post"),
        ("/v1/assistant/chat", "post"),
    ];
    let paths = doc["paths"].as_object().unwrap();
    let listed: usize = paths.values().map(|p| p.as_object().unwrap().len()).sum();
    assert_eq!(
        listed,
        expect.len(),
        "{:?}",
        paths.keys().collect::<Vec<_>>()
    );
    for (path, method) in expect {
        let op = &doc["paths"][path][method];
        assert!(op.is_object(), "{method} {path} missing");
        let responses = op["responses"].as_object().unwrap();
        assert!(
            responses.keys().any(|k| k.starts_with('2')),
            "{method} {path}"
        );
        if path.starts_with("/v1/") {
            assert_eq!(
                op["responses"]["401"]["content"]["application/problem+json"]["schema"]["$ref"],
                "#/components/schemas/Problem",
                "{method} {path}"
            );
        }
    }
    // Probes are marked as needing no key; the rest use the bearer scheme.
    assert_eq!(
        doc["paths"]["/health/live"]["get"]["security"],
        serde_json::json!([{}])
    );
    assert!(doc["components"]["securitySchemes"]["api_key"].is_object());
    for schema in [
        "Item",
        "RecAnswer",
        "Problem",
        "ModelRecord",
        "Job",
        "EventIn",
    ] {
        assert!(doc["components"]["schemas"][schema].is_object(), "{schema}");
    }
    let (status, head) = s.raw("GET", "/docs/", "").await;
    assert_eq!(status, 200, "{head}");
    assert!(head.contains("text/html"), "{head}");
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_past_the_timeout_gets_503_and_writes_all_or_nothing() {
    // 1 ms: parsing and storing 10,000 events always takes longer.
    let s = TestServer::start_configured(|st| {
        st.with_http_options(std::time::Duration::from_millis(1), Vec::new())
    })
    .await;
    let events: Vec<String> = (0..10_000)
        .map(|i| {
            format!(
                r#"{{"user_id":"t{}","item_id":"SKU-{:03}"}}"#,
                i % 97,
                i % 30
            )
        })
        .collect();
    let body = format!("[{}]", events.join(","));
    let a = s.call("POST", "/v1/events", Some(&body)).await;
    assert_problem(&a, 503, "timeout");
    // The dropped request's transaction either committed whole or not at all.
    let stored = s.store.all_events().await.unwrap().len();
    assert!(stored == 0 || stored == 30 * 97, "{stored}");
    // The server keeps answering.
    assert_eq!(s.call("GET", "/health/live", None).await.status, 200);
    s.stop().await;
}
