//! Bulk import: a stream of records that commits whole or not at all,
//! without holding the database's write lock for more than a moment.
//!
//! An import runs in two phases (see `migrations/*/0005_import_staging.sql`):
//!
//! 1. **Staging.** Records are buffered per table and written every
//!    `batch_size` records, each batch in a short transaction of its own,
//!    into the `import_*` twins of the real tables, with the same keys and
//!    merge rules (a key seen twice keeps one row, merged as the real table
//!    would merge it). Ids that events, sales, inventory and orders mention
//!    are collected for stub rows. Duplicate keys within a batch are merged
//!    first, because PostgreSQL refuses to upsert one row twice in a
//!    statement. Nothing here is visible to readers; a source error, a
//!    database error or a killed process leaves the real tables untouched,
//!    and the staged rows are discarded (at once, or by the next import or
//!    start-up that finds them with a stale heartbeat).
//! 2. **Publishing.** The `imports` row switches to `publishing`: the commit
//!    point. Staged rows then move to the real tables in bounded chunks
//!    ([`publish`]), each one transaction, in dependency order (items and
//!    users, stubs, then the rest). A publisher that dies is replaced by
//!    whoever next finds the import with a stale heartbeat (the next import,
//!    `Store::open`, or a server's registry watcher), so a committed import
//!    always lands whole. Readers may see part of an import while it is
//!    being published (seconds for a million rows); they never see a failed
//!    one.
//!
//! Only one import runs at a time; a second one is refused with a conflict.
//! Memory is bounded by the batch size.

mod publish;

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;
use shopmind_core::record::{
    Event, FaqEntry, IntentExample, InventoryPosition, Item, Order, Record, Sale, SeriesPoint, User,
};
use sqlx::{Any, Transaction};

use crate::rows::{
    EVENTS, FAQ, INTENTS, INVENTORY, ITEMS, ORDER_LINES, ORDERS, SALES, SERIES, USERS, event_row,
    faq_row, intent_row, inventory_row, item_row, order_rows, sale_row, series_row, text_key,
    user_row,
};
use crate::sql::{OnConflict, Value, placeholders, upsert};
use crate::{Backend, ImportFailure, Store, StoreError, now};

pub use publish::ImportLock;

/// Import tuning.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Records buffered before a flush (default 10,000).
    pub batch_size: usize,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions { batch_size: 10_000 }
    }
}

/// Records written per table (after merging duplicates within a batch).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ImportCounts {
    /// Records read from the source.
    pub records: u64,
    /// Items upserted.
    pub items: u64,
    /// Users upserted.
    pub users: u64,
    /// Events upserted.
    pub events: u64,
    /// Sales rows upserted.
    pub sales: u64,
    /// Inventory rows upserted.
    pub inventory: u64,
    /// Orders upserted.
    pub orders: u64,
    /// FAQ entries upserted.
    pub faq: u64,
    /// Intent examples upserted.
    pub intents: u64,
    /// Series points upserted.
    pub series: u64,
}

/// Rows keyed for in-batch deduplication.
struct Keyed<T> {
    index: HashMap<String, usize>,
    rows: Vec<T>,
}

impl<T> Default for Keyed<T> {
    fn default() -> Self {
        Keyed {
            index: HashMap::new(),
            rows: Vec::new(),
        }
    }
}

impl<T> Keyed<T> {
    fn push(&mut self, key: String, row: T, merge: impl FnOnce(&mut T, T)) {
        match self.index.get(&key) {
            Some(&i) => merge(&mut self.rows[i], row),
            None => {
                self.index.insert(key, self.rows.len());
                self.rows.push(row);
            }
        }
    }
    fn take(&mut self) -> Vec<T> {
        self.index.clear();
        std::mem::take(&mut self.rows)
    }
}

fn replace<T>(old: &mut T, new: T) {
    *old = new;
}

/// Later non-empty fields win; empty ones keep the earlier value (the same
/// rule the database applies between batches).
fn merge_item(old: &mut Item, new: Item) {
    let Item {
        item_id: _,
        title,
        description,
        category,
        brand,
        price,
        cost,
        tags,
        active,
        attributes,
    } = new;
    old.title = title.or(old.title.take());
    old.description = description.or(old.description.take());
    old.category = category.or(old.category.take());
    old.brand = brand.or(old.brand.take());
    old.price = price.or(old.price);
    old.cost = cost.or(old.cost);
    if !tags.is_empty() {
        old.tags = tags;
    }
    old.active = active;
    if !attributes.is_empty() {
        old.attributes = attributes;
    }
}

