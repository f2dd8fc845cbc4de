//! One matrix of per-gateway ACL checks, run against any broker that has the logins
//! [`GATEWAY_A`], [`GATEWAY_B`] and [`SERVER`] (passwords: [`password`]). Brokers refuse
//! in different ways (Mosquitto acknowledges a forbidden PUBLISH and drops it, the
//! embedded broker disconnects the client), so the matrix reports how each refusal
//! showed, and proves by message order, never by waiting, that nothing leaked.
// rumqttc's ConnectionError is large; these results live for one step of a test.
#![allow(dead_code, clippy::result_large_err)]

use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use rumqttc::{
    Client, ConnectReturnCode, ConnectionError, Event, MqttOptions, Packet, Publish, QoS,
    SubscribeReasonCode, Transport,
};

pub const GATEWAY_A: &str = "dock-a";
pub const GATEWAY_B: &str = "dock-b";
pub const SERVER: &str = "trace-server";

/// Every login's password in these tests.
pub fn password(user: &str) -> String {
    format!("pw-{user}")
}

fn topic(gateway: &str, kind: &str) -> String {
    format!("rfid-trace/v1/gw/{gateway}/{kind}")
}

const RECALLS: &str = "rfid-trace/v1/recalls";
/// Long enough for a loaded 2-core machine; only ever waited out when a test fails.
const PATIENCE: Duration = Duration::from_secs(20);

/// Where the broker is, and the CA to trust for TLS.
#[derive(Clone)]
pub struct Endpoint {
    pub port: u16,
    pub ca: Option<Vec<u8>>,
}

/// How a broker refused something.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Acknowledged and dropped (PUBLISH) or answered with the failure code (SUBSCRIBE).
    Quiet,
    /// A SUBSCRIBE granted, but nothing delivered through it.
    Undelivered,
    /// The connection was closed.
    Disconnected,
}

/// What the matrix saw.
#[derive(Debug)]
pub struct Report {
    pub foreign_publish: Refusal,
    pub foreign_subscribe: Refusal,
}

/// A client whose events arrive on a channel; the first connection error ends it.
pub struct Probe {
    pub client: Client,
    events: Receiver<Result<Event, ConnectionError>>,
}

impl Probe {
    pub fn connect(endpoint: &Endpoint, client_id: &str, user: &str, password: &str) -> Probe {
        let mut options = MqttOptions::new(client_id, "127.0.0.1", endpoint.port);
        options
            .set_credentials(user, password)
            .set_keep_alive(Duration::from_secs(30));
        if let Some(ca) = &endpoint.ca {
            options.set_transport(Transport::tls(ca.clone(), None, None));
        }
        let (client, mut connection) = Client::new(options, 16);
        let (tx, events) = mpsc::channel();
        std::thread::spawn(move || {
            for event in connection.iter() {
                let failed = event.is_err();
                if tx.send(event).is_err() || failed {
                    break;
                }
            }
        });
        Probe { client, events }
    }

    /// A gateway or server login with its own password and client id.
    pub fn login(endpoint: &Endpoint, user: &str) -> Probe {
        let client_id = if user == SERVER {
            "trace-server-probe"
        } else {
            user
        };
        let probe = Probe::connect(endpoint, client_id, user, &password(user));
        probe
            .connack()
            .unwrap_or_else(|e| panic!("{user} cannot log in: {e:?}"));
        probe
    }

    fn next(&self) -> Result<Event, ConnectionError> {
        self.events
            .recv_timeout(PATIENCE)
            .unwrap_or_else(|_| panic!("no MQTT event within {PATIENCE:?}"))
    }

    /// The CONNACK, or the error the connection ended with.
    pub fn connack(&self) -> Result<(), ConnectionError> {
        loop {
            if let Event::Incoming(Packet::ConnAck(ack)) = self.next()? {
                assert_eq!(ack.code, ConnectReturnCode::Success);
                return Ok(());
            }
        }
    }

    /// Subscribes and returns the SUBACK's codes (messages arriving meanwhile are skipped), or the error the connection ended with.
    pub fn subscribe(&self, filters: &[&str]) -> Result<Vec<SubscribeReasonCode>, ConnectionError> {
        for filter in filters {
            self.client.subscribe(*filter, QoS::AtLeastOnce).unwrap();
        }
        let mut codes = Vec::new();
        while codes.len() < filters.len() {
            if let Event::Incoming(Packet::SubAck(ack)) = self.next()? {
                codes.extend(ack.return_codes);
            }
        }
        Ok(codes)
    }

