//! The messages of the firmware ↔ gateway link. Field order is wire order: postcard
//! encodes fields one after another with no names, so reordering a field is a format
//! change (see the versioning rules in the [`link`](super) module doc).

use heapless::{String, Vec};
use serde::{Deserialize, Serialize};

use super::tag::TagId;

/// Most reader ports one board reports or one configuration assigns.
pub const MAX_READERS: usize = 8;
/// Longest board name in [`Hello`], in bytes.
pub const MAX_BOARD_NAME_LEN: usize = 32;
/// Longest firmware version string in [`Hello`], in bytes.
pub const MAX_FIRMWARE_VERSION_LEN: usize = 32;

/// Every message the firmware sends to the gateway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ToGateway {
    /// Sent at boot: who the firmware is and which readers it drives.
    Hello(Hello),
    /// A de-bounced tag sighting.
    TagRead(TagRead),
    /// Periodic liveness and counters.
    Heartbeat(Heartbeat),
    /// A reader module misbehaved.
    ReaderFault(ReaderFault),
    /// Answer to a [`Configure`].
    ConfigAck(ConfigAck),
}

/// Every message the gateway sends to the firmware.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ToFirmware {
    /// Replace the running configuration.
    Configure(Configure),
}

/// The reader module families the firmware drives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ReaderKind {
    /// EM4100 125 kHz UART module (RDM6300 class).
    Em4100,
    /// NXP PN532 ISO 14443A reader over HSU.
    Pn532,
    /// NXP MFRC522 ISO 14443A reader over SPI.
    Mfrc522,
    /// EPC Gen2 UHF module of the M100 family (YRM100, JRD-4035, R200 class).
    UhfM100,
}

/// What the firmware knows about a reader's condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ReaderState {
    /// Initialised and inventorying.
    Ready,
    /// Being initialised or re-initialised after a fault.
    Initialising,
    /// Stopped answering or reporting errors; the firmware keeps retrying.
    Faulted,
    /// Configured on this port but never answered.
    Absent,
}

/// One reader attached to the board.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ReaderInfo {
    /// Board port (UART or SPI chip select) the reader is on.
    pub port: u8,
    /// Module family.
    pub kind: ReaderKind,
    /// Current condition.
    pub state: ReaderState,
}

/// Announces the firmware and its readers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hello {
    /// [`PROTOCOL_VERSION`](super::PROTOCOL_VERSION) the firmware was built with.
    pub protocol_version: u16,
    /// Firmware version, e.g. `0.3.1+g1a2b3c`.
    pub firmware_version: String<MAX_FIRMWARE_VERSION_LEN>,
    /// Board name, e.g. `rp2040-pico`.
    pub board: String<MAX_BOARD_NAME_LEN>,
    /// Readers configured on the board.
    pub readers: Vec<ReaderInfo, MAX_READERS>,
}

/// A tag seen by one reader, after de-bouncing: one message per tag presence, not
/// per RF read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagRead {
    /// Board port of the reader.
    pub port: u8,
    /// Antenna on that reader (0 for single-antenna modules).
    pub antenna: u8,
    /// The tag.
    pub tag: TagId,
    /// Received signal strength in hundredths of a dBm, if the module reports it.
    /// Centi-dBm keeps one unit for RSSI and TX power and room for finer readers.
    pub rssi_cdbm: Option<i16>,
    /// Raw reads merged into this sighting by the de-bounce window.
    pub count: u32,
    /// First raw read, milliseconds since the firmware booted.
    pub first_seen_ms: u64,
    /// Last raw read, milliseconds since the firmware booted.
    pub last_seen_ms: u64,
}

/// Error count of one reader since boot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ReaderErrors {
    /// Board port of the reader.
    pub port: u8,
    /// Faults reported on that port since boot (wrapping).
    pub errors: u32,
}

/// Periodic liveness report. Counters count since boot and wrap at `u32::MAX`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Heartbeat {
    /// Milliseconds since the firmware booted.
    pub uptime_ms: u64,
    /// Frames sent, this one excluded; with the frame `seq` the gateway tells lost
    /// frames from a reboot.
    pub frames_sent: u32,
    /// [`TagRead`] messages produced.
    pub reads: u32,
    /// Per-reader error counts.
    pub reader_errors: Vec<ReaderErrors, MAX_READERS>,
}

/// How a reader misbehaved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FaultKind {
    /// A command got no complete answer within its deadline.
    Timeout,
    /// A frame from the module failed its checksum (EM4100 XOR, PN532 LCS/DCS, M100 CK).
    Checksum,
    /// A CRC from or about the tag failed (CRC_A, Gen2 CRC-16).
    Crc,
    /// The module did not answer at all (nothing on the line).
    NoResponse,
    /// The firmware reset the module to recover.
    Reset,
    /// The module answered with an error code (e.g. M100 0x17 bad command).
    ModuleError {
        /// The module's own error code.
        code: u8,
    },
}

/// A reader fault, sent when it happens (the counts go in [`Heartbeat`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ReaderFault {
    /// Board port of the reader.
    pub port: u8,
    /// What went wrong.
    pub fault: FaultKind,
}

/// Which reader (if any) the firmware should drive on a port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PortAssignment {
    /// Board port.
    pub port: u8,
    /// Reader family on it; `None` switches the port off.
    pub kind: Option<ReaderKind>,
}

/// A complete configuration; it replaces the running one when accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Configure {
    /// Reads of the same tag closer than this are merged into one [`TagRead`].
    pub debounce_ms: u32,
    /// UHF transmit power in hundredths of a dBm (2000 = 20 dBm).
    pub uhf_tx_power_cdbm: i16,
    /// Reader on each port; ports not listed keep no reader.
    pub ports: Vec<PortAssignment, MAX_READERS>,
}

/// The firmware's answer to a [`Configure`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ConfigAck {
    /// Frame sequence number of the [`Configure`] frame answered.
    pub configure_seq: u32,
    /// Whether it was applied.
    pub result: ConfigResult,
}

/// Ack or nack of a configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ConfigResult {
    /// Applied in full.
    Accepted,
    /// Not applied at all; the previous configuration keeps running.
    Rejected(ConfigRejection),
}

/// Why a configuration was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, thiserror::Error)]
pub enum ConfigRejection {
    /// The board has no such port.
    #[error("port {port} does not exist on this board")]
    UnknownPort {
        /// The port asked for.
        port: u8,
    },
    /// The port cannot drive that reader family (wrong bus, or driver not built in).
    #[error("port {port} cannot drive a {kind:?} reader")]
    UnsupportedReader {
        /// The port asked for.
        port: u8,
        /// The reader family asked for.
        kind: ReaderKind,
    },
    /// The UHF module cannot transmit at that power.
    #[error("UHF TX power {requested} cdBm is outside {min}..={max} cdBm")]
    TxPowerOutOfRange {
        /// Power asked for, centi-dBm.
        requested: i16,
        /// Lowest supported, centi-dBm.
        min: i16,
        /// Highest supported, centi-dBm.
        max: i16,
    },
    /// The de-bounce window is longer than the firmware can track.
    #[error("de-bounce window {requested} ms exceeds the maximum of {max} ms")]
    DebounceTooLong {
        /// Window asked for, ms.
        requested: u32,
        /// Longest supported, ms.
        max: u32,
    },
    /// The same port is assigned twice.
    #[error("port {port} is assigned more than once")]
    DuplicatePort {
        /// The port listed twice.
        port: u8,
    },
}
