//! Two `trace-server` processes on one broker (the system Mosquitto, shared subscription)
//! and one PostgreSQL schema, many gateways streaming signed events: every event is
//! stored exactly once and every chain is intact; killing one instance with SIGKILL
//! mid-stream loses nothing, and the other carries on.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod harness;
mod pg;

use harness::{Broker, Link, Server, TestGateway, observation};
use pg::Schema;
use trace_proto::signed::SignedEvent;
use trace_server::store::pg_store::PgStore;
use trace_server::store::{EventKey, Store};

const GATEWAYS: usize = 12;
const EVENTS: u64 = 400;
const T0: i64 = 1_790_000_000_000;
const DOCK: &str = "urn:epc:id:sgln:0614141.00001.0";

fn start(dir: &std::path::Path, name: &str, schema: &Schema) -> Server {
    Server::start_with(
        &dir.join(name),
        Broker::External("mqtt://127.0.0.1:1883".into()),
        &["--store", &schema.url()],
    )
}

/// Gateway `n`'s chain: ids unique to this run, so runs never meet on the shared broker.
fn chain(n: usize) -> (TestGateway, Vec<SignedEvent>) {
    let id = format!("mi-{}-{n}", std::process::id());
    let mut gateway = TestGateway::new(&id, u8::try_from(n + 1).unwrap());
    let events = (1..=EVENTS)
        .map(|seq| {
            let epc = format!("urn:epc:id:sgtin:0614141.8{n:05}.{seq}");
            gateway.sign(observation(&epc, T0 + seq as i64, DOCK))
        })
        .collect();
    (gateway, events)
}

#[test]
fn two_instances_store_every_event_once_and_survive_a_kill() {
    let dir = tempfile::tempdir().unwrap();
    let schema = Schema::new();
    let mut first = start(dir.path(), "a", &schema);
    let second = start(dir.path(), "b", &schema);
    let chains: Vec<_> = (0..GATEWAYS).map(chain).collect();
    for (gateway, _) in &chains {
        first.enroll(gateway);
    }
    let mut links: Vec<Link> = chains
        .iter()
        .map(|(gateway, _)| Link::connect(1883, &gateway.id))
        .collect();

    // The first half through both instances.
    let half = (EVENTS / 2) as usize;
    std::thread::scope(|scope| {
        for (link, (_, events)) in links.iter_mut().zip(&chains) {
            scope.spawn(move || link.resend_until_acked(&events[..half]));
        }
    });

    let (a, b) = (stored_by(&first), stored_by(&second));
    assert!(
        a > 0 && b > 0,
        "the shared subscription split the load: {a} + {b}"
    );
    assert_eq!(a + b, GATEWAYS as u64 * half as u64);

    // The rest in flight when the first instance dies; gateways resend what is unacked.
    for (link, (_, events)) in links.iter().zip(&chains) {
        link.publish(&events[half..]);
    }
    std::thread::sleep(std::time::Duration::from_millis(150));
    first.kill();
    std::thread::scope(|scope| {
        for (link, (_, events)) in links.iter_mut().zip(&chains) {
            scope.spawn(move || link.resend_until_acked(events));
        }
    });

    let total = GATEWAYS as u64 * EVENTS;
    assert_eq!(second.stored_events(), total, "each event stored once");
    let store = PgStore::open(&schema.url()).unwrap();
    assert!(
        store.quarantined(0, 10).unwrap().is_empty(),
        "nothing refused"
    );
    for (gateway, events) in &chains {
        let head = store.chain_head(&gateway.id).unwrap();
        assert_eq!(head, Some(events.last().unwrap().head()), "{}", gateway.id);
        for event in events {
            let stored = store.event(&EventKey(event.hash().0)).unwrap();
            assert!(stored.is_some(), "{} seq {} lost", gateway.id, event.seq());
        }
    }
    let log = std::fs::read_to_string(&second.log).unwrap_or_default();
    assert!(!log.contains("commit failed"), "{log}");
}

/// Events this instance stored itself, from its metrics.
fn stored_by(server: &Server) -> u64 {
    let (_, metrics) = server.get("/metrics", None);
    let text = metrics.as_str().unwrap();
    text.lines()
        .find_map(|line| line.strip_prefix("trace_ingest_events_stored_total "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap()
}
