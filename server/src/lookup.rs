//! The consumer's question — "where does this unit come from, is it recalled, is the
//! record genuine?" — answered from a backward trace, with a proof bundle: each signed
//! step's bytes verbatim and the key that signed each (a gateway's key changes when it is
//! rotated, so the key goes with the step), enough to check the journey offline without
//! trusting this server.

use std::collections::BTreeMap;

use serde::Serialize;
use trace_proto::event::{EventKind, Ilmd};
use trace_proto::signed::{GatewayId, SignedEvent, VerifyingKey};

use crate::store::{GatewayRecord, Origin, Store, StoreError};
use crate::trace::{self, Direction, Hop, TraceError};

/// What is printed on the product, from its commissioning record.
#[derive(Debug, Default, Serialize)]
pub struct Product {
    /// GTIN-14, when a GS1 trade item.
    pub gtin: Option<String>,
    /// Lot.
    pub lot: Option<String>,
    /// Serial.
    pub serial: Option<String>,
    /// Expiry date (`YYYY-MM-DD`).
    pub expiry: Option<String>,
    /// Production date.
    pub production_date: Option<String>,
    /// Country of origin (ISO 3166 alpha-2).
    pub country_of_origin: Option<String>,
}

/// A recall naming the unit.
#[derive(Debug, Serialize)]
pub struct RecallNotice {
    /// Recall id.
    pub id: String,
    /// When.
    pub issued: String,
    /// Why.
    pub reason: String,
    /// What to do.
    pub instructions: String,
}

/// How much of the journey is vouched for by registered gateways.
#[derive(Debug, Serialize)]
pub struct Verification {
    /// Steps in the journey.
    pub steps: usize,
    /// Steps whose signature verifies against an enrolled gateway key.
    pub signed_steps: usize,
    /// Steps captured over HTTP (a partner's system), not gateway-signed.
    pub captured_steps: usize,
    /// Every step signed and verified.
    pub all_signed: bool,
}

/// One signed step of the proof.
#[derive(Debug, Serialize)]
pub struct ProofStep {
    /// The event's public id.
    pub event_id: String,
    /// The signing gateway.
    pub gateway_id: String,
    /// Its chain position.
    pub seq: u64,
    /// The public key (hex) the gateway's record names for that position: the one to
    /// verify this step with. `None` when the gateway is not enrolled here.
    pub public_key: Option<String>,
    /// The signed bytes (signing bytes ‖ 64-byte signature), hex.
    pub signed: String,
}

/// The offline proof.
#[derive(Debug, Serialize)]
pub struct Proof {
    /// How to check it.
    pub how_to_verify: &'static str,
    /// The current public key (hex) of each gateway that signed steps; a step signed
    /// before a rotation names its own key in [`ProofStep::public_key`].
    pub gateway_keys: BTreeMap<String, String>,
    /// The signed steps.
    pub steps: Vec<ProofStep>,
}

/// The whole answer.
#[derive(Debug, Serialize)]
pub struct Lookup {
    /// The canonical identity the code stands for.
    pub identity: String,
    /// Product data.
    pub product: Product,
    /// The first step of the journey (commissioning or harvest), if recorded.
    pub origin: Option<Hop>,
    /// Every step, oldest first.
    pub journey: Vec<Hop>,
    /// Recalls naming it.
    pub recalls: Vec<RecallNotice>,
    /// Signature coverage.
    pub verification: Verification,
    /// The proof bundle.
    pub proof: Proof,
}

const HOW_TO_VERIFY: &str = "Each step's bytes are b\"rfid-trace/event/v1\\0\" followed by the \
postcard encoding of (gateway_id, seq, prev, event), then a 64-byte Ed25519 signature over \
everything before it. Verify the signature with the step's public_key (strict verification); \
SHA-256 of the signed part (without the signature) is the next step's `prev` from the same \
gateway.";

