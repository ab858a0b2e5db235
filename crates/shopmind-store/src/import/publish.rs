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
pub const PUBLISH_CHUNK: i64 = 20_000;

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
/// was staging (unless another process claimed it first).
async fn take_over(store: &Store, claim: Claim) -> Result<(), StoreError> {
    // Claim the dead import first (compare and swap on its owner and
    // heartbeat), so that two processes finding it at once do not both work
    // on it: the loser sees no row changed and leaves it to the winner.
    let taken = sqlx::query::<Any>(
        "UPDATE imports SET label = $1, heartbeat_at = $2 \
         WHERE lock_id = 'import' AND import_id = $3 AND label = $4 AND heartbeat_at = $5",
    )
    .bind(owner_label())
    .bind(now())
    .bind(claim.import_id.clone())
    .bind(claim.label.clone())
    .bind(claim.heartbeat_at)
    .execute(&store.pool)
    .await?
    .rows_affected();
    if taken == 0 {
        return Ok(());
    }
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
        self.touch(tx, None).await
    }

    /// The heartbeat, and with `published` how far publishing got.
    async fn touch(
        &self,
        tx: &mut Transaction<'_, Any>,
        published: Option<&str>,
    ) -> Result<(), StoreError> {
        let n = sqlx::query::<Any>(
            "UPDATE imports SET heartbeat_at = $1, published = COALESCE($2, published) \
             WHERE lock_id = 'import' AND import_id = $3",
        )
        .bind(now())
        .bind(published.map(str::to_owned))
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

    /// Commits the import (the state switch) and copies every staged row to
    /// the real tables, chunk by chunk, each chunk's transaction recording
    /// how far it got; the last transaction bumps the catalog version and
    /// releases the lock, and the staging tables are emptied. A publisher
    /// that resumes a dead one's work starts where its record says.
    pub(super) async fn publish(&self, store: &Store) -> Result<(), StoreError> {
        let mut tx = store.pool.begin().await?;
        let resume: Option<String> = sqlx::query_scalar::<Any, String>(
            "SELECT published FROM imports WHERE lock_id = 'import' AND import_id = $1",
        )
        .bind(self.import_id.clone())
        .fetch_optional(&mut *tx)
        .await?;
        sqlx::query::<Any>(
            "UPDATE imports SET state = $1 WHERE lock_id = 'import' AND import_id = $2",
        )
        .bind(PUBLISHING)
        .bind(self.import_id.clone())
        .execute(&mut *tx)
        .await?;
        self.heartbeat(&mut tx).await?;
        tx.commit().await?;
        // `step:seq`: steps before `step` are done, `step` up to `seq`.
        let resume = resume.unwrap_or_default();
        let (from_step, from_seq) = resume
            .split_once(':')
            .and_then(|(s, q)| Some((STEPS.iter().position(|x| x.name == s)?, q.parse().ok()?)))
            .unwrap_or((0, i64::MIN));
        let ts = now();
        for (i, step) in STEPS.iter().enumerate().skip(from_step) {
            let start = if i == from_step { from_seq } else { i64::MIN };
            self.publish_step(store, step, start, ts).await?;
        }
        let mut tx = store.pool.begin().await?;
        crate::catalog::bump_catalog(&mut tx).await?;
        let epoch = crate::feed::bump_epoch(&mut tx).await?;
        store
            .notify_feed(&mut tx, &format!("epoch {epoch}"))
            .await?;
        sqlx::query::<Any>("DELETE FROM imports WHERE lock_id = 'import' AND import_id = $1")
            .bind(self.import_id.clone())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        // Leftovers (if this fails) are cleared by the next import's claim.
        clear_staging(store).await
    }

    /// Copies one staging table's rows with `seq >= start` in chunks.
    async fn publish_step(
        &self,
        store: &Store,
        step: &Step,
        start: i64,
        ts: i64,
    ) -> Result<(), StoreError> {
        let (lo, hi) = sqlx::query_as::<Any, (Option<i64>, Option<i64>)>(AssertSqlSafe(format!(
            "SELECT MIN(seq), MAX(seq) FROM {}",
            step.staging
        )))
        .fetch_one(&store.pool)
        .await?;
        let (Some(lo), Some(hi)) = (lo, hi) else {
            return Ok(());
        };
        let statements = step.statements(ts);
        let mut from = lo.max(start);
        while from <= hi {
            let to = from.saturating_add(PUBLISH_CHUNK);
            let mut tx = store.pool.begin().await?;
            for sql in &statements {
                sqlx::query::<Any>(AssertSqlSafe(sql.clone()))
                    .bind(from)
                    .bind(to)
                    .execute(&mut *tx)
                    .await?;
            }
            self.touch(&mut tx, Some(&format!("{}:{to}", step.name)))
                .await?;
            tx.commit().await?;
            from = to;
        }
        Ok(())
    }
}

