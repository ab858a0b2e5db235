//! Bulk import: round trips, upsert semantics, stubs, atomicity.

use std::collections::BTreeMap;

use shopmind_core::record::{
    Event, EventType, FaqEntry, IntentExample, InventoryPosition, Item, Order, OrderLine, Record,
    Sale, SeriesPoint, User,
};
use shopmind_core::time::Date;
use shopmind_data::{ImportKind, Source};
use shopmind_store::{ImportFailure, ImportOptions, Store};

use crate::on_each_backend;

fn event(id: &str, user: &str, item: &str, ts: i64) -> Record {
    Record::Event(Event {
        event_id: id.into(),
        user_id: user.into(),
        item_id: item.into(),
        event_type: EventType::View,
        value: 1.0,
        timestamp: ts,
    })
}

fn sample() -> Vec<Record> {
    let mut shoe = Item::new("shoe");
    shoe.title = Some("Runner".into());
    shoe.category = Some("Shoes > Sneakers".into());
    shoe.price = Some(70.0);
    shoe.tags = vec!["red".into()];
    shoe.attributes = BTreeMap::from([("color".into(), "red".into())]);
    let mut shoe_again = Item::new("shoe"); // same key twice in one batch: merged, not an error
    shoe_again.price = Some(65.0);
    vec![
        Record::Item(shoe),
        Record::Item(Item {
            title: Some("Mug".into()),
            category: Some("Home > Kitchen".into()),
            ..Item::new("mug")
        }),
        Record::Item(shoe_again),
        Record::User(User {
            user_id: "u1".into(),
            attributes: BTreeMap::from([("region".into(), "north".into())]),
        }),
        event("e1", "u1", "shoe", 100),
        event("e2", "u2", "mug", 200),
        event("e3", "u2", "hat", 300), // unknown item and user: stubs
        Record::Sale(Sale {
            date: Date::from_ymd(2024, 1, 2).unwrap(),
            item_id: "shoe".into(),
            store_id: "S1".into(),
            units: 3.0,
            returned_units: 0.0,
            price: 65.0,
            promo: true,
            cost: Some(30.0),
        }),
        Record::Inventory(InventoryPosition {
            item_id: "mug".into(),
            store_id: "all".into(),
            on_hand: 5.0,
            on_order: 0.0,
            lead_time_days: 7.0,
            lead_time_std_days: 1.0,
            unit_cost: 2.0,
            holding_cost_rate: 0.25,
            order_cost: 20.0,
            moq: 0.0,
            case_pack: 6.0,
        }),
        Record::Order(Order {
            order_id: "O1".into(),
            user_id: "u1".into(),
            status: "shipped".into(),
            created_at: 100,
            updated_at: 200,
            lines: vec![
                OrderLine {
                    item_id: "shoe".into(),
                    quantity: 1.0,
                    price: 65.0,
                },
                OrderLine {
                    item_id: "mug".into(),
                    quantity: 2.0,
                    price: 8.0,
                },
            ],
        }),
        Record::Faq(FaqEntry {
            question: "How do I return?".into(),
            answer: "Within 30 days.".into(),
            intent: Some("returns".into()),
        }),
        Record::Intent(IntentExample {
            text: "where is my parcel".into(),
            intent: "track_package".into(),
        }),
        Record::Series(SeriesPoint {
            series_id: "H1".into(),
            t: 1,
            value: 605.0,
        }),
        Record::Series(SeriesPoint {
            series_id: "H1".into(),
            t: 2,
            value: 586.0,
        }),
    ]
}

