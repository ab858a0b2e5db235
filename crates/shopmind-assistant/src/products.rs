//! Product look-up for the assistant: BM25 over each catalog item's title
//! (weight 3), category (2), brand and description (1) — the same text the
//! description-based recommender indexes — with a gazetteer for items named
//! by id or by (fuzzy) title, and filters on color and availability.

use serde::{Deserialize, Serialize};

use crate::bm25::Bm25Index;
use crate::entities::{COLORS, Gazetteer};

/// A catalog item as the assistant sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Product {
    /// Item id.
    pub item_id: String,
    /// Display title.
    pub title: String,
    /// Category path.
    pub category: String,
    /// Brand.
    pub brand: String,
    /// Description.
    pub description: String,
    /// Current price, when known.
    pub price: Option<f64>,
    /// Whether it can be sold (active and, where stock is known, in stock).
    pub available: bool,
}

/// The catalog, searchable.
#[derive(Debug, Clone, Default)]
pub struct ProductIndex {
    products: Vec<Product>,
    colors: Vec<Vec<&'static str>>,
    bm25: Bm25Index,
    gazetteer: Gazetteer,
}

/// Least relevance of a product match the assistant shows.
pub const MIN_RELEVANCE: f64 = 0.3;

impl ProductIndex {
    /// Indexes `products`.
    pub fn build(products: Vec<Product>) -> ProductIndex {
        let bm25 = Bm25Index::build(products.iter().map(|p| {
            [
                (p.title.as_str(), 3.0),
                (p.category.as_str(), 2.0),
                (p.brand.as_str(), 1.0),
                (p.description.as_str(), 1.0),
            ]
        }));
        let colors = products.iter().map(|p| colors_of(&p.title)).collect();
        let gazetteer = Gazetteer::new(
            products
                .iter()
                .map(|p| (p.item_id.as_str(), p.title.as_str())),
        );
        ProductIndex {
            products,
            colors,
            bm25,
            gazetteer,
        }
    }

    /// Number of products.
    pub fn len(&self) -> usize {
        self.products.len()
    }

    /// Whether the catalog is empty.
    pub fn is_empty(&self) -> bool {
        self.products.is_empty()
    }

    /// The gazetteer of item ids and titles.
    pub fn gazetteer(&self) -> &Gazetteer {
        &self.gazetteer
    }

    /// The product with id `item_id` (case-insensitive).
    pub fn get(&self, item_id: &str) -> Option<&Product> {
        self.products
            .iter()
            .find(|p| p.item_id.eq_ignore_ascii_case(item_id))
    }

    /// Up to `k` available products matching `query` with relevance at
    /// least [`MIN_RELEVANCE`], restricted to `color` when given, best
    /// first, with their relevance.
    pub fn search(&self, query: &str, color: Option<&str>, k: usize) -> Vec<(&Product, f64)> {
        let keep = |d: usize| {
            self.products[d].available && color.is_none_or(|c| self.colors[d].contains(&c))
        };
        self.bm25
            .search(query, k, keep)
            .into_iter()
            .filter(|h| h.relevance >= MIN_RELEVANCE)
            .map(|h| (&self.products[h.doc], h.relevance))
            .collect()
    }
}

/// Canonical colors named in a title.
fn colors_of(title: &str) -> Vec<&'static str> {
    let lower = title.to_lowercase();
    let words: Vec<&str> = lower.split(|c: char| !c.is_alphanumeric()).collect();
    let mut out = Vec::new();
    for (word, color) in COLORS {
        let hit = if word.is_ascii() {
            words.contains(&word)
        } else {
            lower.contains(word)
        };
        if hit && !out.contains(&color) {
            out.push(color);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn catalog() -> ProductIndex {
        let p = |id: &str, title: &str, cat: &str, price: f64, available: bool| Product {
            item_id: id.into(),
            title: title.into(),
            category: cat.into(),
            brand: title.split(' ').next().unwrap_or("").into(),
            description: format!("A {} for every day.", title.to_lowercase()),
            price: Some(price),
            available,
        };
        ProductIndex::build(vec![
            p(
                "P1",
                "Stride Cozy Black Running Shoes",
                "Shoes > Sneakers",
                80.0,
                true,
            ),
            p(
                "P2",
                "Stride Sporty Blue Running Shoes",
                "Shoes > Sneakers",
                85.0,
                true,
            ),
            p(
                "P3",
                "Northwind Elegant Blue Blouse",
                "Clothing > Tops",
                30.0,
                true,
            ),
            p(
                "P4",
                "Stride Light Red Running Shoes",
                "Shoes > Sneakers",
                70.0,
                false,
            ),
        ])
    }

    #[test]
    fn search_ranks_filters_by_color_and_availability() {
        let c = catalog();
        let ids =
            |v: Vec<(&Product, f64)>| v.iter().map(|p| p.0.item_id.clone()).collect::<Vec<_>>();
        let shoes = ids(c.search("do you have running shoes", None, 10));
        assert_eq!(
            shoes.len(),
            2,
            "{shoes:?}: P4 is unavailable, P3 is no shoe"
        );
        assert!(shoes.contains(&"P1".into()) && shoes.contains(&"P2".into()));
        assert_eq!(ids(c.search("running shoes", Some("blue"), 10)), ["P2"]);
        assert!(c.search("garden hose", None, 10).is_empty());
        assert_eq!(c.get("p3").map(|p| p.price), Some(Some(30.0)));
    }
}
