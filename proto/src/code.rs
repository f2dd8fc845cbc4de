//! Any code a user holds — an RFID tag's EPC hex, an EPC URI, a barcode's element string or
//! scanner data, a QR code's GS1 Digital Link, a 20-digit drug traceability code, a tag UID —
//! decoded into the one identity rfid-trace knows it by, plus every other form of it.
//!
//! The canonical identity is the EPC pure identity URI for serialised objects
//! (`urn:epc:id:sgtin:…`), the class URI for a lot (`urn:epc:class:lgtin:…`), the pattern
//! URI for a bare GTIN (`urn:epc:idpat:sgtin:CP.IR.*`), `urn:rfid-trace:…` for codes outside
//! GS1, and any other absolute URI unchanged. Turning GS1 keys into EPC URIs needs the GS1
//! Company Prefix length, looked up in a [`CompanyPrefixes`] table; when it is unknown the
//! other forms are still given and a note says why the URI is missing.
//!
//! How [`Form::Auto`] tells the forms apart is documented in `docs/identifiers.md`.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::cn_drug::{self, CnDrugCode, CnDrugError};
use crate::company_prefix::CompanyPrefixes;
use crate::epc::{Epc, EpcError, EpcId, Gs1Identity, Lgtin, company_prefix_start};
use crate::gs1::dictionary::ai_at_start;
use crate::gs1::{
    CompressionError, DigitalLink, DigitalLinkError, ElementString, ElementStringError,
    ParseOptions, ScanError, decompress, parse_scan_data,
};
use crate::uid::{self, TagUid, UidError};

/// The form the caller says an input is in, or [`Form::Auto`] to detect it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Form {
    /// Detect the form from the input's shape.
    #[default]
    Auto,
    /// EPC memory bank hex.
    EpcHex,
    /// `urn:epc:id:…`, `urn:epc:tag:…` or `urn:epc:class:lgtin:…`.
    EpcUri,
    /// Bracketed `(01)…`, raw digits with GS (0x1D) separators, or `^` for FNC1.
    ElementString,
    /// What a barcode scanner sends, with or without an AIM symbology identifier.
    ScanData,
    /// A GS1 Digital Link URI, plain or compressed.
    DigitalLink,
    /// The 20-digit Chinese drug traceability code.
    CnDrug,
}

/// What the input turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
pub enum Kind {
    /// EPC memory bank hex.
    EpcHex,
    /// An EPC tag, pure identity or class URI.
    EpcUri,
    /// A GS1 element string.
    ElementString,
    /// Scanner data with an AIM symbology identifier.
    ScanData,
    /// A GS1 Digital Link URI.
    DigitalLink,
    /// A 20-digit drug traceability code (bare or as its URI).
    CnDrug,
    /// A tag UID URI.
    Uid,
    /// Another absolute URI, kept as it is.
    Uri,
}

/// An input decoded: its kind, its canonical identity and its other forms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// What the input was.
    pub kind: Kind,
    /// The canonical identity URI, when it could be derived.
    pub epc_uri: Option<String>,
    /// The EPC tag URI (only for inputs that name a tag encoding).
    pub tag_uri: Option<String>,
    /// The EPC filter value (only for inputs that name a tag encoding).
    pub filter: Option<u8>,
    /// The bracketed element string, `(01)…(21)…`.
    pub element_string: Option<String>,
    /// The element string as transmitted: `^` for FNC1, leading and after each
    /// variable-length AI that is not last.
    pub fnc1: Option<String>,
    /// The Application Identifiers and their values, in order.
    pub ais: Vec<(String, String)>,
    /// The canonical GS1 Digital Link, `https://id.gs1.org/…`.
    pub digital_link: Option<String>,
    /// Why a form is missing (e.g. an unknown company prefix); empty when nothing is.
    pub notes: Vec<String>,
}

