//! Recommendation batch commands: `split`, `eval recommend`,
//! `recommend batch` and `recommend similar`.

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, bail};
use rayon::prelude::*;
use shopmind_core::Interner;
use shopmind_core::record::{Event, Interaction, Item, Record};
use shopmind_core::split::ratio_split;
use shopmind_data::ImportKind;
use shopmind_data::canonical::{EVENT_COLUMNS, event_record};
use shopmind_recommend::algorithms::{self, Params};
use shopmind_recommend::evaluate::{evaluate, relevant_sets};
use shopmind_recommend::{Dataset, MatrixOptions, Recommender, similar_items};

use crate::cli::{
    EvalRatingArgs, EvalRecommendArgs, EventsFormat, RecommendBatchArgs, RecommendSimilarArgs,
    SplitArgs,
};

/// Reads every event of a file (other records, such as MovieLens movies, are skipped).
pub fn read_events(path: &Path, format: EventsFormat) -> anyhow::Result<Vec<Event>> {
    let kind = match format {
        EventsFormat::Events => ImportKind::Events,
        EventsFormat::Movielens => ImportKind::MovieLens,
    };
    crate::files::read(kind, path, |r| match r {
        Record::Event(e) => Some(e),
        _ => None,
    })
}

/// Reads every item of a canonical items CSV, or the movies of a MovieLens
/// release when `path` is its directory (its ratings are skipped).
pub fn read_items(path: &Path) -> anyhow::Result<Vec<Item>> {
    let kind = if path.is_dir() {
        ImportKind::MovieLens
    } else {
        ImportKind::Items
    };
    crate::files::read(kind, path, |r| match r {
        Record::Item(i) => Some(i),
        _ => None,
    })
}

/// The training dataset, with the catalog when one is given; `extra` item
/// ids (such as test items) get columns too.
fn load_dataset<'a>(
    train: &[Event],
    items: Option<&'a [Item]>,
    extra: impl IntoIterator<Item = &'a str>,
    weighted: bool,
) -> Result<Dataset, shopmind_recommend::RecommendError> {
    match items {
        Some(items) => {
            Dataset::from_events_with_catalog(train, items, extra, matrix_options(weighted))
        }
        None => Dataset::from_events(train, extra, matrix_options(weighted)),
    }
}

fn write_events(path: &Path, events: &[&Event]) -> anyhow::Result<()> {
    let mut w =
        csv::Writer::from_path(path).with_context(|| format!("cannot write {}", path.display()))?;
    w.write_record(EVENT_COLUMNS)?;
    for e in events {
        w.write_record(event_record(e))?;
    }
    w.flush()?;
    Ok(())
}

/// `shopmind split`: per-user stratified split (each user's events shuffled
/// with a stream forked from the seed; round((1 − ratio)·n) to train).
pub fn split(a: SplitArgs) -> anyhow::Result<()> {
    let events = read_events(&a.input, a.format)?;
    if events.is_empty() {
        bail!("{} holds no events", a.input.display());
    }
    let mut users = Interner::new();
    let dense: Vec<Interaction> = events
        .iter()
        .enumerate()
        .map(|(n, e)| -> anyhow::Result<Interaction> {
            Ok(Interaction {
                user: users.intern(&e.user_id)?,
                item: n as u32, // position, to map back
                kind: e.event_type,
                value: e.value as f32,
                timestamp: e.timestamp,
            })
        })
        .collect::<Result<_, _>>()?;
    let s = ratio_split(&dense, a.test_ratio, a.seed)?;
    std::fs::create_dir_all(&a.out)
        .with_context(|| format!("cannot create {}", a.out.display()))?;
    let pick = |v: &[Interaction]| {
        v.iter()
            .map(|i| &events[i.item as usize])
            .collect::<Vec<_>>()
    };
    write_events(&a.out.join("train.csv"), &pick(&s.train))?;
    write_events(&a.out.join("test.csv"), &pick(&s.test))?;
    outln!(
        "{} train and {} test events in {}",
        s.train.len(),
        s.test.len(),
        a.out.display()
    );
    Ok(())
}

