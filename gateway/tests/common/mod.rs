//! Test parts shared by the integration tests: an in-process broker, a test acker that
//! verifies like the server will, configuration files and the gateway binary.

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rumqttc::{Client, Event, MqttOptions, Packet, QoS};
use trace_proto::mqtt::{Ack, GatewayTopic, Payload, Status, gateway_topic};
use trace_proto::signed::{ChainHead, EventHash, GatewayId, SignedEvent, VerifyingKey};

/// A TCP port nobody listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts rumqttd (MQTT 3.1.1) on `port` in this process.
pub fn start_broker(port: u16) {
    let config = format!(
        r#"
id = 0
[router]
id = 0
max_connections = 100
max_outgoing_packet_count = 200
max_segment_size = 104857600
max_segment_count = 10
[v4.1]
name = "v4-1"
listen = "127.0.0.1:{port}"
next_connection_delay_ms = 1
    [v4.1.connections]
    connection_timeout_ms = 60000
    max_payload_size = 20971520
    max_inflight_count = 500
    dynamic_filters = true
"#
    );
    let config: rumqttd::Config = toml::from_str(&config).unwrap();
    std::thread::spawn(move || {
        let mut broker = rumqttd::Broker::new(config);
        broker.start().unwrap();
    });
    wait_for(Duration::from_secs(10), || {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
}

/// Polls `done` every 20 ms until it holds; panics after `limit`.
pub fn wait_for(limit: Duration, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(
            start.elapsed() < limit,
            "condition not met within {limit:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// What the acker has seen.
#[derive(Debug, Default)]
pub struct AckerState {
    /// The chain accepted so far.
    pub head: Option<ChainHead>,
    /// Accepted events in chain order.
    pub accepted: Vec<SignedEvent>,
    /// Hash of every accepted seq.
    pub hashes: HashMap<u64, EventHash>,
    /// Events received again after acceptance (a resend), identical to the accepted one.
    pub duplicates: u64,
    /// Events received again with different content: a fork. Must stay 0.
    pub forks: Vec<u64>,
    /// Events whose signature failed. Must stay 0.
    pub bad_signatures: u64,
    /// Events ahead of head + 1 (not accepted; the gateway sends them again).
    pub ahead: u64,
    /// The last status seen on the gateway's status topic.
    pub status: Option<Status>,
}

/// A stand-in for the server: verifies signatures and the chain with trace-proto and
/// acks the highest contiguous seq, as the real server will.
pub struct Acker {
    pub state: Arc<Mutex<AckerState>>,
}

impl Acker {
    pub fn start(port: u16, gateway_id: &GatewayId, key: VerifyingKey) -> Self {
        let state = Arc::new(Mutex::new(AckerState::default()));
        let mut options = MqttOptions::new(format!("acker-{gateway_id}"), "127.0.0.1", port);
        options.set_keep_alive(Duration::from_secs(5));
        options.set_max_packet_size(16 << 20, 16 << 20);
        let (client, mut connection) = Client::new(options, 1000);
        let events_topic = gateway_topic(gateway_id, GatewayTopic::Events);
        let status_topic = gateway_topic(gateway_id, GatewayTopic::Status);
        let ack_topic = gateway_topic(gateway_id, GatewayTopic::Ack);
        let id = gateway_id.clone();
        let shared = state.clone();
        std::thread::spawn(move || {
            for notification in connection.iter() {
                match notification {
                    Ok(Event::Incoming(Packet::ConnAck(_))) => {
                        client
                            .try_subscribe(&events_topic, QoS::AtLeastOnce)
                            .unwrap();
                        client
                            .try_subscribe(&status_topic, QoS::AtLeastOnce)
                            .unwrap();
                    }
                    Ok(Event::Incoming(Packet::Publish(p))) if p.topic == status_topic => {
                        if let Ok(Payload::Status(s)) = Payload::decode(&p.payload) {
                            shared.lock().unwrap().status = Some(s);
                        }
                    }
                    Ok(Event::Incoming(Packet::Publish(p))) if p.topic == events_topic => {
                        let Ok(Payload::EventBatch(batch)) = Payload::decode(&p.payload) else {
                            panic!("events topic carried something else");
                        };
                        let head = {
                            let mut s = shared.lock().unwrap();
                            for event in batch.events() {
                                s.take(event.unwrap(), &key);
                            }
                            s.head.map_or(0, |h| h.seq)
                        };
                        let ack = Payload::Ack(Ack {
                            gateway_id: id.clone(),
                            highest_contiguous_seq: head,
                        });
                        client
                            .try_publish(&ack_topic, QoS::AtLeastOnce, false, ack.encode().unwrap())
                            .unwrap();
                    }
                    Ok(_) => {}
                    Err(_) => std::thread::sleep(Duration::from_millis(100)),
                }
            }
        });
        Self { state }
    }

    pub fn head_seq(&self) -> u64 {
        self.state.lock().unwrap().head.map_or(0, |h| h.seq)
    }
}

impl AckerState {
    fn take(&mut self, event: SignedEvent, key: &VerifyingKey) {
        if event.verify(key).is_err() {
            self.bad_signatures += 1;
            return;
        }
        if let Some(hash) = self.hashes.get(&event.seq()) {
            if *hash == event.hash() {
                self.duplicates += 1;
            } else {
                self.forks.push(event.seq());
            }
            return;
        }
        match event.check_link(self.head) {
            Ok(head) => {
                self.head = Some(head);
                self.hashes.insert(event.seq(), event.hash());
                self.accepted.push(event);
            }
            Err(trace_proto::signed::SignedError::SeqGap { .. }) => self.ahead += 1,
            Err(e) => panic!("chain broken at seq {}: {e}", event.seq()),
        }
    }
}

/// The gateway binary.
pub fn gateway_bin() -> &'static str {
    env!("CARGO_BIN_EXE_trace-gateway")
}

/// Runs `trace-gateway keygen` into `dir` and returns the key file and its public key.
pub fn keygen(dir: &Path) -> (PathBuf, VerifyingKey) {
    let path = dir.join("gateway.key");
    let out = std::process::Command::new(gateway_bin())
        .args(["keygen", "--out"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let key = trace_gateway::keyfile::load(&path).unwrap();
    (path, key.verifying_key())
}

/// A gateway configuration with one observe station and the given `[[reader]]` text.
pub fn config_text(id: &str, dir: &Path, port: u16, readers: &str) -> String {
    format!(
        r#"
[gateway]
id = "{id}"
key_file = "{dir}/gateway.key"
outbox = "{dir}/outbox"

[broker]
host = "127.0.0.1"
port = {port}

[smoothing]
exit_ms = 60000

{readers}

[[station]]
name = "dock"
read_point = "urn:epc:id:sgln:0614141.00777.0"
biz_step = "receiving"
disposition = "in_progress"
"#,
        dir = dir.display()
    )
}

/// A unique gateway id for this test run.
pub fn unique_id(prefix: &str) -> GatewayId {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    GatewayId::new(&format!("{prefix}-{}-{nanos}", std::process::id())).unwrap()
}

/// The status file the gateway running on `dir/outbox` writes, once it parses.
pub fn local_status(dir: &Path) -> Option<trace_gateway::status::LocalStatus> {
    let path = trace_gateway::status::status_file_path(&dir.join("outbox"));
    serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()
}

/// A gateway running in a thread of the test.
pub struct Gateway {
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: std::thread::JoinHandle<()>,
}

/// Runs a gateway with [`config_text`] in a thread.
pub fn start_gateway(dir: &Path, id: &str, port: u16, readers: &str) -> Gateway {
    let config =
        trace_gateway::config::Config::parse(&config_text(id, dir, port, readers)).unwrap();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = stop.clone();
    let thread = std::thread::spawn(move || {
        trace_gateway::run::run(
            &config,
            trace_gateway::uplink::UplinkTuning::default(),
            &flag,
        )
        .unwrap();
    });
    Gateway { stop, thread }
}

impl Gateway {
    /// Stops it as SIGTERM would and waits for it.
    pub fn stop(self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        self.thread.join().unwrap();
    }
}

/// A pseudo-terminal: the master side for the test, the path of the slave for the gateway.
pub fn openpty() -> (std::fs::File, PathBuf) {
    use rustix::pty::{OpenptFlags, grantpt, openpt, ptsname, unlockpt};
    let master = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY).unwrap();
    grantpt(&master).unwrap();
    unlockpt(&master).unwrap();
    let name = ptsname(&master, Vec::new()).unwrap();
    (
        std::fs::File::from(master),
        PathBuf::from(name.to_str().unwrap()),
    )
}
