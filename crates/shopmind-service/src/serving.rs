//! The active models (recommendation, pricing, forecast and assistant), in memory, behind an
//! atomically swapped pointer.
//!
//! Each kind's active version is an `Arc<Loaded…>` inside a lock that is held
//! only to clone or replace the `Arc`: a request takes its own reference at
//! the start and keeps answering from that version even if an activation
//! swaps the pointer meanwhile, so a swap never fails or drops a request. A
//! new version is fully loaded (artifact decoded, catalog masks built) before
//! it is swapped in.
//!
//! [`sync`] makes the pointer follow the registry and the catalog;
//! [`spawn_watcher`] calls it every few seconds so that every replica on one
//! PostgreSQL database picks up an activation, or a catalog change, made
//! through any of them (or through the CLI). A catalog change rebuilds only
//! the masks: the decoded model is shared (`Arc`) with the version it
//! replaces.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use shopmind_core::model::ModelKind;
use shopmind_recommend::model::Artifact;
use shopmind_store::{ModelRecord, Store, StoreError};

/// A recommendation version ready to answer.
pub struct LoadedRecommender {
    /// Registry id of the version.
    pub model_id: String,
    /// Algorithm it was trained with.
    pub algorithm: String,
    /// Model, fallback and id mappings.
    pub artifact: Arc<Artifact>,
    /// Lower-cased category path of every model item ("" when unknown).
    pub categories: Vec<String>,
    /// Whether every model item may be recommended (in the catalog and
    /// active there).
    pub active: Vec<bool>,
    /// The store's catalog version the masks were built from.
    pub catalog_version: i64,
    /// The registry revision of the artifact (moves when a privacy delete
    /// rewrites it).
    pub revision: i64,
}

/// Why a version could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// Reading the registry or the catalog failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The artifact is unreadable (corrupt or of another format version).
    #[error("model {id}: {message}")]
    Artifact {
        /// Version id.
        id: String,
        /// What is wrong.
        message: String,
    },
}

/// Decodes a version's artifact as its kind's model, without serving it:
/// what an activation checks before it changes the registry, so that a
/// version that cannot be loaded never becomes the active one.
pub async fn check_loadable(store: &Store, model_id: &str) -> Result<(), LoadError> {
    let record = store.require_model(model_id).await?;
    let bytes = store.load_artifact(model_id).await?;
    let artifact_error = |message: String| LoadError::Artifact {
        id: model_id.to_owned(),
        message,
    };
    let kind: ModelKind = record
        .kind
        .parse()
        .map_err(|e: shopmind_core::model::UnknownKind| artifact_error(e.to_string()))?;
    tokio::task::spawn_blocking(move || match kind {
        ModelKind::Recommend => Artifact::from_bytes(&bytes)
            .map(drop)
            .map_err(|e| e.to_string()),
        ModelKind::Pricing => decode_pricing(&bytes).map(drop),
        ModelKind::Forecast => decode_forecast(&bytes).map(drop),
        ModelKind::Assistant => decode_assistant(&bytes).map(drop),
    })
    .await
    .map_err(|e| artifact_error(e.to_string()))?
    .map_err(artifact_error)
}

/// A stored pricing model (what serving and activation both decode).
fn decode_pricing(b: &[u8]) -> Result<shopmind_pricing::model::PricingModel, String> {
    shopmind_pricing::model::PricingModel::from_bytes(b).map_err(|e| e.to_string())
}

/// A stored forecast model.
fn decode_forecast(b: &[u8]) -> Result<shopmind_forecast::demand::DemandModels, String> {
    shopmind_forecast::demand::DemandModels::from_bytes(b).map_err(|e| e.to_string())
}

/// A stored assistant.
fn decode_assistant(b: &[u8]) -> Result<shopmind_assistant::dialog::Assistant, String> {
    shopmind_assistant::dialog::Assistant::from_bytes(b).map_err(|e| e.to_string())
}

