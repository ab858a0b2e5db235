//! The event feed: numbered writes, deltas, deletions, import epochs and
//! (on PostgreSQL) notifications.

use shopmind_core::record::{Event, EventType, Item, Record, User};
use shopmind_store::{FeedPosition, ImportOptions, Store, sha256_hex};

use crate::on_each_backend;

fn ev(id: &str, user: &str, item: &str, ts: i64) -> Event {
    Event {
        event_id: id.into(),
        user_id: user.into(),
        item_id: item.into(),
        event_type: EventType::Click,
        value: 1.0,
        timestamp: ts,
    }
}

async fn import(store: &Store, records: Vec<Record>) {
    store
        .import(
            records.into_iter().map(Ok::<_, std::io::Error>),
            &ImportOptions::default(),
            |_| {},
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn writes_are_numbered_and_the_delta_between_two_numbers_is_complete() {
    on_each_backend(|store| async move {
        import(
            &store,
            vec![
                Record::Item(Item::new("a")),
                Record::Item(Item::new("b")),
                Record::User(User {
                    user_id: "imported".into(),
                    attributes: Default::default(),
                }),
                Record::Event(ev("imp-1", "imported", "a", 1)),
            ],
        )
        .await;
        // The import moved the epoch, not the number; its event carries 0.
        let start = store.feed_position().await.unwrap();
        assert_eq!(start, FeedPosition { seq: 0, epoch: 1 });

        let w1 = store
            .insert_events(vec![ev("e1", "u", "a", 10), ev("e2", "v", "b", 11)])
            .await
            .unwrap();
        assert_eq!((w1.seq, w1.stored()), (1, 2));
        // A re-sent id is not new: the write is numbered but stores only e3.
        let w2 = store
            .insert_events(vec![ev("e1", "u", "a", 10), ev("e3", "u", "b", 12)])
            .await
            .unwrap();
        assert_eq!(w2.seq, 2);
        assert_eq!(
            w2.events
                .iter()
                .map(|e| e.event_id.as_str())
                .collect::<Vec<_>>(),
            ["e3"]
        );
        let deleted = store.delete_user("v").await.unwrap();
        assert_eq!(deleted.seq, 3);
        assert_eq!(
            store.feed_position().await.unwrap(),
            FeedPosition { seq: 3, epoch: 1 }
        );

        let delta = store.feed_delta(0, 3).await.unwrap();
        let events: Vec<(i64, &str, &str)> = delta
            .events
            .iter()
            .map(|e| (e.seq, e.user_id.as_str(), e.item_id.as_str()))
            .collect();
        // v's event went with the delete; the imported one is not numbered.
        assert_eq!(events, [(1, "u", "a"), (2, "u", "b")]);
        assert_eq!(delta.deletions, [(3, sha256_hex(b"v"))]);
        assert_eq!(store.feed_delta(1, 2).await.unwrap().events.len(), 1);
        assert!(store.feed_delta(3, 3).await.unwrap().events.is_empty());

        // A full load reads every event up to a number, imported ones too.
        let mut all = Vec::new();
        let n = store
            .for_each_event(3, |e| all.push((e.seq, e.user_id)))
            .await
            .unwrap();
        all.sort();
        assert_eq!(n, 3);
        assert_eq!(
            all,
            [(0, "imported".to_owned()), (1, "u".into()), (2, "u".into())]
        );

        // An import bumps the epoch again.
        import(&store, vec![Record::Event(ev("imp-2", "u", "b", 13))]).await;
        assert_eq!(store.feed_position().await.unwrap().epoch, 2);
    })
    .await;
}

#[tokio::test]
async fn postgres_notifies_each_committed_write_with_its_number() {
    let Some(url) = crate::postgres_url() else {
        return;
    };
    let schema = format!("shopmind_test_feed_{}", std::process::id());
    let store = Store::open(&shopmind_store::StoreOptions {
        schema: Some(schema.clone()),
        ..shopmind_store::StoreOptions::url(url.clone())
    })
    .await
    .unwrap();
    assert_eq!(
        store.feed_channel().as_deref(),
        Some(format!("shopmind_feed_{schema}").as_str())
    );
    let mut listener = store.feed_listener().await.unwrap().unwrap();
    import(&store, vec![Record::Item(Item::new("a"))]).await;
    store
        .insert_events(vec![ev("e1", "u", "a", 1)])
        .await
        .unwrap();
    let mut got = Vec::new();
    for _ in 0..2 {
        got.push(
            tokio::time::timeout(std::time::Duration::from_secs(10), listener.next())
                .await
                .unwrap()
                .unwrap(),
        );
    }
    assert_eq!(got, [Some("epoch 1".to_owned()), Some("1".to_owned())]);
    store.close().await;
    Store::drop_schema(&url, &schema).await.unwrap();
}
