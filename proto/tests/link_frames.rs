//! Link frames: round trips, chunked streams with garbage, bit flips, golden bytes.
// Test helpers outside #[test] functions unwrap too: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

use heapless::{String, Vec};
use proptest::prelude::*;
use trace_proto::link::*;

fn hs<const N: usize>(s: &str) -> String<N> {
    String::try_from(s).unwrap()
}

fn hv<T, const N: usize>(items: &[T]) -> Vec<T, N>
where
    T: Clone,
{
    Vec::from_slice(items).unwrap()
}

/// The EPC from the M100 notification example in READERS.md (PC 0x3400, 6 words).
fn uhf_tag() -> TagId {
    let bank = [
        0x34, 0x00, 0x30, 0x75, 0x1F, 0xEB, 0x70, 0x5C, 0x59, 0x04, 0xE3, 0xD5, 0x0D, 0x70,
    ];
    TagId::Gen2(EpcBank::from_bytes(&bank).unwrap())
}

fn hello() -> ToGateway {
    ToGateway::Hello(Hello {
        protocol_version: PROTOCOL_VERSION,
        firmware_version: hs("0.1.0"),
        board: hs("rp2040-pico"),
        readers: hv(&[
            ReaderInfo {
                port: 0,
                kind: ReaderKind::Em4100,
                state: ReaderState::Ready,
            },
            ReaderInfo {
                port: 1,
                kind: ReaderKind::Pn532,
                state: ReaderState::Initialising,
            },
            ReaderInfo {
                port: 2,
                kind: ReaderKind::Mfrc522,
                state: ReaderState::Faulted,
            },
            ReaderInfo {
                port: 3,
                kind: ReaderKind::UhfM100,
                state: ReaderState::Absent,
            },
        ]),
    })
}

fn tag_read() -> ToGateway {
    ToGateway::TagRead(TagRead {
        port: 3,
        antenna: 0,
        tag: uhf_tag(),
        rssi_cdbm: Some(-5500),
        count: 7,
        first_seen_ms: 1_000,
        last_seen_ms: 1_350,
    })
}

fn heartbeat() -> ToGateway {
    ToGateway::Heartbeat(Heartbeat {
        uptime_ms: 60_000,
        frames_sent: 42,
        reads: 17,
        reader_errors: hv(&[ReaderErrors { port: 1, errors: 2 }]),
    })
}

fn fault() -> ToGateway {
    ToGateway::ReaderFault(ReaderFault {
        port: 3,
        fault: FaultKind::ModuleError { code: 0x17 },
    })
}

fn config_ack() -> ToGateway {
    ToGateway::ConfigAck(ConfigAck {
        configure_seq: 9,
        result: ConfigResult::Rejected(ConfigRejection::TxPowerOutOfRange {
            requested: 3300,
            min: 1800,
            max: 2600,
        }),
    })
}

fn configure() -> ToFirmware {
    ToFirmware::Configure(Configure {
        debounce_ms: 500,
        uhf_tx_power_cdbm: 2000,
        ports: hv(&[
            PortAssignment {
                port: 0,
                kind: Some(ReaderKind::Em4100),
            },
            PortAssignment {
                port: 3,
                kind: Some(ReaderKind::UhfM100),
            },
            PortAssignment {
                port: 4,
                kind: None,
            },
        ]),
    })
}

fn encode<M: LinkMessage>(seq: u32, m: &M) -> std::vec::Vec<u8> {
    let mut buf = [0u8; MAX_FRAME_LEN];
    let n = encode_frame(seq, m, &mut buf).unwrap();
    buf[..n].to_vec()
}

fn decode_all<M: LinkMessage>(bytes: &[u8]) -> std::vec::Vec<Result<Frame<M>, FrameError>> {
    let mut d = FrameDecoder::<M>::new();
    d.feed(bytes).collect()
}

/// postcard bytes without needing postcard's `alloc` (these tests also run without features).
fn postcard_bytes<T: serde::Serialize>(value: &T) -> Result<std::vec::Vec<u8>, postcard::Error> {
    let mut buf = [0u8; 512];
    postcard::to_slice(value, &mut buf).map(|b| b.to_vec())
}

