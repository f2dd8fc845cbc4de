//! rumqttd behind the front: it listens on loopback only and admits one login, the
//! front's and the server's internal one.

use std::collections::HashMap;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use rumqttd::{Broker, Config, ConnectionSettings, RouterConfig, ServerSettings};

use super::BrokerError;

/// Starts rumqttd on `listen` (port 0: a free port), admitting only `user` with
/// `password`, and returns the address it accepts connections on, once it does.
pub(super) fn start(
    listen: SocketAddr,
    user: &str,
    password: &str,
) -> Result<SocketAddr, BrokerError> {
    // rumqttd binds in its own thread and only logs a failure; binding here first turns
    // a taken port into an error the caller sees, and resolves port 0.
    let addr = TcpListener::bind(listen)
        .and_then(|l| l.local_addr())
        .map_err(|source| BrokerError::Bind {
            addr: listen,
            source,
        })?;
    let login = [(user.to_owned(), password.to_owned())]
        .into_iter()
        .collect();
    let config = config(addr, login);
    std::thread::Builder::new()
        .name("mqtt-broker".into())
        .spawn(move || {
            if let Err(e) = Broker::new(config).start() {
                tracing::error!(error = %e, "embedded MQTT broker stopped");
            }
        })
        .map_err(|source| BrokerError::Bind { addr, source })?;
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            tracing::debug!(%addr, "inner MQTT broker listening");
            return Ok(addr);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Err(BrokerError::NotListening(addr))
}

fn config(addr: SocketAddr, login: HashMap<String, String>) -> Config {
    let server = ServerSettings {
        name: "v4".into(),
        listen: addr,
        tls: None,
        next_connection_delay_ms: 1,
        connections: ConnectionSettings {
            connection_timeout_ms: 60_000,
            // Retained recall lists of large recalls exceed the MQTT-typical 10 KiB.
            max_payload_size: super::MAX_PACKET,
            max_inflight_count: 500,
            auth: Some(login),
            external_auth: None,
            dynamic_filters: true,
        },
    };
    Config {
        id: 0,
        router: RouterConfig {
            max_connections: 10_000,
            max_outgoing_packet_count: 500,
            max_segment_size: 100 * 1024 * 1024,
            max_segment_count: 10,
            custom_segment: None,
            initialized_filters: None,
            shared_subscriptions_strategy: Default::default(),
        },
        v4: Some([("v4".to_owned(), server)].into_iter().collect()),
        v5: None,
        ws: None,
        cluster: None,
        console: None,
        bridge: None,
        prometheus: None,
        metrics: None,
    }
}
