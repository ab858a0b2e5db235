//! Algorithms by name, with parameters given as `key=value` text: what the
//! service layer uses to fit "whatever the user asked for", from the CLI's
//! `--param` and the HTTP API's `params` alike.
//!
//! Most algorithms' text parameters deserialize with serde into the
//! algorithm's own parameter struct (`#[serde(default,
//! deny_unknown_fields)]`; each value read as the JSON scalar it spells), so
//! the struct's fields are the list of known names; the weighted hybrid's
//! `components` mini-language, the learning-to-rank and content models'
//! nested settings and popularity's `by` are parsed by hand. [`check`] runs
//! the same parsing and the engine's own range checks without fitting.

use std::collections::BTreeMap;
use std::str::FromStr;

use crate::dataset::Dataset;
use crate::ease::EaseParams;
use crate::error::RecommendError;
use crate::hybrid::{Normalization, WeightedHybrid};
use crate::ials::IalsParams;
use crate::item_knn::{ItemKnnParams, Similarity};
use crate::model::Model;
use crate::popularity::Popularity;

/// Every algorithm name fitted by [`fit`].
pub const NAMES: [&str; 13] = [
    "popular",
    "trending",
    "user-knn",
    "item-knn",
    "content",
    "description",
    "ease",
    "ials",
    "bpr",
    "mf-explicit",
    "hybrid-weighted",
    "hybrid-ltr",
    "best",
];

/// Text parameters (`neighbors=200`).
pub type Params = BTreeMap<String, String>;

fn parse<T: FromStr>(key: &str, value: &str, what: &str) -> Result<T, RecommendError> {
    value.parse().map_err(|_| RecommendError::BadParam {
        param: key.into(),
        value: value.into(),
        reason: format!("expected {what}"),
    })
}

/// A text value as the JSON scalar it spells: an integer, a number,
/// `true`/`false`, or else the text itself.
fn scalar(text: &str) -> serde_json::Value {
    let t = text.trim();
    if let Ok(i) = t.parse::<i64>() {
        return i.into();
    }
    if let Ok(u) = t.parse::<u64>() {
        return u.into();
    }
    if let Some(n) = t.parse::<f64>().ok().and_then(serde_json::Number::from_f64) {
        return serde_json::Value::Number(n);
    }
    match t {
        "true" => true.into(),
        "false" => false.into(),
        _ => t.into(),
    }
}

/// Text parameters deserialized into an algorithm's parameter struct
/// (`#[serde(default, deny_unknown_fields)]`): an unknown name is refused
/// with the known ones, a value of the wrong type by its name.
fn typed<T: serde::de::DeserializeOwned>(
    algorithm: &'static str,
    p: &Params,
) -> Result<T, RecommendError> {
    let object = |pairs: &mut dyn Iterator<Item = (&String, &String)>| {
        serde_json::Value::Object(pairs.map(|(k, v)| (k.clone(), scalar(v))).collect())
    };
    let err = match serde_json::from_value::<T>(object(&mut p.iter())) {
        Ok(t) => return Ok(t),
        Err(e) => e.to_string(),
    };
    if let Some(rest) = err.strip_prefix("unknown field `") {
        let (param, known) = rest.split_once('`').unwrap_or((rest, ""));
        let known = known
            .trim_start_matches(", expected one of ")
            .trim_start_matches(", expected ")
            .replace('`', "");
        return Err(RecommendError::UnknownParam {
            algorithm,
            param: param.to_owned(),
            known,
        });
    }
    // Name the first parameter that fails on its own.
    for (k, v) in p {
        if let Err(e) = serde_json::from_value::<T>(object(&mut std::iter::once((k, v)))) {
            return Err(RecommendError::BadParam {
                param: k.clone(),
                value: v.clone(),
                reason: e.to_string(),
            });
        }
    }
    Err(RecommendError::BadParam {
        param: String::new(),
        value: String::new(),
        reason: err,
    })
}

fn unknown(algorithm: &'static str, key: &str, known: &[&str]) -> RecommendError {
    RecommendError::UnknownParam {
        algorithm,
        param: key.into(),
        known: known.join(", "),
    }
}

