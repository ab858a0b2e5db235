//! What a training request may contain, checked once for the HTTP API
//! (`POST /v1/models/{kind}/train`) and the CLI (`shopmind train KIND`).
//!
//! Both front-ends fill in a [`TrainRequest`] (the API from its JSON body,
//! the CLI from `--algorithm`, `--param KEY=VALUE`, `--binary` and
//! `--activate`) and call [`TrainRequest::check`], which returns the typed
//! [`TrainSpec`] of the kind and the [`Activation`] rule, or one
//! [`ServiceError::Invalid`] naming every bad field. Parameters are checked
//! by the engine's own parser and range checks before any job is queued:
//! an unknown parameter is refused by name with the list of known ones.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use shopmind_core::model::ModelKind;
use shopmind_forecast::ModelChoice;
use shopmind_recommend::algorithms;

use crate::{FieldError, ServiceError};

/// Whether a newly trained version is activated.
#[derive(Debug, Clone, PartialEq)]
pub enum Activation {
    /// Always.
    Always,
    /// Champion/challenger: when the new version's validation `metric` is at
    /// least the active version's plus `min_gain` (a negative gain tolerates
    /// a small loss), or when nothing is active. Both figures come from each
    /// version's own validation split, so they compare like with like only
    /// when the data has not changed much between the runs; a margin absorbs
    /// the noise.
    IfBetter {
        /// A metric every version records, higher is better (`ndcg@10`).
        metric: String,
        /// Margin over the champion.
        min_gain: f64,
    },
    /// Only when no version of the kind is active yet (the default: a
    /// first model goes live, later ones wait for a decision).
    IfNoneActive,
}

/// Validation metrics a recommendation version records, all higher-is-better:
/// the choices of [`Activation::IfBetter`].
pub const CHAMPION_METRICS: &[&str] = &["ndcg@10", "precision@10", "recall@10", "map@10"];

/// A training request as a front-end received it, before checking (and
/// as a queued job stores it).
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrainRequest {
    /// Algorithm (default per kind: `best`, `elasticity`, `auto`, `lexical`).
    pub algorithm: Option<String>,
    /// Hyper-parameters by name; values are text, numbers or booleans.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub params: BTreeMap<String, ParamValue>,
    /// Every event a positive (recommendation only).
    #[serde(default)]
    pub binary: bool,
    /// `true`, `false` (the default: only when nothing is active) or
    /// `"if_better"` (champion/challenger, recommendation only).
    #[serde(default)]
    pub activate: ActivateField,
    /// The metric `if_better` compares (default `ndcg@10`).
    pub champion_metric: Option<String>,
    /// The margin `if_better` requires (default 0).
    pub min_gain: Option<f64>,
    /// How many parts a job splits the work into, for several workers to
    /// run (forecast: series; pricing and item-knn: items; 1 to 64, never
    /// more than the units of work). Default: one part per 200 series or
    /// items (item-knn: 2,000 items), at most 16. Other algorithms and the
    /// assistant train in one piece.
    #[schema(minimum = 1, maximum = 64)]
    pub parts: Option<u32>,
}

/// A parameter value as sent: the API takes JSON scalars, the CLI text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ParamValue {
    /// `true` or `false`.
    Bool(bool),
    /// A number.
    Number(serde_json::Number),
    /// Text (the CLI's `KEY=VALUE` always is).
    Text(String),
}

impl ParamValue {
    /// The value as the engines' parameter parsers read it.
    pub fn as_text(&self) -> String {
        match self {
            ParamValue::Bool(b) => b.to_string(),
            ParamValue::Number(n) => n.to_string(),
            ParamValue::Text(t) => t.trim().to_owned(),
        }
    }
}

/// `activate` as sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum ActivateField {
    /// `true` or `false`.
    Flag(bool),
    /// `"if_better"`.
    Mode(String),
}

impl Default for ActivateField {
    fn default() -> Self {
        ActivateField::Flag(false)
    }
}

