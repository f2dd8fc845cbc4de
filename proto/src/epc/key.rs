//! A GS1 Company Prefix with the numeric reference that follows it inside a GS1 key, and the
//! partition tables that split the two in the binary schemes (TDS 2.x §14.2 Tables 14-2 to
//! 14-14, "Partition Table" coding method §14.3.3, §14.4.3).
//!
//! The partition value P (0–6) gives a company prefix of 12 − P digits in `GCP_BITS[P]` bits;
//! the reference gets the remaining bits of the scheme's fixed total and the remaining digits
//! of its fixed digit count. GRAI is the one scheme whose bit total (44, as SGTIN) does not
//! follow from its digit total (12, as SGLN), which is why both totals are parameters.

use core::fmt;

use heapless::String;

use super::EpcError;
use super::bits::{BitReader, BitWriter};
use super::uri::{decimal, digits, push_decimal};
use crate::check_digit;

/// Company prefix bits for partition values 0 to 6.
const GCP_BITS: [u32; 7] = [40, 37, 34, 30, 27, 24, 20];

/// Field name of the company prefix in errors.
pub(crate) const GCP: &str = "company prefix";

/// The bits and digits of the company prefix and reference in one scheme.
#[derive(Clone, Copy)]
pub(crate) struct Layout {
    /// Bits of company prefix plus reference.
    pub(crate) bits: u32,
    /// Digits of company prefix plus reference.
    pub(crate) digits: usize,
    /// Field name of the reference in errors.
    pub(crate) field: &'static str,
}

/// Checks a company prefix length and returns its partition value.
pub(crate) fn partition_of(gcp_len: usize) -> Result<u8, EpcError> {
    match gcp_len {
        // 12 − len is at most 6.
        6..=12 => Ok((12 - gcp_len) as u8),
        found => Err(EpcError::CompanyPrefixLength { found }),
    }
}

/// Checks the digits of a company prefix (6 to 12 of them).
pub(crate) fn parse_gcp(s: &str) -> Result<String<12>, EpcError> {
    digits(s, GCP, 6, 12).map_err(|e| match e {
        EpcError::BadLength { found, .. } => EpcError::CompanyPrefixLength { found },
        other => other,
    })
}

/// Bits of the company prefix for a partition value (`None` for 7).
fn gcp_bits(partition: u8) -> Option<u32> {
    GCP_BITS.get(usize::from(partition)).copied()
}

/// Writes the partition value and the company prefix; returns the company prefix bits.
pub(crate) fn write_gcp(w: &mut BitWriter, gcp: &str) -> Result<u32, EpcError> {
    let partition = partition_of(gcp.len())?;
    let bits = gcp_bits(partition).unwrap_or(0);
    w.write(u64::from(partition), 3)?;
    w.write(value(gcp), bits)?;
    Ok(bits)
}

/// Reads the partition value and the company prefix; returns it with its bits.
pub(crate) fn read_gcp(
    r: &mut BitReader<'_>,
    scheme: &'static str,
) -> Result<(String<12>, u32), EpcError> {
    let mut gcp = String::new();
    let bits = read_gcp_into(r, scheme, &mut gcp)?;
    Ok((gcp, bits))
}

/// Reads partition and company prefix, appending the prefix's digits to `out`; returns the
/// prefix's bit count.
fn read_gcp_into<const N: usize>(
    r: &mut BitReader<'_>,
    scheme: &'static str,
    out: &mut String<N>,
) -> Result<u32, EpcError> {
    // A 3-bit read is below 8.
    let partition = r.read(3)? as u8;
    let bits = gcp_bits(partition).ok_or(EpcError::BadPartition { scheme, partition })?;
    let len = 12 - usize::from(partition);
    let value = read_bounded(r, bits, len, GCP)?;
    push_decimal(out, value, len).map_err(|()| too_many_digits(GCP, value, N))?;
    Ok(bits)
}

fn too_many_digits(field: &'static str, value: u64, digits: usize) -> EpcError {
    EpcError::TooManyDigits {
        field,
        value,
        digits: digits as u8,
    }
}

/// Reads `bits` bits as a decimal of exactly `len` digits (leading zeros kept).
pub(crate) fn read_padded<const N: usize>(
    r: &mut BitReader<'_>,
    bits: u32,
    len: usize,
    field: &'static str,
) -> Result<String<N>, EpcError> {
    let v = read_bounded(r, bits, len, field)?;
    if len == 0 {
        return Ok(String::new());
    }
    decimal(v, len, field)
}

/// 10^n for n = 0..=19 (10^20 exceeds u64).
const POW10: [u64; 20] = {
    let mut table = [1u64; 20];
    let mut i = 1;
    while i < 20 {
        table[i] = table[i - 1] * 10;
        i += 1;
    }
    table
};

/// Reads `bits` bits as an integer of at most `len` decimal digits.
fn read_bounded(
    r: &mut BitReader<'_>,
    bits: u32,
    len: usize,
    field: &'static str,
) -> Result<u64, EpcError> {
    let v = r.read(bits)?;
    if POW10.get(len).is_some_and(|&limit| v >= limit) {
        return Err(EpcError::TooManyDigits {
            field,
            value: v,
            digits: len as u8,
        });
    }
    Ok(v)
}

/// The value of a string of validated digits (at most 19).
pub(crate) fn value(digits: &str) -> u64 {
    digits.bytes().fold(0u64, |v, d| {
        v.wrapping_mul(10)
            .wrapping_add(u64::from(d.wrapping_sub(b'0')))
    })
}