/// Answers for `identity` (a canonical URI); `gs1` are its Application Identifiers.
pub fn lookup(
    store: &dyn Store,
    identity: &str,
    gs1: &[(String, String)],
) -> Result<Lookup, TraceError> {
    let trace = trace::trace(store, identity, Direction::Backward)?;
    let ai = |code: &str| gs1.iter().find(|(a, _)| a == code).map(|(_, v)| v.clone());
    let mut product = Product {
        gtin: ai("01"),
        lot: ai("10"),
        serial: ai("21"),
        ..Product::default()
    };
    let mut gateways: BTreeMap<GatewayId, Option<GatewayRecord>> = BTreeMap::new();
    let mut proof = Proof {
        how_to_verify: HOW_TO_VERIFY,
        gateway_keys: BTreeMap::new(),
        steps: Vec::new(),
    };
    let (mut signed_steps, mut captured_steps) = (0, 0);
    for hop in &trace.events {
        let Some(stored) = store.event(&hop.key)? else {
            continue;
        };
        if let Some(ilmd) = ilmd(&stored.event.kind) {
            fill(&mut product, ilmd);
        }
        match stored.origin {
            Origin::Captured { .. } => captured_steps += 1,
            Origin::Gateway {
                gateway_id,
                seq,
                signed,
            } => {
                if !gateways.contains_key(&gateway_id) {
                    let record = store.gateway(&gateway_id)?;
                    if let Some(key) = record.as_ref().and_then(GatewayRecord::current_key) {
                        proof
                            .gateway_keys
                            .insert(gateway_id.as_str().to_owned(), hex::encode(key.public_key));
                    }
                    gateways.insert(gateway_id.clone(), record);
                }
                let key = gateways
                    .get(&gateway_id)
                    .and_then(Option::as_ref)
                    .and_then(|record| record.key_for(seq))
                    .map(|key| key.public_key);
                let verified = key
                    .and_then(|key| VerifyingKey::from_bytes(&key).ok())
                    .is_some_and(|key| {
                        SignedEvent::from_bytes(&signed).is_ok_and(|e| e.verify(&key).is_ok())
                    });
                signed_steps += usize::from(verified);
                proof.steps.push(ProofStep {
                    event_id: hop.event_id.clone(),
                    gateway_id: gateway_id.as_str().to_owned(),
                    seq,
                    public_key: key.map(hex::encode),
                    signed: hex::encode(&signed),
                });
            }
        }
    }
    let recalls = recall_notices(store, identity)?;
    let steps = trace.events.len();
    Ok(Lookup {
        identity: identity.to_owned(),
        product,
        origin: trace.events.first().cloned(),
        verification: Verification {
            steps,
            signed_steps,
            captured_steps,
            all_signed: steps > 0 && signed_steps == steps,
        },
        journey: trace.events,
        recalls,
        proof,
    })
}

fn ilmd(kind: &EventKind) -> Option<&Ilmd> {
    match kind {
        EventKind::Object(o) => o.ilmd.as_ref(),
        EventKind::Transformation(t) => t.ilmd.as_ref(),
        _ => None,
    }
}

fn fill(product: &mut Product, ilmd: &Ilmd) {
    let date = |d: &Option<trace_proto::event::Date>| d.as_ref().map(ToString::to_string);
    product.lot = product.lot.take().or_else(|| ilmd.lot_number.clone());
    product.expiry = product
        .expiry
        .take()
        .or_else(|| date(&ilmd.item_expiration_date));
    product.production_date = product
        .production_date
        .take()
        .or_else(|| date(&ilmd.production_date));
    product.country_of_origin = product
        .country_of_origin
        .take()
        .or_else(|| ilmd.country_of_origin.clone());
}

fn recall_notices(store: &dyn Store, identity: &str) -> Result<Vec<RecallNotice>, StoreError> {
    let mut notices = Vec::new();
    for id in store.recalls_affecting(identity)? {
        if let Some(r) = store.recall(&id)? {
            notices.push(RecallNotice {
                id: r.id,
                issued: r.issued.to_string(),
                reason: r.reason,
                instructions: r.instructions,
            });
        }
    }
    Ok(notices)
}
