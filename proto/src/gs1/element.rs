//! One GS1 element: an Application Identifier and its value, validated against the Syntax
//! Dictionary (component lengths, character sets, linters), plus small readers for the
//! values that carry dates, times and implied-decimal numbers (GS1 General Specifications
//! §3.4–§3.6, §7.12).

use core::fmt;

use super::dictionary::{AiEntry, Component, MAX_VALUE_LEN};
use super::element_string::{ElementStringError, ParseOptions};
use super::lint::{LintError, Linter, days_in_month, number};

/// The value of an element: at most [`MAX_VALUE_LEN`] ASCII characters.
pub type Value = heapless::String<MAX_VALUE_LEN>;

/// An AI with a value that passed its dictionary checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    entry: &'static AiEntry,
    value: Value,
}

impl Element {
    /// Validates `value` for the AI of `entry`.
    pub fn new(
        entry: &'static AiEntry,
        value: &str,
        options: &ParseOptions<'_>,
    ) -> Result<Self, ElementStringError> {
        validate(entry, value, options)?;
        let mut stored = Value::new();
        stored
            .push_str(value)
            .map_err(|_| invalid(entry, entry.components.len(), too_long(entry, value)))?;
        Ok(Self {
            entry,
            value: stored,
        })
    }

    /// The AI, e.g. `"01"`.
    pub fn ai(&self) -> &'static str {
        self.entry.ai
    }

    /// The value, e.g. `"09506000134352"`.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The AI's dictionary entry.
    pub fn entry(&self) -> &'static AiEntry {
        self.entry
    }

    /// The value cut into the AI's components; optional components left out are skipped.
    pub fn components(&self) -> impl Iterator<Item = (&'static Component, &str)> {
        split(self.entry, &self.value)
    }

    /// The date held by the value's first date component (`YYMMDD`, `YYYYMMDD`), as
    /// (year, month, day). A two-digit year is placed in the century that puts it within
    /// −49…+50 years of `reference_year` (GS1 General Specifications §7.12); day `00` means
    /// the last day of the month.
    pub fn as_date(&self, reference_year: u16) -> Option<(u16, u8, u8)> {
        let (component, data) = self.components().find(|(c, _)| {
            c.linters
                .iter()
                .any(|l| matches!(l, Linter::Yymmd0 | Linter::Yymmdd | Linter::Yyyymmdd))
        })?;
        let year_len = if component.linters.contains(&Linter::Yyyymmdd) {
            4
        } else {
            2
        };
        let year = u16::try_from(number(data, 0, year_len)?).ok()?;
        let month = u8::try_from(number(data, year_len, 2)?).ok()?;
        let day = u8::try_from(number(data, year_len + 2, 2)?).ok()?;
        let year = if year_len == 4 {
            year
        } else {
            full_year(year, reference_year)
        };
        let last = u8::try_from(days_in_month(year.into(), true, month.into())).ok()?;
        let day = if day == 0 { last } else { day };
        ((1..=12).contains(&month) && (1..=last).contains(&day)).then_some((year, month, day))
    }

    /// The time of day held by the value's time components (`HHMI`, `HH [MI] [SS]`), as
    /// (hour, minute, second); parts left out are zero.
    pub fn as_time(&self) -> Option<(u8, u8, u8)> {
        let mut time: Option<(u8, u8, u8)> = None;
        for (component, data) in self.components() {
            let two = |at| number(data, at, 2).and_then(|n| u8::try_from(n).ok());
            for linter in component.linters {
                let (h, m, s) = time.unwrap_or_default();
                time = match linter {
                    Linter::Hhmi => Some((two(0)?, two(2)?, 0)),
                    Linter::Hh => Some((two(0)?, m, s)),
                    Linter::Mi => Some((h, two(0)?, s)),
                    Linter::Ss => Some((h, m, two(0)?)),
                    _ => time,
                };
            }
        }
        time.filter(|&(h, m, s)| h < 24 && m < 60 && s < 60)
    }

    /// For the measure and amount AIs (31nn–36nn, 39nn), whose fourth digit gives the number
    /// of implied decimal places (GS1 General Specifications §3.6), the number they carry.
    pub fn as_decimal(&self) -> Option<Decimal<'_>> {
        let ai = self.ai().as_bytes();
        let measure = matches!(ai, [b'3', b'1'..=b'6' | b'9', _, _]);
        let decimals = ai.get(3)?.checked_sub(b'0')?;
        let (_, digits) = self.components().last()?;
        measure.then_some(Decimal { digits, decimals })
    }
}

/// A decimal number as digits with an implied number of decimal places.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decimal<'a> {
    /// All digits, as carried in the element.
    pub digits: &'a str,
    /// How many of the rightmost digits follow the decimal point.
    pub decimals: u8,
}

