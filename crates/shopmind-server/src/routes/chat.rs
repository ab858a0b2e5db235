//! The customer-service assistant over HTTP: `POST /v1/assistant/chat`
//! (`shopmind_service::assistant::chat` does the work).

use axum::Json;
use axum::extract::State;
use shopmind_service::assistant::{self, ChatReply, ChatRequest};

use crate::AppState;
use crate::error::ApiError;
use crate::routes::Body;

/// One chat turn: intent, grounded answer with its sources, suggested
/// products, and whether to hand over to a person.
#[utoipa::path(post, path = "/v1/assistant/chat", tag = "assistant", request_body = ChatRequest,
    responses((status = 200, description = "The assistant's answer", body = ChatReply),
        (status = 413, description = "Message longer than 4096 bytes", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 503, description = "No active assistant model", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn chat(
    State(state): State<AppState>,
    Body(req): Body<ChatRequest>,
) -> Result<Json<ChatReply>, ApiError> {
    Ok(Json(assistant::chat(&state, req).await?))
}
