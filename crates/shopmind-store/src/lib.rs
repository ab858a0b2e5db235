//! Persistence for shopmind: the catalog, users, events, sales, inventory,
//! orders, FAQ, intents, time series and the model registry, in SQLite (the
//! embedded default) or PostgreSQL (for several replicas), through one code
//! path.
//!
//! The code path is sqlx's `Any` driver with runtime queries: the SQL is
//! written once with `$n` placeholders and `ON CONFLICT` upserts, which both
//! backends accept. Only the DDL differs (`REAL`/`DOUBLE PRECISION`,
//! `BLOB`/`BYTEA`), so each backend has its own migration directory.
//! Timestamps are Unix seconds, dates ISO text and JSON text, the shapes that
//! `Any` maps identically on both.
//!
//! ```no_run
//! # async fn demo() -> Result<(), shopmind_store::StoreError> {
//! use shopmind_store::{Store, StoreOptions};
//! let store = Store::open(&StoreOptions::sqlite_in("./shopmind-data")).await?;
//! println!("{:?}", store.stats().await?);
//! # Ok(()) }
//! ```

mod catalog;
mod error;
mod events;
mod feed;
mod import;
mod inventory;
mod jobs;
mod keys;
mod parts;
mod registry;
mod rows;
mod sales;
pub mod sql;
mod stats;
mod support;

use std::path::Path;
use std::time::Duration;

use std::str::FromStr;

use sqlx::ConnectOptions;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};

pub use catalog::{ItemPage, ItemsWritten, USER_DELETION_MEMORY_SECS, UserDeleted};
pub use error::{ImportFailure, StoreError};
pub use events::{EventsWritten, IDEMPOTENCY_TTL_SECS, Idempotency, IdempotentAnswer, KeyedWrite};
pub use feed::{FeedDelta, FeedEvent, FeedListener, FeedPosition};
pub use import::{ImportCounts, ImportLock, ImportOptions};
pub use jobs::{JobOutcome, JobRecord, MAX_ATTEMPTS, NewJob};
pub use keys::{ApiKey, Scope, hash_key, sha256_hex};
pub use parts::{NewPart, PartOutcome};
pub use registry::{ModelRecord, ModelStatus, NewModel};
pub use stats::Stats;

/// Which database sits behind the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// How to open a store.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// `sqlite://PATH` or `postgres://USER@HOST:PORT/DB`.
    pub url: String,
    /// PostgreSQL schema to use (created if missing); lets tests and tenants
    /// share one database. Ignored for SQLite.
    pub schema: Option<String>,
    /// Pool size.
    pub max_connections: u32,
}

/// File name of the embedded database inside the data directory.
pub const SQLITE_FILE: &str = "shopmind.db";

impl StoreOptions {
    /// Options for a URL with default pool size.
    pub fn url(url: impl Into<String>) -> Self {
        StoreOptions {
            url: url.into(),
            schema: None,
            max_connections: 8,
        }
    }

    /// The embedded SQLite database inside `data_dir` (created on open).
    pub fn sqlite_in(data_dir: impl AsRef<Path>) -> Self {
        let path = data_dir.as_ref().join(SQLITE_FILE);
        Self::url(format!("sqlite://{}?mode=rwc", path.display()))
    }
}

/// A connection pool plus what the code needs to know about its backend.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// The URL it was opened with (may hold a password: never printed).
    url: std::sync::Arc<str>,
    /// The PostgreSQL schema, if one was given.
    schema: Option<std::sync::Arc<str>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend)
            .field("url", &redact(&self.url))
            .field("schema", &self.schema)
            .finish_non_exhaustive()
    }
}

/// The URL without its password, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

