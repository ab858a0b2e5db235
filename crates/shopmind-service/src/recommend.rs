//! Recommendation answers from the active model: for a user (their live
//! history, in memory on a server, so a posted event counts at once), for an anonymous
//! session (a list of item ids), and similar items.
//!
//! Every list skips what the user has any event with and what the request
//! excludes, keeps to the requested category (the path or anything below
//! it) and to active catalog items. A user without history gets the model's
//! fallback (trending items): the cold-start answer, not an error.

use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};
use shopmind_recommend::model::LiveHistory;
use shopmind_recommend::rules::{Rules, recommend_with_rules};
use shopmind_recommend::{Model, Recommender, Scratch};

use shopmind_core::model::ModelKind;

use crate::serving::{LoadedRecommender, normalize_category};
use crate::{FieldError, Service, ServiceError, history};

/// Longest list a request may ask for.
pub const MAX_N: usize = 1000;
/// History items considered when explaining a recommendation.
const EXPLAIN_HISTORY: usize = 20;

/// Query of the recommendation routes.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecQuery {
    n: Option<String>,
    category: Option<String>,
    exclude: Option<String>,
    explain: Option<String>,
}

/// Body of `POST /v1/recommendations`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionRequest {
    /// The session's item ids, oldest first.
    items: Vec<String>,
    n: Option<usize>,
    category: Option<String>,
    #[serde(default)]
    exclude: Vec<String>,
    #[serde(default)]
    explain: bool,
}

/// Why an item was recommended.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Reason {
    /// `similar_to_history`, `model` or `trending`.
    kind: &'static str,
    /// The history item it is most similar to.
    #[serde(skip_serializing_if = "Option::is_none")]
    because_of: Option<String>,
    /// Similarity to that item under the model.
    #[serde(skip_serializing_if = "Option::is_none")]
    similarity: Option<f32>,
}

/// One recommended item.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RecItem {
    item_id: String,
    rank: usize,
    score: f32,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<Reason>,
}

/// A recommendation answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RecAnswer {
    recommendation_id: String,
    model_id: String,
    algorithm: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_id: Option<String>,
    /// True when the user had no usable history (trending items).
    cold_start: bool,
    items: Vec<RecItem>,
}

fn recommendation_id() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    format!("{millis:x}-{:x}", NEXT.fetch_add(1, Ordering::Relaxed))
}

fn active_model(svc: &Service) -> Result<std::sync::Arc<LoadedRecommender>, ServiceError> {
    svc.models
        .recommend()
        .ok_or(ServiceError::NoActiveModel(ModelKind::Recommend))
}

fn parse_n(raw: Option<&str>, errors: &mut Vec<FieldError>) -> usize {
    match raw.map(str::parse::<usize>) {
        None => 10,
        Some(Ok(n)) if (1..=MAX_N).contains(&n) => n,
        _ => {
            errors.push(FieldError {
                field: "n".into(),
                message: format!("must be an integer between 1 and {MAX_N}"),
            });
            10
        }
    }
}

fn parse_bool(field: &str, raw: Option<&str>, errors: &mut Vec<FieldError>) -> bool {
    match raw {
        None | Some("false" | "0") => false,
        Some("true" | "1" | "") => true,
        Some(_) => {
            errors.push(FieldError {
                field: field.into(),
                message: "must be true or false".into(),
            });
            false
        }
    }
}

/// The request's list options, validated.
struct Options {
    n: usize,
    category: Option<String>,
    exclude: Vec<String>,
    explain: bool,
}

impl Options {
    fn from_query(q: &RecQuery) -> Result<Options, ServiceError> {
        let mut errors = Vec::new();
        let n = parse_n(q.n.as_deref(), &mut errors);
        let explain = parse_bool("explain", q.explain.as_deref(), &mut errors);
        if !errors.is_empty() {
            return Err(ServiceError::invalid("invalid query parameters", errors));
        }
        Ok(Options {
            n,
            category: q.category.clone().filter(|c| !c.trim().is_empty()),
            exclude: q
                .exclude
                .as_deref()
                .unwrap_or("")
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            explain,
        })
    }
}

/// Scores, applies the rules and explains: the shared core of the routes.
fn answer(
    loaded: &LoadedRecommender,
    user_id: Option<String>,
    user: Option<u32>,
    history: &LiveHistory,
    opts: &Options,
) -> RecAnswer {
    let cold = history.weighted.is_empty();
    let recs = rank(loaded, user, history, opts);
    let reasons = if opts.explain {
        explain(loaded, history, &recs, cold)
    } else {
        Vec::new()
    };
    respond(loaded, user_id, cold, &recs, reasons)
}

