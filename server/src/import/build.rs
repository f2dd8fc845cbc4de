//! One workload event from its rows: the `events.csv` row, the identifiers
//! `event_epcs.csv` lists for it, and — checked against those, since `gen.py` writes the
//! same facts twice — its `aggregations.csv` and `transformations.csv` rows. Plain
//! logic, no I/O.
//!
//! The shapes are the EPCIS ones the trace engine walks: a commissioning ObjectEvent ADD
//! lists its SGTINs with ILMD naming the lot (the store files them under the LGTIN made of
//! their GTIN and that lot, so the lot must be theirs); an ingredient lot is commissioned
//! as a quantity; an AggregationEvent names its container as `parentID` and its contents
//! as `childEPCs` (DELETE listing them, so each child's stay ends there); a
//! TransformationEvent takes lot classes as input/output quantities and EPCs as EPC lists.

use sha2::{Digest, Sha256};
use trace_proto::epc::Lgtin;
use trace_proto::event::{
    Action, AggregationEvent, Event, EventKind, Ilmd, Location, ObjectEvent, QuantityElement,
    TransformationEvent,
};

use super::rows::{AggregationRow, EpcRole, EventRow, EventType, TransformationRow};
use crate::store::EventKey;

/// The prefix of an imported event's `eventID`: `urn:rfid-trace:workload:<event_id>`,
/// so a trace's hops name the workload's event ids.
pub const EVENT_ID_PREFIX: &str = "urn:rfid-trace:workload:";

/// Why an event's rows do not make an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// Which file's rows disagree.
    pub file: &'static str,
    /// What is wrong, in words.
    pub detail: String,
}

fn mismatch(file: &'static str, detail: String) -> Mismatch {
    Mismatch { file, detail }
}

/// The record key of workload event `id` in `namespace`: SHA-256 over a domain string,
/// the namespace and the id. Deterministic, so importing the same workload again stores
/// nothing twice (the store skips known keys), and namespaced, so two workloads with
/// the same event ids do not collide.
pub fn key(namespace: &str, id: u64) -> EventKey {
    let mut hash = Sha256::new();
    hash.update(b"rfid-trace/import/workload/v1\0");
    hash.update(namespace.as_bytes());
    hash.update([0]);
    hash.update(id.to_be_bytes());
    EventKey(hash.finalize().into())
}

fn location(id: Option<String>) -> Option<Location> {
    id.map(|id| Location {
        id,
        extensions: Vec::new(),
    })
}

fn class_element(epc_class: String) -> QuantityElement {
    QuantityElement {
        epc_class,
        quantity: None,
        uom: None,
    }
}

fn is_class(identifier: &str) -> bool {
    identifier.starts_with("urn:epc:class:")
}

/// The event of `row` with the identifiers `epcs`, checked against its containment and
/// transformation rows.
pub fn event(
    row: EventRow,
    epcs: Vec<(String, EpcRole)>,
    aggregations: &[AggregationRow],
    transformations: &[TransformationRow],
) -> Result<Event, Mismatch> {
    let kind = match row.kind {
        EventType::Object => object(&row, epcs)?,
        EventType::Aggregation => aggregation(&row, epcs, aggregations)?,
        EventType::Transformation => transformation(epcs, transformations)?,
    };
    if !matches!(row.kind, EventType::Aggregation) && !aggregations.is_empty() {
        return Err(mismatch(
            "aggregations.csv",
            format!("names event {}, which is not an AggregationEvent", row.id),
        ));
    }
    if !matches!(row.kind, EventType::Transformation) && !transformations.is_empty() {
        return Err(mismatch(
            "transformations.csv",
            format!("names event {}, which is not a TransformationEvent", row.id),
        ));
    }
    let mut event = Event::new(kind, row.time, row.offset);
    event.event_id = Some(format!("{EVENT_ID_PREFIX}{}", row.id));
    event.biz_step = Some(row.biz_step);
    event.disposition = row.disposition;
    event.read_point = location(row.read_point);
    event.biz_location = location(row.biz_location);
    Ok(event)
}

fn wrong_role(id: u64, kind: &str, role: EpcRole) -> Mismatch {
    mismatch(
        "event_epcs.csv",
        format!("event {id} is an {kind}, which has no {role:?} identifiers"),
    )
}

