//! A strict, streaming reader of delimited text (RFC 4180 CSV and its tab-
//! and pipe-separated cousins).
//!
//! Strict where a lenient reader would lose data without a word:
//! - a quoted field still open at the end of the file is an error naming
//!   the line where its quote opened (a lenient reader swallows every
//!   following line into that one field and reports success);
//! - a NUL byte is an error (PostgreSQL cannot store it, and it usually
//!   means a binary or UTF-16 file);
//! - a closing quote followed by anything but a delimiter or a line end
//!   (`"abc"def`) is an error instead of being glued together;
//! - a record longer than [`MAX_RECORD_BYTES`] is an error, which bounds the
//!   memory a malformed file can take.
//!
//! Lenient where files in the wild differ harmlessly: `\n`, `\r\n` and a
//! lone `\r` all end a record; blank lines are skipped; a UTF-8 byte-order
//! mark at the start is dropped; a quote inside an unquoted field is an
//! ordinary character (`7" frame`), as in most spreadsheet exports.
//!
//! The reader yields raw bytes per field; text decoding and field-count
//! rules belong to the caller ([`crate::source::CsvTable`]), which knows the
//! header. Line numbers are 1-based physical lines, so a record with a
//! quoted line break spans several.

use std::io::BufRead;

/// Longest record accepted, in bytes.
pub const MAX_RECORD_BYTES: usize = 16 * 1024 * 1024;

/// A record that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum CsvError {
    /// A quoted field is never closed.
    #[error(
        "the quoted field opened on line {line} is never closed (unterminated quote): every line after it would be read as part of that field"
    )]
    UnterminatedQuote {
        /// Line where the quote opened.
        line: u64,
        /// 0-based field index.
        field: usize,
    },
    /// A NUL byte.
    #[error("NUL byte in the data (a binary file, or UTF-16 text? save the file as UTF-8)")]
    Nul {
        /// Line of the byte.
        line: u64,
        /// 0-based field index.
        field: usize,
    },
    /// Characters after a closing quote.
    #[error(
        "a closing quote must be followed by a delimiter or the end of the line (write a quote inside a quoted field as \"\")"
    )]
    StrayQuote {
        /// Line of the quote.
        line: u64,
        /// 0-based field index.
        field: usize,
    },
    /// A record over [`MAX_RECORD_BYTES`].
    #[error(
        "record longer than {} MiB starting on line {line} (an unterminated quote?)",
        MAX_RECORD_BYTES >> 20
    )]
    TooLong {
        /// Line where the record started.
        line: u64,
    },
    /// Reading failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

