//! MQTT topics and payloads between gateways and servers (design: "Transport"; MQTT
//! 3.1.1, QoS 1).
//!
//! # Topics
//!
//! | topic | direction | payload |
//! |---|---|---|
//! | `rfid-trace/v1/gw/{gateway_id}/events` | gateway → server | [`Payload::EventBatch`] |
//! | `rfid-trace/v1/gw/{gateway_id}/ack` | server → gateway | [`Payload::Ack`] |
//! | `rfid-trace/v1/gw/{gateway_id}/status` | gateway → all, retained, last will | [`Payload::Status`] |
//! | `rfid-trace/v1/recalls` | server → gateways, retained | [`Payload::RecallList`] |
//!
//! Servers subscribe to [`EVENTS_SHARED_SUBSCRIPTION`] so several instances split the
//! gateways' events.
//!
//! # Payload layout
//!
//! ```text
//! version   1 byte   ENVELOPE_VERSION (0x02); below 0x80, so it also reads as a postcard varint
//! payload   postcard Payload: variant index (varint), then the variant's fields
//! ```
//!
//! Nothing may follow the payload. An [`EventBatch`] carries each event as its exact
//! signed bytes ([`SignedEvent::to_bytes`], a varint length then the bytes), so the
//! server stores and re-verifies what the gateway signed, and one malformed event does
//! not make the others unreadable. As on the serial link, new payload kinds are only
//! appended and a shape change takes a new envelope version.
//!
//! # Size
//!
//! rumqttc refuses packets above 10 KiB by default ([`MAX_PACKET_SIZE`]); a PUBLISH
//! spends part of that on its header and topic. [`payload_budget`] gives what is left
//! for a payload and [`split_batch`] cuts a run of events into batches that fit.

use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use crate::event::EventTime;
use crate::link::ReaderState;
use crate::signed::{GatewayId, SignedError, SignedEvent};

/// Prefix of every topic.
pub const TOPIC_PREFIX: &str = "rfid-trace/v1";
/// Retained list of active recalls.
pub const RECALLS_TOPIC: &str = "rfid-trace/v1/recalls";
/// Every gateway's events (a plain subscription, e.g. for a monitor).
pub const EVENTS_FILTER: &str = "rfid-trace/v1/gw/+/events";
/// Every gateway's status.
pub const STATUS_FILTER: &str = "rfid-trace/v1/gw/+/status";
/// Shared subscription of the server instances to every gateway's events.
pub const EVENTS_SHARED_SUBSCRIPTION: &str = "$share/trace-servers/rfid-trace/v1/gw/+/events";
/// First byte of every payload. Version 2: [`Status`] gained `alarms`.
pub const ENVELOPE_VERSION: u8 = 2;
/// rumqttc's default maximum packet size (10 KiB).
pub const MAX_PACKET_SIZE: usize = 10 * 1024;

/// What is wrong with a topic or payload.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MqttError {
    /// Not of the form `rfid-trace/v1/gw/{gateway_id}/{events|ack|status}`.
    #[error("topic {topic:?} is not rfid-trace/v1/gw/{{gateway_id}}/events|ack|status")]
    NotAGatewayTopic {
        /// The topic.
        topic: String,
    },
    /// The gateway id level of a topic is not a valid gateway id.
    #[error("gateway id in topic: {0}")]
    GatewayId(SignedError),
    /// An empty payload has no envelope version.
    #[error("empty payload: no envelope version byte")]
    Empty,
    /// A payload version this build does not read.
    #[error("unsupported envelope version {found} (this build reads version {supported})")]
    UnsupportedVersion {
        /// Version byte found.
        found: u8,
        /// [`ENVELOPE_VERSION`].
        supported: u8,
    },
    /// The payload does not decode.
    #[error("payload does not decode: {0}")]
    Malformed(postcard::Error),
    /// Bytes follow the payload.
    #[error("{count} unexpected bytes after the payload")]
    TrailingBytes {
        /// Bytes left over.
        count: usize,
    },
    /// The payload cannot be encoded.
    #[error("payload does not encode: {0}")]
    Encode(postcard::Error),
    /// One event alone is larger than the byte budget of a batch.
    #[error("event {index} needs {size} bytes in a batch, more than the budget of {budget}")]
    EventTooLarge {
        /// Index of the event in the input.
        index: usize,
        /// Bytes the event needs in a one-event batch.
        size: usize,
        /// The budget.
        budget: usize,
    },
}

