//! The assistant over HTTP on a generated demo store: a scripted
//! conversation (order status by id, a return question, a product question
//! with a follow-up, a request for a person) and the answers to bad input.

use std::path::Path;
use std::time::Duration;

use shopmind_data::synth::{SynthParams, generate};
use shopmind_data::{ImportKind, Source};
use shopmind_store::ImportOptions;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::TestServer;

/// Generates a small demo store into `dir` and imports it (events and sales
/// too when `full` is set).
pub async fn import_demo_with(s: &TestServer, dir: &Path, full: bool) {
    let params = SynthParams {
        seed: 5,
        users: 60,
        items: 120,
        days: 60,
        events_per_user: 10.0,
        ..SynthParams::default()
    };
    generate(&params, dir).unwrap();
    for (kind, file) in [
        (ImportKind::Items, "items.csv"),
        (ImportKind::Users, "users.csv"),
        (ImportKind::Inventory, "inventory.csv"),
        (ImportKind::Orders, "orders.csv"),
        (ImportKind::Faq, "faq.csv"),
        (ImportKind::Intents, "intents.csv"),
        (ImportKind::Events, "events.csv"),
        (ImportKind::Sales, "sales.csv"),
    ] {
        if matches!(kind, ImportKind::Events | ImportKind::Sales) && !full {
            continue;
        }
        let source = Source::open(kind, &dir.join(file)).unwrap();
        s.store
            .import(source, &ImportOptions::default(), |_| {})
            .await
            .unwrap();
    }
}

async fn import_demo(s: &TestServer, dir: &Path) {
    import_demo_with(s, dir, false).await;
}

