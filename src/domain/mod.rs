//! Parsed, always-valid values. Every parser returns the message a client sees.

mod ids;
pub mod limits;
mod names;
mod permissions;
mod words;

pub use ids::{BarrierId, EventId, GroupId, InstanceId, KeyId, MembershipId, UserId};
pub use limits::*;

pub use names::{parse_active, AvatarUrl, Email, ExternalId, GroupName, InstanceName, Username};
pub use permissions::{Permissions, CAN_MANAGE_MEMBERS};
pub use words::{ActorKind, EventType, KeyRole, Principal, Role, Source};

use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::Value;

/// Parses an ID given as a JSON string of digits or a JSON number: a positive i64.
pub fn parse_id(value: &Value) -> Result<i64, String> {
    let parsed = match value {
        Value::String(s) => parse_id_str(s),
        Value::Number(n) => n.as_i64().filter(|v| *v > 0),
        _ => None,
    };
    parsed.ok_or_else(|| "must be a positive integer ID (a string or a number)".to_string())
}

/// An ID in a path or query: digits only, positive, fits in i64.
pub fn parse_id_str(s: &str) -> Option<i64> {
    if s.is_empty() || s.len() > 19 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<i64>().ok().filter(|v| *v > 0)
}

pub fn id_json(id: i64) -> Value {
    Value::String(id.to_string())
}

/// RFC 3339 in UTC with a `Z`, microseconds when there are any.
pub fn timestamp_json(t: impl Into<NaiveDateTime>) -> Value {
    Value::String(Rfc3339(t.into()).to_string())
}

/// Serializes an ID as the API shows it: a string of digits.
pub fn ser_id<S: serde::Serializer>(id: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(itoa::Buffer::new().format(*id))
}

/// A time as the API shows it: RFC 3339 in UTC with a `Z`, the fraction left out when
/// zero, else 3, 6 or 9 digits (chrono's `SecondsFormat::AutoSi`), written without
/// chrono's general formatter.
#[derive(Clone, Copy)]
pub struct Rfc3339(pub NaiveDateTime);

impl std::fmt::Display for Rfc3339 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match DateTimeText::new(self.0, 'T', true) {
            Some(text) => f.write_str(text.as_str()),
            None => f.write_str(
                &self
                    .0
                    .and_utc()
                    .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
            ),
        }
    }
}

impl serde::Serialize for Rfc3339 {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match DateTimeText::new(self.0, 'T', true) {
            Some(text) => s.serialize_str(text.as_str()),
            None => s.collect_str(self),
        }
    }
}

/// Appends a time as the API shows it, a JSON string (see `Rfc3339`), without going
/// through serde_json's string escaping (digits and separators need none).
pub fn write_time_json(out: &mut Vec<u8>, t: NaiveDateTime) {
    thread_local! {
        // The last time written and its text: the rows of a bulk, and the users or
        // groups created by one bulk, share their times.
        static LAST: std::cell::Cell<Option<(NaiveDateTime, DateTimeText)>> =
            const { std::cell::Cell::new(None) };
    }
    let text = match LAST.get() {
        Some((last, text)) if last == t => Some(text),
        _ => {
            let text = DateTimeText::new(t, 'T', true);
            if let Some(text) = text {
                LAST.set(Some((t, text)));
            }
            text
        }
    };
    match text {
        Some(text) => {
            out.push(b'"');
            out.extend_from_slice(&text.buf[..text.len]);
            out.push(b'"');
        }
        None => {
            if serde_json::to_writer(&mut *out, &Rfc3339(t)).is_err() {
                out.extend_from_slice(b"null");
            }
        }
    }
}

/// A date and time written digit by digit into a buffer on the stack: `core::fmt` with
/// padded integers took an eighth of Roster's CPU per bulk create (600 times per bulk
/// of 100 with its sideloads). `None` for years outside 0000–9999, which take the
/// general path.
#[derive(Clone, Copy)]
struct DateTimeText {
    buf: [u8; 32],
    len: usize,
}

impl DateTimeText {
    fn new(t: NaiveDateTime, sep: char, zulu: bool) -> Option<Self> {
        use chrono::{Datelike, Timelike};
        let d = t.date();
        let year = u32::try_from(d.year()).ok().filter(|y| *y <= 9999)?;
        let sep = u8::try_from(sep).ok().filter(u8::is_ascii)?;
        let mut text = Self {
            buf: [0; 32],
            len: 0,
        };
        text.digits(year, 4);
        text.push(b'-');
        text.digits(d.month(), 2);
        text.push(b'-');
        text.digits(d.day(), 2);
        text.push(sep);
        text.digits(t.hour(), 2);
        text.push(b':');
        text.digits(t.minute(), 2);
        text.push(b':');
        text.digits(t.second(), 2);
        let nanos = t.nanosecond() % 1_000_000_000;
        if nanos != 0 {
            text.push(b'.');
            if nanos.is_multiple_of(1_000_000) {
                text.digits(nanos / 1_000_000, 3);
            } else if nanos.is_multiple_of(1_000) {
                text.digits(nanos / 1_000, 6);
            } else {
                text.digits(nanos, 9);
            }
        }
        if zulu {
            text.push(b'Z');
        }
        Some(text)
    }

