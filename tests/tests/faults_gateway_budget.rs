//! The gateway's disk budget runs out: with the server down, a gateway with a 96 KiB
//! outbox budget streams reads until the budget is reached. It raises the outbox-full
//! alarm, refuses further reads loudly (counted, logged as REFUSED) and keeps what it
//! accepted; once the server is back and acknowledges, the alarm clears, reads are
//! accepted again, and the store holds every accepted seq exactly once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Instant;

use serde_json::Value;
use trace_tests::faults::ledger::Ledger;
use trace_tests::faults::rounds::{PARTY, drain, site_body};
use trace_tests::gateway::{GatewaySite, acked, signed};
use trace_tests::net::free_addr;
use trace_tests::scratch::{Scratch, unique};
use trace_tests::server::{Broker, Server};
use trace_tests::wait::LIVENESS;

const BUDGET: u64 = 96 * 1024;
/// Fast reads, so the budget fills in seconds.
const READ_EVERY_MS: u64 = 5;

fn alarmed(status: &Value) -> bool {
    status["alarms"]
        .as_array()
        .is_some_and(|alarms| alarms.iter().any(|a| a["kind"] == "OutboxFull"))
}

#[test]
fn an_exhausted_budget_refuses_reads_loudly_and_loses_nothing_accepted() {
    let scratch = Scratch::new("faults-budget").unwrap();
    let broker = free_addr().unwrap();
    let data = scratch.join("server-data");
    let log = scratch.join("server.log");
    let id = unique("faults-budget");
    let site = GatewaySite::create_with(
        scratch.path(),
        &id,
        broker,
        &format!("outbox_budget_bytes = {BUDGET}"),
        &site_body(Some(READ_EVERY_MS)),
    )
    .unwrap();
    let mut server = Server::start(&data, &Broker::Embedded(broker), &log).unwrap();
    server.enrol(&id, site.public_key(), PARTY).unwrap();
    server.kill();

    let mut gateway = site.run().unwrap();
    let full = site
        .wait_status(
            &mut gateway,
            "the outbox to fill and refuse reads",
            LIVENESS,
            |s| s["outbox_full"] == true && s["refused_reads"].as_u64().unwrap_or(0) > 0,
        )
        .unwrap();
    assert!(alarmed(&full), "the outbox-full alarm is raised: {full:#}");
    assert_eq!(acked(&full), 0, "nobody acknowledged anything: {full:#}");
    let accepted_when_full = signed(&full);
    let gateway_log = std::fs::read_to_string(site.dir().join("gateway.log")).unwrap();
    assert!(
        gateway_log.contains("REFUSED"),
        "refusals are logged loudly:\n{gateway_log}"
    );

    let back = Instant::now();
    let server = Server::start(&data, &Broker::Embedded(broker), &log).unwrap();
    let resumed = site
        .wait_status(
            &mut gateway,
            "the alarm to clear and reads to be accepted again",
            LIVENESS,
            |s| s["outbox_full"] == false && !alarmed(s) && signed(s) > accepted_when_full,
        )
        .unwrap();
    let recovered = back.elapsed();
    let refused = resumed["refused_reads"].as_u64().unwrap_or(0);

    let (head, _) = drain(&site, &mut gateway, &server).unwrap();
    drop(server);
    gateway.kill();
    let ledger = Ledger::from_store(&data, &id, head).unwrap();
    println!(
        "faults gateway-budget: budget {BUDGET} B; full at seq {accepted_when_full} \
         ({} B held), {refused} reads refused while full; server back: alarm cleared and reads \
         accepted again after {:.1} s; {ledger}",
        full["outbox_bytes"],
        recovered.as_secs_f64(),
    );
    assert!(ledger.exact(), "{}", ledger.mismatch());
}
