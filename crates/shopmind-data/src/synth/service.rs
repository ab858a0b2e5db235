//! Synthetic operations data: inventory parameters, orders, the FAQ and
//! intent-labelled utterances.

use std::collections::BTreeMap;

use shopmind_core::Rng;
use shopmind_core::record::EventType;
use shopmind_core::time::{Date, format_timestamp};

use super::behavior::SynthEvent;
use super::catalog::Catalog;
use super::faq_text::{ACTION_INTENTS, FAQ, QUESTION_TEMPLATES};
use super::sales::SalesTruth;
use super::vocab::CATEGORIES;
use super::{CsvOut, SynthError, SynthParams, write_err};
use crate::canonical::INVENTORY_COLUMNS;

/// Writes `inventory.csv`, one row per item and store; returns the row count.
///
/// Lead times are drawn from {3, 5, 7, 10, 14, 21} days with a standard
/// deviation of 10–30% of the mean; stock on hand covers 0.3–2 lead times of
/// the item's base demand in that store.
pub fn write_inventory(
    params: &SynthParams,
    catalog: &Catalog,
    truth: &SalesTruth,
    rng: &mut Rng,
    w: &mut CsvOut,
) -> Result<usize, SynthError> {
    let e = write_err("inventory.csv");
    w.write_record(INVENTORY_COLUMNS).map_err(&e)?;
    const LEAD: [f64; 6] = [3.0, 5.0, 7.0, 10.0, 14.0, 21.0];
    let mut rows = 0;
    for item in &catalog.items {
        let lead = LEAD[rng.below(LEAD.len() as u64) as usize];
        let lead_sd = (lead * rng.range(0.1, 0.3) * 10.0).round() / 10.0;
        let case_pack = [1.0, 6.0, 12.0][rng.below(3) as usize];
        let moq = [0.0, 6.0, 12.0, 24.0][rng.below(4) as usize];
        let order_cost = rng.range(15.0, 80.0).round();
        let holding = (rng.range(0.18, 0.3) * 100.0).round() / 100.0;
        for (store, factor) in truth.stores.iter().take(params.stores) {
            let demand = item.base_demand * factor;
            let cover = rng.range(0.3, 2.0);
            let on_hand = rng.poisson(demand * lead * cover);
            let on_order = if rng.bernoulli(0.3) {
                (demand * lead).round().max(case_pack)
            } else {
                0.0
            };
            w.write_record([
                item.id.as_str(),
                store,
                &on_hand.to_string(),
                &on_order.to_string(),
                &lead.to_string(),
                &lead_sd.to_string(),
                &format!("{:.2}", item.cost),
                &holding.to_string(),
                &order_cost.to_string(),
                &moq.to_string(),
                &case_pack.to_string(),
            ])
            .map_err(&e)?;
            rows += 1;
        }
    }
    Ok(rows)
}

/// Writes `orders.csv` from the purchase events: one order per user and day,
/// one row per line. Status follows the order's age at the end of the
/// history (delivered after 7 days, shipped after 2, else paid), 3% are
/// cancelled, and an order with a returned line is `returned`. Returns the
/// number of orders.
pub fn write_orders(
    params: &SynthParams,
    catalog: &Catalog,
    events: &[SynthEvent],
    rng: &mut Rng,
    w: &mut CsvOut,
) -> Result<usize, SynthError> {
    let e = write_err("orders.csv");
    let mut orders: BTreeMap<(i32, u32), Vec<&SynthEvent>> = BTreeMap::new();
    let mut returned: std::collections::HashSet<(u32, u32)> = std::collections::HashSet::new();
    for ev in events {
        match ev.kind {
            EventType::Purchase => orders
                .entry((Date::from_timestamp(ev.ts).0, ev.user))
                .or_default()
                .push(ev),
            EventType::Return => {
                returned.insert((ev.user, ev.item));
            }
            _ => {}
        }
    }
    w.write_record([
        "order_id",
        "user_id",
        "status",
        "created_at",
        "updated_at",
        "item_id",
        "quantity",
        "price",
    ])
    .map_err(&e)?;
    let end = params.end().timestamp() + 86_399;
    for (n, lines) in orders.values().enumerate() {
        let created = lines.iter().map(|l| l.ts).max().unwrap_or(0);
        let age_days = (end - created) / 86_400;
        let any_returned = lines.iter().any(|l| returned.contains(&(l.user, l.item)));
        let (status, updated) = if rng.bernoulli(0.03) {
            ("cancelled", created + 3600)
        } else if any_returned {
            ("returned", created + 86_400 * age_days.min(20))
        } else if age_days >= 7 {
            ("delivered", created + 86_400 * (3 + rng.below(4) as i64))
        } else if age_days >= 2 {
            ("shipped", created + 86_400)
        } else {
            ("paid", created + 600)
        };
        let id = format!("ORD-{:06}", n + 1);
        for l in lines {
            let item = &catalog.items[l.item as usize];
            w.write_record([
                id.as_str(),
                &catalog.users[l.user as usize].id,
                status,
                &format_timestamp(created),
                &format_timestamp(updated.min(end)),
                &item.id,
                &l.value.to_string(),
                &format!("{:.2}", item.price),
            ])
            .map_err(&e)?;
        }
    }
    Ok(orders.len())
}

/// The FAQ's intent labels, sorted and distinct.
pub fn intents() -> Vec<&'static str> {
    let mut v: Vec<&str> = FAQ
        .iter()
        .map(|f| f.intent)
        .chain(ACTION_INTENTS.iter().map(|a| a.0))
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

fn question(template: &str, topic: &str) -> String {
    template.replace("{t}", topic)
}

/// Writes `faq.csv`: each answer with four paraphrased questions (two
/// phrasings of each of its two topics). Returns the row count.
pub fn write_faq(w: &mut CsvOut) -> Result<usize, SynthError> {
    let e = write_err("faq.csv");
    w.write_record(["question", "answer", "intent"])
        .map_err(&e)?;
    let mut rows = 0;
    for (n, f) in FAQ.iter().enumerate() {
        for (k, topic) in f.topics.iter().enumerate() {
            for j in 0..2 {
                let t = QUESTION_TEMPLATES[(n + 2 * k + j) % QUESTION_TEMPLATES.len()];
                w.write_record([question(t, topic).as_str(), f.answer, f.intent])
                    .map_err(&e)?;
                rows += 1;
            }
        }
    }
    Ok(rows)
}

/// Writes `intents.csv`: every topic of every answer under every question
/// template, labelled with its intent, then the action intents' templates
/// filled with one product noun of each category (sentence templates without
/// `{p}` once each). Returns the row count.
pub fn write_intents(w: &mut CsvOut) -> Result<usize, SynthError> {
    let e = write_err("intents.csv");
    w.write_record(["text", "intent"]).map_err(&e)?;
    let mut rows = 0;
    for f in &FAQ {
        for topic in f.topics {
            for t in QUESTION_TEMPLATES {
                w.write_record([question(t, topic).as_str(), f.intent])
                    .map_err(&e)?;
                rows += 1;
            }
        }
    }
    for (intent, templates) in ACTION_INTENTS {
        for (k, t) in templates.iter().enumerate() {
            if !t.contains("{p}") {
                w.write_record([*t, intent]).map_err(&e)?;
                rows += 1;
                continue;
            }
            for (c, cat) in CATEGORIES.iter().enumerate() {
                let noun = cat.nouns[(c + k) % cat.nouns.len()];
                w.write_record([t.replace("{p}", noun).as_str(), intent])
                    .map_err(&e)?;
                rows += 1;
            }
        }
    }
    Ok(rows)
}
