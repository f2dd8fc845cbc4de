//! Two ingest pipelines (two server instances, in one process here) on one PostgreSQL
//! store, fed a gateway's batches alternately as a shared subscription does: each picks up
//! the head the other stored, and a fork that extends a stale head is caught by the
//! store's head check (a read that raced another instance's commit is played by a store
//! wrapper) and quarantined after a reload, never stored.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod pg;
mod support;

use std::sync::{Arc, Mutex};

use pg::Schema;
use support::{Gateway, at, event, names, object};
use trace_proto::event::{Action, BizStep, Event};
use trace_proto::mqtt::{GatewayTopic, Payload, gateway_topic, payload_budget, split_batch};
use trace_proto::signed::{ChainHead, GatewayId, SignedEvent, SigningKey};
use trace_server::ingest::{Incoming, Ingest, RoundOutcome};
use trace_server::metrics::Metrics;
use trace_server::store::pg_store::PgStore;
use trace_server::store::{
    CommitBatch, CommitReport, EventKey, GatewayRecord, IndexEntry, QuarantineEntry, RecallRecord,
    RecordCursor, Store, StoreError, StoreStats, StoredEvent,
};

fn observe(n: u32) -> Event {
    event(
        object(
            Action::Observe,
            &[&format!("urn:epc:id:sgtin:0614141.812345.{n}")],
            None,
        ),
        at(1, "08:00"),
        BizStep::Inspecting,
        names::LINE,
    )
}

fn message(events: &[SignedEvent]) -> Vec<Incoming> {
    let topic = gateway_topic(events[0].gateway_id(), GatewayTopic::Events);
    split_batch(events, payload_budget(&topic))
        .unwrap()
        .into_iter()
        .map(|batch| Incoming {
            topic: topic.clone(),
            payload: Payload::EventBatch(batch).encode().unwrap(),
        })
        .collect()
}

fn acked(outcome: &RoundOutcome) -> Vec<u64> {
    outcome
        .acks
        .iter()
        .map(|a| a.highest_contiguous_seq)
        .collect()
}

#[test]
fn instances_sharing_a_store_follow_each_others_heads_and_catch_forks() {
    let schema = Schema::new();
    let store: Arc<dyn Store> = Arc::new(PgStore::open(&schema.url()).unwrap());
    let mut gateway = Gateway::new("gw-shared", 4, names::FACTORY_PARTY);
    store.put_gateway(&gateway.record()).unwrap();
    let events: Vec<SignedEvent> = (1..=10).map(|n| gateway.sign(observe(n))).collect();
    let mut a = Ingest::new(store.clone(), Arc::new(Metrics::default()));
    let mut b = Ingest::new(store.clone(), Arc::new(Metrics::default()));

    assert_eq!(acked(&a.process(message(&events[0..2])).unwrap()), [2]);
    assert_eq!(acked(&b.process(message(&events[2..4])).unwrap()), [4]);
    // A's head (2) is stale: seqs 5-6 look like a gap until it reads the store's.
    assert_eq!(acked(&a.process(message(&events[4..6])).unwrap()), [6]);
    assert_eq!(acked(&b.process(message(&events[6..8])).unwrap()), [8]);
    assert!(a.gaps().is_empty() && b.gaps().is_empty());

    // A different seq 7, signed by the gateway's own key: A reads the store's head (8)
    // and sees the fork.
    let key = SigningKey::from_bytes(&[4; 32]);
    let fork = |n| SignedEvent::sign(&key, gateway.id.clone(), 7, events[5].hash(), observe(n));
    let outcome = a.process(message(&[fork(77).unwrap()])).unwrap();
    assert_eq!((outcome.stored, outcome.quarantined), (0, 1));
    assert_eq!(acked(&outcome), [8]);
    let quarantined = store.quarantined(0, 10).unwrap();
    assert!(quarantined[0].reason.contains("fork"), "{quarantined:?}");

    // Resent events the other instance stored are replays, not stored twice.
    let outcome = a.process(message(&events[6..10])).unwrap();
    assert_eq!((outcome.stored, outcome.replays), (2, 2));
    assert_eq!(acked(&outcome), [10]);
    assert_eq!(store.stats().unwrap().events, 10);
    assert_eq!(
        store.chain_head(&gateway.id).unwrap(),
        Some(events[9].head())
    );
}

/// A store whose next `stale` head reads answer an old head, as a read that raced another
/// instance's commit does.
struct Racing {
    inner: PgStore,
    stale: Mutex<(usize, Option<ChainHead>)>,
}

