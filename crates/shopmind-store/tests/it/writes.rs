//! Catalog writes (replace, batch, delete, the catalog counter) and
//! idempotency-keyed event writes.

use shopmind_core::record::{Event, EventType, Item};
use shopmind_store::{Idempotency, ItemsWritten, KeyedWrite, StoreError};

use crate::on_each_backend;

fn ev(id: &str, item: &str) -> Event {
    Event {
        event_id: id.into(),
        user_id: "u".into(),
        item_id: item.into(),
        event_type: EventType::Click,
        value: 1.0,
        timestamp: 7,
    }
}

#[tokio::test]
async fn put_replaces_items_whole_and_delete_removes_them() {
    on_each_backend(|store| async move {
        let v0 = store.catalog_version().await.unwrap();
        let first = Item {
            title: Some("Mug".into()),
            brand: Some("Acme".into()),
            price: Some(4.5),
            ..Item::new("a")
        };
        let w = store
            .put_items(vec![first, Item::new("b"), Item::new("b")])
            .await
            .unwrap();
        assert_eq!(
            w,
            ItemsWritten {
                created: 2,
                updated: 0,
                catalog_version: v0 + 1
            }
        );
        let v1 = store.catalog_version().await.unwrap();
        assert_eq!(v1, v0 + 1);
        // A replace clears what the new body leaves out (brand), unlike the
        // importer's merge.
        let replaced = Item {
            title: Some("Big mug".into()),
            ..Item::new("a")
        };
        let w = store
            .put_items(vec![replaced.clone(), Item::new("c")])
            .await
            .unwrap();
        assert_eq!(
            w,
            ItemsWritten {
                created: 1,
                updated: 1,
                catalog_version: v1 + 1
            }
        );
        assert_eq!(store.get_item("a").await.unwrap(), Some(replaced));
        // One invalid item: nothing is written.
        let bad = Item {
            price: Some(-1.0),
            ..Item::new("d")
        };
        assert!(matches!(
            store.put_items(vec![Item::new("e"), bad]).await,
            Err(StoreError::Invalid(_))
        ));
        assert_eq!(store.get_item("e").await.unwrap(), None);

        store.insert_events(vec![ev("e1", "b")]).await.unwrap();
        let v2 = store.catalog_version().await.unwrap();
        let v3 = store.delete_item("b").await.unwrap();
        assert_eq!(
            (v3, store.catalog_version().await.unwrap()),
            (v2 + 1, v2 + 1)
        );
        assert_eq!(store.get_item("b").await.unwrap(), None);
        // Its history stays; new events naming it are refused.
        assert_eq!(store.user_events("u").await.unwrap().len(), 1);
        assert!(matches!(
            store.insert_events(vec![ev("e2", "b")]).await,
            Err(StoreError::UnknownItems(_))
        ));
        assert!(matches!(
            store.delete_item("b").await,
            Err(StoreError::NotFound { .. })
        ));
    })
    .await;
}

#[tokio::test]
async fn a_keyed_write_happens_once_and_replays_its_answer() {
    on_each_backend(|store| async move {
        store.put_items(vec![Item::new("a")]).await.unwrap();
        let key = Idempotency {
            key: "events:k1",
            request_hash: "h1",
        };
        assert_eq!(store.idempotent_answer("events:k1").await.unwrap(), None);
        let first = store
            .insert_events_keyed(vec![ev("e1", "a"), ev("e2", "a")], key, |n| {
                format!("{{\"stored\":{n}}}")
            })
            .await
            .unwrap();
        let KeyedWrite::Done { written, body } = first else {
            panic!("expected a write, got {first:?}");
        };
        assert_eq!((written.stored(), body.as_str()), (2, "{\"stored\":2}"));
        let stored = store.idempotent_answer("events:k1").await.unwrap().unwrap();
        assert_eq!(
            (
                stored.request_hash.as_str(),
                stored.status,
                stored.body.as_str()
            ),
            ("h1", 200, "{\"stored\":2}")
        );
        // The same key again (as a racing duplicate would): nothing written,
        // the first answer returned.
        let again = store
            .insert_events_keyed(vec![ev("e3", "a")], key, |n| format!("{n}"))
            .await
            .unwrap();
        assert_eq!(again, KeyedWrite::Replay(stored));
        assert_eq!(store.user_events("u").await.unwrap().len(), 2);
        // A failed write stores no answer.
        let other = Idempotency {
            key: "events:k2",
            request_hash: "h2",
        };
        assert!(
            store
                .insert_events_keyed(vec![ev("e4", "nope")], other, |n| format!("{n}"))
                .await
                .is_err()
        );
        assert_eq!(store.idempotent_answer("events:k2").await.unwrap(), None);
    })
    .await;
}