/// A GS1 Company Prefix and the reference digits after it (at most 17 digits together).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Key {
    digits: String<17>,
    gcp_len: u8,
}

impl Key {
    /// The company prefix.
    pub(crate) fn gcp(&self) -> &str {
        self.digits.get(..usize::from(self.gcp_len)).unwrap_or("")
    }

    /// The reference.
    pub(crate) fn reference(&self) -> &str {
        self.digits.get(usize::from(self.gcp_len)..).unwrap_or("")
    }

    /// Builds a key from its two URI components.
    pub(crate) fn new(gcp: &str, reference: &str, layout: Layout) -> Result<Key, EpcError> {
        let gcp = parse_gcp(gcp)?;
        let len = layout.digits - gcp.len();
        let reference: String<17> = digits(reference, layout.field, len, len)?;
        let mut all = String::new();
        // Both parts are digits and together `layout.digits` (at most 17) long.
        let _ = all.push_str(&gcp);
        let _ = all.push_str(&reference);
        Ok(Key {
            digits: all,
            gcp_len: gcp.len() as u8,
        })
    }

    /// Writes partition, company prefix and reference.
    pub(crate) fn write(&self, w: &mut BitWriter, layout: Layout) -> Result<(), EpcError> {
        let gcp_bits = write_gcp(w, self.gcp())?;
        w.write(value(self.reference()), layout.bits - gcp_bits)
    }

    /// Reads partition, company prefix and reference.
    pub(crate) fn read(
        r: &mut BitReader<'_>,
        scheme: &'static str,
        layout: Layout,
    ) -> Result<Key, EpcError> {
        // Decoded straight into the key's digits: the partition table bounds both parts,
        // so the checks of `Key::new` on URI text are not needed here.
        let mut digits = String::new();
        let gcp_bits = read_gcp_into(r, scheme, &mut digits)?;
        let gcp_len = digits.len();
        let len = layout.digits.saturating_sub(gcp_len);
        let reference = read_bounded(r, layout.bits - gcp_bits, len, layout.field)?;
        // A 12-digit company prefix can leave no reference digits at all (SGLN, GRAI).
        if len > 0 {
            push_decimal(&mut digits, reference, len)
                .map_err(|()| too_many_digits(layout.field, reference, len))?;
        }
        Ok(Key {
            digits,
            gcp_len: gcp_len as u8,
        })
    }

    /// The GS1 key with its check digit. With `lead`, the first reference digit (GTIN
    /// indicator, SSCC extension digit) goes in front of the company prefix (TDS §7).
    pub(crate) fn gs1(&self, ai: &'static str, lead: bool) -> Result<String<18>, EpcError> {
        let mut out: String<18> = String::new();
        let (first, rest) = match self.reference().split_at_checked(1) {
            Some((first, rest)) if lead => (first, rest),
            _ => ("", self.reference()),
        };
        for part in [first, self.gcp(), rest] {
            let _ = out.push_str(part);
        }
        let check =
            check_digit::digit_char(&out).map_err(|source| EpcError::CheckDigit { ai, source })?;
        let _ = out.push(check);
        Ok(out)
    }

    /// The key inside GS1 key digits `key` (check digit last, verified) for a company prefix
    /// of `gcp_len` digits; `lead` as in [`Key::gs1`].
    pub(crate) fn from_gs1(
        key: &str,
        ai: &'static str,
        gcp_len: u8,
        lead: bool,
        layout: Layout,
    ) -> Result<Key, EpcError> {
        let field = ai_field(ai);
        let key: String<18> = digits(key, field, layout.digits + 1, layout.digits + 1)?;
        check_digit::verify(&key).map_err(|source| EpcError::CheckDigit { ai, source })?;
        let gcp_len = usize::from(gcp_len);
        partition_of(gcp_len)?;
        let body = key.get(..layout.digits).unwrap_or("");
        let (first, body) = if lead {
            body.split_at_checked(1).unwrap_or(("", body))
        } else {
            ("", body)
        };
        let (gcp, rest) = body.split_at_checked(gcp_len).unwrap_or((body, ""));
        let mut reference: String<17> = String::new();
        let _ = reference.push_str(first);
        let _ = reference.push_str(rest);
        Key::new(gcp, &reference, layout)
    }
}

impl Key {
    /// Writes `<company prefix>.<reference>`.
    pub(crate) fn write_to(&self, f: &mut dyn fmt::Write) -> fmt::Result {
        f.write_str(self.gcp())?;
        f.write_char('.')?;
        f.write_str(self.reference())
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_to(f)
    }
}

/// The field name for an AI's value in errors, e.g. `AI (01)`.
pub(crate) fn ai_field(ai: &'static str) -> &'static str {
    match ai {
        "00" => "AI (00)",
        "01" => "AI (01)",
        "253" => "AI (253)",
        "255" => "AI (255)",
        "414" => "AI (414)",
        "8003" => "AI (8003)",
        "8004" => "AI (8004)",
        "8006" => "AI (8006)",
        "8010" => "AI (8010)",
        "8011" => "AI (8011)",
        "8017" => "AI (8017)",
        "8018" => "AI (8018)",
        "10" => "AI (10)",
        "21" => "AI (21)",
        "254" => "AI (254)",
        _ => "AI value",
    }
}
