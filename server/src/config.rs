//! `trace-server serve` settings: a TOML file, overridden by environment variables,
//! overridden by flags (the last two are resolved by the command line parser).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::auth::TokenEntry;

/// The config file. Every field is optional; flags and environment variables win.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// Data folder.
    pub data: Option<PathBuf>,
    /// PostgreSQL URL of a store shared by several instances; unset: redb in `data`.
    pub store: Option<String>,
    /// HTTP listen address.
    pub http: Option<SocketAddr>,
    /// External broker URL (`mqtt://user:pass@host:1883`); when set no broker is embedded.
    pub mqtt: Option<String>,
    /// Embedded broker listen address.
    pub mqtt_listen: Option<SocketAddr>,
    /// CA certificate (PEM) of an `mqtts://` broker.
    pub mqtt_ca: Option<PathBuf>,
    /// Certificate chain (PEM) for TLS on the embedded broker.
    pub mqtt_tls_cert: Option<PathBuf>,
    /// Private key (PEM) for TLS on the embedded broker.
    pub mqtt_tls_key: Option<PathBuf>,
    /// Who may log in to the embedded broker; none: open, on loopback only.
    #[serde(default)]
    pub mqtt_users: Vec<crate::broker::acl::MqttUserEntry>,
    /// Seconds a chain gap may stay open before it is reported.
    pub gap_timeout_secs: Option<u64>,
    /// Per-client HTTP rate limits (defaults when absent).
    #[serde(default)]
    pub rate_limits: crate::rate_limit::RateLimits,
    /// Extra GS1 company prefix tables.
    #[serde(default)]
    pub gcp_tables: Vec<PathBuf>,
    /// API tokens, as SHA-256 hashes.
    #[serde(default)]
    pub tokens: Vec<TokenEntry>,
}

/// A config file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// Unreadable.
    #[error("config file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Not valid TOML for these settings.
    #[error("config file {path}: {source}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What is wrong, with line and column.
        source: toml::de::Error,
    },
}

impl FileConfig {
    /// Reads and parses a config file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        toml::from_str(&text).map_err(|source| ConfigError::Parse {
            path: path.to_owned(),
            source,
        })
    }
}

/// Where the server's MQTT traffic goes.
#[derive(Debug, Clone)]
pub enum BrokerChoice {
    /// Run rumqttd in-process on this address (port 0: any free port).
    Embedded(SocketAddr),
    /// Connect to a broker; the CA (PEM) for TLS.
    External {
        /// Its address.
        url: crate::mqtt::BrokerUrl,
        /// CA certificate for mqtts://.
        ca: Option<Vec<u8>>,
    },
}

/// The resolved settings `serve` runs with.
pub struct Settings {
    /// Data folder (the redb store lives in it unless `store` names PostgreSQL).
    pub data: PathBuf,
    /// A PostgreSQL URL (`postgres://…`) instead of the redb store in `data`.
    pub store: Option<String>,
    /// HTTP listen address (port 0: any free port).
    pub http: SocketAddr,
    /// The broker.
    pub broker: BrokerChoice,
    /// Logins and TLS of the embedded broker (unused with an external one).
    pub broker_security: crate::broker::BrokerSecurity,
    /// Gap report timeout.
    pub gap_timeout: Duration,
    /// Per-client HTTP rate limits.
    pub rate_limits: crate::rate_limit::RateLimits,
    /// Tokens.
    pub auth: crate::auth::Auth,
    /// Company prefixes.
    pub prefixes: trace_proto::company_prefix::PrefixTable,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_file_parses_and_unknown_keys_are_refused() {
        let text = r#"
            data = "/var/lib/trace"
            store = "postgres://trace@db:5432/trace"
            http = "0.0.0.0:8080"
            mqtt = "mqtt://server:pw@broker:1883"
            gap_timeout_secs = 30
            [[tokens]]
            name = "desk"
            role = "supervisor"
            sha256 = "00"
            [[mqtt_users]]
            name = "dock-1"
            role = "gateway"
            sha256 = "00"
        "#;
        let config: FileConfig = toml::from_str(text).unwrap();
        assert_eq!(config.gap_timeout_secs, Some(30));
        assert_eq!(
            config.store.as_deref(),
            Some("postgres://trace@db:5432/trace")
        );
        assert_eq!(config.tokens[0].name, "desk");
        assert_eq!(
            config.mqtt_users[0].role,
            crate::broker::acl::MqttRole::Gateway
        );
        let err = toml::from_str::<FileConfig>("dta = \"x\"").unwrap_err();
        assert!(err.to_string().contains("dta"), "{err}");
    }
}
