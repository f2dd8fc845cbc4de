//! The configuration file as written, before its business values are checked. Values
//! that need checking are `Spanned`, so an error can name their line.

use std::path::PathBuf;

use serde::Deserialize;
use toml::Spanned;

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct File {
    pub gateway: Gateway,
    pub broker: Broker,
    #[serde(default)]
    pub smoothing: Smoothing,
    #[serde(default)]
    pub reader: Vec<Reader>,
    #[serde(default)]
    pub station: Vec<Station>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Gateway {
    pub id: Spanned<String>,
    pub key_file: PathBuf,
    pub outbox: PathBuf,
    #[serde(default = "default_budget")]
    pub outbox_budget_bytes: u64,
    /// Minutes east of UTC.
    pub timezone_offset_minutes: Option<Spanned<i16>>,
}

fn default_budget() -> u64 {
    256 * 1024 * 1024
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Broker {
    pub host: String,
    #[serde(default = "default_port")]
    pub port: u16,
    pub username: Option<String>,
    pub password: Option<String>,
    pub ca_file: Option<PathBuf>,
}

fn default_port() -> u16 {
    1883
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Smoothing {
    #[serde(default)]
    pub dwell_ms: u64,
    #[serde(default = "default_exit")]
    pub exit_ms: u64,
}

impl Default for Smoothing {
    fn default() -> Self {
        Self {
            dwell_ms: 0,
            exit_ms: default_exit(),
        }
    }
}

fn default_exit() -> u64 {
    3000
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Reader {
    pub name: String,
    /// `link`, `em4100`, `pn532`, `uhf-m100`, `llrp` or `simulate`.
    pub kind: Spanned<String>,
    pub port: Option<String>,
    pub baud: Option<u32>,
    /// LLRP `host:port`.
    pub address: Option<String>,
    #[serde(default = "default_keepalive")]
    pub keepalive_ms: u32,
    pub station: Spanned<String>,
    #[serde(default = "default_interval")]
    pub interval_ms: u64,
    #[serde(default)]
    pub count: u64,
    pub product: Option<Spanned<String>>,
    /// `link`: the configuration sent to the board.
    pub firmware: Option<Spanned<Firmware>>,
}

/// `[reader.firmware]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Firmware {
    pub debounce_ms: u32,
    #[serde(default = "default_power")]
    pub uhf_tx_power_dbm: Spanned<f64>,
    pub ports: Vec<Spanned<FirmwarePort>>,
}

fn default_power() -> Spanned<f64> {
    Spanned::new(0..0, 20.0)
}

/// One `ports` entry of `[reader.firmware]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FirmwarePort {
    pub port: u8,
    /// `em4100`, `pn532`, `mfrc522`, `uhf-m100` or `none`.
    pub kind: Spanned<String>,
}

fn default_keepalive() -> u32 {
    5000
}

fn default_interval() -> u64 {
    100
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Station {
    pub name: Spanned<String>,
    /// `observe`, `commission`, `pack`, `unpack` or `transform`.
    #[serde(default = "default_profile")]
    pub profile: Spanned<String>,
    pub read_point: Spanned<String>,
    pub biz_location: Option<Spanned<String>>,
    pub biz_step: Spanned<String>,
    pub disposition: Option<Spanned<String>>,
    pub biz_transaction: Option<Spanned<String>>,
    pub biz_transaction_type: Option<Spanned<String>>,
    pub owning_party: Option<Spanned<String>>,
    #[serde(default = "default_window")]
    pub window_ms: u64,
    pub lot: Option<Spanned<String>>,
    pub production_date: Option<Spanned<String>>,
    pub expiry_date: Option<Spanned<String>>,
    pub country_of_origin: Option<Spanned<String>>,
    /// `transform`: company prefix and item reference of the output product.
    pub output_product: Option<Spanned<String>>,
    pub direction: Option<Spanned<Direction>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Direction {
    pub outside_antenna: u16,
    pub inside_antenna: u16,
    pub inbound_biz_step: Spanned<String>,
    pub inbound_disposition: Option<Spanned<String>>,
    pub outbound_biz_step: Spanned<String>,
    pub outbound_disposition: Option<Spanned<String>>,
}

fn default_profile() -> Spanned<String> {
    Spanned::new(0..0, "observe".to_owned())
}

fn default_window() -> u64 {
    2000
}
