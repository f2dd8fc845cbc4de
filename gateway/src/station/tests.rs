use super::*;
use crate::config::Config;

const EXAMPLE: &str = include_str!("../../examples/dock-door.toml");

fn stations() -> (Station, Station) {
    let config = Config::parse(EXAMPLE).unwrap();
    let tz = config.gateway.timezone;
    let mut it = config.stations.into_iter().map(|s| Station::new(s, tz));
    (it.next().unwrap(), it.next().unwrap())
}

const ITEM_A: &str = "urn:epc:id:sgtin:0614141.812345.1";
const ITEM_B: &str = "urn:epc:id:sgtin:0614141.812345.2";
const ITEM_C: &str = "urn:epc:id:sgtin:0614141.812345.3";
const CASE: &str = "urn:epc:id:sscc:0614141.1234567890";

#[test]
fn dock_door_observe_carries_the_business_context() {
    let (mut dock, _) = stations();
    let events = dock.entry(ITEM_A, 1_700_000_000_000, false).unwrap();
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert!(
        matches!(&e.kind, EventKind::Object(o) if o.action == Action::Observe && o.epc_list == [ITEM_A])
    );
    assert_eq!(e.event_time.unix_millis(), 1_700_000_000_000);
    assert_eq!(e.event_time_zone_offset.minutes(), 60);
    assert_eq!(e.biz_step, Some(BizStep::Shipping));
    assert_eq!(e.disposition, Some(Disposition::InTransit));
    assert_eq!(
        e.read_point.as_ref().unwrap().id,
        "urn:epc:id:sgln:0614141.00777.0"
    );
    assert_eq!(e.biz_transactions.len(), 1);
    assert_eq!(e.sources[0].kind, SourceDestType::OwningParty);
    assert!(e.destinations.is_empty());
    e.validate().unwrap();
}

#[test]
fn a_recalled_unit_gets_disposition_recalled() {
    let (mut dock, _) = stations();
    let events = dock.entry(ITEM_A, 0, true).unwrap();
    assert_eq!(events[0].disposition, Some(Disposition::Recalled));
}

#[test]
fn commissioning_adds_with_ilmd() {
    let config = Config::parse(&EXAMPLE.replace(
        "profile = \"observe\"",
        "profile = \"commission\"\nlot = \"LOT42\"\nproduction_date = \"2026-11-01\"",
    ))
    .unwrap();
    let mut line = Station::new(config.stations[0].clone(), TimeZoneOffset::UTC);
    let events = line.entry(ITEM_A, 0, false).unwrap();
    let EventKind::Object(o) = &events[0].kind else {
        panic!("not an ObjectEvent")
    };
    assert_eq!(o.action, Action::Add);
    let ilmd = o.ilmd.as_ref().unwrap();
    assert_eq!(ilmd.lot_number.as_deref(), Some("LOT42"));
    assert_eq!(ilmd.production_date.unwrap().to_string(), "2026-11-01");
    events[0].validate().unwrap();
}

#[test]
fn items_around_a_case_are_packed_once_the_window_closes() {
    let (_, mut pack) = stations();
    // Window 2000 ms: A comes 1.5 s before the case, B 1 s after, C 3 s after.
    assert!(pack.entry(ITEM_A, 10_000, false).unwrap().is_empty());
    assert!(pack.entry(CASE, 11_500, false).unwrap().is_empty());
    assert!(pack.entry(ITEM_B, 12_500, false).unwrap().is_empty());
    assert!(pack.tick(13_500).unwrap().is_empty(), "window still open");
    let events = pack.tick(13_501).unwrap();
    assert_eq!(events.len(), 1);
    let EventKind::Aggregation(a) = &events[0].kind else {
        panic!("not aggregation")
    };
    assert_eq!(a.action, Action::Add);
    assert_eq!(a.parent_id.as_deref(), Some(CASE));
    assert_eq!(a.child_epcs, [ITEM_A, ITEM_B]);
    assert_eq!(events[0].event_time.unix_millis(), 11_500);
    events[0].validate().unwrap();
    assert!(pack.entry(ITEM_C, 14_500, false).unwrap().is_empty());
    assert!(
        pack.tick(30_000).unwrap().is_empty(),
        "a loose item makes no event"
    );
}

