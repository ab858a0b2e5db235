//! [`Model`]: every fitted recommender as one serializable value, so that
//! the store can keep any of them as an artifact and the server can load it
//! back without knowing in advance which algorithm won.
//!
//! Bytes are a 4-byte magic `SMRM`, a little-endian `u32` format version
//! and the model in postcard's compact serde encoding (floats as raw
//! IEEE-754 bytes, so a round trip is exact). An artifact of another format
//! version is refused rather than misread.

use serde::{Deserialize, Serialize};
use shopmind_core::Interner;
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

/// Magic bytes at the start of a serialized model.
pub const MAGIC: [u8; 4] = *b"SMRM";
/// Magic bytes at the start of a serialized [`Artifact`].
pub const ARTIFACT_MAGIC: [u8; 4] = *b"SMRA";
/// Format version written by [`Model::to_bytes`].
pub const FORMAT_VERSION: u32 = 2;

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

    /// Serializes the model (see the module docs for the layout).
    pub fn to_bytes(&self) -> Result<Vec<u8>, RecommendError> {
        encode(MAGIC, self)
    }

    /// Reads a model written by [`Self::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Model, RecommendError> {
        decode(MAGIC, bytes, "a shopmind recommendation model")
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
        let mut acc: std::collections::BTreeMap<u32, f32> = Default::default();
        let mut seen = Vec::new();
        for (item, kind, value, count) in events {
            let Some(i) = self.items.get(item) else {
                continue;
            };
            seen.push(i);
            let w = if kind == EventType::Rating || self.options.binary {
                self.options.weights.weight(kind, value as f32)
            } else {
                self.options.weights.weight(kind, 1.0) * count as f32
            };
            if w == 0.0 {
                continue;
            }
            let e = acc
                .entry(i)
                .or_insert(if self.options.binary { f32::MIN } else { 0.0 });
            if self.options.binary {
                *e = e.max(w);
            } else {
                *e += w;
            }
        }
        // Input order is oldest first: keep each item's last position.
        let mut recent: Vec<u32> = Vec::new();
        let mut placed = std::collections::HashSet::new();
        for &i in seen.iter().rev() {
            if acc.get(&i).is_some_and(|w| *w > 0.0) && placed.insert(i) {
                recent.push(i);
            }
        }
        recent.reverse();
        seen.sort_unstable();
        seen.dedup();
        let weighted = acc
            .into_iter()
            .filter(|(_, w)| *w > 0.0)
            .map(|(i, w)| (i, if self.options.binary { 1.0 } else { w }))
            .collect();
        LiveHistory {
            weighted,
            seen,
            recent,
        }
    }

    /// Serializes the artifact (magic `SMRA`, format version, postcard).
    pub fn to_bytes(&self) -> Result<Vec<u8>, RecommendError> {
        encode(ARTIFACT_MAGIC, self)
    }

    /// Reads an artifact written by [`Self::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Artifact, RecommendError> {
        decode(ARTIFACT_MAGIC, bytes, "a shopmind recommendation artifact")
    }
}

fn encode<T: Serialize>(magic: [u8; 4], value: &T) -> Result<Vec<u8>, RecommendError> {
    let mut out = magic.to_vec();
    out.extend(FORMAT_VERSION.to_le_bytes());
    let body = postcard::to_allocvec(value)
        .map_err(|e| RecommendError::Artifact(format!("cannot encode the model: {e}")))?;
    out.extend(body);
    Ok(out)
}

fn decode<T: serde::de::DeserializeOwned>(
    magic: [u8; 4],
    bytes: &[u8],
    what: &str,
) -> Result<T, RecommendError> {
    let Some((head, body)) = bytes.split_at_checked(8) else {
        return Err(RecommendError::Artifact("truncated model artifact".into()));
    };
    if head[..4] != magic {
        return Err(RecommendError::Artifact(format!("not {what}")));
    }
    let version = u32::from_le_bytes([head[4], head[5], head[6], head[7]]);
    if version != FORMAT_VERSION {
        return Err(RecommendError::Artifact(format!(
            "model format version {version}, this build reads {FORMAT_VERSION}: retrain the model"
        )));
    }
    postcard::from_bytes(body)
        .map_err(|e| RecommendError::Artifact(format!("corrupt model artifact: {e}")))
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
