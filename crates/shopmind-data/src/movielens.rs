//! MovieLens layouts: the 100K release (`u.data` tab-separated
//! `user item rating timestamp`, `u.item` pipe-separated Latin-1 with 19 genre
//! flags) and the later releases (`ratings.csv` with userId, movieId, rating,
//! timestamp; `movies.csv` with movieId, title, genres as `A|B`).
//!
//! Movies become items (category = first genre, tags = all genres); ratings
//! become `rating` events keyed `ml:{user}:{item}`, so re-importing upserts.

use std::path::{Path, PathBuf};

use shopmind_core::record::{Event, EventType, Item, Record};
use shopmind_core::time::Date;

use crate::error::{ImportError, RowError};
use crate::source::{CsvOptions, CsvTable, Encoding, FieldCount, Header, Row};

/// The 19 genre flags of `u.item`, in file order (from the 100K README).
const GENRES: [&str; 19] = [
    "unknown",
    "Action",
    "Adventure",
    "Animation",
    "Children's",
    "Comedy",
    "Crime",
    "Documentary",
    "Drama",
    "Fantasy",
    "Film-Noir",
    "Horror",
    "Musical",
    "Mystery",
    "Romance",
    "Sci-Fi",
    "Thriller",
    "War",
    "Western",
];

enum Stage {
    Items(CsvTable, Flavor),
    Ratings(CsvTable, Flavor),
}

#[derive(Clone, Copy)]
enum Flavor {
    Ml100k,
    Csv,
}

/// Streams MovieLens items first, then ratings.
pub struct MovieLensReader {
    stages: Vec<Stage>,
    /// Rating times are checked against this (Unix seconds).
    now: i64,
}

fn find(dir: &Path, names: &[&str]) -> Option<PathBuf> {
    names.iter().map(|n| dir.join(n)).find(|p| p.is_file())
}

impl MovieLensReader {
    /// `path` is a directory holding a release, or its ratings file (`u.data`,
    /// `ratings.csv`, optionally `.gz`); the movie file beside it is read when present.
    pub fn open(path: &Path) -> Result<Self, ImportError> {
        let (dir, ratings) = if path.is_dir() {
            let r = find(path, &["u.data", "ratings.csv", "ratings.csv.gz"]).ok_or_else(|| {
                ImportError::Layout {
                    file: path.display().to_string(),
                    message: "no u.data or ratings.csv in this directory".into(),
                }
            })?;
            (path.to_path_buf(), r)
        } else {
            (
                path.parent().map(Path::to_path_buf).unwrap_or_default(),
                path.to_path_buf(),
            )
        };
        let name = ratings.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let flavor = if name.starts_with("u.") || !name.contains(".csv") {
            Flavor::Ml100k
        } else {
            Flavor::Csv
        };
        let mut stages = Vec::new();
        match flavor {
            Flavor::Ml100k => {
                if let Some(items) = find(&dir, &["u.item"]) {
                    stages.push(Stage::Items(
                        CsvTable::open_with(
                            &items,
                            CsvOptions {
                                delimiter: b'|',
                                header: Header::Names(&ITEM_COLS),
                                encoding: Encoding::Utf8OrLatin1,
                                fields: FieldCount::Exact,
                            },
                        )?,
                        flavor,
                    ));
                }
                let cols = ["user_id", "item_id", "rating", "timestamp"];
                stages.push(Stage::Ratings(
                    CsvTable::open(&ratings, b'\t', Header::Names(&cols))?,
                    flavor,
                ));
            }
            Flavor::Csv => {
                if let Some(items) = find(&dir, &["movies.csv", "movies.csv.gz"]) {
                    let t = CsvTable::open(&items, b',', Header::InFile)?;
                    for c in ["item_id", "title", "genres"] {
                        t.require(c)?;
                    }
                    stages.push(Stage::Items(t, flavor));
                }
                let t = CsvTable::open(&ratings, b',', Header::InFile)?;
                for c in ["user_id", "item_id", "rating", "timestamp"] {
                    t.require(c)?;
                }
                stages.push(Stage::Ratings(t, flavor));
            }
        }
        stages.reverse();
        Ok(MovieLensReader {
            stages,
            now: crate::canonical::unix_now(),
        })
    }

