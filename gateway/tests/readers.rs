//! Readers over real pseudo-terminals: the reader modules emulated byte-exactly by
//! `trace-emulators` and driven by the gateway with the `trace-firmware` drivers, the
//! firmware link fed with frames and garbage, and an adapter unplugged and plugged back.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use common::*;
use trace_emulators::Scenario;
use trace_emulators::em4100::Em4100Reader;
use trace_emulators::m100::M100;
use trace_emulators::pn532::Pn532;
use trace_emulators::transport::pty::PtyServer;
use trace_proto::event::EventKind;

fn reader(name: &str, kind: &str, port: &Path) -> String {
    format!(
        "[[reader]]\nname = \"{name}\"\nkind = \"{kind}\"\nport = \"{}\"\nstation = \"dock\"\n",
        port.display()
    )
}

fn epcs(acker: &Acker) -> Vec<String> {
    let state = acker.state.lock().unwrap();
    state
        .accepted
        .iter()
        .map(|e| match &e.event().kind {
            EventKind::Object(o) => o.epc_list[0].clone(),
            other => panic!("unexpected {}", other.type_name()),
        })
        .collect()
}

#[test]
fn emulated_m100_pn532_and_em4100_reads_become_one_event_per_tag() {
    let port = free_port();
    start_broker(port);
    let dir = tempfile::tempdir().unwrap();
    let (_, public) = keygen(dir.path());
    let id = unique_id("pty");
    let acker = Acker::start(port, &id, public);

    let uhf = PtyServer::start(
        M100::new(Duration::from_millis(20)),
        Scenario::parse("0 enter urn:epc:id:sgtin:0614141.812345.6789\n300ms noise FF 7E BB 02\n")
            .unwrap(),
    )
    .unwrap();
    let nfc = PtyServer::start(
        Pn532::new(),
        Scenario::parse("0 enter iso14443a:901F2AA4").unwrap(),
    )
    .unwrap();
    let fob = PtyServer::start(
        Em4100Reader::default(),
        Scenario::parse("0 enter em4100:100086F444\n200ms corrupt 2\n").unwrap(),
    )
    .unwrap();
    let readers = reader("uhf", "uhf-m100", uhf.path())
        + &reader("nfc", "pn532", nfc.path())
        + &reader("fob", "em4100", fob.path());
    let gateway = start_gateway(dir.path(), id.as_str(), port, &readers);

    wait_for(Duration::from_secs(30), || acker.head_seq() >= 3);
    // The tags stay in the field: more reads, still one event each.
    std::thread::sleep(Duration::from_millis(1500));
    let mut seen = epcs(&acker);
    seen.sort();
    assert_eq!(
        seen,
        [
            "urn:epc:id:sgtin:0614141.812345.6789",
            "urn:rfid-trace:uid:em4100:100086F444",
            "urn:rfid-trace:uid:iso14443a:901F2AA4",
        ]
    );
    wait_for(Duration::from_secs(5), || {
        local_status(dir.path()).is_some_and(|s| s.readers.iter().all(|r| r.reads > 1))
    });
    let status = local_status(dir.path()).unwrap();
    for r in &status.readers {
        assert_eq!(r.state, "Ready", "{r:?}");
        assert!(
            r.reads > 1,
            "{r:?}: a tag in the field is read again and again"
        );
    }
    assert!(
        status
            .readers
            .iter()
            .find(|r| r.name == "fob")
            .unwrap()
            .errors
            >= 1,
        "corrupt frames are counted"
    );
    gateway.stop();
}

