//! Opening the store a command names (`--database-url`, or the SQLite file
//! in `--data-dir`): every subcommand that reads or writes the store starts
//! here.

use anyhow::{Context, bail};
use shopmind_store::{Store, StoreOptions};

use crate::cli::Global;

/// Opens the store named by `--database-url`, or the SQLite file in `--data-dir`.
pub async fn open_store(g: &Global) -> anyhow::Result<Store> {
    let opts = match &g.database_url {
        Some(url) => StoreOptions {
            schema: g.database_schema.clone(),
            ..StoreOptions::url(url.clone())
        },
        None if g.database_schema.is_some() => {
            bail!("--database-schema needs --database-url (a PostgreSQL database)")
        }
        None => StoreOptions::sqlite_in(&g.data_dir),
    };
    let what = g.database_url.as_deref().map_or_else(
        || g.data_dir.display().to_string(),
        |_| "the database".into(),
    );
    Store::open(&opts)
        .await
        .with_context(|| format!("cannot open the store in {what}"))
}
