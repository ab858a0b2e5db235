//! Recommendation engine tests: known answers, real-time behaviour,
//! convergence, business rules and bad input.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// Matrix oracles read best with explicit indices.
#![allow(clippy::needless_range_loop)]

mod artifacts;
mod behaviour;
mod factor_models;
mod known_answers;
mod rules;

use shopmind_core::Rng;
use shopmind_core::record::{Event, EventType};
use shopmind_recommend::{Dataset, MatrixOptions};

/// A purchase event.
pub fn ev(user: &str, item: &str) -> Event {
    Event {
        event_id: format!("{user}/{item}"),
        user_id: user.into(),
        item_id: item.into(),
        event_type: EventType::Purchase,
        value: 1.0,
        timestamp: 0,
    }
}

/// A binary dataset from (user, item) pairs.
pub fn data(pairs: &[(&str, &str)]) -> Dataset {
    let events: Vec<Event> = pairs.iter().map(|(u, i)| ev(u, i)).collect();
    Dataset::from_events(
        &events,
        [],
        MatrixOptions {
            binary: true,
            ..Default::default()
        },
    )
    .unwrap()
}

/// Planted structure: `clusters` groups of 20 users and 15 items; a user
/// buys each item of their own group with probability 0.5 and any other
/// with probability 0.02.
pub fn planted(clusters: usize, seed: u64) -> Dataset {
    let mut rng = Rng::seed_from_u64(seed);
    let mut events = Vec::new();
    for u in 0..clusters * 20 {
        for i in 0..clusters * 15 {
            let same = u / 20 == i / 15;
            if rng.bernoulli(if same { 0.5 } else { 0.02 }) {
                events.push(ev(&format!("u{u}"), &format!("i{i}")));
            }
        }
    }
    Dataset::from_events(
        &events,
        [],
        MatrixOptions {
            binary: true,
            ..Default::default()
        },
    )
    .unwrap()
}