async fn train(s: &TestServer) -> serde_json::Value {
    crate::train_job(s, "assistant", r#"{"activate":true}"#).await
}

async fn say(s: &TestServer, session: &str, message: &str) -> serde_json::Value {
    say_as(s, session, None, message).await
}

async fn say_as(
    s: &TestServer,
    session: &str,
    user: Option<&str>,
    message: &str,
) -> serde_json::Value {
    let body = serde_json::json!({ "session_id": session, "user_id": user, "message": message })
        .to_string();
    let a = s.call("POST", "/v1/assistant/chat", Some(&body)).await;
    assert_eq!(a.status, 200, "{message}: {a:?}");
    a.json
}

/// First order of the generated file: id, status and its owner.
fn first_order(dir: &Path) -> (String, String, String) {
    let mut r = csv::Reader::from_path(dir.join("orders.csv")).unwrap();
    let rec = r.records().next().unwrap().unwrap();
    (rec[0].to_owned(), rec[2].to_owned(), rec[1].to_owned())
}

/// A product noun (the title after its color word) sold in two colors, and
/// those colors.
fn noun_in_two_colors(dir: &Path) -> (String, String, String) {
    const COLORS: [&str; 10] = [
        "Black", "White", "Navy", "Red", "Green", "Grey", "Blue", "Beige", "Pink", "Olive",
    ];
    let mut r = csv::Reader::from_path(dir.join("items.csv")).unwrap();
    let title_col = r
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "title")
        .unwrap();
    let mut seen: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for rec in r.records() {
        let title = rec.unwrap()[title_col].to_owned();
        let words: Vec<&str> = title.split(' ').collect();
        if let Some(p) = words.iter().position(|w| COLORS.contains(w)) {
            let noun = words[p + 1..].join(" ");
            let colors = seen.entry(noun).or_default();
            if !colors.contains(&words[p].to_owned()) {
                colors.push(words[p].to_owned());
            }
        }
    }
    let (noun, colors) = seen
        .into_iter()
        .filter(|(n, c)| c.len() >= 2 && n.contains(' '))
        .max_by_key(|(_, c)| c.len())
        .expect("a noun in two colors");
    (noun, colors[0].clone(), colors[1].clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scripted_conversation_on_the_demo_store() {
    let s = TestServer::start().await;
    let none = s
        .call(
            "POST",
            "/v1/assistant/chat",
            Some(r#"{"session_id":"a","message":"hi"}"#),
        )
        .await;
    assert_eq!(
        (none.status, &none.json["code"]),
        (503, &"no_active_model".into())
    );
    let failed = train(&s).await;
    assert_eq!(failed["state"], "failed", "{failed}");

    let dir = tempfile::tempdir().unwrap();
    import_demo(&s, dir.path()).await;
    let done = train(&s).await;
    assert_eq!(done["state"], "succeeded", "{done}");
    let models = s.call("GET", "/v1/models?kind=assistant", None).await;
    assert_eq!(
        models.json["models"][0]["status"], "active",
        "{:?}",
        models.json
    );

    // 1. Order status by id, asked by its owner: grounded on the orders table.
    let (order_id, status, owner) = first_order(dir.path());
    let me = Some(owner.as_str());
    let r = say_as(&s, "conv", me, &format!("Where is my order {order_id}?")).await;
    assert!(
        ["order_status", "track_package"].contains(&r["intent"].as_str().unwrap()),
        "{r}"
    );
    let answer = r["answer"].as_str().unwrap();
    assert!(
        answer.contains(&order_id) && answer.contains(&status),
        "{r}"
    );
    assert_eq!(r["sources"][0]["kind"], "order");
    assert_eq!(r["sources"][0]["id"], order_id.as_str());
    assert_eq!(r["handoff"], false);

    // An unknown order is said to be unknown, not invented.
    let r = say_as(&s, "conv", me, "Where is my order ORD-999999?").await;
    assert!(r["answer"].as_str().unwrap().contains("cannot find"), "{r}");
    assert!(r["sources"].as_array().unwrap().is_empty());

    // 2. A return question: the FAQ's returns answer, cited.
    let r = say(&s, "conv", "How can I send back something I bought?").await;
    assert_eq!(r["intent"], "returns", "{r}");
    assert_eq!(r["sources"][0]["kind"], "faq");
    let mut faq = csv::Reader::from_path(dir.path().join("faq.csv")).unwrap();
    let returns: Vec<String> = faq
        .records()
        .map(|r| r.unwrap())
        .filter(|r| &r[2] == "returns")
        .map(|r| r[1].to_owned())
        .collect();
    assert!(
        returns.contains(&r["answer"].as_str().unwrap().to_owned()),
        "{r}"
    );
    assert_eq!(r["handoff"], false);

    // 3. A product question, then "and in <color>?".
    let (noun, _, color) = noun_in_two_colors(dir.path());
    let r = say(&s, "conv", &format!("Do you have {}?", noun.to_lowercase())).await;
    assert_eq!(r["intent"], "product_search", "{r}");
    let products = r["products"].as_array().unwrap();
    assert!(!products.is_empty(), "{r}");
    assert!(
        products[0]["title"].as_str().unwrap().contains(&noun),
        "{r}"
    );
    assert!(
        r["sources"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["kind"] == "product")
    );
    let r = say(&s, "conv", &format!("and in {}?", color.to_lowercase())).await;
    assert_eq!(r["follow_up"], true, "{r}");
    let products = r["products"].as_array().unwrap();
    assert!(!products.is_empty(), "{r}");
    for p in products {
        assert!(p["title"].as_str().unwrap().contains(&color), "{r}");
    }
    assert!(
        products[0]["title"].as_str().unwrap().contains(&noun),
        "{r}"
    );

    // 4. A request for a person: handoff.
    let r = say(&s, "conv", "I would like to talk to a real person").await;
    assert_eq!(r["handoff"], true, "{r}");

    // Sessions are separate: a follow-up in a new session is not one.
    let r = say(&s, "other", &format!("and in {}?", color.to_lowercase())).await;
    assert_eq!(r["follow_up"], false, "{r}");
    s.stop().await;
}

/// Sends raw bytes as the body of `POST /v1/assistant/chat`.
async fn post_bytes(s: &TestServer, body: &[u8]) -> (u16, String) {
    let mut c = tokio::net::TcpStream::connect(s.addr).await.unwrap();
    let head = format!(
        "POST /v1/assistant/chat HTTP/1.1\r\nHost: test\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    c.write_all(head.as_bytes()).await.unwrap();
    c.write_all(body).await.unwrap();
    let mut raw = Vec::new();
    c.read_to_end(&mut raw).await.unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text.split(' ').nth(1).unwrap_or("0").parse().unwrap_or(0);
    (status, text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_messages_get_a_4xx_or_a_polite_fallback() {
    let s = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    import_demo(&s, dir.path()).await;
    assert_eq!(train(&s).await["state"], "succeeded");
    let s = &s;
    let chat =
        |body: String| async move { s.call("POST", "/v1/assistant/chat", Some(&body)).await };
    let msg = |m: &str| serde_json::json!({ "session_id": "b", "message": m }).to_string();

    let empty = chat(msg("   ")).await;
    assert_eq!(empty.status, 422, "{empty:?}");
    assert_eq!(empty.json["errors"][0]["field"], "message");
    assert!(empty.content_type.starts_with("application/problem+json"));

    let long = chat(msg(&"where is my order ".repeat(6000))).await;
    assert_eq!(
        (long.status, &long.json["code"]),
        (413, &"message_too_long".into())
    );

    let controls = chat(msg("\u{0}\u{1}\u{2}\u{7f}")).await;
    assert_eq!(controls.status, 422, "{controls:?}");

    // Binary noise inside a valid message is dropped; the rest is answered.
    let noisy = chat(msg("how do I \u{0}return\u{1} an item?")).await;
    assert_eq!(noisy.status, 200, "{noisy:?}");
    assert_eq!(noisy.json["intent"], "returns");

    // Gibberish gets a polite fallback and a person.
    let gibberish = chat(msg("qwpoeiru zxmcnvb")).await;
    assert_eq!(gibberish.status, 200);
    assert_eq!(gibberish.json["handoff"], true, "{:?}", gibberish.json);

    // Bytes that are not JSON, or not UTF-8, are a 400, never a 500.
    let (status, _) = post_bytes(s, &[0xff, 0xfe, 0x00, 0x81, 0x9f]).await;
    assert_eq!(status, 400);
    let mut bad_utf8 = br#"{"session_id":"b","message":""#.to_vec();
    bad_utf8.extend([0xc3, 0x28, 0xa0, 0xa1]);
    bad_utf8.extend(br#""}"#);
    let (status, _) = post_bytes(s, &bad_utf8).await;
    assert_eq!(status, 400);

    // Missing and unknown fields, bad session ids.
    for body in [
        r#"{"message":"hi"}"#.to_owned(),
        r#"{"session_id":"b","message":"hi","extra":1}"#.to_owned(),
        r#"{"session_id":"b","message":42}"#.to_owned(),
    ] {
        let a = chat(body.clone()).await;
        assert_eq!(a.status, 400, "{body}: {a:?}");
    }
    let a = chat(serde_json::json!({"session_id": "", "message": "hi"}).to_string()).await;
    assert_eq!(
        (a.status, &a.json["errors"][0]["field"]),
        (422, &"session_id".into())
    );
    let a =
        chat(serde_json::json!({"session_id": "x".repeat(200), "message": "hi"}).to_string()).await;
    assert_eq!(a.status, 422);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_is_shown_only_to_its_owner() {
    let s = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    import_demo(&s, dir.path()).await;
    assert_eq!(train(&s).await["state"], "succeeded");
    let mut r = csv::Reader::from_path(dir.path().join("orders.csv")).unwrap();
    let rec = r.records().next().unwrap().unwrap();
    let (order, owner) = (rec[0].to_owned(), rec[1].to_owned());
    let ask = |user: &str| {
        serde_json::json!({"session_id": user, "user_id": user, "message": format!("status of order {order}")})
            .to_string()
    };
    let mine = s
        .call("POST", "/v1/assistant/chat", Some(&ask(&owner)))
        .await;
    assert_eq!(
        mine.json["sources"][0]["id"],
        order.as_str(),
        "{:?}",
        mine.json
    );
    let theirs = s
        .call("POST", "/v1/assistant/chat", Some(&ask("U99999")))
        .await;
    assert!(
        theirs.json["sources"].as_array().unwrap().is_empty(),
        "{:?}",
        theirs.json
    );
    assert!(
        theirs.json["answer"]
            .as_str()
            .unwrap()
            .contains("cannot find")
    );
    // Without a user, whatever the key: no order, an invitation to sign in.
    let anonymous = s
        .call(
            "POST",
            "/v1/assistant/chat",
            Some(
                &serde_json::json!({"session_id": "anon", "message": format!("status of order {order}")})
                    .to_string(),
            ),
        )
        .await;
    assert!(
        anonymous.json["sources"].as_array().unwrap().is_empty(),
        "{:?}",
        anonymous.json
    );
    assert!(
        anonymous.json["answer"]
            .as_str()
            .unwrap()
            .contains("sign in"),
        "{:?}",
        anonymous.json
    );
    s.stop().await;
}

/// A stand-in for an OpenAI-compatible endpoint: answers after `delay`
/// with a completion that quotes how many facts it was given, and keeps
/// the last request body.
async fn fake_llm(
    delay: Duration,
) -> (
    std::net::SocketAddr,
    std::sync::Arc<std::sync::Mutex<String>>,
) {
    use axum::routing::post;
    let seen = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let keep = seen.clone();
    let app = axum::Router::new().route(
        "/v1/chat/completions",
        post(move |body: String| {
            let keep = keep.clone();
            async move {
                tokio::time::sleep(delay).await;
                *keep.lock().unwrap() = body;
                axum::Json(serde_json::json!({
                    "choices": [{"message": {"role": "assistant", "content": " Rewritten by the model. "}}]
                }))
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (addr, seen)
}

fn llm(addr: std::net::SocketAddr, timeout_ms: u64) -> shopmind_service::llm::LlmConfig {
    shopmind_service::llm::LlmConfig::new(
        &format!("http://{addr}/v1"),
        "fake-model",
        Duration::from_millis(timeout_ms),
    )
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_configured_llm_rewrites_grounded_answers_and_falls_back_on_failure() {
    let (fast, seen) = fake_llm(Duration::ZERO).await;
    let s = TestServer::start_configured(|st| st.with_llm(Some(llm(fast, 2000)))).await;
    let dir = tempfile::tempdir().unwrap();
    import_demo(&s, dir.path()).await;
    assert_eq!(train(&s).await["state"], "succeeded");
    let r = say(&s, "l", "How do I return an item?").await;
    assert_eq!(r["written_by"], "llm", "{r}");
    assert_eq!(r["answer"], "Rewritten by the model.");
    assert_eq!(r["sources"][0]["kind"], "faq", "sources are kept: {r}");
    // The model was given the grounded draft and the shopper's message.
    let body: serde_json::Value = serde_json::from_str(&seen.lock().unwrap()).unwrap();
    assert_eq!(body["model"], "fake-model");
    let system = body["messages"][0]["content"].as_str().unwrap();
    assert!(
        system.contains("Draft answer:") && system.contains("Source faq"),
        "{system}"
    );
    assert_eq!(body["messages"][1]["content"], "How do I return an item?");
    // A handoff is never rewritten.
    let r = say(&s, "l", "I want to talk to a human").await;
    assert_eq!(
        (r["handoff"].as_bool(), r["written_by"].as_str()),
        (Some(true), Some("template"))
    );
    s.stop().await;

    // Too slow: the template answer, in about the timeout.
    let (slow, _) = fake_llm(Duration::from_secs(5)).await;
    let s = TestServer::start_configured(|st| st.with_llm(Some(llm(slow, 200)))).await;
    import_demo(&s, tempfile::tempdir().unwrap().path()).await;
    assert_eq!(train(&s).await["state"], "succeeded");
    let r = say(&s, "l", "How do I return an item?").await;
    assert_eq!(r["written_by"], "template", "{r}");
    assert!(r["answer"].as_str().unwrap().contains("return"), "{r}");
    s.stop().await;

    // Nothing listening: the template answer.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let s = TestServer::start_configured(|st| st.with_llm(Some(llm(closed, 1000)))).await;
    import_demo(&s, tempfile::tempdir().unwrap().path()).await;
    assert_eq!(train(&s).await["state"], "succeeded");
    let r = say(&s, "l", "How do I return an item?").await;
    assert_eq!(r["written_by"], "template", "{r}");
    s.stop().await;
}
