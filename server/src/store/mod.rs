//! The event store: one [`Store`] trait, the records it keeps, and its implementations
//! (redb — [`redb_store::RedbStore`], the embedded default — and PostgreSQL —
//! [`pg_store::PgStore`], for several server instances sharing one database).
//!
//! The store is the system of record. It keeps each gateway event's signed bytes
//! verbatim (so anyone can re-verify a step without trusting the server), the decoded
//! event, and the indexes trace and recall walk: identifier → events by time (with the
//! role the identifier plays in the event), lot class → instances, location → events,
//! gateway → chain head. The ingest pipeline decides *what* to write; the store only
//! makes a batch durable atomically, so a chain head never runs ahead of its events.
//!
//! A lot class is *named* by the events that list it in a quantity list and by the events
//! that commissioned its instances (ObjectEvent ADD or TransformationEvent outputs whose
//! ILMD carries the lot): [`Store::events_naming`] on a class gives its lot-level history
//! without reading every instance, and [`Store::events_naming_in`] its lot-level events
//! alone. For recalls of whole lots, [`Store::class_standings`] returns one [`Standing`]
//! per instance — its latest event and its links to containers and transformations — so
//! a backend can answer from one small record per unit; [`Store::event_summaries`] gives
//! the steps of a trace without decoding the thousands of EPCs an event may list.
//!
//! Those four have default implementations over the others, so a backend is correct
//! with the base methods alone and fast once it overrides them.

mod gateways;
pub(crate) mod number_map;
pub mod pg_store;
pub mod redb_store;
pub(crate) mod rows;
pub(crate) mod views;

pub use gateways::{GatewayKey, GatewayRecord};
pub use views::{EventSummary, Link, Place, Standing};

use std::fmt;

use serde::{Deserialize, Serialize};
use trace_proto::event::{Event, EventTime};
use trace_proto::signed::{ChainHead, GatewayId};

/// Where an event's record is kept: for a gateway event the SHA-256 of its signing bytes
/// (the hash its gateway's next event names as `prev`), for an event captured over HTTP
/// its CBV 2.0 event hash. Serialized as 64 hex
/// digits in human-readable formats (JSON) and as 32 raw bytes in binary ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EventKey(pub [u8; 32]);

impl Serialize for EventKey {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            serializer.serialize_str(&self.to_hex())
        } else {
            self.0.serialize(serializer)
        }
    }
}

impl<'de> Deserialize<'de> for EventKey {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if deserializer.is_human_readable() {
            let text = String::deserialize(deserializer)?;
            Self::from_hex(&text)
                .ok_or_else(|| serde::de::Error::custom("an event key is 64 hex digits"))
        } else {
            <[u8; 32]>::deserialize(deserializer).map(Self)
        }
    }
}

impl EventKey {
    /// Lower-case hex, the form used in URLs and JSON.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Parses 64 hex digits; `None` for anything else.
    pub fn from_hex(text: &str) -> Option<Self> {
        let mut key = [0u8; 32];
        hex::decode_to_slice(text, &mut key).ok()?;
        Some(Self(key))
    }
}

impl fmt::Display for EventKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

/// How an event reached the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Origin {
    /// Signed by an enrolled gateway: `signed` is the `SignedEvent::to_bytes` form,
    /// verbatim (signing bytes followed by the signature).
    Gateway {
        /// The signing gateway.
        gateway_id: GatewayId,
        /// Its position in the gateway's chain.
        seq: u64,
        /// The signed bytes exactly as received.
        signed: Vec<u8>,
    },
    /// Captured over HTTP (EPCIS capture): not gateway-signed.
    Captured {
        /// Who captured it (the token's name).
        captured_by: String,
    },
}

/// One event as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredEvent {
    /// The record key.
    pub key: EventKey,
    /// When the server stored it (EPCIS `recordTime`).
    pub recorded: EventTime,
    /// The decoded event.
    pub event: Event,
    /// Gateway-signed or captured.
    pub origin: Origin,
}

/// The part an identifier plays in an event; indexes carry it so a trace knows whether a
/// unit was observed, packed, or consumed without decoding the event first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Role {
    /// In an ObjectEvent's or TransactionEvent's `epcList`.
    Epc,
    /// The `parentID` of an Aggregation, Transaction or Association event.
    Parent,
    /// In `childEPCs`.
    Child,
    /// In a TransformationEvent's `inputEPCList`.
    Input,
    /// In a TransformationEvent's `outputEPCList`.
    Output,
    /// The `epcClass` of a `quantityList` / `childQuantityList` entry.
    Quantity,
    /// The `epcClass` of an `inputQuantityList` entry.
    InputQuantity,
    /// The `epcClass` of an `outputQuantityList` entry.
    OutputQuantity,
    /// The `readPoint` (rows of [`Store::events_at`] only).
    ReadPoint,
    /// The `bizLocation` (rows of [`Store::events_at`] only).
    BizLocation,
}

