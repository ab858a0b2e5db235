//! `shopmind forecast batch` and `shopmind eval forecast`: series files in,
//! forecasts (CSV) or accuracy tables out.
//!
//! Batch forecasting streams: series are read one at a time, forecast in
//! parallel chunks of [`CHUNK`] and written before the next chunk is read,
//! so memory holds a chunk, not the file.

use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, bail};
use rayon::prelude::*;
use shopmind_data::series::{GapFill, Series, SeriesReader};
use shopmind_forecast::backtest::{Scores, average, score};
use shopmind_forecast::global::{self, GlobalParams, Learner};
use shopmind_forecast::season::{Frequency, detect_period};
use shopmind_forecast::{FitParams, Forecast, ForecastError, ModelChoice, check_levels, fit};

use crate::cli::{EvalForecastArgs, ForecastBatchArgs, Freq, SeriesFormat, SeriesOptions};

/// Series forecast together.
const CHUNK: usize = 512;

/// A model name from the command line: a per-series model, or a learner of
/// the global model (fitted across all series, so the whole file is read).
#[derive(Debug, Clone, Copy)]
enum Choice {
    Local(ModelChoice),
    Global(Learner),
}

impl Choice {
    fn parse(name: &str) -> anyhow::Result<Choice> {
        Ok(match name.trim() {
            "gbdt" => Choice::Global(Learner::Gbdt),
            "linear" => Choice::Global(Learner::Linear),
            "tree" => Choice::Global(Learner::Tree),
            other => Choice::Local(
                other
                    .parse()
                    .map_err(|e| anyhow::anyhow!("{e}; or a global model: gbdt, linear, tree"))?,
            ),
        })
    }

    fn name(self) -> &'static str {
        match self {
            Choice::Local(c) => c.name(),
            Choice::Global(Learner::Gbdt) => "gbdt",
            Choice::Global(Learner::Linear) => "linear",
            Choice::Global(Learner::Tree) => "tree",
        }
    }
}

/// Forecasts every series with a per-series model or one global model.
/// `periods[i]` is series i's seasonal period (the global model takes the
/// most common one).
fn forecast_all(
    series: &[&[f64]],
    periods: &[usize],
    choice: Choice,
    horizon: usize,
    levels: &[f64],
) -> Vec<Result<Forecast, ForecastError>> {
    match choice {
        Choice::Local(c) => series
            .par_iter()
            .zip(periods)
            .map(|(y, &m)| {
                let params = FitParams {
                    season: m,
                    horizon,
                    ..FitParams::default()
                };
                fit(y, c, &params).map(|f| f.forecast(horizon, levels))
            })
            .collect(),
        Choice::Global(learner) => {
            let mut counts: HashMap<usize, usize> = HashMap::new();
            for &m in periods {
                *counts.entry(m).or_default() += 1;
            }
            let m = counts
                .into_iter()
                .max_by_key(|&(m, c)| (c, m))
                .map_or(1, |(m, _)| m);
            let params = GlobalParams::new(learner, m);
            let model = match global::fit(series, None, &params) {
                Ok(model) => model,
                Err(e) => return series.iter().map(|_| Err(e.clone())).collect(),
            };
            let name = format!("Global({})", choice.name());
            series
                .par_iter()
                .zip(periods)
                .map(|(y, &m)| {
                    if y.len() < params.warmup() {
                        // Too short for the global model's lags: per-series `auto`.
                        let local = FitParams {
                            season: m,
                            horizon,
                            ..FitParams::default()
                        };
                        let mut f = fit(y, ModelChoice::Auto, &local)?.forecast(horizon, levels);
                        f.notes.push(format!(
                            "history shorter than the global model's {} steps of lags and windows: auto",
                            params.warmup()
                        ));
                        return Ok(f);
                    }
                    let path = model.forecast(y, horizon, None)?;
                    Ok(Forecast::new(name.clone(), path)
                        .with_intervals(levels, y.iter().all(|&v| v >= 0.0)))
                })
                .collect()
        }
    }
}

/// Sizes rayon's pool (`--threads`); all cores when absent.
pub fn set_threads(threads: Option<usize>) {
    if let Some(t) = threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(t.max(1))
            .build_global()
            .ok();
    }
}

