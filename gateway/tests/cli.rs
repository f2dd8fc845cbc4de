//! The `trace-gateway` command line as an operator meets it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::process::{Command, Output};

use common::*;
use trace_gateway::outbox::{SledOutbox, sign_and_append};
use trace_proto::event::{Action, Event, EventKind, EventTime, ObjectEvent, TimeZoneOffset};
use trace_proto::signed::{GatewayId, SigningKey};

fn gateway(args: &[&str]) -> Output {
    Command::new(gateway_bin()).args(args).output().unwrap()
}

/// Signs `count` observations as gateway gw-1 into `outbox`.
fn append_observations(outbox: &SledOutbox, key: &SigningKey, count: usize) {
    let id = GatewayId::new("gw-1").unwrap();
    for n in 0..count {
        let event = Event::new(
            EventKind::Object(ObjectEvent {
                action: Action::Observe,
                epc_list: vec![format!("urn:epc:id:sgtin:0614141.812345.{n}")],
                quantity_list: Vec::new(),
                ilmd: None,
            }),
            EventTime::from_unix_millis(0).unwrap(),
            TimeZoneOffset::UTC,
        );
        sign_and_append(outbox, key, &id, vec![event]).unwrap();
    }
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn help_lists_every_command() {
    let out = gateway(&["--help"]);
    assert!(out.status.success());
    let help = text(&out);
    for command in ["keygen", "run", "status", "check"] {
        assert!(help.contains(command), "{help}");
    }
}

#[test]
fn keygen_prints_only_the_public_key_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k");
    let out = gateway(&["keygen", "--out", path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    let secret: String = std::fs::read(&path)
        .unwrap()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let printed = text(&out);
    assert!(!printed.contains(&secret), "the secret key was printed");
    let public = trace_gateway::keyfile::load(&path)
        .unwrap()
        .verifying_key()
        .to_bytes();
    let public: String = public.iter().map(|b| format!("{b:02x}")).collect();
    assert!(printed.contains(&public));
    let again = gateway(&["keygen", "--out", path.to_str().unwrap()]);
    assert!(!again.status.success());
    assert!(
        text(&again).contains("refusing to overwrite"),
        "{}",
        text(&again)
    );
}

#[test]
fn a_bad_config_is_refused_at_start_naming_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("gw.toml");
    let body = config_text("gw-1", dir.path(), 1883, "").replace("\"receiving\"", "\"recieving\"");
    std::fs::write(&config, &body).unwrap();
    let line = body.lines().position(|l| l.contains("recieving")).unwrap() + 1;
    for command in ["run", "check"] {
        let out = gateway(&[command, "--config", config.to_str().unwrap()]);
        assert!(!out.status.success());
        let message = text(&out);
        assert!(
            message.contains(&format!("line {line}: `station[0].biz_step`"))
                && message.contains("recieving"),
            "{message}"
        );
    }
}

#[test]
fn status_of_a_stopped_gateway_reads_the_outbox() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("gw.toml");
    std::fs::write(&config, config_text("gw-1", dir.path(), 1883, "")).unwrap();
    let out = gateway(&["status", "--config", config.to_str().unwrap()]);
    assert!(!out.status.success(), "no outbox and no status file yet");
    {
        use trace_gateway::outbox::Outbox;
        let outbox = SledOutbox::open(&dir.path().join("outbox"), 1 << 20).unwrap();
        let key = trace_proto::signed::SigningKey::from_bytes(&[3; 32]);
        append_observations(&outbox, &key, 3);
        outbox.ack(1).unwrap();
    }
    let out = gateway(&["status", "--config", config.to_str().unwrap()]);
    let shown = text(&out);
    assert!(out.status.success(), "{shown}");
    assert!(shown.contains("queue depth  2 events"), "{shown}");
    assert!(shown.contains("last ack     seq 1"), "{shown}");
    assert!(shown.contains("chain head   seq 3"), "{shown}");
}

