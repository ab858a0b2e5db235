//! BANKING77 (Casanueva et al. 2020) accuracy of the lexical intent model.
//! Ignored by default: it reads `$SHOPMIND_BENCH_DATA/banking77/` (default
//! `../shared/data`, relative to the workspace root). Run with
//! `cargo test --release -p shopmind-assistant --test banking77 -- --ignored --nocapture`.

use std::path::PathBuf;
use std::time::Instant;

use shopmind_assistant::intent::{IntentModel, IntentParams};
use shopmind_assistant::metrics::evaluate;
use shopmind_core::record::IntentExample;

fn read(path: &PathBuf) -> Vec<IntentExample> {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    r.records()
        .map(|rec| {
            let rec = rec.unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            IntentExample {
                text: rec[0].to_owned(),
                intent: rec[1].to_owned(),
            }
        })
        .collect()
}

#[test]
#[ignore = "needs the BANKING77 files of the benchmark data directory"]
fn banking77_accuracy() {
    let root = std::env::var("SHOPMIND_BENCH_DATA").map_or_else(
        |_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
        PathBuf::from,
    );
    let train = read(&root.join("banking77/train.csv"));
    let test = read(&root.join("banking77/test.csv"));
    let t = Instant::now();
    let model = IntentModel::fit(&train, &IntentParams::default()).expect("fit");
    let fit_s = t.elapsed().as_secs_f64();
    let m = evaluate(&model, &test);
    let mut times: Vec<f64> = test
        .iter()
        .take(1000)
        .map(|e| {
            let t = Instant::now();
            std::hint::black_box(model.classify(&e.text));
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    times.sort_by(f64::total_cmp);
    println!(
        "fit {fit_s:.1} s, T {:.3}, τ {:.3}, median classify {:.3} ms; {m:?}",
        model.temperature,
        model.threshold,
        times[times.len() / 2]
    );
    assert!(m.accuracy >= 0.92, "accuracy {}", m.accuracy);
}
