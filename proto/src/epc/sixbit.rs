//! The 6-bit character coding of CPI-var and ADI-var (TDS 2.x Table G-1: the low six bits of
//! the ISO 646 code of `#`, `-`, `/`, `0`–`9`, `A`–`Z`), 0-terminated strings of it
//! (TDS §14.3.8, §14.4.8), and the CAGE/DoDAAC codes of USDOD-96 (8-bit, §14.3.9) and
//! ADI-var (6-bit, §14.3.7). In URIs these fields escape `/` as `%2F` and `#` as `%23`.

use core::fmt;

use heapless::String;

use super::EpcError;
use super::bits::{BitReader, BitWriter};
use super::chars::unescape_with;
use super::uri::checked;

/// Which characters a 6-bit field allows.
#[derive(Clone, Copy)]
pub(crate) enum Alphabet {
    /// CPI component/part reference: `0`–`9`, `A`–`Z`, `-`, `/`, `#`.
    Cpi,
    /// ADI original part number: `0`–`9`, `A`–`Z`, `-`, `/`.
    AdiPart,
    /// ADI serial: as the part number, plus `#` as the first character.
    AdiSerial,
}

impl Alphabet {
    fn allows(self, c: u8, index: usize) -> bool {
        match c {
            b'0'..=b'9' | b'A'..=b'Z' | b'-' | b'/' => true,
            b'#' => match self {
                Alphabet::Cpi => true,
                Alphabet::AdiPart => false,
                Alphabet::AdiSerial => index == 0,
            },
            _ => false,
        }
    }
}

/// The 6-bit code of an allowed character.
fn code_of(c: u8) -> u8 {
    c & 0x3F
}

/// The character of a 6-bit code, if the table has one.
fn char_of(code: u8) -> Option<u8> {
    match code {
        1..=26 => Some(0x40 + code),
        0x23 | 0x2D | 0x2F | 0x30..=0x39 => Some(code),
        _ => None,
    }
}

/// Decodes the URI form of a 6-bit field (`min..=max` characters after unescaping).
pub(crate) fn unescape<const N: usize>(
    uri: &str,
    field: &'static str,
    alphabet: Alphabet,
    min: usize,
    max: usize,
) -> Result<String<N>, EpcError> {
    let escaped = |hex: &[u8]| match hex {
        b"2F" | b"2f" => Some(b'/'),
        b"23" => Some(b'#'),
        _ => None,
    };
    let must_escape = |b: u8| match b {
        b'/' => Some("%2F"),
        b'#' => Some("%23"),
        _ => None,
    };
    unescape_with(uri, field, min, max, escaped, must_escape, |c, index| {
        alphabet.allows(c, index)
    })
}

/// Checks a plain (unescaped) 6-bit field value of `min..=max` characters.
pub(crate) fn plain<const N: usize>(
    s: &str,
    field: &'static str,
    alphabet: Alphabet,
    min: usize,
    max: usize,
) -> Result<String<N>, EpcError> {
    checked(s, field, min, max, |index, c| {
        u8::try_from(c).is_ok_and(|b| alphabet.allows(b, index))
    })
}

/// Writes a plain 6-bit field value in its URI form.
pub(crate) struct Escaped6<'a>(pub(crate) &'a str);

impl fmt::Display for Escaped6<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.0.chars() {
            match c {
                '/' => f.write_str("%2F")?,
                '#' => f.write_str("%23")?,
                _ => fmt::Write::write_char(f, c)?,
            }
        }
        Ok(())
    }
}

/// Writes `s` (already checked against its alphabet) as 6-bit codes and the `000000` end.
pub(crate) fn write_6bit(w: &mut BitWriter, s: &str) -> Result<(), EpcError> {
    for b in s.bytes() {
        w.write(u64::from(code_of(b)), 6)?;
    }
    w.write(0, 6)
}

/// Reads 6-bit codes up to the `000000` end: `min..=max` characters of `alphabet`.
pub(crate) fn read_6bit<const N: usize>(
    r: &mut BitReader<'_>,
    field: &'static str,
    alphabet: Alphabet,
    min: usize,
    max: usize,
) -> Result<String<N>, EpcError> {
    let mut out: String<N> = String::new();
    loop {
        // A 6-bit read is below 64, so the cast keeps every bit.
        let code = r.read(6)? as u8;
        if code == 0 {
            break;
        }
        let position = out.len();
        let c = char_of(code)
            .filter(|&c| alphabet.allows(c, position))
            .ok_or(EpcError::BadChar {
                field,
                position,
                found: char::from(char_of(code).unwrap_or(code)),
            })?;
        if position >= max.min(N) {
            return Err(EpcError::BadLength {
                field,
                min,
                max,
                found: position + 1,
            });
        }
        let _ = out.push(char::from(c));
    }
    if out.len() < min {
        return Err(EpcError::BadLength {
            field,
            min,
            max,
            found: out.len(),
        });
    }
    Ok(out)
}

/// The field name of CAGE/DoDAAC codes in errors.
pub(crate) const CAGE: &str = "CAGE/DoDAAC code";

/// Checks a 5-character CAGE code or 6-character DoDAAC: digits and capitals except I and O.
pub(crate) fn cage(s: &str) -> Result<String<6>, EpcError> {
    let bad = s
        .char_indices()
        .find(|&(_, c)| !(c.is_ascii_digit() || c.is_ascii_uppercase()) || c == 'I' || c == 'O');
    if let Some((position, found)) = bad {
        return Err(EpcError::BadChar {
            field: CAGE,
            position,
            found,
        });
    }
    if !(5..=6).contains(&s.len()) {
        return Err(EpcError::BadLength {
            field: CAGE,
            min: 5,
            max: 6,
            found: s.len(),
        });
    }
    String::try_from(s).map_err(|_| EpcError::BadLength {
        field: CAGE,
        min: 5,
        max: 6,
        found: s.len(),
    })
}

/// Writes a CAGE/DoDAAC as six characters of `bits` bits each, a space first for a CAGE code.
pub(crate) fn write_cage(w: &mut BitWriter, code: &str, bits: u32) -> Result<(), EpcError> {
    let mask = (1u64 << bits) - 1;
    if code.len() == 5 {
        w.write(u64::from(b' ') & mask, bits)?;
    }
    code.bytes()
        .try_for_each(|b| w.write(u64::from(b) & mask, bits))
}

/// Reads six characters of `bits` (6 or 8) bits each as a CAGE/DoDAAC; a leading space
/// marks a 5-character CAGE code.
pub(crate) fn read_cage(r: &mut BitReader<'_>, bits: u32) -> Result<String<6>, EpcError> {
    let mut text = [0u8; 6];
    for slot in &mut text {
        // At most 8 bits are read, so the cast keeps every bit.
        let code = r.read(bits)? as u8;
        *slot = if bits == 6 {
            match code {
                0x20 => b' ',
                _ => char_of(code).unwrap_or(code),
            }
        } else {
            code
        };
    }
    let text = match &text {
        [b' ', rest @ ..] => rest,
        all => all.as_slice(),
    };
    match core::str::from_utf8(text) {
        Ok(s) => cage(s),
        Err(_) => Err(EpcError::BadChar {
            field: CAGE,
            position: 0,
            found: char::REPLACEMENT_CHARACTER,
        }),
    }
}
