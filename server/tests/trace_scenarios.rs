//! Trace and recall over a real redb store holding the signed events of the support
//! scenario: hop by hop, which container a step came through, where each unit is now.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::BTreeSet;

use support::names::*;
use support::{Scenario, commit_cycle, commit_scenario};
use tempfile::TempDir;
use trace_proto::event::Action;
use trace_server::store::redb_store::RedbStore;
use trace_server::store::{RecallRecord, Store};
use trace_server::trace::{Direction, Trace, TraceError, UnitStatus, trace};

fn scenario() -> (TempDir, RedbStore, Scenario) {
    let dir = TempDir::new().unwrap();
    let store = RedbStore::open(dir.path()).unwrap();
    let scenario = commit_scenario(&store);
    (dir, store, scenario)
}

/// The hops as (step name, subject, via), in trace order.
fn steps<'a>(s: &Scenario, trace: &'a Trace) -> Vec<(&'static str, &'a str, Option<&'a str>)> {
    trace
        .events
        .iter()
        .map(|hop| {
            let name = s.keys.iter().find(|(_, k)| **k == hop.key).map(|(n, _)| *n);
            (
                name.expect("a scenario step"),
                hop.subject.as_str(),
                hop.via.as_deref(),
            )
        })
        .collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn unit<'a>(trace: &'a Trace, id: &str) -> &'a UnitStatus {
    trace
        .units
        .iter()
        .find(|u| u.id == id)
        .expect("unit listed")
}

#[test]
fn origin_of_a_unit_still_in_its_case_comes_through_the_case_and_the_pallet() {
    let (_dir, store, s) = scenario();
    let unit = s.units[1].as_str();
    let trace = trace(&store, unit, Direction::Backward).unwrap();
    let (case, pallet) = (Some(s.case1.as_str()), Some(s.pallet.as_str()));
    assert_eq!(
        steps(&s, &trace),
        [
            ("commission", unit, None),
            ("pack-case1", unit, None),
            ("palletise", unit, case),
            ("ship", unit, pallet),
            ("receive", unit, pallet),
            ("unpack-pallet", unit, case),
            ("unpack-case1", unit, case),
        ],
        "the pallet's later storing and the other case's packing are not this unit's journey"
    );
    assert_eq!(trace.reached, [unit, &s.case1, &s.pallet, &s.lot]);
    assert!(trace.notes.is_empty(), "{:?}", trace.notes);
    assert!(trace.units.is_empty());

    let commission = &trace.events[0];
    assert_eq!(commission.event_type, "ObjectEvent");
    assert_eq!(commission.action, Some(Action::Add));
    assert_eq!(commission.local_time, "2026-03-02T08:00:00.000+08:00");
    assert_eq!(commission.biz_step.as_deref(), Some("commissioning"));
    assert_eq!(commission.disposition.as_deref(), Some("active"));
    assert_eq!(commission.read_point.as_deref(), Some(LINE));
    assert_eq!(commission.biz_location.as_deref(), Some(FACTORY));
    assert_eq!(commission.signed_by.as_deref(), Some("gw-factory"));
    assert_eq!(
        commission.party.as_deref(),
        Some(FACTORY_PARTY),
        "the gateway's operator"
    );
    assert_eq!(
        commission.event_id,
        format!("urn:rfid-trace:event:{}", s.key("commission"))
    );
    let ship = &trace.events[3];
    assert_eq!(
        ship.party.as_deref(),
        Some(DC_PARTY),
        "the possessing destination"
    );
    assert_eq!(trace.events[4].signed_by.as_deref(), Some("gw-dc"));
    assert_eq!(trace.events[4].party.as_deref(), Some(DC_PARTY));
}

#[test]
fn origin_of_a_unit_whose_case_stayed_on_the_pallet_includes_the_pallets_later_steps() {
    let (_dir, store, s) = scenario();
    let unit = s.units[4].as_str();
    let trace = trace(&store, unit, Direction::Backward).unwrap();
    let (case, pallet) = (Some(s.case2.as_str()), Some(s.pallet.as_str()));
    assert_eq!(
        steps(&s, &trace),
        [
            ("commission", unit, None),
            ("pack-case2", unit, None),
            ("palletise", unit, case),
            ("ship", unit, pallet),
            ("receive", unit, pallet),
            ("unpack-pallet", unit, pallet),
            ("store-pallet", unit, pallet),
        ]
    );
}

