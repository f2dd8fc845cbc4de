//! An enrolled gateway and its key history.
//!
//! A gateway's keys are kept as ranges of its chain, not of time: each key signs the
//! seqs from its `from_seq` up to the next key's. A seq is a position the gateway
//! signed once and the server checks before storing, so "which key signed seq N" has
//! one answer forever, and a stored event stays verifiable against the key of its range
//! after the key is rotated out or revoked. Time-based validity would depend on clocks
//! and on when an event happened to arrive.

use serde::{Deserialize, Serialize};
use trace_proto::event::EventTime;
use trace_proto::signed::GatewayId;

/// One key of a gateway: it signs the gateway's events from `from_seq` on, up to the
/// next key's `from_seq`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GatewayKey {
    /// The ed25519 public key.
    pub public_key: [u8; 32],
    /// The first seq it signs (1 for the enrolment key).
    pub from_seq: u64,
    /// When it was registered.
    pub added: EventTime,
    /// When it was revoked: events of its range received after this are refused; the
    /// stored ones stay verifiable.
    pub revoked: Option<EventTime>,
}

/// An enrolled gateway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GatewayRecord {
    /// Its id.
    pub id: GatewayId,
    /// Its keys by increasing `from_seq`; the first starts at seq 1.
    pub keys: Vec<GatewayKey>,
    /// The party operating it (PGLN URI), the default responsible party of its events.
    pub party: Option<String>,
    /// Its site (SGLN URI).
    pub site: Option<String>,
    /// Free text.
    pub description: String,
    /// When it was enrolled.
    pub enrolled: EventTime,
    /// When it was revoked; events signed after enrolment but received after this are refused.
    pub revoked: Option<EventTime>,
}

impl GatewayRecord {
    /// The key that signs `seq`: the last one starting at or before it.
    pub fn key_for(&self, seq: u64) -> Option<&GatewayKey> {
        self.keys.iter().rev().find(|key| key.from_seq <= seq)
    }

    /// The key that signs its next events (the newest).
    pub fn current_key(&self) -> Option<&GatewayKey> {
        self.keys.last()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8, from_seq: u64) -> GatewayKey {
        GatewayKey {
            public_key: [byte; 32],
            from_seq,
            added: EventTime::now(),
            revoked: None,
        }
    }

    #[test]
    fn each_seq_has_the_key_of_its_range() {
        let record = GatewayRecord {
            id: GatewayId::new("gw-1").unwrap(),
            keys: vec![key(1, 1), key(2, 101), key(3, 250)],
            party: None,
            site: None,
            description: String::new(),
            enrolled: EventTime::now(),
            revoked: None,
        };
        let signer = |seq| record.key_for(seq).map(|k| k.public_key[0]);
        assert_eq!(signer(0), None);
        assert_eq!(signer(1), Some(1));
        assert_eq!(signer(100), Some(1));
        assert_eq!(signer(101), Some(2));
        assert_eq!(signer(249), Some(2));
        assert_eq!(signer(250), Some(3));
        assert_eq!(signer(u64::MAX), Some(3));
        assert_eq!(record.current_key().map(|k| k.from_seq), Some(250));
    }
}
