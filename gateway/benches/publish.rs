//! Publish throughput with acks: the gateway's uplink draining a full outbox to a real
//! broker (the system Mosquitto, 127.0.0.1:1883), with a test acker that acks by seq as
//! the server does. Measured from the uplink's start to the ack of the last event, so it
//! counts connecting, batching, QoS 1 round trips and the ack-driven deletes.
//!
//! `cargo bench -p trace-gateway --bench publish [-- EVENTS]` (default 50000). Run
//! without `--bench` (as `cargo test --all-targets` does) it publishes 500 events once,
//! to prove it works. Client and gateway ids are unique per run.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use rumqttc::{Client, Event, MqttOptions, Packet, QoS};
use trace_gateway::config::BrokerConfig;
use trace_gateway::outbox::{Outbox, SledOutbox, sign_and_append};
use trace_gateway::status::StatusBoard;
use trace_gateway::uplink::{Shared, Uplink, UplinkTuning};
use trace_proto::event::{
    Action, Event as TraceEvent, EventKind, EventTime, Location, ObjectEvent,
};
use trace_proto::event::{BizStep, TimeZoneOffset};
use trace_proto::mqtt::{Ack, GatewayTopic, Payload, gateway_topic};
use trace_proto::signed::{GatewayId, SigningKey};

const HOST: &str = "127.0.0.1";
const PORT: u16 = 1883;

fn event(serial: u64) -> TraceEvent {
    let kind = EventKind::Object(ObjectEvent {
        action: Action::Observe,
        epc_list: vec![format!("urn:epc:id:sgtin:0614141.812345.{serial}")],
        quantity_list: Vec::new(),
        ilmd: None,
    });
    let time = EventTime::from_unix_millis(1_790_000_000_000 + serial as i64).unwrap();
    let mut event = TraceEvent::new(kind, time, TimeZoneOffset::UTC);
    event.biz_step = Some(BizStep::Receiving);
    event.read_point = Some(Location {
        id: "urn:epc:id:sgln:0614141.00777.0".into(),
        extensions: Vec::new(),
    });
    event
}

/// Acks every batch on `id`'s events topic with the highest contiguous seq seen; counts
/// batches. Returns once subscribed.
fn start_acker(id: &GatewayId, unique: &str, batches: Arc<AtomicU64>) {
    let mut options = MqttOptions::new(format!("bench-acker-{unique}"), HOST, PORT);
    options.set_max_packet_size(1 << 20, 1 << 20);
    options.set_keep_alive(Duration::from_secs(30));
    let (client, mut connection) = Client::new(options, 4096);
    let events_topic = gateway_topic(id, GatewayTopic::Events);
    let ack_topic = gateway_topic(id, GatewayTopic::Ack);
    let id = id.clone();
    let (ready_tx, ready) = mpsc::channel();
    std::thread::spawn(move || {
        let mut head = 0u64;
        for notification in connection.iter() {
            match notification {
                Ok(Event::Incoming(Packet::ConnAck(_))) => {
                    client.subscribe(&events_topic, QoS::AtLeastOnce).unwrap();
                }
                Ok(Event::Incoming(Packet::SubAck(_))) => {
                    let _ = ready_tx.send(());
                }
                Ok(Event::Incoming(Packet::Publish(p))) if p.topic == events_topic => {
                    let Ok(Payload::EventBatch(batch)) = Payload::decode(&p.payload) else {
                        panic!("events topic carried something else");
                    };
                    for e in batch.events() {
                        let seq = e.unwrap().seq();
                        if seq == head + 1 {
                            head = seq;
                        }
                    }
                    batches.fetch_add(1, Ordering::Relaxed);
                    let ack = Payload::Ack(Ack {
                        gateway_id: id.clone(),
                        highest_contiguous_seq: head,
                    });
                    client
                        .publish(&ack_topic, QoS::AtLeastOnce, false, ack.encode().unwrap())
                        .unwrap();
                }
                Ok(_) => {}
                Err(e) => panic!("acker: {e} (is Mosquitto running on {HOST}:{PORT}?)"),
            }
        }
    });
    ready
        .recv_timeout(Duration::from_secs(60))
        .expect("acker subscribed");
}

fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    let count: u64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(if bench { 50_000 } else { 500 });
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let unique = format!("{}-{nanos}", std::process::id());
    let id = GatewayId::new(&format!("bench-gw-{unique}")).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let outbox = Arc::new(SledOutbox::open(&dir.path().join("outbox"), u64::MAX).unwrap());
    let key = SigningKey::from_bytes(&[5; 32]);
    let mut serial = 0;
    while serial < count {
        let group: Vec<_> = (serial..count.min(serial + 1000)).map(event).collect();
        serial += group.len() as u64;
        sign_and_append(outbox.as_ref(), &key, &id, group).unwrap();
    }
    let bytes = outbox.usage().bytes;

    let batches = Arc::new(AtomicU64::new(0));
    start_acker(&id, &unique, batches.clone());
    let broker = BrokerConfig {
        host: HOST.into(),
        port: PORT,
        username: None,
        password: None,
        ca_file: None,
    };
    let shared = Shared {
        gateway_id: id.clone(),
        outbox: outbox.clone(),
        status: Arc::new(StatusBoard::new([])),
        recalls: Arc::default(),
        recall_file: None,
    };
    let tuning = UplinkTuning::default();
    let start = Instant::now();
    let uplink = Uplink::start(&broker, shared, tuning).unwrap();
    while outbox.acked() < count {
        assert!(
            start.elapsed() < Duration::from_secs(600),
            "only {} of {count} acked",
            outbox.acked()
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    let elapsed = start.elapsed().as_secs_f64();
    uplink.shutdown();
    assert_eq!(
        outbox.usage().events,
        0,
        "every acked event left the outbox"
    );
    let batches = batches.load(Ordering::Relaxed);
    println!(
        "publish with acks via Mosquitto {HOST}:{PORT}: {count} events ({bytes} signed bytes) in {elapsed:.2} s = {:.0} events/s, {batches} batches ({:.1} events/batch), window {} events",
        count as f64 / elapsed,
        count as f64 / batches.max(1) as f64,
        tuning.window
    );
}
