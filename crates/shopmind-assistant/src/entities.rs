//! Entities in a shopper's message: order ids by pattern, colors, sizes and
//! quantities by small vocabularies, and catalog products by a gazetteer
//! with fuzzy matching (an edit distance of one on words of five or more
//! letters, Damerau's observation that most typos are one edit).

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::bm25::terms;

/// Color words (English and Chinese) and the color they name.
pub const COLORS: [(&str, &str); 34] = [
    ("black", "black"),
    ("white", "white"),
    ("navy", "navy"),
    ("red", "red"),
    ("green", "green"),
    ("grey", "grey"),
    ("gray", "grey"),
    ("blue", "blue"),
    ("beige", "beige"),
    ("pink", "pink"),
    ("olive", "olive"),
    ("brown", "brown"),
    ("yellow", "yellow"),
    ("orange", "orange"),
    ("purple", "purple"),
    ("silver", "silver"),
    ("gold", "gold"),
    ("黑色", "black"),
    ("白色", "white"),
    ("藏青色", "navy"),
    ("红色", "red"),
    ("绿色", "green"),
    ("灰色", "grey"),
    ("蓝色", "blue"),
    ("米色", "beige"),
    ("粉色", "pink"),
    ("橄榄色", "olive"),
    ("棕色", "brown"),
    ("黄色", "yellow"),
    ("橙色", "orange"),
    ("紫色", "purple"),
    ("银色", "silver"),
    ("金色", "gold"),
    ("蓝", "blue"),
];

/// Letter sizes a shopper may name on their own.
const SIZES: [&str; 8] = ["xxs", "xs", "xl", "xxl", "xxxl", "small", "medium", "large"];

/// Units that mark the number before them as a quantity.
const UNITS: [&str; 9] = [
    "x", "pcs", "pc", "pieces", "piece", "units", "unit", "items", "pairs",
];

/// What [`extract`] found.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Entities {
    /// Order ids, upper-cased, in order of appearance.
    pub order_ids: Vec<String>,
    /// Canonical colors.
    pub colors: Vec<String>,
    /// Sizes as written after "size", or letter sizes.
    pub sizes: Vec<String>,
    /// Quantities (a number followed by a unit, or "qty N").
    pub quantities: Vec<u32>,
    /// Catalog items named in the message, best match first.
    pub products: Vec<String>,
}

/// Catalog names and ids for product mentions.
#[derive(Debug, Clone, Default)]
pub struct Gazetteer {
    ids: Vec<String>,
    titles: Vec<Vec<String>>,
}

impl Gazetteer {
    /// Builds it from `(item id, title)` pairs.
    pub fn new<'a>(items: impl IntoIterator<Item = (&'a str, &'a str)>) -> Gazetteer {
        let mut g = Gazetteer::default();
        for (id, title) in items {
            g.ids.push(id.to_lowercase());
            g.titles.push(terms(title));
        }
        g
    }

    /// Items whose id appears in the message, then items whose every title
    /// word but at most one (and at least two) appears, fuzzily, best
    /// first; at most `k`.
    pub fn find(&self, text: &str, k: usize) -> Vec<usize> {
        let lower = text.to_lowercase();
        let words: HashSet<&str> = lower
            .split(|c: char| !c.is_alphanumeric() && c != '-' && c != '_')
            .filter(|w| !w.is_empty())
            .collect();
        let mut found: Vec<(usize, f64)> = Vec::new();
        for (n, id) in self.ids.iter().enumerate() {
            if words.contains(id.as_str()) {
                found.push((n, 2.0));
            }
        }
        let msg = terms(text);
        for (n, title) in self.titles.iter().enumerate() {
            if title.len() < 2 || found.iter().any(|f| f.0 == n) {
                continue;
            }
            let hits = title
                .iter()
                .filter(|t| msg.iter().any(|m| fuzzy_eq(m, t)))
                .count();
            if hits >= 2 && hits + 1 >= title.len() {
                found.push((n, hits as f64 / title.len() as f64));
            }
        }
        found.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        found.into_iter().take(k).map(|f| f.0).collect()
    }

    /// The id of entry `n` as given (lower-cased).
    pub fn id(&self, n: usize) -> Option<&str> {
        self.ids.get(n).map(String::as_str)
    }
}

/// Equal, or one edit apart when both words have five or more letters.
pub fn fuzzy_eq(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a.len().min(b.len()) < 5 || a.len().abs_diff(b.len()) > 1 {
        return false;
    }
    edit_distance(&a, &b) <= 1
}

/// Damerau–Levenshtein distance (optimal string alignment).
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let w = b.len() + 1;
    let mut d: Vec<usize> = vec![0; (a.len() + 1) * w];
    for i in 0..=a.len() {
        d[i * w] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(w) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * w + j] + 1)
                .min(d[i * w + j - 1] + 1)
                .min(d[(i - 1) * w + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = v;
        }
    }
    d[a.len() * w + b.len()]
}

