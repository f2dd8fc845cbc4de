#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! LLRP 1.0.1 reader: messages byte for byte in process, then a whole session over TCP.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use trace_emulators::llrp::rospec::{RoState, select};
use trace_emulators::llrp::wire::{
    Incoming, Message, MessageParser, Reader, Writer, msg, param, status,
};
use trace_emulators::llrp::{LlrpConfig, LlrpReader};
use trace_emulators::scenario::{Action, Scenario};
use trace_emulators::tag::parse_hex;
use trace_emulators::transport::tcp::TcpServer;
use trace_emulators::{Emulator, Scene, Tag};

fn hex(text: &str) -> Vec<u8> {
    parse_hex(text).unwrap()
}

const EPC_A: &str = "30751FEB705C5904E3D50D70";
const EPC_B: &str = "3074257BF7194E4000001A85";
/// 1 700 000 000 s after the epoch, in µs.
const START_US: u64 = 1_700_000_000_000_000;

fn tag(epc: &str) -> Tag {
    format!("epc:{epc}").parse().unwrap()
}

fn reader() -> LlrpReader {
    LlrpReader::new(LlrpConfig {
        antennas: 4,
        utc_at_start: Duration::from_secs(1_700_000_000),
        read_interval: Duration::from_millis(100),
        keepalive: None,
    })
}

fn messages(reader: &mut LlrpReader) -> Vec<Message> {
    let mut bytes = Vec::new();
    while reader.poll(&mut bytes) > 0 {}
    let mut parser = MessageParser::default();
    parser.push(&bytes);
    let mut out = Vec::new();
    while let Some(Incoming::Message(message)) = parser.next_message() {
        out.push(message);
    }
    out
}

fn raw(reader: &mut LlrpReader) -> Vec<u8> {
    let mut bytes = Vec::new();
    while reader.poll(&mut bytes) > 0 {}
    bytes
}

fn status_of(message: &Message) -> (u16, String) {
    let mut reader = Reader::new(&message.body);
    let (kind, body) = reader.tlv().unwrap();
    assert_eq!(kind, param::LLRP_STATUS);
    let mut fields = Reader::new(body);
    let code = fields.u16().unwrap();
    let length = usize::from(fields.u16().unwrap());
    (
        code,
        String::from_utf8(fields.take(length).unwrap().to_vec()).unwrap(),
    )
}

fn request(kind: u16, id: u32, body: Vec<u8>) -> Vec<u8> {
    Message::new(kind, id, body).encode()
}

/// One TagReportData as the test reads it: EPC, antenna, peak RSSI, first seen.
#[derive(Debug, PartialEq, Eq)]
struct TagRead {
    epc: Vec<u8>,
    antenna: Option<u16>,
    rssi: Option<i8>,
    first_seen: Option<u64>,
    count: Option<u16>,
}

fn tag_reports(report: &Message) -> Vec<TagRead> {
    assert_eq!(report.kind, msg::RO_ACCESS_REPORT);
    let mut reads = Vec::new();
    let mut outer = Reader::new(&report.body);
    while let Some((kind, body)) = outer.tlv() {
        assert_eq!(kind, param::TAG_REPORT_DATA);
        let mut read = TagRead {
            epc: Vec::new(),
            antenna: None,
            rssi: None,
            first_seen: None,
            count: None,
        };
        let mut fields = Reader::new(body);
        while let Some(first) = fields.rest().first().copied() {
            if first & 0x80 == 0 {
                let (kind, epc) = fields.tlv().unwrap();
                assert_eq!(kind, param::EPC_DATA);
                let mut epc = Reader::new(epc);
                let bits = usize::from(epc.u16().unwrap());
                read.epc = epc.take(bits / 8).unwrap().to_vec();
                continue;
            }
            fields.u8();
            match first & 0x7F {
                13 => read.epc = fields.take(12).unwrap().to_vec(),
                1 => read.antenna = fields.u16(),
                6 => read.rssi = Some(fields.u8().unwrap() as i8),
                2 => {
                    read.first_seen = Some(u64::from_be_bytes(
                        fields.take(8).unwrap().try_into().unwrap(),
                    ))
                }
                4 => drop(fields.take(8)),
                8 => read.count = fields.u16(),
                9 => drop(fields.take(4)),
                other => panic!("unexpected TV {other}"),
            }
        }
        reads.push(read);
    }
    reads
}

