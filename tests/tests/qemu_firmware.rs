//! The firmware image of the QEMU board, booted under `qemu-system-arm`, reading the
//! byte-exact EM4100 and M100 emulators of `trace-emulators` on its reader UARTs; the
//! test is the gateway on UART0 and checks every frame the firmware sends against what
//! the emulated modules saw in their fields, de-bounce included.
//!
//! Emulated time: the emulators run on the wall clock, and each scene
//! (`trace_tests::scenes`) moves one emulator's time forward by a fixed amount in one
//! step, so the number of frames a module sends for a tag is exact, however slow the
//! machine.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod qemu;

use std::time::Instant;

use qemu::{Gateway, LIVENESS, QemuBoard};
use trace_emulators::em4100::Em4100Reader;
use trace_emulators::m100::M100;
use trace_proto::link::{
    ConfigAck, ConfigResult, Configure, EpcBank, FaultKind, Heartbeat, PROTOCOL_VERSION,
    PortAssignment, ReaderErrors, ReaderFault, ReaderInfo, ReaderKind, ReaderState, TagId, TagRead,
    ToFirmware, ToGateway,
};
use trace_tests::scenes::{EPC, FOB, Module, PC, show_fob, show_uhf_tag, wait_for_inventory};

/// The board's boot configuration (hardware/qemu-lm3s6965/src/main.rs).
const DEBOUNCE_MS: u64 = 500;
const EM4100_PORT: u8 = 0;
const UHF_PORT: u8 = 1;

/// Frames up to the next `TagRead`, which is returned; heartbeats go to `heartbeats`
/// and anything else fails the test.
fn next_tag_read(gateway: &mut Gateway, heartbeats: &mut Vec<(u32, Heartbeat)>) -> TagRead {
    let start = Instant::now();
    loop {
        assert!(start.elapsed() < LIVENESS, "no TagRead within {LIVENESS:?}");
        let frame = gateway.next().expect("the firmware is still running");
        match frame.message {
            ToGateway::TagRead(read) => return read,
            ToGateway::Heartbeat(beat) => heartbeats.push((frame.seq, beat)),
            other => panic!("unexpected message: {other:?}"),
        }
    }
}

fn fob_read(count: u32) -> (u8, TagId, Option<i16>, u32) {
    (EM4100_PORT, TagId::Em4100(FOB), None, count)
}

/// What a test compares of a read: port, tag, RSSI and count (times vary by run).
fn summary(read: &TagRead) -> (u8, TagId, Option<i16>, u32) {
    assert_eq!(read.antenna, 0, "single-antenna modules: {read:?}");
    assert!(read.first_seen_ms <= read.last_seen_ms, "{read:?}");
    (read.port, read.tag.clone(), read.rssi_cdbm, read.count)
}