/// Why an input could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    /// Nothing but whitespace.
    #[error("empty input")]
    Empty,
    /// No form fits the input's shape.
    #[error("not a code this system reads: {0}")]
    Unrecognised(&'static str),
    /// An EPC (hex or URI) that does not decode.
    #[error("EPC: {0}")]
    Epc(#[from] EpcError),
    /// An element string that does not parse or validate.
    #[error("element string: {0}")]
    ElementString(#[from] ElementStringError),
    /// Scanner data that does not parse or validate.
    #[error("scanner data: {0}")]
    Scan(#[from] ScanError),
    /// A Digital Link URI the standard rejects.
    #[error("GS1 Digital Link: {0}")]
    DigitalLink(#[from] DigitalLinkError),
    /// A compressed Digital Link that does not decompress.
    #[error("compressed GS1 Digital Link: {0}")]
    Compression(#[from] CompressionError),
    /// A malformed drug traceability code.
    #[error("drug traceability code: {0}")]
    CnDrug(#[from] CnDrugError),
    /// A malformed tag UID URI.
    #[error("tag UID: {0}")]
    Uid(#[from] UidError),
}

/// Decodes `input` (surrounding spaces, tabs and line ends ignored) in the given form.
pub fn decode(
    input: &str,
    form: Form,
    prefixes: &dyn CompanyPrefixes,
) -> Result<Decoded, CodeError> {
    let input = input.trim_matches([' ', '\t', '\r', '\n']);
    if input.is_empty() {
        return Err(CodeError::Empty);
    }
    let options = ParseOptions::default();
    match form {
        Form::Auto => auto(input, prefixes),
        Form::EpcHex => Ok(from_tag(Kind::EpcHex, &Epc::from_hex(input)?)),
        Form::EpcUri => epc_uri(input),
        Form::ElementString => element_string(input, &options, prefixes),
        Form::ScanData => {
            let scan = parse_scan_data(input, &options)?;
            let kind = if scan.symbology.is_some() {
                Kind::ScanData
            } else {
                Kind::ElementString
            };
            Ok(from_gs1(kind, scan.element_string(), prefixes))
        }
        Form::DigitalLink => digital_link(input, &options, prefixes),
        Form::CnDrug => Ok(cn_drug(&input.parse()?)),
    }
}

fn auto(input: &str, prefixes: &dyn CompanyPrefixes) -> Result<Decoded, CodeError> {
    let options = ParseOptions::default();
    let digits = input.bytes().all(|b| b.is_ascii_digit());
    if input.starts_with(']') {
        decode(input, Form::ScanData, prefixes)
    } else if input.starts_with("urn:epc:id:")
        || input.starts_with("urn:epc:tag:")
        || input.starts_with("urn:epc:class:")
    {
        epc_uri(input)
    } else if input.starts_with(uid::URI_PREFIX) {
        Ok(plain(Kind::Uid, TagUid::parse_uri(input)?.to_string()))
    } else if input.starts_with(cn_drug::URI_PREFIX) {
        Ok(cn_drug(&CnDrugCode::parse_uri(input)?))
    } else if input.starts_with('(') || input.starts_with('^') || input.contains('\u{1d}') {
        element_string(input, &options, prefixes)
    } else if has_scheme(input, "http") || has_scheme(input, "https") {
        match digital_link(input, &options, prefixes) {
            // A web address that names no GS1 key, plainly or compressed, is a company's own
            // identifier URI (`--as digital-link` reports why it is not a Digital Link).
            Err(CodeError::DigitalLink(DigitalLinkError::NoPrimaryKey))
            | Err(CodeError::Compression(_)) => Ok(plain(Kind::Uri, input.to_string())),
            other => other,
        }
    } else if is_absolute_uri(input) {
        Ok(plain(Kind::Uri, input.to_string()))
    } else if digits {
        // A GS1 reading (element string, GTIN, SSCC) when one validates, else a drug code
        // (20 digits) or EPC hex, else the GS1 reading's error.
        let gs1 = parse_scan_data(input, &options);
        match gs1 {
            Ok(scan) => Ok(from_gs1(
                Kind::ElementString,
                scan.element_string(),
                prefixes,
            )),
            Err(e) if input.len() == 20 => {
                let mut out = cn_drug(&CnDrugCode::parse(input)?);
                // An SSCC or GTIN element string with a typo also has 20 digits: when the
                // digits start with an AI, say how the GS1 reading failed.
                if ai_at_start(input).is_some() {
                    out.notes.push(format!(
                        "read as a drug traceability code; as GS1 data it fails: {e}"
                    ));
                }
                Ok(out)
            }
            Err(e) => Epc::from_hex(input)
                .map(|tag| from_tag(Kind::EpcHex, &tag))
                .map_err(|_| CodeError::Scan(e)),
        }
    } else if input.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(from_tag(Kind::EpcHex, &Epc::from_hex(input)?))
    } else {
        Err(CodeError::Unrecognised(
            "expected EPC hex, an EPC URI, a GS1 element string or Digital Link, \
             a 20-digit drug code or a URI",
        ))
    }
}

fn has_scheme(input: &str, scheme: &str) -> bool {
    input
        .get(..scheme.len() + 3)
        .is_some_and(|head| head.eq_ignore_ascii_case(&format!("{scheme}://")))
}

/// `scheme:rest` with an RFC 3986 scheme and no whitespace.
fn is_absolute_uri(input: &str) -> bool {
    let Some((scheme, rest)) = input.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && !rest.is_empty()
        && !input.chars().any(char::is_whitespace)
}

fn epc_uri(input: &str) -> Result<Decoded, CodeError> {
    if input.starts_with("urn:epc:tag:") {
        return Ok(from_tag(Kind::EpcUri, &Epc::from_tag_uri(input)?));
    }
    if input.starts_with("urn:epc:class:") {
        return Ok(from_identity(
            Kind::EpcUri,
            &Gs1Identity::Lgtin(Lgtin::parse(input)?),
        ));
    }
    Ok(from_identity(
        Kind::EpcUri,
        &Gs1Identity::Epc(EpcId::parse(input)?),
    ))
}

fn element_string(
    input: &str,
    options: &ParseOptions<'_>,
    prefixes: &dyn CompanyPrefixes,
) -> Result<Decoded, CodeError> {
    let parsed = if input.starts_with('(') {
        ElementString::parse_bracketed(input, options)?
    } else if input.starts_with('^') {
        ElementString::parse_fnc1(input, options)?
    } else {
        ElementString::parse_raw(input, options)?
    };
    Ok(from_gs1(Kind::ElementString, &parsed, prefixes))
}

fn digital_link(
    input: &str,
    options: &ParseOptions<'_>,
    prefixes: &dyn CompanyPrefixes,
) -> Result<Decoded, CodeError> {
    match DigitalLink::parse_with(input, options) {
        Ok(link) => Ok(from_gs1(Kind::DigitalLink, link.element_string(), prefixes)),
        Err(DigitalLinkError::NoPrimaryKey) => match decompress(input, options) {
            Ok(link) => Ok(from_gs1(Kind::DigitalLink, link.element_string(), prefixes)),
            Err(CompressionError::NotCompressed) => Err(DigitalLinkError::NoPrimaryKey.into()),
            Err(e) => Err(e.into()),
        },
        Err(e) => Err(e.into()),
    }
}

fn plain(kind: Kind, identity: String) -> Decoded {
    Decoded {
        kind,
        epc_uri: Some(identity),
        tag_uri: None,
        filter: None,
        element_string: None,
        fnc1: None,
        ais: Vec::new(),
        digital_link: None,
        notes: Vec::new(),
    }
}

fn cn_drug(code: &CnDrugCode) -> Decoded {
    let mut out = plain(Kind::CnDrug, code.to_string());
    out.notes.push(format!(
        "product {} ({}); no GS1 form exists for this code",
        code.product_code(),
        code.product_uri()
    ));
    out
}

fn from_tag(kind: Kind, tag: &Epc) -> Decoded {
    let mut out = from_identity(kind, &Gs1Identity::Epc(tag.identity().clone()));
    out.tag_uri = Some(tag.to_string());
    out.filter = tag.filter();
    out
}

/// An EPC or LGTIN identity with its GS1 forms (when the scheme has a GS1 key).
fn from_identity(kind: Kind, identity: &Gs1Identity) -> Decoded {
    let (uri, ais) = match identity {
        Gs1Identity::Epc(id) => (id.to_string(), id.to_gs1()),
        Gs1Identity::Lgtin(class) => (class.to_string(), class.to_gs1()),
    };
    let mut out = plain(kind, uri);
    match ais {
        Ok(ais) => {
            let pairs = ais.iter().map(|a| (a.ai, a.value.as_str()));
            match ElementString::from_pairs(pairs, &ParseOptions::default()) {
                Ok(elements) => add_gs1_forms(&mut out, &elements),
                Err(e) => out.notes.push(format!("no GS1 element string: {e}")),
            }
        }
        Err(e) => out.notes.push(format!("no GS1 element string: {e}")),
    }
    out
}

/// GS1 data with the EPC identity derived from it (when its key and prefix allow).
fn from_gs1(kind: Kind, elements: &ElementString, prefixes: &dyn CompanyPrefixes) -> Decoded {
    let mut out = plain(kind, String::new());
    out.epc_uri = None;
    add_gs1_forms(&mut out, elements);
    match identity_of(elements, prefixes) {
        Ok(uri) => out.epc_uri = Some(uri),
        Err(note) => out.notes.push(note),
    }
    out
}

fn add_gs1_forms(out: &mut Decoded, elements: &ElementString) {
    out.element_string = Some(elements.bracketed().to_string());
    out.fnc1 = Some(elements.fnc1().to_string());
    out.ais = elements
        .elements()
        .iter()
        .map(|e| (e.ai().to_string(), e.value().to_string()))
        .collect();
    match DigitalLink::from_element_string(elements) {
        Ok(link) => out.digital_link = Some(link.canonical().to_string()),
        Err(e) => out.notes.push(format!("no GS1 Digital Link: {e}")),
    }
}

/// The EPC URI of GS1 data, or a note saying why there is none.
fn identity_of(elements: &ElementString, prefixes: &dyn CompanyPrefixes) -> Result<String, String> {
    let pairs: Vec<(&str, &str)> = elements
        .elements()
        .iter()
        .map(|e| (e.ai(), e.value()))
        .collect();
    let Some((key_ai, prefix_digits)) = company_prefix_start(&pairs) else {
        return Err("no EPC URI: the data holds no GS1 key an EPC can be made from".to_string());
    };
    let gcp_len = prefixes
        .company_prefix_len(prefix_digits)
        .map_err(|e| format!("no EPC URI: {e}"))?;
    let gtin = pairs.iter().find(|(ai, _)| *ai == "01").map(|(_, v)| *v);
    let lot_or_serial = pairs.iter().any(|(ai, _)| matches!(*ai, "21" | "10"));
    if let (Some(gtin), "01", false) = (gtin, key_ai, lot_or_serial) {
        return gtin_pattern(gtin, usize::from(gcp_len))
            .ok_or_else(|| "no EPC URI: the GTIN is too short for its prefix".to_string());
    }
    match Gs1Identity::from_gs1(&pairs, gcp_len) {
        Ok(Gs1Identity::Epc(id)) => Ok(id.to_string()),
        Ok(Gs1Identity::Lgtin(class)) => Ok(class.to_string()),
        Err(e) => Err(format!("no EPC URI: {e}")),
    }
}

/// `urn:epc:idpat:sgtin:CP.IR.*`, every serial of one GTIN-14; the indicator digit moves to
/// the front of the item reference (TDS §7.1) and the check digit is dropped.
fn gtin_pattern(gtin: &str, gcp_len: usize) -> Option<String> {
    let indicator = gtin.get(..1)?;
    let company = gtin.get(1..1 + gcp_len)?;
    let item = gtin.get(1 + gcp_len..13)?;
    Some(format!("urn:epc:idpat:sgtin:{company}.{indicator}{item}.*"))
}
