//! `shopmind bench import`: import throughput into a fresh store, median of
//! several runs, against the baseline of only reading and parsing the file in
//! the same run (so the ratio isolates the store's cost).
//!
//! With `--database-url`, each run imports into a new PostgreSQL schema that
//! is dropped afterwards; otherwise into a new SQLite file in a temporary
//! directory.

use std::time::Instant;

use anyhow::Context;
use serde::Serialize;
use shopmind_data::Source;
use shopmind_store::{ImportOptions, Store, StoreOptions};

use crate::cli::{BenchImportArgs, Global};

#[derive(Debug, Serialize)]
struct Timing {
    median_s: f64,
    min_s: f64,
    max_s: f64,
    records_per_s: f64,
}

fn timing(mut secs: Vec<f64>, records: u64) -> Timing {
    secs.sort_by(f64::total_cmp);
    let median = if secs.len() % 2 == 1 {
        secs[secs.len() / 2]
    } else {
        (secs[secs.len() / 2 - 1] + secs[secs.len() / 2]) / 2.0
    };
    Timing {
        median_s: median,
        min_s: secs[0],
        max_s: secs[secs.len() - 1],
        records_per_s: records as f64 / median,
    }
}

/// Runs the import benchmark.
pub async fn import(g: &Global, a: BenchImportArgs) -> anyhow::Result<()> {
    let runs = a.runs.max(1);
    let mut parse = Vec::new();
    let mut records = 0;
    for _ in 0..runs {
        let start = Instant::now();
        let source = Source::open(a.kind, &a.path)
            .with_context(|| format!("cannot open {}", a.path.display()))?;
        let mut n = 0u64;
        for r in source {
            r.with_context(|| format!("{} does not parse", a.path.display()))?;
            n += 1;
        }
        parse.push(start.elapsed().as_secs_f64());
        records = n;
    }
    let mut import = Vec::new();
    let mut backend = "sqlite";
    for run in 0..runs {
        let dir = tempfile::tempdir().context("cannot create a temporary directory")?;
        let schema = format!("shopmind_bench_{}_{run}", std::process::id());
        let opts = match &g.database_url {
            Some(url) => StoreOptions {
                schema: Some(schema.clone()),
                ..StoreOptions::url(url.clone())
            },
            None => StoreOptions::sqlite_in(dir.path()),
        };
        let store = Store::open(&opts)
            .await
            .context("cannot open a fresh store")?;
        let source = Source::open(a.kind, &a.path)?;
        let start = Instant::now();
        store
            .import(source, &ImportOptions::default(), |_| {})
            .await
            .context("import failed")?;
        import.push(start.elapsed().as_secs_f64());
        backend = match store.backend() {
            shopmind_store::Backend::Sqlite => "sqlite",
            shopmind_store::Backend::Postgres => "postgres",
        };
        store.close().await;
        if let Some(url) = &g.database_url {
            Store::drop_schema(url, &schema).await?;
        }
    }
    let (parse, import) = (timing(parse, records), timing(import, records));
    let ratio = import.median_s / parse.median_s;
    if a.json {
        let out = serde_json::json!({
            "file": a.path.display().to_string(), "kind": a.kind.name(), "backend": backend,
            "records": records, "runs": runs, "parse_only": parse, "import": import,
            "import_over_parse": ratio,
        });
        outln!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        outln!(
            "{} ({}), {records} records, {runs} runs, backend {backend}",
            a.path.display(),
            a.kind.name()
        );
        for (name, t) in [("parse only", &parse), ("import", &import)] {
            outln!(
                "  {name:<11} median {:.3} s (min {:.3}, max {:.3}) = {:.0} records/s",
                t.median_s,
                t.min_s,
                t.max_s,
                t.records_per_s
            );
        }
        outln!("  import / parse-only time: {ratio:.2}×");
    }
    Ok(())
}
