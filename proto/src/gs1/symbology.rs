//! Scanner data: what a barcode reader transmits, optionally prefixed by an AIM symbology
//! identifier (ISO/IEC 15424; GS1 General Specifications §5.1.2): `]C1` GS1-128, `]e0` GS1
//! DataBar, `]d2` GS1 DataMatrix, `]Q3` GS1 QR Code, `]J1` GS1 DotCode carry element strings
//! with FNC1 as GS; `]E0`/`]E4` EAN-13 (UPC-A, UPC-E)/EAN-8 and `]I1` ITF-14 carry a bare
//! GTIN; QR Code and DataMatrix may carry a GS1 Digital Link URI.
//!
//! Without an identifier the data is read as a GS1 Digital Link URI, a GTIN-8/12/13/14 or
//! SSCC with a valid check digit, an element string, or a 6-digit UPC-E, in that order.

use core::fmt;

use super::digital_link::{DigitalLink, DigitalLinkError};
use super::element::Value;
use super::element_string::{ElementString, ElementStringError, ParseOptions};
use super::lint::{Snippet, snippet};
use crate::check_digit;

/// The symbologies this parser understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Symbology {
    /// GS1-128 (`]C1`).
    Gs1Code128,
    /// GS1 DataBar (`]e0`).
    Gs1DataBar,
    /// GS1 DataMatrix (`]d2`).
    Gs1DataMatrix,
    /// GS1 QR Code (`]Q3`).
    Gs1Qr,
    /// GS1 DotCode (`]J1`).
    Gs1DotCode,
    /// EAN-13, UPC-A or UPC-E (`]E0`).
    Ean13,
    /// EAN-8 (`]E4`).
    Ean8,
    /// ITF-14 (`]I1`).
    Itf14,
    /// DataMatrix without FNC1 (`]d1`), e.g. carrying a Digital Link URI.
    DataMatrix,
    /// QR Code without FNC1 (`]Q1`), e.g. carrying a Digital Link URI.
    Qr,
}

/// An AIM symbology identifier, `]` followed by a code character and a modifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SymbologyId {
    code: char,
    modifier: char,
}

impl SymbologyId {
    /// The symbology, if this parser supports the identifier.
    pub fn symbology(&self) -> Option<Symbology> {
        Some(match (self.code, self.modifier) {
            ('C', '1') => Symbology::Gs1Code128,
            ('e', '0') => Symbology::Gs1DataBar,
            ('d', '2') => Symbology::Gs1DataMatrix,
            ('Q', '3') => Symbology::Gs1Qr,
            ('J', '1') => Symbology::Gs1DotCode,
            ('E', '0') => Symbology::Ean13,
            ('E', '4') => Symbology::Ean8,
            ('I', '1') => Symbology::Itf14,
            ('d', '1') => Symbology::DataMatrix,
            ('Q', '1') => Symbology::Qr,
            _ => return None,
        })
    }
}

impl fmt::Display for SymbologyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "]{}{}", self.code, self.modifier)
    }
}

/// Why scanner data was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScanError {
    /// An identifier this parser does not handle.
    #[error("unsupported symbology identifier {id}")]
    UnsupportedSymbology {
        /// The identifier.
        id: SymbologyId,
    },
    /// Data of an EAN/UPC or ITF-14 symbol that is not a GTIN of the right length.
    #[error("{id} data {found:?} is not a GTIN of the symbology's length")]
    NotGtin {
        /// The identifier.
        id: SymbologyId,
        /// The data found.
        found: Snippet,
    },
    /// Data of a plain QR Code or DataMatrix that is not a GS1 Digital Link URI.
    #[error("{id} data is neither GS1 element strings nor a GS1 Digital Link URI")]
    NotGs1 {
        /// The identifier.
        id: SymbologyId,
    },
    /// Bad element string data.
    #[error(transparent)]
    ElementString(#[from] ElementStringError),
    /// Bad Digital Link URI.
    #[error(transparent)]
    DigitalLink(#[from] DigitalLinkError),
}

/// What a scan contained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanContent<'a> {
    /// Element strings (a bare GTIN or SSCC is given as AI (01) or (00)).
    ElementString(ElementString),
    /// A GS1 Digital Link URI.
    DigitalLink(DigitalLink<'a>),
}

/// A parsed scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanData<'a> {
    /// The symbology identifier, when the reader sent one.
    pub symbology: Option<SymbologyId>,
    /// The content.
    pub content: ScanContent<'a>,
}

impl ScanData<'_> {
    /// The elements, whichever way they were carried.
    pub fn element_string(&self) -> &ElementString {
        match &self.content {
            ScanContent::ElementString(es) => es,
            ScanContent::DigitalLink(link) => link.element_string(),
        }
    }
}

fn is_uri(data: &str) -> bool {
    let starts = |p: &str| {
        data.get(..p.len())
            .is_some_and(|s| s.eq_ignore_ascii_case(p))
    };
    starts("http://") || starts("https://")
}

