#![allow(clippy::unwrap_used)]

use trace_proto::event::{Action, Event, EventKind, EventTime, ObjectEvent, TimeZoneOffset};
use trace_proto::signed::{EventHash, GatewayId, SignedEvent, SigningKey};

use super::*;

const NOW: i64 = 1_764_000_000_000;
const HOUR: i64 = 3_600_000;

/// One signed event per time, seqs from 1.
fn chain(times: &[i64]) -> Vec<SignedEvent> {
    let key = SigningKey::from_bytes(&[7; 32]);
    let gateway = GatewayId::new("gw-clock").unwrap();
    let mut prev = EventHash::ZERO;
    times
        .iter()
        .zip(1..)
        .map(|(&ms, seq)| {
            let kind = EventKind::Object(ObjectEvent {
                action: Action::Observe,
                epc_list: vec![format!("urn:epc:id:sgtin:0614141.812345.{seq}")],
                quantity_list: vec![],
                ilmd: None,
            });
            let time = EventTime::from_unix_millis(ms).unwrap();
            let event = Event::new(kind, time, TimeZoneOffset::from_minutes(0).unwrap());
            let signed = SignedEvent::sign(&key, gateway.clone(), seq, prev, event).unwrap();
            prev = signed.hash();
            signed
        })
        .collect()
}

fn kinds(anomalies: &[Anomaly]) -> Vec<(u64, AnomalyKind, bool)> {
    anomalies
        .iter()
        .map(|a| (a.seq, a.kind, a.starts))
        .collect()
}

#[test]
fn steady_times_and_small_steps_back_are_not_anomalies() {
    let events = chain(&[NOW - 3000, NOW - 2000, NOW - 62_000, NOW - 1000]);
    let gateway = events[0].gateway_id().clone();
    assert_eq!(ClockCheck::default().check(&gateway, &events, NOW), vec![]);
}

#[test]
fn a_clock_stepping_back_flags_the_event_after_the_step_once() {
    let events = chain(&[NOW - 2000, NOW - 1000, NOW - HOUR, NOW - HOUR + 1000]);
    let gateway = events[0].gateway_id().clone();
    let mut check = ClockCheck::default();
    let anomalies = check.check(&gateway, &events[..3], NOW);
    assert_eq!(kinds(&anomalies), vec![(3, AnomalyKind::Backward, true)]);
    assert_eq!(anomalies[0].by_ms, HOUR - 1000);
    assert_eq!(
        check.check(&gateway, &events[3..], NOW),
        vec![],
        "remembered across rounds"
    );
}

#[test]
fn a_clock_running_ahead_flags_every_event_and_starts_one_episode() {
    let events = chain(&[NOW - 1000, NOW + HOUR, NOW + HOUR + 1000, NOW + 2000]);
    let gateway = events[0].gateway_id().clone();
    let anomalies = ClockCheck::default().check(&gateway, &events, NOW);
    assert_eq!(
        kinds(&anomalies),
        vec![
            (2, AnomalyKind::Ahead, true),
            (3, AnomalyKind::Ahead, false),
            (4, AnomalyKind::Backward, true),
        ]
    );
}
