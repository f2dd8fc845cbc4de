//! The gateway's TOML configuration: who the gateway is, where its key and outbox live,
//! the broker, the readers, and the stations that give each read its business meaning.
//!
//! Parsing happens in two steps: serde reads the TOML into the raw shape (syntax
//! errors carry toml's own line and column), then [`Config::parse`] checks every
//! business value (CBV terms, SGLN read points, party and transaction URIs, dates) and
//! names the line and key of the first one that is wrong. A gateway therefore never
//! starts with a configuration that would produce invalid events.

use std::collections::HashMap;
use std::path::PathBuf;

use toml::Spanned;
use trace_proto::event::{BizStep, BizTransactionType, Date, Disposition, TimeZoneOffset};
use trace_proto::link::Configure;
use trace_proto::signed::GatewayId;

/// Why a configuration is refused.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file cannot be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Not TOML, or a key of the wrong type or missing (toml names the line).
    #[error("{0}")]
    Syntax(#[from] toml::de::Error),
    /// A value that does not make sense for its key.
    #[error("line {line}: `{key}`: {message}")]
    Invalid {
        /// 1-based line of the value.
        line: usize,
        /// Dotted key, e.g. `station[1].biz_step`.
        key: String,
        /// What is wrong.
        message: String,
    },
}

/// A checked configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Gateway identity and files.
    pub gateway: GatewayConfig,
    /// The MQTT broker.
    pub broker: BrokerConfig,
    /// Entry/exit smoothing.
    pub smoothing: SmoothingConfig,
    /// Reader inputs, in file order.
    pub readers: Vec<ReaderConfig>,
    /// Stations, in file order; readers refer to them by index.
    pub stations: Vec<StationConfig>,
}

/// `[gateway]`.
#[derive(Debug, Clone)]
pub struct GatewayConfig {
    /// The gateway id (MQTT topic level, chain owner).
    pub id: GatewayId,
    /// The ed25519 key file written by `trace-gateway keygen`.
    pub key_file: PathBuf,
    /// The outbox directory (sled).
    pub outbox: PathBuf,
    /// Bytes of signed events the outbox may hold before it refuses new reads.
    pub outbox_budget_bytes: u64,
    /// Local time zone offset written into events.
    pub timezone: TimeZoneOffset,
}

/// `[broker]`. Its `Debug` output leaves the password out.
#[derive(Clone)]
pub struct BrokerConfig {
    /// Host name or address.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// User name, if the broker wants one.
    pub username: Option<String>,
    /// Password, if the broker wants one.
    pub password: Option<String>,
    /// PEM CA certificate: when set, the connection uses TLS.
    pub ca_file: Option<PathBuf>,
}

impl std::fmt::Debug for BrokerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BrokerConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("ca_file", &self.ca_file)
            .finish()
    }
}

/// `[smoothing]`: ALE-style event cycles per read point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SmoothingConfig {
    /// A tag counts as entered once it has been read over at least this long (0: first read).
    pub dwell_ms: u64,
    /// A tag not read for this long has left.
    pub exit_ms: u64,
}

/// What a reader input is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReaderSource {
    /// A board running `trace-firmware`, speaking `trace_proto::link` frames.
    Link {
        /// Serial device.
        port: String,
        /// Baud rate.
        baud: u32,
        /// The configuration sent to the board after each `Hello` and port opening
        /// (`None`: the board keeps its own).
        configure: Option<Configure>,
    },
    /// A reader module on a USB-serial adapter, driven by the gateway itself.
    Module {
        /// Which driver.
        kind: ModuleKind,
        /// Serial device.
        port: String,
        /// Baud rate.
        baud: u32,
    },
    /// A fixed UHF reader speaking LLRP over TCP.
    Llrp {
        /// `host:port` (LLRP's port is 5084).
        address: String,
        /// Keep-alive period asked of the reader; three missed ones reset the connection.
        keepalive_ms: u32,
    },
    /// Generated reads of `count` distinct SGTINs, one every `interval_ms` (demos, tests).
    Simulate {
        /// Pause between reads.
        interval_ms: u64,
        /// Reads to make (0: forever).
        count: u64,
        /// Company prefix and item reference of the generated SGTINs, e.g. `0614141.812345`.
        product: String,
    },
}

/// Reader modules the gateway drives directly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModuleKind {
    /// EM4100 125 kHz (RDM6300 class), 9600 baud.
    Em4100,
    /// PN532 over HSU, 115200 baud.
    Pn532,
    /// M100-family UHF, 115200 baud.
    UhfM100,
}

impl ModuleKind {
    /// The name used in the configuration and the status.
    pub fn name(self) -> &'static str {
        match self {
            Self::Em4100 => "em4100",
            Self::Pn532 => "pn532",
            Self::UhfM100 => "uhf-m100",
        }
    }
}

/// One `[[reader]]`.
#[derive(Debug, Clone)]
pub struct ReaderConfig {
    /// Name in logs and status.
    pub name: String,
    /// Where reads come from.
    pub source: ReaderSource,
    /// Index into [`Config::stations`].
    pub station: usize,
}

