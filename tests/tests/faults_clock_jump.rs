//! A gateway's clock jumps: it streams reads, restarts with its clock an hour behind
//! (`TRACE_GATEWAY_TEST_CLOCK_OFFSET_MS`, the gateway's test-only clock offset), then an
//! hour ahead. The server stores every event in seq order all the same, and flags the
//! suspect times: `trace_ingest_time_anomalies_total` counts them and its log says
//! which gateway's clock went back and which runs ahead.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use trace_tests::faults::ledger::Ledger;
use trace_tests::faults::rounds::{PARTY, READ_EVERY_MS, drain, site_body};
use trace_tests::gateway::GatewaySite;
use trace_tests::net::free_addr;
use trace_tests::process::Process;
use trace_tests::scratch::{Scratch, unique};
use trace_tests::server::{Broker, Server};
use trace_tests::wait::LIVENESS;

const OFFSET_ENV: &str = "TRACE_GATEWAY_TEST_CLOCK_OFFSET_MS";
const HOUR_MS: i64 = 3_600_000;
/// Events stored in each clock phase at least.
const PER_PHASE: u64 = 10;

/// Waits until the server has stored `PER_PHASE` events beyond seq `from`.
fn stream(server: &Server, site: &GatewaySite, gateway: &mut Process, from: u64) -> u64 {
    server
        .wait_chain_head(site.id(), from + PER_PHASE, LIVENESS, || {
            gateway.check_running("streaming")
        })
        .unwrap()
}

#[test]
fn clock_jumps_keep_seq_order_and_are_flagged() {
    let scratch = Scratch::new("faults-clock").unwrap();
    let broker = free_addr().unwrap();
    let data = scratch.join("server-data");
    let mut server = Server::start(
        &data,
        &Broker::Embedded(broker),
        &scratch.join("server.log"),
    )
    .unwrap();
    let id = unique("faults-clock");
    let site =
        GatewaySite::create(scratch.path(), &id, broker, &site_body(Some(READ_EVERY_MS))).unwrap();
    server.enrol(&id, site.public_key(), PARTY).unwrap();

    let mut gateway = site.run().unwrap();
    let steady = stream(&server, &site, &mut gateway, 0);
    assert_eq!(
        server.metric("trace_ingest_time_anomalies_total").unwrap(),
        Some(0)
    );

    let mut jumps = Vec::new();
    for offset in [-HOUR_MS, HOUR_MS] {
        gateway.kill();
        // Everything after the stopped outbox's head is stamped by the jumped clock.
        let before = site.stopped_head().unwrap().max(steady);
        gateway = site
            .run_with_env(&[(OFFSET_ENV, &offset.to_string())])
            .unwrap();
        stream(&server, &site, &mut gateway, before);
        jumps.push((offset, before));
    }
    let (head, _) = drain(&site, &mut gateway, &server).unwrap();
    let anomalies = server
        .metric("trace_ingest_time_anomalies_total")
        .unwrap()
        .unwrap_or(0);
    server.kill();
    gateway.kill();

    let log = std::fs::read_to_string(scratch.join("server.log")).unwrap();
    let lines = |needle: &str| log.lines().filter(|l| l.contains(needle)).count();
    let back = lines("time anomaly: gateway clock went back");
    let ahead = lines("time anomaly: gateway clock runs");
    let ledger = Ledger::from_store(&data, &id, head).unwrap();
    println!(
        "faults clock-jump: jumps {jumps:?} (offset ms, seq before); {ledger}; time anomalies \
         flagged={anomalies}, log lines: went back {back}, ahead {ahead}",
    );
    assert!(ledger.exact(), "{}", ledger.mismatch());
    assert!(back >= 1, "the backward jump is logged:\n{log}");
    assert!(ahead >= 1, "the clock running ahead is logged:\n{log}");
    assert!(
        anomalies > PER_PHASE,
        "the jump back and every event stamped an hour ahead are counted: {anomalies}"
    );
}
