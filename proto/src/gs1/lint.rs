//! The content checks ("linters") that the GS1 Barcode Syntax Dictionary attaches to AI
//! components, after the reference procedures of the GS1 Barcode Syntax Tests. Every linter the
//! dictionary uses is implemented; a new one in the dictionary fails the build.
//!
//! Positions in a [`LintError`] count characters from the start of the component checked;
//! the element-string layer shifts them to the start of the AI's value.

use super::dictionary::Charset;
pub use super::lint_codes::CodeList;
pub use super::lint_error::{LintError, Snippet};
pub(crate) use super::lint_error::{malformed, snippet};
use super::lint_structured;
use crate::check_digit::{self, CheckDigitError};

/// A linter named by the dictionary. Variant names follow the dictionary's linter names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Linter {
    /// `couponcode`: North American Coupon Code of AI (8110).
    Couponcode,
    /// `couponposoffer`: positive offer file coupon code of AI (8112).
    Couponposoffer,
    /// `csum`: GS1 modulo-10 check digit in the last position.
    Csum,
    /// `csumalpha`: GS1 alphanumeric check character pair at the end.
    Csumalpha,
    /// `gcppos1`: starts with a GS1 Company Prefix (at least 4 digits).
    Gcppos1,
    /// `gcppos2`: a GS1 Company Prefix from the second position.
    Gcppos2,
    /// `hasnondigit`: at least one character is not a digit.
    Hasnondigit,
    /// `hh`: hour 00–23.
    Hh,
    /// `hhmi`: hour 00–23 and minute 00–59.
    Hhmi,
    /// `hyphen`: only `-` characters.
    Hyphen,
    /// `iban`: an IBAN (ISO 13616) with valid check digits.
    Iban,
    /// `importeridx`: one importer index character.
    Importeridx,
    /// `iso3166`: ISO 3166 numeric country code.
    Iso3166,
    /// `iso3166999`: ISO 3166 numeric country code or `999`.
    Iso3166999,
    /// `iso3166alpha2`: ISO 3166 alpha-2 country code.
    Iso3166alpha2,
    /// `iso4217`: ISO 4217 numeric currency code.
    Iso4217,
    /// `iso5218`: ISO/IEC 5218 sex code.
    Iso5218,
    /// `latitude`: latitude as 10 digits, 0–1800000000.
    Latitude,
    /// `longitude`: longitude as 10 digits, 0–3600000000.
    Longitude,
    /// `mediatype`: AIDC media type.
    Mediatype,
    /// `mi`: minute 00–59.
    Mi,
    /// `nonzero`: not all zeros.
    Nonzero,
    /// `nozeroprefix`: no leading zero unless the value is `0`.
    Nozeroprefix,
    /// `packagetype`: GS1 PackageTypeCode.
    Packagetype,
    /// `pcenc`: percent-encoded text, `%` followed by two hex digits.
    Pcenc,
    /// `pieceoftotal`: piece number then total, equal width, piece ≤ total.
    Pieceoftotal,
    /// `posinseqslash`: `<position>/<end>`.
    Posinseqslash,
    /// `ss`: second 00–59.
    Ss,
    /// `winding`: winding direction 0, 1 or 9.
    Winding,
    /// `yesno`: 0 or 1.
    Yesno,
    /// `yymmd0`: date YYMMDD where day 00 means the last day of the month.
    Yymmd0,
    /// `yymmdd`: date YYMMDD.
    Yymmdd,
    /// `yyyymmdd`: date YYYYMMDD.
    Yyyymmdd,
    /// `zero`: all zeros.
    Zero,
}

impl Linter {
    /// Whether the linter checks a date or time, which parsing may be told to skip.
    pub fn is_date_or_time(self) -> bool {
        matches!(
            self,
            Self::Yymmd0
                | Self::Yymmdd
                | Self::Yyyymmdd
                | Self::Hh
                | Self::Hhmi
                | Self::Mi
                | Self::Ss
        )
    }