#[test]
fn items_too_early_are_not_packed_and_a_second_case_closes_the_first() {
    let (_, mut pack) = stations();
    pack.entry(ITEM_A, 0, false).unwrap();
    pack.entry(CASE, 5_000, false).unwrap();
    pack.entry(ITEM_B, 5_100, false).unwrap();
    let other_case = "urn:epc:id:sscc:0614141.1234567891";
    let events = pack.entry(other_case, 5_200, false).unwrap();
    let EventKind::Aggregation(a) = &events[0].kind else {
        panic!("not aggregation")
    };
    assert_eq!(
        (a.parent_id.as_deref(), a.child_epcs.as_slice()),
        (Some(CASE), &[ITEM_B.to_owned()][..])
    );
    assert!(
        pack.tick(60_000).unwrap().is_empty(),
        "the empty second case makes no event"
    );
}

#[test]
fn unpack_deletes() {
    let config =
        Config::parse(&EXAMPLE.replace("profile = \"pack\"", "profile = \"unpack\"")).unwrap();
    let mut unpack = Station::new(config.stations[1].clone(), TimeZoneOffset::UTC);
    unpack.entry(CASE, 0, false).unwrap();
    unpack.entry(ITEM_A, 10, false).unwrap();
    let events = unpack.tick(5_000).unwrap();
    assert!(matches!(&events[0].kind, EventKind::Aggregation(a) if a.action == Action::Delete));
}

fn door() -> Station {
    let text = EXAMPLE.replace(
        "owning_party = \"urn:epc:id:pgln:0614141.00001\"",
        "owning_party = \"urn:epc:id:pgln:0614141.00001\"\n\
         direction = { outside_antenna = 1, inside_antenna = 2, \
         inbound_biz_step = \"receiving\", inbound_disposition = \"in_progress\", \
         outbound_biz_step = \"shipping\", outbound_disposition = \"in_transit\" }",
    );
    let config = Config::parse(&text).unwrap();
    Station::new(config.stations[0].clone(), TimeZoneOffset::UTC)
}

#[test]
fn antenna_order_gives_the_direction_of_a_crossing() {
    let mut door = door();
    assert!(
        door.entry(ITEM_A, 0, false).unwrap().is_empty(),
        "entries make no event at a door"
    );
    // A: outside (1) then inside (2): inbound. B: inside then outside: outbound.
    assert!(door.sighting(ITEM_A, 1, 0, || false).unwrap().is_empty());
    assert!(door.sighting(ITEM_A, 1, 10, || false).unwrap().is_empty());
    let inbound = door.sighting(ITEM_A, 2, 20, || false).unwrap();
    assert_eq!(inbound[0].biz_step, Some(BizStep::Receiving));
    assert_eq!(inbound[0].disposition, Some(Disposition::InProgress));
    assert_eq!(
        inbound[0].destinations.len(),
        1,
        "received by the owning party"
    );
    assert!(
        door.sighting(ITEM_A, 1, 30, || false).unwrap().is_empty(),
        "one crossing, one event"
    );

    door.sighting(ITEM_B, 2, 0, || false).unwrap();
    let outbound = door.sighting(ITEM_B, 1, 40, || true).unwrap();
    assert_eq!(outbound[0].biz_step, Some(BizStep::Shipping));
    assert_eq!(outbound[0].disposition, Some(Disposition::Recalled));
    assert_eq!(outbound[0].event_time.unix_millis(), 40);

    // A tag seen on one side only has not crossed; an unknown antenna is ignored.
    assert!(door.sighting(ITEM_C, 1, 0, || false).unwrap().is_empty());
    assert!(door.sighting(ITEM_C, 3, 5, || false).unwrap().is_empty());
    // After it leaves, the same tag can cross again.
    door.exit(ITEM_A);
    door.sighting(ITEM_A, 2, 100, || false).unwrap();
    let back = door.sighting(ITEM_A, 1, 110, || false).unwrap();
    assert_eq!(back[0].biz_step, Some(BizStep::Shipping));
}

fn mixer() -> Station {
    let config = Config::parse(include_str!("../../examples/production-line.toml")).unwrap();
    let tz = config.gateway.timezone;
    Station::new(config.stations[0].clone(), tz)
}

const FLOUR: &str = "urn:epc:id:sgtin:4012345.011111.7";
const SUGAR: &str = "urn:epc:id:grai:4012345.99999.55";
const CASE_OUT: &str = "urn:epc:id:sgtin:0614141.812345.900";
const MIN: u64 = 60_000;

fn transformation(events: &[Event]) -> &trace_proto::event::TransformationEvent {
    assert_eq!(events.len(), 1, "{events:?}");
    match &events[0].kind {
        EventKind::Transformation(t) => t,
        other => panic!("{}", other.type_name()),
    }
}

