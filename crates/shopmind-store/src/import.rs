//! Bulk import: a stream of records upserted in batches inside one
//! transaction, so an import commits whole or not at all.
//!
//! Records are buffered per table and flushed every `batch_size` records in
//! dependency order (items and users first, then stub rows for ids that
//! events, sales, inventory and orders mention but the catalog lacks, then
//! the rest). Duplicate keys within a batch are merged, last one winning,
//! because PostgreSQL refuses to upsert one row twice in a statement.
//! Memory is bounded by the batch size.

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;
use shopmind_core::record::{
    Event, FaqEntry, IntentExample, InventoryPosition, Item, Order, Record, Sale, SeriesPoint, User,
};
use sqlx::{Any, Transaction};

use crate::rows::{
    EVENTS, FAQ, INTENTS, INVENTORY, ITEMS, ORDER_LINES, ORDERS, SALES, SERIES, USERS, event_row,
    faq_row, insert_stubs, intent_row, inventory_row, item_row, order_rows, sale_row, series_row,
    text_key, user_row,
};
use crate::sql::placeholders;
use crate::{Backend, ImportFailure, Store, StoreError, now};

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

async fn flush(
    tx: &mut Transaction<'_, Any>,
    backend: Backend,
    b: &mut Batch,
    counts: &mut ImportCounts,
) -> Result<(), StoreError> {
    let ts = now();
    let items: Vec<_> = b
        .items
        .take()
        .into_iter()
        .map(|i| item_row(i, ts))
        .collect();
    counts.items += items.len() as u64;
    ITEMS.write(tx, backend, &items).await?;
    let users: Vec<_> = b
        .users
        .take()
        .into_iter()
        .map(|u| user_row(u, ts))
        .collect();
    counts.users += users.len() as u64;
    USERS.write(tx, backend, &users).await?;
    let (user_refs, item_refs) = (
        std::mem::take(&mut b.user_refs),
        std::mem::take(&mut b.item_refs),
    );
    insert_stubs(tx, backend, user_refs, item_refs, ts).await?;

    let events: Vec<_> = b.events.take().into_iter().map(event_row).collect();
    counts.events += EVENTS
        .write(tx, backend, &events)
        .await
        .map(|_| events.len() as u64)?;
    let sales: Vec<_> = b.sales.take().into_iter().map(sale_row).collect();
    counts.sales += SALES
        .write(tx, backend, &sales)
        .await
        .map(|_| sales.len() as u64)?;
    let inventory: Vec<_> = b.inventory.take().into_iter().map(inventory_row).collect();
    counts.inventory += INVENTORY
        .write(tx, backend, &inventory)
        .await
        .map(|_| inventory.len() as u64)?;

    // An order's lines are replaced whole: delete the stored ones first.
    let orders = b.orders.take();
    counts.orders += orders.len() as u64;
    for chunk in orders.chunks(500) {
        let sql = format!(
            "DELETE FROM order_lines WHERE order_id IN ({})",
            placeholders(backend, 1, chunk.len())
        );
        let mut q = sqlx::query::<Any>(sqlx::AssertSqlSafe(sql));
        for o in chunk {
            q = q.bind(o.order_id.clone());
        }
        q.execute(&mut **tx).await?;
    }
    let (mut heads, mut lines) = (Vec::new(), Vec::new());
    for o in orders {
        let (head, mut order_lines) = order_rows(o);
        heads.push(head);
        lines.append(&mut order_lines);
    }
    ORDERS.write(tx, backend, &heads).await?;
    ORDER_LINES.write(tx, backend, &lines).await?;

    let faq: Vec<_> = b.faq.take().into_iter().map(faq_row).collect();
    counts.faq += FAQ
        .write(tx, backend, &faq)
        .await
        .map(|_| faq.len() as u64)?;
    let intents: Vec<_> = b.intents.take().into_iter().map(intent_row).collect();
    counts.intents += INTENTS
        .write(tx, backend, &intents)
        .await
        .map(|_| intents.len() as u64)?;
    let series: Vec<_> = b.series.take().into_iter().map(series_row).collect();
    counts.series += SERIES
        .write(tx, backend, &series)
        .await
        .map(|_| series.len() as u64)?;
    b.len = 0;
    Ok(())
}

impl Store {
    /// Upserts every record of `records` in one transaction. The first error
    /// from the source (or the database) rolls everything back. `progress` is
    /// called after each flushed batch with the counts so far.
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
        let mut tx = self.pool.begin().await.map_err(StoreError::from)?;
        let mut batch = Batch::default();
        let mut counts = ImportCounts::default();
        let batch_size = opts.batch_size.max(1);
        for record in records {
            let record = record.map_err(ImportFailure::Source)?;
            counts.records += 1;
            batch.add(record);
            if batch.len >= batch_size {
                flush(&mut tx, self.backend, &mut batch, &mut counts).await?;
                progress(&counts);
            }
        }
        flush(&mut tx, self.backend, &mut batch, &mut counts).await?;
        crate::catalog::bump_catalog(&mut tx)
            .await
            .map_err(StoreError::from)?;
        tx.commit().await.map_err(StoreError::from)?;
        progress(&counts);
        Ok(counts)
    }
}