fn merge_user(old: &mut User, new: User) {
    if !new.attributes.is_empty() {
        old.attributes = new.attributes;
    }
}

#[derive(Default)]
struct Batch {
    items: Keyed<Item>,
    users: Keyed<User>,
    item_refs: BTreeSet<String>,
    user_refs: BTreeSet<String>,
    events: Keyed<Event>,
    sales: Keyed<Sale>,
    inventory: Keyed<InventoryPosition>,
    orders: Keyed<Order>,
    faq: Keyed<FaqEntry>,
    intents: Keyed<IntentExample>,
    series: Keyed<SeriesPoint>,
    len: usize,
}

impl Batch {
    fn add(&mut self, record: Record) {
        self.len += 1;
        self.add_record(record);
    }

    fn add_record(&mut self, record: Record) {
        match record {
            Record::Item(i) => self.items.push(i.item_id.clone(), i, merge_item),
            Record::User(u) => self.users.push(u.user_id.clone(), u, merge_user),
            Record::Event(e) => {
                self.user_refs.insert(e.user_id.clone());
                self.item_refs.insert(e.item_id.clone());
                self.events.push(e.event_id.clone(), e, replace);
            }
            Record::Sale(s) => {
                self.item_refs.insert(s.item_id.clone());
                let key = format!("{}\u{1}{}\u{1}{}", s.item_id, s.store_id, s.date);
                self.sales.push(key, s, replace);
            }
            Record::Inventory(p) => {
                self.item_refs.insert(p.item_id.clone());
                self.inventory
                    .push(format!("{}\u{1}{}", p.item_id, p.store_id), p, replace);
            }
            Record::Order(o) => {
                self.user_refs.insert(o.user_id.clone());
                self.item_refs
                    .extend(o.lines.iter().map(|l| l.item_id.clone()));
                self.orders.push(o.order_id.clone(), o, replace);
            }
            Record::Faq(f) => self.faq.push(text_key("", &f.question), f, replace),
            Record::Intent(i) => self.intents.push(text_key("", &i.text), i, replace),
            Record::Series(p) => {
                self.series
                    .push(format!("{}\u{1}{}", p.series_id, p.t), p, replace)
            }
        }
    }
}

/// Writes the ids rows mention into the staging refs tables.
async fn stage_refs(
    tx: &mut Transaction<'_, Any>,
    backend: Backend,
    table: &str,
    column: &str,
    ids: BTreeSet<String>,
) -> Result<(), sqlx::Error> {
    let rows: Vec<Vec<Value>> = ids.into_iter().map(|id| vec![Value::Text(id)]).collect();
    if rows.is_empty() {
        return Ok(());
    }
    // SQLite stages without unique keys (duplicates fold at publishing).
    let rule = match backend {
        Backend::Sqlite => OnConflict::Append,
        Backend::Postgres => OnConflict::Nothing,
    };
    upsert(tx, backend, table, &[column], &[column], rule, &rows).await?;
    Ok(())
}

