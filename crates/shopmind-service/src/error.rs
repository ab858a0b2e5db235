//! The one error type of the service layer. Its variants separate the
//! caller's faults (a bad request, a missing resource, a conflict) from
//! conditions of the service (no model yet, busy, stopped) and from our own
//! faults ([`ServiceError::Internal`]): the HTTP API maps each variant to one
//! status in one place (`shopmind-server`'s `error.rs`) and the CLI to one
//! exit code, so the two cannot disagree about whose fault a failure is.

use serde::Serialize;
use shopmind_core::cancel::Cancelled;
use shopmind_core::model::ModelKind;
use shopmind_core::record::RecordError;
use shopmind_store::StoreError;

/// A field-level complaint.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct FieldError {
    /// Path of the offending field (`events[3].timestamp`, `params.lambda`).
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

impl FieldError {
    /// A complaint about `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }

    /// The field a record rule names, under `prefix` (`items[3].`); an
    /// attribute is named `attributes.<name>`.
    pub fn record(prefix: &str, e: &RecordError) -> Self {
        let field = match e {
            RecordError::BadAttribute { key } => format!("attributes.{key}"),
            other => other.field().to_owned(),
        };
        FieldError::new(format!("{prefix}{field}"), e.to_string())
    }
}

/// Why a service call failed.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The request as a whole cannot be read (the caller's fault).
    #[error("{0}")]
    BadRequest(String),
    /// Named fields are invalid (the caller's fault).
    #[error("{detail}{}", fields_suffix(.errors))]
    Invalid {
        /// Summary.
        detail: String,
        /// The offending fields.
        errors: Vec<FieldError>,
    },
    /// A named resource does not exist.
    #[error("{what} `{id}` does not exist")]
    NotFound {
        /// What was looked for (`item`, `job`).
        what: &'static str,
        /// Its id.
        id: String,
    },
    /// The active model does not cover what was asked (retrain after
    /// importing more data).
    #[error("{0}")]
    NotInModel(String),
    /// The request conflicts with the current state.
    #[error("{0}")]
    Conflict(String),
    /// An idempotency key was reused with a different body.
    #[error("{0}")]
    KeyReused(String),
    /// A chat message over the length limit.
    #[error("{0}")]
    MessageTooLong(String),
    /// More records in one request than allowed.
    #[error("{0}")]
    TooLarge(String),
    /// No version of this kind is active yet.
    #[error(
        "no {0} model is active: train one (`shopmind train {0}` or POST /v1/models/{0}/train)"
    )]
    NoActiveModel(ModelKind),
    /// The process is starting, or its store does not answer or lacks this
    /// build's schema.
    #[error("{0}")]
    NotReady(String),
    /// Every slot for heavy work is taken; retry shortly.
    #[error("{0} heavy computations are already running; retry shortly")]
    Busy(usize),
    /// The work stopped early: its time budget ran out or the service is
    /// shutting down.
    #[error("{}", stopped_detail(*.0))]
    Stopped(Cancelled),
    /// Our fault: a store failure, a model that cannot be encoded or loaded,
    /// an engine's numerical failure, a task that died. The cause is logged
    /// when it is answered; callers see `context` only.
    #[error("{context}: {cause}")]
    Internal {
        /// What was being done (shown to callers).
        context: &'static str,
        /// Why it failed (logged, not shown over HTTP).
        cause: String,
    },
}

fn fields_suffix(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("\n  {}: {}", e.field, e.message))
        .collect()
}

fn stopped_detail(c: Cancelled) -> &'static str {
    match c {
        Cancelled::OutOfTime => {
            "the computation did not fit the request's time budget; ask for less (fewer rows, folds or items)"
        }
        Cancelled::Stopped => "the computation was stopped (the server is shutting down)",
    }
}

impl ServiceError {
    /// Invalid fields under one summary.
    pub fn invalid(detail: impl Into<String>, errors: Vec<FieldError>) -> Self {
        ServiceError::Invalid {
            detail: detail.into(),
            errors,
        }
    }

    /// One invalid field; its message is the summary.
    pub fn invalid_field(field: impl Into<String>, message: impl Into<String>) -> Self {
        let message = message.into();
        Self::invalid(message.clone(), vec![FieldError::new(field, message)])
    }

    /// A record that broke a validation rule, its field under `prefix`.
    pub fn record(prefix: &str, e: &RecordError) -> Self {
        Self::invalid(e.to_string(), vec![FieldError::record(prefix, e)])
    }

    /// A fault of ours with its cause.
    pub fn internal(context: &'static str, cause: impl std::fmt::Display) -> Self {
        ServiceError::Internal {
            context,
            cause: cause.to_string(),
        }
    }

    /// Work that died on the blocking pool (a bug).
    pub fn task_failed(e: tokio::task::JoinError) -> Self {
        Self::internal("the computation failed", e)
    }

    /// Whether the caller can fix it by changing the request.
    pub fn is_callers_fault(&self) -> bool {
        matches!(
            self,
            ServiceError::BadRequest(_)
                | ServiceError::Invalid { .. }
                | ServiceError::NotFound { .. }
                | ServiceError::NotInModel(_)
                | ServiceError::Conflict(_)
                | ServiceError::KeyReused(_)
                | ServiceError::TooLarge(_)
                | ServiceError::MessageTooLong(_)
        )
    }
}

impl From<Cancelled> for ServiceError {
    fn from(c: Cancelled) -> Self {
        ServiceError::Stopped(c)
    }
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::UnknownItems(items) => ServiceError::invalid(
                "events refer to items that are not in the catalog",
                items
                    .into_iter()
                    .map(|(i, id)| {
                        FieldError::new(
                            format!("events[{i}].item_id"),
                            format!("unknown item `{id}`"),
                        )
                    })
                    .collect(),
            ),
            StoreError::Invalid(r) => ServiceError::record("", &r),
            StoreError::NotFound { what, id } => ServiceError::NotFound { what, id },
            StoreError::Conflict(m) => ServiceError::Conflict(m),
            StoreError::BadUrl(_)
            | StoreError::Connect { .. }
            | StoreError::DataDir { .. }
            | StoreError::Migrate(_)
            | StoreError::Db(_)
            | StoreError::Corrupt { .. } => ServiceError::internal("the store failed", e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_faults_are_ours_and_missing_rows_are_the_callers() {
        let e: ServiceError = StoreError::NotFound {
            what: "item",
            id: "x".into(),
        }
        .into();
        assert!(e.is_callers_fault());
        assert_eq!(e.to_string(), "item `x` does not exist");
        let e: ServiceError = StoreError::Corrupt {
            table: "models",
            column: "params",
            message: "not JSON".into(),
        }
        .into();
        assert!(!e.is_callers_fault());
        assert!(matches!(e, ServiceError::Internal { .. }));
    }
}
