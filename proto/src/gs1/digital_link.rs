//! GS1 Digital Link URIs (GS1 Digital Link URI Syntax 1.x): parsing any http/https URI whose
//! path ends in `/{primary key AI}/{value}` followed by key qualifiers, with data attributes
//! in the query; see [`DigitalLink`]. The path rules live in `dl_path`, the writing of links
//! in `dl_uri`.
//!
//! The primary key is found as the GS1 Barcode Syntax Engine does: walking the path from the
//! right in `/AI/value` pairs until an AI with a `dlpkey` attribute, so anything before it
//! is a free path prefix. Parsing needs no allocator; the link borrows the URI text.

use super::dictionary::{self, AiEntry};
use super::dl_path::{
    PathPair, belongs_in_path, check_qualifiers, find_key, odd_segments, resolve,
};
use super::element::{Element, Value};
use super::element_string::{ElementString, ElementStringError, MAX_ELEMENTS, ParseOptions};
use super::lint::{LintError, Snippet, snippet};

/// Host of canonical GS1 Digital Link URIs.
pub const CANONICAL_HOST: &str = "id.gs1.org";

/// Why a URI is not an acceptable GS1 Digital Link.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DigitalLinkError {
    /// No `scheme://` at the start.
    #[error("not a URI: expected scheme://host/path")]
    NotAUri,
    /// A scheme other than http or https.
    #[error("URI scheme {scheme:?} is not http or https")]
    UnsupportedScheme {
        /// The scheme found.
        scheme: Snippet,
    },
    /// Nothing between `//` and the path.
    #[error("URI has no host")]
    NoHost,
    /// A character that cannot appear in a URI.
    #[error("character {found:?} at position {position} is not allowed in a URI")]
    IllegalCharacter {
        /// Byte offset in the URI.
        position: usize,
        /// The character.
        found: char,
    },
    /// `%` not followed by two hexadecimal digits.
    #[error("bad percent-encoding at position {position}")]
    BadPercentEncoding {
        /// Byte offset in the URI.
        position: usize,
    },
    /// A percent-encoded byte that is not a printable ASCII character.
    #[error("percent-encoded byte at position {position} is not an allowed character")]
    BadEncodedByte {
        /// Byte offset in the URI.
        position: usize,
    },
    /// No `/AI/value` pair with a primary key AI ends the path.
    #[error("no GS1 Digital Link primary key in the URI path")]
    NoPrimaryKey,
    /// A primary key followed by an odd number of path segments.
    #[error("odd number of path segments from primary key AI ({ai})")]
    OddPathSegments {
        /// The primary key AI.
        ai: &'static str,
    },
    /// A key qualifier after a primary key that takes none.
    #[error("primary key AI ({key}) takes no key qualifiers, found AI ({found})")]
    NoQualifierAllowed {
        /// The primary key AI.
        key: &'static str,
        /// The path AI found after it.
        found: &'static str,
    },
    /// A path AI that is not a key qualifier of the primary key.
    #[error("AI ({found}) is not a key qualifier of AI ({key})")]
    QualifierNotAllowed {
        /// The primary key AI.
        key: &'static str,
        /// The AI found.
        found: &'static str,
    },
    /// Key qualifiers in an order the primary key's `dlpkey` does not allow.
    #[error("key qualifier AI ({found}) is out of order for primary key AI ({key})")]
    QualifierOutOfOrder {
        /// The primary key AI.
        key: &'static str,
        /// The first qualifier out of order.
        found: &'static str,
    },
    /// An all-digit query parameter that is not an AI.
    #[error("query parameter {key:?} looks like an AI but is not one")]
    UnknownAi {
        /// The parameter name.
        key: Snippet,
    },
    /// An AI in the query that may not be a data attribute.
    #[error("AI ({ai}) is not a GS1 Digital Link data attribute")]
    NotDataAttribute {
        /// The AI.
        ai: &'static str,
    },
    /// A key qualifier given in the query instead of the path.
    #[error("AI ({ai}) is a key qualifier here and belongs in the path")]
    QualifierInQuery {
        /// The AI.
        ai: &'static str,
    },
    /// The same AI twice.
    #[error("AI ({ai}) appears more than once")]
    DuplicateAi {
        /// The AI.
        ai: &'static str,
    },
    /// A value the dictionary rejects, or associations it forbids.
    #[error(transparent)]
    ElementString(#[from] ElementStringError),
}

