//! Both systems' answers to the trace workload, checked against each other and printed
//! side by side.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use trace_server::import::Meta;
use trace_server::import::build::{EVENT_ID_PREFIX, key};
use trace_server::trace::Trace;

use super::pg::{Pg, Q1Row};

/// Our answers.
pub struct Ours {
    pub recall: Trace,
    /// Every identifier the recall reached except lot classes: units and containers.
    pub affected: HashSet<String>,
    /// Workload event ids of the origin trace's hops, ascending.
    pub origin: Vec<u64>,
    /// Workload event ids naming the look-up unit, ascending.
    pub point: Vec<u64>,
}

fn workload_id(event_id: &str) -> u64 {
    event_id
        .strip_prefix(EVENT_ID_PREFIX)
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("{event_id} is not an imported workload event"))
}

impl Ours {
    pub fn new(recall: Trace, origin: Trace, point: Vec<String>) -> Self {
        let affected = recall
            .reached
            .iter()
            .filter(|r| !r.starts_with("urn:epc:class:"))
            .cloned()
            .collect();
        let mut origin: Vec<u64> = origin
            .events
            .iter()
            .map(|h| workload_id(&h.event_id))
            .collect();
        origin.sort_unstable();
        let mut point: Vec<u64> = point.iter().map(|id| workload_id(id)).collect();
        point.sort_unstable();
        Self {
            recall,
            affected,
            origin,
            point,
        }
    }
}

/// PostgreSQL's answers.
pub struct Answers {
    pub recall: Vec<Q1Row>,
    pub origin: Vec<u64>,
    pub point: Vec<u64>,
}

impl Answers {
    pub fn read(pg: &Pg, meta: &Meta) -> Self {
        let mut origin = pg.event_ids("q2_origin.sql", &meta.q2_epc);
        let mut point = pg.event_ids("q3_point.sql", &meta.q3_epc);
        origin.sort_unstable();
        point.sort_unstable();
        Self {
            recall: pg.recall(&meta.recall_lgtin),
            origin,
            point,
        }
    }

    fn units(&self) -> usize {
        self.recall.iter().filter(|r| r.kind == "unit").count()
    }
}

/// Every disagreement, in words; empty when the answers agree.
///
/// Per unit: where PostgreSQL's latest event naming the unit directly is ours too when the
/// unit is unpacked; while packed, ours must be its outermost container's latest event
/// (a unit on a pallet is where the pallet last was).
pub fn check(meta: &Meta, ours: &Ours, theirs: &Answers) -> Vec<String> {
    let mut problems = Vec::new();
    let pg_ids: HashSet<&str> = theirs.recall.iter().map(|r| r.epc.as_str()).collect();
    let missing: Vec<&&str> = pg_ids
        .iter()
        .filter(|id| !ours.affected.contains(**id))
        .collect();
    let extra: Vec<&String> = ours
        .affected
        .iter()
        .filter(|id| !pg_ids.contains(id.as_str()))
        .collect();
    if !missing.is_empty() || !extra.is_empty() || pg_ids.len() != theirs.recall.len() {
        problems.push(format!(
            "Q1 affected identifiers: ours {}, PostgreSQL {} ({} rows); {} only PostgreSQL's \
             (e.g. {:?}), {} only ours (e.g. {:?})",
            ours.affected.len(),
            pg_ids.len(),
            theirs.recall.len(),
            missing.len(),
            missing.iter().take(3).collect::<Vec<_>>(),
            extra.len(),
            extra.iter().take(3).collect::<Vec<_>>()
        ));
    }
    if ours.recall.units.len() != theirs.units()
        || ours.recall.units.len() as u64 != meta.recall_units
    {
        problems.push(format!(
            "Q1 units: ours {}, PostgreSQL {}, meta.json {}",
            ours.recall.units.len(),
            theirs.units(),
            meta.recall_units
        ));
    }
    let namespace = meta.namespace();
    let rows: HashMap<&str, &Q1Row> = theirs.recall.iter().map(|r| (r.epc.as_str(), r)).collect();
    let mut wrong = Vec::new();
    for unit in &ours.recall.units {
        let at = unit.container.as_deref().unwrap_or(&unit.id);
        let agrees = rows.get(at).is_some_and(|row| {
            unit.last_event == Some(key(&namespace, row.event_id))
                && unit.location.as_deref() == Some(row.location.as_str())
        });
        if !agrees {
            wrong.push(unit);
        }
    }
    if !wrong.is_empty() {
        problems.push(format!(
            "Q1 last location differs for {} units, e.g. {:?}",
            wrong.len(),
            wrong.iter().take(2).collect::<Vec<_>>()
        ));
    }
    for (question, a, b) in [
        ("Q2", &ours.origin, &theirs.origin),
        ("Q3", &ours.point, &theirs.point),
    ] {
        if a != b {
            let only_a: Vec<_> = a.iter().filter(|x| !b.contains(x)).take(5).collect();
            let only_b: Vec<_> = b.iter().filter(|x| !a.contains(x)).take(5).collect();
            problems.push(format!(
                "{question} events: ours {}, PostgreSQL {}; only ours {only_a:?}, only \
                 PostgreSQL's {only_b:?}",
                a.len(),
                b.len()
            ));
        }
    }
    problems
}

