//! Synthetic items and users with their latent factors.

use serde::Serialize;
use shopmind_core::Rng;

use super::vocab::{
    ADJECTIVES, CATEGORIES, COLORS, MATERIALS, SENTENCES_EN, SENTENCES_ZH, USES_ZH,
};
use super::{CsvOut, FACTORS, Lang, SynthError, SynthParams, write_err};
use crate::canonical::ITEM_COLUMNS;

/// A generated item and the truth behind it.
#[derive(Debug, Clone)]
pub struct SynthItem {
    /// External id (`SKU-00001`).
    pub id: String,
    /// Index into [`CATEGORIES`].
    pub category: usize,
    /// Brand.
    pub brand: &'static str,
    /// Color index into [`COLORS`].
    pub color: usize,
    /// Material index into [`MATERIALS`].
    pub material: usize,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Reference (list) price p₀.
    pub price: f64,
    /// Unit cost.
    pub cost: f64,
    /// Latent factor vector.
    pub factors: [f64; FACTORS],
    /// Popularity bias bᵢ.
    pub popularity: f64,
    /// Day offset from the start at which the item goes on sale (0 = from the start).
    pub launch: i32,
    /// Intermittent slow mover.
    pub slow_mover: bool,
    /// Constant price elasticity ε.
    pub elasticity: f64,
    /// Mean daily units in the first store at the reference price, before seasonality.
    pub base_demand: f64,
    /// Yearly log-growth rate g.
    pub trend: f64,
}

/// A generated user.
#[derive(Debug, Clone)]
pub struct SynthUser {
    /// External id (`U00001`).
    pub id: String,
    /// Latent factor vector.
    pub factors: [f64; FACTORS],
    /// Favorite categories (indices into [`CATEGORIES`]).
    pub favorites: Vec<usize>,
    /// Activity multiplier (mean 1).
    pub activity: f64,
    /// Day offset of sign-up.
    pub signup: i32,
    /// Region attribute.
    pub region: &'static str,
}

/// Items, users and the category centroids they were drawn around.
#[derive(Debug, Clone)]
pub struct Catalog {
    /// Items.
    pub items: Vec<SynthItem>,
    /// Users.
    pub users: Vec<SynthUser>,
}

const REGIONS: [&str; 5] = ["north", "south", "east", "west", "central"];

fn normal_vec(rng: &mut Rng, sd: f64) -> [f64; FACTORS] {
    let mut v = [0.0; FACTORS];
    for x in &mut v {
        *x = rng.normal() * sd;
    }
    v
}

/// Rounds a price to a `.99` ending (at least 0.99).
pub fn price_ending(p: f64) -> f64 {
    (p.round() - 0.01).max(0.99)
}

fn fill(template: &str, words: &[(&str, &str)]) -> String {
    let mut s = template.to_owned();
    for (k, v) in words {
        s = s.replace(k, v);
    }
    s
}

impl Catalog {
    /// Draws the catalog and the users.
    pub fn generate(params: &SynthParams, rng: &mut Rng) -> Catalog {
        // Centroids with unit expected norm: ⟨c, c⟩ ≈ 1, ⟨c, c'⟩ ≈ 0.
        let sd = 1.0 / (FACTORS as f64).sqrt();
        let centroids: Vec<[f64; FACTORS]> =
            (0..CATEGORIES.len()).map(|_| normal_vec(rng, sd)).collect();
        // Category sizes are skewed: weights 1/(1 + rank/4).
        let cat_weights: Vec<f64> = (0..CATEGORIES.len())
            .map(|r| 1.0 / (1.0 + r as f64 / 4.0))
            .collect();
        let mut items = Vec::with_capacity(params.items);
        for i in 0..params.items {
            let category = if i < CATEGORIES.len() {
                i
            } else {
                rng.weighted_index(&cat_weights).unwrap_or(0)
            };
            items.push(Self::item(i, category, &centroids[category], params, rng));
        }
        let users = (0..params.users)
            .map(|u| {
                let n_fav = 1 + rng.below(3) as usize;
                let favorites: Vec<usize> = (0..n_fav)
                    .map(|_| rng.weighted_index(&cat_weights).unwrap_or(0))
                    .collect();
                let mut factors = normal_vec(rng, 0.3 * sd);
                for &f in &favorites {
                    for (x, c) in factors.iter_mut().zip(&centroids[f]) {
                        *x += c / n_fav as f64 * 1.3;
                    }
                }
                // Lognormal activity with mean 1: exp(σz − σ²/2), σ = 0.8.
                let activity = (0.8 * rng.normal() - 0.32).exp();
                let signup = (rng.uniform() * 0.6 * f64::from(params.days)) as i32;
                SynthUser {
                    id: format!("U{:05}", u + 1),
                    factors,
                    favorites,
                    activity,
                    signup,
                    region: REGIONS[rng.below(REGIONS.len() as u64) as usize],
                }
            })
            .collect();
        Catalog { items, users }
    }

