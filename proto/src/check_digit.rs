//! The GS1 modulo-10 check digit (GS1 General Specifications §7.9), used by GTIN, SSCC,
//! GLN, GRAI, GSRN, GDTI, GSIN and the other numeric keys.

/// Why a check digit could not be computed or did not match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CheckDigitError {
    /// The value has no digits to compute over.
    #[error("empty value: a check digit needs at least one digit")]
    Empty,
    /// A character that is not `0`–`9`, at a 0-based character position.
    #[error("character {found:?} at position {position} is not a digit")]
    NotDigit {
        /// 0-based byte offset of the offending character.
        position: usize,
        /// The character found there.
        found: char,
    },
    /// The last digit is not the check digit of the digits before it.
    #[error("bad check digit at position {position}: expected {expected}, found {found}")]
    Mismatch {
        /// 0-based byte offset of the check digit.
        position: usize,
        /// The check digit computed from the preceding digits.
        expected: u8,
        /// The digit found.
        found: u8,
    },
}

/// Computes the check digit for `payload` (all digits, check digit not included).
///
/// Weights alternate 3, 1, 3, … starting from the rightmost payload digit.
pub fn compute(payload: &str) -> Result<u8, CheckDigitError> {
    if payload.is_empty() {
        return Err(CheckDigitError::Empty);
    }
    let mut sum: u32 = 0;
    for (from_right, (position, c)) in payload.char_indices().rev().enumerate() {
        let digit = c
            .to_digit(10)
            .ok_or(CheckDigitError::NotDigit { position, found: c })?;
        sum += if from_right % 2 == 0 {
            3 * digit
        } else {
            digit
        };
    }
    // `sum % 10` is below 10, so the cast cannot truncate.
    Ok(((10 - sum % 10) % 10) as u8)
}

/// Verifies that the last digit of `value` is the check digit of the digits before it.
pub fn verify(value: &str) -> Result<(), CheckDigitError> {
    let Some((position, last)) = value.char_indices().next_back() else {
        return Err(CheckDigitError::Empty);
    };
    let found = last.to_digit(10).ok_or(CheckDigitError::NotDigit {
        position,
        found: last,
    })? as u8;
    if position == 0 {
        return Err(CheckDigitError::Empty);
    }
    let expected = compute(&value[..position])?;
    if expected == found {
        Ok(())
    } else {
        Err(CheckDigitError::Mismatch {
            position,
            expected,
            found,
        })
    }
}

/// Appends the check digit of `payload` as an ASCII digit.
pub fn digit_char(payload: &str) -> Result<char, CheckDigitError> {
    compute(payload).map(|d| char::from(b'0' + d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_keys() {
        // GTIN-13 5901234123457 and GTIN-14 from the GS1 General Specifications examples.
        assert_eq!(compute("590123412345"), Ok(7));
        assert_eq!(verify("5901234123457"), Ok(()));
        assert_eq!(verify("00614141123452"), Ok(()));
        // SSCC 106141412345678908.
        assert_eq!(verify("106141412345678908"), Ok(()));
    }

    #[test]
    fn mismatch_names_position() {
        assert_eq!(
            verify("5901234123458"),
            Err(CheckDigitError::Mismatch {
                position: 12,
                expected: 7,
                found: 8
            })
        );
    }

    #[test]
    fn rejects_non_digits() {
        assert_eq!(
            compute("12a4"),
            Err(CheckDigitError::NotDigit {
                position: 2,
                found: 'a'
            })
        );
        assert_eq!(verify("7"), Err(CheckDigitError::Empty));
        assert_eq!(verify(""), Err(CheckDigitError::Empty));
    }
}
