//! Event bodies packed with LZ4: the events table is most of a store, and an event's bytes
//! repeat themselves (a case's EPCs share all but their serials; locations share their
//! company prefix).
//!
//! A body is packed whole (gateway bodies with their signed bytes, which come back
//! verbatim) when that makes it smaller, against [`DICTIONARY`]: records are a few hundred
//! bytes, too short for LZ4 to find the URI prefixes in themselves before their second
//! occurrence. LZ4 rather than a stronger codec because a trace decodes events on the query
//! path, and LZ4's pure-Rust, safe decoder costs about a microsecond a record.

use super::records::{Body, EventRecord, corrupt, decode, encode};
use crate::store::StoreError;

/// What a packed body may match against besides itself. Records packed with it unpack only
/// with it: a change needs a new [`Body`] variant, never an edit of this one.
const DICTIONARY: &[u8] = b"rfid-trace/event/v1\0\
    urn:epc:id:giai:urn:epc:id:grai:urn:epc:id:pgln:urn:epc:id:sgln:\
    urn:epcglobal:cbv:bt:urn:epc:class:lgtin:urn:epc:idpat:sgtin:\
    https://id.gs1.org/01/urn:epc:id:sscc:urn:epc:id:sgtin:";

/// Largest body packed. A packed record's length is read before its bytes are trusted, so
/// it is bounded: anything larger is kept as it is.
const MAX_PACKED: usize = 1 << 20;

/// The event record of `key`, `recorded` and `body`, its body packed if that makes it
/// smaller.
pub(super) fn encode_record(
    key: [u8; 32],
    recorded: i64,
    body: Body<'_>,
) -> Result<Vec<u8>, StoreError> {
    let plain = encode(&body)?;
    let lz4 = (plain.len() <= MAX_PACKED)
        .then(|| lz4_flex::block::compress_with_dict(&plain, DICTIONARY));
    let body = match (&lz4, u32::try_from(plain.len())) {
        (Some(lz4), Ok(len)) if lz4.len() < plain.len() => Body::Packed { len, lz4 },
        _ => body,
    };
    encode(&EventRecord {
        key,
        recorded,
        body,
    })
}

/// The event record in `bytes`, with its body unpacked into `buffer` if it was packed.
pub(super) fn read_record<'a>(
    bytes: &'a [u8],
    buffer: &'a mut Vec<u8>,
) -> Result<EventRecord<'a>, StoreError> {
    let mut record: EventRecord<'a> = decode(bytes, "event record")?;
    if let Body::Packed { len, lz4 } = record.body {
        record.body = unpack(len, lz4, buffer)?;
    }
    Ok(record)
}

fn unpack<'a>(len: u32, lz4: &[u8], buffer: &'a mut Vec<u8>) -> Result<Body<'a>, StoreError> {
    let bad = |detail: &str| corrupt("packed event record", detail);
    let len = usize::try_from(len).unwrap_or(usize::MAX);
    if len > MAX_PACKED {
        return Err(bad(&format!(
            "claims {len} bytes, more than a packed body holds"
        )));
    }
    *buffer = lz4_flex::block::decompress_with_dict(lz4, len, DICTIONARY)
        .map_err(|e| bad(&e.to_string()))?;
    if buffer.len() != len {
        return Err(bad(&format!(
            "{} bytes where it claims {len}",
            buffer.len()
        )));
    }
    let buffer: &'a Vec<u8> = buffer;
    match decode(buffer, "packed event record")? {
        Body::Packed { .. } => Err(bad("packed twice")),
        body => Ok(body),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_of_urns_packs_smaller_and_unpacks_verbatim() {
        let event: Vec<u8> = (0..10)
            .flat_map(|n| format!("urn:epc:id:sgtin:0614141.812345.10000000{n}").into_bytes())
            .collect();
        let body = Body::Captured {
            captured_by: "desk",
            event: &event,
        };
        let plain = encode(&body).unwrap();
        let bytes = encode_record([7; 32], 5, body).unwrap();
        assert!(
            bytes.len() < plain.len() / 2,
            "{} of {}",
            bytes.len(),
            plain.len()
        );
        let mut buffer = Vec::new();
        let record = read_record(&bytes, &mut buffer).unwrap();
        assert_eq!((record.key, record.recorded), ([7; 32], 5));
        let Body::Captured {
            captured_by,
            event: read,
        } = record.body
        else {
            panic!("body {:?}", record.body);
        };
        assert_eq!((captured_by, read), ("desk", event.as_slice()));
    }

    #[test]
    fn a_body_that_does_not_shrink_stays_plain() {
        let noise: Vec<u8> = (0..64u32).map(|n| (n * 97 % 251) as u8).collect();
        let bytes = encode_record([7; 32], 5, Body::Gateway(&noise)).unwrap();
        let mut buffer = Vec::new();
        let record = read_record(&bytes, &mut buffer).unwrap();
        assert!(matches!(record.body, Body::Gateway(read) if read == noise));
        assert!(
            buffer.is_empty(),
            "a plain record (all of schema 2's) reads in place"
        );
    }

    #[test]
    fn damaged_packed_bodies_are_corrupt_not_panics() {
        let mut buffer = Vec::new();
        let cases: [(u32, &[u8]); 4] = [
            (u32::MAX, b"\x10abcd"),
            (40, b"\xf0\x00"),
            (3, b"\x40abcd"),
            (1, b"\x10\x02"),
        ];
        for (len, lz4) in cases {
            let body = Body::Packed { len, lz4 };
            let bytes = encode(&EventRecord {
                key: [0; 32],
                recorded: 0,
                body,
            })
            .unwrap();
            assert!(
                matches!(
                    read_record(&bytes, &mut buffer),
                    Err(StoreError::Corrupt { .. })
                ),
                "len {len}, bytes {lz4:?}"
            );
        }
    }
}
