//! The values kept in `events.redb`: event records, identifier records, the dictionary
//! hash, and the fixed codes of roles and actions inside keys and records.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use trace_proto::event::Event;
use trace_proto::signed::{EventHash, GatewayId, SIGNATURE_LEN, SIGNING_DOMAIN};

use super::codes::time;
use super::packed::{encode_record, read_record};
use crate::store::{EventKey, Origin, StoreError, StoredEvent};

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
    /// One of the above, LZ4-packed ([`packed`](super::packed)): `len` bytes unpacked.
    Packed { len: u32, lz4: &'a [u8] },
}

impl<'a> Body<'a> {
    /// The signing gateway (if any) and the postcard bytes of the event.
    pub fn event_bytes(&self) -> Result<(Option<GatewayId>, u64, &'a [u8]), StoreError> {
        match *self {
            Body::Gateway(signed) => {
                let (gateway, seq, event) = split_signed(signed)?;
                Ok((Some(gateway), seq, event))
            }
            Body::Captured { event, .. } => Ok((None, 0, event)),
            Body::Packed { .. } => Err(corrupt("event record", "read without unpacking")),
        }
    }
}

/// What the store keeps per identifier beside its index rows, so that the latest event,
/// the links a trace follows and the recalls of a unit are one read. The URI comes first
/// so that [`uri_of_record`] reads it alone; the links are a nested postcard blob so that
/// [`RecordView`] reads them without collecting them first.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(super) struct IdentRecord {
    pub uri: String,
    /// The lot class (identifier number) it was commissioned into.
    pub class: Option<u64>,
    pub latest: Option<RowRef>,
    /// The parent of an AggregationEvent ADD.
    pub container: bool,
    /// Ordered by (time, event number); emptied once more than [`MAX_LINKS`] arrive.
    #[serde(with = "link_blob")]
    pub links: Vec<LinkRow>,
    pub links_overflow: bool,
    /// Recall numbers.
    pub recalls: Vec<u64>,
    /// Where the latest event left it; kept after the fields above (see [`PlaceRow`]).
    #[serde(skip)]
    pub place: Option<PlaceRow>,
}

/// The latest event's key, and where it left what it names
/// ([`Place`](crate::store::Place)) as dictionary numbers of the location, the custodian
/// and the disposition's CBV web URI: a recall names and places each of its 100,000
/// units from their records alone, without reading an event.
///
/// Files written before places were kept hold records that end after the recalls, so the
/// place follows the record as a postcard tail rather than as one more field: such a
/// record still reads, without a place, until its identifier's next event writes one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct PlaceRow {
    pub key: [u8; 32],
    pub location: Option<u64>,
    pub custodian: Option<u64>,
    pub disposition: Option<u64>,
}

/// An [`IdentRecord`] read in place.
#[derive(Debug, Deserialize)]
pub(super) struct RecordView<'a> {
    pub uri: &'a str,
    pub class: Option<u64>,
    pub latest: Option<RowRef>,
    pub container: bool,
    links: &'a [u8],
    pub links_overflow: bool,
    pub recalls: Vec<u64>,
    #[serde(skip)]
    pub place: Option<PlaceRow>,
}

impl<'a> RecordView<'a> {
    /// Reads a record.
    pub fn of(bytes: &'a [u8]) -> Result<Self, StoreError> {
        let (mut view, tail) = take::<Self>(bytes)?;
        view.place = place_tail(tail)?;
        Ok(view)
    }

    /// The links, in order, read one by one.
    pub fn links(&self) -> Result<LinkRows<'a>, StoreError> {
        let (left, rest) = postcard::take_from_bytes::<u64>(self.links)
            .map_err(|e| corrupt("identifier links", &e.to_string()))?;
        Ok(LinkRows { rest, left })
    }
}

/// The links of a [`RecordView`].
pub(super) struct LinkRows<'a> {
    rest: &'a [u8],
    left: u64,
}

impl LinkRows<'_> {
    /// How many are left.
    pub fn len(&self) -> usize {
        usize::try_from(self.left).unwrap_or(0)
    }
}

impl Iterator for LinkRows<'_> {
    type Item = Result<LinkRow, StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.left = self.left.checked_sub(1)?;
        Some(match postcard::take_from_bytes::<LinkRow>(self.rest) {
            Ok((link, rest)) => {
                self.rest = rest;
                Ok(link)
            }
            Err(e) => {
                self.left = 0;
                Err(corrupt("identifier links", &e.to_string()))
            }
        })
    }
}