/// Whether `word` looks like an order id: letters, an optional `-` and at
/// least four digits (`ORD-000123`, `A12345`), or `#` and four or more
/// digits, or a bare number of six or more digits.
fn order_id(word: &str) -> Option<String> {
    let w = word.trim_start_matches('#');
    let digits = w.chars().filter(char::is_ascii_digit).count();
    let ok_chars = w.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    let letters = w.chars().take_while(char::is_ascii_alphabetic).count();
    let rest = w[letters..].trim_start_matches('-');
    let shaped = rest.chars().all(|c| c.is_ascii_digit()) && letters <= 5;
    let bare = letters == 0 && !word.starts_with('#');
    let enough = if bare { digits >= 6 } else { digits >= 4 };
    (ok_chars && shaped && enough && w.len() <= 24).then(|| w.to_uppercase())
}

/// Extracts entities from `text` (see the module docs).
pub fn extract(text: &str, gazetteer: Option<&Gazetteer>) -> Entities {
    let mut e = Entities::default();
    let words: Vec<String> = text
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '?' | '!' | ';' | ':' | '(' | ')'))
        .map(|w| w.trim_end_matches('.').to_owned())
        .filter(|w| !w.is_empty())
        .collect();
    let lower: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
    for (i, w) in words.iter().enumerate() {
        if let Some(id) = order_id(w) {
            if !e.order_ids.contains(&id) {
                e.order_ids.push(id);
            }
            continue;
        }
        let l = lower[i].as_str();
        let next = lower.get(i + 1).map(String::as_str);
        if matches!(l, "size" | "sz") {
            if let Some(s) = next {
                e.sizes.push(s.to_uppercase());
            }
        } else if SIZES.contains(&l) && lower.get(i.wrapping_sub(1)).is_none_or(|p| p != "size") {
            e.sizes.push(l.to_uppercase());
        }
        if let Ok(n) = l.trim_start_matches('x').parse::<u32>() {
            let unit_next = next.is_some_and(|u| UNITS.contains(&u));
            let qty_before = i > 0 && matches!(lower[i - 1].as_str(), "qty" | "quantity");
            if (unit_next || qty_before || l.starts_with('x')) && (1..=10_000).contains(&n) {
                e.quantities.push(n);
            }
        }
    }
    let lower_text = text.to_lowercase();
    for (word, color) in COLORS {
        let found = if word.is_ascii() {
            lower.iter().any(|w| w == word)
        } else {
            lower_text.contains(word)
        };
        if found && !e.colors.iter().any(|c| c == color) {
            e.colors.push(color.to_owned());
        }
    }
    if let Some(g) = gazetteer {
        e.products = g
            .find(text, 3)
            .into_iter()
            .filter_map(|n| g.id(n).map(str::to_owned))
            .collect();
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_ids_by_pattern() {
        let e = extract("Where is order ORD-000123? Also #98765 and 1234567.", None);
        assert_eq!(e.order_ids, ["ORD-000123", "98765", "1234567"]);
        let none = extract("I bought 2 shirts in 2024 for 30 dollars", None);
        assert!(none.order_ids.is_empty(), "{none:?}");
    }

    #[test]
    fn colors_sizes_quantities() {
        let e = extract(
            "Do you have 3 pcs of the Grey jacket in size 42, or XL? 蓝色也行",
            None,
        );
        assert_eq!(e.colors, ["grey", "blue"]);
        assert_eq!(e.sizes, ["42", "XL"]);
        assert_eq!(e.quantities, [3]);
        assert_eq!(extract("and in blue?", None).colors, ["blue"]);
        assert_eq!(extract("qty 12 please", None).quantities, [12]);
    }

    #[test]
    fn edit_distance_by_hand() {
        let d = |a: &str, b: &str| {
            edit_distance(
                &a.chars().collect::<Vec<_>>(),
                &b.chars().collect::<Vec<_>>(),
            )
        };
        assert_eq!(d("kitten", "sitting"), 3);
        assert_eq!(d("jacket", "jakcet"), 1); // one transposition
        assert_eq!(d("", "abc"), 3);
        assert!(fuzzy_eq("sneakers", "sneaker"));
        assert!(!fuzzy_eq("hat", "cat"), "short words must match exactly");
    }

    #[test]
    fn gazetteer_finds_ids_and_fuzzy_titles() {
        let g = Gazetteer::new([
            ("P001", "Acme Cozy Blue Running Shoes"),
            ("P002", "Acme Elegant Red Handbag"),
        ]);
        assert_eq!(g.find("is p002 in stock?", 3), [1]);
        // "runing" is one edit from "running"; "acme" is missing: one word
        // may be.
        assert_eq!(g.find("cozy blue runing shoes", 3), [0]);
        assert!(g.find("blue things", 3).is_empty());
    }
}