/// ADD_ROSPEC written out by hand from the LLRP 1.0.1 layout: ROSpec 1, Null start and
/// stop triggers, one AISpec over all antennas with a Gen2 InventoryParameterSpec, and a
/// report per tag with AntennaID, PeakRSSI and FirstSeenTimestamp.
const ADD_ROSPEC: &str = "04 14 00 00 00 4B 00 00 00 65
    00 B1 00 41 00 00 00 01 00 00
    00 B2 00 12  00 B3 00 05 00  00 B6 00 09 00 00 00 00 00
    00 B7 00 18 00 01 00 00  00 B8 00 09 00 00 00 00 00  00 BA 00 07 00 01 01
    00 ED 00 0D 02 00 01  00 EE 00 06 16 00";

fn success(kind: u16, id: u32) -> Vec<u8> {
    [
        request(kind, id, Vec::new()),
        hex("01 1F 00 08 00 00 00 00"),
    ]
    .concat()
    .into_iter()
    .enumerate()
    .map(|(i, b)| if i == 5 { 18 } else { b })
    .collect()
}

#[test]
fn connect_notification_bytes() {
    let mut reader = reader();
    reader.host_connected();
    let mut expected = hex("04 3F 00 00 00 20 00 00 00 01  00 F6 00 16  00 80 00 0C");
    expected.extend(START_US.to_be_bytes());
    expected.extend(hex("01 00 00 06 00 00"));
    assert_eq!(raw(&mut reader), expected);
}

#[test]
fn add_enable_start_and_the_first_report_byte_for_byte() {
    let mut reader = reader();
    reader.field().enter(tag(EPC_A), 1, -55);
    reader.host_connected();
    raw(&mut reader);
    reader.feed(&hex(ADD_ROSPEC));
    assert_eq!(raw(&mut reader), success(msg::ADD_ROSPEC + 10, 0x65));
    reader.feed(&hex("04 18 00 00 00 0E 00 00 00 66 00 00 00 01"));
    assert_eq!(raw(&mut reader), success(msg::ENABLE_ROSPEC + 10, 0x66));
    reader.advance(Duration::from_millis(250));
    reader.feed(&hex("04 16 00 00 00 0E 00 00 00 67 00 00 00 01"));
    let mut expected = success(msg::START_ROSPEC + 10, 0x67);
    expected.extend(hex("04 3D 00 00 00 29 00 00 00 02  00 F0 00 1F  8D"));
    expected.extend(hex(EPC_A));
    expected.extend(hex("81 00 01  86 C9  82"));
    expected.extend((START_US + 250_000).to_be_bytes());
    assert_eq!(raw(&mut reader), expected);
}

#[test]
fn reports_follow_the_field_per_antenna() {
    let mut reader = reader();
    reader.field().enter(tag(EPC_A), 1, -55);
    reader.field().enter(tag(EPC_B), 3, -61);
    reader.feed(&hex(ADD_ROSPEC));
    reader.feed(&request(msg::ENABLE_ROSPEC, 2, vec![0, 0, 0, 1]));
    reader.feed(&request(msg::START_ROSPEC, 3, vec![0, 0, 0, 1]));
    let first: Vec<TagRead> = messages(&mut reader)
        .iter()
        .filter(|m| m.kind == msg::RO_ACCESS_REPORT)
        .flat_map(tag_reports)
        .collect();
    assert_eq!(
        first
            .iter()
            .map(|r| (r.antenna, r.rssi))
            .collect::<Vec<_>>(),
        [(Some(1), Some(-55)), (Some(3), Some(-61))]
    );
    assert_eq!(first[1].epc, hex(EPC_B));
    reader.field().leave(&tag(EPC_A), None);
    reader.advance(Duration::from_millis(100));
    let second: Vec<TagRead> = messages(&mut reader).iter().flat_map(tag_reports).collect();
    assert_eq!(second.len(), 1);
    assert_eq!(
        (second[0].epc.clone(), second[0].first_seen),
        (hex(EPC_B), Some(START_US + 100_000))
    );
}

