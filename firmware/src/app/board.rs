//! What the application knows about its board, and how it judges a configuration
//! against it.

use heapless::{String, Vec};
use trace_proto::link::{
    ConfigRejection, Configure, MAX_BOARD_NAME_LEN, MAX_FIRMWARE_VERSION_LEN, MAX_READERS,
    ReaderKind,
};

/// The bus a board port offers a reader module.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Bus {
    /// A UART: EM4100, PN532 (HSU) or M100-family modules.
    Uart,
    /// An SPI chip select: MFRC522 modules.
    Spi,
}

impl Bus {
    /// Whether a module of `kind` can be driven on this bus.
    pub fn drives(self, kind: ReaderKind) -> bool {
        match self {
            Self::Uart => matches!(
                kind,
                ReaderKind::Em4100 | ReaderKind::Pn532 | ReaderKind::UhfM100
            ),
            Self::Spi => kind == ReaderKind::Mfrc522,
        }
    }
}

/// One port of the board.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Port {
    /// Port number, as used in link messages.
    pub port: u8,
    /// What the port is wired to.
    pub bus: Bus,
}

/// The board the firmware runs on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Board {
    /// Board name sent in `Hello`, e.g. `rp2040-pico`.
    pub name: String<MAX_BOARD_NAME_LEN>,
    /// Firmware version sent in `Hello`.
    pub firmware_version: String<MAX_FIRMWARE_VERSION_LEN>,
    /// Ports that can take a reader.
    pub ports: Vec<Port, MAX_READERS>,
}

/// Limits and periods of the application that the gateway does not configure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// Period of `Heartbeat` messages.
    pub heartbeat_ms: u32,
    /// Longest a de-bounce record stays open while its tag keeps being read.
    pub max_hold_ms: u32,
    /// Longest de-bounce window accepted.
    pub max_debounce_ms: u32,
    /// Lowest UHF TX power accepted, centi-dBm.
    pub min_tx_power_cdbm: i16,
    /// Highest UHF TX power accepted, centi-dBm.
    pub max_tx_power_cdbm: i16,
    /// Checksum or CRC faults on one port within one heartbeat period that make a
    /// `ReaderFault` (fewer are only counted).
    pub error_burst: u16,
}

impl Default for Settings {
    /// Five-second heartbeats, one-minute holds, windows up to one minute, and the
    /// 18–26 dBm the M100 family's datasheets specify.
    fn default() -> Self {
        Self {
            heartbeat_ms: 5_000,
            max_hold_ms: 60_000,
            max_debounce_ms: 60_000,
            min_tx_power_cdbm: 1_800,
            max_tx_power_cdbm: 2_600,
            error_burst: 5,
        }
    }
}

/// Checks `config` against the board and the settings; the first problem found is
/// returned.
pub fn validate(
    board: &Board,
    settings: &Settings,
    config: &Configure,
) -> Result<(), ConfigRejection> {
    for (i, assignment) in config.ports.iter().enumerate() {
        let port = assignment.port;
        let bus = board
            .ports
            .iter()
            .find(|p| p.port == port)
            .map(|p| p.bus)
            .ok_or(ConfigRejection::UnknownPort { port })?;
        if config
            .ports
            .iter()
            .take(i)
            .any(|earlier| earlier.port == port)
        {
            return Err(ConfigRejection::DuplicatePort { port });
        }
        if let Some(kind) = assignment.kind.filter(|&kind| !bus.drives(kind)) {
            return Err(ConfigRejection::UnsupportedReader { port, kind });
        }
    }
    let (min, max) = (settings.min_tx_power_cdbm, settings.max_tx_power_cdbm);
    let requested = config.uhf_tx_power_cdbm;
    if !(min..=max).contains(&requested) {
        return Err(ConfigRejection::TxPowerOutOfRange {
            requested,
            min,
            max,
        });
    }
    if config.debounce_ms > settings.max_debounce_ms {
        return Err(ConfigRejection::DebounceTooLong {
            requested: config.debounce_ms,
            max: settings.max_debounce_ms,
        });
    }
    Ok(())
}
