//! Reads, API event inserts and the model registry.

use shopmind_core::record::{Event, EventType, Item, Record};
use shopmind_store::{ImportOptions, ModelStatus, NewModel, StoreError};

use crate::on_each_backend;

fn ev(id: &str, item: &str) -> Event {
    Event {
        event_id: id.into(),
        user_id: "new-user".into(),
        item_id: item.into(),
        event_type: EventType::Cart,
        value: 1.0,
        timestamp: 5,
    }
}

async fn catalog(store: &shopmind_store::Store) {
    let items = [
        "Home > Kitchen",
        "Home > Kitchen > Knives",
        "Home",
        "Homeware",
        "Shoes",
    ]
    .iter()
    .enumerate()
    .map(|(i, c)| {
        Ok::<_, std::io::Error>(Record::Item(Item {
            category: Some((*c).into()),
            ..Item::new(format!("i{i}"))
        }))
    });
    store
        .import(items, &ImportOptions::default(), |_| {})
        .await
        .unwrap();
}

#[tokio::test]
async fn items_page_and_filter_by_category_path() {
    on_each_backend(|store| async move {
        catalog(&store).await;
        let page = store.list_items(2, 0, None).await.unwrap();
        assert_eq!(page.total, 5);
        assert_eq!(
            page.items
                .iter()
                .map(|i| i.item_id.as_str())
                .collect::<Vec<_>>(),
            ["i0", "i1"]
        );
        let page = store.list_items(10, 4, None).await.unwrap();
        assert_eq!(page.items.len(), 1);
        // `Home` matches itself and paths below it, not `Homeware`.
        let home = store.list_items(10, 0, Some("Home")).await.unwrap();
        assert_eq!(
            home.items
                .iter()
                .map(|i| i.item_id.as_str())
                .collect::<Vec<_>>(),
            ["i0", "i1", "i2"]
        );
        assert_eq!(
            store
                .list_items(10, 0, Some("Home > Kitchen"))
                .await
                .unwrap()
                .total,
            2
        );
        assert!(store.get_item("nope").await.unwrap().is_none());
    })
    .await;
}

#[tokio::test]
async fn api_events_are_atomic_and_idempotent() {
    on_each_backend(|store| async move {
        catalog(&store).await;
        let err = store
            .insert_events(vec![ev("a", "i0"), ev("b", "ghost")])
            .await
            .unwrap_err();
        assert!(
            matches!(&err, StoreError::UnknownItems(v) if v == &[(1, "ghost".to_owned())]),
            "{err}"
        );
        assert_eq!(store.stats().await.unwrap().count("events"), 0);
        assert!(store.get_user("new-user").await.unwrap().is_none());
        assert_eq!(
            store
                .insert_events(vec![ev("a", "i0"), ev("b", "i1")])
                .await
                .unwrap()
                .stored(),
            2
        );
        // Re-sent ids are not stored twice; a duplicate within one request neither.
        assert_eq!(
            store
                .insert_events(vec![ev("a", "i0"), ev("c", "i2"), ev("c", "i2")])
                .await
                .unwrap()
                .stored(),
            1
        );
        let s = store.stats().await.unwrap();
        assert_eq!((s.count("events"), s.count("users")), (3, 1));
        let all = store.all_events().await.unwrap();
        assert_eq!(all.len(), 3);
        assert_eq!(store.user_events("new-user").await.unwrap().len(), 3);
        assert!(
            all.windows(2)
                .all(|w| (w[0].timestamp, &w[0].event_id) <= (w[1].timestamp, &w[1].event_id))
        );
        assert_eq!(
            all.iter().find(|e| e.event_id == "c").unwrap().item_id,
            "i2"
        );
        // Grouped per (item, type): sums, counts, latest last.
        let mut again = ev("d", "i0");
        again.value = 2.0;
        again.timestamp = 9;
        store.insert_events(vec![again]).await.unwrap();
        let grouped = store.user_interactions("new-user").await.unwrap();
        assert_eq!(grouped.len(), 3, "{grouped:?}");
        assert_eq!(
            grouped.last().unwrap(),
            &("i0".to_owned(), EventType::Cart, 3.0, 2)
        );
        assert!(store.user_interactions("nobody").await.unwrap().is_empty());
        let items = store.all_items().await.unwrap();
        assert!(items.windows(2).all(|w| w[0].item_id < w[1].item_id) && items.len() >= 3);
        assert!(store.get_user("new-user").await.unwrap().is_some());
        let mut bad = ev("d", "i0");
        bad.value = f64::NAN;
        assert!(matches!(
            store.insert_events(vec![bad]).await,
            Err(StoreError::Invalid(_))
        ));
    })
    .await;
}

