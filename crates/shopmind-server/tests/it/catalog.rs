//! Catalog writes over HTTP (replace, batch, delete) and what they do to
//! serving; idempotency keys on event posts.

use crate::serving::{items_of, with_models};
use crate::{TestServer, request_with};

fn assert_problem(a: &crate::Answer, status: u16, code: &str) {
    assert_eq!(a.status, status, "{:?}", a.json);
    assert_eq!(a.content_type, "application/problem+json");
    assert_eq!(a.json["code"], code, "{:?}", a.json);
}

/// The `field` of every entry of a problem's `errors`.
fn error_fields(a: &crate::Answer) -> Vec<&str> {
    a.json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn put_creates_then_replaces_and_validates() {
    let s = TestServer::start().await;
    let body = r#"{"title":"Kettle","category":"Home > Kitchen","brand":"Acme","price":25,"tags":["steel"]}"#;
    let a = s.call("PUT", "/v1/items/NEW-1", Some(body)).await;
    assert_eq!(a.status, 201, "{:?}", a.json);
    assert_eq!(a.json["item_id"], "NEW-1");
    assert_eq!(a.json["active"], true);
    // A replace clears what it leaves out.
    let a = s
        .call("PUT", "/v1/items/NEW-1", Some(r#"{"title":"Kettle 2"}"#))
        .await;
    assert_eq!(a.status, 200);
    let got = s.call("GET", "/v1/items/NEW-1", None).await;
    assert_eq!(got.json["title"], "Kettle 2");
    assert_eq!(got.json["brand"], serde_json::Value::Null);
    let a = s
        .call("PUT", "/v1/items/NEW-1", Some(r#"{"item_id":"OTHER"}"#))
        .await;
    assert_problem(&a, 422, "validation_failed");
    assert_eq!(a.json["errors"][0]["field"], "item_id");
    let a = s
        .call("PUT", "/v1/items/NEW-2", Some(r#"{"price":-3,"cost":-1}"#))
        .await;
    assert_problem(&a, 422, "validation_failed");
    let fields = error_fields(&a);
    assert_eq!(fields, ["price", "cost"]);
    let a = s.call("PUT", "/v1/items/NEW-2", Some("{oops")).await;
    assert_eq!(a.status, 400);
    let a = s
        .call("PUT", "/v1/items/NEW-2", Some(r#"{"colour":"red"}"#))
        .await;
    assert!(a.status == 400 || a.status == 422, "{}", a.status);
    assert_eq!(s.call("GET", "/v1/items/NEW-2", None).await.status, 404);
    s.stop().await;
}

#[tokio::test]
async fn a_batch_is_stored_whole_or_not_at_all() {
    let s = TestServer::start().await;
    let ok = r#"{"items":[{"item_id":"B-1","title":"a"},{"item_id":"B-2"},{"item_id":"SKU-001","title":"renamed"}]}"#;
    let a = s.call("POST", "/v1/items:batch", Some(ok)).await;
    assert_eq!(a.status, 200, "{:?}", a.json);
    assert_eq!(
        (&a.json["received"], &a.json["created"], &a.json["updated"]),
        (&3.into(), &2.into(), &1.into())
    );
    assert_eq!(
        s.call("GET", "/v1/items/SKU-001", None).await.json["title"],
        "renamed"
    );
    let bad = r#"[{"item_id":"B-3"},{"item_id":"B-4","price":-1},{"title":"no id"}]"#;
    let a = s.call("POST", "/v1/items:batch", Some(bad)).await;
    assert_problem(&a, 422, "validation_failed");
    let fields = error_fields(&a);
    assert_eq!(fields, ["items[1].price", "items[2].item_id"]);
    assert_eq!(s.call("GET", "/v1/items/B-3", None).await.status, 404);
    assert_problem(
        &s.call("POST", "/v1/items:batch", Some("[]")).await,
        400,
        "bad_request",
    );
    let many = format!("[{}]", vec![r#"{"item_id":"x"}"#; 10_001].join(","));
    assert_problem(
        &s.call("POST", "/v1/items:batch", Some(&many)).await,
        413,
        "batch_too_large",
    );
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleted_or_deactivated_items_stop_being_recommended_at_once() {
    let s = TestServer::start().await;
    with_models(&s).await;
    let path = "/v1/users/u1/recommendations?n=30";
    let before = items_of(&s.call("GET", path, None).await);
    assert!(before.len() >= 4, "{before:?}");
    let (gone, hidden) = (before[0].clone(), before[1].clone());
    // Another replica deactivates one more item straight in the store: this
    // server's next own write sees the version jump and rereads the catalog.
    let elsewhere = before[3].clone();
    s.store
        .put_items(vec![shopmind_core::record::Item {
            active: false,
            ..shopmind_core::record::Item::new(elsewhere.clone())
        }])
        .await
        .unwrap();
    let a = s.call("DELETE", &format!("/v1/items/{gone}"), None).await;
    assert_eq!((a.status, &a.json["deleted"]), (200, &true.into()));
    let a = s
        .call(
            "PUT",
            &format!("/v1/items/{hidden}"),
            Some(r#"{"active":false}"#),
        )
        .await;
    assert_eq!(a.status, 200);
    let after = items_of(&s.call("GET", path, None).await);
    for absent in [&gone, &hidden, &elsewhere] {
        assert!(!after.contains(absent), "{absent} in {after:?}");
    }
    assert!(after.contains(&before[2]));
    let similar = items_of(
        &s.call(
            "GET",
            &format!("/v1/items/{}/similar?n=30", before[2]),
            None,
        )
        .await,
    );
    assert!(!similar.contains(&gone) && !similar.contains(&hidden));
    assert_eq!(
        s.call("GET", &format!("/v1/items/{gone}"), None)
            .await
            .status,
        404
    );
    assert_problem(
        &s.call("DELETE", &format!("/v1/items/{gone}"), None).await,
        404,
        "not_found",
    );
    let ev = format!(r#"{{"user_id":"u1","item_id":"{gone}"}}"#);
    assert_problem(
        &s.call("POST", "/v1/events", Some(&ev)).await,
        422,
        "validation_failed",
    );
    // Putting it back makes it recommendable again.
    assert_eq!(
        s.call("PUT", &format!("/v1/items/{gone}"), Some("{}"))
            .await
            .status,
        201
    );
    assert!(items_of(&s.call("GET", path, None).await).contains(&gone));
    s.stop().await;
}

#[tokio::test]
async fn an_idempotency_key_makes_a_retry_act_once() {
    let s = TestServer::start().await;
    let body = r#"[{"user_id":"u9","item_id":"SKU-001"},{"user_id":"u9","item_id":"SKU-002","event_type":"view"}]"#;
    let key = "Idempotency-Key: 3f0c-retry-1\r\n";
    let first = request_with(s.addr, "POST", "/v1/events", Some(body), key).await;
    assert_eq!(first.status, 200, "{:?}", first.json);
    assert_eq!(first.json["stored"], 2);
    assert!(!first.head.contains("idempotent-replayed"));
    // The same body again: the first answer, nothing stored twice.
    let again = request_with(s.addr, "POST", "/v1/events", Some(body), key).await;
    assert_eq!((again.status, &again.json), (200, &first.json));
    assert!(
        again.head.contains("idempotent-replayed: true"),
        "{}",
        again.head
    );
    assert_eq!(s.store.user_events("u9").await.unwrap().len(), 2);
    // Another body under the same key: refused, nothing stored.
    let other = r#"{"user_id":"u9","item_id":"SKU-003"}"#;
    let a = request_with(s.addr, "POST", "/v1/events", Some(other), key).await;
    assert_problem(&a, 422, "idempotency_key_reused");
    assert_eq!(s.store.user_events("u9").await.unwrap().len(), 2);
    // A failed request stores no answer: fixed, it goes through under its key.
    let key2 = "Idempotency-Key: retry-2\r\n";
    let bad = r#"{"user_id":"u9","item_id":"NOPE"}"#;
    let a = request_with(s.addr, "POST", "/v1/events", Some(bad), key2).await;
    assert_problem(&a, 422, "validation_failed");
    let a = request_with(s.addr, "POST", "/v1/events", Some(other), key2).await;
    assert_eq!((a.status, &a.json["stored"]), (200, &1.into()));
    let a = request_with(
        s.addr,
        "POST",
        "/v1/events",
        Some(other),
        "Idempotency-Key: has space\r\n",
    )
    .await;
    assert_problem(&a, 422, "validation_failed");
    assert_eq!(a.json["errors"][0]["field"], "Idempotency-Key");
    s.stop().await;
}
