//! Record-level validation: the rules every record obeys before it is
//! stored, whichever door it came through (CSV import, HTTP API, the
//! generator). One rule set, so the importers and the API refuse the same
//! things with the same words, and so that nothing reaches a database that
//! one of the two backends cannot store.
//!
//! Two facts of PostgreSQL set limits that SQLite would not need: `text`
//! cannot hold the NUL character (`invalid byte sequence for encoding
//! "UTF8": 0x00`), and a B-tree index entry must fit in about a third of a
//! page (2,704 bytes with 8 KiB pages), so indexed columns (ids, the
//! category) are kept well below that. Every field is checked against both,
//! on both backends, so a store can move from SQLite to PostgreSQL without
//! a row being refused on the way.
//!
//! Each error names its field with the record's own field name
//! ([`RecordError::field`]); readers map it back to their file's column.

use super::{
    Event, FaqEntry, IntentExample, InventoryPosition, Item, Order, Record, Sale, SeriesPoint, User,
};

/// Longest accepted id or label (order status, intent), in bytes.
pub const MAX_ID_LEN: usize = 256;
/// Longest single-line text (title, brand, a tag, an attribute), in bytes.
pub const MAX_LINE_LEN: usize = 1024;
/// Longest category path, in bytes (indexed).
pub const MAX_CATEGORY_LEN: usize = 512;
/// Longest free text (description, FAQ answer, intent example), in bytes.
pub const MAX_TEXT_LEN: usize = 65_536;
/// Longest attribute value, in bytes.
pub const MAX_ATTRIBUTE_LEN: usize = 4096;
/// Most tags or attributes on one record.
pub const MAX_ENTRIES: usize = 256;
/// How far past "now" a time may lie (clock skew between shop systems).
pub const MAX_FUTURE_SECS: i64 = 86_400;

/// A field that breaks a record-level rule.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RecordError {
    /// A required id is empty.
    #[error("`{field}` must not be empty")]
    EmptyId {
        /// The field name.
        field: &'static str,
    },
    /// An id is longer than [`MAX_ID_LEN`] or holds control characters.
    #[error("`{field}` is not a valid id (at most {MAX_ID_LEN} bytes, no control characters)")]
    BadId {
        /// The field name.
        field: &'static str,
    },
    /// A text is too long or holds characters that cannot be stored.
    #[error("`{field}` must be at most {max} bytes with no control characters{}", if *.multiline { " (tabs and line breaks are fine)" } else { "" })]
    BadText {
        /// The field name.
        field: &'static str,
        /// Its limit in bytes.
        max: usize,
        /// Whether tabs and line breaks are allowed.
        multiline: bool,
    },
    /// An attribute's name or value is too long or holds control characters.
    #[error(
        "attribute `{}` must have a name of at most {MAX_ID_LEN} bytes and a value of at most {MAX_ATTRIBUTE_LEN} bytes, with no control characters",
        .key.chars().take(64).collect::<String>()
    )]
    BadAttribute {
        /// The attribute's name (the column it came from).
        key: String,
    },
    /// More tags or attributes than [`MAX_ENTRIES`].
    #[error("`{field}` has more than {MAX_ENTRIES} entries")]
    TooMany {
        /// The field name.
        field: &'static str,
    },
    /// A number that must be finite and non-negative is not.
    #[error("`{field}` must be a finite number ≥ 0, got {value}")]
    Negative {
        /// The field name.
        field: &'static str,
        /// The offending value.
        value: f64,
    },
    /// A number that must be finite is not.
    #[error("`{field}` must be a finite number")]
    NotFinite {
        /// The field name.
        field: &'static str,
    },
    /// A time before 1970 or more than a day after now.
    #[error("`{field}` must lie between 1970-01-01 and one day from now")]
    TimeOutOfRange {
        /// The field name.
        field: &'static str,
    },
    /// An event type that shopmind does not know.
    #[error(
        "unknown event type `{0}` (expected view, click, cart, purchase, rating, dislike or return)"
    )]
    UnknownEventType(String),
}

