//! Replays every input saved under `tests/fuzz/regressions/<target>/` (crashes the fuzzers
//! found, once fixed, and the seeds they start from) through the fuzz target bodies, and
//! feeds them valid encodings, whose round trips the bodies check.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use trace_proto::event::EventTime;
use trace_proto::link::{Heartbeat, MAX_FRAME_LEN, ToGateway, encode_frame};
use trace_proto::mqtt::{Payload, RecallList};
use trace_tests::fuzz::{self, TARGETS};

#[test]
fn every_saved_input_passes_its_target() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
    let mut replayed = 0;
    for (name, body) in TARGETS {
        let Ok(entries) = std::fs::read_dir(root.join(name)) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            let input = std::fs::read(&path).unwrap();
            let outcome = std::panic::catch_unwind(|| body(&input));
            assert!(outcome.is_ok(), "{name} fails on {}", path.display());
            replayed += 1;
        }
    }
    assert!(
        replayed >= 10,
        "only {replayed} saved inputs under {}",
        root.display()
    );
}

#[test]
fn valid_link_frames_and_mqtt_payloads_round_trip() {
    let heartbeat = ToGateway::Heartbeat(Heartbeat {
        uptime_ms: 86_400_000,
        frames_sent: 41,
        reads: 17,
        reader_errors: Default::default(),
    });
    let mut frame = [0u8; MAX_FRAME_LEN];
    let len = encode_frame(42, &heartbeat, &mut frame).unwrap();
    let mut stream = b"noise before".to_vec();
    stream.extend_from_slice(&frame[..len]);
    stream.extend_from_slice(&frame[..len]);
    fuzz::link_frames(&stream);

    let recalls = Payload::RecallList(RecallList {
        as_of: EventTime::from_unix_millis(1_764_000_000_000).unwrap(),
        recalls: Vec::new(),
    });
    fuzz::mqtt_payload(&recalls.encode().unwrap());
}

#[test]
fn a_gateway_connect_passes_the_mqtt_frames_body_in_reads_of_every_size() {
    let connect = trace_server::broker::frame::Connect {
        client_id: "dock-1".into(),
        clean_session: true,
        keep_alive: 30,
        will: None,
        username: Some("dock-1".into()),
        password: Some(b"pw".to_vec()),
    };
    let bytes = connect.encode();
    assert_eq!(
        trace_server::broker::frame::parse(&bytes),
        Ok(trace_server::broker::frame::Packet::Connect(connect))
    );
    for chunk in 1..=bytes.len() as u8 {
        let mut input = vec![chunk];
        input.extend_from_slice(&bytes);
        fuzz::mqtt_frames(&input);
    }
}