/// Item-kNN parameters as text: the struct's fields, with the re-weighting
/// spelled `weighting` (`none`, `tfidf`, `bm25`) and BM25's `k1` and `b`.
#[derive(serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
struct ItemKnnText {
    neighbors: usize,
    shrink: f32,
    similarity: Similarity,
    weighting: WeightingName,
    k1: f32,
    b: f32,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "lowercase")]
enum WeightingName {
    None,
    Tfidf,
    Bm25,
}

impl Default for ItemKnnText {
    fn default() -> Self {
        let d = ItemKnnParams::default();
        ItemKnnText {
            neighbors: d.neighbors,
            shrink: d.shrink,
            similarity: d.similarity,
            weighting: WeightingName::None,
            k1: 100.0,
            b: 0.8,
        }
    }
}

/// Item-kNN parameters from text.
pub fn item_knn_params(p: &Params) -> Result<ItemKnnParams, RecommendError> {
    use crate::item_knn::Weighting;
    let t: ItemKnnText = typed("item-knn", p)?;
    Ok(ItemKnnParams {
        neighbors: t.neighbors,
        shrink: t.shrink,
        similarity: t.similarity,
        weighting: match t.weighting {
            WeightingName::None => Weighting::None,
            WeightingName::Tfidf => Weighting::TfIdf,
            WeightingName::Bm25 => Weighting::Bm25 { k1: t.k1, b: t.b },
        },
    })
}

/// EASE parameters from text.
pub fn ease_params(p: &Params) -> Result<EaseParams, RecommendError> {
    typed("ease", p)
}

/// iALS parameters from text.
pub fn ials_params(p: &Params) -> Result<IalsParams, RecommendError> {
    typed("ials", p)
}

/// User-kNN parameters from text.
pub fn user_knn_params(p: &Params) -> Result<crate::user_knn::UserKnnParams, RecommendError> {
    typed("user-knn", p)
}

/// BPR parameters from text.
pub fn bpr_params(p: &Params) -> Result<crate::bpr::BprParams, RecommendError> {
    typed("bpr", p)
}

/// Biased-MF parameters from text.
pub fn mf_params(p: &Params) -> Result<crate::mf_explicit::MfParams, RecommendError> {
    typed("mf-explicit", p)
}

/// kNN-baseline parameters from text.
pub fn knn_baseline_params(
    p: &Params,
) -> Result<crate::knn_baseline::KnnBaselineParams, RecommendError> {
    typed("knn-baseline", p)
}

/// A weighted hybrid's settings from text: its components (`None`: the
/// default for the data's size), normalisation and tuning seed.
type HybridSpec = (Option<String>, Normalization, u64);

fn hybrid_spec(p: &Params) -> Result<HybridSpec, RecommendError> {
    let mut spec = None;
    let mut normalization = Normalization::ZScore;
    let mut seed = crate::select::VALIDATION_SEED;
    for (k, v) in p {
        match k.as_str() {
            "components" => spec = Some(v.clone()),
            "seed" => seed = parse(k, v, "an integer")?,
            "normalization" => {
                normalization = match v.as_str() {
                    "zscore" => Normalization::ZScore,
                    "rank" => Normalization::Rank,
                    _ => {
                        return Err(RecommendError::BadParam {
                            param: k.clone(),
                            value: v.clone(),
                            reason: "expected zscore or rank".into(),
                        });
                    }
                }
            }
            _ => {
                return Err(unknown(
                    "hybrid-weighted",
                    k,
                    &["components", "normalization", "seed"],
                ));
            }
        }
    }
    if let Some(spec) = &spec {
        hybrid_components(spec)?;
    }
    Ok((spec, normalization, seed))
}

