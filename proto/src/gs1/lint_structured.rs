//! Linters for components with an inner structure: the alphanumeric check character pair
//! (GS1 General Specifications §7.9.5), IBAN (ISO 13616), piece-of-total and position-in-
//! sequence counters, and the North American coupon codes of AI (8110) and AI (8112).

use super::dictionary::CSET82;
use super::lint::{LintError, date, malformed, snippet};
use super::lint_codes::CodeList;
use crate::gs1::dictionary::Charset;

/// Check characters of the alphanumeric check pair, in value order.
const CSET32: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

/// The `n`-th prime, 0-based, by trial division: values are at most 90 characters long.
fn nth_prime(n: usize) -> u32 {
    (2u32..)
        .filter(|&p| (2..p).take_while(|d| d * d <= p).all(|d| p % d != 0))
        .nth(n)
        .unwrap_or(u32::MAX)
}

/// `csumalpha`: the last two characters are the check pair of the characters before them.
pub(super) fn csum_alpha(data: &str) -> Result<(), LintError> {
    let Some(split) = data.len().checked_sub(2) else {
        return Err(LintError::TooShort {
            min: 2,
            found: data.len(),
        });
    };
    let (body, pair) = data
        .split_at_checked(split)
        .ok_or(malformed(0, "not ASCII"))?;
    let mut sum: u32 = 0;
    for (from_right, (position, c)) in body.char_indices().rev().enumerate() {
        let value = CSET82.find(c).ok_or(LintError::BadCharacter {
            position,
            found: c,
            charset: Charset::Cset82,
        })?;
        let weighted = (value as u32).wrapping_mul(nth_prime(from_right) % 1021);
        sum = (sum + weighted % 1021) % 1021;
    }
    let hi = CSET32.get((sum >> 5) as usize).copied().unwrap_or(b'?');
    let lo = CSET32.get((sum & 31) as usize).copied().unwrap_or(b'?');
    if pair.as_bytes() == [hi, lo] {
        return Ok(());
    }
    Err(LintError::BadCheckPair {
        position: split,
        expected: [char::from(hi), char::from(lo)].into_iter().collect(),
        found: snippet(pair),
    })
}

/// `iban`: ISO 13616 structure and mod-97 check digits.
pub(super) fn iban(data: &str) -> Result<(), LintError> {
    if !CodeList::Iso3166Alpha2.contains(data.get(..2).unwrap_or(data)) {
        return Err(LintError::NotInList {
            position: 0,
            list: CodeList::Iso3166Alpha2,
            found: snippet(data.get(..2).unwrap_or(data)),
        });
    }
    if data.len() <= 10 {
        return Err(LintError::TooShort {
            min: 11,
            found: data.len(),
        });
    }
    let (head, tail) = data.split_at_checked(4).ok_or(malformed(0, "not ASCII"))?;
    let mut remainder: u32 = 0;
    let rotated = tail.char_indices().map(|(i, c)| (i + 4, c));
    for (position, c) in rotated.chain(head.char_indices()) {
        let value =
            c.to_digit(36)
                .filter(|_| !c.is_ascii_lowercase())
                .ok_or(LintError::BadCharacter {
                    position,
                    found: c,
                    charset: Charset::Cset39,
                })?;
        remainder = (remainder * if value < 10 { 10 } else { 100 } + value) % 97;
    }
    if remainder == 1 {
        Ok(())
    } else {
        Err(malformed(2, "IBAN check digits do not match"))
    }
}

/// `pieceoftotal`: `PP…TT…` of equal width, neither zero, piece not above total.
pub(super) fn piece_of_total(data: &str) -> Result<(), LintError> {
    Charset::Numeric.check(data)?;
    if data.is_empty() || !data.len().is_multiple_of(2) {
        return Err(malformed(0, "piece and total must have the same width"));
    }
    let (piece, total) = data.split_at(data.len() / 2);
    if piece.bytes().all(|b| b == b'0') {
        return Err(malformed(0, "piece number must not be zero"));
    }
    if total.bytes().all(|b| b == b'0') {
        return Err(malformed(
            piece.len(),
            "total number of pieces must not be zero",
        ));
    }
    if piece > total {
        return Err(malformed(0, "piece number exceeds the total"));
    }
    Ok(())
}