/// The per-gateway topics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GatewayTopic {
    /// `…/events`: signed event batches.
    Events,
    /// `…/ack`: the server's acknowledgements.
    Ack,
    /// `…/status`: retained health report and last will.
    Status,
}

impl GatewayTopic {
    fn level(self) -> &'static str {
        match self {
            Self::Events => "events",
            Self::Ack => "ack",
            Self::Status => "status",
        }
    }
}

/// `rfid-trace/v1/gw/{gateway_id}/{events|ack|status}`.
pub fn gateway_topic(gateway_id: &GatewayId, topic: GatewayTopic) -> String {
    alloc::format!("{TOPIC_PREFIX}/gw/{gateway_id}/{}", topic.level())
}

/// Splits a per-gateway topic into the gateway and the topic kind.
pub fn parse_gateway_topic(topic: &str) -> Result<(GatewayId, GatewayTopic), MqttError> {
    let not_ours = || MqttError::NotAGatewayTopic {
        topic: topic.into(),
    };
    let rest = topic
        .strip_prefix(TOPIC_PREFIX)
        .and_then(|r| r.strip_prefix("/gw/"))
        .ok_or_else(not_ours)?;
    let (id, level) = rest.split_once('/').ok_or_else(not_ours)?;
    let kind = match level {
        "events" => GatewayTopic::Events,
        "ack" => GatewayTopic::Ack,
        "status" => GatewayTopic::Status,
        _ => return Err(not_ours()),
    };
    Ok((GatewayId::new(id).map_err(MqttError::GatewayId)?, kind))
}

/// Bytes left for the payload of a QoS 1 PUBLISH on `topic` within [`MAX_PACKET_SIZE`]:
/// fixed header (at most 5 bytes), topic length (2) and topic, packet id (2).
pub fn payload_budget(topic: &str) -> usize {
    MAX_PACKET_SIZE.saturating_sub(5 + 2 + topic.len() + 2)
}

/// Every payload kind, inside the versioned envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Payload {
    /// Signed events, gateway → server.
    EventBatch(EventBatch),
    /// What the server has stored, server → gateway.
    Ack(Ack),
    /// Gateway health, retained.
    Status(Status),
    /// Active recalls, retained.
    RecallList(RecallList),
}

impl Payload {
    /// The envelope bytes: version, then the postcard payload.
    pub fn encode(&self) -> Result<Vec<u8>, MqttError> {
        postcard::to_extend(self, alloc::vec![ENVELOPE_VERSION]).map_err(MqttError::Encode)
    }

    /// Decodes envelope bytes; unknown versions and trailing bytes are errors.
    pub fn decode(bytes: &[u8]) -> Result<Self, MqttError> {
        let (&version, body) = bytes.split_first().ok_or(MqttError::Empty)?;
        if version != ENVELOPE_VERSION {
            return Err(MqttError::UnsupportedVersion {
                found: version,
                supported: ENVELOPE_VERSION,
            });
        }
        let (payload, rest) =
            postcard::take_from_bytes::<Self>(body).map_err(MqttError::Malformed)?;
        if !rest.is_empty() {
            return Err(MqttError::TrailingBytes { count: rest.len() });
        }
        Ok(payload)
    }
}

/// Signed events in their exact stored bytes, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventBatch {
    events: Vec<Vec<u8>>,
}

/// Bytes of a LEB128 varint holding `n`.
fn varint_len(n: usize) -> usize {
    (usize::BITS - (n | 1).leading_zeros()).div_ceil(7) as usize
}

/// Envelope bytes before the events: version, payload variant, event count.
fn batch_overhead(count: usize) -> usize {
    2 + varint_len(count)
}

impl EventBatch {
    /// A batch of `events`, in order.
    pub fn from_events<'a>(events: impl IntoIterator<Item = &'a SignedEvent>) -> Self {
        Self {
            events: events.into_iter().map(SignedEvent::to_bytes).collect(),
        }
    }

    /// Appends an event.
    pub fn push(&mut self, event: &SignedEvent) {
        self.events.push(event.to_bytes());
    }

    /// Number of events.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// Whether the batch has no events.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// The events' carried bytes.
    pub fn raw(&self) -> &[Vec<u8>] {
        &self.events
    }

    /// Decodes each event on its own (signatures not yet verified).
    pub fn events(&self) -> impl Iterator<Item = Result<SignedEvent, SignedError>> + '_ {
        self.events
            .iter()
            .map(|bytes| SignedEvent::from_bytes(bytes))
    }

    /// Length of `Payload::EventBatch(self).encode()`.
    pub fn envelope_len(&self) -> usize {
        let events: usize = self
            .events
            .iter()
            .map(|e| varint_len(e.len()) + e.len())
            .sum();
        batch_overhead(self.events.len()) + events
    }
}

