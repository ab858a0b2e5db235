//! Train/test splits of interactions, deterministic from a seed.
//!
//! - [`ratio_split`]: per-user stratified random split; each user with at
//!   least two interactions keeps `round(n × (1 - test_ratio))` (and at least
//!   one) in train, the rest in test, so every user is represented in both.
//! - [`leave_last_n_out`]: each user's `n` most recent interactions form the
//!   test set (users with `n` or fewer stay entirely in train).
//! - [`time_split`] / [`time_split_fraction`]: everything before a cut-off time
//!   trains, the rest tests (the honest split for forecasting-like use).
//!
//! Output order is stable: interactions keep their input order within each set.

use crate::record::Interaction;
use crate::rng::Rng;

/// A train/test partition.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Split {
    /// Interactions to fit on.
    pub train: Vec<Interaction>,
    /// Interactions to evaluate on.
    pub test: Vec<Interaction>,
}

/// A split parameter out of range.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SplitError {
    /// The test ratio must lie strictly between 0 and 1.
    #[error("test ratio must lie strictly between 0 and 1, got {0}")]
    BadRatio(f64),
    /// Leave-last-n-out needs n ≥ 1.
    #[error("n must be at least 1")]
    ZeroN,
}

/// Indices of `interactions` grouped by user, each group in input order.
fn by_user(interactions: &[Interaction]) -> Vec<Vec<usize>> {
    let users = interactions
        .iter()
        .map(|i| i.user as usize + 1)
        .max()
        .unwrap_or(0);
    let mut groups = vec![Vec::new(); users];
    for (pos, i) in interactions.iter().enumerate() {
        groups[i.user as usize].push(pos);
    }
    groups
}

fn assemble(interactions: &[Interaction], is_test: &[bool]) -> Split {
    let mut split = Split::default();
    for (i, &t) in interactions.iter().zip(is_test) {
        if t {
            split.test.push(*i);
        } else {
            split.train.push(*i);
        }
    }
    split
}

/// Per-user stratified random split with `test_ratio` of each user's
/// interactions in test. Each user's draw uses its own stream forked from
/// `seed`, so adding a user does not change the others' splits.
pub fn ratio_split(
    interactions: &[Interaction],
    test_ratio: f64,
    seed: u64,
) -> Result<Split, SplitError> {
    if !(test_ratio > 0.0 && test_ratio < 1.0) {
        return Err(SplitError::BadRatio(test_ratio));
    }
    let root = Rng::seed_from_u64(seed);
    let mut is_test = vec![false; interactions.len()];
    for (user, mut group) in by_user(interactions).into_iter().enumerate() {
        let n = group.len();
        if n < 2 {
            continue;
        }
        let train_n = ((n as f64 * (1.0 - test_ratio)).round() as usize).clamp(1, n - 1);
        root.fork(user as u64).shuffle(&mut group);
        for &pos in &group[train_n..] {
            is_test[pos] = true;
        }
    }
    Ok(assemble(interactions, &is_test))
}

/// Each user's `n` latest interactions go to test (ties in time broken by
/// input order, later rows counting as later).
pub fn leave_last_n_out(interactions: &[Interaction], n: usize) -> Result<Split, SplitError> {
    if n == 0 {
        return Err(SplitError::ZeroN);
    }
    let mut is_test = vec![false; interactions.len()];
    for mut group in by_user(interactions) {
        if group.len() <= n {
            continue;
        }
        group.sort_by_key(|&pos| (interactions[pos].timestamp, pos));
        for &pos in &group[group.len() - n..] {
            is_test[pos] = true;
        }
    }
    Ok(assemble(interactions, &is_test))
}

/// Interactions before `cutoff` (Unix seconds) train; those at or after it test.
pub fn time_split(interactions: &[Interaction], cutoff: i64) -> Split {
    let is_test: Vec<bool> = interactions.iter().map(|i| i.timestamp >= cutoff).collect();
    assemble(interactions, &is_test)
}

/// A global time split whose cut-off puts about `test_fraction` of the
/// interactions in test: the cut-off is the timestamp at that quantile.
pub fn time_split_fraction(
    interactions: &[Interaction],
    test_fraction: f64,
) -> Result<Split, SplitError> {
    if !(test_fraction > 0.0 && test_fraction < 1.0) {
        return Err(SplitError::BadRatio(test_fraction));
    }
    if interactions.is_empty() {
        return Ok(Split::default());
    }
    let mut ts: Vec<i64> = interactions.iter().map(|i| i.timestamp).collect();
    ts.sort_unstable();
    let k = ((ts.len() as f64) * (1.0 - test_fraction)).floor() as usize;
    let cutoff = ts[k.min(ts.len() - 1)];
    Ok(time_split(interactions, cutoff))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::EventType;

    fn ev(user: u32, item: u32, timestamp: i64) -> Interaction {
        Interaction {
            user,
            item,
            kind: EventType::View,
            value: 1.0,
            timestamp,
        }
    }

    fn data() -> Vec<Interaction> {
        let mut v = Vec::new();
        for u in 0..20u32 {
            for k in 0..(u % 7 + 1) {
                v.push(ev(u, k * 3 + u, i64::from(100 * u + k)));
            }
        }
        v
    }

    #[test]
    fn ratio_split_is_stratified_deterministic_and_a_partition() {
        let d = data();
        let s = ratio_split(&d, 0.25, 9).unwrap();
        assert_eq!(s, ratio_split(&d, 0.25, 9).unwrap());
        assert_ne!(s, ratio_split(&d, 0.25, 10).unwrap());
        assert_eq!(s.train.len() + s.test.len(), d.len());
        for u in 0..20u32 {
            let n = d.iter().filter(|i| i.user == u).count();
            let tr = s.train.iter().filter(|i| i.user == u).count();
            let expect = if n < 2 {
                n
            } else {
                ((n as f64 * 0.75).round() as usize).clamp(1, n - 1)
            };
            assert_eq!(tr, expect, "user {u} with {n}");
        }
        assert_eq!(ratio_split(&d, 1.0, 0), Err(SplitError::BadRatio(1.0)));
    }

    #[test]
    fn leave_last_one_out_takes_the_latest() {
        let d = vec![
            ev(0, 1, 5),
            ev(0, 2, 9),
            ev(0, 3, 7),
            ev(1, 4, 1),
            ev(2, 5, 3),
            ev(2, 6, 3),
        ];
        let s = leave_last_n_out(&d, 1).unwrap();
        // user 0's latest is item 2 (t=9); user 1 has one event and stays in
        // train; user 2 ties at t=3 and the later row (item 6) is the test.
        assert_eq!(
            s.test.iter().map(|i| i.item).collect::<Vec<_>>(),
            vec![2, 6]
        );
        assert_eq!(
            s.train.iter().map(|i| i.item).collect::<Vec<_>>(),
            vec![1, 3, 4, 5]
        );
        assert_eq!(leave_last_n_out(&d, 0), Err(SplitError::ZeroN));
    }

    #[test]
    fn time_splits_cut_at_the_quantile() {
        let d: Vec<_> = (0..10).map(|t| ev(0, t as u32, t)).collect();
        let s = time_split(&d, 7);
        assert_eq!((s.train.len(), s.test.len()), (7, 3));
        let s = time_split_fraction(&d, 0.2).unwrap();
        assert_eq!((s.train.len(), s.test.len()), (8, 2));
        assert!(s.train.iter().all(|i| i.timestamp < 8) && s.test.iter().all(|i| i.timestamp >= 8));
    }
}
