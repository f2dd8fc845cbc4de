//! Two ingest pipelines (two server instances, in one process here) on one PostgreSQL
//! store, fed a gateway's batches alternately as a shared subscription does: each picks up
//! the head the other stored, and a fork that extends a stale head is caught by the
//! store's head check and quarantined after a reload, never stored.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod pg;
mod support;

use std::sync::Arc;

use pg::Schema;
use support::{Gateway, at, event, names, object};
use trace_proto::event::{Action, BizStep, Event};
use trace_proto::mqtt::{GatewayTopic, Payload, gateway_topic, payload_budget, split_batch};
use trace_proto::signed::{SignedEvent, SigningKey};
use trace_server::ingest::{Incoming, Ingest, RoundOutcome};
use trace_server::metrics::Metrics;
use trace_server::store::Store;
use trace_server::store::pg_store::PgStore;

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

    // A different seq 7, signed by the gateway's own key, extends A's stale head (6): the
    // store refuses the commit, A reloads the head (8) and sees the fork.
    let key = SigningKey::from_bytes(&[4; 32]);
    let fork =
        SignedEvent::sign(&key, gateway.id.clone(), 7, events[5].hash(), observe(77)).unwrap();
    let outcome = a.process(message(&[fork])).unwrap();
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
