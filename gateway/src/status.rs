//! The gateway's health as every part of it reports it: reader counters and states,
//! the configuration each firmware board acknowledged, the lot each production station
//! writes, the broker connection, the last ack, and the [`alarms`] raised from them.
//!
//! Two views are made from it: the retained MQTT [`Status`] (the proto shape, alarms
//! included) and [`LocalStatus`], the JSON file `trace-gateway status` reads while the
//! outbox is locked by the running gateway. Neither ever holds key material.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use serde::{Deserialize, Serialize};
use trace_proto::event::EventTime;
use trace_proto::link::ReaderState;
use trace_proto::mqtt::{Alarm, Presence, ReaderHealth, Status};
use trace_proto::signed::GatewayId;

use crate::config::LotData;
use crate::outbox::Outbox;

pub mod alarms;

pub use alarms::ClockWatch;

/// Where the configuration sent to a firmware board stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BoardConfig {
    /// Sent; no answer yet.
    Sent,
    /// The board applied it.
    Accepted,
    /// The board refused it, for this reason; it keeps its previous configuration.
    Rejected(String),
}

impl std::fmt::Display for BoardConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Sent => f.write_str("sent, awaiting ConfigAck"),
            Self::Accepted => f.write_str("accepted"),
            Self::Rejected(why) => write!(f, "REJECTED: {why}"),
        }
    }
}

#[derive(Debug, Default)]
struct Board {
    readers: Vec<ReaderHealth>,
    /// When each reader entered its current state.
    reader_since: Vec<EventTime>,
    /// The configuration sent to each firmware board, if any, and since when.
    board_config: Vec<Option<(BoardConfig, EventTime)>>,
    outbox_full_since: Option<EventTime>,
    refused_reads: u64,
    recalled_units: u64,
    last_recalled: Option<(String, EventTime)>,
    clock: Option<(String, EventTime)>,
    connected: bool,
    last_ack_at: Option<EventTime>,
    recall_identifiers: usize,
    lots: Vec<(String, LotData)>,
}

/// Shared, thread-safe health board.
#[derive(Debug, Default)]
pub struct StatusBoard {
    board: Mutex<Board>,
}

/// The JSON status file: what `trace-gateway status` prints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalStatus {
    /// The gateway.
    pub gateway_id: String,
    /// When this was written (Unix ms).
    pub written_unix_ms: i64,
    /// Connected to the broker.
    pub connected: bool,
    /// Events waiting for the server's ack.
    pub queue_depth: u64,
    /// Bytes of those events, and the budget.
    pub outbox_bytes: u64,
    /// The outbox budget in bytes.
    pub outbox_budget: u64,
    /// Highest seq the server acknowledged.
    pub last_ack_seq: u64,
    /// When the last ack arrived (Unix ms).
    pub last_ack_unix_ms: Option<i64>,
    /// Chain head seq (0: no events yet).
    pub chain_head_seq: u64,
    /// Chain head hash, hex.
    pub chain_head_hash: Option<String>,
    /// Outbox full: reads are being refused.
    pub outbox_full: bool,
    /// Reads refused because the outbox was full.
    pub refused_reads: u64,
    /// Recalled units scanned since start.
    pub recalled_units: u64,
    /// The last recalled unit scanned.
    pub last_recalled: Option<String>,
    /// Identifiers on the active recall list.
    pub recall_identifiers: usize,
    /// Per reader: name, kind, state, reads, errors.
    pub readers: Vec<LocalReader>,
    /// The lot each commissioning or transformation station writes now.
    pub lots: Vec<LocalLot>,
    /// Raised alarms, as in the MQTT status.
    pub alarms: Vec<Alarm>,
}

/// The current lot of one production station in [`LocalStatus`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalLot {
    /// Station name.
    pub station: String,
    /// Lot number.
    pub lot: Option<String>,
    /// Production date, `YYYY-MM-DD`.
    pub production_date: Option<String>,
    /// Expiry date, `YYYY-MM-DD`.
    pub expiry_date: Option<String>,
    /// Country of origin.
    pub country_of_origin: Option<String>,
}