/// Cuts `events` into consecutive batches whose envelopes fit in `budget` bytes.
pub fn split_batch(events: &[SignedEvent], budget: usize) -> Result<Vec<EventBatch>, MqttError> {
    let mut batches = Vec::new();
    let mut current = EventBatch::default();
    let mut used = 0;
    for (index, event) in events.iter().enumerate() {
        let bytes = event.to_bytes();
        let size = varint_len(bytes.len()) + bytes.len();
        let alone = batch_overhead(1) + size;
        if alone > budget {
            return Err(MqttError::EventTooLarge {
                index,
                size: alone,
                budget,
            });
        }
        if batch_overhead(current.len() + 1) + used + size > budget {
            batches.push(core::mem::take(&mut current));
            used = 0;
        }
        current.events.push(bytes);
        used += size;
    }
    if !current.is_empty() {
        batches.push(current);
    }
    Ok(batches)
}

/// The server's acknowledgement: the gateway may drop events up to this seq.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ack {
    /// The gateway acknowledged.
    pub gateway_id: GatewayId,
    /// Highest seq such that every event 1..=seq is durably stored (0: none yet).
    pub highest_contiguous_seq: u64,
}

/// Whether a gateway is connected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Presence {
    /// Connected and publishing.
    Online,
    /// Disconnected (published by the broker as the gateway's last will, or on a
    /// clean shutdown).
    Offline,
}

/// Health of one reader as the gateway sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReaderHealth {
    /// The gateway's name for the reader (e.g. `dock-1`).
    pub name: String,
    /// Reader type as configured (e.g. `pn532`, `uhf-m100`, `llrp`).
    pub kind: String,
    /// Condition.
    pub state: ReaderState,
    /// Tag reads since the gateway started.
    pub reads: u64,
    /// Faults since the gateway started.
    pub errors: u64,
    /// Last tag read.
    pub last_read: Option<EventTime>,
}

/// A gateway's retained health report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    /// The reporting gateway.
    pub gateway_id: GatewayId,
    /// Online or offline.
    pub presence: Presence,
    /// When the report was made (for the last will: when the gateway connected).
    pub time: EventTime,
    /// Gateway software version.
    pub software_version: String,
    /// Signed events waiting in the outbox for the server's ack.
    pub queue_depth: u64,
    /// Oldest seq not yet acknowledged, if any.
    pub oldest_unacked_seq: Option<u64>,
    /// Per-reader health.
    pub readers: Vec<ReaderHealth>,
    /// Conditions that need a person's attention, oldest first; empty when all is well.
    pub alarms: Vec<Alarm>,
}

/// What kind of trouble an [`Alarm`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AlarmKind {
    /// The outbox reached its disk budget: new reads are refused until acks free room.
    OutboxFull,
    /// A reader has been absent or faulted for a while.
    ReaderDown,
    /// A reader board refused the configuration the gateway sent it.
    ReaderConfigRejected,
    /// The wall clock jumped or is implausible: event times may be wrong.
    ClockAnomaly,
    /// A unit on the active recall list was scanned.
    RecalledUnitScanned,
}

/// One condition of a gateway that needs a person's attention.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alarm {
    /// What kind of trouble.
    pub kind: AlarmKind,
    /// What it is about: a reader's name, a tag URI, `outbox`, `clock`.
    pub subject: String,
    /// What an operator should know, in words.
    pub detail: String,
    /// Since when it holds (for a recalled unit: when the last one was scanned).
    pub since: EventTime,
}

/// One active recall.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recall {
    /// Recall identifier.
    pub id: String,
    /// Affected identifiers: instance URIs (`urn:epc:id:sgtin:…`), lot classes
    /// (`urn:epc:class:lgtin:…`) or patterns (`urn:epc:idpat:sgtin:…`).
    pub affected: Vec<String>,
    /// Why the products are recalled.
    pub reason: String,
    /// When the recall was issued.
    pub issued: EventTime,
    /// What a holder must do.
    pub instructions: String,
}

/// The retained list of every active recall (the whole list, not a change).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecallList {
    /// When the list was published.
    pub as_of: EventTime,
    /// Active recalls.
    pub recalls: Vec<Recall>,
}
