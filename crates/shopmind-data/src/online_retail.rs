//! UCI Online Retail (Chen, 2015): invoice lines of a UK gift shop with
//! InvoiceNo, StockCode, Description, Quantity, InvoiceDate, UnitPrice,
//! CustomerID, Country.
//!
//! How lines map to records:
//! - a line with a CustomerID becomes a `purchase` event (value = quantity);
//!   a cancellation (invoice `C…`, negative quantity) becomes a `return`
//!   event. Event keys are `{invoice}/{stock code}/{n}` with `n` the line's
//!   occurrence within its invoice, so re-importing upserts;
//! - every sale line, with or without a customer, adds to the daily sales of
//!   its item (units, revenue-weighted price; cancellations add to
//!   `returned_units`), so anonymous sales still count as demand;
//! - descriptions and the latest unit price update the catalog;
//! - lines that are neither sales nor returns are skipped and counted:
//!   stock adjustments (negative quantity on a non-cancellation invoice),
//!   bad-debt adjustments (invoice `A…`) and zero or negative prices.
//!
//! Daily aggregates are flushed when the date changes, so memory holds one
//! day of items; the file must therefore be in date order (it is, as
//! published), and a line dated before the day being aggregated is an error.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::Path;

use shopmind_core::record::{
    Event, EventType, Item, MAX_LINE_LEN, Record, Sale, User, validate_id, validate_line,
};
use shopmind_core::time::{Date, parse_timestamp};

use crate::error::{ImportError, RowError};
use crate::source::{CsvTable, Header, Row};

/// Counters reported at the end of an Online Retail import.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RetailSummary {
    /// Data lines read.
    pub lines: u64,
    /// Sale lines (positive quantity, positive price).
    pub sale_lines: u64,
    /// Sale lines without a CustomerID (anonymous sales).
    pub anonymous_sale_lines: u64,
    /// Cancellation lines (returns).
    pub return_lines: u64,
    /// Cancellation lines without a CustomerID.
    pub anonymous_return_lines: u64,
    /// Lines skipped as stock, bad-debt or price adjustments.
    pub adjustment_lines: u64,
}

#[derive(Default)]
struct DayItem {
    units: f64,
    revenue: f64,
    returned: f64,
    last_price: f64,
    title: Option<String>,
}

#[derive(Clone, Copy)]
struct Cols {
    invoice: usize,
    stock: usize,
    desc: Option<usize>,
    qty: usize,
    date: usize,
    price: usize,
    customer: Option<usize>,
    country: Option<usize>,
}

/// Streams records from an Online Retail CSV (plain or `.gz`).
pub struct OnlineRetailReader {
    table: CsvTable,
    state: State,
}

/// Aggregation state, apart from the table so a row can borrow the table
/// while the state changes.
struct State {
    cols: Cols,
    day: Option<Date>,
    day_items: BTreeMap<String, DayItem>,
    invoice: String,
    occurrences: HashMap<String, u32>,
    pending: VecDeque<Record>,
    summary: RetailSummary,
    finished: bool,
    /// Invoice times are checked against this (Unix seconds).
    now: i64,
}

impl OnlineRetailReader {
    /// Opens the file and checks its header.
    pub fn open(path: &Path) -> Result<Self, ImportError> {
        let table = CsvTable::open(path, b',', Header::InFile)?;
        let cols = Cols {
            invoice: table
                .require("invoiceno")
                .or_else(|_| table.require("invoice"))?,
            stock: table.require("item_id")?,
            desc: table.column("description"),
            qty: table.require("units")?,
            date: table
                .require("invoicedate")
                .or_else(|_| table.require("invoice_date"))?,
            price: table
                .require("unitprice")
                .or_else(|_| table.require("price"))?,
            customer: table.column("user_id"),
            country: table.column("country"),
        };
        let state = State {
            cols,
            day: None,
            day_items: BTreeMap::new(),
            invoice: String::new(),
            occurrences: HashMap::new(),
            pending: VecDeque::new(),
            summary: RetailSummary::default(),
            finished: false,
            now: crate::canonical::unix_now(),
        };
        Ok(OnlineRetailReader { table, state })
    }

    /// The counters so far (complete once the iterator is exhausted).
    pub fn summary(&self) -> RetailSummary {
        self.state.summary
    }

    /// Bytes read and total bytes (for progress).
    pub fn progress(&self) -> (u64, u64) {
        (self.table.progress.bytes(), self.table.size)
    }
}

