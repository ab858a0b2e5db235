//! One chat turn: understand the message, name the facts to fetch, then
//! answer from those facts only, citing them.
//!
//! Decision order in [`Assistant::understand`]:
//! 1. an explicit request for a person (words such as "human", "agent",
//!    phrases such as "a real person", "talk to someone", "人工") or a
//!    handoff intent → hand over;
//! 2. a follow-up: a short message that names a color or size but no
//!    product of its own, right after a product question, searches the
//!    previous product query again with the new color ("and in blue?");
//!    a bare order id right after an order question looks that order up;
//! 3. the intent: order intents with an order id (in the message or the
//!    session) look the order up; product intents search the catalog;
//!    `recommendation` asks for the user's recommendations; other intents
//!    answer from the FAQ (restricted to the intent's answers first);
//! 4. out of scope: the FAQ, then the catalog, and if neither has a
//!    confident answer, a polite fallback with `handoff: true`.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};
use shopmind_core::record::Order;

use crate::entities::{self, Entities};
use crate::faq::FaqIndex;
use crate::intent::{IntentModel, OOS};
use crate::products::{Product, ProductIndex};

/// Longest message accepted, in bytes.
pub const MAX_MESSAGE_BYTES: usize = 4096;
/// Turns a session remembers.
pub const MAX_TURNS: usize = 8;
/// Intents whose answer is an order look-up when an order id is known.
pub const ORDER_INTENTS: [&str; 3] = ["order_status", "track_package", "cancel_order"];
/// Intents answered by searching the catalog.
pub const PRODUCT_INTENTS: [&str; 3] = ["product_search", "product_price", "product_availability"];
/// Intents that hand the conversation to a person.
pub const HANDOFF_INTENTS: [&str; 3] = ["contact_support", "human_agent", "speak_to_agent"];
/// Words that ask for a person whatever the classifier says.
const HANDOFF_WORDS: [&str; 4] = ["human", "agent", "representative", "operator"];
/// Phrases that do the same ("can someone tell me …" does not).
const HANDOFF_PHRASES: [&str; 9] = [
    "a person",
    "real person",
    "talk to someone",
    "speak to someone",
    "speak with someone",
    "customer service",
    "人工",
    "客服",
    "真人",
];

/// Why a message was refused before any processing.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MessageError {
    /// Nothing but whitespace or control characters.
    #[error("the message is empty")]
    Empty,
    /// Longer than [`MAX_MESSAGE_BYTES`].
    #[error("the message is {0} bytes long; at most {MAX_MESSAGE_BYTES} are accepted")]
    TooLong(usize),
}

/// Checks a message and drops control characters (binary noise).
pub fn clean_message(message: &str) -> Result<String, MessageError> {
    if message.len() > MAX_MESSAGE_BYTES {
        return Err(MessageError::TooLong(message.len()));
    }
    let cleaned: String = message
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .filter(|&c| c != '\u{FFFD}')
        .collect();
    let cleaned = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    if cleaned.is_empty() {
        Err(MessageError::Empty)
    } else {
        Ok(cleaned)
    }
}

/// What a session remembers between turns (bounded).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Session {
    /// The last turns: message and the intent it was given.
    pub turns: VecDeque<(String, String)>,
    /// The product query of the last product turn.
    pub last_product_query: Option<String>,
    /// The last order id mentioned.
    pub last_order_id: Option<String>,
}

impl Session {
    fn remember(&mut self, message: &str, intent: &str) {
        self.turns
            .push_back((message.to_owned(), intent.to_owned()));
        while self.turns.len() > MAX_TURNS {
            self.turns.pop_front();
        }
    }

    fn last_intent(&self) -> Option<&str> {
        self.turns.back().map(|t| t.1.as_str())
    }
}

/// What the turn will do.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Action {
    /// Look up this order.
    Order {
        /// Order id.
        order_id: String,
    },
    /// An order question without an order id: answer the policy, ask for it.
    AskOrderId,
    /// Search the catalog.
    Products {
        /// Query text.
        query: String,
        /// Color filter.
        color: Option<String>,
        /// Whether the question is about price.
        price: bool,
    },
    /// Recommend items for the user.
    Recommend,
    /// Answer from the FAQ.
    Faq,
    /// Say hello.
    Greeting,
    /// Hand over to a person.
    Handoff,
    /// No confident answer.
    Fallback,
}

