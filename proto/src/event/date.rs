//! Calendar dates (xsd:date, as in ILMD `itemExpirationDate`) and the proleptic
//! Gregorian calendar arithmetic and digit parsing shared with [`time`](super::time).

use core::fmt;
use core::str::FromStr;

use serde::{Deserialize, Serialize};

use super::time::TimeError;

/// Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's algorithm).
pub(super) fn days_from_civil(year: i64, month: u8, day: u8) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let (era, yoe) = (y.div_euclid(400), y.rem_euclid(400));
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`].
pub(super) fn civil_from_days(days: i64) -> (i64, u8, u8) {
    let z = days + 719_468;
    let (era, doe) = (z.div_euclid(146_097), z.rem_euclid(146_097));
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = (if mp < 10 { mp + 3 } else { mp - 9 }) as u8;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Reads `N` ASCII digits at `*pos` and advances past them.
pub(super) fn digits<const N: usize>(s: &[u8], pos: &mut usize) -> Result<u32, TimeError> {
    let mut value = 0;
    for _ in 0..N {
        match s.get(*pos) {
            Some(b @ b'0'..=b'9') => value = value * 10 + u32::from(b - b'0'),
            _ => {
                return Err(TimeError::Syntax {
                    position: *pos,
                    expected: "a digit",
                });
            }
        }
        *pos += 1;
    }
    Ok(value)
}

pub(super) fn expect(
    s: &[u8],
    pos: &mut usize,
    allowed: &[u8],
    expected: &'static str,
) -> Result<u8, TimeError> {
    match s.get(*pos) {
        Some(b) if allowed.contains(b) => {
            *pos += 1;
            Ok(*b)
        }
        _ => Err(TimeError::Syntax {
            position: *pos,
            expected,
        }),
    }
}

pub(super) fn field(
    name: &'static str,
    value: u32,
    range: core::ops::RangeInclusive<u32>,
) -> Result<u8, TimeError> {
    if range.contains(&value) {
        Ok(value as u8)
    } else {
        Err(TimeError::Field { field: name, value })
    }
}

/// A calendar date (xsd:date without time zone), `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "RawDate", into = "RawDate")]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

#[derive(Serialize, Deserialize)]
struct RawDate {
    year: u16,
    month: u8,
    day: u8,
}

impl Date {
    /// A date, checked against the Gregorian calendar (years 0000–9999).
    pub fn new(year: u16, month: u8, day: u8) -> Result<Self, TimeError> {
        field("year", year.into(), 0..=9999)?;
        field("month", month.into(), 1..=12)?;
        field("day", day.into(), 1..=u32::from(days_in_month(year, month)))?;
        Ok(Self { year, month, day })
    }

    /// Year.
    pub fn year(self) -> u16 {
        self.year
    }

    /// Month, 1–12.
    pub fn month(self) -> u8 {
        self.month
    }

    /// Day of the month, 1–31.
    pub fn day(self) -> u8 {
        self.day
    }

    pub(super) fn parse_at(s: &[u8], pos: &mut usize) -> Result<Self, TimeError> {
        let year = digits::<4>(s, pos)?;
        expect(s, pos, b"-", "'-'")?;
        let month = digits::<2>(s, pos)?;
        expect(s, pos, b"-", "'-'")?;
        let day = digits::<2>(s, pos)?;
        Self::new(
            year as u16,
            field("month", month, 1..=12)?,
            field("day", day, 1..=31)?,
        )
    }
}

impl TryFrom<RawDate> for Date {
    type Error = TimeError;

    fn try_from(raw: RawDate) -> Result<Self, TimeError> {
        Self::new(raw.year, raw.month, raw.day)
    }
}

impl From<Date> for RawDate {
    fn from(d: Date) -> Self {
        Self {
            year: d.year,
            month: d.month,
            day: d.day,
        }
    }
}

impl FromStr for Date {
    type Err = TimeError;

    fn from_str(s: &str) -> Result<Self, TimeError> {
        let (s, mut pos) = (s.as_bytes(), 0);
        let date = Self::parse_at(s, &mut pos)?;
        match s.get(pos) {
            None => Ok(date),
            Some(_) => Err(TimeError::Syntax {
                position: pos,
                expected: "end of date",
            }),
        }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}