#[test]
fn origin_of_a_sold_unit_ends_at_the_shop_and_its_stay_in_the_case_is_closed() {
    let (_dir, store, s) = scenario();
    let unit = s.units[0].as_str();
    let trace = trace(&store, unit, Direction::Backward).unwrap();
    let names: Vec<_> = steps(&s, &trace).into_iter().map(|(n, _, _)| n).collect();
    assert_eq!(
        names,
        [
            "commission",
            "pack-case1",
            "palletise",
            "ship",
            "receive",
            "unpack-pallet",
            "unpack-case1",
            "sell",
        ]
    );
    assert_eq!(trace.events[7].party.as_deref(), Some(SHOP_PARTY));
    assert_eq!(trace.events[7].disposition.as_deref(), Some("retail_sold"));
}

#[test]
fn origin_of_a_transformation_output_goes_back_to_the_input_lots_commissioning() {
    let (_dir, store, s) = scenario();
    let cake = s.cakes[0].as_str();
    let trace = trace(&store, cake, Direction::Backward).unwrap();
    assert_eq!(
        steps(&s, &trace),
        [
            ("mill", s.flour[0].as_str(), None),
            ("refine", s.sugar_lot.as_str(), None),
            ("bake", cake, None),
        ]
    );
    assert_eq!(trace.events[2].event_type, "TransformationEvent");
    assert_eq!(trace.events[2].action, None);
    assert_eq!(trace.reached[0], cake);
    let reached: BTreeSet<String> = trace.reached.iter().cloned().collect();
    assert_eq!(
        reached,
        set(&[
            cake,
            &s.cake_lot,
            &s.flour[0],
            &s.flour[1],
            &s.flour_lot,
            &s.sugar_lot
        ]),
        "each once"
    );
    assert_eq!(trace.reached.len(), 6);
}

#[test]
fn recall_of_a_lot_finds_every_unit_where_it_is_now() {
    let (_dir, store, s) = scenario();
    let trace = trace(&store, &s.lot, Direction::Forward).unwrap();
    let mut expected_reached = vec![s.lot.clone()];
    expected_reached.extend(s.units.iter().cloned());
    expected_reached.extend([s.case1.clone(), s.case2.clone(), s.pallet.clone()]);
    assert_eq!(trace.reached, expected_reached);
    assert!(trace.notes.is_empty(), "{:?}", trace.notes);
    let (lot, case1, pallet) = (s.lot.as_str(), s.case1.as_str(), s.pallet.as_str());
    assert_eq!(
        steps(&s, &trace),
        [
            ("commission", lot, None),
            ("pack-case1", case1, None),
            ("pack-case2", s.case2.as_str(), None),
            ("palletise", case1, None),
            ("ship", pallet, None),
            ("receive", pallet, None),
            ("unpack-pallet", case1, None),
            ("unpack-case1", case1, None),
            ("store-pallet", pallet, None),
        ],
        "the sale is the unit's own event: it shows in its status, not as a hop"
    );

    let ids: Vec<&str> = trace.units.iter().map(|u| u.id.as_str()).collect();
    assert_eq!(ids, s.units.iter().map(String::as_str).collect::<Vec<_>>());
    let sold = unit(&trace, &s.units[0]);
    assert_eq!(sold.last_event, Some(s.key("sell")));
    assert_eq!(sold.location.as_deref(), Some(SHOP));
    assert_eq!(sold.custodian.as_deref(), Some(SHOP_PARTY));
    assert_eq!(sold.disposition.as_deref(), Some("retail_sold"));
    assert_eq!(sold.container, None);
    for id in &s.units[1..3] {
        let in_case = unit(&trace, id);
        assert_eq!(
            in_case.last_event,
            Some(s.key("unpack-case1")),
            "the case's last step"
        );
        assert_eq!(in_case.location.as_deref(), Some(DC));
        assert_eq!(in_case.custodian.as_deref(), Some(DC_PARTY));
        assert_eq!(in_case.container.as_deref(), Some(case1));
    }
    for id in &s.units[3..6] {
        let on_pallet = unit(&trace, id);
        assert_eq!(
            on_pallet.last_event,
            Some(s.key("store-pallet")),
            "the pallet's last step"
        );
        assert_eq!(on_pallet.last_time, Some(support::at(6, "09:00")));
        assert_eq!(on_pallet.location.as_deref(), Some(DC_STORAGE));
        assert_eq!(
            on_pallet.disposition.as_deref(),
            Some("sellable_accessible")
        );
        assert_eq!(on_pallet.custodian.as_deref(), Some(DC_PARTY));
        assert_eq!(
            on_pallet.container.as_deref(),
            Some(pallet),
            "the outermost container"
        );
        assert!(on_pallet.recalls.is_empty());
    }
}