/// Parses `KEY=VALUE` items, optionally only those prefixed `ALGORITHM.`.
fn parse_params(items: &[String], algorithm: Option<&str>) -> anyhow::Result<Params> {
    let mut p = Params::new();
    for item in items {
        let (key, value) = item
            .split_once('=')
            .with_context(|| format!("parameter `{item}` is not KEY=VALUE"))?;
        let key = match (algorithm, key.split_once('.')) {
            (Some(algo), Some((prefix, rest))) if prefix == algo => rest,
            (Some(_), Some(_)) => continue,
            (Some(_), None) => bail!("parameter `{item}` must be ALGORITHM.KEY=VALUE here"),
            (None, _) => key,
        };
        p.insert(key.trim().to_owned(), value.trim().to_owned());
    }
    Ok(p)
}

fn matrix_options(weighted: bool) -> MatrixOptions {
    MatrixOptions {
        binary: !weighted,
        ..MatrixOptions::default()
    }
}

/// `shopmind eval recommend`.
pub fn eval(a: EvalRecommendArgs) -> anyhow::Result<()> {
    if a.k == 0 {
        bail!("--k must be at least 1");
    }
    if let Some(t) = a.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(t.max(1))
            .build_global()
            .ok();
    }
    let train = read_events(&a.train, EventsFormat::Events)?;
    let test = read_events(&a.test, EventsFormat::Events)?;
    let items = a.items.as_deref().map(read_items).transpose()?;
    let test_items = test.iter().map(|e| e.item_id.as_str());
    let data = load_dataset(&train, items.as_deref(), test_items, a.weighted)
        .with_context(|| format!("cannot train on {}", a.train.display()))?;
    let relevant = relevant_sets(&data, &test);
    let names: Vec<String> = if a.algorithms == "all" {
        algorithms::NAMES
            .iter()
            .filter(|n| **n != "best")
            .filter(|n| data.has_catalog() || !matches!(**n, "content" | "description"))
            .map(|n| (*n).to_owned())
            .collect()
    } else {
        a.algorithms
            .split(',')
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect()
    };
    let mut rows = Vec::new();
    if !a.json {
        outln!(
            "{} users, {} items, {} train interactions; k = {}",
            data.n_users(),
            data.n_items(),
            data.matrix.nnz(),
            a.k
        );
        outln!(
            "{:<16} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>8} {:>7} {:>6} {:>8} {:>8}",
            "algorithm",
            "ndcg",
            "prec",
            "recall",
            "map",
            "mrr",
            "hit",
            "coverage",
            "novelty",
            "ild",
            "fit s",
            "µs/user"
        );
    }
    for name in &names {
        let mut params = parse_params(&a.params, Some(name))?;
        let mut tuned = None;
        if a.tune && params.is_empty() && !shopmind_recommend::tune::space(name).is_empty() {
            let bar = crate::progress::bar(a.trials as u64, &format!("tuning {name}"));
            let t = shopmind_recommend::tune::tune(
                name,
                &data,
                a.trials,
                a.k,
                a.seed,
                |done, total| {
                    bar.set_length(total as u64);
                    bar.set_position(done as u64);
                },
            )
            .with_context(|| format!("cannot tune {name}"))?;
            bar.finish_and_clear();
            params.clone_from(&t.best);
            tracing::info!(algorithm = %name, params = ?t.best, validation_ndcg = t.trials.iter().map(|t| t.ndcg).fold(0.0, f64::max), trials = t.trials.len(), "tuned");
            tuned = Some(t);
        }
        let bar = crate::progress::spinner(&format!("fitting {name}"));
        let mut fits = Vec::new();
        let mut model = None;
        for _ in 0..a.runs.unwrap_or(1).max(1) {
            let start = Instant::now();
            let fitted = algorithms::fit(name, &params, &data)
                .with_context(|| format!("cannot fit {name}"))?;
            fits.push(start.elapsed().as_secs_f64());
            model = Some(fitted);
        }
        let model = model.context("no fit ran")?;
        let mut sorted = fits.clone();
        sorted.sort_by(f64::total_cmp);
        let fit_s = sorted[sorted.len() / 2];
        bar.set_message(format!("evaluating {name}"));
        let e = evaluate(model.as_ref(), &data, &relevant, a.k)
            .context("no test user has train history")?;
        bar.finish_and_clear();
        let r = &e.ranking;
        // Each evaluated user is scored once: all items, exclusions, top k.
        let us_per_user = e.scoring_seconds * 1e6 / r.users.max(1) as f64;
        if !a.json {
            outln!(
                "{:<16} {:>7.4} {:>7.4} {:>7.4} {:>7.4} {:>7.4} {:>7.4} {:>8.4} {:>7.2} {:>6.3} {:>8.3} {:>8.1}",
                name,
                r.ndcg,
                r.precision,
                r.recall,
                r.map,
                r.mrr,
                r.hit_rate,
                r.coverage,
                e.novelty,
                e.intra_list_diversity,
                fit_s,
                us_per_user
            );
        }
        rows.push(serde_json::json!({
            "algorithm": name, "params": params, "k": a.k, "users": r.users,
            "ndcg": r.ndcg, "precision": r.precision, "recall": r.recall, "map": r.map,
            "mrr": r.mrr, "hit_rate": r.hit_rate, "coverage": r.coverage,
            "novelty": e.novelty, "average_popularity": e.average_popularity,
            "intra_list_diversity": e.intra_list_diversity,
            "fit_seconds": fit_s, "fit_runs": fits, "score_us_per_user": us_per_user,
            "tuning": tuned.map(|t| t.trials.iter().map(|t| serde_json::json!({"params": t.params, "validation_ndcg": t.ndcg})).collect::<Vec<_>>()),
        }));
    }
    if a.json {
        outln!("{}", serde_json::to_string_pretty(&rows)?);
    }
    Ok(())
}

