//! A supply chain signed by real gateways, for tests of the store, trace and HTTP: a lot
//! commissioned, packed into cases, the cases onto a pallet, shipped, received, partly
//! unpacked, one unit sold; a transformation of two lots into a third; a boiler from
//! manufacture to scrap; and, apart, two containers packed into each other.
//!
//! [`commit_scenario`] commits it into any store and returns the identifiers and event
//! keys used; the builders here make other events the same way. Each test binary uses part
//! of it, hence the `dead_code` and `unused_imports` allowances.
#![allow(dead_code, unused_imports)]

mod scenario;

pub use scenario::{Scenario, commit_cycle, commit_scenario, names};

use sha2::{Digest, Sha256};
use trace_proto::event::{
    Action, AggregationEvent, BizStep, Event, EventKind, EventTime, Ilmd, Location, ObjectEvent,
    TimeZoneOffset,
};
use trace_proto::signed::{EventHash, GatewayId, SignedEvent, SigningKey};
use trace_server::store::{CommitBatch, EventKey, GatewayRecord, Origin, Store, StoredEvent};

/// The time zone of every scenario event.
pub const OFFSET: &str = "+08:00";

/// `2026-03-<day>T<hh:mm>:00+08:00`.
pub fn at(day: u32, hh_mm: &str) -> EventTime {
    format!("2026-03-{day:02}T{hh_mm}:00{OFFSET}")
        .parse()
        .unwrap()
}

/// A location element.
pub fn place(id: &str) -> Option<Location> {
    Some(Location {
        id: id.into(),
        extensions: vec![],
    })
}

/// An event of `kind` at `time` (zone [`OFFSET`]) with a business step and a read point.
pub fn event(kind: EventKind, time: EventTime, step: BizStep, read_point: &str) -> Event {
    let mut event = Event::new(kind, time, OFFSET.parse::<TimeZoneOffset>().unwrap());
    event.biz_step = Some(step);
    event.read_point = place(read_point);
    event
}

/// An ObjectEvent's kind.
pub fn object(action: Action, epcs: &[&str], ilmd: Option<Ilmd>) -> EventKind {
    EventKind::Object(ObjectEvent {
        action,
        epc_list: epcs.iter().map(|e| e.to_string()).collect(),
        quantity_list: vec![],
        ilmd,
    })
}

/// An AggregationEvent's kind.
pub fn aggregation(action: Action, parent: &str, children: &[&str]) -> EventKind {
    EventKind::Aggregation(AggregationEvent {
        action,
        parent_id: Some(parent.into()),
        child_epcs: children.iter().map(|e| e.to_string()).collect(),
        child_quantity_list: vec![],
    })
}

/// ILMD naming a lot.
pub fn lot(number: &str) -> Option<Ilmd> {
    Some(Ilmd {
        lot_number: Some(number.into()),
        ..Ilmd::default()
    })
}

/// The store key of a gateway event: SHA-256 of its signed bytes.
pub fn key_of(signed: &SignedEvent) -> EventKey {
    EventKey(Sha256::digest(signed.to_bytes()).into())
}

/// An enrolled gateway signing its chain.
pub struct Gateway {
    key: SigningKey,
    pub id: GatewayId,
    pub party: String,
    seq: u64,
    prev: EventHash,
}

impl Gateway {
    /// Gateway `id` with the key made of `seed` bytes, operated by `party`.
    pub fn new(id: &str, seed: u8, party: &str) -> Self {
        Self {
            key: SigningKey::from_bytes(&[seed; 32]),
            id: GatewayId::new(id).unwrap(),
            party: party.into(),
            seq: 0,
            prev: EventHash::ZERO,
        }
    }

    /// Its registry record.
    pub fn record(&self) -> GatewayRecord {
        GatewayRecord {
            id: self.id.clone(),
            public_key: self.key.verifying_key().to_bytes(),
            party: Some(self.party.clone()),
            site: None,
            description: format!("test gateway {}", self.id),
            enrolled: at(1, "00:00"),
            revoked: None,
        }
    }

    /// Signs the next event of its chain, as the store keeps it.
    pub fn sign(&mut self, event: Event) -> StoredEvent {
        self.seq += 1;
        let signed =
            SignedEvent::sign(&self.key, self.id.clone(), self.seq, self.prev, event).unwrap();
        self.prev = signed.hash();
        StoredEvent {
            key: key_of(&signed),
            recorded: signed.event().event_time,
            event: signed.event().clone(),
            origin: Origin::Gateway {
                gateway_id: self.id.clone(),
                seq: self.seq,
                signed: signed.to_bytes(),
            },
        }
    }

    /// Signs `events` and commits them with the new chain head in one batch.
    pub fn commit(&mut self, store: &dyn Store, events: Vec<Event>) -> Vec<EventKey> {
        let events: Vec<StoredEvent> = events.into_iter().map(|e| self.sign(e)).collect();
        let keys = events.iter().map(|e| e.key).collect();
        let head = trace_proto::signed::ChainHead {
            seq: self.seq,
            hash: self.prev,
        };
        let batch = CommitBatch {
            events,
            heads: vec![(self.id.clone(), head)],
            quarantine: vec![],
        };
        store.commit(&batch).unwrap();
        keys
    }
}