#[test]
fn an_unplugged_adapter_is_reported_absent_and_reopened_when_plugged_back() {
    let port = free_port();
    start_broker(port);
    let dir = tempfile::tempdir().unwrap();
    let (_, public) = keygen(dir.path());
    let id = unique_id("replug");
    let acker = Acker::start(port, &id, public);
    // The gateway opens a stable name, as udev's /dev/serial/by-id links are.
    let link = dir.path().join("ttyUSB-reader");
    let first = PtyServer::start(
        Em4100Reader::default(),
        Scenario::parse("0 enter em4100:100086F444").unwrap(),
    )
    .unwrap();
    std::os::unix::fs::symlink(first.path(), &link).unwrap();
    let gateway = start_gateway(
        dir.path(),
        id.as_str(),
        port,
        &reader("fob", "em4100", &link),
    );
    wait_for(Duration::from_secs(20), || acker.head_seq() >= 1);

    first.stop().unwrap();
    std::fs::remove_file(&link).unwrap();
    wait_for(Duration::from_secs(20), || {
        local_status(dir.path()).is_some_and(|s| s.readers[0].state == "Absent")
    });

    let second = PtyServer::start(
        Em4100Reader::default(),
        Scenario::parse("0 enter em4100:1000000001").unwrap(),
    )
    .unwrap();
    std::os::unix::fs::symlink(second.path(), &link).unwrap();
    wait_for(Duration::from_secs(30), || acker.head_seq() >= 2);
    assert_eq!(
        epcs(&acker),
        [
            "urn:rfid-trace:uid:em4100:100086F444",
            "urn:rfid-trace:uid:em4100:1000000001"
        ]
    );
    wait_for(Duration::from_secs(5), || {
        local_status(dir.path()).is_some_and(|s| s.readers[0].state == "Ready")
    });
    gateway.stop();
    second.stop().unwrap();
}

#[test]
fn firmware_link_frames_after_garbage_become_events() {
    use trace_proto::link::{
        EpcBank, Hello, MAX_FRAME_LEN, TagId, TagRead, ToGateway, encode_frame,
    };
    let port = free_port();
    start_broker(port);
    let dir = tempfile::tempdir().unwrap();
    let (_, public) = keygen(dir.path());
    let id = unique_id("link");
    let acker = Acker::start(port, &id, public);
    let (mut master, path) = openpty();
    let gateway = start_gateway(
        dir.path(),
        id.as_str(),
        port,
        &reader("board", "link", &path),
    );
    wait_for(Duration::from_secs(10), || {
        local_status(dir.path()).is_some_and(|s| s.connected)
    });

    let frame = |seq: u32, message: &ToGateway| {
        let mut buf = [0u8; MAX_FRAME_LEN];
        let n = encode_frame(seq, message, &mut buf).unwrap();
        buf[..n].to_vec()
    };
    let hello = ToGateway::Hello(Hello {
        protocol_version: trace_proto::link::PROTOCOL_VERSION,
        firmware_version: "0.1.0".try_into().unwrap(),
        board: "rp2040-pico".try_into().unwrap(),
        readers: heapless::Vec::new(),
    });
    // The EPC of the M100 notification example in readers.md.
    let epc = [
        0x30, 0x75, 0x1F, 0xEB, 0x70, 0x5C, 0x59, 0x04, 0xE3, 0xD5, 0x0D, 0x70,
    ];
    let read = ToGateway::TagRead(TagRead {
        port: 0,
        antenna: 1,
        tag: TagId::Gen2(EpcBank::new(0x3400, &epc).unwrap()),
        rssi_cdbm: Some(-5500),
        count: 12,
        first_seen_ms: 1000,
        last_seen_ms: 1400,
    });
    let mut bytes = b"\xFF\x13garbage from a half-booted board\x00\x07\x07".to_vec();
    bytes.extend(frame(0, &hello));
    let mut corrupted = frame(1, &read);
    corrupted[4] ^= 0x40;
    bytes.extend(corrupted);
    bytes.extend(frame(2, &read));
    // Until the gateway opens the terminal in raw mode, the line discipline would cook
    // and echo the bytes.
    wait_for(Duration::from_secs(10), || {
        local_status(dir.path()).is_some_and(|s| s.readers[0].state != "Absent")
    });
    master.write_all(&bytes).unwrap();
    wait_for(Duration::from_secs(20), || acker.head_seq() >= 1);
    std::thread::sleep(Duration::from_millis(300));
    let seen = epcs(&acker);
    assert_eq!(seen.len(), 1);
    assert!(seen[0].starts_with("urn:epc:id:sgtin:"), "{seen:?}");
    // The status file is rewritten every second.
    wait_for(Duration::from_secs(5), || {
        local_status(dir.path())
            .is_some_and(|s| s.readers[0].state == "Ready" && s.readers[0].errors >= 1)
    });
    gateway.stop();
}

