//! Importer behaviour on small fixtures written by the tests themselves.

use std::io::Write;
use std::path::{Path, PathBuf};

use shopmind_core::record::{EventType, Record};
use shopmind_core::time::Date;
use shopmind_data::{ImportError, ImportKind, Source};

fn write(dir: &Path, name: &str, body: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, body).unwrap();
    p
}

fn read_all(kind: ImportKind, path: &Path) -> Result<Vec<Record>, ImportError> {
    Source::open(kind, path)?.collect()
}

#[test]
fn seed_layout_reads_through_aliases() {
    let dir = tempfile::tempdir().unwrap();
    let ratings = write(
        dir.path(),
        "ratings.csv",
        b"user_id,product_id,rating\nu1,p1,4\nu2,p1,2.5\n",
    );
    let recs = read_all(ImportKind::Events, &ratings).unwrap();
    let Record::Event(e) = &recs[1] else {
        panic!("{recs:?}")
    };
    assert_eq!(
        (
            e.user_id.as_str(),
            e.item_id.as_str(),
            e.event_type,
            e.value
        ),
        ("u2", "p1", EventType::Rating, 2.5)
    );
    let products = write(
        dir.path(),
        "products.csv",
        b"Product_ID,Price,Sales_Volume,Market_Info\np1,19.99,120,high competition\n",
    );
    let recs = read_all(ImportKind::Items, &products).unwrap();
    let Record::Item(item) = &recs[0] else {
        panic!()
    };
    assert_eq!(item.item_id, "p1");
    assert_eq!(item.price, Some(19.99));
    assert_eq!(
        item.attributes.get("sales_volume").map(String::as_str),
        Some("120")
    );
    assert_eq!(
        item.attributes.get("market_info").map(String::as_str),
        Some("high competition")
    );
}

#[test]
fn malformed_line_3001_of_5000_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let mut body = String::from("user_id,item_id,event_type,value,timestamp\n");
    for n in 2..=5000 {
        // Line 3001 has an unknown event type.
        let kind = if n == 3001 { "teleport" } else { "view" };
        body.push_str(&format!(
            "u{},i{},{kind},1,2024-01-01 10:00:{:02}\n",
            n % 50,
            n % 70,
            n % 60
        ));
    }
    let path = write(dir.path(), "events.csv", body.as_bytes());
    let err = read_all(ImportKind::Events, &path).unwrap_err();
    let row = err.as_row().expect("a row error");
    assert_eq!(row.line, 3001);
    assert_eq!(row.column, "event_type");
    assert_eq!(row.value, "teleport");
    let msg = err.to_string();
    assert!(
        msg.contains("line 3001") && msg.contains("events.csv"),
        "{msg}"
    );
}

#[test]
fn bad_numbers_and_timestamps_name_their_column() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "sales.csv",
        b"date,item_id,units,price\n2024-01-01,a,3,2.5\n2024-01-02,a,-1,2.5\n",
    );
    let err = read_all(ImportKind::Sales, &p).unwrap_err();
    let row = err.as_row().unwrap();
    assert_eq!(
        (row.line, row.column.as_str(), row.value.as_str()),
        (3, "units", "-1")
    );
    let p = write(
        dir.path(),
        "ev.csv",
        b"user_id,item_id,timestamp\nu,i,31/31/2024\n",
    );
    let row = read_all(ImportKind::Events, &p)
        .unwrap_err()
        .as_row()
        .cloned()
        .unwrap();
    assert_eq!((row.line, row.column.as_str()), (2, "timestamp"));
    let p = write(dir.path(), "items.csv", b"title\nno id column\n");
    assert!(matches!(
        read_all(ImportKind::Items, &p),
        Err(ImportError::MissingColumn {
            column: "item_id",
            ..
        })
    ));
}

#[test]
fn gzip_files_stream_like_plain_ones() {
    let dir = tempfile::tempdir().unwrap();
    let body = b"date,item_id,units,price,store_id,promo\n2024-03-01,a,3,2.5,S1,1\n2024-03-02,a,4,2.0,,0\n";
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(body).unwrap();
    let p = write(dir.path(), "sales.csv.gz", &gz.finish().unwrap());
    let recs = read_all(ImportKind::Sales, &p).unwrap();
    let Record::Sale(s) = &recs[0] else { panic!() };
    assert_eq!(
        (s.date, s.units, s.price, s.promo, s.store_id.as_str()),
        (Date::from_ymd(2024, 3, 1).unwrap(), 3.0, 2.5, true, "S1")
    );
    let Record::Sale(s) = &recs[1] else { panic!() };
    assert_eq!((s.store_id.as_str(), s.promo), ("all", false));
}

