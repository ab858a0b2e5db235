//! Algorithm parameters from `key=value` text (the CLI's `--param`, the
//! HTTP API's `params`), typed.
//!
//! Each value is read as the JSON scalar it spells (an integer, a number,
//! `true`/`false`, else text) and the whole set is deserialized with serde
//! into the algorithm's parameter struct, or a flat text-facing twin of it
//! where the struct nests (`#[serde(default, deny_unknown_fields)]`): the
//! struct's fields are the list of known names, so an unknown name is
//! refused with that list, and a value of the wrong type is named.

use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::algorithms::{NAMES, Params};
use crate::content::{ContentParams, TermWeighting};
use crate::ease::EaseParams;
use crate::error::RecommendError;
use crate::hybrid::Normalization;
use crate::ials::IalsParams;
use crate::item_knn::{ItemKnnParams, Similarity, Weighting};
use crate::ltr::{LtrParams, RankObjective};

/// A text value as the JSON scalar it spells.
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

/// Text parameters deserialized into `T`: an unknown name is refused with
/// the known ones, a value of the wrong type by its name.
fn typed<T: DeserializeOwned>(algorithm: &'static str, p: &Params) -> Result<T, RecommendError> {
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
            .trim_start_matches(", there are no fields")
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

/// Item-kNN parameters as text: the struct's fields, with the re-weighting
/// spelled `weighting` (`none`, `tfidf`, `bm25`) and BM25's `k1` and `b`.
#[derive(Deserialize)]
#[serde(default, deny_unknown_fields)]
struct ItemKnnText {
    neighbors: usize,
    shrink: f32,
    similarity: Similarity,
    weighting: WeightingName,
    k1: f32,
    b: f32,
}

#[derive(Deserialize)]
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

/// Trending parameters from text.
pub(crate) fn trending_params(
    p: &Params,
) -> Result<crate::popularity::TrendingParams, RecommendError> {
    typed("trending", p)
}

/// Popularity as text: `by` = `global` (default) or `category`.
#[derive(Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct PopularText {
    by: PopularBy,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "lowercase")]
enum PopularBy {
    #[default]
    Global,
    Category,
}

/// Whether popularity is counted per category.
pub(crate) fn popular_by_category(p: &Params) -> Result<bool, RecommendError> {
    let t: PopularText = typed("popular", p)?;
    Ok(matches!(t.by, PopularBy::Category))
}

/// A weighted hybrid as text: `components` (`NAME[:WEIGHT],…`; absent: the
/// default for the data's size), `normalization` (`zscore` or `rank`),
/// `seed` of the validation split that tunes the weights.
#[derive(Deserialize)]
#[serde(default, deny_unknown_fields)]
struct HybridText {
    components: Option<String>,
    normalization: Normalization,
    seed: u64,
}

impl Default for HybridText {
    fn default() -> Self {
        HybridText {
            components: None,
            normalization: Normalization::ZScore,
            seed: crate::select::VALIDATION_SEED,
        }
    }
}

/// A weighted hybrid's settings from text: its components (`None`: the
/// default for the data's size), normalisation and tuning seed.
pub(crate) type HybridSpec = (Option<String>, Normalization, u64);

/// A weighted hybrid's settings, its components checked.
pub(crate) fn hybrid_spec(p: &Params) -> Result<HybridSpec, RecommendError> {
    let t: HybridText = typed("hybrid-weighted", p)?;
    if let Some(spec) = &t.components {
        hybrid_components(spec)?;
    }
    Ok((t.components, t.normalization, t.seed))
}

/// The components of a weighted hybrid (`NAME[:WEIGHT],…`), checked: base
/// algorithms only, a weight for every component or for none.
pub(crate) fn hybrid_components(spec: &str) -> Result<Vec<(String, Option<f32>)>, RecommendError> {
    let bad = |reason: &str| RecommendError::BadParam {
        param: "components".into(),
        value: spec.to_owned(),
        reason: reason.into(),
    };
    let mut out = Vec::new();
    for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (name, w) = match part.split_once(':') {
            Some((n, w)) => (
                n,
                Some(
                    w.trim()
                        .parse::<f32>()
                        .map_err(|_| bad("expected NAME:WEIGHT pairs"))?,
                ),
            ),
            None => (part, None),
        };
        if matches!(name, "hybrid-weighted" | "hybrid-ltr" | "best") || !NAMES.contains(&name) {
            return Err(bad("components must be base algorithms"));
        }
        out.push((name.to_owned(), w));
    }
    if out.is_empty() {
        return Err(bad("name at least one component"));
    }
    let weighted = out.iter().filter(|(_, w)| w.is_some()).count();
    if weighted != 0 && weighted != out.len() {
        return Err(bad(
            "give a weight to every component or to none (none: tuned)",
        ));
    }
    Ok(out)
}

