//! Event summaries without decoding EPC lists: the event's postcard bytes are walked up
//! to its kind's EPC lists, the lists are cut out (written as empty lists), and the rest
//! is decoded as a whole [`Event`]. A commissioning event of 10,000 EPCs then costs one
//! copy of its bytes instead of 10,000 strings.
//!
//! The walk knows the field order of [`Event`] and [`EventKind`] up to the lists; it is
//! the signed wire layout (`rfid-trace/event/v1`), which cannot change without a new
//! signing domain, and the tests below compare it with [`EventSummary::of`].

use std::ops::Range;

use serde::Deserialize;
use trace_proto::event::{
    Action, ErrorDeclaration, Event, EventTime, QuantityElement, TimeZoneOffset,
};

use super::records::{corrupt, decode_whole};
use crate::store::StoreError;

/// `event` (postcard bytes) with its EPC lists left empty.
pub(super) fn summary_event(event: &[u8]) -> Result<Event, StoreError> {
    let mut walk = Walk {
        bytes: event,
        at: 0,
    };
    walk.skip::<(
        EventTime,
        TimeZoneOffset,
        Option<&str>,
        Option<ErrorDeclaration>,
        Vec<&str>,
    )>()?;
    let mut cuts: [Option<Range<usize>>; 2] = [None, None];
    match walk.take::<u32>()? {
        // Object, Aggregation, Transaction, Transformation, Association: the order of
        // `EventKind`'s variants, then each variant's fields before its lists.
        0 => {
            walk.skip::<Action>()?;
            cuts[0] = Some(walk.list()?);
        }
        1 | 2 => {
            walk.skip::<(Action, Option<&str>)>()?;
            cuts[0] = Some(walk.list()?);
        }
        3 => {
            walk.skip::<Option<&str>>()?;
            cuts[0] = Some(walk.list()?);
            walk.skip::<Vec<QuantityElement>>()?;
            cuts[1] = Some(walk.list()?);
        }
        4 => {
            walk.skip::<(Action, &str)>()?;
            cuts[0] = Some(walk.list()?);
        }
        other => return Err(corrupt("event", &format!("event type {other}"))),
    }
    let mut stripped = Vec::with_capacity(event.len());
    let mut from = 0;
    for cut in cuts.into_iter().flatten() {
        stripped.extend_from_slice(event.get(from..cut.start).unwrap_or_default());
        stripped.push(0);
        from = cut.end;
    }
    stripped.extend_from_slice(event.get(from..).unwrap_or_default());
    decode_whole(&stripped)
}

/// A position in postcard bytes.
struct Walk<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Walk<'a> {
    fn take<T: Deserialize<'a>>(&mut self) -> Result<T, StoreError> {
        let rest = self.bytes.get(self.at..).unwrap_or_default();
        let (value, after) =
            postcard::take_from_bytes::<T>(rest).map_err(|e| corrupt("event", &e.to_string()))?;
        self.at = self.bytes.len() - after.len();
        Ok(value)
    }

    fn skip<T: Deserialize<'a>>(&mut self) -> Result<(), StoreError> {
        self.take::<T>().map(drop)
    }

    /// Steps over a list of strings, reading only their lengths (the strings were checked
    /// when stored and are not decoded); returns its byte range.
    fn list(&mut self) -> Result<Range<usize>, StoreError> {
        let start = self.at;
        let count = self.varint()?;
        for _ in 0..count {
            let len = usize::try_from(self.varint()?).unwrap_or(usize::MAX);
            self.at = self
                .at
                .checked_add(len)
                .filter(|end| *end <= self.bytes.len())
                .ok_or_else(|| corrupt("event", "an EPC runs past the end"))?;
        }
        Ok(start..self.at)
    }

    /// A postcard varint (LEB128, at most 10 bytes for a `u64`).
    fn varint(&mut self) -> Result<u64, StoreError> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = *self
                .bytes
                .get(self.at)
                .ok_or_else(|| corrupt("event", "a length runs past the end"))?;
            self.at += 1;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(corrupt("event", "a length longer than 10 bytes"))
    }
}

#[cfg(test)]
mod tests {
    use trace_proto::event::*;

    use super::*;
    use crate::store::{EventKey, EventSummary, Origin, StoredEvent};

    fn epcs(prefix: &str) -> Vec<String> {
        (1..=3)
            .map(|n| format!("urn:epc:id:sgtin:0614141.{prefix}.{n}"))
            .collect()
    }

    fn quantities() -> Vec<QuantityElement> {
        vec![QuantityElement {
            epc_class: "urn:epc:class:lgtin:0614141.812345.L1".into(),
            quantity: Some(5.into()),
            uom: Some("KGM".into()),
        }]
    }

    fn kinds() -> Vec<EventKind> {
        vec![
            EventKind::Object(ObjectEvent {
                action: Action::Add,
                epc_list: epcs("1"),
                quantity_list: quantities(),
                ilmd: Some(Ilmd {
                    lot_number: Some("L1".into()),
                    ..Ilmd::default()
                }),
            }),
            EventKind::Aggregation(AggregationEvent {
                action: Action::Delete,
                parent_id: Some("urn:epc:id:sscc:0614141.1234567890".into()),
                child_epcs: epcs("2"),
                child_quantity_list: quantities(),
            }),
            EventKind::Transaction(TransactionEvent {
                action: Action::Observe,
                parent_id: None,
                epc_list: epcs("3"),
                quantity_list: vec![],
            }),
            EventKind::Transformation(TransformationEvent {
                transformation_id: Some("urn:uuid:1".into()),
                input_epc_list: epcs("4"),
                input_quantity_list: quantities(),
                output_epc_list: epcs("5"),
                output_quantity_list: quantities(),
                ilmd: None,
            }),
            EventKind::Association(AssociationEvent {
                action: Action::Add,
                parent_id: "urn:epc:id:giai:0614141.A1".into(),
                child_epcs: epcs("6"),
                child_quantity_list: vec![],
            }),
        ]
    }

    #[test]
    fn summaries_equal_the_whole_event_without_its_epc_lists() {
        for kind in kinds() {
            let mut event = Event::new(
                kind,
                EventTime::from_unix_millis(5).unwrap(),
                TimeZoneOffset::UTC,
            );
            event.event_id = Some("urn:uuid:e".into());
            event.certification_info = vec!["https://cert.example/1".into()];
            event.biz_step = Some(BizStep::Shipping);
            event.disposition = Some(Disposition::Custom("https://example.com/disp".into()));
            event.biz_transactions = vec![BizTransaction {
                kind: None,
                id: "urn:po:1".into(),
            }];
            event.destinations = vec![SourceDest {
                kind: SourceDestType::PossessingParty,
                id: "urn:epc:id:pgln:0614141.00000".into(),
            }];
            let bytes = postcard::to_allocvec(&event).unwrap();
            let stored = StoredEvent {
                key: EventKey([0; 32]),
                recorded: event.event_time,
                event,
                origin: Origin::Captured {
                    captured_by: "t".into(),
                },
            };
            let expected = EventSummary::of(stored).event;
            assert_eq!(summary_event(&bytes).unwrap(), expected);
        }
    }

    #[test]
    fn truncated_bytes_are_corrupt_not_a_panic() {
        let event = Event::new(
            kinds().remove(3),
            EventTime::from_unix_millis(5).unwrap(),
            TimeZoneOffset::UTC,
        );
        let bytes = postcard::to_allocvec(&event).unwrap();
        for len in 0..bytes.len() {
            assert!(summary_event(&bytes[..len]).is_err(), "{len}");
        }
    }
}
