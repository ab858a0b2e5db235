//! Recent recommendation lists per user, so that a page view that asks
//! again for the same user's list (the common case on a shop's site) costs
//! a look-up, not a scoring pass.
//!
//! Only the plain request shape is kept (a length `n`, no category, no
//! exclusions, no explanations). A list is valid for one serving version
//! (model, catalog masks): a lookup with any other version misses, and the
//! first list stored for a new version empties the table. The lists live
//! inside the histories' state, whose every change to a user drops that
//! user's lists under the same write lock, and whose reload starts empty.
//! A list computed from a history that changed while it was computed is
//! not stored (the state's generation moved), so a stored list always
//! reflects the history as it now stands. At most [`MAX_USERS`] users are
//! kept; the table is emptied when full.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::serving::LoadedRecommender;

/// Users whose lists are kept at most.
pub const MAX_USERS: usize = 200_000;

/// A ranked list as (model column, score), and whether it is the
/// cold-start answer.
#[derive(Debug, Clone)]
pub struct Ranked {
    /// Best first.
    pub items: Arc<[(u32, f32)]>,
    /// From the fallback (trending) model.
    pub cold: bool,
}

#[derive(Default)]
struct Table {
    /// The serving version the lists belong to.
    version: Option<Arc<LoadedRecommender>>,
    /// User → (n, list).
    lists: HashMap<Box<str>, Vec<(usize, Ranked)>>,
}

/// The table (see the module).
#[derive(Default)]
pub(super) struct Answers {
    table: Mutex<Table>,
}

impl std::fmt::Debug for Answers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Answers")
            .field("users", &self.users())
            .finish()
    }
}

impl Answers {
    fn lock(&self) -> MutexGuard<'_, Table> {
        self.table
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The user's list of length `n` under `version`.
    pub fn get(&self, user: &str, n: usize, version: &Arc<LoadedRecommender>) -> Option<Ranked> {
        let t = self.lock();
        if !t.version.as_ref().is_some_and(|v| Arc::ptr_eq(v, version)) {
            return None;
        }
        t.lists
            .get(user)?
            .iter()
            .find(|(m, _)| *m == n)
            .map(|(_, r)| r.clone())
    }

    /// Keeps a list (the caller checked the history did not change).
    pub fn put(&self, user: &str, n: usize, version: &Arc<LoadedRecommender>, ranked: Ranked) {
        let mut t = self.lock();
        if !t.version.as_ref().is_some_and(|v| Arc::ptr_eq(v, version)) {
            t.version = Some(version.clone());
            t.lists.clear();
        }
        if t.lists.len() >= MAX_USERS && !t.lists.contains_key(user) {
            t.lists.clear();
        }
        let lists = t.lists.entry(user.into()).or_default();
        lists.retain(|(m, _)| *m != n);
        lists.push((n, ranked));
    }

    /// Drops a user's lists (their history changed).
    pub fn forget(&mut self, user: &str) {
        self.table
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .lists
            .remove(user);
    }

    /// Drops every list.
    pub fn clear(&mut self) {
        self.table
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .lists
            .clear();
    }

    /// Users with a kept list.
    pub fn users(&self) -> usize {
        self.lock().lists.len()
    }
}
