//! The real `trace-gateway run` on a production line, as an operator meets it: the lot
//! set with `trace-gateway lot` while it runs, alarms shown by `trace-gateway status`,
//! and SIGTERM closing the open production run into an event before a clean exit.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::process::{Command, Stdio};
use std::time::Duration;

use common::*;
use trace_gateway::outbox::{Outbox, SledOutbox};
use trace_proto::event::EventKind;
use trace_proto::mqtt::{AlarmKind, Presence};
use trace_proto::signed::SignedEvent;

/// A mixer station gathering inputs for ten minutes, fed five simulated ingredient
/// reads, and a firmware board that is not plugged in.
fn production_config(id: &str, dir: &std::path::Path, port: u16) -> String {
    format!(
        r#"
[gateway]
id = "{id}"
key_file = "{dir}/gateway.key"
outbox = "{dir}/outbox"

[broker]
host = "127.0.0.1"
port = {port}

[[reader]]
name = "ingredients"
kind = "simulate"
product = "4012345.011111"
count = 5
interval_ms = 20
station = "mixer"

[[reader]]
name = "board"
kind = "link"
port = "{dir}/no-such-tty"
station = "mixer"

[[station]]
name = "mixer"
profile = "transform"
window_ms = 600000
output_product = "0614141.812345"
read_point = "urn:epc:id:sgln:0614141.00888.1"
biz_step = "commissioning"
disposition = "active"
"#,
        dir = dir.display()
    )
}

fn cli(args: &[&str]) -> String {
    let out = Command::new(gateway_bin()).args(args).output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{args:?}: {text}");
    text
}

#[test]
fn sigterm_closes_the_open_run_publishes_a_final_status_and_exits_0() {
    let port = free_port();
    start_broker(port);
    let dir = tempfile::tempdir().unwrap();
    let (_, public) = keygen(dir.path());
    let id = unique_id("sigterm");
    let acker = Acker::start(port, &id, public);
    let config = dir.path().join("line.toml");
    std::fs::write(&config, production_config(id.as_str(), dir.path(), port)).unwrap();
    let config = config.to_str().unwrap();
    let gateway = Command::new(gateway_bin())
        .args(["run", "--config", config])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for(Duration::from_secs(20), || {
        local_status(dir.path()).is_some_and(|s| s.readers[0].reads == 5)
    });
    let set = cli(&[
        "lot",
        "--config",
        config,
        "--station",
        "mixer",
        "--lot",
        "L-77",
        "--production-date",
        "2026-12-04",
        "--expiry",
        "2027-01-31",
        "--origin",
        "DE",
    ]);
    assert!(set.contains("station mixer: lot L-77"), "{set}");
    // The unplugged board becomes an alarm after a while; the lot shows once applied.
    let mut shown = String::new();
    wait_for(Duration::from_secs(20), || {
        shown = cli(&["status", "--config", config]);
        shown.contains("ALARM        ReaderDown board")
            && shown.contains("lot          mixer: L-77 produced 2026-12-04 expires 2027-01-31")
    });
    assert!(shown.contains("(running;"), "{shown}");
    assert_eq!(acker.head_seq(), 0, "the run is still open: no event yet");

    Command::new("kill")
        .args(["-TERM", &gateway.id().to_string()])
        .status()
        .unwrap();
    let out = gateway.wait_with_output().unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "exit {:?}: {log}", out.status);
    assert!(log.contains("stopped cleanly"), "{log}");

    // The run became one signed event, accepted: in the outbox, or already acked.
    let outbox = SledOutbox::open(&dir.path().join("outbox"), 1 << 30).unwrap();
    let head = outbox.head().expect("the flushed run made an event");
    assert_eq!(head.seq, 1);
    let mut events: Vec<SignedEvent> = acker.state.lock().unwrap().accepted.clone();
    events.extend(outbox.unacked(0, 10).unwrap());
    let EventKind::Transformation(t) = &events[0].event().kind else {
        panic!("not a transformation");
    };
    assert_eq!(t.input_epc_list.len(), 5);
    assert_eq!(
        t.output_quantity_list[0].epc_class,
        "urn:epc:class:lgtin:0614141.812345.L-77"
    );
    let ilmd = t.ilmd.as_ref().unwrap();
    assert_eq!(ilmd.country_of_origin.as_deref(), Some("DE"));
    assert_eq!(ilmd.item_expiration_date.unwrap().to_string(), "2027-01-31");

    // The last retained status says offline, with the queue as it was left.
    wait_for(Duration::from_secs(10), || {
        acker
            .state
            .lock()
            .unwrap()
            .status
            .as_ref()
            .is_some_and(|s| s.presence == Presence::Offline)
    });
    let status = acker.state.lock().unwrap().status.clone().unwrap();
    // Event 1 may have been acked between that status and the disconnect.
    let left = outbox.usage().events;
    assert!(
        status.queue_depth == left || (status.queue_depth, left) == (1, 0),
        "{status:?}"
    );
    assert!(
        status
            .alarms
            .iter()
            .any(|a| a.kind == AlarmKind::ReaderDown && a.subject == "board"),
        "{:?}",
        status.alarms
    );
}

#[test]
fn sigint_stops_simulate_cleanly_with_every_event_accepted() {
    let port = free_port();
    start_broker(port);
    let dir = tempfile::tempdir().unwrap();
    keygen(dir.path());
    let id = unique_id("sigint");
    let readers = "[[reader]]\nname = \"gen\"\nkind = \"simulate\"\ncount = 3\ninterval_ms = 10\nstation = \"dock\"\n";
    let config = dir.path().join("dock.toml");
    std::fs::write(&config, config_text(id.as_str(), dir.path(), port, readers)).unwrap();
    let scenario = dir.path().join("empty.scenario");
    std::fs::write(&scenario, "").unwrap();
    let gateway = Command::new(gateway_bin())
        .args([
            "simulate",
            "--config",
            config.to_str().unwrap(),
            "--scenario",
        ])
        .arg(&scenario)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for(Duration::from_secs(20), || {
        local_status(dir.path()).is_some_and(|s| s.chain_head_seq == 3)
    });
    Command::new("kill")
        .args(["-INT", &gateway.id().to_string()])
        .status()
        .unwrap();
    let out = gateway.wait_with_output().unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "exit {:?}: {log}", out.status);
    assert!(log.contains("stopped cleanly"), "{log}");
    let outbox = SledOutbox::open(&dir.path().join("outbox"), 1 << 30).unwrap();
    assert_eq!(
        outbox.head().unwrap().seq,
        3,
        "no event after the flush: observe exits make none"
    );
}