fn open(path: &Path, opts: &SeriesOptions) -> anyhow::Result<SeriesReader> {
    let fill: GapFill = opts.fill.parse().map_err(anyhow::Error::msg)?;
    SeriesReader::open(
        path,
        opts.format == SeriesFormat::M4,
        fill,
        opts.allow_negative,
    )
    .with_context(|| format!("cannot read series from {}", path.display()))
}

/// Parses `--levels` ("80,95"; empty for none).
pub fn parse_levels(text: &str) -> anyhow::Result<Vec<f64>> {
    let levels = text
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<f64>()
                .with_context(|| format!("--levels: {s:?} is not a number"))
        })
        .collect::<anyhow::Result<Vec<f64>>>()?;
    check_levels(&levels).context("--levels")?;
    Ok(levels)
}

/// The seasonal period of one series: `--season`, else detected from
/// `--freq`, else none.
fn period_of(values: &[f64], opts: &SeriesOptions) -> usize {
    match (opts.season, opts.freq) {
        (Some(m), _) => m.max(1),
        (None, Some(freq)) => detect_period(values, frequency(freq)),
        (None, None) => 1,
    }
}

fn frequency(f: Freq) -> Frequency {
    match f {
        Freq::Hourly => Frequency::Hourly,
        Freq::Daily => Frequency::Daily,
        Freq::Weekly => Frequency::Weekly,
        Freq::Monthly => Frequency::Monthly,
        Freq::Quarterly => Frequency::Quarterly,
    }
}

/// `shopmind forecast batch`.
pub fn batch(a: ForecastBatchArgs) -> anyhow::Result<()> {
    if a.horizon == 0 {
        bail!("--horizon must be at least 1");
    }
    let choice = Choice::parse(&a.model)?;
    let levels = parse_levels(&a.levels)?;
    set_threads(a.series.threads);
    let mut reader = open(&a.history, &a.series)?;
    // A global model learns from every series at once: one chunk.
    let chunk_size = match choice {
        Choice::Local(_) => CHUNK,
        Choice::Global(_) => usize::MAX,
    };
    let mut out = crate::files::csv_writer(&a.out)?;
    let mut header = vec!["series_id".to_owned(), "step".into(), "forecast".into()];
    for l in &levels {
        header.extend([format!("lo{l}"), format!("hi{l}")]);
    }
    out.write_record(&header)?;
    let started = Instant::now();
    let bar = crate::progress::spinner("forecasting");
    let (mut done, mut filled, mut failed) = (0usize, 0usize, 0usize);
    let mut notes: HashMap<String, usize> = HashMap::new();
    loop {
        let chunk: Vec<Series> = reader.by_ref().take(chunk_size).collect::<Result<_, _>>()?;
        if chunk.is_empty() {
            break;
        }
        let values: Vec<&[f64]> = chunk.iter().map(|s| s.values.as_slice()).collect();
        let periods: Vec<usize> = values.iter().map(|v| period_of(v, &a.series)).collect();
        let results = forecast_all(&values, &periods, choice, a.horizon, &levels);
        for (s, r) in chunk.iter().zip(results) {
            filled += usize::from(s.filled > 0);
            let f = match r {
                Ok(f) => f,
                Err(e) => {
                    failed += 1;
                    tracing::warn!(series = %s.id, "not forecast: {e}");
                    continue;
                }
            };
            for n in &f.notes {
                // Count notes by kind (their text up to the first colon).
                let kind = n.split(':').next().unwrap_or(n).to_owned();
                *notes.entry(kind).or_default() += 1;
            }
            for k in 0..a.horizon {
                let mut row = vec![s.id.clone(), (k + 1).to_string(), f.mean[k].to_string()];
                for i in &f.intervals {
                    row.extend([i.lo[k].to_string(), i.hi[k].to_string()]);
                }
                out.write_record(&row)?;
            }
        }
        done += chunk.len();
        bar.set_message(format!("forecasting: {done} series"));
    }
    bar.finish_and_clear();
    out.flush()?;
    eprintln!(
        "forecast {done} series ({} model, horizon {}) in {:.2} s → {}",
        choice.name(),
        a.horizon,
        started.elapsed().as_secs_f64(),
        a.out.display()
    );
    if filled > 0 {
        eprintln!(
            "  {filled} series had missing steps filled ({})",
            a.series.fill
        );
    }
    let mut notes: Vec<_> = notes.into_iter().collect();
    notes.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
    for (kind, count) in notes.iter().take(8) {
        eprintln!("  {count} series: {kind}");
    }
    if failed > 0 {
        bail!("{failed} of {done} series could not be forecast (see the warnings above)");
    }
    Ok(())
}

