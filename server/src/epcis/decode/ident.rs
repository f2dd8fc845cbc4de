//! Identifiers in events, checked through trace-proto and put in their canonical form: EPC
//! pure identity URIs as trace-proto writes them, GS1 Digital Links turned into the EPC URI
//! of what they name, other absolute URIs as written.
//!
//! A Digital Link is replaced by its EPC URI only when the event hash cannot tell them apart
//! (both give the same canonical Digital Link, event-hash.md §6); otherwise, and when the
//! GS1 Company Prefix length is unknown, the link's canonical form is kept, so the event's
//! hash ID is the same before and after decoding.

use trace_proto::code::{self, CodeError, Form};
use trace_proto::company_prefix::CompanyPrefixes;
use trace_proto::epc::{EpcError, EpcId, Lgtin};
use trace_proto::gs1::DigitalLinkError;

use crate::epcis::context::{Context, is_absolute_iri};
use crate::epcis::hash::canonical_gs1_identifier;

/// What an identifier field names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IdKind {
    /// One object: `epcList`, `childEPCs`, `parentID`, input/output lists.
    Object,
    /// A class of objects: `epcClass` (LGTIN, or a pattern of all serials of a GTIN).
    Class,
    /// A location, party, transaction or device: any EPC or URI.
    Other,
}

/// EPC schemes of TDS 2.x that trace-proto does not parse yet; kept as written.
const UNPARSED_SCHEMES: [&str; 6] = ["pgln", "upui", "gsin", "ginc", "bic", "imovn"];

/// Checks `text` as an identifier of `kind` and returns its canonical form, or why not.
pub(crate) fn identifier(
    text: &str,
    kind: IdKind,
    context: &Context,
    prefixes: &dyn CompanyPrefixes,
) -> Result<String, String> {
    if text.trim() != text {
        return Err(format!(
            "{text:?} is not a URI: it has surrounding whitespace"
        ));
    }
    let expanded = context.expand_curie(text);
    let text = expanded.as_ref();
    if let Some(rest) = text.strip_prefix("urn:epc:") {
        return epc_urn(text, rest, kind);
    }
    let lower = text
        .get(..8)
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let web = lower.starts_with("http://") || lower.starts_with("https://");
    if let Some(result) = web.then(|| digital_link(text, kind, prefixes)).flatten() {
        return result;
    }
    if is_absolute_iri(text) {
        Ok(text.to_string())
    } else {
        Err(format!("{text:?} is not an absolute URI"))
    }
}

fn epc_urn(text: &str, rest: &str, kind: IdKind) -> Result<String, String> {
    let (form, body) = rest.split_once(':').unwrap_or((rest, ""));
    match (form, kind) {
        ("id", IdKind::Class) => Err(format!(
            "{text:?} names one object, not a class of objects (urn:epc:class:lgtin:… or urn:epc:idpat:…)"
        )),
        ("id", _) => match EpcId::parse(text) {
            Ok(id) => Ok(id.to_string()),
            Err(EpcError::UnknownScheme(_))
                if UNPARSED_SCHEMES
                    .iter()
                    .any(|s| body.split(':').next() == Some(*s)) =>
            {
                Ok(text.to_string())
            }
            Err(e) => Err(format!("{text:?} is not an EPC: {e}")),
        },
        ("class" | "idpat", IdKind::Object) => Err(format!(
            "{text:?} names a class of objects, not one object; classes go in a quantity list"
        )),
        ("class", _) => Lgtin::parse(text)
            .map(|class| class.to_string())
            .map_err(|e| format!("{text:?} is not an EPC class: {e}")),
        ("idpat", _) => pattern(text, body),
        ("tag", _) => Err(format!(
            "{text:?} is an EPC tag URI; events name objects by their pure identity URI (urn:epc:id:…)"
        )),
        _ => Err(format!(
            "{text:?} is not an EPC URI (urn:epc:id:, urn:epc:class: or urn:epc:idpat:)"
        )),
    }
}

/// `urn:epc:idpat:<scheme>:<company>.<reference>.*`: every serial of one class. Checked by
/// reading it with serial `0` as a pure identity.
fn pattern(text: &str, body: &str) -> Result<String, String> {
    let error = |why: String| format!("{text:?} is not an EPC class pattern: {why}");
    let Some(stem) = body.strip_suffix(".*") else {
        return Err(error("only the last component may be `*`".into()));
    };
    if stem.contains('*') {
        return Err(error("only the last component may be `*`".into()));
    }
    EpcId::parse(&format!("urn:epc:id:{stem}.0"))
        .map(|_| text.to_string())
        .map_err(|e| error(e.to_string()))
}

