//! `shopmind train` and `shopmind models`: a training run on the store's
//! data (`shopmind_server::training`, shared with the HTTP API's jobs) that
//! ends as a registered version, and the registry operations.

use std::collections::BTreeMap;

use anyhow::{Context, bail};
use shopmind_server::training::{Activation, train_pricing, train_recommend};
use shopmind_store::ModelRecord;

use crate::cli::{Global, ModelsArgs, ModelsCommand, TrainArgs};
use crate::commands::open_store;
use crate::progress::spinner;

/// `shopmind train KIND`.
pub async fn train(g: &Global, a: TrainArgs) -> anyhow::Result<ModelRecord> {
    if !["recommend", "pricing", "forecast", "assistant"].contains(&a.kind.as_str()) {
        bail!(
            "cannot train `{}` models (kinds: recommend, pricing, forecast, assistant)",
            a.kind
        );
    }
    let mut params = BTreeMap::new();
    for p in &a.params {
        let (k, v) = p
            .split_once('=')
            .with_context(|| format!("parameter `{p}` is not KEY=VALUE"))?;
        params.insert(k.trim().to_owned(), v.trim().to_owned());
    }
    let store = open_store(g).await?;
    let activation = if a.activate {
        Activation::Always
    } else {
        Activation::Never
    };
    let v = if a.kind == "assistant" {
        if !a.params.is_empty() || a.algorithm != "best" && a.algorithm != "lexical" {
            bail!("assistant takes no --param and one algorithm, `lexical`");
        }
        let bar = spinner("training the assistant");
        let v = shopmind_server::assistant::train_assistant(&store, &activation, |_, stage| {
            bar.set_message(format!("assistant: {stage}"));
        })
        .await
        .context("cannot train the assistant")?
        .record;
        bar.finish_and_clear();
        v
    } else if a.kind == "forecast" {
        if !a.params.is_empty() {
            bail!(
                "forecast takes no --param: choose the model with --algorithm (auto, ets, theta, …)"
            );
        }
        // `best` is the recommend default; for forecasts the default is `auto`.
        let name = if a.algorithm == "best" {
            "auto"
        } else {
            a.algorithm.as_str()
        };
        let model: shopmind_forecast::ModelChoice = name.parse()?;
        let bar = crate::progress::bar(100, "training forecast");
        let b = bar.clone();
        let v = shopmind_server::training::train_forecast(
            &store,
            model,
            &activation,
            move |p, stage| {
                b.set_position((p * 100.0) as u64);
                b.set_message(format!("forecast: {stage}"));
            },
        )
        .await
        .context("cannot train the forecast model")?
        .record;
        bar.finish_and_clear();
        v
    } else if a.kind == "pricing" {
        let bar = spinner("estimating elasticities");
        let per_store = match params.get("per_store").map(String::as_str) {
            None | Some("false") => false,
            Some("true") => true,
            Some(other) => bail!("--param per_store must be true or false, not `{other}`"),
        };
        if let Some(k) = params.keys().find(|k| *k != "per_store") {
            bail!("pricing takes only --param per_store=true|false, not `{k}`");
        }
        let v = train_pricing(&store, per_store, &activation, |_, stage| {
            bar.set_message(format!("training pricing: {stage}"));
        })
        .await
        .context("cannot train the pricing model")?
        .record;
        bar.finish_and_clear();
        v
    } else {
        let bar = spinner(&format!("training {}", a.algorithm));
        let v = train_recommend(
            &store,
            &a.algorithm,
            &params,
            a.binary,
            &activation,
            |_, stage| {
                bar.set_message(format!("training {}: {stage}", a.algorithm));
            },
        )
        .await
        .with_context(|| format!("cannot train {}", a.algorithm))?
        .record;
        bar.finish_and_clear();
        v
    };
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
    match a.what {
        ModelsCommand::List { kind, json } => {
            let v = store.list_models(kind.as_deref()).await?;
            if json {
                outln!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                print_versions(&v);
            }
        }
        ModelsCommand::Activate { id } => {
            let previous = store.activate_model(&id).await?;
            match previous {
                Some(p) if p != id => outln!("{id} is active (was {p})"),
                _ => outln!("{id} is active"),
            }
        }
        ModelsCommand::Rollback { kind } => {
            let id = store.rollback_model(&kind).await?;
            outln!("{id} is active again");
        }
        ModelsCommand::Delete { id } => {
            store.delete_model(&id).await?;
            outln!("deleted {id}");
        }
    }
    store.close().await;
    Ok(())
}
