//! The in-memory form of every user's history: per user, one entry per
//! (item, event type) with the sum of values, the number of events and the
//! latest time, ordered by that time (ties by item id), which is exactly
//! what `Store::user_interactions` returns for the user.
//!
//! Item ids are interned (`u32`); an entry is 24 bytes. A user also keeps
//! the first 64 bits of the SHA-256 of their id, because a privacy delete
//! reaches other replicas as that hash only (the id is never stored): a
//! delete then costs one pass over 8-byte prefixes, not a hash per user.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use shopmind_core::record::EventType;
use shopmind_recommend::model::Artifact;
use shopmind_store::{FeedDelta, FeedEvent};

/// One (item, event type) of a user.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Entry {
    /// Latest event time (Unix seconds).
    last: i64,
    /// Sum of the events' values.
    total: f32,
    /// Number of events.
    count: u32,
    /// Interned item id.
    item: u32,
    kind: EventType,
}

/// One user's history.
#[derive(Debug, Default)]
pub(super) struct User {
    /// First 64 bits of SHA-256(user id).
    id_hash: u64,
    /// By (latest time, item id).
    entries: Vec<Entry>,
}

/// Item ids, interned.
#[derive(Debug, Default)]
struct Interner {
    ids: HashMap<Arc<str>, u32>,
    names: Vec<Arc<str>>,
}

impl Interner {
    fn intern(&mut self, id: &str) -> u32 {
        if let Some(&i) = self.ids.get(id) {
            return i;
        }
        let i = self.names.len() as u32;
        let name: Arc<str> = id.into();
        self.names.push(name.clone());
        self.ids.insert(name, i);
        i
    }

    fn name(&self, i: u32) -> &str {
        self.names.get(i as usize).map_or("", |s| s)
    }
}

/// Every user's history, and where in the feed it stands.
#[derive(Debug, Default)]
pub(super) struct State {
    items: Interner,
    users: HashMap<Box<str>, User>,
    /// Every feed number up to this one is applied.
    pub seq: i64,
    /// The import epoch the histories were loaded at.
    pub epoch: i64,
    /// Numbers above `seq` already applied (this replica's own writes).
    ahead: BTreeSet<i64>,
    /// Events applied since the load began.
    events: u64,
    /// The model-ready form for one recommendation model: its column of
    /// every item interned when it was built (`u32::MAX`: not in the
    /// model). Holding the artifact keeps the pointer comparison sound.
    columns: Option<(Arc<Artifact>, Vec<u32>)>,
    /// Moves with every change to any history.
    pub generation: u64,
    /// Recent recommendation lists, dropped as histories change.
    pub answers: super::answers::Answers,
}

/// First 64 bits of a SHA-256 hex digest.
fn hash_prefix(hex: &str) -> u64 {
    hex.get(..16)
        .and_then(|h| u64::from_str_radix(h, 16).ok())
        .unwrap_or(0)
}

fn id_hash(user_id: &str) -> u64 {
    hash_prefix(&shopmind_store::sha256_hex(user_id.as_bytes()))
}

/// The user's history, created empty on first sight (the id is copied
/// only then: a load calls this once per event).
fn user_mut<'a>(users: &'a mut HashMap<Box<str>, User>, user_id: &str) -> &'a mut User {
    if !users.contains_key(user_id) {
        users.insert(
            user_id.into(),
            User {
                id_hash: id_hash(user_id),
                entries: Vec::new(),
            },
        );
    }
    users
        .get_mut(user_id)
        .unwrap_or_else(|| unreachable!("inserted above"))
}

/// What the histories hold and roughly what they cost.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Footprint {
    /// Users with at least one event.
    pub users: u64,
    /// (user, item, event type) entries.
    pub entries: u64,
    /// Events folded into them.
    pub events: u64,
    /// Distinct items.
    pub items: u64,
    /// Estimated heap bytes (tables at capacity, strings, vectors).
    pub bytes: u64,
}