async fn import_ok(
    store: &Store,
    records: Vec<Record>,
    batch: usize,
) -> shopmind_store::ImportCounts {
    store
        .import(
            records.into_iter().map(Ok::<_, std::io::Error>),
            &ImportOptions { batch_size: batch },
            |_| {},
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn round_trip_upserts_and_stubs() {
    on_each_backend(|store| async move {
        let counts = import_ok(&store, sample(), 100).await;
        assert_eq!(
            (counts.records, counts.items, counts.events, counts.series),
            (14, 2, 3, 2)
        );
        let s = store.stats().await.unwrap();
        for (table, n) in [
            ("items", 3), // shoe, mug and the stub `hat`
            ("users", 2), // u1 and the stub u2
            ("events", 3),
            ("sales", 1),
            ("inventory", 1),
            ("orders", 1),
            ("order_lines", 2),
            ("faq", 1),
            ("intents", 1),
            ("series", 2),
        ] {
            assert_eq!(s.count(table), n, "{table} on {}", s.backend);
        }
        assert_eq!(
            (s.event_users, s.event_items, s.events_range),
            (2, 3, Some((100, 300)))
        );
        assert_eq!(
            s.sales_range,
            Some(("2024-01-02".into(), "2024-01-02".into()))
        );

        // Merged within the batch: the title of the first row, the price of the second.
        let shoe = store.get_item("shoe").await.unwrap().unwrap();
        assert_eq!(
            (shoe.title.as_deref(), shoe.price),
            (Some("Runner"), Some(65.0))
        );
        assert_eq!(shoe.tags, ["red"]);
        assert_eq!(
            shoe.attributes.get("color").map(String::as_str),
            Some("red")
        );
        let hat = store.get_item("hat").await.unwrap().unwrap();
        assert_eq!((hat.title, hat.active), (None, true));

        // Re-importing upserts: no duplicates, and empty fields keep stored values.
        import_ok(&store, sample(), 3).await;
        let mut update = Item::new("shoe");
        update.price = Some(60.0);
        import_ok(&store, vec![Record::Item(update)], 10).await;
        let again = store.stats().await.unwrap();
        assert_eq!(again.rows, s.rows);
        let shoe = store.get_item("shoe").await.unwrap().unwrap();
        assert_eq!(
            (shoe.title.as_deref(), shoe.price),
            (Some("Runner"), Some(60.0))
        );
    })
    .await;
}

#[tokio::test]
async fn a_failing_source_leaves_the_store_exactly_as_it_was() {
    on_each_backend(|store| async move {
        import_ok(&store, sample(), 100).await;
        let before = store.stats().await.unwrap();
        // 5,000 good events in batches of 1,000 (five flushes happen), then an error.
        let records = (0..5000)
            .map(|n| {
                Ok(event(
                    &format!("x{n}"),
                    &format!("nu{}", n % 97),
                    "shoe",
                    1_000 + n,
                ))
            })
            .chain(std::iter::once(Err(std::io::Error::other("broken row"))));
        let err = store
            .import(records, &ImportOptions { batch_size: 1000 }, |_| {})
            .await
            .unwrap_err();
        assert!(matches!(err, ImportFailure::Source(_)));
        assert_eq!(store.stats().await.unwrap(), before);
    })
    .await;
}

#[tokio::test]
async fn csv_with_line_3001_of_5000_malformed_fails_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.csv");
    let mut body = String::from("user_id,item_id,event_type,value,timestamp\n");
    for n in 2..=5000 {
        let ts = if n == 3001 {
            "not-a-time".to_owned()
        } else {
            format!("{}", 1_700_000_000 + n)
        };
        body.push_str(&format!("u{},i{},view,1,{ts}\n", n % 40, n % 90));
    }
    std::fs::write(&path, body).unwrap();
    on_each_backend(|store| {
        let path = path.clone();
        async move {
            import_ok(&store, sample(), 100).await;
            let before = store.stats().await.unwrap();
            let source = Source::open(ImportKind::Events, &path).unwrap();
            let err = store
                .import(source, &ImportOptions { batch_size: 500 }, |_| {})
                .await
                .unwrap_err();
            let ImportFailure::Source(e) = err else {
                panic!("expected a source error, got {err}")
            };
            assert_eq!(e.as_row().unwrap().line, 3001, "{e}");
            assert!(e.to_string().contains("line 3001"), "{e}");
            assert_eq!(store.stats().await.unwrap(), before);
            // The same file without the bad line imports whole.
            let fixed = std::fs::read_to_string(&path)
                .unwrap()
                .replace("not-a-time", "1700000000");
            let fixed_path = path.with_file_name(format!("fixed-{}.csv", before.backend));
            std::fs::write(&fixed_path, fixed).unwrap();
            let counts = store
                .import(
                    Source::open(ImportKind::Events, &fixed_path).unwrap(),
                    &ImportOptions::default(),
                    |_| {},
                )
                .await
                .unwrap();
            assert_eq!(counts.events, 4999);
        }
    })
    .await;
}

/// Records fed through a channel: the import takes them as the test sends
/// them, so the test can act while the import is open.
fn channel_source() -> (
    std::sync::mpsc::SyncSender<Record>,
    impl Iterator<Item = Result<Record, std::io::Error>> + Send + 'static,
) {
    let (tx, rx) = std::sync::mpsc::sync_channel::<Record>(16);
    (
        tx,
        rx.into_iter().map(|r| {
            // A record named `crash` stands for the process dying mid-import.
            if matches!(&r, Record::Event(e) if e.event_id == "crash") {
                panic!("the import's process dies here");
            }
            Ok(r)
        }),
    )
}

/// Sends `records` to an import fed by [`channel_source`] (from a blocking
/// thread: the channel waits while the import stages).
async fn feed_all(feed: &std::sync::mpsc::SyncSender<Record>, records: Vec<Record>) {
    let sender = feed.clone();
    tokio::task::spawn_blocking(move || {
        for r in records {
            sender.send(r).unwrap();
        }
    })
    .await
    .unwrap();
}

/// Runs an import on a thread of its own: its source blocks on a channel,
/// which must not stall the runtime's workers.
fn import_on_own_thread(
    store: Store,
    source: impl Iterator<Item = Result<Record, std::io::Error>> + Send + 'static,
    batch_size: usize,
) -> tokio::task::JoinHandle<Result<shopmind_store::ImportCounts, ImportFailure<std::io::Error>>> {
    let handle = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        handle.block_on(store.import(source, &ImportOptions { batch_size }, |_| {}))
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_writes_succeed_while_an_import_is_staging_and_see_none_of_it() {
    on_each_backend(|store| async move {
        import_ok(&store, sample(), 100).await;
        let before = store.stats().await.unwrap();
        let (feed, source) = channel_source();
        let importer = store.clone();
        let import = import_on_own_thread(importer, source, 100);
        // Five staged batches, then the import waits for more records.
        feed_all(
            &feed,
            (0..500)
                .map(|n| event(&format!("imp{n}"), &format!("iu{}", n % 7), "mug", 500 + n))
                .collect(),
        )
        .await;
        // An API write now commits at once (it used to wait for the whole
        // import's transaction and fail with "database is locked"), and the
        // import's rows are invisible.
        let n = store
            .insert_events(vec![Event {
                event_id: "api-1".into(),
                user_id: "u1".into(),
                item_id: "shoe".into(),
                event_type: EventType::Click,
                value: 1.0,
                timestamp: 900,
            }])
            .await
            .unwrap()
            .stored();
        assert_eq!(n, 1);
        let during = store.stats().await.unwrap();
        assert_eq!(rows(&during, "events"), rows(&before, "events") + 1);
        // A second import is refused while this one runs.
        let second = store
            .import(
                std::iter::empty::<Result<Record, std::io::Error>>(),
                &ImportOptions::default(),
                |_| {},
            )
            .await
            .unwrap_err();
        assert!(second.to_string().contains("another import"), "{second}");
        drop(feed);
        let counts = import.await.unwrap().unwrap();
        assert_eq!(counts.events, 500);
        let after = store.stats().await.unwrap();
        assert_eq!(rows(&after, "events"), rows(&before, "events") + 501);
        // Stubs for the seven new users.
        assert_eq!(rows(&after, "users"), rows(&before, "users") + 7);
        assert_eq!(store.user_events("iu3").await.unwrap().len(), 71);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_import_is_discarded_and_a_committed_one_finished() {
    on_each_backend(|store| async move {
        import_ok(&store, sample(), 100).await;
        let before = store.stats().await.unwrap();
        // An import that dies mid-staging (its task panics, leaving the lock
        // and the staged rows as a killed process would): nothing shows, and
        // once its heartbeat is stale the staged rows are discarded.
        let (feed, source) = channel_source();
        let importer = store.clone();
        let import = import_on_own_thread(importer, source, 10);
        feed_all(
            &feed,
            (0..50)
                .map(|n| event(&format!("dead{n}"), "du", "mug", 700 + n))
                .collect(),
        )
        .await;
        // Wait until the batches are staged, then kill the import.
        for _ in 0..200 {
            let staged: i64 =
                sqlx::query_scalar::<sqlx::Any, i64>("SELECT COUNT(*) FROM import_events")
                    .fetch_one(store.pool())
                    .await
                    .unwrap();
            if staged >= 40 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        feed.send(event("crash", "du", "mug", 1)).unwrap();
        assert!(import.await.unwrap_err().is_panic());
        drop(feed);
        assert_eq!(store.stats().await.unwrap(), before);
        assert!(
            !store.recover_imports().await.unwrap(),
            "a fresh heartbeat is alive"
        );
        age_heartbeat(&store).await;
        assert!(store.recover_imports().await.unwrap());
        assert_eq!(store.stats().await.unwrap(), before);
        let left: i64 = sqlx::query_scalar::<sqlx::Any, i64>("SELECT COUNT(*) FROM import_events")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(left, 0);

        // A committed import whose publisher died (state `publishing`, rows
        // still staged) is finished whole by the next recovery.
        dead_publisher(&store, "imp-test", "ru", "late").await;
        sqlx::query::<sqlx::Any>("INSERT INTO import_user_refs (user_id) VALUES ('ru')")
            .execute(store.pool())
            .await
            .unwrap();
        assert!(store.recover_imports().await.unwrap());
        let after = store.stats().await.unwrap();
        assert_eq!(rows(&after, "events"), rows(&before, "events") + 3);
        assert_eq!(rows(&after, "users"), rows(&before, "users") + 1);
        assert!(
            !store.recover_imports().await.unwrap(),
            "nothing left to recover"
        );

        // A publisher that died after `again0` and `again1` of a second
        // import were published resumes at its record: only `again2` and
        // what follows.
        dead_publisher(&store, "imp-test-2", "ru2", "again").await;
        sqlx::query::<sqlx::Any>(
            "UPDATE imports SET published = 'events:' || (SELECT CAST(seq AS TEXT) FROM import_events WHERE event_id = 'again2')",
        )
        .execute(store.pool())
        .await
        .unwrap();
        assert!(store.recover_imports().await.unwrap());
        let resumed = store.stats().await.unwrap();
        assert_eq!(rows(&resumed, "events"), rows(&after, "events") + 1);
        assert_eq!(store.user_events("ru2").await.unwrap().len(), 1);
    })
    .await;
}

/// Leaves the state a publisher killed before its first chunk leaves: an
/// `imports` row in `publishing` with a stale heartbeat on another host,
/// and three staged events `{prefix}0..2` of `user`.
async fn dead_publisher(store: &Store, import_id: &str, user: &str, prefix: &str) {
    sqlx::query::<sqlx::Any>(
        "INSERT INTO imports (lock_id, import_id, state, label, started_at, heartbeat_at) \
         VALUES ('import', $1, 'publishing', 'elsewhere:1', 0, 0)",
    )
    .bind(import_id.to_owned())
    .execute(store.pool())
    .await
    .unwrap();
    for n in 0..3 {
        sqlx::query::<sqlx::Any>(
            "INSERT INTO import_events (event_id, user_id, item_id, event_type, value, ts) \
             VALUES ($1, $2, 'mug', 'view', 1.0, 42)",
        )
        .bind(format!("{prefix}{n}"))
        .bind(user.to_owned())
        .execute(store.pool())
        .await
        .unwrap();
    }
}

async fn age_heartbeat(store: &Store) {
    sqlx::query::<sqlx::Any>("UPDATE imports SET heartbeat_at = heartbeat_at - 3600")
        .execute(store.pool())
        .await
        .unwrap();
}

fn rows(s: &shopmind_store::Stats, table: &str) -> i64 {
    s.rows
        .iter()
        .find(|(t, _)| t == table)
        .map_or(0, |(_, n)| *n)
}

#[tokio::test]
async fn keys_repeated_across_batches_merge_as_within_one() {
    on_each_backend(|store| async move {
        let line = |item: &str, q: f64| OrderLine {
            item_id: item.into(),
            quantity: q,
            price: 2.0,
        };
        let order = |lines: Vec<OrderLine>| {
            Record::Order(Order {
                order_id: "O9".into(),
                user_id: "u9".into(),
                status: "paid".into(),
                created_at: 10,
                updated_at: 20,
                lines,
            })
        };
        let records = vec![
            Record::Item(Item {
                title: Some("First".into()),
                price: Some(1.0),
                ..Item::new("dup")
            }),
            event("ev-dup", "u9", "dup", 1),
            order(vec![line("dup", 1.0), line("x", 2.0), line("y", 3.0)]),
            Record::Item(Item {
                price: Some(2.0),
                ..Item::new("dup")
            }),
            event("ev-dup", "u9", "dup", 99),
            order(vec![line("dup", 5.0)]),
        ];
        // One record per batch: every repeat lands in another transaction
        // (and, on SQLite, another staged row).
        import_ok(&store, records, 1).await;
        let item = store.get_item("dup").await.unwrap().unwrap();
        assert_eq!(
            (item.title.as_deref(), item.price),
            (Some("First"), Some(2.0)),
            "an empty cell keeps the earlier value; a later one wins"
        );
        let events = store.user_events("u9").await.unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].timestamp, 99, "the later event wins");
        let o = store.get_order("O9").await.unwrap().unwrap();
        assert_eq!(o.lines.len(), 1, "an order's lines are replaced whole");
        assert_eq!(o.lines[0].quantity, 5.0);
    })
    .await;
}