#[test]
fn simulate_drives_emulated_readers_through_a_scenario() {
    let port = free_port();
    start_broker(port);
    let dir = tempfile::tempdir().unwrap();
    let (_, public) = keygen(dir.path());
    let id = unique_id("simulate");
    let acker = Acker::start(port, &id, public);
    let readers = "[[reader]]\nname = \"uhf\"\nkind = \"uhf-m100\"\nport = \"/dev/ttyUSB9\"\nstation = \"dock\"\n\
                   [[reader]]\nname = \"fob\"\nkind = \"em4100\"\nport = \"/dev/ttyUSB8\"\nstation = \"dock\"\n";
    let config = dir.path().join("site.toml");
    std::fs::write(&config, config_text(id.as_str(), dir.path(), port, readers)).unwrap();
    let scenario = dir.path().join("demo.scenario");
    std::fs::write(
        &scenario,
        "0 enter urn:epc:id:sgtin:0614141.812345.42 antenna=1\n500ms enter em4100:100086F444\n",
    )
    .unwrap();
    let out = gateway(&[
        "simulate",
        "--config",
        config.to_str().unwrap(),
        "--scenario",
        scenario.to_str().unwrap(),
        "--seconds",
        "4",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    wait_for(std::time::Duration::from_secs(10), || acker.head_seq() >= 2);
    let state = acker.state.lock().unwrap();
    let mut tags: Vec<String> = state
        .accepted
        .iter()
        .map(|e| match &e.event().kind {
            trace_proto::event::EventKind::Object(o) => o.epc_list[0].clone(),
            other => panic!("{}", other.type_name()),
        })
        .collect();
    tags.sort();
    assert_eq!(
        tags,
        [
            "urn:epc:id:sgtin:0614141.812345.42",
            "urn:rfid-trace:uid:em4100:100086F444"
        ]
    );
}

#[test]
fn lot_checks_station_and_values_and_a_stopped_gateway_shows_it() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("line.toml");
    let line = include_str!("../examples/production-line.toml")
        .replace("/var/lib/rfid-trace", dir.path().to_str().unwrap());
    std::fs::write(&config, line).unwrap();
    let config = config.to_str().unwrap();
    let lot = |extra: &[&str]| {
        let mut args = vec!["lot", "--config", config];
        args.extend_from_slice(extra);
        gateway(&args)
    };
    let refused = |out: &Output, wanted: &str| {
        assert!(!out.status.success());
        assert!(text(out).contains(wanted), "{}", text(out));
    };
    refused(
        &lot(&["--station", "oven-9", "--lot", "L1"]),
        "station \"oven-9\": no such station",
    );
    refused(
        &lot(&[
            "--station",
            "mixer-1",
            "--lot",
            "L1",
            "--expiry",
            "2027-02-30",
        ]),
        "expiry_date: \"2027-02-30\"",
    );
    refused(
        &lot(&["--station", "mixer-1", "--lot", "L 1"]),
        "is not a GS1 character",
    );
    let ok = lot(&["--station", "labeller-1", "--lot", "B7", "--origin", "IT"]);
    assert!(ok.status.success(), "{}", text(&ok));
    // A stopped gateway with an outbox shows the lot it will start with.
    trace_gateway::outbox::SledOutbox::open(&dir.path().join("outbox"), 1 << 20).unwrap();
    let shown = text(&gateway(&["status", "--config", config]));
    assert!(
        shown.contains("lot          labeller-1: B7 produced - expires - origin IT"),
        "{shown}"
    );
}

#[test]
fn rotate_key_replaces_the_key_and_names_the_next_seq_only_when_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("gw.toml");
    std::fs::write(&config, config_text("gw-1", dir.path(), 1883, "")).unwrap();
    let (key_path, old) = keygen(dir.path());
    let outbox = SledOutbox::open(&dir.path().join("outbox"), 1 << 20).unwrap();
    let key = trace_gateway::keyfile::load(&key_path).unwrap();
    append_observations(&outbox, &key, 4);
    let rotate = || gateway(&["rotate-key", "--config", config.to_str().unwrap()]);
    let busy = rotate();
    assert!(
        !busy.status.success(),
        "the outbox is held: the gateway runs"
    );
    assert!(text(&busy).contains("stop the gateway"), "{}", text(&busy));
    assert_eq!(
        trace_gateway::keyfile::load(&key_path)
            .unwrap()
            .verifying_key(),
        old
    );
    drop(outbox);

    let out = rotate();
    let shown = text(&out);
    assert!(out.status.success(), "{shown}");
    let new = trace_gateway::keyfile::load(&key_path)
        .unwrap()
        .verifying_key();
    assert_ne!(new, old);
    let hex = |k: &trace_proto::signed::VerifyingKey| -> String {
        k.to_bytes().iter().map(|b| format!("{b:02x}")).collect()
    };
    assert!(
        shown.contains(&format!("public key: {}", hex(&new))),
        "{shown}"
    );
    assert!(shown.contains("from seq: 5"), "{shown}");
    assert!(shown.contains("/api/v1/gateways/gw-1/keys"), "{shown}");
}
