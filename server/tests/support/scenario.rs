//! The scenario itself: who signs what, when and where.

use std::collections::HashMap;

use trace_proto::event::{
    Action, BizStep, Disposition, EventKind, QuantityElement, SourceDest, SourceDestType,
    TransformationEvent,
};
use trace_server::store::{EventKey, GatewayRecord, Store};

use super::{Gateway, Sink, StoreSink, aggregation, at, event, lot, object, place};

/// Parties and places of the scenario.
pub mod names {
    pub const FACTORY_PARTY: &str = "urn:epc:id:pgln:0614141.00000";
    pub const DC_PARTY: &str = "urn:epc:id:pgln:4012345.00000";
    pub const SHOP_PARTY: &str = "urn:epc:id:pgln:5012345.00000";
    pub const FACTORY: &str = "urn:epc:id:sgln:0614141.00001.0";
    pub const LINE: &str = "urn:epc:id:sgln:0614141.00001.1";
    pub const FACTORY_DOCK: &str = "urn:epc:id:sgln:0614141.00001.2";
    pub const DC: &str = "urn:epc:id:sgln:4012345.00001.0";
    pub const DC_DOCK: &str = "urn:epc:id:sgln:4012345.00001.1";
    pub const DC_STORAGE: &str = "urn:epc:id:sgln:4012345.00001.5";
    pub const SHOP: &str = "urn:epc:id:sgln:5012345.00001.0";
    pub const PLANT: &str = "urn:epc:id:sgln:0614141.00002.0";
    pub const CUSTOMER: &str = "urn:epc:id:sgln:7012345.00001.0";
}

/// The identifiers and event keys of the committed scenario.
pub struct Scenario {
    /// `urn:epc:class:lgtin:0614141.812345.LOT42`.
    pub lot: String,
    /// Six units of the lot; 0–2 in `case1`, 3–5 in `case2`; unit 0 is sold.
    pub units: Vec<String>,
    pub case1: String,
    pub case2: String,
    pub pallet: String,
    pub flour_lot: String,
    pub flour: Vec<String>,
    pub sugar_lot: String,
    pub sugar: String,
    pub cake_lot: String,
    pub cakes: Vec<String>,
    pub boiler: String,
    /// Keys by step name (`commission`, `pack-case1`, … see [`commit_scenario`]).
    pub keys: HashMap<&'static str, EventKey>,
    pub gateways: Vec<GatewayRecord>,
}

impl Scenario {
    /// The key of step `name`.
    pub fn key(&self, name: &str) -> EventKey {
        self.keys[name]
    }
}

/// Commits the whole scenario into `store` (empty) and returns what it used.
pub fn commit_scenario(store: &dyn Store) -> Scenario {
    play_scenario(&mut StoreSink(store))
}

