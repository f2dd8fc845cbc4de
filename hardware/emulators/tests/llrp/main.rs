#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! LLRP 1.0.1 reader: messages byte for byte in process ([`messages`]), then a whole
//! session over TCP ([`tcp`]). This file holds the client side both use.

mod messages;
mod tcp;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use trace_emulators::llrp::codes::{msg, param, status};
use trace_emulators::llrp::report::select;
use trace_emulators::llrp::rospec::RoState;
use trace_emulators::llrp::wire::{Incoming, Message, MessageParser, Reader, Writer};
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
