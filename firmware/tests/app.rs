//! The gateway link: what the application sends, decoded with trace-proto's own
//! FrameDecoder, and how it answers Configure.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use trace_firmware::app::{App, Board, Bus, Port, Settings};
use trace_firmware::event::{ReaderEvent, TagSighting};
use trace_proto::link::{
    ConfigAck, ConfigRejection, ConfigResult, Configure, FaultKind, Frame, FrameDecoder,
    MAX_FRAME_LEN, PROTOCOL_VERSION, PortAssignment, ReaderErrors, ReaderFault, ReaderInfo,
    ReaderKind, ReaderState, TagId, TagRead, ToFirmware, ToGateway, encode_frame,
};

fn board() -> Board {
    Board {
        name: "rp2040-pico".try_into().unwrap(),
        firmware_version: "0.1.0".try_into().unwrap(),
        ports: heapless::Vec::from_slice(&[
            Port {
                port: 0,
                bus: Bus::Uart,
            },
            Port {
                port: 1,
                bus: Bus::Uart,
            },
            Port {
                port: 2,
                bus: Bus::Spi,
            },
        ])
        .unwrap(),
    }
}

fn configure(debounce_ms: u32, ports: &[(u8, Option<ReaderKind>)]) -> Configure {
    Configure {
        debounce_ms,
        uhf_tx_power_cdbm: 2000,
        ports: ports
            .iter()
            .map(|&(port, kind)| PortAssignment { port, kind })
            .collect(),
    }
}

fn boot() -> App<8> {
    let config = configure(
        500,
        &[
            (0, Some(ReaderKind::UhfM100)),
            (2, Some(ReaderKind::Mfrc522)),
        ],
    );
    App::new(board(), Settings::default(), config, 0).unwrap()
}

/// Every frame the application has ready at `now`, decoded by the gateway's decoder.
fn drain(app: &mut App<8>, now: u64) -> Vec<Frame<ToGateway>> {
    let mut decoder = FrameDecoder::<ToGateway>::new();
    let mut out = [0u8; MAX_FRAME_LEN];
    let mut frames = Vec::new();
    while let Some(len) = app.next_frame(now, &mut out) {
        frames.extend(decoder.feed(&out[..len]).map(Result::unwrap));
    }
    frames
}

fn messages(app: &mut App<8>, now: u64) -> Vec<ToGateway> {
    drain(app, now).into_iter().map(|f| f.message).collect()
}

fn em4100(id: u8) -> ReaderEvent {
    ReaderEvent::Tag(TagSighting::new(TagId::Em4100([0x10, 0, 0, 0, id])))
}

fn configure_frame(seq: u32, config: Configure) -> Vec<u8> {
    let mut out = [0u8; MAX_FRAME_LEN];
    let len = encode_frame(seq, &ToFirmware::Configure(config), &mut out).unwrap();
    out[..len].to_vec()
}

#[test]
fn boot_says_hello_with_the_configured_readers() {
    let mut app = boot();
    let frames = drain(&mut app, 0);
    assert_eq!(frames.len(), 1);
    assert_eq!(frames[0].seq, 0);
    let ToGateway::Hello(hello) = &frames[0].message else {
        panic!("{frames:?}")
    };
    assert_eq!(hello.protocol_version, PROTOCOL_VERSION);
    assert_eq!(
        (hello.board.as_str(), hello.firmware_version.as_str()),
        ("rp2040-pico", "0.1.0")
    );
    let initialising = |port, kind| ReaderInfo {
        port,
        kind,
        state: ReaderState::Initialising,
    };
    assert_eq!(
        hello.readers.as_slice(),
        [
            initialising(0, ReaderKind::UhfM100),
            initialising(2, ReaderKind::Mfrc522)
        ]
    );
}

#[test]
fn repeated_reads_become_one_tag_read_after_the_window() {
    let mut app = boot();
    drain(&mut app, 0);
    for now in [100, 150, 200] {
        app.reader_event(0, em4100(7), now);
    }
    assert!(messages(&mut app, 699).is_empty());
    let frames = drain(&mut app, 700);
    assert_eq!(frames.len(), 1);
    assert_eq!(frames[0].seq, 1);
    let expected = TagRead {
        port: 0,
        antenna: 0,
        tag: TagId::Em4100([0x10, 0, 0, 0, 7]),
        rssi_cdbm: None,
        count: 3,
        first_seen_ms: 100,
        last_seen_ms: 200,
    };
    assert_eq!(frames[0].message, ToGateway::TagRead(expected));
}

#[test]
fn heartbeats_count_frames_reads_and_errors() {
    let mut app = boot();
    drain(&mut app, 0);
    app.reader_event(0, em4100(1), 10);
    app.reader_event(2, ReaderEvent::Fault(FaultKind::Timeout), 20);
    assert_eq!(messages(&mut app, 4_999).len(), 2, "fault and read");
    let heartbeat = messages(&mut app, 5_000);
    let [ToGateway::Heartbeat(heartbeat)] = heartbeat.as_slice() else {
        panic!("{heartbeat:?}")
    };
    assert_eq!(
        (heartbeat.uptime_ms, heartbeat.frames_sent, heartbeat.reads),
        (5_000, 3, 1)
    );
    assert_eq!(
        heartbeat.reader_errors.as_slice(),
        [
            ReaderErrors { port: 0, errors: 0 },
            ReaderErrors { port: 2, errors: 1 }
        ]
    );
    assert!(messages(&mut app, 9_999).is_empty());
    assert!(matches!(
        messages(&mut app, 10_000).as_slice(),
        [ToGateway::Heartbeat(_)]
    ));
}

