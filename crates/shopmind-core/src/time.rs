//! Calendar dates and timestamps without a calendar dependency.
//!
//! A [`Date`] is a count of days since 1970-01-01 (proleptic Gregorian); a
//! timestamp is Unix seconds (`i64`, UTC). Conversions use Howard Hinnant's
//! `days_from_civil` / `civil_from_days` algorithms ("chrono-Compatible
//! Low-Level Date Algorithms", 2013), which are exact for every date in the
//! `i32` day range.
//!
//! [`parse_timestamp`] accepts the formats the importers meet: RFC 3339
//! (`2024-03-01T12:00:00Z`, `+02:00` offsets, fractional seconds),
//! `YYYY-MM-DD[ HH:MM[:SS]]`, the UCI Online Retail spreadsheet form
//! `M/D/YYYY H:MM`, and Unix seconds.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why a date or timestamp did not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    /// The text matches none of the accepted layouts.
    #[error(
        "`{0}` is not a timestamp (expected RFC 3339, YYYY-MM-DD[ HH:MM:SS], M/D/YYYY H:MM or Unix seconds)"
    )]
    BadTimestamp(String),
    /// The text is not a `YYYY-MM-DD` date.
    #[error("`{0}` is not a date (expected YYYY-MM-DD)")]
    BadDate(String),
}

/// A calendar day, stored as days since 1970-01-01.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Date(pub i32);

impl Date {
    /// The date of a year, month (1-12) and day (1-31), if it exists.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Date> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date(days_from_civil(year, month, day)))
    }

    /// Year, month and day.
    pub fn ymd(self) -> (i32, u32, u32) {
        civil_from_days(self.0)
    }

    /// The day on which a Unix timestamp falls (UTC).
    pub fn from_timestamp(ts: i64) -> Date {
        Date(ts.div_euclid(86_400) as i32)
    }

    /// Midnight UTC of this day as Unix seconds.
    pub fn timestamp(self) -> i64 {
        i64::from(self.0) * 86_400
    }

    /// Day of the week, Monday = 0 … Sunday = 6.
    pub fn weekday(self) -> u32 {
        // 1970-01-01 was a Thursday (3 with Monday = 0).
        (self.0 + 3).rem_euclid(7) as u32
    }

    /// Day of the year, 1-based.
    pub fn ordinal(self) -> u32 {
        let (y, _, _) = self.ymd();
        (self.0 - days_from_civil(y, 1, 1)) as u32 + 1
    }

    /// The date `n` days later (earlier when negative).
    pub fn add_days(self, n: i32) -> Date {
        Date(self.0 + n)
    }

    /// Parses `YYYY-MM-DD` (a time part after it is ignored only by
    /// [`parse_timestamp`], not here).
    pub fn parse(s: &str) -> Result<Date, TimeError> {
        parse_ymd(s.trim()).ok_or_else(|| TimeError::BadDate(s.to_owned()))
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Hinnant).
fn days_from_civil(y: i32, m: u32, d: u32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400; // [0, 399]
    let mp = (m + 9) % 12; // March = 0
    let doy = (153 * mp + 2) / 5 + d - 1; // [0, 365]
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy as i32; // [0, 146096]
    era * 146_097 + doe - 719_468
}

/// Inverse of [`days_from_civil`].
fn civil_from_days(z: i32) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i32::from(m <= 2);
    (y, m, d)
}

