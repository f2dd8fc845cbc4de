//! The 20-digit Chinese drug traceability code (药品追溯码), printed as a barcode on every
//! sales pack of a medicine sold in China.
//!
//! The code is a 7-digit product code (药品标识码: the drug, its maker and its package
//! specification) followed by 13 digits that number the pack. No check algorithm is public,
//! so only the length and the digits can be verified. Inside rfid-trace the pack is named
//! `urn:rfid-trace:cn-drug:<20 digits>` and its product `urn:rfid-trace:cn-drug-product:<7
//! digits>`.

use core::fmt;
use core::str::FromStr;

/// URI prefix of one pack.
pub const URI_PREFIX: &str = "urn:rfid-trace:cn-drug:";
/// URI prefix of a product (all packs sharing the 7-digit product code).
pub const PRODUCT_URI_PREFIX: &str = "urn:rfid-trace:cn-drug-product:";

/// Why a string is not a drug traceability code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CnDrugError {
    /// Not 20 characters long.
    #[error("a drug traceability code has 20 digits, got {0}")]
    Length(usize),
    /// A character that is not a digit.
    #[error(
        "character {found:?} at position {position} of the drug traceability code is not a digit"
    )]
    NotDigit {
        /// 0-based position.
        position: usize,
        /// The character found.
        found: char,
    },
    /// A URI that is not `urn:rfid-trace:cn-drug:…`.
    #[error("not a drug traceability code URI: expected it to start with {URI_PREFIX}")]
    NotDrugUri,
}

/// One pack's 20-digit traceability code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CnDrugCode([u8; 20]);

impl CnDrugCode {
    /// Parses the 20 digits as printed (no spaces or separators).
    pub fn parse(code: &str) -> Result<Self, CnDrugError> {
        let count = code.chars().count();
        if count != 20 {
            return Err(CnDrugError::Length(count));
        }
        let mut digits = [0u8; 20];
        for ((position, found), slot) in code.chars().enumerate().zip(digits.iter_mut()) {
            if !found.is_ascii_digit() {
                return Err(CnDrugError::NotDigit { position, found });
            }
            // ASCII digits are single bytes.
            *slot = found as u8;
        }
        Ok(Self(digits))
    }

    /// Parses `urn:rfid-trace:cn-drug:<20 digits>`.
    pub fn parse_uri(uri: &str) -> Result<Self, CnDrugError> {
        Self::parse(
            uri.strip_prefix(URI_PREFIX)
                .ok_or(CnDrugError::NotDrugUri)?,
        )
    }

    /// The 20 digits.
    pub fn as_str(&self) -> &str {
        // Only ASCII digits are ever stored.
        core::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The 7-digit product code.
    pub fn product_code(&self) -> &str {
        self.as_str().get(..7).unwrap_or_default()
    }

    /// The 13 digits that number the pack.
    pub fn pack_number(&self) -> &str {
        self.as_str().get(7..).unwrap_or_default()
    }

    /// The product's URI, `urn:rfid-trace:cn-drug-product:<7 digits>`.
    pub fn product_uri(&self) -> impl fmt::Display + '_ {
        ProductUri(self.product_code())
    }
}

struct ProductUri<'a>(&'a str);

impl fmt::Display for ProductUri<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{PRODUCT_URI_PREFIX}{}", self.0)
    }
}

/// The canonical URI, `urn:rfid-trace:cn-drug:<20 digits>`.
impl fmt::Display for CnDrugCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{URI_PREFIX}{}", self.as_str())
    }
}

impl FromStr for CnDrugCode {
    type Err = CnDrugError;
    /// Accepts the bare 20 digits or the URI.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.starts_with(URI_PREFIX) {
            Self::parse_uri(s)
        } else {
            Self::parse(s)
        }
    }
}

#[cfg(feature = "serde")]
crate::serde_str::serde_as_str! {
    CnDrugCode => "a 20-digit drug traceability code or its URI (urn:rfid-trace:cn-drug:…)",
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::ToString;

    #[test]
    fn splits_product_and_pack() {
        let code = CnDrugCode::parse("81234560012345678901").unwrap();
        assert_eq!(code.product_code(), "8123456");
        assert_eq!(code.pack_number(), "0012345678901");
        assert_eq!(
            code.to_string(),
            "urn:rfid-trace:cn-drug:81234560012345678901"
        );
        assert_eq!(
            code.product_uri().to_string(),
            "urn:rfid-trace:cn-drug-product:8123456"
        );
        assert_eq!(code.to_string().parse(), Ok(code));
    }

    #[test]
    fn errors_name_the_problem() {
        assert_eq!(
            CnDrugCode::parse("8123456001234567890"),
            Err(CnDrugError::Length(19))
        );
        assert_eq!(
            CnDrugCode::parse("8123456001234567890X"),
            Err(CnDrugError::NotDigit {
                position: 19,
                found: 'X'
            })
        );
        assert_eq!(
            CnDrugCode::parse("８1234560012345678901"),
            Err(CnDrugError::NotDigit {
                position: 0,
                found: '８'
            })
        );
        assert_eq!(
            CnDrugCode::parse_uri("urn:rfid-trace:uid:em4100:00"),
            Err(CnDrugError::NotDrugUri)
        );
    }
}