/// A parsed GS1 Digital Link: primary key, key qualifiers and data attributes as elements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigitalLink<'a> {
    pub(crate) stem: &'a str,
    pub(crate) prefix: &'a str,
    pub(crate) elements: ElementString,
    pub(crate) path_len: usize,
    pub(crate) query: &'a str,
}

/// A URI cut into `scheme://host`, path and query; the fragment is dropped.
pub(crate) struct UriParts<'a> {
    pub stem: &'a str,
    pub path: &'a str,
    pub query: &'a str,
}

impl<'a> DigitalLink<'a> {
    /// Parses `uri` with default options.
    pub fn parse(uri: &'a str) -> Result<Self, DigitalLinkError> {
        Self::parse_with(uri, &ParseOptions::default())
    }

    /// Parses `uri`, validating every value like an element string.
    pub fn parse_with(uri: &'a str, options: &ParseOptions<'_>) -> Result<Self, DigitalLinkError> {
        let parts = split_uri(uri)?;
        let path = match parts.path.strip_suffix('/') {
            Some(trimmed) if !trimmed.is_empty() => trimmed,
            _ => parts.path,
        };
        let body = path.strip_prefix('/').unwrap_or("");
        let key_at = find_key(body).ok_or_else(|| odd_segments(body))?;
        let mut path_pairs: heapless::Vec<PathPair<'a>, MAX_ELEMENTS> = heapless::Vec::new();
        let mut segments = body.get(key_at..).unwrap_or("").split('/');
        while let (Some(ai), Some(raw)) = (segments.next(), segments.next()) {
            let entry = resolve(ai).ok_or(DigitalLinkError::NoPrimaryKey)?;
            path_pairs.push((entry, raw)).map_err(|_| too_many())?;
        }
        check_qualifiers(&mut path_pairs, options.sort_qualifiers)?;
        let mut elements = ElementString::new();
        for &(entry, raw) in &path_pairs {
            elements.push_element(decode_element(uri, entry, raw, false, options)?)?;
        }
        for (key, raw) in ai_params(parts.query) {
            let entry =
                dictionary::lookup(key).ok_or(DigitalLinkError::UnknownAi { key: snippet(key) })?;
            if !entry.dl_data_attribute {
                return Err(DigitalLinkError::NotDataAttribute { ai: entry.ai });
            }
            if elements.get(entry.ai).is_some() {
                return Err(DigitalLinkError::DuplicateAi { ai: entry.ai });
            }
            if belongs_in_path(&path_pairs, entry.ai) {
                return Err(DigitalLinkError::QualifierInQuery { ai: entry.ai });
            }
            elements.push_element(decode_element(uri, entry, raw, true, options)?)?;
        }
        elements.check_associations(options.check_requisites)?;
        Ok(Self {
            stem: parts.stem,
            prefix: path.get(..key_at).unwrap_or(""),
            elements,
            path_len: path_pairs.len(),
            query: parts.query,
        })
    }

    /// All elements: primary key, key qualifiers, then data attributes in the order given.
    pub fn element_string(&self) -> &ElementString {
        &self.elements
    }

    /// The primary key element.
    pub fn key(&self) -> Option<&Element> {
        self.elements.elements().first()
    }

    /// The key qualifiers from the path, in order.
    pub fn qualifiers(&self) -> &[Element] {
        self.elements
            .elements()
            .get(1..self.path_len)
            .unwrap_or(&[])
    }

    /// The data attributes from the query, in the order given.
    pub fn attributes(&self) -> &[Element] {
        self.elements.elements().get(self.path_len..).unwrap_or(&[])
    }

    /// `scheme://host` as given.
    pub fn stem(&self) -> &'a str {
        self.stem
    }

    /// The path before the primary key (`/some/prefix`, or empty), as given.
    pub fn path_prefix(&self) -> &'a str {
        self.prefix
    }

    /// Query parameters that are not AIs (e.g. `linkType`), as (name, value) still
    /// percent-encoded; a parameter without `=` has an empty value.
    pub fn other_params(&self) -> impl Iterator<Item = (&'a str, &'a str)> {
        other_params(self.query).map(|p| p.split_once('=').unwrap_or((p, "")))
    }
}

