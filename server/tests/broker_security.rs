//! Per-gateway logins and topic rules on both brokers rfid-trace documents: a Mosquitto
//! of its own running the committed `docs/mosquitto/` files, and the embedded broker of a
//! real `trace-server` configured with `[[mqtt_users]]`; and the embedded broker over TLS.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod acl_matrix;
mod harness;

use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use acl_matrix::{Endpoint, GATEWAY_A, GATEWAY_B, Probe, Refusal, SERVER, password};
use harness::{Broker, Server, free_port};
use trace_server::auth::secret_hash;

const USERS: [(&str, &str); 3] = [
    (GATEWAY_A, "gateway"),
    (GATEWAY_B, "gateway"),
    (SERVER, "server"),
];

/// A Mosquitto process of this test's own, killed on drop.
struct Mosquitto {
    child: Child,
    port: u16,
}

impl Drop for Mosquitto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `/usr/sbin/mosquitto` with the committed config and ACL, on a free port, with
/// its files in `dir` and the TLS lines left out.
fn start_mosquitto(dir: &Path) -> Mosquitto {
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/mosquitto");
    std::fs::copy(docs.join("acl"), dir.join("acl")).unwrap();
    let passwd = dir.join("passwd");
    for (i, (user, _)) in USERS.iter().enumerate() {
        let create = if i == 0 { &["-c"][..] } else { &[] };
        let status = Command::new("mosquitto_passwd")
            .args(create)
            .arg("-b")
            .arg(&passwd)
            .arg(user)
            .arg(password(user))
            .status()
            .unwrap();
        assert!(status.success(), "mosquitto_passwd failed");
    }
    let port = free_port();
    let committed = std::fs::read_to_string(docs.join("rfid-trace.conf")).unwrap();
    let mut config = String::new();
    for line in committed.lines() {
        let line = match line.split_whitespace().next() {
            Some("certfile" | "keyfile" | "cafile") => continue,
            Some("listener") => format!("listener {port} 127.0.0.1"),
            Some("persistence") => "persistence false".to_owned(),
            _ => line.replace("/etc/mosquitto/", &format!("{}/", dir.display())),
        };
        config.push_str(&line);
        config.push('\n');
    }
    // Started as root, Mosquitto drops to its own user, which cannot read a temp dir.
    config.push_str("user root\n");
    std::fs::write(dir.join("mosquitto.conf"), config).unwrap();
    let log = std::fs::File::create(dir.join("mosquitto.log")).unwrap();
    let child = Command::new("/usr/sbin/mosquitto")
        .arg("-c")
        .arg(dir.join("mosquitto.conf"))
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap();
    let mosquitto = Mosquitto { child, port };
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "mosquitto did not start: {}",
            std::fs::read_to_string(dir.join("mosquitto.log")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    mosquitto
}

/// A server config with the test's logins, hashed.
fn server_config(dir: &Path, extra: &str) -> std::path::PathBuf {
    let mut text = extra.to_owned();
    for (user, role) in USERS {
        let hash = hex::encode(secret_hash(password(user).as_bytes()));
        text.push_str(&format!(
            "\n[[mqtt_users]]\nname = \"{user}\"\nrole = \"{role}\"\nsha256 = \"{hash}\"\n"
        ));
    }
    let path = dir.join("server.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn mosquitto_with_the_committed_files_keeps_gateways_to_their_own_topics() {
    let dir = tempfile::tempdir().unwrap();
    let mosquitto = start_mosquitto(dir.path());
    let report = acl_matrix::run(&Endpoint {
        port: mosquitto.port,
        ca: None,
    });
    assert_eq!(report.foreign_publish, Refusal::Quiet);
    // Mosquitto 2.0 grants the SUBSCRIBE and checks `read` on every delivery instead.
    assert_eq!(report.foreign_subscribe, Refusal::Undelivered);
}

#[test]
fn the_embedded_broker_keeps_gateways_to_their_own_topics() {
    let dir = tempfile::tempdir().unwrap();
    let config = server_config(dir.path(), "");
    let server = Server::start_with(
        &dir.path().join("data"),
        Broker::Embedded(0),
        &["--config", config.to_str().unwrap()],
    );
    let endpoint = Endpoint {
        port: server.mqtt_port.unwrap(),
        ca: None,
    };
    let report = acl_matrix::run(&endpoint);
    assert_eq!(report.foreign_publish, Refusal::Disconnected);
    assert_eq!(report.foreign_subscribe, Refusal::Disconnected);

    // A gateway may not take another's client id (and with it, its session).
    let impostor = Probe::connect(&endpoint, GATEWAY_B, GATEWAY_A, &password(GATEWAY_A));
    assert!(impostor.connack().is_err());
    let (_, metrics) = server.get("/metrics", None);
    let metrics = metrics.as_str().unwrap().to_owned();
    assert!(metrics.contains("trace_mqtt_denied_total 2"), "{metrics}");
    assert!(
        metrics.contains("trace_mqtt_logins_refused_total 2"),
        "{metrics}"
    );
    let log = std::fs::read_to_string(&server.log).unwrap();
    assert!(log.contains("may not publish to"), "{log}");
    assert!(
        !log.contains(&password(GATEWAY_A)),
        "a password reached the log"
    );
}

#[test]
fn a_gateway_reaches_the_embedded_broker_over_tls_and_plain_text_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (ca, cert, key) = certificates();
    let (cert_path, key_path) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert_path, cert).unwrap();
    std::fs::write(&key_path, key).unwrap();
    let config = server_config(dir.path(), "");
    let server = Server::start_with(
        &dir.path().join("data"),
        Broker::Embedded(0),
        &[
            "--config",
            config.to_str().unwrap(),
            "--mqtt-tls-cert",
            cert_path.to_str().unwrap(),
            "--mqtt-tls-key",
            key_path.to_str().unwrap(),
        ],
    );
    let port = server.mqtt_port.unwrap();
    let tls = Endpoint {
        port,
        ca: Some(ca.into_bytes()),
    };
    let spy = Probe::login(&tls, SERVER);
    spy.subscribe(&["rfid-trace/v1/gw/+/events"]).unwrap();
    let gateway = Probe::login(&tls, GATEWAY_A);
    let events = format!("rfid-trace/v1/gw/{GATEWAY_A}/events");
    gateway.publish(&events, "over-tls", false).unwrap();
    let message = spy.message();
    assert_eq!(
        (message.topic.as_str(), &message.payload[..]),
        (events.as_str(), &b"over-tls"[..])
    );

    let plain = Probe::connect(
        &Endpoint { port, ca: None },
        GATEWAY_B,
        GATEWAY_B,
        &password(GATEWAY_B),
    );
    assert!(
        plain.connack().is_err(),
        "plain text accepted on the TLS port"
    );
}

/// A CA, and a certificate for 127.0.0.1 and localhost it signed, with its key (PEM).
fn certificates() -> (String, String, String) {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let key = KeyPair::generate().unwrap();
    let params =
        CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()]).unwrap();
    let cert = params.signed_by(&key, &ca, &ca_key).unwrap();
    (ca.pem(), cert.pem(), key.serialize_pem())
}
