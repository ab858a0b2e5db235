//! Store errors: the caller's faults (unknown ids, conflicts) apart from
//! database faults.

use shopmind_core::record::RecordError;

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database URL is not one shopmind supports.
    #[error("unsupported database URL `{0}` (expected sqlite://PATH or postgres://…)")]
    BadUrl(String),
    /// Connecting failed.
    #[error("cannot connect to {url}: {source}")]
    Connect {
        /// The URL with any password removed.
        url: String,
        /// The driver error.
        #[source]
        source: sqlx::Error,
    },
    /// Creating the data directory failed.
    #[error("cannot create data directory {path}: {source}")]
    DataDir {
        /// The directory.
        path: std::path::PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// Applying migrations failed.
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A query failed.
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    /// A stored value could not be decoded (a broken invariant, not user input).
    #[error("corrupt stored value in {table}.{column}: {message}")]
    Corrupt {
        /// Table.
        table: &'static str,
        /// Column.
        column: &'static str,
        /// What is wrong.
        message: String,
    },
    /// A record broke a validation rule.
    #[error("invalid record: {0}")]
    Invalid(#[from] RecordError),
    /// Events refer to items that are not in the catalog.
    #[error("unknown item ids: {}", .0.iter().map(|(i, id)| format!("#{i} `{id}`")).collect::<Vec<_>>().join(", "))]
    UnknownItems(Vec<(usize, String)>),
    /// No row with this id.
    #[error("{what} `{id}` not found")]
    NotFound {
        /// What was looked up.
        what: &'static str,
        /// Its id.
        id: String,
    },
    /// The operation conflicts with the current state (e.g. deleting the active model).
    #[error("{0}")]
    Conflict(String),
}

/// An import that stopped: either the source failed (e.g. a malformed row) or
/// the store did. In both cases nothing of the import was committed.
#[derive(Debug, thiserror::Error)]
pub enum ImportFailure<E: std::error::Error + 'static> {
    /// The record source yielded an error.
    #[error(transparent)]
    Source(E),
    /// Writing failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}