/// Stages one batch in its own transaction, with a heartbeat.
async fn stage(
    store: &Store,
    lock: &ImportLock,
    b: &mut Batch,
    counts: &mut ImportCounts,
) -> Result<(), StoreError> {
    let backend = store.backend;
    let ts = now();
    let mut tx = store.pool.begin().await?;
    let items: Vec<_> = b
        .items
        .take()
        .into_iter()
        .map(|i| item_row(i, ts))
        .collect();
    counts.items += items.len() as u64;
    ITEMS.stage(&mut tx, backend, &items).await?;
    let users: Vec<_> = b
        .users
        .take()
        .into_iter()
        .map(|u| user_row(u, ts))
        .collect();
    counts.users += users.len() as u64;
    USERS.stage(&mut tx, backend, &users).await?;
    stage_refs(
        &mut tx,
        backend,
        "import_user_refs",
        "user_id",
        std::mem::take(&mut b.user_refs),
    )
    .await?;
    stage_refs(
        &mut tx,
        backend,
        "import_item_refs",
        "item_id",
        std::mem::take(&mut b.item_refs),
    )
    .await?;

    let events: Vec<_> = b.events.take().into_iter().map(event_row).collect();
    counts.events += events.len() as u64;
    EVENTS.stage(&mut tx, backend, &events).await?;
    let sales: Vec<_> = b.sales.take().into_iter().map(sale_row).collect();
    counts.sales += sales.len() as u64;
    SALES.stage(&mut tx, backend, &sales).await?;
    let inventory: Vec<_> = b.inventory.take().into_iter().map(inventory_row).collect();
    counts.inventory += inventory.len() as u64;
    INVENTORY.stage(&mut tx, backend, &inventory).await?;

    // An order's lines are replaced whole: drop the ones staged before.
    let orders = b.orders.take();
    counts.orders += orders.len() as u64;
    for chunk in orders.chunks(500) {
        let sql = format!(
            "DELETE FROM import_order_lines WHERE order_id IN ({})",
            placeholders(backend, 1, chunk.len())
        );
        let mut q = sqlx::query::<Any>(sqlx::AssertSqlSafe(sql));
        for o in chunk {
            q = q.bind(o.order_id.clone());
        }
        q.execute(&mut *tx).await?;
    }
    let (mut heads, mut lines) = (Vec::new(), Vec::new());
    for o in orders {
        let (head, mut order_lines) = order_rows(o);
        heads.push(head);
        lines.append(&mut order_lines);
    }
    ORDERS.stage(&mut tx, backend, &heads).await?;
    ORDER_LINES.stage(&mut tx, backend, &lines).await?;

    let faq: Vec<_> = b.faq.take().into_iter().map(faq_row).collect();
    counts.faq += faq.len() as u64;
    FAQ.stage(&mut tx, backend, &faq).await?;
    let intents: Vec<_> = b.intents.take().into_iter().map(intent_row).collect();
    counts.intents += intents.len() as u64;
    INTENTS.stage(&mut tx, backend, &intents).await?;
    let series: Vec<_> = b.series.take().into_iter().map(series_row).collect();
    counts.series += series.len() as u64;
    SERIES.stage(&mut tx, backend, &series).await?;
    lock.heartbeat(&mut tx).await?;
    tx.commit().await?;
    b.len = 0;
    Ok(())
}

impl Store {
    /// Imports every record of `records`: nothing is visible unless every
    /// record is stored (see the module documentation for how). The first
    /// error from the source, a record that breaks a validation rule, or a
    /// database error discards what was staged. `progress` is called after
    /// each staged batch with the counts so far, and once at the end.
    pub async fn import<I, E>(
        &self,
        records: I,
        opts: &ImportOptions,
        mut progress: impl FnMut(&ImportCounts),
    ) -> Result<ImportCounts, ImportFailure<E>>
    where
        I: IntoIterator<Item = Result<Record, E>>,
        E: std::error::Error + 'static,
    {
        let lock = ImportLock::claim(self).await?;
        let started = std::time::Instant::now();
        let staged = self.stage_all(&lock, records, opts, &mut progress).await;
        let counts = match staged {
            Ok(counts) => counts,
            Err(e) => {
                if let Err(d) = lock.discard(self).await {
                    tracing::warn!(error = %d, "staged rows of a failed import stay until the next import or start-up");
                }
                return Err(e);
            }
        };
        let staged_in = started.elapsed();
        lock.publish(self).await?;
        tracing::info!(
            records = counts.records,
            staged_s = staged_in.as_secs_f64(),
            published_s = (started.elapsed() - staged_in).as_secs_f64(),
            "import committed"
        );
        progress(&counts);
        Ok(counts)
    }

    async fn stage_all<I, E>(
        &self,
        lock: &ImportLock,
        records: I,
        opts: &ImportOptions,
        progress: &mut impl FnMut(&ImportCounts),
    ) -> Result<ImportCounts, ImportFailure<E>>
    where
        I: IntoIterator<Item = Result<Record, E>>,
        E: std::error::Error + 'static,
    {
        let mut batch = Batch::default();
        let mut counts = ImportCounts::default();
        let batch_size = opts.batch_size.max(1);
        let now = now();
        for record in records {
            let record = record.map_err(ImportFailure::Source)?;
            record.validate(now).map_err(StoreError::from)?;
            counts.records += 1;
            batch.add(record);
            if batch.len >= batch_size {
                stage(self, lock, &mut batch, &mut counts).await?;
                progress(&counts);
            }
        }
        stage(self, lock, &mut batch, &mut counts).await?;
        Ok(counts)
    }

    /// Finishes an import that was committed but whose publisher stopped
    /// (killed, or lost its database connection), and discards one that
    /// died while staging. Cheap when there is none; [`Store::open`] and
    /// the server's registry watcher call it.
    pub async fn recover_imports(&self) -> Result<bool, StoreError> {
        publish::recover(self).await
    }
}
