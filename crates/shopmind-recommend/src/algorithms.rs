//! Algorithms by name, with parameters given as `key=value` text: what the
//! service layer uses to fit "whatever the user asked for", from the CLI's
//! `--param` and the HTTP API's `params` alike.
//!
//! Every algorithm's text parameters deserialize with serde into its
//! parameter struct, or a flat text-facing twin where the struct nests
//! (`crate::params`): the struct's fields are the list of known names.
//! [`check`] runs the same parsing and the engine's own range checks
//! (`validate`) without fitting.

use std::collections::BTreeMap;

use crate::dataset::Dataset;
use crate::error::RecommendError;
use crate::hybrid::WeightedHybrid;
use crate::model::Model;
pub use crate::params::{
    bpr_params, content_params, ease_params, ials_params, item_knn_params, knn_baseline_params,
    ltr_params, mf_params, user_knn_params,
};
use crate::params::{hybrid_components, hybrid_spec, popular_by_category, trending_params};
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

/// Checks an algorithm's name and parameters without fitting anything: the
/// same parsers and range checks as [`fit`], so that a training request can
/// be refused before it is queued. An unknown parameter is named, with the
/// algorithm's known ones.
pub fn check(name: &str, params: &Params) -> Result<(), RecommendError> {
    match name {
        "popular" => popular_by_category(params).map(drop),
        "trending" => trending_params(params).map(drop),
        "item-knn" => item_knn_params(params)?.validate(),
        "ease" => ease_params(params)?.validate(),
        "ials" => ials_params(params)?.validate(),
        "bpr" => bpr_params(params)?.validate(),
        "user-knn" => user_knn_params(params)?.validate(),
        "mf-explicit" => mf_params(params)?.validate(),
        "hybrid-weighted" => hybrid_spec(params).map(drop),
        "hybrid-ltr" => ltr_params(params).map(drop),
        "content" => content_params("content", params).map(drop),
        "description" => content_params("description", params).map(drop),
        "best" => match params.keys().next() {
            Some(k) => Err(RecommendError::UnknownParam {
                algorithm: "best",
                param: k.clone(),
                known: "(none: `best` chooses on its own)".into(),
            }),
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
            check("best", params)?;
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
    use crate::ease::EaseParams;
    use crate::ials::Solver;
    use crate::item_knn::{Similarity, Weighting};

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
        assert!(check("hybrid-weighted", &p(&[("normalization", "rank")])).is_ok());
        assert!(check("hybrid-weighted", &p(&[("normalisation", "rank")])).is_err());
        assert!(check("popular", &p(&[("by", "category")])).is_ok());
        assert!(check("popular", &p(&[("by", "brand")])).is_err());
        assert!(check("description", &p(&[("weighting", "tfidf"), ("k1", "2")])).is_ok());
        assert!(check("content", &p(&[("weighting", "tfidf")])).is_err());
        assert!(
            check(
                "hybrid-ltr",
                &p(&[("objective", "logistic"), ("seed", "7")])
            )
            .is_ok()
        );
        assert!(check("hybrid-ltr", &p(&[("objective", "pairwise")])).is_err());
    }
}
