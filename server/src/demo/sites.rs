//! The demo's three supply chains as data: the sites (each one gateway), the phases
//! they act out in order, the recalls issued between them, and what the `--once` check
//! expects to find afterwards.
//!
//! A site's gateway runs one station at a time (one process per phase), because a
//! `trace-gateway simulate` run plays one scenario to every reader it has: two stations
//! on one gateway would both see every tag. Phases of one chain run one after the
//! other, so event times follow the story; the three chains run side by side.

use super::check::Expectation;

/// The GS1 Company Prefix of every identifier in the demo (GS1's example prefix).
const CP: &str = "0614141";

/// A site: one enrolled gateway acting for one party at one place.
#[derive(Debug, Clone)]
pub struct Site {
    /// Gateway id.
    pub id: String,
    /// What a person calls the site.
    pub name: String,
    /// The party the site acts for (PGLN URI).
    pub party: String,
    /// Where it is (SGLN URI): read point and business location of its events.
    pub location: String,
}

/// Lot master data a commissioning station writes (ILMD).
#[derive(Debug, Clone)]
pub struct Lot {
    /// Lot number, if the product has lots.
    pub lot: Option<String>,
    /// Production date, `YYYY-MM-DD`.
    pub production_date: String,
    /// Expiry date, `YYYY-MM-DD`.
    pub expiry_date: Option<String>,
    /// ISO 3166-1 alpha-2 country of origin.
    pub country: String,
}

/// What a tag arriving at the station means.
#[derive(Debug, Clone)]
pub enum Profile {
    /// One ObjectEvent OBSERVE per tag.
    Observe,
    /// One ObjectEvent ADD with ILMD per tag.
    Commission(Lot),
    /// Items read with a container (SSCC) are packed into it.
    Pack,
    /// Items read with a container (SSCC) are taken out of it.
    Unpack,
}

/// Tags that pass a reader together: a container and its items, or loose items.
#[derive(Debug, Clone)]
pub struct Group {
    /// The container (SSCC URI), if any.
    pub container: Option<String>,
    /// Item URIs.
    pub items: Vec<String>,
}

/// One gateway process acting one station over one scenario.
#[derive(Debug, Clone)]
pub struct Run {
    /// Index into [`Chain::sites`].
    pub site: usize,
    /// CBV business step.
    pub biz_step: &'static str,
    /// CBV disposition.
    pub disposition: &'static str,
    /// The station profile.
    pub profile: Profile,
    /// What passes the reader, in order.
    pub groups: Vec<Group>,
}

impl Run {
    /// Events the run's gateway signs: one per tag, or one per non-empty container when
    /// packing or unpacking.
    pub fn expected_events(&self) -> u64 {
        let count = match self.profile {
            Profile::Observe | Profile::Commission(_) => self
                .groups
                .iter()
                .map(|g| g.items.len() + usize::from(g.container.is_some()))
                .sum(),
            Profile::Pack | Profile::Unpack => self
                .groups
                .iter()
                .filter(|g| g.container.is_some() && !g.items.is_empty())
                .count(),
        };
        u64::try_from(count).unwrap_or(u64::MAX)
    }
}

/// One step of a chain's story.
#[derive(Debug, Clone)]
pub enum Step {
    /// Gateways run side by side until each has stored its events; a site's several
    /// runs take turns, in order.
    Phase {
        /// What happens, for the progress line.
        title: String,
        /// The gateway runs.
        runs: Vec<Run>,
    },
    /// A supervisor recalls a code; the gateways of the previous phase stay up until they
    /// hold the new recall list.
    Recall {
        /// The recalled code (canonical URI).
        code: String,
        /// Why.
        reason: String,
    },
}

/// A supply chain: its sites, its story, what the checks expect, and the units worth
/// showing a person.
#[derive(Debug, Clone)]
pub struct Chain {
    /// Short name (`food`, `drug`, `equipment`).
    pub name: &'static str,
    /// The sites, each one gateway.
    pub sites: Vec<Site>,
    /// The story, in order.
    pub steps: Vec<Step>,
    /// What `--once` checks.
    pub expect: Vec<Expectation>,
    /// Units to open in a browser, with a caption.
    pub showcase: Vec<(String, String)>,
}

fn site(id: &str, name: &str, number: u32) -> Site {
    Site {
        id: id.to_owned(),
        name: name.to_owned(),
        party: format!("urn:epc:id:pgln:{CP}.{number:05}"),
        location: format!("urn:epc:id:sgln:{CP}.{number:05}.0"),
    }
}

fn sgtin(item_ref: &str, serial: u32) -> String {
    format!("urn:epc:id:sgtin:{CP}.{item_ref}.{serial}")
}

fn sscc(serial: u32) -> String {
    format!("urn:epc:id:sscc:{CP}.{serial:010}")
}

fn lgtin(item_ref: &str, lot: &str) -> String {
    format!("urn:epc:class:lgtin:{CP}.{item_ref}.{lot}")
}

fn loose(items: Vec<String>) -> Vec<Group> {
    vec![Group {
        container: None,
        items,
    }]
}

fn tags(tags: Vec<String>) -> Vec<Group> {
    tags.into_iter()
        .map(|tag| Group {
            container: None,
            items: vec![tag],
        })
        .collect()
}

fn run(site: usize, biz_step: &'static str, disposition: &'static str, groups: Vec<Group>) -> Run {
    Run {
        site,
        biz_step,
        disposition,
        profile: Profile::Observe,
        groups,
    }
}

fn phase(title: &str, runs: Vec<Run>) -> Step {
    Step::Phase {
        title: title.to_owned(),
        runs,
    }
}

fn with(profile: Profile, run: Run) -> Run {
    Run { profile, ..run }
}

/// `run` with `profile` split into one run per container: a run whose gateway reads one
/// container with its items at once pairs them right however late the gateway starts,
/// where several containers in one run would need it reading before the second arrives.
fn one_per_container(profile: Profile, run: Run) -> Vec<Run> {
    run.groups
        .iter()
        .map(|group| Run {
            profile: profile.clone(),
            groups: vec![group.clone()],
            ..run.clone()
        })
        .collect()
}

/// All three chains.
pub fn chains() -> Vec<Chain> {
    vec![food(), drug(), equipment()]
}

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
    Chain {
        name: "drug",
        expect: (0..2)
            .map(|p| Expectation::FlaggedScan {
                unit: pack(p * 4 + 1),
                gateway: format!("demo-pharmacy-{}", p + 1),
            })
            .collect(),
        showcase: vec![(pack(1), "a recalled medicine pack".into())],
        sites,
        steps,
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_run_names_a_site_and_makes_events() {
        for chain in chains() {
            for step in &chain.steps {
                if let Step::Phase { runs, .. } = step {
                    for run in runs {
                        assert!(run.site < chain.sites.len(), "{}", chain.name);
                        assert!(run.expected_events() > 0, "{}", chain.name);
                    }
                }
            }
        }
    }

    #[test]
    fn packing_counts_containers_and_observing_counts_tags() {
        let chain = food();
        let counts: Vec<u64> = chain
            .steps
            .iter()
            .filter_map(|s| match s {
                Step::Phase { runs, .. } => Some(runs.iter().map(Run::expected_events).sum()),
                Step::Recall { .. } => None,
            })
            .collect();
        assert_eq!(counts[..4], [12, 12, 4, 4]);
        let Some(Step::Phase { runs, .. }) = chain.steps.get(2) else {
            panic!("the third food step packs");
        };
        assert_eq!(runs.len(), 4, "one run per case");
    }
}