/// A checked training request: what to train, typed per kind.
#[derive(Debug, Clone, PartialEq)]
pub enum TrainSpec {
    /// A recommendation algorithm with its checked parameters.
    Recommend {
        /// One of `shopmind_recommend::algorithms::NAMES`.
        algorithm: String,
        /// Parameters the engine's parser accepted.
        params: algorithms::Params,
        /// Every event a positive.
        binary: bool,
    },
    /// Elasticities from sales.
    Pricing {
        /// Each store's elasticity too.
        per_store: bool,
    },
    /// Daily demand models from sales.
    Forecast {
        /// The model family (or `auto`).
        model: ModelChoice,
    },
    /// The assistant from intents and the FAQ.
    Assistant,
}

impl TrainSpec {
    /// The kind it trains.
    pub fn kind(&self) -> ModelKind {
        match self {
            TrainSpec::Recommend { .. } => ModelKind::Recommend,
            TrainSpec::Pricing { .. } => ModelKind::Pricing,
            TrainSpec::Forecast { .. } => ModelKind::Forecast,
            TrainSpec::Assistant => ModelKind::Assistant,
        }
    }

    /// The algorithm name the registry records.
    pub fn algorithm(&self) -> &str {
        match self {
            TrainSpec::Recommend { algorithm, .. } => algorithm,
            TrainSpec::Pricing { .. } => "elasticity",
            TrainSpec::Forecast { model } => model.name(),
            TrainSpec::Assistant => "lexical",
        }
    }
}

/// The algorithms a kind can train, its default first.
pub fn algorithms_of(kind: ModelKind) -> Vec<&'static str> {
    match kind {
        ModelKind::Recommend => {
            let mut names = vec!["best"];
            names.extend(algorithms::NAMES.iter().filter(|n| **n != "best"));
            names
        }
        ModelKind::Pricing => vec!["elasticity"],
        ModelKind::Forecast => ModelChoice::NAMES.to_vec(),
        ModelKind::Assistant => vec!["lexical"],
    }
}

impl TrainRequest {
    /// Checks the request for `kind`: the typed spec and the activation
    /// rule, or every bad field at once.
    pub fn check(&self, kind: ModelKind) -> Result<(TrainSpec, Activation), ServiceError> {
        let mut errors = Vec::new();
        let names = algorithms_of(kind);
        let algorithm = self
            .algorithm
            .clone()
            .unwrap_or_else(|| names[0].to_owned());
        if !names.contains(&algorithm.as_str()) {
            return Err(ServiceError::invalid(
                "unknown algorithm",
                vec![FieldError::new(
                    "algorithm",
                    format!("expected one of: {}", names.join(", ")),
                )],
            ));
        }
        let params: algorithms::Params = self
            .params
            .iter()
            .map(|(k, v)| (k.trim().to_owned(), v.as_text()))
            .collect();
        if self.binary && kind != ModelKind::Recommend {
            errors.push(FieldError::new(
                "binary",
                format!("{kind} training takes no `binary`"),
            ));
        }
        let spec = match kind {
            ModelKind::Recommend => {
                if let Err(e) = algorithms::check(&algorithm, &params) {
                    errors.push(param_error(e));
                }
                TrainSpec::Recommend {
                    algorithm,
                    params,
                    binary: self.binary,
                }
            }
            ModelKind::Pricing => {
                let mut per_store = false;
                for (k, v) in &params {
                    match (k.as_str(), v.as_str()) {
                        ("per_store", "true") => per_store = true,
                        ("per_store", "false") => per_store = false,
                        ("per_store", _) => errors
                            .push(FieldError::new("params.per_store", "must be true or false")),
                        _ => errors.push(FieldError::new(
                            format!("params.{k}"),
                            format!("unknown parameter `{k}` of pricing (known: per_store)"),
                        )),
                    }
                }
                TrainSpec::Pricing { per_store }
            }
            ModelKind::Forecast => {
                for k in params.keys() {
                    errors.push(FieldError::new(
                        format!("params.{k}"),
                        "forecast takes no params: choose the model with `algorithm`",
                    ));
                }
                match algorithm.parse() {
                    Ok(model) => TrainSpec::Forecast { model },
                    Err(e) => {
                        errors.push(FieldError::new("algorithm", format!("{e}")));
                        TrainSpec::Forecast {
                            model: ModelChoice::Auto,
                        }
                    }
                }
            }
            ModelKind::Assistant => {
                for k in params.keys() {
                    errors.push(FieldError::new(
                        format!("params.{k}"),
                        "assistant takes no params",
                    ));
                }
                TrainSpec::Assistant
            }
        };
        if let Some(p) = self.parts
            && !(1..=crate::training::MAX_PARTS).contains(&p)
        {
            errors.push(FieldError::new(
                "parts",
                format!("must lie in 1..={}", crate::training::MAX_PARTS),
            ));
        }
        let activation = self.activation(kind, &mut errors);
        if errors.is_empty() {
            Ok((spec, activation))
        } else {
            Err(ServiceError::invalid("invalid training request", errors))
        }
    }

