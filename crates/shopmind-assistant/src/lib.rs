//! Customer-service assistant: intent classification, FAQ retrieval (BM25),
//! entity extraction and grounded answers with order, product and
//! recommendation look-ups.
//!
//! This crate is an engine: pure in-memory computation on
//! [`shopmind_core`] values, with no I/O, no async and no HTTP. A chat turn
//! runs in two steps so that the caller (the server or the CLI) does the
//! look-ups in its own store:
//!
//! 1. [`dialog::Assistant::understand`] classifies the message, extracts
//!    entities, resolves follow-ups against the [`dialog::Session`] and says
//!    which facts it needs ([`dialog::Plan`]);
//! 2. the caller fetches those facts (an order, product matches,
//!    recommendations) and [`dialog::Assistant::respond`] writes the
//!    grounded answer, naming its sources and whether a person should take
//!    over.
//!
//! ```
//! use shopmind_assistant::intent::{IntentModel, IntentParams};
//! use shopmind_core::record::IntentExample;
//!
//! let ex = |t: &str, i: &str| IntentExample { text: t.into(), intent: i.into() };
//! let data = vec![
//!     ex("where is my parcel", "track"), ex("track my package", "track"),
//!     ex("my parcel has not arrived", "track"), ex("when will my package come", "track"),
//!     ex("I want my money back", "refund"), ex("refund my order", "refund"),
//!     ex("how do I get a refund", "refund"), ex("give me my money back please", "refund"),
//! ];
//! let model = IntentModel::fit(&data, &IntentParams::default())?;
//! assert_eq!(model.classify("where is my package").top, "track");
//! # Ok::<(), shopmind_assistant::AssistantError>(())
//! ```

pub mod artifact;
pub mod bm25;
pub mod dialog;
pub mod entities;
pub mod faq;
pub mod features;
pub mod intent;
pub mod metrics;
pub mod products;
pub mod softmax;
pub mod svm;

/// Why an assistant model could not be built or read.
#[derive(Debug, thiserror::Error)]
pub enum AssistantError {
    /// Parameters out of range.
    #[error("invalid assistant parameters: {0}")]
    Params(String),
    /// Training data unusable.
    #[error("cannot train the assistant: {0}")]
    Data(String),
    /// A stored artifact could not be read.
    #[error(transparent)]
    Artifact(#[from] shopmind_core::artifact::ArtifactError),
}
