//! The [`Store`] contract as tests any backend must pass: each function takes an empty
//! store, writes through the trait and checks what the trait reads back. `store_redb.rs`
//! runs them on redb through [`store_suite_tests!`]; a PostgreSQL backend runs the same.

use trace_proto::event::{Action, BizStep, EventKind, QuantityElement, TransformationEvent};
use trace_server::store::{
    CommitBatch, CommitReport, EventKey, EventSummary, IndexEntry, Link, Origin, RecordCursor,
    Role, Store, StoredEvent,
};

use crate::support::{Gateway, aggregation, at, event, lot, names, object, place};

mod registry;

pub use registry::{
    gateways_are_kept, heads_and_quarantine, key_history_is_kept, recalls_are_indexed,
};

const A: &str = "urn:epc:id:sgtin:0614141.812345.1";
const B: &str = "urn:epc:id:sgtin:0614141.812345.2";
const C: &str = "urn:epc:id:sgtin:0614141.812345.3";
const CASE: &str = "urn:epc:id:sscc:0614141.1234567890";
const LOT: &str = "urn:epc:class:lgtin:0614141.812345.L1";

fn batch(events: Vec<StoredEvent>) -> CommitBatch {
    CommitBatch {
        events,
        ..CommitBatch::default()
    }
}

fn keys(rows: &[IndexEntry]) -> Vec<EventKey> {
    rows.iter().map(|r| r.key).collect()
}

/// A batch redelivered, and a batch holding the same event twice, store each event once
/// and index it once.
pub fn commit_is_idempotent_by_key(store: &dyn Store) {
    let mut gw = Gateway::new("gw-1", 1, names::FACTORY_PARTY);
    let first = gw.stored(event(
        object(Action::Add, &[A, B], lot("L1")),
        at(1, "08:00"),
        BizStep::Commissioning,
        names::LINE,
    ));
    let second = gw.stored(event(
        object(Action::Observe, &[A], None),
        at(1, "09:00"),
        BizStep::Inspecting,
        names::LINE,
    ));
    let report = store
        .commit(&batch(vec![first.clone(), second.clone(), first.clone()]))
        .unwrap();
    assert_eq!(
        report,
        CommitReport {
            stored: 2,
            duplicates: 1
        }
    );
    let report = store
        .commit(&batch(vec![second.clone(), first.clone()]))
        .unwrap();
    assert_eq!(
        report,
        CommitReport {
            stored: 0,
            duplicates: 2
        }
    );
    assert_eq!(
        keys(&store.events_naming(A).unwrap()),
        [first.key, second.key]
    );
    assert_eq!(
        store.events_naming(LOT).unwrap().len(),
        1,
        "the commissioning, once"
    );
    assert_eq!(store.class_instances(LOT).unwrap(), [A, B]);
    assert_eq!(store.stats().unwrap().events, 2);
    assert_eq!(
        store.event(&first.key).unwrap(),
        Some(first),
        "returned as given"
    );
    assert_eq!(store.event(&EventKey([7; 32])).unwrap(), None);
}

/// Rows come ordered by event time whatever the commit order; the latest is the last
/// of them, and an older event committed later does not replace it.
pub fn rows_are_ordered_by_event_time(store: &dyn Store) {
    let mut gw = Gateway::new("gw-1", 1, names::FACTORY_PARTY);
    let observe = |hh: &str| {
        event(
            object(Action::Observe, &[A], None),
            at(2, hh),
            BizStep::Inspecting,
            names::LINE,
        )
    };
    let late = gw.stored(observe("12:00"));
    let early = gw.stored(observe("08:00"));
    let middle = gw.stored(observe("10:00"));
    store.commit(&batch(vec![late.clone()])).unwrap();
    store
        .commit(&batch(vec![early.clone(), middle.clone()]))
        .unwrap();
    let rows = store.events_naming(A).unwrap();
    assert_eq!(keys(&rows), [early.key, middle.key, late.key]);
    assert_eq!(rows[0].event_time, at(2, "08:00"));
    assert_eq!(store.latest_naming(A).unwrap(), rows.last().copied());
    assert_eq!(store.latest_naming(C).unwrap(), None);
    assert!(store.events_naming(C).unwrap().is_empty());

    let tie_a = gw.stored(observe("14:00"));
    let tie_b = gw.stored(observe("14:00"));
    store
        .commit(&batch(vec![tie_a.clone(), tie_b.clone()]))
        .unwrap();
    let mut tied = [tie_a.key, tie_b.key];
    tied.sort();
    assert_eq!(
        keys(&store.events_naming(A).unwrap())[3..],
        tied,
        "equal times: by key"
    );
    assert_eq!(
        store.latest_naming(A).unwrap().map(|r| r.key),
        Some(tied[1])
    );
}