fn hex(bytes: &[u8]) -> std::string::String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Independent implementation of the documented layout: postcard of
/// (format, seq, message), CRC-32/ISCSI little-endian, COBS, 0x00 on both sides.
fn reference_frame<M: serde::Serialize>(
    format: u8,
    seq: u32,
    m: &M,
    extra: &[u8],
) -> std::vec::Vec<u8> {
    let mut body = postcard_bytes(&(format, seq, m)).unwrap();
    body.extend_from_slice(extra);
    let crc = crc::Crc::<u32>::new(&crc::CRC_32_ISCSI).checksum(&body);
    body.extend_from_slice(&crc.to_le_bytes());
    // Bodies under 254 bytes need no 0xFF blocks: one COBS block per zero-free run.
    assert!(body.len() < 254);
    let mut out = vec![0u8];
    for run in body.split(|&b| b == 0) {
        out.push(run.len() as u8 + 1);
        out.extend_from_slice(run);
    }
    out.push(0);
    out
}

#[test]
fn every_message_round_trips() {
    for (seq, m) in [hello(), tag_read(), heartbeat(), fault(), config_ack()]
        .iter()
        .enumerate()
    {
        let frame = encode(seq as u32, m);
        assert!(frame.len() <= MAX_FRAME_LEN);
        let got = decode_all::<ToGateway>(&frame);
        assert_eq!(
            got,
            vec![Ok(Frame {
                seq: seq as u32,
                message: m.clone()
            })]
        );
    }
    let frame = encode(u32::MAX, &configure());
    let got = decode_all::<ToFirmware>(&frame);
    assert_eq!(
        got,
        vec![Ok(Frame {
            seq: u32::MAX,
            message: configure()
        })]
    );
}

#[test]
fn frames_match_the_documented_layout() {
    for m in [hello(), tag_read(), heartbeat(), fault(), config_ack()] {
        assert_eq!(encode(300, &m), reference_frame(FORMAT, 300, &m, &[]));
    }
    assert_eq!(
        encode(0, &configure()),
        reference_frame(FORMAT, 0, &configure(), &[])
    );
}

/// Pinned bytes: an accidental change of any message's encoding fails here.
#[test]
fn golden_frames() {
    let cases: [(std::vec::Vec<u8>, &str); 6] = [
        (encode(1, &hello()), GOLDEN_HELLO),
        (encode(2, &tag_read()), GOLDEN_TAG_READ),
        (encode(3, &heartbeat()), GOLDEN_HEARTBEAT),
        (encode(4, &fault()), GOLDEN_FAULT),
        (encode(5, &config_ack()), GOLDEN_CONFIG_ACK),
        (encode(6, &configure()), GOLDEN_CONFIGURE),
    ];
    let got: std::vec::Vec<_> = cases.iter().map(|(bytes, _)| hex(bytes)).collect();
    let want: std::vec::Vec<_> = cases.iter().map(|(_, golden)| *golden).collect();
    assert_eq!(got, want);
}

const GOLDEN_HELLO: &str =
    "00030101150105302e312e300b7270323034302d7069636f0401010e010101020202030303ac770ed300";
const GOLDEN_TAG_READ: &str =
    "00050102010304020e341930751feb705c5904e3d50d7001f75507e807c60a3ae5958900";
const GOLDEN_HEARTBEAT: &str = "0010010302e0d4032a110101024fa4ece400";
const GOLDEN_FAULT: &str = "000b01040303051746baef4900";
const GOLDEN_CONFIG_ACK: &str = "0011010504090102c833901cd028cdc54a7f00";
const GOLDEN_CONFIGURE: &str = "0003010606f403a01f030201050301030405079fa7c900";

