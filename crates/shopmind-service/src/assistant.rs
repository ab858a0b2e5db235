//! The assistant at serving time: the product index over the current catalog, chat
//! sessions, and one chat turn wired to the store (orders) and the active
//! recommendation model.
//!
//! Sessions live in this process's memory: at most [`MAX_SESSIONS`], each
//! forgotten [`SESSION_TTL`] after its last turn, the least recently used
//! evicted first. Behind a load balancer, route a session to one replica
//! (sticky sessions) for follow-ups to work; a lost session only loses the
//! follow-up context.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use shopmind_assistant::dialog::{Assistant, Facts, Reply, Session};
use shopmind_assistant::products::{Product, ProductIndex};
use shopmind_store::Store;

use serde::{Deserialize, Serialize};
use shopmind_assistant::dialog::{MessageError, clean_message};
use shopmind_core::model::ModelKind;

use crate::{FieldError, Service, ServiceError};

/// Sessions kept at once.
pub const MAX_SESSIONS: usize = 10_000;
/// How long an idle session is kept.
pub const SESSION_TTL: Duration = Duration::from_secs(30 * 60);

/// A session, when it was last used, and the signed-in user it served.
type Stored = (Instant, Session, Option<String>);

/// Sessions and the catalog index, shared by every request.
#[derive(Clone, Default)]
pub struct AssistantRuntime {
    sessions: Arc<Mutex<HashMap<String, Stored>>>,
    products: Arc<Mutex<Option<CachedIndex>>>,
}

/// The product index and the catalog version it was built from.
type CachedIndex = (i64, Arc<ProductIndex>);

impl AssistantRuntime {
    fn sessions(&self) -> std::sync::MutexGuard<'_, HashMap<String, Stored>> {
        self.sessions
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The session's state (a fresh one if unknown or expired).
    pub fn session(&self, id: &str) -> Session {
        match self.sessions().get(id) {
            Some((at, s, _)) if at.elapsed() < SESSION_TTL => s.clone(),
            _ => Session::default(),
        }
    }

    /// Stores the session after a turn, evicting expired and, past
    /// [`MAX_SESSIONS`], least recently used ones.
    pub fn save(&self, id: &str, session: Session, user_id: Option<&str>) {
        let mut map = self.sessions();
        map.insert(
            id.to_owned(),
            (Instant::now(), session, user_id.map(str::to_owned)),
        );
        if map.len() > MAX_SESSIONS {
            map.retain(|_, (at, _, _)| at.elapsed() < SESSION_TTL);
            while map.len() > MAX_SESSIONS {
                let oldest = map
                    .iter()
                    .min_by_key(|(_, (at, _, _))| *at)
                    .map(|(k, _)| k.clone());
                match oldest {
                    Some(k) => map.remove(&k),
                    None => break,
                };
            }
        }
    }

    /// Drops every session a user was signed in to (the privacy delete);
    /// returns how many.
    pub fn forget_user(&self, user_id: &str) -> usize {
        let mut map = self.sessions();
        let before = map.len();
        map.retain(|_, (_, _, user)| user.as_deref() != Some(user_id));
        before - map.len()
    }

    /// The product index of the store's current catalog, rebuilt when the
    /// catalog version moved.
    pub async fn products(&self, store: &Store) -> Result<Arc<ProductIndex>, ServiceError> {
        let version = store.catalog_version().await?;
        if let Some((v, idx)) = self
            .products
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .as_ref()
            && *v == version
        {
            return Ok(idx.clone());
        }
        let items = store.all_items().await?;
        let stock = store.inventory_positions().await?;
        let mut on_hand: HashMap<String, f64> = HashMap::new();
        for p in stock {
            *on_hand.entry(p.item_id).or_default() += p.on_hand;
        }
        let index = tokio::task::spawn_blocking(move || {
            ProductIndex::build(
                items
                    .into_iter()
                    .map(|i| Product {
                        available: i.active && on_hand.get(&i.item_id).is_none_or(|&q| q > 0.0),
                        title: i.title.unwrap_or_else(|| i.item_id.clone()),
                        item_id: i.item_id,
                        category: i.category.unwrap_or_default(),
                        brand: i.brand.unwrap_or_default(),
                        description: i.description.unwrap_or_default(),
                        price: i.price,
                    })
                    .collect(),
            )
        })
        .await
        .map_err(ServiceError::task_failed)?;
        let index = Arc::new(index);
        *self
            .products
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some((version, index.clone()));
        Ok(index)
    }
}

/// Who wrote an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writer {
    /// The assistant's template from the grounded facts.
    Template,
    /// The configured language model, from the same facts.
    Llm,
}

impl Writer {
    /// `template` or `llm`.
    pub fn as_str(self) -> &'static str {
        match self {
            Writer::Template => "template",
            Writer::Llm => "llm",
        }
    }
}

