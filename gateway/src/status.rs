//! The gateway's health as every part of it reports it: reader counters and states,
//! alarms (outbox full, recalled unit scanned), the broker connection and the last ack.
//!
//! Two views are made from it: the retained MQTT [`Status`] (the proto shape, where the
//! alarms appear as entries of kind `alarm` in the reader list, the only open-ended list
//! it has) and [`LocalStatus`], the JSON file `trace-gateway status` reads while the
//! outbox is locked by the running gateway. Neither ever holds key material.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use serde::{Deserialize, Serialize};
use trace_proto::event::EventTime;
use trace_proto::link::ReaderState;
use trace_proto::mqtt::{Presence, ReaderHealth, Status};
use trace_proto::signed::GatewayId;

use crate::outbox::Outbox;

/// Kind of the pseudo-reader entries that carry alarms in the MQTT status.
pub const ALARM_KIND: &str = "alarm";
/// Name of the outbox-full alarm entry.
pub const OUTBOX_FULL_ALARM: &str = "alarm:outbox-full";
/// Name of the recalled-unit alarm entry.
pub const RECALL_ALARM: &str = "alarm:recalled-unit";

#[derive(Debug, Default)]
struct Board {
    readers: Vec<ReaderHealth>,
    outbox_full: bool,
    refused_reads: u64,
    recalled_units: u64,
    last_recalled: Option<(String, EventTime)>,
    connected: bool,
    last_ack_at: Option<EventTime>,
    recall_identifiers: usize,
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
}

impl StatusBoard {
    /// A board for readers named and typed as given, all `Absent` until they report.
    pub fn new<'a>(readers: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let readers = readers
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
        Self {
            board: Mutex::new(Board {
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
        if let Some(r) = self.board().readers.get_mut(index) {
            r.reads += 1;
            r.last_read = Some(at);
            r.state = ReaderState::Ready;
        }
    }

    /// Reader `index` had a fault.
    pub fn reader_error(&self, index: usize) {
        if let Some(r) = self.board().readers.get_mut(index) {
            r.errors += 1;
        }
    }

    /// Reader `index` is now in `state`.
    pub fn reader_state(&self, index: usize, state: ReaderState) {
        if let Some(r) = self.board().readers.get_mut(index) {
            r.state = state;
        }
    }

    /// The outbox filled up (`true`) or has room again (`false`).
    pub fn set_outbox_full(&self, full: bool) {
        self.board().outbox_full = full;
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
        self.board().outbox_full
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
        let mut readers = board.readers.clone();
        if board.outbox_full {
            readers.push(alarm(OUTBOX_FULL_ALARM, board.refused_reads, None));
        }
        if let Some((_, at)) = &board.last_recalled {
            readers.push(alarm(RECALL_ALARM, board.recalled_units, Some(*at)));
        }
        let acked = outbox.acked();
        let depth = outbox.usage().events;
        Status {
            gateway_id: gateway_id.clone(),
            presence,
            time: now,
            software_version: env!("CARGO_PKG_VERSION").to_owned(),
            queue_depth: depth,
            oldest_unacked_seq: (depth > 0).then(|| acked + 1),
            readers,
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
            outbox_full: board.outbox_full,
            refused_reads: board.refused_reads,
            recalled_units: board.recalled_units,
            last_recalled: board.last_recalled.as_ref().map(|(t, _)| t.clone()),
            recall_identifiers: board.recall_identifiers,
            readers: board
                .readers
                .iter()
                .map(|r| LocalReader {
                    name: r.name.clone(),
                    kind: r.kind.clone(),
                    state: format!("{:?}", r.state),
                    reads: r.reads,
                    errors: r.errors,
                })
                .collect(),
        }
    }
}

fn alarm(name: &str, count: u64, at: Option<EventTime>) -> ReaderHealth {
    ReaderHealth {
        name: name.to_owned(),
        kind: ALARM_KIND.to_owned(),
        state: ReaderState::Faulted,
        reads: count,
        errors: 0,
        last_read: at,
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

fn sibling(outbox: &Path, suffix: &str) -> std::path::PathBuf {
    let mut name = outbox.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    outbox.with_file_name(name)
}