fn human(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s >= 1.0 {
        format!("{s:.2} s")
    } else if s >= 1e-3 {
        format!("{:.2} ms", s * 1e3)
    } else {
        format!("{:.1} µs", s * 1e6)
    }
}

fn spread(times: &[Duration]) -> String {
    let mut sorted = times.to_vec();
    sorted.sort_unstable();
    match (sorted.first(), sorted.last()) {
        (Some(min), Some(max)) => format!(
            "{} (min {}, max {}, n={})",
            human(sorted[sorted.len() / 2]),
            human(*min),
            human(*max),
            sorted.len()
        ),
        _ => "—".into(),
    }
}

/// The side-by-side table, markdown.
pub fn table(
    meta: &Meta,
    load: [Duration; 2],
    bytes: [u64; 2],
    times: [&[Vec<Duration>; 3]; 2],
    ours: &Ours,
    theirs: &Answers,
) {
    let rows = meta.rows.events
        + meta.rows.event_epcs
        + meta.rows.aggregations
        + meta.rows.transformations;
    println!(
        "\ntrace workload: {} units, {} events, {} CSV rows ({} event-identifier rows)\n",
        meta.units, meta.rows.events, rows, meta.rows.event_epcs
    );
    println!("| | rfid-trace (redb, in-process) | PostgreSQL (psql) |");
    println!("|---|---|---|");
    println!("| load | {} | {} |", human(load[0]), human(load[1]));
    println!(
        "| on disk | {:.1} MB | {:.1} MB |",
        bytes[0] as f64 / 1e6,
        bytes[1] as f64 / 1e6
    );
    let names = ["Q1 recall", "Q2 origin", "Q3 point look-up"];
    for (i, name) in names.iter().enumerate() {
        println!(
            "| {name}, median | {} | {} |",
            spread(&times[0][i]),
            spread(&times[1][i])
        );
    }
    let packed = ours
        .recall
        .units
        .iter()
        .filter(|u| u.container.is_some())
        .count();
    println!(
        "| Q1 affected identifiers (units) | {} ({}) | {} ({}) |",
        ours.affected.len(),
        ours.recall.units.len(),
        theirs.recall.len(),
        theirs.units()
    );
    println!(
        "| Q1 units still packed (located by their container) | {packed} | — (latest own event) |"
    );
    println!(
        "| Q2 origin events | {} | {} |",
        ours.origin.len(),
        theirs.origin.len()
    );
    println!(
        "| Q3 events | {} | {} |",
        ours.point.len(),
        theirs.point.len()
    );
}
