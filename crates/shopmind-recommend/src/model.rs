//! [`Model`]: every fitted recommender as one serializable value, so that
//! the store can keep any of them as an artifact and the server can load it
//! back without knowing in advance which algorithm won.
//!
//! An [`Artifact`] is stored in the workspace's one artifact envelope
//! (`shopmind_core::artifact`: magic, kind, format version, postcard body;
//! floats as raw IEEE-754 bytes, so a round trip is exact). An artifact of
//! another kind or format version is refused rather than misread.

use serde::{Deserialize, Serialize};
use shopmind_core::Interner;
use shopmind_core::artifact::{self, ArtifactError};
use shopmind_core::model::ModelKind;
use shopmind_core::record::EventType;

use crate::Recommender;
use crate::bpr::Bpr;
use crate::content::ContentModel;
use crate::dataset::MatrixOptions;
use crate::ease::Ease;
use crate::error::RecommendError;
use crate::hybrid::WeightedHybrid;
use crate::ials::Ials;
use crate::item_knn::ItemKnn;
use crate::ltr::LtrHybrid;
use crate::mf_explicit::BiasedMf;
use crate::popularity::{Popularity, Trending};
use crate::user_knn::UserKnn;

/// Format version of the [`Artifact`] body inside the artifact envelope
/// (`shopmind_core::artifact`). Version 3 is the first in the envelope; its
/// body is encoded exactly as version 2's.
pub const FORMAT_VERSION: u32 = 3;
/// Magic of the format-2 artifacts stored before the envelope (still read).
const LEGACY_MAGIC: [u8; 4] = *b"SMRA";
/// The one pre-envelope version that is still read.
const LEGACY_VERSION: u32 = 2;

/// Any fitted recommendation model.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Model {
    /// Global popularity.
    Popular(Popularity),
    /// Time-decayed popularity.
    Trending(Trending),
    /// User-based kNN.
    UserKnn(UserKnn),
    /// Item-based kNN.
    ItemKnn(ItemKnn),
    /// Content or description model.
    Content(ContentModel),
    /// EASEᴿ.
    Ease(Ease),
    /// Implicit ALS.
    Ials(Ials),
    /// BPR matrix factorization.
    Bpr(Bpr),
    /// Weighted hybrid.
    Weighted(WeightedHybrid),
    /// Learning-to-rank hybrid.
    Ltr(Box<LtrHybrid>),
    /// Biased MF ranking items by predicted rating.
    MfExplicit(BiasedMf),
}

impl Model {
    fn inner(&self) -> &dyn Recommender {
        match self {
            Model::Popular(m) => m,
            Model::Trending(m) => m,
            Model::UserKnn(m) => m,
            Model::ItemKnn(m) => m,
            Model::Content(m) => m,
            Model::Ease(m) => m,
            Model::Ials(m) => m,
            Model::Bpr(m) => m,
            Model::Weighted(m) => m,
            Model::Ltr(m) => m.as_ref(),
            Model::MfExplicit(m) => m,
        }
    }

    /// Takes a training user out of the model: every per-user value (their
    /// factors, their row of a user-kNN or content model, a rating model's
    /// id and biases) is erased; `u` is their row, `user_id` their id (for
    /// models keeping ids of their own). What stays is what never was
    /// per user: item factors, item-item similarities, popularity counts —
    /// aggregates the user contributed to among everyone else, until the
    /// next retraining.
    pub fn forget_user(&mut self, u: u32, user_id: &str) {
        let row = u as usize;
        match self {
            Model::Popular(_) | Model::Trending(_) | Model::ItemKnn(_) | Model::Ease(_) => {}
            Model::UserKnn(m) => m.forget_user(row),
            Model::Content(m) => m.forget_user(row),
            Model::Ials(m) => m.forget_user(row),
            Model::Bpr(m) => m.forget_user(row),
            Model::Weighted(m) => m.forget_user(u, user_id),
            Model::Ltr(m) => m.forget_user(u, user_id),
            Model::MfExplicit(m) => m.forget_user_id(user_id),
        }
    }
}

/// What the registry stores for a recommendation model: the model and the
/// id mappings it was fitted with, so that a server can answer by external
/// user and item ids, plus the cold-start fallback and how events became
/// weights (so live histories are weighted as the training data was).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Artifact {
    /// User ids ↔ the model's rows.
    pub users: Interner,
    /// Item ids ↔ the model's columns.
    pub items: Interner,
    /// The fitted model.
    pub model: Model,
    /// What users without history get (trending items).
    pub fallback: Model,
    /// Event weighting of the training matrix.
    pub options: MatrixOptions,
}

impl Artifact {
    /// Erases every user whose id satisfies `forget` from the artifact: the
    /// id from its user mapping and their values from the model and the
    /// fallback (see [`Model::forget_user`]). Returns how many were erased.
    pub fn forget_users(&mut self, forget: impl Fn(&str) -> bool) -> usize {
        let doomed: Vec<(u32, String)> = self
            .users
            .ids()
            .iter()
            .enumerate()
            .filter(|(_, id)| forget(id))
            .map(|(u, id)| (u as u32, id.clone()))
            .collect();
        for (u, id) in &doomed {
            self.model.forget_user(*u, id);
            self.fallback.forget_user(*u, id);
            self.users.forget(*u);
        }
        doomed.len()
    }
}

