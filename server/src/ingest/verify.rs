//! Signature verification for a round of events, on every core.
//!
//! Each event is checked against the key its gateway's record names for its seq (a
//! gateway's keys cover ranges of its chain, see [`crate::store::GatewayKey`]). The round
//! is cut into one chunk per core; each chunk goes through trace-proto's batch
//! verification, which names the bad events itself when a batch fails.

use std::collections::HashMap;
use std::thread;

use trace_proto::event::EventTime;
use trace_proto::signed::{GatewayId, SignedError, SignedEvent, VerifyingKey, verify_batch};

use crate::store::{GatewayKey, GatewayRecord};

/// Below this many events a round is verified on the calling thread.
const PARALLEL_FROM: usize = 256;

/// A round's events sorted by what their signatures say.
#[derive(Debug, Default)]
pub struct Checked {
    /// Events whose signature verifies with the key of their seq, in their given order.
    pub verified: Vec<SignedEvent>,
    /// Events refused, each with its reason.
    pub refused: Vec<(SignedEvent, String)>,
    /// How many of the refused had a bad signature (rather than a revoked or missing key).
    pub bad_signatures: usize,
}

/// Checks `events` (of gateways in `records`; others are refused) at time `now`.
pub fn check(
    records: &HashMap<GatewayId, GatewayRecord>,
    events: Vec<SignedEvent>,
    now: EventTime,
) -> Checked {
    let mut checked = Checked::default();
    let mut keyed: Vec<(SignedEvent, VerifyingKey, &GatewayKey)> = Vec::new();
    for event in events {
        let record = records.get(event.gateway_id());
        let key = match record.and_then(|r| r.key_for(event.seq())) {
            None => Err(format!("no key of the gateway signs seq {}", event.seq())),
            Some(key) => match key.revoked {
                Some(at) if at <= now => Err(format!(
                    "key {} (seqs from {}) revoked at {at}",
                    hex::encode(key.public_key),
                    key.from_seq
                )),
                _ => VerifyingKey::from_bytes(&key.public_key)
                    .map(|verifying| (verifying, key))
                    .map_err(|_| "registered public key is not a valid ed25519 key".into()),
            },
        };
        match key {
            Ok((verifying, key)) => keyed.push((event, verifying, key)),
            Err(reason) => checked.refused.push((event, reason)),
        }
    }
    let items: Vec<(&SignedEvent, &VerifyingKey)> = keyed.iter().map(|(e, k, _)| (e, k)).collect();
    let mut bad = bad_signatures(&items);
    bad.sort_unstable();
    let mut bad = bad.into_iter().peekable();
    for (index, (event, _, key)) in keyed.into_iter().enumerate() {
        if bad.next_if_eq(&index).is_none() {
            checked.verified.push(event);
            continue;
        }
        checked.bad_signatures += 1;
        let record = records.get(event.gateway_id());
        let reason = match record.and_then(|r| superseded_signer(r, &event, key)) {
            Some(old) => format!(
                "seq {} signed by key {}, which signs only seqs {} to {}: key {} signs from seq {}",
                event.seq(),
                hex::encode(old.public_key),
                old.from_seq,
                key.from_seq.saturating_sub(1),
                hex::encode(key.public_key),
                key.from_seq
            ),
            None => format!("bad signature at seq {}", event.seq()),
        };
        checked.refused.push((event, reason));
    }
    checked
}

/// An earlier key of the gateway whose signature the event carries: the sign of a rotated
/// (possibly stolen) key still in use after its range ended.
fn superseded_signer<'r>(
    record: &'r GatewayRecord,
    event: &SignedEvent,
    current: &GatewayKey,
) -> Option<&'r GatewayKey> {
    record
        .keys
        .iter()
        .filter(|k| k.from_seq < current.from_seq)
        .find(|k| {
            VerifyingKey::from_bytes(&k.public_key).is_ok_and(|key| event.verify(&key).is_ok())
        })
}

/// The indices (into `items`) of the events whose signature does not verify.
fn bad_signatures(items: &[(&SignedEvent, &VerifyingKey)]) -> Vec<usize> {
    let threads = thread::available_parallelism().map_or(1, usize::from);
    if items.len() < PARALLEL_FROM || threads == 1 {
        return check_chunk(items, 0);
    }
    let chunk = items.len().div_ceil(threads);
    thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .enumerate()
            .map(|(n, part)| {
                let offset = n * chunk;
                (
                    offset..offset + part.len(),
                    scope.spawn(move || check_chunk(part, offset)),
                )
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|(range, handle)| match handle.join() {
                Ok(bad) => bad,
                // A verifier that died proves nothing: its whole chunk counts as bad.
                Err(_) => range.collect(),
            })
            .collect()
    })
}

fn check_chunk(items: &[(&SignedEvent, &VerifyingKey)], offset: usize) -> Vec<usize> {
    match verify_batch(items) {
        Ok(()) => Vec::new(),
        Err(SignedError::BadSignatures { bad }) => bad.into_iter().map(|i| offset + i).collect(),
        Err(_) => (offset..offset + items.len()).collect(),
    }
}