    fn push(&mut self, b: u8) {
        self.buf[self.len] = b;
        self.len += 1;
    }

    /// `value` as exactly `width` decimal digits (the caller keeps it below 10^width).
    fn digits(&mut self, mut value: u32, width: usize) {
        for i in (0..width).rev() {
            self.buf[self.len + i] = b'0' + (value % 10) as u8;
            value /= 10;
        }
        self.len += width;
    }

    fn as_str(&self) -> &str {
        // Only ASCII digits and separators were written.
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or_default()
    }
}

/// `YYYY-MM-DD<sep>HH:MM:SS[.fff|.ffffff|.fffffffff]`.
pub fn write_datetime(
    out: &mut impl std::fmt::Write,
    t: NaiveDateTime,
    sep: char,
) -> std::fmt::Result {
    use chrono::{Datelike, Timelike};
    if let Some(text) = DateTimeText::new(t, sep, false) {
        return out.write_str(text.as_str());
    }
    let d = t.date();
    write!(
        out,
        "{:04}-{:02}-{:02}{sep}{:02}:{:02}:{:02}",
        d.year(),
        d.month(),
        d.day(),
        t.hour(),
        t.minute(),
        t.second()
    )?;
    let nanos = t.nanosecond() % 1_000_000_000;
    if nanos == 0 {
        Ok(())
    } else if nanos.is_multiple_of(1_000_000) {
        write!(out, ".{:03}", nanos / 1_000_000)
    } else if nanos.is_multiple_of(1_000) {
        write!(out, ".{:06}", nanos / 1_000)
    } else {
        write!(out, ".{nanos:09}")
    }
}

pub fn opt_timestamp_json(t: Option<NaiveDateTime>) -> Value {
    t.map(timestamp_json).unwrap_or(Value::Null)
}

/// Parses an RFC 3339 timestamp (any offset) into naive UTC.
pub fn parse_timestamp(s: &str) -> Option<NaiveDateTime> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc).naive_utc())
}

/// Optional free text with a maximum length in characters; JSON null clears it.
pub fn parse_text(value: &Value, max: usize) -> Result<Option<String>, String> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) if s.chars().count() <= max => Ok(Some(s.clone())),
        Value::String(_) => Err(format!("must be at most {max} characters")),
        _ => Err("must be a string or null".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn times_are_written_as_chrono_writes_rfc3339() {
        use chrono::{NaiveDate, SecondsFormat};
        let day = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
        for (h, m, s, nanos) in [
            (0, 0, 0, 0),
            (8, 5, 9, 120_000_000),
            (23, 59, 59, 123_456_000),
            (12, 0, 1, 1),
            (7, 30, 0, 999_999_999),
        ] {
            let t = day.and_hms_nano_opt(h, m, s, nanos).unwrap();
            let ours = Rfc3339(t).to_string();
            let chrono = t.and_utc().to_rfc3339_opts(SecondsFormat::AutoSi, true);
            assert_eq!(ours, chrono);
            assert_eq!(timestamp_json(t), json!(chrono));
            assert_eq!(serde_json::to_value(Rfc3339(t)).unwrap(), json!(chrono));
            let mut sqlite = String::new();
            write_datetime(&mut sqlite, t, ' ').unwrap();
            assert_eq!(sqlite, chrono.trim_end_matches('Z').replace('T', " "));
        }
        // Years chrono writes with a sign or five digits take the general path.
        for year in [-1, 10_000, 2, 999] {
            let t = NaiveDate::from_ymd_opt(year, 1, 1)
                .unwrap()
                .and_hms_opt(0, 0, 0)
                .unwrap();
            let chrono = t.and_utc().to_rfc3339_opts(SecondsFormat::AutoSi, true);
            assert_eq!(Rfc3339(t).to_string(), chrono);
        }
    }

    #[test]
    fn ids_are_positive_and_accept_strings_or_numbers() {
        assert_eq!(parse_id(&json!("17")), Ok(17));
        assert_eq!(parse_id(&json!(17)), Ok(17));
        assert!(parse_id(&json!("0")).is_err());
        assert!(parse_id(&json!(-3)).is_err());
        assert!(parse_id(&json!("1.5")).is_err());
        assert!(parse_id(&json!(1.5)).is_err());
        assert!(parse_id(&json!("99999999999999999999")).is_err());
        assert!(parse_id(&json!(" 1")).is_err());
        assert!(parse_id(&json!(null)).is_err());
    }

    #[test]
    fn timestamps_are_utc_with_z() {
        let t = parse_timestamp("2026-11-22T09:00:00+01:00").unwrap();
        assert_eq!(timestamp_json(t), json!("2026-11-22T08:00:00Z"));
        assert!(parse_timestamp("yesterday").is_none());
    }
}