/// One reader in [`LocalStatus`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalReader {
    /// Name from the configuration.
    pub name: String,
    /// Reader kind.
    pub kind: String,
    /// `Ready`, `Initialising`, `Faulted` or `Absent`.
    pub state: String,
    /// Tag reads since start.
    pub reads: u64,
    /// Faults since start.
    pub errors: u64,
    /// Where the configuration sent to a firmware board stands (`None`: nothing sent).
    pub config: Option<String>,
}

impl StatusBoard {
    /// A board for readers named and typed as given, all `Absent` until they report.
    pub fn new<'a>(readers: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let readers: Vec<ReaderHealth> = readers
            .into_iter()
            .map(|(name, kind)| ReaderHealth {
                name: name.to_owned(),
                kind: kind.to_owned(),
                state: ReaderState::Absent,
                reads: 0,
                errors: 0,
                last_read: None,
            })
            .collect();
        let now = EventTime::now();
        Self {
            board: Mutex::new(Board {
                reader_since: vec![now; readers.len()],
                board_config: vec![None; readers.len()],
                readers,
                ..Board::default()
            }),
        }
    }

    fn board(&self) -> MutexGuard<'_, Board> {
        self.board
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Reader `index` read a tag at `at`.
    pub fn reader_read(&self, index: usize, at: EventTime) {
        let mut board = self.board();
        if let Some(r) = board.readers.get_mut(index) {
            r.reads += 1;
            r.last_read = Some(at);
        }
        board.set_state(index, ReaderState::Ready, at);
    }

    /// Reader `index` had a fault.
    pub fn reader_error(&self, index: usize) {
        if let Some(r) = self.board().readers.get_mut(index) {
            r.errors += 1;
        }
    }

    /// Reader `index` is now in `state`.
    pub fn reader_state(&self, index: usize, state: ReaderState) {
        self.board().set_state(index, state, EventTime::now());
    }

    /// The configuration sent to the firmware board of reader `index` is now `config`.
    pub fn board_config(&self, index: usize, config: BoardConfig) {
        if let Some(slot) = self.board().board_config.get_mut(index) {
            *slot = Some((config, EventTime::now()));
        }
    }

    /// The outbox filled up (`true`) or has room again (`false`).
    pub fn set_outbox_full(&self, full: bool) {
        let mut board = self.board();
        match (full, board.outbox_full_since) {
            (true, None) => board.outbox_full_since = Some(EventTime::now()),
            (false, Some(_)) => board.outbox_full_since = None,
            _ => {}
        }
    }

    /// The wall clock misbehaved (`Some(what)`, at `at`) or has been sane for a while.
    pub fn set_clock_anomaly(&self, anomaly: Option<(String, EventTime)>) {
        self.board().clock = anomaly;
    }

    /// Station `station` now writes `lot`.
    pub fn set_lot(&self, station: &str, lot: &LotData) {
        let mut board = self.board();
        match board.lots.iter_mut().find(|(name, _)| name == station) {
            Some((_, current)) => *current = lot.clone(),
            None => board.lots.push((station.to_owned(), lot.clone())),
        }
    }

    /// A read was refused because the outbox is full.
    pub fn refused_read(&self) {
        self.board().refused_reads += 1;
    }

    /// A recalled unit was scanned.
    pub fn recalled(&self, tag: &str, at: EventTime) {
        let mut board = self.board();
        board.recalled_units += 1;
        board.last_recalled = Some((tag.to_owned(), at));
    }

    /// The broker connection came up or went down.
    pub fn set_connected(&self, connected: bool) {
        self.board().connected = connected;
    }

    /// The recall list now names `count` identifiers.
    pub fn set_recall_identifiers(&self, count: usize) {
        self.board().recall_identifiers = count;
    }

    /// Whether the broker connection is up.
    pub fn connected(&self) -> bool {
        self.board().connected
    }

    /// An ack arrived.
    pub fn acked(&self, at: EventTime) {
        self.board().last_ack_at = Some(at);
    }

    /// Whether the outbox-full alarm is raised.
    pub fn outbox_full(&self) -> bool {
        self.board().outbox_full_since.is_some()
    }

    /// The alarms raised at `now`.
    pub fn alarms(&self, now: EventTime) -> Vec<Alarm> {
        alarms::raised(&self.board(), now)
    }

    /// The retained MQTT status.
    pub fn mqtt_status(
        &self,
        gateway_id: &GatewayId,
        presence: Presence,
        outbox: &dyn Outbox,
        now: EventTime,
    ) -> Status {
        let board = self.board();
        let acked = outbox.acked();
        let depth = outbox.usage().events;
        Status {
            gateway_id: gateway_id.clone(),
            presence,
            time: now,
            software_version: env!("CARGO_PKG_VERSION").to_owned(),
            queue_depth: depth,
            oldest_unacked_seq: (depth > 0).then(|| acked + 1),
            readers: board.readers.clone(),
            alarms: alarms::raised(&board, now),
        }
    }

    /// The local JSON status.
    pub fn local_status(
        &self,
        gateway_id: &GatewayId,
        outbox: &dyn Outbox,
        now: EventTime,
    ) -> LocalStatus {
        let board = self.board();
        let usage = outbox.usage();
        let head = outbox.head();
        LocalStatus {
            gateway_id: gateway_id.to_string(),
            written_unix_ms: now.unix_millis(),
            connected: board.connected,
            queue_depth: usage.events,
            outbox_bytes: usage.bytes,
            outbox_budget: usage.budget,
            last_ack_seq: outbox.acked(),
            last_ack_unix_ms: board.last_ack_at.map(EventTime::unix_millis),
            chain_head_seq: head.map_or(0, |h| h.seq),
            chain_head_hash: head.map(|h| h.hash.to_string()),
            outbox_full: board.outbox_full_since.is_some(),
            refused_reads: board.refused_reads,
            recalled_units: board.recalled_units,
            last_recalled: board.last_recalled.as_ref().map(|(t, _)| t.clone()),
            recall_identifiers: board.recall_identifiers,
            readers: board
                .readers
                .iter()
                .zip(&board.board_config)
                .map(|(r, config)| LocalReader {
                    name: r.name.clone(),
                    kind: r.kind.clone(),
                    state: format!("{:?}", r.state),
                    reads: r.reads,
                    errors: r.errors,
                    config: config.as_ref().map(|(c, _)| c.to_string()),
                })
                .collect(),
            lots: board
                .lots
                .iter()
                .map(|(station, lot)| LocalLot {
                    station: station.clone(),
                    lot: lot.lot.clone(),
                    production_date: lot.production_date.map(|d| d.to_string()),
                    expiry_date: lot.expiry_date.map(|d| d.to_string()),
                    country_of_origin: lot.country_of_origin.clone(),
                })
                .collect(),
            alarms: alarms::raised(&board, now),
        }
    }
}

impl Board {
    fn set_state(&mut self, index: usize, state: ReaderState, at: EventTime) {
        let (Some(r), Some(since)) = (
            self.readers.get_mut(index),
            self.reader_since.get_mut(index),
        ) else {
            return;
        };
        if r.state != state {
            r.state = state;
            *since = at;
        }
    }
}

/// Writes `status` as JSON to `path` atomically (a temporary file, then a rename), so a
/// reader never sees half a file.
pub fn write_status_file(path: &Path, status: &LocalStatus) -> std::io::Result<()> {
    let json = serde_json::to_vec_pretty(status).map_err(std::io::Error::other)?;
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, json)?;
    std::fs::rename(tmp, path)
}

/// The status file of an outbox directory: `<outbox>.status.json` beside it.
pub fn status_file_path(outbox: &Path) -> std::path::PathBuf {
    sibling(outbox, ".status.json")
}

/// The kept recall list of an outbox directory: `<outbox>.recalls` beside it.
pub fn recall_file_path(outbox: &Path) -> std::path::PathBuf {
    sibling(outbox, ".recalls")
}

pub(crate) fn sibling(outbox: &Path, suffix: &str) -> std::path::PathBuf {
    let mut name = outbox.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    outbox.with_file_name(name)
}
