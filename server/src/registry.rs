//! The gateway registry: which gateways may add events, with which key, on whose behalf.
//!
//! A gateway id keeps every key it ever had, each for a range of its chain (see
//! [`crate::store::GatewayKey`]): a rotation adds a key from a seq above everything stored,
//! so no stored event changes the key it is checked against, and every stored event stays
//! verifiable against the key that signed it.

use serde::Deserialize;
use trace_proto::event::EventTime;
use trace_proto::signed::{GatewayId, SignedError, enrollment_key};

use crate::store::{GatewayKey, GatewayRecord, Store, StoreError};

/// What an operator submits to enrol a gateway.
#[derive(Debug, Clone, Deserialize)]
pub struct Enrollment {
    /// The gateway id (as in its topics and signed events).
    pub id: String,
    /// Its ed25519 public key, 64 hex digits.
    pub public_key: String,
    /// The operating party (PGLN URI), if any.
    #[serde(default)]
    pub party: Option<String>,
    /// The site (SGLN URI), if any.
    #[serde(default)]
    pub site: Option<String>,
    /// Free text.
    #[serde(default)]
    pub description: String,
}

/// What an operator submits to rotate a gateway's key.
#[derive(Debug, Clone, Deserialize)]
pub struct NewKey {
    /// The new ed25519 public key, 64 hex digits (`trace-gateway rotate-key` prints it).
    pub public_key: String,
    /// The first seq it signs (`rotate-key` prints it too); the previous key keeps the
    /// seqs below.
    pub from_seq: u64,
}

