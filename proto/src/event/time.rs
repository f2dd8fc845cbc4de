//! Event time (EPCIS 2.0 `eventTime`, `eventTimeZoneOffset`) with RFC 3339 text forms.
//!
//! An [`EventTime`] is a UTC instant with millisecond precision, stored as milliseconds
//! since 1970-01-01T00:00:00Z. Milliseconds because that is what the EPCIS event hash
//! (CBV 2.0) canonicalises to: finer instants are rounded differently by the reference
//! implementations (see shared/EVENT-HASH.md §9.6), so storing milliseconds keeps every
//! event's hash ID unambiguous. Years are limited to 0000–9999, the range RFC 3339 and
//! xsd:dateTime share.

use core::fmt;
use core::str::FromStr;

use serde::{Deserialize, Serialize};

use super::date::{Date, civil_from_days, days_from_civil, digits, expect, field};

/// Why a time, date or offset is not valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    /// The text does not have the expected shape at a byte position.
    #[error("expected {expected} at position {position}")]
    Syntax {
        /// 0-based byte offset.
        position: usize,
        /// What belongs there.
        expected: &'static str,
    },
    /// A field is out of its range (month 13, day 31 in April, hour 24 …).
    #[error("{field} {value} is out of range")]
    Field {
        /// Field name.
        field: &'static str,
        /// Value found.
        value: u32,
    },
    /// More than 9 fraction-of-second digits.
    #[error("{digits} fraction digits: at most 9 are accepted")]
    Fraction {
        /// Digits found.
        digits: usize,
    },
    /// The instant falls outside 0000-01-01T00:00:00Z ..= 9999-12-31T23:59:59.999Z.
    #[error("instant {millis} ms from the Unix epoch is outside years 0000-9999")]
    OutOfRange {
        /// Milliseconds since the Unix epoch.
        millis: i64,
    },
    /// A time zone offset beyond ±14:00 (the xsd:dateTime bound EPCIS uses).
    #[error("time zone offset of {minutes} minutes is beyond ±14:00")]
    Offset {
        /// Offset in minutes.
        minutes: i16,
    },
}

const MS_PER_DAY: i64 = 86_400_000;
/// 0000-01-01T00:00:00Z in ms from the Unix epoch.
const MIN_MILLIS: i64 = -719_528 * MS_PER_DAY;
/// 9999-12-31T23:59:59.999Z in ms from the Unix epoch.
const MAX_MILLIS: i64 = 2_932_897 * MS_PER_DAY - 1;

/// A UTC offset in minutes, `eventTimeZoneOffset` (`+01:00`, `-02:00`, `+00:00`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "i16", into = "i16")]
pub struct TimeZoneOffset(i16);

impl TimeZoneOffset {
    /// `+00:00`.
    pub const UTC: Self = Self(0);

    /// An offset of `minutes` east of UTC, within ±14:00.
    pub fn from_minutes(minutes: i16) -> Result<Self, TimeError> {
        if (-840..=840).contains(&minutes) {
            Ok(Self(minutes))
        } else {
            Err(TimeError::Offset { minutes })
        }
    }

    /// Minutes east of UTC.
    pub fn minutes(self) -> i16 {
        self.0
    }

    fn parse_at(s: &[u8], pos: &mut usize) -> Result<Self, TimeError> {
        let sign = expect(s, pos, b"+-", "'+' or '-'")?;
        let hours = field("offset hour", digits::<2>(s, pos)?, 0..=14)?;
        expect(s, pos, b":", "':'")?;
        let minutes = field("offset minute", digits::<2>(s, pos)?, 0..=59)?;
        let total = i16::from(hours) * 60 + i16::from(minutes);
        Self::from_minutes(if sign == b'-' { -total } else { total })
    }
}

impl TryFrom<i16> for TimeZoneOffset {
    type Error = TimeError;

    fn try_from(minutes: i16) -> Result<Self, TimeError> {
        Self::from_minutes(minutes)
    }
}

impl From<TimeZoneOffset> for i16 {
    fn from(offset: TimeZoneOffset) -> Self {
        offset.0
    }
}

impl FromStr for TimeZoneOffset {
    type Err = TimeError;

    fn from_str(s: &str) -> Result<Self, TimeError> {
        let (s, mut pos) = (s.as_bytes(), 0);
        let offset = Self::parse_at(s, &mut pos)?;
        match s.get(pos) {
            None => Ok(offset),
            Some(_) => Err(TimeError::Syntax {
                position: pos,
                expected: "end of offset",
            }),
        }
    }
}

impl fmt::Display for TimeZoneOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { '-' } else { '+' };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{:02}:{:02}", abs / 60, abs % 60)
    }
}

