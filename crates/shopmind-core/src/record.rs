//! The retail records shopmind reads, stores and learns from.
//!
//! Records carry external string ids, as the shop names things; training code
//! maps them to dense indices with an [`Interner`](crate::Interner) and works
//! on [`Interaction`]s. Validation that needs no other record (non-empty ids,
//! finite non-negative prices, known event types) lives here so that the CSV
//! importers and the HTTP API reject the same things with the same words.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::time::Date;

mod category;
mod validate;

pub use category::{category_levels, normalize_category};

pub use validate::{
    MAX_ATTRIBUTE_LEN, MAX_CATEGORY_LEN, MAX_ENTRIES, MAX_FUTURE_SECS, MAX_ID_LEN, MAX_LINE_LEN,
    MAX_TEXT_LEN, RecordError, validate_id, validate_line, validate_text, validate_time,
};

/// Free-form attributes of an item or user (`color = "red"`), kept sorted so
/// their serialized form is stable.
pub type Attributes = BTreeMap<String, String>;

/// A catalog item.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Item {
    /// External id (SKU).
    pub item_id: String,
    /// Display title.
    pub title: Option<String>,
    /// Longer text; feeds description-based recommendation and search.
    pub description: Option<String>,
    /// Category path, `A > B > C`.
    pub category: Option<String>,
    /// Brand name.
    pub brand: Option<String>,
    /// Current selling price.
    pub price: Option<f64>,
    /// Unit cost.
    pub cost: Option<f64>,
    /// Tags.
    pub tags: Vec<String>,
    /// Whether the item can be recommended and sold.
    pub active: bool,
    /// Any other column.
    pub attributes: Attributes,
}

impl Item {
    /// An active item with only an id.
    pub fn new(item_id: impl Into<String>) -> Item {
        Item {
            item_id: item_id.into(),
            active: true,
            ..Item::default()
        }
    }
}

/// A shopper.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct User {
    /// External id.
    pub user_id: String,
    /// Any other column (segment, country, ...).
    pub attributes: Attributes,
}

impl User {
    /// A user with only an id.
    pub fn new(user_id: impl Into<String>) -> User {
        User {
            user_id: user_id.into(),
            attributes: Attributes::new(),
        }
    }
}

/// What a user did with an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventType {
    /// Looked at the product page.
    View,
    /// Clicked a recommendation or listing.
    Click,
    /// Added to the cart.
    Cart,
    /// Bought (value = quantity).
    Purchase,
    /// Rated (value = rating).
    Rating,
    /// Said "not interested".
    Dislike,
    /// Sent back a purchase (value = quantity).
    Return,
}

impl EventType {
    /// Every event type, in a fixed order.
    pub const ALL: [EventType; 7] = [
        EventType::View,
        EventType::Click,
        EventType::Cart,
        EventType::Purchase,
        EventType::Rating,
        EventType::Dislike,
        EventType::Return,
    ];

    /// The lower-case name used in CSV files, JSON and the store.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::View => "view",
            EventType::Click => "click",
            EventType::Cart => "cart",
            EventType::Purchase => "purchase",
            EventType::Rating => "rating",
            EventType::Dislike => "dislike",
            EventType::Return => "return",
        }
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EventType {
    type Err = RecordError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        EventType::ALL
            .into_iter()
            .find(|t| t.as_str() == lower)
            .or(match lower.as_str() {
                "add_to_cart" | "addtocart" => Some(EventType::Cart),
                "transaction" | "buy" | "order" => Some(EventType::Purchase),
                "view_item" | "detail" => Some(EventType::View),
                _ => None,
            })
            .ok_or_else(|| RecordError::UnknownEventType(s.to_owned()))
    }
}

/// One user-item event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Stable key: re-importing an event with the same key updates it
    /// instead of adding a duplicate.
    pub event_id: String,
    /// Who.
    pub user_id: String,
    /// What.
    pub item_id: String,
    /// Which kind of interaction.
    pub event_type: EventType,
    /// Rating or quantity (1 when the source gives none).
    pub value: f64,
    /// Unix seconds, UTC.
    pub timestamp: i64,
}

impl Event {
    /// A deterministic key for events that come without one: the FNV-1a hash
    /// of every field, so that re-importing the same file upserts.
    pub fn derive_id(
        user_id: &str,
        item_id: &str,
        event_type: EventType,
        value: f64,
        timestamp: i64,
    ) -> String {
        let mut h = Fnv1a::new();
        for part in [
            user_id.as_bytes(),
            &[0xff],
            item_id.as_bytes(),
            &[0xff],
            event_type.as_str().as_bytes(),
        ] {
            h.write(part);
        }
        h.write(&value.to_bits().to_le_bytes());
        h.write(&timestamp.to_le_bytes());
        format!("e{:016x}", h.finish())
    }
}

/// 64-bit FNV-1a (Fowler, Noll, Vo): tiny, stable across versions and platforms.
#[derive(Debug, Clone, Copy)]
pub struct Fnv1a(u64);

impl Fnv1a {
    /// The FNV offset basis.
    pub fn new() -> Fnv1a {
        Fnv1a(0xcbf2_9ce4_8422_2325)
    }
    /// Mixes bytes in.
    pub fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
    /// The hash so far.
    pub fn finish(self) -> u64 {
        self.0
    }
}

impl Default for Fnv1a {
    fn default() -> Self {
        Self::new()
    }
}

