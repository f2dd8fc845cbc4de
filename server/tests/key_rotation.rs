//! A gateway's key rotated through a real broker and server: events signed before and
//! after the rotation are stored and their proof verifies offline, each step with the key
//! the proof names for it; the old key signing past its range, and a revoked key, are
//! refused with their reasons.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod harness;

use harness::{ADMIN, Broker, Link, SUPERVISOR, Server, TestGateway, observation};
use serde_json::{Value, json};
use trace_proto::signed::{SignedEvent, SigningKey, VerifyingKey};

const T0: i64 = 1_790_000_000_000;
const DOCK: &str = "urn:epc:id:sgln:0614141.00001.0";
const UNIT: &str = "urn:epc:id:sgtin:0614141.812345.77";

fn public(key: &SigningKey) -> String {
    hex::encode(key.verifying_key().to_bytes())
}

fn quarantine_reasons(server: &Server, count: usize) -> Vec<String> {
    let body = server.wait_for("/api/v1/quarantine", Some(SUPERVISOR), |b| {
        b["entries"].as_array().is_some_and(|e| e.len() >= count)
    });
    body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["reason"].as_str().unwrap().to_owned())
        .collect()
}

/// Checks every proof step offline with the key it names; returns the keys by seq.
fn verified_keys(lookup: &Value) -> Vec<(u64, String)> {
    lookup["proof"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|step| {
            let bytes = hex::decode(step["signed"].as_str().unwrap()).unwrap();
            let key_hex = step["public_key"].as_str().unwrap();
            let key: [u8; 32] = hex::decode(key_hex).unwrap().try_into().unwrap();
            SignedEvent::from_bytes(&bytes)
                .unwrap()
                .verify(&VerifyingKey::from_bytes(&key).unwrap())
                .unwrap();
            (step["seq"].as_u64().unwrap(), key_hex.to_owned())
        })
        .collect()
}

#[test]
fn a_rotated_key_signs_on_and_the_history_stays_verifiable() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), Broker::Embedded(0));
    let mut gw = TestGateway::new("dock-1", 1);
    server.enroll(&gw);
    let mut link = Link::connect(server.mqtt_port.unwrap(), &gw.id);
    let sighting = |n: i64| observation(UNIT, T0 + n * 60_000, DOCK);
    let before: Vec<_> = (1..=3).map(|n| gw.sign(sighting(n))).collect();
    link.publish(&before);
    assert_eq!(link.wait_ack(3), 3);

    // Rotate: the old key keeps seqs 1-3, the new one signs from 4.
    let old_key = gw.key.clone();
    let new_key = SigningKey::from_bytes(&[2; 32]);
    let path = "/api/v1/gateways/dock-1/keys";
    let register = |key: &str, from_seq: u64| {
        server.post(
            path,
            Some(ADMIN),
            &json!({"public_key": key, "from_seq": from_seq}),
        )
    };
    let (status, answer) = register(&public(&new_key), 4);
    assert_eq!(status, 201, "{answer}");
    assert_eq!(answer["public_key"], public(&new_key));
    assert_eq!(answer["keys"][0]["from_seq"], 1);
    assert_eq!(answer["keys"][1]["from_seq"], 4);
    let (status, answer) = register(&"00".repeat(32), 9);
    assert_eq!(status, 400, "a weak key is refused: {answer}");
    let (status, answer) = register(&public(&SigningKey::from_bytes(&[5; 32])), 3);
    assert_eq!(status, 409, "a key for stored seqs is refused: {answer}");
    let (status, _) = server.post(
        path,
        Some(SUPERVISOR),
        &json!({"public_key": public(&new_key), "from_seq": 4}),
    );
    assert_eq!(status, 403);

    // The old key signing seq 4 (a copy of the old key, say) is refused with the reason.
    let mut copy = gw.clone();
    let forged = copy.sign(sighting(4));
    link.publish(&[forged]);
    let reasons = quarantine_reasons(&server, 1);
    assert!(
        reasons[0].contains("signs only seqs 1 to 3") && reasons[0].contains(&public(&old_key)),
        "{reasons:?}"
    );

    gw.key = new_key.clone();
    let after: Vec<_> = (4..=5).map(|n| gw.sign(sighting(n))).collect();
    link.publish(&after);
    assert_eq!(link.wait_ack(5), 5);
    assert_eq!(server.stored_events(), 5);

    let (status, lookup) = server.get(&format!("/api/v1/codes/{UNIT}"), None);
    assert_eq!(status, 200, "{lookup}");
    assert_eq!(lookup["verification"]["all_signed"], true, "{lookup:#}");
    let mut keys = verified_keys(&lookup);
    keys.sort();
    let expected: Vec<(u64, String)> = (1..=5)
        .map(|seq| (seq, public(if seq <= 3 { &old_key } else { &new_key })))
        .collect();
    assert_eq!(keys, expected);

    // A revoked key: its later events are refused, its stored ones still verify.
    let revoke = format!("/api/v1/gateways/dock-1/keys/{}/revoke", public(&new_key));
    let (status, answer) = server.post(&revoke, Some(ADMIN), &json!({}));
    assert_eq!(status, 200, "{answer}");
    assert!(answer["keys"][1]["revoked"].is_string(), "{answer}");
    link.publish(&[gw.sign(sighting(6))]);
    let reasons = quarantine_reasons(&server, 2);
    assert!(
        reasons[1].contains("revoked") && reasons[1].contains(&public(&new_key)),
        "{reasons:?}"
    );
    assert_eq!(server.stored_events(), 5);
    let (_, lookup) = server.get(&format!("/api/v1/codes/{UNIT}"), None);
    assert_eq!(verified_keys(&lookup).len(), 5);
    assert_eq!(lookup["verification"]["all_signed"], true);
}