/// A pricing version ready to answer.
pub struct LoadedPricing {
    /// Registry id of the version.
    pub model_id: String,
    /// Every item's elasticity and base demand.
    pub model: shopmind_pricing::model::PricingModel,
}

/// A forecast version ready to answer.
pub struct LoadedForecast {
    /// Registry id of the version.
    pub model_id: String,
    /// Every item's and store's fitted demand model.
    pub model: shopmind_forecast::demand::DemandModels,
}

/// The active version of each model kind.
#[derive(Clone, Default)]
pub struct ActiveModels {
    recommend: Arc<RwLock<Option<Arc<LoadedRecommender>>>>,
    pricing: Arc<RwLock<Option<Arc<LoadedPricing>>>>,
    forecast: Arc<RwLock<Option<Arc<LoadedForecast>>>>,
    assistant: Arc<RwLock<Option<Arc<LoadedAssistant>>>>,
}

/// An assistant version ready to answer.
pub struct LoadedAssistant {
    /// Registry id of the version.
    pub model_id: String,
    /// Intent model and FAQ index.
    pub model: shopmind_assistant::dialog::Assistant,
}

impl ActiveModels {
    /// The active recommendation version, if any.
    pub fn recommend(&self) -> Option<Arc<LoadedRecommender>> {
        // A poisoned lock still holds a valid Arc: keep serving.
        self.recommend
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// The active pricing version, if any.
    pub fn pricing(&self) -> Option<Arc<LoadedPricing>> {
        self.pricing
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Swaps in a pricing version (or none).
    pub fn set_pricing(&self, model: Option<Arc<LoadedPricing>>) {
        *self
            .pricing
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = model;
    }

    /// The active forecast version, if any.
    pub fn forecast(&self) -> Option<Arc<LoadedForecast>> {
        self.forecast
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// The active assistant version, if any.
    pub fn assistant(&self) -> Option<Arc<LoadedAssistant>> {
        self.assistant
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Swaps in an assistant version (or none).
    pub fn set_assistant(&self, model: Option<Arc<LoadedAssistant>>) {
        *self
            .assistant
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = model;
    }

    /// Swaps in a forecast version (or none).
    pub fn set_forecast(&self, model: Option<Arc<LoadedForecast>>) {
        *self
            .forecast
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = model;
    }

    /// Swaps `new` in if `old` is still the current version (a concurrent
    /// activation wins over a catalog refresh of the version it replaced).
    pub fn replace_recommend(&self, old: &Arc<LoadedRecommender>, new: LoadedRecommender) -> bool {
        let mut slot = self
            .recommend
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match slot.as_ref() {
            Some(cur) if Arc::ptr_eq(cur, old) => {
                *slot = Some(Arc::new(new));
                true
            }
            _ => false,
        }
    }

    /// Swaps in a version (or none).
    pub fn set_recommend(&self, model: Option<Arc<LoadedRecommender>>) {
        *self
            .recommend
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = model;
    }
}

/// Loads a registered recommendation version and the catalog masks.
pub async fn load_recommender(
    store: &Store,
    record: &ModelRecord,
) -> Result<LoadedRecommender, LoadError> {
    let bytes = store.load_artifact(&record.model_id).await?;
    let id = record.model_id.clone();
    let decoded = tokio::task::spawn_blocking(move || Artifact::from_bytes(&bytes))
        .await
        .map_err(|e| LoadError::Artifact {
            id: id.clone(),
            message: e.to_string(),
        })?
        .map_err(|e| LoadError::Artifact {
            id: id.clone(),
            message: e.to_string(),
        })?;
    with_catalog(
        store,
        record.model_id.clone(),
        record.algorithm.clone(),
        record.revision,
        Arc::new(decoded),
    )
    .await
}

/// A loaded version over the store's current catalog: an item the catalog
/// no longer has, or marks inactive, is never recommended.
async fn with_catalog(
    store: &Store,
    model_id: String,
    algorithm: String,
    revision: i64,
    artifact: Arc<Artifact>,
) -> Result<LoadedRecommender, LoadError> {
    // Read the version first: a write landing in between makes the next
    // poll rebuild again rather than be missed.
    let catalog_version = store.catalog_version().await?;
    let items = store.all_items().await?;
    let n = artifact.items.len();
    let (mut categories, mut active) = (vec![String::new(); n], vec![false; n]);
    for item in &items {
        if let Some(i) = artifact.items.get(&item.item_id) {
            let i = i as usize;
            active[i] = item.active;
            categories[i] = normalize_category(item.category.as_deref().unwrap_or(""));
        }
    }
    Ok(LoadedRecommender {
        model_id,
        algorithm,
        artifact,
        categories,
        active,
        catalog_version,
        revision,
    })
}

/// One catalog write, as this server made it.
#[derive(Debug, Clone, Copy)]
pub enum CatalogChange<'a> {
    /// An item created or replaced.
    Put(&'a shopmind_core::record::Item),
    /// An item deleted.
    Delete(&'a str),
}

/// Applies this server's own catalog write to the serving masks without
/// rereading the catalog: when the write's `version` directly follows the
/// masks' version, only the written items change (O(items) to copy the
/// masks, not a catalog read). Otherwise another write came in between, and
/// the whole catalog is reread ([`sync`]). Returns whether the masks changed.
pub async fn apply_catalog_writes(
    store: &Store,
    models: &ActiveModels,
    changes: &[CatalogChange<'_>],
    version: i64,
) -> Result<bool, LoadError> {
    let Some(current) = models.recommend() else {
        return Ok(false);
    };
    if current.catalog_version + 1 != version {
        return sync(store, models).await;
    }
    let (mut categories, mut active) = (current.categories.clone(), current.active.clone());
    for change in changes {
        let (id, flag, category) = match change {
            CatalogChange::Put(item) => (
                item.item_id.as_str(),
                item.active,
                normalize_category(item.category.as_deref().unwrap_or("")),
            ),
            CatalogChange::Delete(id) => (*id, false, String::new()),
        };
        if let Some(i) = current.artifact.items.get(id) {
            active[i as usize] = flag;
            categories[i as usize] = category;
        }
    }
    let fresh = LoadedRecommender {
        model_id: current.model_id.clone(),
        algorithm: current.algorithm.clone(),
        artifact: current.artifact.clone(),
        categories,
        active,
        catalog_version: version,
        revision: current.revision,
    };
    if models.replace_recommend(&current, fresh) {
        return Ok(true);
    }
    // A swap came in between: let the registry decide.
    sync(store, models).await
}

pub use shopmind_core::record::normalize_category;

/// Makes the in-memory models follow the registry's active versions (and
/// the recommendation masks the catalog). Returns whether any changed.
pub async fn sync(store: &Store, models: &ActiveModels) -> Result<bool, LoadError> {
    // Each kind follows on its own: a version of one that cannot be loaded
    // must not hold the other back.
    let pricing = sync_kind(
        store,
        ModelKind::Pricing,
        models.pricing().map(|m| m.model_id.clone()),
        decode_pricing,
        |loaded| {
            models.set_pricing(
                loaded.map(|(model_id, model)| Arc::new(LoadedPricing { model_id, model })),
            )
        },
    )
    .await;
    let forecast = sync_kind(
        store,
        ModelKind::Forecast,
        models.forecast().map(|m| m.model_id.clone()),
        decode_forecast,
        |loaded| {
            models.set_forecast(
                loaded.map(|(model_id, model)| Arc::new(LoadedForecast { model_id, model })),
            )
        },
    )
    .await;
    let assistant = sync_kind(
        store,
        ModelKind::Assistant,
        models.assistant().map(|m| m.model_id.clone()),
        decode_assistant,
        |loaded| {
            models.set_assistant(
                loaded.map(|(model_id, model)| Arc::new(LoadedAssistant { model_id, model })),
            )
        },
    )
    .await;
    let recommend = sync_recommend(store, models).await;
    Ok(recommend? | pricing? | forecast? | assistant?)
}

/// Follows the registry for a kind whose versions need nothing but their
/// artifact (pricing, forecast, assistant): `current` is the loaded version's id,
/// `decode` reads an artifact (on the blocking pool), `set` swaps the slot.
async fn sync_kind<T: Send + 'static>(
    store: &Store,
    kind: ModelKind,
    current: Option<String>,
    decode: fn(&[u8]) -> Result<T, String>,
    set: impl Fn(Option<(String, T)>),
) -> Result<bool, LoadError> {
    match store.active_model(kind.as_str()).await? {
        None if current.is_some() => {
            set(None);
            crate::telemetry::set_active_model(kind.as_str(), current.as_deref(), None);
            Ok(true)
        }
        None => Ok(false),
        Some(record) if Some(&record.model_id) == current.as_ref() => Ok(false),
        Some(record) => {
            let bytes = store.load_artifact(&record.model_id).await?;
            // Decoding is CPU work: off the runtime, so requests keep flowing.
            let artifact_error = |message: String| LoadError::Artifact {
                id: record.model_id.clone(),
                message,
            };
            let model = tokio::task::spawn_blocking(move || decode(&bytes))
                .await
                .map_err(|e| artifact_error(e.to_string()))?
                .map_err(artifact_error)?;
            tracing::info!(model_id = %record.model_id, "{kind} model active");
            set(Some((record.model_id.clone(), model)));
            crate::telemetry::set_active_model(
                kind.as_str(),
                current.as_deref(),
                Some(&record.model_id),
            );
            Ok(true)
        }
    }
}

/// The recommendation half of [`sync`].
async fn sync_recommend(store: &Store, models: &ActiveModels) -> Result<bool, LoadError> {
    let active = store.active_model(ModelKind::Recommend.as_str()).await?;
    let current = models.recommend();
    let loaded = current.as_ref().map(|m| m.model_id.clone());
    let revision = current.as_ref().map(|c| c.revision);
    match active {
        Some(record)
            if Some(&record.model_id) == loaded.as_ref() && Some(record.revision) == revision =>
        {
            let Some(current) = current else {
                return Ok(false);
            };
            if store.catalog_version().await? == current.catalog_version {
                return Ok(false);
            }
            let fresh = with_catalog(
                store,
                current.model_id.clone(),
                current.algorithm.clone(),
                current.revision,
                current.artifact.clone(),
            )
            .await?;
            tracing::debug!(
                catalog_version = fresh.catalog_version,
                "catalog masks rebuilt"
            );
            Ok(models.replace_recommend(&current, fresh))
        }
        None if loaded.is_some() => {
            models.set_recommend(None);
            crate::telemetry::set_active_model(
                ModelKind::Recommend.as_str(),
                loaded.as_deref(),
                None,
            );
            Ok(true)
        }
        None => Ok(false),
        Some(record) => {
            let model = load_recommender(store, &record).await?;
            tracing::info!(model_id = %record.model_id, algorithm = %record.algorithm, "recommendation model active");
            models.set_recommend(Some(Arc::new(model)));
            crate::telemetry::set_active_model(
                ModelKind::Recommend.as_str(),
                loaded.as_deref(),
                Some(&record.model_id),
            );
            Ok(true)
        }
    }
}

/// Polls the registry every `every` and swaps in newly activated versions
/// (and finishes an import whose process died after committing). A failing
/// poll is logged and retried; the current version keeps serving.
pub fn spawn_watcher(store: Store, models: ActiveModels, every: Duration) {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(every).await;
            if let Err(e) = sync(&store, &models).await {
                tracing::warn!(error = %e, "cannot follow the registry; keeping the current model");
            }
            // An import whose process died after committing is finished here.
            if let Err(e) = store.recover_imports().await {
                tracing::warn!(error = %e, "cannot finish an interrupted import; will retry");
            }
        }
    });
}