#[test]
fn units_name_the_recalls_that_affect_them() {
    let (_dir, store, s) = scenario();
    let first = trace(&store, &s.lot, Direction::Forward).unwrap();
    store
        .put_recall(&RecallRecord {
            id: "R-1".into(),
            issued: support::at(20, "08:00"),
            codes: vec![s.lot.clone()],
            reason: "listeria".into(),
            instructions: "return to the shop".into(),
            issued_by: "inspector".into(),
            affected: first.reached.clone(),
        })
        .unwrap();
    let again = trace(&store, &s.lot, Direction::Forward).unwrap();
    assert!(
        again.units.iter().all(|u| u.recalls == ["R-1"]),
        "{:?}",
        again.units
    );
}

#[test]
fn recall_of_an_input_lot_reaches_the_outputs_of_the_transformation() {
    let (_dir, store, s) = scenario();
    let flour = trace(&store, &s.flour_lot, Direction::Forward).unwrap();
    assert_eq!(
        flour.reached,
        [
            &*s.flour_lot,
            &s.flour[0],
            &s.flour[1],
            &s.cakes[0],
            &s.cakes[1]
        ]
    );
    assert_eq!(
        steps(&s, &flour),
        [
            ("mill", s.flour_lot.as_str(), None),
            ("bake", s.flour[0].as_str(), None)
        ]
    );
    for id in flour.reached[1..].iter() {
        assert_eq!(unit(&flour, id).last_event, Some(s.key("bake")), "{id}");
        assert_eq!(unit(&flour, id).location.as_deref(), Some(PLANT));
    }

    let sugar = trace(&store, &s.sugar_lot, Direction::Forward).unwrap();
    assert_eq!(
        sugar.reached,
        [&*s.sugar_lot, &s.sugar, &s.cakes[0], &s.cakes[1]]
    );
    let names: Vec<_> = steps(&s, &sugar).into_iter().map(|(n, _, _)| n).collect();
    assert_eq!(names, ["refine", "bake"], "the lot consumed by quantity");
    let units: Vec<&str> = sugar.units.iter().map(|u| u.id.as_str()).collect();
    assert_eq!(units, [&s.sugar, &s.cakes[0], &s.cakes[1]]);
}

#[test]
fn special_equipment_from_manufacture_to_scrap() {
    let (_dir, store, s) = scenario();
    let boiler = s.boiler.as_str();
    let expected = [
        ("manufacture", "commissioning"),
        ("install", "installing"),
        ("inspect", "inspecting"),
        ("repair", "repairing"),
        ("scrap", "decommissioning"),
    ];
    let origin = trace(&store, boiler, Direction::Backward).unwrap();
    for (hop, (name, step)) in origin.events.iter().zip(expected) {
        assert_eq!(
            (hop.key, hop.biz_step.as_deref()),
            (s.key(name), Some(step))
        );
        assert_eq!((hop.subject.as_str(), hop.via.as_deref()), (boiler, None));
    }
    assert_eq!(origin.events.len(), 5);
    assert_eq!(origin.events[2].disposition.as_deref(), Some("conformant"));

    let now = trace(&store, boiler, Direction::Forward).unwrap();
    assert_eq!(
        now.events.len(),
        5,
        "a unit's own events are the hops of its own recall"
    );
    let status = unit(&now, boiler);
    assert_eq!(status.last_event, Some(s.key("scrap")));
    assert_eq!(status.disposition.as_deref(), Some("destroyed"));
    assert_eq!(status.location.as_deref(), Some(CUSTOMER));
    assert_eq!(status.custodian.as_deref(), Some(FACTORY_PARTY));
}

#[test]
fn a_containment_cycle_ends_the_walk_with_a_note() {
    let dir = TempDir::new().unwrap();
    let store = RedbStore::open(dir.path()).unwrap();
    let (a, b) = commit_cycle(&store);
    for direction in [Direction::Backward, Direction::Forward] {
        let trace = trace(&store, &a, direction).unwrap();
        assert_eq!(trace.reached, [a.as_str(), &b], "{direction:?}");
        assert_eq!(trace.events.len(), 2, "{direction:?}");
        assert!(
            trace.notes.iter().any(|n| n.contains("containment cycle")),
            "{direction:?}: {:?}",
            trace.notes
        );
        assert!(trace.units.is_empty(), "both are containers");
    }
}

#[test]
fn nothing_naming_the_start_is_an_unknown_identifier() {
    let (_dir, store, _s) = scenario();
    let unknown = "urn:epc:id:sgtin:0614141.812345.999";
    for direction in [Direction::Backward, Direction::Forward] {
        match trace(&store, unknown, direction) {
            Err(TraceError::Unknown(id)) => assert_eq!(id, unknown),
            other => panic!("expected Unknown, got {other:?}"),
        }
    }
}