/// Each identifier is indexed with the part it plays; locations with theirs.
pub fn rows_carry_roles(store: &dyn Store) {
    let mut gw = Gateway::new("gw-1", 1, names::FACTORY_PARTY);
    let mut pack = event(
        aggregation(Action::Add, CASE, &[A, B]),
        at(3, "08:00"),
        BizStep::Packing,
        names::LINE,
    );
    pack.biz_location = place(names::FACTORY);
    let make = EventKind::Transformation(TransformationEvent {
        input_epc_list: vec![B.into()],
        input_quantity_list: vec![QuantityElement {
            epc_class: LOT.into(),
            quantity: None,
            uom: None,
        }],
        output_epc_list: vec![C.into()],
        output_quantity_list: vec![QuantityElement {
            epc_class: "urn:epc:class:lgtin:0614141.812345.L2".into(),
            quantity: Some(3.into()),
            uom: None,
        }],
        ..TransformationEvent::default()
    });
    let mut transform = event(make, at(3, "09:00"), BizStep::Commissioning, names::LINE);
    transform.biz_location = place(names::LINE);
    let (pack, transform) = (gw.stored(pack), gw.stored(transform));
    store
        .commit(&batch(vec![pack.clone(), transform.clone()]))
        .unwrap();
    let roles = |id: &str| {
        store
            .events_naming(id)
            .unwrap()
            .iter()
            .map(|r| (r.key, r.role))
            .collect::<Vec<_>>()
    };
    assert_eq!(roles(CASE), [(pack.key, Role::Parent)]);
    assert_eq!(roles(A), [(pack.key, Role::Child)]);
    assert_eq!(
        roles(B),
        [(pack.key, Role::Child), (transform.key, Role::Input)]
    );
    assert_eq!(roles(C), [(transform.key, Role::Output)]);
    assert_eq!(roles(LOT), [(transform.key, Role::InputQuantity)]);
    assert_eq!(
        roles("urn:epc:class:lgtin:0614141.812345.L2"),
        [(transform.key, Role::OutputQuantity)]
    );
    let at_line: Vec<_> = store
        .events_at(names::LINE)
        .unwrap()
        .iter()
        .map(|r| (r.key, r.role))
        .collect();
    let expected = [
        (pack.key, Role::ReadPoint),
        (transform.key, Role::ReadPoint),
        (transform.key, Role::BizLocation),
    ];
    assert_eq!(at_line, expected, "ordered by time, key, role");
    assert_eq!(keys(&store.events_at(names::FACTORY).unwrap()), [pack.key]);
    assert!(
        store.events_naming(names::LINE).unwrap().is_empty(),
        "locations are not identifiers"
    );
}

/// Instances of a lot, from ObjectEvent ADD and transformation outputs with ILMD, in the
/// order first recorded; the class is named by those events; non-SGTINs join no lot.
pub fn lots_know_their_instances(store: &dyn Store) {
    let mut gw = Gateway::new("gw-1", 1, names::FACTORY_PARTY);
    let later = gw.stored(event(
        object(Action::Add, &[C], lot("L1")),
        at(4, "10:00"),
        BizStep::Commissioning,
        names::LINE,
    ));
    let earlier = gw.stored(event(
        object(Action::Add, &[B, CASE, A], lot("L1")),
        at(4, "08:00"),
        BizStep::Commissioning,
        names::LINE,
    ));
    let observed = gw.stored(event(
        object(
            Action::Observe,
            &["urn:epc:id:sgtin:0614141.812345.9"],
            None,
        ),
        at(4, "09:00"),
        BizStep::Inspecting,
        names::LINE,
    ));
    let make = EventKind::Transformation(TransformationEvent {
        input_epc_list: vec![A.into()],
        output_epc_list: vec!["urn:epc:id:sgtin:0614141.712345.7".into()],
        ilmd: lot("L/2"),
        ..TransformationEvent::default()
    });
    let made = gw.stored(event(
        make,
        at(4, "11:00"),
        BizStep::Commissioning,
        names::LINE,
    ));
    store.commit(&batch(vec![later.clone()])).unwrap();
    let rest = vec![earlier.clone(), observed, made.clone()];
    store.commit(&batch(rest)).unwrap();
    let instances = store.class_instances(LOT).unwrap();
    assert_eq!(instances, [C, B, A], "as first recorded, not by event time");
    assert_eq!(store.class_of(A).unwrap().as_deref(), Some(LOT));
    assert_eq!(store.class_of(CASE).unwrap(), None, "an SSCC has no lot");
    assert_eq!(
        store.class_of("urn:epc:id:sgtin:0614141.812345.9").unwrap(),
        None
    );
    let lot_rows = store.events_naming(LOT).unwrap();
    assert_eq!(keys(&lot_rows), [earlier.key, later.key]);
    assert!(lot_rows.iter().all(|r| r.role == Role::Epc));
    let made_lot = "urn:epc:class:lgtin:0614141.712345.L%2F2";
    assert_eq!(
        store.class_instances(made_lot).unwrap(),
        ["urn:epc:id:sgtin:0614141.712345.7"]
    );
    assert_eq!(store.events_naming(made_lot).unwrap()[0].role, Role::Output);
    assert!(
        store
            .class_instances("urn:epc:class:lgtin:0614141.812345.NONE")
            .unwrap()
            .is_empty()
    );
}

