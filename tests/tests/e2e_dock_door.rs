//! A dock door with an LLRP reader: the `trace-emulate llrp` binary plays a scenario
//! file in which one case crosses from the outside antenna (1) to the inside one (2)
//! and another the other way; the `trace-gateway run` binary drives the reader over
//! LLRP and its dock-door station tells the direction from the antenna order; the
//! `trace-server` binary (embedded broker) stores the crossings. Asserted through the
//! API: one receiving event for the inbound case, one shipping event for the outbound
//! one, each at the door's read point and signed by the gateway.
//!
//! The scenario runs on the emulator's clock from its start, so the gateway is started
//! first and waits for the reader (it retries the connection with back-off); the
//! crossings come [`LEAD`] after the emulator starts, and the test checks that the
//! gateway had the reader's inventory running by then.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;
use std::time::{Duration, Instant};

use trace_tests::bins::{self, Bin};
use trace_tests::gateway::GatewaySite;
use trace_tests::net::free_addr;
use trace_tests::process::Process;
use trace_tests::scratch::{Scratch, unique};
use trace_tests::server::{Broker, Server};
use trace_tests::wait::LIVENESS;

const DOOR: &str = "urn:epc:id:sgln:0614141.00777.0";
const PARTY: &str = "urn:epc:id:pgln:0614141.00001";
const INBOUND: &str = "urn:epc:id:sgtin:0614141.812345.1001";
const OUTBOUND: &str = "urn:epc:id:sgtin:0614141.812345.1002";
/// Emulated time before the first crossing: room for the gateway to connect and
/// start its inventory.
const LEAD: Duration = Duration::from_secs(10);

/// Outside antenna 1, inside antenna 2: each case is seen on one side, then on both,
/// then on the far side only, then leaves.
fn scenario() -> String {
    let lead = LEAD.as_millis();
    let mut steps = String::new();
    for (start, tag, first, second) in [(lead, INBOUND, 1, 2), (lead + 3000, OUTBOUND, 2, 1)] {
        steps.push_str(&format!(
            "{start}ms enter {tag} antenna={first}\n\
             {}ms enter {tag} antenna={second}\n\
             {}ms leave {tag} antenna={first}\n\
             {}ms leave {tag}\n",
            start + 600,
            start + 1000,
            start + 1600,
        ));
    }
    steps
}

fn site_body(reader: std::net::SocketAddr) -> String {
    format!(
        r#"[smoothing]
dwell_ms = 0
exit_ms = 1000

[[reader]]
name = "door-llrp"
kind = "llrp"
address = "{reader}"
keepalive_ms = 1000
station = "door-1"

[[station]]
name = "door-1"
profile = "observe"
read_point = "{DOOR}"
biz_location = "{DOOR}"
biz_step = "receiving"
disposition = "in_progress"

[station.direction]
outside_antenna = 1
inside_antenna = 2
inbound_biz_step = "receiving"
inbound_disposition = "in_progress"
outbound_biz_step = "shipping"
outbound_disposition = "in_transit"
"#
    )
}

#[test]
fn an_llrp_dock_door_reports_receiving_and_shipping_by_antenna_order() {
    let scratch = Scratch::new("dock-door").unwrap();
    let server = Server::start(
        &scratch.join("server-data"),
        &Broker::Embedded("127.0.0.1:0".parse().unwrap()),
        &scratch.join("server.log"),
    )
    .unwrap();
    let reader_addr = free_addr().unwrap();
    let id = unique("e2e-door");
    let site = GatewaySite::create(
        scratch.path(),
        &id,
        server.mqtt().unwrap(),
        &site_body(reader_addr),
    )
    .unwrap();
    server.enrol(&id, site.public_key(), PARTY).unwrap();
    let mut gateway = site.run().unwrap();
    site.wait_status(
        &mut gateway,
        "the gateway to reach the broker",
        LIVENESS,
        |s| s["connected"] == true,
    )
    .unwrap();

    let scenario_file = scratch.join("door.scenario");
    std::fs::write(&scenario_file, scenario()).unwrap();
    let mut command = Command::new(bins::path(Bin::Emulate).unwrap());
    command
        .args(["llrp", "--tcp", &reader_addr.to_string(), "--antennas", "2"])
        .args(["--interval-ms", "50", "--scenario"])
        .arg(&scenario_file);
    let mut emulator =
        Process::spawn("trace-emulate llrp", command, &scratch.join("emulator.log")).unwrap();
    let listening = emulator.wait_line("listening tcp ", LIVENESS).unwrap();
    let started = Instant::now();
    assert_eq!(listening, reader_addr.to_string());

    site.wait_reader_ready(&mut gateway, "door-llrp", LIVENESS)
        .unwrap();
    let ready_after = started.elapsed();
    assert!(
        ready_after < LEAD,
        "precondition: the gateway started the inventory {ready_after:?} after the \
         emulator, later than the scenario's first crossing ({LEAD:?}); raise LEAD"
    );

    server
        .wait_chain_head(&id, 2, LIVENESS + LEAD, || {
            gateway.check_running("the crossings were on their way")?;
            emulator.check_running("the scenario was playing")
        })
        .unwrap();

    for (tag, step, disposition) in [
        (INBOUND, "receiving", "in_progress"),
        (OUTBOUND, "shipping", "in_transit"),
    ] {
        let hops = server.hops_signed_by(tag, &id).unwrap();
        assert_eq!(hops.len(), 1, "one crossing of {tag}: {hops:#?}");
        let hop = &hops[0];
        assert_eq!(hop["biz_step"], step, "{tag}: {hop:#}");
        assert_eq!(hop["disposition"], disposition, "{tag}: {hop:#}");
        assert_eq!(hop["read_point"], DOOR, "{tag}: {hop:#}");
        assert_eq!(hop["event_type"], "ObjectEvent", "{tag}: {hop:#}");
    }
    assert_eq!(server.chain_head(&id).unwrap(), 2, "no other event");
}
