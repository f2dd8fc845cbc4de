//! The values kept in `events.redb`: event records, identifier records, and the fixed
//! codes of roles and actions inside index keys.

use serde::{Deserialize, Serialize};
use trace_proto::event::{Action, Event, EventTime};
use trace_proto::signed::{EventHash, GatewayId, SIGNATURE_LEN, SIGNING_DOMAIN};

use crate::store::{EventKey, IndexEntry, Origin, Role, StoreError, StoredEvent};

/// Links an identifier record keeps before it stops listing them (see [`IdentRecord`]).
pub(super) const MAX_LINKS: usize = 64;

/// A stored event. Gateway events keep only their signed bytes, which hold the event;
/// the key comes first so that [`key_of_record`] reads it without decoding the rest.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct EventRecord<'a> {
    pub key: [u8; 32],
    pub recorded: i64,
    #[serde(borrow)]
    pub body: Body<'a>,
}

/// Where the event's bytes come from.
#[derive(Debug, Serialize, Deserialize)]
pub(super) enum Body<'a> {
    /// `SignedEvent::to_bytes`, verbatim.
    Gateway(&'a [u8]),
    /// Captured over HTTP: the postcard encoding of the event.
    Captured {
        captured_by: &'a str,
        event: &'a [u8],
    },
}

/// What the store keeps per identifier beside its index rows, so that the latest event,
/// the links a trace follows and the recalls of a unit are one read.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(super) struct IdentRecord {
    pub uri: String,
    /// The lot class (identifier number) it was commissioned into.
    pub class: Option<u64>,
    pub latest: Option<LatestRow>,
    /// The parent of an AggregationEvent ADD.
    pub container: bool,
    /// Ordered by (time, event number); emptied once more than [`MAX_LINKS`] arrive.
    pub links: Vec<LinkRow>,
    pub links_overflow: bool,
    /// Recall numbers.
    pub recalls: Vec<u64>,
}

/// The latest index row of an identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct LatestRow {
    pub time: i64,
    pub key: [u8; 32],
    pub role: u8,
}

/// A [`Link`](crate::store::Link) with numbers for the event and the parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct LinkRow {
    pub time: i64,
    pub event: u64,
    pub role: u8,
    pub action: Option<u8>,
    pub parent: Option<u64>,
}

impl IdentRecord {
    /// A record for a newly seen identifier.
    pub fn new(uri: &str) -> Self {
        Self {
            uri: uri.to_owned(),
            ..Self::default()
        }
    }

    /// Takes one new index row into the record.
    pub fn note_row(&mut self, latest: LatestRow, container: bool, link: Option<LinkRow>) {
        let later = |current: &LatestRow| {
            (latest.time, latest.key, latest.role) > (current.time, current.key, current.role)
        };
        if self.latest.as_ref().is_none_or(later) {
            self.latest = Some(latest);
        }
        self.container |= container;
        let Some(link) = link else { return };
        if self.links_overflow {
            return;
        }
        if self.links.len() >= MAX_LINKS {
            self.links_overflow = true;
            self.links = Vec::new();
            return;
        }
        let at = self
            .links
            .partition_point(|l| (l.time, l.event) <= (link.time, link.event));
        self.links.insert(at, link);
    }
}

/// The event key at the start of an encoded [`EventRecord`].
pub(super) fn key_of_record(bytes: &[u8]) -> Result<EventKey, StoreError> {
    bytes
        .first_chunk::<32>()
        .map(|key| EventKey(*key))
        .ok_or_else(|| corrupt("event record", "shorter than its key"))
}

/// Encodes `stored`; for a gateway event, checks that its signed bytes hold the event.
pub(super) fn encode_event(stored: &StoredEvent) -> Result<Vec<u8>, StoreError> {
    let captured_bytes;
    let body = match &stored.origin {
        Origin::Gateway {
            gateway_id,
            seq,
            signed,
        } => {
            let (id, number, event) = decode_signed(signed)?;
            if (&id, number, &event) != (gateway_id, *seq, &stored.event) {
                return Err(corrupt(
                    &format!("event {} in the batch", stored.key),
                    "its signed bytes do not hold the gateway, seq and event given with them",
                ));
            }
            Body::Gateway(signed)
        }
        Origin::Captured { captured_by } => {
            captured_bytes = encode(&stored.event)?;
            Body::Captured {
                captured_by,
                event: &captured_bytes,
            }
        }
    };
    encode(&EventRecord {
        key: stored.key.0,
        recorded: stored.recorded.unix_millis(),
        body,
    })
}