/// One step of publishing: a staging table copied into a real one.
struct Step {
    name: &'static str,
    staging: &'static str,
    table: &'static Table,
    kind: StepKind,
}

enum StepKind {
    /// Every column comes from the staging twin.
    Rows,
    /// Stub rows for ids a refs table holds; `extra` completes the select list.
    Stubs { extra: &'static str },
    /// Orders: their stored lines are replaced by the staged ones.
    Orders,
}

/// The publishing order: what others refer to first.
const STEPS: [Step; 11] = [
    Step {
        name: "items",
        staging: "import_items",
        table: &ITEMS,
        kind: StepKind::Rows,
    },
    Step {
        name: "users",
        staging: "import_users",
        table: &USERS,
        kind: StepKind::Rows,
    },
    Step {
        name: "user_refs",
        staging: "import_user_refs",
        table: &USER_STUBS,
        kind: StepKind::Stubs { extra: "" },
    },
    Step {
        name: "item_refs",
        staging: "import_item_refs",
        table: &ITEM_STUBS,
        kind: StepKind::Stubs { extra: "1, " },
    },
    Step {
        name: "events",
        staging: "import_events",
        table: &EVENTS,
        kind: StepKind::Rows,
    },
    Step {
        name: "sales",
        staging: "import_sales",
        table: &SALES,
        kind: StepKind::Rows,
    },
    Step {
        name: "inventory",
        staging: "import_inventory",
        table: &INVENTORY,
        kind: StepKind::Rows,
    },
    Step {
        name: "orders",
        staging: "import_orders",
        table: &ORDERS,
        kind: StepKind::Orders,
    },
    Step {
        name: "faq",
        staging: "import_faq",
        table: &FAQ,
        kind: StepKind::Rows,
    },
    Step {
        name: "intents",
        staging: "import_intents",
        table: &INTENTS,
        kind: StepKind::Rows,
    },
    Step {
        name: "series",
        staging: "import_series",
        table: &SERIES,
        kind: StepKind::Rows,
    },
];

impl Step {
    /// The statements of one chunk, over `seq` in [`$1`, `$2`).
    fn statements(&self, ts: i64) -> Vec<String> {
        let t = self.table;
        let cols = t.cols.join(", ");
        let conflict = conflict_clause(t.name, t.key, t.on_conflict);
        // In `seq` order: on SQLite a key staged twice is folded here, row
        // after row, as the merge rule says.
        let range = "seq >= $1 AND seq < $2";
        let order = "ORDER BY seq";
        match self.kind {
            StepKind::Rows => vec![format!(
                "INSERT INTO {} ({cols}) SELECT {cols} FROM {} WHERE {range} {order}{conflict}",
                t.name, self.staging
            )],
            StepKind::Stubs { extra } => vec![format!(
                "INSERT INTO {} ({cols}) SELECT {}, {extra}{ts} FROM {} WHERE {range}{conflict}",
                t.name, t.cols[0], self.staging
            )],
            StepKind::Orders => {
                let ids = format!("SELECT order_id FROM import_orders WHERE {range}");
                let line_cols = ORDER_LINES.cols.join(", ");
                vec![
                    format!("DELETE FROM order_lines WHERE order_id IN ({ids})"),
                    format!(
                        "INSERT INTO orders ({cols}) SELECT {cols} FROM import_orders WHERE {range} {order}{conflict}"
                    ),
                    format!(
                        "INSERT INTO order_lines ({line_cols}) SELECT {line_cols} FROM import_order_lines WHERE order_id IN ({ids}){}",
                        conflict_clause(ORDER_LINES.name, ORDER_LINES.key, ORDER_LINES.on_conflict)
                    ),
                ]
            }
        }
    }
}
