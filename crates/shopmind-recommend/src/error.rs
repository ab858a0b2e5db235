//! Recommendation errors: bad parameters and unusable data (the caller's
//! fault) apart from numerical failures.

/// Why fitting or scoring failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RecommendError {
    /// The training data has no interactions.
    #[error("the training data is empty: at least one user-item interaction is needed")]
    EmptyTrainingData,
    /// The training data has a single user (collaborative models need two).
    #[error("the training data has only {users} user(s); collaborative filtering needs at least 2")]
    TooFewUsers {
        /// Users found.
        users: usize,
    },
    /// An unknown algorithm name.
    #[error("unknown algorithm `{0}` (expected one of: {1})")]
    UnknownAlgorithm(String, String),
    /// A parameter the algorithm does not take.
    #[error("algorithm `{algorithm}` has no parameter `{param}` (it takes: {known})")]
    UnknownParam {
        /// Algorithm.
        algorithm: &'static str,
        /// The parameter given.
        param: String,
        /// The parameters it takes.
        known: String,
    },
    /// A parameter value out of range or unparsable.
    #[error("parameter `{param}` = `{value}` is invalid: {reason}")]
    BadParam {
        /// Parameter.
        param: String,
        /// Its value.
        value: String,
        /// What would be valid.
        reason: String,
    },
    /// k must be at least 1.
    #[error("k must be at least 1")]
    ZeroK,
    /// The catalog is too large for a dense model.
    #[error(
        "{algorithm} needs a dense {n}×{n} matrix; catalogs above {max} items are refused (use item-knn or ials)"
    )]
    TooManyItems {
        /// Algorithm.
        algorithm: &'static str,
        /// Items in the data.
        n: usize,
        /// The limit.
        max: usize,
    },
    /// A linear system could not be solved (not positive definite).
    #[error(
        "numerical failure in {0}: the regularised Gram matrix is not positive definite; raise the regularisation"
    )]
    NotPositiveDefinite(&'static str),
    /// A content model was asked for without item metadata.
    #[error(
        "{0} needs item metadata (category, brand, attributes, title or description): pass an items file with --items"
    )]
    NoCatalog(&'static str),
    /// A model artifact could not be written or read.
    #[error(transparent)]
    Artifact(#[from] shopmind_core::artifact::ArtifactError),
    /// Ids beyond what the interner can hold.
    #[error("too many distinct ids")]
    TooManyIds,
}