/// The ranked list under the request's rules, as (model column, score).
fn rank(
    loaded: &LoadedRecommender,
    user: Option<u32>,
    history: &LiveHistory,
    opts: &Options,
) -> Vec<(u32, f32)> {
    let a = &loaded.artifact;
    let cold = history.weighted.is_empty();
    let model: &Model = if cold { &a.fallback } else { &a.model };
    let mut exclude: Vec<u32> = history.seen.clone();
    exclude.extend(opts.exclude.iter().filter_map(|id| a.items.get(id)));
    exclude.sort_unstable();
    exclude.dedup();
    // The active-items mask is shared; a category filter needs its own.
    let allowed: std::borrow::Cow<'_, [bool]> = match &opts.category {
        Some(c) => {
            let want = normalize_category(c);
            let below = format!("{want} > ");
            loaded
                .categories
                .iter()
                .zip(&loaded.active)
                .map(|(cat, act)| *act && (*cat == want || cat.starts_with(&below)))
                .collect::<Vec<bool>>()
                .into()
        }
        None => loaded.active.as_slice().into(),
    };
    let rules = Rules {
        exclude: &exclude,
        allowed: Some(&allowed),
        ..Rules::default()
    };
    thread_local! {
        /// Score buffers reused by the requests each worker thread answers.
        static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::default();
    }
    SCRATCH.with(|scratch| {
        recommend_with_rules(
            &mut scratch.borrow_mut(),
            model,
            if cold { None } else { user },
            &history.weighted,
            opts.n,
            &rules,
        )
    })
}

/// The answer document for a ranked list (`reasons` empty, or one per item).
fn respond(
    loaded: &LoadedRecommender,
    user_id: Option<String>,
    cold: bool,
    recs: &[(u32, f32)],
    reasons: Vec<Option<Reason>>,
) -> RecAnswer {
    let a = &loaded.artifact;
    let mut reasons = reasons.into_iter();
    RecAnswer {
        recommendation_id: recommendation_id(),
        model_id: loaded.model_id.clone(),
        algorithm: loaded.algorithm.clone(),
        user_id,
        cold_start: cold,
        items: recs
            .iter()
            .enumerate()
            .map(|(rank, &(i, score))| RecItem {
                item_id: a.items.resolve(i).unwrap_or_default().to_owned(),
                rank: rank + 1,
                score,
                reason: reasons.next().flatten(),
            })
            .collect(),
    }
}

/// For each recommended item, the history item (among the latest
/// [`EXPLAIN_HISTORY`]) it is most similar to under the model.
fn explain(
    loaded: &LoadedRecommender,
    history: &LiveHistory,
    recs: &[(u32, f32)],
    cold: bool,
) -> Vec<Option<Reason>> {
    if cold {
        return recs
            .iter()
            .map(|_| {
                Some(Reason {
                    kind: "trending",
                    because_of: None,
                    similarity: None,
                })
            })
            .collect();
    }
    let a = &loaded.artifact;
    let recent: Vec<u32> = history
        .recent
        .iter()
        .rev()
        .take(EXPLAIN_HISTORY)
        .copied()
        .collect();
    let mut best: Vec<(f32, Option<u32>)> = vec![(0.0, None); recs.len()];
    let mut sims = vec![0f32; a.model.n_items()];
    for &h in &recent {
        a.model.similar(h, &mut sims);
        for ((r, _), b) in recs.iter().zip(best.iter_mut()) {
            let s = sims.get(*r as usize).copied().unwrap_or(0.0);
            if s > b.0 {
                *b = (s, Some(h));
            }
        }
    }
    best.into_iter()
        .map(|(s, h)| {
            Some(match h {
                Some(h) => Reason {
                    kind: "similar_to_history",
                    because_of: a.items.resolve(h).map(str::to_owned),
                    similarity: Some(s),
                },
                None => Reason {
                    kind: "model",
                    because_of: None,
                    similarity: None,
                },
            })
        })
        .collect()
}