fn add_rospec(
    id: u32,
    antennas: &[u16],
    trigger: u8,
    n: u16,
    flags: u16,
    stop_ms: Option<u32>,
) -> Vec<u8> {
    let body = Writer::new()
        .tlv(param::ROSPEC, |w| {
            w.u32(id).u8(0).u8(0);
            w.tlv(param::RO_BOUNDARY_SPEC, |w| {
                w.tlv(param::ROSPEC_START_TRIGGER, |w| {
                    w.u8(0);
                });
                w.tlv(param::ROSPEC_STOP_TRIGGER, |w| {
                    w.u8(u8::from(stop_ms.is_some())).u32(stop_ms.unwrap_or(0));
                });
            });
            w.tlv(param::AI_SPEC, |w| {
                w.u16(u16::try_from(antennas.len()).unwrap());
                for antenna in antennas {
                    w.u16(*antenna);
                }
                w.tlv(param::AI_SPEC_STOP_TRIGGER, |w| {
                    w.u8(0).u32(0);
                });
                w.tlv(param::INVENTORY_PARAMETER_SPEC, |w| {
                    w.u16(9).u8(1);
                });
            });
            w.tlv(param::RO_REPORT_SPEC, |w| {
                w.u8(trigger)
                    .u16(n)
                    .tlv(param::TAG_REPORT_CONTENT_SELECTOR, |w| {
                        w.u16(flags);
                    });
            });
        })
        .finish();
    request(msg::ADD_ROSPEC, id, body)
}

#[test]
fn antenna_list_duration_stop_and_end_of_rospec_report() {
    let mut reader = reader();
    reader.field().enter(tag(EPC_A), 1, -55);
    reader.field().enter(tag(EPC_B), 2, -48);
    let flags = 1 << select::ANTENNA_ID | 1 << select::SEEN_COUNT | 1 << select::FIRST_SEEN;
    reader.feed(&add_rospec(7, &[2], 2, 0, flags, Some(350)));
    reader.feed(&request(msg::ENABLE_ROSPEC, 2, vec![0, 0, 0, 7]));
    reader.feed(&request(msg::START_ROSPEC, 3, vec![0, 0, 0, 7]));
    reader.advance(Duration::from_millis(300));
    assert!(
        messages(&mut reader)
            .iter()
            .all(|m| m.kind != msg::RO_ACCESS_REPORT),
        "N = 0: nothing before the end"
    );
    reader.advance(Duration::from_millis(400));
    let reads: Vec<TagRead> = messages(&mut reader).iter().flat_map(tag_reports).collect();
    assert_eq!(
        reads,
        [TagRead {
            epc: hex(EPC_B),
            antenna: Some(2),
            rssi: None,
            first_seen: Some(START_US),
            count: Some(4)
        }],
        "rounds at 0, 100, 200, 300 ms on antenna 2 only"
    );
    assert_eq!(reader.rospecs()[0].state, RoState::Inactive);
}