    fn item(
        i: usize,
        category: usize,
        centroid: &[f64; FACTORS],
        params: &SynthParams,
        rng: &mut Rng,
    ) -> SynthItem {
        let cat = &CATEGORIES[category];
        let sd = 1.0 / (FACTORS as f64).sqrt();
        let mut factors = normal_vec(rng, 0.35 * sd);
        for (x, c) in factors.iter_mut().zip(centroid) {
            *x += c;
        }
        let brand = cat.brands[rng.below(cat.brands.len() as u64) as usize];
        let noun_idx = rng.below(cat.nouns.len() as u64) as usize;
        let (adj, color, material) = (
            rng.below(ADJECTIVES.len() as u64) as usize,
            rng.below(COLORS.len() as u64) as usize,
            rng.below(MATERIALS.len() as u64) as usize,
        );
        let price = price_ending(cat.base_price * (0.35 * rng.normal()).exp());
        let cost = (price * rng.range(0.4, 0.65) * 100.0).round() / 100.0;
        let use_en = cat.uses[rng.below(cat.uses.len() as u64) as usize];
        let (title, description) = match params.lang {
            Lang::En => {
                let noun = cat.nouns[noun_idx];
                let words = [
                    ("{adj}", ADJECTIVES[adj].0),
                    ("{noun}", noun),
                    ("{color}", COLORS[color].0),
                    ("{material}", MATERIALS[material].0),
                    ("{use}", use_en),
                    ("{brand}", brand),
                ];
                let title = format!(
                    "{brand} {} {} {}",
                    capitalize(ADJECTIVES[adj].0),
                    capitalize(COLORS[color].0),
                    title_case(noun)
                );
                let n = 3 + rng.below(2) as usize;
                let start = rng.below(SENTENCES_EN.len() as u64) as usize;
                let desc: Vec<String> = (0..n)
                    .map(|k| fill(SENTENCES_EN[(start + k * 3) % SENTENCES_EN.len()], &words))
                    .collect();
                (title, capitalize(&desc.join(" ")))
            }
            Lang::Zh => {
                let noun = cat.nouns_zh[noun_idx % cat.nouns_zh.len()];
                let use_zh = USES_ZH[rng.below(USES_ZH.len() as u64) as usize];
                let words = [
                    ("{adj}", ADJECTIVES[adj].1),
                    ("{noun}", noun),
                    ("{color}", COLORS[color].1),
                    ("{material}", MATERIALS[material].1),
                    ("{use}", use_zh),
                    ("{brand}", brand),
                ];
                let title = format!("{brand} {}{}{}", ADJECTIVES[adj].1, COLORS[color].1, noun);
                let n = 3 + rng.below(2) as usize;
                let start = rng.below(SENTENCES_ZH.len() as u64) as usize;
                let desc: Vec<String> = (0..n)
                    .map(|k| fill(SENTENCES_ZH[(start + k) % SENTENCES_ZH.len()], &words))
                    .collect();
                (title, desc.concat())
            }
        };
        let slow_mover = rng.bernoulli(0.25);
        let popularity = 0.8 * rng.normal();
        let base_demand = if slow_mover {
            rng.range(0.05, 0.4)
        } else {
            (1.2 + 0.5 * popularity + 0.4 * rng.normal())
                .exp()
                .min(60.0)
        };
        let launch = if rng.bernoulli(0.2) {
            (rng.uniform() * 0.8 * f64::from(params.days)) as i32
        } else {
            0
        };
        SynthItem {
            id: format!("SKU-{:05}", i + 1),
            category,
            brand,
            color,
            material,
            title,
            description,
            price,
            cost,
            factors,
            popularity,
            launch,
            slow_mover,
            elasticity: rng.range(-3.5, -0.5),
            base_demand,
            trend: 0.15 * rng.normal(),
        }
    }