/// One index row: an event that names an identifier. Rows order by event time, then key,
/// then role: the order of [`Store::events_naming`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct IndexEntry {
    /// The event's `eventTime`.
    pub event_time: EventTime,
    /// The event.
    pub key: EventKey,
    /// What the identifier is in that event.
    pub role: Role,
}

/// A position in record order: events sort by the time the store recorded them, then key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RecordCursor {
    /// The event's record time.
    pub recorded: EventTime,
    /// The event's key.
    pub key: EventKey,
}

/// Why an event was quarantined rather than stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuarantineEntry {
    /// Assigned by the store, increasing.
    pub id: u64,
    /// The gateway the event claims (or the topic's gateway when the bytes do not decode).
    pub gateway_id: String,
    /// The claimed seq, when the bytes decode.
    pub seq: Option<u64>,
    /// When the server received it.
    pub received: EventTime,
    /// The reason, in words (bad signature, fork at seq N, unknown gateway …).
    pub reason: String,
    /// The bytes as received.
    pub bytes: Vec<u8>,
}

/// A quarantine entry to write; the store assigns its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewQuarantine {
    /// See [`QuarantineEntry::gateway_id`].
    pub gateway_id: String,
    /// See [`QuarantineEntry::seq`].
    pub seq: Option<u64>,
    /// See [`QuarantineEntry::received`].
    pub received: EventTime,
    /// See [`QuarantineEntry::reason`].
    pub reason: String,
    /// See [`QuarantineEntry::bytes`].
    pub bytes: Vec<u8>,
}

/// Everything one ingest step writes, made durable in one transaction.
#[derive(Debug, Clone, Default)]
pub struct CommitBatch {
    /// Events to store; ones already present (same key) are skipped.
    pub events: Vec<StoredEvent>,
    /// New chain heads, one per gateway at most.
    pub heads: Vec<(GatewayId, ChainHead)>,
    /// Refused events, kept with their reason.
    pub quarantine: Vec<NewQuarantine>,
}

/// What a commit did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CommitReport {
    /// Events newly stored.
    pub stored: usize,
    /// Events skipped because their key was already stored.
    pub duplicates: usize,
}

/// A recall as the server keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecallRecord {
    /// Its id (`R-…`).
    pub id: String,
    /// When it was issued.
    pub issued: EventTime,
    /// The codes the supervisor named, canonical URIs.
    pub codes: Vec<String>,
    /// Why.
    pub reason: String,
    /// What holders and consumers should do.
    pub instructions: String,
    /// Who issued it (the token's name).
    pub issued_by: String,
    /// Every identifier the forward trace reached (units, containers, lots).
    pub affected: Vec<String>,
}

/// Sizes, for `/metrics` and `/healthz`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StoreStats {
    /// Stored events.
    pub events: u64,
    /// Quarantined events.
    pub quarantined: u64,
    /// Enrolled gateways (revoked included).
    pub gateways: u64,
    /// Bytes on disk (0 when the backend cannot tell).
    pub bytes_on_disk: u64,
}

/// A store failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The backend failed (I/O, transaction, full disk).
    #[error("store backend: {0}")]
    Backend(String),
    /// A stored record does not decode: the file is damaged or from another version.
    #[error("stored record {what} is corrupt: {detail}")]
    Corrupt {
        /// Which record.
        what: String,
        /// What is wrong with it.
        detail: String,
    },
    /// A batch's events for a gateway do not extend the chain head the store holds: another
    /// server instance sharing the store moved the head since this one read it. Nothing of
    /// the batch was written; reload the head and admit the events again.
    #[error(
        "chain head of gateway {gateway} moved: the batch extends seq {expected}, the store holds seq {stored}"
    )]
    HeadMoved {
        /// The gateway.
        gateway: GatewayId,
        /// The head seq the batch's first event of that gateway extends (0: none).
        expected: u64,
        /// The head seq stored (0: none).
        stored: u64,
    },
    /// The data folder was written by an incompatible version.
    #[error("store schema version {found} is not supported (this build reads {supported})")]
    Version {
        /// Found in the file.
        found: u32,
        /// What this build reads.
        supported: u32,
    },
}

