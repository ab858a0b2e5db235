//! How each record maps to the columns of its table, and each table's
//! upsert rule. The importer, the API writes and the catalog share these, so
//! a column is named in one place.

use shopmind_core::record::{
    Attributes, Event, FaqEntry, Fnv1a, IntentExample, InventoryPosition, Item, Order, Sale,
    SeriesPoint, User,
};
use sqlx::{Any, Transaction};

use crate::Backend;
use crate::sql::{OnConflict, Value, upsert};

/// A table's name, columns, key and conflict rule.
pub(crate) struct Table {
    pub name: &'static str,
    pub cols: &'static [&'static str],
    pub key: &'static [&'static str],
    pub on_conflict: OnConflict<'static>,
}

impl Table {
    /// Upserts rows shaped like `cols` inside `tx`.
    pub async fn write(
        &self,
        tx: &mut Transaction<'_, Any>,
        backend: Backend,
        rows: &[Vec<Value>],
    ) -> Result<u64, sqlx::Error> {
        self.write_rule(tx, backend, self.name, self.on_conflict, rows)
            .await
    }

    /// Writes rows into this table's staging twin (`import_<name>`): on
    /// PostgreSQL an upsert with the same merge rule, on SQLite a plain
    /// append merged at publishing (see [`crate::import`]).
    pub async fn stage(
        &self,
        tx: &mut Transaction<'_, Any>,
        backend: Backend,
        rows: &[Vec<Value>],
    ) -> Result<u64, sqlx::Error> {
        let rule = match backend {
            Backend::Sqlite => OnConflict::Append,
            Backend::Postgres => self.on_conflict,
        };
        self.write_rule(tx, backend, &self.staging_name(), rule, rows)
            .await
    }

    /// The staging twin's name.
    pub fn staging_name(&self) -> String {
        format!("import_{}", self.name)
    }

    async fn write_rule(
        &self,
        tx: &mut Transaction<'_, Any>,
        backend: Backend,
        name: &str,
        rule: OnConflict<'_>,
        rows: &[Vec<Value>],
    ) -> Result<u64, sqlx::Error> {
        if rows.is_empty() {
            return Ok(0);
        }
        upsert(tx, backend, name, self.cols, self.key, rule, rows).await
    }
}