/// `posinseqslash`: `<position>/<end>`, both without leading zero, position not above end.
pub(super) fn position_in_sequence(data: &str) -> Result<(), LintError> {
    let Some((position, end)) = data.split_once('/') else {
        return Err(malformed(0, "expected <position>/<end>"));
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(position) || !digits(end) {
        return Err(malformed(0, "expected <position>/<end>"));
    }
    if position.starts_with('0') {
        return Err(malformed(0, "position must not start with zero"));
    }
    if end.starts_with('0') {
        return Err(malformed(
            position.len() + 1,
            "end must not start with zero",
        ));
    }
    if (position.len(), position) > (end.len(), end) {
        return Err(malformed(0, "position exceeds the end of the sequence"));
    }
    Ok(())
}

/// Reads the digit fields of a coupon code.
struct Fields<'a> {
    data: &'a str,
    pos: usize,
}

impl<'a> Fields<'a> {
    fn digit(&mut self, missing: &'static str) -> Result<u8, LintError> {
        let d = self
            .data
            .as_bytes()
            .get(self.pos)
            .map(|b| b.wrapping_sub(b'0'))
            .ok_or(malformed(self.pos, missing))?;
        self.pos += 1;
        Ok(d)
    }

    fn digit_in(
        &mut self,
        allowed: &[u8],
        missing: &'static str,
        invalid: &'static str,
    ) -> Result<u8, LintError> {
        let d = self.digit(missing)?;
        if allowed.contains(&d) {
            Ok(d)
        } else {
            Err(malformed(self.pos - 1, invalid))
        }
    }

