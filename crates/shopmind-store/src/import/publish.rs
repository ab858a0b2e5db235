//! The import lock, discarding staged rows, and publishing them to the real
//! tables in bounded chunks (see the parent module for the protocol).

use sqlx::{Any, AssertSqlSafe, Transaction};

use crate::rows::{
    EVENTS, FAQ, INTENTS, INVENTORY, ITEM_STUBS, ITEMS, ORDER_LINES, ORDERS, SALES, SERIES, Table,
    USER_STUBS, USERS,
};
use crate::sql::conflict_clause;
use crate::{Backend, Store, StoreError, now};

/// An import whose heartbeat is older than this is dead: while staging it
/// is discarded, while publishing it is finished by whoever finds it.
pub const STALE_SECS: i64 = 60;

/// Staged rows published per transaction: small enough that a writer
/// waiting behind one waits milliseconds, large enough that a million rows
/// publish in seconds.
pub const PUBLISH_CHUNK: i64 = 5_000;

/// Every staging table, in the order they are cleared.
const STAGING_TABLES: [&str; 12] = [
    "import_items",
    "import_users",
    "import_user_refs",
    "import_item_refs",
    "import_events",
    "import_sales",
    "import_inventory",
    "import_orders",
    "import_order_lines",
    "import_faq",
    "import_intents",
    "import_series",
];

const STAGING: &str = "staging";
const PUBLISHING: &str = "publishing";

/// The one running import's claim on the staging tables.
#[derive(Debug)]
pub struct ImportLock {
    import_id: String,
}

/// The `imports` row, when there is one.
struct Claim {
    import_id: String,
    state: String,
    label: String,
    heartbeat_at: i64,
}

async fn current(store: &Store) -> Result<Option<Claim>, StoreError> {
    let row = sqlx::query_as::<Any, (String, String, String, i64)>(
        "SELECT import_id, state, label, heartbeat_at FROM imports WHERE lock_id = 'import'",
    )
    .fetch_optional(&store.pool)
    .await?;
    Ok(row.map(|(import_id, state, label, heartbeat_at)| Claim {
        import_id,
        state,
        label,
        heartbeat_at,
    }))
}

/// Empties every staging table (a fast truncate on both backends).
async fn clear_staging(store: &Store) -> Result<(), StoreError> {
    match store.backend {
        Backend::Postgres => {
            let sql = format!("TRUNCATE {}", STAGING_TABLES.join(", "));
            sqlx::query::<Any>(AssertSqlSafe(sql))
                .execute(&store.pool)
                .await?;
        }
        Backend::Sqlite => {
            let mut tx = store.pool.begin().await?;
            for t in STAGING_TABLES {
                sqlx::query::<Any>(AssertSqlSafe(format!("DELETE FROM {t}")))
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        }
    }
    Ok(())
}

async fn release(store: &Store, import_id: &str) -> Result<(), StoreError> {
    sqlx::query::<Any>("DELETE FROM imports WHERE lock_id = 'import' AND import_id = $1")
        .bind(import_id.to_owned())
        .execute(&store.pool)
        .await?;
    Ok(())
}

/// Deals with a dead import: finishes a committed one, discards one that
/// was staging. Returns whether there was one.
async fn take_over(store: &Store, claim: Claim) -> Result<(), StoreError> {
    let lock = ImportLock {
        import_id: claim.import_id,
    };
    if claim.state == PUBLISHING {
        tracing::warn!(import = %lock.import_id, label = %claim.label, "finishing an import whose publisher stopped");
        lock.publish(store).await
    } else {
        tracing::warn!(import = %lock.import_id, label = %claim.label, "discarding the staged rows of an import that stopped");
        lock.discard(store).await
    }
}

/// This host's name (Linux), to tell whether a lock's owner runs here.
fn host() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .unwrap_or_default()
}

/// Who holds a lock: `host:pid`.
fn owner_label() -> String {
    format!("{}:{}", host(), std::process::id())
}

