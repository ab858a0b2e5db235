//! Business rules hold on every returned list.

use shopmind_recommend::Scratch;
use shopmind_recommend::algorithms::{self, Params};
use shopmind_recommend::popularity::Popularity;
use shopmind_recommend::rules::{Rules, recommend_with_rules};

use crate::planted;

#[test]
fn category_filter_exclusions_boosts_and_diversity_hold_on_every_list() {
    let d = planted(3, 17);
    let cluster = |i: u32| d.items.resolve(i).unwrap()[1..].parse::<usize>().unwrap() / 15;
    let allowed: Vec<bool> = (0..d.n_items() as u32).map(|i| cluster(i) == 1).collect();
    let same_cluster = |a: u32, b: u32| if cluster(a) == cluster(b) { 1.0 } else { 0.0 };
    let pop = Popularity::fit(&d);
    let model = algorithms::fit("ease", &Params::new(), &d).unwrap();
    let mut scratch = Scratch::default();
    for u in 0..d.n_users() as u32 {
        let history = d.history(u);
        let seen = |i: &u32| history.iter().any(|(h, _)| h == i);
        let exclude = [u % d.n_items() as u32];
        // Category filter and exclusions.
        let rules = Rules {
            exclude: &exclude,
            allowed: Some(&allowed),
            ..Default::default()
        };
        let recs = recommend_with_rules(&mut scratch, model.as_ref(), Some(u), &history, 5, &rules);
        assert!(!recs.is_empty());
        for (i, _) in &recs {
            assert!(
                cluster(*i) == 1 && !seen(i) && !exclude.contains(i),
                "user {u}: {recs:?}"
            );
        }
        // Pure diversity (λ = 0): three items from three different clusters.
        let rules = Rules {
            diversity: Some((0.0, &same_cluster)),
            ..Default::default()
        };
        let recs = recommend_with_rules(&mut scratch, model.as_ref(), Some(u), &history, 3, &rules);
        let mut clusters: Vec<usize> = recs.iter().map(|(i, _)| cluster(*i)).collect();
        clusters.sort_unstable();
        clusters.dedup();
        assert_eq!(clusters.len(), 3, "user {u}: {recs:?}");
        assert!(recs.iter().all(|(i, _)| !seen(i)));
        // A large boost puts an eligible item first.
        let target = (0..d.n_items() as u32).find(|i| !seen(i)).unwrap();
        let boosts = [(target, 100.0)];
        let rules = Rules {
            boosts: &boosts,
            ..Default::default()
        };
        let recs = recommend_with_rules(&mut scratch, model.as_ref(), Some(u), &history, 3, &rules);
        assert_eq!(recs[0].0, target);
    }
    // A strong popularity penalty lowers the mean popularity of the lists.
    let mut mean_pop = |beta: f32| {
        let mut total = 0.0;
        for u in 0..d.n_users() as u32 {
            let rules = Rules {
                popularity_penalty: Some((pop.counts(), beta)),
                ..Default::default()
            };
            let recs = recommend_with_rules(
                &mut scratch,
                model.as_ref(),
                Some(u),
                &d.history(u),
                5,
                &rules,
            );
            total += recs
                .iter()
                .map(|(i, _)| pop.counts()[*i as usize])
                .sum::<f32>();
        }
        total
    };
    let (penalised, plain) = (mean_pop(5.0), mean_pop(0.0));
    assert!(penalised < plain, "{penalised} vs {plain}");
}
