//! Recommendations from registered models over HTTP: live histories, cold
//! start, bad requests, and activation / rollback under load.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use shopmind_core::record::{Event, EventType};
use shopmind_recommend::model::Artifact;
use shopmind_recommend::{Dataset, MatrixOptions, algorithms};
use shopmind_store::NewModel;

use crate::{TestServer, call};

static NEXT_ID: AtomicUsize = AtomicUsize::new(0);

fn ev(n: usize, user: &str, item: usize) -> Event {
    Event {
        event_id: format!("e{n}"),
        user_id: user.into(),
        item_id: format!("SKU-{item:03}"),
        event_type: EventType::Purchase,
        value: 1.0,
        timestamp: 1_700_000_000 + n as i64,
    }
}

/// Twenty users in two taste groups over the test catalog (kitchen items are
/// the multiples of 3), then two registered versions: item-kNN (active) and
/// popularity.
pub(crate) async fn with_models(s: &TestServer) -> (String, String) {
    let mut events = Vec::new();
    for u in 0..20 {
        let kitchen = u % 2 == 0;
        for k in 0..6 {
            let item = if kitchen {
                (u + k * 3) % 30 / 3 * 3
            } else {
                (u * 7 + k * 4) % 30
            };
            let item = if kitchen || item % 3 != 0 {
                item
            } else {
                (item + 1) % 30
            };
            events.push(ev(events.len(), &format!("u{u}"), item));
        }
    }
    s.store.insert_events(events).await.unwrap();
    let events = s.store.all_events().await.unwrap();
    let items = s.store.all_items().await.unwrap();
    let opts = MatrixOptions::default();
    let data = Dataset::from_events_with_catalog(&events, &items, [], opts).unwrap();
    let mut ids = Vec::new();
    for name in ["item-knn", "popular"] {
        let artifact = Artifact {
            users: data.users.clone(),
            items: data.items.clone(),
            model: algorithms::fit(name, &Default::default(), &data).unwrap(),
            fallback: algorithms::fit("trending", &Default::default(), &data).unwrap(),
            options: opts,
        };
        // Unique per call: the Prometheus registry is shared by every test
        // of this process, and the active-model gauge is keyed by id.
        let id = format!("rec-{name}-{}", NEXT_ID.fetch_add(1, Ordering::Relaxed));
        let json = serde_json::json!({});
        s.store
            .save_model(
                &NewModel {
                    model_id: &id,
                    kind: "recommend",
                    algorithm: name,
                    params: &json,
                    data_fingerprint: "fp",
                    metrics: &json,
                },
                &artifact.to_bytes().unwrap(),
            )
            .await
            .unwrap();
        ids.push(id);
    }
    s.store.activate_model(&ids[0]).await.unwrap();
    shopmind_service::serving::sync(&s.store, &s.state.models)
        .await
        .unwrap();
    (ids[0].clone(), ids[1].clone())
}