impl Store for Racing {
    fn commit(&self, batch: &CommitBatch) -> Result<CommitReport, StoreError> {
        self.inner.commit(batch)
    }
    fn event(&self, key: &EventKey) -> Result<Option<StoredEvent>, StoreError> {
        self.inner.event(key)
    }
    fn events_naming(&self, identifier: &str) -> Result<Vec<IndexEntry>, StoreError> {
        self.inner.events_naming(identifier)
    }
    fn latest_naming(&self, identifier: &str) -> Result<Option<IndexEntry>, StoreError> {
        self.inner.latest_naming(identifier)
    }
    fn events_at(&self, location: &str) -> Result<Vec<IndexEntry>, StoreError> {
        self.inner.events_at(location)
    }
    fn events_recorded(
        &self,
        after: Option<&RecordCursor>,
        limit: usize,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        self.inner.events_recorded(after, limit)
    }
    fn class_instances(&self, class: &str) -> Result<Vec<String>, StoreError> {
        self.inner.class_instances(class)
    }
    fn class_of(&self, instance: &str) -> Result<Option<String>, StoreError> {
        self.inner.class_of(instance)
    }
    fn chain_head(&self, gateway: &GatewayId) -> Result<Option<ChainHead>, StoreError> {
        let mut stale = self.stale.lock().unwrap();
        if stale.0 > 0 {
            stale.0 -= 1;
            return Ok(stale.1);
        }
        self.inner.chain_head(gateway)
    }
    fn put_gateway(&self, record: &GatewayRecord) -> Result<(), StoreError> {
        self.inner.put_gateway(record)
    }
    fn gateway(&self, id: &GatewayId) -> Result<Option<GatewayRecord>, StoreError> {
        self.inner.gateway(id)
    }
    fn gateways(&self) -> Result<Vec<GatewayRecord>, StoreError> {
        self.inner.gateways()
    }
    fn quarantined(&self, after: u64, limit: usize) -> Result<Vec<QuarantineEntry>, StoreError> {
        self.inner.quarantined(after, limit)
    }
    fn put_recall(&self, recall: &RecallRecord) -> Result<(), StoreError> {
        self.inner.put_recall(recall)
    }
    fn recall(&self, id: &str) -> Result<Option<RecallRecord>, StoreError> {
        self.inner.recall(id)
    }
    fn recalls(&self) -> Result<Vec<RecallRecord>, StoreError> {
        self.inner.recalls()
    }
    fn recalls_affecting(&self, identifier: &str) -> Result<Vec<String>, StoreError> {
        self.inner.recalls_affecting(identifier)
    }
    fn stats(&self) -> Result<StoreStats, StoreError> {
        self.inner.stats()
    }
}

#[test]
fn a_fork_admitted_on_a_raced_head_read_is_refused_by_the_store_and_judged_again() {
    let schema = Schema::new();
    let racing = Arc::new(Racing {
        inner: PgStore::open(&schema.url()).unwrap(),
        stale: Mutex::new((0, None)),
    });
    let store: Arc<dyn Store> = racing.clone();
    let mut gateway = Gateway::new("gw-race", 5, names::FACTORY_PARTY);
    store.put_gateway(&gateway.record()).unwrap();
    let events: Vec<SignedEvent> = (1..=4).map(|n| gateway.sign(observe(n))).collect();
    let mut a = Ingest::new(store.clone(), Arc::new(Metrics::default()));
    let mut b = Ingest::new(store.clone(), Arc::new(Metrics::default()));
    assert_eq!(acked(&a.process(message(&events[0..2])).unwrap()), [2]);
    assert_eq!(acked(&b.process(message(&events[2..4])).unwrap()), [4]);
    // A's next two head reads race B's commit and see seq 2: A admits a different seq 3
    // twice, the store refuses both commits, and the third read shows the fork.
    *racing.stale.lock().unwrap() = (2, Some(events[1].head()));
    let key = SigningKey::from_bytes(&[5; 32]);
    let fork = SignedEvent::sign(&key, gateway.id.clone(), 3, events[1].hash(), observe(33));
    let outcome = a.process(message(&[fork.unwrap()])).unwrap();
    assert_eq!((outcome.stored, outcome.quarantined), (0, 1));
    assert_eq!(acked(&outcome), [4]);
    assert_eq!(
        racing.stale.lock().unwrap().0,
        0,
        "both stale reads were used"
    );
    assert_eq!(store.stats().unwrap().events, 4);
    assert_eq!(
        store.chain_head(&gateway.id).unwrap(),
        Some(events[3].head())
    );
    let quarantined = store.quarantined(0, 10).unwrap();
    assert!(quarantined[0].reason.contains("fork"), "{quarantined:?}");
}
