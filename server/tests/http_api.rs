//! The support scenario signed by three gateways, published over the embedded broker to
//! a real server process, then asked through HTTP: trace both ways by any code form, the
//! regulator's CSV, a recall unit by unit (and its retained MQTT list), the consumer
//! look-up with a proof that verifies offline, the Digital Link resolver paths.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod harness;
mod mqtt_sink;
mod support;

use std::time::{Duration, Instant};

use harness::{ADMIN, Broker, SUPERVISOR, Server};
use mqtt_sink::MqttSink;
use rumqttc::{Client, Event, MqttOptions, Packet, QoS};
use serde_json::{Value, json};
use support::names::*;
use support::{Scenario, play_scenario};
use trace_proto::mqtt::{Payload, RECALLS_TOPIC, RecallList};
use trace_proto::signed::{SignedEvent, VerifyingKey};

fn digital_link(uri: &str) -> String {
    let decoded = trace_proto::code::decode(
        uri,
        trace_proto::code::Form::EpcUri,
        &trace_proto::company_prefix::BuiltIn,
    )
    .unwrap();
    decoded.digital_link.unwrap()
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Hop names, by matching each hop's key with the scenario's step keys.
fn steps(s: &Scenario, hops: &Value) -> Vec<&'static str> {
    hops.as_array()
        .unwrap()
        .iter()
        .map(|hop| {
            let key = hop["key"].as_str().unwrap();
            s.keys
                .iter()
                .find(|(_, k)| k.to_hex() == key)
                .map(|(name, _)| *name)
                .unwrap_or_else(|| panic!("hop {key} is no scenario step"))
        })
        .collect()
}

fn retained_recalls(port: u16) -> RecallList {
    let mut options = MqttOptions::new(
        format!("recall-reader-{}", std::process::id()),
        "127.0.0.1",
        port,
    );
    options.set_max_packet_size(16 << 20, 16 << 20);
    let (client, mut connection) = Client::new(options, 10);
    client.subscribe(RECALLS_TOPIC, QoS::AtLeastOnce).unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    for notification in connection.iter() {
        assert!(Instant::now() < deadline, "no retained recall list");
        if let Ok(Event::Incoming(Packet::Publish(p))) = notification
            && let Ok(Payload::RecallList(list)) = Payload::decode(&p.payload)
        {
            return list;
        }
    }
    panic!("connection ended without a recall list");
}

