//! Store integration tests. Every test runs against SQLite (a temporary
//! file) and, when `SHOPMIND_TEST_POSTGRES_URL` is set, against PostgreSQL in
//! a schema of its own that is dropped afterwards.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod feed;
mod import;
mod jobs;
mod nulls;
mod queries;
mod real_data;
mod writes;

use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};

use shopmind_store::{Store, StoreOptions};

/// The PostgreSQL URL of the test run, if any.
pub fn postgres_url() -> Option<String> {
    std::env::var("SHOPMIND_TEST_POSTGRES_URL")
        .ok()
        .filter(|s| !s.is_empty())
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// Runs `test` on a fresh SQLite store and, if configured, a fresh PostgreSQL schema.
pub async fn on_each_backend<F, Fut>(test: F)
where
    F: Fn(Store) -> Fut,
    Fut: Future<Output = ()>,
{
    on_each_backend_with(8, test).await;
}

/// [`on_each_backend`] with a pool of `max_connections` (1: every statement
/// runs on the same connection, so per-connection state shows).
pub async fn on_each_backend_with<F, Fut>(max_connections: u32, test: F)
where
    F: Fn(Store) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&StoreOptions {
        max_connections,
        ..StoreOptions::sqlite_in(dir.path())
    })
    .await
    .unwrap();
    test(store.clone()).await;
    store.close().await;

    if let Some(url) = postgres_url() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let schema = format!(
            "shopmind_test_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            nanos
        );
        let opts = StoreOptions {
            schema: Some(schema.clone()),
            max_connections,
            ..StoreOptions::url(url.clone())
        };
        let store = Store::open(&opts).await.unwrap_or_else(|e| {
            panic!("SHOPMIND_TEST_POSTGRES_URL is set but PostgreSQL is unusable: {e}")
        });
        test(store.clone()).await;
        store.close().await;
        Store::drop_schema(&url, &schema).await.unwrap();
    }
}