pub(crate) fn items_of(a: &crate::Answer) -> Vec<String> {
    a.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["item_id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recommendations_follow_live_events_rules_and_cold_start() {
    let s = TestServer::start().await;
    let a = s.call("GET", "/v1/users/u0/recommendations", None).await;
    assert_eq!(a.status, 503, "no model yet: {a:?}");
    assert_eq!(a.json["code"], "no_active_model");
    let (knn, _) = with_models(&s).await;

    let a = s
        .call("GET", "/v1/users/u0/recommendations?n=5&explain=true", None)
        .await;
    assert_eq!(a.status, 200, "{a:?}");
    assert_eq!(a.json["model_id"], knn.as_str());
    assert_eq!(a.json["cold_start"], false);
    assert!(
        a.json["recommendation_id"]
            .as_str()
            .is_some_and(|r| !r.is_empty())
    );
    let first = items_of(&a);
    assert_eq!(first.len(), 5);
    let seen: Vec<String> = s
        .store
        .user_events("u0")
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.item_id)
        .collect();
    assert!(first.iter().all(|i| !seen.contains(i)), "never a seen item");
    assert!(
        a.json["items"][0]["reason"]["because_of"]
            .as_str()
            .is_some()
    );

    // Category filter and exclusions.
    let a = s
        .call(
            "GET",
            &format!(
                "/v1/users/u0/recommendations?n=5&category=home&exclude={}",
                first[0]
            ),
            None,
        )
        .await;
    assert_eq!(a.status, 200, "{a:?}");
    for id in items_of(&a) {
        let n: usize = id[4..].parse().unwrap();
        assert_eq!(n % 3, 0, "{id} is not in Home > Kitchen");
        assert_ne!(id, first[0]);
    }

    // A posted event changes the next answer, without retraining.
    let body = format!(
        r#"{{"user_id":"u0","item_id":"{}","event_type":"purchase","timestamp":1750000000}}"#,
        first[0]
    );
    assert_eq!(s.call("POST", "/v1/events", Some(&body)).await.status, 200);
    let after = items_of(
        &s.call("GET", "/v1/users/u0/recommendations?n=5", None)
            .await,
    );
    assert!(!after.contains(&first[0]), "now seen");
    assert_ne!(after, first);

    // A user never seen gets trending items, not an error.
    let a = s
        .call("GET", "/v1/users/brand-new/recommendations?n=3", None)
        .await;
    assert_eq!(
        (a.status, a.json["cold_start"].as_bool()),
        (200, Some(true))
    );
    assert_eq!(items_of(&a).len(), 3);

    // An anonymous session and similar items.
    let a = s
        .call(
            "POST",
            "/v1/recommendations",
            Some(r#"{"items":["SKU-003","SKU-006"],"n":4}"#),
        )
        .await;
    assert_eq!(a.status, 200, "{a:?}");
    assert!(!items_of(&a).contains(&"SKU-003".to_owned()));
    let a = s.call("GET", "/v1/items/SKU-003/similar?n=3", None).await;
    assert_eq!(a.status, 200, "{a:?}");
    assert!(!items_of(&a).contains(&"SKU-003".to_owned()));

    // Users: attributes, and deletion with every event (privacy): the next
    // answer is a cold-start one.
    let a = s
        .call(
            "PUT",
            "/v1/users/vip-1",
            Some(r#"{"attributes":{"segment":"vip"}}"#),
        )
        .await;
    assert_eq!(a.status, 200, "{a:?}");
    let a = s.call("GET", "/v1/users/vip-1", None).await;
    assert_eq!(a.json["attributes"]["segment"], "vip");
    let a = s.call("DELETE", "/v1/users/u0", None).await;
    assert_eq!(a.status, 200, "{a:?}");
    assert!(a.json["events_deleted"].as_u64().unwrap() >= 6);
    assert!(s.store.user_events("u0").await.unwrap().is_empty());
    assert_eq!(s.call("GET", "/v1/users/u0", None).await.status, 404);
    let a = s
        .call("GET", "/v1/users/u0/recommendations?n=3", None)
        .await;
    assert_eq!(
        (a.status, a.json["cold_start"].as_bool()),
        (200, Some(true))
    );
    assert_eq!(s.call("DELETE", "/v1/users/u0", None).await.status, 404);

    // Prometheus metrics: per-route counts and latency, the active model.
    let m = s.call("GET", "/metrics", None).await;
    assert_eq!(m.status, 200);
    assert!(
        m.content_type.starts_with("text/plain"),
        "{}",
        m.content_type
    );
    let text = m.json.as_str().unwrap();
    assert!(
        text.contains(r#"http_requests_total{method="GET",route="/v1/users/{id}/recommendations",status="200"}"#),
        "{text}"
    );
    assert!(
        text.contains("http_request_duration_seconds_bucket{"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            r#"shopmind_active_model{{kind="recommend",model_id="{knn}"}} 1"#
        )),
        "{text}"
    );

    // Bad requests are 4xx problem documents.
    for (method, path, body, status) in [
        ("GET", "/v1/users/u0/recommendations?n=0", None, 422),
        ("GET", "/v1/users/u0/recommendations?n=1000000", None, 422),
        ("GET", "/v1/users/u0/recommendations?n=ten", None, 422),
        (
            "GET",
            "/v1/users/u0/recommendations?explain=maybe",
            None,
            422,
        ),
        ("GET", "/v1/users/u0/recommendations?colour=red", None, 400),
        ("GET", "/v1/items/SKU-999/similar", None, 404),
        ("POST", "/v1/recommendations", Some(r#"{"items":"#), 400),
        (
            "POST",
            "/v1/recommendations",
            Some(r#"{"items":[],"n":0}"#),
            422,
        ),
        ("POST", "/v1/models/nope/activate", None, 404),
        ("POST", "/v1/models/forecast/rollback", None, 409),
        ("PUT", "/v1/users/x", Some(r#"{"attributes":7}"#), 400),
        ("PUT", "/v1/users/x", Some(r#"{"colour":"red"}"#), 400),
    ] {
        let a = s.call(method, path, body).await;
        assert_eq!(a.status, status, "{method} {path}: {a:?}");
        assert_eq!(a.content_type, "application/problem+json", "{path}");
    }
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn activation_and_rollback_under_load_drop_nothing() {
    let s = TestServer::start().await;
    let (knn, pop) = with_models(&s).await;
    let addr = s.addr;
    let failures = Arc::new(AtomicUsize::new(0));
    let served = Arc::new(AtomicUsize::new(0));
    let deadline = Instant::now() + Duration::from_secs(2);
    let mut clients = Vec::new();
    for c in 0..4 {
        let (failures, served) = (failures.clone(), served.clone());
        clients.push(tokio::spawn(async move {
            let mut n = 0usize;
            while Instant::now() < deadline {
                let path = format!("/v1/users/u{}/recommendations?n=10", (c * 7 + n) % 25);
                let a = call(addr, "GET", &path, None).await;
                if a.status == 200 {
                    served.fetch_add(1, Ordering::Relaxed);
                } else {
                    failures.fetch_add(1, Ordering::Relaxed);
                }
                n += 1;
            }
        }));
    }
    let mut models_seen = std::collections::HashSet::new();
    for round in 0..20 {
        let a = if round % 2 == 0 {
            s.call("POST", &format!("/v1/models/{pop}/activate"), None)
                .await
        } else {
            s.call("POST", "/v1/models/recommend/rollback", None).await
        };
        assert_eq!(a.status, 200, "round {round}: {a:?}");
        let now = s
            .call("GET", "/v1/users/u1/recommendations?n=1", None)
            .await;
        models_seen.insert(now.json["model_id"].as_str().unwrap().to_owned());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for c in clients {
        c.await.unwrap();
    }
    assert_eq!(failures.load(Ordering::Relaxed), 0);
    assert!(served.load(Ordering::Relaxed) > 20);
    assert_eq!(
        models_seen.len(),
        2,
        "both versions served: {models_seen:?}"
    );
    // Twenty swaps end where they started.
    assert_eq!(
        s.store
            .active_model("recommend")
            .await
            .unwrap()
            .unwrap()
            .model_id,
        knn
    );
    s.stop().await;
}

#[tokio::test]
async fn api_keys_and_scopes_guard_every_route_but_health() {
    use shopmind_store::Scope;
    let s = TestServer::start_with(true).await;
    let (_, read) = s.store.create_api_key(Scope::Read, "r").await.unwrap();
    let (_, write) = s.store.create_api_key(Scope::Write, "w").await.unwrap();
    let (admin_key, admin) = s.store.create_api_key(Scope::Admin, "a").await.unwrap();
    assert_eq!(s.call("GET", "/health/live", None).await.status, 200);
    assert_eq!(s.call("GET", "/metrics", None).await.status, 200, "public");
    let a = s.call("GET", "/v1/items/SKU-001", None).await;
    assert_eq!(
        (a.status, a.json["code"].as_str()),
        (401, Some("unauthorized"))
    );
    assert_eq!(a.content_type, "application/problem+json");
    let wrong = s
        .call_as("sm_00000000_0000", "GET", "/v1/items/SKU-001", None)
        .await;
    assert_eq!(wrong.status, 401);
    assert_eq!(
        s.call_as(&read, "GET", "/v1/items/SKU-001", None)
            .await
            .status,
        200
    );
    let body = r#"{"user_id":"u1","item_id":"SKU-001","event_type":"view"}"#;
    let a = s.call_as(&read, "POST", "/v1/events", Some(body)).await;
    assert_eq!(
        (a.status, a.json["code"].as_str()),
        (403, Some("forbidden"))
    );
    assert_eq!(
        s.call_as(&write, "POST", "/v1/events", Some(body))
            .await
            .status,
        200
    );
    assert_eq!(
        s.call_as(&read, "POST", "/v1/items:batch", Some("[]"))
            .await
            .status,
        403
    );
    assert_eq!(
        s.call_as(&read, "GET", "/v1/models", None).await.status,
        403
    );
    assert_eq!(
        s.call_as(&write, "GET", "/v1/models", None).await.status,
        403
    );
    assert_eq!(
        s.call_as(&admin, "GET", "/v1/models", None).await.status,
        200
    );
    // A revoked key stops working once the cache entry expires; a key never
    // seen before by this server is checked at once.
    s.store.revoke_api_key(&admin_key.key_id).await.unwrap();
    let (_, fresh) = s.store.create_api_key(Scope::Read, "f").await.unwrap();
    s.store.revoke_api_key(&fresh[3..11]).await.unwrap();
    assert_eq!(
        s.call_as(&fresh, "GET", "/v1/items/SKU-001", None)
            .await
            .status,
        401
    );
    // A key with the right id and a wrong secret is refused.
    let forged = format!("{}_{}", &read[..11], "0".repeat(32));
    assert_eq!(
        s.call_as(&forged, "GET", "/v1/items/SKU-001", None)
            .await
            .status,
        401
    );
    s.stop().await;
}

#[tokio::test]
async fn a_rate_limit_answers_429_with_retry_after_per_key() {
    use shopmind_store::Scope;
    // One per second, bursts of two.
    let s = TestServer::start_configured(|st| st.with_rate_limited_auth(Some(1.0))).await;
    let (_, one) = s.store.create_api_key(Scope::Read, "one").await.unwrap();
    let (_, two) = s.store.create_api_key(Scope::Read, "two").await.unwrap();
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(
            s.call_as(&one, "GET", "/v1/items/SKU-001", None)
                .await
                .status,
        );
    }
    assert_eq!(
        statuses,
        [200, 200, 429, 429],
        "the burst of 2 passes, then 429"
    );
    let a = s.call_as(&one, "GET", "/v1/items/SKU-001", None).await;
    assert_eq!(
        (a.status, a.json["code"].as_str()),
        (429, Some("rate_limited"))
    );
    assert!(a.head.contains("retry-after: 1"), "{}", a.head);
    // Another key has its own bucket; probes are never limited.
    assert_eq!(
        s.call_as(&two, "GET", "/v1/items/SKU-001", None)
            .await
            .status,
        200
    );
    assert_eq!(s.call("GET", "/health/live", None).await.status, 200);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn training_jobs_run_in_the_background_and_failures_change_nothing() {
    let s = TestServer::start().await;
    let (knn, _) = with_models(&s).await;
    let wait = |id: String| {
        let addr = s.addr;
        async move {
            for _ in 0..300 {
                let a = call(addr, "GET", &format!("/v1/jobs/{id}"), None).await;
                assert_eq!(a.status, 200, "{a:?}");
                if matches!(a.json["state"].as_str(), Some("succeeded" | "failed")) {
                    return a.json;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            panic!("job {id} did not finish");
        }
    };
    // A parameter out of range is refused before any job is queued.
    let a = s
        .call(
            "POST",
            "/v1/models/recommend/train",
            Some(r#"{"algorithm":"item-knn","params":{"neighbors":"0"},"activate":true}"#),
        )
        .await;
    assert_eq!(a.status, 422, "{a:?}");
    assert_eq!(a.json["errors"][0]["field"], "params.neighbors", "{a:?}");
    // A job that fails as it runs (no sales to estimate from) leaves the
    // active models alone.
    let a = s
        .call(
            "POST",
            "/v1/models/pricing/train",
            Some(r#"{"activate":true}"#),
        )
        .await;
    assert_eq!(a.status, 202, "{a:?}");
    let failed = wait(a.json["job_id"].as_str().unwrap().to_owned()).await;
    assert_eq!(failed["state"], "failed");
    assert!(
        failed["error"].as_str().unwrap().contains("no sales"),
        "{failed}"
    );
    let now = s
        .call("GET", "/v1/users/u1/recommendations?n=2", None)
        .await;
    assert_eq!(now.json["model_id"], knn.as_str());
    // A good job creates, activates and serves a new version.
    let a = s
        .call(
            "POST",
            "/v1/models/recommend/train",
            Some(r#"{"algorithm":"ease","activate":true}"#),
        )
        .await;
    assert_eq!((a.status, a.json["state"].as_str()), (202, Some("queued")));
    let done = wait(a.json["job_id"].as_str().unwrap().to_owned()).await;
    assert_eq!(done["state"], "succeeded", "{done}");
    let id = done["model_id"].as_str().unwrap();
    let now = s
        .call("GET", "/v1/users/u1/recommendations?n=2", None)
        .await;
    assert_eq!(now.json["model_id"], id);
    for (path, body, status) in [
        (
            "/v1/models/recommend/train",
            r#"{"algorithm":"magic"}"#,
            422,
        ),
        ("/v1/models/dashboard/train", r#"{}"#, 404),
        ("/v1/models/assistant/train", r#"{"params":{"c":"1"}}"#, 422),
        ("/v1/models/recommend/train", r#"{"algo":"ease"}"#, 400),
    ] {
        assert_eq!(
            s.call("POST", path, Some(body)).await.status,
            status,
            "{path} {body}"
        );
    }
    assert_eq!(s.call("GET", "/v1/jobs/job-0-0", None).await.status, 404);
    s.stop().await;
}

#[tokio::test]
async fn cors_answers_allowed_origins_only() {
    let s = TestServer::start_configured(|st| {
        st.with_auth()
            .with_http_options(Duration::from_secs(30), vec!["https://shop.example".into()])
    })
    .await;
    // A preflight needs no key and names the allowed origin.
    let (status, head) = s
        .raw(
            "OPTIONS",
            "/v1/items/SKU-001",
            "Origin: https://shop.example\r\nAccess-Control-Request-Method: GET\r\nAccess-Control-Request-Headers: authorization\r\n",
        )
        .await;
    assert_eq!(status, 200, "{head}");
    assert!(
        head.contains("access-control-allow-origin: https://shop.example"),
        "{head}"
    );
    let (_, head) = s
        .raw(
            "OPTIONS",
            "/v1/items/SKU-001",
            "Origin: https://evil.example\r\nAccess-Control-Request-Method: GET\r\n",
        )
        .await;
    assert!(!head.contains("access-control-allow-origin"), "{head}");
    s.stop().await;
}