/// The action of an ObjectEvent or AggregationEvent row (the row parser requires one).
fn action_of(row: &EventRow) -> Result<Action, Mismatch> {
    row.action
        .ok_or_else(|| mismatch("events.csv", format!("event {} has no action", row.id)))
}

fn object(row: &EventRow, epcs: Vec<(String, EpcRole)>) -> Result<EventKind, Mismatch> {
    let mut epc_list = Vec::new();
    let mut quantity_list = Vec::new();
    for (epc, role) in epcs {
        match role {
            EpcRole::Epc => epc_list.push(epc),
            EpcRole::Quantity => quantity_list.push(class_element(epc)),
            other => return Err(wrong_role(row.id, "ObjectEvent", other)),
        }
    }
    let ilmd = row
        .ilmd_lot
        .as_deref()
        .map(|lot| ilmd(row.id, lot, &epc_list))
        .transpose()?;
    Ok(EventKind::Object(ObjectEvent {
        action: action_of(row)?,
        epc_list,
        quantity_list,
        ilmd,
    }))
}

/// ILMD naming the lot of `class`, whose SGTINs `epcs` must all belong to its GTIN: the
/// store derives the class from each SGTIN's GTIN and the lot number.
fn ilmd(id: u64, class: &str, epcs: &[String]) -> Result<Ilmd, Mismatch> {
    let lgtin = Lgtin::parse(class).map_err(|e| {
        mismatch(
            "events.csv",
            format!("event {id}: ilmd_lot {class:?} is not an LGTIN: {e}"),
        )
    })?;
    let gtin = format!(
        "urn:epc:id:sgtin:{}.{}.",
        lgtin.company_prefix(),
        lgtin.item_reference()
    );
    if let Some(stranger) = epcs.iter().find(|epc| !epc.starts_with(&gtin)) {
        return Err(mismatch(
            "event_epcs.csv",
            format!("event {id} commissions {stranger} into {class}, another GTIN's lot"),
        ));
    }
    Ok(Ilmd {
        lot_number: Some(lgtin.lot().to_owned()),
        ..Ilmd::default()
    })
}

fn aggregation(
    row: &EventRow,
    epcs: Vec<(String, EpcRole)>,
    rows: &[AggregationRow],
) -> Result<EventKind, Mismatch> {
    let mut parent = None;
    let mut child_epcs = Vec::new();
    for (epc, role) in epcs {
        match role {
            EpcRole::Parent if parent.is_none() => parent = Some(epc),
            EpcRole::Parent => {
                return Err(mismatch(
                    "event_epcs.csv",
                    format!("event {} has two parents", row.id),
                ));
            }
            EpcRole::Child => child_epcs.push(epc),
            other => return Err(wrong_role(row.id, "AggregationEvent", other)),
        }
    }
    let action = action_of(row)?;
    let agrees = rows.len() == child_epcs.len()
        && rows.iter().zip(&child_epcs).all(|(r, child)| {
            Some(&r.parent) == parent.as_ref()
                && &r.child == child
                && r.time == row.time
                && r.action == action
        });
    if !agrees {
        return Err(mismatch(
            "aggregations.csv",
            format!(
                "its {} rows of event {} differ from the event's parent, children, time or \
                 action",
                rows.len(),
                row.id
            ),
        ));
    }
    Ok(EventKind::Aggregation(AggregationEvent {
        action,
        parent_id: parent,
        child_epcs,
        child_quantity_list: Vec::new(),
    }))
}