fn digits(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn parse_ymd(s: &str) -> Option<Date> {
    let mut parts = s.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 || m.len() > 2 || d.len() > 2 {
        return None;
    }
    Date::from_ymd(digits(y)? as i32, digits(m)?, digits(d)?)
}

/// Seconds since midnight of `HH:MM[:SS[.fff]]`.
fn parse_hms(s: &str) -> Option<i64> {
    let mut parts = s.split(':');
    let h = digits(parts.next()?)?;
    let m = digits(parts.next()?)?;
    let sec = match parts.next() {
        None => 0,
        Some(sec) => {
            let whole = sec.split_once('.').map_or(sec, |(w, frac)| {
                if frac.bytes().all(|b| b.is_ascii_digit()) {
                    w
                } else {
                    ""
                }
            });
            digits(whole)?
        }
    };
    if parts.next().is_some() || h > 23 || m > 59 || sec > 60 {
        return None;
    }
    Some(i64::from(h) * 3600 + i64::from(m) * 60 + i64::from(sec))
}

/// Splits a trailing `Z` or `±HH:MM` offset off a time, returning the offset in seconds.
fn split_offset(t: &str) -> Option<(&str, i64)> {
    if let Some(rest) = t.strip_suffix('Z').or_else(|| t.strip_suffix('z')) {
        return Some((rest, 0));
    }
    if let Some(pos) = t.rfind(['+', '-'])
        && pos > 0
    {
        let (time, off) = t.split_at(pos);
        let sign = if off.starts_with('-') { -1 } else { 1 };
        let (oh, om) = off[1..].split_once(':').unwrap_or((&off[1..], "00"));
        let (oh, om) = (digits(oh)?, digits(om)?);
        if oh > 23 || om > 59 {
            return None;
        }
        return Some((time, sign * (i64::from(oh) * 3600 + i64::from(om) * 60)));
    }
    Some((t, 0))
}

/// Parses a timestamp into Unix seconds (UTC). See the module doc for the layouts.
pub fn parse_timestamp(s: &str) -> Result<i64, TimeError> {
    let t = s.trim();
    let bad = || TimeError::BadTimestamp(s.to_owned());
    if t.is_empty() {
        return Err(bad());
    }
    // Unix seconds (possibly negative or with a fractional part).
    let numeric = t.strip_prefix('-').unwrap_or(t);
    if numeric.bytes().all(|b| b.is_ascii_digit() || b == b'.') && !numeric.starts_with('.') {
        let whole = numeric.split('.').next().unwrap_or("");
        let v: i64 = whole.parse().map_err(|_| bad())?;
        return Ok(if t.starts_with('-') { -v } else { v });
    }
    // M/D/YYYY H:MM (UCI spreadsheet export).
    if t.contains('/') {
        let (date, time) = t.split_once(' ').unwrap_or((t, "0:00"));
        let mut p = date.split('/');
        let (m, d, y) = (p.next(), p.next(), p.next());
        let (Some(m), Some(d), Some(y), None) = (m, d, y, p.next()) else {
            return Err(bad());
        };
        let day = Date::from_ymd(
            digits(y).ok_or_else(bad)? as i32,
            digits(m).ok_or_else(bad)?,
            digits(d).ok_or_else(bad)?,
        )
        .ok_or_else(bad)?;
        return Ok(day.timestamp() + parse_hms(time.trim()).ok_or_else(bad)?);
    }
    // YYYY-MM-DD, optionally followed by 'T' or ' ' and a time with an optional offset.
    let (date, time) = match t.find(['T', 't', ' ']) {
        Some(pos) => (&t[..pos], Some(t[pos + 1..].trim())),
        None => (t, None),
    };
    let day = parse_ymd(date).ok_or_else(bad)?;
    let secs = match time {
        None => 0,
        Some(time) => {
            let (clock, offset) = split_offset(time).ok_or_else(bad)?;
            parse_hms(clock).ok_or_else(bad)? - offset
        }
    };
    Ok(day.timestamp() + secs)
}

/// Formats Unix seconds as RFC 3339 in UTC (`2024-03-01T12:00:00Z`).
pub fn format_timestamp(ts: i64) -> String {
    let day = Date::from_timestamp(ts);
    let secs = ts - day.timestamp();
    format!(
        "{day}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        (secs % 3600) / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates() {
        assert_eq!(Date::from_ymd(1970, 1, 1), Some(Date(0)));
        assert_eq!(Date::from_ymd(2000, 3, 1), Some(Date(11_017)));
        assert_eq!(Date::from_ymd(1969, 12, 31), Some(Date(-1)));
        assert_eq!(Date::from_ymd(2023, 2, 29), None);
        assert_eq!(
            Date::from_ymd(2024, 2, 29)
                .map(|d| d.to_string())
                .as_deref(),
            Some("2024-02-29")
        );
        // 2024-01-01 was a Monday.
        assert_eq!(Date::from_ymd(2024, 1, 1).unwrap().weekday(), 0);
        assert_eq!(Date::from_ymd(2024, 12, 31).unwrap().ordinal(), 366);
    }

    #[test]
    fn civil_round_trip_over_four_centuries() {
        for z in -200_000..200_000 {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
    }

    #[test]
    fn parses_every_layout() {
        // `date -u -d 2010-12-01T08:26:00Z +%s` = 1291191960
        assert_eq!(parse_timestamp("2010-12-01 08:26:00"), Ok(1_291_191_960));
        assert_eq!(parse_timestamp("2010-12-01T08:26:00Z"), Ok(1_291_191_960));
        assert_eq!(
            parse_timestamp("2010-12-01T09:26:00+01:00"),
            Ok(1_291_191_960)
        );
        assert_eq!(
            parse_timestamp("2010-12-01T08:26:00.250Z"),
            Ok(1_291_191_960)
        );
        assert_eq!(parse_timestamp("12/1/2010 8:26"), Ok(1_291_191_960));
        assert_eq!(parse_timestamp("2010-12-01 08:26"), Ok(1_291_191_960));
        assert_eq!(parse_timestamp("1291191960"), Ok(1_291_191_960));
        assert_eq!(parse_timestamp("2010-12-01"), Ok(1_291_161_600));
        assert_eq!(format_timestamp(1_291_191_960), "2010-12-01T08:26:00Z");
    }

    #[test]
    fn rejects_garbage() {
        for bad in [
            "",
            "yesterday",
            "2010-13-01",
            "2010-02-30 10:00",
            "2010-12-01 25:00",
            "1/2/3/4",
            "12:00",
        ] {
            assert!(parse_timestamp(bad).is_err(), "{bad} should not parse");
        }
        assert!(Date::parse("2024-1-011").is_err());
    }
}