impl fmt::Display for Decimal<'_> {
    /// Writes e.g. `12.30`; leading zeros of the integer part are dropped, one is kept.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let split = self.digits.len().saturating_sub(self.decimals.into());
        let (int, frac) = self
            .digits
            .split_at_checked(split)
            .unwrap_or((self.digits, ""));
        let int = int.trim_start_matches('0');
        f.write_str(if int.is_empty() { "0" } else { int })?;
        if self.decimals > 0 {
            f.write_str(".")?;
            for _ in frac.len()..usize::from(self.decimals) {
                f.write_str("0")?;
            }
            f.write_str(frac)?;
        }
        Ok(())
    }
}

fn full_year(yy: u16, reference_year: u16) -> u16 {
    let century = reference_year - reference_year % 100;
    let diff = i32::from(yy) - i32::from(reference_year % 100);
    let base = match diff {
        51.. => century.saturating_sub(100),
        ..=-50 => century.saturating_add(100),
        _ => century,
    };
    base.saturating_add(yy)
}

/// Cuts `value` into components the way the dictionary prescribes: each fixed-length
/// component takes its length, a variable one takes the rest up to its maximum, and
/// optional components are skipped once the data is exhausted.
fn split<'v>(
    entry: &'static AiEntry,
    value: &'v str,
) -> impl Iterator<Item = (&'static Component, &'v str)> {
    let mut rest = value;
    entry.components.iter().map_while(move |c| {
        if rest.is_empty() && c.optional {
            return None;
        }
        let take = rest.len().min(c.max_len.into());
        let (part, tail) = rest.split_at_checked(take)?;
        rest = tail;
        Some((c, part))
    })
}

fn invalid(entry: &'static AiEntry, component: usize, error: LintError) -> ElementStringError {
    ElementStringError::Invalid {
        ai: entry.ai,
        component,
        error,
    }
}

fn too_long(entry: &AiEntry, value: &str) -> LintError {
    LintError::TooLong {
        max: entry.max_len(),
        found: value.len(),
    }
}

fn validate(
    entry: &'static AiEntry,
    value: &str,
    options: &ParseOptions<'_>,
) -> Result<(), ElementStringError> {
    if value.is_empty() {
        return Err(ElementStringError::EmptyValue { ai: entry.ai });
    }
    if value.len() > entry.max_len() {
        return Err(invalid(
            entry,
            entry.components.len(),
            too_long(entry, value),
        ));
    }
    let mut offset = 0;
    for (index, c) in entry.components.iter().enumerate() {
        let number = index + 1;
        let rest = value.get(offset..).unwrap_or("");
        if rest.is_empty() && c.optional {
            break;
        }
        let len = if c.is_fixed() {
            c.max_len.into()
        } else {
            rest.len().min(c.max_len.into())
        };
        if rest.len() < usize::from(c.min_len).max(len) {
            let min = c.min_len.into();
            return Err(invalid(
                entry,
                number,
                LintError::TooShort {
                    min,
                    found: rest.len(),
                },
            ));
        }
        let Some(data) = rest.get(..len) else {
            let (position, found) = rest
                .char_indices()
                .find(|(_, ch)| !ch.is_ascii())
                .unwrap_or((0, '\u{fffd}'));
            let error = LintError::BadCharacter {
                position: offset + position,
                found,
                charset: c.charset,
            };
            return Err(invalid(entry, number, error));
        };
        c.charset
            .check(data)
            .map_err(|e| invalid(entry, number, e.shifted(offset)))?;
        for linter in c.linters {
            if options.verify_dates || !linter.is_date_or_time() {
                linter
                    .check(data)
                    .map_err(|e| invalid(entry, number, e.shifted(offset)))?;
            }
        }
        offset += len;
    }
    if offset < value.len() {
        return Err(invalid(
            entry,
            entry.components.len(),
            too_long(entry, value),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gs1::dictionary::lookup;
    use crate::gs1::shown;

    fn element(ai: &str, value: &str) -> Result<Element, ElementStringError> {
        let entry = lookup(ai).ok_or(ElementStringError::Empty)?;
        Element::new(entry, value, &ParseOptions::default())
    }

    #[test]
    fn validates_components() {
        assert!(element("01", "09506000134352").is_ok());
        let err = element("01", "09506000134353").unwrap_err();
        assert_eq!(
            shown(err),
            "AI (01): bad check digit at position 13: expected 2, found 3"
        );
        assert!(element("7011", "03020185").is_err());
        assert!(element("8003", "050606547800290002").is_ok());
        assert!(element("8003", "07071324001022085952").is_err());
        assert!(element("10", "ABC\u{e9}").is_err());
    }

    #[test]
    fn readers() {
        let e = element("15", "200200").unwrap();
        assert_eq!(e.as_date(2025), Some((2020, 2, 29)));
        let e = element("8008", "0001021415").unwrap();
        assert_eq!(
            (e.as_date(2025), e.as_time()),
            (Some((2000, 1, 2)), Some((14, 15, 0)))
        );
        let e = element("3335", "023456").unwrap();
        assert_eq!(shown(e.as_decimal().unwrap()), "0.23456");
        let e = element("3911", "7101230").unwrap();
        assert_eq!(shown(e.as_decimal().unwrap()), "123.0");
        assert!(element("10", "1").unwrap().as_decimal().is_none());
    }
}
