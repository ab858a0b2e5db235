//! Property tests of the CSV reader (seeded, bounded): any bytes under a
//! valid header, for every import kind, read without a panic and with every
//! error naming a line of the file; and any table written by an RFC 4180
//! writer (the `csv` crate, quoting as needed) reads back field for field.

use std::path::Path;

use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};
use shopmind_data::source::CsvTable;
use shopmind_data::{ImportKind, Source};

fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(14),
        ..Config::default()
    }
}

/// Bytes that stress a CSV reader: delimiters, quotes, line ends, NUL,
/// invalid UTF-8, multi-byte characters, digits and letters.
fn nasty_bytes() -> impl Strategy<Value = Vec<u8>> {
    let byte = prop_oneof![
        4 => prop::sample::select(b"abcXYZ019.-".to_vec()),
        2 => Just(b','),
        2 => Just(b'"'),
        1 => Just(b'\n'),
        1 => Just(b'\r'),
        1 => Just(0u8),
        1 => Just(0xffu8),
        1 => Just(0xc3u8),
        1 => Just(b' '),
        1 => any::<u8>(),
    ];
    prop::collection::vec(byte, 0..400)
}

const HEADERS: [(ImportKind, &str); 9] = [
    (
        ImportKind::Items,
        "item_id,title,price,cost,category,active",
    ),
    (ImportKind::Users, "user_id,segment"),
    (
        ImportKind::Events,
        "user_id,item_id,event_type,value,timestamp",
    ),
    (
        ImportKind::Sales,
        "date,item_id,store_id,units,price,promo,cost",
    ),
    (
        ImportKind::Inventory,
        "item_id,store_id,on_hand,lead_time_days,moq",
    ),
    (
        ImportKind::Orders,
        "order_id,user_id,status,item_id,quantity,price,created_at",
    ),
    (ImportKind::Faq, "question,answer,intent"),
    (ImportKind::Intents, "text,intent"),
    (ImportKind::Series, "series_id,t,value"),
];

fn lines_in(body: &[u8]) -> u64 {
    1 + body.iter().filter(|&&b| b == b'\n' || b == b'\r').count() as u64
}

fn read_everything(kind: ImportKind, path: &Path, lines: u64) -> Result<(), TestCaseError> {
    let source = match Source::open(kind, path) {
        Ok(s) => s,
        // A header-level refusal is an answer too.
        Err(_) => return Ok(()),
    };
    for r in source {
        if let Err(e) = r {
            if let shopmind_data::ImportError::Row(row)
            | shopmind_data::ImportError::Malformed(row) = &e
            {
                prop_assert!(
                    row.line >= 1 && row.line <= lines,
                    "{e} (file of {lines} lines)"
                );
                prop_assert!(e.to_string().contains(&row.file));
            }
            if e.as_row().is_none() {
                break;
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(96))]

    #[test]
    fn any_bytes_read_without_panic_and_errors_name_a_line(
        body in nasty_bytes(),
        which in 0..HEADERS.len(),
    ) {
        let (kind, header) = HEADERS[which];
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fuzz.csv");
        let mut bytes = format!("{header}\n").into_bytes();
        bytes.extend_from_slice(&body);
        std::fs::write(&path, &bytes).unwrap();
        read_everything(kind, &path, lines_in(&bytes))?;
    }

    #[test]
    fn a_table_written_by_an_rfc4180_writer_reads_back_exactly(
        rows in prop::collection::vec(
            prop::collection::vec("[a-z ,\"\r\n€中]{0,12}", 3),
            1..25,
        ).prop_map(|mut rows| {
            // Every third table has an all-empty row (`,,`).
            if rows.len() % 3 == 0 {
                rows.push(vec![String::new(); 3]);
            }
            rows
        }),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        let mut w = csv::Writer::from_path(&path).unwrap();
        w.write_record(["a", "b", "c"]).unwrap();
        for r in &rows {
            w.write_record(r).unwrap();
        }
        w.flush().unwrap();
        drop(w);
        let mut t = CsvTable::open(&path, b',', shopmind_data::source::Header::InFile).unwrap();
        let mut back = Vec::new();
        while let Some(row) = t.next_row() {
            let row = row.unwrap();
            back.push((0..3).map(|i| row.at(i).into_owned()).collect::<Vec<_>>());
        }
        prop_assert_eq!(back, rows);
    }
}