/// A user's live history in model columns: the weighted (item, weight)
/// pairs the models score from and every item with any event (never
/// recommended again), both sorted by item, plus the positively weighted
/// items in the order they last appeared (most recent last).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LiveHistory {
    /// (item, weight) with weight > 0.
    pub weighted: Vec<(u32, f32)>,
    /// Every item with an event, including zero-weight ones (dislikes).
    pub seen: Vec<u32>,
    /// Items of `weighted` by last appearance in the input, latest last.
    pub recent: Vec<u32>,
}

impl Artifact {
    /// Maps (item id, event type, value) events to model columns with the
    /// training weights (summed per item, or the maximum and then 1 when the
    /// training matrix was binary). Items unknown to the model are skipped.
    pub fn history<'a>(
        &self,
        events: impl IntoIterator<Item = (&'a str, EventType, f64)>,
    ) -> LiveHistory {
        self.history_counted(events.into_iter().map(|(i, k, v)| (i, k, v, 1)))
    }

    /// [`Self::history`] over events already summed per (item, type):
    /// (item id, type, sum of values, number of events). A rating weighs its
    /// value, so the sum counts; other types weigh per event, so the count
    /// does.
    pub fn history_counted<'a>(
        &self,
        events: impl IntoIterator<Item = (&'a str, EventType, f64, i64)>,
    ) -> LiveHistory {
        self.history_columns(
            events
                .into_iter()
                .map(|(item, kind, value, count)| (self.items.get(item), kind, value, count)),
        )
    }

    /// [`Self::history_counted`] over events whose items are already
    /// mapped to model columns (`None`: not in the model), for callers
    /// that keep histories in that form.
    pub fn history_columns(
        &self,
        events: impl IntoIterator<Item = (Option<u32>, EventType, f64, i64)>,
    ) -> LiveHistory {
        // (column, weight, position) per event of a known item, sorted by
        // column then position: each item's run gives its weight (summed,
        // or the maximum when binary, in input order) and its last position.
        // A zero weight adds nothing to either and an item must end positive,
        // so zero-weight events only mark the item as seen.
        let binary = self.options.binary;
        let mut rows: Vec<(u32, f32, u32)> = Vec::new();
        for (pos, (column, kind, value, count)) in events.into_iter().enumerate() {
            let Some(i) = column else {
                continue;
            };
            let w = if kind == EventType::Rating || binary {
                self.options.weights.weight(kind, value as f32)
            } else {
                self.options.weights.weight(kind, 1.0) * count as f32
            };
            rows.push((i, w, pos as u32));
        }
        rows.sort_unstable_by_key(|&(i, _, pos)| (i, pos));
        let mut seen = Vec::new();
        let mut weighted = Vec::new();
        let mut last: Vec<(u32, u32)> = Vec::new();
        for run in rows.chunk_by(|a, b| a.0 == b.0) {
            let i = run[0].0;
            seen.push(i);
            let w = if binary {
                run.iter().map(|r| r.1).fold(f32::MIN, f32::max)
            } else {
                run.iter().map(|r| r.1).sum()
            };
            if w > 0.0 {
                weighted.push((i, if binary { 1.0 } else { w }));
                last.push((run[run.len() - 1].2, i));
            }
        }
        // Latest last.
        last.sort_unstable();
        LiveHistory {
            weighted,
            seen,
            recent: last.into_iter().map(|(_, i)| i).collect(),
        }
    }

    /// The stored form: the artifact envelope (`shopmind_core::artifact`,
    /// kind `recommend`, [`FORMAT_VERSION`]) around the postcard body.
    pub fn to_bytes(&self) -> Result<Vec<u8>, RecommendError> {
        Ok(artifact::encode(
            ModelKind::Recommend,
            FORMAT_VERSION,
            self,
        )?)
    }

    /// Reads what [`Self::to_bytes`] wrote, and the format-2 artifacts
    /// stored before the envelope (magic `SMRA`, version 2, the same body).
    pub fn from_bytes(bytes: &[u8]) -> Result<Artifact, RecommendError> {
        if bytes.get(..4) == Some(&LEGACY_MAGIC[..]) {
            let version = bytes
                .get(4..8)
                .map(|v| u32::from_le_bytes([v[0], v[1], v[2], v[3]]));
            if version != Some(LEGACY_VERSION) {
                return Err(ArtifactError::Version {
                    kind: ModelKind::Recommend,
                    found: version.unwrap_or(0),
                    reads: FORMAT_VERSION,
                }
                .into());
            }
            return postcard::from_bytes(&bytes[8..]).map_err(|e| {
                ArtifactError::Corrupt {
                    kind: ModelKind::Recommend,
                    version: LEGACY_VERSION,
                    reason: e.to_string(),
                }
                .into()
            });
        }
        Ok(artifact::decode(
            ModelKind::Recommend,
            FORMAT_VERSION,
            bytes,
        )?)
    }
}

impl AsRef<dyn Recommender> for Model {
    fn as_ref(&self) -> &(dyn Recommender + 'static) {
        self
    }
}

impl Recommender for Model {
    fn name(&self) -> &'static str {
        self.inner().name()
    }
    fn n_items(&self) -> usize {
        self.inner().n_items()
    }
    fn score(&self, user: Option<u32>, history: &[(u32, f32)], out: &mut [f32]) {
        self.inner().score(user, history, out);
    }
    fn similar(&self, item: u32, out: &mut [f32]) {
        self.inner().similar(item, out);
    }
}
