//! Readers of the canonical CSV formats (see `docs/formats.md`): items,
//! users, events, sales, inventory, orders, FAQ, intents and series.
//!
//! Column names are matched case-insensitively through
//! [`canonical_column`](crate::source::canonical_column), so the seed layout
//! (`ratings.csv` with user_id, product_id, rating; `products.csv` with
//! product_id, price, sales_volume, market_info) and BANKING77 (`text,category`)
//! read through the `events`, `items` and `intents` readers unchanged.

use shopmind_core::record::{
    Event, EventType, FaqEntry, IntentExample, InventoryPosition, Item, Order, OrderLine, Record,
    Sale, SeriesPoint, User,
};
use shopmind_core::time::{Date, parse_timestamp};

use crate::error::{ImportError, RowError};
use crate::source::{CsvTable, Row};

/// The canonical formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CanonicalKind {
    /// Catalog items.
    Items,
    /// Users.
    Users,
    /// User-item events.
    Events,
    /// Daily sales.
    Sales,
    /// Inventory positions.
    Inventory,
    /// Order lines (rows of one order must be contiguous).
    Orders,
    /// FAQ entries.
    Faq,
    /// Intent examples.
    Intents,
    /// Time-series points.
    Series,
}

/// The items format's own columns, `item_id` (required) first; any other
/// column becomes an attribute. Writers of the format (the synthetic store)
/// use the same list.
pub const ITEM_COLUMNS: [&str; 9] = [
    "item_id",
    "title",
    "description",
    "category",
    "brand",
    "price",
    "cost",
    "tags",
    "active",
];