/// Whether the import is dead: its heartbeat is stale, or its owner was a
/// process on this host that no longer exists (a killed `shopmind import`
/// is taken over at once instead of after [`STALE_SECS`]).
fn is_dead(c: &Claim) -> bool {
    if now() - c.heartbeat_at > STALE_SECS {
        return true;
    }
    let here = host();
    match c.label.rsplit_once(':') {
        Some((h, pid)) if !here.is_empty() && h == here => pid.parse::<u32>().is_ok_and(|pid| {
            pid != std::process::id()
                && std::path::Path::new("/proc/self").exists()
                && !std::path::Path::new(&format!("/proc/{pid}")).exists()
        }),
        _ => false,
    }
}

/// See [`Store::recover_imports`].
pub(super) async fn recover(store: &Store) -> Result<bool, StoreError> {
    match current(store).await? {
        Some(c) if is_dead(&c) => {
            take_over(store, c).await?;
            Ok(true)
        }
        _ => Ok(false),
    }
}

impl ImportLock {
    /// Claims the staging tables, taking over a dead import first.
    pub(super) async fn claim(store: &Store) -> Result<ImportLock, StoreError> {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let import_id = format!(
            "imp-{}-{}-{}",
            now(),
            std::process::id(),
            NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        );
        for _ in 0..3 {
            if let Some(c) = current(store).await? {
                if !is_dead(&c) {
                    return Err(StoreError::Conflict(format!(
                        "another import (process {}) is {} this store; wait for it to finish (an import whose process died is taken over after {STALE_SECS} s)",
                        c.label,
                        if c.state == PUBLISHING {
                            "publishing into"
                        } else {
                            "running on"
                        }
                    )));
                }
                take_over(store, c).await?;
                continue;
            }
            let t = now();
            let claimed = sqlx::query::<Any>(
                "INSERT INTO imports (lock_id, import_id, state, label, started_at, heartbeat_at) \
                 VALUES ('import', $1, $2, $3, $4, $5) ON CONFLICT (lock_id) DO NOTHING",
            )
            .bind(import_id.clone())
            .bind(STAGING)
            .bind(owner_label())
            .bind(t)
            .bind(t)
            .execute(&store.pool)
            .await?
            .rows_affected();
            if claimed == 1 {
                // Rows a crashed import left without its lock row.
                clear_staging(store).await?;
                return Ok(ImportLock { import_id });
            }
        }
        Err(StoreError::Conflict(
            "another import keeps claiming this store; try again".into(),
        ))
    }