impl RecordError {
    /// The record field at fault (`attributes` errors name the attribute).
    pub fn field(&self) -> &str {
        match self {
            RecordError::EmptyId { field }
            | RecordError::BadId { field }
            | RecordError::BadText { field, .. }
            | RecordError::TooMany { field }
            | RecordError::Negative { field, .. }
            | RecordError::NotFinite { field }
            | RecordError::TimeOutOfRange { field } => field,
            RecordError::BadAttribute { key } => key,
            RecordError::UnknownEventType(_) => "event_type",
        }
    }
}

/// Checks an external id (or a label such as an order status).
pub fn validate_id(field: &'static str, id: &str) -> Result<(), RecordError> {
    if id.is_empty() {
        return Err(RecordError::EmptyId { field });
    }
    if id.len() > MAX_ID_LEN || id.chars().any(char::is_control) {
        return Err(RecordError::BadId { field });
    }
    Ok(())
}

/// Checks a one-line text: at most `max` bytes, no control characters.
pub fn validate_line(field: &'static str, s: &str, max: usize) -> Result<(), RecordError> {
    if s.len() > max || s.chars().any(char::is_control) {
        return Err(RecordError::BadText {
            field,
            max,
            multiline: false,
        });
    }
    Ok(())
}

/// Checks a free text: at most `max` bytes, no control characters but tab,
/// line feed and carriage return.
pub fn validate_text(field: &'static str, s: &str, max: usize) -> Result<(), RecordError> {
    if s.len() > max
        || s.chars()
            .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        return Err(RecordError::BadText {
            field,
            max,
            multiline: true,
        });
    }
    Ok(())
}

/// Checks a Unix time: from 1970 to [`MAX_FUTURE_SECS`] after `now`. The
/// HTTP API and the importers share this rule.
pub fn validate_time(field: &'static str, ts: i64, now: i64) -> Result<(), RecordError> {
    if ts < 0 || ts > now.saturating_add(MAX_FUTURE_SECS) {
        return Err(RecordError::TimeOutOfRange { field });
    }
    Ok(())
}

fn non_negative(field: &'static str, value: f64) -> Result<(), RecordError> {
    if !value.is_finite() || value < 0.0 {
        return Err(RecordError::Negative { field, value });
    }
    Ok(())
}

fn opt_line(field: &'static str, s: &Option<String>, max: usize) -> Result<(), RecordError> {
    s.as_deref()
        .map_or(Ok(()), |s| validate_line(field, s, max))
}

/// Attribute names are id-like, values texts of at most [`MAX_ATTRIBUTE_LEN`].
pub(crate) fn validate_attributes(a: &super::Attributes) -> Result<(), RecordError> {
    if a.len() > MAX_ENTRIES {
        return Err(RecordError::TooMany {
            field: "attributes",
        });
    }
    for (k, v) in a {
        if validate_id("attributes", k).is_err()
            || validate_text("attributes", v, MAX_ATTRIBUTE_LEN).is_err()
        {
            return Err(RecordError::BadAttribute { key: k.clone() });
        }
    }
    Ok(())
}

impl Item {
    /// Checks the id, the texts and the numbers.
    pub fn validate(&self) -> Result<(), RecordError> {
        validate_id("item_id", &self.item_id)?;
        opt_line("title", &self.title, MAX_LINE_LEN)?;
        if let Some(d) = &self.description {
            validate_text("description", d, MAX_TEXT_LEN)?;
        }
        opt_line("category", &self.category, MAX_CATEGORY_LEN)?;
        opt_line("brand", &self.brand, MAX_LINE_LEN)?;
        if let Some(p) = self.price {
            non_negative("price", p)?;
        }
        if let Some(c) = self.cost {
            non_negative("cost", c)?;
        }
        if self.tags.len() > MAX_ENTRIES {
            return Err(RecordError::TooMany { field: "tags" });
        }
        for t in &self.tags {
            validate_line("tags", t, MAX_ID_LEN)?;
        }
        validate_attributes(&self.attributes)
    }
}

impl User {
    /// Checks the id and the attributes.
    pub fn validate(&self) -> Result<(), RecordError> {
        validate_id("user_id", &self.user_id)?;
        validate_attributes(&self.attributes)
    }
}

