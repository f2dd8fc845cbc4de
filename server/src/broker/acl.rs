//! Who may log in to the embedded broker, and what each login may publish and subscribe.
//!
//! The rules mirror the Mosquitto ACL in `docs/mosquitto/acl`: a gateway publishes only its
//! own events and status and reads only its own acks and the recall list; a server reads
//! every gateway's events and status and publishes acks and the recall list; a reader (a
//! dashboard, a checkout terminal) only reads statuses and the recall list.
//!
//! Passwords are kept as SHA-256 hashes, like API tokens ([`crate::auth`]). An unsalted
//! hash is enough because these are machine credentials: long random strings issued per
//! gateway, not words a person chose.

use serde::Deserialize;
use trace_proto::mqtt::{
    EVENTS_FILTER, GatewayTopic, RECALLS_TOPIC, STATUS_FILTER, parse_gateway_topic,
};
use trace_proto::signed::GatewayId;

use crate::auth::{hashes_equal, parse_hash, secret_hash};

/// What an MQTT login is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MqttRole {
    /// A gateway; its user name is its gateway id.
    Gateway,
    /// Another `trace-server` instance ingesting from this broker.
    Server,
    /// A read-only consumer of statuses and the recall list.
    Reader,
}

/// One `[[mqtt_users]]` entry of the server config.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MqttUserEntry {
    /// The user name (for a gateway: its gateway id).
    pub name: String,
    /// What it may do.
    pub role: MqttRole,
    /// SHA-256 of the password, 64 hex digits.
    pub sha256: String,
}

/// A `[[mqtt_users]]` entry that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum UserConfigError {
    /// The hash is not 64 hex digits.
    #[error("MQTT user {0:?}: sha256 must be 64 hex digits")]
    Hash(String),
    /// A gateway user whose name is not a gateway id.
    #[error("MQTT user {name:?} has role gateway, so its name must be a gateway id: {why}")]
    GatewayName {
        /// The name.
        name: String,
        /// What is wrong with it.
        why: trace_proto::signed::SignedError,
    },
    /// The same name twice.
    #[error("MQTT user {0:?} is configured twice")]
    Duplicate(String),
}

/// Who a connection logged in as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// No users are configured: the broker is open (and on loopback only).
    Anyone,
    /// A gateway.
    Gateway(GatewayId),
    /// A server instance.
    Server(String),
    /// A read-only user.
    Reader(String),
}

struct User {
    name: String,
    role: MqttRole,
    hash: [u8; 32],
}

/// The configured users; empty means the broker is open.
#[derive(Default)]
pub struct Users {
    known: Vec<User>,
}

impl Users {
    /// Checks the configured entries.
    pub fn from_entries(entries: &[MqttUserEntry]) -> Result<Self, UserConfigError> {
        let mut known: Vec<User> = Vec::new();
        for entry in entries {
            let hash = parse_hash(&entry.sha256)
                .ok_or_else(|| UserConfigError::Hash(entry.name.clone()))?;
            if entry.role == MqttRole::Gateway
                && let Err(why) = GatewayId::new(&entry.name)
            {
                return Err(UserConfigError::GatewayName {
                    name: entry.name.clone(),
                    why,
                });
            }
            if known.iter().any(|u| u.name == entry.name) {
                return Err(UserConfigError::Duplicate(entry.name.clone()));
            }
            known.push(User {
                name: entry.name.clone(),
                role: entry.role,
                hash,
            });
        }
        Ok(Self { known })
    }

    /// Whether no users are configured.
    pub fn is_empty(&self) -> bool {
        self.known.is_empty()
    }

    /// The principal behind a user name and password, or `None` when they are refused.
    /// With no users configured everyone is [`Principal::Anyone`].
    pub fn login(&self, username: Option<&str>, password: Option<&[u8]>) -> Option<Principal> {
        if self.known.is_empty() {
            return Some(Principal::Anyone);
        }
        let (username, password) = (username?, password?);
        let presented = secret_hash(password);
        let user = self.known.iter().find(|u| u.name == username)?;
        if !hashes_equal(&user.hash, &presented) {
            return None;
        }
        Some(match user.role {
            MqttRole::Gateway => Principal::Gateway(GatewayId::new(&user.name).ok()?),
            MqttRole::Server => Principal::Server(user.name.clone()),
            MqttRole::Reader => Principal::Reader(user.name.clone()),
        })
    }
}

impl Principal {
    /// The name to log, never a secret.
    pub fn name(&self) -> &str {
        match self {
            Self::Anyone => "anonymous",
            Self::Gateway(id) => id.as_str(),
            Self::Server(name) | Self::Reader(name) => name,
        }
    }

    /// Whether it may connect with this client id. A gateway must use its own id, so it
    /// cannot take over another gateway's session (the broker drops the older of two
    /// connections with one client id).
    pub fn may_use_client_id(&self, client_id: &str) -> bool {
        match self {
            Self::Gateway(id) => client_id == id.as_str(),
            _ => true,
        }
    }

    /// Whether it may publish to `topic` (also as its last will).
    pub fn may_publish(&self, topic: &str) -> bool {
        if topic.contains(['+', '#']) {
            return false;
        }
        match self {
            Self::Anyone => true,
            Self::Gateway(id) => matches!(
                parse_gateway_topic(topic),
                Ok((owner, GatewayTopic::Events | GatewayTopic::Status)) if owner == *id
            ),
            Self::Server(_) => {
                topic == RECALLS_TOPIC
                    || matches!(parse_gateway_topic(topic), Ok((_, GatewayTopic::Ack)))
            }
            Self::Reader(_) => false,
        }
    }

    /// Whether it may subscribe to `filter`.
    pub fn may_subscribe(&self, filter: &str) -> bool {
        match self {
            Self::Anyone => true,
            Self::Gateway(id) => {
                filter == RECALLS_TOPIC
                    || matches!(
                        parse_gateway_topic(filter),
                        Ok((owner, GatewayTopic::Ack)) if owner == *id
                    )
            }
            Self::Server(_) => {
                let filter = unshared(filter);
                filter == EVENTS_FILTER
                    || filter == STATUS_FILTER
                    || matches!(
                        parse_gateway_topic(filter),
                        Ok((_, GatewayTopic::Events | GatewayTopic::Status))
                    )
            }
            Self::Reader(_) => {
                filter == RECALLS_TOPIC
                    || filter == STATUS_FILTER
                    || matches!(parse_gateway_topic(filter), Ok((_, GatewayTopic::Status)))
            }
        }
    }
}

/// `$share/{group}/{filter}` → `{filter}`; other filters unchanged.
fn unshared(filter: &str) -> &str {
    filter
        .strip_prefix("$share/")
        .and_then(|rest| rest.split_once('/'))
        .map_or(filter, |(_, inner)| inner)
}

#[cfg(test)]
mod tests;
