//! A damaged store file: a server stores a gateway's events and is killed, then bytes of
//! `events.redb` are flipped, and `trace-server serve` must refuse to start — exit
//! non-zero, never print its HTTP address — with a message that names the file and
//! says what to do. Two damages: one byte in every page after the header (the data),
//! and the header itself.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use trace_tests::bins::{self, Bin};
use trace_tests::faults::rounds::{PARTY, READ_EVERY_MS, site_body};
use trace_tests::gateway::GatewaySite;
use trace_tests::http::{ADMIN_TOKEN, SUPERVISOR_TOKEN};
use trace_tests::net::free_addr;
use trace_tests::scratch::{Scratch, unique};
use trace_tests::server::{Broker, Server};
use trace_tests::wait::LIVENESS;

const PAGE: usize = 4096;

/// A data folder holding a store with some gateway events, its server stopped.
fn stored_events(scratch: &Scratch, name: &str) -> std::path::PathBuf {
    let broker = free_addr().unwrap();
    let data = scratch.join(name);
    let mut server = Server::start(
        &data,
        &Broker::Embedded(broker),
        &scratch.join("server.log"),
    )
    .unwrap();
    let id = unique("faults-corrupt");
    let site =
        GatewaySite::create(scratch.path(), &id, broker, &site_body(Some(READ_EVERY_MS))).unwrap();
    server.enrol(&id, site.public_key(), PARTY).unwrap();
    let mut gateway = site.run().unwrap();
    server
        .wait_chain_head(&id, 20, LIVENESS, || gateway.check_running("storing"))
        .unwrap();
    gateway.kill();
    server.kill();
    data
}

/// Inverts the byte at `offset` in every `stride` bytes of `file` from `start`.
fn flip(file: &Path, start: usize, stride: usize, offset: usize) -> usize {
    let mut bytes = std::fs::read(file).unwrap();
    let mut flipped = 0;
    let mut at = start + offset;
    while at < bytes.len() {
        bytes[at] = !bytes[at];
        flipped += 1;
        at += stride;
    }
    std::fs::write(file, bytes).unwrap();
    flipped
}

/// Runs `trace-server serve` on `data`; returns its exit code and stderr, failing if
/// it is still running after a while or printed its HTTP address.
fn serve(data: &Path) -> (Option<i32>, String, String) {
    let log = data.with_extension("serve.log");
    let mut child = Command::new(bins::path(Bin::Server).unwrap())
        .arg("serve")
        .arg("--data")
        .arg(data)
        .args(["--http", "127.0.0.1:0", "--mqtt-listen"])
        .arg(free_addr().unwrap().to_string())
        .env("TRACE_ADMIN_TOKEN", ADMIN_TOKEN)
        .env("TRACE_SUPERVISOR_TOKEN", SUPERVISOR_TOKEN)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > LIVENESS {
            child.kill().unwrap();
            panic!("trace-server serve kept running on a damaged store");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stdout = std::io::read_to_string(child.stdout.take().unwrap()).unwrap();
    (
        status.code(),
        stdout,
        std::fs::read_to_string(&log).unwrap(),
    )
}

fn assert_refused(data: &Path, damage: &str) {
    let file = data.join("events.redb");
    let (code, stdout, stderr) = serve(data);
    println!(
        "faults corrupt-store [{damage}]: exit {code:?}; stderr: {}",
        stderr.trim()
    );
    assert_ne!(
        code,
        Some(0),
        "{damage}: must exit non-zero; stderr: {stderr}"
    );
    assert!(
        code.is_some(),
        "{damage}: must exit, not be killed by a signal; stderr: {stderr}"
    );
    assert!(
        !stdout.contains("http: "),
        "{damage}: never serve; stdout: {stdout}"
    );
    assert!(
        stderr.contains(&file.display().to_string()),
        "{damage}: the message names {}: {stderr}",
        file.display()
    );
    assert!(
        stderr.contains("restore") && stderr.contains("backup"),
        "{damage}: the message says what to do: {stderr}"
    );
}

#[test]
fn a_damaged_store_file_is_refused_with_a_clear_message() {
    let scratch = Scratch::new("faults-corrupt").unwrap();

    let data = stored_events(&scratch, "data-pages");
    let flipped = flip(&data.join("events.redb"), PAGE, PAGE, 97);
    println!("faults corrupt-store: flipped one byte in each of {flipped} pages after the header");
    assert_refused(&data, "data pages");

    let data = stored_events(&scratch, "header");
    flip(&data.join("events.redb"), 0, usize::MAX / 2, 0);
    assert_refused(&data, "header");
}
