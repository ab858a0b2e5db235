//! Users' histories for recommendations, in memory on a server so that a
//! recommendation request never waits on the database.
//!
//! A server ([`Histories::in_memory`]) loads every user's interactions at
//! start (it is not ready before) and keeps them current from
//!
//! 1. its own accepted writes, applied right after they commit
//!    ([`Histories::applied_write`]), so a client always sees its own
//!    writes on the replica it wrote to;
//! 2. everyone else's writes (other replicas, the CLI) through the store's
//!    event feed (`shopmind_store::FeedPosition`): on PostgreSQL a
//!    `LISTEN` on the feed's channel wakes the catch-up at once; on both
//!    backends the catch-up also runs every [`FEED_POLL`], which covers
//!    missed notifications and reconnects. The catch-up reads what was
//!    numbered after the last number applied, so nothing is applied twice
//!    and nothing is skipped. A published import (a new epoch) reloads
//!    everything.
//!
//! The store stays the source of truth: an event is durable before the API
//! acknowledges it, and memory is rebuilt from the store at every start.
//!
//! One-shot commands and tests ([`Histories::default`]) read the user's
//! interactions from the store on each call instead.
//!
//! **Memory.** Per user: the id, a hash-table slot (key, 8-byte id hash,
//! vector header) and a vector; per distinct (user, item, event type): a
//! 24-byte entry (`state::Entry`). Measured figures are in
//! `docs/operations.md`.

mod answers;
mod state;

use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::{Duration, Instant};

use shopmind_core::cancel::Cancel;
use shopmind_recommend::model::{Artifact, LiveHistory};
use shopmind_store::{EventsWritten, Store, StoreError};

use crate::serving::LoadedRecommender;

pub use answers::Ranked;
pub use state::Footprint;
use state::State;

/// How often the catch-up runs without a notification.
pub const FEED_POLL: Duration = Duration::from_secs(1);

/// The histories (cheap to clone; clones share them).
#[derive(Clone, Default)]
pub struct Histories {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    /// Keep histories in memory (a server).
    memory: bool,
    /// `None` until loaded (and always, when not in memory).
    state: RwLock<Option<State>>,
    /// Wakes the catch-up (a notification arrived).
    wake: tokio::sync::Notify,
}

impl Histories {
    /// Histories kept in memory once [`Histories::load`] has run.
    pub fn in_memory() -> Self {
        Histories {
            inner: Arc::new(Inner {
                memory: true,
                ..Inner::default()
            }),
        }
    }

