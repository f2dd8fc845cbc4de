//! Verified ingest through a real broker and a real server process: acks only for stored
//! events; forged, altered, replayed, out-of-order and revoked-gateway events each
//! refused or held and reported, nothing else disturbed; a killed server loses nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod harness;

use harness::{ADMIN, Broker, Link, SUPERVISOR, Server, TestGateway, free_port, observation};

use serde_json::{Value, json};
use trace_proto::signed::SignedEvent;

const T0: i64 = 1_790_000_000_000;
const DOCK: &str = "urn:epc:id:sgln:0614141.00001.0";

fn unit(n: u64) -> String {
    format!("urn:epc:id:sgtin:0614141.812345.{n}")
}

fn quarantine(server: &Server) -> Vec<Value> {
    let (status, body) = server.get("/api/v1/quarantine", Some(SUPERVISOR));
    assert_eq!(status, 200, "{body}");
    body["entries"].as_array().unwrap().clone()
}

fn wait_quarantine(server: &Server, count: usize) -> Vec<Value> {
    server.wait_for("/api/v1/quarantine", Some(SUPERVISOR), |b| {
        b["entries"].as_array().is_some_and(|e| e.len() >= count)
    });
    quarantine(server)
}

/// Changes one digit of the EPC inside the signed bytes: still decodes, no longer verifies.
fn altered(event: &SignedEvent) -> SignedEvent {
    let mut bytes = event.to_bytes();
    let needle = b"812345.";
    let at = bytes
        .windows(needle.len())
        .position(|w| w == needle)
        .unwrap()
        + needle.len();
    bytes[at] = if bytes[at] == b'9' { b'8' } else { b'9' };
    SignedEvent::from_bytes(&bytes).unwrap()
}

#[test]
fn only_verified_chained_events_are_stored_and_every_refusal_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), Broker::Embedded(0));
    let port = server.mqtt_port.unwrap();
    let mut gw = TestGateway::new("dock-1", 1);
    server.enroll(&gw);
    let mut link = Link::connect(port, &gw.id);

    let first: Vec<_> = (1..=3)
        .map(|n| gw.sign(observation(&unit(n), T0 + n as i64, DOCK)))
        .collect();
    link.publish(&first);
    assert_eq!(link.wait_ack(3), 3);
    assert_eq!(server.stored_events(), 3);

    // Replayed: acked again, stored once.
    link.publish(&first);
    server.wait_for("/metrics", None, |m| {
        m.as_str()
            .is_some_and(|t| t.contains("trace_ingest_replays_total 3"))
    });
    assert_eq!(server.stored_events(), 3);

    // Skipped seq: 5 and 6 wait for 4, the gap is reported, then filled.
    let next: Vec<_> = (4..=6)
        .map(|n| gw.sign(observation(&unit(n), T0 + n as i64, DOCK)))
        .collect();
    link.publish(&next[1..]);
    let gateways = server.wait_for("/api/v1/gateways", Some(SUPERVISOR), |b| {
        !b["gateways"][0]["gap"].is_null()
    });
    assert_eq!(gateways["gateways"][0]["gap"]["from"], 4);
    assert_eq!(gateways["gateways"][0]["gap"]["waiting"], 2);
    assert_eq!(server.stored_events(), 3);
    link.publish(&next[..1]);
    assert_eq!(link.wait_ack(6), 6);
    assert_eq!(server.stored_events(), 6);

    // Forged: the right id and chain position, signed with another key.
    let mut forger = TestGateway::new("dock-1", 99);
    for event in &first {
        forger.sign(event.event().clone());
    }
    for event in &next {
        forger.sign(event.event().clone());
    }
    let genuine7 = gw.sign(observation(&unit(7), T0 + 7, DOCK));
    let forged7 = forger.sign(genuine7.event().clone());
    assert_eq!(forged7.prev(), genuine7.prev());
    link.publish(&[forged7]);
    let entries = wait_quarantine(&server, 1);
    assert!(
        entries[0]["reason"]
            .as_str()
            .unwrap()
            .contains("bad signature"),
        "{entries:?}"
    );
    link.publish(&[genuine7]);
    assert_eq!(link.wait_ack(7), 7);

    // Altered byte.
    let genuine8 = gw.sign(observation(&unit(8), T0 + 8, DOCK));
    link.publish(&[altered(&genuine8)]);
    let entries = wait_quarantine(&server, 2);
    assert_eq!(entries[1]["seq"], 8);
    link.publish(&[genuine8]);
    assert_eq!(link.wait_ack(8), 8);

    // Not enrolled.
    let mut stranger = TestGateway::new("stranger", 5);
    let stranger_link = Link::connect(port, &stranger.id);
    stranger_link.publish(&[stranger.sign(observation(&unit(50), T0, DOCK))]);
    let entries = wait_quarantine(&server, 3);
    assert_eq!(entries[2]["gateway_id"], "stranger");
    assert!(
        entries[2]["reason"]
            .as_str()
            .unwrap()
            .contains("not enrolled")
    );

    // Writes without a token are refused and write nothing.
    let (status, _) = server.post("/api/v1/gateways/dock-1/revoke", None, &json!({}));
    assert_eq!(status, 401);
    let (status, _) = server.post(
        "/api/v1/gateways/dock-1/revoke",
        Some(SUPERVISOR),
        &json!({}),
    );
    assert_eq!(status, 403);
    link.publish(&[gw.sign(observation(&unit(9), T0 + 9, DOCK))]);
    assert_eq!(link.wait_ack(9), 9);

    // Revoked: later events refused, stored ones kept.
    let (status, body) = server.post("/api/v1/gateways/dock-1/revoke", Some(ADMIN), &json!({}));
    assert_eq!(status, 200, "{body}");
    assert!(body["revoked"].is_string());
    link.publish(&[gw.sign(observation(&unit(10), T0 + 10, DOCK))]);
    let entries = wait_quarantine(&server, 4);
    assert!(entries[3]["reason"].as_str().unwrap().contains("revoked"));
    assert_eq!(server.stored_events(), 9);
    assert_eq!(quarantine(&server).len(), 4);
}