    fn take(&mut self, len: usize, truncated: &'static str) -> Result<&'a str, LintError> {
        let field = self
            .data
            .get(self.pos..self.pos.saturating_add(len))
            .ok_or(malformed(self.pos, truncated))?;
        self.pos += len;
        Ok(field)
    }

    /// Consumes the optional-field marker `marker` if it comes next.
    fn marker(&mut self, marker: u8) -> bool {
        let found = self.data.as_bytes().get(self.pos) == Some(&(b'0' + marker));
        self.pos += usize::from(found);
        found
    }

    /// A GS1 Company Prefix after its length indicator (`0`–`6` → 6–12 digits; `9`: none).
    /// Being all digits and at least six long, it passes `gcppos1` by construction.
    fn gcp(&mut self, allowed: &[u8], what: &'static str) -> Result<(), LintError> {
        let vli = self.digit_in(allowed, what, what)?;
        let len = if vli == 9 { 0 } else { usize::from(vli) + 6 };
        self.take(len, what)?;
        Ok(())
    }

    /// A purchase requirement: length indicator `1`–`5`, value, code, 3-digit family code.
    fn purchase(&mut self) -> Result<(), LintError> {
        let vli = self.digit_in(
            &[1, 2, 3, 4, 5],
            "missing purchase requirement length",
            "purchase requirement length must be 1-5",
        )?;
        self.take(usize::from(vli), "truncated purchase requirement")?;
        self.digit_in(
            &[0, 1, 2, 3, 4, 9],
            "missing purchase requirement code",
            "invalid purchase requirement code",
        )?;
        self.take(3, "truncated purchase family code")?;
        Ok(())
    }

    fn date(&mut self, what: &'static str) -> Result<&'a str, LintError> {
        let start = self.pos;
        let d = self.take(6, what)?;
        date(d, 2, false).map_err(|_| malformed(start, what))?;
        Ok(d)
    }

    fn end(&self) -> Result<(), LintError> {
        if self.pos < self.data.len() {
            return Err(malformed(self.pos, "excess data"));
        }
        Ok(())
    }
}

/// `couponcode`: the North American Coupon Code of AI (8110).
pub(super) fn coupon_code(data: &str) -> Result<(), LintError> {
    Charset::Numeric.check(data)?;
    let mut f = Fields { data, pos: 0 };
    f.gcp(
        &[0, 1, 2, 3, 4, 5, 6],
        "invalid or truncated GS1 Company Prefix",
    )?;
    f.take(6, "truncated offer code")?;
    let vli = f.digit_in(
        &[1, 2, 3, 4, 5],
        "missing save value length",
        "save value length must be 1-5",
    )?;
    f.take(usize::from(vli), "truncated save value")?;
    f.purchase()?;
    if f.marker(1) {
        f.digit_in(
            &[0, 1, 2, 3],
            "missing additional purchase rules code",
            "invalid additional purchase rules code",
        )?;
        f.purchase()?;
        f.gcp(
            &[0, 1, 2, 3, 4, 5, 6, 9],
            "invalid or truncated 2nd purchase GCP",
        )?;
    }
    if f.marker(2) {
        f.purchase()?;
        f.gcp(
            &[0, 1, 2, 3, 4, 5, 6, 9],
            "invalid or truncated 3rd purchase GCP",
        )?;
    }
    let expiry = if f.marker(3) {
        Some(f.date("invalid expiration date")?)
    } else {
        None
    };
    if f.marker(4) {
        let start = f.pos;
        let begins = f.date("invalid start date")?;
        if expiry.is_some_and(|e| begins > e) {
            return Err(malformed(start, "expiration date precedes start date"));
        }
    }
    if f.marker(5) {
        let vli = f.digit("missing serial number length")?;
        f.take(usize::from(vli) + 6, "truncated serial number")?;
    }
    if f.marker(6) {
        f.gcp(
            &[1, 2, 3, 4, 5, 6, 7],
            "invalid or truncated retailer GCP/GLN",
        )?;
    }
    if f.marker(9) {
        f.digit_in(
            &[0, 1, 2, 5, 6],
            "missing save value code",
            "invalid save value code",
        )?;
        f.digit_in(
            &[0, 1, 2],
            "missing save value applies-to-item",
            "invalid save value applies-to-item",
        )?;
        f.digit("missing store coupon flag")?;
        f.digit_in(
            &[0, 1],
            "missing don't-multiply flag",
            "invalid don't-multiply flag",
        )?;
    }
    f.end()
}

/// `couponposoffer`: the positive offer file coupon code of AI (8112).
pub(super) fn coupon_positive_offer(data: &str) -> Result<(), LintError> {
    Charset::Numeric.check(data)?;
    let mut f = Fields { data, pos: 0 };
    f.digit_in(&[0, 1], "missing format code", "format code must be 0 or 1")?;
    let vli = f.digit_in(
        &[0, 1, 2, 3, 4, 5, 6],
        "missing funder ID length",
        "funder ID length must be 0-6",
    )?;
    f.take(usize::from(vli) + 6, "truncated funder ID")?;
    f.take(6, "truncated offer code")?;
    let vli = f.digit("missing serial number length")?;
    f.take(usize::from(vli) + 6, "truncated serial number")?;
    f.end()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_pairs() {
        for ok in [
            "22",
            "1987654Ad4X4bL5ttr2310c2K",
            "12345678901234567890123NT",
            "00000!HV",
        ] {
            assert_eq!(csum_alpha(ok), Ok(()), "{ok}");
        }
        assert!(csum_alpha("1987654Ad4X4bL5ttr2310cXK").is_err());
    }

    #[test]
    fn ibans() {
        assert_eq!(iban("DE91100000000123456789"), Ok(()));
        assert_eq!(iban("GB98MIDL07009312345678"), Ok(()));
        assert!(iban("BE71096123456760").is_err());
        assert!(iban("XX361234567890").is_err());
    }

    #[test]
    fn counters() {
        assert_eq!(piece_of_total("0203"), Ok(()));
        assert!(piece_of_total("0302").is_err());
        assert_eq!(position_in_sequence("9/10"), Ok(()));
        assert!(position_in_sequence("10/9").is_err());
        assert!(position_in_sequence("01/2").is_err());
    }

    #[test]
    fn coupons() {
        assert_eq!(coupon_code("012345612345611110123"), Ok(()));
        assert!(coupon_code("71234567890123").is_err());
        assert!(coupon_code("0123456123456111101234").is_err());
        assert_eq!(coupon_positive_offer("001234561234560123456"), Ok(()));
        assert_eq!(
            coupon_positive_offer("061234567890121234569123456789012345"),
            Ok(())
        );
        assert!(coupon_positive_offer("0012345612345601234567").is_err());
    }
}
