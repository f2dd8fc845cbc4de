//! Codec throughput: the operations `BENCHMARKS.md` compares with peers (npm `epc-tds` for
//! SGTIN-96 decoding, PyPI `biip` for element strings; see `scripts/bench-peers.sh`) and the
//! link frames every tag read travels in. Run with `cargo bench -p trace-proto`.

// A benchmark whose fixture does not build must stop loudly.
#![allow(clippy::expect_used)]

use std::hint::black_box;
use std::string::ToString;

use criterion::{Criterion, criterion_group, criterion_main};
use trace_proto::epc::{Epc, EpcId};
use trace_proto::gs1::{DigitalLink, ElementString, ParseOptions};
use trace_proto::link::{EpcBank, FrameDecoder, TagId, TagRead, ToGateway, encode_frame};

fn epc(c: &mut Criterion) {
    let hex = "3074257BF7194E4000001A85";
    c.bench_function("sgtin96_hex_to_pure_uri", |b| {
        b.iter(|| {
            Epc::from_hex(black_box(hex))
                .map(|tag| tag.identity().to_string())
                .unwrap_or_default()
        })
    });
    c.bench_function("sgtin96_hex_decode_only", |b| {
        b.iter(|| Epc::from_hex(black_box(hex)).is_ok())
    });
    if let Ok(tag) = Epc::from_hex(hex) {
        c.bench_function("sgtin96_pure_uri_format_only", |b| {
            b.iter(|| black_box(&tag).identity().to_string())
        });
    }
    let uri = "urn:epc:id:sgtin:0614141.812345.6789";
    c.bench_function("sgtin96_pure_uri_to_hex", |b| {
        b.iter(|| {
            EpcId::parse(black_box(uri))
                .and_then(|id| id.to_tag(3, None))
                .map(|tag| tag.hex().to_string())
                .unwrap_or_default()
        })
    });
}

fn gs1(c: &mut Criterion) {
    let options = ParseOptions::default();
    let raw = "010703206980498815210526100329";
    c.bench_function("element_string_parse_raw", |b| {
        b.iter(|| ElementString::parse_raw(black_box(raw), &options).is_ok())
    });
    let bracketed = "(01)07032069804988(15)210526(10)0329";
    c.bench_function("element_string_parse_bracketed", |b| {
        b.iter(|| ElementString::parse_bracketed(black_box(bracketed), &options).is_ok())
    });
    let link = "https://example.com/01/09506000134352/10/ABC/21/1?17=271231";
    c.bench_function("digital_link_parse", |b| {
        b.iter(|| DigitalLink::parse(black_box(link)).is_ok())
    });
    c.bench_function("digital_link_to_canonical", |b| {
        b.iter(|| {
            DigitalLink::parse(black_box(link))
                .map(|l| l.canonical().to_string())
                .unwrap_or_default()
        })
    });
}

fn frames(c: &mut Criterion) {
    let epc = [
        0x30, 0x74, 0x25, 0x7B, 0xF7, 0x19, 0x4E, 0x40, 0x00, 0x00, 0x1A, 0x85,
    ];
    let read = ToGateway::TagRead(TagRead {
        port: 1,
        antenna: 2,
        tag: TagId::Gen2(EpcBank::new(0x3000, &epc).expect("a 96-bit EPC bank")),
        rssi_cdbm: Some(-5500),
        count: 37,
        first_seen_ms: 1_234_567,
        last_seen_ms: 1_235_012,
    });
    let mut buf = [0u8; 256];
    c.bench_function("frame_encode_tag_read", |b| {
        b.iter(|| encode_frame(black_box(7), black_box(&read), &mut buf).unwrap_or_default())
    });
    let len = encode_frame(7, &read, &mut buf).expect("a tag read frame");
    let frame = buf.get(..len).unwrap_or_default().to_vec();
    let mut decoder = FrameDecoder::<ToGateway>::new();
    c.bench_function("frame_decode_tag_read", |b| {
        b.iter(|| {
            decoder
                .feed(black_box(&frame))
                .filter(Result::is_ok)
                .count()
        })
    });
}

criterion_group!(benches, epc, gs1, frames);
criterion_main!(benches);