/// The understood message.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    /// The cleaned message.
    pub message: String,
    /// Intent (or `oos`).
    pub intent: String,
    /// Confidence of the intent.
    pub confidence: f64,
    /// Entities found.
    pub entities: Entities,
    /// What to do.
    pub action: Action,
    /// Whether the message was read as a follow-up of the previous turn.
    pub follow_up: bool,
}

impl Plan {
    /// The order the caller must fetch, if any.
    pub fn order_id(&self) -> Option<&str> {
        match &self.action {
            Action::Order { order_id } => Some(order_id),
            _ => None,
        }
    }

    /// Whether the caller must fetch recommendations.
    pub fn wants_recommendations(&self) -> bool {
        self.action == Action::Recommend
    }
}

/// Facts fetched by the caller for a [`Plan`].
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// The order asked about, when it exists and the asker owns it.
    pub order: Option<Order>,
    /// The asker is not signed in, so no order can be shown to them (an
    /// order is shown only to the account that placed it).
    pub anonymous: bool,
    /// Recommended item ids for the user, best first.
    pub recommendations: Vec<String>,
}

/// Where a statement of the answer comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Source {
    /// `faq`, `order`, `product` or `recommendation`.
    pub kind: String,
    /// Id within that kind (`faq:3`, an order id, an item id).
    pub id: String,
    /// Short human-readable label.
    pub title: String,
}

/// A product shown with the answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    /// Item id.
    pub item_id: String,
    /// Title.
    pub title: String,
    /// Price, when known.
    pub price: Option<f64>,
}

/// The answer to one turn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reply {
    /// Text for the shopper.
    pub answer: String,
    /// Intent (or `oos`).
    pub intent: String,
    /// Confidence in `[0, 1]`.
    pub confidence: f64,
    /// What the answer is grounded on.
    pub sources: Vec<Source>,
    /// Products to show.
    pub products: Vec<Suggestion>,
    /// Whether a person should take over.
    pub handoff: bool,
    /// Whether the message was read as a follow-up.
    pub follow_up: bool,
}

/// A trained assistant: intent model and FAQ.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Assistant {
    /// Intent classifier.
    pub intents: IntentModel,
    /// FAQ index.
    pub faq: FaqIndex,
}

/// Products shown per answer.
const SHOWN: usize = 3;