/// A UTC instant with millisecond precision (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct EventTime(i64);

impl EventTime {
    /// The instant `millis` milliseconds after 1970-01-01T00:00:00Z.
    pub fn from_unix_millis(millis: i64) -> Result<Self, TimeError> {
        if (MIN_MILLIS..=MAX_MILLIS).contains(&millis) {
            Ok(Self(millis))
        } else {
            Err(TimeError::OutOfRange { millis })
        }
    }

    /// Milliseconds since 1970-01-01T00:00:00Z.
    pub fn unix_millis(self) -> i64 {
        self.0
    }

    /// The current time from the system clock.
    #[cfg(feature = "std")]
    pub fn now() -> Self {
        let millis = match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
            Ok(since) => i64::try_from(since.as_millis()).unwrap_or(MAX_MILLIS),
            Err(before) => i64::try_from(before.duration().as_millis()).map_or(MIN_MILLIS, |m| -m),
        };
        Self(millis.clamp(MIN_MILLIS, MAX_MILLIS))
    }

    /// Formats the instant as local time at `offset`, e.g. `2024-03-01T10:15:30.124+01:00`.
    pub fn display_at(self, offset: TimeZoneOffset) -> impl fmt::Display {
        LocalTime { time: self, offset }
    }

    fn write(f: &mut fmt::Formatter<'_>, millis: i64) -> fmt::Result {
        let (days, ms) = (millis.div_euclid(MS_PER_DAY), millis.rem_euclid(MS_PER_DAY));
        let (year, month, day) = civil_from_days(days);
        let (secs, frac) = (ms / 1000, ms % 1000);
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{frac:03}",
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        )
    }
}

struct LocalTime {
    time: EventTime,
    offset: TimeZoneOffset,
}

impl fmt::Display for LocalTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shift = i64::from(self.offset.minutes()) * 60_000;
        EventTime::write(f, self.time.0 + shift)?;
        write!(f, "{}", self.offset)
    }
}

impl TryFrom<i64> for EventTime {
    type Error = TimeError;

    fn try_from(millis: i64) -> Result<Self, TimeError> {
        Self::from_unix_millis(millis)
    }
}

impl From<EventTime> for i64 {
    fn from(time: EventTime) -> Self {
        time.0
    }
}

/// Parses RFC 3339 (`2024-03-01T10:15:30.1235+01:00`, `…Z`). Fractions beyond
/// milliseconds are rounded half-up, with carry, as the CBV 2.0 hash rules do.
impl FromStr for EventTime {
    type Err = TimeError;

    fn from_str(text: &str) -> Result<Self, TimeError> {
        let (s, mut pos) = (text.as_bytes(), 0);
        let date = Date::parse_at(s, &mut pos)?;
        expect(s, &mut pos, b"Tt", "'T'")?;
        let hour = field("hour", digits::<2>(s, &mut pos)?, 0..=23)?;
        expect(s, &mut pos, b":", "':'")?;
        let minute = field("minute", digits::<2>(s, &mut pos)?, 0..=59)?;
        expect(s, &mut pos, b":", "':'")?;
        let second = field("second", digits::<2>(s, &mut pos)?, 0..=59)?;
        let mut millis = 0i64;
        if s.get(pos) == Some(&b'.') {
            pos += 1;
            let start = pos;
            while s.get(pos).is_some_and(u8::is_ascii_digit) {
                pos += 1;
            }
            let fraction = s.get(start..pos).unwrap_or_default();
            if fraction.is_empty() || fraction.len() > 9 {
                return match fraction.len() {
                    0 => Err(TimeError::Syntax {
                        position: pos,
                        expected: "a digit",
                    }),
                    digits => Err(TimeError::Fraction { digits }),
                };
            }
            for i in 0..3 {
                millis = millis * 10 + fraction.get(i).map_or(0, |d| i64::from(d - b'0'));
            }
            if fraction.get(3).is_some_and(|d| *d >= b'5') {
                millis += 1;
            }
        }
        let offset = match s.get(pos) {
            Some(b'Z' | b'z') => {
                pos += 1;
                TimeZoneOffset::UTC
            }
            _ => TimeZoneOffset::parse_at(s, &mut pos)?,
        };
        if pos != s.len() {
            return Err(TimeError::Syntax {
                position: pos,
                expected: "end of time",
            });
        }
        let days = days_from_civil(date.year().into(), date.month(), date.day());
        let local = days * MS_PER_DAY
            + (i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second)) * 1000
            + millis;
        Self::from_unix_millis(local - i64::from(offset.minutes()) * 60_000)
    }
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ`, the canonical form of the CBV 2.0 event hash.
impl fmt::Display for EventTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Self::write(f, self.0)?;
        f.write_str("Z")
    }
}