#[test]
fn largest_messages_fit_the_limit() {
    let long = "x".repeat(32);
    let readers = [ReaderInfo {
        port: 255,
        kind: ReaderKind::UhfM100,
        state: ReaderState::Absent,
    }; 8];
    let biggest_hello = ToGateway::Hello(Hello {
        protocol_version: u16::MAX,
        firmware_version: hs(&long),
        board: hs(&long),
        readers: hv(&readers),
    });
    let biggest_read = ToGateway::TagRead(TagRead {
        port: 255,
        antenna: 255,
        tag: TagId::Gen2(EpcBank::new(0xFFFF, &[0xAB; 62]).unwrap()),
        rssi_cdbm: Some(i16::MIN),
        count: u32::MAX,
        first_seen_ms: u64::MAX,
        last_seen_ms: u64::MAX,
    });
    let biggest_heartbeat = ToGateway::Heartbeat(Heartbeat {
        uptime_ms: u64::MAX,
        frames_sent: u32::MAX,
        reads: u32::MAX,
        reader_errors: hv(&[ReaderErrors {
            port: 255,
            errors: u32::MAX,
        }; 8]),
    });
    let biggest_configure = ToFirmware::Configure(Configure {
        debounce_ms: u32::MAX,
        uhf_tx_power_cdbm: i16::MIN,
        ports: hv(&[PortAssignment {
            port: 255,
            kind: Some(ReaderKind::UhfM100),
        }; 8]),
    });
    let read_len = postcard_bytes(&biggest_read).unwrap().len();
    assert_eq!(
        read_len, 98,
        "the module doc of MAX_MESSAGE_LEN quotes this size"
    );
    for m in [biggest_hello, biggest_read, biggest_heartbeat] {
        assert!(postcard_bytes(&m).unwrap().len() <= MAX_MESSAGE_LEN);
        let frame = encode(u32::MAX, &m);
        assert_eq!(
            decode_all::<ToGateway>(&frame),
            vec![Ok(Frame {
                seq: u32::MAX,
                message: m
            })]
        );
    }
    assert!(postcard_bytes(&biggest_configure).unwrap().len() <= MAX_MESSAGE_LEN);
}

#[test]
fn small_output_buffer_is_an_error() {
    let mut buf = [0u8; 10];
    assert_eq!(
        encode_frame(1, &hello(), &mut buf),
        Err(EncodeError::BufferTooSmall { capacity: 10 })
    );
    assert_eq!(
        encode_frame(1, &hello(), &mut []),
        Err(EncodeError::BufferTooSmall { capacity: 0 })
    );
}

#[test]
fn tag_identities_are_validated() {
    assert_eq!(
        Uid::from_slice(&[1, 2, 3]),
        Err(TagIdError::UidLength { length: 3 })
    );
    assert_eq!(
        Uid::from_slice(&[0x90, 0x1F, 0x2A, 0xA4])
            .unwrap()
            .as_bytes(),
        [0x90, 0x1F, 0x2A, 0xA4]
    );
    assert!(matches!(Uid::from_slice(&[0; 7]), Ok(Uid::Double(_))));
    assert!(matches!(Uid::from_slice(&[0; 10]), Ok(Uid::Triple(_))));
    assert_eq!(
        EpcBank::from_bytes(&[0x34]),
        Err(TagIdError::MissingPc { length: 1 })
    );
    assert_eq!(
        EpcBank::from_bytes(&[0x34, 0x00, 1, 2]),
        Err(TagIdError::EpcLength {
            pc: 0x3400,
            expected: 12,
            found: 2
        })
    );
    let TagId::Gen2(bank) = uhf_tag() else {
        unreachable!()
    };
    assert_eq!(bank.pc(), 0x3400);
    assert_eq!(hex(bank.epc()), "30751feb705c5904e3d50d70");
    assert_eq!(bank.as_bytes().len(), 14);
    // A PC/EPC mismatch smuggled onto the wire is refused by the decoder too.
    let read =
        |bank: std::vec::Vec<u8>| (1u32, 3u8, 0u8, 2u32, bank, None::<i16>, 1u32, 0u64, 0u64);
    let forged = reference_frame(FORMAT, 1, &read(vec![0x34, 0x00]), &[]);
    assert!(matches!(
        decode_all::<ToGateway>(&forged)[..],
        [Err(FrameError::Malformed(_))]
    ));
    let honest = reference_frame(FORMAT, 1, &read(vec![0x00, 0x00]), &[]);
    assert!(matches!(decode_all::<ToGateway>(&honest)[..], [Ok(_)]));
}