/// The components of a weighted hybrid (`NAME[:WEIGHT],…`), checked.
fn hybrid_components(spec: &str) -> Result<Vec<(String, Option<f32>)>, RecommendError> {
    let mut out = Vec::new();
    for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (name, w) = match part.split_once(':') {
            Some((n, w)) => (n, Some(parse::<f32>("components", w, "NAME:WEIGHT pairs")?)),
            None => (part, None),
        };
        if matches!(name, "hybrid-weighted" | "hybrid-ltr" | "best") || !NAMES.contains(&name) {
            return Err(RecommendError::BadParam {
                param: "components".into(),
                value: spec.to_owned(),
                reason: "components must be base algorithms".into(),
            });
        }
        out.push((name.to_owned(), w));
    }
    if out.is_empty() {
        return Err(RecommendError::BadParam {
            param: "components".into(),
            value: spec.to_owned(),
            reason: "name at least one component".into(),
        });
    }
    let weighted = out.iter().filter(|(_, w)| w.is_some()).count();
    if weighted != 0 && weighted != out.len() {
        return Err(RecommendError::BadParam {
            param: "components".into(),
            value: spec.to_owned(),
            reason: "give a weight to every component or to none (none: tuned)".into(),
        });
    }
    Ok(out)
}

/// A weighted hybrid from text: `components=ease,ials` (weights tuned on a
/// validation split; the default is EASE, or item-kNN when the catalog is
/// too large for EASE, with iALS) or `components=ease:0.5,ials:0.5` (fixed weights), component
/// models with their default parameters; `normalization=zscore|rank`;
/// `seed` of the validation split.
fn hybrid_params(p: &Params, data: &Dataset) -> Result<WeightedHybrid, RecommendError> {
    let (spec, normalization, seed) = hybrid_spec(p)?;
    let spec = spec.unwrap_or_else(|| {
        if data.n_items() <= crate::ease::MAX_ITEMS {
            "ease,ials".to_owned()
        } else {
            "item-knn,ials".to_owned()
        }
    });
    let parts = hybrid_components(&spec)?;
    let mut names = Vec::new();
    let mut weights = Vec::new();
    for (name, w) in parts {
        names.push(name);
        weights.push(w);
    }
    if weights.iter().all(Option::is_some) {
        let components = names
            .iter()
            .zip(weights)
            .map(|(n, w)| Ok((fit(n, &Params::new(), data)?, w.unwrap_or(1.0))))
            .collect::<Result<Vec<_>, RecommendError>>()?;
        return Ok(WeightedHybrid::new(components, normalization));
    }
    Ok(crate::hybrid::tune_weights(&names, data, normalization, seed)?.0)
}

/// Content / description parameters from text: `half_life_days`,
/// `weighting=bm25|tfidf`, `k1`, `b`.
pub fn content_params(
    algorithm: &'static str,
    p: &Params,
) -> Result<crate::content::ContentParams, RecommendError> {
    use crate::content::TermWeighting;
    let mut out = crate::content::ContentParams::default();
    let (mut k1, mut b, mut bm25) = (1.2f32, 0.75f32, true);
    for (k, v) in p {
        match (k.as_str(), algorithm) {
            ("half_life_days", _) => out.half_life_days = parse(k, v, "a number")?,
            ("k1", "description") => k1 = parse(k, v, "a number")?,
            ("b", "description") => b = parse(k, v, "a number")?,
            ("weighting", "description") => {
                bm25 = match v.as_str() {
                    "bm25" => true,
                    "tfidf" => false,
                    _ => {
                        return Err(RecommendError::BadParam {
                            param: k.clone(),
                            value: v.clone(),
                            reason: "expected bm25 or tfidf".into(),
                        });
                    }
                }
            }
            _ if algorithm == "description" => {
                return Err(unknown(
                    algorithm,
                    k,
                    &["half_life_days", "weighting", "k1", "b"],
                ));
            }
            _ => return Err(unknown(algorithm, k, &["half_life_days"])),
        }
    }
    out.weighting = if bm25 {
        TermWeighting::Bm25 { k1, b }
    } else {
        TermWeighting::TfIdf
    };
    Ok(out)
}

