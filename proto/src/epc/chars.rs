//! Character strings of the GS1 schemes: the GS1 AI encodable character set 82 (GS1 General
//! Specifications §7.11, Figure 7.11-1), its URI form with `%`-escapes (TDS 2.x Table A-1), and
//! the 7-bit "String" coding of serials in the long binary schemes (TDS 2.x §14.3.2, §14.4.2).
//!
//! A value held by this crate is always the plain GS1 string (`32a/b`); only URI text carries
//! escapes (`32a%2Fb`). Parsing accepts an escape of any character of set 82 with either case
//! of hex digits, as the TDS `Escape` grammar allows; printing escapes exactly the seven
//! characters that the URI form must escape, with uppercase hex, so every value has one
//! canonical URI.

use core::fmt;

use heapless::String;

use super::EpcError;
use super::bits::{BitReader, BitWriter};
use super::uri::checked;

/// Whether `b` is in GS1 AI encodable character set 82.
pub(crate) fn is_cset82(b: u8) -> bool {
    matches!(b, b'!' | b'"' | b'%'..=b'?' | b'A'..=b'Z' | b'_' | b'a'..=b'z')
}

/// The URI escape of a character of set 82 that may not appear raw in a URI.
fn escape_of(b: u8) -> Option<&'static str> {
    Some(match b {
        b'"' => "%22",
        b'%' => "%25",
        b'&' => "%26",
        b'/' => "%2F",
        b'<' => "%3C",
        b'>' => "%3E",
        b'?' => "%3F",
        _ => return None,
    })
}

/// A plain (unescaped) set-82 value of `min..=max` characters.
pub(crate) fn plain<const N: usize>(
    s: &str,
    field: &'static str,
    min: usize,
    max: usize,
) -> Result<String<N>, EpcError> {
    checked(s, field, min, max, |_, c| {
        u8::try_from(c).is_ok_and(is_cset82)
    })
}

/// Decodes the URI form of a set-82 value (`min..=max` characters after unescaping).
pub(crate) fn unescape<const N: usize>(
    uri: &str,
    field: &'static str,
    min: usize,
    max: usize,
) -> Result<String<N>, EpcError> {
    let escaped = |hex: &[u8]| {
        core::str::from_utf8(hex)
            .ok()
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .filter(|&c| is_cset82(c))
    };
    unescape_with(uri, field, min, max, escaped, escape_of, |c, _| {
        is_cset82(c)
    })
}

/// Decodes a %-escaped URI field of `min..=max` characters: `escaped` decodes the two hex
/// digits after a `%` (`None`: not an escape this field allows), `must_escape` gives the
/// escape of a character that may not appear as it is, and `allowed` says whether a
/// decoded character may stand at a given index.
pub(crate) fn unescape_with<const N: usize>(
    uri: &str,
    field: &'static str,
    min: usize,
    max: usize,
    escaped: impl Fn(&[u8]) -> Option<u8>,
    must_escape: impl Fn(u8) -> Option<&'static str>,
    allowed: impl Fn(u8, usize) -> bool,
) -> Result<String<N>, EpcError> {
    let mut out: String<N> = String::new();
    let mut count = 0usize;
    let bytes = uri.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let (c, width) = if b == b'%' {
            let code = bytes
                .get(i + 1..i + 3)
                .and_then(&escaped)
                .ok_or(EpcError::BadEscape { field, position: i })?;
            (code, 3)
        } else if let Some(escape) = must_escape(b) {
            return Err(EpcError::MustEscape {
                field,
                position: i,
                found: char::from(b),
                escape,
            });
        } else {
            (b, 1)
        };
        if !allowed(c, count) {
            let found = uri.get(i..).and_then(|s| s.chars().next()).unwrap_or('?');
            return Err(EpcError::BadChar {
                field,
                position: i,
                found,
            });
        }
        count += 1;
        // Overflow is reported as a length error below, once every character is counted.
        let _ = out.push(char::from(c));
        i += width;
    }
    if (min..=max.min(N)).contains(&count) {
        Ok(out)
    } else {
        Err(EpcError::BadLength {
            field,
            min,
            max,
            found: count,
        })
    }
}

/// Writes a plain set-82 value in its URI form.
pub(crate) struct Escaped<'a>(pub(crate) &'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_escaped(f, self.0)
    }
}

/// Writes `s` with the characters TDS §5 reserves %-escaped.
pub(crate) fn write_escaped(f: &mut dyn fmt::Write, s: &str) -> fmt::Result {
    // Runs of characters that need no escape are written in one piece.
    let mut run_start = 0;
    for (at, byte) in s.bytes().enumerate() {
        if let Some(escape) = escape_of(byte) {
            f.write_str(s.get(run_start..at).unwrap_or_default())?;
            f.write_str(escape)?;
            run_start = at + 1;
        }
    }
    f.write_str(s.get(run_start..).unwrap_or_default())
}

/// Writes `s` as 7-bit characters, zero-padded to `field_bits`.
pub(crate) fn write_7bit(w: &mut BitWriter, s: &str, field_bits: u32) -> Result<(), EpcError> {
    let used = 7 * s.len() as u32;
    for b in s.bytes() {
        w.write(u64::from(b), 7)?;
    }
    w.zeros(field_bits.saturating_sub(used))
}

/// Reads a 7-bit string of `1..=max` characters from a `field_bits` field: characters end
/// at the first all-zero character, and every bit after it must be zero (so each value has
/// one encoding); only set 82 is allowed.
pub(crate) fn read_7bit<const N: usize>(
    r: &mut BitReader<'_>,
    field_bits: u32,
    max: usize,
    field: &'static str,
) -> Result<String<N>, EpcError> {
    let end = r.pos() + field_bits as usize;
    let mut out: String<N> = String::new();
    let mut count = 0usize;
    while r.pos() + 7 <= end {
        // A 7-bit read is below 128, so the cast keeps every bit.
        let code = r.read(7)? as u8;
        if code == 0 {
            break;
        }
        if !is_cset82(code) {
            return Err(EpcError::BadChar {
                field,
                position: count,
                found: char::from(code),
            });
        }
        // Overflow is reported as a length error below.
        let _ = out.push(char::from(code));
        count += 1;
    }
    if !r.zero_until(end)? {
        return Err(EpcError::Padding { field });
    }
    if (1..=max.min(N)).contains(&count) {
        Ok(out)
    } else {
        Err(EpcError::BadLength {
            field,
            min: 1,
            max,
            found: count,
        })
    }
}
