//! Registry operations: list versions, activate one, roll back, delete one,
//! and queue a training run. Activation and rollback make this process's
//! serving pointer follow before they return, so its next answer already
//! uses the new version (other processes follow within their polling
//! interval).

use serde::{Deserialize, Serialize};
use shopmind_core::model::ModelKind;
use shopmind_store::ModelRecord;

use crate::jobs::Job;
use crate::training::TrainRequest;
use crate::{Service, ServiceError};

/// Query of a version listing.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Only this kind.
    pub kind: Option<String>,
}

/// Every version, newest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ModelList {
    /// The versions.
    pub models: Vec<ModelRecord>,
}

/// A kind named by a caller (a path segment, a flag).
pub fn kind(name: &str) -> Result<ModelKind, ServiceError> {
    name.parse().map_err(|_| ServiceError::NotFound {
        what: "model kind",
        id: name.to_owned(),
    })
}

/// Every registered version with its metrics, newest first.
pub async fn list(svc: &Service, q: &ListQuery) -> Result<ModelList, ServiceError> {
    let kind = q.kind.as_deref().map(kind).transpose()?;
    Ok(ModelList {
        models: svc.store.list_models(kind.map(ModelKind::as_str)).await?,
    })
}

/// Makes this process serve what the registry says is active; a version
/// that cannot be loaded is our fault (500, cause logged).
async fn follow(svc: &Service, id: &str) -> Result<ModelRecord, ServiceError> {
    crate::serving::sync(&svc.store, &svc.models)
        .await
        .map_err(|e| ServiceError::internal("the activated version could not be loaded", e))?;
    Ok(svc.store.require_model(id).await?)
}

/// Activates a version and serves it; returns it and the version it
/// replaced. A version whose artifact does not load is refused before the
/// registry changes (our fault: 500; the active version stays).
pub async fn activate(
    svc: &Service,
    id: &str,
) -> Result<(ModelRecord, Option<String>), ServiceError> {
    match crate::serving::check_loadable(&svc.store, id).await {
        Err(crate::serving::LoadError::Store(e)) => return Err(e.into()),
        Err(e) => return Err(ServiceError::internal("the version cannot be loaded", e)),
        Ok(()) => {}
    }
    let previous = svc.store.activate_model(id).await?;
    Ok((follow(svc, id).await?, previous))
}

/// Re-activates the version of `kind` that was active before the current one.
pub async fn rollback(svc: &Service, kind_name: &str) -> Result<ModelRecord, ServiceError> {
    let kind = kind(kind_name)?;
    let id = svc.store.rollback_model(kind.as_str()).await?;
    follow(svc, &id).await
}

/// Deletes an inactive version.
pub async fn delete(svc: &Service, id: &str) -> Result<(), ServiceError> {
    Ok(svc.store.delete_model(id).await?)
}

/// Checks a training request for the named kind and queues its job.
pub async fn train(
    svc: &Service,
    kind_name: &str,
    req: &TrainRequest,
) -> Result<Job, ServiceError> {
    let kind = kind(kind_name)?;
    svc.jobs.train(svc, kind, req.clone(), "api").await
}

/// A job's state, progress and outcome.
pub async fn job(svc: &Service, id: &str) -> Result<Job, ServiceError> {
    svc.jobs
        .get(svc, id)
        .await?
        .ok_or_else(|| ServiceError::NotFound {
            what: "job",
            id: id.to_owned(),
        })
}