/// `links` as a nested postcard blob.
mod link_blob {
    use serde::de::Error as _;
    use serde::ser::Error as _;
    use serde::{Deserialize, Deserializer, Serializer};

    use super::LinkRow;

    pub fn serialize<S: Serializer>(
        links: &Vec<LinkRow>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let blob = postcard::to_allocvec(links).map_err(S::Error::custom)?;
        serializer.serialize_bytes(&blob)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<LinkRow>, D::Error> {
        let blob = <&[u8]>::deserialize(deserializer)?;
        postcard::from_bytes(blob).map_err(D::Error::custom)
    }
}

/// An index row: event time, event number, role code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub(super) struct RowRef {
    pub time: i64,
    pub event: u64,
    pub role: u8,
}

/// A [`Link`](crate::store::Link) with numbers for the event and the parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct LinkRow {
    pub row: RowRef,
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

    /// Reads a stored record.
    pub fn decode(bytes: &[u8]) -> Result<Self, StoreError> {
        let (mut record, tail) = take::<Self>(bytes)?;
        record.place = place_tail(tail)?;
        Ok(record)
    }

    /// The stored form: the record, then its place.
    pub fn encode(&self) -> Result<Vec<u8>, StoreError> {
        let mut bytes = encode(self)?;
        if let Some(place) = &self.place {
            bytes.extend(encode(place)?);
        }
        Ok(bytes)
    }

    /// Takes one new index row into the record. `later_key` tells whether the row's event
    /// key is greater than that of another event number: rows order by (time, key, role),
    /// and only equal times need the keys.
    pub fn note_row(
        &mut self,
        row: RowRef,
        place: PlaceRow,
        later_key: impl FnOnce(u64) -> Result<bool, StoreError>,
        container: bool,
        link: Option<LinkRow>,
    ) -> Result<(), StoreError> {
        let later = match self.latest {
            None => true,
            Some(latest) if latest.time != row.time => row.time > latest.time,
            Some(latest) if latest.event == row.event => row.role > latest.role,
            Some(latest) => later_key(latest.event)?,
        };
        if later {
            self.latest = Some(row);
            self.place = Some(place);
        }
        self.container |= container;
        match link {
            Some(_) if self.links_overflow => {}
            Some(_) if self.links.len() >= MAX_LINKS => {
                self.links_overflow = true;
                self.links = Vec::new();
            }
            Some(link) => {
                let at = self.links.partition_point(|l| l.row <= link.row);
                self.links.insert(at, link);
            }
            None => {}
        }
        Ok(())
    }
}

