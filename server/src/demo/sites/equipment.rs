//! The special-equipment chain: gas cylinders (GIAI) through their service life.

use super::{CP, Chain, Expectation, Lot, Profile, phase, run, site, tags, with};

/// Gas cylinders (GIAI): made, installed, inspected twice; cylinder 3 fails, is
/// repaired, fails its re-test and is scrapped.
pub fn equipment() -> Chain {
    let cylinder = |n: u32| format!("urn:epc:id:giai:{CP}.{}", 700_000 + n);
    let all: Vec<String> = (1..=6).map(cylinder).collect();
    let others: Vec<String> = [1, 2, 4, 5, 6].into_iter().map(cylinder).collect();
    let third = vec![cylinder(3)];
    let sites = vec![
        site("demo-cylinder-plant", "Cylinder works", 31),
        site("demo-brewery", "Brewery (cylinder user)", 32),
        site("demo-inspector", "Inspection body", 33),
        site("demo-repair-shop", "Cylinder repair shop", 34),
    ];
    let made = Lot {
        lot: None,
        production_date: "2026-01-15".into(),
        expiry_date: None,
        country: "IT".into(),
    };
    let steps = vec![
        phase(
            "works manufactures 6 cylinders",
            vec![with(
                Profile::Commission(made),
                run(0, "commissioning", "active", tags(all.clone())),
            )],
        ),
        phase(
            "brewery installs the cylinders",
            vec![run(1, "installing", "in_progress", tags(all.clone()))],
        ),
        phase(
            "first periodic inspection: all pass",
            vec![run(2, "inspecting", "conformant", tags(all))],
        ),
        phase(
            "second periodic inspection: 5 pass",
            vec![run(2, "inspecting", "conformant", tags(others))],
        ),
        phase(
            "second periodic inspection: cylinder 3 fails",
            vec![run(2, "inspecting", "non_conformant", tags(third.clone()))],
        ),
        phase(
            "repair shop repairs cylinder 3",
            vec![run(3, "repairing", "in_progress", tags(third.clone()))],
        ),
        phase(
            "re-test: cylinder 3 fails again",
            vec![run(2, "inspecting", "non_conformant", tags(third.clone()))],
        ),
        phase(
            "repair shop scraps cylinder 3",
            vec![run(3, "destroying", "destroyed", tags(third))],
        ),
    ];
    Chain {
        name: "equipment",
        expect: vec![Expectation::History {
            asset: cylinder(3),
            biz_steps: vec![
                "commissioning",
                "installing",
                "inspecting",
                "inspecting",
                "repairing",
                "inspecting",
                "destroying",
            ],
        }],
        showcase: vec![(cylinder(3), "a scrapped gas cylinder's history".into())],
        sites,
        steps,
    }
}
