//! A serving process keeps users' histories in memory: its own writes show
//! at once, everyone else's (another replica, the CLI) through the event
//! feed, privacy deletes and imports included; the kept recommendation
//! lists never outlive a change. On SQLite and, when configured, PostgreSQL.

use std::time::{Duration, Instant};

use shopmind_core::record::{Event, EventType, Record};
use shopmind_server::AppState;
use shopmind_store::ImportOptions;

use crate::serving::{items_of, with_models};
use crate::{TestServer, backends};

fn event(id: &str, user: &str, item: &str) -> Event {
    Event {
        event_id: id.into(),
        user_id: user.into(),
        item_id: item.into(),
        event_type: EventType::Purchase,
        value: 1.0,
        timestamp: 1_760_000_000,
    }
}

async fn list(s: &TestServer, user: &str) -> (Vec<String>, bool) {
    let a = s
        .call(
            "GET",
            &format!("/v1/users/{user}/recommendations?n=5"),
            None,
        )
        .await;
    assert_eq!(a.status, 200, "{a:?}");
    (
        items_of(&a),
        a.json["cold_start"].as_bool().unwrap_or(false),
    )
}

/// Polls until `done` holds for the user's list (at most 10 s); the time taken.
async fn until(s: &TestServer, user: &str, done: impl Fn(&[String], bool) -> bool) -> Duration {
    let start = Instant::now();
    loop {
        let (l, cold) = list(s, user).await;
        if done(&l, cold) {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{user}: still {l:?} (cold {cold}) after 10 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_memory_histories_follow_every_write_and_delete() {
    for db in backends() {
        let s = TestServer::start_on(db, |state| AppState::start(state.store.clone())).await;
        // Events written straight to the store, as another replica would.
        let _ = with_models(&s).await;
        let start = Instant::now();
        while s.call("GET", "/health/ready", None).await.status != 200 {
            assert!(start.elapsed() < Duration::from_secs(10), "never ready");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let seen: Vec<String> = s
            .store
            .user_events("u0")
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.item_id)
            .collect();
        until(&s, "u0", |l, cold| {
            !cold && l.iter().all(|i| !seen.contains(i))
        })
        .await;
        let footprint = s.state.histories.footprint().unwrap();
        assert_eq!((footprint.users, footprint.events), (20, 120));

        // The same plain request twice: the same list.
        let (first, _) = list(&s, "u0").await;
        assert_eq!(list(&s, "u0").await.0, first);

        // Our own write: the very next answer has it.
        let body = format!(
            r#"{{"user_id":"u0","item_id":"{}","event_type":"purchase"}}"#,
            first[0]
        );
        assert_eq!(s.call("POST", "/v1/events", Some(&body)).await.status, 200);
        let (after, _) = list(&s, "u0").await;
        assert!(
            !after.contains(&first[0]),
            "{db:?}: own write not seen: {after:?}"
        );

        // Another replica's write arrives through the feed.
        s.store
            .insert_events(vec![event("elsewhere-1", "u0", &after[0])])
            .await
            .unwrap();
        let took = until(&s, "u0", |l, _| !l.contains(&after[0])).await;
        assert!(took < Duration::from_secs(5), "{db:?}: {took:?}");

        // Another replica's privacy delete: the user is new again.
        s.store.record_user_deletion("u1").await.unwrap();
        s.store.delete_user("u1").await.unwrap();
        until(&s, "u1", |_, cold| cold).await;
        // Ours too.
        assert_eq!(s.call("DELETE", "/v1/users/u2", None).await.status, 200);
        assert!(list(&s, "u2").await.1, "u2 deleted here");

        // An import (a new epoch) reloads: a brand-new user's purchase shows.
        let (cold_list, cold) = list(&s, "newcomer").await;
        assert!(cold);
        s.store
            .import(
                [Ok::<_, std::io::Error>(Record::Event(event(
                    "imp-1",
                    "newcomer",
                    &cold_list[0],
                )))],
                &ImportOptions::default(),
                |_| {},
            )
            .await
            .unwrap();
        until(&s, "newcomer", |l, cold| {
            !cold && !l.contains(&cold_list[0])
        })
        .await;
        s.stop().await;
    }
}