/// The server's storage. Implementations are shared between the ingest task and HTTP
/// handlers, so every method takes `&self` and must be safe to call concurrently; a
/// method returns only once its effect is durable (writes) or consistent with all
/// completed writes (reads).
pub trait Store: Send + Sync + 'static {
    /// Makes the whole batch durable in one transaction, or nothing of it. Events whose
    /// key is already stored are skipped and counted as duplicates (so a redelivered batch
    /// is harmless); their index rows are written once. Heads replace the gateways'
    /// previous heads; a backend several server instances share first checks that the
    /// batch's lowest-seq event of each such gateway extends the stored head, and fails
    /// with [`StoreError::HeadMoved`] otherwise. Returns only after the commit is on disk:
    /// acks depend on it.
    fn commit(&self, batch: &CommitBatch) -> Result<CommitReport, StoreError>;

    /// The event stored under `key`.
    fn event(&self, key: &EventKey) -> Result<Option<StoredEvent>, StoreError>;

    /// Every event naming `identifier` (a canonical URI, in any role), ordered by event
    /// time, then key.
    fn events_naming(&self, identifier: &str) -> Result<Vec<IndexEntry>, StoreError>;

    /// The events naming `identifier` in one of `roles`, in the order of
    /// [`events_naming`](Self::events_naming): a lot's own events without the thousands
    /// that commissioned its instances, a container's packing without its sightings.
    fn events_naming_in(
        &self,
        identifier: &str,
        roles: &[Role],
    ) -> Result<Vec<IndexEntry>, StoreError> {
        let mut rows = self.events_naming(identifier)?;
        rows.retain(|row| roles.contains(&row.role));
        Ok(rows)
    }

    /// Events in record order (record time, then key) strictly after `after` (from the
    /// first when `None`), at most `limit`: what queries without an identifier scan.
    fn events_recorded(
        &self,
        after: Option<&RecordCursor>,
        limit: usize,
    ) -> Result<Vec<StoredEvent>, StoreError>;

    /// The latest event naming `identifier`, by event time (the last of
    /// [`events_naming`](Self::events_naming)), without reading the others.
    fn latest_naming(&self, identifier: &str) -> Result<Option<IndexEntry>, StoreError>;

    /// Events whose read point or business location is `location`, ordered by event time,
    /// then key; the role says which of the two it is (both: two rows).
    fn events_at(&self, location: &str) -> Result<Vec<IndexEntry>, StoreError>;

    /// The instances of a lot class (`urn:epc:class:lgtin:…`): every EPC commissioned
    /// (ObjectEvent ADD, or a TransformationEvent output) with ILMD naming that lot, in
    /// the order the store first recorded them (commissioning order, unless an instance
    /// was named by an event stored before its commissioning).
    fn class_instances(&self, class: &str) -> Result<Vec<String>, StoreError>;

    /// The lot class an instance was commissioned into, if any.
    fn class_of(&self, instance: &str) -> Result<Option<String>, StoreError>;

    /// A gateway's chain head: the last event stored from it.
    fn chain_head(&self, gateway: &GatewayId) -> Result<Option<ChainHead>, StoreError>;

    /// Enrols a gateway or updates its record (revocation is an update).
    fn put_gateway(&self, record: &GatewayRecord) -> Result<(), StoreError>;

    /// One gateway.
    fn gateway(&self, id: &GatewayId) -> Result<Option<GatewayRecord>, StoreError>;

    /// All gateways, by id.
    fn gateways(&self) -> Result<Vec<GatewayRecord>, StoreError>;

    /// Quarantine entries with id greater than `after`, oldest first, at most `limit`.
    fn quarantined(&self, after: u64, limit: usize) -> Result<Vec<QuarantineEntry>, StoreError>;

    /// Stores a recall (insert or replace by id) and indexes its affected identifiers.
    fn put_recall(&self, recall: &RecallRecord) -> Result<(), StoreError>;

    /// One recall.
    fn recall(&self, id: &str) -> Result<Option<RecallRecord>, StoreError>;

    /// All recalls, oldest first.
    fn recalls(&self) -> Result<Vec<RecallRecord>, StoreError>;

    /// The ids of the recalls whose affected identifiers include `identifier`.
    fn recalls_affecting(&self, identifier: &str) -> Result<Vec<String>, StoreError>;

    /// Sizes.
    fn stats(&self) -> Result<StoreStats, StoreError>;

    /// Summaries of the events under `keys`, in order; `None` for a key not stored. The
    /// default summarises [`event`](Self::event); backends override it to read many at
    /// once without decoding EPC lists.
    fn event_summaries(&self, keys: &[EventKey]) -> Result<Vec<Option<EventSummary>>, StoreError> {
        keys.iter()
            .map(|key| Ok(self.event(key)?.map(EventSummary::of)))
            .collect()
    }

    /// The standing of each identifier, in order; `None` for an identifier the store knows
    /// nothing about (no event, class or recall names it). The default derives each one
    /// from the other methods; backends override it to read many at once.
    fn standings(&self, identifiers: &[&str]) -> Result<Vec<Option<Standing>>, StoreError> {
        identifiers
            .iter()
            .map(|identifier| views::derive(self, identifier))
            .collect()
    }

    /// The standing of every instance of a lot class, in the order of
    /// [`class_instances`](Self::class_instances): what a recall of a whole lot reads.
    fn class_standings(&self, class: &str) -> Result<Vec<Standing>, StoreError> {
        let instances = self.class_instances(class)?;
        let names: Vec<&str> = instances.iter().map(String::as_str).collect();
        Ok(self.standings(&names)?.into_iter().flatten().collect())
    }
}
