//! A short-lived cache of users' interactions, so that a recommendation
//! request does not read the user's events from the database every time.
//!
//! Entries live for a configurable TTL (default 2 s) and are dropped at
//! once when this server stores an event for the user or deletes the user,
//! so a client always sees its own writes on the replica it wrote to; a
//! write made elsewhere (another replica, an import) shows within the TTL.
//! A TTL of zero turns the cache off. The cache holds at most
//! [`MAX_USERS`] users and is cleared when full.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use shopmind_core::record::EventType;
use shopmind_store::{Store, StoreError};

/// Users kept at most.
pub const MAX_USERS: usize = 200_000;

/// (item, type, sum of values, number of events), latest last.
pub type Interactions = Arc<Vec<(String, EventType, f64, i64)>>;

type Entries = HashMap<String, (Interactions, Instant)>;

/// The cache (cheap to clone; clones share it).
#[derive(Clone)]
pub struct HistoryCache {
    ttl: Duration,
    entries: Arc<Mutex<Entries>>,
}

impl Default for HistoryCache {
    fn default() -> Self {
        HistoryCache::new(Duration::from_secs(2))
    }
}

impl HistoryCache {
    /// A cache whose entries live `ttl` (zero: no caching).
    pub fn new(ttl: Duration) -> Self {
        HistoryCache {
            ttl,
            entries: Arc::default(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The user's interactions, from the cache or the store.
    pub async fn get(&self, store: &Store, user_id: &str) -> Result<Interactions, StoreError> {
        if !self.ttl.is_zero()
            && let Some((v, at)) = self.lock().get(user_id)
            && at.elapsed() < self.ttl
        {
            return Ok(v.clone());
        }
        let v: Interactions = Arc::new(store.user_interactions(user_id).await?);
        if !self.ttl.is_zero() {
            let mut entries = self.lock();
            if entries.len() >= MAX_USERS {
                entries.clear();
            }
            entries.insert(user_id.to_owned(), (v.clone(), Instant::now()));
        }
        Ok(v)
    }

    /// Forgets these users (after a write that concerns them).
    pub fn invalidate<'a>(&self, users: impl IntoIterator<Item = &'a str>) {
        let mut entries = self.lock();
        for u in users {
            entries.remove(u);
        }
    }
}
