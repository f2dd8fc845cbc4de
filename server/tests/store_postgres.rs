//! The store suite on [`PgStore`], each test in a schema of its own (so tests run in
//! parallel and leave nothing behind), plus what only PostgreSQL has: migrations on
//! re-open, a newer schema refused, and the head check that keeps several instances'
//! chains intact.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod pg;
mod support;
#[macro_use]
mod store_suite;

use pg::Schema;
use trace_proto::event::{Action, BizStep};
use trace_server::store::pg_store::{PgStore, SCHEMA_VERSION};
use trace_server::store::{CommitBatch, RecordCursor, Store, StoreError};
use trace_server::trace::{Direction, trace};

use support::{Gateway, at, event, names, object};

fn fresh() -> (Schema, PgStore) {
    let schema = Schema::new();
    let store = PgStore::open(&schema.url()).unwrap();
    (schema, store)
}

store_suite_tests!(fresh);

#[test]
fn reopening_keeps_everything_and_migrates_once() {
    let schema = Schema::new();
    let (scenario, before) = {
        let store = PgStore::open(&schema.url()).unwrap();
        let scenario = support::commit_scenario(&store);
        let before = trace(&store, &scenario.lot, Direction::Forward).unwrap();
        (scenario, before)
    };
    let store = PgStore::open(&schema.url()).unwrap();
    assert_eq!(
        trace(&store, &scenario.lot, Direction::Forward).unwrap(),
        before
    );
    assert_eq!(store.stats().unwrap().events, 18);
    let head = store.chain_head(&scenario.gateways[1].id).unwrap().unwrap();
    assert_eq!(head.seq, 4, "gw-dc signed four events");
    pg::sql(&format!(
        "SET search_path = {}; INSERT INTO schema_migrations VALUES ({}, 'future', 0)",
        schema.name,
        SCHEMA_VERSION + 1
    ));
    match PgStore::open(&schema.url()) {
        Err(StoreError::Version { found, supported }) => {
            assert_eq!((found, supported), (SCHEMA_VERSION + 1, SCHEMA_VERSION));
        }
        Err(other) => panic!("expected a version error, got {other}"),
        Ok(_) => panic!("a newer schema was opened"),
    }
}

/// A schema at version 1 (one key column per gateway) migrates to key histories: each
/// gateway keeps its key, signing from seq 1.
#[test]
fn a_version_1_schema_migrates_to_key_histories() {
    let schema = Schema::new();
    let layout = include_str!("../src/store/pg_store/migrations/0001_layout.sql");
    pg::sql(&format!(
        "SET search_path = {}; {layout}; \
         CREATE TABLE schema_migrations (version INT PRIMARY KEY, name TEXT NOT NULL, \
         applied_ms BIGINT NOT NULL); \
         INSERT INTO schema_migrations VALUES (1, 'layout', 0); \
         INSERT INTO gateways (id, public_key, party, site, description, enrolled_ms, revoked_ms) \
         VALUES ('gw-old', '\\x{}', NULL, NULL, 'from version 1', 1000, NULL)",
        schema.name,
        "ab".repeat(32)
    ));
    let store = PgStore::open(&schema.url()).unwrap();
    let record = store
        .gateway(&trace_proto::signed::GatewayId::new("gw-old").unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(record.description, "from version 1");
    assert_eq!(record.keys.len(), 1);
    assert_eq!(record.keys[0].public_key, [0xab; 32]);
    assert_eq!(record.keys[0].from_seq, 1);
    assert_eq!(record.keys[0].added, record.enrolled);
    assert_eq!(record.key_for(1_000), record.keys.first());
}

#[test]
fn a_commit_that_does_not_extend_the_stored_head_is_refused_whole() {
    let (_schema, store) = fresh();
    let mut gw = Gateway::new("gw-race", 1, names::FACTORY_PARTY);
    let observe = |n: u32| {
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
    };
    let signed: Vec<_> = (1..=4).map(|n| gw.sign(observe(n))).collect();
    let events: Vec<_> = signed.iter().map(support::stored).collect();
    let batch = |from: usize, to: usize| CommitBatch {
        events: events[from..to].to_vec(),
        heads: vec![(gw.id.clone(), signed[to - 1].head())],
        ..CommitBatch::default()
    };
    store.commit(&batch(0, 2)).unwrap();
    // Another instance, still at the start of the chain, commits seqs 1-2 again.
    match store.commit(&batch(0, 1)) {
        Err(StoreError::HeadMoved {
            gateway,
            expected,
            stored,
        }) => assert_eq!((gateway, expected, stored), (gw.id.clone(), 0, 2)),
        other => panic!("expected HeadMoved, got {other:?}"),
    }
    // One that skipped seq 3 is refused too, and writes nothing.
    let skipping = CommitBatch {
        events: events[3..4].to_vec(),
        heads: vec![(gw.id.clone(), signed[3].head())],
        ..CommitBatch::default()
    };
    assert!(matches!(
        store.commit(&skipping),
        Err(StoreError::HeadMoved {
            expected: 3,
            stored: 2,
            ..
        })
    ));
    assert_eq!(store.event(&events[3].key).unwrap(), None, "rolled back");
    store.commit(&batch(2, 4)).unwrap();
    assert_eq!(store.chain_head(&gw.id).unwrap().unwrap().seq, 4);
    assert_eq!(store.stats().unwrap().events, 4);
}

#[test]
fn events_come_in_record_order_after_a_cursor() {
    let (_schema, store) = fresh();
    let mut gw = Gateway::new("gw-rec", 1, names::FACTORY_PARTY);
    let mut events: Vec<_> = (1..=5)
        .map(|n| {
            let mut stored = gw.stored(event(
                object(
                    Action::Observe,
                    &[&format!("urn:epc:id:sgtin:0614141.812345.{n}")],
                    None,
                ),
                at(1, "08:00"),
                BizStep::Inspecting,
                names::LINE,
            ));
            stored.recorded = at(2, if n % 2 == 0 { "09:00" } else { "10:00" });
            stored
        })
        .collect();
    store
        .commit(&CommitBatch {
            events: events.clone(),
            ..CommitBatch::default()
        })
        .unwrap();
    events.sort_by_key(|e| (e.recorded, e.key));
    assert_eq!(store.events_recorded(None, 10).unwrap(), events);
    let cursor = RecordCursor {
        recorded: events[1].recorded,
        key: events[1].key,
    };
    assert_eq!(
        store.events_recorded(Some(&cursor), 2).unwrap(),
        events[2..4]
    );
    assert_eq!(store.events_recorded(None, 0).unwrap(), []);
}

#[test]
fn a_url_that_does_not_parse_is_an_error_not_a_panic() {
    assert!(matches!(
        PgStore::open("postgres://[::1"),
        Err(StoreError::Backend(_))
    ));
}
