//! The check digit of a 4- or 5-digit price or weight field inside a variable measure
//! Restricted Circulation Number (GS1 General Specifications §7.9.3, §7.9.4). It uses the
//! weighting factors 2-, 3, 5+ and 5-, unlike the modulo-10 check digit of GS1 keys.

/// Why a price check digit could not be computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PriceCheckDigitError {
    /// The field is not 4 or 5 characters long.
    #[error("price field has {found} digits, expected 4 or 5")]
    WrongLength {
        /// The length found.
        found: usize,
    },
    /// A character that is not a digit.
    #[error("character {found:?} at position {position} is not a digit")]
    NotDigit {
        /// 0-based position.
        position: usize,
        /// The character.
        found: char,
    },
}

/// Weighting factor "2-": units digit of `2d` minus its tens digit, modulo 10.
fn two_minus(d: u32) -> u32 {
    (d * 2 % 10 + 10 - d * 2 / 10) % 10
}

/// Weighting factor "3": units digit of `3d`.
fn three(d: u32) -> u32 {
    d * 3 % 10
}

/// Weighting factor "5+": units digit of `5d` plus its tens digit, modulo 10.
fn five_plus(d: u32) -> u32 {
    (d * 5 % 10 + d * 5 / 10) % 10
}

/// Weighting factor "5-": units digit of `5d` minus its tens digit, modulo 10.
fn five_minus(d: u32) -> u32 {
    (d * 5 % 10 + 10 - d * 5 / 10) % 10
}

/// Computes the check digit of a 4- or 5-digit price (or weight) field.
pub fn compute(price: &str) -> Result<u8, PriceCheckDigitError> {
    let mut digits = [0u32; 5];
    let mut len = 0;
    for (position, c) in price.char_indices() {
        let d = c
            .to_digit(10)
            .ok_or(PriceCheckDigitError::NotDigit { position, found: c })?;
        *digits
            .get_mut(len)
            .ok_or(PriceCheckDigitError::WrongLength {
                found: price.chars().count(),
            })? = d;
        len += 1;
    }
    let check = match (len, digits) {
        (4, [a, b, c, d, _]) => (two_minus(a) + two_minus(b) + three(c) + five_minus(d)) * 3 % 10,
        (5, [a, b, c, d, e]) => {
            let sum = five_plus(a) + two_minus(b) + five_minus(c) + five_plus(d) + two_minus(e);
            let target = (10 - sum % 10) % 10;
            (0..10).find(|&x| five_minus(x) == target).unwrap_or(0)
        }
        _ => return Err(PriceCheckDigitError::WrongLength { found: len }),
    };
    // `check` is below 10.
    Ok(check as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn general_specifications_examples() {
        assert_eq!(compute("2875"), Ok(9));
        assert_eq!(compute("14685"), Ok(6));
        assert_eq!(
            compute("123"),
            Err(PriceCheckDigitError::WrongLength { found: 3 })
        );
        assert_eq!(
            compute("123456"),
            Err(PriceCheckDigitError::WrongLength { found: 6 })
        );
        assert!(compute("12a4").is_err());
    }
}
