//! `shopmind train` and `shopmind models`: a training run on the store's
//! data (`shopmind_service::training`, shared with the HTTP API's jobs) that
//! ends as a registered version, and the registry operations
//! (`shopmind_service::registry`).

use std::collections::BTreeMap;
use std::sync::Arc;

use anyhow::Context;
use shopmind_core::model::ModelKind;
use shopmind_service::training::spec::{ActivateField, ParamValue};
use shopmind_service::training::{self, Progress, TrainRequest};
use shopmind_service::{Service, registry};
use shopmind_store::ModelRecord;

use crate::cli::{Global, ModelsArgs, ModelsCommand, TrainArgs};
use crate::open::open_store;

/// The training request the flags describe: the same type the HTTP API
/// reads from its body, checked by the same rules.
fn request(a: &TrainArgs) -> anyhow::Result<TrainRequest> {
    let mut params = BTreeMap::new();
    for p in &a.params {
        let (k, v) = p
            .split_once('=')
            .with_context(|| format!("parameter `{p}` is not KEY=VALUE"))?;
        params.insert(k.trim().to_owned(), ParamValue::Text(v.trim().to_owned()));
    }
    let activate = match a.activate.as_deref() {
        None | Some("false") => ActivateField::Flag(false),
        Some("true") => ActivateField::Flag(true),
        Some(mode) => ActivateField::Mode(mode.to_owned()),
    };
    Ok(TrainRequest {
        algorithm: a.algorithm.clone(),
        params,
        binary: a.binary,
        activate,
        champion_metric: a.champion_metric.clone(),
        min_gain: a.min_gain,
        parts: None,
    })
}

/// `shopmind train KIND`.
pub async fn train(g: &Global, a: TrainArgs) -> anyhow::Result<ModelRecord> {
    let kind: ModelKind = a.kind.parse()?;
    let (spec, activation) = request(&a)?.check(kind)?;
    let store = open_store(g).await?;
    let bar = crate::progress::bar(100, &format!("training {kind}"));
    let b = bar.clone();
    let label = format!("{kind} {}", spec.algorithm());
    let progress: Progress = Arc::new(move |p: f32, stage: &str| {
        b.set_position((p * 100.0) as u64);
        b.set_message(format!("{label}: {stage}"));
    });
    let trained = training::train(&store, &spec, &activation, progress)
        .await
        .map_err(shopmind_service::ServiceError::from)
        .with_context(|| format!("cannot train the {kind} model ({})", spec.algorithm()))?;
    bar.finish_and_clear();
    let v = trained.record;
    if let Some(why) = &trained.decision {
        outln!("champion/challenger: {why}");
    }
    if a.json {
        outln!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        print_versions(std::slice::from_ref(&v));
    }
    store.close().await;
    Ok(v)
}

fn print_versions(v: &[ModelRecord]) {
    outln!(
        "{:<36} {:<10} {:<16} {:<8} {:>8} {:>10}  fingerprint",
        "id",
        "kind",
        "algorithm",
        "status",
        "ndcg@10",
        "bytes"
    );
    for m in v {
        outln!(
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
    let svc = Service::new(store.clone());
    match a.what {
        ModelsCommand::List { kind, json } => {
            let v = registry::list(&svc, &registry::ListQuery { kind })
                .await?
                .models;
            if json {
                outln!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                print_versions(&v);
            }
        }
        ModelsCommand::Activate { id } => {
            let (_, previous) = registry::activate(&svc, &id).await?;
            match previous {
                Some(p) if p != id => outln!("{id} is active (was {p})"),
                _ => outln!("{id} is active"),
            }
        }
        ModelsCommand::Rollback { kind } => {
            let v = registry::rollback(&svc, &kind).await?;
            outln!("{} is active again", v.model_id);
        }
        ModelsCommand::Delete { id } => {
            registry::delete(&svc, &id).await?;
            outln!("deleted {id}");
        }
    }
    store.close().await;
    Ok(())
}