impl Assistant {
    /// Step 1 of a turn (see the module docs).
    pub fn understand(&self, session: &Session, message: &str, catalog: &ProductIndex) -> Plan {
        let prediction = self.intents.classify(message);
        let entities = entities::extract(message, Some(catalog.gazetteer()));
        let mut plan = Plan {
            message: message.to_owned(),
            intent: prediction.intent.clone(),
            confidence: prediction.confidence,
            entities,
            action: Action::Fallback,
            follow_up: false,
        };
        let lower = message.to_lowercase();
        let asks_person = lower
            .split(|c: char| !c.is_alphanumeric())
            .any(|t| HANDOFF_WORDS.contains(&t))
            || HANDOFF_PHRASES.iter().any(|p| lower.contains(p));
        if asks_person || HANDOFF_INTENTS.contains(&plan.intent.as_str()) {
            plan.action = Action::Handoff;
            return plan;
        }
        let words = crate::features::word_tokens(message).len();
        let color = plan.entities.colors.first().cloned();
        // Whether the message names a product by more than a color or size.
        let without_attributes: Vec<String> = crate::bm25::terms(message)
            .into_iter()
            .filter(|t| {
                !entities::COLORS.iter().any(|(w, _)| w == t)
                    && !plan
                        .entities
                        .sizes
                        .iter()
                        .any(|s| s.eq_ignore_ascii_case(t))
            })
            .collect();
        let names_product = !catalog
            .search(&without_attributes.join(" "), None, 1)
            .is_empty();
        if let Some(previous) = &session.last_product_query
            && words <= 6
            && (color.is_some() || !plan.entities.sizes.is_empty())
            && !names_product
            && plan.entities.order_ids.is_empty()
        {
            plan.follow_up = true;
            plan.intent = session.last_intent().unwrap_or("product_search").to_owned();
            plan.action = Action::Products {
                query: previous.clone(),
                color,
                price: plan.intent == "product_price",
            };
            return plan;
        }
        let order_id = plan.entities.order_ids.first().cloned();
        let last_was_order = session
            .last_intent()
            .is_some_and(|i| ORDER_INTENTS.contains(&i));
        if let Some(id) = &order_id
            && words <= 3
            && last_was_order
        {
            plan.follow_up = true;
            plan.intent = session.last_intent().unwrap_or("order_status").to_owned();
            plan.action = Action::Order {
                order_id: id.clone(),
            };
            return plan;
        }
        let intent = plan.intent.as_str();
        plan.action = if ORDER_INTENTS.contains(&intent) {
            match order_id.or_else(|| session.last_order_id.clone()) {
                Some(order_id) => Action::Order { order_id },
                None => Action::AskOrderId,
            }
        } else if PRODUCT_INTENTS.contains(&intent)
            && (names_product || intent != "product_availability")
        {
            Action::Products {
                query: message.to_owned(),
                color,
                price: intent == "product_price",
            }
        } else if intent == "recommendation" {
            Action::Recommend
        } else if intent == "greeting" {
            Action::Greeting
        } else if intent == OOS {
            if self.faq.best(message, None).is_some() {
                Action::Faq
            } else if names_product {
                Action::Products {
                    query: message.to_owned(),
                    color,
                    price: false,
                }
            } else {
                Action::Fallback
            }
        } else {
            Action::Faq
        };
        plan
    }

    /// Step 2 of a turn: the answer from the plan and the fetched facts.
    /// Updates the session.
    pub fn respond(
        &self,
        session: &mut Session,
        plan: &Plan,
        facts: &Facts,
        catalog: &ProductIndex,
    ) -> Reply {
        let mut reply = Reply {
            answer: String::new(),
            intent: plan.intent.clone(),
            confidence: plan.confidence,
            sources: Vec::new(),
            products: Vec::new(),
            handoff: false,
            follow_up: plan.follow_up,
        };
        let intent = (plan.intent != OOS).then_some(plan.intent.as_str());
        match &plan.action {
            Action::Handoff => {
                reply.handoff = true;
                reply.answer = "I am passing you to a member of our team, who will pick up this conversation shortly.".into();
                if let Some(hit) = self.faq.best(&plan.message, intent) {
                    reply.answer.push(' ');
                    reply.answer.push_str(&hit.entry.answer);
                    reply.sources.push(faq_source(hit.index, hit.entry));
                }
            }
            Action::Order { order_id } => {
                session.last_order_id = Some(order_id.clone());
                match &facts.order {
                    Some(order) => {
                        reply.answer = describe_order(order, &plan.intent);
                        reply.sources.push(Source {
                            kind: "order".into(),
                            id: order.order_id.clone(),
                            title: format!("order {}", order.order_id),
                        });
                    }
                    None if facts.anonymous => {
                        reply.answer = format!(
                            "I can share an order only with the account that placed it: please sign in and ask again about {order_id}."
                        );
                    }
                    None => {
                        reply.answer = format!(
                            "I cannot find an order {order_id}. Please check the number in your confirmation email."
                        );
                    }
                }
            }
            Action::AskOrderId => {
                reply.answer = "Please tell me your order number (for example ORD-000123) and I will look it up.".into();
                if let Some(hit) = self.faq.best(&plan.message, intent) {
                    reply.answer = format!("{} {}", hit.entry.answer, reply.answer);
                    reply.sources.push(faq_source(hit.index, hit.entry));
                }
            }
            Action::Products {
                query,
                color,
                price,
            } => {
                session.last_product_query = Some(query.clone());
                let found = catalog.search(query, color.as_deref(), SHOWN);
                if found.is_empty() {
                    reply.answer = match color {
                        Some(c) => format!("I found nothing like that in {c} right now."),
                        None => {
                            "I found no product matching that. Could you describe it differently?"
                                .into()
                        }
                    };
                } else {
                    let list = found
                        .iter()
                        .map(|(p, _)| describe_product(p, *price))
                        .collect::<Vec<_>>();
                    let head = if color.is_some() && plan.follow_up {
                        format!("In {}, we have: ", color.as_deref().unwrap_or_default())
                    } else {
                        "Here is what we have: ".to_owned()
                    };
                    reply.answer = format!("{head}{}.", list.join("; "));
                    for (p, _) in &found {
                        reply.sources.push(product_source(p));
                        reply.products.push(suggestion(p));
                    }
                }
            }
            Action::Recommend => {
                let shown: Vec<&Product> = facts
                    .recommendations
                    .iter()
                    .filter_map(|id| catalog.get(id))
                    .take(SHOWN)
                    .collect();
                if shown.is_empty() {
                    reply.answer = "I have no suggestions for you yet; browsing a few products will help me learn your taste.".into();
                } else {
                    let list = shown
                        .iter()
                        .map(|p| describe_product(p, true))
                        .collect::<Vec<_>>();
                    reply.answer = format!("You might like: {}.", list.join("; "));
                    for p in shown {
                        reply.sources.push(Source {
                            kind: "recommendation".into(),
                            id: p.item_id.clone(),
                            title: p.title.clone(),
                        });
                        reply.products.push(suggestion(p));
                    }
                }
            }
            Action::Greeting => {
                reply.answer = "Hello! I can help with orders, returns, shipping, payments and products. What can I do for you?".into();
            }
            Action::Faq => match self.faq.best(&plan.message, intent) {
                Some(hit) => {
                    if plan.intent == OOS {
                        reply.confidence = hit.relevance;
                    }
                    reply.answer = hit.entry.answer.clone();
                    reply.sources.push(faq_source(hit.index, hit.entry));
                }
                None => fallback(&mut reply),
            },
            Action::Fallback => fallback(&mut reply),
        }
        session.remember(&plan.message, &reply.intent);
        reply
    }
}

