//! `trace-server demo --once` end to end: the real server binary spawns real
//! `trace-gateway` processes with emulated readers, acts out the three supply chains over
//! its embedded broker (ephemeral ports), checks the traces itself and reports.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Generous: a debug build on a loaded machine; the demo itself needs about 20 s.
const DEADLINE: Duration = Duration::from_secs(600);

/// The `trace-gateway` beside the server binary (present when the workspace is built);
/// otherwise one built for this test in its own target folder, since the running
/// `cargo test` holds the lock of the usual one.
fn gateway_binary() -> PathBuf {
    let server = Path::new(env!("CARGO_BIN_EXE_trace-server"));
    let beside = server.with_file_name("trace-gateway");
    if beside.is_file() {
        return beside;
    }
    let target = server
        .parent()
        .and_then(Path::parent)
        .map(|t| t.join("demo-gateway"))
        .expect("the server binary lies in <target>/<profile>/");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    eprintln!(
        "no trace-gateway beside {}: building one in {}",
        server.display(),
        target.display()
    );
    let status = Command::new(cargo)
        .args(["build", "-p", "trace-gateway"])
        .env("CARGO_TARGET_DIR", &target)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .expect("cargo runs");
    assert!(
        status.success(),
        "building trace-gateway failed; build it with `cargo build -p trace-gateway` and rerun"
    );
    target.join("debug").join("trace-gateway")
}

/// Runs `trace-server demo` with `args` to its end (killed at the deadline).
fn demo(args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_trace-server"))
        .arg("demo")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > DEADLINE {
            child.kill().unwrap();
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn the_whole_story_runs_and_checks_itself() {
    let gateway = gateway_binary();
    let dir = tempfile::tempdir().unwrap();
    let output = demo(&[
        "--once",
        "--http",
        "127.0.0.1:0",
        "--mqtt-listen",
        "127.0.0.1:0",
        "--dir",
        dir.path().to_str().unwrap(),
        "--gateway-bin",
        gateway.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "demo failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    for expected in [
        // 14 sites, each a gateway; 61 food + 86 drug + 27 equipment events.
        "14 gateways, 174 events stored (174 signed), 0 quarantined",
        "food: 6 gateways, 24 units, 61 events",
        "drug: 4 gateways, 16 units, 86 events",
        "equipment: 4 gateways, 6 units, 27 events",
        "hops back to its commissioning at urn:epc:id:sgln:0614141.00001.0",
        "recall of urn:epc:class:lgtin:0614141.012345.APL-2611-A: 12 units reached at 3 sites",
        "recall of urn:epc:class:lgtin:0614141.054321.AMX-26A: 8 units reached at 2 sites",
        "demo-pharmacy-1 flagged recalled urn:epc:id:sgtin:0614141.054321.5001",
        "demo-pharmacy-2 flagged recalled urn:epc:id:sgtin:0614141.054321.5005",
        "urn:epc:id:giai:0614141.700003: history of 7 steps",
        "checks: 6 passed, 0 failed",
    ] {
        assert!(
            stdout.contains(expected),
            "missing {expected:?} in:\n{stdout}"
        );
    }
    // The generated site files stay in the folder given.
    assert!(
        dir.path()
            .join("gateways/demo-farm/step-00-0-commissioning.toml")
            .is_file()
    );
}

#[test]
fn a_missing_gateway_binary_says_how_to_build_it() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-gateway");
    let output = demo(&["--once", "--gateway-bin", missing.to_str().unwrap()]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("cargo build --release -p trace-gateway -p trace-server"),
        "{stderr}"
    );
}