#[test]
fn a_production_run_becomes_one_transformation_with_the_current_lot() {
    let mut mixer = mixer();
    assert!(mixer.entry(FLOUR, 1_000, false).unwrap().is_empty());
    assert!(mixer.entry(SUGAR, 2_000, false).unwrap().is_empty());
    assert!(mixer.entry(CASE_OUT, 3_000, false).unwrap().is_empty());
    assert!(mixer.entry(FLOUR, 4_000, false).unwrap().is_empty());
    assert!(
        mixer.tick(1_000 + 10 * MIN).unwrap().is_empty(),
        "window still open"
    );
    let events = mixer.tick(1_001 + 10 * MIN).unwrap();
    let t = transformation(&events);
    assert_eq!(t.input_epc_list, [FLOUR, SUGAR], "each input once");
    assert_eq!(t.output_epc_list, [CASE_OUT]);
    assert_eq!(
        t.output_quantity_list[0].epc_class,
        "urn:epc:class:lgtin:0614141.812345.B2612-06"
    );
    let ilmd = t.ilmd.as_ref().unwrap();
    assert_eq!(ilmd.lot_number.as_deref(), Some("B2612-06"));
    assert_eq!(ilmd.country_of_origin.as_deref(), Some("FR"));
    assert_eq!(ilmd.production_date.unwrap().to_string(), "2026-12-03");
    assert_eq!(events[0].event_time.unix_millis(), 1_000, "the run's start");
    assert_eq!(
        events[0].read_point.as_ref().unwrap().id,
        "urn:epc:id:sgln:0614141.00888.1"
    );
    assert!(mixer.tick(100 * MIN).unwrap().is_empty(), "closed once");
}

#[test]
fn a_new_lot_closes_the_run_under_the_old_one_and_applies_to_the_next() {
    let mut mixer = mixer();
    mixer.entry(FLOUR, 0, false).unwrap();
    let new_lot = LotData {
        lot: Some("B2612-07".into()),
        ..LotData::default()
    };
    let events = mixer.set_lot(new_lot).unwrap();
    let t = transformation(&events);
    assert_eq!(
        t.ilmd.as_ref().unwrap().lot_number.as_deref(),
        Some("B2612-06")
    );
    mixer.entry(SUGAR, MIN, false).unwrap();
    let events = mixer.flush().unwrap();
    let t = transformation(&events);
    assert_eq!(t.input_epc_list, [SUGAR]);
    assert_eq!(
        t.ilmd.as_ref().unwrap().lot_number.as_deref(),
        Some("B2612-07")
    );
    assert_eq!(t.ilmd.as_ref().unwrap().country_of_origin, None);
}

#[test]
fn a_run_without_inputs_or_without_any_output_makes_no_event() {
    let mut mixer = mixer();
    mixer.entry(CASE_OUT, 0, false).unwrap();
    assert!(mixer.flush().unwrap().is_empty(), "outputs only");
    mixer.set_lot(LotData::default()).unwrap();
    mixer.entry(FLOUR, 0, false).unwrap();
    assert!(mixer.flush().unwrap().is_empty(), "no output tag, no lot");
    mixer.entry(FLOUR, 0, false).unwrap();
    mixer.entry(CASE_OUT, 0, false).unwrap();
    let events = mixer.flush().unwrap();
    let t = transformation(&events);
    assert!(t.output_quantity_list.is_empty() && t.output_epc_list == [CASE_OUT]);
    // A run gathered before any lot was set waits for one and takes it.
    mixer.entry(SUGAR, 0, false).unwrap();
    let late = LotData {
        lot: Some("L-9".into()),
        ..LotData::default()
    };
    assert!(mixer.set_lot(late).unwrap().is_empty());
    let events = mixer.flush().unwrap();
    let t = transformation(&events);
    assert_eq!(t.input_epc_list, [SUGAR]);
    assert_eq!(
        t.output_quantity_list[0].epc_class,
        "urn:epc:class:lgtin:0614141.812345.L-9"
    );
}

#[test]
fn a_commissioning_station_writes_the_lot_set_last() {
    let config = Config::parse(include_str!("../../examples/production-line.toml")).unwrap();
    let mut labeller = Station::new(config.stations[1].clone(), config.gateway.timezone);
    labeller
        .set_lot(LotData {
            lot: Some("B2612-07".into()),
            expiry_date: Some("2027-06-04".parse().unwrap()),
            ..LotData::default()
        })
        .unwrap();
    let events = labeller.entry(CASE_OUT, 0, false).unwrap();
    let EventKind::Object(o) = &events[0].kind else {
        panic!("not an object event");
    };
    let ilmd = o.ilmd.as_ref().unwrap();
    assert_eq!(ilmd.lot_number.as_deref(), Some("B2612-07"));
    assert_eq!(ilmd.item_expiration_date.unwrap().to_string(), "2027-06-04");
    assert_eq!(o.action, Action::Add);
}
