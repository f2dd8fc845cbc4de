use super::*;
use trace_proto::event::{Action, EventKind, EventTime, ObjectEvent, TimeZoneOffset};

fn event(n: u64) -> Event {
    Event::new(
        EventKind::Object(ObjectEvent {
            action: Action::Observe,
            epc_list: vec![format!("urn:epc:id:sgtin:0614141.812345.{n}")],
            quantity_list: Vec::new(),
            ilmd: None,
        }),
        EventTime::from_unix_millis(1_700_000_000_000).unwrap(),
        TimeZoneOffset::UTC,
    )
}

fn id() -> GatewayId {
    GatewayId::new("gw-test").unwrap()
}

#[test]
fn refuses_forks_and_gaps() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = SledOutbox::open(dir.path(), 1 << 20).unwrap();
    let key = SigningKey::from_bytes(&[1; 32]);
    let first = sign_and_append(&outbox, &key, &id(), vec![event(1)])
        .unwrap()
        .remove(0);
    let fork = SignedEvent::sign(&key, id(), 1, EventHash::ZERO, event(2)).unwrap();
    assert!(matches!(outbox.append(&[fork]), Err(OutboxError::Chain(_))));
    let gap = SignedEvent::sign(&key, id(), 3, first.hash(), event(3)).unwrap();
    assert!(matches!(outbox.append(&[gap]), Err(OutboxError::Chain(_))));
    assert_eq!(outbox.usage().events, 1);
}

#[test]
fn ack_deletes_up_to_the_ack_only_and_is_capped_at_the_head() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = SledOutbox::open(dir.path(), 1 << 20).unwrap();
    let key = SigningKey::from_bytes(&[1; 32]);
    sign_and_append(&outbox, &key, &id(), vec![event(1), event(2)]).unwrap();
    for n in 3..=5 {
        sign_and_append(&outbox, &key, &id(), vec![event(n)]).unwrap();
    }
    assert_eq!(outbox.ack(2).unwrap(), 2);
    assert_eq!(outbox.ack(1).unwrap(), 0, "an old ack changes nothing");
    let left: Vec<u64> = outbox
        .unacked(0, 10)
        .unwrap()
        .iter()
        .map(SignedEvent::seq)
        .collect();
    assert_eq!(left, [3, 4, 5]);
    let after_4: Vec<u64> = outbox
        .unacked(4, 10)
        .unwrap()
        .iter()
        .map(SignedEvent::seq)
        .collect();
    assert_eq!(after_4, [5]);
    assert_eq!(outbox.ack(99).unwrap(), 3);
    assert_eq!(
        (outbox.acked(), outbox.usage().events, outbox.usage().bytes),
        (5, 0, 0)
    );
    assert_eq!(
        outbox.head().unwrap().seq,
        5,
        "the head outlives its events"
    );
}

#[test]
fn a_batch_is_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let key = SigningKey::from_bytes(&[1; 32]);
    let one = SignedEvent::sign(&key, id(), 1, EventHash::ZERO, event(1)).unwrap();
    let budget = one.encoded_len() as u64 * 3 / 2;
    let outbox = SledOutbox::open(dir.path(), budget).unwrap();
    let refused = sign_and_append(&outbox, &key, &id(), vec![event(1), event(2)]);
    assert!(matches!(refused, Err(OutboxError::Full { .. })));
    assert_eq!((outbox.head(), outbox.usage().events), (None, 0));
    let accepted = sign_and_append(&outbox, &key, &id(), vec![event(1)]).unwrap();
    assert_eq!(outbox.head(), Some(accepted[0].head()));
    let two = SignedEvent::sign(&key, id(), 2, accepted[0].hash(), event(2)).unwrap();
    let bad_third = SignedEvent::sign(&key, id(), 4, two.hash(), event(3)).unwrap();
    assert!(matches!(
        outbox.append(&[two, bad_third]),
        Err(OutboxError::Chain(_))
    ));
    assert_eq!(
        outbox.usage().events,
        1,
        "the good half of a broken batch is not kept"
    );
}