#[test]
fn movielens_100k_layout_with_latin1_titles() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "u.data",
        b"1\t10\t5\t881250949\n2\t10\t3\t881250950\n2\t20\t1\t881250951\n",
    );
    let mut item =
        b"10|Caf\xe9 Society (1995)|01-Jan-1995||http://x|0|0|0|0|0|1|0|0|1|0|0|0|0|0|0|0|0|0|0\n"
            .to_vec();
    item.extend_from_slice(
        b"20|Heat (1995)|01-Jan-1995||http://y|0|1|0|0|0|0|1|0|0|0|0|0|0|0|0|0|1|0|0\n",
    );
    write(dir.path(), "u.item", &item);
    let recs = read_all(ImportKind::MovieLens, &dir.path().join("u.data")).unwrap();
    assert_eq!(recs.len(), 5);
    let Record::Item(cafe) = &recs[0] else {
        panic!()
    };
    assert_eq!(cafe.title.as_deref(), Some("Café Society (1995)"));
    assert_eq!(cafe.tags, ["Comedy", "Drama"]);
    assert_eq!(cafe.category.as_deref(), Some("Movies > Comedy"));
    let Record::Event(e) = &recs[4] else { panic!() };
    assert_eq!(
        (e.event_id.as_str(), e.value, e.timestamp),
        ("ml:2:20", 1.0, 881_250_951)
    );
    // The directory works as well as the file.
    assert_eq!(
        read_all(ImportKind::MovieLens, dir.path()).unwrap().len(),
        5
    );
}

#[test]
fn movielens_csv_layout() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "movies.csv",
        b"movieId,title,genres\n1,Toy Story (1995),Adventure|Animation\n",
    );
    write(
        dir.path(),
        "ratings.csv",
        b"userId,movieId,rating,timestamp\n7,1,4.5,964982703\n",
    );
    let recs = read_all(ImportKind::MovieLens, &dir.path().join("ratings.csv")).unwrap();
    let Record::Item(i) = &recs[0] else { panic!() };
    assert_eq!(i.tags, ["Adventure", "Animation"]);
    let Record::Event(e) = &recs[1] else { panic!() };
    assert_eq!(
        (e.user_id.as_str(), e.item_id.as_str(), e.value),
        ("7", "1", 4.5)
    );
}

const RETAIL_HEADER: &str =
    "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n";

