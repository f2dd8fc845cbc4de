//! The gateway registry: which gateways may add events, with which key, on whose behalf.
//!
//! A gateway id is bound to one key for its life here; replacing a key means revoking
//! the id and enrolling a new one, so every stored event stays verifiable against the
//! key that signed it.

use serde::Deserialize;
use trace_proto::event::EventTime;
use trace_proto::signed::{GatewayId, SignedError, enrollment_key};

use crate::store::{GatewayRecord, Store, StoreError};

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

/// Why an enrolment or revocation was refused.
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
        why: &'static str,
    },
    /// No such gateway.
    #[error("no gateway {0} is enrolled")]
    Unknown(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn parse_key(text: &str) -> Result<[u8; 32], RegistryError> {
    let mut key = [0u8; 32];
    hex::decode_to_slice(text, &mut key).map_err(|_| RegistryError::KeyFormat(text.to_owned()))?;
    Ok(key)
}

/// Enrols a gateway. Enrolling the same id with the same key again updates its party,
/// site and description; another key for an enrolled id, or any key for a revoked id,
/// is a conflict.
pub fn enroll(store: &dyn Store, request: &Enrollment) -> Result<GatewayRecord, RegistryError> {
    let id = GatewayId::new(&request.id).map_err(RegistryError::Id)?;
    let public_key = parse_key(&request.public_key)?;
    enrollment_key(&public_key).map_err(RegistryError::Key)?;
    let enrolled = match store.gateway(&id)? {
        Some(existing) if existing.revoked.is_some() => {
            return Err(RegistryError::Conflict {
                id: request.id.clone(),
                why: "is revoked; enrol the replacement under a new id",
            });
        }
        Some(existing) if existing.public_key != public_key => {
            return Err(RegistryError::Conflict {
                id: request.id.clone(),
                why: "is enrolled with another key",
            });
        }
        Some(existing) => existing.enrolled,
        None => EventTime::now(),
    };
    let record = GatewayRecord {
        id,
        public_key,
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
    let gateway = GatewayId::new(id).map_err(RegistryError::Id)?;
    let mut record = store
        .gateway(&gateway)?
        .ok_or_else(|| RegistryError::Unknown(id.to_owned()))?;
    if record.revoked.is_none() {
        record.revoked = Some(EventTime::now());
        store.put_gateway(&record)?;
        tracing::warn!(gateway = id, "gateway revoked");
    }
    Ok(record)
}
