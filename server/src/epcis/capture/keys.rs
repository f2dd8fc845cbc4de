//! The store keys of captured events and the `eventID`s they are found by.
//!
//! An event without `eventID` gets its CBV 2.0 hash as ID and is stored under the hash's 32
//! bytes, so the same event captured twice is stored once. An event whose `eventID` is that
//! hash is stored the same way. An event naming itself otherwise (`urn:uuid:…`, or a hash
//! that is not its own, as several GS1 examples carry) keeps its ID and is stored under the
//! SHA-256 of a domain tag and the ID, so a caller cannot pick a key that collides with a
//! gateway event's (those hash signing bytes that start with their own domain tag). IDs are
//! meant to be unique, but three GS1 examples give one ID to two different events: the
//! second different event with an ID takes the next *slot* (the ID and a slot number
//! hashed), so both are kept and [`events_named`] finds both; an equal event is a duplicate.

use std::collections::HashMap;

use sha2::{Digest, Sha256};
use trace_proto::event::EventTime;

use crate::epcis::decode::Decoded;
use crate::epcis::hash::{HASH_ID_PREFIX, HASH_ID_SUFFIX};
use crate::store::{EventKey, Origin, Store, StoreError, StoredEvent};

const ID_KEY_DOMAIN: &[u8] = b"rfid-trace/epcis/event-id\0";

/// The store key of an event hash ID (`ni:///sha-256;<64 hex>?ver=CBV2.0`), if it is one.
pub(super) fn hash_key(id: &str) -> Option<EventKey> {
    let hex = id
        .strip_prefix(HASH_ID_PREFIX)?
        .strip_suffix(HASH_ID_SUFFIX)?;
    EventKey::from_hex(hex)
}

/// Different events one declared eventID may name before capture refuses another.
pub const MAX_SLOTS: u32 = 64;

/// The store key of slot `slot` of an event that names itself `id` other than by its hash.
pub(super) fn id_key(id: &str, slot: u32) -> EventKey {
    let mut hasher = Sha256::new();
    hasher.update(ID_KEY_DOMAIN);
    hasher.update(id.as_bytes());
    if slot > 0 {
        hasher.update(b"#");
        hasher.update(slot.to_le_bytes());
    }
    EventKey(hasher.finalize().into())
}

/// Every stored event whose `eventID` is `id`: by its hash key, then by the slots of a
/// declared ID until a free one.
pub fn events_named(store: &dyn Store, id: &str) -> Result<Vec<StoredEvent>, StoreError> {
    let mut found = Vec::new();
    if let Some(key) = hash_key(id)
        && let Some(stored) = store.event(&key)?
        && stored.event.event_id.as_deref() == Some(id)
    {
        found.push(stored);
    }
    for slot in 0..MAX_SLOTS {
        match store.event(&id_key(id, slot))? {
            Some(stored) if stored.event.event_id.as_deref() == Some(id) => found.push(stored),
            _ => break,
        }
    }
    Ok(found)
}

/// A checked event as the store keeps it, its `eventID` filled in with its hash when absent;
/// an event with a declared ID gets slot 0 here and its final slot from [`settle_slots`].
pub fn to_stored(decoded: Decoded, captured_by: &str, recorded: EventTime) -> StoredEvent {
    let hash = decoded.hash_id();
    let mut event = decoded.event;
    let id = event.event_id.get_or_insert_with(|| hash.clone());
    let key = match hash_key(&hash) {
        Some(key) if *id == hash => key,
        _ => id_key(id, 0),
    };
    StoredEvent {
        key,
        recorded,
        event,
        origin: Origin::Captured {
            captured_by: captured_by.to_owned(),
        },
    }
}

/// Moves each event with a declared ID to the slot holding an equal event (a duplicate the
/// commit skips) or to the first free one. Callers hold one lock over this and the commit,
/// so two captures cannot take the same slot.
pub fn settle_slots(store: &dyn Store, events: &mut [StoredEvent]) -> Result<(), String> {
    let mut taken: HashMap<EventKey, usize> = HashMap::new();
    for i in 0..events.len() {
        let Some(id) = events[i].event.event_id.clone() else {
            continue;
        };
        if events[i].key != id_key(&id, 0) {
            continue;
        }
        let mut slot = 0;
        loop {
            if slot == MAX_SLOTS {
                return Err(format!(
                    "eventID {id} already names {MAX_SLOTS} different events"
                ));
            }
            let key = id_key(&id, slot);
            let holder = match taken.get(&key) {
                Some(j) => Some(events[*j].event.clone()),
                None => store
                    .event(&key)
                    .map_err(|e| e.to_string())?
                    .map(|stored| stored.event),
            };
            match holder {
                Some(event) if event != events[i].event => slot += 1,
                _ => {
                    events[i].key = key;
                    taken.entry(key).or_insert(i);
                    break;
                }
            }
        }
    }
    Ok(())
}