    /// Writes `items.csv`.
    pub fn write_items(&self, w: &mut CsvOut, params: &SynthParams) -> Result<(), SynthError> {
        let e = write_err("items.csv");
        // The canonical columns, then attributes.
        let attributes = ["color", "material", "price_band", "launch_date"];
        w.write_record(ITEM_COLUMNS.iter().chain(&attributes))
            .map_err(&e)?;
        for it in &self.items {
            let cat = &CATEGORIES[it.category];
            let (path, color, material) = match params.lang {
                Lang::En => (cat.path, COLORS[it.color].0, MATERIALS[it.material].0),
                Lang::Zh => (cat.path_zh, COLORS[it.color].1, MATERIALS[it.material].1),
            };
            let band = if it.price < cat.base_price * 0.8 {
                "budget"
            } else if it.price > cat.base_price * 1.25 {
                "premium"
            } else {
                "mid"
            };
            let tags = format!("{}|{}", color, band);
            w.write_record([
                it.id.as_str(),
                &it.title,
                &it.description,
                path,
                it.brand,
                &format!("{:.2}", it.price),
                &format!("{:.2}", it.cost),
                &tags,
                "1",
                color,
                material,
                band,
                &params.start.add_days(it.launch).to_string(),
            ])
            .map_err(&e)?;
        }
        Ok(())
    }

    /// Writes `users.csv`.
    pub fn write_users(&self, w: &mut CsvOut) -> Result<(), SynthError> {
        let e = write_err("users.csv");
        w.write_record(["user_id", "region", "segment"])
            .map_err(&e)?;
        for u in &self.users {
            let segment = if u.activity > 2.0 {
                "vip"
            } else if u.activity > 0.7 {
                "regular"
            } else {
                "occasional"
            };
            w.write_record([u.id.as_str(), u.region, segment])
                .map_err(&e)?;
        }
        Ok(())
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
}

fn title_case(s: &str) -> String {
    s.split(' ').map(capitalize).collect::<Vec<_>>().join(" ")
}

/// What the ground truth records of an item.
#[derive(Debug, Serialize)]
pub struct ItemTruth {
    item_id: String,
    category: &'static str,
    reference_price: f64,
    cost: f64,
    elasticity: f64,
    base_demand: f64,
    trend: f64,
    slow_mover: bool,
    launch_day: i32,
    popularity: f64,
    factors: [f64; FACTORS],
}

impl From<&SynthItem> for ItemTruth {
    fn from(it: &SynthItem) -> Self {
        ItemTruth {
            item_id: it.id.clone(),
            category: CATEGORIES[it.category].path,
            reference_price: it.price,
            cost: it.cost,
            elasticity: it.elasticity,
            base_demand: it.base_demand,
            trend: it.trend,
            slow_mover: it.slow_mover,
            launch_day: it.launch,
            popularity: it.popularity,
            factors: it.factors,
        }
    }
}

/// What the ground truth records of a user.
#[derive(Debug, Serialize)]
pub struct UserTruth {
    user_id: String,
    favorite_categories: Vec<&'static str>,
    activity: f64,
    factors: [f64; FACTORS],
}

impl From<&SynthUser> for UserTruth {
    fn from(u: &SynthUser) -> Self {
        UserTruth {
            user_id: u.id.clone(),
            favorite_categories: u.favorites.iter().map(|&c| CATEGORIES[c].path).collect(),
            activity: u.activity,
            factors: u.factors,
        }
    }
}
