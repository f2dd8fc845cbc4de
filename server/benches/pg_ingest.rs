//! Ingest on PostgreSQL with one and with two `trace-server` instances sharing one
//! database behind one broker (a Mosquitto of its own on a free port, shared
//! subscription), and on redb with one instance for reference. Gateways publish
//! pre-signed events and resend what is unacked, as a gateway's outbox does; the clock
//! runs from the first publish to the last gateway's final ack.
//!
//! `cargo bench -p trace-server --bench pg_ingest [-- EVENTS_PER_GATEWAY GATEWAYS]`
//! (defaults: 2500 × 8). Without `--bench` (as `cargo test --all-targets` runs it) each
//! setup ingests 100 × 2 events once, to prove it works. Needs `mosquitto` on the PATH
//! and PostgreSQL as the store tests do (`TRACE_TEST_PG`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../tests/harness/mod.rs"]
mod harness;
#[path = "../tests/pg/mod.rs"]
mod pg;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use harness::{Broker, Link, Server, TestGateway, free_port, observation};
use trace_proto::signed::SignedEvent;

/// The per-instance counters printed after a run: where the work went.
const COUNTERS: &[&str] = &[
    "ingest_messages_total",
    "ingest_events_stored_total",
    "ingest_replays_total",
    "store_commits_total",
    "store_commit_errors_total",
];

/// A Mosquitto of this run's own, killed on drop.
struct Mosquitto {
    child: Child,
    port: u16,
}

impl Mosquitto {
    fn start() -> Mosquitto {
        let port = free_port();
        let child = Command::new("mosquitto")
            .args(["-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("mosquitto on the PATH");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "mosquitto did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        Mosquitto { child, port }
    }
}

impl Drop for Mosquitto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn chains(per_gateway: u64, gateways: usize, run: &str) -> Vec<(TestGateway, Vec<SignedEvent>)> {
    (0..gateways)
        .map(|n| {
            let mut gateway = TestGateway::new(&format!("bench-{run}-{n}"), n as u8 + 1);
            let events = (1..=per_gateway)
                .map(|seq| {
                    let epc = format!("urn:epc:id:sgtin:0614141.8{n:05}.{seq}");
                    gateway.sign(observation(
                        &epc,
                        1_790_000_000_000 + seq as i64,
                        "urn:epc:id:sgln:0614141.00001.0",
                    ))
                })
                .collect();
            (gateway, events)
        })
        .collect()
}

/// Events per second through `instances` servers on `store` (`None`: redb).
fn measure(per_gateway: u64, gateways: usize, instances: usize, store: Option<&pg::Schema>) -> f64 {
    let dir = tempfile::tempdir().unwrap();
    let broker = Mosquitto::start();
    let url = store.map(pg::Schema::url);
    let servers: Vec<Server> = (0..instances)
        .map(|n| {
            let extra: Vec<&str> = match &url {
                Some(url) => vec!["--store", url],
                None => vec![],
            };
            Server::start_with(
                &dir.path().join(format!("data-{n}")),
                Broker::External(format!("mqtt://127.0.0.1:{}", broker.port)),
                &extra,
            )
        })
        .collect();
    let run = format!("{}-{instances}", std::process::id());
    let chains = chains(per_gateway, gateways, &run);
    for (gateway, _) in &chains {
        servers[0].enroll(gateway);
    }
    let mut links: Vec<Link> = chains
        .iter()
        .map(|(gateway, _)| Link::connect(broker.port, &gateway.id))
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    let start = Instant::now();
    std::thread::scope(|scope| {
        for (link, (_, events)) in links.iter_mut().zip(&chains) {
            scope.spawn(move || link.resend_until_acked(events));
        }
    });
    let elapsed = start.elapsed();
    let total = per_gateway * gateways as u64;
    assert_eq!(servers[0].stored_events(), total);
    for server in &servers {
        let (_, metrics) = server.get("/metrics", None);
        let counters: Vec<&str> = metrics
            .as_str()
            .unwrap_or_default()
            .lines()
            .filter_map(|line| line.strip_prefix("trace_"))
            .filter(|line| COUNTERS.iter().any(|c| line.starts_with(c)))
            .collect();
        println!("    instance: {}", counters.join(", "));
    }
    total as f64 / elapsed.as_secs_f64()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let bench = args.iter().any(|a| a == "--bench");
    let numbers: Vec<u64> = args.iter().filter_map(|a| a.parse().ok()).collect();
    let (per_gateway, gateways) = match (bench, numbers.as_slice()) {
        (false, _) => (100, 2),
        (true, [per, gw, ..]) => (*per, *gw as usize),
        (true, _) => (2500, 8),
    };
    println!("{gateways} gateways × {per_gateway} events, batches ≤ 10 KiB, own Mosquitto");
    let redb = measure(per_gateway, gateways, 1, None);
    println!("redb, 1 instance:        {redb:>8.0} events/s");
    for instances in [1, 2] {
        let schema = pg::Schema::new();
        let rate = measure(per_gateway, gateways, instances, Some(&schema));
        println!("PostgreSQL, {instances} instance(s): {rate:>8.0} events/s");
    }
}