/// Decodes an [`EventRecord`] into the event the store was given.
pub(super) fn decode_event(bytes: &[u8]) -> Result<StoredEvent, StoreError> {
    let record: EventRecord<'_> = decode(bytes, "event record")?;
    let (event, origin) = match record.body {
        Body::Gateway(signed) => {
            let (gateway_id, seq, event) = decode_signed(signed)?;
            let signed = signed.to_vec();
            let origin = Origin::Gateway {
                gateway_id,
                seq,
                signed,
            };
            (event, origin)
        }
        Body::Captured { captured_by, event } => {
            let origin = Origin::Captured {
                captured_by: captured_by.to_owned(),
            };
            (decode(event, "captured event")?, origin)
        }
    };
    Ok(StoredEvent {
        key: EventKey(record.key),
        recorded: time(record.recorded)?,
        event,
        origin,
    })
}

/// Gateway, seq and event out of `SignedEvent::to_bytes` (layout: proto's `signed` module).
fn decode_signed(signed: &[u8]) -> Result<(GatewayId, u64, Event), StoreError> {
    let content = signed
        .strip_prefix(SIGNING_DOMAIN)
        .and_then(|rest| rest.get(..rest.len().checked_sub(SIGNATURE_LEN)?))
        .ok_or_else(|| corrupt("signed event", "not in the rfid-trace/event/v1 layout"))?;
    let ((gateway_id, seq, _prev, event), rest) =
        postcard::take_from_bytes::<(GatewayId, u64, EventHash, Event)>(content)
            .map_err(|e| corrupt("signed event", &e.to_string()))?;
    if !rest.is_empty() {
        return Err(corrupt("signed event", "bytes left after the event"));
    }
    Ok((gateway_id, seq, event))
}

/// The stable code of a role inside index keys and records.
pub(super) fn role_code(role: Role) -> u8 {
    match role {
        Role::Epc => 0,
        Role::Parent => 1,
        Role::Child => 2,
        Role::Input => 3,
        Role::Output => 4,
        Role::Quantity => 5,
        Role::InputQuantity => 6,
        Role::OutputQuantity => 7,
        Role::ReadPoint => 8,
        Role::BizLocation => 9,
    }
}

/// The role of a code written by [`role_code`].
pub(super) fn role_of(code: u8) -> Result<Role, StoreError> {
    Ok(match code {
        0 => Role::Epc,
        1 => Role::Parent,
        2 => Role::Child,
        3 => Role::Input,
        4 => Role::Output,
        5 => Role::Quantity,
        6 => Role::InputQuantity,
        7 => Role::OutputQuantity,
        8 => Role::ReadPoint,
        9 => Role::BizLocation,
        other => return Err(corrupt("index row", &format!("role code {other}"))),
    })
}

/// The stable code of an action.
pub(super) fn action_code(action: Action) -> u8 {
    match action {
        Action::Add => 0,
        Action::Observe => 1,
        Action::Delete => 2,
    }
}

/// The action of a code written by [`action_code`].
pub(super) fn action_of(code: u8) -> Result<Action, StoreError> {
    Ok(match code {
        0 => Action::Add,
        1 => Action::Observe,
        2 => Action::Delete,
        other => return Err(corrupt("link", &format!("action code {other}"))),
    })
}

/// An event time kept as milliseconds.
pub(super) fn time(millis: i64) -> Result<EventTime, StoreError> {
    EventTime::from_unix_millis(millis).map_err(|e| corrupt("event time", &e.to_string()))
}

/// An index row as the trait returns it.
pub(super) fn entry(millis: i64, key: EventKey, role: u8) -> Result<IndexEntry, StoreError> {
    Ok(IndexEntry {
        event_time: time(millis)?,
        key,
        role: role_of(role)?,
    })
}

/// postcard encoding of a record.
pub(super) fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, StoreError> {
    postcard::to_allocvec(value).map_err(|e| StoreError::Backend(format!("encoding: {e}")))
}

/// postcard decoding of a record named `what`.
pub(super) fn decode<'a, T: Deserialize<'a>>(bytes: &'a [u8], what: &str) -> Result<T, StoreError> {
    postcard::from_bytes(bytes).map_err(|e| corrupt(what, &e.to_string()))
}

/// A [`StoreError::Corrupt`].
pub(super) fn corrupt(what: &str, detail: &str) -> StoreError {
    StoreError::Corrupt {
        what: what.to_owned(),
        detail: detail.to_owned(),
    }
}