/// An event in dense-index form, ready for training.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interaction {
    /// Dense user index.
    pub user: u32,
    /// Dense item index.
    pub item: u32,
    /// Event type.
    pub kind: EventType,
    /// Rating or quantity.
    pub value: f32,
    /// Unix seconds.
    pub timestamp: i64,
}

/// Units of one item sold on one day in one store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sale {
    /// Day of sale.
    pub date: Date,
    /// Item sold.
    pub item_id: String,
    /// Store (`all` when the data has no stores).
    pub store_id: String,
    /// Units sold.
    pub units: f64,
    /// Units sent back that day.
    pub returned_units: f64,
    /// Average unit selling price.
    pub price: f64,
    /// Whether the item was on promotion.
    pub promo: bool,
    /// Unit cost, when known.
    pub cost: Option<f64>,
}

/// Stock and replenishment parameters of one item in one store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InventoryPosition {
    /// Item.
    pub item_id: String,
    /// Store (`all` when the data has no stores).
    pub store_id: String,
    /// Units on the shelf.
    pub on_hand: f64,
    /// Units ordered, not yet received.
    pub on_order: f64,
    /// Mean supplier lead time in days.
    pub lead_time_days: f64,
    /// Standard deviation of the lead time in days.
    pub lead_time_std_days: f64,
    /// Purchase cost per unit.
    pub unit_cost: f64,
    /// Holding cost per unit per year, as a fraction of unit cost.
    pub holding_cost_rate: f64,
    /// Fixed cost per order.
    pub order_cost: f64,
    /// Minimum order quantity.
    pub moq: f64,
    /// Orders are multiples of this.
    pub case_pack: f64,
}

/// One line of an order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderLine {
    /// Item ordered.
    pub item_id: String,
    /// Units.
    pub quantity: f64,
    /// Unit price paid.
    pub price: f64,
}

/// A customer order (the assistant answers "where is my order?" from these).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Order {
    /// External order id.
    pub order_id: String,
    /// Customer.
    pub user_id: String,
    /// `pending`, `paid`, `shipped`, `delivered`, `cancelled`, `returned`, ...
    pub status: String,
    /// Unix seconds when placed.
    pub created_at: i64,
    /// Unix seconds of the last status change.
    pub updated_at: i64,
    /// Lines.
    pub lines: Vec<OrderLine>,
}

impl Order {
    /// Sum of quantity × price.
    pub fn total(&self) -> f64 {
        self.lines.iter().map(|l| l.quantity * l.price).sum()
    }
}

/// A question-and-answer pair of the shop's FAQ.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaqEntry {
    /// One phrasing of the question (an answer usually has several).
    pub question: String,
    /// The answer.
    pub answer: String,
    /// The intent the question belongs to, when labelled.
    pub intent: Option<String>,
}

/// A labelled utterance for intent classification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntentExample {
    /// What the shopper wrote.
    pub text: String,
    /// Its intent label.
    pub intent: String,
}

/// One observation of a time series (M4 and other forecasting data).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeriesPoint {
    /// Series id.
    pub series_id: String,
    /// Integer step (or days since epoch for dated series).
    pub t: i64,
    /// Observed value.
    pub value: f64,
}

/// Any one record, as importers stream them to the store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "record", rename_all = "snake_case")]
pub enum Record {
    /// A catalog item (upserted by id).
    Item(Item),
    /// A user (upserted by id).
    User(User),
    /// An event (upserted by event id; unknown users and items get a stub row).
    Event(Event),
    /// A day of sales (upserted by date, item and store).
    Sale(Sale),
    /// An inventory position (upserted by item and store).
    Inventory(InventoryPosition),
    /// An order with its lines (upserted by order id).
    Order(Order),
    /// An FAQ entry (upserted by question).
    Faq(FaqEntry),
    /// An intent example (upserted by text and intent).
    Intent(IntentExample),
    /// A time-series point (upserted by series id and step).
    Series(SeriesPoint),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_types_parse_with_aliases_and_reject_unknown() {
        assert_eq!("Purchase".parse::<EventType>(), Ok(EventType::Purchase));
        assert_eq!("add_to_cart".parse::<EventType>(), Ok(EventType::Cart));
        for t in EventType::ALL {
            assert_eq!(t.as_str().parse::<EventType>(), Ok(t));
        }
        assert!(matches!(
            "wishlist".parse::<EventType>(),
            Err(RecordError::UnknownEventType(_))
        ));
    }

    #[test]
    fn derived_event_ids_are_stable_and_distinct() {
        let a = Event::derive_id("u1", "i1", EventType::View, 1.0, 100);
        assert_eq!(a, Event::derive_id("u1", "i1", EventType::View, 1.0, 100));
        assert_ne!(a, Event::derive_id("u1", "i1", EventType::View, 1.0, 101));
        // The separator keeps ("u1","1i") apart from ("u11","i").
        assert_ne!(
            Event::derive_id("u1", "1i", EventType::View, 1.0, 100),
            Event::derive_id("u11", "i", EventType::View, 1.0, 100)
        );
        // FNV-1a 64 of the empty input is its offset basis.
        assert_eq!(Fnv1a::new().finish(), 0xcbf2_9ce4_8422_2325);
        let mut h = Fnv1a::new();
        h.write(b"a");
        assert_eq!(h.finish(), 0xaf63_dc4c_8601_ec8c);
    }
}
