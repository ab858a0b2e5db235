//! The customer-service assistant: `POST /v1/assistant/chat`.

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use shopmind_assistant::dialog::{MessageError, clean_message};

use crate::AppState;
use crate::error::{ApiError, FieldError};

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
        errors.push(FieldError {
            field: field.into(),
            message: format!("must be 1–{MAX_ID} printable characters"),
        });
    }
}

/// One chat turn: intent, grounded answer with its sources, suggested
/// products, and whether to hand over to a person.
#[utoipa::path(post, path = "/v1/assistant/chat", tag = "assistant", request_body = ChatRequest,
    responses((status = 200, description = "The assistant's answer", body = ChatReply),
        (status = 413, description = "Message longer than 4096 bytes", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 503, description = "No active assistant model", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn chat(
    State(state): State<AppState>,
    body: Result<Json<ChatRequest>, JsonRejection>,
) -> Result<Json<ChatReply>, ApiError> {
    let Json(req) = body.map_err(ApiError::from)?;
    let mut errors = Vec::new();
    check_id("session_id", &req.session_id, &mut errors);
    if let Some(u) = &req.user_id {
        check_id("user_id", u, &mut errors);
    }
    let message = match clean_message(&req.message) {
        Ok(m) => Some(m),
        Err(e @ MessageError::TooLong(_)) => {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "message_too_long",
                "Message too long",
                e.to_string(),
            ));
        }
        Err(e @ MessageError::Empty) => {
            errors.push(FieldError {
                field: "message".into(),
                message: e.to_string(),
            });
            None
        }
    };
    let (Some(message), true) = (message, errors.is_empty()) else {
        return Err(ApiError::invalid("invalid chat request", errors));
    };
    let loaded = state.models.assistant().ok_or_else(|| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "no_active_model",
            "No active model",
            "no assistant model is active: train one (`shopmind train assistant` or POST /v1/models/assistant/train)",
        )
    })?;
    let (reply, writer) = crate::assistant::turn(
        &state,
        &loaded.model,
        &req.session_id,
        req.user_id.as_deref(),
        &message,
    )
    .await?;
    Ok(Json(ChatReply {
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
    }))
}