/// One model's row in `eval forecast`.
#[derive(serde::Serialize)]
struct EvalRow {
    model: String,
    series: usize,
    failed: usize,
    seconds: f64,
    scores: Scores,
}

/// `shopmind eval forecast`.
pub fn eval(a: EvalForecastArgs) -> anyhow::Result<()> {
    if a.horizon == 0 {
        bail!("--horizon must be at least 1");
    }
    let choices: Vec<Choice> = a
        .models
        .split(',')
        .map(Choice::parse)
        .collect::<Result<_, _>>()?;
    set_threads(a.series.threads);
    let train: Vec<Series> = open(&a.train, &a.series)?.collect::<Result<_, _>>()?;
    let test: HashMap<String, Vec<f64>> = open(&a.test, &a.series)?
        .map(|s| s.map(|s| (s.id, s.values)))
        .collect::<Result<_, _>>()?;
    let mut pairs = Vec::with_capacity(train.len());
    for s in &train {
        let Some(actual) = test.get(&s.id) else {
            bail!(
                "series {:?} is in {} but not in {}",
                s.id,
                a.train.display(),
                a.test.display()
            );
        };
        if actual.len() < a.horizon {
            bail!(
                "series {:?} has {} test values, fewer than --horizon {}",
                s.id,
                actual.len(),
                a.horizon
            );
        }
        pairs.push((s, &actual[..a.horizon], period_of(&s.values, &a.series)));
    }
    let mut rows = Vec::new();
    for choice in choices {
        let bar = crate::progress::spinner(&format!("evaluating {}", choice.name()));
        let started = Instant::now();
        let values: Vec<&[f64]> = pairs.iter().map(|p| p.0.values.as_slice()).collect();
        let periods: Vec<usize> = pairs.iter().map(|p| p.2).collect();
        let forecasts = forecast_all(&values, &periods, choice, a.horizon, &[80.0, 95.0]);
        let results: Vec<Option<Scores>> = pairs
            .iter()
            .zip(forecasts)
            .map(|((s, actual, m), f)| score(actual, &f.ok()?, &s.values, *m).ok())
            .collect();
        let seconds = started.elapsed().as_secs_f64();
        bar.finish_and_clear();
        let ok: Vec<Scores> = results.iter().flatten().cloned().collect();
        rows.push(EvalRow {
            model: choice.name().to_owned(),
            series: ok.len(),
            failed: results.len() - ok.len(),
            seconds,
            scores: average(&ok),
        });
    }
    if a.json {
        outln!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(());
    }
    outln!(
        "{:<10} {:>7} {:>7} {:>8} {:>8} {:>8} {:>8} {:>7} {:>7} {:>9}",
        "model",
        "series",
        "failed",
        "MASE",
        "sMAPE",
        "WAPE",
        "RMSSE",
        "cov80",
        "cov95",
        "seconds"
    );
    let opt = |v: Option<f64>| v.map_or("-".to_owned(), |v| format!("{v:.4}"));
    for r in &rows {
        let cov = |i: usize| r.scores.coverage.get(i).map_or(0.0, |c| c.1);
        outln!(
            "{:<10} {:>7} {:>7} {:>8} {:>8.3} {:>8} {:>8} {:>7.3} {:>7.3} {:>9.2}",
            r.model,
            r.series,
            r.failed,
            opt(r.scores.mase),
            r.scores.smape,
            opt(r.scores.wape),
            opt(r.scores.rmsse),
            cov(0),
            cov(1),
            r.seconds
        );
    }
    Ok(())
}