/// Non-empty query parameters that are not AI data attributes, as written.
pub(crate) fn other_params(query: &str) -> impl Iterator<Item = &str> {
    query.split('&').filter(|p| match p.split_once('=') {
        Some((name, _)) => name.is_empty() || !name.bytes().all(|b| b.is_ascii_digit()),
        None => !p.is_empty(),
    })
}

/// Query parameters with an all-digit name and a `=`: the AI data attributes.
fn ai_params(query: &str) -> impl Iterator<Item = (&str, &str)> {
    query.split('&').filter_map(|p| {
        let (name, value) = p.split_once('=')?;
        (!name.is_empty() && name.bytes().all(|b| b.is_ascii_digit())).then_some((name, value))
    })
}

fn too_many() -> DigitalLinkError {
    ElementStringError::TooManyElements { max: MAX_ELEMENTS }.into()
}

fn is_uri_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~:/?#[]@!$&'()*+,;=%".contains(c)
}

/// Splits an http(s) URI into stem, path and query.
pub(crate) fn split_uri(uri: &str) -> Result<UriParts<'_>, DigitalLinkError> {
    let (scheme, after) = uri.split_once(':').ok_or(DigitalLinkError::NotAUri)?;
    if scheme.is_empty()
        || !scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
    {
        return Err(DigitalLinkError::NotAUri);
    }
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return Err(DigitalLinkError::UnsupportedScheme {
            scheme: snippet(scheme),
        });
    }
    let rest = after.strip_prefix("//").ok_or(DigitalLinkError::NotAUri)?;
    if let Some((position, found)) = uri.char_indices().find(|&(_, c)| !is_uri_char(c)) {
        return Err(DigitalLinkError::IllegalCharacter { position, found });
    }
    let rest = rest.split('#').next().unwrap_or("");
    let (before_query, query) = rest.split_once('?').unwrap_or((rest, ""));
    let host_len = before_query.find('/').unwrap_or(before_query.len());
    if host_len == 0 {
        return Err(DigitalLinkError::NoHost);
    }
    let stem_len = scheme.len() + 3 + host_len;
    Ok(UriParts {
        stem: uri.get(..stem_len).unwrap_or(uri),
        path: before_query.get(host_len..).unwrap_or(""),
        query,
    })
}

/// Percent-decodes `raw` (a slice of `uri`) into a validated element; `+` is a space in the
/// query. A GTIN-8, -12 or -13 in AI (01) is left-padded to 14 digits.
fn decode_element(
    uri: &str,
    entry: &'static AiEntry,
    raw: &str,
    query: bool,
    options: &ParseOptions<'_>,
) -> Result<Element, DigitalLinkError> {
    let base = raw.as_ptr().addr().wrapping_sub(uri.as_ptr().addr());
    let mut value = Value::new();
    let bytes = raw.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let (byte, width) = match b {
            b'%' => {
                let hex = raw
                    .get(i + 1..i + 3)
                    .filter(|h| h.bytes().all(|d| d.is_ascii_hexdigit()));
                let byte = hex.and_then(|h| u8::from_str_radix(h, 16).ok());
                (
                    byte.ok_or(DigitalLinkError::BadPercentEncoding {
                        position: base.saturating_add(i),
                    })?,
                    3,
                )
            }
            b'+' if query => (b' ', 1),
            other => (other, 1),
        };
        if !(0x20..0x7f).contains(&byte) {
            return Err(DigitalLinkError::BadEncodedByte {
                position: base.saturating_add(i),
            });
        }
        value
            .push(char::from(byte))
            .map_err(|_| ElementStringError::Invalid {
                ai: entry.ai,
                component: entry.components.len(),
                error: LintError::TooLong {
                    max: entry.max_len(),
                    found: raw.len(),
                },
            })?;
        i += width;
    }
    if entry.ai == "01"
        && matches!(value.len(), 8 | 12 | 13)
        && value.bytes().all(|b| b.is_ascii_digit())
    {
        let mut padded = Value::new();
        for _ in value.len()..14 {
            let _ = padded.push('0');
        }
        let _ = padded.push_str(&value);
        value = padded;
    }
    Ok(Element::new(entry, &value, options)?)
}
