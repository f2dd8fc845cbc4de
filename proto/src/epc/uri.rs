//! URI syntax shared by the schemes (TDS 2.x §6 and §12): the `urn:epc:` prefixes, splitting a
//! body into its `.`-separated components, and the numeric component grammars.

use core::fmt;

use heapless::String;

use super::EpcError;
use super::error::NAME_CAP;

/// Prefix of pure identity URIs.
pub(crate) const ID_PREFIX: &str = "urn:epc:id:";
/// Prefix of tag URIs.
pub(crate) const TAG_PREFIX: &str = "urn:epc:tag:";
/// Prefix of EPC class URIs.
pub(crate) const CLASS_PREFIX: &str = "urn:epc:class:";

/// Splits `urn:epc:<kind>:<name>:<body>` after `prefix` into the name and the body.
pub(crate) fn split_uri<'a>(
    uri: &'a str,
    prefix: &'static str,
) -> Result<(&'a str, &'a str), EpcError> {
    let rest = uri
        .strip_prefix(prefix)
        .ok_or(EpcError::BadUriPrefix { expected: prefix })?;
    rest.split_once(':')
        .ok_or_else(|| EpcError::UnknownScheme(capped(rest)))
}

/// Splits a URI body into exactly `N` components. With `rest_in_last`, the last component
/// takes everything after the first `N - 1` dots: serials may contain `.` themselves.
pub(crate) fn components<'a, const N: usize>(
    body: &'a str,
    scheme: &'static str,
    rest_in_last: bool,
) -> Result<[&'a str; N], EpcError> {
    let mut out = [""; N];
    let mut found = 0;
    let mut parts = body.splitn(if rest_in_last { N } else { usize::MAX }, '.');
    for part in parts.by_ref() {
        if let Some(slot) = out.get_mut(found) {
            *slot = part;
        }
        found += 1;
    }
    if found == N {
        Ok(out)
    } else {
        Err(EpcError::ComponentCount {
            scheme,
            expected: N,
            found,
        })
    }
}

/// A plain field value: `min..=max` characters, each `allowed` (given its index), copied
/// into a fixed-capacity string.
pub(crate) fn checked<const N: usize>(
    s: &str,
    field: &'static str,
    min: usize,
    max: usize,
    allowed: impl Fn(usize, char) -> bool,
) -> Result<String<N>, EpcError> {
    let bad = s
        .char_indices()
        .enumerate()
        .find(|&(index, (_, c))| !allowed(index, c));
    if let Some((_, (position, found))) = bad {
        return Err(EpcError::BadChar {
            field,
            position,
            found,
        });
    }
    let bad_length = EpcError::BadLength {
        field,
        min,
        max,
        found: s.len(),
    };
    if !(min..=max).contains(&s.len()) {
        return Err(bad_length);
    }
    String::try_from(s).map_err(|_| bad_length)
}

/// A string of `min..=max` digits.
pub(crate) fn digits<const N: usize>(
    s: &str,
    field: &'static str,
    min: usize,
    max: usize,
) -> Result<String<N>, EpcError> {
    checked(s, field, min, max, |_, c| c.is_ascii_digit())
}

/// A numeric component (TDS `NumericComponent`): `0` or digits without a leading zero, as an
/// integer below `2^bits`; `context` names the grammar in errors.
pub(crate) fn number(
    s: &str,
    field: &'static str,
    context: &'static str,
    bits: u8,
) -> Result<u64, EpcError> {
    let value = integer(s, field, context)?;
    if bits < 64 && value >> bits != 0 {
        return Err(EpcError::DoesNotFit {
            field,
            scheme: context,
            bits,
        });
    }
    Ok(value)
}

/// The value of a string of at most 19 digits without leading zero (so it fits a `u64`).
pub(crate) fn integer(
    s: &str,
    field: &'static str,
    context: &'static str,
) -> Result<u64, EpcError> {
    digits::<19>(s, field, 1, 19).map_err(|e| match e {
        EpcError::BadLength { found, .. } if found > 19 => EpcError::DoesNotFit {
            field,
            scheme: context,
            bits: 64,
        },
        other => other,
    })?;
    if s.len() > 1 && s.starts_with('0') {
        return Err(EpcError::LeadingZero { field, context });
    }
    Ok(s.bytes().fold(0u64, |v, d| v * 10 + u64::from(d - b'0')))
}

/// `value` as decimal digits, zero-padded on the left to `width`.
pub(crate) fn decimal<const N: usize>(
    value: u64,
    width: usize,
    field: &'static str,
) -> Result<String<N>, EpcError> {
    let mut out = String::new();
    push_decimal(&mut out, value, width).map_err(|()| EpcError::TooManyDigits {
        field,
        value,
        digits: N as u8,
    })?;
    Ok(out)
}

/// "00" to "99", for two digits at a time.
const DIGIT_PAIRS: &[u8; 200] = b"\
0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// Appends `value` in decimal, left-padded with zeros to `width` digits; `Err` when `out`
/// has no room.
pub(crate) fn push_decimal<const N: usize>(
    out: &mut String<N>,
    value: u64,
    width: usize,
) -> Result<(), ()> {
    // u64::MAX has 20 digits; the buffer starts as zeros so padding comes for free.
    // Two digits per division, as itoa does: decoding a tag is mostly this loop.
    let mut buf = [b'0'; 20];
    let mut v = value;
    let mut start = buf.len();
    while v >= 100 {
        // `v % 100` is below 100.
        let pair = (v % 100) as usize * 2;
        v /= 100;
        start -= 2;
        if let (Some(dst), Some(src)) = (
            buf.get_mut(start..start + 2),
            DIGIT_PAIRS.get(pair..pair + 2),
        ) {
            dst.copy_from_slice(src);
        }
    }
    if v >= 10 {
        let pair = v as usize * 2;
        start -= 2;
        if let (Some(dst), Some(src)) = (
            buf.get_mut(start..start + 2),
            DIGIT_PAIRS.get(pair..pair + 2),
        ) {
            dst.copy_from_slice(src);
        }
    } else {
        start -= 1;
        if let Some(slot) = buf.get_mut(start) {
            // `v` is a single digit here.
            *slot = b'0' + v as u8;
        }
    }
    let start = start.min(buf.len().saturating_sub(width));
    if out.capacity() - out.len() < buf.len() - start {
        return Err(());
    }
    for &digit in buf.get(start..).unwrap_or_default() {
        out.push(char::from(digit)).map_err(|_| ())?;
    }
    Ok(())
}

/// `s` cut to [`NAME_CAP`] characters, for errors that quote an unknown name.
pub(crate) fn capped(s: &str) -> String<NAME_CAP> {
    let mut out = String::new();
    for c in s.chars() {
        if out.push(c).is_err() {
            break;
        }
    }
    out
}

/// Writes a URI to `f` in one piece. It is rendered on the stack first, so `to_string()`
/// allocates once at the exact size instead of growing its buffer piece by piece (the
/// server turns millions of tags into URIs); a URI too long for the stack buffer is
/// written directly.
pub(crate) fn write_whole(
    f: &mut fmt::Formatter<'_>,
    write: impl Fn(&mut dyn fmt::Write) -> fmt::Result,
) -> fmt::Result {
    let mut buf: String<256> = String::new();
    if write(&mut buf).is_ok() {
        f.write_str(&buf)
    } else {
        write(f)
    }
}
