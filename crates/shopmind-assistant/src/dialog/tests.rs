//! The dialog on a tiny shop: handoff words, follow-ups, order look-ups,
//! sessions and message checks.

use shopmind_core::record::{FaqEntry, IntentExample, Order, OrderLine};

use super::*;
use crate::intent::IntentParams;
use crate::products::{Product, ProductIndex};

fn shop() -> (Assistant, ProductIndex) {
    let ex = |t: &str, i: &str| IntentExample {
        text: t.into(),
        intent: i.into(),
    };
    let mut intents = Vec::new();
    for (intent, texts) in [
        (
            "order_status",
            [
                "where is my order",
                "status of my order",
                "has my order shipped",
            ],
        ),
        (
            "product_search",
            [
                "do you have shoes",
                "I am looking for a jacket",
                "do you sell bags",
            ],
        ),
        (
            "returns",
            [
                "how do I return an item",
                "can I send it back",
                "return policy",
            ],
        ),
        ("greeting", ["hello", "hi there", "good morning"]),
    ] {
        for (n, t) in texts.iter().enumerate() {
            intents.push(ex(t, intent));
            intents.push(ex(&format!("{t} please {n}"), intent));
        }
    }
    let faq = [FaqEntry {
        question: "How do I return an item?".into(),
        answer: "Returns are free within 30 days.".into(),
        intent: Some("returns".into()),
    }];
    let assistant =
        crate::artifact::train(&intents, &faq, &IntentParams::default()).expect("train");
    let p = |id: &str, title: &str| Product {
        item_id: id.into(),
        title: title.into(),
        category: "Shoes".into(),
        brand: "Stride".into(),
        description: String::new(),
        price: Some(50.0),
        available: true,
    };
    let catalog = ProductIndex::build(vec![
        p("P1", "Stride Black Running Shoes"),
        p("P2", "Stride Blue Running Shoes"),
        p("P3", "Stride Blue Rain Jacket"),
    ]);
    (assistant, catalog)
}

fn turn(a: &Assistant, c: &ProductIndex, s: &mut Session, msg: &str, facts: &Facts) -> Reply {
    let plan = a.understand(s, msg, c);
    a.respond(s, &plan, facts, c)
}

#[test]
fn handoff_words_and_phrases_but_not_someone_in_passing() {
    let (a, c) = shop();
    let s = Session::default();
    for m in [
        "I want a real person",
        "let me speak to an agent",
        "human please",
        "转人工",
    ] {
        assert_eq!(a.understand(&s, m, &c).action, Action::Handoff, "{m}");
    }
    let plan = a.understand(&s, "can someone tell me where my order ORD-123456 is", &c);
    assert_eq!(
        plan.action,
        Action::Order {
            order_id: "ORD-123456".into()
        }
    );
}

#[test]
fn a_color_after_a_product_question_filters_that_search() {
    let (a, c) = shop();
    let mut s = Session::default();
    let first = turn(
        &a,
        &c,
        &mut s,
        "do you have running shoes",
        &Facts::default(),
    );
    assert_eq!(first.products.len(), 2, "{first:?}");
    let next = turn(&a, &c, &mut s, "and in blue?", &Facts::default());
    assert!(next.follow_up);
    let ids: Vec<&str> = next.products.iter().map(|p| p.item_id.as_str()).collect();
    assert_eq!(ids, ["P2"], "blue running shoes only, not the blue jacket");
    // Without a previous product question, "and in blue?" is no follow-up.
    let plan = a.understand(&Session::default(), "and in blue?", &c);
    assert!(!plan.follow_up);
}

#[test]
fn orders_are_looked_up_by_id_from_the_message_or_the_session() {
    let (a, c) = shop();
    let mut s = Session::default();
    let ask = turn(&a, &c, &mut s, "where is my order", &Facts::default());
    assert!(ask.answer.contains("order number"), "{ask:?}");
    let plan = a.understand(&s, "ORD-000042", &c);
    assert!(plan.follow_up);
    assert_eq!(plan.order_id(), Some("ORD-000042"));
    let order = Order {
        order_id: "ORD-000042".into(),
        user_id: "U1".into(),
        status: "shipped".into(),
        created_at: 1_700_000_000,
        updated_at: 1_700_086_400,
        lines: vec![OrderLine {
            item_id: "P1".into(),
            quantity: 2.0,
            price: 50.0,
        }],
    };
    let facts = Facts {
        order: Some(order),
        ..Facts::default()
    };
    let r = a.respond(&mut s, &plan, &facts, &c);
    assert!(
        r.answer.contains("ORD-000042") && r.answer.contains("shipped"),
        "{r:?}"
    );
    assert!(r.answer.contains("total 100.00"), "{r:?}");
    assert_eq!(r.sources[0].kind, "order");
    // The session remembers the order: "has my order shipped" needs no id.
    let again = a.understand(&s, "has my order shipped", &c);
    assert_eq!(again.order_id(), Some("ORD-000042"));
}

#[test]
fn sessions_keep_a_bounded_number_of_turns() {
    let (a, c) = shop();
    let mut s = Session::default();
    for _ in 0..3 * MAX_TURNS {
        turn(&a, &c, &mut s, "hello", &Facts::default());
    }
    assert_eq!(s.turns.len(), MAX_TURNS);
}

#[test]
fn messages_are_checked_and_cleaned() {
    assert_eq!(clean_message("  \u{0}\u{7}  "), Err(MessageError::Empty));
    assert_eq!(clean_message("a\u{0}b\n c"), Ok("a b c".into()));
    let long = "x".repeat(MAX_MESSAGE_BYTES + 1);
    assert_eq!(
        clean_message(&long),
        Err(MessageError::TooLong(MAX_MESSAGE_BYTES + 1))
    );
    assert!(clean_message(&"x".repeat(MAX_MESSAGE_BYTES)).is_ok());
}