/// One chat turn: understand, fetch the facts the plan names, answer, and
/// remember the session. An order is shown only to its owner: a request
/// that names no user is asked to sign in. With a language model configured, a grounded
/// answer (one with sources, not a handoff) is rewritten by it, falling
/// back to the template on any failure.
pub async fn turn(
    state: &Service,
    assistant: &Assistant,
    session_id: &str,
    user_id: Option<&str>,
    message: &str,
) -> Result<(Reply, Writer), ServiceError> {
    let catalog = state.assistant.products(&state.store).await?;
    let mut session = state.assistant.session(session_id);
    let plan = assistant.understand(&session, message, &catalog);
    let mut facts = Facts::default();
    // An order is shown only to the account that placed it: never to an
    // anonymous asker, whatever key the caller holds.
    match (plan.order_id(), user_id) {
        (Some(order_id), Some(user)) => {
            facts.order = state
                .store
                .get_order(order_id)
                .await?
                .filter(|o| o.user_id == user);
        }
        (Some(_), None) => facts.anonymous = true,
        (None, _) => {}
    }
    if plan.wants_recommendations() {
        facts.recommendations = crate::recommend::user_item_ids(state, user_id.unwrap_or(""), 10)
            .await?
            .unwrap_or_default();
    }
    let mut reply = assistant.respond(&mut session, &plan, &facts, &catalog);
    state.assistant.save(session_id, session, user_id);
    let mut writer = Writer::Template;
    if let Some(llm) = &state.llm
        && !reply.sources.is_empty()
        && !reply.handoff
        && let Some(text) = crate::llm::write(llm, message, &reply).await
    {
        reply.answer = text;
        writer = Writer::Llm;
    }
    Ok((reply, writer))
}

/// Longest session or user id accepted.
const MAX_ID: usize = 128;

/// Body of `POST /v1/assistant/chat`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChatRequest {
    /// Conversation id chosen by the client; turns with the same id share
    /// context (1–128 characters).
    session_id: String,
    /// What the shopper wrote (at most 4096 bytes).
    message: String,
    /// The signed-in shopper, if any: personalises recommendations and
    /// limits order look-ups to their own orders.
    user_id: Option<String>,
}

/// A statement's source.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ChatSource {
    /// `faq`, `order`, `product` or `recommendation`.
    kind: String,
    /// `faq:N`, an order id or an item id.
    id: String,
    title: String,
}

/// A product shown with the answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ChatProduct {
    item_id: String,
    title: String,
    price: Option<f64>,
}

/// The assistant's answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ChatReply {
    session_id: String,
    /// Assistant version that answered.
    model_id: String,
    answer: String,
    /// Intent, or `oos` when the message is out of scope.
    intent: String,
    /// Calibrated confidence in the intent (or the FAQ relevance for an
    /// out-of-scope message answered from the FAQ).
    confidence: f64,
    sources: Vec<ChatSource>,
    products: Vec<ChatProduct>,
    /// Whether a person should take over.
    handoff: bool,
    /// Whether the message was read as a follow-up of the previous turn.
    follow_up: bool,
    /// `template`, or `llm` when the configured language model wrote the
    /// answer from the same sources.
    written_by: &'static str,
}

fn check_id(field: &str, id: &str, errors: &mut Vec<FieldError>) {
    if id.trim().is_empty() || id.chars().count() > MAX_ID || id.chars().any(char::is_control) {
        errors.push(FieldError::new(
            field,
            format!("must be 1–{MAX_ID} printable characters"),
        ));
    }
}

/// One chat turn from a request: checks it, then [`turn`] with the active
/// assistant: intent, grounded answer with its sources, suggested products,
/// and whether to hand over to a person.
pub async fn chat(svc: &Service, req: ChatRequest) -> Result<ChatReply, ServiceError> {
    let mut errors = Vec::new();
    check_id("session_id", &req.session_id, &mut errors);
    if let Some(u) = &req.user_id {
        check_id("user_id", u, &mut errors);
    }
    let message = match clean_message(&req.message) {
        Ok(m) => Some(m),
        Err(e @ MessageError::TooLong(_)) => {
            return Err(ServiceError::MessageTooLong(e.to_string()));
        }
        Err(e @ MessageError::Empty) => {
            errors.push(FieldError::new("message", e.to_string()));
            None
        }
    };
    let (Some(message), true) = (message, errors.is_empty()) else {
        return Err(ServiceError::invalid("invalid chat request", errors));
    };
    let loaded = svc
        .models
        .assistant()
        .ok_or(ServiceError::NoActiveModel(ModelKind::Assistant))?;
    let (reply, writer) = turn(
        svc,
        &loaded.model,
        &req.session_id,
        req.user_id.as_deref(),
        &message,
    )
    .await?;
    Ok(ChatReply {
        session_id: req.session_id,
        model_id: loaded.model_id.clone(),
        answer: reply.answer,
        intent: reply.intent,
        confidence: reply.confidence,
        sources: reply
            .sources
            .into_iter()
            .map(|s| ChatSource {
                kind: s.kind,
                id: s.id,
                title: s.title,
            })
            .collect(),
        products: reply
            .products
            .into_iter()
            .map(|p| ChatProduct {
                item_id: p.item_id,
                title: p.title,
                price: p.price,
            })
            .collect(),
        handoff: reply.handoff,
        follow_up: reply.follow_up,
        written_by: writer.as_str(),
    })
}
