//! The privacy delete end to end, on both backends: events, the user row,
//! orders, assistant sessions and every stored recommendation version, so
//! that neither a rollback nor the assistant can bring the user back.

use crate::assistant::import_demo_with;
use crate::{TestServer, backends, train_job};

/// Whether `id` appears in `bytes` as a whole postcard string (its length,
/// then its bytes).
fn holds_id(bytes: &[u8], id: &str) -> bool {
    let mut whole = vec![id.len() as u8];
    whole.extend_from_slice(id.as_bytes());
    bytes.windows(whole.len()).any(|w| w == whole.as_slice())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_user_is_gone_from_rows_models_sessions_and_orders() {
    for db in backends() {
        let s = TestServer::start_on(db, |st| st).await;
        let dir = tempfile::tempdir().unwrap();
        import_demo_with(&s, dir.path(), true).await;
        // The owner of the first order, who also has events.
        let mut r = csv::Reader::from_path(dir.path().join("orders.csv")).unwrap();
        let rec = r.records().next().unwrap().unwrap();
        let (order, user) = (rec[0].to_owned(), rec[1].to_owned());
        assert!(!s.store.user_events(&user).await.unwrap().is_empty());
        // Two recommendation versions that know the user, and the assistant.
        for algo in ["user-knn", "ials"] {
            let body = format!(r#"{{"algorithm":"{algo}","activate":true}}"#);
            assert_eq!(
                train_job(&s, "recommend", &body).await["state"],
                "succeeded"
            );
        }
        assert_eq!(
            train_job(&s, "assistant", r#"{"activate":true}"#).await["state"],
            "succeeded"
        );
        let versions = s.store.list_models(Some("recommend")).await.unwrap();
        assert_eq!(versions.len(), 2);
        for v in &versions {
            let bytes = s.store.load_artifact(&v.model_id).await.unwrap();
            assert!(
                holds_id(&bytes, &user),
                "{db:?}: the version knows the user"
            );
        }
        let ask = serde_json::json!({"session_id": "s-priv", "user_id": user, "message": format!("Where is my order {order}?")}).to_string();
        let a = s.call("POST", "/v1/assistant/chat", Some(&ask)).await;
        assert_eq!(a.json["sources"][0]["id"], order.as_str(), "{db:?}: {a:?}");

        let d = s.call("DELETE", &format!("/v1/users/{user}"), None).await;
        assert_eq!(d.status, 200, "{db:?}: {d:?}");
        assert!(d.json["events_deleted"].as_u64().unwrap() > 0);
        assert!(d.json["orders_anonymised"].as_u64().unwrap() >= 1);
        assert_eq!(d.json["models_scrubbed"].as_array().unwrap().len(), 2);
        assert_eq!(d.json["sessions_dropped"], 1);

        // Rows: no events, no user, no order leads to them.
        assert!(s.store.user_events(&user).await.unwrap().is_empty());
        assert_eq!(s.store.get_user(&user).await.unwrap(), None);
        assert_eq!(
            s.store.get_order(&order).await.unwrap().unwrap().user_id,
            ""
        );
        // Models: no stored version names them, whichever is rolled back to.
        for v in s.store.list_models(Some("recommend")).await.unwrap() {
            let bytes = s.store.load_artifact(&v.model_id).await.unwrap();
            assert!(
                !holds_id(&bytes, &user),
                "{db:?}: {} still names the user",
                v.model_id
            );
            assert_eq!(v.revision, 1);
        }
        let rolled = s.call("POST", "/v1/models/recommend/rollback", None).await;
        assert_eq!(rolled.status, 200, "{rolled:?}");
        let active = s.state.models.recommend().unwrap();
        assert_eq!(active.artifact.users.get(&user), None);
        // Serving: cold start for them, no error.
        let recs = s
            .call(
                "GET",
                &format!("/v1/users/{user}/recommendations?n=3"),
                None,
            )
            .await;
        assert_eq!(recs.status, 200, "{recs:?}");
        // The assistant: the order is no longer theirs to see.
        let a = s.call("POST", "/v1/assistant/chat", Some(&ask)).await;
        assert!(
            a.json["sources"].as_array().unwrap().is_empty(),
            "{db:?}: {a:?}"
        );
        assert!(
            a.json["answer"].as_str().unwrap().contains("cannot find"),
            "{a:?}"
        );
        // Once is enough: nothing is left to delete.
        let again = s.call("DELETE", &format!("/v1/users/{user}"), None).await;
        assert_eq!(again.status, 404, "{again:?}");
        s.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_version_trained_before_a_delete_registers_without_the_user() {
    let s = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    import_demo_with(&s, dir.path(), true).await;
    let user = s.store.all_events().await.unwrap()[0].user_id.clone();
    // The delete has begun (recorded) while a training run still reads the
    // user's events: the version it registers must not know them.
    s.store.record_user_deletion(&user).await.unwrap();
    let job = train_job(&s, "recommend", r#"{"algorithm":"ials","activate":true}"#).await;
    assert_eq!(job["state"], "succeeded", "{job}");
    let id = job["model_id"].as_str().unwrap();
    let bytes = s.store.load_artifact(id).await.unwrap();
    assert!(!holds_id(&bytes, &user));
    let other = s
        .store
        .all_events()
        .await
        .unwrap()
        .last()
        .unwrap()
        .user_id
        .clone();
    assert!(
        other == user || holds_id(&bytes, &other),
        "only the deleted user is erased"
    );
    s.stop().await;
}