/// Why an enrolment, rotation or revocation was refused.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// The id is not a valid gateway id.
    #[error("gateway id: {0}")]
    Id(SignedError),
    /// The key is not 64 hex digits.
    #[error("public key must be 64 hex digits (32 bytes), got {0:?}")]
    KeyFormat(String),
    /// The key is not a usable ed25519 key (invalid point or weak key).
    #[error("public key refused: {0}")]
    Key(SignedError),
    /// The id is taken by another key, or revoked.
    #[error("gateway {id} {why}")]
    Conflict {
        /// The gateway.
        id: String,
        /// What conflicts.
        why: String,
    },
    /// No such gateway.
    #[error("no gateway {0} is enrolled")]
    Unknown(String),
    /// The gateway has no such key.
    #[error("gateway {id} has no key {key}")]
    UnknownKey {
        /// The gateway.
        id: String,
        /// The key asked for.
        key: String,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Parses a key and refuses what enrolment refuses (invalid points, weak keys).
fn parse_key(text: &str) -> Result<[u8; 32], RegistryError> {
    let mut key = [0u8; 32];
    hex::decode_to_slice(text, &mut key).map_err(|_| RegistryError::KeyFormat(text.to_owned()))?;
    enrollment_key(&key).map_err(RegistryError::Key)?;
    Ok(key)
}

fn conflict(id: &str, why: impl Into<String>) -> RegistryError {
    RegistryError::Conflict {
        id: id.to_owned(),
        why: why.into(),
    }
}

fn enrolled(store: &dyn Store, id: &str) -> Result<GatewayRecord, RegistryError> {
    let gateway = GatewayId::new(id).map_err(RegistryError::Id)?;
    store
        .gateway(&gateway)?
        .ok_or_else(|| RegistryError::Unknown(id.to_owned()))
}

/// Enrols a gateway. Enrolling the same id with its current key again updates its party,
/// site and description; another key for an enrolled id (that is a rotation, see
/// [`add_key`]), or any key for a revoked id, is a conflict.
pub fn enroll(store: &dyn Store, request: &Enrollment) -> Result<GatewayRecord, RegistryError> {
    let id = GatewayId::new(&request.id).map_err(RegistryError::Id)?;
    let public_key = parse_key(&request.public_key)?;
    let (enrolled, keys) = match store.gateway(&id)? {
        Some(existing) if existing.revoked.is_some() => {
            return Err(conflict(
                &request.id,
                "is revoked; enrol the replacement under a new id",
            ));
        }
        Some(existing) if existing.current_key().map(|k| k.public_key) != Some(public_key) => {
            return Err(conflict(
                &request.id,
                "is enrolled with another key (a new key is a rotation: POST …/keys)",
            ));
        }
        Some(existing) => (existing.enrolled, existing.keys),
        None => {
            let now = EventTime::now();
            let first = GatewayKey {
                public_key,
                from_seq: 1,
                added: now,
                revoked: None,
            };
            (now, vec![first])
        }
    };
    let record = GatewayRecord {
        id,
        keys,
        party: request.party.clone(),
        site: request.site.clone(),
        description: request.description.clone(),
        enrolled,
        revoked: None,
    };
    store.put_gateway(&record)?;
    tracing::info!(gateway = record.id.as_str(), "gateway enrolled");
    Ok(record)
}

/// Revokes a gateway from now on: its later events are refused, its stored ones stay.
pub fn revoke(store: &dyn Store, id: &str) -> Result<GatewayRecord, RegistryError> {
    let mut record = enrolled(store, id)?;
    if record.revoked.is_none() {
        record.revoked = Some(EventTime::now());
        store.put_gateway(&record)?;
        tracing::warn!(gateway = id, "gateway revoked");
    }
    Ok(record)
}

/// Adds a key that signs the gateway's events from `from_seq` on; the previous key keeps
/// the seqs below. `from_seq` must lie above the stored chain head (a stored event never
/// changes its key) and above the previous key's start. Registering the newest key again
/// with the same `from_seq` changes nothing, so a retried request is harmless.
pub fn add_key(
    store: &dyn Store,
    id: &str,
    request: &NewKey,
) -> Result<GatewayRecord, RegistryError> {
    let public_key = parse_key(&request.public_key)?;
    let mut record = enrolled(store, id)?;
    let from_seq = request.from_seq;
    if record.revoked.is_some() {
        return Err(conflict(
            id,
            "is revoked; enrol the replacement under a new id",
        ));
    }
    if let Some(last) = record.current_key()
        && last.public_key == public_key
        && last.from_seq == from_seq
    {
        return Ok(record);
    }
    if record.keys.iter().any(|k| k.public_key == public_key) {
        return Err(conflict(
            id,
            "already had this key: a rotation needs a new key",
        ));
    }
    let stored = store.chain_head(&record.id)?.map_or(0, |head| head.seq);
    let previous = record.current_key().map_or(0, |k| k.from_seq);
    if from_seq <= stored.max(previous) {
        return Err(conflict(
            id,
            format!(
                "has events stored up to seq {stored} and its current key signs from seq \
                 {previous}: a new key must start above both, not at seq {from_seq}"
            ),
        ));
    }
    record.keys.push(GatewayKey {
        public_key,
        from_seq,
        added: EventTime::now(),
        revoked: None,
    });
    store.put_gateway(&record)?;
    tracing::warn!(gateway = id, from_seq, "gateway key rotated");
    Ok(record)
}

/// Revokes one of the gateway's keys from now on: events of its range that arrive later
/// are refused, its stored ones stay verifiable. `key` is its 64 hex digits.
pub fn revoke_key(store: &dyn Store, id: &str, key: &str) -> Result<GatewayRecord, RegistryError> {
    let mut public_key = [0u8; 32];
    hex::decode_to_slice(key, &mut public_key)
        .map_err(|_| RegistryError::KeyFormat(key.to_owned()))?;
    let mut record = enrolled(store, id)?;
    let unknown = || RegistryError::UnknownKey {
        id: id.to_owned(),
        key: key.to_owned(),
    };
    let entry = record
        .keys
        .iter_mut()
        .find(|k| k.public_key == public_key)
        .ok_or_else(unknown)?;
    if entry.revoked.is_none() {
        entry.revoked = Some(EventTime::now());
        let from_seq = entry.from_seq;
        store.put_gateway(&record)?;
        tracing::warn!(gateway = id, from_seq, "gateway key revoked");
    }
    Ok(record)
}
