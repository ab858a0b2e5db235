//! API keys: creation (the plaintext is returned once and never stored),
//! verification by SHA-256 hash, listing and revocation.
//!
//! A key reads `sm_<key id>_<secret>`: 8 hex digits of id (what `keys list`
//! and `keys revoke` show) and 32 hex digits (128 bits) of secret from the
//! operating system's random source. Scopes nest: `admin` ⊃ `write` ⊃ `read`.

use std::io::Read;

use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::{Any, Row};

use crate::{Store, StoreError, now};

/// What a key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Read the catalog and recommendations.
    Read,
    /// Also send events and change catalog and users.
    Write,
    /// Also manage models and keys.
    Admin,
}

impl Scope {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write => "write",
            Scope::Admin => "admin",
        }
    }
}

impl std::str::FromStr for Scope {
    type Err = StoreError;
    fn from_str(s: &str) -> Result<Scope, StoreError> {
        match s {
            "read" => Ok(Scope::Read),
            "write" => Ok(Scope::Write),
            "admin" => Ok(Scope::Admin),
            other => Err(StoreError::Conflict(format!(
                "unknown scope `{other}` (expected read, write or admin)"
            ))),
        }
    }
}

/// A stored key, without its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiKey {
    /// Public id (`sm_<id>_…`).
    pub key_id: String,
    /// Scope.
    pub scope: Scope,
    /// Free text given at creation.
    pub label: String,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds, when revoked.
    pub revoked_at: Option<i64>,
}

/// SHA-256 of a key, hex.
pub fn hash_key(key: &str) -> String {
    sha256_hex(key.as_bytes())
}

/// Whether two digests are equal, in time that depends only on their
/// lengths (every byte is compared; no early exit).
pub fn same_digest(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |diff, (x, y)| diff | (x ^ y))
            == 0
}

/// SHA-256 of any bytes, hex (API keys, idempotent request bodies).
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn random_hex(bytes: usize) -> Result<String, StoreError> {
    let mut buf = vec![0u8; bytes];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut buf))
        .map_err(|e| StoreError::Conflict(format!("cannot read the OS random source: {e}")))?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

impl Store {
    /// Creates a key and returns it with its plaintext (shown only now).
    pub async fn create_api_key(
        &self,
        scope: Scope,
        label: &str,
    ) -> Result<(ApiKey, String), StoreError> {
        let key_id = random_hex(4)?;
        let key = format!("sm_{key_id}_{}", random_hex(16)?);
        let created_at = now();
        sqlx::query::<Any>(
            "INSERT INTO api_keys (key_id, key_hash, scope, label, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(key_id.clone())
        .bind(hash_key(&key))
        .bind(scope.as_str())
        .bind(label.to_owned())
        .bind(created_at)
        .execute(&self.pool)
        .await?;
        Ok((
            ApiKey {
                key_id,
                scope,
                label: label.to_owned(),
                created_at,
                revoked_at: None,
            },
            key,
        ))
    }

    /// The scope of a valid, unrevoked key.
    ///
    /// The key is found by its id (`sm_<id>_<secret>`: the id is not
    /// secret, it is what `keys list` shows) and its SHA-256 compared with
    /// the stored one in constant time ([`same_digest`]), so the time a
    /// check takes says nothing about how much of a guessed secret was right.
    pub async fn verify_api_key(&self, key: &str) -> Result<Option<Scope>, StoreError> {
        let Some(key_id) = key
            .strip_prefix("sm_")
            .and_then(|rest| rest.split_once('_'))
            .map(|(id, _)| id)
            .filter(|id| crate::storable(id))
        else {
            return Ok(None);
        };
        let row = sqlx::query::<Any>(
            "SELECT scope, key_hash FROM api_keys WHERE key_id = $1 AND revoked_at IS NULL",
        )
        .bind(key_id.to_owned())
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let stored: String = row.try_get("key_hash")?;
        if !same_digest(&hash_key(key), &stored) {
            return Ok(None);
        }
        let scope: String = row.try_get("scope")?;
        scope.parse().map(Some)
    }

    /// Every key, oldest first.
    pub async fn list_api_keys(&self) -> Result<Vec<ApiKey>, StoreError> {
        let rows = sqlx::query::<Any>(
            "SELECT key_id, scope, label, created_at, revoked_at FROM api_keys ORDER BY created_at, key_id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let scope: String = r.try_get("scope")?;
                Ok(ApiKey {
                    key_id: r.try_get("key_id")?,
                    scope: scope.parse().map_err(|_| StoreError::Corrupt {
                        table: "api_keys",
                        column: "scope",
                        message: format!("unknown scope `{scope}`"),
                    })?,
                    label: r.try_get("label")?,
                    created_at: r.try_get("created_at")?,
                    revoked_at: r.try_get("revoked_at")?,
                })
            })
            .collect()
    }

    /// Number of unrevoked keys.
    pub async fn active_api_keys(&self) -> Result<i64, StoreError> {
        Ok(
            sqlx::query_scalar::<Any, i64>(
                "SELECT COUNT(*) FROM api_keys WHERE revoked_at IS NULL",
            )
            .fetch_one(&self.pool)
            .await?,
        )
    }

    /// Revokes a key by id (`NotFound` if there is no such key).
    pub async fn revoke_api_key(&self, key_id: &str) -> Result<(), StoreError> {
        let done = sqlx::query::<Any>(
            "UPDATE api_keys SET revoked_at = $1 WHERE key_id = $2 AND revoked_at IS NULL",
        )
        .bind(now())
        .bind(key_id.to_owned())
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                what: "active API key",
                id: key_id.to_owned(),
            });
        }
        Ok(())
    }
}
