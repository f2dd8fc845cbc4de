//! Real processes for the server's integration tests: the `trace-server` binary on a
//! temporary data folder, test gateways that sign events and publish them over a real
//! MQTT connection, and a small HTTP client.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use rumqttc::{Client, Event, MqttOptions, Packet, QoS};
use serde_json::Value;
use trace_proto::event::{
    Action, BizStep, Event as TraceEvent, EventKind, EventTime, Location, ObjectEvent,
    TimeZoneOffset,
};
use trace_proto::mqtt::{GatewayTopic, Payload, gateway_topic, payload_budget, split_batch};
use trace_proto::signed::{EventHash, GatewayId, SignedEvent, SigningKey};

pub const ADMIN: &str = "admin-token-for-tests";
pub const SUPERVISOR: &str = "supervisor-token-for-tests";

/// How the server reaches a broker.
pub enum Broker {
    /// Embedded, on this port (0: any).
    Embedded(u16),
    /// External, this URL.
    External(String),
}

/// A running `trace-server serve`.
pub struct Server {
    child: Child,
    pub http: String,
    pub mqtt_port: Option<u16>,
    pub log: PathBuf,
    agent: ureq::Agent,
}

/// A free TCP port on loopback (released before returning; good enough for tests).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Server {
    pub fn start(data: &Path, broker: Broker) -> Server {
        Server::start_with(data, broker, &[])
    }

    /// Starts with `extra` flags after the usual ones (e.g. `--store URL`).
    pub fn start_with(data: &Path, broker: Broker, extra: &[&str]) -> Server {
        let log = data.with_extension("log");
        let stderr = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .unwrap();
        let mut command = Command::new(env!("CARGO_BIN_EXE_trace-server"));
        command
            .arg("serve")
            .arg("--data")
            .arg(data)
            .args(["--http", "127.0.0.1:0", "--gap-timeout", "1"])
            .env("TRACE_ADMIN_TOKEN", ADMIN)
            .env("TRACE_SUPERVISOR_TOKEN", SUPERVISOR)
            .env("RUST_LOG", "info,rumqttd=warn")
            .stdout(Stdio::piped())
            .stderr(stderr);
        match &broker {
            Broker::Embedded(port) => command.args(["--mqtt-listen", &format!("127.0.0.1:{port}")]),
            Broker::External(url) => command.args(["--mqtt", url]),
        };
        command.args(extra);
        let mut child = command.spawn().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let (mut http, mut mqtt_port) = (None, None);
        let want_mqtt = matches!(broker, Broker::Embedded(_));
        let deadline = Instant::now() + Duration::from_secs(60);
        while http.is_none() || (want_mqtt && mqtt_port.is_none()) {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = rx.recv_timeout(left).unwrap_or_else(|_| {
                panic!(
                    "server did not start; log:\n{}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                )
            });
            if let Some(url) = line.strip_prefix("http: ") {
                http = Some(url.to_owned());
            } else if let Some(url) = line.strip_prefix("mqtt: ") {
                mqtt_port = url.rsplit(':').next().and_then(|p| p.parse().ok());
            }
        }
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        Server {
            child,
            http: http.unwrap(),
            mqtt_port,
            log,
            agent,
        }
    }

    /// SIGKILL: no shutdown code runs.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn get(&self, path: &str, token: Option<&str>) -> (u16, Value) {
        let mut request = self.agent.get(format!("{}{path}", self.http));
        if let Some(token) = token {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        let mut response = request.call().unwrap();
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string().unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    pub fn post(&self, path: &str, token: Option<&str>, body: &Value) -> (u16, Value) {
        let mut request = self.agent.post(format!("{}{path}", self.http));
        if let Some(token) = token {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        let mut response = request.send_json(body).unwrap();
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string().unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// Polls `path` until `done` holds for its JSON, or panics with the last answer.
    pub fn wait_for(
        &self,
        path: &str,
        token: Option<&str>,
        done: impl Fn(&Value) -> bool,
    ) -> Value {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let (_, body) = self.get(path, token);
            if done(&body) {
                return body;
            }
            if Instant::now() > deadline {
                panic!("waited in vain on {path}; last answer: {body:#}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn stored_events(&self) -> u64 {
        self.get("/healthz", None).1["store"]["events"]
            .as_u64()
            .unwrap()
    }

    pub fn enroll(&self, gateway: &TestGateway) {
        let body = serde_json::json!({
            "id": gateway.id.as_str(),
            "public_key": hex::encode(gateway.key.verifying_key().to_bytes()),
            "party": format!("urn:epc:id:pgln:0614141.{}", gateway.id.as_str().len()),
            "description": "test gateway",
        });
        let (status, answer) = self.post("/api/v1/gateways", Some(ADMIN), &body);
        assert_eq!(status, 201, "{answer}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A gateway's signing side: a key and a chain.
#[derive(Clone)]
pub struct TestGateway {
    pub id: GatewayId,
    pub key: SigningKey,
    prev: EventHash,
    seq: u64,
}

impl TestGateway {
    pub fn new(id: &str, seed: u8) -> TestGateway {
        TestGateway {
            id: GatewayId::new(id).unwrap(),
            key: SigningKey::from_bytes(&[seed; 32]),
            prev: EventHash::ZERO,
            seq: 0,
        }
    }

    /// Signs the next event of the chain.
    pub fn sign(&mut self, event: TraceEvent) -> SignedEvent {
        self.seq += 1;
        let signed =
            SignedEvent::sign(&self.key, self.id.clone(), self.seq, self.prev, event).unwrap();
        self.prev = signed.hash();
        signed
    }
}

/// An OBSERVE ObjectEvent of one EPC at a time and place.
pub fn observation(epc: &str, millis: i64, place: &str) -> TraceEvent {
    let kind = EventKind::Object(ObjectEvent {
        action: Action::Observe,
        epc_list: vec![epc.to_owned()],
        quantity_list: vec![],
        ilmd: None,
    });
    let time = EventTime::from_unix_millis(millis).unwrap();
    let mut event = TraceEvent::new(kind, time, TimeZoneOffset::from_minutes(60).unwrap());
    event.biz_step = Some(BizStep::Inspecting);
    event.read_point = Some(Location {
        id: place.to_owned(),
        extensions: vec![],
    });
    event
}

/// A gateway's MQTT connection: publishes batches, collects acks.
pub struct Link {
    gateway: GatewayId,
    client: Client,
    acks: Receiver<u64>,
    last_ack: u64,
}

impl Link {
    pub fn connect(port: u16, gateway: &GatewayId) -> Link {
        let client_id = format!("test-{}-{}", gateway.as_str(), std::process::id());
        let mut options = MqttOptions::new(client_id, "127.0.0.1", port);
        options.set_keep_alive(Duration::from_secs(5));
        let (client, mut connection) = Client::new(options, 1000);
        let (tx, acks) = mpsc::channel();
        let ack_topic = gateway_topic(gateway, GatewayTopic::Ack);
        let subscriber = client.clone();
        std::thread::spawn(move || {
            for notification in connection.iter() {
                match notification {
                    Ok(Event::Incoming(Packet::ConnAck(_))) => {
                        let _ = subscriber.try_subscribe(ack_topic.clone(), QoS::AtLeastOnce);
                    }
                    Ok(Event::Incoming(Packet::Publish(p))) => {
                        if let Ok(Payload::Ack(ack)) = Payload::decode(&p.payload)
                            && tx.send(ack.highest_contiguous_seq).is_err()
                        {
                            return;
                        }
                    }
                    Ok(_) => {}
                    Err(_) => std::thread::sleep(Duration::from_millis(100)),
                }
            }
        });
        Link {
            gateway: gateway.clone(),
            client,
            acks,
            last_ack: 0,
        }
    }

    /// Publishes events in batches that fit the packet budget, as a gateway does.
    pub fn publish(&self, events: &[SignedEvent]) {
        let topic = gateway_topic(&self.gateway, GatewayTopic::Events);
        for batch in split_batch(events, payload_budget(&topic)).unwrap() {
            let payload = Payload::EventBatch(batch).encode().unwrap();
            self.client
                .publish(topic.clone(), QoS::AtLeastOnce, false, payload)
                .unwrap();
        }
    }

    /// Waits until an ack of at least `seq` arrives; returns the highest seen.
    pub fn wait_ack(&mut self, seq: u64) -> u64 {
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.last_ack < seq {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.acks.recv_timeout(left) {
                Ok(ack) => self.last_ack = self.last_ack.max(ack),
                Err(_) => panic!("no ack for seq {seq}; highest {}", self.last_ack),
            }
        }
        self.last_ack
    }

    /// What a gateway's outbox does: resend everything above the last ack whenever acks
    /// stop advancing for a while, until the last event is acked.
    pub fn resend_until_acked(&mut self, events: &[SignedEvent]) {
        let last = events.last().unwrap().seq();
        let deadline = Instant::now() + Duration::from_secs(120);
        let mut progress = (0, Instant::now() - Duration::from_secs(10));
        while self.last_ack() < last {
            let acked = self.last_ack();
            assert!(
                Instant::now() < deadline,
                "{} stuck at ack {acked}",
                self.gateway.as_str()
            );
            if acked > progress.0 {
                progress = (acked, Instant::now());
            } else if progress.1.elapsed() > Duration::from_secs(2) {
                self.publish(&events[acked as usize..]);
                progress.1 = Instant::now();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Drains pending acks without waiting; returns the highest seen so far.
    pub fn last_ack(&mut self) -> u64 {
        while let Ok(ack) = self.acks.try_recv() {
            self.last_ack = self.last_ack.max(ack);
        }
        self.last_ack
    }
}
