//! `shopmind assistant train|classify|chat` and `shopmind eval assistant`.
//!
//! A model directory holds `assistant.bin` (the artifact the registry
//! stores too) and `model.json` (what it was trained on and its validation
//! figures), so a model trained from files can be used without a store.

use std::io::{BufRead, Write};
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, bail};
use shopmind_assistant::dialog::{Assistant, MessageError, clean_message};
use shopmind_assistant::intent::IntentParams;
use shopmind_assistant::metrics::evaluate;
use shopmind_assistant::svm::SvmParams;
use shopmind_core::record::{FaqEntry, IntentExample, Record};
use shopmind_data::ImportKind;

use crate::cli::{
    AssistantChatArgs, AssistantClassifyArgs, AssistantTrainArgs, EvalAssistantArgs, Global,
    IntentOptions,
};
use crate::progress::spinner;

const ARTIFACT: &str = "assistant.bin";

fn params(o: &IntentOptions) -> anyhow::Result<IntentParams> {
    if !(o.c.is_finite() && o.c > 0.0) {
        bail!("--c must be a positive number, not {}", o.c);
    }
    if !(o.softmax_weight.is_finite() && o.softmax_weight >= 0.0) {
        bail!("--softmax-weight must be ≥ 0, not {}", o.softmax_weight);
    }
    if !(0.0..0.9).contains(&o.validation) {
        bail!("--validation must lie in [0, 0.9), not {}", o.validation);
    }
    Ok(IntentParams {
        svm: SvmParams {
            c: o.c,
            seed: o.seed,
            ..SvmParams::default()
        },
        validation: o.validation,
        seed: o.seed,
        softmax_weight: o.softmax_weight,
        ..IntentParams::default()
    })
}

fn read_intents(path: &Path) -> anyhow::Result<Vec<IntentExample>> {
    let out = crate::files::read(ImportKind::Intents, path, |r| match r {
        Record::Intent(e) => Some(e),
        _ => None,
    })?;
    if out.is_empty() {
        bail!("{} holds no intent examples", path.display());
    }
    Ok(out)
}

fn read_faq(path: &Path) -> anyhow::Result<Vec<FaqEntry>> {
    crate::files::read(ImportKind::Faq, path, |r| match r {
        Record::Faq(e) => Some(e),
        _ => None,
    })
}

fn load(dir: &Path) -> anyhow::Result<Assistant> {
    let path = dir.join(ARTIFACT);
    let bytes = std::fs::read(&path).with_context(|| {
        format!(
            "cannot read {} (train one with `shopmind assistant train`)",
            path.display()
        )
    })?;
    Assistant::from_bytes(&bytes).with_context(|| format!("in {}", path.display()))
}

/// `shopmind assistant train`.
pub fn train(a: AssistantTrainArgs) -> anyhow::Result<()> {
    let params = params(&a.options)?;
    let intents = read_intents(&a.intents)?;
    let faq = a
        .faq
        .as_deref()
        .map(read_faq)
        .transpose()?
        .unwrap_or_default();
    let bar = spinner("fitting the intent model");
    let start = Instant::now();
    let assistant = shopmind_assistant::artifact::train(&intents, &faq, &params)?;
    let seconds = start.elapsed().as_secs_f64();
    bar.finish_and_clear();
    std::fs::create_dir_all(&a.out)
        .with_context(|| format!("cannot create {}", a.out.display()))?;
    let bytes = assistant.to_bytes()?;
    let path = a.out.join(ARTIFACT);
    std::fs::write(&path, &bytes).with_context(|| format!("cannot write {}", path.display()))?;
    let summary = serde_json::json!({
        "algorithm": "lexical",
        "intents": assistant.intents.labels(),
        "examples": intents.len(), "faq_rows": faq.len(), "faq_answers": assistant.faq.len(),
        "temperature": assistant.intents.temperature,
        "oos_threshold": assistant.intents.threshold,
        "params": { "c": params.svm.c, "softmax_weight": params.softmax_weight,
                    "validation": params.validation, "seed": params.seed },
        "fit_seconds": seconds, "artifact_bytes": bytes.len(),
    });
    let meta = a.out.join("model.json");
    std::fs::write(&meta, serde_json::to_string_pretty(&summary)?)
        .with_context(|| format!("cannot write {}", meta.display()))?;
    if a.json {
        outln!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        outln!(
            "trained on {} examples ({} intents) and {} FAQ answers in {seconds:.1} s: \
             temperature {:.3}, out-of-scope below confidence {:.3}; wrote {}",
            intents.len(),
            assistant.intents.labels().len(),
            assistant.faq.len(),
            assistant.intents.temperature,
            assistant.intents.threshold,
            path.display()
        );
    }
    Ok(())
}

/// `shopmind assistant classify`.
pub fn classify(a: AssistantClassifyArgs) -> anyhow::Result<()> {
    let model = load(&a.model)?;
    let name = a.input.display();
    let mut r = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(&a.input)
        .with_context(|| format!("cannot open {name}"))?;
    let headers = r
        .headers()
        .with_context(|| format!("{name}: cannot read the header"))?
        .clone();
    let Some(col) = headers.iter().position(|h| h.trim() == "text") else {
        bail!(
            "{name}: no `text` column (columns: {})",
            headers.iter().collect::<Vec<_>>().join(", ")
        );
    };
    let tmp = a.out.with_extension("csv.partial");
    let mut w =
        csv::Writer::from_path(&tmp).with_context(|| format!("cannot write {}", tmp.display()))?;
    w.write_record(["text", "intent", "confidence"])?;
    let mut n = 0usize;
    for (i, rec) in r.records().enumerate() {
        let line = i + 2;
        let rec = rec.with_context(|| format!("{name}, line {line}: unreadable row"))?;
        let Some(text) = rec.get(col) else {
            bail!("{name}, line {line}, field `text`: missing");
        };
        let p = match clean_message(text) {
            Ok(clean) => model.intents.classify(&clean),
            Err(MessageError::Empty) => model.intents.classify(""),
            Err(e @ MessageError::TooLong(_)) => bail!("{name}, line {line}, field `text`: {e}"),
        };
        w.write_record([text, &p.intent, &format!("{:.4}", p.confidence)])?;
        n += 1;
    }
    w.flush()?;
    drop(w);
    std::fs::rename(&tmp, &a.out).with_context(|| format!("cannot write {}", a.out.display()))?;
    eprintln!("classified {n} messages into {}", a.out.display());
    Ok(())
}