#[test]
fn em4100_and_m100_reads_reach_the_gateway_de_bounced() {
    let mut fob_reader = Module::start(Em4100Reader::default()).unwrap();
    let mut uhf_reader = Module::start(M100::default()).unwrap();
    let readers = [
        fob_reader.server.local_addr(),
        uhf_reader.server.local_addr(),
    ];
    let (mut board, mut gateway) = qemu::boot(readers);

    let hello = gateway.next().unwrap();
    let ToGateway::Hello(hello) = hello.message else {
        panic!("the first frame must be Hello: {hello:?}")
    };
    let initialising = |port, kind| ReaderInfo {
        port,
        kind,
        state: ReaderState::Initialising,
    };
    assert_eq!(hello.protocol_version, PROTOCOL_VERSION);
    assert_eq!(hello.board.as_str(), "qemu-lm3s6965");
    assert_eq!(hello.firmware_version.as_str(), "0.1.0");
    assert_eq!(
        hello.readers.as_slice(),
        [
            initialising(EM4100_PORT, ReaderKind::Em4100),
            initialising(UHF_PORT, ReaderKind::UhfM100),
        ]
    );

    // One presence per module: four fob frames, the first damaged (one checksum
    // error, three reads), and three UHF rounds, the strongest at -48 dBm.
    wait_for_inventory(&uhf_reader, LIVENESS).unwrap();
    show_fob(&mut fob_reader, FOB, 4, 1);
    show_uhf_tag(&mut uhf_reader, &EPC, &[-60, -48, -55]).unwrap();
    let mut heartbeats = Vec::new();
    let mut reads = [
        next_tag_read(&mut gateway, &mut heartbeats),
        next_tag_read(&mut gateway, &mut heartbeats),
    ];
    reads.sort_by_key(|read| read.port);
    let uhf_tag = TagId::Gen2(EpcBank::new(PC, &EPC).unwrap());
    assert_eq!(
        reads.each_ref().map(summary),
        [fob_read(3), (UHF_PORT, uhf_tag, Some(-4_800), 3)]
    );
    let fob_first = reads[0].clone();

    // The fob again after its record closed: a new presence, one read.
    show_fob(&mut fob_reader, FOB, 1, 0);
    let again = next_tag_read(&mut gateway, &mut heartbeats);
    assert_eq!(summary(&again), fob_read(1));
    assert!(
        again.first_seen_ms >= fob_first.last_seen_ms + DEBOUNCE_MS,
        "a new record opens only after the window: {fob_first:?} then {again:?}"
    );

    // The first heartbeat after the damaged frame counts it against the fob's port.
    let start = Instant::now();
    let (seq, beat) = loop {
        assert!(
            start.elapsed() < LIVENESS,
            "no heartbeat within {LIVENESS:?}"
        );
        if let Some(found) = heartbeats
            .iter()
            .find(|(_, beat)| beat.uptime_ms > fob_first.last_seen_ms)
        {
            break found.clone();
        }
        let frame = gateway.next().expect("the firmware is still running");
        let ToGateway::Heartbeat(beat) = frame.message else {
            panic!("unexpected message: {frame:?}")
        };
        heartbeats.push((frame.seq, beat));
    };
    assert_eq!(beat.frames_sent, seq, "frames sent before this one");
    assert_eq!(beat.reads, 3);
    let errors = |port, errors| ReaderErrors { port, errors };
    assert_eq!(
        beat.reader_errors.as_slice(),
        [errors(EM4100_PORT, 1), errors(UHF_PORT, 0)]
    );

    power_off(&mut board, &mut gateway);
}

#[test]
fn an_mfrc522_configured_on_the_empty_spi_bus_is_reported_absent() {
    let fob_reader = Module::start(Em4100Reader::default()).unwrap();
    let uhf_reader = Module::start(M100::default()).unwrap();
    let readers = [
        fob_reader.server.local_addr(),
        uhf_reader.server.local_addr(),
    ];
    let (mut board, mut gateway) = qemu::boot(readers);
    assert!(matches!(
        gateway.next().unwrap().message,
        ToGateway::Hello(_)
    ));

    let ports = [(EM4100_PORT, None), (2, Some(ReaderKind::Mfrc522))];
    let configure = configure(&ports);
    let configure_seq = gateway.send(&ToFirmware::Configure(configure));
    let acked = ToGateway::ConfigAck(ConfigAck {
        configure_seq,
        result: ConfigResult::Accepted,
    });
    let absent = ToGateway::ReaderFault(ReaderFault {
        port: 2,
        fault: FaultKind::NoResponse,
    });
    let mut seen = Vec::new();
    while seen.len() < 2 {
        let message = gateway
            .next()
            .expect("the firmware is still running")
            .message;
        if !matches!(message, ToGateway::Heartbeat(_)) {
            seen.push(message);
        }
    }
    assert_eq!(seen, [acked, absent]);
    power_off(&mut board, &mut gateway);
}

fn configure(ports: &[(u8, Option<ReaderKind>)]) -> Configure {
    Configure {
        debounce_ms: 500,
        uhf_tx_power_cdbm: 2_000,
        ports: ports
            .iter()
            .map(|&(port, kind)| PortAssignment { port, kind })
            .collect(),
    }
}

/// No reader left: the QEMU board acknowledges, flushes and exits QEMU with status 0.
fn power_off(board: &mut QemuBoard, gateway: &mut Gateway) {
    let configure_seq = gateway.send(&ToFirmware::Configure(configure(&[])));
    let mut rest = Vec::new();
    while let Some(frame) = gateway.next() {
        rest.push(frame.message);
    }
    let acked = ToGateway::ConfigAck(ConfigAck {
        configure_seq,
        result: ConfigResult::Accepted,
    });
    // A heartbeat may fall due before the configuration is read.
    rest.retain(|message| !matches!(message, ToGateway::Heartbeat(_)));
    assert_eq!(rest, [acked]);
    let status = board.wait_exit(LIVENESS).unwrap();
    assert!(
        status.success(),
        "QEMU exit status {status}: {}",
        board.output()
    );
}
