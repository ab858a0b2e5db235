//! Top-k selection over a score vector, skipping excluded items.

/// The `k` highest-scoring items as (item, score), best first; ties go to
/// the lower index so results are deterministic. `excluded` must be sorted.
/// Items scoring `-inf` or NaN are never returned.
pub fn top_k(scores: &[f32], k: usize, excluded: &[u32]) -> Vec<(u32, f32)> {
    top_k_with(scores, k, excluded, &mut Vec::new())
}

/// [`top_k`] reusing `cand` as its work buffer (no allocation per call
/// once the buffer has grown: scoring 20,000 users over 50,000 items spent
/// a third of its time zeroing fresh pages before this).
///
/// One pass with a running threshold: an item is a candidate only if it
/// beats the `k`-th best score kept so far (`floor`); when the buffer holds
/// `2k` candidates it is cut back to the best `k` (a linear-time selection)
/// and the floor rises. An item that only ties the floor comes later than
/// every kept item with that score, so it loses the tie and is skipped, as
/// in the sorted definition. Exclusions are checked (by walking the sorted
/// list alongside) only for items that pass the floor, so the pass costs
/// one comparison for most items, which is what a serving request wants.
pub fn top_k_with(
    scores: &[f32],
    k: usize,
    excluded: &[u32],
    cand: &mut Vec<(u32, f32)>,
) -> Vec<(u32, f32)> {
    cand.clear();
    if k == 0 {
        return Vec::new();
    }
    let order = |a: &(u32, f32), b: &(u32, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
    let cut = |cand: &mut Vec<(u32, f32)>| {
        if cand.len() > k {
            cand.select_nth_unstable_by(k - 1, order);
            cand.truncate(k);
        }
    };
    let batch = 2 * k.max(16);
    let mut floor = f32::NEG_INFINITY;
    let mut skip = excluded.iter().copied().peekable();
    for (i, &s) in scores.iter().enumerate() {
        // False for NaN, -inf and anything not above the floor.
        if !(s > floor && s.is_finite()) {
            continue;
        }
        let i = i as u32;
        while skip.next_if(|&e| e < i).is_some() {}
        if skip.peek() == Some(&i) {
            continue;
        }
        cand.push((i, s));
        if cand.len() >= batch {
            cut(cand);
            floor = cand[k - 1].1;
        }
    }
    cut(cand);
    cand.sort_by(order);
    cand.clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_best_first_skips_excluded_and_breaks_ties_by_index() {
        let s = [0.5, 2.0, f32::NEG_INFINITY, 2.0, 1.0, f32::NAN];
        assert_eq!(top_k(&s, 3, &[]), vec![(1, 2.0), (3, 2.0), (4, 1.0)]);
        assert_eq!(top_k(&s, 2, &[1]), vec![(3, 2.0), (4, 1.0)]);
        assert_eq!(top_k(&s, 10, &[0, 1, 3, 4]), vec![]);
        assert_eq!(top_k(&s, 0, &[]), vec![]);
    }

    /// The definition: every finite, non-excluded item sorted by score
    /// (ties by index), the first `k`.
    fn by_sorting(scores: &[f32], k: usize, excluded: &[u32]) -> Vec<(u32, f32)> {
        let mut all: Vec<(u32, f32)> = scores
            .iter()
            .enumerate()
            .filter(|(i, s)| s.is_finite() && !excluded.contains(&(*i as u32)))
            .map(|(i, &s)| (i as u32, s))
            .collect();
        all.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        all.truncate(k);
        all
    }

    #[test]
    fn the_threshold_pass_matches_the_sorted_definition() {
        // Deterministic pseudo-random scores with many ties (a few distinct
        // values), infinities and NaNs, over sizes around the batch size.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for n in [0, 1, 5, 31, 32, 33, 100, 1000] {
            for k in [1, 2, 10, 16, 40, 1000] {
                let scores: Vec<f32> = (0..n)
                    .map(|_| match next() % 20 {
                        0 => f32::NAN,
                        1 => f32::NEG_INFINITY,
                        2 => f32::INFINITY,
                        r => (r % 7) as f32 - 3.0,
                    })
                    .collect();
                let excluded: Vec<u32> = (0..n as u32).filter(|_| next() % 4 == 0).collect();
                assert_eq!(
                    top_k(&scores, k, &excluded),
                    by_sorting(&scores, k, &excluded),
                    "n {n}, k {k}"
                );
            }
        }
    }
}