#[test]
fn longer_epcs_use_epc_data_and_get_report_flushes_a_none_trigger() {
    let mut reader = reader();
    let long = "E2801160600002054CC2B0A1A2A3A4A5";
    reader.field().enter(tag(long), 4, -70);
    reader.feed(&add_rospec(3, &[0], 0, 0, 1 << select::ANTENNA_ID, None));
    reader.feed(&request(msg::ENABLE_ROSPEC, 2, vec![0, 0, 0, 3]));
    reader.feed(&request(msg::START_ROSPEC, 3, vec![0, 0, 0, 3]));
    reader.advance(Duration::from_secs(2));
    assert!(
        messages(&mut reader)
            .iter()
            .all(|m| m.kind != msg::RO_ACCESS_REPORT)
    );
    reader.feed(&request(msg::GET_REPORT, 9, Vec::new()));
    let reports = messages(&mut reader);
    assert_eq!(reports.len(), 1);
    let body = &reports[0].body;
    assert_eq!(&body[4..8], hex("00 F1 00 16"), "EPCData, 4 + 2 + 16 bytes");
    assert_eq!(&body[8..10], [0x00, 0x80], "128 bits");
    assert_eq!(
        tag_reports(&reports[0])[0],
        TagRead {
            epc: hex(long),
            antenna: Some(4),
            rssi: None,
            first_seen: None,
            count: None
        }
    );
}

#[test]
fn refusals_carry_llrp_status() {
    let mut reader = reader();
    reader.feed(&hex(ADD_ROSPEC));
    messages(&mut reader);
    reader.feed(&hex(ADD_ROSPEC));
    let (code, text) = status_of(&messages(&mut reader)[0]);
    assert_eq!(
        (code, text.as_str()),
        (status::FIELD_ERROR, "a ROSpec with ID 1 already exists")
    );
    reader.feed(&request(msg::START_ROSPEC, 5, vec![0, 0, 0, 1]));
    assert_eq!(
        status_of(&messages(&mut reader)[0]).0,
        status::FIELD_ERROR,
        "not enabled"
    );
    reader.feed(&request(msg::ENABLE_ROSPEC, 6, vec![0, 0, 0, 9]));
    assert_eq!(
        status_of(&messages(&mut reader)[0]).1,
        "no ROSpec with ID 9"
    );
    reader.feed(&add_rospec(2, &[5], 2, 1, 0, None));
    assert_eq!(
        status_of(&messages(&mut reader)[0]).1,
        "antenna 5 does not exist (the reader has 4)"
    );
    reader.feed(&request(40, 7, Vec::new()));
    let error = &messages(&mut reader)[0];
    assert_eq!(
        (error.kind, error.id, status_of(error).0),
        (msg::ERROR_MESSAGE, 7, status::UNSUPPORTED_MESSAGE)
    );
    let mut v2 = request(msg::GET_ROSPECS, 8, Vec::new());
    v2[0] = 0x08;
    reader.feed(&v2);
    assert_eq!(
        status_of(&messages(&mut reader)[0]).0,
        status::UNSUPPORTED_VERSION
    );
    reader.feed(&request(msg::DELETE_ROSPEC, 9, vec![0, 0, 0, 0]));
    assert_eq!(status_of(&messages(&mut reader)[0]).0, status::SUCCESS);
    assert!(reader.rospecs().is_empty());
}

#[test]
fn capabilities_and_get_rospecs() {
    let mut reader = reader();
    reader.feed(&request(msg::GET_READER_CAPABILITIES, 1, vec![0]));
    let response = &messages(&mut reader)[0];
    assert_eq!(
        (response.kind, status_of(response).0),
        (msg::GET_READER_CAPABILITIES_RESPONSE, status::SUCCESS)
    );
    let mut params = Reader::new(&response.body);
    params.tlv();
    let (kind, general) = params.tlv().unwrap();
    assert_eq!(
        (kind, &general[..4]),
        (param::GENERAL_DEVICE_CAPABILITIES, &[0, 4, 0x40, 0][..])
    );
    let kinds: Vec<u16> = std::iter::from_fn(|| params.tlv().map(|(k, _)| k)).collect();
    assert_eq!(
        kinds,
        [
            param::LLRP_CAPABILITIES,
            param::REGULATORY_CAPABILITIES,
            param::C1G2_LLRP_CAPABILITIES
        ]
    );

    reader.feed(&hex(ADD_ROSPEC));
    reader.feed(&request(msg::ENABLE_ROSPEC, 2, vec![0, 0, 0, 1]));
    reader.feed(&request(msg::START_ROSPEC, 3, vec![0, 0, 0, 1]));
    messages(&mut reader);
    reader.feed(&request(msg::GET_ROSPECS, 4, Vec::new()));
    let response = &messages(&mut reader)[0];
    let mut expected = hex(ADD_ROSPEC)[10..].to_vec();
    expected[9] = RoState::Active as u8;
    assert_eq!(
        response.body[8..],
        expected[..],
        "the ROSpec as added, now Active"
    );
}

