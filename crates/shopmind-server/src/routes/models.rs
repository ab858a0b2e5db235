//! The model registry over HTTP: list versions, activate one, roll back,
//! train a new one (recommendation or pricing) in the background.
//! Activation and rollback swap the serving pointer before answering, so the
//! next request on this replica already uses the new version (other replicas
//! follow within their polling interval).

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use shopmind_store::ModelRecord;

use crate::AppState;
use crate::error::{ApiError, FieldError};
use crate::jobs::{Job, TrainRequest};
use crate::routes::PathId;
use crate::serving::sync;
use crate::training::{Activation, CHAMPION_METRICS};

/// Query of `GET /v1/models`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    kind: Option<String>,
}

/// Every version, newest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ModelList {
    models: Vec<ModelRecord>,
}

/// Every registered model version with its metrics, newest first.
#[utoipa::path(get, path = "/v1/models", tag = "models",
    params(("kind" = Option<String>, Query, description = "Only this kind (`recommend`, `pricing`, `forecast` or `assistant`)")),
    responses((status = 200, description = "Every version, newest first", body = ModelList)))]
pub async fn list(
    State(state): State<AppState>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<ModelList>, ApiError> {
    let Query(q) = query.map_err(ApiError::from)?;
    Ok(Json(ModelList {
        models: state.store.list_models(q.kind.as_deref()).await?,
    }))
}

async fn follow(state: &AppState, id: &str) -> Result<Json<ModelRecord>, ApiError> {
    if let Err(e) = sync(&state.store, &state.models).await {
        tracing::error!(error = %e, "activated version cannot be loaded");
        return Err(ApiError::new(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            "model_load_failed",
            "Model load failed",
            format!("version `{id}` is active in the registry but could not be loaded: {e}"),
        ));
    }
    Ok(Json(state.store.require_model(id).await?))
}

/// Activates a version; this server serves it before answering.
#[utoipa::path(post, path = "/v1/models/{id}/activate", tag = "models", params(("id" = String, Path, description = "Version id")),
    responses((status = 200, description = "Active and served by this server", body = ModelRecord),
        (status = 404, description = "No such version", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn activate(
    State(state): State<AppState>,
    PathId(id): PathId,
) -> Result<Json<ModelRecord>, ApiError> {
    state.store.activate_model(&id).await?;
    follow(&state, &id).await
}

/// Re-activates the version that was active before the current one.
#[utoipa::path(post, path = "/v1/models/{kind}/rollback", tag = "models", params(("kind" = String, Path, description = "Model kind (`recommend`, `pricing`, `forecast` or `assistant`)")),
    responses((status = 200, description = "The previously active version, active again", body = ModelRecord),
        (status = 409, description = "No earlier version", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn rollback(
    State(state): State<AppState>,
    Path(kind): Path<String>,
) -> Result<Json<ModelRecord>, ApiError> {
    let id = state.store.rollback_model(&kind).await?;
    follow(&state, &id).await
}

/// Body of `POST /v1/models/{kind}/train`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrainBody {
    /// `best` by default for `recommend`; `elasticity` (the only one) for
    /// `pricing`.
    algorithm: Option<String>,
    #[serde(default)]
    params: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    binary: bool,
    /// `true`, `false` (the default) or `"if_better"` (champion/challenger).
    #[serde(default)]
    activate: ActivateField,
    /// The metric `if_better` compares (default `ndcg@10`).
    champion_metric: Option<String>,
    /// The margin `if_better` requires (default 0).
    min_gain: Option<f64>,
}

/// `activate` as sent.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
enum ActivateField {
    Flag(bool),
    Mode(String),
}

impl Default for ActivateField {
    fn default() -> Self {
        ActivateField::Flag(false)
    }
}

/// Queues a training job (`202`); it runs in the background.
#[utoipa::path(post, path = "/v1/models/{kind}/train", tag = "models", params(("kind" = String, Path, description = "Model kind: `recommend`, `pricing`, `forecast` or `assistant`")),
    request_body = TrainBody,
    responses((status = 202, description = "Queued", body = Job),
        (status = 404, description = "Not a trainable kind", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn train(
    State(state): State<AppState>,
    Path(kind): Path<String>,
    body: Result<Json<TrainBody>, JsonRejection>,
) -> Result<(StatusCode, Json<Job>), ApiError> {
    let Json(body) = body.map_err(ApiError::from)?;
    let (kind, names): (&'static str, &[&str]) = match kind.as_str() {
        "recommend" => ("recommend", &shopmind_recommend::algorithms::NAMES),
        "pricing" => ("pricing", &["elasticity"]),
        "forecast" => ("forecast", &shopmind_forecast::ModelChoice::NAMES),
        "assistant" => ("assistant", &["lexical"]),
        _ => return Err(ApiError::not_found("trainable model kind", &kind)),
    };
    let default = match kind {
        "recommend" => "best",
        "forecast" => "auto",
        "assistant" => "lexical",
        _ => "elasticity",
    };
    let algorithm = body.algorithm.clone().unwrap_or_else(|| default.into());
    if !names.contains(&algorithm.as_str()) {
        return Err(ApiError::invalid(
            "unknown algorithm",
            vec![FieldError {
                field: "algorithm".into(),
                message: format!("expected one of: {}", names.join(", ")),
            }],
        ));
    }
    let mut errors = Vec::new();
    if kind == "forecast" || kind == "assistant" {
        for k in body.params.keys() {
            errors.push(FieldError {
                field: format!("params.{k}"),
                message: if kind == "forecast" {
                    "forecast takes no params: choose the model with `algorithm`".into()
                } else {
                    "assistant takes no params".into()
                },
            });
        }
    }
    if kind == "pricing" {
        for (k, v) in &body.params {
            if k != "per_store" || !(v == "true" || v == "false") {
                errors.push(FieldError {
                    field: format!("params.{k}"),
                    message: "pricing takes only per_store = \"true\" or \"false\"".into(),
                });
            }
        }
    }
    let activate = match body.activate {
        ActivateField::Flag(true) => Activation::Always,
        ActivateField::Flag(false) => Activation::Never,
        ActivateField::Mode(m) if m == "if_better" && kind != "recommend" => {
            errors.push(FieldError {
                field: "activate".into(),
                message: format!(
                    "{kind} versions have no validation metric to compare: use true or false"
                ),
            });
            Activation::Never
        }
        ActivateField::Mode(m) if m == "if_better" => {
            let metric = body
                .champion_metric
                .clone()
                .unwrap_or_else(|| "ndcg@10".into());
            if !CHAMPION_METRICS.contains(&metric.as_str()) {
                errors.push(FieldError {
                    field: "champion_metric".into(),
                    message: format!("expected one of: {}", CHAMPION_METRICS.join(", ")),
                });
            }
            let min_gain = body.min_gain.unwrap_or(0.0);
            if !min_gain.is_finite() || min_gain.abs() > 1.0 {
                errors.push(FieldError {
                    field: "min_gain".into(),
                    message: "must lie between -1 and 1".into(),
                });
            }
            Activation::IfBetter { metric, min_gain }
        }
        ActivateField::Mode(_) => {
            errors.push(FieldError {
                field: "activate".into(),
                message: "expected true, false or \"if_better\"".into(),
            });
            Activation::Never
        }
    };
    if !matches!(activate, Activation::IfBetter { .. })
        && (body.champion_metric.is_some() || body.min_gain.is_some())
    {
        errors.push(FieldError {
            field: "activate".into(),
            message: "champion_metric and min_gain apply only with \"if_better\"".into(),
        });
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid("invalid training request", errors));
    }
    let job = state.jobs.start(
        &state,
        TrainRequest {
            kind,
            algorithm,
            params: body.params,
            binary: body.binary,
            activate,
            trigger: "api",
        },
    );
    Ok((StatusCode::ACCEPTED, Json(job)))
}

/// A training job's state, progress and outcome.
#[utoipa::path(get, path = "/v1/jobs/{id}", tag = "models", params(("id" = String, Path, description = "Job id")),
    responses((status = 200, description = "The job", body = Job),
        (status = 404, description = "No such job (jobs are forgotten on restart)", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn job(State(state): State<AppState>, PathId(id): PathId) -> Result<Json<Job>, ApiError> {
    state
        .jobs
        .get(&id)
        .map(Json)
        .ok_or_else(|| ApiError::not_found("job", &id))
}
