//! The privacy delete (`DELETE /v1/users/{id}`): everything stored about a
//! user goes, or stops leading to them.
//!
//! In order, each step safe to repeat, so that a failed delete can be
//! retried until it answers 200:
//! 1. the deletion is recorded as a SHA-256 of the id
//!    ([`Store::record_user_deletion`]): a training run that read the
//!    user's events before the delete erases them from its version when it
//!    registers ([`scrub_recent_deletions`]);
//! 2. every stored recommendation version that knows the user is rewritten
//!    without them ([`Artifact::forget_users`]: their id and per-user
//!    values); its registry revision moves, so replicas serving it reload,
//!    and a rollback can only reach scrubbed versions. Pricing, forecast and
//!    assistant versions are fitted on sales, catalog and FAQ data and
//!    name no user;
//! 3. their events, their user row and their orders' link to them go, in
//!    one transaction (orders stay as the shop's sales records, with an
//!    empty `user_id`);
//! 4. this replica drops their cached history and their assistant sessions
//!    (other replicas' sessions expire within 30 minutes, and can no longer
//!    reach the orders).

use std::collections::HashSet;

use shopmind_core::model::ModelKind;
use shopmind_recommend::model::Artifact;
use shopmind_store::{Store, StoreError, sha256_hex};

use crate::{Service, ServiceError};

/// What a privacy delete did.
#[derive(Debug, Clone, Default, serde::Serialize, utoipa::ToSchema)]
pub struct Forgotten {
    /// The user.
    pub user_id: String,
    /// Events deleted.
    pub events_deleted: u64,
    /// Orders kept as sales records but no longer linked to the user.
    pub orders_anonymised: u64,
    /// Recommendation versions rewritten without the user.
    pub models_scrubbed: Vec<String>,
    /// Assistant sessions of the user dropped on this replica.
    pub sessions_dropped: usize,
}

/// Why a stored version could not be scrubbed.
#[derive(Debug, thiserror::Error)]
pub enum ScrubError {
    /// Reading or writing the registry failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The artifact could not be read or rewritten.
    #[error("model {model_id}: {message}")]
    Artifact {
        /// The version.
        model_id: String,
        /// What failed.
        message: String,
    },
}

impl From<ScrubError> for ServiceError {
    fn from(e: ScrubError) -> Self {
        match e {
            ScrubError::Store(s) => s.into(),
            ScrubError::Artifact { .. } => {
                ServiceError::internal("a stored model could not be rewritten", e)
            }
        }
    }
}

/// Rewrites every recommendation version that holds a user for whom
/// `forget` is true; returns the versions rewritten. One artifact is in
/// memory at a time.
pub async fn scrub_versions(
    store: &Store,
    forget: impl Fn(&str) -> bool + Clone + Send + 'static,
) -> Result<Vec<String>, ScrubError> {
    let mut scrubbed = Vec::new();
    for record in store
        .list_models(Some(ModelKind::Recommend.as_str()))
        .await?
    {
        if scrub_version(store, &record.model_id, forget.clone()).await? {
            scrubbed.push(record.model_id);
        }
    }
    Ok(scrubbed)
}

/// Rewrites one version without the users `forget` picks; whether it held any.
async fn scrub_version(
    store: &Store,
    model_id: &str,
    forget: impl Fn(&str) -> bool + Send + 'static,
) -> Result<bool, ScrubError> {
    let bytes = match store.load_artifact(model_id).await {
        Ok(b) => b,
        // Deleted meanwhile: nothing to scrub.
        Err(StoreError::NotFound { .. }) => return Ok(false),
        Err(e) => return Err(e.into()),
    };
    let artifact_error = |message: String| ScrubError::Artifact {
        model_id: model_id.to_owned(),
        message,
    };
    let rewritten = tokio::task::spawn_blocking(move || -> Result<Option<Vec<u8>>, String> {
        let mut artifact = Artifact::from_bytes(&bytes).map_err(|e| e.to_string())?;
        if artifact.forget_users(forget) == 0 {
            return Ok(None);
        }
        artifact.to_bytes().map(Some).map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| artifact_error(e.to_string()))?
    .map_err(artifact_error)?;
    match rewritten {
        None => Ok(false),
        Some(bytes) => {
            store.replace_artifact(model_id, &bytes).await?;
            Ok(true)
        }
    }
}

/// Erases the users deleted in the last week from a version just
/// registered (its training snapshot may predate their delete).
pub async fn scrub_recent_deletions(store: &Store, model_id: &str) -> Result<(), ScrubError> {
    let hashes: HashSet<String> = store.recent_user_deletions().await?;
    if hashes.is_empty() {
        return Ok(());
    }
    scrub_version(store, model_id, move |id| {
        hashes.contains(&sha256_hex(id.as_bytes()))
    })
    .await?;
    Ok(())
}

/// The privacy delete (see the module).
pub async fn forget_user(state: &Service, user_id: &str) -> Result<Forgotten, ServiceError> {
    let store = &state.store;
    store.record_user_deletion(user_id).await?;
    let target = user_id.to_owned();
    let models_scrubbed = scrub_versions(store, move |id| id == target).await?;
    let deleted = store.delete_user(user_id).await;
    if let Ok(d) = &deleted {
        state.histories.applied_deletion(d.seq, user_id);
    }
    let sessions_dropped = state.assistant.forget_user(user_id);
    if !models_scrubbed.is_empty()
        && let Err(e) = crate::serving::sync(store, &state.models).await
    {
        tracing::warn!(error = %e, "cannot reload a scrubbed model yet; the watcher will retry");
    }
    let rows = match deleted {
        Ok(rows) => rows,
        // Only a model knew them: the delete still did its work.
        Err(StoreError::NotFound { .. }) if !models_scrubbed.is_empty() => Default::default(),
        Err(e) => return Err(e.into()),
    };
    tracing::info!(
        events = rows.events,
        orders = rows.orders_anonymised,
        models = models_scrubbed.len(),
        "privacy delete done"
    );
    Ok(Forgotten {
        user_id: user_id.to_owned(),
        events_deleted: rows.events,
        orders_anonymised: rows.orders_anonymised,
        models_scrubbed,
        sessions_dropped,
    })
}
