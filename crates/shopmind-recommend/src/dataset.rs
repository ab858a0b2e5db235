//! Training data for recommenders: interned users and items and the
//! weighted users × items matrix.

use shopmind_core::Interner;
use shopmind_core::record::{Event, Interaction};
use shopmind_core::sparse::{Aggregate, CsrMatrix, EventWeights, InteractionMatrixBuilder};

use crate::error::RecommendError;

/// Users, items and their interaction matrix.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// User ids ↔ rows.
    pub users: Interner,
    /// Item ids ↔ columns.
    pub items: Interner,
    /// users × items weights.
    pub matrix: CsrMatrix,
    /// Every (user, item) with any event, whatever its weight (a dislike or
    /// a return weighs nothing but is still "seen" and never recommended).
    pub seen: CsrMatrix,
    /// The interactions behind the matrix, in dense form.
    pub interactions: Vec<Interaction>,
}

/// How events become matrix weights (default: the event weights of
/// [`EventWeights::default`], not binarised).
#[derive(Debug, Clone, Copy, Default)]
pub struct MatrixOptions {
    /// Per-event-type weights.
    pub weights: EventWeights,
    /// Replace every positive cell by 1 (implicit feedback as in the
    /// MovieLens protocol: every rating is a positive).
    pub binary: bool,
}

impl Dataset {
    /// Builds the dataset. `catalog` lists extra item ids (e.g. items seen
    /// only in a test set) that get columns without interactions.
    pub fn from_events<'a>(
        events: &[Event],
        catalog: impl IntoIterator<Item = &'a str>,
        opts: MatrixOptions,
    ) -> Result<Dataset, RecommendError> {
        if events.is_empty() {
            return Err(RecommendError::EmptyTrainingData);
        }
        let (mut users, mut items) = (Interner::new(), Interner::new());
        let mut interactions = Vec::with_capacity(events.len());
        for e in events {
            let user = users
                .intern(&e.user_id)
                .map_err(|_| RecommendError::TooManyIds)?;
            let item = items
                .intern(&e.item_id)
                .map_err(|_| RecommendError::TooManyIds)?;
            interactions.push(Interaction {
                user,
                item,
                kind: e.event_type,
                value: e.value as f32,
                timestamp: e.timestamp,
            });
        }
        for id in catalog {
            items.intern(id).map_err(|_| RecommendError::TooManyIds)?;
        }
        let builder = InteractionMatrixBuilder::new(users.len(), items.len(), opts.weights);
        let mut matrix = if opts.binary {
            builder.aggregate(Aggregate::Max).build(&interactions)
        } else {
            builder.build(&interactions)
        };
        if opts.binary {
            matrix = binarize(&matrix);
        }
        if matrix.nnz() == 0 {
            return Err(RecommendError::EmptyTrainingData);
        }
        let pairs: Vec<(u32, u32, f32)> =
            interactions.iter().map(|i| (i.user, i.item, 1.0)).collect();
        let seen = CsrMatrix::from_triplets(users.len(), items.len(), &pairs, Aggregate::Max)
            .unwrap_or_else(|_| CsrMatrix::zeros(users.len(), items.len()));
        Ok(Dataset {
            users,
            items,
            matrix,
            seen,
            interactions,
        })
    }

    /// Number of users.
    pub fn n_users(&self) -> usize {
        self.users.len()
    }

    /// Number of items.
    pub fn n_items(&self) -> usize {
        self.items.len()
    }

    /// Every item the user has any event with, sorted.
    pub fn seen_items(&self, user: u32) -> &[u32] {
        self.seen.row(user as usize).0
    }

    /// A user's (item, weight) history.
    pub fn history(&self, user: u32) -> Vec<(u32, f32)> {
        let (idx, val) = self.matrix.row(user as usize);
        idx.iter().copied().zip(val.iter().copied()).collect()
    }
}

/// Every positive entry becomes 1; non-positive ones are dropped.
pub fn binarize(m: &CsrMatrix) -> CsrMatrix {
    let mut t = Vec::with_capacity(m.nnz());
    for r in 0..m.rows() {
        let (idx, val) = m.row(r);
        for (&c, &v) in idx.iter().zip(val) {
            if v > 0.0 {
                t.push((r as u32, c, 1.0));
            }
        }
    }
    CsrMatrix::from_triplets(m.rows(), m.cols(), &t, Aggregate::Max)
        .unwrap_or_else(|_| CsrMatrix::zeros(m.rows(), m.cols()))
}
