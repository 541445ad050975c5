//! `Ts`: a timestamp column value. On SQLite, diesel keeps timestamps as text and parses
//! each one with chrono's format-string parser; that cost about a tenth of a bulk
//! create's instructions. `Ts` reads and writes the same text by hand (byte for byte
//! what diesel writes, so stored values and bound filter values still compare as text),
//! and defers to diesel for anything else. On PostgreSQL it is diesel's own binary form.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::pg::Pg;
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::Timestamp;
use diesel::sqlite::Sqlite;

use super::Db;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, AsExpression, FromSqlRow)]
#[diesel(sql_type = Timestamp)]
pub struct Ts(pub NaiveDateTime);

impl From<NaiveDateTime> for Ts {
    fn from(t: NaiveDateTime) -> Self {
        Ts(t)
    }
}

impl From<Ts> for NaiveDateTime {
    fn from(t: Ts) -> Self {
        t.0
    }
}

/// `%F %T%.f`: the fraction is left out when zero, else 3, 6 or 9 digits.
pub fn format_sqlite(t: NaiveDateTime) -> String {
    let mut s = String::with_capacity(29);
    let _ = crate::domain::write_datetime(&mut s, t, ' ');
    s
}

fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |acc, c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

/// Parses `YYYY-MM-DD HH:MM:SS[.fraction]`; `None` for any other shape.
pub fn parse_sqlite(text: &str) -> Option<NaiveDateTime> {
    let b = text.as_bytes();
    if b.len() < 19
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b' '
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(
        digits(&b[0..4])? as i32,
        digits(&b[5..7])?,
        digits(&b[8..10])?,
    )?;
    let nanos = match &b[19..] {
        [] => 0,
        [b'.', frac @ ..] if (1..=9).contains(&frac.len()) => {
            digits(frac)? * 10u32.pow(9 - frac.len() as u32)
        }
        _ => return None,
    };
    let time = NaiveTime::from_hms_nano_opt(
        digits(&b[11..13])?,
        digits(&b[14..16])?,
        digits(&b[17..19])?,
        nanos,
    )?;
    Some(NaiveDateTime::new(date, time))
}

impl FromSql<Timestamp, Sqlite> for Ts {
    fn from_sql(value: <Sqlite as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        let text = <String as FromSql<diesel::sql_types::Text, Sqlite>>::from_sql(value)?;
        if let Some(t) = parse_sqlite(&text) {
            return Ok(Ts(t));
        }
        // Written by something else (a hand-made row, another tool): the slow way.
        for format in [
            "%F %T%.f",
            "%FT%T%.f",
            "%F %T%.fZ",
            "%FT%T%.fZ",
            "%F %R",
            "%FT%R",
        ] {
            if let Ok(t) = NaiveDateTime::parse_from_str(&text, format) {
                return Ok(Ts(t));
            }
        }
        Err(format!("invalid timestamp {text:?}").into())
    }
}

impl ToSql<Timestamp, Sqlite> for Ts {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        out.set_value(format_sqlite(self.0));
        Ok(IsNull::No)
    }
}

/// PostgreSQL's epoch, 2000-01-01, in microseconds after the Unix epoch.
const PG_EPOCH_MICROS: i64 = 946_684_800_000_000;

/// A PostgreSQL timestamp (microseconds after 2000-01-01) as a date and time. diesel's
/// own conversion builds the epoch date and adds a `Duration` day by day through
/// chrono's calendar code, about 2% of Roster's CPU in a bulk create's profile.
fn from_pg_micros(micros: i64) -> Option<NaiveDateTime> {
    micros
        .checked_add(PG_EPOCH_MICROS)
        .and_then(chrono::DateTime::from_timestamp_micros)
        .map(|t| t.naive_utc())
}

impl FromSql<Timestamp, Pg> for Ts {
    fn from_sql(value: <Pg as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        let diesel::data_types::PgTimestamp(micros) = FromSql::<Timestamp, Pg>::from_sql(value)?;
        from_pg_micros(micros)
            .map(Ts)
            .ok_or_else(|| format!("timestamp out of range: {micros} µs after 2000").into())
    }
}

impl ToSql<Timestamp, Pg> for Ts {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        <NaiveDateTime as ToSql<Timestamp, Pg>>::to_sql(&self.0, out)
    }
}

impl FromSql<Timestamp, Db> for Ts {
    fn from_sql(value: <Db as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        value.from_sql::<Self, Timestamp>()
    }
}

impl ToSql<Timestamp, Db> for Ts {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Db>) -> serialize::Result {
        out.set_value((Timestamp, self));
        Ok(IsNull::No)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_what_diesel_writes_and_reads_it_back() {
        for s in [
            "2026-11-22 09:00:00",
            "2026-11-22 09:00:00.120",
            "2026-11-22 09:00:00.123456",
            "2026-11-22 09:00:00.123456789",
        ] {
            let t = NaiveDateTime::parse_from_str(s, "%F %T%.f").unwrap();
            assert_eq!(format_sqlite(t), t.format("%F %T%.f").to_string());
            assert_eq!(parse_sqlite(&format_sqlite(t)), Some(t));
        }
        assert_eq!(
            parse_sqlite("2026-11-22 09:00:00.5"),
            NaiveDateTime::parse_from_str("2026-11-22 09:00:00.5", "%F %T%.f").ok()
        );
        assert_eq!(parse_sqlite("2026-11-22T09:00:00"), None);
        assert_eq!(parse_sqlite("2026-13-22 09:00:00"), None);
        assert_eq!(parse_sqlite("garbage"), None);
    }

    #[test]
    fn reads_postgres_timestamps_as_diesel_does() {
        let epoch = NaiveDate::from_ymd_opt(2000, 1, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap();
        for micros in [
            0,
            1,
            -1,
            848_707_200_123_456,
            -946_684_800_000_001,
            86_399_999_999,
            i64::from(i32::MAX) * 1_000_000,
            -62_000_000_000_000_000,
        ] {
            let diesel = epoch.checked_add_signed(chrono::Duration::microseconds(micros));
            assert_eq!(from_pg_micros(micros), diesel, "{micros}");
        }
        assert_eq!(from_pg_micros(i64::MAX), None);
    }
}
