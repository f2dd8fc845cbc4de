//! Nothing lost, nothing doubled across hard kills: an emulated LLRP reader (in this
//! process, so the test decides when each tag passes) feeds the `trace-gateway run`
//! binary, which publishes to the `trace-server` binary's embedded broker. Mid-stream
//! the server is killed with SIGKILL while the gateway keeps signing reads into its
//! outbox, then the gateway is killed with SIGKILL holding events the server never
//! acknowledged; both restart on their own files and more tags pass; the gateway is
//! killed once more as soon as it has signed the last of those, and restarts for the
//! last tags. At the end the server holds every read exactly once: its store counts one
//! event per tag, each tag's trace has one observation, the chain is whole and nothing
//! is quarantined.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::SocketAddr;
use std::time::Duration;

use trace_emulators::llrp::{LlrpConfig, LlrpReader};
use trace_emulators::transport::tcp::TcpServer;
use trace_emulators::{Scene, Tag};
use trace_tests::gateway::{GatewaySite, acked, signed};
use trace_tests::net::free_addr;
use trace_tests::process::Process;
use trace_tests::scratch::{Scratch, unique};
use trace_tests::server::{Broker, Server};
use trace_tests::wait::LIVENESS;

const READ_POINT: &str = "urn:epc:id:sgln:0614141.00777.0";
const PARTY: &str = "urn:epc:id:pgln:0614141.00001";
/// Tags passing in each phase: server up; server down; both restarted; gateway
/// restarted again.
const PER_PHASE: u64 = 4;

fn site_body(reader: SocketAddr) -> String {
    format!(
        r#"[smoothing]
dwell_ms = 0
exit_ms = 500

[[reader]]
name = "line-llrp"
kind = "llrp"
address = "{reader}"
keepalive_ms = 1000
station = "line-1"

[[station]]
name = "line-1"
profile = "observe"
read_point = "{READ_POINT}"
biz_step = "inspecting"
"#
    )
}

fn tag_uri(n: u64) -> String {
    format!("urn:epc:id:sgtin:0614141.812345.{}", 3000 + n)
}

/// The test's world: the reader, the server's folder and broker address, the gateway.
struct Line {
    scratch: Scratch,
    reader: TcpServer<LlrpReader>,
    broker: SocketAddr,
    site: GatewaySite,
}

impl Line {
    fn start_server(&self) -> Server {
        Server::start(
            &self.scratch.join("server-data"),
            &Broker::Embedded(self.broker),
            &self.scratch.join("server.log"),
        )
        .unwrap()
    }

    fn start_gateway(&self) -> Process {
        let mut gateway = self.site.run().unwrap();
        self.site
            .wait_reader_ready(&mut gateway, "line-llrp", LIVENESS)
            .unwrap();
        gateway
    }

    /// Tag `n` enters the reader's field, stays until the gateway has signed its
    /// observation (seq `n`: one event per tag), then leaves.
    fn pass(&self, gateway: &mut Process, n: u64) {
        let tag: Tag = tag_uri(n).parse().unwrap();
        self.reader
            .with(|session| session.emulator.field().enter(tag.clone(), 1, -50));
        self.site
            .wait_status(
                gateway,
                &format!("the gateway to sign tag {n}"),
                LIVENESS,
                |s| signed(s) >= n,
            )
            .unwrap();
        self.reader
            .with(|session| session.emulator.field().leave(&tag, None));
    }
}

#[test]
fn reads_survive_kill_9_of_server_and_gateway_exactly_once() {
    let scratch = Scratch::new("kill-restart").unwrap();
    let config = LlrpConfig {
        antennas: 1,
        read_interval: Duration::from_millis(50),
        ..LlrpConfig::default()
    };
    let reader = TcpServer::start(LlrpReader::new(config), Default::default()).unwrap();
    // The broker's address must outlive the server process: the gateway's
    // configuration names it.
    let broker = free_addr().unwrap();
    let id = unique("e2e-kill");
    let site =
        GatewaySite::create(scratch.path(), &id, broker, &site_body(reader.local_addr())).unwrap();
    let line = Line {
        scratch,
        reader,
        broker,
        site,
    };

    let mut server = line.start_server();
    server.enrol(&id, line.site.public_key(), PARTY).unwrap();
    let mut gateway = line.start_gateway();
    let total = 4 * PER_PHASE;

    // Phase 1: everything up.
    for n in 1..=PER_PHASE {
        line.pass(&mut gateway, n);
    }
    server
        .wait_chain_head(&id, PER_PHASE, LIVENESS, || {
            gateway.check_running("phase 1")
        })
        .unwrap();

    // Phase 2: the server dies; the gateway keeps reading into its outbox.
    server.kill();
    for n in PER_PHASE + 1..=2 * PER_PHASE {
        line.pass(&mut gateway, n);
    }
    let status = line.site.status().unwrap();
    assert!(
        acked(&status) < 2 * PER_PHASE,
        "nobody acknowledged phase 2 yet: {status:#}"
    );

    // The gateway dies holding unacknowledged events; both come back.
    gateway.kill();
    let server = line.start_server();
    let mut gateway = line.start_gateway();

    // Phase 3: more reads after the restarts; the gateway dies again as soon as it has
    // signed them, whether or not their publish or ack was under way.
    for n in 2 * PER_PHASE + 1..=3 * PER_PHASE {
        line.pass(&mut gateway, n);
    }
    gateway.kill();
    let mut gateway = line.start_gateway();

    // Phase 4: reads after the second gateway restart.
    for n in 3 * PER_PHASE + 1..=total {
        line.pass(&mut gateway, n);
    }
    server
        .wait_chain_head(&id, total, LIVENESS, || gateway.check_running("phase 4"))
        .unwrap();
    line.site
        .wait_status(
            &mut gateway,
            "the gateway to see every event acknowledged",
            LIVENESS,
            |s| acked(s) == total && s["queue_depth"] == 0,
        )
        .unwrap();

    assert_eq!(
        server.chain_head(&id).unwrap(),
        total,
        "no event beyond the reads"
    );
    let health = server.health().unwrap();
    assert_eq!(
        health["store"]["events"], total,
        "one stored event per read: {health:#}"
    );
    assert_eq!(health["open_gaps"], 0, "{health:#}");
    for n in 1..=total {
        let hops = server.hops_signed_by(&tag_uri(n), &id).unwrap();
        assert_eq!(hops.len(), 1, "tag {n} observed once: {hops:#?}");
        assert_eq!(hops[0]["read_point"], READ_POINT, "{:#}", hops[0]);
    }
    let metrics = server.api().get("/metrics", None).unwrap().body;
    let metrics = metrics.as_str().unwrap();
    for (name, want) in [("trace_store_events", total), ("trace_quarantine_size", 0)] {
        let value = metrics
            .lines()
            .find_map(|line| line.strip_prefix(name)?.trim().parse::<u64>().ok())
            .unwrap_or_else(|| panic!("{name} in /metrics:\n{metrics}"));
        assert_eq!(value, want, "{name}");
    }
}