/// Standings agree with the rows: latest, class, container flag, links with parents.
pub fn standings_follow_the_rows(store: &dyn Store) {
    let mut gw = Gateway::new("gw-1", 1, names::FACTORY_PARTY);
    let made = gw.stored(event(
        object(Action::Add, &[A, B], lot("L1")),
        at(5, "08:00"),
        BizStep::Commissioning,
        names::LINE,
    ));
    let pack = gw.stored(event(
        aggregation(Action::Add, CASE, &[A, B]),
        at(5, "09:00"),
        BizStep::Packing,
        names::LINE,
    ));
    let unpack = gw.stored(event(
        aggregation(Action::Delete, CASE, &[A]),
        at(5, "10:00"),
        BizStep::Unpacking,
        names::LINE,
    ));
    let emptied = gw.stored(event(
        aggregation(Action::Delete, CASE, &[]),
        at(5, "11:00"),
        BizStep::Unpacking,
        names::LINE,
    ));
    store
        .commit(&batch(vec![
            emptied.clone(),
            unpack.clone(),
            pack.clone(),
            made.clone(),
        ]))
        .unwrap();
    let standings = store.standings(&[A, CASE, C]).unwrap();
    let a = standings[0].as_ref().unwrap();
    assert_eq!(a.identifier, A);
    assert_eq!(a.class.as_deref(), Some(LOT));
    assert_eq!(a.latest.map(|r| r.key), Some(unpack.key));
    assert!(!a.is_container && a.links_complete);
    let link = |key, action, parent: Option<&str>, role| Link {
        entry: *store
            .events_naming(if role == Role::Child { A } else { CASE })
            .unwrap()
            .iter()
            .find(|r| r.key == key)
            .unwrap(),
        action: Some(action),
        parent: parent.map(Into::into),
    };
    assert_eq!(
        a.links,
        [
            link(pack.key, Action::Add, Some(CASE), Role::Child),
            link(unpack.key, Action::Delete, Some(CASE), Role::Child)
        ]
    );
    let case = standings[1].as_ref().unwrap();
    assert!(case.is_container);
    assert_eq!(
        case.links,
        [link(emptied.key, Action::Delete, None, Role::Parent)],
        "only the emptying"
    );
    assert_eq!(standings[2], None);
    let lot = store.class_standings(LOT).unwrap();
    assert_eq!(
        lot.iter()
            .map(|s| s.identifier.as_str())
            .collect::<Vec<_>>(),
        [A, B]
    );
    assert_eq!(lot[0], *a);
}

/// Role-filtered rows are the rows in those roles; summaries are the events without
/// their EPC lists, `None` for keys not stored.
pub fn filtered_rows_and_summaries(store: &dyn Store) {
    let mut gw = Gateway::new("gw-1", 1, names::FACTORY_PARTY);
    let made = gw.stored(event(
        object(Action::Add, &[A, B], lot("L1")),
        at(11, "08:00"),
        BizStep::Commissioning,
        names::LINE,
    ));
    let pack = gw.stored(event(
        aggregation(Action::Add, CASE, &[A, B]),
        at(11, "09:00"),
        BizStep::Packing,
        names::LINE,
    ));
    store
        .commit(&batch(vec![made.clone(), pack.clone()]))
        .unwrap();
    let all = store.events_naming(A).unwrap();
    let children = store
        .events_naming_in(A, &[Role::Child, Role::Child])
        .unwrap();
    assert_eq!(keys(&children), [pack.key]);
    let both = store
        .events_naming_in(A, &[Role::Child, Role::Epc])
        .unwrap();
    assert_eq!(both, all);
    assert!(
        store
            .events_naming_in(A, &[Role::Input])
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .events_naming_in(LOT, &[Role::Quantity])
            .unwrap()
            .is_empty()
    );

    let summaries = store
        .event_summaries(&[pack.key, EventKey([9; 32]), made.key])
        .unwrap();
    assert_eq!(
        summaries,
        [
            Some(EventSummary::of(pack)),
            None,
            Some(EventSummary::of(made.clone()))
        ]
    );
    let summary = summaries[2].as_ref().unwrap();
    assert_eq!(summary.signed_by.as_ref(), Some(&gw.id));
    let EventKind::Object(commissioning) = &summary.event.kind else {
        panic!("an ObjectEvent");
    };
    assert!(commissioning.epc_list.is_empty());
    assert!(commissioning.ilmd.is_some(), "the rest as stored");
}

