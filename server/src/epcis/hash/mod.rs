//! The CBV 2.0 event hash ID, `ni:///sha-256;<hex>?ver=CBV2.0`, per docs/event-hash.md.
//!
//! # Computed from the JSON, not from the event model
//!
//! The standard defines the hash on the event as written, and other EPCIS systems compute it
//! from the JSON they received. Our [`Event`] normalises some of that away, so hashing it could
//! give a different ID than the sender's:
//! - identifiers: a Digital Link becomes an EPC URI, which the hash maps back to the same
//!   canonical Digital Link only when the link's text fits §6 (the decoder keeps the link
//!   when it would not, or when the company prefix is unknown);
//! - `eventTimeZoneOffset` is hashed verbatim, the model keeps minutes (`-00:00` → `+00:00`);
//! - `hexBinaryValue` is hashed verbatim, the model keeps bytes (case is lost);
//! - JSON numbers pass through `f64` on both paths, so a number with more than ~15
//!   significant digits may differ between writers.
//!
//! So a captured event's ID is computed from its JSON and the document's `@context`
//! ([`pre_hash_json`]); an event that only exists in the model (a gateway's) is hashed as the
//! EPCIS JSON we would publish for it ([`pre_hash`], through [`encode_event`]), which is what any
//! other system would hash when it reads our output. For every GS1 example document the two
//! agree (tests/epcis_roundtrip.rs).
//!
//! Where the reference implementations disagree (event-hash.md §9) the rules of §1-6 apply:
//! epcList before parentID, the `sensorElementList` token and nested extensions in place,
//! `type=` before the identifier, `certificationInfo` included, timestamps rounded half-up.
//! Cases §9.9 leaves open are decided so: prefixes of the EPCIS 2.0 context count as declared
//! (`cbvmda:x` → `{urn:epcglobal:cbv:mda:}x`); a full-IRI key is split after its last `/` or
//! `#`; `bizRules` in a sensorReport is rendered after `coordinateReferenceSystem`;
//! `rdfs:comment` is left out like `comment`.
//!
//! [`Event`]: trace_proto::event::Event
//! [`encode_event`]: super::encode::encode_event

mod gs1;
mod normalise;
mod prehash;

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use trace_proto::event::Event;

use super::context::Context;
use super::encode::{Namespaces, encode_event_with};

pub use gs1::canonical as canonical_gs1_identifier;
pub(crate) use normalise::number_text;

/// Start of every hash ID.
pub const HASH_ID_PREFIX: &str = "ni:///sha-256;";
/// End of every CBV 2.0 hash ID.
pub const HASH_ID_SUFFIX: &str = "?ver=CBV2.0";

/// The pre-hash string of a JSON-LD event object, read with the prefixes of `context` (the
/// document's `@context` extended by the event's own).
pub fn pre_hash_json(event: &Map<String, Value>, context: &Context) -> String {
    prehash::pre_hash(event, context)
}

/// The hash ID of a pre-hash string.
pub fn hash_id(pre_hash: &str) -> String {
    let digest = Sha256::digest(pre_hash.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("{HASH_ID_PREFIX}{hex}{HASH_ID_SUFFIX}")
}

/// The pre-hash string of an event of the model, as the JSON-LD we publish for it.
pub fn pre_hash(event: &Event) -> String {
    let mut namespaces = Namespaces::new();
    let json = encode_event_with(event, &mut namespaces);
    let mut context = Context::epcis();
    for (prefix, iri) in namespaces.declared() {
        context.declare(prefix, iri);
    }
    pre_hash_json(&json, &context)
}

/// The hash ID of an event of the model (see [`pre_hash`]).
pub fn event_hash_id(event: &Event) -> String {
    hash_id(&pre_hash(event))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_id_of_a_known_pre_hash() {
        // docs/event-hash.md §7 example B.
        let pre_hash = "eventType=AggregationEventeventTime=2024-03-01T08:00:00.000ZeventTimeZoneOffset=+00:00\
            parentID=https://id.gs1.org/00/040123450000001112\
            childEPCsepc=https://id.gs1.org/01/04012345111118/21/A1epc=https://id.gs1.org/01/04012345111118/21/B2\
            childQuantityListquantityElementepcClass=https://id.gs1.org/01/04012345111118/10/LOT9quantity=10uom=KGM\
            action=ADDbizStep=https://ref.gs1.org/cbv/BizStep-packingreadPointid=https://id.gs1.org/414/4012345000016\
            bizLocationid=https://id.gs1.org/414/4012345000016/254/12{https://ns.example.com/epcis/}dock=D4";
        assert_eq!(
            hash_id(pre_hash),
            "ni:///sha-256;3d219172d31ff323a00e98c93a17ce3a6e1ea04db94a4e7b96aa240015e555e9?ver=CBV2.0"
        );
    }
}