/// Learning-to-rank hybrid parameters from text: `components=ease,ials`,
/// `candidates`, `objective=lambdarank|logistic`, `validation_ratio`, `seed`
/// and the ranker's `trees`, `learning_rate`, `max_depth`,
/// `min_samples_leaf`, `subsample`.
pub fn ltr_params(p: &Params) -> Result<crate::ltr::LtrParams, RecommendError> {
    use crate::ltr::RankObjective;
    let mut out = crate::ltr::LtrParams::default();
    for (k, v) in p {
        match k.as_str() {
            "components" => out.components = v.split(',').map(|c| c.trim().to_owned()).collect(),
            "candidates" => out.candidates = parse(k, v, "an integer")?,
            "validation_ratio" => out.validation_ratio = parse(k, v, "a number")?,
            "seed" => {
                out.seed = parse(k, v, "an integer")?;
                out.ranker.seed = out.seed;
            }
            "trees" => out.ranker.trees = parse(k, v, "an integer")?,
            "learning_rate" => out.ranker.learning_rate = parse(k, v, "a number")?,
            "max_depth" => out.ranker.max_depth = parse(k, v, "an integer")?,
            "min_samples_leaf" => out.ranker.min_samples_leaf = parse(k, v, "an integer")?,
            "subsample" => out.ranker.subsample = parse(k, v, "a number")?,
            "objective" => {
                out.objective = match v.as_str() {
                    "lambdarank" => RankObjective::LambdaRank,
                    "logistic" => RankObjective::Logistic,
                    _ => {
                        return Err(RecommendError::BadParam {
                            param: k.clone(),
                            value: v.clone(),
                            reason: "expected lambdarank or logistic".into(),
                        });
                    }
                }
            }
            _ => {
                return Err(unknown(
                    "hybrid-ltr",
                    k,
                    &[
                        "components",
                        "candidates",
                        "objective",
                        "validation_ratio",
                        "seed",
                        "trees",
                        "learning_rate",
                        "max_depth",
                        "min_samples_leaf",
                        "subsample",
                    ],
                ));
            }
        }
    }
    Ok(out)
}

/// Popularity: by category or global, from text.
fn popular_by_category(p: &Params) -> Result<bool, RecommendError> {
    let mut by_category = false;
    for (k, v) in p {
        match (k.as_str(), v.as_str()) {
            ("by", "global") => by_category = false,
            ("by", "category") => by_category = true,
            ("by", _) => {
                return Err(RecommendError::BadParam {
                    param: k.clone(),
                    value: v.clone(),
                    reason: "expected global or category".into(),
                });
            }
            _ => return Err(unknown("popular", k, &["by"])),
        }
    }
    Ok(by_category)
}

/// Trending parameters from text.
fn trending_params(p: &Params) -> Result<crate::popularity::TrendingParams, RecommendError> {
    typed("trending", p)
}

/// Checks an algorithm's name and parameters without fitting anything: the
/// same parsers and range checks as [`fit`], so that a training request can
/// be refused before it is queued. An unknown parameter is named, with the
/// algorithm's known ones.
pub fn check(name: &str, params: &Params) -> Result<(), RecommendError> {
    match name {
        "popular" => popular_by_category(params).map(drop),
        "trending" => trending_params(params).map(drop),
        "item-knn" => item_knn_params(params).map(drop),
        "ease" => ease_params(params)?.validate(),
        "ials" => ials_params(params)?.validate(),
        "bpr" => bpr_params(params).map(drop),
        "user-knn" => user_knn_params(params).map(drop),
        "mf-explicit" => mf_params(params)?.validate(),
        "hybrid-weighted" => hybrid_spec(params).map(drop),
        "hybrid-ltr" => ltr_params(params).map(drop),
        "content" => content_params("content", params).map(drop),
        "description" => content_params("description", params).map(drop),
        "best" => match params.keys().next() {
            Some(k) => Err(unknown("best", k, &[])),
            None => Ok(()),
        },
        other => Err(RecommendError::UnknownAlgorithm(
            other.into(),
            NAMES.join(", "),
        )),
    }
}