/// The dictionary hash of a URI: the first 8 bytes of its SHA-256, big-endian.
pub(super) fn ident_hash(uri: &str) -> u64 {
    let digest = Sha256::digest(uri.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(digest.get(..8).unwrap_or(&[0; 8]));
    u64::from_be_bytes(first)
}

/// The URI at the start of an encoded [`IdentRecord`].
pub(super) fn uri_of_record(bytes: &[u8]) -> Result<&str, StoreError> {
    postcard::take_from_bytes::<&str>(bytes)
        .map(|(uri, _)| uri)
        .map_err(|e| corrupt("identifier record", &e.to_string()))
}

/// The event key at the start of an encoded [`EventRecord`].
pub(super) fn key_of_record(bytes: &[u8]) -> Result<EventKey, StoreError> {
    bytes
        .first_chunk::<32>()
        .map(|key| EventKey(*key))
        .ok_or_else(|| corrupt("event record", "shorter than its key"))
}

/// Encodes `stored`; for a gateway event, checks that its signed bytes hold the event.
pub(in crate::store) fn encode_event(stored: &StoredEvent) -> Result<Vec<u8>, StoreError> {
    let captured_bytes;
    let body = match &stored.origin {
        Origin::Gateway {
            gateway_id,
            seq,
            signed,
        } => {
            let (id, number, event) = split_signed(signed)?;
            if (&id, number) != (gateway_id, *seq) || decode_whole(event)? != stored.event {
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
    encode_record(stored.key.0, stored.recorded.unix_millis(), body)
}

/// Decodes an [`EventRecord`] into the event the store was given.
pub(in crate::store) fn decode_event(bytes: &[u8]) -> Result<StoredEvent, StoreError> {
    let mut buffer = Vec::new();
    let record = read_record(bytes, &mut buffer)?;
    let (gateway, seq, event) = record.body.event_bytes()?;
    let origin = match (gateway, &record.body) {
        (Some(gateway_id), Body::Gateway(signed)) => Origin::Gateway {
            gateway_id,
            seq,
            signed: signed.to_vec(),
        },
        (_, Body::Captured { captured_by, .. }) => Origin::Captured {
            captured_by: (*captured_by).to_owned(),
        },
        (None, Body::Gateway(_)) => return Err(corrupt("event record", "gateway missing")),
        (_, Body::Packed { .. }) => return Err(corrupt("event record", "packed twice")),
    };
    Ok(StoredEvent {
        key: EventKey(record.key),
        recorded: time(record.recorded)?,
        event: decode_whole(event)?,
        origin,
    })
}

/// An event from its postcard bytes, all of them.
pub(super) fn decode_whole(bytes: &[u8]) -> Result<Event, StoreError> {
    match postcard::take_from_bytes::<Event>(bytes) {
        Ok((event, [])) => Ok(event),
        Ok(_) => Err(corrupt("event", "bytes left after it")),
        Err(e) => Err(corrupt("event", &e.to_string())),
    }
}

/// Gateway, seq and event bytes of `SignedEvent::to_bytes` (layout: proto's `signed`).
fn split_signed(signed: &[u8]) -> Result<(GatewayId, u64, &[u8]), StoreError> {
    let bad = |detail: &str| corrupt("signed event", detail);
    let content = signed
        .strip_prefix(SIGNING_DOMAIN)
        .and_then(|rest| rest.get(..rest.len().checked_sub(SIGNATURE_LEN)?))
        .ok_or_else(|| bad("not in the rfid-trace/event/v1 layout"))?;
    let ((gateway, seq, _prev), event) =
        postcard::take_from_bytes::<(&str, u64, EventHash)>(content)
            .map_err(|e| bad(&e.to_string()))?;
    let gateway = GatewayId::new(gateway).map_err(|e| bad(&e.to_string()))?;
    Ok((gateway, seq, event))
}

/// postcard encoding of a record.
pub(super) fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, StoreError> {
    postcard::to_allocvec(value).map_err(|e| StoreError::Backend(format!("encoding: {e}")))
}

/// The record at the start of `bytes` and the bytes after it.
fn take<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<(T, &'a [u8]), StoreError> {
    postcard::take_from_bytes(bytes).map_err(|e| corrupt("identifier record", &e.to_string()))
}

/// The place after a record: none in a record written before places were kept.
fn place_tail(tail: &[u8]) -> Result<Option<PlaceRow>, StoreError> {
    if tail.is_empty() {
        return Ok(None);
    }
    decode(tail, "identifier place").map(Some)
}

/// postcard decoding of a record named `what`.
pub(super) fn decode<'a, T: Deserialize<'a>>(bytes: &'a [u8], what: &str) -> Result<T, StoreError> {
    postcard::from_bytes(bytes).map_err(|e| corrupt(what, &e.to_string()))
}

/// A [`StoreError::Corrupt`].
pub(in crate::store) fn corrupt(what: &str, detail: &str) -> StoreError {
    StoreError::Corrupt {
        what: what.to_owned(),
        detail: detail.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(place: Option<PlaceRow>) -> IdentRecord {
        IdentRecord {
            uri: "urn:epc:id:sgtin:0614141.812345.1".into(),
            class: Some(7),
            latest: Some(RowRef {
                time: 5,
                event: 9,
                role: 0,
            }),
            recalls: vec![3],
            place,
            ..IdentRecord::default()
        }
    }

    #[test]
    fn a_record_keeps_its_place_and_an_older_one_reads_without() {
        let place = PlaceRow {
            key: [1; 32],
            location: Some(2),
            custodian: Some(4),
            disposition: None,
        };
        let bytes = record(Some(place)).encode().unwrap();
        assert_eq!(IdentRecord::decode(&bytes).unwrap().place, Some(place));
        assert_eq!(RecordView::of(&bytes).unwrap().place, Some(place));
        let older = encode(&record(None)).unwrap();
        assert!(bytes.starts_with(&older), "the place is a tail");
        let read = IdentRecord::decode(&older).unwrap();
        assert_eq!(
            (read.place, read.class, read.recalls),
            (None, Some(7), vec![3])
        );
        assert_eq!(RecordView::of(&older).unwrap().uri, read.uri);
        assert!(IdentRecord::decode(&bytes[..bytes.len() - 1]).is_err());
    }
}
