//! The assistant at serving time: training a version from the store's
//! intents and FAQ, the product index over the current catalog, chat
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
use shopmind_assistant::intent::IntentParams;
use shopmind_assistant::products::{Product, ProductIndex};
use shopmind_core::record::Fnv1a;
use shopmind_store::Store;

use crate::error::ApiError;

use crate::training::{Activation, TrainError, Trained, register};

/// Sessions kept at once.
pub const MAX_SESSIONS: usize = 10_000;
/// How long an idle session is kept.
pub const SESSION_TTL: Duration = Duration::from_secs(30 * 60);

/// Trains an assistant version on the store's intent examples and FAQ and
/// registers it as an `assistant` version. Its metrics are the intent
/// model's validation-chosen temperature and threshold and the counts.
pub async fn train_assistant(
    store: &Store,
    activate: &Activation,
    progress: impl Fn(f32, &str) + Send + Sync,
) -> Result<Trained, TrainError> {
    if matches!(activate, Activation::IfBetter { .. }) {
        return Err(TrainError::BadActivation(
            "assistant versions are not compared champion/challenger: activate with true or false"
                .into(),
        ));
    }
    let intents = store.all_intents().await?;
    let faq = store.all_faq().await?;
    if intents.is_empty() && faq.iter().all(|f| f.intent.is_none()) {
        return Err(TrainError::NoIntents);
    }
    let mut h = Fnv1a::new();
    for e in &intents {
        h.write(e.text.as_bytes());
        h.write(&[0]);
        h.write(e.intent.as_bytes());
        h.write(&[1]);
    }
    for f in &faq {
        h.write(f.question.as_bytes());
        h.write(&[0]);
        h.write(f.answer.as_bytes());
        h.write(&[1]);
    }
    let fp = format!("{:016x}-{}", h.finish(), intents.len() + faq.len());
    progress(0.1, "fitting the intent model");
    let params = IntentParams::default();
    let start = Instant::now();
    let (n_intents, n_faq) = (intents.len(), faq.len());
    let assistant = tokio::task::spawn_blocking(move || {
        shopmind_assistant::artifact::train(&intents, &faq, &params)
    })
    .await
    .map_err(|e| TrainError::Task(e.to_string()))??;
    let bytes = assistant.to_bytes()?;
    let metrics = serde_json::json!({
        "intents": assistant.intents.labels().len(),
        "examples": n_intents, "faq_rows": n_faq, "faq_answers": assistant.faq.len(),
        "temperature": assistant.intents.temperature,
        "oos_threshold": assistant.intents.threshold,
        "fit_seconds": start.elapsed().as_secs_f64(),
    });
    progress(0.9, "saving");
    let params_json = serde_json::json!({
        "c": params.svm.c, "softmax_c": params.softmax.c,
        "softmax_weight": params.softmax_weight,
        "validation": params.validation, "seed": params.seed,
    });
    register(
        store,
        "assistant",
        "lexical",
        &params_json,
        &fp,
        &metrics,
        &bytes,
        activate,
    )
    .await
}

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
    pub async fn products(&self, store: &Store) -> Result<Arc<ProductIndex>, ApiError> {
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
        .map_err(ApiError::task_failed)?;
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
    state: &crate::AppState,
    assistant: &Assistant,
    session_id: &str,
    user_id: Option<&str>,
    message: &str,
) -> Result<(Reply, Writer), ApiError> {
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
        facts.recommendations =
            crate::routes::recommend::user_item_ids(state, user_id.unwrap_or(""), 10)
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
