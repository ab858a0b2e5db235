//! Training in parts: the kinds whose work splits naturally run as phases
//! of a job, with fan-outs between them whose parts any worker may run
//! (the job queue's partitioned jobs, `shopmind_store::Store::fan_out`).
//!
//! - forecast: one fan-out over ranges of the series (each series is fitted
//!   on its own);
//! - pricing: two fan-outs over ranges of the items (the first fits, the
//!   promotion lifts shrunk over every item, the second fits; the
//!   elasticities are shrunk over every item at the end);
//! - recommendation with item-kNN: one fan-out over ranges of the items
//!   (each item's neighbour list needs the whole matrix but no other list);
//!   every other algorithm, and the assistant, train in one piece.
//!
//! Phase 0 reads the store and either finishes or splits: an input every
//! part reads, a slice per part that only it reads ([`PartInput`]), what
//! the parent alone reads again (`keep`), and how many parts; each later
//! phase reads every fan-out's input and kept data so far and the outputs
//! of the last one's parts, in part order ([`Stored`]). Parts cover contiguous ranges ([`chunk`]) and their
//! outputs are concatenated in order, so the version is the same whatever
//! the number of parts and whichever worker ran which: the tests check the
//! artifact bytes. `shopmind train` runs the same phases in its own
//! process with one part each ([`fit_inline`]).

use std::ops::Range;
use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{Fitted, Progress, TrainError, TrainSpec, assistant, forecast, pricing, recommend};

/// Most parts a request may ask for.
pub const MAX_PARTS: u32 = 64;
/// Most parts chosen when the request does not say.
const AUTO_MAX_PARTS: usize = 16;

/// What the phases before stored, in their stored form.
#[derive(Debug, Clone, Default)]
pub struct Stored {
    /// Each fan-out's input, read by its parts and the parent.
    pub inputs: Vec<Vec<u8>>,
    /// What each fan-out kept for the parent alone (parts never read it).
    pub kept: Vec<Vec<u8>>,
    /// The last fan-out's part outputs, in part order.
    pub outputs: Vec<Vec<u8>>,
}

/// What a part reads, in stored form: every fan-out's input so far, and its
/// own slice of each (empty where a fan-out has none).
#[derive(Debug, Clone, Default)]
pub struct PartInput {
    /// Each fan-out's input (shared by its parts).
    pub inputs: Vec<Vec<u8>>,
    /// This part's slice of each fan-out.
    pub slices: Vec<Vec<u8>>,
}

/// Where a phase ended.
pub(crate) enum Step {
    /// Split into `parts` parts: `input` read by all of them, `slices` (none,
    /// or one per part) each read by its part alone, `keep` by the parent's
    /// next phase alone.
    FanOut {
        /// What every part reads.
        input: Vec<u8>,
        /// What each part alone reads (empty, or one per part).
        slices: Vec<Vec<u8>>,
        /// What only the parent reads again (may be empty).
        keep: Vec<u8>,
        /// How many parts.
        parts: u32,
    },
    /// The version, ready to register.
    Done(Fitted),
}

/// How many parts for `units` units of work: `wanted`, or one per
/// `per_part` units (at most [`AUTO_MAX_PARTS`]); never more parts than
/// units, never fewer than one.
pub(crate) fn part_count(units: usize, per_part: usize, wanted: Option<u32>) -> u32 {
    let auto = units.div_ceil(per_part.max(1)).clamp(1, AUTO_MAX_PARTS) as u32;
    let most = units.clamp(1, MAX_PARTS as usize) as u32;
    wanted.unwrap_or(auto).clamp(1, most)
}

/// The range of `len` units that part `index` of `count` covers: the parts
/// tile `0..len` in order, their sizes differing by at most one.
pub(crate) fn chunk(len: usize, index: u32, count: u32) -> Range<usize> {
    let count = count.max(1) as usize;
    let index = (index as usize).min(count);
    len * index / count..len * (index + 1).min(count) / count
}

/// Each part's slice of `units` (the contiguous ranges of [`chunk`]),
/// encoded: what [`Step::FanOut`]'s `slices` holds.
pub(crate) fn slices<T: Serialize>(units: &[T], parts: u32) -> Result<Vec<Vec<u8>>, TrainError> {
    (0..parts)
        .map(|i| encode(&&units[chunk(units.len(), i, parts)]))
        .collect()
}

/// The parts' outputs, each a list, decoded and concatenated in part
/// order; an error unless they hold `n` entries in all.
pub(crate) fn concat<T: DeserializeOwned>(
    outputs: &[Vec<u8>],
    n: usize,
    what: &str,
) -> Result<Vec<T>, TrainError> {
    let mut all = Vec::with_capacity(n);
    for o in outputs {
        all.extend(decode::<Vec<T>>(Some(o))?);
    }
    if all.len() != n {
        return Err(TrainError::Partition(format!(
            "the parts fitted {} of {n} {what}",
            all.len()
        )));
    }
    Ok(all)
}

/// Unix milliseconds now.
pub(crate) fn unix_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Seconds from `start_ms` (unix milliseconds) to now.
pub(crate) fn seconds_since(start_ms: u64) -> f64 {
    unix_ms().saturating_sub(start_ms) as f64 / 1000.0
}

/// A phase's input or a part's output in its stored form (postcard).
pub(crate) fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, TrainError> {
    postcard::to_allocvec(value).map_err(|e| TrainError::Partition(format!("encoding: {e}")))
}