    /// Marks the import alive inside `tx`; fails when another process took
    /// the import over (this one was presumed dead).
    pub(super) async fn heartbeat(&self, tx: &mut Transaction<'_, Any>) -> Result<(), StoreError> {
        let n = sqlx::query::<Any>(
            "UPDATE imports SET heartbeat_at = $1 WHERE lock_id = 'import' AND import_id = $2",
        )
        .bind(now())
        .bind(self.import_id.clone())
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::Conflict(format!(
                "import {} was taken over by another process after {STALE_SECS} s without a heartbeat",
                self.import_id
            )));
        }
        Ok(())
    }

    /// Forgets everything staged and releases the lock.
    pub(super) async fn discard(&self, store: &Store) -> Result<(), StoreError> {
        clear_staging(store).await?;
        release(store, &self.import_id).await
    }

    /// Commits the import (the state switch) and moves every staged row to
    /// the real tables, chunk by chunk; the last transaction bumps the
    /// catalog version and releases the lock.
    pub(super) async fn publish(&self, store: &Store) -> Result<(), StoreError> {
        let mut tx = store.pool.begin().await?;
        sqlx::query::<Any>(
            "UPDATE imports SET state = $1 WHERE lock_id = 'import' AND import_id = $2",
        )
        .bind(PUBLISHING)
        .bind(self.import_id.clone())
        .execute(&mut *tx)
        .await?;
        self.heartbeat(&mut tx).await?;
        tx.commit().await?;

        let ts = now();
        for table in [&ITEMS, &USERS] {
            self.publish_table(store, table, "", "").await?;
        }
        self.publish_table(store, &USER_STUBS, "import_user_refs", &format!(", {ts}"))
            .await?;
        self.publish_table(
            store,
            &ITEM_STUBS,
            "import_item_refs",
            &format!(", 1, {ts}"),
        )
        .await?;
        for table in [&EVENTS, &SALES, &INVENTORY] {
            self.publish_table(store, table, "", "").await?;
        }
        self.publish_orders(store).await?;
        for table in [&FAQ, &INTENTS, &SERIES] {
            self.publish_table(store, table, "", "").await?;
        }
        let mut tx = store.pool.begin().await?;
        crate::catalog::bump_catalog(&mut tx).await?;
        sqlx::query::<Any>("DELETE FROM imports WHERE lock_id = 'import' AND import_id = $1")
            .bind(self.import_id.clone())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The `seq` range still staged in `staging`.
    async fn seq_range(store: &Store, staging: &str) -> Result<Option<(i64, i64)>, StoreError> {
        let (lo, hi) = sqlx::query_as::<Any, (Option<i64>, Option<i64>)>(AssertSqlSafe(format!(
            "SELECT MIN(seq), MAX(seq) FROM {staging}"
        )))
        .fetch_one(&store.pool)
        .await?;
        Ok(lo.zip(hi))
    }

    /// Moves `staging` (default: the table's twin) into `table`, chunk by
    /// chunk. A refs table has only the id: `extra` appends the stub's other
    /// values to the select list.
    async fn publish_table(
        &self,
        store: &Store,
        table: &Table,
        staging: &str,
        extra: &str,
    ) -> Result<(), StoreError> {
        let staging = if staging.is_empty() {
            table.staging_name()
        } else {
            staging.to_owned()
        };
        let Some((lo, hi)) = Self::seq_range(store, &staging).await? else {
            return Ok(());
        };
        let select = if extra.is_empty() {
            table.cols.join(", ")
        } else {
            format!("{}{extra}", table.cols[0])
        };
        let insert = format!(
            "INSERT INTO {} ({}) SELECT {select} FROM {staging} WHERE seq >= $1 AND seq < $2{}",
            table.name,
            table.cols.join(", "),
            conflict_clause(table.name, table.key, table.on_conflict)
        );
        let delete = format!("DELETE FROM {staging} WHERE seq >= $1 AND seq < $2");
        let mut from = lo;
        while from <= hi {
            let to = from + PUBLISH_CHUNK;
            let mut tx = store.pool.begin().await?;
            for sql in [&insert, &delete] {
                sqlx::query::<Any>(AssertSqlSafe(sql.clone()))
                    .bind(from)
                    .bind(to)
                    .execute(&mut *tx)
                    .await?;
            }
            self.heartbeat(&mut tx).await?;
            tx.commit().await?;
            from = to;
        }
        Ok(())
    }

    /// Orders replace their lines whole: per chunk of staged orders, the
    /// stored lines go, the staged orders and their lines come in.
    async fn publish_orders(&self, store: &Store) -> Result<(), StoreError> {
        let Some((lo, hi)) = Self::seq_range(store, "import_orders").await? else {
            return Ok(());
        };
        let in_chunk = "SELECT order_id FROM import_orders WHERE seq >= $1 AND seq < $2";
        let statements = [
            format!("DELETE FROM order_lines WHERE order_id IN ({in_chunk})"),
            format!(
                "INSERT INTO orders ({cols}) SELECT {cols} FROM import_orders WHERE seq >= $1 AND seq < $2{}",
                conflict_clause(ORDERS.name, ORDERS.key, ORDERS.on_conflict),
                cols = ORDERS.cols.join(", ")
            ),
            format!(
                "INSERT INTO order_lines ({cols}) SELECT {cols} FROM import_order_lines WHERE order_id IN ({in_chunk}){}",
                conflict_clause(ORDER_LINES.name, ORDER_LINES.key, ORDER_LINES.on_conflict),
                cols = ORDER_LINES.cols.join(", ")
            ),
            format!("DELETE FROM import_order_lines WHERE order_id IN ({in_chunk})"),
            "DELETE FROM import_orders WHERE seq >= $1 AND seq < $2".to_owned(),
        ];
        let mut from = lo;
        while from <= hi {
            let to = from + PUBLISH_CHUNK;
            let mut tx = store.pool.begin().await?;
            for sql in &statements {
                sqlx::query::<Any>(AssertSqlSafe(sql.clone()))
                    .bind(from)
                    .bind(to)
                    .execute(&mut *tx)
                    .await?;
            }
            self.heartbeat(&mut tx).await?;
            tx.commit().await?;
            from = to;
        }
        Ok(())
    }
}