#[test]
fn keepalives_are_sent_and_acks_counted() {
    let mut reader = reader();
    reader.host_connected();
    let config = Writer::new()
        .u8(0)
        .tlv(param::KEEPALIVE_SPEC, |w| {
            w.u8(1).u32(1000);
        })
        .finish();
    reader.feed(&request(msg::SET_READER_CONFIG, 1, config));
    reader.advance(Duration::from_millis(3500));
    let sent = messages(&mut reader);
    let keepalives: Vec<&Message> = sent.iter().filter(|m| m.kind == msg::KEEPALIVE).collect();
    assert_eq!(keepalives.len(), 3);
    assert_eq!(keepalives[0].encode(), hex("04 3E 00 00 00 0A 00 00 00 02"));
    for keepalive in &keepalives {
        reader.feed(&request(msg::KEEPALIVE_ACK, keepalive.id, Vec::new()));
    }
    assert_eq!((reader.keepalives_sent(), reader.keepalive_acks()), (3, 3));
}

#[test]
fn corruption_noise_and_silence() {
    let mut reader = reader();
    reader.faults().corrupt_next(1);
    reader.faults().inject_noise(&[0xDE, 0xAD]);
    reader.feed(&request(msg::GET_ROSPECS, 1, Vec::new()));
    reader.feed(&request(msg::GET_ROSPECS, 2, Vec::new()));
    let bytes = raw(&mut reader);
    assert_eq!(&bytes[..2], [0xDE, 0xAD]);
    assert_eq!(
        &bytes[2..4],
        [0x00, 0x24],
        "version 0 in the first response"
    );
    assert_eq!(&bytes[20..22], [0x04, 0x24], "the next one is sound");

    reader.faults().set_silent(true);
    reader.feed(&request(msg::GET_ROSPECS, 3, Vec::new()));
    reader.host_connected();
    assert!(raw(&mut reader).is_empty());
    reader.faults().set_silent(false);
    reader.feed(&request(msg::GET_ROSPECS, 4, Vec::new()));
    assert_eq!(messages(&mut reader)[0].id, 4);
}

// --- Over a real TCP socket ----------------------------------------------------------

struct Client {
    stream: TcpStream,
    parser: MessageParser,
}

impl Client {
    fn connect(server: &TcpServer<LlrpReader>) -> Self {
        let stream = TcpStream::connect(server.local_addr()).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_millis(50)))
            .unwrap();
        Self {
            stream,
            parser: MessageParser::default(),
        }
    }

    fn send(&mut self, kind: u16, id: u32, body: Vec<u8>) {
        self.stream.write_all(&request(kind, id, body)).unwrap();
    }

    /// The next message, within 5 s.
    fn next(&mut self) -> Message {
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut buf = [0u8; 1024];
        loop {
            if let Some(Incoming::Message(message)) = self.parser.next_message() {
                return message;
            }
            assert!(Instant::now() < deadline, "no LLRP message within 5 s");
            match self.stream.read(&mut buf) {
                Ok(0) => panic!("the reader closed the connection"),
                Ok(n) => self.parser.push(&buf[..n]),
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(e) => panic!("{e}"),
            }
        }
    }

    /// The next message of `kind`, answering keepalives on the way.
    fn next_of(&mut self, kind: u16) -> Message {
        loop {
            let message = self.next();
            if message.kind == kind {
                return message;
            }
            if message.kind == msg::KEEPALIVE {
                self.send(msg::KEEPALIVE_ACK, message.id, Vec::new());
            }
        }
    }
}

