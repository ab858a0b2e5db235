//! Beyond-accuracy metrics of recommendation lists.
//!
//! With popᵢ the number of training users who interacted with item i and U
//! the number of training users:
//!
//! - average recommendation popularity (ARP; Abdollahpouri et al., 2019):
//!   mean over lists of (1/|L|) Σ_{i∈L} popᵢ
//! - novelty as mean self-information (Zhou et al., PNAS 2010):
//!   mean over lists of (1/|L|) Σ_{i∈L} −log₂(popᵢ / U), items never seen in
//!   training counted with pop = 1 (the most novel observable)
//! - intra-list diversity (Ziegler et al., WWW 2005): mean over lists of the
//!   average pairwise dissimilarity 1 − sim(i, j) over the list's pairs
//!
//! Lists that are empty (or, for diversity, shorter than two) are skipped.

use super::MetricError;

fn mean_over_lists<'a, I>(
    lists: I,
    mut per_list: impl FnMut(&[u32]) -> Option<f64>,
) -> Result<f64, MetricError>
where
    I: IntoIterator<Item = &'a [u32]>,
{
    let (mut sum, mut n) = (0.0, 0usize);
    for list in lists {
        if let Some(v) = per_list(list) {
            sum += v;
            n += 1;
        }
    }
    if n == 0 {
        return Err(MetricError::Empty);
    }
    Ok(sum / n as f64)
}

/// Average popularity of recommended items.
pub fn average_popularity<'a, I>(lists: I, popularity: &[f64]) -> Result<f64, MetricError>
where
    I: IntoIterator<Item = &'a [u32]>,
{
    mean_over_lists(lists, |l| {
        (!l.is_empty()).then(|| {
            l.iter()
                .map(|&i| popularity.get(i as usize).copied().unwrap_or(0.0))
                .sum::<f64>()
                / l.len() as f64
        })
    })
}

/// Mean self-information −log₂(popᵢ / U) of recommended items.
pub fn novelty<'a, I>(lists: I, popularity: &[f64], n_users: usize) -> Result<f64, MetricError>
where
    I: IntoIterator<Item = &'a [u32]>,
{
    if n_users == 0 {
        return Err(MetricError::ZeroScale("no training users"));
    }
    let u = n_users as f64;
    mean_over_lists(lists, |l| {
        (!l.is_empty()).then(|| {
            l.iter()
                .map(|&i| -(popularity.get(i as usize).copied().unwrap_or(0.0).max(1.0) / u).log2())
                .sum::<f64>()
                / l.len() as f64
        })
    })
}

/// Mean pairwise dissimilarity 1 − sim(i, j) within lists.
pub fn intra_list_diversity<'a, I>(
    lists: I,
    sim: impl Fn(u32, u32) -> f64,
) -> Result<f64, MetricError>
where
    I: IntoIterator<Item = &'a [u32]>,
{
    mean_over_lists(lists, |l| {
        if l.len() < 2 {
            return None;
        }
        let mut total = 0.0;
        for (a, &i) in l.iter().enumerate() {
            for &j in &l[a + 1..] {
                total += 1.0 - sim(i, j);
            }
        }
        Some(total / (l.len() * (l.len() - 1) / 2) as f64)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_answers() {
        let pop = [8.0, 2.0, 1.0, 0.0];
        let lists: Vec<&[u32]> = vec![&[0, 1], &[2, 3], &[]];
        // ARP: (8+2)/2 = 5 and (1+0)/2 = 0.5 → 2.75.
        assert!((average_popularity(lists.iter().copied(), &pop).unwrap() - 2.75).abs() < 1e-12);
        // Novelty with U = 8: list 1 = (0 + 2)/2 = 1; list 2 = (3 + 3)/2 = 3 (pop 0 counts as 1) → 2.
        assert!((novelty(lists.iter().copied(), &pop, 8).unwrap() - 2.0).abs() < 1e-12);
        // Diversity with "same parity" similarity: [0,1] → 1, [2,3] → 1; [0,2,1]: pairs (0,2)=0, (0,1)=1, (2,1)=1 → 2/3.
        let parity = |a: u32, b: u32| if a % 2 == b % 2 { 1.0 } else { 0.0 };
        let d: Vec<&[u32]> = vec![&[0, 1], &[0, 2, 1], &[5]];
        assert!(
            (intra_list_diversity(d.iter().copied(), parity).unwrap() - (1.0 + 2.0 / 3.0) / 2.0)
                .abs()
                < 1e-12
        );
        let empty: Vec<&[u32]> = vec![&[]];
        assert_eq!(
            average_popularity(empty.iter().copied(), &pop),
            Err(MetricError::Empty)
        );
        assert!(novelty(lists.iter().copied(), &pop, 0).is_err());
    }
}
