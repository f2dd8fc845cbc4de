//! EPCIS 2.0 interface: capture throughput over HTTP and MATCH_epc query latency on a large
//! store.
//!
//! `cargo bench -p trace-server --bench epcis [-- DOCUMENTS STORE_EVENTS]` (defaults: 200
//! documents of 100 events; a store of 1,000,000 events).
//!
//! - capture: a server started in-process (`serve::start`, redb store in a temp folder),
//!   documents of 100 ObjectEvents each POSTed to `/epcis/capture` one after the other,
//!   each job polled until it ends; the clock runs from the first POST to the last job's
//!   success, i.e. every event schema-checked, decoded, hashed and durably committed.
//! - query: a redb store filled with captured events (each EPC named by ten of them), then
//!   `query::run` with `MATCH_epc` on random EPCs (what `GET /epcis/events` runs, without the
//!   HTTP round trip and JSON encoding).
//!
//! Run without `--bench` (as `cargo test --all-targets` does) it captures 3 documents and
//! queries a 2,000-event store once, to prove it works.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use trace_proto::event::{
    Action, BizStep, Event, EventKind, EventTime, Location, ObjectEvent, TimeZoneOffset,
};
use trace_server::auth::{Auth, Role};
use trace_server::config::{BrokerChoice, Settings};
use trace_server::epcis::query;
use trace_server::store::redb_store::RedbStore;
use trace_server::store::{CommitBatch, EventKey, Origin, Store, StoredEvent};

const TOKEN: &str = "bench-operator";
const EVENTS_PER_DOCUMENT: usize = 100;

fn epc(n: usize) -> String {
    format!("urn:epc:id:sgtin:0614141.812345.{n}")
}

fn capture_document(d: usize) -> Vec<u8> {
    let events: Vec<Value> = (0..EVENTS_PER_DOCUMENT)
        .map(|i| {
            let n = d * EVENTS_PER_DOCUMENT + i;
            json!({
                "type": "ObjectEvent",
                "eventTime": format!("2024-03-01T10:{:02}:{:02}.{:03}+01:00", n / 60_000 % 60, n / 1000 % 60, n % 1000),
                "eventTimeZoneOffset": "+01:00",
                "epcList": [epc(n)],
                "action": "OBSERVE",
                "bizStep": "receiving",
                "disposition": "in_progress",
                "readPoint": {"id": "urn:epc:id:sgln:0614141.00777.0"},
                "bizTransactionList": [{"type": "po", "bizTransaction": "urn:epcglobal:cbv:bt:0614141000005:PO-1"}]
            })
        })
        .collect();
    serde_json::to_vec(&json!({
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2024-03-01T12:00:00Z",
        "epcisBody": {"eventList": events}
    }))
    .unwrap()
}