/// `shopmind recommend batch`.
pub fn batch(a: RecommendBatchArgs) -> anyhow::Result<()> {
    if a.k == 0 {
        bail!("--k must be at least 1");
    }
    let train = read_events(&a.train, EventsFormat::Events)?;
    let items = a.items.as_deref().map(read_items).transpose()?;
    let data = load_dataset(&train, items.as_deref(), [], a.weighted)
        .with_context(|| format!("cannot train on {}", a.train.display()))?;
    let params = parse_params(&a.params, None)?;
    let model = algorithms::fit(&a.algorithm, &params, &data)
        .with_context(|| format!("cannot fit {}", a.algorithm))?;
    // Cold start: listed users without training history get trending items.
    let trending = algorithms::fit("trending", &Params::new(), &data)?;
    let users: Vec<(String, Option<u32>)> = match &a.users {
        None => (0..data.n_users() as u32)
            .map(|u| {
                (
                    data.users.resolve(u).unwrap_or_default().to_owned(),
                    Some(u),
                )
            })
            .collect(),
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            let mut wanted: Vec<&str> = text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && *l != "user_id")
                .collect();
            wanted.sort_unstable();
            wanted.dedup();
            wanted
                .into_iter()
                .map(|u| (u.to_owned(), data.users.get(u)))
                .collect()
        }
    };
    let mut w = csv::Writer::from_path(&a.out)
        .with_context(|| format!("cannot write {}", a.out.display()))?;
    w.write_record(["user_id", "item_id", "rank", "score"])?;
    let bar = crate::progress::bar(users.len() as u64, "recommending");
    let lists: Vec<(Vec<(u32, f32)>, bool)> = users
        .par_iter()
        .map(|(_, u)| {
            let history = u.map(|u| data.history(u)).unwrap_or_default();
            let seen = u.map_or(&[][..], |u| data.seen_items(u));
            let out = shopmind_recommend::recommend_or_fallback(
                &model, &trending, *u, &history, a.k, seen,
            );
            bar.inc(1);
            out
        })
        .collect();
    bar.finish_and_clear();
    let mut cold = 0usize;
    for ((uid, _), (recs, fallback)) in users.iter().zip(lists) {
        cold += usize::from(fallback);
        for (rank, (i, s)) in recs.into_iter().enumerate() {
            w.write_record([
                uid,
                data.items.resolve(i).unwrap_or_default(),
                &(rank + 1).to_string(),
                &format!("{s:.6}"),
            ])?;
        }
    }
    w.flush()?;
    if cold > 0 {
        tracing::info!(
            users = cold,
            "users without history got trending items (cold start)"
        );
    }
    outln!("wrote {} with {} algorithm", a.out.display(), model.name());
    Ok(())
}