#[test]
fn whole_session_over_tcp() {
    let scenario = Scenario::new()
        .at(
            Duration::ZERO,
            Action::Enter {
                tag: tag(EPC_A),
                antenna: 1,
                rssi: -55,
            },
        )
        .at(
            Duration::ZERO,
            Action::Enter {
                tag: tag(EPC_B),
                antenna: 2,
                rssi: -60,
            },
        );
    let server = TcpServer::start(reader(), scenario).unwrap();
    assert_ne!(server.local_addr().port(), 5084);
    let mut client = Client::connect(&server);

    let hello = client.next();
    assert_eq!(hello.kind, msg::READER_EVENT_NOTIFICATION);
    assert_eq!(
        &hello.body[hello.body.len() - 6..],
        hex("01 00 00 06 00 00"),
        "ConnectionAttemptEvent: Success"
    );

    client.send(msg::GET_READER_CAPABILITIES, 10, vec![0]);
    let capabilities = client.next_of(msg::GET_READER_CAPABILITIES_RESPONSE);
    assert_eq!(
        (capabilities.id, status_of(&capabilities).0),
        (10, status::SUCCESS)
    );

    let keepalive = Writer::new()
        .u8(0)
        .tlv(param::KEEPALIVE_SPEC, |w| {
            w.u8(1).u32(100);
        })
        .finish();
    client.send(msg::SET_READER_CONFIG, 11, keepalive);
    assert_eq!(
        status_of(&client.next_of(msg::SET_READER_CONFIG_RESPONSE)).0,
        status::SUCCESS
    );

    client.stream.write_all(&hex(ADD_ROSPEC)).unwrap();
    assert_eq!(
        status_of(&client.next_of(msg::ADD_ROSPEC + 10)).0,
        status::SUCCESS
    );
    client.send(msg::ENABLE_ROSPEC, 12, vec![0, 0, 0, 1]);
    assert_eq!(
        status_of(&client.next_of(msg::ENABLE_ROSPEC + 10)).0,
        status::SUCCESS
    );
    client.send(msg::START_ROSPEC, 13, vec![0, 0, 0, 1]);
    assert_eq!(
        status_of(&client.next_of(msg::START_ROSPEC + 10)).0,
        status::SUCCESS
    );

    let mut seen = Vec::new();
    while seen.len() < 2 {
        for read in tag_reports(&client.next_of(msg::RO_ACCESS_REPORT)) {
            if !seen.iter().any(|(epc, _)| *epc == read.epc) {
                seen.push((read.epc, read.antenna));
            }
        }
    }
    seen.sort();
    assert_eq!(seen, [(hex(EPC_B), Some(2)), (hex(EPC_A), Some(1))]);

    let keepalive = client.next_of(msg::KEEPALIVE);
    client.send(msg::KEEPALIVE_ACK, keepalive.id, Vec::new());
    let deadline = Instant::now() + Duration::from_secs(5);
    while server.with(|session| session.emulator.keepalive_acks()) == 0 {
        assert!(Instant::now() < deadline, "the ack never arrived");
        std::thread::sleep(Duration::from_millis(5));
    }

    client.send(msg::STOP_ROSPEC, 14, vec![0, 0, 0, 1]);
    assert_eq!(
        status_of(&client.next_of(msg::STOP_ROSPEC + 10)).0,
        status::SUCCESS
    );
    client.send(msg::DELETE_ROSPEC, 15, vec![0, 0, 0, 1]);
    assert_eq!(
        status_of(&client.next_of(msg::DELETE_ROSPEC + 10)).0,
        status::SUCCESS
    );
    client.send(14, 16, Vec::new());
    assert_eq!(
        status_of(&client.next_of(msg::CLOSE_CONNECTION_RESPONSE)).0,
        status::SUCCESS
    );
    let mut rest = Vec::new();
    client
        .stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let closed = client.stream.read_to_end(&mut rest);
    assert!(closed.is_ok(), "the reader hangs up: {closed:?}");
    assert!(server.with(|session| session.emulator.rospecs().is_empty()));
    server.stop().unwrap();
}
