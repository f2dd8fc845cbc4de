//! Upgrades of files written by earlier layouts, run at open inside the transaction that
//! then records the new schema version, so a file is upgraded whole or not at all.
//!
//! Version 1 kept one public key per gateway; version 2 keeps the key history
//! ([`GatewayKey`]). Nothing else changed: a version 1 record becomes a history of one
//! key, signing from seq 1, added at enrolment.
//!
//! Version 3 may pack event bodies ([`packed`](super::packed)). A version 2 file's records
//! read as they are; the new version number alone keeps builds that cannot unpack from
//! reading a file that holds packed ones.

use redb::{ReadableTable, WriteTransaction};
use serde::Deserialize;
use trace_proto::event::EventTime;
use trace_proto::signed::GatewayId;

use super::records::{decode, encode};
use super::tables::GATEWAYS;
use crate::store::{GatewayKey, GatewayRecord, StoreError};

/// A gateway record as version 1 wrote it.
#[derive(Deserialize)]
struct GatewayRecordV1 {
    id: GatewayId,
    public_key: [u8; 32],
    party: Option<String>,
    site: Option<String>,
    description: String,
    enrolled: EventTime,
    revoked: Option<EventTime>,
}

impl From<GatewayRecordV1> for GatewayRecord {
    fn from(old: GatewayRecordV1) -> Self {
        Self {
            id: old.id,
            keys: vec![GatewayKey {
                public_key: old.public_key,
                from_seq: 1,
                added: old.enrolled,
                revoked: None,
            }],
            party: old.party,
            site: old.site,
            description: old.description,
            enrolled: old.enrolled,
            revoked: old.revoked,
        }
    }
}

/// Brings a file of version `from` (1 or 2) to the current layout.
pub(super) fn upgrade(txn: &WriteTransaction, from: u64) -> Result<(), StoreError> {
    if from == 1 {
        from_v1(txn)?;
    }
    tracing::info!(from, "events.redb upgraded: event bodies may now be packed");
    Ok(())
}

/// Rewrites a version 1 file's gateway records in the version 2 layout.
fn from_v1(txn: &WriteTransaction) -> Result<(), StoreError> {
    let mut gateways = txn.open_table(GATEWAYS)?;
    let mut converted = Vec::new();
    for row in gateways.iter()? {
        let (id, bytes) = row?;
        let old: GatewayRecordV1 = decode(bytes.value(), "version 1 gateway record")?;
        converted.push((id.value().to_owned(), GatewayRecord::from(old)));
    }
    for (id, record) in &converted {
        gateways.insert(id.as_str(), encode(record)?.as_slice())?;
    }
    tracing::info!(
        gateways = converted.len(),
        "events.redb upgraded from schema version 1: gateway key histories"
    );
    Ok(())
}