#[test]
fn a_server_killed_mid_stream_loses_nothing_and_stores_nothing_twice() {
    const TOTAL: u64 = 3000;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let port = free_port();
    let mut server = Server::start(&data, Broker::Embedded(port));
    let mut gw = TestGateway::new("line-7", 7);
    server.enroll(&gw);
    let events: Vec<_> = (1..=TOTAL)
        .map(|n| gw.sign(observation(&unit(n), T0 + n as i64, DOCK)))
        .collect();
    let mut link = Link::connect(port, &gw.id);
    link.publish(&events[..1000]);
    link.wait_ack(1000);
    // Kill while the rest is in flight.
    link.publish(&events[1000..]);
    server.kill();
    let server = Server::start(&data, Broker::Embedded(port));
    // The gateway's outbox: resend everything above the last ack while acks stall.
    link.resend_until_acked(&events);
    assert_eq!(server.stored_events(), TOTAL);
    assert!(quarantine(&server).is_empty());
    let (_, gateways) = server.get("/api/v1/gateways", Some(SUPERVISOR));
    assert_eq!(gateways["gateways"][0]["chain_head_seq"], TOTAL);
}

#[test]
fn the_system_mosquitto_carries_batches_and_acks() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(
        &dir.path().join("data"),
        Broker::External("mqtt://127.0.0.1:1883".into()),
    );
    // A gateway id of its own, so runs never meet on the shared broker.
    let id = format!("mosq-{}", std::process::id());
    let mut gw = TestGateway::new(&id, 3);
    server.enroll(&gw);
    let events: Vec<_> = (1..=200)
        .map(|n| gw.sign(observation(&unit(n), T0 + n as i64, DOCK)))
        .collect();
    let mut link = Link::connect(1883, &gw.id);
    link.resend_until_acked(&events);
    assert_eq!(server.stored_events(), 200);
}