impl State {
    /// Empty histories at a feed position.
    pub fn new(seq: i64, epoch: i64) -> State {
        State {
            seq,
            epoch,
            ..State::default()
        }
    }

    /// Adds a loaded event (any order; [`State::finish_load`] sorts).
    pub fn push_loaded(&mut self, e: &FeedEvent) {
        let item = self.items.intern(&e.item_id);
        let user = user_mut(&mut self.users, &e.user_id);
        user.entries.push(Entry {
            last: e.ts,
            total: e.value as f32,
            count: 1,
            item,
            kind: e.event_type,
        });
        self.events += 1;
    }

    /// Folds each user's loaded events into entries and orders them.
    pub fn finish_load(&mut self) {
        let items = &self.items;
        for user in self.users.values_mut() {
            let mut raw = std::mem::take(&mut user.entries);
            raw.sort_unstable_by_key(|e| (e.item, e.kind));
            let mut merged: Vec<Entry> = Vec::with_capacity(raw.len());
            for e in raw {
                match merged.last_mut() {
                    Some(m) if m.item == e.item && m.kind == e.kind => {
                        m.total += e.total;
                        m.count += 1;
                        m.last = m.last.max(e.last);
                    }
                    _ => merged.push(e),
                }
            }
            merged.sort_by(|a, b| (a.last, items.name(a.item)).cmp(&(b.last, items.name(b.item))));
            merged.shrink_to_fit();
            user.entries = merged;
        }
        self.users.shrink_to_fit();
    }

    /// Adds one event to a user's history, keeping the order.
    fn add(&mut self, user_id: &str, item_id: &str, kind: EventType, value: f64, ts: i64) {
        let item = self.items.intern(item_id);
        let items = &self.items;
        let user = user_mut(&mut self.users, user_id);
        let mut e = match user
            .entries
            .iter()
            .position(|e| e.item == item && e.kind == kind)
        {
            Some(p) => user.entries.remove(p),
            None => Entry {
                last: ts,
                total: 0.0,
                count: 0,
                item,
                kind,
            },
        };
        e.total += value as f32;
        e.count += 1;
        e.last = e.last.max(ts);
        self.generation += 1;
        self.answers.forget(user_id);
        let key = (e.last, items.name(e.item));
        let at = user
            .entries
            .partition_point(|x| (x.last, items.name(x.item)) <= key);
        user.entries.insert(at, e);
        self.events += 1;
    }

    /// Whether the write numbered `seq` is already applied.
    pub fn has(&self, seq: i64) -> bool {
        seq <= self.seq || self.ahead.contains(&seq)
    }