/// Fits the named algorithm. `best` is the default users get: the candidate
/// that wins on a validation split of the data (see [`crate::select`]).
pub fn fit(name: &str, params: &Params, data: &Dataset) -> Result<Model, RecommendError> {
    if data.n_users() < 2 && !matches!(name, "popular" | "trending" | "content" | "description") {
        return Err(RecommendError::TooFewUsers {
            users: data.n_users(),
        });
    }
    Ok(match name {
        "popular" => Model::Popular(if popular_by_category(params)? {
            Popularity::fit_by_category(data)?
        } else {
            Popularity::fit(data)
        }),
        "item-knn" => Model::ItemKnn(item_knn_params(params)?.fit(data)?),
        "ease" => Model::Ease(ease_params(params)?.fit(data)?),
        "ials" => Model::Ials(ials_params(params)?.fit(data)?),
        "best" => {
            if let Some(k) = params.keys().next() {
                return Err(unknown("best", k, &[]));
            }
            crate::select::select_best(data)?.model
        }
        "bpr" => Model::Bpr(bpr_params(params)?.fit(data)?),
        "trending" => Model::Trending(trending_params(params)?.fit(data)?),
        "user-knn" => Model::UserKnn(user_knn_params(params)?.fit(data)?),
        "hybrid-weighted" => Model::Weighted(hybrid_params(params, data)?),
        "hybrid-ltr" => Model::Ltr(Box::new(ltr_params(params)?.fit(data)?)),
        "mf-explicit" => Model::MfExplicit(mf_params(params)?.fit_dataset(data)?),
        "content" => Model::Content(
            content_params("content", params)?.fit(crate::content::ContentKind::Content, data)?,
        ),
        "description" => Model::Content(
            content_params("description", params)?
                .fit(crate::content::ContentKind::Description, data)?,
        ),
        other => {
            return Err(RecommendError::UnknownAlgorithm(
                other.into(),
                NAMES.join(", "),
            ));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ials::Solver;
    use crate::item_knn::Weighting;

    fn p(pairs: &[(&str, &str)]) -> Params {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn text_parameters_deserialize_into_the_typed_structs() {
        let i = ials_params(&p(&[
            ("factors", "8"),
            ("regularization", "17"),
            ("alpha", "2.5"),
            ("solver", "cholesky"),
            ("track_loss", "true"),
        ]))
        .unwrap();
        assert_eq!((i.factors, i.regularization, i.alpha), (8, 17.0, 2.5));
        assert_eq!(i.solver, Solver::Cholesky);
        assert!(i.track_loss);
        let k = item_knn_params(&p(&[
            ("similarity", "adjusted-cosine"),
            ("weighting", "bm25"),
            ("k1", "50"),
        ]))
        .unwrap();
        assert_eq!(k.similarity, Similarity::AdjustedCosine);
        assert_eq!(k.weighting, Weighting::Bm25 { k1: 50.0, b: 0.8 });
        assert_eq!(
            ease_params(&Params::new()).unwrap().lambda,
            EaseParams::default().lambda
        );
    }

    #[test]
    fn unknown_names_and_bad_values_are_named() {
        match ials_params(&p(&[("factor", "8")])) {
            Err(RecommendError::UnknownParam { param, known, .. }) => {
                assert_eq!(param, "factor");
                assert!(
                    known.contains("factors") && known.contains("track_loss"),
                    "{known}"
                );
            }
            other => panic!("{other:?}"),
        }
        for (key, value) in [("factors", "many"), ("solver", "qr"), ("factors", "-1")] {
            match ials_params(&p(&[("alpha", "1"), (key, value)])) {
                Err(RecommendError::BadParam { param, .. }) => assert_eq!(param, key),
                other => panic!("{key}={value}: {other:?}"),
            }
        }
        assert!(matches!(
            check("ials", &p(&[("factors", "0")])),
            Err(RecommendError::BadParam { .. })
        ));
        assert!(check("ease", &p(&[("lambda", "-1")])).is_err());
        assert!(check("best", &p(&[("x", "1")])).is_err());
        assert!(check("hybrid-weighted", &p(&[("components", "ease:1,nope:2")])).is_err());
        assert!(check("hybrid-weighted", &p(&[("components", "ease:1,ials")])).is_err());
        assert!(check("hybrid-weighted", &p(&[("components", "ease,ials")])).is_ok());
    }
}
