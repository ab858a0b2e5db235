//! External string ids ↔ dense `u32` indices.
//!
//! Models index vectors and matrices by position; shops name things with
//! strings. An [`Interner`] (one per entity: users, items, ...) assigns each
//! new id the next free index and answers both directions in O(1).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// A bijection between string ids and the dense indices `0..len()`.
///
/// Indices are handed out in first-seen order, so interning the same ids in
/// the same order always yields the same indices (models stay deterministic).
///
/// It serializes as its id list; deserializing rebuilds the lookup table
/// (and refuses a list with a repeated id, which would shift indices).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(into = "Vec<String>", try_from = "Vec<String>")]
pub struct Interner {
    ids: Vec<String>,
    index: HashMap<String, u32>,
}

impl From<Interner> for Vec<String> {
    fn from(i: Interner) -> Vec<String> {
        i.ids
    }
}

/// Why a serialized id list is not a valid interner.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum InternerDecodeError {
    /// More ids than indices.
    #[error(transparent)]
    Full(#[from] InternerFull),
    /// An id appears twice.
    #[error("id `{0}` appears twice in the serialized interner")]
    Duplicate(String),
}

impl TryFrom<Vec<String>> for Interner {
    type Error = InternerDecodeError;
    fn try_from(ids: Vec<String>) -> Result<Interner, InternerDecodeError> {
        let mut interner = Interner::new();
        for id in ids {
            let before = interner.len();
            interner.intern(&id)?;
            if interner.len() == before {
                return Err(InternerDecodeError::Duplicate(id));
            }
        }
        Ok(interner)
    }
}

/// Returned when an interner would need more than `u32::MAX` entries.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error(
    "too many distinct ids: an interner holds at most {} entries",
    u32::MAX
)]
pub struct InternerFull;

impl Interner {
    /// An empty interner.
    pub fn new() -> Self {
        Self::default()
    }

    /// Builds an interner from ids in index order; duplicates keep their first index.
    pub fn from_ids<I, S>(ids: I) -> Result<Self, InternerFull>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut interner = Self::new();
        for id in ids {
            interner.intern(id.as_ref())?;
        }
        Ok(interner)
    }

    /// The index of `id`, assigning the next free one if it is new.
    pub fn intern(&mut self, id: &str) -> Result<u32, InternerFull> {
        if let Some(&idx) = self.index.get(id) {
            return Ok(idx);
        }
        let idx = u32::try_from(self.ids.len()).map_err(|_| InternerFull)?;
        if idx == u32::MAX {
            return Err(InternerFull);
        }
        self.ids.push(id.to_owned());
        self.index.insert(id.to_owned(), idx);
        Ok(idx)
    }

    /// The index of a known id.
    pub fn get(&self, id: &str) -> Option<u32> {
        self.index.get(id).copied()
    }

    /// The id behind an index.
    pub fn resolve(&self, idx: u32) -> Option<&str> {
        self.ids.get(idx as usize).map(String::as_str)
    }

    /// Number of distinct ids.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True when no id has been interned.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// All ids in index order.
    pub fn ids(&self) -> &[String] {
        &self.ids
    }

    /// Erases the id at `idx`: the index keeps its place (models stay
    /// aligned) but now stands for `\0forgotten:<idx>`, which no caller can
    /// name (valid ids hold no control characters). Returns whether `idx`
    /// held an id. The privacy delete uses it to take a user out of a model.
    pub fn forget(&mut self, idx: u32) -> bool {
        let Some(slot) = self.ids.get_mut(idx as usize) else {
            return false;
        };
        let old = std::mem::replace(slot, format!("\0forgotten:{idx}"));
        self.index.remove(&old);
        self.index.insert(slot.clone(), idx);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_forgotten_id_is_gone_and_indices_keep_their_place() {
        let mut i = Interner::from_ids(["a", "b", "c"]).unwrap();
        assert!(i.forget(1));
        assert_eq!(i.get("b"), None);
        assert_eq!((i.get("a"), i.get("c")), (Some(0), Some(2)));
        assert_eq!(i.len(), 3);
        assert!(i.resolve(1).is_some_and(|s| s.starts_with('\0')));
        assert!(!i.forget(9));
        // It still round-trips through its serialized form.
        let back = Interner::try_from(Vec::<String>::from(i.clone())).unwrap();
        assert_eq!(back, i);
    }

    #[test]
    fn interns_in_first_seen_order_and_round_trips() {
        let mut i = Interner::new();
        assert_eq!(i.intern("b").unwrap(), 0);
        assert_eq!(i.intern("a").unwrap(), 1);
        assert_eq!(i.intern("b").unwrap(), 0);
        assert_eq!(i.len(), 2);
        assert_eq!(i.resolve(1), Some("a"));
        assert_eq!(i.get("a"), Some(1));
        assert_eq!(i.get("zz"), None);
        assert_eq!(i.resolve(7), None);
    }

    #[test]
    fn serde_round_trip_rebuilds_the_lookup() {
        let i = Interner::from_ids(["x", "y", "x"]).unwrap();
        assert_eq!(i.len(), 2);
        let json = serde_json::to_string(&i).unwrap();
        assert_eq!(json, r#"["x","y"]"#, "serialized as the id list");
        let back: Interner = serde_json::from_str(&json).unwrap();
        assert_eq!(back.get("y"), Some(1), "lookup works after decoding");
        assert_eq!(back, i);
        let dup = serde_json::from_str::<Interner>(r#"["a","b","a"]"#).unwrap_err();
        assert!(dup.to_string().contains("appears twice"), "{dup}");
    }
}
