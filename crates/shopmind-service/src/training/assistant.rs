//! Training an assistant version from the store's intents and FAQ.

use std::time::Instant;

use shopmind_assistant::intent::IntentParams;
use shopmind_core::record::Fnv1a;
use shopmind_store::Store;

use super::{Fitted, Progress, TrainError};

/// Trains an assistant version on the store's intent examples and FAQ and
/// registers it as an `assistant` version. Its metrics are the intent
/// model's validation-chosen temperature and threshold and the counts.
pub(super) async fn train_assistant(
    store: &Store,
    progress: &Progress,
) -> Result<Fitted, TrainError> {
    let intents = store.all_intents().await?;
    let faq = store.all_faq().await?;
    if intents.is_empty() && faq.iter().all(|f| f.intent.is_none()) {
        return Err(TrainError::NoIntents);
    }
    let mut h = Fnv1a::new();
    for e in &intents {
        h.write(e.text.as_bytes());
        h.write(&[0]);
        h.write(e.intent.as_bytes());
        h.write(&[1]);
    }
    for f in &faq {
        h.write(f.question.as_bytes());
        h.write(&[0]);
        h.write(f.answer.as_bytes());
        h.write(&[1]);
    }
    let fp = format!("{:016x}-{}", h.finish(), intents.len() + faq.len());
    progress(0.1, "fitting the intent model");
    let params = IntentParams::default();
    let start = Instant::now();
    let (n_intents, n_faq) = (intents.len(), faq.len());
    let assistant = tokio::task::spawn_blocking(move || {
        shopmind_assistant::artifact::train(&intents, &faq, &params)
    })
    .await
    .map_err(|e| TrainError::Task(e.to_string()))??;
    let bytes = assistant.to_bytes()?;
    let metrics = serde_json::json!({
        "intents": assistant.intents.labels().len(),
        "examples": n_intents, "faq_rows": n_faq, "faq_answers": assistant.faq.len(),
        "temperature": assistant.intents.temperature,
        "oos_threshold": assistant.intents.threshold,
        "fit_seconds": start.elapsed().as_secs_f64(),
    });
    let params_json = serde_json::json!({
        "c": params.svm.c, "softmax_c": params.softmax.c,
        "softmax_weight": params.softmax_weight,
        "validation": params.validation, "seed": params.seed,
    });
    Ok(Fitted {
        algorithm: "lexical".into(),
        params: params_json,
        fingerprint: fp,
        metrics,
        bytes,
    })
}
