//! The bit-level reading of compressed GS1 Digital Links (see `dl_compression`): base64url
//! text as a bit string, numbers and strings in the prototype's encodings, and the encoded
//! layout of each AI's value derived from the Syntax Dictionary.

use core::fmt;

use super::dictionary::{AiEntry, Charset};
use super::dl_compression::CompressionError;
use super::element::Value;

/// Reads bits from base64url text, most significant bit first.
pub(super) struct Bits<'a> {
    pub(super) text: &'a [u8],
    pub(super) pos: usize,
}

pub(super) fn sextet(c: u8) -> Option<u8> {
    match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'-' => Some(62),
        b'_' => Some(63),
        _ => None,
    }
}

impl Bits<'_> {
    pub(super) fn remaining(&self) -> usize {
        (self.text.len() * 6).saturating_sub(self.pos)
    }

    pub(super) fn read(&mut self, n: usize) -> Result<u128, CompressionError> {
        if n > 128 || n > self.remaining() {
            return Err(CompressionError::Truncated { bit: self.pos });
        }
        let mut v: u128 = 0;
        for i in self.pos..self.pos + n {
            let six = self.text.get(i / 6).and_then(|&c| sextet(c)).unwrap_or(0);
            v = (v << 1) | u128::from((six >> (5 - i % 6)) & 1);
        }
        self.pos += n;
        Ok(v)
    }

    pub(super) fn small(&mut self, n: usize) -> Result<usize, CompressionError> {
        // `n` is at most 7 here, so the value fits.
        self.read(n).map(|v| v as usize)
    }

    /// `count` digits sent as one binary number of ⌈count·log2 10 + 0.01⌉ bits, the
    /// prototype's formula (one bit for no digits), computed in fixed point.
    pub(super) fn number(
        &mut self,
        count: usize,
        out: &mut impl fmt::Write,
    ) -> Result<(), CompressionError> {
        let bit = self.pos;
        let bad = CompressionError::BadNumber { digits: count, bit };
        let scaled = (count as u64)
            .saturating_mul(3_321_928_094_887_362)
            .saturating_add(10_000_000_000_000);
        let bits = scaled.div_ceil(1_000_000_000_000_000) as usize;
        let limit = u32::try_from(count)
            .ok()
            .and_then(|c| 10u128.checked_pow(c))
            .ok_or(bad.clone())?;
        let v = self.read(bits)?;
        if v >= limit {
            return Err(bad);
        }
        if count > 0 {
            write!(out, "{v:0count$}").map_err(|_| CompressionError::TooLong { bit })?;
        }
        Ok(())
    }

    /// A string of `count` characters in the 3-bit `encoding` read before.
    pub(super) fn string(
        &mut self,
        encoding: usize,
        count: usize,
        out: &mut impl fmt::Write,
    ) -> Result<(), CompressionError> {
        let bit = self.pos;
        if encoding == 0 {
            return self.number(count, out);
        }
        let width = match encoding {
            1 | 2 => 4,
            3 => 6,
            4 => 7,
            _ => {
                return Err(CompressionError::UnknownEncoding {
                    encoding: encoding as u8,
                    bit,
                });
            }
        };
        for _ in 0..count {
            let v = self.small(width)?;
            let c = match encoding {
                1 => char::from_digit(v as u32, 16),
                2 => char::from_digit(v as u32, 16).map(|c| c.to_ascii_uppercase()),
                3 => b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                    .get(v)
                    .map(|&b| char::from(b)),
                _ => u8::try_from(v).ok().map(char::from),
            };
            let c = c.ok_or(CompressionError::UnknownEncoding {
                encoding: encoding as u8,
                bit,
            })?;
            out.write_char(c)
                .map_err(|_| CompressionError::TooLong { bit })?;
        }
        Ok(())
    }

    /// Bits needed for a length up to `max`.
    pub(super) fn length(&mut self, max: usize) -> Result<usize, CompressionError> {
        self.small((usize::BITS - max.leading_zeros()) as usize)
    }

    /// Decodes the value of `entry`.
    pub(super) fn value(&mut self, entry: &AiEntry) -> Result<Value, CompressionError> {
        let mut value = Value::new();
        for part in layout(entry) {
            match part {
                Part::Number { len, fixed: true } => self.number(len, &mut value)?,
                Part::Number { len, fixed: false } => {
                    let count = self.length(len)?;
                    self.number(count, &mut value)?;
                }
                Part::Text { len, fixed } => {
                    let encoding = self.small(3)?;
                    let count = if fixed { len } else { self.length(len)? };
                    self.string(encoding, count, &mut value)?;
                }
            }
        }
        Ok(value)
    }
}

/// One encoded part of a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Number { len: usize, fixed: bool },
    Text { len: usize, fixed: bool },
}

/// The encoded parts of `entry`'s value: its components merged as the module doc describes.
fn layout(entry: &AiEntry) -> heapless::Vec<Part, 8> {
    let mut parts: heapless::Vec<Part, 8> = heapless::Vec::new();
    let mut last_optional = false;
    for c in entry.components {
        let len = usize::from(c.max_len);
        let numeric = c.charset == Charset::Numeric;
        let merged = match (parts.last_mut(), numeric, c.optional) {
            (
                Some(Part::Number {
                    len: l,
                    fixed: true,
                }),
                true,
                false,
            ) if !last_optional && c.is_fixed() => {
                *l += len;
                true
            }
            (
                Some(Part::Number {
                    len: l,
                    fixed: false,
                }),
                true,
                true,
            ) if last_optional => {
                *l += len;
                true
            }
            (Some(Part::Text { len: l, fixed }), false, false) if !last_optional => {
                *l += len;
                *fixed &= c.is_fixed();
                true
            }
            _ => false,
        };
        if !merged {
            let fixed = c.is_fixed() && !c.optional;
            let part = if numeric {
                Part::Number { len, fixed }
            } else {
                Part::Text { len, fixed }
            };
            let _ = parts.push(part);
        }
        last_optional = c.optional;
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gs1::dictionary;

    #[test]
    fn layouts_follow_the_prototype_table() {
        let parts = |ai| layout(dictionary::lookup(ai).unwrap());
        let n = |len, fixed| Part::Number { len, fixed };
        let x = |len, fixed| Part::Text { len, fixed };
        assert_eq!(parts("8003"), [n(14, true), x(16, false)]);
        assert_eq!(parts("8008"), [n(8, true), n(4, false)]);
        assert_eq!(parts("3910"), [n(3, true), n(15, false)]);
        assert_eq!(parts("7230"), [x(30, false)]);
        assert_eq!(parts("423"), [n(3, true), n(12, false)]);
    }
}
