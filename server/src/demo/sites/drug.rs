//! The medicine chain: serialised packs from the plant to two pharmacies, one lot recalled
//! before they dispense.

use super::{
    Chain, Expectation, Lot, Profile, Step, lgtin, loose, phase, run, sgtin, site, tags, with,
};

/// Medicine: a plant serialises two lots, a wholesaler passes them on, two pharmacies
/// receive them; lot A is recalled and each pharmacy then scans one lot-A pack.
pub fn drug() -> Chain {
    const ITEM: &str = "054321";
    let pack = |n: u32| sgtin(ITEM, 5000 + n);
    let sites = vec![
        site("demo-pharma-plant", "Northwind pharma plant", 21),
        site("demo-wholesaler", "Medline wholesaler", 22),
        site("demo-pharmacy-1", "Pharmacy 1", 23),
        site("demo-pharmacy-2", "Pharmacy 2", 24),
    ];
    let lot = |lot: &str| Lot {
        lot: Some(lot.to_owned()),
        production_date: "2026-10-01".into(),
        expiry_date: Some("2028-09-30".into()),
        country: "IE".into(),
    };
    let all: Vec<String> = (1..=16).map(pack).collect();
    // Pharmacy p gets packs 4p+1..4p+4 of lot A (1..8) and the same of lot B (9..16).
    let delivered = |p: u32| -> Vec<String> {
        (1..=4)
            .map(|i| pack(p * 4 + i))
            .chain((1..=4).map(|i| pack(8 + p * 4 + i)))
            .collect()
    };
    let dispensed = |p: u32| vec![pack(8 + p * 4 + 1), pack(8 + p * 4 + 2), pack(p * 4 + 1)];
    let steps = vec![
        phase(
            "plant serialises lot A (8 packs)",
            vec![with(
                Profile::Commission(lot("AMX-26A")),
                run(
                    0,
                    "commissioning",
                    "active",
                    loose((1..=8).map(pack).collect()),
                ),
            )],
        ),
        phase(
            "plant serialises lot B (8 packs)",
            vec![with(
                Profile::Commission(lot("AMX-26B")),
                run(
                    0,
                    "commissioning",
                    "active",
                    loose((9..=16).map(pack).collect()),
                ),
            )],
        ),
        phase(
            "plant ships 16 packs",
            vec![run(0, "shipping", "in_transit", tags(all.clone()))],
        ),
        phase(
            "wholesaler receives the packs",
            vec![run(1, "receiving", "in_progress", tags(all.clone()))],
        ),
        phase(
            "wholesaler ships to 2 pharmacies",
            vec![run(1, "shipping", "in_transit", tags(all))],
        ),
        phase(
            "pharmacies receive 8 packs each",
            (0..2)
                .map(|p| {
                    run(
                        2 + p as usize,
                        "receiving",
                        "in_progress",
                        tags(delivered(p)),
                    )
                })
                .collect(),
        ),
        Step::Recall {
            code: lgtin(ITEM, "AMX-26A"),
            reason: "Lot A failed the dissolution test".into(),
        },
        phase(
            "pharmacies dispense, one recalled pack each",
            (0..2)
                .map(|p| {
                    run(
                        2 + p as usize,
                        "dispensing",
                        "dispensed",
                        tags(dispensed(p)),
                    )
                })
                .collect(),
        ),
    ];
    // Lot A's packs 1-4 went to pharmacy 1, 5-8 to pharmacy 2.
    let recalled_at = (0..2u32)
        .flat_map(|p| {
            let place = sites
                .get(2 + p as usize)
                .map(|s| s.location.clone())
                .unwrap_or_default();
            (1..=4).map(move |i| (pack(p * 4 + i), place.clone()))
        })
        .collect();
    Chain {
        name: "drug",
        expect: (0..2)
            .map(|p| Expectation::FlaggedScan {
                unit: pack(p * 4 + 1),
                gateway: format!("demo-pharmacy-{}", p + 1),
            })
            .chain([Expectation::RecallReach {
                code: lgtin(ITEM, "AMX-26A"),
                units: recalled_at,
            }])
            .collect(),
        showcase: vec![(pack(1), "a recalled medicine pack".into())],
        sites,
        steps,
    }
}