/// An element string holding one GS1 key (`ai`) with `digits` left-padded to `width`;
/// the element's own checks refuse anything that is not a valid key.
fn key(
    ai: &str,
    digits: &str,
    width: usize,
    options: &ParseOptions<'_>,
) -> Result<ElementString, ScanError> {
    let mut value = Value::new();
    for c in (digits.len()..width).map(|_| '0').chain(digits.chars()) {
        let _ = value.push(c);
    }
    Ok(ElementString::from_pairs([(ai, value.as_str())], options)?)
}

/// UPC-E (6 digits, number system 0) expanded to its GTIN-12 without check digit.
fn upc_e_to_upc_a(six: &[u8; 6]) -> [u8; 11] {
    let [a, b, c, d, e, f] = *six;
    match f {
        b'0'..=b'2' => [b'0', a, b, f, b'0', b'0', b'0', b'0', c, d, e],
        b'3' => [b'0', a, b, c, b'0', b'0', b'0', b'0', b'0', d, e],
        b'4' => [b'0', a, b, c, d, b'0', b'0', b'0', b'0', b'0', e],
        _ => [b'0', a, b, c, d, e, b'0', b'0', b'0', b'0', f],
    }
}

/// Reads data that came without a symbology identifier.
fn bare<'a>(data: &'a str, options: &ParseOptions<'_>) -> Result<ScanContent<'a>, ScanError> {
    if is_uri(data) {
        return Ok(ScanContent::DigitalLink(DigitalLink::parse_with(
            data, options,
        )?));
    }
    let digits = !data.is_empty() && data.bytes().all(|b| b.is_ascii_digit());
    if digits && check_digit::verify(data).is_ok() {
        match data.len() {
            8 | 12 | 13 | 14 => {
                return Ok(ScanContent::ElementString(key("01", data, 14, options)?));
            }
            18 => return Ok(ScanContent::ElementString(key("00", data, 18, options)?)),
            _ => {}
        }
    }
    let raw = ElementString::parse_raw(data, options);
    if let (Err(_), Ok(six)) = (&raw, <&[u8; 6]>::try_from(data.as_bytes()))
        && digits
    {
        let mut gtin12 = Value::new();
        for &b in &upc_e_to_upc_a(six) {
            let _ = gtin12.push(char::from(b));
        }
        let check = check_digit::digit_char(&gtin12).unwrap_or('0');
        let _ = gtin12.push(check);
        return Ok(ScanContent::ElementString(key("01", &gtin12, 14, options)?));
    }
    Ok(ScanContent::ElementString(raw?))
}

/// Parses what a barcode reader transmitted.
pub fn parse_scan_data<'a>(
    input: &'a str,
    options: &ParseOptions<'_>,
) -> Result<ScanData<'a>, ScanError> {
    let mut chars = input.chars();
    let (Some(']'), Some(code), Some(modifier)) = (chars.next(), chars.next(), chars.next()) else {
        return Ok(ScanData {
            symbology: None,
            content: bare(input, options)?,
        });
    };
    let id = SymbologyId { code, modifier };
    let data = chars.as_str();
    let gtin = |lengths: &[usize]| {
        let digits = data.bytes().all(|b| b.is_ascii_digit());
        if !digits || !lengths.contains(&data.len()) {
            return Err(ScanError::NotGtin {
                id,
                found: snippet(data),
            });
        }
        key("01", data, 14, options).map(ScanContent::ElementString)
    };
    let content = match id.symbology() {
        Some(Symbology::Ean13) => gtin(&[12, 13])?,
        Some(Symbology::Ean8) => gtin(&[8])?,
        Some(Symbology::Itf14) => gtin(&[14])?,
        Some(
            Symbology::DataMatrix | Symbology::Qr | Symbology::Gs1DataMatrix | Symbology::Gs1Qr,
        ) if is_uri(data) => ScanContent::DigitalLink(DigitalLink::parse_with(data, options)?),
        Some(Symbology::DataMatrix | Symbology::Qr) => return Err(ScanError::NotGs1 { id }),
        Some(_) => ScanContent::ElementString(ElementString::parse_raw(data, options)?),
        None => return Err(ScanError::UnsupportedSymbology { id }),
    };
    Ok(ScanData {
        symbology: Some(id),
        content,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upc_e_expands() {
        assert_eq!(&upc_e_to_upc_a(b"425261"), b"04210000526");
        let scan = parse_scan_data("425261", &ParseOptions::default()).unwrap();
        assert_eq!(
            scan.element_string().get("01").map(|e| e.value()),
            Some("00042100005264")
        );
    }

    #[test]
    fn identifiers() {
        let opts = ParseOptions::default();
        let scan = parse_scan_data("]C1010590123412345715210526", &opts).unwrap();
        assert_eq!(
            scan.symbology.and_then(|s| s.symbology()),
            Some(Symbology::Gs1Code128)
        );
        assert_eq!(scan.element_string().len(), 2);
        assert!(parse_scan_data("]X0123", &opts).is_err());
        assert!(parse_scan_data("]E4123", &opts).is_err());
        assert!(parse_scan_data("]Q1hello", &opts).is_err());
    }
}
