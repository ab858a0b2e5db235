//! Imports of the real public datasets (ignored by default; they read
//! `SHOPMIND_BENCH_DATA`, default `../shared/data` from the workspace root).
//! Run with `cargo test -p shopmind-store --release -- --ignored --nocapture`.

use std::path::PathBuf;
use std::time::Instant;

use shopmind_data::{ImportKind, Source};
use shopmind_store::ImportOptions;

use crate::on_each_backend;

fn data_dir() -> PathBuf {
    std::env::var_os("SHOPMIND_BENCH_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"))
}

#[tokio::test]
#[ignore = "reads ../shared/data/movielens-100k"]
async fn movielens_100k_gives_100000_events_943_users_1682_items() {
    let path = data_dir().join("movielens-100k/u.data");
    on_each_backend(|store| {
        let path = path.clone();
        async move {
            let start = Instant::now();
            let counts = store
                .import(
                    Source::open(ImportKind::MovieLens, &path).unwrap(),
                    &ImportOptions::default(),
                    |_| {},
                )
                .await
                .unwrap();
            let secs = start.elapsed().as_secs_f64();
            let s = store.stats().await.unwrap();
            eprintln!(
                "{}: {} events in {secs:.2} s = {:.0} events/s",
                s.backend,
                counts.events,
                counts.events as f64 / secs
            );
            assert_eq!(
                (s.count("events"), s.count("users"), s.count("items")),
                (100_000, 943, 1_682)
            );
        }
    })
    .await;
}