#[tokio::test]
async fn registry_saves_activates_and_protects_the_active_version() {
    on_each_backend(|store| async move {
        let params = serde_json::json!({"k": 50});
        let metrics = serde_json::json!({"ndcg@10": 0.31});
        let a = store
            .save_model(
                &NewModel {
                    model_id: "rec-1",
                    kind: "recommend",
                    algorithm: "item_knn",
                    params: &params,
                    data_fingerprint: "fp1",
                    metrics: &metrics,
                },
                b"artifact-one",
            )
            .await
            .unwrap();
        assert_eq!(
            (a.status, a.artifact_size, a.params.clone()),
            (ModelStatus::Inactive, 12, params.clone())
        );
        store
            .save_model(
                &NewModel {
                    model_id: "rec-2",
                    kind: "recommend",
                    algorithm: "ease",
                    params: &params,
                    data_fingerprint: "fp1",
                    metrics: &metrics,
                },
                &[0u8, 255, 7],
            )
            .await
            .unwrap();
        store
            .save_model(
                &NewModel {
                    model_id: "fc-1",
                    kind: "forecast",
                    algorithm: "ets",
                    params: &params,
                    data_fingerprint: "fp2",
                    metrics: &metrics,
                },
                b"x",
            )
            .await
            .unwrap();
        assert!(matches!(
            store
                .save_model(
                    &NewModel {
                        model_id: "rec-1",
                        kind: "recommend",
                        algorithm: "x",
                        params: &params,
                        data_fingerprint: "f",
                        metrics: &metrics
                    },
                    b""
                )
                .await,
            Err(StoreError::Conflict(_))
        ));
        assert_eq!(store.list_models(Some("recommend")).await.unwrap().len(), 2);
        assert_eq!(store.list_models(None).await.unwrap().len(), 3);
        assert_eq!(store.activate_model("rec-1").await.unwrap(), None);
        assert_eq!(
            store.activate_model("rec-2").await.unwrap(),
            Some("rec-1".into())
        );
        let active = store.active_model("recommend").await.unwrap().unwrap();
        assert_eq!(
            (active.model_id.as_str(), active.status),
            ("rec-2", ModelStatus::Active)
        );
        assert!(active.activated_at.is_some());
        assert_eq!(
            store.load_artifact("rec-2").await.unwrap(),
            vec![0u8, 255, 7]
        );
        // Rollback toggles between the last two versions, many times within
        // one second (the activation log orders them, not timestamps), and
        // never touches another kind.
        for n in 0..6 {
            let expect = if n % 2 == 0 { "rec-1" } else { "rec-2" };
            assert_eq!(store.rollback_model("recommend").await.unwrap(), expect);
            let now_active = store.active_model("recommend").await.unwrap().unwrap();
            assert_eq!(now_active.model_id, expect);
        }
        assert!(matches!(
            store.rollback_model("forecast").await,
            Err(StoreError::Conflict(_))
        ));
        assert_eq!(
            store
                .active_model("recommend")
                .await
                .unwrap()
                .unwrap()
                .model_id,
            "rec-2"
        );
        assert!(matches!(
            store.delete_model("rec-2").await,
            Err(StoreError::Conflict(_))
        ));
        store.delete_model("rec-1").await.unwrap();
        assert!(matches!(
            store.load_artifact("rec-1").await,
            Err(StoreError::NotFound { .. })
        ));
        // The deleted version is no rollback target.
        assert!(matches!(
            store.rollback_model("recommend").await,
            Err(StoreError::Conflict(_))
        ));
        assert!(matches!(
            store.activate_model("zzz").await,
            Err(StoreError::NotFound { .. })
        ));
    })
    .await;
}

#[tokio::test]
async fn api_keys_verify_by_hash_and_revoke() {
    use shopmind_store::{Scope, hash_key};
    on_each_backend(|store| async move {
        assert_eq!(store.active_api_keys().await.unwrap(), 0);
        let (k, plain) = store.create_api_key(Scope::Write, "ci").await.unwrap();
        assert!(plain.starts_with(&format!("sm_{}_", k.key_id)) && plain.len() == 3 + 8 + 1 + 32);
        let (_, other) = store.create_api_key(Scope::Read, "").await.unwrap();
        assert_ne!(plain, other, "keys are random");
        assert_eq!(
            store.verify_api_key(&plain).await.unwrap(),
            Some(Scope::Write)
        );
        assert_eq!(
            store.verify_api_key("sm_00000000_nope").await.unwrap(),
            None
        );
        // Only the hash is stored.
        let stored: Vec<String> =
            sqlx::query_scalar::<sqlx::Any, String>("SELECT key_hash FROM api_keys")
                .fetch_all(store.pool())
                .await
                .unwrap();
        assert!(stored.contains(&hash_key(&plain)) && !stored.contains(&plain));
        // SHA-256 known answer (FIPS 180-2, "abc").
        assert_eq!(
            hash_key("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let keys = store.list_api_keys().await.unwrap();
        assert_eq!(keys.len(), 2);
        store.revoke_api_key(&k.key_id).await.unwrap();
        assert_eq!(store.verify_api_key(&plain).await.unwrap(), None);
        assert!(matches!(
            store.revoke_api_key(&k.key_id).await,
            Err(StoreError::NotFound { .. })
        ));
        assert_eq!(store.active_api_keys().await.unwrap(), 1);
        assert!(Scope::Admin > Scope::Write && Scope::Write > Scope::Read);
    })
    .await;
}