/// `None` when `text` is no Digital Link (a web address naming no GS1 key).
fn digital_link(
    text: &str,
    kind: IdKind,
    prefixes: &dyn CompanyPrefixes,
) -> Option<Result<String, String>> {
    let decoded = match code::decode(text, Form::DigitalLink, prefixes) {
        Ok(decoded) => decoded,
        Err(CodeError::DigitalLink(DigitalLinkError::NoPrimaryKey) | CodeError::Compression(_)) => {
            return None;
        }
        Err(e) => {
            return Some(Err(format!(
                "{text:?} is not a valid GS1 Digital Link: {e}"
            )));
        }
    };
    let link = canonical_gs1_identifier(text).into_owned();
    let Some(uri) = decoded.epc_uri else {
        return Some(Ok(link));
    };
    let names_one = uri.starts_with("urn:epc:id:");
    let fits = match kind {
        IdKind::Object => names_one,
        IdKind::Class => !names_one,
        IdKind::Other => true,
    };
    Some(if !fits && kind == IdKind::Object {
        Err(format!(
            "{text:?} names a class of objects ({uri}), not one object"
        ))
    } else if !fits {
        Err(format!(
            "{text:?} names one object ({uri}), not a class of objects"
        ))
    } else if canonical_gs1_identifier(&uri) == link {
        Ok(uri)
    } else {
        Ok(link)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use trace_proto::company_prefix::{BuiltIn, PrefixTable};

    fn id(text: &str, kind: IdKind) -> Result<String, String> {
        identifier(text, kind, &Context::epcis(), &BuiltIn)
    }

    #[test]
    fn epc_uris_are_checked_and_canonical() {
        assert_eq!(
            id("urn:epc:id:sgtin:0614141.107346.2017", IdKind::Object).as_deref(),
            Ok("urn:epc:id:sgtin:0614141.107346.2017")
        );
        let err = id("urn:epc:id:sgtin:123", IdKind::Object).unwrap_err();
        assert!(
            err.starts_with("\"urn:epc:id:sgtin:123\" is not an EPC: "),
            "{err}"
        );
        assert!(id("urn:epc:class:lgtin:4012345.012345.998877", IdKind::Object).is_err());
        assert!(id("urn:epc:class:lgtin:4012345.012345.998877", IdKind::Class).is_ok());
        assert!(id("urn:epc:idpat:sgtin:4012345.066666.*", IdKind::Class).is_ok());
        assert!(id("urn:epc:idpat:sgtin:4012345.*.*", IdKind::Class).is_err());
        assert!(id("urn:epc:id:pgln:4012345.00225", IdKind::Other).is_ok());
        assert!(id("urn:epc:tag:sgtin-96:3.0614141.812345.6789", IdKind::Object).is_err());
        assert!(id("not a uri", IdKind::Other).is_err());
        assert_eq!(
            id("http://transaction.acme.com/po/1", IdKind::Other).as_deref(),
            Ok("http://transaction.acme.com/po/1")
        );
    }

    #[test]
    fn digital_links_become_epc_uris() {
        assert_eq!(
            id(
                "https://id.gs1.org/01/70614141123451/21/2017",
                IdKind::Object
            )
            .as_deref(),
            Ok("urn:epc:id:sgtin:0614141.712345.2017")
        );
        assert_eq!(
            id("https://id.gs1.org/01/04012345666663", IdKind::Class).as_deref(),
            Ok("urn:epc:idpat:sgtin:4012345.066666.*")
        );
        assert!(id("https://id.gs1.org/01/04012345666663", IdKind::Object).is_err());
        assert!(id("https://id.gs1.org/01/04012345666664/21/1", IdKind::Object).is_err());
    }

    #[test]
    fn links_stay_links_where_the_hash_could_tell_the_epc_uri_apart() {
        // No company prefix known: the canonical link, on GS1's host.
        let unknown = PrefixTable::default();
        let link = "https://example.com/gtin/4012345111118/ser/1001?linkType=all";
        assert_eq!(
            identifier(link, IdKind::Object, &Context::epcis(), &unknown).as_deref(),
            Ok("https://id.gs1.org/01/04012345111118/21/1001")
        );
        // `!` is written as is in the link but escaped in the EPC URI's canonical link.
        assert_eq!(
            id(
                "https://id.gs1.org/01/04012345111118/21/A!B",
                IdKind::Object
            )
            .as_deref(),
            Ok("https://id.gs1.org/01/04012345111118/21/A!B")
        );
    }
}