/// The inventory format's columns, `item_id` (required) first.
pub const INVENTORY_COLUMNS: [&str; 11] = [
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

/// The columns events are written with (by `generate` and `split`); the
/// events reader takes them back as they are.
pub const EVENT_COLUMNS: [&str; 6] = [
    "event_id",
    "user_id",
    "item_id",
    "event_type",
    "value",
    "timestamp",
];

/// One event as a record under [`EVENT_COLUMNS`] (timestamp in RFC 3339).
pub fn event_record(e: &Event) -> [String; 6] {
    [
        e.event_id.clone(),
        e.user_id.clone(),
        e.item_id.clone(),
        e.event_type.as_str().to_owned(),
        e.value.to_string(),
        shopmind_core::time::format_timestamp(e.timestamp),
    ]
}

/// Column positions resolved once from the header.
struct Cols {
    idx: Vec<Option<usize>>,
}

impl Cols {
    fn get(&self, i: usize) -> Option<usize> {
        self.idx.get(i).copied().flatten()
    }
    fn req(&self, i: usize) -> usize {
        // Required columns are resolved with `require` before any row is read.
        self.get(i).unwrap_or(usize::MAX)
    }
    fn used(&self) -> Vec<usize> {
        self.idx.iter().flatten().copied().collect()
    }
}

/// Streams records of one canonical kind from a CSV table.
pub struct CanonicalReader {
    table: CsvTable,
    kind: CanonicalKind,
    cols: Cols,
    /// Order being assembled from contiguous rows.
    open_order: Option<Order>,
    done: bool,
    /// Unix seconds that times are checked against (no later than a day after).
    now: i64,
}

/// The current Unix time in seconds.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

impl CanonicalReader {
    /// Resolves the header of `table` for `kind`; fails when a required column is missing.
    pub fn new(table: CsvTable, kind: CanonicalKind) -> Result<Self, ImportError> {
        use CanonicalKind as K;
        let (required, optional): (&[&'static str], &[&'static str]) = match kind {
            K::Items => ITEM_COLUMNS.split_at(1),
            K::Users => (&["user_id"], &[]),
            K::Events => (
                &["user_id", "item_id"],
                &[
                    "event_type",
                    "value",
                    "rating",
                    "units",
                    "timestamp",
                    "event_id",
                ],
            ),
            K::Sales => (
                &["date", "item_id", "units", "price"],
                &["store_id", "promo", "cost", "returned_units"],
            ),
            K::Inventory => INVENTORY_COLUMNS.split_at(1),
            K::Orders => (
                &["order_id", "user_id", "status", "item_id"],
                &["created_at", "updated_at", "units", "price"],
            ),
            K::Faq => (&["question", "answer"], &["intent"]),
            K::Intents => (&["text"], &["intent", "category"]),
            K::Series => (&["series_id", "t", "value"], &[]),
        };
        let mut idx = Vec::new();
        for name in required {
            idx.push(Some(table.require(name)?));
        }
        for name in optional {
            idx.push(table.column(name));
        }
        // BANKING77 names the label `category`; either column will do.
        if kind == K::Intents && idx[1].is_none() && idx[2].is_none() {
            table.require("intent")?;
        }
        Ok(CanonicalReader {
            table,
            kind,
            cols: Cols { idx },
            open_order: None,
            done: false,
            now: unix_now(),
        })
    }

    /// The same reader checking times against `now` instead of the clock.
    pub fn with_now(self, now: i64) -> Self {
        CanonicalReader { now, ..self }
    }

    /// The underlying table (for progress).
    pub fn table(&self) -> &CsvTable {
        &self.table
    }

    fn parse(kind: CanonicalKind, c: &Cols, row: &Row<'_>, now: i64) -> Result<Record, RowError> {
        use CanonicalKind as K;
        Ok(match kind {
            K::Items => {
                let item_col = c.req(0);
                let mut item = Item::new(row.text(item_col)?);
                item.title = row.opt(c.get(1));
                item.description = row.opt(c.get(2));
                item.category = row.opt(c.get(3));
                item.brand = row.opt(c.get(4));
                item.price = row.opt_number(c.get(5))?;
                item.cost = row.opt_number(c.get(6))?;
                item.tags = row
                    .opt(c.get(7))
                    .map(|t| {
                        t.split('|')
                            .map(|s| s.trim().to_owned())
                            .filter(|s| !s.is_empty())
                            .collect()
                    })
                    .unwrap_or_default();
                item.active = row.opt_bool(c.get(8))?.unwrap_or(true);
                item.attributes = row.attributes(&c.used());
                item.validate()
                    .map_err(|e| row.record_error(&e, &[], item_col))?;
                Record::Item(item)
            }
            K::Users => {
                let user = User {
                    user_id: row.text(c.req(0))?,
                    attributes: row.attributes(&c.used()),
                };
                user.validate()
                    .map_err(|e| row.record_error(&e, &[], c.req(0)))?;
                Record::User(user)
            }
            K::Events => {
                let user_id = row.text(c.req(0))?;
                let item_id = row.text(c.req(1))?;
                let event_type = match c.get(2).and_then(|i| row.opt(Some(i)).map(|v| (i, v))) {
                    Some((i, v)) => v
                        .parse::<EventType>()
                        .map_err(|e| row.error(i, e.to_string()))?,
                    None if c.get(4).is_some() => EventType::Rating,
                    None => EventType::Purchase,
                };
                let (value, value_col) = match (
                    row.opt_number(c.get(3))?,
                    row.opt_number(c.get(4))?,
                    row.opt_number(c.get(5))?,
                ) {
                    (Some(v), _, _) => (v, c.get(3)),
                    (None, Some(v), _) => (v, c.get(4)),
                    (None, None, Some(v)) => (v, c.get(5)),
                    (None, None, None) => (1.0, None),
                };
                let timestamp = match c.get(6) {
                    Some(i) if !row.at(i).trim().is_empty() => {
                        parse_timestamp(&row.at(i)).map_err(|e| row.error(i, e.to_string()))?
                    }
                    _ => 0,
                };
                let event_id = row.opt(c.get(7)).unwrap_or_else(|| {
                    Event::derive_id(&user_id, &item_id, event_type, value, timestamp)
                });
                let event = Event {
                    event_id,
                    user_id,
                    item_id,
                    event_type,
                    value,
                    timestamp,
                };
                event
                    .validate(now)
                    .map_err(|e| row.record_error(&e, &[("value", value_col)], c.req(0)))?;
                Record::Event(event)
            }
            K::Sales => {
                let date_col = c.req(0);
                let raw = row.at(date_col);
                let date = Date::parse(&raw)
                    .or_else(|_| parse_timestamp(&raw).map(Date::from_timestamp))
                    .map_err(|e| row.error(date_col, e.to_string()))?;
                let sale = Sale {
                    date,
                    item_id: row.text(c.req(1))?,
                    units: row.number(c.req(2))?,
                    price: row.number(c.req(3))?,
                    store_id: row.opt(c.get(4)).unwrap_or_else(|| "all".into()),
                    promo: row.opt_bool(c.get(5))?.unwrap_or(false),
                    cost: row.opt_number(c.get(6))?,
                    returned_units: row.opt_number(c.get(7))?.unwrap_or(0.0),
                };
                sale.validate(now)
                    .map_err(|e| row.record_error(&e, &[], c.req(1)))?;
                Record::Sale(sale)
            }
            K::Inventory => {
                let num =
                    |i: usize, default: f64| row.opt_number(c.get(i)).map(|v| v.unwrap_or(default));
                let pos = InventoryPosition {
                    item_id: row.text(c.req(0))?,
                    store_id: row.opt(c.get(1)).unwrap_or_else(|| "all".into()),
                    on_hand: num(2, 0.0)?,
                    on_order: num(3, 0.0)?,
                    lead_time_days: num(4, 7.0)?,
                    lead_time_std_days: num(5, 0.0)?,
                    unit_cost: num(6, 0.0)?,
                    holding_cost_rate: num(7, 0.25)?,
                    order_cost: num(8, 0.0)?,
                    moq: num(9, 0.0)?,
                    case_pack: num(10, 1.0)?,
                };
                pos.validate()
                    .map_err(|e| row.record_error(&e, &[], c.req(0)))?;
                Record::Inventory(pos)
            }
            K::Orders => {
                let ts = |i: Option<usize>| -> Result<i64, RowError> {
                    match i {
                        Some(i) if !row.at(i).trim().is_empty() => {
                            parse_timestamp(&row.at(i)).map_err(|e| row.error(i, e.to_string()))
                        }
                        _ => Ok(0),
                    }
                };
                let created_at = ts(c.get(4))?;
                let order = Order {
                    order_id: row.text(c.req(0))?,
                    user_id: row.text(c.req(1))?,
                    status: row.text(c.req(2))?.to_ascii_lowercase(),
                    created_at,
                    updated_at: ts(c.get(5))?.max(created_at),
                    lines: vec![OrderLine {
                        item_id: row.text(c.req(3))?,
                        quantity: row.opt_number(c.get(6))?.unwrap_or(1.0),
                        price: row.opt_number(c.get(7))?.unwrap_or(0.0),
                    }],
                };
                order.validate(now).map_err(|e| {
                    row.record_error(&e, &[("quantity", c.get(6)), ("price", c.get(7))], c.req(0))
                })?;
                Record::Order(order)
            }
            K::Faq => {
                let faq = FaqEntry {
                    question: row.text(c.req(0))?,
                    answer: row.text(c.req(1))?,
                    intent: row.opt(c.get(2)),
                };
                faq.validate()
                    .map_err(|e| row.record_error(&e, &[], c.req(0)))?;
                Record::Faq(faq)
            }
            K::Intents => {
                let label_col = c.get(1).or(c.get(2)).unwrap_or(usize::MAX);
                let example = IntentExample {
                    text: row.text(c.req(0))?,
                    intent: row.text(label_col)?,
                };
                example
                    .validate()
                    .map_err(|e| row.record_error(&e, &[("intent", Some(label_col))], c.req(0)))?;
                Record::Intent(example)
            }
            K::Series => {
                let t_col = c.req(1);
                let raw = row.at(t_col);
                let raw = raw.trim();
                let t = match raw.parse::<i64>() {
                    Ok(t) => t,
                    Err(_) => Date::parse(raw)
                        .map(|d| i64::from(d.0))
                        .map_err(|e| row.error(t_col, e.to_string()))?,
                };
                let point = SeriesPoint {
                    series_id: row.text(c.req(0))?,
                    t,
                    value: row.number(c.req(2))?,
                };
                point
                    .validate()
                    .map_err(|e| row.record_error(&e, &[], c.req(0)))?;
                Record::Series(point)
            }
        })
    }
}

impl Iterator for CanonicalReader {
    type Item = Result<Record, ImportError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.done {
                return self.open_order.take().map(|o| Ok(Record::Order(o)));
            }
            let parsed = match self.table.next_row() {
                None => {
                    self.done = true;
                    continue;
                }
                Some(Err(e)) => return Some(Err(e)),
                Some(Ok(row)) => Self::parse(self.kind, &self.cols, &row, self.now),
            };
            let record = match parsed {
                Ok(r) => r,
                Err(e) => return Some(Err(e.into())),
            };
            let Record::Order(order) = record else {
                return Some(Ok(record));
            };
            // Contiguous rows of one order merge into it.
            match &mut self.open_order {
                Some(open) if open.order_id == order.order_id => {
                    open.lines.extend(order.lines);
                    open.updated_at = open.updated_at.max(order.updated_at);
                }
                _ => {
                    if let Some(prev) = self.open_order.replace(order) {
                        return Some(Ok(Record::Order(prev)));
                    }
                }
            }
        }
    }
}
