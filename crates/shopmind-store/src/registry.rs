//! The model registry: one row per trained version with its metadata, plus
//! the serialized artifact, and at most one active version per kind.

use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::{Any, Row};

use crate::{Store, StoreError, now};

/// Whether a version is serving.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ModelStatus {
    /// Stored, not serving.
    Inactive,
    /// The version of its kind that answers requests.
    Active,
}

impl ModelStatus {
    fn as_str(self) -> &'static str {
        match self {
            ModelStatus::Inactive => "inactive",
            ModelStatus::Active => "active",
        }
    }
}

/// A model version's metadata.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ModelRecord {
    /// Unique id.
    pub model_id: String,
    /// `recommend`, `pricing`, `forecast`, `assistant`, …
    pub kind: String,
    /// Algorithm name.
    pub algorithm: String,
    /// Training parameters (JSON).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub params: serde_json::Value,
    /// Fingerprint of the training data.
    pub data_fingerprint: String,
    /// Held-out metrics (JSON).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub metrics: serde_json::Value,
    /// Artifact size in bytes.
    pub artifact_size: i64,
    /// SHA-256 of the artifact (hex): the model's fingerprint. Two versions
    /// with the same digest are the same model, bit for bit. Empty for
    /// versions registered before the digest was recorded.
    pub artifact_sha256: String,
    /// Serving status.
    pub status: ModelStatus,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds of the last activation.
    pub activated_at: Option<i64>,
    /// Times the artifact was rewritten in place (a privacy delete erasing
    /// a user from it); replicas reload an active version whose revision moved.
    pub revision: i64,
}

fn from_row(r: &AnyRow) -> Result<ModelRecord, StoreError> {
    let json = |c: &'static str| -> Result<serde_json::Value, StoreError> {
        let s: String = r.try_get(c)?;
        serde_json::from_str(&s).map_err(|e| StoreError::Corrupt {
            table: "models",
            column: c,
            message: e.to_string(),
        })
    };
    let status: String = r.try_get("status")?;
    Ok(ModelRecord {
        model_id: r.try_get("model_id")?,
        kind: r.try_get("kind")?,
        algorithm: r.try_get("algorithm")?,
        params: json("params")?,
        data_fingerprint: r.try_get("data_fingerprint")?,
        metrics: json("metrics")?,
        artifact_size: r.try_get("artifact_size")?,
        artifact_sha256: r.try_get("artifact_sha256")?,
        status: if status == "active" {
            ModelStatus::Active
        } else {
            ModelStatus::Inactive
        },
        created_at: r.try_get("created_at")?,
        activated_at: r.try_get("activated_at")?,
        revision: r.try_get("revision")?,
    })
}

/// What a training run hands the registry besides the artifact.
#[derive(Debug, Clone, Copy)]
pub struct NewModel<'a> {
    /// Unique id of the version.
    pub model_id: &'a str,
    /// Model kind (`recommend`, `forecast`, …).
    pub kind: &'a str,
    /// Algorithm name.
    pub algorithm: &'a str,
    /// Training parameters.
    pub params: &'a serde_json::Value,
    /// Fingerprint of the training data.
    pub data_fingerprint: &'a str,
    /// Held-out metrics.
    pub metrics: &'a serde_json::Value,
}

const SELECT: &str = "SELECT model_id, kind, algorithm, params, data_fingerprint, metrics, artifact_size, artifact_sha256, status, created_at, activated_at, revision FROM models";

impl Store {
    /// Stores a new, inactive version and its artifact. Fails with a
    /// conflict if the id exists.
    pub async fn save_model(
        &self,
        new: &NewModel<'_>,
        artifact: &[u8],
    ) -> Result<ModelRecord, StoreError> {
        let NewModel {
            model_id,
            kind,
            algorithm,
            params,
            data_fingerprint,
            metrics,
        } = *new;
        if self.get_model(model_id).await?.is_some() {
            return Err(StoreError::Conflict(format!(
                "model `{model_id}` already exists"
            )));
        }
        let created_at = now();
        let mut tx = self.pool.begin().await?;
        sqlx::query::<Any>(
            "INSERT INTO models (model_id, kind, algorithm, params, data_fingerprint, metrics, artifact_size, status, created_at, artifact_sha256) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(model_id.to_owned())
        .bind(kind.to_owned())
        .bind(algorithm.to_owned())
        .bind(params.to_string())
        .bind(data_fingerprint.to_owned())
        .bind(metrics.to_string())
        .bind(artifact.len() as i64)
        .bind(ModelStatus::Inactive.as_str())
        .bind(created_at)
        .bind(crate::sha256_hex(artifact))
        .execute(&mut *tx)
        .await?;
        sqlx::query::<Any>("INSERT INTO model_artifacts (model_id, bytes) VALUES ($1, $2)")
            .bind(model_id.to_owned())
            .bind(artifact.to_vec())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.require_model(model_id).await
    }

    /// One version's metadata.
    pub async fn get_model(&self, model_id: &str) -> Result<Option<ModelRecord>, StoreError> {
        if !crate::storable(model_id) {
            return Ok(None);
        }
        let row = sqlx::query::<Any>(sqlx::AssertSqlSafe(format!("{SELECT} WHERE model_id = $1")))
            .bind(model_id.to_owned())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// One version's metadata, or [`StoreError::NotFound`].
    pub async fn require_model(&self, model_id: &str) -> Result<ModelRecord, StoreError> {
        self.get_model(model_id)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                what: "model",
                id: model_id.to_owned(),
            })
    }

