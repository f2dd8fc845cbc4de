//! The gateway against real brokers: rumqttd in this process, a Mosquitto process
//! that is stopped and restarted mid-stream, and the system Mosquitto on 1883.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use common::*;
use rumqttc::{Client, MqttOptions, QoS};
use trace_gateway::config::Config;
use trace_gateway::uplink::UplinkTuning;
use trace_proto::event::{Disposition, EventTime};
use trace_proto::mqtt::{AlarmKind, Payload, Presence, RECALLS_TOPIC, Recall, RecallList};

fn tuning() -> UplinkTuning {
    UplinkTuning {
        min_backoff: Duration::from_millis(100),
        max_backoff: Duration::from_millis(500),
        resend_after: Duration::from_secs(5),
        status_every: Duration::from_millis(300),
        ..UplinkTuning::default()
    }
}

struct Running {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<()>,
}

fn run_gateway(config: Config) -> Running {
    run_gateway_with(config, tuning())
}

fn run_gateway_with(config: Config, tuning: UplinkTuning) -> Running {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let thread = std::thread::spawn(move || {
        trace_gateway::run::run(&config, tuning, &flag).unwrap();
    });
    Running { stop, thread }
}

impl Running {
    fn stop(self) {
        self.stop.store(true, Ordering::SeqCst);
        self.thread.join().unwrap();
    }
}

fn simulated(name: &str, product: &str, count: u64, interval_ms: u64) -> String {
    format!(
        "[[reader]]\nname = \"{name}\"\nkind = \"simulate\"\nstation = \"dock\"\n\
         product = \"{product}\"\ncount = {count}\ninterval_ms = {interval_ms}\n"
    )
}

fn publish_recalls(port: u16, affected: &str) {
    let (client, mut connection) = Client::new(MqttOptions::new("recaller", "127.0.0.1", port), 10);
    let list = Payload::RecallList(RecallList {
        as_of: EventTime::now(),
        recalls: vec![Recall {
            id: "R-2026-1".into(),
            affected: vec![affected.into()],
            reason: "undeclared allergen".into(),
            issued: EventTime::now(),
            instructions: "hold and return".into(),
        }],
    });
    client
        .publish(
            RECALLS_TOPIC,
            QoS::AtLeastOnce,
            true,
            list.encode().unwrap(),
        )
        .unwrap();
    for notification in connection.iter() {
        if let Ok(rumqttc::Event::Incoming(rumqttc::Packet::PubAck(_))) = notification {
            break;
        }
    }
}

#[test]
fn embedded_broker_events_acked_status_retained_recalled_unit_flagged() {
    let port = free_port();
    start_broker(port);
    publish_recalls(port, "urn:epc:idpat:sgtin:0614141.812345.*");
    let dir = tempfile::tempdir().unwrap();
    let (_, public) = keygen(dir.path());
    let id = unique_id("rumqttd");
    let acker = Acker::start(port, &id, public);
    // A first run without readers receives the retained recall list and keeps it, so
    // the second run flags recalled units from its very first read.
    let config = Config::parse(&config_text(id.as_str(), dir.path(), port, "")).unwrap();
    let gateway = run_gateway(config);
    wait_for(Duration::from_secs(10), || {
        local_status(dir.path()).is_some_and(|s| s.recall_identifiers == 1)
    });
    gateway.stop();
    let readers = simulated("recalled", "0614141.812345", 10, 30)
        + &simulated("fine", "0614141.712345", 10, 30);
    let config = Config::parse(&config_text(id.as_str(), dir.path(), port, &readers)).unwrap();
    let gateway = run_gateway(config);
    wait_for(Duration::from_secs(30), || acker.head_seq() >= 20);
    wait_for(Duration::from_secs(10), || {
        local_status(dir.path()).is_some_and(|s| s.queue_depth == 0 && s.last_ack_seq == 20)
    });
    {
        let state = acker.state.lock().unwrap();
        assert_eq!(state.accepted.len(), 20);
        for event in &state.accepted {
            let e = event.event();
            let trace_proto::event::EventKind::Object(o) = &e.kind else {
                panic!()
            };
            let expected = if o.epc_list[0].contains(".812345.") {
                Disposition::Recalled
            } else {
                Disposition::InProgress
            };
            assert_eq!(e.disposition, Some(expected), "{}", o.epc_list[0]);
        }
    }
    // The retained status (every 10 s) raises the recalled-unit alarm.
    wait_for(Duration::from_secs(15), || {
        let state = acker.state.lock().unwrap();
        let status = state.status.as_ref().unwrap();
        status.presence == Presence::Online
            && status.alarms.iter().any(|a| {
                a.kind == AlarmKind::RecalledUnitScanned
                    && a.detail == "10 recalled units scanned since start"
            })
    });
    let local = local_status(dir.path()).unwrap();
    assert_eq!((local.recalled_units, local.chain_head_seq), (10, 20));
    gateway.stop();
    wait_for(Duration::from_secs(5), || {
        acker
            .state
            .lock()
            .unwrap()
            .status
            .as_ref()
            .is_some_and(|s| s.presence == Presence::Offline)
    });
}

