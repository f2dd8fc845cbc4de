//! A supply chain signed by real gateways, for tests of the store, trace and HTTP: a lot
//! commissioned, packed into cases, the cases onto a pallet, shipped, received, partly
//! unpacked, one unit sold; a transformation of two lots into a third; a boiler from
//! manufacture to scrap; and, apart, two containers packed into each other.
//!
//! [`commit_scenario`] commits it into any store and returns the identifiers and event
//! keys used; [`play_scenario`] hands the same signed events to any [`Sink`] (the HTTP
//! tests publish them over MQTT); the builders here make other events the same way. Each
//! test binary uses part of it, hence the `dead_code` and `unused_imports` allowances.
#![allow(dead_code, unused_imports)]

mod scenario;

pub use scenario::{Scenario, commit_cycle, commit_scenario, names, play_scenario};

use trace_proto::event::{
    Action, AggregationEvent, BizStep, Event, EventKind, EventTime, Ilmd, Location, ObjectEvent,
    TimeZoneOffset,
};
use trace_proto::signed::{ChainHead, EventHash, GatewayId, SignedEvent, SigningKey};
use trace_server::store::{
    CommitBatch, EventKey, GatewayKey, GatewayRecord, Origin, Store, StoredEvent,
};

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

/// The store key of a gateway event: its chain hash (SHA-256 of its signing bytes).
pub fn key_of(signed: &SignedEvent) -> EventKey {
    EventKey(signed.hash().0)
}

/// The record the server's ingest stores for a signed event.
pub fn stored(signed: &SignedEvent) -> StoredEvent {
    StoredEvent {
        key: key_of(signed),
        recorded: signed.event().event_time,
        event: signed.event().clone(),
        origin: Origin::Gateway {
            gateway_id: signed.gateway_id().clone(),
            seq: signed.seq(),
            signed: signed.to_bytes(),
        },
    }
}

/// Where a scenario's gateways and signed events go.
pub trait Sink {
    /// Enrols a gateway.
    fn enroll(&mut self, record: &GatewayRecord);
    /// Delivers one gateway's next events; `head` is its chain head after them.
    fn deliver(&mut self, events: &[SignedEvent], head: ChainHead);
}

/// A sink that commits straight into a store, as ingest would.
pub struct StoreSink<'a>(pub &'a dyn Store);

impl Sink for StoreSink<'_> {
    fn enroll(&mut self, record: &GatewayRecord) {
        self.0.put_gateway(record).unwrap();
    }

    fn deliver(&mut self, events: &[SignedEvent], head: ChainHead) {
        let batch = CommitBatch {
            events: events.iter().map(stored).collect(),
            heads: vec![(events[0].gateway_id().clone(), head)],
            quarantine: vec![],
        };
        self.0.commit(&batch).unwrap();
    }
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
            keys: vec![GatewayKey {
                public_key: self.key.verifying_key().to_bytes(),
                from_seq: 1,
                added: at(1, "00:00"),
                revoked: None,
            }],
            party: Some(self.party.clone()),
            site: None,
            description: format!("test gateway {}", self.id),
            enrolled: at(1, "00:00"),
            revoked: None,
        }
    }

    /// Signs the next event of its chain.
    pub fn sign(&mut self, event: Event) -> SignedEvent {
        self.seq += 1;
        let signed =
            SignedEvent::sign(&self.key, self.id.clone(), self.seq, self.prev, event).unwrap();
        self.prev = signed.hash();
        signed
    }

    /// Signs the next event and returns it as the store keeps it.
    pub fn stored(&mut self, event: Event) -> StoredEvent {
        stored(&self.sign(event))
    }

    /// Signs `events` and delivers them with the new chain head.
    pub fn commit(&mut self, sink: &mut dyn Sink, events: Vec<Event>) -> Vec<EventKey> {
        let events: Vec<SignedEvent> = events.into_iter().map(|e| self.sign(e)).collect();
        let head = ChainHead {
            seq: self.seq,
            hash: self.prev,
        };
        sink.deliver(&events, head);
        events.iter().map(key_of).collect()
    }
}