#[test]
fn a_reader_failing_the_same_way_again_and_again_is_reported_once() {
    let mut app = boot();
    drain(&mut app, 0);
    let fault = |app: &mut App<8>, kind| app.reader_event(2, ReaderEvent::Fault(kind), 1);
    fault(&mut app, FaultKind::NoResponse);
    fault(&mut app, FaultKind::NoResponse);
    fault(&mut app, FaultKind::Timeout);
    let expected = |fault| ToGateway::ReaderFault(ReaderFault { port: 2, fault });
    assert_eq!(
        messages(&mut app, 1),
        [
            expected(FaultKind::NoResponse),
            expected(FaultKind::Timeout)
        ]
    );
    // Once the reader recovers, the same fault is news again.
    app.reader_event(2, ReaderEvent::Ready, 2);
    fault(&mut app, FaultKind::Timeout);
    assert_eq!(messages(&mut app, 2), [expected(FaultKind::Timeout)]);
}

#[test]
fn checksum_errors_are_reported_when_they_come_in_a_burst() {
    let mut app = boot();
    drain(&mut app, 0);
    for _ in 0..4 {
        app.reader_event(0, ReaderEvent::Fault(FaultKind::Checksum), 1);
    }
    assert!(messages(&mut app, 1).is_empty());
    for _ in 0..3 {
        app.reader_event(0, ReaderEvent::Fault(FaultKind::Checksum), 1);
    }
    let burst = ToGateway::ReaderFault(ReaderFault {
        port: 0,
        fault: FaultKind::Checksum,
    });
    assert_eq!(messages(&mut app, 1), [burst]);
}

#[test]
fn configure_is_applied_and_acknowledged() {
    let mut app = boot();
    drain(&mut app, 0);
    let new = configure(200, &[(1, Some(ReaderKind::Pn532)), (2, None)]);
    assert_eq!(
        app.receive(&configure_frame(41, new.clone())),
        Some(new.clone())
    );
    assert_eq!(app.config(), &new);
    let ack = ConfigAck {
        configure_seq: 41,
        result: ConfigResult::Accepted,
    };
    assert_eq!(messages(&mut app, 1), [ToGateway::ConfigAck(ack)]);
    // The new window applies, and reads from a port without a reader are dropped.
    app.reader_event(1, em4100(3), 10);
    app.reader_event(0, em4100(4), 10);
    assert!(matches!(messages(&mut app, 210).as_slice(), [ToGateway::TagRead(r)] if r.port == 1));
    assert_eq!(app.stats().stray_reads, 1);
}

#[test]
fn bad_configurations_are_refused_and_the_old_one_keeps_running() {
    use ReaderKind::{Mfrc522, Pn532};
    let cases = [
        (
            configure(500, &[(9, Some(Pn532))]),
            ConfigRejection::UnknownPort { port: 9 },
        ),
        (
            configure(500, &[(0, Some(Mfrc522))]),
            ConfigRejection::UnsupportedReader {
                port: 0,
                kind: Mfrc522,
            },
        ),
        (
            configure(500, &[(1, Some(Pn532)), (1, None)]),
            ConfigRejection::DuplicatePort { port: 1 },
        ),
        (
            configure(120_000, &[]),
            ConfigRejection::DebounceTooLong {
                requested: 120_000,
                max: 60_000,
            },
        ),
        (
            Configure {
                uhf_tx_power_cdbm: 3000,
                ..configure(500, &[])
            },
            ConfigRejection::TxPowerOutOfRange {
                requested: 3000,
                min: 1800,
                max: 2600,
            },
        ),
    ];
    for (seq, (config, rejection)) in (1..).zip(cases) {
        let mut app = boot();
        let before = app.config().clone();
        drain(&mut app, 0);
        assert_eq!(app.receive(&configure_frame(seq, config)), None);
        assert_eq!(app.config(), &before);
        let ack = ConfigAck {
            configure_seq: seq,
            result: ConfigResult::Rejected(rejection),
        };
        assert_eq!(messages(&mut app, 1), [ToGateway::ConfigAck(ack)]);
    }
}

#[test]
fn garbage_from_the_gateway_is_counted_and_a_following_configure_still_works() {
    let mut app = boot();
    let mut bytes = vec![0x00, 0x13, 0x37, 0xFF, 0x00];
    bytes.extend(configure_frame(5, configure(100, &[])));
    assert!(app.receive(&bytes).is_some());
    assert_eq!(app.stats().bad_frames, 1);
}

#[test]
fn an_invalid_boot_configuration_is_an_error() {
    let config = configure(500, &[(2, Some(ReaderKind::Em4100))]);
    let error = App::<8>::new(board(), Settings::default(), config, 0).err();
    assert_eq!(
        error,
        Some(ConfigRejection::UnsupportedReader {
            port: 2,
            kind: ReaderKind::Em4100
        })
    );
}

#[test]
fn flushing_sends_every_open_read() {
    let mut app = boot();
    drain(&mut app, 0);
    app.reader_event(0, em4100(1), 10);
    app.reader_event(0, em4100(2), 10);
    app.flush_reads();
    assert_eq!(messages(&mut app, 11).len(), 2);
}