#[test]
fn typed_errors_name_the_problem() {
    // A code byte announcing 4 more bytes than there are.
    assert_eq!(
        decode_all::<ToGateway>(&[0, 5, 1, 0]),
        vec![Err(FrameError::Cobs { position: 0 })]
    );
    assert_eq!(
        decode_all::<ToGateway>(&[0, 3, 1, 1, 0]),
        vec![Err(FrameError::Truncated { length: 2, min: 7 })]
    );
    let mut frame = encode(7, &fault());
    let n = frame.len();
    frame[n - 3] ^= 0x01;
    assert!(matches!(
        decode_all::<ToGateway>(&frame)[..],
        [Err(FrameError::CrcMismatch { .. })]
    ));

    let v2 = reference_frame(2, 7, &fault(), &[]);
    assert_eq!(
        decode_all::<ToGateway>(&v2),
        vec![Err(FrameError::UnsupportedFormat {
            found: 2,
            supported: 1
        })]
    );
    let trailing = reference_frame(FORMAT, 7, &fault(), &[0xAA, 0xBB]);
    assert_eq!(
        decode_all::<ToGateway>(&trailing),
        vec![Err(FrameError::TrailingBytes { count: 2 })]
    );
    // A newer peer's message kind: ConfigAck is kind 4, ToFirmware knows only 1 kind.
    let newer = encode(7, &config_ack());
    assert_eq!(
        decode_all::<ToFirmware>(&newer),
        vec![Err(FrameError::UnknownMessage { tag: 4, known: 1 })]
    );
}

#[test]
fn overlong_frame_is_reported_and_the_next_one_decodes() {
    let mut stream = vec![0x55u8; MAX_ENCODED_LEN + 100];
    stream.extend(encode(8, &fault()));
    let got = decode_all::<ToGateway>(&stream);
    assert_eq!(
        got,
        vec![
            Err(FrameError::TooLong {
                length: MAX_ENCODED_LEN + 100,
                max: MAX_ENCODED_LEN
            }),
            Ok(Frame {
                seq: 8,
                message: fault()
            }),
        ]
    );
}

#[test]
fn every_single_bit_flip_is_detected() {
    let frames = [
        encode(1, &hello()),
        encode(2, &tag_read()),
        encode(3, &config_ack()),
    ];
    for frame in frames {
        for bit in 0..frame.len() * 8 {
            let mut bad = frame.clone();
            bad[bit / 8] ^= 1 << (bit % 8);
            bad.push(0);
            let got = decode_all::<ToGateway>(&bad);
            assert!(
                got.iter().all(Result::is_err),
                "bit {bit} flip decoded: {got:?}"
            );
            assert!(!got.is_empty(), "bit {bit} flip went unreported");
        }
    }
}

fn arb_tag() -> impl Strategy<Value = TagId> {
    prop_oneof![
        any::<[u8; 5]>().prop_map(TagId::Em4100),
        prop_oneof![Just(4usize), Just(7), Just(10)].prop_flat_map(|n| {
            proptest::collection::vec(any::<u8>(), n)
                .prop_map(|b| TagId::Iso14443a(Uid::from_slice(&b).unwrap()))
        }),
        (0u16..32, 0u16..0x800).prop_flat_map(|(words, low)| {
            proptest::collection::vec(any::<u8>(), usize::from(words) * 2)
                .prop_map(move |epc| TagId::Gen2(EpcBank::new(words << 11 | low, &epc).unwrap()))
        }),
    ]
}

fn arb_kind() -> impl Strategy<Value = ReaderKind> {
    prop_oneof![
        Just(ReaderKind::Em4100),
        Just(ReaderKind::Pn532),
        Just(ReaderKind::Mfrc522),
        Just(ReaderKind::UhfM100)
    ]
}

