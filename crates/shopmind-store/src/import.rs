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
    Event, FaqEntry, Fnv1a, IntentExample, InventoryPosition, Item, Order, Record, Sale,
    SeriesPoint, User,
};
use sqlx::{Any, Transaction};

use crate::sql::{OnConflict, Value, placeholders, upsert};
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

/// Stable id of a text-keyed row (FAQ question, intent example).
pub(crate) fn text_key(prefix: &str, text: &str) -> String {
    let mut h = Fnv1a::new();
    h.write(text.trim().to_lowercase().as_bytes());
    format!("{prefix}{:016x}", h.finish())
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

pub(crate) fn item_row(i: Item, ts: i64) -> Vec<Value> {
    let json = |m: &std::collections::BTreeMap<String, String>| {
        (!m.is_empty()).then(|| serde_json::to_string(m).unwrap_or_default())
    };
    let tags = (!i.tags.is_empty()).then(|| serde_json::to_string(&i.tags).unwrap_or_default());
    vec![
        Value::Text(i.item_id),
        Value::OptText(i.title),
        Value::OptText(i.description),
        Value::OptText(i.category),
        Value::OptText(i.brand),
        Value::OptReal(i.price),
        Value::OptReal(i.cost),
        Value::OptText(tags),
        Value::Int(i64::from(i.active)),
        Value::OptText(json(&i.attributes)),
        Value::Int(ts),
    ]
}

pub(crate) const ITEM_COLS: [&str; 11] = [
    "item_id",
    "title",
    "description",
    "category",
    "brand",
    "price",
    "cost",
    "tags",
    "active",
    "attributes",
    "updated_at",
];
pub(crate) const ITEM_UPSERT: OnConflict<'static> = OnConflict::Coalesce {
    set: &["active", "updated_at"],
    keep_if_null: &[
        "title",
        "description",
        "category",
        "brand",
        "price",
        "cost",
        "tags",
        "attributes",
    ],
};

pub(crate) fn user_row(u: User, ts: i64) -> Vec<Value> {
    let attrs = (!u.attributes.is_empty())
        .then(|| serde_json::to_string(&u.attributes).unwrap_or_default());
    vec![
        Value::Text(u.user_id),
        Value::OptText(attrs),
        Value::Int(ts),
    ]
}

pub(crate) const USER_COLS: [&str; 3] = ["user_id", "attributes", "updated_at"];

/// Inserts id-only rows for users and items that do not exist yet.
pub(crate) async fn insert_stubs(
    tx: &mut Transaction<'_, Any>,
    backend: Backend,
    users: impl IntoIterator<Item = String>,
    items: impl IntoIterator<Item = String>,
) -> Result<(), sqlx::Error> {
    let ts = now();
    let users: Vec<Vec<Value>> = users
        .into_iter()
        .map(|u| vec![Value::Text(u), Value::Int(ts)])
        .collect();
    if !users.is_empty() {
        upsert(
            tx,
            backend,
            "users",
            &["user_id", "updated_at"],
            &["user_id"],
            OnConflict::Nothing,
            &users,
        )
        .await?;
    }
    let items: Vec<Vec<Value>> = items
        .into_iter()
        .map(|i| vec![Value::Text(i), Value::Int(1), Value::Int(ts)])
        .collect();
    if !items.is_empty() {
        upsert(
            tx,
            backend,
            "items",
            &["item_id", "active", "updated_at"],
            &["item_id"],
            OnConflict::Nothing,
            &items,
        )
        .await?;
    }
    Ok(())
}

pub(crate) fn event_row(e: Event) -> Vec<Value> {
    vec![
        Value::Text(e.event_id),
        Value::Text(e.user_id),
        Value::Text(e.item_id),
        Value::Text(e.event_type.as_str().to_owned()),
        Value::Real(e.value),
        Value::Int(e.timestamp),
    ]
}