impl CsvError {
    /// The line and 0-based field the error is about, when it has them.
    pub fn position(&self) -> Option<(u64, Option<usize>)> {
        match *self {
            CsvError::UnterminatedQuote { line, field }
            | CsvError::Nul { line, field }
            | CsvError::StrayQuote { line, field } => Some((line, Some(field))),
            CsvError::TooLong { line } => Some((line, None)),
            CsvError::Io(_) => None,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    FieldStart,
    Unquoted,
    Quoted,
    QuoteInQuoted,
}

/// Reads records one at a time from a buffered reader.
pub struct RecordReader<R> {
    inner: R,
    delimiter: u8,
    quoting: bool,
    line: u64,
    record_line: u64,
    bytes: Vec<u8>,
    ends: Vec<usize>,
    skip_lf: bool,
    /// Bytes of a leading UTF-8 byte-order mark matched so far (3: done).
    bom: usize,
    /// After an error inside a record: skip to the next line first.
    resync: bool,
}

const BOM: &[u8; 3] = b"\xEF\xBB\xBF";

impl<R: BufRead> RecordReader<R> {
    /// A reader splitting on `delimiter`; with `quoting` off, quotes are
    /// ordinary characters (tab- and pipe-separated files).
    pub fn new(inner: R, delimiter: u8, quoting: bool) -> Self {
        RecordReader {
            inner,
            delimiter,
            quoting,
            line: 1,
            record_line: 1,
            bytes: Vec::new(),
            ends: Vec::new(),
            skip_lf: false,
            bom: 0,
            resync: false,
        }
    }

    /// Line where the record read last started.
    pub fn record_line(&self) -> u64 {
        self.record_line
    }

    /// Fields in the record read last.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// True before the first record and after the end.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Field `i` of the record read last.
    pub fn field(&self, i: usize) -> Option<&[u8]> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        self.bytes.get(start..end)
    }

    /// Every byte of the record's fields, concatenated (for one UTF-8 check).
    pub fn all_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Reads the next record; `false` at the end of the input. After a
    /// [`CsvError::Nul`] or [`CsvError::StrayQuote`] the rest of that line
    /// is dropped and reading goes on with the next one (the caller reports
    /// or skips the broken row); after an unterminated quote nothing follows.
    pub fn read_record(&mut self) -> Result<bool, CsvError> {
        if std::mem::take(&mut self.resync) {
            self.skip_line()?;
        }
        let read = self.read_records();
        if matches!(
            read,
            Err(CsvError::Nul { .. } | CsvError::StrayQuote { .. })
        ) {
            self.resync = true;
        }
        read
    }

    /// Consumes input up to and including the next line feed.
    fn skip_line(&mut self) -> Result<(), CsvError> {
        loop {
            let buf = self.inner.fill_buf()?;
            if buf.is_empty() {
                return Ok(());
            }
            if let Some(p) = buf.iter().position(|&b| b == b'\n') {
                self.inner.consume(p + 1);
                self.line += 1;
                self.skip_lf = false;
                return Ok(());
            }
            let n = buf.len();
            self.inner.consume(n);
        }
    }

    fn read_records(&mut self) -> Result<bool, CsvError> {
        loop {
            self.bytes.clear();
            self.ends.clear();
            self.record_line = self.line;
            match self.read_fields()? {
                Some(true) => return Ok(true),
                Some(false) => continue, // a blank line
                None => return Ok(false),
            }
        }
    }

    /// Reads one physical record: `Some(true)` a record, `Some(false)` a
    /// blank line, `None` the end of the input.
    fn read_fields(&mut self) -> Result<Option<bool>, CsvError> {
        let RecordReader {
            inner,
            delimiter,
            quoting,
            line,
            record_line,
            bytes,
            ends,
            skip_lf,
            bom,
            ..
        } = self;
        let (delim, quoting) = (*delimiter, *quoting);
        let mut state = State::FieldStart;
        let mut quote_line = *line;
        // Whether the record has any content (a quoted empty field counts).
        let mut any = false;
        loop {
            let buf = inner.fill_buf()?;
            if buf.is_empty() {
                return match state {
                    State::Quoted => Err(CsvError::UnterminatedQuote {
                        line: quote_line,
                        field: ends.len(),
                    }),
                    _ if any || !bytes.is_empty() || !ends.is_empty() => {
                        ends.push(bytes.len());
                        Ok(Some(true))
                    }
                    _ => Ok(None),
                };
            }
            let mut i = 0;
            while i < buf.len() {
                let b = buf[i];
                i += 1;
                if *bom < BOM.len() {
                    if b == BOM[*bom] {
                        *bom += 1;
                        continue;
                    }
                    // Not a byte-order mark after all: keep what matched.
                    if *bom > 0 {
                        bytes.extend_from_slice(&BOM[..*bom]);
                        state = State::Unquoted;
                        any = true;
                    }
                    *bom = BOM.len();
                }
                match state {
                    State::FieldStart | State::Unquoted => {
                        if *skip_lf {
                            *skip_lf = false;
                            if b == b'\n' && state == State::FieldStart && !any {
                                continue;
                            }
                        }
                        if b == delim {
                            ends.push(bytes.len());
                            state = State::FieldStart;
                            any = true;
                        } else if b == b'\n' || b == b'\r' {
                            *line += 1;
                            *skip_lf = b == b'\r';
                            inner.consume(i);
                            if !any && bytes.is_empty() && ends.is_empty() {
                                *record_line = *line;
                                return Ok(Some(false));
                            }
                            ends.push(bytes.len());
                            return Ok(Some(true));
                        } else if b == b'"' && quoting && state == State::FieldStart {
                            state = State::Quoted;
                            quote_line = *line;
                            any = true;
                        } else if b == 0 {
                            inner.consume(i);
                            return Err(CsvError::Nul {
                                line: *line,
                                field: ends.len(),
                            });
                        } else {
                            // Copy the run of ordinary bytes at once.
                            let run = buf[i..]
                                .iter()
                                .position(|&c| c == delim || c == b'\n' || c == b'\r' || c == 0)
                                .map_or(buf.len(), |p| i + p);
                            bytes.extend_from_slice(&buf[i - 1..run]);
                            i = run;
                            state = State::Unquoted;
                            any = true;
                        }
                    }
                    State::Quoted => {
                        // Copy the run up to the next quote (or NUL) at once.
                        let run = buf[i - 1..]
                            .iter()
                            .position(|&c| c == b'"' || c == 0)
                            .map_or(buf.len(), |p| i - 1 + p);
                        let chunk = &buf[i - 1..run];
                        *line += chunk.iter().filter(|&&c| c == b'\n').count() as u64;
                        bytes.extend_from_slice(chunk);
                        i = run;
                        if let Some(&c) = buf.get(run) {
                            i += 1;
                            if c == 0 {
                                inner.consume(i);
                                return Err(CsvError::Nul {
                                    line: *line,
                                    field: ends.len(),
                                });
                            }
                            state = State::QuoteInQuoted;
                        }
                    }
                    State::QuoteInQuoted => {
                        if b == b'"' {
                            bytes.push(b'"');
                            state = State::Quoted;
                        } else if b == delim {
                            ends.push(bytes.len());
                            state = State::FieldStart;
                        } else if b == b'\n' || b == b'\r' {
                            *line += 1;
                            *skip_lf = b == b'\r';
                            inner.consume(i);
                            ends.push(bytes.len());
                            return Ok(Some(true));
                        } else {
                            inner.consume(i);
                            return Err(CsvError::StrayQuote {
                                line: *line,
                                field: ends.len(),
                            });
                        }
                    }
                }
            }
            if bytes.len() > MAX_RECORD_BYTES {
                return Err(CsvError::TooLong { line: *record_line });
            }
            let n = buf.len();
            inner.consume(n);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(text: &[u8]) -> Result<Vec<(u64, Vec<String>)>, CsvError> {
        records_with(text, b',', true)
    }

    fn read_all(
        text: &[u8],
        cap: usize,
        delim: u8,
        quoting: bool,
    ) -> Result<Vec<(u64, Vec<String>)>, CsvError> {
        let mut r = RecordReader::new(std::io::BufReader::with_capacity(cap, text), delim, quoting);
        let mut out = Vec::new();
        while r.read_record()? {
            out.push((
                r.record_line(),
                (0..r.len())
                    .map(|i| String::from_utf8_lossy(r.field(i).unwrap_or(b"")).into_owned())
                    .collect(),
            ));
        }
        Ok(out)
    }

    /// Reads `text` with buffers of 1, 3 and 64 KiB bytes (every state
    /// crossing a buffer boundary) and checks all three agree.
    fn records_with(
        text: &[u8],
        delim: u8,
        quoting: bool,
    ) -> Result<Vec<(u64, Vec<String>)>, CsvError> {
        let big = read_all(text, 64 * 1024, delim, quoting);
        for cap in [1, 3] {
            let small = read_all(text, cap, delim, quoting);
            assert_eq!(format!("{small:?}"), format!("{big:?}"), "buffer of {cap}");
        }
        big
    }

    fn owned(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn plain_quoted_and_escaped_fields() {
        let got = records(b"a,b,c\n1,\"x, y\",\"say \"\"hi\"\"\"\n\"\",,z\n").unwrap();
        assert_eq!(
            got,
            vec![
                (1, owned(&["a", "b", "c"])),
                (2, owned(&["1", "x, y", "say \"hi\""])),
                (3, owned(&["", "", "z"])),
            ]
        );
    }

    #[test]
    fn line_ends_blank_lines_bom_and_no_final_newline() {
        let got = records(b"\xEF\xBB\xBFa,b\r\n\r\n1,2\r3,4\n\n5,6").unwrap();
        assert_eq!(
            got,
            vec![
                (1, owned(&["a", "b"])),
                (3, owned(&["1", "2"])),
                (4, owned(&["3", "4"])),
                (6, owned(&["5", "6"])),
            ]
        );
    }

    #[test]
    fn quoted_line_breaks_count_lines() {
        let got = records(b"a,b\n1,\"two\nlines\"\n2,x\n").unwrap();
        assert_eq!(
            got,
            vec![
                (1, owned(&["a", "b"])),
                (2, owned(&["1", "two\nlines"])),
                (4, owned(&["2", "x"])),
            ]
        );
    }

    #[test]
    fn a_quote_inside_an_unquoted_field_is_a_character() {
        let got = records(b"id,desc\nf1,RECORD FRAME 7\" SINGLE\n").unwrap();
        assert_eq!(got[1].1, owned(&["f1", "RECORD FRAME 7\" SINGLE"]));
    }

    #[test]
    fn an_unterminated_quote_names_the_line_it_opened_on() {
        let text =
            b"item_id,title,description\nIT-1,\"Alpha,Nice thing\nIT-2,Beta,ok\nIT-3,Gamma,ok\n";
        match records(text) {
            Err(CsvError::UnterminatedQuote { line: 2, field: 1 }) => {}
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn nul_and_stray_quotes_are_errors_with_positions() {
        assert!(matches!(
            records(b"a,b\n1,x\x00y\n"),
            Err(CsvError::Nul { line: 2, field: 1 })
        ));
        assert!(matches!(
            records(b"a,b\n1,\"x\x00\"\n"),
            Err(CsvError::Nul { line: 2, field: 1 })
        ));
        assert!(matches!(
            records(b"a,b\n\"x\"y,1\n"),
            Err(CsvError::StrayQuote { line: 2, field: 0 })
        ));
    }

    #[test]
    fn reading_goes_on_at_the_next_line_after_a_broken_row() {
        let mut r = RecordReader::new(
            &b"a,b\n1,x\x00y,z\n2,ok\n\"q\"w,3\n4,fine\n"[..],
            b',',
            true,
        );
        let mut got = Vec::new();
        loop {
            match r.read_record() {
                Ok(true) => got.push(format!(
                    "{}:{}",
                    r.record_line(),
                    String::from_utf8_lossy(r.field(0).unwrap())
                )),
                Ok(false) => break,
                Err(e) => got.push(format!("{:?}", e.position())),
            }
        }
        assert_eq!(
            got,
            [
                "1:a",
                "Some((2, Some(1)))",
                "3:2",
                "Some((4, Some(0)))",
                "5:4"
            ]
        );
    }

    #[test]
    fn resynchronising_counts_lines_across_buffers() {
        let text = b"a,b\n\"two\nlines\",x\x00\n5,ok\n";
        for cap in [1, 2, 5, 64] {
            let mut r = RecordReader::new(
                std::io::BufReader::with_capacity(cap, &text[..]),
                b',',
                true,
            );
            assert!(r.read_record().unwrap());
            assert!(matches!(
                r.read_record(),
                Err(CsvError::Nul { line: 3, field: 1 })
            ));
            assert!(r.read_record().unwrap(), "buffer {cap}");
            assert_eq!(
                (r.record_line(), r.field(0)),
                (4, Some(&b"5"[..])),
                "buffer {cap}"
            );
        }
    }

    #[test]
    fn tab_separated_without_quoting() {
        let got = records_with(b"1\t\"2\t3\n", b'\t', false).unwrap();
        assert_eq!(got, vec![(1, owned(&["1", "\"2", "3"]))]);
    }

    #[test]
    fn empty_input_has_no_records() {
        assert!(records(b"").unwrap().is_empty());
        assert!(records(b"\n\r\n").unwrap().is_empty());
    }
}