impl Event {
    /// Checks ids, that the value is finite and ≥ 0 (a return carries a
    /// positive quantity; its type says it went back), and that the time
    /// lies between 1970 and a day after `now`.
    pub fn validate(&self, now: i64) -> Result<(), RecordError> {
        validate_id("event_id", &self.event_id)?;
        validate_id("user_id", &self.user_id)?;
        validate_id("item_id", &self.item_id)?;
        non_negative("value", self.value)?;
        validate_time("timestamp", self.timestamp, now)
    }
}

impl Sale {
    /// Checks ids, numbers and that the date is not before 1970 or after
    /// tomorrow (relative to `now`).
    pub fn validate(&self, now: i64) -> Result<(), RecordError> {
        validate_time("date", self.date.timestamp(), now)?;
        validate_id("item_id", &self.item_id)?;
        validate_id("store_id", &self.store_id)?;
        non_negative("units", self.units)?;
        non_negative("returned_units", self.returned_units)?;
        non_negative("price", self.price)?;
        if let Some(c) = self.cost {
            non_negative("cost", c)?;
        }
        Ok(())
    }
}

impl InventoryPosition {
    /// Checks ids and that every quantity is finite and ≥ 0.
    pub fn validate(&self) -> Result<(), RecordError> {
        validate_id("item_id", &self.item_id)?;
        validate_id("store_id", &self.store_id)?;
        for (field, v) in [
            ("on_hand", self.on_hand),
            ("on_order", self.on_order),
            ("lead_time_days", self.lead_time_days),
            ("lead_time_std_days", self.lead_time_std_days),
            ("unit_cost", self.unit_cost),
            ("holding_cost_rate", self.holding_cost_rate),
            ("order_cost", self.order_cost),
            ("moq", self.moq),
            ("case_pack", self.case_pack),
        ] {
            non_negative(field, v)?;
        }
        Ok(())
    }
}

impl Order {
    /// Checks ids, the status label, the times (against `now`) and lines.
    pub fn validate(&self, now: i64) -> Result<(), RecordError> {
        validate_id("order_id", &self.order_id)?;
        validate_id("user_id", &self.user_id)?;
        validate_id("status", &self.status)?;
        validate_time("created_at", self.created_at, now)?;
        validate_time("updated_at", self.updated_at, now)?;
        for line in &self.lines {
            validate_id("item_id", &line.item_id)?;
            non_negative("quantity", line.quantity)?;
            non_negative("price", line.price)?;
        }
        Ok(())
    }
}

impl FaqEntry {
    /// Checks the texts and the intent label.
    pub fn validate(&self) -> Result<(), RecordError> {
        if self.question.trim().is_empty() {
            return Err(RecordError::EmptyId { field: "question" });
        }
        validate_text("question", &self.question, MAX_TEXT_LEN)?;
        if self.answer.trim().is_empty() {
            return Err(RecordError::EmptyId { field: "answer" });
        }
        validate_text("answer", &self.answer, MAX_TEXT_LEN)?;
        match &self.intent {
            Some(i) => validate_id("intent", i),
            None => Ok(()),
        }
    }
}

impl IntentExample {
    /// Checks the text and the label.
    pub fn validate(&self) -> Result<(), RecordError> {
        if self.text.trim().is_empty() {
            return Err(RecordError::EmptyId { field: "text" });
        }
        validate_text("text", &self.text, MAX_TEXT_LEN)?;
        validate_id("intent", &self.intent)
    }
}

impl SeriesPoint {
    /// Checks the id and that the value is finite.
    pub fn validate(&self) -> Result<(), RecordError> {
        validate_id("series_id", &self.series_id)?;
        if !self.value.is_finite() {
            return Err(RecordError::NotFinite { field: "value" });
        }
        Ok(())
    }
}