fn mosquitto(port: u16) -> Child {
    let child = Command::new("mosquitto")
        .args(["-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for(Duration::from_secs(10), || {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    child
}

#[test]
fn broker_stopped_mid_stream_loses_nothing() {
    let port = free_port();
    let mut broker = mosquitto(port);
    let dir = tempfile::tempdir().unwrap();
    let (_, public) = keygen(dir.path());
    let id = unique_id("restart");
    let acker = Acker::start(port, &id, public);
    let config = Config::parse(&config_text(
        id.as_str(),
        dir.path(),
        port,
        &simulated("sim", "0614141.812345", 150, 10),
    ))
    .unwrap();
    let gateway = run_gateway(config);
    wait_for(Duration::from_secs(30), || acker.head_seq() >= 20);
    broker.kill().unwrap();
    broker.wait().unwrap();
    // Reads go on while the broker is down; they wait in the outbox.
    std::thread::sleep(Duration::from_millis(800));
    let mut broker = mosquitto(port);
    wait_for(Duration::from_secs(60), || acker.head_seq() >= 150);
    gateway.stop();
    broker.kill().unwrap();
    broker.wait().unwrap();
    let state = acker.state.lock().unwrap();
    assert!(state.forks.is_empty());
    let seqs: Vec<u64> = state.accepted.iter().map(|e| e.seq()).collect();
    assert_eq!(seqs, (1..=150).collect::<Vec<_>>());
}

/// Publishes an ack of `seq` for gateway `id`, as a server announces its heads when it
/// subscribes.
fn announce_head(port: u16, id: &trace_proto::signed::GatewayId, seq: u64) {
    let (client, mut connection) =
        Client::new(MqttOptions::new("announcer", "127.0.0.1", port), 10);
    let ack = Payload::Ack(trace_proto::mqtt::Ack {
        gateway_id: id.clone(),
        highest_contiguous_seq: seq,
    });
    let topic = trace_proto::mqtt::gateway_topic(id, trace_proto::mqtt::GatewayTopic::Ack);
    client
        .publish(topic, QoS::AtLeastOnce, false, ack.encode().unwrap())
        .unwrap();
    for notification in connection.iter() {
        if let Ok(rumqttc::Event::Incoming(rumqttc::Packet::PubAck(_))) = notification {
            break;
        }
    }
}

#[test]
fn events_published_to_nobody_are_resent_on_an_ack_that_does_not_move() {
    let port = free_port();
    start_broker(port);
    let dir = tempfile::tempdir().unwrap();
    let (_, public) = keygen(dir.path());
    let id = unique_id("stale-ack");
    let config = Config::parse(&config_text(
        id.as_str(),
        dir.path(),
        port,
        &simulated("sim", "0614141.812345", 10, 10),
    ))
    .unwrap();
    // Only the stale-ack path can resend within the wait below.
    let patient = UplinkTuning {
        resend_after: Duration::from_secs(3600),
        ..tuning()
    };
    let gateway = run_gateway_with(config, patient);
    // Nobody subscribes yet: the broker drops the events the gateway publishes.
    wait_for(Duration::from_secs(30), || {
        local_status(dir.path()).is_some_and(|s| s.chain_head_seq == 10)
    });
    std::thread::sleep(Duration::from_millis(500));
    let acker = Acker::start(port, &id, public);
    wait_for(Duration::from_secs(60), || {
        if acker.head_seq() < 10 {
            announce_head(port, &id, 0);
            std::thread::sleep(Duration::from_millis(300));
        }
        acker.head_seq() == 10
    });
    gateway.stop();
    let seqs: Vec<u64> = acker
        .state
        .lock()
        .unwrap()
        .accepted
        .iter()
        .map(|e| e.seq())
        .collect();
    assert_eq!(seqs, (1..=10).collect::<Vec<_>>());
}

#[test]
fn system_mosquitto_on_1883() {
    let port = 1883;
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok(),
        "the system Mosquitto must listen on 127.0.0.1:1883"
    );
    let dir = tempfile::tempdir().unwrap();
    let (_, public) = keygen(dir.path());
    let id = unique_id("mosq1883");
    let acker = Acker::start(port, &id, public);
    let config = Config::parse(&config_text(
        id.as_str(),
        dir.path(),
        port,
        &simulated("sim", "0614141.812345", 25, 5),
    ))
    .unwrap();
    let gateway = run_gateway(config);
    wait_for(Duration::from_secs(30), || acker.head_seq() >= 25);
    wait_for(Duration::from_secs(10), || {
        local_status(dir.path()).is_some_and(|s| s.queue_depth == 0)
    });
    gateway.stop();
    assert_eq!(acker.state.lock().unwrap().accepted.len(), 25);
}
