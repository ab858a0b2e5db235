//! Training data for recommenders: interned users and items and the
//! weighted users × items matrix.

use std::collections::HashMap;
use std::sync::Arc;

use shopmind_core::Interner;
use shopmind_core::record::{Event, Interaction, Item};
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
    /// Item metadata by column (title, description, category, brand, price,
    /// attributes), for the content and description models; empty when no
    /// catalog was given.
    pub catalog: Arc<[Item]>,
}

/// How events become matrix weights (default: the event weights of
/// [`EventWeights::default`], not binarised).
#[derive(Debug, Clone, Copy, Default, serde::Serialize, serde::Deserialize)]
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
            catalog: Arc::from(Vec::new()),
        })
    }

    /// [`Self::from_events`] plus item metadata: every catalog item gets a
    /// column (so a new item without events can still be recommended by the
    /// content models), and items without a catalog row get an id-only one.
    pub fn from_events_with_catalog<'a>(
        events: &[Event],
        catalog: &'a [Item],
        extra: impl IntoIterator<Item = &'a str>,
        opts: MatrixOptions,
    ) -> Result<Dataset, RecommendError> {
        let ids = catalog.iter().map(|i| i.item_id.as_str()).chain(extra);
        let mut data = Dataset::from_events(events, ids, opts)?;
        let by_id: HashMap<&str, &Item> = catalog.iter().map(|i| (i.item_id.as_str(), i)).collect();
        let meta: Vec<Item> = (0..data.n_items() as u32)
            .map(|c| {
                let id = data.items.resolve(c).unwrap_or_default();
                by_id
                    .get(id)
                    .map_or_else(|| Item::new(id), |i| (*i).clone())
            })
            .collect();
        data.catalog = Arc::from(meta);
        Ok(data)
    }

    /// The latest event time in the data (0 when there are no events): the
    /// "now" that time-decayed models measure age from.
    pub fn latest_timestamp(&self) -> i64 {
        self.interactions
            .iter()
            .map(|i| i.timestamp)
            .max()
            .unwrap_or(0)
    }

    /// Whether item metadata is attached.
    pub fn has_catalog(&self) -> bool {
        !self.catalog.is_empty()
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
