//! Event times written as chrono writes them (`2026-03-02T10:15:00.123Z`: RFC 3339 in UTC,
//! the fraction to 0, 3, 6 or 9 digits, whichever is exact), without chrono's way there:
//! its `Serialize` goes through `collect_str`, a character at a time through an escaping
//! writer, and was ~5k instructions of every event the webhook ingress writes. Times
//! outside what these 30 bytes hold (years beyond 0–9999, a leap second) go to chrono
//! itself; a test holds the two to the same text.

use chrono::{DateTime, Datelike, Timelike, Utc};
use serde::{Serialize, Serializer};

/// For `#[serde(serialize_with)]` on a `DateTime<Utc>`.
pub fn serialize<S: Serializer>(time: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    match Text::of(time) {
        Some(text) => serializer.serialize_str(text.as_str()),
        None => time.serialize(serializer),
    }
}

/// For `#[serde(serialize_with)]` on an `Option<DateTime<Utc>>`.
pub fn serialize_option<S: Serializer>(
    time: &Option<DateTime<Utc>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match time {
        Some(time) => serialize(time, serializer),
        None => serializer.serialize_none(),
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.fraction]Z`, at most 30 bytes.
struct Text {
    bytes: [u8; 30],
    len: usize,
}

impl Text {
    fn of(time: &DateTime<Utc>) -> Option<Self> {
        let year = u32::try_from(time.year()).ok().filter(|y| *y <= 9999)?;
        let nanos = time.nanosecond();
        if nanos >= 1_000_000_000 {
            return None;
        }
        let mut bytes = [0u8; 30];
        let mut put = |at: usize, width: usize, mut value: u32| {
            for b in bytes[at..at + width].iter_mut().rev() {
                *b = b'0' + (value % 10) as u8;
                value /= 10;
            }
        };
        put(0, 4, year);
        put(5, 2, time.month());
        put(8, 2, time.day());
        put(11, 2, time.hour());
        put(14, 2, time.minute());
        put(17, 2, time.second());
        let (width, fraction) = match nanos {
            0 => (0, 0),
            n if n % 1_000_000 == 0 => (3, n / 1_000_000),
            n if n % 1_000 == 0 => (6, n / 1_000),
            n => (9, n),
        };
        if width > 0 {
            put(20, width, fraction);
        }
        for (at, b) in [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')] {
            bytes[at] = b;
        }
        let mut len = 19;
        if width > 0 {
            bytes[19] = b'.';
            len += 1 + width;
        }
        bytes[len] = b'Z';
        Some(Self {
            bytes,
            len: len + 1,
        })
    }

    fn as_str(&self) -> &str {
        // Only ASCII digits and separators were written.
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone};
    use proptest::prelude::*;

    use super::*;

    #[derive(Serialize)]
    struct Ours {
        #[serde(serialize_with = "serialize")]
        time: DateTime<Utc>,
        #[serde(serialize_with = "serialize_option")]
        maybe: Option<DateTime<Utc>>,
    }

    #[derive(Serialize)]
    struct Chronos {
        time: DateTime<Utc>,
        maybe: Option<DateTime<Utc>>,
    }

    // Test-only `expect`s: serde_json writes any struct of strings, and the times below
    // are valid by construction; a failure is the bug under test.
    fn same_as_chrono(time: DateTime<Utc>) {
        for maybe in [Some(time), None] {
            let ours = serde_json::to_string(&Ours { time, maybe }).expect("writes");
            let chronos = serde_json::to_string(&Chronos { time, maybe }).expect("writes");
            assert_eq!(ours, chronos);
        }
    }

    #[test]
    fn each_fraction_width_and_the_edges_are_written_as_chrono_writes_them() {
        let at = |y, mo, d, h, mi, s, n| {
            NaiveDate::from_ymd_opt(y, mo, d)
                .and_then(|d| d.and_hms_nano_opt(h, mi, s, n))
                .map(|t| Utc.from_utc_datetime(&t))
                .expect("a valid time")
        };
        for time in [
            at(2026, 3, 2, 10, 15, 0, 0),
            at(2026, 3, 2, 10, 15, 0, 123_000_000),
            at(2026, 3, 2, 10, 15, 0, 123_456_000),
            at(2026, 3, 2, 10, 15, 0, 123_456_789),
            at(2026, 12, 31, 23, 59, 59, 1),
            at(0, 1, 1, 0, 0, 0, 0),
            at(9999, 12, 31, 23, 59, 59, 999_999_999),
            // Outside the fast path: chrono writes these itself.
            at(10_000, 1, 1, 0, 0, 0, 0),
            at(-1, 6, 15, 12, 0, 0, 5_000),
            at(2016, 12, 31, 23, 59, 59, 1_500_000_000),
        ] {
            same_as_chrono(time);
        }
    }

    proptest! {
        #[test]
        fn any_time_is_written_as_chrono_writes_it(
            secs in -62_167_219_200i64..253_402_300_800i64,
            nanos in prop_oneof![
                Just(0u32),
                (0u32..1000).prop_map(|m| m * 1_000_000),
                (0u32..1_000_000).prop_map(|u| u * 1_000),
                0u32..1_000_000_000,
            ],
        ) {
            let time = DateTime::from_timestamp(secs, nanos).expect("in range");
            same_as_chrono(time);
        }
    }
}