impl Record {
    /// Checks the record by its kind's rules; times against `now` (Unix
    /// seconds).
    pub fn validate(&self, now: i64) -> Result<(), RecordError> {
        match self {
            Record::Item(r) => r.validate(),
            Record::User(r) => r.validate(),
            Record::Event(r) => r.validate(now),
            Record::Sale(r) => r.validate(now),
            Record::Inventory(r) => r.validate(),
            Record::Order(r) => r.validate(now),
            Record::Faq(r) => r.validate(),
            Record::Intent(r) => r.validate(),
            Record::Series(r) => r.validate(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{OrderLine, User};
    use super::*;
    use crate::time::Date;

    const NOW: i64 = 1_767_225_600; // 2026-01-01

    #[test]
    fn validation_names_the_field() {
        let mut item = Item::new("");
        assert_eq!(
            item.validate(),
            Err(RecordError::EmptyId { field: "item_id" })
        );
        item.item_id = "ok".into();
        item.price = Some(-1.0);
        let e = item.validate().unwrap_err();
        assert!(matches!(e, RecordError::Negative { field: "price", .. }));
        assert_eq!(e.field(), "price");
        assert!(validate_id("user_id", "a\nb").is_err());
        assert!(validate_id("user_id", &"x".repeat(MAX_ID_LEN + 1)).is_err());
        let order = Order {
            order_id: "o1".into(),
            user_id: "u1".into(),
            status: "paid".into(),
            created_at: 0,
            updated_at: 0,
            lines: vec![
                OrderLine {
                    item_id: "a".into(),
                    quantity: 2.0,
                    price: 1.5,
                },
                OrderLine {
                    item_id: "b".into(),
                    quantity: 1.0,
                    price: 4.0,
                },
            ],
        };
        assert_eq!(order.total(), 7.0);
        assert!(order.validate(NOW).is_ok());
    }

    #[test]
    fn texts_refuse_what_a_backend_cannot_store() {
        let with = |f: fn(&mut Item)| {
            let mut i = Item::new("a");
            f(&mut i);
            i.validate().map_err(|e| e.field().to_owned())
        };
        assert_eq!(
            with(|i| i.title = Some("a\u{0}b".into())),
            Err("title".into())
        );
        assert_eq!(
            with(|i| i.category = Some("x".repeat(MAX_CATEGORY_LEN + 1))),
            Err("category".into())
        );
        assert_eq!(
            with(|i| i.category = Some("x".repeat(MAX_CATEGORY_LEN))),
            Ok(())
        );
        // Descriptions keep their line breaks and tabs, but not a NUL.
        assert_eq!(with(|i| i.description = Some("a\n\tb\r\n".into())), Ok(()));
        assert_eq!(
            with(|i| i.description = Some("a\u{0}".into())),
            Err("description".into())
        );
        assert_eq!(
            with(|i| i.tags = vec!["ok".into(), "b\u{7}".into()]),
            Err("tags".into())
        );
        assert_eq!(
            with(|i| {
                i.attributes.insert("color".into(), "red\u{0}".into());
            }),
            Err("color".into())
        );
        let u = User {
            user_id: "u".into(),
            attributes: [("\u{1}".to_owned(), "x".to_owned())].into(),
        };
        assert!(matches!(
            u.validate(),
            Err(RecordError::BadAttribute { .. })
        ));
        let faq = FaqEntry {
            question: "q".into(),
            answer: "a".into(),
            intent: Some("re\u{0}turns".into()),
        };
        assert_eq!(faq.validate().unwrap_err().field(), "intent");
        let ex = IntentExample {
            text: "hi".into(),
            intent: "greet\nx".into(),
        };
        assert_eq!(ex.validate().unwrap_err().field(), "intent");
    }

    #[test]
    fn times_lie_between_1970_and_tomorrow() {
        assert!(validate_time("t", 0, NOW).is_ok());
        assert!(validate_time("t", NOW + MAX_FUTURE_SECS, NOW).is_ok());
        assert!(validate_time("t", NOW + MAX_FUTURE_SECS + 1, NOW).is_err());
        assert!(validate_time("t", -1, NOW).is_err());
        let sale = |d: Date| Sale {
            date: d,
            item_id: "a".into(),
            store_id: "s".into(),
            units: 1.0,
            returned_units: 0.0,
            price: 1.0,
            promo: false,
            cost: None,
        };
        let far = sale(Date::from_ymd(2099, 1, 1).unwrap());
        assert_eq!(far.validate(NOW).unwrap_err().field(), "date");
        let year0 = sale(Date::from_ymd(0, 1, 1).unwrap());
        assert_eq!(year0.validate(NOW).unwrap_err().field(), "date");
        assert!(
            sale(Date::from_ymd(2025, 12, 31).unwrap())
                .validate(NOW)
                .is_ok()
        );
    }
}
