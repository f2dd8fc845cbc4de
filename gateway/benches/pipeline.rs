//! Throughput of the gateway's hot paths: raw reads through smoothing alone and through
//! the whole pipeline's read path (smoothing, station lookup, recall list, health
//! counters), and events signed and durably queued in the sled outbox (single and
//! grouped commits). `cargo bench -p trace-gateway --bench pipeline`.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use trace_gateway::config::SmoothingConfig;
use trace_gateway::outbox::{Outbox, SledOutbox, sign_and_append};
use trace_gateway::smoothing::Smoother;
use trace_proto::event::{Action, Event, EventKind, EventTime, ObjectEvent, TimeZoneOffset};
use trace_proto::signed::{GatewayId, SigningKey};

fn tags(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| format!("urn:epc:id:sgtin:0614141.812345.{i}"))
        .collect()
}

fn smoothing(c: &mut Criterion) {
    // A dock door with 500 tags in the field, each read again and again.
    let tags = tags(500);
    let mut smoother = Smoother::new(
        SmoothingConfig {
            dwell_ms: 0,
            exit_ms: 3000,
        },
        4,
    );
    let mut now = 0u64;
    let mut group = c.benchmark_group("smoothing");
    group.throughput(Throughput::Elements(tags.len() as u64));
    group.bench_function("500 raw reads of present tags", |b| {
        b.iter(|| {
            now += 1;
            for tag in &tags {
                std::hint::black_box(smoother.read(1, tag, now));
            }
        });
    });
    group.finish();
}

fn pipeline_reads(c: &mut Criterion) {
    use std::sync::Arc;
    use trace_gateway::config::Config;
    use trace_gateway::pipeline::Pipeline;
    use trace_gateway::status::StatusBoard;
    let config = Config::parse(include_str!("../examples/dock-door.toml")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let outbox = Arc::new(SledOutbox::open(dir.path(), u64::MAX).unwrap());
    let status = Arc::new(StatusBoard::new([("uhf", "uhf-m100"), ("board", "link")]));
    let key = SigningKey::from_bytes(&[9; 32]);
    let mut pipeline = Pipeline::new(&config, key, outbox, Arc::default(), status);
    let tags = tags(500);
    let mut now = 1_764_000_000_000u64;
    for tag in &tags {
        pipeline.read(0, 1, tag, now).unwrap();
    }
    pipeline.commit().unwrap();
    let mut group = c.benchmark_group("pipeline");
    group.throughput(Throughput::Elements(tags.len() as u64));
    group.bench_function("500 raw reads of present tags", |b| {
        b.iter(|| {
            now += 1;
            for tag in &tags {
                pipeline.read(0, 1, tag, now).unwrap();
            }
        });
    });
    group.finish();
    assert_eq!(pipeline.staged(), 0, "present tags make no new events");
}

fn event(serial: u64) -> Event {
    let mut event = Event::new(
        EventKind::Object(ObjectEvent {
            action: Action::Observe,
            epc_list: vec![format!("urn:epc:id:sgtin:0614141.812345.{serial}")],
            quantity_list: Vec::new(),
            ilmd: None,
        }),
        EventTime::from_unix_millis(1_764_000_000_000).unwrap(),
        TimeZoneOffset::UTC,
    );
    event.read_point = Some(trace_proto::event::Location {
        id: "urn:epc:id:sgln:0614141.00777.0".into(),
        extensions: Vec::new(),
    });
    event
}

fn durable(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let outbox = SledOutbox::open(dir.path(), u64::MAX).unwrap();
    let key = SigningKey::from_bytes(&[9; 32]);
    let id = GatewayId::new("bench-gw").unwrap();
    let mut serial = 0u64;
    let mut group = c.benchmark_group("outbox");
    group.sample_size(20);
    for size in [1u64, 100] {
        group.throughput(Throughput::Elements(size));
        group.bench_function(format!("sign and durably append {size}"), |b| {
            b.iter(|| {
                let events = (0..size).map(|_| {
                    serial += 1;
                    event(serial)
                });
                sign_and_append(&outbox, &key, &id, events.collect()).unwrap();
            });
        });
    }
    group.finish();
    let usage = outbox.usage();
    eprintln!(
        "outbox: {} events, {} bytes of signed events ({} per event), {} bytes on disk",
        usage.events,
        usage.bytes,
        usage.bytes / usage.events.max(1),
        dir_size(dir.path())
    );
}

fn dir_size(path: &std::path::Path) -> u64 {
    std::fs::read_dir(path)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| {
            let meta = e.metadata().unwrap();
            if meta.is_dir() {
                dir_size(&e.path())
            } else {
                meta.len()
            }
        })
        .sum()
}

criterion_group!(benches, smoothing, pipeline_reads, durable);
criterion_main!(benches);
