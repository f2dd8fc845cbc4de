//! The food chain: apples from the farm to three stores, and the recall of one lot.

use super::{
    Chain, Expectation, Group, Lot, Profile, Run, Step, lgtin, loose, one_per_container, phase,
    run, sgtin, site, sscc, tags, with,
};

/// Apples: a farm harvests two lots, a packhouse packs cases, a distributor breaks them
/// into mixed store pallets, three stores receive, unpack and sell; lot A is recalled.
pub fn food() -> Chain {
    const ITEM: &str = "012345";
    const LOT_A: &str = "APL-2611-A";
    const LOT_B: &str = "APL-2611-B";
    let unit = |n: u32| sgtin(ITEM, 1000 + n);
    let mut sites = vec![
        site("demo-farm", "Sunny Acres farm", 1),
        site("demo-packhouse", "Valley packhouse", 2),
        site("demo-dc", "Central distribution centre", 3),
    ];
    let stores = 3;
    for s in 1..=stores {
        sites.push(site(
            &format!("demo-store-{s}"),
            &format!("Store {s}"),
            10 + s,
        ));
    }
    let harvest = |lot: &str| Lot {
        lot: Some(lot.to_owned()),
        production_date: "2026-11-20".into(),
        expiry_date: Some("2027-01-20".into()),
        country: "DE".into(),
    };
    let cases: Vec<Group> = (0..4)
        .map(|c| Group {
            container: Some(sscc(c + 1)),
            items: (1..=6).map(|i| unit(c * 6 + i)).collect(),
        })
        .collect();
    // Store s gets four units of each lot, so the recall of lot A reaches every store.
    let pallet_units = |s: u32| -> Vec<String> {
        (1..=4)
            .map(|i| unit(s * 4 + i))
            .chain((1..=4).map(|i| unit(12 + s * 4 + i)))
            .collect()
    };
    let pallets: Vec<Group> = (0..stores)
        .map(|s| Group {
            container: Some(sscc(101 + s)),
            items: pallet_units(s),
        })
        .collect();
    let sold = |s: u32| vec![unit(s * 4 + 1), unit(s * 4 + 2), unit(12 + s * 4 + 1)];
    let case_ids: Vec<String> = cases.iter().filter_map(|c| c.container.clone()).collect();
    let pallet_ids: Vec<String> = pallets.iter().filter_map(|p| p.container.clone()).collect();
    let store_runs = |build: &dyn Fn(u32) -> Run| (0..stores).map(build).collect::<Vec<_>>();
    let steps = vec![
        phase(
            "farm harvests lot A (12 units)",
            vec![with(
                Profile::Commission(harvest(LOT_A)),
                run(
                    0,
                    "commissioning",
                    "active",
                    loose((1..=12).map(unit).collect()),
                ),
            )],
        ),
        phase(
            "farm harvests lot B (12 units)",
            vec![with(
                Profile::Commission(harvest(LOT_B)),
                run(
                    0,
                    "commissioning",
                    "active",
                    loose((13..=24).map(unit).collect()),
                ),
            )],
        ),
        phase(
            "packhouse packs 24 units into 4 cases",
            one_per_container(
                Profile::Pack,
                run(1, "packing", "in_progress", cases.clone()),
            ),
        ),
        phase(
            "packhouse ships the cases",
            vec![run(1, "shipping", "in_transit", tags(case_ids.clone()))],
        ),
        phase(
            "distribution centre receives the cases",
            vec![run(2, "receiving", "in_progress", tags(case_ids))],
        ),
        phase(
            "distribution centre breaks the cases",
            one_per_container(Profile::Unpack, run(2, "unpacking", "in_progress", cases)),
        ),
        phase(
            "distribution centre builds 3 store pallets",
            one_per_container(
                Profile::Pack,
                run(2, "packing", "in_progress", pallets.clone()),
            ),
        ),
        phase(
            "distribution centre ships the pallets",
            vec![run(2, "shipping", "in_transit", tags(pallet_ids.clone()))],
        ),
        phase(
            "stores receive their pallets",
            store_runs(&|s| {
                let ids = pallet_ids.get(s as usize).cloned().into_iter().collect();
                run(3 + s as usize, "receiving", "in_progress", tags(ids))
            }),
        ),
        phase(
            "stores unpack their pallets",
            store_runs(&|s| {
                let group = pallets.get(s as usize).cloned().into_iter().collect();
                with(
                    Profile::Unpack,
                    run(3 + s as usize, "unpacking", "sellable_accessible", group),
                )
            }),
        ),
        phase(
            "stores sell 9 units",
            store_runs(&|s| {
                run(
                    3 + s as usize,
                    "retail_selling",
                    "retail_sold",
                    tags(sold(s)),
                )
            }),
        ),
        Step::Recall {
            code: lgtin(ITEM, LOT_A),
            reason: "Listeria monocytogenes found in a retained sample of lot A".into(),
        },
    ];
    let unit_stores = (0..stores)
        .flat_map(|s| {
            let store = sites.get(3 + s as usize).map(|x| x.location.clone());
            (1..=4).map(move |i| (unit(s * 4 + i), store.clone().unwrap_or_default()))
        })
        .collect();
    Chain {
        name: "food",
        expect: vec![
            Expectation::Origin {
                unit: unit(1),
                gateway: "demo-farm".into(),
            },
            Expectation::RecallReach {
                code: lgtin(ITEM, LOT_A),
                units: unit_stores,
            },
        ],
        showcase: vec![
            (unit(1), "a sold apple bag of the recalled lot".into()),
            (unit(13), "a sold apple bag of the good lot".into()),
        ],
        sites,
        steps,
    }
}