/// Captures `documents` over HTTP; returns the time from the first POST to the last success.
fn capture(documents: usize) -> Duration {
    let bodies: Vec<Vec<u8>> = (0..documents).map(capture_document).collect();
    let dir = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mut auth = Auth::default();
    auth.add_token(TOKEN, "bench", Role::Operator);
    let settings = Settings {
        data: dir.path().join("data"),
        store: None,
        http: "127.0.0.1:0".parse().unwrap(),
        broker: BrokerChoice::Embedded("127.0.0.1:0".parse().unwrap()),
        broker_security: Default::default(),
        gap_timeout: Duration::from_secs(60),
        auth,
        prefixes: trace_proto::company_prefix::PrefixTable::default(),
        rate_limits: trace_server::rate_limit::RateLimits::default(),
    };
    let running = runtime
        .block_on(trace_server::serve::start(settings))
        .unwrap();
    let base = format!("http://{}", running.http);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let start = Instant::now();
    let mut jobs = Vec::new();
    for body in &bodies {
        let response = agent
            .post(format!("{base}/epcis/capture"))
            .header("Authorization", format!("Bearer {TOKEN}"))
            .header("Content-Type", "application/ld+json")
            .send(body.as_slice())
            .unwrap();
        assert_eq!(response.status().as_u16(), 202);
        let location = response.headers()["location"].to_str().unwrap().to_owned();
        jobs.push(location);
    }
    for job in jobs {
        loop {
            let mut response = agent
                .get(format!("{base}{job}"))
                .header("Authorization", format!("Bearer {TOKEN}"))
                .call()
                .unwrap();
            let state: Value =
                serde_json::from_str(&response.body_mut().read_to_string().unwrap()).unwrap();
            if state["running"] == false {
                assert_eq!(state["success"], true, "{state:#}");
                break;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    let elapsed = start.elapsed();
    let stored = running.state.store.stats().unwrap().events;
    assert_eq!(stored, (documents * EVENTS_PER_DOCUMENT) as u64);
    elapsed
}

/// A store of `events` captured events, EPC `n % (events / 10)` in event `n`.
fn filled_store(dir: &std::path::Path, events: usize) -> RedbStore {
    let store = RedbStore::open(dir).unwrap();
    let epcs = (events / 10).max(1);
    let base = 1_700_000_000_000i64;
    for chunk in (0..events).collect::<Vec<_>>().chunks(10_000) {
        let batch: Vec<StoredEvent> = chunk
            .iter()
            .map(|&n| {
                let kind = EventKind::Object(ObjectEvent {
                    action: Action::Observe,
                    epc_list: vec![epc(n % epcs)],
                    quantity_list: vec![],
                    ilmd: None,
                });
                let time = EventTime::from_unix_millis(base + n as i64 * 1000).unwrap();
                let mut event = Event::new(kind, time, TimeZoneOffset::UTC);
                event.biz_step = Some(BizStep::Receiving);
                event.read_point = Some(Location {
                    id: format!("urn:epc:id:sgln:0614141.00777.{}", n % 50),
                    extensions: vec![],
                });
                let mut key = [0u8; 32];
                key[..8].copy_from_slice(&(n as u64).to_be_bytes());
                event.event_id = Some(format!("urn:uuid:bench-{n}"));
                StoredEvent {
                    key: EventKey(key),
                    recorded: time,
                    event,
                    origin: Origin::Captured {
                        captured_by: "bench".into(),
                    },
                }
            })
            .collect();
        store
            .commit(&CommitBatch {
                events: batch,
                ..CommitBatch::default()
            })
            .unwrap();
    }
    store
}

fn main() {
    let measuring = std::env::args().any(|a| a == "--bench");
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let documents = args
        .first()
        .copied()
        .unwrap_or(if measuring { 200 } else { 3 });
    let store_events = args
        .get(1)
        .copied()
        .unwrap_or(if measuring { 1_000_000 } else { 2_000 });

    let elapsed = capture(documents);
    let events = documents * EVENTS_PER_DOCUMENT;
    println!(
        "capture: {documents} documents of {EVENTS_PER_DOCUMENT} events over HTTP in {:.2} s = {:.0} events/s \
         (schema-checked, decoded, hashed, durably stored)",
        elapsed.as_secs_f64(),
        events as f64 / elapsed.as_secs_f64()
    );

    let dir = tempfile::tempdir().unwrap();
    let start = Instant::now();
    let store = filled_store(dir.path(), store_events);
    println!(
        "query store: {store_events} events written in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    let epcs = (store_events / 10).max(1);
    let rounds = if measuring { 1000 } else { 20 };
    let mut latencies = Vec::with_capacity(rounds);
    let mut state = 0x2545_f491_4f6c_dd1du64;
    for _ in 0..rounds {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let pairs = vec![
            ("MATCH_epc".to_owned(), epc(state as usize % epcs)),
            ("perPage".to_owned(), "100".to_owned()),
        ];
        let parsed = query::parse(&pairs, &trace_proto::company_prefix::BuiltIn).unwrap();
        let start = Instant::now();
        let page = query::run(&store, &parsed).unwrap();
        latencies.push(start.elapsed());
        assert_eq!(page.events.len(), 10);
    }
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q) as usize];
    println!(
        "MATCH_epc on {store_events} events ({rounds} random EPCs, 10 events each): median {:.3} ms, p99 {:.3} ms",
        at(0.5).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3
    );
}
