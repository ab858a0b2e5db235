//! Malformed files found by probing (issue 14): every one is an error that
//! names the file, the line and the right column, and nothing is read past
//! a break silently.

use std::path::{Path, PathBuf};

use shopmind_data::{ImportError, ImportKind, Source};

fn write(dir: &Path, name: &str, body: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, body).unwrap();
    p
}

/// Reads every record; returns how many were read and the errors met, in
/// order (row errors do not stop the reading, as `--skip-invalid` would).
fn read(kind: ImportKind, path: &Path) -> (usize, Vec<ImportError>) {
    let (mut ok, mut errors) = (0, Vec::new());
    for r in Source::open(kind, path).unwrap() {
        match r {
            Ok(_) => ok += 1,
            Err(e) => {
                let last = e.as_row().is_none();
                errors.push(e);
                if last {
                    break;
                }
            }
        }
    }
    (ok, errors)
}

/// (line, column) of a row error.
fn at(e: &ImportError) -> (u64, String) {
    match e {
        ImportError::Row(r) | ImportError::Malformed(r) => (r.line, r.column.clone()),
        other => panic!("not a row error: {other}"),
    }
}

#[test]
fn an_unterminated_quote_stops_the_import_naming_its_line() {
    let dir = tempfile::tempdir().unwrap();
    for (kind, name, body) in [
        (
            ImportKind::Items,
            "items.csv",
            &b"item_id,title,description\nIT-1,\"Alpha,Nice thing\nIT-2,Beta,ok\nIT-3,Gamma,ok\n"[..],
        ),
        (
            ImportKind::Users,
            "users.csv",
            &b"user_id,segment\nU1,\"gold\nU2,silver\nU3,bronze\n"[..],
        ),
        (
            ImportKind::Faq,
            "faq.csv",
            &b"question,answer\nQ1,\"A1\nQ2,A2\nQ3,A3\n"[..],
        ),
    ] {
        let path = write(dir.path(), name, body);
        let (ok, errors) = read(kind, &path);
        assert_eq!(ok, 0, "{name}: no record may be read from a broken file");
        let e = errors.last().unwrap();
        assert!(matches!(e, ImportError::Malformed(_)), "{name}: {e}");
        assert!(e.as_row().is_none(), "{name}: not skippable");
        assert_eq!(at(e).0, 2, "{name}: {e}");
        assert!(e.to_string().contains(name), "{e}");
        assert!(e.to_string().contains("unterminated quote"), "{e}");
    }
}

#[test]
fn validation_errors_name_the_column_at_fault() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(ImportKind, &str, &[u8], &str); 9] = [
        (
            ImportKind::Sales,
            "sales.csv",
            b"date,item_id,store_id,units,price\n2024-01-02,SKU-00001,S\x011,1,2\n",
            "store_id",
        ),
        (
            ImportKind::Sales,
            "sales2.csv",
            b"date,item_id,store_id,units,price,cost\n2024-01-02,SKU-00001,S1,1,2,-4\n",
            "cost",
        ),
        (
            ImportKind::Inventory,
            "inventory.csv",
            b"item_id,store_id,on_hand\nSKU-1,S1,-3\n",
            "on_hand",
        ),
        (
            ImportKind::Orders,
            "orders.csv",
            b"order_id,user_id,status,item_id,quantity,price\nO1,U1,ship\x07ped,SKU-1,1,2\n",
            "status",
        ),
        (
            ImportKind::Orders,
            "orders2.csv",
            b"order_id,user_id,status,item_id,quantity,price\nO1,U1,shipped,SKU-1,-1,2\n",
            "quantity",
        ),
        (
            ImportKind::Events,
            "events.csv",
            b"user_id,item_id,value\nU1,SKU-1,-2\n",
            "value",
        ),
        (
            ImportKind::Items,
            "items.csv",
            b"item_id,title,color\nSKU-1,Mug,re\x01d\n",
            "color",
        ),
        (
            ImportKind::Intents,
            "intents.csv",
            b"text,category\nhello there,greet\x1bing\n",
            "category",
        ),
        (
            ImportKind::Faq,
            "faq.csv",
            b"question,answer,intent\nHow?,Like so.,ret\x7furns\n",
            "intent",
        ),
    ];
    for (kind, name, body, column) in cases {
        let (_, errors) = read(kind, &write(dir.path(), name, body));
        let e = errors.first().unwrap_or_else(|| panic!("{name}: no error"));
        assert_eq!(at(e), (2, column.to_owned()), "{name}: {e}");
    }
}

#[test]
fn dates_the_api_refuses_are_refused_by_the_importers_too() {
    let dir = tempfile::tempdir().unwrap();
    for (kind, name, body, column) in [
        (
            ImportKind::Sales,
            "sales.csv",
            &b"date,item_id,units,price\n2099-01-01,SKU-1,1,2\n"[..],
            "date",
        ),
        (
            ImportKind::Sales,
            "sales0.csv",
            &b"date,item_id,units,price\n0000-01-01,SKU-1,1,2\n"[..],
            "date",
        ),
        (
            ImportKind::Events,
            "events.csv",
            &b"user_id,item_id,timestamp\nU1,SKU-1,2099-01-01T00:00:00Z\n"[..],
            "timestamp",
        ),
        (
            ImportKind::Orders,
            "orders.csv",
            &b"order_id,user_id,status,item_id,created_at\nO1,U1,paid,SKU-1,2099-05-05\n"[..],
            "created_at",
        ),
    ] {
        let (ok, errors) = read(kind, &write(dir.path(), name, body));
        assert_eq!(ok, 0, "{name}");
        let e = errors.first().unwrap_or_else(|| panic!("{name}: no error"));
        assert_eq!(at(e), (2, column.to_owned()), "{name}: {e}");
    }
}

#[test]
fn wrong_field_counts_nul_bytes_and_invalid_utf8_are_row_errors() {
    let dir = tempfile::tempdir().unwrap();
    let body = b"item_id,title,price\nA,one,1\nB,two\nC,three,3,extra\nD,fo\x00ur,4\nE,fi\xffve,5\nF,six,6\n";
    let (ok, errors) = read(ImportKind::Items, &write(dir.path(), "items.csv", body));
    // Reading goes on past each broken row (so `--skip-invalid` can skip
    // and report them); the good rows A and F are read.
    assert_eq!(ok, 2);
    let found: Vec<(u64, String)> = errors.iter().map(at).collect();
    assert_eq!(
        found,
        [
            (3, "price".to_owned()),
            (4, "#4".to_owned()),
            (5, "title".to_owned()),
            (6, "title".to_owned()),
        ]
    );
    let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert!(
        text[0].contains("2 fields where the header has 3"),
        "{}",
        text[0]
    );
    assert!(
        text[1].contains("4 fields where the header has 3"),
        "{}",
        text[1]
    );
    assert!(text[2].contains("NUL"), "{}", text[2]);
    assert!(text[3].contains("UTF-8"), "{}", text[3]);
    assert!(errors.iter().all(|e| e.as_row().is_some()));
}

#[test]
fn a_nul_in_a_quoted_field_and_a_stray_quote_name_their_lines() {
    let dir = tempfile::tempdir().unwrap();
    let body = b"item_id,title\nA,\"x\x00y\"\nB,\"ab\"c\nC,ok\n";
    let (ok, errors) = read(ImportKind::Items, &write(dir.path(), "items.csv", body));
    assert_eq!(ok, 1);
    let found: Vec<(u64, String)> = errors.iter().map(at).collect();
    assert_eq!(found, [(2, "title".to_owned()), (3, "title".to_owned())]);
}
