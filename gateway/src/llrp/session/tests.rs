//! The session against the LLRP reader emulator of `trace-emulators`, in process, time
//! moved by hand.

use std::time::Duration;

use trace_emulators::llrp::{LlrpConfig, LlrpReader};
use trace_emulators::{Action, Emulator, Scenario, Scene, Tag};

use super::*;

/// Runs session and reader against each other until `until_ms`, in 5 ms steps.
fn converse(
    session: &mut Session,
    reader: &mut LlrpReader,
    from_ms: u64,
    until_ms: u64,
) -> Vec<SessionEvent> {
    let mut events = Vec::new();
    let mut bytes = Vec::new();
    for now in (from_ms..until_ms).step_by(5) {
        reader.feed(session.pending_tx());
        let n = session.pending_tx().len();
        session.consume_tx(n);
        reader.advance(Duration::from_millis(now));
        bytes.clear();
        reader.poll(&mut bytes);
        if !bytes.is_empty() {
            session.received(&bytes, now, &mut events);
        }
        session.poll(now, &mut events);
    }
    events
}

fn reader() -> LlrpReader {
    let mut reader = LlrpReader::new(LlrpConfig {
        antennas: 2,
        read_interval: Duration::from_millis(50),
        ..LlrpConfig::default()
    });
    reader.host_connected();
    reader
}

const EPC: [u8; 12] = [
    0x30, 0x75, 0x1F, 0xEB, 0x70, 0x5C, 0x59, 0x04, 0xE3, 0xD5, 0x0D, 0x70,
];

#[test]
fn dialogue_reaches_ready_then_reports_tags_and_answers_keepalives() {
    let mut reader = reader();
    let tag = "epc:30751FEB705C5904E3D50D70".parse::<Tag>().unwrap();
    Action::Enter {
        tag,
        antenna: 2,
        rssi: -48,
    }
    .apply(&mut reader as &mut dyn Scene);
    let mut session = Session::new(100);
    session.connected(0);
    let events = converse(&mut session, &mut reader, 0, 1000);
    let ready = events
        .iter()
        .position(|e| *e == SessionEvent::Ready)
        .expect("never ready");
    let tags: Vec<&TagReport> = events
        .iter()
        .filter_map(|e| match e {
            SessionEvent::Tag(t) => Some(t),
            _ => None,
        })
        .collect();
    assert!(tags.len() > 3, "a tag in the field is reported every round");
    assert!(
        tags.iter()
            .all(|t| t.epc == EPC && t.antenna == Some(2) && t.rssi == Some(-48))
    );
    assert!(
        !events.iter().any(|e| matches!(e, SessionEvent::Fault(_))),
        "{events:?}"
    );
    assert!(ready < events.len());
    // Keep-alives every 100 ms are answered, so the session never calls the reader silent.
    assert!(!session.wants_reset());
}

#[test]
fn a_silent_reader_is_reset() {
    let mut reader = reader();
    let mut session = Session::new(100);
    session.connected(0);
    converse(&mut session, &mut reader, 0, 300);
    Scenario::new()
        .at(Duration::ZERO, Action::Silent(true))
        .apply_due(Duration::from_millis(300), &mut reader);
    let events = converse(&mut session, &mut reader, 300, 1000);
    assert!(
        events
            .iter()
            .any(|e| matches!(e, SessionEvent::Fault(r) if r.contains("silent"))),
        "{events:?}"
    );
    assert!(session.wants_reset());
}

#[test]
fn garbage_instead_of_llrp_is_a_fault() {
    let mut session = Session::new(100);
    session.connected(0);
    let mut events = Vec::new();
    session.received(b"HTTP/1.1 400 Bad Request\r\n\r\n", 5, &mut events);
    assert!(
        matches!(&events[..], [SessionEvent::Fault(_)]),
        "{events:?}"
    );
    assert!(session.wants_reset());
}
