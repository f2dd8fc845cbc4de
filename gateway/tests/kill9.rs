//! kill -9 the gateway binary at several points during a stream of reads, restart it,
//! and check with a verifying acker that every accepted event arrives exactly once in
//! chain order: no gap, no fork, none lost.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::*;
use trace_gateway::outbox::{Outbox, SledOutbox};

fn spawn_gateway(config: &std::path::Path) -> Child {
    Command::new(gateway_bin())
        .args(["run", "--config"])
        .arg(config)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap()
}

#[test]
fn kill_9_at_random_points_loses_and_forks_nothing() {
    let port = free_port();
    start_broker(port);
    let dir = tempfile::tempdir().unwrap();
    let (_, public) = keygen(dir.path());
    let id = unique_id("kill9");
    let acker = Acker::start(port, &id, public);
    let reading = dir.path().join("reading.toml");
    let reader =
        "[[reader]]\nname = \"sim\"\nkind = \"simulate\"\nstation = \"dock\"\ninterval_ms = 10\n";
    std::fs::write(&reading, config_text(id.as_str(), dir.path(), port, reader)).unwrap();

    // Kill points spread over start-up, steady streaming and mid-publish; a fixed
    // pseudo-random sequence keeps the test reproducible. At least eight kills, and
    // more until a few dozen events are in (debug builds sign slowly).
    let outbox_head = || {
        let outbox = SledOutbox::open(&dir.path().join("outbox"), u64::MAX).unwrap();
        outbox.head().map_or(0, |h| h.seq)
    };
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let mut kills = 0;
    let mut accepted = 0;
    while kills < 8 || (accepted < 30 && kills < 40) {
        let mut gateway = spawn_gateway(&reading);
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        std::thread::sleep(Duration::from_millis(200 + seed % 800));
        gateway.kill().unwrap(); // SIGKILL
        gateway.wait().unwrap();
        kills += 1;
        accepted = outbox_head();
    }
    assert!(accepted >= 30, "only {accepted} events after {kills} kills");

    let draining = dir.path().join("draining.toml");
    std::fs::write(&draining, config_text(id.as_str(), dir.path(), port, "")).unwrap();
    let mut gateway = spawn_gateway(&draining);
    wait_for(Duration::from_secs(60), || acker.head_seq() >= accepted);
    std::thread::sleep(Duration::from_millis(300));
    gateway.kill().unwrap();
    gateway.wait().unwrap();

    let state = acker.state.lock().unwrap();
    assert_eq!(
        state.forks,
        Vec::<u64>::new(),
        "a seq was signed twice with different content"
    );
    assert_eq!(state.bad_signatures, 0);
    let seqs: Vec<u64> = state.accepted.iter().map(|e| e.seq()).collect();
    assert_eq!(
        seqs,
        (1..=accepted).collect::<Vec<_>>(),
        "every seq once, in order"
    );
    let outbox = SledOutbox::open(&dir.path().join("outbox"), u64::MAX).unwrap();
    assert_eq!(
        outbox.head().unwrap().seq,
        accepted,
        "nothing signed after the drain"
    );
    eprintln!(
        "{accepted} events accepted over {kills} kills; {} resent duplicates, {} ahead of the head",
        state.duplicates, state.ahead
    );
}