/// Reads what [`encode`] wrote; a missing blob is an error.
pub(crate) fn decode<T: DeserializeOwned>(bytes: Option<&Vec<u8>>) -> Result<T, TrainError> {
    let bytes = bytes.ok_or_else(|| TrainError::Partition("a stored input is missing".into()))?;
    postcard::from_bytes(bytes).map_err(|e| TrainError::Partition(format!("decoding: {e}")))
}

/// Runs phase `phase` of training `spec` (0: the start) on what the
/// phases before `stored`; `parts` the number of parts asked for.
pub(crate) async fn step(
    store: &shopmind_store::Store,
    spec: &TrainSpec,
    parts: Option<u32>,
    phase: u32,
    stored: Stored,
    progress: &Progress,
) -> Result<Step, TrainError> {
    if phase == 0 {
        return match spec {
            TrainSpec::Recommend {
                algorithm,
                params,
                binary,
            } => recommend::start(store, algorithm, params, *binary, parts, progress).await,
            TrainSpec::Pricing { per_store } => {
                pricing::start(store, *per_store, parts, progress).await
            }
            TrainSpec::Forecast { model } => forecast::start(store, *model, parts, progress).await,
            TrainSpec::Assistant => Ok(Step::Done(
                assistant::train_assistant(store, progress).await?,
            )),
        };
    }
    progress(0.9, "combining the parts");
    let spec = spec.clone();
    tokio::task::spawn_blocking(move || match (&spec, phase) {
        (TrainSpec::Recommend { .. }, 1) => recommend::combine(&stored).map(Step::Done),
        (TrainSpec::Forecast { .. }, 1) => forecast::combine(&stored).map(Step::Done),
        (TrainSpec::Pricing { .. }, 1 | 2) => pricing::combine(phase, &stored),
        _ => Err(no_phase(&spec, phase)),
    })
    .await
    .map_err(|e| TrainError::Task(e.to_string()))?
}

/// Computes part `index` of `count` of fan-out `phase` of training `spec`
/// from the fan-outs' `inputs` (blocking: run it off the async threads).
pub fn part(
    spec: &TrainSpec,
    phase: u32,
    index: u32,
    count: u32,
    input: &PartInput,
    progress: &Progress,
) -> Result<Vec<u8>, TrainError> {
    match (spec, phase) {
        (TrainSpec::Recommend { .. }, 1) => recommend::part(input, index, count, progress),
        (TrainSpec::Forecast { .. }, 1) => forecast::part(input, progress),
        (TrainSpec::Pricing { .. }, 1 | 2) => pricing::part(phase, input, index, count, progress),
        _ => Err(no_phase(spec, phase)),
    }
}

fn no_phase(spec: &TrainSpec, phase: u32) -> TrainError {
    TrainError::Partition(format!("{} training has no fan-out {phase}", spec.kind()))
}

/// Every phase in this process, one part per fan-out: what `shopmind
/// train` runs.
pub(crate) async fn fit_inline(
    store: &shopmind_store::Store,
    spec: &TrainSpec,
    progress: &Progress,
) -> Result<Fitted, TrainError> {
    let mut stored = Stored::default();
    let mut slices: Vec<Vec<Vec<u8>>> = Vec::new();
    for phase in 0.. {
        let step = step(store, spec, Some(1), phase, stored.clone(), progress).await?;
        let (input, parts) = match step {
            Step::Done(f) => return Ok(f),
            Step::FanOut {
                input,
                slices: own,
                keep,
                parts,
            } => {
                stored.kept.push(keep);
                slices.push(own);
                (input, parts)
            }
        };
        stored.inputs.push(input);
        stored.outputs.clear();
        for index in 0..parts {
            let mine = PartInput {
                inputs: stored.inputs.clone(),
                slices: slices
                    .iter()
                    .map(|s| s.get(index as usize).cloned().unwrap_or_default())
                    .collect(),
            };
            let (spec, outer) = (spec.clone(), progress.clone());
            let inner: Progress = Arc::new(move |f, s| outer(0.1 + 0.8 * f, s));
            let out = tokio::task::spawn_blocking(move || {
                part(&spec, phase + 1, index, parts, &mine, &inner)
            })
            .await
            .map_err(|e| TrainError::Task(e.to_string()))??;
            stored.outputs.push(out);
        }
    }
    Err(TrainError::Partition("training did not end".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_tile_the_range_in_order() {
        for len in [0usize, 1, 7, 100, 1001] {
            for count in 1..=9u32 {
                let mut next = 0;
                for i in 0..count {
                    let r = chunk(len, i, count);
                    assert_eq!(r.start, next, "len {len} count {count} part {i}");
                    assert!(r.len() <= len / count as usize + 1);
                    next = r.end;
                }
                assert_eq!(next, len);
            }
        }
        assert_eq!(chunk(10, 5, 3), 10..10, "past the last part: empty");
    }

    #[test]
    fn part_counts_follow_the_request_within_bounds() {
        assert_eq!(part_count(1_000, 200, None), 5);
        assert_eq!(part_count(1_000_000, 200, None), 16);
        assert_eq!(part_count(0, 200, None), 1);
        assert_eq!(part_count(1_000, 200, Some(3)), 3);
        assert_eq!(
            part_count(2, 200, Some(8)),
            2,
            "never more parts than units"
        );
        assert_eq!(part_count(10_000, 200, Some(500)), MAX_PARTS);
        assert_eq!(part_count(10, 200, Some(0)), 1);
    }
}