#[test]
fn llrp_reader_over_tcp_reports_one_event_per_tag_and_is_reconnected_after_hanging() {
    use trace_emulators::llrp::{LlrpConfig, LlrpReader};
    use trace_emulators::transport::tcp::TcpServer;
    let port = free_port();
    start_broker(port);
    let dir = tempfile::tempdir().unwrap();
    let (_, public) = keygen(dir.path());
    let id = unique_id("llrp");
    let acker = Acker::start(port, &id, public);
    let reader = LlrpReader::new(LlrpConfig {
        antennas: 4,
        read_interval: Duration::from_millis(50),
        ..LlrpConfig::default()
    });
    // The reader hangs for 2 s (TCP stays open); the gateway must notice and reconnect.
    let scenario = Scenario::parse(
        "0 enter urn:epc:id:sgtin:0614141.812345.6789 antenna=3\n\
         1s silent 2s\n\
         4s enter urn:epc:id:sgtin:0614141.812345.6790 antenna=1\n",
    )
    .unwrap();
    let server = TcpServer::start(reader, scenario).unwrap();
    let readers = format!(
        "[[reader]]\nname = \"portal\"\nkind = \"llrp\"\naddress = \"{}\"\nkeepalive_ms = 200\nstation = \"dock\"\n",
        server.local_addr()
    );
    let gateway = start_gateway(dir.path(), id.as_str(), port, &readers);
    wait_for(Duration::from_secs(30), || acker.head_seq() >= 2);
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        epcs(&acker),
        [
            "urn:epc:id:sgtin:0614141.812345.6789",
            "urn:epc:id:sgtin:0614141.812345.6790"
        ]
    );
    wait_for(Duration::from_secs(5), || {
        local_status(dir.path())
            .is_some_and(|s| s.readers[0].state == "Ready" && s.readers[0].errors >= 1)
    });
    gateway.stop();
    server.stop().unwrap();
}

#[test]
fn a_reader_flooding_garbage_does_not_stop_the_gateway() {
    let port = free_port();
    start_broker(port);
    let dir = tempfile::tempdir().unwrap();
    let (_, public) = keygen(dir.path());
    let id = unique_id("flood");
    let acker = Acker::start(port, &id, public);
    let (master, path) = openpty();
    let gateway = start_gateway(
        dir.path(),
        id.as_str(),
        port,
        &reader("fob", "em4100", &path),
    );
    // Until the gateway opens the terminal in raw mode, the line discipline would cook
    // and echo the bytes.
    wait_for(Duration::from_secs(10), || {
        local_status(dir.path()).is_some_and(|s| s.readers[0].state == "Ready")
    });
    // 512 KiB of noise that keeps looking like the start of a frame, then the EM4100
    // frame of readers.md.
    let writer = std::thread::spawn(move || {
        let mut master = master;
        let mut noise = Vec::with_capacity(512 * 1024);
        let mut x = 0x9E37_79B9u32;
        while noise.len() < 512 * 1024 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            noise.extend_from_slice(&[0x02, (x & 0xFF) as u8, b'F', 0x03]);
        }
        for chunk in noise.chunks(4096) {
            master.write_all(chunk).unwrap();
        }
        master.write_all(b"\x02100086F44426\x03").unwrap();
        master
    });
    wait_for(Duration::from_secs(60), || acker.head_seq() >= 1);
    let _master = writer.join().unwrap();
    assert_eq!(epcs(&acker), ["urn:rfid-trace:uid:em4100:100086F444"]);
    gateway.stop();
}