/// The content model as text: `half_life_days`.
#[derive(Deserialize)]
#[serde(default, deny_unknown_fields)]
struct ContentText {
    half_life_days: f32,
}

impl Default for ContentText {
    fn default() -> Self {
        ContentText {
            half_life_days: ContentParams::default().half_life_days,
        }
    }
}

/// The description model as text: `half_life_days`, `weighting` (`bm25`
/// or `tfidf`) and BM25's `k1` and `b`.
#[derive(Deserialize)]
#[serde(default, deny_unknown_fields)]
struct DescriptionText {
    half_life_days: f32,
    weighting: TermWeightingName,
    k1: f32,
    b: f32,
}

#[derive(Deserialize)]
#[serde(rename_all = "lowercase")]
enum TermWeightingName {
    Bm25,
    Tfidf,
}

impl Default for DescriptionText {
    fn default() -> Self {
        DescriptionText {
            half_life_days: ContentParams::default().half_life_days,
            weighting: TermWeightingName::Bm25,
            k1: 1.2,
            b: 0.75,
        }
    }
}

/// Content (`algorithm` = `content`) or description parameters from text.
pub fn content_params(
    algorithm: &'static str,
    p: &Params,
) -> Result<ContentParams, RecommendError> {
    if algorithm != "description" {
        let t: ContentText = typed(algorithm, p)?;
        return Ok(ContentParams {
            half_life_days: t.half_life_days,
            ..ContentParams::default()
        });
    }
    let t: DescriptionText = typed(algorithm, p)?;
    Ok(ContentParams {
        half_life_days: t.half_life_days,
        weighting: match t.weighting {
            TermWeightingName::Bm25 => TermWeighting::Bm25 { k1: t.k1, b: t.b },
            TermWeightingName::Tfidf => TermWeighting::TfIdf,
        },
    })
}

/// The learning-to-rank hybrid as text: `components` (comma-separated),
/// `candidates`, `objective` (`lambdarank` or `logistic`),
/// `validation_ratio`, `seed` (of the split and the ranker) and the
/// ranker's `trees`, `learning_rate`, `max_depth`, `min_samples_leaf`,
/// `subsample`.
#[derive(Deserialize)]
#[serde(default, deny_unknown_fields)]
struct LtrText {
    components: Option<String>,
    candidates: usize,
    objective: ObjectiveName,
    validation_ratio: f64,
    seed: Option<u64>,
    trees: usize,
    learning_rate: f64,
    max_depth: usize,
    min_samples_leaf: usize,
    subsample: f64,
}

#[derive(Deserialize)]
#[serde(rename_all = "lowercase")]
enum ObjectiveName {
    Lambdarank,
    Logistic,
}

impl Default for LtrText {
    fn default() -> Self {
        let d = LtrParams::default();
        LtrText {
            components: None,
            candidates: d.candidates,
            objective: match d.objective {
                RankObjective::LambdaRank => ObjectiveName::Lambdarank,
                RankObjective::Logistic => ObjectiveName::Logistic,
            },
            validation_ratio: d.validation_ratio,
            seed: None,
            trees: d.ranker.trees,
            learning_rate: d.ranker.learning_rate,
            max_depth: d.ranker.max_depth,
            min_samples_leaf: d.ranker.min_samples_leaf,
            subsample: d.ranker.subsample,
        }
    }
}

/// Learning-to-rank hybrid parameters from text.
pub fn ltr_params(p: &Params) -> Result<LtrParams, RecommendError> {
    let t: LtrText = typed("hybrid-ltr", p)?;
    let mut out = LtrParams::default();
    if let Some(c) = &t.components {
        out.components = c.split(',').map(|c| c.trim().to_owned()).collect();
    }
    out.candidates = t.candidates;
    out.objective = match t.objective {
        ObjectiveName::Lambdarank => RankObjective::LambdaRank,
        ObjectiveName::Logistic => RankObjective::Logistic,
    };
    out.validation_ratio = t.validation_ratio;
    if let Some(seed) = t.seed {
        out.seed = seed;
        out.ranker.seed = seed;
    }
    out.ranker.trees = t.trees;
    out.ranker.learning_rate = t.learning_rate;
    out.ranker.max_depth = t.max_depth;
    out.ranker.min_samples_leaf = t.min_samples_leaf;
    out.ranker.subsample = t.subsample;
    Ok(out)
}
