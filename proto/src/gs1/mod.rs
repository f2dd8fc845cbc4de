//! GS1 Application Identifiers: the GS1 Barcode Syntax Dictionary compiled at build time,
//! element strings (bracketed, raw with FNC1, scanner data with AIM symbology identifiers)
//! and GS1 Digital Link URIs (GS1 General Specifications §3, §7.8; GS1 Digital Link URI
//! Syntax 1.x).
//!
//! Everything parses and writes without an allocator: values live in `heapless` storage and
//! output forms implement [`core::fmt::Display`].

pub mod dictionary;
pub mod digital_link;
mod dl_bits;
pub mod dl_compression;
mod dl_path;
mod dl_uri;
pub mod element;
mod element_error;
pub mod element_string;
pub mod lint;
mod lint_codes;
mod lint_error;
mod lint_structured;
pub mod price_check_digit;
pub mod symbology;

pub use digital_link::{DigitalLink, DigitalLinkError};
pub use dl_compression::{CompressionError, Decompressed, decompress};
pub use dl_uri::CanonicalUri;
pub use element::{Decimal, Element};
pub use element_string::{ElementString, ElementStringError, ParseOptions};
pub use symbology::{ScanContent, ScanData, ScanError, Symbology, SymbologyId, parse_scan_data};

/// Renders a `Display` value into a fixed buffer, for unit tests without an allocator.
#[cfg(test)]
pub(crate) fn shown(value: impl core::fmt::Display) -> heapless::String<512> {
    use core::fmt::Write as _;
    let mut out = heapless::String::new();
    let _ = write!(out, "{value}");
    out
}
