//! The traits every engine's models share, in the spirit of linfa's
//! `Fit` / `Predict`: validated parameters fit a model from data; a fitted
//! model answers queries through `&self` without side effects.
//!
//! Keeping every engine on the same two verbs lets the registry, the CLI and
//! the server train, persist and serve any model kind the same way.

/// Parameters that, given training data, produce a fitted model.
pub trait Fit<Data: ?Sized> {
    /// The fitted model.
    type Model;
    /// Why fitting failed (bad parameters, too little data, no convergence).
    type Error: std::error::Error + Send + Sync + 'static;

    /// Fits a model. Deterministic: the same parameters (including their
    /// seed) and data give the same model.
    fn fit(&self, data: &Data) -> Result<Self::Model, Self::Error>;
}

/// A fitted model that answers queries.
pub trait Predict<Query: ?Sized> {
    /// The answer type.
    type Output;
    /// Why a query could not be answered (unknown id, bad input).
    type Error: std::error::Error + Send + Sync + 'static;

    /// Answers one query. Must not mutate the model.
    fn predict(&self, query: &Query) -> Result<Self::Output, Self::Error>;
}

/// What the registry records about any model: its family and a format
/// version so that an old artifact is refused rather than misread.
pub trait ModelInfo {
    /// Algorithm name as shown in the registry (`"item_knn"`, `"ets"`).
    fn algorithm(&self) -> &'static str;
    /// Serialized format version of this model type.
    fn format_version(&self) -> u32;
}