/// The business-process profile of a station.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Profile {
    /// One ObjectEvent OBSERVE per entry (dock doors, retail, dispensing, inspection).
    Observe,
    /// One ObjectEvent ADD with ILMD per entry (production line commissioning).
    Commission(LotData),
    /// Items co-read with an SSCC within `window_ms` → AggregationEvent ADD.
    Pack {
        /// Co-read window around the container's entry.
        window_ms: u64,
    },
    /// Items co-read with an SSCC within `window_ms` → AggregationEvent DELETE.
    Unpack {
        /// Co-read window around the container's entry.
        window_ms: u64,
    },
    /// Input lots read within a window → one TransformationEvent making the output lot.
    Transform(Transform),
}

/// A production-line station where inputs become an output lot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transform {
    /// A run starts with the first tag read and takes every tag entering within this
    /// window; then its TransformationEvent is made.
    pub window_ms: u64,
    /// Company prefix and item reference of the output product (`0614141.812345`):
    /// its SGTINs read in the window are outputs, every other tag is an input, and the
    /// output lot is `urn:epc:class:lgtin:{output_product}.{lot}`.
    pub output_product: String,
    /// The output lot and its ILMD.
    pub lot: LotData,
}

/// Lot master data written by a commissioning or transformation station.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LotData {
    /// Lot number.
    pub lot: Option<String>,
    /// Production date.
    pub production_date: Option<Date>,
    /// Expiry date.
    pub expiry_date: Option<Date>,
    /// ISO 3166-1 alpha-2 country of origin.
    pub country_of_origin: Option<String>,
}

/// One `[[station]]`: the business context of its readers' reads.
#[derive(Debug, Clone)]
pub struct StationConfig {
    /// Name readers refer to.
    pub name: String,
    /// What an entry means.
    pub profile: Profile,
    /// `readPoint` (SGLN URI).
    pub read_point: String,
    /// `bizLocation` (SGLN URI), if any.
    pub biz_location: Option<String>,
    /// `bizStep`.
    pub biz_step: BizStep,
    /// `disposition`.
    pub disposition: Option<Disposition>,
    /// `bizTransactionList` entry, if any.
    pub biz_transaction: Option<(Option<BizTransactionType>, String)>,
    /// Owning party URI (source and destination `owning_party`), if any.
    pub owning_party: Option<String>,
    /// A door's direction from the order its two antennas see a tag, if configured.
    pub direction: Option<Direction>,
}

/// Which way a tag crossed a door, from the antenna that saw it first: outside then
/// inside is inbound, inside then outside is outbound. A tag seen by one antenna only
/// has not crossed and makes no event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Direction {
    /// Antenna on the outside (yard, truck) of the door.
    pub outside_antenna: u16,
    /// Antenna on the inside (warehouse) of the door.
    pub inside_antenna: u16,
    /// `bizStep` and `disposition` of an inbound crossing (e.g. receiving, in_progress).
    pub inbound: (BizStep, Option<Disposition>),
    /// `bizStep` and `disposition` of an outbound crossing (e.g. shipping, in_transit).
    pub outbound: (BizStep, Option<Disposition>),
}

mod check;
mod firmware;
mod raw;

impl Config {
    /// Reads and checks a configuration file.
    pub fn load(path: &std::path::Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text)
    }

    /// Parses and checks configuration text.
    pub fn parse(text: &str) -> Result<Self, ConfigError> {
        let file: raw::File = toml::from_str(text)?;
        let check = Checker { text };
        let stations = file
            .station
            .iter()
            .enumerate()
            .map(|(i, s)| check.station(i, s))
            .collect::<Result<Vec<_>, _>>()?;
        let mut by_name: HashMap<&str, usize> = HashMap::new();
        for (i, (station, raw)) in stations.iter().zip(&file.station).enumerate() {
            if by_name.insert(station.name.as_str(), i).is_some() {
                return Err(check.invalid(
                    &raw.name,
                    &format!("station[{i}].name"),
                    "duplicate station name",
                ));
            }
        }
        let readers = file
            .reader
            .iter()
            .enumerate()
            .map(|(i, r)| check.reader(i, r, &by_name))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            gateway: check.gateway(&file.gateway)?,
            broker: BrokerConfig {
                host: file.broker.host,
                port: file.broker.port,
                username: file.broker.username,
                password: file.broker.password,
                ca_file: file.broker.ca_file,
            },
            smoothing: SmoothingConfig {
                dwell_ms: file.smoothing.dwell_ms,
                exit_ms: file.smoothing.exit_ms,
            },
            readers,
            stations,
        })
    }
}

/// Turns raw values into checked ones, naming the line of whatever is wrong.
struct Checker<'t> {
    text: &'t str,
}

impl Checker<'_> {
    fn invalid<T>(&self, at: &Spanned<T>, key: &str, message: &str) -> ConfigError {
        let start = at.span().start.min(self.text.len());
        let line = self
            .text
            .get(..start)
            .map_or(1, |before| before.matches('\n').count() + 1);
        ConfigError::Invalid {
            line,
            key: key.to_owned(),
            message: message.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests;