fn transformation(
    epcs: Vec<(String, EpcRole)>,
    rows: &[TransformationRow],
) -> Result<EventKind, Mismatch> {
    let mut t = TransformationEvent {
        transformation_id: None,
        input_epc_list: Vec::new(),
        input_quantity_list: Vec::new(),
        output_epc_list: Vec::new(),
        output_quantity_list: Vec::new(),
        ilmd: None,
    };
    let mut inputs = Vec::new();
    let mut outputs = Vec::new();
    for (epc, role) in epcs {
        match (role, is_class(&epc)) {
            (EpcRole::Input, true) => t.input_quantity_list.push(class_element(epc.clone())),
            (EpcRole::Input, false) => t.input_epc_list.push(epc.clone()),
            (EpcRole::Output, true) => t.output_quantity_list.push(class_element(epc.clone())),
            (EpcRole::Output, false) => t.output_epc_list.push(epc.clone()),
            (other, _) => {
                return Err(mismatch(
                    "event_epcs.csv",
                    format!("a TransformationEvent has no {other:?} identifiers"),
                ));
            }
        }
        if role == EpcRole::Input {
            inputs.push(epc);
        } else {
            outputs.push(epc);
        }
    }
    if let Some(stray) = rows
        .iter()
        .find(|r| !inputs.contains(&r.input) || !outputs.contains(&r.output))
    {
        return Err(mismatch(
            "transformations.csv",
            format!(
                "event {}: {} → {} is not among the event's inputs and outputs",
                stray.event, stray.input, stray.output
            ),
        ));
    }
    Ok(EventKind::Transformation(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(record: &[&str]) -> EventRow {
        EventRow::parse(record).unwrap()
    }

    const T: &str = "2024-01-02 03:04:05+00";

    #[test]
    fn commissioning_names_the_lot_of_its_units_gtin() {
        let event = event(
            row(&["1", "O", "ADD", "commissioning", "active", "", "", T, LOT]),
            vec![(UNIT.into(), EpcRole::Epc)],
            &[],
            &[],
        )
        .unwrap();
        let EventKind::Object(o) = event.kind else {
            panic!("not an ObjectEvent")
        };
        assert_eq!(o.ilmd.unwrap().lot_number.as_deref(), Some("L000001"));
        assert_eq!(event.event_id.as_deref(), Some("urn:rfid-trace:workload:1"));
        let other = "urn:epc:class:lgtin:0614141.812346.L000001";
        let refused = super::event(
            row(&["1", "O", "ADD", "commissioning", "active", "", "", T, other]),
            vec![(UNIT.into(), EpcRole::Epc)],
            &[],
            &[],
        );
        assert_eq!(refused.unwrap_err().file, "event_epcs.csv");
    }

    const LOT: &str = "urn:epc:class:lgtin:0614141.812345.L000001";
    const UNIT: &str = "urn:epc:id:sgtin:0614141.812345.100000000";
    const CASE: &str = "urn:epc:id:sscc:0614141.0000000001";

    #[test]
    fn aggregation_rows_must_agree_with_the_event() {
        let agg = |parent: &str| AggregationRow {
            parent: parent.into(),
            child: UNIT.into(),
            event: 2,
            time: row(&["2", "A", "ADD", "packing", "", "", "", T, ""]).time,
            action: Action::Add,
        };
        let epcs = || {
            vec![
                (CASE.into(), EpcRole::Parent),
                (UNIT.into(), EpcRole::Child),
            ]
        };
        let packing = || row(&["2", "A", "ADD", "packing", "in_progress", "", "", T, ""]);
        assert!(event(packing(), epcs(), &[agg(CASE)], &[]).is_ok());
        let wrong = event(
            packing(),
            epcs(),
            &[agg("urn:epc:id:sscc:0614141.0000000002")],
            &[],
        );
        assert_eq!(wrong.unwrap_err().file, "aggregations.csv");
        assert!(event(packing(), epcs(), &[], &[]).is_err(), "a row missing");
    }

    #[test]
    fn transformations_take_classes_as_quantities_and_epcs_as_epcs() {
        let input = "urn:epc:class:lgtin:0614141.700001.I0000001";
        let event = event(
            row(&["3", "T", "", "transforming", "active", "", "", T, ""]),
            vec![
                (input.into(), EpcRole::Input),
                (UNIT.into(), EpcRole::Input),
                (LOT.into(), EpcRole::Output),
            ],
            &[],
            &[TransformationRow {
                event: 3,
                input: input.into(),
                output: LOT.into(),
            }],
        )
        .unwrap();
        let EventKind::Transformation(t) = event.kind else {
            panic!("not a TransformationEvent")
        };
        assert_eq!(t.input_quantity_list[0].epc_class, input);
        assert_eq!(t.input_epc_list, vec![UNIT.to_owned()]);
        assert_eq!(t.output_quantity_list[0].epc_class, LOT);
        assert_ne!(key("a", 1), key("b", 1));
        assert_eq!(key("a", 1), key("a", 1));
    }
}