fn valid_schema(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Connection options from a URL. Training reads whole tables, which takes
/// seconds on a large store: only a statement past [`SLOW_STATEMENT`] is
/// logged as slow (sqlx's default, 1 s, would warn on every training run).
fn connect_options(url: &str) -> Result<AnyConnectOptions, sqlx::Error> {
    Ok(AnyConnectOptions::from_str(url)?
        .log_slow_statements(log::LevelFilter::Warn, SLOW_STATEMENT))
}

/// Statements slower than this are logged as warnings.
pub const SLOW_STATEMENT: Duration = Duration::from_secs(30);

impl Store {
    /// Connects, creating the SQLite file's directory if needed, and applies
    /// pending migrations.
    pub async fn open(opts: &StoreOptions) -> Result<Store, StoreError> {
        install_default_drivers();
        let backend = if opts.url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if opts.url.starts_with("postgres:") || opts.url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(StoreError::BadUrl(redact(&opts.url)));
        };
        if backend == Backend::Sqlite {
            let path = opts
                .url
                .trim_start_matches("sqlite://")
                .trim_start_matches("sqlite:");
            let path = path.split('?').next().unwrap_or(path);
            if let Some(dir) = Path::new(path)
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
            {
                std::fs::create_dir_all(dir).map_err(|source| StoreError::DataDir {
                    path: dir.to_path_buf(),
                    source,
                })?;
            }
        }
        let schema = match (&opts.schema, backend) {
            (Some(s), Backend::Postgres) if !valid_schema(s) => {
                return Err(StoreError::Conflict(format!(
                    "schema name `{s}` must be 1-63 characters of a-z, 0-9 and _"
                )));
            }
            (Some(s), Backend::Postgres) => Some(s.clone()),
            _ => None,
        };
        let connect_err = |source| StoreError::Connect {
            url: redact(&opts.url),
            source,
        };
        if let Some(s) = &schema {
            // Create the schema on a throwaway pool before the real one sets search_path.
            let admin = AnyPoolOptions::new()
                .max_connections(1)
                .connect(&opts.url)
                .await
                .map_err(connect_err)?;
            admin
                .execute(sqlx::AssertSqlSafe(format!(
                    "CREATE SCHEMA IF NOT EXISTS {s}"
                )))
                .await?;
            admin.close().await;
        }
        let schema_name = schema.as_deref().map(std::sync::Arc::from);
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite {
                opts.max_connections.min(4)
            } else {
                opts.max_connections
            })
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |conn, _meta| {
                let schema = schema.clone();
                Box::pin(async move {
                    match backend {
                        Backend::Sqlite => {
                            conn.execute("PRAGMA journal_mode = WAL").await?;
                            conn.execute("PRAGMA synchronous = NORMAL").await?;
                            conn.execute("PRAGMA busy_timeout = 10000").await?;
                            conn.execute("PRAGMA cache_size = -65536").await?;
                        }
                        Backend::Postgres => {
                            if let Some(s) = schema {
                                conn.execute(sqlx::AssertSqlSafe(format!(
                                    "SET search_path TO {s}"
                                )))
                                .await?;
                            }
                        }
                    }
                    Ok(())
                })
            })
            .connect_with(connect_options(&opts.url).map_err(connect_err)?)
            .await
            .map_err(connect_err)?;
        let store = Store {
            pool,
            backend,
            url: opts.url.as_str().into(),
            schema: schema_name,
        };
        store.migrate().await?;
        store.recover_imports().await?;
        Ok(store)
    }

    fn migrator(&self) -> sqlx::migrate::Migrator {
        match self.backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite"),
            Backend::Postgres => sqlx::migrate!("./migrations/postgres"),
        }
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        self.migrator().run(&self.pool).await?;
        Ok(())
    }

    /// Checks that the database holds this build's schema: every migration
    /// applied, and the tables there. `Err` says what is missing (a database
    /// dropped and re-created under a running server, an older schema). The
    /// readiness probe calls it, so a replica over a broken database leaves
    /// the load balancer's rotation instead of answering 500s.
    pub async fn check_schema(&self) -> Result<(), String> {
        let expected = self.migrator().iter().map(|m| m.version).max().unwrap_or(0);
        let applied: Option<i64> = sqlx::query_scalar::<sqlx::Any, Option<i64>>(
            "SELECT MAX(version) FROM _sqlx_migrations WHERE success",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(|e| format!("cannot read the migration history: {e}"))?;
        match applied {
            Some(v) if v >= expected => {}
            Some(v) => {
                return Err(format!(
                    "schema version {v}, this build needs {expected}: restart to migrate"
                ));
            }
            None => return Err("no migration has been applied".into()),
        }
        for table in [
            "items",
            "events",
            "models",
            "api_keys",
            "imports",
            "user_deletions",
            "jobs",
        ] {
            sqlx::query::<sqlx::Any>(sqlx::AssertSqlSafe(format!(
                "SELECT 1 FROM {table} LIMIT 1"
            )))
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| format!("table `{table}` cannot be read: {e}"))?;
        }
        Ok(())
    }

    /// The backend in use.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The underlying pool (for crates that add their own queries).
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// True when a trivial query succeeds.
    pub async fn ping(&self) -> bool {
        sqlx::query::<sqlx::Any>("SELECT 1")
            .execute(&self.pool)
            .await
            .is_ok()
    }

    /// Closes every connection (pending writes are already committed).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Drops a PostgreSQL schema and everything in it (test clean-up).
    pub async fn drop_schema(url: &str, schema: &str) -> Result<(), StoreError> {
        if !valid_schema(schema) {
            return Err(StoreError::Conflict(format!(
                "invalid schema name `{schema}`"
            )));
        }
        install_default_drivers();
        let pool = AnyPoolOptions::new()
            .max_connections(1)
            .connect(url)
            .await
            .map_err(|source| StoreError::Connect {
                url: redact(url),
                source,
            })?;
        pool.execute(sqlx::AssertSqlSafe(format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE"
        )))
        .await?;
        pool.close().await;
        Ok(())
    }
}

/// Whether `id` could name a stored row. Look-ups of anything else answer
/// "not found" without a query: no backend is ever sent a string it cannot
/// hold (PostgreSQL refuses a NUL in text outright).
pub(crate) fn storable(id: &str) -> bool {
    shopmind_core::record::validate_id("id", id).is_ok()
}

/// Current Unix time in seconds.
pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords_only() {
        assert_eq!(
            redact("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("sqlite://x.db"), "sqlite://x.db");
        assert!(valid_schema("shopmind_test_1"));
        assert!(!valid_schema("x; DROP TABLE items"));
    }
}