/// Signs the whole scenario and hands it to `sink`, gateway batch by batch.
pub fn play_scenario(store: &mut dyn Sink) -> Scenario {
    use names::*;
    let sgtin = |item: &str, serial: u32| format!("urn:epc:id:sgtin:0614141.{item}.{serial}");
    let units: Vec<String> = (101..=106).map(|n| sgtin("812345", n)).collect();
    let u: Vec<&str> = units.iter().map(String::as_str).collect();
    let case1 = "urn:epc:id:sscc:0614141.1234567890";
    let case2 = "urn:epc:id:sscc:0614141.1234567891";
    let pallet = "urn:epc:id:sscc:0614141.0000000001";
    let flour = [sgtin("812346", 1), sgtin("812346", 2)];
    let sugar = sgtin("812347", 1);
    let cakes = [sgtin("812348", 1), sgtin("812348", 2)];
    let boiler = "urn:epc:id:giai:0614141.BOILER-0001";
    let sugar_lot = "urn:epc:class:lgtin:0614141.812347.SUGAR3";

    let mut factory = Gateway::new("gw-factory", 1, FACTORY_PARTY);
    let mut dc = Gateway::new("gw-dc", 2, DC_PARTY);
    let mut shop = Gateway::new("gw-shop", 3, SHOP_PARTY);
    for gateway in [&factory, &dc, &shop] {
        store.enroll(&gateway.record());
    }

    let mut commission = event(
        object(Action::Add, &u, lot("LOT42")),
        at(2, "08:00"),
        BizStep::Commissioning,
        LINE,
    );
    commission.disposition = Some(Disposition::Active);
    commission.biz_location = place(FACTORY);
    let pack1 = event(
        aggregation(Action::Add, case1, &u[0..3]),
        at(2, "09:00"),
        BizStep::Packing,
        LINE,
    );
    let pack2 = event(
        aggregation(Action::Add, case2, &u[3..6]),
        at(2, "09:01"),
        BizStep::Packing,
        LINE,
    );
    let palletise = event(
        aggregation(Action::Add, pallet, &[case1, case2]),
        at(2, "10:00"),
        BizStep::Packing,
        LINE,
    );
    let mut ship = event(
        object(Action::Observe, &[pallet], None),
        at(3, "07:00"),
        BizStep::Shipping,
        FACTORY_DOCK,
    );
    ship.disposition = Some(Disposition::InTransit);
    ship.sources = vec![SourceDest {
        kind: SourceDestType::OwningParty,
        id: FACTORY_PARTY.into(),
    }];
    ship.destinations = vec![SourceDest {
        kind: SourceDestType::PossessingParty,
        id: DC_PARTY.into(),
    }];
    let keys_factory = factory.commit(store, vec![commission, pack1, pack2, palletise, ship]);

    let mut receive = event(
        object(Action::Observe, &[pallet], None),
        at(4, "14:00"),
        BizStep::Receiving,
        DC_DOCK,
    );
    receive.disposition = Some(Disposition::SellableNotAccessible);
    receive.biz_location = place(DC);
    let mut unpack_pallet = event(
        aggregation(Action::Delete, pallet, &[case1]),
        at(4, "15:00"),
        BizStep::Unpacking,
        DC_DOCK,
    );
    unpack_pallet.biz_location = place(DC);
    let mut unpack_case = event(
        aggregation(Action::Delete, case1, &[u[0]]),
        at(4, "16:00"),
        BizStep::Unpacking,
        DC_DOCK,
    );
    unpack_case.biz_location = place(DC);
    let keys_dc = dc.commit(store, vec![receive, unpack_pallet, unpack_case]);

    let mut sell = event(
        object(Action::Observe, &[u[0]], None),
        at(5, "11:30"),
        BizStep::RetailSelling,
        SHOP,
    );
    sell.disposition = Some(Disposition::RetailSold);
    sell.biz_location = place(SHOP);
    let keys_shop = shop.commit(store, vec![sell]);

    let mut store_pallet = event(
        object(Action::Observe, &[pallet], None),
        at(6, "09:00"),
        BizStep::Storing,
        DC_STORAGE,
    );
    store_pallet.disposition = Some(Disposition::SellableAccessible);
    store_pallet.biz_location = place(DC_STORAGE);
    let keys_storing = dc.commit(store, vec![store_pallet]);

    let f: Vec<&str> = flour.iter().map(String::as_str).collect();
    let mut mill = event(
        object(Action::Add, &f, lot("FLOUR7")),
        at(1, "06:00"),
        BizStep::Commissioning,
        PLANT,
    );
    mill.biz_location = place(PLANT);
    let refine = event(
        object(Action::Add, &[&sugar], lot("SUGAR3")),
        at(1, "06:30"),
        BizStep::Commissioning,
        PLANT,
    );
    let bake_kind = EventKind::Transformation(TransformationEvent {
        input_epc_list: flour.to_vec(),
        input_quantity_list: vec![QuantityElement {
            epc_class: sugar_lot.into(),
            quantity: Some(25.into()),
            uom: Some("KGM".into()),
        }],
        output_epc_list: cakes.to_vec(),
        ilmd: lot("CAKE1"),
        ..TransformationEvent::default()
    });
    let mut bake = event(bake_kind, at(1, "12:00"), BizStep::Commissioning, PLANT);
    bake.biz_location = place(PLANT);
    let keys_plant = factory.commit(store, vec![mill, refine, bake]);

    let steps = [
        (
            BizStep::Commissioning,
            Action::Add,
            at(7, "08:00"),
            PLANT,
            None,
        ),
        (
            BizStep::Installing,
            Action::Observe,
            at(8, "10:00"),
            CUSTOMER,
            None,
        ),
        (
            BizStep::Inspecting,
            Action::Observe,
            at(9, "10:00"),
            CUSTOMER,
            Some(Disposition::Conformant),
        ),
        (
            BizStep::Repairing,
            Action::Observe,
            at(10, "10:00"),
            CUSTOMER,
            None,
        ),
        (
            BizStep::Decommissioning,
            Action::Observe,
            at(11, "10:00"),
            CUSTOMER,
            Some(Disposition::Destroyed),
        ),
    ];
    let boiler_events = steps
        .into_iter()
        .map(|(step, action, time, location, disposition)| {
            let mut e = event(object(action, &[boiler], None), time, step, location);
            e.biz_location = place(location);
            e.disposition = disposition;
            e
        })
        .collect();
    let keys_boiler = factory.commit(store, boiler_events);

    let names = [
        "commission",
        "pack-case1",
        "pack-case2",
        "palletise",
        "ship",
        "receive",
        "unpack-pallet",
        "unpack-case1",
        "sell",
        "store-pallet",
        "mill",
        "refine",
        "bake",
        "manufacture",
        "install",
        "inspect",
        "repair",
        "scrap",
    ];
    let all = [
        keys_factory,
        keys_dc,
        keys_shop,
        keys_storing,
        keys_plant,
        keys_boiler,
    ]
    .concat();
    Scenario {
        lot: "urn:epc:class:lgtin:0614141.812345.LOT42".into(),
        units,
        case1: case1.into(),
        case2: case2.into(),
        pallet: pallet.into(),
        flour_lot: "urn:epc:class:lgtin:0614141.812346.FLOUR7".into(),
        flour: flour.to_vec(),
        sugar_lot: sugar_lot.into(),
        sugar,
        cake_lot: "urn:epc:class:lgtin:0614141.812348.CAKE1".into(),
        cakes: cakes.to_vec(),
        boiler: boiler.into(),
        keys: names.into_iter().zip(all).collect(),
        gateways: vec![factory.record(), dc.record(), shop.record()],
    }
}

/// Commits two containers packed into each other (`a` into `b`, then `b` into `a`) and
/// returns `(a, b)`.
pub fn commit_cycle(store: &dyn Store) -> (String, String) {
    let store = &mut StoreSink(store);
    let a = "urn:epc:id:sscc:0614141.9000000001";
    let b = "urn:epc:id:sscc:0614141.9000000002";
    let mut gateway = Gateway::new("gw-loop", 9, names::FACTORY_PARTY);
    store.enroll(&gateway.record());
    gateway.commit(
        store,
        vec![
            event(
                aggregation(Action::Add, b, &[a]),
                at(12, "08:00"),
                BizStep::Packing,
                names::LINE,
            ),
            event(
                aggregation(Action::Add, a, &[b]),
                at(12, "09:00"),
                BizStep::Packing,
                names::LINE,
            ),
        ],
    );
    (a.into(), b.into())
}