/// Recommendations for a user, from their live history.
///
/// An unknown user, or one without usable history, gets cold-start
/// (trending) items, not an error.
///
/// The plain request (a length, no category, exclusions or explanations),
/// which is what a shop's pages send, is answered from the user's recent
/// list when their history, the model and the catalog are unchanged since
/// it was computed (see `history::answers`).
pub async fn for_user(svc: &Service, id: String, q: &RecQuery) -> Result<RecAnswer, ServiceError> {
    let opts = Options::from_query(q)?;
    let loaded = active_model(svc)?;
    let plain = opts.category.is_none() && opts.exclude.is_empty() && !opts.explain;
    if plain && let Some(kept) = svc.histories.ranked(&id, opts.n, &loaded) {
        return Ok(respond(
            &loaded,
            Some(id),
            kept.cold,
            &kept.items,
            Vec::new(),
        ));
    }
    let (history, generation) = svc
        .histories
        .model_history(&svc.store, &id, &loaded.artifact)
        .await?;
    let user = loaded.artifact.users.get(&id);
    if !plain {
        return Ok(answer(&loaded, Some(id), user, &history, &opts));
    }
    let cold = history.weighted.is_empty();
    let recs = rank(&loaded, user, &history, &opts);
    let answer = respond(&loaded, Some(id.clone()), cold, &recs, Vec::new());
    if let Some(g) = generation {
        let ranked = history::Ranked {
            items: recs.into(),
            cold,
        };
        svc.histories.keep_ranked(&id, opts.n, &loaded, g, ranked);
    }
    Ok(answer)
}

/// The ids of the first `n` recommendations for a user under the default
/// rules (what the assistant suggests); `None` when no model is active.
pub async fn user_item_ids(
    svc: &Service,
    user_id: &str,
    n: usize,
) -> Result<Option<Vec<String>>, ServiceError> {
    let Some(loaded) = svc.models.recommend() else {
        return Ok(None);
    };
    let history = svc
        .histories
        .model_history(&svc.store, user_id, &loaded.artifact)
        .await?
        .0;
    let user = loaded.artifact.users.get(user_id);
    let opts = Options {
        n,
        category: None,
        exclude: Vec::new(),
        explain: false,
    };
    let a = answer(&loaded, Some(user_id.to_owned()), user, &history, &opts);
    Ok(Some(a.items.into_iter().map(|i| i.item_id).collect()))
}

/// Recommendations for an anonymous session (a list of item ids).
pub fn for_session(svc: &Service, req: SessionRequest) -> Result<RecAnswer, ServiceError> {
    let mut errors = Vec::new();
    let n = req.n.unwrap_or(10);
    if !(1..=MAX_N).contains(&n) {
        errors.push(FieldError {
            field: "n".into(),
            message: format!("must be between 1 and {MAX_N}"),
        });
    }
    if req.items.len() > 1000 {
        errors.push(FieldError {
            field: "items".into(),
            message: "at most 1000 items".into(),
        });
    }
    if !errors.is_empty() {
        return Err(ServiceError::invalid("invalid request", errors));
    }
    let loaded = active_model(svc)?;
    // A session's items count as clicks: positive, weighted as in training.
    let history = loaded.artifact.history(
        req.items
            .iter()
            .map(|i| (i.as_str(), shopmind_core::record::EventType::Click, 1.0)),
    );
    let opts = Options {
        n,
        category: req.category.filter(|c| !c.trim().is_empty()),
        exclude: req.exclude,
        explain: req.explain,
    };
    Ok(answer(&loaded, None, None, &history, &opts))
}

/// Query of `GET /v1/items/{id}/similar`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimilarQuery {
    n: Option<String>,
}

/// Similar items.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SimilarAnswer {
    item_id: String,
    model_id: String,
    items: Vec<RecItem>,
}

/// Items similar to one item under the active model.
pub async fn similar(
    svc: &Service,
    id: String,
    q: &SimilarQuery,
) -> Result<SimilarAnswer, ServiceError> {
    let mut errors = Vec::new();
    let n = parse_n(q.n.as_deref(), &mut errors);
    if !errors.is_empty() {
        return Err(ServiceError::invalid("invalid query parameters", errors));
    }
    let loaded = active_model(svc)?;
    let a = &loaded.artifact;
    let Some(item) = a.items.get(&id) else {
        return Err(if svc.store.get_item(&id).await?.is_some() {
            ServiceError::NotInModel(format!(
                "item `{id}` is newer than the active model; retrain to include it"
            ))
        } else {
            ServiceError::NotFound { what: "item", id }
        });
    };
    let mut scores = vec![0f32; a.model.n_items()];
    a.model.similar(item, &mut scores);
    let mut excluded: Vec<u32> = loaded
        .active
        .iter()
        .enumerate()
        .filter(|(_, act)| !**act)
        .map(|(i, _)| i as u32)
        .chain([item])
        .collect();
    excluded.sort_unstable();
    let top = shopmind_recommend::topk::top_k(&scores, n, &excluded);
    Ok(SimilarAnswer {
        item_id: id,
        model_id: loaded.model_id.clone(),
        items: top
            .into_iter()
            .filter(|(_, s)| *s > 0.0)
            .enumerate()
            .map(|(rank, (i, score))| RecItem {
                item_id: a.items.resolve(i).unwrap_or_default().to_owned(),
                rank: rank + 1,
                score,
                reason: None,
            })
            .collect(),
    })
}