#[test]
fn a_scenario_over_mqtt_is_traced_recalled_and_looked_up_over_http() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), Broker::Embedded(0));
    let mut sink = MqttSink::new(&server);
    let s = play_scenario(&mut sink);
    let sold = &s.units[0];
    let sold_link = digital_link(sold);

    // Backward, public, by Digital Link.
    let (status, trace) = server.get(&format!("/api/v1/trace?code={}", encode(&sold_link)), None);
    assert_eq!(status, 200, "{trace}");
    assert_eq!(trace["start"], sold.as_str());
    assert_eq!(
        steps(&s, &trace["events"]),
        [
            "commission",
            "pack-case1",
            "palletise",
            "ship",
            "receive",
            "unpack-pallet",
            "unpack-case1",
            "sell"
        ]
    );
    assert_eq!(trace["events"][2]["via"], s.case1.as_str());
    assert_eq!(trace["events"][3]["via"], s.pallet.as_str());
    assert_eq!(trace["events"][3]["signed_by"], "gw-factory");
    assert_eq!(trace["events"][4]["signed_by"], "gw-dc");
    assert_eq!(trace["events"][7]["party"], SHOP_PARTY);

    // Forward needs a supervisor; by element string of the lot.
    let lot_code = "(01)80614141123458(10)LOT42";
    let forward = format!("/api/v1/trace?code={}&direction=forward", encode(lot_code));
    assert_eq!(server.get(&forward, None).0, 401);
    let (status, trace) = server.get(&forward, Some(SUPERVISOR));
    assert_eq!(status, 200, "{trace}");
    let units = trace["units"].as_array().unwrap();
    assert_eq!(units.len(), 6);
    let on_pallet = units
        .iter()
        .find(|u| u["id"] == s.units[4].as_str())
        .unwrap();
    assert_eq!(on_pallet["location"], DC_STORAGE);
    assert_eq!(on_pallet["container"], s.pallet.as_str());

    // The regulator's spreadsheet.
    let csv = server
        .get(
            &format!("/api/v1/trace.csv?code={}", encode(&sold_link)),
            None,
        )
        .1;
    let csv = csv.as_str().unwrap();
    let rows: Vec<&str> = csv.lines().collect();
    assert!(
        rows[0].starts_with("traceability_lot_code,product,quantity,unit_of_measure,event_type")
    );
    assert_eq!(rows.len(), 1 + 8);
    let ship = rows.iter().find(|r| r.contains(",shipping,")).unwrap();
    assert!(
        ship.starts_with("LOT42,GTIN 80614141123458,1,EA,ObjectEvent"),
        "{ship}"
    );
    assert!(
        ship.contains(&format!(",{FACTORY_PARTY},{DC_PARTY},")),
        "{ship}"
    );

    // A recall, unit by unit, and the retained list for the gateways.
    let body = json!({ "codes": [lot_code], "reason": "Listeria found in retained samples" });
    assert_eq!(server.post("/api/v1/recalls", None, &body).0, 401);
    let (status, recall) = server.post("/api/v1/recalls", Some(SUPERVISOR), &body);
    assert_eq!(status, 201, "{recall}");
    let id = recall["id"].as_str().unwrap().to_owned();
    assert_eq!(recall["units"].as_array().unwrap().len(), 6);
    for unit in recall["units"].as_array().unwrap() {
        assert_eq!(unit["recalls"], json!([id]), "{unit}");
    }
    let (status, again) = server.get(&format!("/api/v1/recalls/{id}"), Some(SUPERVISOR));
    assert_eq!(status, 200);
    let sold_now = again["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == sold.as_str())
        .unwrap();
    assert_eq!(sold_now["location"], SHOP);
    assert_eq!(sold_now["custodian"], SHOP_PARTY);
    let list = retained_recalls(server.mqtt_port.unwrap());
    let published = list.recalls.iter().find(|r| r.id == id).unwrap();
    assert!(published.affected.contains(sold));
    assert!(published.affected.contains(&s.pallet));

    // The consumer look-up by Digital Link, with a proof checked offline.
    let (status, found) = server.get(&format!("/api/v1/codes/{}", encode(&sold_link)), None);
    assert_eq!(status, 200, "{found}");
    assert_eq!(found["identity"], sold.as_str());
    assert_eq!(found["product"]["gtin"], "80614141123458");
    assert_eq!(found["product"]["lot"], "LOT42");
    assert_eq!(found["recalls"][0]["id"], id.as_str());
    assert_eq!(found["verification"]["all_signed"], true);
    assert_eq!(found["verification"]["steps"], 8);
    let proof = &found["proof"];
    assert_eq!(proof["steps"].as_array().unwrap().len(), 8);
    for step in proof["steps"].as_array().unwrap() {
        let bytes = hex::decode(step["signed"].as_str().unwrap()).unwrap();
        let event = SignedEvent::from_bytes(&bytes).unwrap();
        let key_hex = proof["gateway_keys"][event.gateway_id().as_str()]
            .as_str()
            .unwrap();
        let key: [u8; 32] = hex::decode(key_hex).unwrap().try_into().unwrap();
        event
            .verify(&VerifyingKey::from_bytes(&key).unwrap())
            .unwrap();
    }

    // Resolver paths, wrong and unknown codes.
    let (status, resolved) = server.get("/01/80614141123458/21/101", None);
    assert_eq!(status, 200);
    assert_eq!(resolved["identity"], sold.as_str());
    let (status, answer) = server.get("/01/80614141123458", None);
    assert_eq!(status, 400, "{answer}");
    assert!(answer["error"].as_str().unwrap().contains("product type"));
    let (status, answer) = server.get("/01/80614141123458/21/999", None);
    assert_eq!(status, 404, "{answer}");
    let (status, answer) = server.get(
        &format!("/api/v1/codes/{}", encode("(01)80614141123459(21)1")),
        None,
    );
    assert_eq!(status, 400, "{answer}");
    assert!(
        answer["error"].as_str().unwrap().contains("check digit"),
        "{answer}"
    );
}

/// Posts a 2 MiB recall body over a raw socket (the server may answer and close before
/// the body is all sent, which HTTP clients report as an error) and reads the status.
fn oversized_recall_status(server: &Server) -> u16 {
    use std::io::{Read, Write};
    let addr = server.http.trim_start_matches("http://").to_owned();
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let body = format!(
        r#"{{"codes":["(01)80614141123458(10)LOT42"],"reason":"{}"}}"#,
        "x".repeat(2 << 20)
    );
    let head = format!(
        "POST /api/v1/recalls HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {SUPERVISOR}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let mut writer = stream.try_clone().unwrap();
    let sender = std::thread::spawn(move || {
        let _ = writer.write_all(head.as_bytes());
        let _ = writer.write_all(body.as_bytes());
    });
    let mut answer = [0u8; 64];
    let read = stream.read(&mut answer).unwrap();
    let _ = sender.join();
    let answer = String::from_utf8_lossy(&answer[..read]).into_owned();
    answer.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[test]
fn oversized_or_unauthenticated_writes_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), Broker::Embedded(0));
    assert_eq!(oversized_recall_status(&server), 413);
    let enroll = json!({ "id": "gw-x", "public_key": "00".repeat(32) });
    assert_eq!(server.post("/api/v1/gateways", None, &enroll).0, 401);
    assert_eq!(
        server.post("/api/v1/gateways", Some("nonsense"), &enroll).0,
        401
    );
    let (status, answer) = server.post("/api/v1/gateways", Some(ADMIN), &enroll);
    assert_eq!(status, 400, "a small-order key is refused: {answer}");
    let (_, recalls) = server.get("/api/v1/recalls", Some(SUPERVISOR));
    assert_eq!(recalls["recalls"], json!([]));
    let (_, gateways) = server.get("/api/v1/gateways", Some(SUPERVISOR));
    assert_eq!(gateways["gateways"], json!([]));
}