impl State {
    fn flush_day(&mut self) {
        let Some(day) = self.day else { return };
        for (item_id, agg) in std::mem::take(&mut self.day_items) {
            let price = if agg.units > 0.0 {
                agg.revenue / agg.units
            } else {
                agg.last_price
            };
            if agg.title.is_some() || agg.last_price > 0.0 {
                let mut item = Item::new(item_id.clone());
                item.title = agg.title;
                item.price = (agg.last_price > 0.0).then_some(agg.last_price);
                self.pending.push_back(Record::Item(item));
            }
            self.pending.push_back(Record::Sale(Sale {
                date: day,
                item_id,
                store_id: "all".into(),
                units: agg.units,
                returned_units: agg.returned,
                price,
                promo: false,
                cost: None,
            }));
        }
    }

    fn line(&mut self, row: &Row<'_>) -> Result<(), RowError> {
        let c = self.cols;
        self.summary.lines += 1;
        let invoice = row.text(c.invoice)?;
        let stock = row.text(c.stock)?;
        validate_id("StockCode", &stock).map_err(|e| row.error(c.stock, e.to_string()))?;
        let qty = row.number(c.qty)?;
        let price = row.number(c.price)?;
        let ts = parse_timestamp(&row.at(c.date)).map_err(|e| row.error(c.date, e.to_string()))?;
        let customer = row
            .opt(c.customer)
            .map(|v| v.strip_suffix(".0").map(str::to_owned).unwrap_or(v));
        let cancellation = invoice.starts_with(['C', 'c']);
        if invoice.starts_with(['A', 'a'])
            || price <= 0.0
            || (qty < 0.0 && !cancellation)
            || qty == 0.0
        {
            self.summary.adjustment_lines += 1;
            return Ok(());
        }
        let date = Date::from_timestamp(ts);
        match self.day {
            Some(d) if date < d => {
                return Err(row.error(
                    c.date,
                    format!("line dated before {d}: Online Retail files must be in date order"),
                ));
            }
            Some(d) if date > d => {
                self.flush_day();
                self.day = Some(date);
            }
            None => self.day = Some(date),
            Some(_) => {}
        }
        let desc = row.opt(c.desc);
        if let (Some(d), Some(col)) = (&desc, c.desc) {
            validate_line("title", d, MAX_LINE_LEN).map_err(|e| row.error(col, e.to_string()))?;
        }
        let agg = self.day_items.entry(stock.clone()).or_default();
        if desc.is_some() {
            agg.title = desc;
        }
        let units = qty.abs();
        if cancellation {
            agg.returned += units;
            self.summary.return_lines += 1;
        } else {
            agg.units += units;
            agg.revenue += units * price;
            agg.last_price = price;
            self.summary.sale_lines += 1;
        }
        let Some(user_id) = customer else {
            if cancellation {
                self.summary.anonymous_return_lines += 1;
            } else {
                self.summary.anonymous_sale_lines += 1;
            }
            return Ok(());
        };
        if invoice != self.invoice {
            self.invoice.clone_from(&invoice);
            self.occurrences.clear();
        }
        let n = self.occurrences.entry(stock.clone()).or_insert(0);
        *n += 1;
        let event = Event {
            event_id: format!("{invoice}/{stock}/{n}"),
            user_id: user_id.clone(),
            item_id: stock,
            event_type: if cancellation {
                EventType::Return
            } else {
                EventType::Purchase
            },
            value: units,
            timestamp: ts,
        };
        event.validate(self.now).map_err(|e| {
            row.record_error(
                &e,
                &[
                    ("user_id", c.customer),
                    ("item_id", Some(c.stock)),
                    ("timestamp", Some(c.date)),
                    ("value", Some(c.qty)),
                ],
                c.customer.unwrap_or(0),
            )
        })?;
        if let Some(country) = row.opt(c.country) {
            let mut user = User::new(user_id);
            user.attributes.insert("country".into(), country);
            user.validate()
                .map_err(|e| row.error(c.country.unwrap_or(0), e.to_string()))?;
            self.pending.push_back(Record::User(user));
        }
        self.pending.push_back(Record::Event(event));
        Ok(())
    }
}

impl Iterator for OnlineRetailReader {
    type Item = Result<Record, ImportError>;

    fn next(&mut self) -> Option<Self::Item> {
        let state = &mut self.state;
        loop {
            if let Some(r) = state.pending.pop_front() {
                return Some(Ok(r));
            }
            if state.finished {
                return None;
            }
            match self.table.next_row() {
                None => {
                    state.finished = true;
                    state.flush_day();
                }
                Some(Err(e)) => return Some(Err(e)),
                Some(Ok(row)) => {
                    if let Err(e) = state.line(&row) {
                        return Some(Err(e.into()));
                    }
                }
            }
        }
    }
}
