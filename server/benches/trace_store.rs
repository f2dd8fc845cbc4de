//! Trace latency on the same generated store in redb and in PostgreSQL: lots of units
//! commissioned, packed ten to a case, the cases shipped and received; then a forward
//! trace (recall) of one lot and a backward trace (origin) of one unit, through the same
//! `trace` code and the `Store` trait only.
//!
//! `cargo bench -p trace-server --bench trace_store [-- LOTS UNITS_PER_LOT]` (defaults:
//! 20 × 1000). Without `--bench` it builds 2 × 20 once, to prove it works. Needs
//! PostgreSQL as the store tests do (`TRACE_TEST_PG`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../tests/pg/mod.rs"]
mod pg;
#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use support::{Gateway, aggregation, at, event, lot, names, object};
use trace_proto::event::{Action, BizStep};
use trace_server::store::pg_store::PgStore;
use trace_server::store::redb_store::RedbStore;
use trace_server::store::{CommitBatch, Store};
use trace_server::trace::{Direction, Trace, trace};

fn unit(l: usize, n: usize) -> String {
    format!("urn:epc:id:sgtin:0614141.812345.{l}{n:07}")
}

fn case(l: usize, c: usize) -> String {
    format!("urn:epc:id:sscc:0614141.{:010}", l * 100_000 + c)
}

/// Writes the generated chain of `lots` lots of `units` units; one commit per lot.
fn generate(store: &dyn Store, lots: usize, units: usize) {
    let mut factory = Gateway::new("gw-factory", 1, names::FACTORY_PARTY);
    let mut dc = Gateway::new("gw-dc", 2, names::DC_PARTY);
    store.put_gateway(&factory.record()).unwrap();
    store.put_gateway(&dc.record()).unwrap();
    for l in 0..lots {
        let epcs: Vec<String> = (0..units).map(|n| unit(l, n)).collect();
        let refs: Vec<&str> = epcs.iter().map(String::as_str).collect();
        let mut events = vec![factory.stored(event(
            object(Action::Add, &refs, lot(&format!("L{l}"))),
            at(1, "08:00"),
            BizStep::Commissioning,
            names::LINE,
        ))];
        let cases: Vec<String> = (0..units.div_ceil(10)).map(|c| case(l, c)).collect();
        for (c, children) in refs.chunks(10).enumerate() {
            events.push(factory.stored(event(
                aggregation(Action::Add, &cases[c], children),
                at(1, "09:00"),
                BizStep::Packing,
                names::LINE,
            )));
        }
        let case_refs: Vec<&str> = cases.iter().map(String::as_str).collect();
        events.push(factory.stored(event(
            object(Action::Observe, &case_refs, None),
            at(2, "08:00"),
            BizStep::Shipping,
            names::FACTORY_DOCK,
        )));
        events.push(dc.stored(event(
            object(Action::Observe, &case_refs, None),
            at(3, "08:00"),
            BizStep::Receiving,
            names::DC_DOCK,
        )));
        store
            .commit(&CommitBatch {
                events,
                ..CommitBatch::default()
            })
            .unwrap();
    }
}

/// The median of `runs` runs of `work`.
fn median(runs: usize, mut work: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            work();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

/// Builds the store, times the traces, and returns them.
fn measure(name: &str, store: &dyn Store, lots: usize, units: usize, runs: usize) -> [Trace; 2] {
    let start = Instant::now();
    generate(store, lots, units);
    let built = start.elapsed();
    let lot = format!("urn:epc:class:lgtin:0614141.812345.L{}", lots / 2);
    let forward = trace(store, &lot, Direction::Forward).unwrap();
    let one = unit(lots / 2, units / 2);
    let backward = trace(store, &one, Direction::Backward).unwrap();
    let recall = median(runs, || {
        drop(trace(store, &lot, Direction::Forward).unwrap())
    });
    let origin = median(runs, || {
        drop(trace(store, &one, Direction::Backward).unwrap())
    });
    assert_eq!(trace(store, &lot, Direction::Forward).unwrap(), forward);
    assert_eq!(trace(store, &one, Direction::Backward).unwrap(), backward);
    println!(
        "{name:<11} built in {:>6.2} s | forward trace of a {units}-unit lot {:>9.2} ms | \
         backward trace of a unit {:>7.2} ms",
        built.as_secs_f64(),
        recall.as_secs_f64() * 1e3,
        origin.as_secs_f64() * 1e3
    );
    [forward, backward]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let bench = args.iter().any(|a| a == "--bench");
    let numbers: Vec<usize> = args.iter().filter_map(|a| a.parse().ok()).collect();
    let (lots, units, runs) = match (bench, numbers.as_slice()) {
        (false, _) => (2, 20, 1),
        (true, [lots, units, ..]) => (*lots, *units, 9),
        (true, _) => (20, 1000, 9),
    };
    println!("{lots} lots × {units} units, cases of 10 (median of {runs} runs)");
    let dir = tempfile::tempdir().unwrap();
    let redb = RedbStore::open(dir.path()).unwrap();
    let on_redb = measure("redb", &redb, lots, units, runs);
    let schema = pg::Schema::new();
    let postgres = PgStore::open(&schema.url()).unwrap();
    let on_postgres = measure("PostgreSQL", &postgres, lots, units, runs);
    assert!(on_redb == on_postgres, "both backends trace the same");
}