/// `shopmind recommend similar`: the k nearest items of every catalog item.
pub fn similar(a: RecommendSimilarArgs) -> anyhow::Result<()> {
    if a.k == 0 {
        bail!("--k must be at least 1");
    }
    let items = read_items(&a.items)?;
    if items.is_empty() {
        bail!("{} holds no items", a.items.display());
    }
    let train = match &a.train {
        Some(path) => read_events(path, EventsFormat::Events)?,
        None if matches!(a.algorithm.as_str(), "content" | "description") => {
            // The content models need no events; one placeholder interaction
            // satisfies the dataset's non-empty check and weighs nothing.
            vec![Event {
                event_id: "similar:placeholder".into(),
                user_id: "similar:placeholder".into(),
                item_id: items[0].item_id.clone(),
                event_type: shopmind_core::record::EventType::View,
                value: 1.0,
                timestamp: 0,
            }]
        }
        None => bail!(
            "--algorithm {} learns from events: give them with --train",
            a.algorithm
        ),
    };
    let data = load_dataset(&train, Some(&items), [], a.weighted)
        .with_context(|| format!("cannot build the dataset from {}", a.items.display()))?;
    let params = parse_params(&a.params, None)?;
    let model = algorithms::fit(&a.algorithm, &params, &data)
        .with_context(|| format!("cannot fit {}", a.algorithm))?;
    let mut w = csv::Writer::from_path(&a.out)
        .with_context(|| format!("cannot write {}", a.out.display()))?;
    w.write_record(["item_id", "similar_item_id", "rank", "score"])?;
    let bar = crate::progress::bar(items.len() as u64, "similar items");
    let lists: Vec<(u32, Vec<(u32, f32)>)> = items
        .iter()
        .filter_map(|i| data.items.get(&i.item_id))
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|i| {
            let list = similar_items(model.as_ref(), i, a.k, &[]);
            bar.inc(1);
            (i, list)
        })
        .collect();
    bar.finish_and_clear();
    for (i, list) in lists {
        let id = data.items.resolve(i).unwrap_or_default();
        for (rank, (j, s)) in list.into_iter().filter(|(_, s)| *s > 0.0).enumerate() {
            w.write_record([
                id,
                data.items.resolve(j).unwrap_or_default(),
                &(rank + 1).to_string(),
                &format!("{s:.6}"),
            ])?;
        }
    }
    w.flush()?;
    outln!("wrote {} with {} algorithm", a.out.display(), model.name());
    Ok(())
}

/// A fitted rating model: (user id, item id) → predicted rating.
type RatingPredictor = Box<dyn Fn(&str, &str) -> f32 + Sync>;

/// `shopmind eval rating`: fit a rating model, report RMSE and MAE.
pub fn eval_rating(a: EvalRatingArgs) -> anyhow::Result<()> {
    let train = read_events(&a.train, a.format)?;
    let test = read_events(&a.test, a.format)?;
    if test.is_empty() {
        bail!("{} holds no ratings", a.test.display());
    }
    let params = parse_params(&a.params, None)?;
    let start = Instant::now();
    let cannot = || format!("cannot train on {}", a.train.display());
    let (predict, params): (RatingPredictor, serde_json::Value) = match a.model.as_str() {
        "mf-explicit" => {
            let p = algorithms::mf_params(&params)?;
            let m = p.fit(&train).with_context(cannot)?;
            (
                Box::new(move |u, i| m.predict(u, i)),
                serde_json::to_value(&p)?,
            )
        }
        "knn-baseline" => {
            let p = algorithms::knn_baseline_params(&params)?;
            let m = p.fit(&train).with_context(cannot)?;
            (
                Box::new(move |u, i| m.predict(u, i)),
                serde_json::to_value(&p)?,
            )
        }
        other => bail!("unknown rating model `{other}` (expected mf-explicit or knn-baseline)"),
    };
    let fit_s = start.elapsed().as_secs_f64();
    let actual: Vec<f64> = test.iter().map(|e| e.value).collect();
    let predicted: Vec<f64> = test
        .par_iter()
        .map(|e| f64::from(predict(&e.user_id, &e.item_id)))
        .collect();
    let rmse = shopmind_core::metrics::regression::rmse(&actual, &predicted)?;
    let mae = shopmind_core::metrics::regression::mae(&actual, &predicted)?;
    if a.json {
        outln!(
            "{}",
            serde_json::json!({"model": a.model, "rmse": rmse, "mae": mae, "fit_seconds": fit_s, "test": test.len(), "params": params})
        );
    } else {
        outln!(
            "{} on {} ratings, tested on {}: RMSE {rmse:.4}, MAE {mae:.4}, fit {fit_s:.2} s",
            a.model,
            train.len(),
            test.len()
        );
    }
    Ok(())
}