/// `shopmind eval assistant`.
pub fn eval(a: EvalAssistantArgs) -> anyhow::Result<()> {
    let params = params(&a.options)?;
    let train = read_intents(&a.train)?;
    let test = read_intents(&a.test)?;
    let runs = a.runs.unwrap_or(1);
    if runs == 0 {
        bail!("--runs must be at least 1");
    }
    let bar = spinner("fitting the intent model");
    let mut fits = Vec::with_capacity(runs);
    let mut fitted = None;
    for _ in 0..runs {
        let start = Instant::now();
        fitted = Some(shopmind_assistant::intent::IntentModel::fit(
            &train, &params,
        )?);
        fits.push(start.elapsed().as_secs_f64());
    }
    let Some(model) = fitted else {
        bail!("no fit ran");
    };
    fits.sort_by(f64::total_cmp);
    let fit_seconds = fits[fits.len() / 2];
    bar.finish_and_clear();
    let m = evaluate(&model, &test);
    let mut times: Vec<f64> = test
        .iter()
        .map(|e| {
            let t = Instant::now();
            std::hint::black_box(model.classify(&e.text));
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    times.sort_by(f64::total_cmp);
    let median_ms = times.get(times.len() / 2).copied().unwrap_or(0.0);
    if a.json {
        let mut v = serde_json::to_value(&m)?;
        v["fit_seconds"] = fit_seconds.into();
        v["fit_runs"] = runs.into();
        v["classify_median_ms"] = median_ms.into();
        v["temperature"] = model.temperature.into();
        v["oos_threshold"] = model.threshold.into();
        v["intents"] = model.labels().len().into();
        outln!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(());
    }
    outln!(
        "{} intents, {} training and {} test messages ({} out of scope)",
        model.labels().len(),
        train.len(),
        m.n + m.n_oos,
        m.n_oos
    );
    outln!("accuracy           {:.4}", m.accuracy);
    outln!("macro-F1           {:.4}", m.macro_f1);
    outln!(
        "answered           {:.4} (confidence ≥ {:.3}), accuracy there {:.4}",
        m.coverage,
        model.threshold,
        m.answered_accuracy
    );
    outln!(
        "calibration (ECE)  {:.4} at temperature {:.3}",
        m.ece,
        model.temperature
    );
    match m.oos_recall {
        Some(r) => outln!("out-of-scope recall {r:.4}"),
        None => outln!("out-of-scope recall -  (no test message is labelled oos)"),
    }
    outln!(
        "fit {fit_seconds:.1} s (median of {runs}); classify one message {median_ms:.3} ms (median of {})",
        times.len()
    );
    Ok(())
}

/// `shopmind assistant chat`: one turn per line of standard input, through
/// the same path as `POST /v1/assistant/chat`.
pub async fn chat(g: &Global, a: AssistantChatArgs) -> anyhow::Result<()> {
    let store = crate::open::open_store(g).await?;
    let state = shopmind_service::Service::new(store.clone()).with_llm(a.llm.config()?);
    shopmind_service::serving::sync(&state.store, &state.models)
        .await
        .context("cannot load the active models")?;
    let assistant = match &a.model {
        Some(dir) => load(dir)?,
        None => match state.models.assistant() {
            Some(l) => l.model.clone(),
            None => bail!(
                "no assistant is active in this store: run `shopmind train assistant` (or pass --model DIR)"
            ),
        },
    };
    let interactive = std::io::IsTerminal::is_terminal(&std::io::stdin());
    if interactive {
        outln!(
            "Ask about an order, a return, shipping or a product (an empty line or `quit` ends)."
        );
    }
    let stdin = std::io::stdin();
    let mut out = std::io::stdout();
    let mut lines = stdin.lock().lines();
    loop {
        if interactive {
            out!("> ");
            out.flush()?;
        }
        let Some(line) = lines.next() else { break };
        let line = match line {
            Ok(l) => l,
            Err(_) => {
                outln!("(that line is not valid text; please type it again)");
                continue;
            }
        };
        if interactive && (line.trim().is_empty() || line.trim() == "quit") {
            break;
        }
        let message = match clean_message(&line) {
            Ok(m) => m,
            Err(e) => {
                outln!("(I could not read that: {e})");
                continue;
            }
        };
        let (reply, _) = shopmind_service::assistant::turn(
            &state,
            &assistant,
            &a.session,
            a.user.as_deref(),
            &message,
        )
        .await?;
        outln!("{}", reply.answer);
        let sources: Vec<String> = reply
            .sources
            .iter()
            .map(|s| format!("{} {}", s.kind, s.id))
            .collect();
        outln!(
            "  [intent {} ({:.2}){}{}]",
            reply.intent,
            reply.confidence,
            if sources.is_empty() {
                String::new()
            } else {
                format!("; sources: {}", sources.join(", "))
            },
            if reply.handoff {
                "; handing over to a person"
            } else {
                ""
            }
        );
    }
    store.close().await;
    Ok(())
}