fn arb_message() -> impl Strategy<Value = ToGateway> {
    let state = prop_oneof![
        Just(ReaderState::Ready),
        Just(ReaderState::Initialising),
        Just(ReaderState::Faulted),
        Just(ReaderState::Absent)
    ];
    let reader = (any::<u8>(), arb_kind(), state).prop_map(|(port, kind, state)| ReaderInfo {
        port,
        kind,
        state,
    });
    let fault_kind = prop_oneof![
        Just(FaultKind::Timeout),
        Just(FaultKind::Checksum),
        Just(FaultKind::Crc),
        Just(FaultKind::NoResponse),
        Just(FaultKind::Reset),
        any::<u8>().prop_map(|code| FaultKind::ModuleError { code }),
    ];
    prop_oneof![
        (
            any::<u16>(),
            "[ -~]{0,32}",
            "[a-z0-9-]{0,32}",
            proptest::collection::vec(reader, 0..=8)
        )
            .prop_map(|(v, fw, board, readers)| ToGateway::Hello(Hello {
                protocol_version: v,
                firmware_version: hs(&fw),
                board: hs(&board),
                readers: hv(&readers),
            })),
        (
            any::<(u8, u8)>(),
            arb_tag(),
            any::<Option<i16>>(),
            any::<(u32, u64, u64)>()
        )
            .prop_map(
                |((port, antenna), tag, rssi_cdbm, (count, first_seen_ms, last_seen_ms))| {
                    ToGateway::TagRead(TagRead {
                        port,
                        antenna,
                        tag,
                        rssi_cdbm,
                        count,
                        first_seen_ms,
                        last_seen_ms,
                    })
                }
            ),
        (
            any::<(u64, u32, u32)>(),
            proptest::collection::vec(any::<(u8, u32)>(), 0..=8)
        )
            .prop_map(|((uptime_ms, frames_sent, reads), errs)| {
                let errs: std::vec::Vec<_> = errs
                    .into_iter()
                    .map(|(port, errors)| ReaderErrors { port, errors })
                    .collect();
                ToGateway::Heartbeat(Heartbeat {
                    uptime_ms,
                    frames_sent,
                    reads,
                    reader_errors: hv(&errs),
                })
            }),
        (any::<u8>(), fault_kind)
            .prop_map(|(port, fault)| ToGateway::ReaderFault(ReaderFault { port, fault })),
        (any::<u32>(), any::<(u8, i16, i16)>(), arb_kind()).prop_map(
            |(configure_seq, (port, a, b), kind)| {
                let result = match port % 4 {
                    0 => ConfigResult::Accepted,
                    1 => ConfigResult::Rejected(ConfigRejection::UnsupportedReader { port, kind }),
                    2 => ConfigResult::Rejected(ConfigRejection::TxPowerOutOfRange {
                        requested: a,
                        min: b,
                        max: a,
                    }),
                    _ => ConfigResult::Rejected(ConfigRejection::DuplicatePort { port }),
                };
                ToGateway::ConfigAck(ConfigAck {
                    configure_seq,
                    result,
                })
            }
        ),
    ]
}

/// Number of errors garbage must produce: one per non-empty run between zeros.
fn garbage_runs(garbage: &[u8]) -> usize {
    garbage
        .split(|&b| b == 0)
        .filter(|run| !run.is_empty())
        .count()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn chunked_stream_with_garbage_decodes(
        items in proptest::collection::vec(
            (arb_message(), any::<u32>(), proptest::collection::vec(any::<u8>(), 0..300)),
            1..6,
        ),
        cuts in proptest::collection::vec(1usize..64, 0..200),
    ) {
        let mut stream = std::vec::Vec::new();
        let mut expected_errors = 0;
        for (message, seq, garbage) in &items {
            stream.extend_from_slice(garbage);
            expected_errors += garbage_runs(garbage);
            stream.extend(encode(*seq, message));
        }
        let mut decoder = FrameDecoder::<ToGateway>::new();
        let mut results = std::vec::Vec::new();
        let mut rest = stream.as_slice();
        for cut in cuts.iter().chain(std::iter::repeat(&64)) {
            if rest.is_empty() {
                break;
            }
            let (piece, tail) = rest.split_at((*cut).min(rest.len()));
            results.extend(decoder.feed(piece));
            rest = tail;
        }
        let frames: std::vec::Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).cloned().collect();
        let want: std::vec::Vec<_> =
            items.iter().map(|(message, seq, _)| Frame { seq: *seq, message: message.clone() }).collect();
        prop_assert_eq!(frames, want);
        prop_assert_eq!(results.iter().filter(|r| r.is_err()).count(), expected_errors);
        prop_assert_eq!(decoder.pending(), 0);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
        let mut to_gateway = FrameDecoder::<ToGateway>::new();
        let mut to_firmware = FrameDecoder::<ToFirmware>::new();
        for chunk in bytes.chunks(37) {
            for result in to_gateway.feed(chunk) {
                prop_assert!(result.is_err() || result.is_ok());
            }
            to_firmware.feed(chunk).for_each(drop);
        }
        prop_assert!(to_gateway.pending() <= bytes.len());
    }

    #[test]
    fn any_message_round_trips(message in arb_message(), seq in any::<u32>()) {
        let frame = encode(seq, &message);
        prop_assert_eq!(decode_all::<ToGateway>(&frame), vec![Ok(Frame { seq, message })]);
    }
}