    /// Applies the linter to one component's data.
    pub fn check(self, data: &str) -> Result<(), LintError> {
        let in_list = |list: CodeList| {
            if list.contains(data) {
                Ok(())
            } else {
                Err(LintError::NotInList {
                    position: 0,
                    list,
                    found: snippet(data),
                })
            }
        };
        match self {
            Self::Couponcode => lint_structured::coupon_code(data),
            Self::Couponposoffer => lint_structured::coupon_positive_offer(data),
            Self::Csum => csum(data),
            Self::Csumalpha => lint_structured::csum_alpha(data),
            Self::Gcppos1 => gcp_at(data, 0),
            Self::Gcppos2 => gcp_at(data, 1),
            Self::Hasnondigit if data.bytes().all(|b| b.is_ascii_digit()) => Err(malformed(
                0,
                "must contain at least one non-digit character",
            )),
            Self::Hh => number_in(data, 0, 2, 0..=23, "hour"),
            Self::Hhmi => {
                exact_len(data, 4)?;
                number_in(data, 0, 2, 0..=23, "hour")?;
                number_in(data, 2, 2, 0..=59, "minute")
            }
            Self::Mi => number_in(data, 0, 2, 0..=59, "minute"),
            Self::Ss => number_in(data, 0, 2, 0..=59, "second"),
            Self::Hyphen => match data.char_indices().find(|&(_, c)| c != '-') {
                Some((position, _)) => Err(malformed(position, "only '-' is allowed")),
                None => Ok(()),
            },
            Self::Iban => lint_structured::iban(data),
            Self::Importeridx => in_list(CodeList::ImporterIndex),
            Self::Iso3166 => in_list(CodeList::Iso3166),
            Self::Iso3166999 => in_list(CodeList::Iso3166Or999),
            Self::Iso3166alpha2 => in_list(CodeList::Iso3166Alpha2),
            Self::Iso4217 => in_list(CodeList::Iso4217),
            Self::Iso5218 => in_list(CodeList::Iso5218),
            Self::Mediatype => in_list(CodeList::MediaType),
            Self::Packagetype => in_list(CodeList::PackageType),
            Self::Yesno => in_list(CodeList::YesNo),
            Self::Winding => in_list(CodeList::Winding),
            Self::Latitude => number_in(data, 0, 10, 0..=1_800_000_000, "latitude"),
            Self::Longitude => number_in(data, 0, 10, 0..=3_600_000_000, "longitude"),
            Self::Nonzero if data.bytes().all(|b| b == b'0') => {
                Err(malformed(0, "must not be zero"))
            }
            Self::Zero => match data.char_indices().find(|&(_, c)| c != '0') {
                Some((position, _)) => Err(malformed(position, "must be zero")),
                None => Ok(()),
            },
            Self::Nozeroprefix if data.len() > 1 && data.starts_with('0') => {
                Err(malformed(0, "must not start with a zero"))
            }
            Self::Pcenc => match data.match_indices('%').find(|&(i, _)| {
                !data
                    .get(i + 1..i + 3)
                    .is_some_and(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
            }) {
                Some((position, _)) => Err(malformed(
                    position,
                    "'%' must be followed by two hexadecimal digits",
                )),
                None => Ok(()),
            },
            Self::Pieceoftotal => lint_structured::piece_of_total(data),
            Self::Posinseqslash => lint_structured::position_in_sequence(data),
            Self::Yymmd0 => date(data, 2, true),
            Self::Yymmdd => date(data, 2, false),
            Self::Yyyymmdd => date(data, 4, false),
            Self::Hasnondigit | Self::Nonzero | Self::Nozeroprefix => Ok(()),
        }
    }
}

fn exact_len(data: &str, len: usize) -> Result<(), LintError> {
    match data.len() {
        n if n < len => Err(LintError::TooShort { min: len, found: n }),
        n if n > len => Err(LintError::TooLong { max: len, found: n }),
        _ => Ok(()),
    }
}

/// The decimal number in `data[start..start + len]`, if those characters are digits.
pub(crate) fn number(data: &str, start: usize, len: usize) -> Option<u64> {
    let digits = data.get(start..start.checked_add(len)?)?;
    if digits.is_empty() || digits.len() > 19 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

fn number_in(
    data: &str,
    start: usize,
    len: usize,
    range: core::ops::RangeInclusive<u64>,
    what: &'static str,
) -> Result<(), LintError> {
    match number(data, start, len) {
        Some(n) if range.contains(&n) => Ok(()),
        Some(_) => Err(LintError::OutOfRange {
            position: start,
            what,
            found: snippet(data.get(start..start + len).unwrap_or(data)),
        }),
        None => Err(malformed(start, "expected digits")),
    }
}

fn csum(data: &str) -> Result<(), LintError> {
    check_digit::verify(data).map_err(|e| match e {
        CheckDigitError::Mismatch {
            position,
            expected,
            found,
        } => LintError::BadCheckDigit {
            position,
            expected: char::from(b'0' + expected),
            found: char::from(b'0' + found),
        },
        CheckDigitError::NotDigit { position, found } => LintError::BadCharacter {
            position,
            found,
            charset: Charset::Numeric,
        },
        CheckDigitError::Empty => LintError::TooShort {
            min: 2,
            found: data.len(),
        },
    })
}

/// A GS1 Company Prefix starts at `offset`: at least its shortest form, four digits.
fn gcp_at(data: &str, offset: usize) -> Result<(), LintError> {
    let gcp = data.get(offset..offset + 4).ok_or(malformed(
        0,
        "too short to contain a GS1 Company Prefix (4 digits)",
    ))?;
    match gcp.bytes().position(|b| !b.is_ascii_digit()) {
        Some(i) => Err(malformed(
            offset + i,
            "a GS1 Company Prefix must start with 4 digits",
        )),
        None => Ok(()),
    }
}

/// Days in `month` of a year whose last two digits are `yy`, or of the full year `yyyy`.
pub(crate) fn days_in_month(year: u64, full_year: bool, month: u64) -> u64 {
    let leap = if full_year {
        year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400))
    } else {
        year.is_multiple_of(4)
    };
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// `YYMMDD` / `YYYYMMDD`; with `day_zero`, day `00` stands for the last day of the month.
pub(crate) fn date(data: &str, year_len: usize, day_zero: bool) -> Result<(), LintError> {
    exact_len(data, year_len + 4)?;
    let year = number(data, 0, year_len).ok_or(malformed(0, "expected digits"))?;
    number_in(data, year_len, 2, 1..=12, "month")?;
    let month = number(data, year_len, 2).unwrap_or(1);
    let first = u64::from(!day_zero);
    let last = days_in_month(year, year_len == 4, month);
    number_in(data, year_len + 2, 2, first..=last, "day")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(Linter::Yymmd0.check("200200"), Ok(()));
        assert!(Linter::Yymmd0.check("210229").is_err());
        assert_eq!(Linter::Yymmdd.check("200229"), Ok(()));
        assert!(Linter::Yymmdd.check("200200").is_err());
        assert!(Linter::Yyyymmdd.check("19000229").is_err());
        assert!(Linter::Hhmi.check("2400").is_err());
    }

    #[test]
    fn codes_and_shapes() {
        assert!(Linter::Iso3166.check("261").is_err());
        assert_eq!(Linter::Iso3166999.check("999"), Ok(()));
        assert_eq!(Linter::Iso4217.check("978"), Ok(()));
        assert_eq!(Linter::Packagetype.check("BGE"), Ok(()));
        assert!(Linter::Mediatype.check("11").is_err());
        assert_eq!(Linter::Importeridx.check("_"), Ok(()));
        assert!(Linter::Pcenc.check("a%4").is_err());
        assert_eq!(Linter::Pcenc.check("a%4F"), Ok(()));
        assert!(Linter::Gcppos2.check("0123A").is_err());
        assert_eq!(
            Linter::Csum.check("5901234123458"),
            Err(LintError::BadCheckDigit {
                position: 12,
                expected: '7',
                found: '8'
            })
        );
        assert!(Charset::Cset64.check("12==").is_err());
        assert_eq!(Charset::Cset64.check("1=="), Ok(()));
    }
}
