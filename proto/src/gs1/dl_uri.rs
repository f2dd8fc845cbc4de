//! Writing GS1 Digital Link URIs: the link as held ([`DigitalLink`]'s `Display`), the
//! canonical `https://id.gs1.org/…` form and the same form under another host and path
//! prefix ([`CanonicalUri`]); and building a link from an element string.
//!
//! Values are percent-encoded as GS1 Digital Link requires: every byte outside the URI
//! unreserved set (RFC 3986 §2.3) becomes `%XX`, and a space in the query becomes `+`.

use core::fmt::{self, Write as _};

use super::digital_link::{CANONICAL_HOST, DigitalLink, DigitalLinkError, other_params};
use super::dl_path::alternatives;
use super::element::Element;
use super::element_string::{ElementString, MAX_ELEMENTS};

impl DigitalLink<'static> {
    /// The canonical link for an element string: its first primary key AI, the key
    /// qualifiers of the `dlpkey` sequence that matches most of the other AIs, and every
    /// remaining AI as a data attribute (each must be allowed as one).
    pub fn from_element_string(elements: &ElementString) -> Result<Self, DigitalLinkError> {
        assemble("https://id.gs1.org", "", "", elements)
    }
}

/// Orders `source` into a link: key, qualifiers, attributes in their original order.
pub(crate) fn assemble<'a>(
    stem: &'a str,
    prefix: &'a str,
    query: &'a str,
    source: &ElementString,
) -> Result<DigitalLink<'a>, DigitalLinkError> {
    let all = source.elements();
    let (key_at, key) = all
        .iter()
        .enumerate()
        .find(|(_, e)| e.entry().dl_primary_key.is_some())
        .ok_or(DigitalLinkError::NoPrimaryKey)?;
    let present = |q: &str| {
        all.iter()
            .enumerate()
            .any(|(i, e)| i != key_at && e.ai() == q)
    };
    let (best, _) = alternatives(key.entry()).fold(("", 0), |best, alt| {
        let matched = alt.split(',').filter(|q| present(q)).count();
        if matched > best.1 {
            (alt, matched)
        } else {
            best
        }
    });
    let mut elements = ElementString::new();
    let mut used = [false; MAX_ELEMENTS];
    let mut take = |i: usize, e: &Element, elements: &mut ElementString| {
        if let Some(slot) = used.get_mut(i) {
            *slot = true;
        }
        elements.push_element(e.clone())
    };
    take(key_at, key, &mut elements)?;
    for q in best.split(',') {
        if let Some((i, e)) = all
            .iter()
            .enumerate()
            .find(|(i, e)| *i != key_at && e.ai() == q)
        {
            take(i, e, &mut elements)?;
        }
    }
    let path_len = elements.len();
    for (i, e) in all.iter().enumerate() {
        if used.get(i).copied().unwrap_or(true) || elements.get(e.ai()).is_some() {
            continue;
        }
        if !e.entry().dl_data_attribute {
            return Err(DigitalLinkError::NotDataAttribute { ai: e.ai() });
        }
        elements.push_element(e.clone())?;
    }
    Ok(DigitalLink {
        stem,
        prefix,
        elements,
        path_len,
        query,
    })
}

impl DigitalLink<'_> {
    /// The canonical URI: `https://id.gs1.org`, key and qualifiers, data attributes sorted by
    /// AI, other query parameters dropped.
    pub fn canonical(&self) -> CanonicalUri<'_> {
        self.with_host(CANONICAL_HOST, "")
    }

    /// The canonical form under `https://{host}` and an optional path `prefix`.
    pub fn with_host<'s>(&'s self, host: &'s str, prefix: &'s str) -> CanonicalUri<'s> {
        CanonicalUri {
            link: self,
            host,
            prefix,
        }
    }

    /// Whether the URI has a query: data attributes or other parameters.
    pub(crate) fn has_query(&self) -> bool {
        !self.attributes().is_empty() || other_params(self.query).next().is_some()
    }
}

/// Writes `value` percent-encoded for a path segment or (with `query`) a query value.
pub(crate) fn write_encoded(f: &mut impl fmt::Write, value: &str, query: bool) -> fmt::Result {
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            f.write_char(char::from(b))?;
        } else if query && b == b' ' {
            f.write_char('+')?;
        } else {
            write!(f, "%{b:02X}")?;
        }
    }
    Ok(())
}

fn write_path(f: &mut fmt::Formatter<'_>, link: &DigitalLink<'_>) -> fmt::Result {
    let path = link.key().into_iter().chain(link.qualifiers());
    for e in path {
        write!(f, "/{}/", e.ai())?;
        write_encoded(f, e.value(), false)?;
    }
    Ok(())
}

fn write_attributes<'e>(
    f: &mut fmt::Formatter<'_>,
    attributes: impl Iterator<Item = &'e Element>,
) -> fmt::Result {
    for (i, e) in attributes.enumerate() {
        f.write_char(if i == 0 { '?' } else { '&' })?;
        write!(f, "{}=", e.ai())?;
        write_encoded(f, e.value(), true)?;
    }
    Ok(())
}

/// The link as held: its stem and path prefix, attributes in the order given, then the
/// other query parameters as written.
impl fmt::Display for DigitalLink<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.stem)?;
        f.write_str(self.prefix)?;
        write_path(f, self)?;
        write_attributes(f, self.attributes().iter())?;
        let mut separator = if self.attributes().is_empty() {
            '?'
        } else {
            '&'
        };
        for param in other_params(self.query) {
            f.write_char(separator)?;
            f.write_str(param)?;
            separator = '&';
        }
        Ok(())
    }
}

/// A link in canonical form under a chosen host and path prefix; see
/// [`DigitalLink::canonical`].
#[derive(Debug, Clone, Copy)]
pub struct CanonicalUri<'l> {
    link: &'l DigitalLink<'l>,
    host: &'l str,
    prefix: &'l str,
}

impl fmt::Display for CanonicalUri<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "https://{}", self.host)?;
        let prefix = self.prefix.trim_matches('/');
        if !prefix.is_empty() {
            write!(f, "/{prefix}")?;
        }
        write_path(f, self.link)?;
        let mut sorted: heapless::Vec<&Element, MAX_ELEMENTS> =
            self.link.attributes().iter().collect();
        sorted.sort_unstable_by_key(|e| e.ai());
        write_attributes(f, sorted.iter().copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gs1::ParseOptions;
    use crate::gs1::shown;

    #[test]
    fn round_trips_through_element_strings() {
        let link = DigitalLink::parse(
            "https://example.com/p/01/614141123452/22/2A/10/ABC%2F1?30=25&3103=000195&linkType=x",
        )
        .unwrap();
        assert_eq!(
            shown(link.canonical()),
            "https://id.gs1.org/01/00614141123452/22/2A/10/ABC%2F1?30=25&3103=000195"
        );
        assert_eq!(
            shown(link.with_host("brand.example.net", "/q/")),
            "https://brand.example.net/q/01/00614141123452/22/2A/10/ABC%2F1?30=25&3103=000195"
        );
        assert_eq!(
            shown(&link),
            "https://example.com/p/01/00614141123452/22/2A/10/ABC%2F1?30=25&3103=000195&linkType=x"
        );
        let es = ElementString::parse_bracketed(
            "(10)ABC(3103)000195(01)00614141123452(21)S1",
            &ParseOptions::default(),
        )
        .unwrap();
        let rebuilt = DigitalLink::from_element_string(&es).unwrap();
        assert_eq!(
            shown(rebuilt.canonical()),
            "https://id.gs1.org/01/00614141123452/10/ABC/21/S1?3103=000195"
        );
    }
}