    fn read(&self) -> RwLockReadGuard<'_, Option<State>> {
        // A poisoned lock still holds consistent histories (every change
        // is applied whole before the guard drops).
        self.inner
            .state
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, Option<State>> {
        self.inner
            .state
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The user's history in the columns of a recommendation model: from
    /// memory (through a per-model table from interned item to column, so
    /// no id is hashed per request) when loaded, else from the store.
    ///
    /// Also returns the generation of the histories it was read at (`None`
    /// when read from the store), for [`Histories::keep_ranked`].
    pub async fn model_history(
        &self,
        store: &Store,
        user_id: &str,
        model: &Arc<Artifact>,
    ) -> Result<(LiveHistory, Option<u64>), StoreError> {
        for _ in 0..2 {
            {
                let guard = self.read();
                let Some(state) = guard.as_ref() else {
                    break;
                };
                if let Some(cols) = state.columns_for(model) {
                    let history = model.history_columns(state.user_columns(user_id, model, cols));
                    return Ok((history, Some(state.generation)));
                }
            }
            if let Some(state) = self.write().as_mut() {
                state.build_columns(model);
            }
        }
        let rows = store.user_interactions(user_id).await?;
        let history =
            model.history_counted(rows.iter().map(|(i, k, v, n)| (i.as_str(), *k, *v, *n)));
        Ok((history, None))
    }

    /// The user's recent plain list of length `n` under `version`, if kept
    /// (see `answers`).
    pub fn ranked(
        &self,
        user_id: &str,
        n: usize,
        version: &Arc<LoadedRecommender>,
    ) -> Option<Ranked> {
        self.read().as_ref()?.answers.get(user_id, n, version)
    }

    /// Keeps a plain list computed from the history read at `generation`,
    /// unless any history changed since.
    pub fn keep_ranked(
        &self,
        user_id: &str,
        n: usize,
        version: &Arc<LoadedRecommender>,
        generation: u64,
        ranked: Ranked,
    ) {
        if let Some(state) = self.read().as_ref()
            && state.generation == generation
        {
            state.answers.put(user_id, n, version, ranked);
        }
    }

    /// Loads every user's history from the store, replacing what is held
    /// (a no-op unless [`Histories::in_memory`]).
    pub async fn load(&self, store: &Store) -> Result<(), StoreError> {
        if !self.inner.memory {
            return Ok(());
        }
        let started = Instant::now();
        let pos = store.feed_position().await?;
        let mut state = State::new(pos.seq, pos.epoch);
        store
            .for_each_event(pos.seq, |e| state.push_loaded(&e))
            .await?;
        let state = tokio::task::spawn_blocking(move || {
            state.finish_load();
            state
        })
        .await
        .map_err(|e| StoreError::Conflict(format!("loading histories stopped: {e}")))?;
        let f = state.footprint();
        *self.write() = Some(state);
        record(&f);
        tracing::info!(
            users = f.users,
            events = f.events,
            entries = f.entries,
            mib = f.bytes as f64 / (1 << 20) as f64,
            seconds = started.elapsed().as_secs_f64(),
            "users' histories loaded"
        );
        // Catch up with what was written during the load.
        self.wake();
        Ok(())
    }

    /// Applies what the feed holds beyond what is applied (or reloads, on
    /// a new import epoch).
    pub async fn catch_up(&self, store: &Store) -> Result<(), StoreError> {
        let Some((seq, epoch)) = self.read().as_ref().map(|s| (s.seq, s.epoch)) else {
            return Ok(());
        };
        let pos = store.feed_position().await?;
        if pos.epoch != epoch {
            tracing::info!(
                epoch = pos.epoch,
                "an import was published; reloading histories"
            );
            return self.load(store).await;
        }
        if pos.seq <= seq {
            return Ok(());
        }
        let delta = store.feed_delta(seq, pos.seq).await?;
        let mut guard = self.write();
        if let Some(state) = guard.as_mut()
            && state.epoch == epoch
        {
            state.apply_delta(&delta, pos.seq);
            metrics::gauge!("shopmind_history_feed_seq").set(state.seq as f64);
        }
        Ok(())
    }

    /// Applies this replica's own committed write at once.
    pub fn applied_write(&self, written: &EventsWritten) {
        if let Some(state) = self.write().as_mut() {
            state.apply_own(
                written.seq,
                written.events.iter().map(|e| {
                    (
                        e.user_id.as_str(),
                        e.item_id.as_str(),
                        e.event_type,
                        e.value,
                        e.timestamp,
                    )
                }),
            );
        }
    }

    /// Applies this replica's own privacy delete at once.
    pub fn applied_deletion(&self, seq: i64, user_id: &str) {
        if let Some(state) = self.write().as_mut() {
            state.delete_own(seq, user_id);
        }
    }

    /// Whether the feed write numbered `seq` is applied (false when not
    /// loaded).
    pub fn has(&self, seq: i64) -> bool {
        self.read().as_ref().is_some_and(|s| s.has(seq))
    }

    /// What is held (`None` when not loaded).
    pub fn footprint(&self) -> Option<Footprint> {
        self.read().as_ref().map(State::footprint)
    }

    /// Asks the catch-up to run now.
    pub fn wake(&self) {
        self.inner.wake.notify_one();
    }
}

fn record(f: &Footprint) {
    metrics::gauge!("shopmind_history_users").set(f.users as f64);
    metrics::gauge!("shopmind_history_entries").set(f.entries as f64);
    metrics::gauge!("shopmind_history_bytes").set(f.bytes as f64);
}

/// Keeps `histories` current until `shutdown`: the catch-up on every
/// notification and every [`FEED_POLL`], and on PostgreSQL a listener on
/// the feed's channel.
pub fn spawn_feed(store: Store, histories: Histories, shutdown: Cancel) {
    if store.feed_channel().is_some() {
        tokio::spawn(listen(store.clone(), histories.clone(), shutdown.clone()));
    }
    tokio::spawn(async move {
        while !shutdown.is_cancelled() {
            tokio::select! {
                () = histories.inner.wake.notified() => {}
                () = tokio::time::sleep(FEED_POLL) => {}
            }
            if let Err(e) = histories.catch_up(&store).await {
                tracing::warn!(error = %e, "cannot catch up with the event feed; retrying");
            }
        }
    });
}

/// Wakes the catch-up on every notification of a write not yet applied,
/// and after every (re)connect, since notifications sent while the
/// connection was down are lost.
async fn listen(store: Store, histories: Histories, shutdown: Cancel) {
    while !shutdown.is_cancelled() {
        match store.feed_listener().await {
            Ok(Some(mut listener)) => {
                histories.wake();
                // Not raced against a timer: a receive cut off halfway could
                // leave the connection mid-message. The process exits at
                // shutdown anyway.
                loop {
                    match listener.next().await {
                        Ok(Some(payload)) => {
                            let mine = payload.parse().is_ok_and(|seq| histories.has(seq));
                            if !mine {
                                histories.wake();
                            }
                        }
                        // Lost and reconnecting: catch up by number.
                        Ok(None) => histories.wake(),
                        Err(e) => {
                            tracing::warn!(error = %e, "the event feed's listener failed; reconnecting");
                            break;
                        }
                    }
                }
            }
            Ok(None) => return,
            Err(e) => tracing::warn!(error = %e, "cannot listen on the event feed; retrying"),
        }
        tokio::time::sleep(FEED_POLL).await;
    }
}