    /// Bytes read and total bytes over all files (for progress).
    pub fn progress(&self) -> (u64, u64) {
        self.stages.iter().fold((0, 0), |(r, t), s| {
            let table = match s {
                Stage::Items(t, _) | Stage::Ratings(t, _) => t,
            };
            (r + table.progress.bytes(), t + table.size)
        })
    }
}

const ITEM_COLS: [&str; 24] = [
    "item_id",
    "title",
    "release_date",
    "video_release_date",
    "url",
    "g0",
    "g1",
    "g2",
    "g3",
    "g4",
    "g5",
    "g6",
    "g7",
    "g8",
    "g9",
    "g10",
    "g11",
    "g12",
    "g13",
    "g14",
    "g15",
    "g16",
    "g17",
    "g18",
];

fn parse_item(row: &Row<'_>, flavor: Flavor) -> Result<Record, RowError> {
    let mut item = match flavor {
        Flavor::Ml100k => {
            let mut item = Item::new(row.text(0)?);
            item.title = row.opt(Some(1));
            item.tags = (0..GENRES.len())
                .filter(|g| row.at(5 + g).trim() == "1")
                .map(|g| GENRES[g].to_owned())
                .collect();
            if let Some(d) = row.opt(Some(2)) {
                item.attributes.insert("release_date".into(), d);
            }
            if let Some(u) = row.opt(Some(4)) {
                item.attributes.insert("url".into(), u);
            }
            item
        }
        Flavor::Csv => {
            let id = row.column("item_id").unwrap_or(0);
            let mut item = Item::new(row.text(id)?);
            item.title = row.opt(row.column("title"));
            item.tags = row
                .opt(row.column("genres"))
                .map(|g| {
                    g.split('|')
                        .filter(|s| *s != "(no genres listed)")
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default();
            item
        }
    };
    item.category = item.tags.first().map(|g| format!("Movies > {g}"));
    item.validate().map_err(|e| row.record_error(&e, &[], 0))?;
    Ok(Record::Item(item))
}

fn parse_rating(row: &Row<'_>, flavor: Flavor, now: i64) -> Result<Record, RowError> {
    let col = |name: &str, pos: usize| match flavor {
        Flavor::Ml100k => pos,
        Flavor::Csv => row.column(name).unwrap_or(pos),
    };
    let (u, i, r, t) = (
        col("user_id", 0),
        col("item_id", 1),
        col("rating", 2),
        col("timestamp", 3),
    );
    let user_id = row.text(u)?;
    let item_id = row.text(i)?;
    let value = row.number(r)?;
    if !(0.0..=10.0).contains(&value) {
        return Err(row.error(r, "rating outside 0..10"));
    }
    let raw_ts = row.at(t);
    let timestamp: i64 = raw_ts
        .trim()
        .parse()
        .map_err(|_| row.error(t, "not Unix seconds"))?;
    if Date::from_timestamp(timestamp).0 < 0 {
        return Err(row.error(t, "timestamp before 1970"));
    }
    let event = Event {
        event_id: format!("ml:{user_id}:{item_id}"),
        user_id,
        item_id,
        event_type: EventType::Rating,
        value,
        timestamp,
    };
    event
        .validate(now)
        .map_err(|e| row.record_error(&e, &[("value", Some(r)), ("timestamp", Some(t))], u))?;
    Ok(Record::Event(event))
}

impl Iterator for MovieLensReader {
    type Item = Result<Record, ImportError>;

    fn next(&mut self) -> Option<Self::Item> {
        let now = self.now;
        loop {
            let stage = self.stages.last_mut()?;
            let (table, flavor, items) = match stage {
                Stage::Items(t, f) => (t, *f, true),
                Stage::Ratings(t, f) => (t, *f, false),
            };
            match table.next_row() {
                None => {
                    self.stages.pop();
                }
                Some(Err(e)) => return Some(Err(e)),
                Some(Ok(row)) => {
                    let parsed = if items {
                        parse_item(&row, flavor)
                    } else {
                        parse_rating(&row, flavor, now)
                    };
                    return Some(parsed.map_err(ImportError::from));
                }
            }
        }
    }
}