    /// Versions, newest first, optionally of one kind.
    pub async fn list_models(&self, kind: Option<&str>) -> Result<Vec<ModelRecord>, StoreError> {
        let rows = sqlx::query::<Any>(sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE ($1 = '' OR kind = $1) ORDER BY created_at DESC, model_id DESC"
        )))
        .bind(kind.unwrap_or("").to_owned())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// The artifact bytes of a version.
    pub async fn load_artifact(&self, model_id: &str) -> Result<Vec<u8>, StoreError> {
        sqlx::query_scalar::<Any, Vec<u8>>("SELECT bytes FROM model_artifacts WHERE model_id = $1")
            .bind(model_id.to_owned())
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                what: "model artifact",
                id: model_id.to_owned(),
            })
    }

    /// The active version of a kind.
    pub async fn active_model(&self, kind: &str) -> Result<Option<ModelRecord>, StoreError> {
        let row = sqlx::query::<Any>(sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE kind = $1 AND status = 'active'"
        )))
        .bind(kind.to_owned())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// Makes `model_id` the active version of its kind, atomically retiring
    /// the previous one. Returns the previously active id.
    pub async fn activate_model(&self, model_id: &str) -> Result<Option<String>, StoreError> {
        let model = self.require_model(model_id).await?;
        let previous = self.active_model(&model.kind).await?.map(|m| m.model_id);
        let mut tx = self.pool.begin().await?;
        sqlx::query::<Any>(
            "UPDATE models SET status = 'inactive' WHERE kind = $1 AND status = 'active'",
        )
        .bind(model.kind.clone())
        .execute(&mut *tx)
        .await?;
        let at = now();
        sqlx::query::<Any>(
            "UPDATE models SET status = 'active', activated_at = $1 WHERE model_id = $2",
        )
        .bind(at)
        .bind(model_id.to_owned())
        .execute(&mut *tx)
        .await?;
        sqlx::query::<Any>(
            "INSERT INTO model_activations (kind, model_id, at) VALUES ($1, $2, $3)",
        )
        .bind(model.kind.clone())
        .bind(model_id.to_owned())
        .bind(at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(previous)
    }

    /// Re-activates the version of `kind` that was active before the current
    /// one (the latest activation of another version that still exists) and
    /// returns its id. Rolling back twice returns to where it started.
    pub async fn rollback_model(&self, kind: &str) -> Result<String, StoreError> {
        let current = self
            .active_model(kind)
            .await?
            .map(|m| m.model_id)
            .unwrap_or_default();
        let previous: Option<String> = sqlx::query_scalar::<Any, String>(
            "SELECT a.model_id FROM model_activations a \
             WHERE a.kind = $1 AND a.model_id <> $2 \
             AND EXISTS (SELECT 1 FROM models m WHERE m.model_id = a.model_id) \
             ORDER BY a.seq DESC LIMIT 1",
        )
        .bind(kind.to_owned())
        .bind(current)
        .fetch_optional(&self.pool)
        .await?;
        let Some(previous) = previous else {
            return Err(StoreError::Conflict(format!(
                "no earlier {kind} version to roll back to"
            )));
        };
        self.activate_model(&previous).await?;
        Ok(previous)
    }

    /// Rewrites a version's artifact in place (the privacy delete erasing a
    /// user) and bumps its revision, so that replicas serving it reload.
    pub async fn replace_artifact(&self, model_id: &str, bytes: &[u8]) -> Result<(), StoreError> {
        self.require_model(model_id).await?;
        let mut tx = self.pool.begin().await?;
        sqlx::query::<Any>("UPDATE model_artifacts SET bytes = $1 WHERE model_id = $2")
            .bind(bytes.to_vec())
            .bind(model_id.to_owned())
            .execute(&mut *tx)
            .await?;
        sqlx::query::<Any>(
            "UPDATE models SET artifact_size = $1, artifact_sha256 = $2, revision = revision + 1 WHERE model_id = $3",
        )
        .bind(bytes.len() as i64)
        .bind(crate::sha256_hex(bytes))
        .bind(model_id.to_owned())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deletes an inactive version and its artifact.
    pub async fn delete_model(&self, model_id: &str) -> Result<(), StoreError> {
        let model = self.require_model(model_id).await?;
        if model.status == ModelStatus::Active {
            return Err(StoreError::Conflict(format!(
                "model `{model_id}` is active; activate another version first"
            )));
        }
        let mut tx = self.pool.begin().await?;
        for sql in [
            "DELETE FROM model_artifacts WHERE model_id = $1",
            "DELETE FROM models WHERE model_id = $1",
        ] {
            sqlx::query::<Any>(sql)
                .bind(model_id.to_owned())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