    /// Applies this replica's own write (numbered `seq`) unless applied.
    pub fn apply_own<'a>(
        &mut self,
        seq: i64,
        events: impl IntoIterator<Item = (&'a str, &'a str, EventType, f64, i64)>,
    ) {
        if self.has(seq) {
            return;
        }
        for (user, item, kind, value, ts) in events {
            self.add(user, item, kind, value, ts);
        }
        self.ahead.insert(seq);
    }

    /// Applies this replica's own privacy delete (numbered `seq`).
    pub fn delete_own(&mut self, seq: i64, user_id: &str) {
        if self.has(seq) {
            return;
        }
        self.users.remove(user_id);
        self.generation += 1;
        self.answers.forget(user_id);
        self.ahead.insert(seq);
    }

    /// Applies what the feed says happened in `(self.seq, upto]`, in
    /// number order, skipping what was applied already, and moves to `upto`.
    pub fn apply_delta(&mut self, delta: &FeedDelta, upto: i64) {
        let mut deletions = delta.deletions.iter().peekable();
        for e in &delta.events {
            while let Some((s, hash)) = deletions.next_if(|(s, _)| *s < e.seq) {
                self.delete_hashed(*s, hash);
            }
            if !self.has(e.seq) {
                self.add(&e.user_id, &e.item_id, e.event_type, e.value, e.ts);
            }
        }
        for (s, hash) in deletions {
            self.delete_hashed(*s, hash);
        }
        self.seq = self.seq.max(upto);
        let seq = self.seq;
        self.ahead.retain(|s| *s > seq);
    }

    /// Drops the user whose id hashes to `hash` (a delete made elsewhere).
    fn delete_hashed(&mut self, seq: i64, hash: &str) {
        if self.has(seq) {
            return;
        }
        let prefix = hash_prefix(hash);
        self.generation += 1;
        self.answers.clear();
        self.users.retain(|id, u| {
            u.id_hash != prefix || shopmind_store::sha256_hex(id.as_bytes()) != hash
        });
    }

    /// The user's history as (item, type, sum of values, events), latest last.
    #[cfg(test)]
    pub fn user(&self, user_id: &str) -> impl Iterator<Item = (&str, EventType, f64, i64)> {
        self.users
            .get(user_id)
            .map_or(&[][..], |u| &u.entries)
            .iter()
            .map(|e| {
                (
                    self.items.name(e.item),
                    e.kind,
                    f64::from(e.total),
                    i64::from(e.count),
                )
            })
    }

    /// The column table for `model`, if built for it.
    pub fn columns_for(&self, model: &Arc<Artifact>) -> Option<&[u32]> {
        match &self.columns {
            Some((m, cols)) if Arc::ptr_eq(m, model) => Some(cols),
            _ => None,
        }
    }

    /// Builds the column table for `model` (once per activated model).
    pub fn build_columns(&mut self, model: &Arc<Artifact>) {
        if self.columns_for(model).is_some() {
            return;
        }
        let cols = self
            .items
            .names
            .iter()
            .map(|name| model.items.get(name).unwrap_or(u32::MAX))
            .collect();
        self.columns = Some((model.clone(), cols));
    }

    /// The user's history in `model`'s columns (`cols` from
    /// [`State::columns_for`]; items interned after it was built are looked
    /// up by id).
    pub fn user_columns<'a>(
        &'a self,
        user_id: &str,
        model: &'a Artifact,
        cols: &'a [u32],
    ) -> impl Iterator<Item = (Option<u32>, EventType, f64, i64)> + 'a {
        self.users
            .get(user_id)
            .map_or(&[][..], |u| &u.entries)
            .iter()
            .map(move |e| {
                let column = match cols.get(e.item as usize) {
                    Some(&u32::MAX) => None,
                    Some(&c) => Some(c),
                    None => model.items.get(self.items.name(e.item)),
                };
                (column, e.kind, f64::from(e.total), i64::from(e.count))
            })
    }

    /// What is held, and an estimate of its heap cost.
    pub fn footprint(&self) -> Footprint {
        let slot = std::mem::size_of::<(Box<str>, User)>() + 1;
        let mut bytes = self.users.capacity() * slot;
        let mut entries = 0;
        for (id, u) in &self.users {
            // malloc rounds a block up to 16 bytes and adds 8 of its own.
            bytes += (id.len() + 8).next_multiple_of(16);
            bytes += (u.entries.capacity() * std::mem::size_of::<Entry>() + 8).next_multiple_of(16);
            entries += u.entries.len();
        }
        for name in &self.items.names {
            bytes += (name.len() + 16 + 8).next_multiple_of(16) + 8;
        }
        bytes += self.items.ids.capacity() * (std::mem::size_of::<(Arc<str>, u32)>() + 1);
        Footprint {
            users: self.users.len() as u64,
            entries: entries as u64,
            events: self.events,
            items: self.items.names.len() as u64,
            bytes: bytes as u64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(seq: i64, user: &str, item: &str, kind: EventType, value: f64, ts: i64) -> FeedEvent {
        FeedEvent {
            seq,
            user_id: user.into(),
            item_id: item.into(),
            event_type: kind,
            value,
            ts,
        }
    }

    fn rows(s: &State, user: &str) -> Vec<(String, EventType, f64, i64)> {
        s.user(user)
            .map(|(i, k, v, n)| (i.to_owned(), k, v, n))
            .collect()
    }

    #[test]
    fn loading_folds_events_per_item_and_type_latest_last() {
        use EventType::*;
        let mut s = State::new(3, 0);
        for e in [
            ev(1, "u", "b", Click, 1.0, 30),
            ev(1, "u", "a", Click, 1.0, 10),
            ev(2, "u", "a", Click, 1.0, 40),
            ev(2, "u", "a", Rating, 4.0, 20),
            ev(3, "u", "c", Purchase, 2.0, 30),
            ev(3, "v", "a", Click, 1.0, 5),
        ] {
            s.push_loaded(&e);
        }
        s.finish_load();
        // (last, item): a/Rating 20, b 30, c 30 (tie by id), a/Click 40.
        assert_eq!(
            rows(&s, "u"),
            vec![
                ("a".into(), Rating, 4.0, 1),
                ("b".into(), Click, 1.0, 1),
                ("c".into(), Purchase, 2.0, 1),
                ("a".into(), Click, 2.0, 2),
            ]
        );
        assert_eq!(rows(&s, "nobody"), vec![]);
        let f = s.footprint();
        assert_eq!((f.users, f.entries, f.events, f.items), (2, 5, 6, 3));
        assert!(f.bytes > 5 * 24);
    }

    #[test]
    fn an_added_event_moves_its_entry_to_its_new_place() {
        use EventType::*;
        let mut s = State::new(0, 0);
        s.apply_own(1, [("u", "a", Click, 1.0, 10), ("u", "b", Click, 1.0, 20)]);
        s.apply_own(2, [("u", "a", Click, 1.0, 30)]);
        assert_eq!(
            rows(&s, "u"),
            vec![("b".into(), Click, 1.0, 1), ("a".into(), Click, 2.0, 2)]
        );
        // A back-dated event adds to the sums but does not move the entry.
        s.apply_own(3, [("u", "b", Click, 1.0, 5)]);
        assert_eq!(
            rows(&s, "u"),
            vec![("b".into(), Click, 2.0, 2), ("a".into(), Click, 2.0, 2)]
        );
    }

    #[test]
    fn each_write_is_applied_once_whichever_path_brings_it_first() {
        use EventType::*;
        let mut s = State::new(0, 0);
        // Own write 2 is applied at once; the feed later brings 1, 2 and 3.
        s.apply_own(2, [("u", "a", Click, 1.0, 10)]);
        let delta = FeedDelta {
            events: vec![
                ev(1, "u", "b", Click, 1.0, 5),
                ev(2, "u", "a", Click, 1.0, 10),
                ev(3, "u", "a", Click, 1.0, 11),
            ],
            deletions: vec![],
        };
        s.apply_delta(&delta, 3);
        assert_eq!(
            rows(&s, "u"),
            vec![("b".into(), Click, 1.0, 1), ("a".into(), Click, 2.0, 2)]
        );
        // Replaying the feed, or an own write the feed brought first, changes nothing.
        s.apply_delta(&delta, 3);
        s.apply_own(3, [("u", "a", Click, 1.0, 11)]);
        assert_eq!(rows(&s, "u")[1], ("a".into(), Click, 2.0, 2));
        assert_eq!(s.seq, 3);
        assert!(s.ahead.is_empty());
    }

    #[test]
    fn a_delete_seen_as_a_hash_drops_the_user_in_number_order() {
        use EventType::*;
        let mut s = State::new(0, 0);
        s.apply_own(
            1,
            [("gone", "a", Click, 1.0, 1), ("kept", "a", Click, 1.0, 1)],
        );
        let hash = shopmind_store::sha256_hex(b"gone");
        // Deleted at 2, then a new event at 3: the user comes back with it only.
        let delta = FeedDelta {
            events: vec![ev(3, "gone", "b", Click, 1.0, 9)],
            deletions: vec![(2, hash)],
        };
        s.apply_delta(&delta, 3);
        assert_eq!(rows(&s, "gone"), vec![("b".into(), Click, 1.0, 1)]);
        assert_eq!(rows(&s, "kept").len(), 1);
        s.delete_own(4, "kept");
        assert!(rows(&s, "kept").is_empty());
    }
}
