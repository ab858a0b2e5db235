//! Optional answer writing by a language model behind an OpenAI-compatible
//! chat-completions endpoint (llama.cpp's server, vLLM, Ollama, …), off
//! unless configured.
//!
//! The model sees only the shopper's message and the facts the assistant
//! already grounded its template answer on (the FAQ answer, the order, the
//! products), and is told to answer from them alone. Any failure — a
//! timeout, a refused connection, a non-2xx status, an empty or malformed
//! completion — keeps the template answer: the LLM can only rephrase, never
//! block or invent a source. Plain `http://` only (run a local model or a
//! local TLS-terminating proxy): no TLS stack is linked into shopmind.

use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{Request, StatusCode};
use hyper_util::rt::TokioIo;
use shopmind_assistant::dialog::Reply;

/// Where and how to reach the model.
#[derive(Debug, Clone, PartialEq)]
pub struct LlmConfig {
    host: String,
    port: u16,
    /// Path of the chat-completions resource.
    path: String,
    /// Model name sent in each request.
    pub model: String,
    /// Longest wait for a completion.
    pub timeout: Duration,
}

/// Why an LLM URL is unusable.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("--llm-url `{url}`: {reason}")]
pub struct LlmUrlError {
    url: String,
    reason: &'static str,
}

impl LlmConfig {
    /// Parses `http://host[:port][/base]`; requests go to
    /// `{base}/chat/completions` (`/v1` when no base is given).
    pub fn new(url: &str, model: &str, timeout: Duration) -> Result<LlmConfig, LlmUrlError> {
        let err = |reason| LlmUrlError {
            url: url.to_owned(),
            reason,
        };
        let rest = url.strip_prefix("http://").ok_or_else(|| {
            err("only http:// is supported (use a local model or a local TLS proxy)")
        })?;
        let (authority, base) = match rest.find('/') {
            Some(i) => (&rest[..i], rest[i..].trim_end_matches('/')),
            None => (rest, ""),
        };
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) => (h, p.parse::<u16>().map_err(|_| err("bad port"))?),
            None => (authority, 80),
        };
        if host.is_empty() {
            return Err(err("no host"));
        }
        if model.trim().is_empty() {
            return Err(err("--llm-model is required with --llm-url"));
        }
        let base = if base.is_empty() { "/v1" } else { base };
        Ok(LlmConfig {
            host: host.to_owned(),
            port,
            path: format!("{base}/chat/completions"),
            model: model.to_owned(),
            timeout,
        })
    }
}

/// The instructions given to the model.
const SYSTEM: &str = "You are the customer-service assistant of an online shop. \
Answer the customer's message in at most three sentences, using only the facts \
below. Do not add facts, prices, dates or policies that are not in them. If the \
facts do not answer the message, say that a colleague will follow up.";

/// The request body for one turn.
fn request_body(cfg: &LlmConfig, message: &str, reply: &Reply) -> serde_json::Value {
    let mut facts = format!("Draft answer: {}\n", reply.answer);
    for s in &reply.sources {
        facts.push_str(&format!("Source {} {}: {}\n", s.kind, s.id, s.title));
    }
    for p in &reply.products {
        match p.price {
            Some(price) => facts.push_str(&format!(
                "Product {} {} at {price:.2}\n",
                p.item_id, p.title
            )),
            None => facts.push_str(&format!("Product {} {}\n", p.item_id, p.title)),
        }
    }
    serde_json::json!({
        "model": cfg.model,
        "temperature": 0,
        "messages": [
            { "role": "system", "content": format!("{SYSTEM}\n\nFacts:\n{facts}") },
            { "role": "user", "content": message },
        ],
    })
}

/// Asks the model to write the answer; `None` keeps the template answer.
pub async fn write(cfg: &LlmConfig, message: &str, reply: &Reply) -> Option<String> {
    let body = request_body(cfg, message, reply).to_string();
    match tokio::time::timeout(cfg.timeout, post(cfg, body)).await {
        Ok(Ok(text)) => Some(text),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "LLM answer failed; using the template answer");
            None
        }
        Err(_) => {
            tracing::warn!(timeout = ?cfg.timeout, "LLM answer timed out; using the template answer");
            None
        }
    }
}

async fn post(cfg: &LlmConfig, body: String) -> Result<String, String> {
    let stream = tokio::net::TcpStream::connect((cfg.host.as_str(), cfg.port))
        .await
        .map_err(|e| format!("cannot connect to {}:{}: {e}", cfg.host, cfg.port))?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    let req = Request::post(cfg.path.as_str())
        .header(hyper::header::HOST, format!("{}:{}", cfg.host, cfg.port))
        .header(hyper::header::CONTENT_TYPE, "application/json")
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| e.to_string())?;
    let resp = sender.send_request(req).await.map_err(|e| e.to_string())?;
    let status = resp.status();
    // A completion is a few hundred bytes; refuse to buffer more than 1 MiB.
    let bytes = http_body_util::Limited::new(resp.into_body(), 1 << 20)
        .collect()
        .await
        .map_err(|e| format!("reading the completion failed: {e}"))?
        .to_bytes();
    if status != StatusCode::OK {
        return Err(format!("the model answered HTTP {status}"));
    }
    let v: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|e| format!("not a JSON completion: {e}"))?;
    let text = v["choices"][0]["message"]["content"]
        .as_str()
        .map(str::trim)
        .unwrap_or_default();
    if text.is_empty() {
        return Err("the completion has no text".into());
    }
    Ok(text.chars().take(2000).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_parsed_or_refused() {
        let t = Duration::from_secs(1);
        let c =
            LlmConfig::new("http://127.0.0.1:11434/v1/", "m", t).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (c.host.as_str(), c.port, c.path.as_str()),
            ("127.0.0.1", 11434, "/v1/chat/completions")
        );
        let c = LlmConfig::new("http://llm.local", "m", t).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((c.port, c.path.as_str()), (80, "/v1/chat/completions"));
        assert!(LlmConfig::new("https://api.example.com/v1", "m", t).is_err());
        assert!(LlmConfig::new("http://host:notaport", "m", t).is_err());
        assert!(LlmConfig::new("http://:80", "m", t).is_err());
        assert!(LlmConfig::new("http://host:80", " ", t).is_err());
    }
}