fn fallback(reply: &mut Reply) {
    reply.handoff = true;
    reply.answer = "I am not sure I understood. I am passing your question to a member of our team; you can also ask about an order, a return, shipping or a product.".into();
}

fn faq_source(index: usize, entry: &crate::faq::FaqAnswer) -> Source {
    Source {
        kind: "faq".into(),
        id: format!("faq:{index}"),
        title: entry.questions.first().cloned().unwrap_or_default(),
    }
}

fn product_source(p: &Product) -> Source {
    Source {
        kind: "product".into(),
        id: p.item_id.clone(),
        title: p.title.clone(),
    }
}

fn suggestion(p: &Product) -> Suggestion {
    Suggestion {
        item_id: p.item_id.clone(),
        title: p.title.clone(),
        price: p.price,
    }
}

fn describe_product(p: &Product, with_price: bool) -> String {
    match (with_price, p.price) {
        (true, Some(price)) => format!("{} ({}) at {price:.2}", p.title, p.item_id),
        _ => format!("{} ({})", p.title, p.item_id),
    }
}

fn describe_order(order: &Order, intent: &str) -> String {
    let units: f64 = order.lines.iter().map(|l| l.quantity).sum();
    let date = shopmind_core::time::format_timestamp(order.updated_at);
    let date = date.get(..10).unwrap_or(&date);
    let mut s = format!(
        "Order {} ({} line{}, {units} unit{}, total {:.2}) is {} since {date}.",
        order.order_id,
        order.lines.len(),
        if order.lines.len() == 1 { "" } else { "s" },
        if units == 1.0 { "" } else { "s" },
        order.total(),
        order.status,
    );
    if intent == "cancel_order" {
        s.push_str(match order.status.as_str() {
            "pending" | "paid" => " It has not shipped yet, so it can still be cancelled from Orders.",
            "cancelled" => " It is already cancelled.",
            _ => " It has already left our warehouse, so it cannot be cancelled; you can return it once it arrives.",
        });
    }
    s
}

#[cfg(test)]
mod tests;
