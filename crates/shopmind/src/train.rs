//! `shopmind train` and `shopmind models`: training runs on the store's data
//! that end as registered versions, and the registry operations.
//!
//! A recommendation run reads every event and catalog item from the store,
//! measures the algorithm on a seeded 20% validation split of each user's
//! items (NDCG, precision, recall and MAP at 10), refits it on all the data
//! and stores the model with its id mappings as one artifact
//! (`shopmind_recommend::model::Artifact`), tagged with a fingerprint of the
//! training events.

use std::collections::BTreeMap;
use std::time::Instant;

use anyhow::{Context, bail};
use shopmind_core::record::Event;
use shopmind_recommend::evaluate::evaluate;
use shopmind_recommend::model::Artifact;
use shopmind_recommend::select::{VALIDATION_RATIO, VALIDATION_SEED, holdout};
use shopmind_recommend::{Dataset, MatrixOptions, algorithms};
use shopmind_store::{ModelRecord, NewModel, Store};

use crate::cli::{Global, ModelsArgs, ModelsCommand, TrainArgs};
use crate::commands::open_store;
use crate::progress::spinner;

/// FNV-1a over every event's fields, in the store's order: two runs on the
/// same events share a fingerprint.
fn fingerprint(events: &[Event]) -> String {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    let mut eat = |bytes: &[u8]| {
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for e in events {
        eat(e.event_id.as_bytes());
        eat(&[0]);
        eat(e.user_id.as_bytes());
        eat(&[0]);
        eat(e.item_id.as_bytes());
        eat(e.event_type.as_str().as_bytes());
        eat(&e.value.to_le_bytes());
        eat(&e.timestamp.to_le_bytes());
    }
    format!("{:016x}-{}", h, events.len())
}

/// Trains a recommendation model on the store's data and registers it;
/// activates it when asked or when no version is active yet.
pub async fn train_recommend(
    store: &Store,
    algorithm: &str,
    params: &BTreeMap<String, String>,
    binary: bool,
    activate: bool,
) -> anyhow::Result<ModelRecord> {
    let events = store.all_events().await?;
    if events.is_empty() {
        bail!("the store holds no events to train on; import some first");
    }
    let items = store.all_items().await?;
    let fp = fingerprint(&events);
    let (algo, prm) = (algorithm.to_owned(), params.clone());
    let bar = spinner(&format!("training {algorithm}"));
    let start = Instant::now();
    let fitted = tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
        let opts = MatrixOptions {
            binary,
            ..MatrixOptions::default()
        };
        let data = Dataset::from_events_with_catalog(&events, &items, [], opts)?;
        let (sub, held) = holdout(&data, VALIDATION_RATIO, VALIDATION_SEED);
        let probe = algorithms::fit(&algo, &prm, &sub)?;
        let e = evaluate(probe.as_ref(), &sub, &held, 10)
            .context("no user has enough items for a validation split")?;
        drop(probe);
        let model = algorithms::fit(&algo, &prm, &data)?;
        let name = shopmind_recommend::Recommender::name(&model);
        let metrics = serde_json::json!({
            "ndcg@10": e.ranking.ndcg, "precision@10": e.ranking.precision,
            "recall@10": e.ranking.recall, "map@10": e.ranking.map,
            "coverage@10": e.ranking.coverage, "validation_users": e.ranking.users,
            "users": data.n_users(), "items": data.n_items(), "events": data.interactions.len(),
        });
        let fallback = algorithms::fit("trending", &Default::default(), &data)?;
        let artifact = Artifact {
            users: data.users,
            items: data.items,
            model,
            fallback,
            options: opts,
        };
        Ok((name, metrics, artifact.to_bytes()?))
    })
    .await
    .context("the training task failed")?
    .with_context(|| format!("cannot train {algorithm}"))?;
    bar.finish_and_clear();
    let (name, mut metrics, bytes) = fitted;
    metrics["train_seconds"] = serde_json::json!(start.elapsed().as_secs_f64());
    let created = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    let model_id = format!("recommend-{created}-{}", &fp[..8]);
    let mut params_json = serde_json::json!(params);
    if name != algorithm {
        params_json["selected"] = serde_json::json!(name);
    }
    let record = store
        .save_model(
            &NewModel {
                model_id: &model_id,
                kind: "recommend",
                algorithm,
                params: &params_json,
                data_fingerprint: &fp,
                metrics: &metrics,
            },
            &bytes,
        )
        .await?;
    if activate || store.active_model("recommend").await?.is_none() {
        store.activate_model(&model_id).await?;
        return Ok(store.require_model(&model_id).await?);
    }
    Ok(record)
}

/// `shopmind train KIND`.
pub async fn train(g: &Global, a: TrainArgs) -> anyhow::Result<ModelRecord> {
    if a.kind != "recommend" {
        bail!("cannot train `{}` models yet (kinds: recommend)", a.kind);
    }
    let mut params = BTreeMap::new();
    for p in &a.params {
        let (k, v) = p
            .split_once('=')
            .with_context(|| format!("parameter `{p}` is not KEY=VALUE"))?;
        params.insert(k.trim().to_owned(), v.trim().to_owned());
    }
    let store = open_store(g).await?;
    let v = train_recommend(&store, &a.algorithm, &params, a.binary, a.activate).await?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        print_versions(std::slice::from_ref(&v));
    }
    store.close().await;
    Ok(v)
}

fn print_versions(v: &[ModelRecord]) {
    println!(
        "{:<36} {:<10} {:<16} {:<8} {:>8} {:>10}  fingerprint",
        "id", "kind", "algorithm", "status", "ndcg@10", "bytes"
    );
    for m in v {
        println!(
            "{:<36} {:<10} {:<16} {:<8} {:>8} {:>10}  {}",
            m.model_id,
            m.kind,
            m.algorithm,
            format!("{:?}", m.status).to_lowercase(),
            m.metrics["ndcg@10"]
                .as_f64()
                .map_or_else(|| "-".into(), |x| format!("{x:.4}")),
            m.artifact_size,
            m.data_fingerprint
        );
    }
}

/// `shopmind models …`.
pub async fn models(g: &Global, a: ModelsArgs) -> anyhow::Result<()> {
    let store = open_store(g).await?;
    match a.what {
        ModelsCommand::List { kind, json } => {
            let v = store.list_models(kind.as_deref()).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                print_versions(&v);
            }
        }
        ModelsCommand::Activate { id } => {
            let previous = store.activate_model(&id).await?;
            match previous {
                Some(p) if p != id => println!("{id} is active (was {p})"),
                _ => println!("{id} is active"),
            }
        }
        ModelsCommand::Rollback { kind } => {
            let id = store.rollback_model(&kind).await?;
            println!("{id} is active again");
        }
        ModelsCommand::Delete { id } => {
            store.delete_model(&id).await?;
            println!("deleted {id}");
        }
    }
    store.close().await;
    Ok(())
}
