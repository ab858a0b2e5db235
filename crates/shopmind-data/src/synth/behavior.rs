//! Synthetic shopper behaviour: sessions, the event funnel, ratings and returns.
//!
//! Each user draws Poisson(activity · events_per_user / 1.95) sessions (1.95
//! is the funnel's expected events per session), spread uniformly between
//! sign-up and the end of the history, with evening-heavy hours. A session
//! picks one launched item with probability ∝ exp(2.5·z + bᵢ), z = ⟨u, v⟩, then:
//! view → click (p 0.35) → cart (p σ(2z − 1.6)) → purchase (p 0.65 of carts)
//! → rating a few days later (p 0.35; 1–5 from 3 + 1.5(z − 0.5) + N(0, 0.7²))
//! and return (p 0.04 + 0.08 σ(−3z)); an item viewed but not carted is
//! disliked with p 0.05 σ(−2z).

use shopmind_core::Rng;
use shopmind_core::record::{Event, EventType};

use super::catalog::Catalog;
use super::{CsvOut, SynthError, SynthParams, sigmoid, write_err};
use crate::canonical::{EVENT_COLUMNS, event_record};

/// A generated event with dense user and item positions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SynthEvent {
    /// Position in `Catalog::users`.
    pub user: u32,
    /// Position in `Catalog::items`.
    pub item: u32,
    /// Event type.
    pub kind: EventType,
    /// Rating or quantity.
    pub value: f64,
    /// Unix seconds.
    pub ts: i64,
}

/// Expected events per session of the funnel above (used to size sessions).
const EVENTS_PER_SESSION: f64 = 1.95;

/// Hour-of-day weights, evening-heavy.
const HOURS: [f64; 24] = [
    0.3, 0.2, 0.1, 0.1, 0.1, 0.2, 0.4, 0.7, 1.0, 1.1, 1.1, 1.2, 1.4, 1.3, 1.1, 1.1, 1.2, 1.4, 1.7,
    2.0, 2.2, 2.0, 1.4, 0.8,
];

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Simulates every user's events, sorted by time.
pub fn simulate(params: &SynthParams, catalog: &Catalog, rng: &mut Rng) -> Vec<SynthEvent> {
    let start = params.start.timestamp();
    let end = params.end().timestamp() + 86_399;
    let mut events = Vec::new();
    let mut cumulative = vec![0.0; catalog.items.len()];
    for (u, user) in catalog.users.iter().enumerate() {
        let mut r = rng.fork(u as u64);
        let mut acc = 0.0;
        for (c, item) in cumulative.iter_mut().zip(&catalog.items) {
            acc += (2.5 * dot(&user.factors, &item.factors) + item.popularity).exp();
            *c = acc;
        }
        let sessions = r.poisson(user.activity * params.events_per_user / EVENTS_PER_SESSION);
        for _ in 0..sessions {
            let day =
                user.signup + r.below((params.days as i32 - user.signup).max(1) as u64) as i32;
            // Inverse-CDF draw; retry a few times when the item is not launched yet.
            let Some(i) = (0..8)
                .map(|_| {
                    let x = r.uniform() * acc;
                    cumulative
                        .partition_point(|&c| c <= x)
                        .min(catalog.items.len() - 1)
                })
                .find(|&i| catalog.items[i].launch <= day)
            else {
                continue;
            };
            let hour = r.weighted_index(&HOURS).unwrap_or(12) as i64;
            let t0 = start + i64::from(day) * 86_400 + hour * 3600 + r.below(3600) as i64;
            let z = dot(&user.factors, &catalog.items[i].factors);
            funnel(&mut events, &mut r, u as u32, i as u32, z, t0, end);
        }
    }
    events.sort_by_key(|e| (e.ts, e.user, e.item, e.kind));
    events
}

fn funnel(out: &mut Vec<SynthEvent>, r: &mut Rng, user: u32, item: u32, z: f64, t0: i64, end: i64) {
    let mut push = |kind, value, ts: i64| {
        if ts <= end {
            out.push(SynthEvent {
                user,
                item,
                kind,
                value,
                ts,
            });
        }
    };
    push(EventType::View, 1.0, t0);
    if r.bernoulli(0.35) {
        push(EventType::Click, 1.0, t0 + 10 + r.below(110) as i64);
    }
    if !r.bernoulli(sigmoid(2.0 * z - 1.6)) {
        if r.bernoulli(0.05 * sigmoid(-2.0 * z)) {
            push(EventType::Dislike, 1.0, t0 + 30 + r.below(300) as i64);
        }
        return;
    }
    push(EventType::Cart, 1.0, t0 + 60 + r.below(540) as i64);
    if !r.bernoulli(0.65) {
        return;
    }
    let quantity = 1.0 + r.poisson(0.3) as f64;
    let bought = t0 + 300 + r.below(1500) as i64;
    push(EventType::Purchase, quantity, bought);
    if r.bernoulli(0.35) {
        let rating = (3.0 + 1.5 * (z - 0.5) + 0.7 * r.normal())
            .round()
            .clamp(1.0, 5.0);
        push(
            EventType::Rating,
            rating,
            bought + 86_400 * (1 + r.below(14) as i64),
        );
    }
    if r.bernoulli(0.04 + 0.08 * sigmoid(-3.0 * z)) {
        push(
            EventType::Return,
            quantity,
            bought + 86_400 * (3 + r.below(18) as i64),
        );
    }
}

/// Writes `events.csv` (event ids `E0000001`… in time order).
pub fn write_events(
    events: &[SynthEvent],
    catalog: &Catalog,
    w: &mut CsvOut,
) -> Result<(), SynthError> {
    let e = write_err("events.csv");
    w.write_record(EVENT_COLUMNS).map_err(&e)?;
    for (n, ev) in events.iter().enumerate() {
        let event = Event {
            event_id: format!("E{:07}", n + 1),
            user_id: catalog.users[ev.user as usize].id.clone(),
            item_id: catalog.items[ev.item as usize].id.clone(),
            event_type: ev.kind,
            value: ev.value,
            timestamp: ev.ts,
        };
        w.write_record(event_record(&event)).map_err(&e)?;
    }
    Ok(())
}
