//! The embedded MQTT broker, so one command runs a whole site without installing
//! Mosquitto. Production sites may point gateways and servers at a broker cluster instead
//! (`--mqtt`).
//!
//! rumqttd has logins but no per-topic rules, so it listens on loopback only and an
//! authorising front ([`front`](self)) takes the clients: it checks each CONNECT's
//! credentials and each PUBLISH and SUBSCRIBE against the [`acl`], and forwards what is
//! allowed to rumqttd under an internal login drawn at random at start-up. The server's
//! own client uses that login directly. The front parses only packet boundaries and the
//! fields it decides on ([`frame`]); rumqttd still speaks the protocol.
//!
//! With no `[[mqtt_users]]` configured the broker is open, as the demo and a quick start
//! on one machine need; an open broker may listen on loopback only, so a site whose
//! gateways connect over the network must configure users.

pub mod acl;
pub mod frame;
#[cfg(feature = "embedded-broker")]
mod front;
#[cfg(feature = "embedded-broker")]
mod inner;
#[cfg(feature = "embedded-broker")]
mod tls;

use std::net::{SocketAddr, TcpListener};

/// Largest packet (remaining length) accepted: large recalls' retained lists exceed the
/// MQTT-typical 10 KiB.
pub const MAX_PACKET: usize = 16 * 1024 * 1024;

/// How the embedded broker admits clients.
#[derive(Debug, Default, Clone)]
pub struct BrokerSecurity {
    /// Who may log in; empty: anyone, on loopback only.
    pub users: Vec<acl::MqttUserEntry>,
    /// Certificate and key for TLS on the listener.
    pub tls: Option<TlsIdentity>,
}

/// A PEM certificate chain and its private key.
#[derive(Clone)]
pub struct TlsIdentity {
    /// Certificate chain, PEM, leaf first.
    pub cert_pem: Vec<u8>,
    /// Private key, PEM.
    pub key_pem: Vec<u8>,
}

// The key must never reach a log line.
impl std::fmt::Debug for TlsIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TlsIdentity { .. }")
    }
}

/// Why the broker did not start.
#[derive(Debug, thiserror::Error)]
pub enum BrokerError {
    /// The address is taken or not ours.
    #[error("embedded MQTT broker cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The broker thread did not come up.
    #[error("embedded MQTT broker on {0} did not start accepting connections")]
    NotListening(SocketAddr),
    /// No users, and an address other machines can reach.
    #[error(
        "embedded MQTT broker on {0}: without [[mqtt_users]] the broker is open, so it may only \
         listen on loopback; configure users or listen on 127.0.0.1"
    )]
    OpenOnNetwork(SocketAddr),
    /// A bad `[[mqtt_users]]` entry.
    #[error(transparent)]
    Users(#[from] acl::UserConfigError),
    /// The certificate or key is unusable.
    #[error("embedded MQTT broker TLS: {0}")]
    Tls(String),
}

/// Whether something already listens on `addr`.
pub fn port_free(addr: SocketAddr) -> bool {
    TcpListener::bind(addr).is_ok()
}

#[cfg(feature = "embedded-broker")]
pub use front::{Embedded, start};