/// An event captured over HTTP comes back as given, with its origin.
pub fn captured_events_round_trip(store: &dyn Store) {
    let mut captured = event(
        object(Action::Observe, &[A], None),
        at(10, "08:00"),
        BizStep::Receiving,
        names::DC_DOCK,
    );
    captured.event_id = Some("urn:uuid:6f7d3b6e-2a4c-4e54-9d8b-1c1d1b0d4b21".into());
    let stored = StoredEvent {
        key: EventKey([3; 32]),
        recorded: at(10, "08:05"),
        event: captured,
        origin: Origin::Captured {
            captured_by: "erp".into(),
        },
    };
    store.commit(&batch(vec![stored.clone()])).unwrap();
    assert_eq!(store.event(&stored.key).unwrap(), Some(stored));
}

/// Record order is record time, then key, whatever the event times and commit order;
/// pages after a cursor continue strictly after it, and duplicates are not listed twice.
pub fn events_in_record_order(store: &dyn Store) {
    let captured = |n: u8, event_hh: &str, recorded_hh: &str| StoredEvent {
        key: EventKey([n; 32]),
        recorded: at(11, recorded_hh),
        event: event(
            object(Action::Observe, &[A], None),
            at(11, event_hh),
            BizStep::Receiving,
            names::DC_DOCK,
        ),
        origin: Origin::Captured {
            captured_by: "erp".into(),
        },
    };
    assert!(store.events_recorded(None, 10).unwrap().is_empty());
    let late = captured(1, "08:00", "12:00");
    let tie_high = captured(9, "09:00", "10:00");
    let tie_low = captured(5, "07:00", "10:00");
    let early = captured(7, "11:00", "09:00");
    store
        .commit(&batch(vec![late.clone(), tie_high.clone()]))
        .unwrap();
    store
        .commit(&batch(vec![tie_low.clone(), early.clone(), late.clone()]))
        .unwrap();
    let order = [early.key, tie_low.key, tie_high.key, late.key];
    let all: Vec<EventKey> = store
        .events_recorded(None, 100)
        .unwrap()
        .iter()
        .map(|e| e.key)
        .collect();
    assert_eq!(all, order);
    let first = store.events_recorded(None, 2).unwrap();
    assert_eq!(first, [early.clone(), tie_low.clone()], "whole events");
    let cursor = RecordCursor {
        recorded: tie_low.recorded,
        key: tie_low.key,
    };
    let rest: Vec<EventKey> = store
        .events_recorded(Some(&cursor), 100)
        .unwrap()
        .iter()
        .map(|e| e.key)
        .collect();
    assert_eq!(rest, [tie_high.key, late.key]);
    let beyond = RecordCursor {
        recorded: late.recorded,
        key: late.key,
    };
    assert!(
        store
            .events_recorded(Some(&beyond), 100)
            .unwrap()
            .is_empty()
    );
    assert!(store.events_recorded(None, 0).unwrap().is_empty());
}

/// One `#[test]` per check of this suite, each on a fresh store from `$fresh`, a function
/// returning `(guard, store)` (the guard keeps the store's resources, e.g. a temp folder).
macro_rules! store_suite_tests {
    ($fresh:path) => {
        store_suite_tests!(
            $fresh;
            commit_is_idempotent_by_key,
            rows_are_ordered_by_event_time,
            rows_carry_roles,
            lots_know_their_instances,
            standings_follow_the_rows,
            filtered_rows_and_summaries,
            heads_and_quarantine,
            gateways_are_kept,
            key_history_is_kept,
            recalls_are_indexed,
            captured_events_round_trip,
            events_in_record_order,
        );
    };
    ($fresh:path; $($check:ident),+ $(,)?) => {$(
        #[test]
        fn $check() {
            let (_guard, store) = $fresh();
            crate::store_suite::$check(&store);
        }
    )+};
}