const ITEM_COLS: &[&str] = &[
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

/// Items: empty fields keep what is stored.
pub(crate) const ITEMS: Table = Table {
    name: "items",
    cols: ITEM_COLS,
    key: &["item_id"],
    on_conflict: OnConflict::Coalesce {
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
    },
};

/// Items, replacing every column (the API's `PUT`: a field left out is cleared).
pub(crate) const ITEMS_REPLACE: Table = Table {
    on_conflict: OnConflict::Update(ITEM_COLS.split_at(1).1),
    ..ITEMS
};

/// Users: empty attributes keep what is stored.
pub(crate) const USERS: Table = Table {
    name: "users",
    cols: &["user_id", "attributes", "updated_at"],
    key: &["user_id"],
    on_conflict: OnConflict::Coalesce {
        set: &["updated_at"],
        keep_if_null: &["attributes"],
    },
};

/// Users, replacing attributes (the API's `PUT`).
pub(crate) const USERS_REPLACE: Table = Table {
    on_conflict: OnConflict::Update(&["attributes", "updated_at"]),
    ..USERS
};

const EVENT_COLS: &[&str] = &[
    "event_id",
    "user_id",
    "item_id",
    "event_type",
    "value",
    "ts",
];

/// Events from imports: a re-imported id overwrites.
pub(crate) const EVENTS: Table = Table {
    name: "events",
    cols: EVENT_COLS,
    key: &["event_id"],
    on_conflict: OnConflict::Update(EVENT_COLS.split_at(1).1),
};

/// Events from the API, with their feed number (`crate::feed`): a re-sent
/// id is ignored.
pub(crate) const EVENTS_ONCE: Table = Table {
    cols: &[
        "event_id",
        "user_id",
        "item_id",
        "event_type",
        "value",
        "ts",
        "seq",
    ],
    on_conflict: OnConflict::Nothing,
    ..EVENTS
};

const SALE_COLS: &[&str] = &[
    "date",
    "item_id",
    "store_id",
    "units",
    "returned_units",
    "price",
    "promo",
    "cost",
];

pub(crate) const SALES: Table = Table {
    name: "sales",
    cols: SALE_COLS,
    key: &["item_id", "store_id", "date"],
    on_conflict: OnConflict::Update(SALE_COLS.split_at(3).1),
};

const INVENTORY_COLS: &[&str] = &[
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

pub(crate) const INVENTORY: Table = Table {
    name: "inventory",
    cols: INVENTORY_COLS,
    key: &["item_id", "store_id"],
    on_conflict: OnConflict::Update(INVENTORY_COLS.split_at(2).1),
};

const ORDER_COLS: &[&str] = &[
    "order_id",
    "user_id",
    "status",
    "created_at",
    "updated_at",
    "total",
];

pub(crate) const ORDERS: Table = Table {
    name: "orders",
    cols: ORDER_COLS,
    key: &["order_id"],
    on_conflict: OnConflict::Update(ORDER_COLS.split_at(1).1),
};

const LINE_COLS: &[&str] = &["order_id", "line_no", "item_id", "quantity", "price"];

pub(crate) const ORDER_LINES: Table = Table {
    name: "order_lines",
    cols: LINE_COLS,
    key: &["order_id", "line_no"],
    on_conflict: OnConflict::Update(LINE_COLS.split_at(2).1),
};

const FAQ_COLS: &[&str] = &["faq_id", "question", "answer", "intent"];

pub(crate) const FAQ: Table = Table {
    name: "faq",
    cols: FAQ_COLS,
    key: &["faq_id"],
    on_conflict: OnConflict::Update(FAQ_COLS.split_at(1).1),
};

const INTENT_COLS: &[&str] = &["example_id", "text", "intent"];

pub(crate) const INTENTS: Table = Table {
    name: "intents",
    cols: INTENT_COLS,
    key: &["example_id"],
    on_conflict: OnConflict::Update(INTENT_COLS.split_at(1).1),
};

pub(crate) const SERIES: Table = Table {
    name: "series",
    cols: &["series_id", "t", "value"],
    key: &["series_id", "t"],
    on_conflict: OnConflict::Update(&["value"]),
};

pub(crate) const USER_STUBS: Table = Table {
    name: "users",
    cols: &["user_id", "updated_at"],
    key: &["user_id"],
    on_conflict: OnConflict::Nothing,
};

pub(crate) const ITEM_STUBS: Table = Table {
    name: "items",
    cols: &["item_id", "active", "updated_at"],
    key: &["item_id"],
    on_conflict: OnConflict::Nothing,
};

/// Stable id of a text-keyed row (FAQ question, intent example): FNV-1a of
/// the trimmed, lower-cased text.
pub(crate) fn text_key(prefix: &str, text: &str) -> String {
    let mut h = Fnv1a::new();
    h.write(text.trim().to_lowercase().as_bytes());
    format!("{prefix}{:016x}", h.finish())
}

fn json(m: &Attributes) -> Option<String> {
    (!m.is_empty()).then(|| serde_json::to_string(m).unwrap_or_default())
}

pub(crate) fn item_row(i: Item, ts: i64) -> Vec<Value> {
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

pub(crate) fn user_row(u: User, ts: i64) -> Vec<Value> {
    vec![
        Value::Text(u.user_id),
        Value::OptText(json(&u.attributes)),
        Value::Int(ts),
    ]
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

pub(crate) fn sale_row(s: Sale) -> Vec<Value> {
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
}

pub(crate) fn inventory_row(p: InventoryPosition) -> Vec<Value> {
    let mut row = vec![Value::Text(p.item_id), Value::Text(p.store_id)];
    row.extend(
        [
            p.on_hand,
            p.on_order,
            p.lead_time_days,
            p.lead_time_std_days,
            p.unit_cost,
            p.holding_cost_rate,
            p.order_cost,
            p.moq,
            p.case_pack,
        ]
        .map(Value::Real),
    );
    row
}

/// The order's head row and its line rows.
pub(crate) fn order_rows(o: Order) -> (Vec<Value>, Vec<Vec<Value>>) {
    let total = o.total();
    let lines = o
        .lines
        .into_iter()
        .enumerate()
        .map(|(n, l)| {
            vec![
                Value::Text(o.order_id.clone()),
                Value::Int(n as i64),
                Value::Text(l.item_id),
                Value::Real(l.quantity),
                Value::Real(l.price),
            ]
        })
        .collect();
    let head = vec![
        Value::Text(o.order_id),
        Value::Text(o.user_id),
        Value::Text(o.status),
        Value::Int(o.created_at),
        Value::Int(o.updated_at),
        Value::Real(total),
    ];
    (head, lines)
}

pub(crate) fn faq_row(f: FaqEntry) -> Vec<Value> {
    vec![
        Value::Text(text_key("faq-", &f.question)),
        Value::Text(f.question),
        Value::Text(f.answer),
        Value::OptText(f.intent),
    ]
}

pub(crate) fn intent_row(i: IntentExample) -> Vec<Value> {
    vec![
        Value::Text(text_key("int-", &i.text)),
        Value::Text(i.text),
        Value::Text(i.intent),
    ]
}

pub(crate) fn series_row(p: SeriesPoint) -> Vec<Value> {
    vec![
        Value::Text(p.series_id),
        Value::Int(p.t),
        Value::Real(p.value),
    ]
}

/// Inserts id-only rows for users and items that do not exist yet.
pub(crate) async fn insert_stubs(
    tx: &mut Transaction<'_, Any>,
    backend: Backend,
    users: impl IntoIterator<Item = String>,
    items: impl IntoIterator<Item = String>,
    ts: i64,
) -> Result<(), sqlx::Error> {
    let users: Vec<_> = users
        .into_iter()
        .map(|u| vec![Value::Text(u), Value::Int(ts)])
        .collect();
    USER_STUBS.write(tx, backend, &users).await?;
    let items: Vec<_> = items
        .into_iter()
        .map(|i| vec![Value::Text(i), Value::Int(1), Value::Int(ts)])
        .collect();
    ITEM_STUBS.write(tx, backend, &items).await?;
    Ok(())
}