    fn activation(&self, kind: ModelKind, errors: &mut Vec<FieldError>) -> Activation {
        let activation = match &self.activate {
            ActivateField::Flag(true) => Activation::Always,
            ActivateField::Flag(false) => Activation::IfNoneActive,
            ActivateField::Mode(m) if m == "if_better" && kind != ModelKind::Recommend => {
                errors.push(FieldError::new(
                    "activate",
                    format!(
                        "{kind} versions have no validation metric to compare: use true or false"
                    ),
                ));
                Activation::IfNoneActive
            }
            ActivateField::Mode(m) if m == "if_better" => {
                let metric = self
                    .champion_metric
                    .clone()
                    .unwrap_or_else(|| "ndcg@10".into());
                if !CHAMPION_METRICS.contains(&metric.as_str()) {
                    errors.push(FieldError::new(
                        "champion_metric",
                        format!("expected one of: {}", CHAMPION_METRICS.join(", ")),
                    ));
                }
                let min_gain = self.min_gain.unwrap_or(0.0);
                if !min_gain.is_finite() || min_gain.abs() > 1.0 {
                    errors.push(FieldError::new("min_gain", "must lie between -1 and 1"));
                }
                Activation::IfBetter { metric, min_gain }
            }
            ActivateField::Mode(_) => {
                errors.push(FieldError::new(
                    "activate",
                    "expected true, false or \"if_better\"",
                ));
                Activation::IfNoneActive
            }
        };
        if !matches!(activation, Activation::IfBetter { .. })
            && (self.champion_metric.is_some() || self.min_gain.is_some())
        {
            errors.push(FieldError::new(
                "activate",
                "champion_metric and min_gain apply only with \"if_better\"",
            ));
        }
        activation
    }
}