    /// Publishes at QoS 1 and waits for the PUBACK, or the error the connection ended with.
    pub fn publish(&self, topic: &str, payload: &str, retain: bool) -> Result<(), ConnectionError> {
        self.client
            .publish(topic, QoS::AtLeastOnce, retain, payload.as_bytes())
            .unwrap();
        loop {
            if let Event::Incoming(Packet::PubAck(_)) = self.next()? {
                return Ok(());
            }
        }
    }

    /// The next message delivered.
    pub fn message(&self) -> Publish {
        loop {
            match self.next() {
                Ok(Event::Incoming(Packet::Publish(publish))) => return publish,
                Ok(_) => {}
                Err(e) => panic!("connection ended while waiting for a message: {e:?}"),
            }
        }
    }
}

fn refusal<T>(outcome: Result<T, ConnectionError>) -> Refusal {
    match outcome {
        Ok(_) => Refusal::Quiet,
        Err(_) => Refusal::Disconnected,
    }
}

fn assert_message(probe: &Probe, topic: &str, payload: &str) {
    let message = probe.message();
    assert_eq!(
        (message.topic.as_str(), &message.payload[..]),
        (topic, payload.as_bytes())
    );
}

/// Runs the matrix: own topics work, the other gateway's do not, the recall list is
/// readable, and a wrong password is refused.
pub fn run(endpoint: &Endpoint) -> Report {
    let server = Probe::login(endpoint, SERVER);
    assert_eq!(
        server.subscribe(&["rfid-trace/v1/gw/+/events"]).unwrap(),
        [SubscribeReasonCode::Success(QoS::AtLeastOnce)]
    );

    let a = Probe::login(endpoint, GATEWAY_A);
    a.publish(&topic(GATEWAY_A, "events"), "a-own", false)
        .unwrap();
    assert_message(&server, &topic(GATEWAY_A, "events"), "a-own");
    // Forged into B's topic: whether acknowledged or cut off, it must never arrive. B's
    // own message, sent after the refusal, is the next one the server sees.
    let foreign_publish = refusal(a.publish(&topic(GATEWAY_B, "events"), "a-forged", false));
    let b = Probe::login(endpoint, GATEWAY_B);
    b.publish(&topic(GATEWAY_B, "events"), "b-own", false)
        .unwrap();
    assert_message(&server, &topic(GATEWAY_B, "events"), "b-own");

    server.publish(RECALLS, "recall-list", true).unwrap();
    drop(a);
    let a = Probe::login(endpoint, GATEWAY_A);
    // One filter per SUBSCRIBE: the retained list follows its SUBACK.
    for filter in [topic(GATEWAY_A, "ack").as_str(), RECALLS] {
        let codes = a.subscribe(&[filter]).unwrap();
        assert!(
            matches!(codes[..], [SubscribeReasonCode::Success(_)]),
            "{filter}: {codes:?}"
        );
    }
    assert_message(&a, RECALLS, "recall-list");
    // B's ack: refused at SUBSCRIBE, or accepted and never delivered (A's own ack,
    // published after B's, is the next message A gets).
    let foreign_subscribe = match a.subscribe(&[&topic(GATEWAY_B, "ack")]) {
        Err(_) => Refusal::Disconnected,
        Ok(codes) if codes == [SubscribeReasonCode::Failure] => Refusal::Quiet,
        Ok(_) => {
            server
                .publish(&topic(GATEWAY_B, "ack"), "b-ack", false)
                .unwrap();
            server
                .publish(&topic(GATEWAY_A, "ack"), "a-ack", false)
                .unwrap();
            assert_message(&a, &topic(GATEWAY_A, "ack"), "a-ack");
            Refusal::Undelivered
        }
    };

    let wrong = Probe::connect(endpoint, GATEWAY_A, GATEWAY_A, "not-the-password");
    assert!(
        matches!(
            wrong.connack(),
            Err(ConnectionError::ConnectionRefused(
                ConnectReturnCode::NotAuthorized | ConnectReturnCode::BadUserNamePassword
            ))
        ),
        "a wrong password was not refused"
    );
    Report {
        foreign_publish,
        foreign_subscribe,
    }
}