#[test]
fn online_retail_returns_anonymous_sales_and_daily_aggregates() {
    let dir = tempfile::tempdir().unwrap();
    let body = format!(
        "{RETAIL_HEADER}\
536365,85123A,WHITE HEART,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom\n\
536366,85123A,WHITE HEART,2,2010-12-01 09:00:00,3.00,,United Kingdom\n\
536366,85123A,WHITE HEART,1,2010-12-01 09:00:00,3.00,,United Kingdom\n\
C536379,85123A,WHITE HEART,-1,2010-12-01 09:41:00,2.55,17850.0,United Kingdom\n\
536380,22139,,-12,2010-12-01 10:00:00,0,,United Kingdom\n\
A563185,B,Adjust bad debt,1,2010-12-01 14:50:00,11062.06,,United Kingdom\n\
536400,22139,RETRO SPOT TEA SET,3,12/2/2010 8:00,4.95,13047.0,France\n"
    );
    let path = write(dir.path(), "retail.csv", body.as_bytes());
    let mut source = Source::open(ImportKind::OnlineRetail, &path).unwrap();
    let recs: Vec<Record> = source.by_ref().collect::<Result<_, _>>().unwrap();
    let notes = source.notes();
    let note = |k: &str| notes.iter().find(|(n, _)| *n == k).unwrap().1;
    assert_eq!(note("lines"), 7);
    assert_eq!(note("sale lines"), 4);
    assert_eq!(note("anonymous sale lines"), 2);
    assert_eq!(note("return lines"), 1);
    assert_eq!(note("adjustment lines skipped"), 2);
    let events: Vec<_> = recs
        .iter()
        .filter_map(|r| {
            if let Record::Event(e) = r {
                Some(e)
            } else {
                None
            }
        })
        .collect();
    assert_eq!(events.len(), 3);
    assert_eq!(
        (
            events[0].event_type,
            events[0].user_id.as_str(),
            events[0].value
        ),
        (EventType::Purchase, "17850", 6.0)
    );
    assert_eq!(events[0].event_id, "536365/85123A/1");
    assert_eq!(
        (events[1].event_type, events[1].value),
        (EventType::Return, 1.0)
    );
    let sales: Vec<_> = recs
        .iter()
        .filter_map(|r| {
            if let Record::Sale(s) = r {
                Some(s)
            } else {
                None
            }
        })
        .collect();
    assert_eq!(sales.len(), 2);
    // Day 1: 6 @ 2.55 + 3 @ 3.00 → 9 units, price (15.3 + 9) / 9 = 2.7; 1 returned.
    assert_eq!(sales[0].date.to_string(), "2010-12-01");
    assert_eq!((sales[0].units, sales[0].returned_units), (9.0, 1.0));
    assert!((sales[0].price - 2.7).abs() < 1e-12);
    assert_eq!(
        (sales[1].item_id.as_str(), sales[1].units, sales[1].price),
        ("22139", 3.0, 4.95)
    );
    let items: Vec<_> = recs
        .iter()
        .filter_map(|r| {
            if let Record::Item(i) = r {
                Some(i)
            } else {
                None
            }
        })
        .collect();
    assert_eq!(items[0].title.as_deref(), Some("WHITE HEART"));
    assert_eq!(items[0].price, Some(3.0));
}

#[test]
fn online_retail_out_of_order_dates_are_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let body = format!(
        "{RETAIL_HEADER}1,A,x,1,2010-12-02 08:00:00,1.0,1.0,UK\n2,A,x,1,2010-12-01 08:00:00,1.0,1.0,UK\n"
    );
    let path = write(dir.path(), "r.csv", body.as_bytes());
    let err = read_all(ImportKind::OnlineRetail, &path).unwrap_err();
    assert_eq!(err.as_row().unwrap().line, 3);
}

#[test]
fn m4_wide_rows_become_points_and_gaps_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "Hourly-train.csv",
        b"\"V1\",\"V2\",\"V3\",\"V4\"\n\"H1\",605,586,\n\"H2\",1,2,3\n",
    );
    let recs = read_all(ImportKind::M4, &p).unwrap();
    let points: Vec<(String, i64, f64)> = recs
        .into_iter()
        .map(|r| match r {
            Record::Series(p) => (p.series_id, p.t, p.value),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(points[0], ("H1".into(), 1, 605.0));
    assert_eq!(points[1], ("H1".into(), 2, 586.0));
    assert_eq!(points.len(), 5);
    let p = write(dir.path(), "bad.csv", b"\"V1\",\"V2\",\"V3\"\n\"H1\",,3\n");
    assert_eq!(
        read_all(ImportKind::M4, &p)
            .unwrap_err()
            .as_row()
            .unwrap()
            .column,
        "V3"
    );
    let p = write(dir.path(), "notm4.csv", b"a,b\n1,2\n");
    assert!(matches!(
        read_all(ImportKind::M4, &p),
        Err(ImportError::Layout { .. })
    ));
}

#[test]
fn banking77_and_faq_and_orders() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "train.csv",
        b"text,category\nI am still waiting on my card?,card_arrival\n",
    );
    let recs = read_all(ImportKind::Banking77, &p).unwrap();
    assert!(matches!(&recs[0], Record::Intent(i) if i.intent == "card_arrival"));
    let p = write(
        dir.path(),
        "orders.csv",
        b"order_id,user_id,status,created_at,item_id,quantity,price\nO1,u1,Shipped,2024-01-01,a,2,1.5\nO1,u1,Shipped,2024-01-01,b,1,4\nO2,u2,paid,2024-01-02,a,1,1.5\n",
    );
    let recs = read_all(ImportKind::Orders, &p).unwrap();
    assert_eq!(recs.len(), 2);
    let Record::Order(o) = &recs[0] else { panic!() };
    assert_eq!(
        (o.status.as_str(), o.lines.len(), o.total()),
        ("shipped", 2, 7.0)
    );
}