/// A recommendation parameter the engine refused, named as a field
/// (`params.NAME`, or `params` when no name applies).
pub(crate) fn param_error(e: shopmind_recommend::RecommendError) -> FieldError {
    use shopmind_recommend::RecommendError as R;
    let field = match &e {
        R::UnknownParam { param, .. } | R::BadParam { param, .. } => format!("params.{param}"),
        _ => "params".to_owned(),
    };
    FieldError::new(field, e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(algorithm: &str, params: &[(&str, &str)]) -> TrainRequest {
        TrainRequest {
            algorithm: Some(algorithm.into()),
            params: params
                .iter()
                .map(|(k, v)| ((*k).to_owned(), ParamValue::Text((*v).to_owned())))
                .collect(),
            ..TrainRequest::default()
        }
    }

    fn fields(e: ServiceError) -> Vec<(String, String)> {
        match e {
            ServiceError::Invalid { errors, .. } => {
                errors.into_iter().map(|f| (f.field, f.message)).collect()
            }
            other => panic!("not a validation error: {other}"),
        }
    }

    #[test]
    fn every_kind_checks_to_its_typed_spec_with_defaults() {
        let none = TrainRequest::default();
        for kind in ModelKind::ALL {
            let (spec, act) = none.check(kind).unwrap();
            assert_eq!(spec.kind(), kind);
            assert_eq!(spec.algorithm(), algorithms_of(kind)[0]);
            assert_eq!(act, Activation::IfNoneActive);
        }
        let (spec, _) = req("ials", &[("factors", "8"), ("track_loss", "true")])
            .check(ModelKind::Recommend)
            .unwrap();
        assert_eq!(spec.algorithm(), "ials");
        let (spec, _) = req("ets", &[]).check(ModelKind::Forecast).unwrap();
        assert_eq!(
            spec,
            TrainSpec::Forecast {
                model: ModelChoice::Ets
            }
        );
        let (spec, _) = req("elasticity", &[("per_store", "true")])
            .check(ModelKind::Pricing)
            .unwrap();
        assert_eq!(spec, TrainSpec::Pricing { per_store: true });
    }

    #[test]
    fn unknown_and_out_of_range_parameters_are_refused_by_name() {
        let refused = |kind, algorithm, params: &[(&str, &str)]| {
            fields(req(algorithm, params).check(kind).unwrap_err())
        };
        let f = refused(ModelKind::Recommend, "ials", &[("factor", "8")]);
        assert_eq!(f[0].0, "params.factor");
        assert!(
            f[0].1.contains("factors") && f[0].1.contains("track_loss"),
            "{}",
            f[0].1
        );
        for (kind, algorithm, key, value) in [
            (ModelKind::Recommend, "ials", "factors", "0"),
            (ModelKind::Recommend, "ease", "lambda", "much"),
            (ModelKind::Pricing, "elasticity", "per_shop", "true"),
            (ModelKind::Forecast, "auto", "season", "7"),
        ] {
            let f = refused(kind, algorithm, &[(key, value)]);
            assert_eq!(f[0].0, format!("params.{key}"));
        }
        let f = fields(req("gpt", &[]).check(ModelKind::Assistant).unwrap_err());
        assert_eq!(
            f,
            [(
                "algorithm".to_owned(),
                "expected one of: lexical".to_owned()
            )]
        );
    }

    #[test]
    fn activation_rules_hold_for_every_kind() {
        let better = |kind| {
            TrainRequest {
                activate: ActivateField::Mode("if_better".into()),
                champion_metric: Some("ndcg@5".into()),
                min_gain: Some(2.0),
                ..TrainRequest::default()
            }
            .check(kind)
        };
        let f = fields(better(ModelKind::Recommend).unwrap_err());
        let names: Vec<&str> = f.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["champion_metric", "min_gain"]);
        let f = fields(better(ModelKind::Pricing).unwrap_err());
        assert_eq!(f[0].0, "activate");
        let stray = TrainRequest {
            min_gain: Some(0.1),
            ..TrainRequest::default()
        };
        assert_eq!(
            fields(stray.check(ModelKind::Recommend).unwrap_err())[0].0,
            "activate"
        );
        let always = TrainRequest {
            activate: ActivateField::Flag(true),
            ..TrainRequest::default()
        };
        assert_eq!(
            always.check(ModelKind::Forecast).unwrap().1,
            Activation::Always
        );
    }

    #[test]
    fn json_params_take_numbers_booleans_and_text_alike() {
        let r: TrainRequest = serde_json::from_str(
            r#"{"algorithm":"ials","params":{"factors":8,"alpha":"2.5","track_loss":false}}"#,
        )
        .unwrap();
        let (spec, _) = r.check(ModelKind::Recommend).unwrap();
        let TrainSpec::Recommend { params, .. } = spec else {
            panic!("not a recommend spec")
        };
        assert_eq!(params["factors"], "8");
        assert_eq!(params["alpha"], "2.5");
        assert_eq!(params["track_loss"], "false");
        assert!(serde_json::from_str::<TrainRequest>(r#"{"algo":"ials"}"#).is_err());
    }
}
