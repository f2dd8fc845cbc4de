//! Exact decimal numbers for EPCIS quantities (xsd:decimal `quantity`) and sensor
//! values, so `2.50 KGM` never turns into `2.4999999`.
//!
//! A [`Decimal`] is `mantissa × 10^-scale`, kept normalised (no trailing fraction
//! zeros), so equal numbers have equal representations and equal bytes when signed,
//! and its text form is the one the CBV 2.0 event hash wants (`"0010.50"` → `10.5`).

use core::fmt;
use core::str::FromStr;

use serde::{Deserialize, Serialize};

/// Most fraction digits kept (as many as an `i64` mantissa can always hold).
pub const MAX_SCALE: u8 = 18;

/// Why text or parts are not a decimal number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DecimalError {
    /// No digits at all (empty text, a lone sign or point).
    #[error("no digits in the number")]
    NoDigits,
    /// A character that has no place in a plain decimal number.
    #[error("character {found:?} at position {position} is not allowed in a decimal number")]
    BadChar {
        /// 0-based byte offset.
        position: usize,
        /// The character found.
        found: char,
    },
    /// More significant digits than an `i64` mantissa holds.
    #[error("more significant digits than fit in 18 (value out of range)")]
    Overflow,
    /// More fraction digits than [`MAX_SCALE`].
    #[error("{scale} fraction digits: at most 18 are kept")]
    Scale {
        /// Fraction digits found.
        scale: u32,
    },
}

/// An exact decimal number (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawDecimal", into = "RawDecimal")]
pub struct Decimal {
    mantissa: i64,
    scale: u8,
}

#[derive(Serialize, Deserialize)]
struct RawDecimal {
    mantissa: i64,
    scale: u8,
}

impl Decimal {
    /// Zero.
    pub const ZERO: Self = Self {
        mantissa: 0,
        scale: 0,
    };

    /// `mantissa × 10^-scale`, normalised.
    pub fn new(mantissa: i64, scale: u8) -> Result<Self, DecimalError> {
        if scale > MAX_SCALE {
            return Err(DecimalError::Scale {
                scale: scale.into(),
            });
        }
        let (mut mantissa, mut scale) = (mantissa, scale);
        while scale > 0 && mantissa % 10 == 0 {
            mantissa /= 10;
            scale -= 1;
        }
        Ok(Self { mantissa, scale })
    }

    /// The value's digits as an integer.
    pub fn mantissa(self) -> i64 {
        self.mantissa
    }

    /// Digits after the decimal point.
    pub fn scale(self) -> u8 {
        self.scale
    }
}

impl From<i64> for Decimal {
    fn from(value: i64) -> Self {
        Self {
            mantissa: value,
            scale: 0,
        }
    }
}

impl TryFrom<RawDecimal> for Decimal {
    type Error = DecimalError;

    /// Only the normalised form is accepted on the wire, so every number has one encoding.
    fn try_from(raw: RawDecimal) -> Result<Self, DecimalError> {
        let value = Self::new(raw.mantissa, raw.scale)?;
        if value.scale == raw.scale {
            Ok(value)
        } else {
            Err(DecimalError::Scale {
                scale: raw.scale.into(),
            })
        }
    }
}

impl From<Decimal> for RawDecimal {
    fn from(d: Decimal) -> Self {
        Self {
            mantissa: d.mantissa,
            scale: d.scale,
        }
    }
}

/// Parses a plain decimal: optional sign, digits, optional point and digits (no
/// exponent, no grouping). Surrounding whitespace is not trimmed.
impl FromStr for Decimal {
    type Err = DecimalError;

    fn from_str(s: &str) -> Result<Self, DecimalError> {
        let (negative, body, offset) = match s.as_bytes().first() {
            Some(b'-') => (true, s.get(1..).unwrap_or_default(), 1),
            Some(b'+') => (false, s.get(1..).unwrap_or_default(), 1),
            _ => (false, s, 0),
        };
        let (int, frac) = body.split_once('.').unwrap_or((body, ""));
        for (position, found) in body.char_indices() {
            if !found.is_ascii_digit() && found != '.' {
                return Err(DecimalError::BadChar {
                    position: position + offset,
                    found,
                });
            }
        }
        if let Some(position) = frac.find('.') {
            return Err(DecimalError::BadChar {
                position: offset + int.len() + 1 + position,
                found: '.',
            });
        }
        if int.is_empty() && frac.is_empty() {
            return Err(DecimalError::NoDigits);
        }
        let frac = frac.trim_end_matches('0');
        let scale = u8::try_from(frac.len())
            .ok()
            .filter(|s| *s <= MAX_SCALE)
            .ok_or(DecimalError::Scale {
                scale: u32::try_from(frac.len()).unwrap_or(u32::MAX),
            })?;
        let mut magnitude: u64 = 0;
        for digit in int.trim_start_matches('0').bytes().chain(frac.bytes()) {
            magnitude = magnitude
                .checked_mul(10)
                .and_then(|m| m.checked_add(u64::from(digit - b'0')))
                .ok_or(DecimalError::Overflow)?;
        }
        let mantissa = if negative {
            0i64.checked_sub_unsigned(magnitude)
        } else {
            i64::try_from(magnitude).ok()
        };
        Self::new(mantissa.ok_or(DecimalError::Overflow)?, scale)
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mantissa < 0 {
            f.write_str("-")?;
        }
        let magnitude = self.mantissa.unsigned_abs();
        let divisor = 10u64.pow(self.scale.into());
        write!(f, "{}", magnitude / divisor)?;
        if self.scale > 0 {
            write!(
                f,
                ".{:0width$}",
                magnitude % divisor,
                width = usize::from(self.scale)
            )?;
        }
        Ok(())
    }
}