pub(crate) const EVENT_COLS: [&str; 6] = [
    "event_id",
    "user_id",
    "item_id",
    "event_type",
    "value",
    "ts",
];

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
    upsert(
        tx,
        backend,
        "items",
        &ITEM_COLS,
        &["item_id"],
        ITEM_UPSERT,
        &items,
    )
    .await?;
    let users: Vec<_> = b
        .users
        .take()
        .into_iter()
        .map(|u| user_row(u, ts))
        .collect();
    counts.users += users.len() as u64;
    upsert(
        tx,
        backend,
        "users",
        &USER_COLS,
        &["user_id"],
        OnConflict::Coalesce {
            set: &["updated_at"],
            keep_if_null: &["attributes"],
        },
        &users,
    )
    .await?;
    insert_stubs(
        tx,
        backend,
        std::mem::take(&mut b.user_refs),
        std::mem::take(&mut b.item_refs),
    )
    .await?;

    let events: Vec<_> = b.events.take().into_iter().map(event_row).collect();
    counts.events += events.len() as u64;
    upsert(
        tx,
        backend,
        "events",
        &EVENT_COLS,
        &["event_id"],
        OnConflict::Update(&EVENT_COLS[1..]),
        &events,
    )
    .await?;

    let sales: Vec<_> = b
        .sales
        .take()
        .into_iter()
        .map(|s| {
            vec![
                Value::Text(s.date.to_string()),
                Value::Text(s.item_id),
                Value::Text(s.store_id),
                Value::Real(s.units),
                Value::Real(s.returned_units),
                Value::Real(s.price),
                Value::Int(i64::from(s.promo)),
                Value::OptReal(s.cost),
            ]
        })
        .collect();
    counts.sales += sales.len() as u64;
    let sale_cols = [
        "date",
        "item_id",
        "store_id",
        "units",
        "returned_units",
        "price",
        "promo",
        "cost",
    ];
    upsert(
        tx,
        backend,
        "sales",
        &sale_cols,
        &["item_id", "store_id", "date"],
        OnConflict::Update(&sale_cols[3..]),
        &sales,
    )
    .await?;

    let inventory: Vec<_> = b
        .inventory
        .take()
        .into_iter()
        .map(|p| {
            vec![
                Value::Text(p.item_id),
                Value::Text(p.store_id),
                Value::Real(p.on_hand),
                Value::Real(p.on_order),
                Value::Real(p.lead_time_days),
                Value::Real(p.lead_time_std_days),
                Value::Real(p.unit_cost),
                Value::Real(p.holding_cost_rate),
                Value::Real(p.order_cost),
                Value::Real(p.moq),
                Value::Real(p.case_pack),
            ]
        })
        .collect();
    counts.inventory += inventory.len() as u64;
    let inv_cols = [
        "item_id",
        "store_id",
        "on_hand",
        "on_order",
        "lead_time_days",
        "lead_time_std_days",
        "unit_cost",
        "holding_cost_rate",
        "order_cost",
        "moq",
        "case_pack",
    ];
    upsert(
        tx,
        backend,
        "inventory",
        &inv_cols,
        &["item_id", "store_id"],
        OnConflict::Update(&inv_cols[2..]),
        &inventory,
    )
    .await?;

    let orders = b.orders.take();
    counts.orders += orders.len() as u64;
    if !orders.is_empty() {
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
        let mut lines = Vec::new();
        let heads: Vec<_> = orders
            .into_iter()
            .map(|o| {
                let total = o.total();
                for (n, l) in o.lines.iter().enumerate() {
                    lines.push(vec![
                        Value::Text(o.order_id.clone()),
                        Value::Int(n as i64),
                        Value::Text(l.item_id.clone()),
                        Value::Real(l.quantity),
                        Value::Real(l.price),
                    ]);
                }
                vec![
                    Value::Text(o.order_id),
                    Value::Text(o.user_id),
                    Value::Text(o.status),
                    Value::Int(o.created_at),
                    Value::Int(o.updated_at),
                    Value::Real(total),
                ]
            })
            .collect();
        let order_cols = [
            "order_id",
            "user_id",
            "status",
            "created_at",
            "updated_at",
            "total",
        ];
        upsert(
            tx,
            backend,
            "orders",
            &order_cols,
            &["order_id"],
            OnConflict::Update(&order_cols[1..]),
            &heads,
        )
        .await?;
        let line_cols = ["order_id", "line_no", "item_id", "quantity", "price"];
        upsert(
            tx,
            backend,
            "order_lines",
            &line_cols,
            &["order_id", "line_no"],
            OnConflict::Update(&line_cols[2..]),
            &lines,
        )
        .await?;
    }

    let faq: Vec<_> = b
        .faq
        .take()
        .into_iter()
        .map(|f| {
            vec![
                Value::Text(text_key("faq-", &f.question)),
                Value::Text(f.question),
                Value::Text(f.answer),
                Value::OptText(f.intent),
            ]
        })
        .collect();
    counts.faq += faq.len() as u64;
    let faq_cols = ["faq_id", "question", "answer", "intent"];
    upsert(
        tx,
        backend,
        "faq",
        &faq_cols,
        &["faq_id"],
        OnConflict::Update(&faq_cols[1..]),
        &faq,
    )
    .await?;

    let intents: Vec<_> = b
        .intents
        .take()
        .into_iter()
        .map(|i| {
            vec![
                Value::Text(text_key("int-", &i.text)),
                Value::Text(i.text),
                Value::Text(i.intent),
            ]
        })
        .collect();
    counts.intents += intents.len() as u64;
    let intent_cols = ["example_id", "text", "intent"];
    upsert(
        tx,
        backend,
        "intents",
        &intent_cols,
        &["example_id"],
        OnConflict::Update(&intent_cols[1..]),
        &intents,
    )
    .await?;

    let series: Vec<_> = b
        .series
        .take()
        .into_iter()
        .map(|p| {
            vec![
                Value::Text(p.series_id),
                Value::Int(p.t),
                Value::Real(p.value),
            ]
        })
        .collect();
    counts.series += series.len() as u64;
    upsert(
        tx,
        backend,
        "series",
        &["series_id", "t", "value"],
        &["series_id", "t"],
        OnConflict::Update(&["value"]),
        &series,
    )
    .await?;
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
        tx.commit().await.map_err(StoreError::from)?;
        progress(&counts);
        Ok(counts)
    }
}
